package onboard

import (
	"context"
	"net/http"
	"time"

	"github.com/onboardkit/onboard/internal/validate"
)

// InvitesService sends invites. Reach it as Client.Invites.
type InvitesService service

// BulkInviteRequest is the body of Aptly's bulk invite: people to invite by
// email into one tenant.
type BulkInviteRequest struct {
	// TenantID is the tenant to invite into (a UUID). Required.
	TenantID string `json:"tenantId"`
	// Users lists the people to invite; at least one.
	Users []Invitee `json:"users"`
}

// Invitee is one person in an Aptly bulk invite.
type Invitee struct {
	// Email is the person's address. Required.
	Email       string `json:"email"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// RoleIDs, ManagerID, PositionIDs and the groups' ids are UUIDs.
	RoleIDs        []string          `json:"roleIds,omitempty"`
	Groups         []GroupAssignment `json:"groups,omitempty"`
	ManagerID      string            `json:"managerId,omitempty"`
	PositionIDs    []string          `json:"positionIds,omitempty"`
	EmployeeID     string            `json:"employeeId,omitempty"`
	EmployeeNumber string            `json:"employeeNumber,omitempty"`
	// EmployeeType is free text such as "Full-time".
	EmployeeType string `json:"employeeType,omitempty"`
	// EmploymentType is free text such as "Permanent".
	EmploymentType string `json:"employmentType,omitempty"`
	// SourceID identifies the person in the system they come from.
	SourceID    string `json:"sourceId,omitempty"`
	ActorType   string `json:"actorType,omitempty"`
	AIAgentType string `json:"aiAgentType,omitempty"`
	// StartDate and TerminationDate are sent only when set.
	StartDate       time.Time `json:"startDate,omitzero"`
	TerminationDate time.Time `json:"terminationDate,omitzero"`
	// CustomAttributes are the tenant's own fields, such as "department".
	CustomAttributes map[string]string `json:"customAttributes,omitempty"`
	// ExistingUser is passed through as the document shows it, an object.
	// A nil map is left out; an empty one is sent as {}.
	ExistingUser map[string]any `json:"existingUser,omitzero"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *BulkInviteRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Invites.SendBulk", &p)
	}
	p.RequiredUUID("tenantId", r.TenantID)
	if len(r.Users) == 0 {
		p.Add("users", "needs at least one user")
	}
	for i := range r.Users {
		checkItem(&p, &r.Users[i], i, (*Invitee).check)
	}
	return validationError("Invites.SendBulk", &p)
}

func (u *Invitee) check(p *validate.Problems, prefix string) {
	p.Email(prefix+"email", u.Email)
	checkAptlyLinks(p, prefix, u.RoleIDs, u.Groups, u.ManagerID, u.PositionIDs)
	if !u.StartDate.IsZero() && !u.TerminationDate.IsZero() && u.TerminationDate.Before(u.StartDate) {
		p.Add(prefix+"terminationDate", "is before startDate")
	}
}

var bulkInvite = endpoint{op: "Invites.SendBulk", method: http.MethodPost, path: "/v1/user/bulk-invite", envelope: true}

