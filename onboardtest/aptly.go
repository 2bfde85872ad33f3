package onboardtest

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"time"
)

// Aptly wire types, named as in the documents.

type aptlyGroupIn struct {
	GroupID      string `json:"groupId"`
	IsPrimaryOrg *bool  `json:"isPrimaryOrg"`
}

// aptlyCreateRequest is the body of POST /v1/user/create.
type aptlyCreateRequest struct {
	FirstName      string         `json:"firstName"`
	LastName       string         `json:"lastName"`
	TenantID       string         `json:"tenantId"`
	Email          string         `json:"email"`
	MobilePhone    string         `json:"mobilePhone"`
	RoleIDs        []string       `json:"roleIds"`
	Groups         []aptlyGroupIn `json:"groups"`
	ManagerID      string         `json:"managerId"`
	PositionIDs    []string       `json:"positionIds"`
	InviteViaEmail *bool          `json:"inviteViaEmail"`
}

// aptlyInviteUser is one element of users in POST /v1/user/bulk-invite.
type aptlyInviteUser struct {
	Email            string         `json:"email"`
	FirstName        string         `json:"firstName"`
	LastName         string         `json:"lastName"`
	DisplayName      string         `json:"displayName"`
	MobilePhone      string         `json:"mobilePhone"`
	RoleIDs          []string       `json:"roleIds"`
	Groups           []aptlyGroupIn `json:"groups"`
	ManagerID        string         `json:"managerId"`
	PositionIDs      []string       `json:"positionIds"`
	EmployeeID       string         `json:"employeeId"`
	EmployeeNumber   string         `json:"employeeNumber"`
	EmployeeType     string         `json:"employeeType"`
	EmploymentType   string         `json:"employmentType"`
	SourceID         string         `json:"sourceId"`
	ActorType        string         `json:"actorType"`
	AIAgentType      string         `json:"aiAgentType"`
	StartDate        string         `json:"startDate"`
	TerminationDate  string         `json:"terminationDate"`
	CustomAttributes map[string]any `json:"customAttributes"`
	ExistingUser     map[string]any `json:"existingUser"`
}

// aptlyBulkInviteRequest is the body of POST /v1/user/bulk-invite.
type aptlyBulkInviteRequest struct {
	TenantID string            `json:"tenantId"`
	Users    []aptlyInviteUser `json:"users"`
}

// aptlyExchangeRequest is the body of POST /v1/tenants/access-key/exchange.
type aptlyExchangeRequest struct {
	AccessKey string `json:"accessKey"`
}

type aptlyExchangeData struct {
	Token string `json:"token"`
}

type aptlyBulkResult struct {
	Email   string `json:"email"`
	Success bool   `json:"success"`
	Message string `json:"message"`
}

type aptlyBulkData struct {
	Total      int               `json:"total"`
	Successful int               `json:"successful"`
	Failed     int               `json:"failed"`
	Results    []aptlyBulkResult `json:"results"`
}

// aptlyUserOut is the user object POST /v1/user/create answers with.
type aptlyUserOut struct {
	ID                  string                 `json:"id"`
	UserID              string                 `json:"userId"`
	LoginID             string                 `json:"loginId"`
	DescopeUserID       string                 `json:"descopeUserId"`
	ActiveTenantID      string                 `json:"activeTenantId"`
	Email               string                 `json:"email"`
	Name                string                 `json:"name"`
	IsSAML              bool                   `json:"isSAML"`
	MobilePhone         *string                `json:"mobilePhone"`
	FirstName           string                 `json:"firstName"`
	LastName            string                 `json:"lastName"`
	ProfileImageURL     *string                `json:"profileImageUrl"`
	CurrencyName        string                 `json:"currencyName"`
	CurrencyCode        string                 `json:"currencyCode"`
	Status              string                 `json:"status"`
	AccountType         *string                `json:"accountType"`
	AutoProvisioned     bool                   `json:"autoProvisioned"`
	EmployeeID          *string                `json:"employeeId"`
	EmployeeType        *string                `json:"employeeType"`
	DateFormat          string                 `json:"dateFormat"`
	UserType            *string                `json:"userType"`
	SearchData          []string               `json:"searchData"`
	ManagerSync         bool                   `json:"managerSync"`
	Manager             *aptlyManagerOut       `json:"manager"`
	IsDeleted           bool                   `json:"isDeleted"`
	IsExpirePassword    bool                   `json:"isExpirePassword"`
	CreatedOn           string                 `json:"createdOn"`
	LastLoginDate       *string                `json:"lastLoginDate"`
	CreatedBy           string                 `json:"createdBy"`
	UpdatedOn           string                 `json:"updatedOn"`
	UpdatedBy           string                 `json:"updatedBy"`
	DeletedOn           *string                `json:"deletedOn"`
	DelegationsReceived int                    `json:"delegationsReceived"`
	DelegationsIssued   int                    `json:"delegationsIssued"`
	DashboardData       []aptlyDashboardTile   `json:"dashboardData"`
	UserRoles           []aptlyUserRoleOut     `json:"userRoles"`
	UserPositions       []aptlyUserPositionOut `json:"userPositions"`
	UserGroups          []aptlyUserGroupOut    `json:"userGroups"`
	IsImpersonated      bool                   `json:"isImpersonated"`

	aptlyUser2026
}

