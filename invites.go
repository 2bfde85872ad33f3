package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyInvites invites people by email into an Aptly tenant and resends
// invites. Reach it as AptlyClient.Invites.
type AptlyInvites service

// AthenaInvites invites people to the AthenaHQ organization, its websites
// and its groups. Reach it as AthenaClient.Invites.
type AthenaInvites service

// RoyaltiInvites invites people to a Royalti workspace, and lists, resends
// and cancels its invites. Reach it as RoyaltiClient.Invites.
type RoyaltiInvites service

// AptlyBulkInviteRequest is the body of Aptly's bulk invite: people to invite by
// email into one tenant.
type AptlyBulkInviteRequest struct {
	// TenantID is the tenant to invite into (a UUID). Required.
	TenantID string `json:"tenantId"`
	// Users lists the people to invite; at least one.
	Users []AptlyInvitee `json:"users"`
}

// AptlyInvitee is one person in an Aptly bulk invite.
type AptlyInvitee struct {
	// Email is the person's address. Required.
	Email       string `json:"email"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// RoleIDs, ManagerID, PositionIDs and the groups' ids are UUIDs.
	RoleIDs        []string               `json:"roleIds,omitempty"`
	Groups         []AptlyGroupAssignment `json:"groups,omitempty"`
	ManagerID      string                 `json:"managerId,omitempty"`
	PositionIDs    []string               `json:"positionIds,omitempty"`
	EmployeeID     string                 `json:"employeeId,omitempty"`
	EmployeeNumber string                 `json:"employeeNumber,omitempty"`
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
func (r *AptlyBulkInviteRequest) Validate() error {
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
		checkItem(&p, &r.Users[i], i, (*AptlyInvitee).check)
	}
	return validationError("Invites.SendBulk", &p)
}

func (u *AptlyInvitee) check(p *validate.Problems, prefix string) {
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
func (s *AptlyInvites) SendBulk(ctx context.Context, req *AptlyBulkInviteRequest, opts ...CallOption) (*AptlyBulkInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(AptlyBulkInviteResult)
	if err := s.client.call(ctx, bulkInvite, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// AptlyBulkResendRequest is the body of Aptly's bulk invite resend: users of
// one tenant whose invitations are sent again.
type AptlyBulkResendRequest struct {
	// TenantID is the users' tenant (a UUID). Required.
	TenantID string `json:"tenantId"`
	// UserIDs are the users' ids (UUIDs, as User.ID); at least one.
	UserIDs []string `json:"userIds"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyBulkResendRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Invites.ResendBulk", &p)
	}
	p.RequiredUUID("tenantId", r.TenantID)
	checkUserIDs(&p, r.UserIDs)
	return validationError("Invites.ResendBulk", &p)
}

// AptlyBulkResendResult is Aptly's answer to a bulk invite resend: counts and
// results, each naming a user by email, not by the id sent.
type AptlyBulkResendResult struct {
	// Total, SuccessfulCount and FailedCount are the server's counts.
	Total           int `json:"total"`
	SuccessfulCount int `json:"successful"`
	FailedCount     int `json:"failed"`
	// Results holds the server's result per user, by email. The documents
	// do not say that there is one per id sent, nor in what order.
	Results []AptlyEmailResult `json:"results"`
}

// Succeeded returns the results of the users whose invitation was resent.
func (r *AptlyBulkResendResult) Succeeded() []AptlyEmailResult {
	return filter(r.Results, func(e AptlyEmailResult) bool { return e.Success })
}

// Failed returns the results of the users the server refused.
func (r *AptlyBulkResendResult) Failed() []AptlyEmailResult {
	return filter(r.Results, func(e AptlyEmailResult) bool { return !e.Success })
}

var bulkResend = endpoint{op: "Invites.ResendBulk", method: http.MethodPost, path: "/v1/user/bulk-resend-invite", envelope: true}

