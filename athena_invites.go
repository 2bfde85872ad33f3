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
// and its groups.
type AthenaInvites service

// AthenaInviteMethod is how AthenaHQ invites a person.
type AthenaInviteMethod string

// The invite methods AthenaHQ documents.
const (
	// AthenaInviteDirect adds the person at once, without email; a new person
	// gets an unverified account.
	AthenaInviteDirect AthenaInviteMethod = "direct"
	// AthenaInviteByEmail creates pending invites and sends one email.
	AthenaInviteByEmail AthenaInviteMethod = "email"
)

// athenaMaxTargets is the most targets one invite may name.
const athenaMaxTargets = 50

// AthenaTargetInviteRequest invites one person to 1–50 websites, or to
// 1–50 groups (never both).
type AthenaTargetInviteRequest struct {
	// InviteMethod and Email are required; Role defaults to viewer.
	InviteMethod AthenaInviteMethod `json:"invite_method"`
	Email        string             `json:"email"`
	Role         AthenaRole         `json:"role,omitempty"`
	// Exactly one of WebsiteIDs and GroupIDs is set (groups need a global key).
	WebsiteIDs []string `json:"website_ids,omitempty"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	FirstName  string   `json:"first_name,omitempty"`
	LastName   string   `json:"last_name,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AthenaTargetInviteRequest) Validate() error {
	var p validate.Problems
	if present(&p, r) {
		r.checkPerson(&p)
		switch {
		case len(r.WebsiteIDs) > 0 && len(r.GroupIDs) > 0:
			p.Add("website_ids", "and group_ids are mutually exclusive; send one invite per kind of target")
		case len(r.WebsiteIDs) == 0 && len(r.GroupIDs) == 0:
			p.Add("website_ids", "or group_ids is required (1–%d ids)", athenaMaxTargets)
		}
		for _, t := range []struct {
			name string
			ids  []string
		}{{"website_ids", r.WebsiteIDs}, {"group_ids", r.GroupIDs}} {
			if len(t.ids) > athenaMaxTargets {
				p.Add(t.name, "has %d ids; at most %d are allowed", len(t.ids), athenaMaxTargets)
			}
			p.UUIDs(t.name, t.ids)
		}
	}
	return validationError("athena: Invites.SendToTargets", &p)
}

// checkPerson checks everything but the targets.
func (r *AthenaTargetInviteRequest) checkPerson(p *validate.Problems) {
	if p.Required("invite_method", string(r.InviteMethod)) {
		p.OneOf("invite_method", string(r.InviteMethod), string(AthenaInviteDirect), string(AthenaInviteByEmail))
	}
	p.Email("email", r.Email)
	p.OneOf("role", string(r.Role), string(AthenaRoleAdmin), string(AthenaRoleViewer))
}

var targetInvite = endpoint{op: "athena: Invites.SendToTargets", method: http.MethodPost, path: "/api/v1/invites/bulk"}

// SendToTargets invites one person to up to 50 websites or groups and
// returns a result per target; some may fail while others succeed.
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

// AthenaTargetInviteResult is AthenaHQ's answer to a bulk invite: one result
// per target, in the order sent.
type AthenaTargetInviteResult struct {
	// Success is true for a valid request, even if every target failed.
	Success bool                 `json:"success"`
	Results []AthenaTargetResult `json:"results"`
}