type aptlyManagerOut struct {
	ID                     string                 `json:"id"`
	UserID                 string                 `json:"userId"`
	DescopeUserID          string                 `json:"descopeUserId"`
	Name                   string                 `json:"name"`
	Email                  string                 `json:"email"`
	FirstName              string                 `json:"firstName"`
	LastName               string                 `json:"lastName"`
	MobilePhone            *string                `json:"mobilePhone"`
	ProfileImageURL        *string                `json:"profileImageUrl"`
	CreatedOn              string                 `json:"createdOn"`
	UpdatedOn              string                 `json:"updatedOn"`
	UserPositions          []aptlyUserPositionOut `json:"userPositions"`
	PrimaryOrganization    *aptlyPrimaryOrgOut    `json:"primaryOrganization"`
	ManagerName            *string                `json:"managerName"`
	ManagerProfileImageURL *string                `json:"managerProfileImageUrl"`
}

type aptlyPrimaryOrgOut struct {
	GroupName           *string `json:"groupName"`
	TenantGroupTypeID   *string `json:"tenantGroupTypeId"`
	TenantGroupTypeName string  `json:"tenantGroupTypeName"`
}

type aptlyDashboardTile struct {
	X int    `json:"x"`
	Y int    `json:"y"`
	W int    `json:"w"`
	H int    `json:"h"`
	I string `json:"i"`
}

type aptlyUserRoleOut struct {
	ID              string  `json:"id"`
	TenantID        string  `json:"tenantId"`
	TenantRoleID    string  `json:"tenantRoleId"`
	RoleName        *string `json:"roleName"`
	AutoProvisioned bool    `json:"autoProvisioned"`
	CreatedOn       string  `json:"createdOn"`
	DeletedOn       *string `json:"deletedOn"`
	UpdatedOn       string  `json:"updatedOn"`
}

type aptlyUserPositionOut struct {
	ID                string  `json:"id"`
	UserID            string  `json:"userId"`
	TenantID          string  `json:"tenantId"`
	PositionsID       string  `json:"positionsId"`
	AutoProvisioned   bool    `json:"autoProvisioned"`
	IsEditable        bool    `json:"isEditable"`
	IsDeleted         bool    `json:"isDeleted"`
	DeletedOn         *string `json:"deletedOn"`
	CreatedOn         string  `json:"createdOn"`
	UpdatedOn         string  `json:"updatedOn"`
	PositionName      *string `json:"positionName"`
	IsSCIMProvisioned bool    `json:"isSCIMProvisioned"`
}

type aptlyUserGroupOut struct {
	ID              string  `json:"id"`
	TenantID        string  `json:"tenantId"`
	UserID          string  `json:"userId"`
	GroupID         string  `json:"groupId"`
	GroupTypeID     *string `json:"groupTypeId"`
	GroupName       *string `json:"groupName"`
	GroupTypeName   *string `json:"groupTypeName"`
	IsPrimaryOrg    bool    `json:"isPrimaryOrg"`
	PrimaryOrgSetOn *string `json:"primaryOrgSetOn"`
	AutoProvisioned bool    `json:"autoProvisioned"`
	IsDeleted       bool    `json:"isDeleted"`
	DeletedOn       *string `json:"deletedOn"`
	CreatedOn       string  `json:"createdOn"`
	UpdatedOn       string  `json:"updatedOn"`
}