// ResendBulk sends again the invitations of several users of one Aptly
// tenant in one request, and returns the server's counts and results,
// unwrapped from Aptly's envelope. The results name users by email, not by
// the ids sent. A user the server refuses is a failed result, not an
// error; the documents give no failure message. Aptly declares HTTP 201
// and shows "statusCode": 200 in the envelope; either is success.
//
// A repeated request sends the invitations again: people get two emails.
// The client's default retries repeat only requests the server certainly
// did not process; WithRetryServerErrors may send twice.
//
// Aptly: POST /v1/user/bulk-resend-invite.
func (s *AptlyInvites) ResendBulk(ctx context.Context, req *AptlyBulkResendRequest, opts ...CallOption) (*AptlyBulkResendResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(AptlyBulkResendResult)
	if err := s.client.call(ctx, bulkResend, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// ResendBulkAll sends again the invitations of any number of users of one
// Aptly tenant, in batches of DefaultBatchSize (see WithBatchSize), and
// reports what became of each user id, in input order. req gives the
// TenantID; its UserIDs must be empty, the ids being passed as userIDs. An
// id that is not a UUID is not sent; a batch never holds one id twice.
//
// The answer names users by email, not by the ids sent, so it is tied to
// the ids by its counts: every user of a batch succeeded when all were
// resent, failed when none was (with the server's reasons in Message),
// and is StateUnknown otherwise, with what the server counted. A batch
// of one id is always tied for certain: WithBatchSize(1) costs a request
// per user and leaves nothing unknown. As for ResendBulk, a repeated batch
// sends its emails again.
//
// The error is what stopped the run early or nil, as for SendBulkAll; the
// report holds one outcome per id even then.
//
// Aptly: POST /v1/user/bulk-resend-invite, in batches.
func (s *AptlyInvites) ResendBulkAll(ctx context.Context, req *AptlyBulkResendRequest, userIDs []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.resendSpec("Invites.ResendBulkAll", req), userIDs, opts)
}

// ResendBulkSeq is ResendBulkAll for a sequence of user ids of any length:
// outcomes come as the caller ranges, in input order, with bounded memory.
// A run that stops early reads userIDs no further, and breaking out of the
// range loop cancels the batches in flight, as for SendBulkSeq. Range over
// the result once.
//
// Aptly: POST /v1/user/bulk-resend-invite, in batches.
func (s *AptlyInvites) ResendBulkSeq(ctx context.Context, req *AptlyBulkResendRequest, userIDs iter.Seq[string], opts ...BulkOption) iter.Seq[Outcome[string]] {
	return streamBatches(ctx, s.resendSpec("Invites.ResendBulkSeq", req), userIDs, opts)
}

func (s *AptlyInvites) resendSpec(op string, req *AptlyBulkResendRequest) *batchSpec[string] {
	var p validate.Problems
	var template AptlyBulkResendRequest
	if checkTemplate(&p, req, "userIds", req != nil && len(req.UserIDs) > 0) {
		template = AptlyBulkResendRequest{TenantID: req.TenantID}
		p.RequiredUUID("tenantId", template.TenantID)
	}
	ep := bulkResend
	ep.op = op
	frame, err := newFrame(op, &struct {
		AptlyBulkResendRequest
		UserIDs json.RawMessage `json:"userIds"`
	}{template, json.RawMessage("[]")}, "userIds")
	return userIDSpec(op, batchTarget(s.client, ep), cmp.Or(validationError(op, &p), err), frame,
		func(ctx context.Context, body encodedBody, out []verdict) (*Response, error) {
			res := new(AptlyBulkResendResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err == nil {
				resendVerdicts(out, res)
			}
			return meta, err
		})
}

// resendVerdicts settles a batch of user ids from a resend's answer. With
// one result per id the results are counted, else the server's counts are
// used; a batch all resent or all refused takes the results' messages.
func resendVerdicts(out []verdict, res *AptlyBulkResendResult) {
	done, failed := res.SuccessfulCount, res.FailedCount
	if len(res.Results) == len(out) {
		done = len(res.Succeeded())
		failed = len(res.Results) - done
	}
	countVerdicts(out, done, failed, "resent",
		"and names users by email, not by the ids sent, so this one cannot be tied to its result; a batch of one id (WithBatchSize(1)) is tied for certain")
	if out[0].state == StateUnknown {
		return
	}
	if msg := resultMessages(res.Results, out[0].state == StateSucceeded); msg != "" {
		for i := range out {
			out[i].message = msg
		}
	}
}

// resultMessages returns the message of the results whose Success is
// success when they share one, or their distinct messages (three at most)
// marked as not tied to users, or "" when they have none.
func resultMessages(results []AptlyEmailResult, success bool) string {
	var msgs []string
	more := 0
	for _, r := range results {
		switch {
		case r.Success != success || r.Message == "" || slices.Contains(msgs, r.Message):
		case len(msgs) == 3:
			more++
		default:
			msgs = append(msgs, r.Message)
		}
	}
	if len(msgs) <= 1 {
		return strings.Join(msgs, "")
	}
	s := "the server's words in this batch, not tied to users: " + strings.Join(msgs, "; ")
	if more > 0 {
		s += fmt.Sprintf(" (and %d more results with other words)", more)
	}
	return s
}

// AthenaInviteMethod is how AthenaHQ invites a person.
type AthenaInviteMethod string

// The invite methods AthenaHQ documents.
const (
	// AthenaInviteDirect adds the person to each target at once, without email,
	// creating an account (unverified) if none exists.
	AthenaInviteDirect AthenaInviteMethod = "direct"
	// AthenaInviteByEmail creates pending invites and sends one email.
	AthenaInviteByEmail AthenaInviteMethod = "email"
)

// AthenaRole is the role AthenaHQ gives an invited person on each target.
type AthenaRole string

// The roles AthenaHQ documents. The server's default is AthenaRoleViewer.
const (
	AthenaRoleAdmin  AthenaRole = "admin"
	AthenaRoleViewer AthenaRole = "viewer"
)

// AthenaMaxTargets is the most websites or groups one AthenaHQ invite may name.
const AthenaMaxTargets = 50

// AthenaTargetInviteRequest is the body of AthenaHQ's bulk invite: one person to
// 1–50 websites, or to 1–50 groups (never both).
type AthenaTargetInviteRequest struct {
	// InviteMethod is InviteDirect or InviteByEmail. Required.
	InviteMethod AthenaInviteMethod `json:"invite_method"`
	// Email is the person's address. Required.
	Email string `json:"email"`
	// Role is RoleAdmin or RoleViewer; empty leaves the server's default
	// (viewer).
	Role AthenaRole `json:"role,omitempty"`
	// WebsiteIDs lists 1–50 website UUIDs. Exactly one of WebsiteIDs and
	// GroupIDs must be set.
	WebsiteIDs []string `json:"website_ids,omitempty"`
	// GroupIDs lists 1–50 group UUIDs; group invites need a global API key.
	GroupIDs  []string `json:"group_ids,omitempty"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AthenaTargetInviteRequest) Validate() error {
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
		p.Add("website_ids", "or group_ids is required (1–%d ids)", AthenaMaxTargets)
	}
	for _, t := range []struct {
		name string
		ids  []string
	}{{"website_ids", r.WebsiteIDs}, {"group_ids", r.GroupIDs}} {
		if len(t.ids) > AthenaMaxTargets {
			p.Add(t.name, "has %d ids; at most %d are allowed", len(t.ids), AthenaMaxTargets)
		}
		p.UUIDs(t.name, t.ids)
	}
	return validationError("Invites.SendToTargets", &p)
}

// checkPerson checks the fields that say whom to invite and how: everything
// but the targets.
func (r *AthenaTargetInviteRequest) checkPerson(p *validate.Problems) {
	if p.Required("invite_method", string(r.InviteMethod)) {
		p.OneOf("invite_method", string(r.InviteMethod), string(AthenaInviteDirect), string(AthenaInviteByEmail))
	}
	p.Email("email", r.Email)
	p.OneOf("role", string(r.Role), string(AthenaRoleAdmin), string(AthenaRoleViewer))
}

var targetInvite = endpoint{op: "Invites.SendToTargets", method: http.MethodPost, path: "/api/v1/invites/bulk"}

// SendToTargets invites one person to up to 50 AthenaHQ websites or groups in
// one request and returns a result per target. AthenaHQ processes each
// target on its own, so some may fail while others succeed.
//
// AthenaHQ: POST /api/v1/invites/bulk.
func (s *AthenaInvites) SendToTargets(ctx context.Context, req *AthenaTargetInviteRequest, opts ...CallOption) (*AthenaTargetInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	wire := new(targetInviteWire)
	if err := s.client.call(ctx, targetInvite, nil, req, wire, opts); err != nil {
		return nil, err
	}
	return wire.result(), nil
}

// AthenaInviteType says what an AthenaHQ single invite grants access to.
type AthenaInviteType string

// The invite types AthenaHQ documents.
const (
	// AthenaInviteToOrganization grants access to the whole organization, every
	// website in it included.
	AthenaInviteToOrganization AthenaInviteType = "organization"
	// AthenaInviteToWebsite grants access to the one website named by WebsiteID.
	AthenaInviteToWebsite AthenaInviteType = "website"
	// AthenaInviteToGroup grants access to every website in the group named by
	// GroupID; group invites need a global API key.
	AthenaInviteToGroup AthenaInviteType = "group"
)

// AthenaInviteRequest is the body of AthenaHQ's single invite: one person
// to the organization, one website or one group.
type AthenaInviteRequest struct {
	// Type is InviteToOrganization, InviteToWebsite or InviteToGroup.
	// Required.
	Type AthenaInviteType `json:"type"`
	// InviteMethod is InviteDirect or InviteByEmail. Required.
	InviteMethod AthenaInviteMethod `json:"invite_method"`
	// Email is the person's address. Required.
	Email string `json:"email"`
	// Role is RoleAdmin or RoleViewer; empty leaves the server's default
	// (viewer).
	Role AthenaRole `json:"role,omitempty"`
	// WebsiteID is the website's UUID: required when Type is
	// InviteToWebsite, and refused with any other Type.
	WebsiteID string `json:"website_id,omitempty"`
	// GroupID is the group's UUID: required when Type is InviteToGroup,
	// and refused with any other Type.
	GroupID string `json:"group_id,omitempty"`
	// FirstName and LastName name the person: the new account's names on
	// a direct invite that creates one, the invite's on an email invite.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
//
// An id that does not go with Type is refused, although the documents'
// own example sends website_id and group_id with type organization: the
// documents do not say what the server makes of it, and a caller who set
// WebsiteID most likely meant to grant one website, not the organization.
func (r *AthenaInviteRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Invites.Send", &p)
	}
	if p.Required("type", string(r.Type)) {
		p.OneOf("type", string(r.Type), string(AthenaInviteToOrganization), string(AthenaInviteToWebsite), string(AthenaInviteToGroup))
	}
	if p.Required("invite_method", string(r.InviteMethod)) {
		p.OneOf("invite_method", string(r.InviteMethod), string(AthenaInviteDirect), string(AthenaInviteByEmail))
	}
	p.Email("email", r.Email)
	p.OneOf("role", string(r.Role), string(AthenaRoleAdmin), string(AthenaRoleViewer))
	r.checkTarget(&p, "website_id", r.WebsiteID, AthenaInviteToWebsite)
	r.checkTarget(&p, "group_id", r.GroupID, AthenaInviteToGroup)
	return validationError("Invites.Send", &p)
}

// checkTarget checks the id field that names a target of type kind: it is
// required for that type and refused with the other documented types.
func (r *AthenaInviteRequest) checkTarget(p *validate.Problems, field, id string, kind AthenaInviteType) {
	switch r.Type {
	case kind:
		p.RequiredUUID(field, id)
	case AthenaInviteToOrganization, AthenaInviteToWebsite, AthenaInviteToGroup:
		if id != "" {
			p.Add(field, "is set, but type is %q; send it only with type %q, or leave it empty", r.Type, kind)
		}
	default:
		p.UUID(field, id)
	}
}

// AthenaInviteResult is AthenaHQ's answer to a single invite.
type AthenaInviteResult struct {
	// Success is the server's flag; the documents show it true only.
	Success bool `json:"success"`
	// Message is the server's words, such as "User added to organization"
	// or "Invitation sent".
	Message string `json:"message"`
	// InviteID is the UUID of the pending invite, for an email invite
	// only.
	InviteID string `json:"invite_id,omitempty"`
	// UserID is the person's AthenaHQ user id. The documents show it in
	// the answer to a direct invite, without describing it.
	UserID string `json:"user_id,omitempty"`
}

var athenaInvite = endpoint{op: "Invites.Send", method: http.MethodPost, path: "/api/v1/invites"}

// Send invites one person to the AthenaHQ organization, one website or one
// group, as req.Type says. InviteDirect adds them at once, without email,
// creating an account (unverified) if none exists; InviteByEmail creates a
// pending invite and emails it, which the person must accept.
//
// Group invites need a global API key: a website-scoped key is refused, an
// *APIError matching ErrForbidden. The documents give no other error for
// this endpoint; expect a person who is already a member, or already
// invited by email, to be refused too (onboardtest answers 409,
// ErrConflict, in the bulk invite's words).
//
// The client retries only what the server did not process (see WithRetry).
// Repeating an email invite yourself may email the person twice; repeating
// any invite after its answer was lost may be refused as done already.
//
// AthenaHQ: POST /api/v1/invites.
func (s *AthenaInvites) Send(ctx context.Context, req *AthenaInviteRequest, opts ...CallOption) (*AthenaInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(AthenaInviteResult)
	if err := s.client.call(ctx, athenaInvite, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// RoyaltiInviteRequest is Royalti's single invite: the body, plus the workspaceId
// and userId query parameters.
type RoyaltiInviteRequest struct {
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
func (r *RoyaltiInviteRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Invites.Send", &p)
	}
	p.Email("email", r.Email)
	return validationError("Invites.Send", &p)
}

// RoyaltiInviteResult is Royalti's answer to a single invite.
type RoyaltiInviteResult struct {
	// Message is the server's confirmation.
	Message string `json:"message"`
}

var sendInvite = endpoint{op: "Invites.Send", method: http.MethodPost, path: "/auth/invite"}

// Send invites one person to a Royalti workspace. A person already in the
// workspace is an *APIError matching ErrConflict.
//
// Royalti: POST /auth/invite.
func (s *RoyaltiInvites) Send(ctx context.Context, req *RoyaltiInviteRequest, opts ...CallOption) (*RoyaltiInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(RoyaltiInviteResult)
	if err := s.client.call(ctx, sendInvite, req, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

var royaltiListInvites = endpoint{op: "Invites.List", method: http.MethodGet, path: "/user/invites"}

// List returns an iterator over the invites of the credential's Royalti
// workspace, pending, joined and cancelled alike unless list.Status says
// which (nil list: all). It fetches a page of list.Size invites
// (RoyaltiMaxPageSize if 0) as the caller ranges, from list.Page, and
// stops when the caller stops. It ends after as many invites as the
// answer's filteredItems, which the documents do not define and List takes
// as the length of the filtered list, or on an empty page; a page that
// brings no invite not already listed ends it with an error matching
// ErrPageRepeated. An error is the loop's last value. Invites that change
// while it runs, by this program too (resent, cancelled), can shift the
// pages, so that an invite is seen twice or not at all: collect the list,
// then act (see ErrPageRepeated). Each page is a GET that is safe to
// repeat; opts apply to every page (WithResponse holds the last page's).
//
// Royalti: GET /user/invites.
func (s *RoyaltiInvites) List(ctx context.Context, list *RoyaltiListInvitesOptions, opts ...CallOption) iter.Seq2[RoyaltiInvite, error] {
	var q RoyaltiListInvitesOptions
	if list != nil {
		q = *list
	}
	key := func(inv *RoyaltiInvite) string { return inv.ID }
	return listAll(ctx, "Invites.List", cmp.Or(q.Page, 1), key, func(ctx context.Context, n int) (page[RoyaltiInvite], error) {
		q.Page = n
		p, err := s.ListPage(ctx, &q, opts...)
		if err != nil {
			return page[RoyaltiInvite]{}, err
		}
		total := p.FilteredItems
		if total < len(p.Invites) {
			total = -1 // no usable count: go on to an empty page
		}
		return page[RoyaltiInvite]{items: p.Invites, total: total}, nil
	})
}

// ListPage fetches one page of the invites of the credential's Royalti
// workspace: page list.Page (1 if 0) of list.Size invites
// (RoyaltiMaxPageSize if 0), for callers who keep their own place. A GET,
// safe to repeat.
//
// Royalti: GET /user/invites.
func (s *RoyaltiInvites) ListPage(ctx context.Context, list *RoyaltiListInvitesOptions, opts ...CallOption) (*RoyaltiInvitePage, error) {
	if err := list.Validate(); err != nil {
		return nil, err
	}
	var q RoyaltiListInvitesOptions
	if list != nil {
		q = *list
	}
	q.Page, q.Size = cmp.Or(q.Page, 1), cmp.Or(q.Size, RoyaltiMaxPageSize)
	res := new(RoyaltiInvitePage)
	if err := s.client.call(ctx, royaltiListInvites, &q, nil, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// Resend sends a fresh activation email, with a newly generated code, for
// the pending invite inviteID (the id List gives, a UUID); req, which may
// be nil, replaces the invite's message or redirect URL. Royalti resends
// only invites still in RoyaltiInviteInvited; what it answers for a joined
// or cancelled one is not documented (expect an *APIError, such as
// ErrConflict). Each call sends another email, a retried one included. An
// unknown inviteID is expected to be an *APIError matching ErrNotFound.
//
// Royalti: POST /user/invites/{inviteId}/resend.
func (s *RoyaltiInvites) Resend(ctx context.Context, inviteID string, req *RoyaltiResendRequest, opts ...CallOption) (*RoyaltiInviteResult, error) {
	if err := royaltiIDError("Invites.Resend", "inviteId", inviteID); err != nil {
		return nil, err
	}
	if req == nil {
		req = &RoyaltiResendRequest{}
	}
	ep := endpoint{op: "Invites.Resend", method: http.MethodPost, path: "/user/invites/" + url.PathEscape(inviteID) + "/resend"}
	res := new(RoyaltiInviteResult)
	if err := s.client.call(ctx, ep, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// Cancel cancels the invite inviteID (the id List gives, a UUID): its
// activation link stops working, and List shows it RoyaltiInviteCancelled.
// The documents name this endpoint but not its body or answer, so Cancel
// sends no body and takes any 2xx status as done, whatever the body holds
// (none is required; WithResponse shows it). A repeated cancel leaves the invite
// cancelled; what Royalti answers to it is not documented. An unknown
// inviteID is expected to be an *APIError matching ErrNotFound.
//
// Royalti: POST /user/invites/{id}/cancel.
func (s *RoyaltiInvites) Cancel(ctx context.Context, inviteID string, opts ...CallOption) error {
	if err := royaltiIDError("Invites.Cancel", "id", inviteID); err != nil {
		return err
	}
	ep := endpoint{op: "Invites.Cancel", method: http.MethodPost, path: "/user/invites/" + url.PathEscape(inviteID) + "/cancel"}
	return s.client.call(ctx, ep, nil, nil, nil, opts)
}

// SendBulkAll invites any number of people by email into one Aptly tenant,
// in batches of DefaultBatchSize (see WithBatchSize), and reports what
// became of each, in input order. req gives what every batch shares (the
// TenantID); its Users must be empty, the people being passed as people.
// Each person is checked and encoded alone first; one that is invalid, or
// cannot be encoded as JSON (a NaN in ExistingUser), is not sent, with a
// *ValidationError of its own, and the rest go on. A batch never holds one
// email twice (case-insensitively), so each result is tied to its person
// for certain; a repeat of an earlier email is not sent (WithSendDuplicates).
//
// The error is what stopped the run early (the context ending, a 401 or
// 403, WithStopOnBatchFailure, an invalid req or option) or nil; the
// report holds one outcome per person even then.
//
// Aptly: POST /v1/user/bulk-invite, in batches.
func (s *AptlyInvites) SendBulkAll(ctx context.Context, req *AptlyBulkInviteRequest, people []AptlyInvitee, opts ...BulkOption) (*BulkReport[AptlyInvitee], error) {
	return collectBatches(ctx, s.bulkInviteSpec("Invites.SendBulkAll", req), people, opts)
}

// SendBulkSeq is SendBulkAll for a sequence of any length, such as rows
// read from a file: outcomes come as the caller ranges, in input order,
// and memory stays bounded. Once the run stops early, people is read no
// further: outcomes come for the people read so far, the last of them not
// sent with an error matching ErrStopped, and the rest are never read.
// Breaking out of the range loop cancels the batches in flight and returns
// once they have ended; outcomes of items already sent are then not
// reported. Range over the result once; a second range sends nothing, and
// reads and reports only the first person, not sent.
//
// Aptly: POST /v1/user/bulk-invite, in batches.
func (s *AptlyInvites) SendBulkSeq(ctx context.Context, req *AptlyBulkInviteRequest, people iter.Seq[AptlyInvitee], opts ...BulkOption) iter.Seq[Outcome[AptlyInvitee]] {
	return streamBatches(ctx, s.bulkInviteSpec("Invites.SendBulkSeq", req), people, opts)
}

func (s *AptlyInvites) bulkInviteSpec(op string, req *AptlyBulkInviteRequest) *batchSpec[AptlyInvitee] {
	var p validate.Problems
	var template AptlyBulkInviteRequest
	if checkTemplate(&p, req, "users", req != nil && len(req.Users) > 0) {
		template = AptlyBulkInviteRequest{TenantID: req.TenantID}
		p.RequiredUUID("tenantId", template.TenantID)
	}
	ep := bulkInvite
	ep.op = op
	frame, err := newFrame(op, &struct {
		AptlyBulkInviteRequest
		Users json.RawMessage `json:"users"`
	}{template, json.RawMessage("[]")}, "users")
	return &batchSpec[AptlyInvitee]{
		op:           op,
		defaultSize:  DefaultBatchSize,
		precheck:     cmp.Or(validationError(op, &p), err),
		prefix:       func(i int) string { return "users[" + itoa(i) + "]." },
		check:        func(p *validate.Problems, prefix string, u *AptlyInvitee) { u.check(p, prefix) },
		keys:         func(u *AptlyInvitee) (string, string) { return strings.ToLower(u.Email), "" },
		frames:       []bodyFrame{frame},
		alreadyThere: match.AptlyAlready,
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []AptlyInvitee, out []verdict) (*Response, error) {
			res := new(AptlyBulkInviteResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return meta, err
			}
			matchByKey(out, func(i int) string { return strings.ToLower(batch[i].Email) },
				res.Results, func(r *AptlyEmailResult) string { return strings.ToLower(r.Email) },
				func(r *AptlyEmailResult) verdict { return verdictOf(r.Success, r.Message, "") }, "email")
			return meta, nil
		},
	}
}

// AthenaTargetKind says whether an AthenaHQ target is a website or a group.
type AthenaTargetKind int

// The kinds of AthenaHQ targets.
const (
	// AthenaTargetWebsite is a website, sent in website_ids.
	AthenaTargetWebsite AthenaTargetKind = iota + 1
	// AthenaTargetGroup is a group, sent in group_ids; group invites need a
	// global API key.
	AthenaTargetGroup
)

// String names the kind: "website" or "group".
func (k AthenaTargetKind) String() string {
	switch k {
	case AthenaTargetWebsite:
		return "website"
	case AthenaTargetGroup:
		return "group"
	}
	return "TargetKind(" + itoa(int(k)) + ")"
}

// AthenaTarget is one AthenaHQ website or group to invite a person to.
type AthenaTarget struct {
	// Kind is TargetWebsite or TargetGroup.
	Kind AthenaTargetKind
	// ID is the website's or group's UUID.
	ID string
}

// AthenaWebsite returns the target of the website with the given id.
func AthenaWebsite(id string) AthenaTarget { return AthenaTarget{Kind: AthenaTargetWebsite, ID: id} }

// AthenaGroup returns the target of the group with the given id.
func AthenaGroup(id string) AthenaTarget { return AthenaTarget{Kind: AthenaTargetGroup, ID: id} }

// SendToTargetsAll invites one person to any number of AthenaHQ websites
// and groups, and reports what became of each target, in input order, with
// the person's AthenaHQ user id when the server gives it. req says whom to
// invite and how; its WebsiteIDs and GroupIDs must be empty, the targets
// being passed as targets. Targets go in batches of MaxTargets (see
// WithBatchSize), each of one kind: a run may mix websites and groups, and
// a change of kind starts a new batch. Each target is checked alone first;
// an id that is not a UUID is not sent. A batch never holds one id twice,
// so each result is tied to its target for certain; a repeated id is not sent.
//
// The error is what stopped the run early (the context ending, a 401 or
// 403, WithStopOnBatchFailure, an invalid req or option) or nil; the
// report holds one outcome per target even then.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *AthenaInvites) SendToTargetsAll(ctx context.Context, req *AthenaTargetInviteRequest, targets []AthenaTarget, opts ...BulkOption) (*BulkReport[AthenaTarget], error) {
	return collectBatches(ctx, s.targetSpec("Invites.SendToTargetsAll", req), targets, opts)
}

// SendToTargetsSeq is SendToTargetsAll for a sequence of targets of any
// length: outcomes come as the caller ranges, in input order, with bounded
// memory. A run that stops early reads targets no further, and breaking
// out of the range loop cancels the batches in flight, as for
// AptlyInvites.SendBulkSeq. Range over the result once.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *AthenaInvites) SendToTargetsSeq(ctx context.Context, req *AthenaTargetInviteRequest, targets iter.Seq[AthenaTarget], opts ...BulkOption) iter.Seq[Outcome[AthenaTarget]] {
	return streamBatches(ctx, s.targetSpec("Invites.SendToTargetsSeq", req), targets, opts)
}

// targetSpec describes AthenaHQ's bulk invite of the person in req to
// targets, one kind of target to a batch.
func (s *AthenaInvites) targetSpec(op string, req *AthenaTargetInviteRequest) *batchSpec[AthenaTarget] {
	var p validate.Problems
	var template AthenaTargetInviteRequest
	list := "website_ids"
	if req != nil && len(req.WebsiteIDs) == 0 {
		list = "group_ids"
	}
	if checkTemplate(&p, req, list, req != nil && (len(req.WebsiteIDs) > 0 || len(req.GroupIDs) > 0)) {
		template = *req
		template.checkPerson(&p)
	}
	ep := targetInvite
	ep.op = op
	type wire struct {
		AthenaTargetInviteRequest
		WebsiteIDs json.RawMessage `json:"website_ids,omitempty"`
		GroupIDs   json.RawMessage `json:"group_ids,omitempty"`
	}
	websites, err1 := newFrame(op, &wire{AthenaTargetInviteRequest: template, WebsiteIDs: json.RawMessage("[]")}, "website_ids")
	groups, err2 := newFrame(op, &wire{AthenaTargetInviteRequest: template, GroupIDs: json.RawMessage("[]")}, "group_ids")
	return &batchSpec[AthenaTarget]{
		op:          op,
		defaultSize: AthenaMaxTargets,
		maxSize:     AthenaMaxTargets,
		precheck:    cmp.Or(validationError(op, &p), err1, err2),
		prefix:      func(i int) string { return "targets[" + itoa(i) + "]." },
		check:       func(p *validate.Problems, prefix string, t *AthenaTarget) { t.check(p, prefix) },
		keys:        func(t *AthenaTarget) (string, string) { return t.Kind.String() + ":" + strings.ToLower(t.ID), "" },
		// frames[0] is unused: kind numbers TargetWebsite and TargetGroup.
		frames:       []bodyFrame{{}, websites, groups},
		kind:         func(t *AthenaTarget) int { return int(t.Kind) },
		wire:         func(t *AthenaTarget) any { return t.ID },
		alreadyThere: match.AthenaAlready,
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []AthenaTarget, out []verdict) (*Response, error) {
			wire := new(targetInviteWire)
			meta, err := sendBatch(ctx, s.client, ep, body, wire)
			if err != nil {
				return meta, err
			}
			res := wire.result()
			matchByKey(out, func(i int) string { return strings.ToLower(batch[i].ID) },
				res.Results, func(r *AthenaTargetResult) string { return strings.ToLower(r.TargetID()) },
				func(r *AthenaTargetResult) verdict { return verdictOf(r.Success, r.Message, r.UserID) }, "target")
			return meta, nil
		},
	}
}

func (t *AthenaTarget) check(p *validate.Problems, prefix string) {
	if t.Kind != AthenaTargetWebsite && t.Kind != AthenaTargetGroup {
		p.Add(prefix+"kind", "is %d; want TargetWebsite or TargetGroup", int(t.Kind))
	}
	p.RequiredUUID(prefix+"id", t.ID)
}
