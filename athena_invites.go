package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// AthenaInvites invites people to the AthenaHQ organization, its websites
// and its groups. Reach it as AthenaClient.Invites.
type AthenaInvites service

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

// AthenaMaxTargets is the most websites or groups one AthenaHQ invite may name.
const AthenaMaxTargets = 50

// AthenaTargetInviteRequest is the body of AthenaHQ's bulk invite: one person to
// 1–50 websites, or to 1–50 groups (never both).
type AthenaTargetInviteRequest struct {
	// InviteMethod is AthenaInviteDirect or AthenaInviteByEmail. Required.
	InviteMethod AthenaInviteMethod `json:"invite_method"`
	// Email is the person's address. Required.
	Email string `json:"email"`
	// Role is AthenaRoleAdmin or AthenaRoleViewer; empty leaves the server's default
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
		return validationError("athena: Invites.SendToTargets", &p)
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
	return validationError("athena: Invites.SendToTargets", &p)
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

var targetInvite = endpoint{op: "athena: Invites.SendToTargets", method: http.MethodPost, path: "/api/v1/invites/bulk"}

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

// AthenaTargetInviteResult is AthenaHQ's answer to a bulk invite: one result per
// website or group, in the order sent.
type AthenaTargetInviteResult struct {
	// Success is true whenever the request was valid, even if every
	// target failed; look at Results.
	Success bool `json:"success"`
	// Results holds one entry per target.
	Results []AthenaTargetResult `json:"results"`
}

// AthenaTargetResult is the outcome of inviting the person to one website or group.
type AthenaTargetResult struct {
	// WebsiteID or GroupID names the target, whichever kind was sent.
	WebsiteID string `json:"website_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	Success   bool   `json:"success"`
	// Message is the server's words: what was done, such as "User added
	// to website", or, for a failure, its reason (sent as "error"), such
	// as "User is already a member of this website".
	Message string `json:"message,omitempty"`
	// UserID is the person's AthenaHQ user id, on success.
	UserID string `json:"user_id,omitempty"`
}

// UnmarshalJSON reads a result as AthenaHQ sends it, taking a failure's
// "error" into Message.
func (t *AthenaTargetResult) UnmarshalJSON(data []byte) error {
	var wire targetResultWire
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*t = wire.result()
	return nil
}

// TargetID returns the website or group id the result is about.
func (t AthenaTargetResult) TargetID() string {
	if t.WebsiteID != "" {
		return t.WebsiteID
	}
	return t.GroupID
}

// Succeeded returns the results of the targets the person was added or
// invited to.
func (r *AthenaTargetInviteResult) Succeeded() []AthenaTargetResult {
	return filter(r.Results, func(t AthenaTargetResult) bool { return t.Success })
}

// Failed returns the results of the targets that refused the person.
func (r *AthenaTargetInviteResult) Failed() []AthenaTargetResult {
	return filter(r.Results, func(t AthenaTargetResult) bool { return !t.Success })
}

// targetInviteWire is an AthenaTargetInviteResult as AthenaHQ sends it. The
// client decodes answers into it, in one pass; decoding into
// AthenaTargetInviteResult would decode each result a second time, through
// AthenaTargetResult's UnmarshalJSON.
type targetInviteWire struct {
	Success bool               `json:"success"`
	Results []targetResultWire `json:"results"`
}

// result is w as an AthenaTargetInviteResult.
func (w *targetInviteWire) result() *AthenaTargetInviteResult {
	res := &AthenaTargetInviteResult{Success: w.Success}
	if w.Results != nil {
		res.Results = make([]AthenaTargetResult, len(w.Results))
		for i := range w.Results {
			res.Results[i] = w.Results[i].result()
		}
	}
	return res
}

// targetResultWire is a result as AthenaHQ sends it: a failure's reason
// comes as "error".
type targetResultWire struct {
	WebsiteID string `json:"website_id"`
	GroupID   string `json:"group_id"`
	Success   bool   `json:"success"`
	Message   string `json:"message"`
	Error     string `json:"error"`
	UserID    string `json:"user_id"`
}

// result is w as an AthenaTargetResult, the "error" in Message when there is one.
func (w *targetResultWire) result() AthenaTargetResult {
	msg := w.Message
	if w.Error != "" {
		msg = w.Error
	}
	return AthenaTargetResult{WebsiteID: w.WebsiteID, GroupID: w.GroupID, Success: w.Success, Message: msg, UserID: w.UserID}
}

// AthenaTarget is one AthenaHQ website or group to invite a person to.
type AthenaTarget struct {
	// Kind is AthenaScopeWebsite or AthenaScopeGroup.
	Kind AthenaScope
	// ID is the website's or group's UUID.
	ID string
}

// AthenaWebsite returns the target of the website with the given id.
func AthenaWebsite(id string) AthenaTarget { return AthenaTarget{Kind: AthenaScopeWebsite, ID: id} }

// AthenaGroup returns the target of the group with the given id.
func AthenaGroup(id string) AthenaTarget { return AthenaTarget{Kind: AthenaScopeGroup, ID: id} }

// frame is the index of the body frame t's kind is sent in: 1 for
// website_ids, 2 for group_ids, 0 for any other kind.
func (t *AthenaTarget) frame() int {
	switch t.Kind {
	case AthenaScopeWebsite:
		return 1
	case AthenaScopeGroup:
		return 2
	}
	return 0
}

func (t *AthenaTarget) check(p *validate.Problems, prefix string) {
	switch {
	case t.Kind == "":
		p.Add(prefix+"kind", "is required; use AthenaScopeWebsite or AthenaScopeGroup")
	case t.frame() == 0:
		p.Add(prefix+"kind", "is %q; want AthenaScopeWebsite or AthenaScopeGroup", t.Kind)
	}
	p.RequiredUUID(prefix+"id", t.ID)
}

// SendToTargetsAll invites one person to any number of AthenaHQ websites
// and groups, and reports what became of each target, in input order, with
// the person's AthenaHQ user id when the server gives it. req says whom to
// invite and how; its WebsiteIDs and GroupIDs must be empty, the targets
// being passed as targets. Targets go in batches of AthenaMaxTargets (see
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
	return collectBatches(ctx, s.targetSpec("athena: Invites.SendToTargetsAll", req), targets, opts)
}

// SendToTargetsSeq is SendToTargetsAll for a sequence of targets of any
// length: outcomes come as the caller ranges, in input order, with bounded
// memory. A run that stops early reads targets no further, and breaking
// out of the range loop cancels the batches in flight, as for
// AptlyInvites.SendBulkSeq. Range over the result once.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *AthenaInvites) SendToTargetsSeq(ctx context.Context, req *AthenaTargetInviteRequest, targets iter.Seq[AthenaTarget], opts ...BulkOption) iter.Seq[Outcome[AthenaTarget]] {
	return streamBatches(ctx, s.targetSpec("athena: Invites.SendToTargetsSeq", req), targets, opts)
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
		keys:        func(t *AthenaTarget) (string, string) { return string(t.Kind) + ":" + strings.ToLower(t.ID), "" },
		// frames[0] is unused: see AthenaTarget.frame.
		frames:       []bodyFrame{{}, websites, groups},
		kind:         func(t *AthenaTarget) int { return t.frame() },
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

// AthenaInviteRequest is the body of AthenaHQ's single invite: one person
// to the organization, one website or one group.
type AthenaInviteRequest struct {
	// Type is AthenaScopeOrganization, AthenaScopeWebsite or AthenaScopeGroup.
	// Required.
	Type AthenaScope `json:"type"`
	// InviteMethod is AthenaInviteDirect or AthenaInviteByEmail. Required.
	InviteMethod AthenaInviteMethod `json:"invite_method"`
	// Email is the person's address. Required.
	Email string `json:"email"`
	// Role is AthenaRoleAdmin or AthenaRoleViewer; empty leaves the server's default
	// (viewer).
	Role AthenaRole `json:"role,omitempty"`
	// WebsiteID is the website's UUID: required when Type is
	// AthenaScopeWebsite, and refused with any other Type.
	WebsiteID string `json:"website_id,omitempty"`
	// GroupID is the group's UUID: required when Type is AthenaScopeGroup,
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
		return validationError("athena: Invites.Send", &p)
	}
	if p.Required("type", string(r.Type)) {
		p.OneOf("type", string(r.Type), string(AthenaScopeOrganization), string(AthenaScopeWebsite), string(AthenaScopeGroup))
	}
	if p.Required("invite_method", string(r.InviteMethod)) {
		p.OneOf("invite_method", string(r.InviteMethod), string(AthenaInviteDirect), string(AthenaInviteByEmail))
	}
	p.Email("email", r.Email)
	p.OneOf("role", string(r.Role), string(AthenaRoleAdmin), string(AthenaRoleViewer))
	r.checkTarget(&p, "website_id", r.WebsiteID, AthenaScopeWebsite)
	r.checkTarget(&p, "group_id", r.GroupID, AthenaScopeGroup)
	return validationError("athena: Invites.Send", &p)
}

// checkTarget checks the id field that names a target of type kind: it is
// required for that type and refused with the other documented types.
func (r *AthenaInviteRequest) checkTarget(p *validate.Problems, field, id string, kind AthenaScope) {
	switch r.Type {
	case kind:
		p.RequiredUUID(field, id)
	case AthenaScopeOrganization, AthenaScopeWebsite, AthenaScopeGroup:
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

var athenaInvite = endpoint{op: "athena: Invites.Send", method: http.MethodPost, path: "/api/v1/invites"}

// Send invites one person to the AthenaHQ organization, one website or one
// group, as req.Type says. AthenaInviteDirect adds them at once, without email,
// creating an account (unverified) if none exists; AthenaInviteByEmail creates a
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