// defaultDashboard is the tile layout a new user starts with.
var defaultDashboard = []aptlyDashboardTile{
	{X: 0, Y: 0, W: 2, H: 1, I: "0"},
	{X: 0, Y: 1, W: 2, H: 4, I: "1"},
	{X: 0, Y: 5, W: 1, H: 4, I: "2"},
	{X: 1, Y: 5, W: 1, H: 4, I: "3"},
}

// Aptly user states, the documented values of a user's status.
const (
	// AptlyStatusActive is the status of a user created with
	// inviteViaEmail false, seeded with AddAptlyUser, or whose invite was
	// accepted with AcceptAptlyInvite.
	AptlyStatusActive = "ACTIVE"
	// AptlyStatusInvited is the status of a user created with
	// inviteViaEmail true or absent, or invited with bulk-invite: the
	// invite is pending.
	AptlyStatusInvited = "INVITED"
	// AptlyStatusInactive is a status set only through
	// bulk-status-update or update-entities.
	AptlyStatusInactive = "INACTIVE"
	// AptlyStatusDeleted is a status set only through bulk-status-update
	// or update-entities; the user stays listed. bulk-delete removes users
	// instead.
	AptlyStatusDeleted = "DELETED"
)

// AptlyUser is a user the fake holds in an Aptly tenant.
type AptlyUser struct {
	// ID is the user's uuid ("id" on the wire; what managerId names).
	ID string `json:"id"`
	// UserID is the user's sequential number ("userId"), from "10001".
	UserID string `json:"userId"`
	// TenantID is the tenant the user belongs to.
	TenantID string `json:"tenantId"`
	// Email is the address as it was sent.
	Email string `json:"email"`
	// FirstName is the user's first name.
	FirstName string `json:"firstName"`
	// LastName is the user's last name.
	LastName string `json:"lastName"`
	// DisplayName is the displayName sent, if any.
	DisplayName string `json:"displayName,omitempty"`
	// MobilePhone is the mobilePhone sent, if any.
	MobilePhone string `json:"mobilePhone,omitempty"`
	// Status is one of the AptlyStatus constants.
	Status string `json:"status"`
	// ManagerID is the managerId sent, if any.
	ManagerID string `json:"managerId,omitempty"`
	// RoleIDs are the roleIds sent.
	RoleIDs []string `json:"roleIds"`
	// PositionIDs are the positionIds sent.
	PositionIDs []string `json:"positionIds"`
	// Groups are the groups sent.
	Groups []AptlyGroup `json:"groups"`
	// EmployeeID is the employeeId sent, if any.
	EmployeeID string `json:"employeeId,omitempty"`
	// EmployeeType is the employeeType sent, if any.
	EmployeeType string `json:"employeeType,omitempty"`
	// InviteResends counts the invites resent through
	// bulk-resend-invite.
	InviteResends int `json:"inviteResends"`
	// CreatedOn is when the user was created or invited.
	CreatedOn time.Time `json:"createdOn"`
}

// AptlyGroup is one group membership of an AptlyUser.
type AptlyGroup struct {
	// GroupID is the group's uuid.
	GroupID string `json:"groupId"`
	// IsPrimaryOrg tells whether the group is the user's primary
	// organization.
	IsPrimaryOrg bool `json:"isPrimaryOrg"`
}

type aptlyTenant struct {
	byEmail map[string]*aptlyRec
	users   []*aptlyRec
}

// aptlyRec is a stored user, kept small: a million of them must fit, and
// the garbage collector scans every pointer in them.
type aptlyRec struct {
	id        uuid
	createdBy uuid
	seq       int
	createdMs int64 // unix milliseconds
	tenant    string
	email     string
	first     string
	last      string
	status    aptlyStatus
	extra     *aptlyExtra // nil when the user carries none of these
}

// aptlyExtra holds the fields most users do not carry.
type aptlyExtra struct {
	display, phone, managerID string
	roleIDs, positionIDs      []string
	groups                    []AptlyGroup
	employeeID, employeeType  string
	resends                   int
	updatedMs                 int64         // unix milliseconds; 0: never updated
	profile                   *aptlyProfile // fields only update-entities sets
}

