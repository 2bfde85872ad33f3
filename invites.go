package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyInvites invites people by email into an Aptly tenant. Reach it as
// AptlyClient.Invites.
type AptlyInvites service

// AthenaInvites invites people to AthenaHQ websites and groups. Reach it as
// AthenaClient.Invites.
type AthenaInvites service

// RoyaltiInvites invites people to a Royalti workspace. Reach it as
// RoyaltiClient.Invites.
type RoyaltiInvites service

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
func (s *AptlyInvites) SendBulk(ctx context.Context, req *BulkInviteRequest, opts ...CallOption) (*BulkInviteResult, error) {
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
func (s *AthenaInvites) SendToTargets(ctx context.Context, req *TargetInviteRequest, opts ...CallOption) (*TargetInviteResult, error) {
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
func (s *RoyaltiInvites) Send(ctx context.Context, req *InviteRequest, opts ...CallOption) (*InviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(InviteResult)
	if err := s.client.call(ctx, sendInvite, req, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
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
func (s *AptlyInvites) SendBulkAll(ctx context.Context, req *BulkInviteRequest, people []Invitee, opts ...BulkOption) (*BulkReport[Invitee], error) {
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
func (s *AptlyInvites) SendBulkSeq(ctx context.Context, req *BulkInviteRequest, people iter.Seq[Invitee], opts ...BulkOption) iter.Seq[Outcome[Invitee]] {
	return streamBatches(ctx, s.bulkInviteSpec("Invites.SendBulkSeq", req), people, opts)
}

func (s *AptlyInvites) bulkInviteSpec(op string, req *BulkInviteRequest) *batchSpec[Invitee] {
	var p validate.Problems
	var template BulkInviteRequest
	if checkTemplate(&p, req, "users", req != nil && len(req.Users) > 0) {
		template = BulkInviteRequest{TenantID: req.TenantID}
		p.RequiredUUID("tenantId", template.TenantID)
	}
	ep := bulkInvite
	ep.op = op
	frame, err := newFrame(op, &struct {
		BulkInviteRequest
		Users json.RawMessage `json:"users"`
	}{template, json.RawMessage("[]")}, "users")
	return &batchSpec[Invitee]{
		op:           op,
		defaultSize:  DefaultBatchSize,
		precheck:     cmp.Or(validationError(op, &p), err),
		prefix:       func(i int) string { return "users[" + itoa(i) + "]." },
		check:        func(p *validate.Problems, prefix string, u *Invitee) { u.check(p, prefix) },
		keys:         func(u *Invitee) (string, string) { return strings.ToLower(u.Email), "" },
		frames:       []bodyFrame{frame},
		alreadyThere: match.AptlyAlready,
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []Invitee, out []verdict) (*Response, error) {
			res := new(BulkInviteResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return meta, err
			}
			matchByKey(out, func(i int) string { return strings.ToLower(batch[i].Email) },
				res.Results, func(r *EmailResult) string { return strings.ToLower(r.Email) },
				func(r *EmailResult) verdict { return verdictOf(r.Success, r.Message, "") }, "email")
			return meta, nil
		},
	}
}

// TargetKind says whether an AthenaHQ target is a website or a group.
type TargetKind int

// The kinds of AthenaHQ targets.
const (
	// TargetWebsite is a website, sent in website_ids.
	TargetWebsite TargetKind = iota + 1
	// TargetGroup is a group, sent in group_ids; group invites need a
	// global API key.
	TargetGroup
)

// Target is one AthenaHQ website or group to invite a person to.
type Target struct {
	// Kind is TargetWebsite or TargetGroup.
	Kind TargetKind
	// ID is the website's or group's UUID.
	ID string
}

// Website returns the target of the website with the given id.
func Website(id string) Target { return Target{Kind: TargetWebsite, ID: id} }

// Group returns the target of the group with the given id.
func Group(id string) Target { return Target{Kind: TargetGroup, ID: id} }

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
func (s *AthenaInvites) SendToTargetsAll(ctx context.Context, req *TargetInviteRequest, targets []Target, opts ...BulkOption) (*BulkReport[Target], error) {
	return collectBatches(ctx, s.targetSpec("Invites.SendToTargetsAll", req), targets, opts)
}

// SendToTargetsSeq is SendToTargetsAll for a sequence of targets of any
// length: outcomes come as the caller ranges, in input order, with bounded
// memory. A run that stops early reads targets no further, and breaking
// out of the range loop cancels the batches in flight, as for
// AptlyInvites.SendBulkSeq. Range over the result once.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *AthenaInvites) SendToTargetsSeq(ctx context.Context, req *TargetInviteRequest, targets iter.Seq[Target], opts ...BulkOption) iter.Seq[Outcome[Target]] {
	return streamBatches(ctx, s.targetSpec("Invites.SendToTargetsSeq", req), targets, opts)
}

// targetSpec describes AthenaHQ's bulk invite of the person in req to
// targets, one kind of target to a batch.
func (s *AthenaInvites) targetSpec(op string, req *TargetInviteRequest) *batchSpec[Target] {
	var p validate.Problems
	var template TargetInviteRequest
	if checkTemplate(&p, req, "website_ids", req != nil && (len(req.WebsiteIDs) > 0 || len(req.GroupIDs) > 0)) {
		template = *req
		template.checkPerson(&p)
	}
	ep := targetInvite
	ep.op = op
	type wire struct {
		TargetInviteRequest
		WebsiteIDs json.RawMessage `json:"website_ids,omitempty"`
		GroupIDs   json.RawMessage `json:"group_ids,omitempty"`
	}
	websites, err1 := newFrame(op, &wire{TargetInviteRequest: template, WebsiteIDs: json.RawMessage("[]")}, "website_ids")
	groups, err2 := newFrame(op, &wire{TargetInviteRequest: template, GroupIDs: json.RawMessage("[]")}, "group_ids")
	return &batchSpec[Target]{
		op:          op,
		defaultSize: MaxTargets,
		maxSize:     MaxTargets,
		precheck:    cmp.Or(validationError(op, &p), err1, err2),
		prefix:      func(i int) string { return "targets[" + itoa(i) + "]." },
		check:       func(p *validate.Problems, prefix string, t *Target) { t.check(p, prefix) },
		keys:        func(t *Target) (string, string) { return strings.ToLower(t.ID), "" },
		// frames[0] is unused: kind numbers TargetWebsite and TargetGroup.
		frames:       []bodyFrame{{}, websites, groups},
		kind:         func(t *Target) int { return int(t.Kind) },
		wire:         func(t *Target) any { return t.ID },
		alreadyThere: match.AthenaAlready,
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []Target, out []verdict) (*Response, error) {
			res := new(TargetInviteResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return meta, err
			}
			matchByKey(out, func(i int) string { return strings.ToLower(batch[i].ID) },
				res.Results, func(r *TargetResult) string { return strings.ToLower(r.TargetID()) },
				func(r *TargetResult) verdict { return verdictOf(r.Success, r.Message, r.UserID) }, "target")
			return meta, nil
		},
	}
}

func (t *Target) check(p *validate.Problems, prefix string) {
	if t.Kind != TargetWebsite && t.Kind != TargetGroup {
		p.Add(prefix+"kind", "is %d; want TargetWebsite or TargetGroup", int(t.Kind))
	}
	p.RequiredUUID(prefix+"id", t.ID)
}