// SendBulk invites people by email into one Aptly tenant in one request and
// returns a result per email, unwrapped from Aptly's envelope. A person the
// server refuses ("Email already exists") is a failed item, not an error.
//
// Aptly: POST /v1/user/bulk-invite.
func (s *InvitesService) SendBulk(ctx context.Context, req *BulkInviteRequest, opts ...CallOption) (*BulkInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(BulkInviteResult)
	if err := s.client.call(ctx, bulkInvite, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// InviteMethod is how AthenaHQ invites a person.
type InviteMethod string

// The invite methods AthenaHQ documents.
const (
	// InviteDirect adds the person to each target at once, without email,
	// creating an account (unverified) if none exists.
	InviteDirect InviteMethod = "direct"
	// InviteByEmail creates pending invites and sends one email.
	InviteByEmail InviteMethod = "email"
)

// Role is the role AthenaHQ gives an invited person on each target.
type Role string

// The roles AthenaHQ documents. The server's default is RoleViewer.
const (
	RoleAdmin  Role = "admin"
	RoleViewer Role = "viewer"
)

// MaxTargets is the most websites or groups one AthenaHQ invite may name.
const MaxTargets = 50

// TargetInviteRequest is the body of AthenaHQ's bulk invite: one person to
// 1–50 websites, or to 1–50 groups (never both).
type TargetInviteRequest struct {
	// InviteMethod is InviteDirect or InviteByEmail. Required.
	InviteMethod InviteMethod `json:"invite_method"`
	// Email is the person's address. Required.
	Email string `json:"email"`
	// Role is RoleAdmin or RoleViewer; empty leaves the server's default
	// (viewer).
	Role Role `json:"role,omitempty"`
	// WebsiteIDs lists 1–50 website UUIDs. Exactly one of WebsiteIDs and
	// GroupIDs must be set.
	WebsiteIDs []string `json:"website_ids,omitempty"`
	// GroupIDs lists 1–50 group UUIDs; group invites need a global API key.
	GroupIDs  []string `json:"group_ids,omitempty"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *TargetInviteRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Invites.SendToTargets", &p)
	}
	r.checkPerson(&p)
	switch {
	case len(r.WebsiteIDs) > 0 && len(r.GroupIDs) > 0:
		p.Add("website_ids", "and group_ids are mutually exclusive; send one invite per kind of target")
	case len(r.WebsiteIDs) == 0 && len(r.GroupIDs) == 0:
		p.Add("website_ids", "or group_ids is required (1–%d ids)", MaxTargets)
	}
	for _, t := range []struct {
		name string
		ids  []string
	}{{"website_ids", r.WebsiteIDs}, {"group_ids", r.GroupIDs}} {
		if len(t.ids) > MaxTargets {
			p.Add(t.name, "has %d ids; at most %d are allowed", len(t.ids), MaxTargets)
		}
		p.UUIDs(t.name, t.ids)
	}
	return validationError("Invites.SendToTargets", &p)
}

// checkPerson checks the fields that say whom to invite and how: everything
// but the targets.
func (r *TargetInviteRequest) checkPerson(p *validate.Problems) {
	if p.Required("invite_method", string(r.InviteMethod)) {
		p.OneOf("invite_method", string(r.InviteMethod), string(InviteDirect), string(InviteByEmail))
	}
	p.Email("email", r.Email)
	p.OneOf("role", string(r.Role), string(RoleAdmin), string(RoleViewer))
}

var targetInvite = endpoint{op: "Invites.SendToTargets", method: http.MethodPost, path: "/api/v1/invites/bulk"}

// SendToTargets invites one person to up to 50 AthenaHQ websites or groups in
// one request and returns a result per target. AthenaHQ processes each
// target on its own, so some may fail while others succeed.
//
// AthenaHQ: POST /api/v1/invites/bulk.
func (s *InvitesService) SendToTargets(ctx context.Context, req *TargetInviteRequest, opts ...CallOption) (*TargetInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(TargetInviteResult)
	if err := s.client.call(ctx, targetInvite, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// InviteRequest is Royalti's single invite: the body, plus the workspaceId
// and userId query parameters.
type InviteRequest struct {
	// Email is the person's address. Required.
	Email string `json:"email" url:"-"`
	// SendEmail says whether Royalti emails the invite; the server's
	// default is true. Ptr(false) really sends false.
	SendEmail *bool `json:"sendEmail,omitempty" url:"-"`
	// Message is added to the invite email.
	Message   string `json:"message,omitempty" url:"-"`
	FirstName string `json:"firstName,omitempty" url:"-"`
	LastName  string `json:"lastName,omitempty" url:"-"`
	// RedirectURL is where the person lands after accepting.
	RedirectURL string `json:"redirect_url,omitempty" url:"-"`
	// Role is the person's role in the workspace.
	Role string `json:"role,omitempty" url:"-"`

	// WorkspaceID is sent as the workspaceId query parameter: the
	// workspace to invite into. Optional.
	WorkspaceID string `json:"-" url:"workspaceId,omitempty"`
	// UserID is sent as the userId query parameter: the id of an existing
	// user to invite. Optional.
	UserID string `json:"-" url:"userId,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *InviteRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Invites.Send", &p)
	}
	p.Email("email", r.Email)
	return validationError("Invites.Send", &p)
}

// InviteResult is Royalti's answer to a single invite.
type InviteResult struct {
	// Message is the server's confirmation.
	Message string `json:"message"`
}

var sendInvite = endpoint{op: "Invites.Send", method: http.MethodPost, path: "/auth/invite"}

// Send invites one person to a Royalti workspace. A person already in the
// workspace is an *APIError matching ErrConflict.
//
// Royalti: POST /auth/invite.
func (s *InvitesService) Send(ctx context.Context, req *InviteRequest, opts ...CallOption) (*InviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(InviteResult)
	if err := s.client.call(ctx, sendInvite, req, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}