func (rec *aptlyRec) more() *aptlyExtra {
	if rec.extra == nil {
		return &aptlyExtra{}
	}
	return rec.extra
}

func (rec *aptlyRec) created() time.Time { return time.UnixMilli(rec.createdMs).UTC() }

// newAptlyExtra returns x, or nil if x holds nothing.
func newAptlyExtra(x aptlyExtra) *aptlyExtra {
	if x.display == "" && x.phone == "" && x.managerID == "" && len(x.roleIDs) == 0 &&
		len(x.positionIDs) == 0 && len(x.groups) == 0 && x.employeeID == "" && x.employeeType == "" {
		return nil
	}
	p := new(aptlyExtra) // not &x, which would put every x on the heap
	*p = x
	return p
}

// aptlyTenant returns the tenant, creating it on first use. The caller holds
// s.mu.
func (st *state) aptlyTenant(id string) *aptlyTenant {
	t := st.aptlyTenants[id]
	if t == nil {
		t = &aptlyTenant{byEmail: make(map[string]*aptlyRec)}
		st.aptlyTenants[id] = t
	}
	return t
}

// addAptly stores rec in t, giving it its identifiers. The caller holds s.mu
// and has checked that the email is new to t.
func (st *state) addAptly(t *aptlyTenant, rec *aptlyRec) {
	rec.id = st.newUUID()
	st.aptlySeq++
	rec.seq = 10000 + st.aptlySeq
	t.byEmail[emailKey(rec.email)] = rec
	t.users = append(t.users, rec)
	st.aptlyByID[rec.id] = rec
	st.aptlyOrder = append(st.aptlyOrder, rec)
}

func aptlyGroups(in []aptlyGroupIn) []AptlyGroup {
	if len(in) == 0 {
		return nil
	}
	out := make([]AptlyGroup, len(in))
	for i, g := range in {
		out[i] = AptlyGroup{GroupID: g.GroupID, IsPrimaryOrg: g.IsPrimaryOrg != nil && *g.IsPrimaryOrg}
	}
	return out
}

// aptlyCheckLinks validates the uuid-valued fields a user can carry.
func aptlyCheckLinks(prefix string, roleIDs []string, groups []aptlyGroupIn, managerID string, positionIDs []string) []problem {
	var probs []problem
	add := func(field, msg string) { probs = append(probs, problem{Field: field, Message: field + " " + msg}) }
	for i, id := range roleIDs {
		if !validUUID(id) {
			add(prefix+"roleIds["+strconv.Itoa(i)+"]", "must be a UUID")
		}
	}
	for i, g := range groups {
		if !validUUID(g.GroupID) {
			add(prefix+"groups["+strconv.Itoa(i)+"].groupId", "must be a UUID")
		}
	}
	if managerID != "" && !validUUID(managerID) {
		add(prefix+"managerId", "must be a UUID")
	}
	for i, id := range positionIDs {
		if !validUUID(id) {
			add(prefix+"positionIds["+strconv.Itoa(i)+"]", "must be a UUID")
		}
	}
	return probs
}

func aptlyCheckTenant(tenantID string) []problem {
	switch {
	case tenantID == "":
		return []problem{{Field: "tenantId", Message: "tenantId should not be empty"}}
	case !validUUID(tenantID):
		return []problem{{Field: "tenantId", Message: "tenantId must be a UUID"}}
	}
	return nil
}

func (s *Server) aptlySuccess(now time.Time, data any) reply {
	// The documented quirk: HTTP 201, envelope statusCode 200.
	return jsonReply(http.StatusCreated, aptlyEnvelope{
		StatusCode: http.StatusOK,
		Timestamp:  formatTime(now),
		Message:    "Success",
		Data:       data,
	})
}

func (s *Server) aptlyTokenValid(tok string) bool {
	if tok == s.cfg.aptlyToken {
		return true
	}
	s.mu.Lock()
	_, ok := s.st.aptlyTokens[tok]
	s.mu.Unlock()
	return ok
}

