package onboard

import (
	"time"

	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyUser is an Aptly user as Users.Create returns it, with its manager, roles,
// positions, groups and dashboard layout.
type AptlyUser struct {
	ID                  string               `json:"id"`
	UserID              string               `json:"userId"`
	LoginID             string               `json:"loginId"`
	DescopeUserID       string               `json:"descopeUserId"`
	ActiveTenantID      string               `json:"activeTenantId"`
	Email               string               `json:"email"`
	Name                string               `json:"name"`
	IsSAML              bool                 `json:"isSAML"`
	MobilePhone         string               `json:"mobilePhone"`
	FirstName           string               `json:"firstName"`
	LastName            string               `json:"lastName"`
	ProfileImageURL     string               `json:"profileImageUrl"`
	CurrencyName        string               `json:"currencyName"`
	CurrencyCode        string               `json:"currencyCode"`
	Status              AptlyUserStatus      `json:"status"`
	AccountType         string               `json:"accountType"`
	AutoProvisioned     bool                 `json:"autoProvisioned"`
	EmployeeID          string               `json:"employeeId"`
	EmployeeType        string               `json:"employeeType"`
	DateFormat          string               `json:"dateFormat"`
	UserType            string               `json:"userType"`
	SearchData          []string             `json:"searchData"`
	ManagerSync         bool                 `json:"managerSync"`
	Manager             *AptlyManager        `json:"manager"`
	IsDeleted           bool                 `json:"isDeleted"`
	IsExpirePassword    bool                 `json:"isExpirePassword"`
	CreatedOn           time.Time            `json:"createdOn"`
	LastLoginDate       time.Time            `json:"lastLoginDate"`
	CreatedBy           string               `json:"createdBy"`
	UpdatedOn           time.Time            `json:"updatedOn"`
	UpdatedBy           string               `json:"updatedBy"`
	DeletedOn           time.Time            `json:"deletedOn"`
	DelegationsReceived int                  `json:"delegationsReceived"`
	DelegationsIssued   int                  `json:"delegationsIssued"`
	DashboardData       []AptlyDashboardTile `json:"dashboardData"`
	UserRoles           []AptlyUserRole      `json:"userRoles"`
	UserPositions       []AptlyUserPosition  `json:"userPositions"`
	UserGroups          []AptlyUserGroup     `json:"userGroups"`
	IsImpersonated      bool                 `json:"isImpersonated"`

	// The fields below are in the 2026 documents' examples only; an answer
	// without them leaves them empty.
	DisplayName    string `json:"displayName,omitempty"`
	EmployeeNumber string `json:"employeeNumber,omitempty"`
	EmploymentType string `json:"employmentType,omitempty"`
	// SourceID identifies the user in the system they come from.
	SourceID        string    `json:"sourceId,omitempty"`
	ActorType       string    `json:"actorType,omitempty"`
	AIAgentType     string    `json:"aiAgentType,omitempty"`
	StartDate       time.Time `json:"startDate,omitzero"`
	TerminationDate time.Time `json:"terminationDate,omitzero"`
	// CustomAttributes are the tenant's own fields, a free-form object
	// such as {"department": "Engineering"}.
	CustomAttributes    map[string]any           `json:"customAttributes,omitempty"`
	ExternalID          string                   `json:"externalId,omitempty"`
	InstanceID          string                   `json:"instanceId,omitempty"`
	SystemIntegrationID string                   `json:"systemIntegrationId,omitempty"`
	DisplayLanguage     string                   `json:"displayLanguage,omitempty"`
	ColumnViewSettings  *AptlyColumnViewSettings `json:"columnViewSettings,omitempty"`
}

// AptlyManager is the summary of a user's manager inside an Aptly User.
type AptlyManager struct {
	ID                     string                    `json:"id"`
	UserID                 string                    `json:"userId"`
	DescopeUserID          string                    `json:"descopeUserId"`
	Name                   string                    `json:"name"`
	Email                  string                    `json:"email"`
	FirstName              string                    `json:"firstName"`
	LastName               string                    `json:"lastName"`
	MobilePhone            string                    `json:"mobilePhone"`
	ProfileImageURL        string                    `json:"profileImageUrl"`
	CreatedOn              time.Time                 `json:"createdOn"`
	UpdatedOn              time.Time                 `json:"updatedOn"`
	UserPositions          []AptlyUserPosition       `json:"userPositions"`
	PrimaryOrganization    *AptlyPrimaryOrganization `json:"primaryOrganization"`
	ManagerName            string                    `json:"managerName"`
	ManagerProfileImageURL string                    `json:"managerProfileImageUrl"`
}

// AptlyPrimaryOrganization names the group a manager belongs to first.
type AptlyPrimaryOrganization struct {
	GroupName           string `json:"groupName"`
	TenantGroupTypeID   string `json:"tenantGroupTypeId"`
	TenantGroupTypeName string `json:"tenantGroupTypeName"`
}

// AptlyUserPosition is a position an Aptly user holds in a tenant.
type AptlyUserPosition struct {
	ID                string    `json:"id"`
	UserID            string    `json:"userId"`
	TenantID          string    `json:"tenantId"`
	PositionsID       string    `json:"positionsId"`
	AutoProvisioned   bool      `json:"autoProvisioned"`
	IsEditable        bool      `json:"isEditable"`
	IsDeleted         bool      `json:"isDeleted"`
	DeletedOn         time.Time `json:"deletedOn"`
	CreatedOn         time.Time `json:"createdOn"`
	UpdatedOn         time.Time `json:"updatedOn"`
	PositionName      string    `json:"positionName"`
	IsSCIMProvisioned bool      `json:"isSCIMProvisioned"`
}

// AptlyUserRole is a role an Aptly user holds in a tenant.
type AptlyUserRole struct {
	ID              string    `json:"id"`
	TenantID        string    `json:"tenantId"`
	TenantRoleID    string    `json:"tenantRoleId"`
	RoleName        string    `json:"roleName"`
	AutoProvisioned bool      `json:"autoProvisioned"`
	CreatedOn       time.Time `json:"createdOn"`
	DeletedOn       time.Time `json:"deletedOn"`
	UpdatedOn       time.Time `json:"updatedOn"`
}

// AptlyUserGroup is an Aptly user's membership of a group.
type AptlyUserGroup struct {
	ID              string    `json:"id"`
	TenantID        string    `json:"tenantId"`
	UserID          string    `json:"userId"`
	GroupID         string    `json:"groupId"`
	GroupTypeID     string    `json:"groupTypeId"`
	GroupName       string    `json:"groupName"`
	GroupTypeName   string    `json:"groupTypeName"`
	IsPrimaryOrg    bool      `json:"isPrimaryOrg"`
	PrimaryOrgSetOn time.Time `json:"primaryOrgSetOn"`
	AutoProvisioned bool      `json:"autoProvisioned"`
	IsDeleted       bool      `json:"isDeleted"`
	DeletedOn       time.Time `json:"deletedOn"`
	CreatedOn       time.Time `json:"createdOn"`
	UpdatedOn       time.Time `json:"updatedOn"`
}

// AptlyDashboardTile is one tile of an Aptly user's dashboard layout.
type AptlyDashboardTile struct {
	X int    `json:"x"`
	Y int    `json:"y"`
	W int    `json:"w"`
	H int    `json:"h"`
	I string `json:"i"`
}

// AptlyGroupAssignment puts an Aptly user in a group. IsPrimaryOrg is a pointer
// so that false is sent rather than left to the server's default.
type AptlyGroupAssignment struct {
	GroupID      string `json:"groupId"`
	IsPrimaryOrg *bool  `json:"isPrimaryOrg,omitempty"`
}

// AptlyColumnViewSettings is an Aptly user's choice of list columns, such as
// ["name", "email", "status"].
type AptlyColumnViewSettings struct {
	Columns []string `json:"columns"`
}

// AptlyUserStatus is an Aptly user's status: what AptlyUser.Status reads,
// and what a bulk status update and an update of a user's entities set.
type AptlyUserStatus string

// The statuses Aptly documents.
const (
	AptlyUserActive   AptlyUserStatus = "ACTIVE"
	AptlyUserInactive AptlyUserStatus = "INACTIVE"
	AptlyUserInvited  AptlyUserStatus = "INVITED"
	// AptlyUserDeleted: how it differs from AptlyUsers.DeleteBulk is not
	// documented.
	AptlyUserDeleted AptlyUserStatus = "DELETED"
)

// check records a problem at path when st is not a documented status.
func (st AptlyUserStatus) check(p *validate.Problems, path string) {
	if p.Required(path, string(st)) {
		p.OneOf(path, string(st), string(AptlyUserActive), string(AptlyUserInactive), string(AptlyUserInvited), string(AptlyUserDeleted))
	}
}