// AthenaTargetResult is the outcome of one website or group.
type AthenaTargetResult struct {
	WebsiteID string `json:"website_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	Success   bool   `json:"success"`
	// Message is what was done or, for a failure, why.
	Message string `json:"message,omitempty"`
	// UserID is the person's AthenaHQ user id, on success.
	UserID string `json:"user_id,omitempty"`
}

// targetInviteWire is an AthenaTargetInviteResult as sent.
type targetInviteWire struct {
	Success bool               `json:"success"`
	Results []targetResultWire `json:"results"`
}

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

// targetResultWire is a result as sent: a failure's reason comes as "error".
type targetResultWire struct {
	WebsiteID string `json:"website_id"`
	GroupID   string `json:"group_id"`
	Success   bool   `json:"success"`
	Message   string `json:"message"`
	Error     string `json:"error"`
	UserID    string `json:"user_id"`
}

func (w *targetResultWire) result() AthenaTargetResult {
	msg := w.Message
	if w.Error != "" {
		msg = w.Error
	}
	return AthenaTargetResult{WebsiteID: w.WebsiteID, GroupID: w.GroupID, Success: w.Success, Message: msg, UserID: w.UserID}
}

// AthenaTarget is one AthenaHQ website or group to invite a person to.
type AthenaTarget struct {
	// Kind is AthenaScopeWebsite or AthenaScopeGroup; ID is a UUID.
	Kind AthenaScope
	ID   string
}

// AthenaWebsite returns the target of the website with the given id.
func AthenaWebsite(id string) AthenaTarget { return AthenaTarget{Kind: AthenaScopeWebsite, ID: id} }

// AthenaGroup returns the target of the group with the given id.
func AthenaGroup(id string) AthenaTarget { return AthenaTarget{Kind: AthenaScopeGroup, ID: id} }

// frame is the body frame t's kind is sent in: 1 websites, 2 groups, 0 other.
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

// SendToTargetsAll invites one person to any number of websites and groups,
// in batches of one kind; req's WebsiteIDs and GroupIDs must be empty.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *AthenaInvites) SendToTargetsAll(ctx context.Context, req *AthenaTargetInviteRequest, targets []AthenaTarget, opts ...BulkOption) (*BulkReport[AthenaTarget], error) {
	return collectBatches(ctx, s.targetSpec("athena: Invites.SendToTargetsAll", req), targets, opts)
}

// SendToTargetsSeq is SendToTargetsAll for a sequence of any length.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *AthenaInvites) SendToTargetsSeq(ctx context.Context, req *AthenaTargetInviteRequest, targets iter.Seq[AthenaTarget], opts ...BulkOption) iter.Seq[Outcome[AthenaTarget]] {
	return streamBatches(ctx, s.targetSpec("athena: Invites.SendToTargetsSeq", req), targets, opts)
}

// targetSpec describes the bulk invite of req's person, one kind a batch.
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
	ep := targetInvite.as(op)
	type wire struct {
		AthenaTargetInviteRequest
		WebsiteIDs json.RawMessage `json:"website_ids,omitempty"`
		GroupIDs   json.RawMessage `json:"group_ids,omitempty"`
	}
	websites, err1 := newFrame(op, &wire{AthenaTargetInviteRequest: template, WebsiteIDs: json.RawMessage("[]")}, "website_ids")
	groups, err2 := newFrame(op, &wire{AthenaTargetInviteRequest: template, GroupIDs: json.RawMessage("[]")}, "group_ids")
	return &batchSpec[AthenaTarget]{
		op:          op,
		defaultSize: athenaMaxTargets,
		maxSize:     athenaMaxTargets,
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
		readBack:     athenaRead(s.client, template),
		send: func(ctx context.Context, body encodedBody, item func(int) *AthenaTarget, out []verdict) (*Response, error) {
			wire := new(targetInviteWire)
			meta, err := sendBatch(ctx, s.client, ep, body, wire)
			if err != nil {
				return meta, err
			}
			res := wire.result()
			matchByKey(out, func(i int) string { return strings.ToLower(item(i).ID) },
				res.Results, func(r *AthenaTargetResult) string { return strings.ToLower(cmp.Or(r.WebsiteID, r.GroupID)) },
				func(r *AthenaTargetResult) verdict { return verdictOf(r.Success, r.Message, r.UserID) }, "target")
			return meta, nil
		},
	}
}

// AthenaInviteRequest invites one person to the organization, one website
// or one group.
type AthenaInviteRequest struct {
	// Type, InviteMethod and Email are required; Role defaults to viewer.
	Type         AthenaScope        `json:"type"`
	InviteMethod AthenaInviteMethod `json:"invite_method"`
	Email        string             `json:"email"`
	Role         AthenaRole         `json:"role,omitempty"`
	// WebsiteID or GroupID (a UUID) is required for its Type alone.
	WebsiteID string `json:"website_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	// FirstName and LastName name a new account or the email invite.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// validate refuses an id that does not go with Type, though the documents'
// example sends one: its meaning is not documented.
func (r *AthenaInviteRequest) validate() error {
	var p validate.Problems
	if present(&p, r) {
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
	}
	return validationError("athena: Invites.Send", &p)
}

// checkTarget requires id for type kind and refuses it with the others.
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
	Success bool   `json:"success"`
	Message string `json:"message"`
	// InviteID is the pending invite's UUID, for an email invite.
	InviteID string `json:"invite_id,omitempty"`
	// UserID is the person's user id, shown undescribed for a direct invite.
	UserID string `json:"user_id,omitempty"`
}

var athenaInvite = endpoint{op: "athena: Invites.Send", method: http.MethodPost, path: "/api/v1/invites"}

// Send invites one person to the organization, one website or one group.
// Expect a member or an invited person to be refused (undocumented;
// ErrConflict in onboardtest); a repeated email invite may email twice.
//
// AthenaHQ: POST /api/v1/invites.
func (s *AthenaInvites) Send(ctx context.Context, req *AthenaInviteRequest, opts ...CallOption) (*AthenaInviteResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res := new(AthenaInviteResult)
	return result(res, s.client.call(ctx, athenaInvite, nil, req, res, opts))
}