// aptlyCreateUser serves POST /v1/user/create.
func (s *Server) aptlyCreateUser(c *call) reply {
	var req aptlyCreateRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	var probs []problem
	if isBlank(req.FirstName) {
		probs = append(probs, problem{Field: "firstName", Message: "firstName should not be empty"})
	}
	if isBlank(req.LastName) {
		probs = append(probs, problem{Field: "lastName", Message: "lastName should not be empty"})
	}
	probs = append(probs, aptlyCheckTenant(req.TenantID)...)
	switch {
	case req.Email == "":
		probs = append(probs, problem{Field: "email", Message: "email should not be empty"})
	case !validEmail(req.Email):
		probs = append(probs, problem{Field: "email", Message: "email must be an email"})
	}
	probs = append(probs, aptlyCheckLinks("", req.RoleIDs, req.Groups, req.ManagerID, req.PositionIDs)...)
	if len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.aptlyTenant(req.TenantID)
	if t.byEmail[emailKey(req.Email)] != nil {
		return s.errorReply(serviceAptly, http.StatusConflict, "Email already exists", c.now)
	}
	if req.ManagerID != "" {
		id, _ := parseUUID(req.ManagerID)
		if m := s.st.aptlyByID[id]; m == nil || m.tenant != req.TenantID {
			return s.errorReply(serviceAptly, http.StatusNotFound, "Manager not found", c.now)
		}
	}
	rec := &aptlyRec{
		tenant:    req.TenantID,
		email:     req.Email,
		first:     req.FirstName,
		last:      req.LastName,
		status:    aptlyStatusOf(req.InviteViaEmail == nil || *req.InviteViaEmail),
		createdMs: c.now.UnixMilli(),
		createdBy: derivedUUID("aptly-caller", c.cred),
		extra: newAptlyExtra(aptlyExtra{
			phone:       req.MobilePhone,
			managerID:   req.ManagerID,
			roleIDs:     req.RoleIDs,
			positionIDs: req.PositionIDs,
			groups:      aptlyGroups(req.Groups),
		}),
	}
	s.st.addAptly(t, rec)
	return s.aptlySuccess(c.now, s.aptlyRender(rec))
}

// aptlyBulkInvite serves POST /v1/user/bulk-invite.
func (s *Server) aptlyBulkInvite(c *call) reply {
	var req aptlyBulkInviteRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	probs := aptlyCheckTenant(req.TenantID)
	if len(req.Users) == 0 {
		probs = append(probs, problem{Field: "users", Message: "users should not be empty"})
	}
	for i := range req.Users {
		u := &req.Users[i]
		prefix := "users[" + strconv.Itoa(i) + "]."
		probs = append(probs, aptlyCheckLinks(prefix, u.RoleIDs, u.Groups, u.ManagerID, u.PositionIDs)...)
		if u.StartDate != "" && !validISODate(u.StartDate) {
			probs = append(probs, problem{Field: prefix + "startDate", Message: prefix + "startDate must be a valid ISO 8601 date string"})
		}
		if u.TerminationDate != "" && !validISODate(u.TerminationDate) {
			probs = append(probs, problem{Field: prefix + "terminationDate", Message: prefix + "terminationDate must be a valid ISO 8601 date string"})
		}
	}
	if len(probs) > 0 {
		return s.badRequest(serviceAptly, c.now, probs)
	}

	results := make([]aptlyBulkResult, len(req.Users))
	ok := 0
	createdMs := c.now.UnixMilli()
	by := derivedUUID("aptly-caller", c.cred)
	s.mu.Lock()
	t := s.st.aptlyTenant(req.TenantID)
	for i := range req.Users {
		u := &req.Users[i]
		r := &results[i]
		r.Email = u.Email
		switch {
		case !validEmail(u.Email):
			r.Message = "Invalid email"
		case t.byEmail[emailKey(u.Email)] != nil:
			r.Message = "Email already exists"
		default:
			s.st.addAptly(t, &aptlyRec{
				tenant:    req.TenantID,
				email:     u.Email,
				first:     u.FirstName,
				last:      u.LastName,
				status:    aptlyInvited,
				createdMs: createdMs,
				createdBy: by,
				extra: newAptlyExtra(aptlyExtra{
					display:      u.DisplayName,
					phone:        u.MobilePhone,
					managerID:    u.ManagerID,
					roleIDs:      u.RoleIDs,
					positionIDs:  u.PositionIDs,
					groups:       aptlyGroups(u.Groups),
					employeeID:   u.EmployeeID,
					employeeType: u.EmployeeType,
				}),
			})
			r.Success = true
			r.Message = "User invited successfully"
			ok++
		}
	}
	s.mu.Unlock()
	return s.aptlySuccess(c.now, aptlyBulkData{
		Total:      len(results),
		Successful: ok,
		Failed:     len(results) - ok,
		Results:    results,
	})
}

// aptlyExchange serves POST /v1/tenants/access-key/exchange.
func (s *Server) aptlyExchange(c *call) reply {
	var req aptlyExchangeRequest
	if rep, ok := s.decode(serviceAptly, c, &req); !ok {
		return rep
	}
	if req.AccessKey == "" {
		return s.badRequest(serviceAptly, c.now, []problem{{Field: "accessKey", Message: "accessKey should not be empty"}})
	}
	if req.AccessKey != s.cfg.aptlyAccessKey {
		return s.unauthorized(serviceAptly, "Invalid access key", c.now)
	}
	tok := "onboardtest-aptly-exchanged-" + rand.Text()
	s.mu.Lock()
	s.st.aptlyTokens[tok] = struct{}{}
	s.mu.Unlock()
	return s.aptlySuccess(c.now, aptlyExchangeData{Token: tok})
}

// aptlyRender builds the wire user object. The caller holds s.mu.
func (s *Server) aptlyRender(rec *aptlyRec) aptlyUserOut {
	id := rec.id.String()
	created := formatTime(rec.created())
	by := rec.createdBy.String()
	x := rec.more()
	out := aptlyUserOut{
		ID:             id,
		UserID:         strconv.Itoa(rec.seq),
		LoginID:        rec.email,
		DescopeUserID:  derivedToken(rec.id),
		ActiveTenantID: rec.tenant,
		Email:          rec.email,
		Name:           aptlyName(rec),
		MobilePhone:    optional(x.phone),
		FirstName:      rec.first,
		LastName:       rec.last,
		CurrencyName:   "US Dollar",
		CurrencyCode:   "USD",
		Status:         rec.status.String(),
		EmployeeID:     optional(x.employeeID),
		EmployeeType:   optional(x.employeeType),
		DateFormat:     "MM/DD/YYYY",
		SearchData:     []string{},
		CreatedOn:      created,
		CreatedBy:      by,
		UpdatedOn:      formatTime(rec.updated()),
		UpdatedBy:      by,
		DashboardData:  defaultDashboard,
		UserRoles:      make([]aptlyUserRoleOut, len(x.roleIDs)),
		UserPositions:  aptlyPositions(rec),
		UserGroups:     make([]aptlyUserGroupOut, len(x.groups)),
	}
	for i, roleID := range x.roleIDs {
		out.UserRoles[i] = aptlyUserRoleOut{
			ID:           derivedUUID(id, "role", roleID).String(),
			TenantID:     rec.tenant,
			TenantRoleID: roleID,
			CreatedOn:    created,
			UpdatedOn:    created,
		}
	}
	for i, g := range x.groups {
		ug := aptlyUserGroupOut{
			ID:           derivedUUID(id, "group", g.GroupID).String(),
			TenantID:     rec.tenant,
			UserID:       id,
			GroupID:      g.GroupID,
			IsPrimaryOrg: g.IsPrimaryOrg,
			CreatedOn:    created,
			UpdatedOn:    created,
		}
		if g.IsPrimaryOrg {
			ug.PrimaryOrgSetOn = &created
		}
		out.UserGroups[i] = ug
	}
	applyAptlyUpdates(rec, &out)
	if m := s.aptlyManagerOf(rec); m != nil {
		mo := &aptlyManagerOut{
			ID:            m.id.String(),
			UserID:        strconv.Itoa(m.seq),
			DescopeUserID: derivedToken(m.id),
			Name:          aptlyName(m),
			Email:         m.email,
			FirstName:     m.first,
			LastName:      m.last,
			MobilePhone:   optional(m.more().phone),
			CreatedOn:     formatTime(m.created()),
			UpdatedOn:     formatTime(m.created()),
			UserPositions: aptlyPositions(m),
		}
		for _, g := range m.more().groups {
			if g.IsPrimaryOrg {
				mo.PrimaryOrganization = &aptlyPrimaryOrgOut{TenantGroupTypeName: "Organization"}
				break
			}
		}
		if mm := s.aptlyManagerOf(m); mm != nil {
			mo.ManagerName = optional(aptlyName(mm))
		}
		out.Manager = mo
	}
	return out
}

// aptlyManagerOf returns rec's manager if it is stored in rec's tenant. The
// caller holds s.mu.
func (s *Server) aptlyManagerOf(rec *aptlyRec) *aptlyRec {
	if rec.extra == nil || rec.extra.managerID == "" {
		return nil
	}
	id, ok := parseUUID(rec.extra.managerID)
	if !ok {
		return nil
	}
	m := s.st.aptlyByID[id]
	if m == nil || m.tenant != rec.tenant {
		return nil
	}
	return m
}

func aptlyPositions(rec *aptlyRec) []aptlyUserPositionOut {
	id := rec.id.String()
	created := formatTime(rec.created())
	positions := rec.more().positionIDs
	out := make([]aptlyUserPositionOut, len(positions))
	for i, p := range positions {
		out[i] = aptlyUserPositionOut{
			ID:          derivedUUID(id, "position", p).String(),
			UserID:      id,
			TenantID:    rec.tenant,
			PositionsID: p,
			IsEditable:  true,
			CreatedOn:   created,
			UpdatedOn:   created,
		}
	}
	return out
}

func aptlyName(rec *aptlyRec) string {
	if p := rec.more().profile; p != nil && p.name != nil {
		return *p.name
	}
	if n := fullName(rec.first, rec.last); n != "" {
		return n
	}
	return rec.more().display
}

func (rec *aptlyRec) export() AptlyUser {
	x := rec.more()
	return AptlyUser{
		ID:            rec.id.String(),
		UserID:        strconv.Itoa(rec.seq),
		TenantID:      rec.tenant,
		Email:         rec.email,
		FirstName:     rec.first,
		LastName:      rec.last,
		DisplayName:   x.display,
		MobilePhone:   x.phone,
		Status:        rec.status.String(),
		ManagerID:     x.managerID,
		RoleIDs:       append([]string(nil), x.roleIDs...),
		PositionIDs:   append([]string(nil), x.positionIDs...),
		Groups:        append([]AptlyGroup(nil), x.groups...),
		EmployeeID:    x.employeeID,
		EmployeeType:  x.employeeType,
		InviteResends: x.resends,
		CreatedOn:     rec.created(),
	}
}

// AptlyUsers returns the users of an Aptly tenant in the order they were
// created or invited.
func (s *Server) AptlyUsers(tenantID string) []AptlyUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.aptlyTenants[tenantID]
	if t == nil {
		return nil
	}
	out := make([]AptlyUser, len(t.users))
	for i, rec := range t.users {
		out[i] = rec.export()
	}
	return out
}

// AptlyUserCount returns how many users an Aptly tenant holds, without
// copying them.
func (s *Server) AptlyUserCount(tenantID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.aptlyTenants[tenantID]; t != nil {
		return len(t.users)
	}
	return 0
}

// FindAptlyUser returns the user with the given email in an Aptly tenant
// (letter case ignored), and false if there is none.
func (s *Server) FindAptlyUser(tenantID, email string) (AptlyUser, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.aptlyTenants[tenantID]; t != nil {
		if rec := t.byEmail[emailKey(email)]; rec != nil {
			return rec.export(), true
		}
	}
	return AptlyUser{}, false
}

// AddAptlyUser stores an active user in an Aptly tenant, as if created
// earlier, and returns its id (the uuid a managerId names). If the tenant
// already has a user with that email, nothing changes and that user's id is
// returned.
func (s *Server) AddAptlyUser(tenantID, email, firstName, lastName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.aptlyTenant(tenantID)
	if rec := t.byEmail[emailKey(email)]; rec != nil {
		return rec.id.String()
	}
	rec := &aptlyRec{
		tenant:    tenantID,
		email:     email,
		first:     firstName,
		last:      lastName,
		createdMs: s.now().UnixMilli(),
		createdBy: derivedUUID("aptly-seed"),
	}
	s.st.addAptly(t, rec)
	return rec.id.String()
}

// ExpireAptlyTokens revokes every token handed out by the access-key
// exchange, so that requests carrying one get 401 until the key is
// exchanged again. The configured AptlyToken stays valid.
func (s *Server) ExpireAptlyTokens() {
	s.mu.Lock()
	clear(s.st.aptlyTokens)
	s.mu.Unlock()
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
