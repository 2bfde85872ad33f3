package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"slices"
	"strings"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// The engine-backed bulk methods: any number of items, cut into batches the
// endpoint accepts, sent with bounded concurrency through the same pipeline
// and endpoints as the one-request methods, one Outcome per item in input
// order. Each comes as ...All (a slice in, a *BulkReport out) and ...Seq (an
// iter.Seq in, outcomes streamed with bounded memory).
//
// The client's retry policy and rate limiter apply to every batch. To keep
// within AthenaHQ's 60 requests a minute, give its client
// WithRateLimiter(rate.NewLimiter(rate.Every(AthenaHQRequestInterval), 1)),
// which lets at most 55 requests into any 60-second window (see
// WithRateLimiter for the arithmetic; one a second would let 61 in). The
// limiter is waited on before every attempt, retries included, so a run of
// any concurrency stays within it, and one limiter shared by several
// clients keeps them all within one quota.
//
// Each outcome says how many attempts its request took (Outcome.Attempts).
// After a retry, a refusal that says the item is already there may be the
// work of the request's own earlier attempt, so it is StateUnknown, not
// StateFailed.
//
// A ...Seq run that stops early (the context ends, a 401 or 403,
// WithStopOnBatchFailure, invalid options) reads no more of its input: the
// caller gets the outcomes of the items read so far, in order, the last of
// them not sent with an error matching ErrStopped, and the items after
// them are never read.

// SendBulkAll invites any number of people by email into one Aptly tenant,
// in batches of DefaultBatchSize (see WithBatchSize), and reports what
// became of each, in input order. Each person is checked and encoded
// alone first; one that is invalid, or cannot be encoded as JSON (a NaN in
// ExistingUser), is not sent, with a *ValidationError of its own, and the
// rest go on. A batch never holds one
// email twice (case-insensitively), so each result is tied to its person
// for certain; a repeated email goes in a later batch.
//
// The error is what stopped the run early (the context ending, a 401 or
// 403, WithStopOnBatchFailure, an invalid tenantID or option) or nil; the
// report holds one outcome per person even then.
//
// Aptly: POST /v1/user/bulk-invite, in batches.
func (s *InvitesService) SendBulkAll(ctx context.Context, tenantID string, people []Invitee, opts ...BulkOption) (*BulkReport[Invitee], error) {
	return collectBatches(ctx, s.bulkInviteSpec("Invites.SendBulkAll", tenantID), people, opts)
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
func (s *InvitesService) SendBulkSeq(ctx context.Context, tenantID string, people iter.Seq[Invitee], opts ...BulkOption) iter.Seq[Outcome[Invitee]] {
	return streamBatches(ctx, s.bulkInviteSpec("Invites.SendBulkSeq", tenantID), people, opts)
}

func (s *InvitesService) bulkInviteSpec(op, tenantID string) *batchSpec[Invitee] {
	var p validate.Problems
	p.RequiredUUID("tenantId", tenantID)
	ep := bulkInvite
	ep.op = op
	head, tail, err := frame(op, &struct {
		BulkInviteRequest
		Users json.RawMessage `json:"users"`
	}{BulkInviteRequest{TenantID: tenantID}, json.RawMessage("[]")}, "users")
	return &batchSpec[Invitee]{
		op:           op,
		defaultSize:  DefaultBatchSize,
		precheck:     cmp.Or(validationError(op, &p), err),
		prefix:       func(i int) string { return "users[" + itoa(i) + "]." },
		check:        func(p *validate.Problems, prefix string, u *Invitee) { u.check(p, prefix) },
		keys:         func(u *Invitee) (string, string) { return strings.ToLower(u.Email), "" },
		head:         head,
		tail:         tail,
		alreadyThere: match.AptlyAlready,
		send: func(ctx context.Context, body encodedBody, batch []Invitee, out []verdict) (int, error) {
			res := new(BulkInviteResult)
			attempts, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return attempts, err
			}
			matchByKey(out, func(i int) string { return strings.ToLower(batch[i].Email) },
				res.Results, func(r *EmailResult) string { return strings.ToLower(r.Email) },
				func(r *EmailResult) verdict {
					if r.Success {
						return verdict{state: StateSucceeded, message: r.Message}
					}
					return verdict{state: StateFailed, message: r.Message}
				}, "email")
			return attempts, nil
		},
	}
}

// CreateBulkAll creates any number of users in the credential's Royalti
// workspace, in batches of DefaultBatchSize (see WithBatchSize), and
// reports what became of each, in input order. template gives the
// settings every batch shares (SendEmail, RedirectURL, Message); its Users
// must be empty. Each user is checked and encoded alone first; an invalid
// one is not sent, and the rest go on.
//
// Royalti answers with names and error texts only; they are tied back to
// each user by name ("First Last") and email. A batch never holds one name
// or one email twice (case-folded), so duplicates in the input go in later
// batches rather than becoming ambiguous. A user the answer cannot be tied
// to for certain, such as one without a name, is StateUnknown, never
// guessed as created.
//
// The error is what stopped the run early or nil, as for SendBulkAll; the
// report holds one outcome per user even then.
//
// Royalti: POST /user/bulk, in batches.
func (s *UsersService) CreateBulkAll(ctx context.Context, template CreateUsersRequest, users []WorkspaceUser, opts ...BulkOption) (*BulkReport[WorkspaceUser], error) {
	return collectBatches(ctx, s.createBulkSpec("Users.CreateBulkAll", template), users, opts)
}

// CreateBulkSeq is CreateBulkAll for a sequence of any length: outcomes come
// as the caller ranges, in input order, with bounded memory. Once the run
// stops early, users is read no further, as for SendBulkSeq. Breaking out
// of the range loop cancels the batches in flight and returns once they
// have ended. Range over the result once; a second range sends nothing,
// and reads and reports only the first user, not sent.
//
// Royalti: POST /user/bulk, in batches.
func (s *UsersService) CreateBulkSeq(ctx context.Context, template CreateUsersRequest, users iter.Seq[WorkspaceUser], opts ...BulkOption) iter.Seq[Outcome[WorkspaceUser]] {
	return streamBatches(ctx, s.createBulkSpec("Users.CreateBulkSeq", template), users, opts)
}

func (s *UsersService) createBulkSpec(op string, template CreateUsersRequest) *batchSpec[WorkspaceUser] {
	var p validate.Problems
	if len(template.Users) > 0 {
		p.Add("users", "must be empty in the template; pass the users as the users argument")
	}
	template.Users = nil
	ep := createUsers
	ep.op = op
	head, tail, err := frame(op, &struct {
		CreateUsersRequest
		Users json.RawMessage `json:"users"`
	}{template, json.RawMessage("[]")}, "users")
	return &batchSpec[WorkspaceUser]{
		op:          op,
		defaultSize: DefaultBatchSize,
		precheck:    cmp.Or(validationError(op, &p), err),
		prefix:      func(i int) string { return "users[" + itoa(i) + "]." },
		check:       func(p *validate.Problems, prefix string, u *WorkspaceUser) { u.check(p, prefix) },
		keys: func(u *WorkspaceUser) (string, string) {
			return match.Key(fullName(u.FirstName, u.LastName)), match.Key(u.Email)
		},
		head:         head,
		tail:         tail,
		alreadyThere: match.RoyaltiAlready,
		send: func(ctx context.Context, body encodedBody, batch []WorkspaceUser, out []verdict) (int, error) {
			res := new(CreateUsersResult)
			attempts, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return attempts, err
			}
			for i, o := range matchCreated(batch, res.CreatedUsers, res.Errors) {
				out[i] = verdict{state: o.State, message: o.Reason}
			}
			return attempts, nil
		},
	}
}

// TargetKind says whether the targets of an AthenaHQ invite are websites or
// groups.
type TargetKind int

// The kinds of AthenaHQ targets.
const (
	// TargetWebsites sends the targets as website_ids.
	TargetWebsites TargetKind = iota + 1
	// TargetGroups sends the targets as group_ids; group invites need a
	// global API key.
	TargetGroups
)

// SendToTargetsAll invites one person to any number of AthenaHQ websites
// or groups: req is an invite with as many WebsiteIDs or GroupIDs (not
// both) as needed, sent in batches of MaxTargets (see WithBatchSize) that
// share its other fields. It reports what became of each target id, in
// order, with the person's AthenaHQ user id when the server gives it. Each
// id is checked alone first; an id that is not a UUID is not sent. A batch
// never holds one id twice, so each result is tied to its target for
// certain.
//
// The error is what stopped the run early (the context ending, a 401 or
// 403, WithStopOnBatchFailure, an invalid req or option) or nil; the report
// holds one outcome per id even then. A req with both WebsiteIDs and
// GroupIDs is refused; its report lists the website ids, then the group
// ids, none sent.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *InvitesService) SendToTargetsAll(ctx context.Context, req *TargetInviteRequest, opts ...BulkOption) (*BulkReport[string], error) {
	kind, ids := TargetWebsites, []string(nil)
	if req != nil {
		switch {
		case len(req.WebsiteIDs) > 0 && len(req.GroupIDs) > 0:
			// Refused before anything is sent; the report still lists
			// every id: the websites, then the groups.
			ids = slices.Concat(req.WebsiteIDs, req.GroupIDs)
		case len(req.GroupIDs) > 0:
			kind, ids = TargetGroups, req.GroupIDs
		default:
			ids = req.WebsiteIDs
		}
	}
	return collectBatches(ctx, s.targetSpec("Invites.SendToTargetsAll", req, kind, false), ids, opts)
}

// SendToTargetsSeq is SendToTargetsAll for a sequence of target ids of any
// length, all of kind: template gives the person and how to invite them,
// and must have no WebsiteIDs or GroupIDs of its own. Outcomes come as the
// caller ranges, in input order, with bounded memory. Once the run stops
// early, targets is read no further, as for SendBulkSeq. Breaking out of
// the range loop cancels the batches in flight and returns once they have
// ended. Range over the result once; a second range sends nothing, and
// reads and reports only the first id, not sent.
//
// AthenaHQ: POST /api/v1/invites/bulk, in batches.
func (s *InvitesService) SendToTargetsSeq(ctx context.Context, template *TargetInviteRequest, kind TargetKind, targets iter.Seq[string], opts ...BulkOption) iter.Seq[Outcome[string]] {
	return streamBatches(ctx, s.targetSpec("Invites.SendToTargetsSeq", template, kind, true), targets, opts)
}

// targetSpec describes AthenaHQ's bulk invite of the person in req to
// targets of kind. For a ...Seq run (isTemplate) req must name no targets;
// for an ...All run it names them, of one kind only.
func (s *InvitesService) targetSpec(op string, req *TargetInviteRequest, kind TargetKind, isTemplate bool) *batchSpec[string] {
	var p validate.Problems
	var template TargetInviteRequest
	if req == nil {
		p.Add("request", "is nil")
	} else {
		req.checkPerson(&p)
		hasWebsites, hasGroups := len(req.WebsiteIDs) > 0, len(req.GroupIDs) > 0
		switch {
		case isTemplate && (hasWebsites || hasGroups):
			p.Add("website_ids", "and group_ids must be empty in the template; pass the targets as targets")
		case hasWebsites && hasGroups:
			p.Add("website_ids", "and group_ids are mutually exclusive; send one run per kind of target")
		}
		template = *req
		template.WebsiteIDs, template.GroupIDs = nil, nil
	}
	field := "website_ids"
	switch kind {
	case TargetWebsites:
	case TargetGroups:
		field = "group_ids"
	default:
		p.Add("kind", "is %d; want TargetWebsites or TargetGroups", int(kind))
	}
	ep := targetInvite
	ep.op = op
	wire := struct {
		TargetInviteRequest
		WebsiteIDs json.RawMessage `json:"website_ids,omitempty"`
		GroupIDs   json.RawMessage `json:"group_ids,omitempty"`
	}{TargetInviteRequest: template}
	if kind == TargetGroups {
		wire.GroupIDs = json.RawMessage("[]")
	} else {
		wire.WebsiteIDs = json.RawMessage("[]")
	}
	head, tail, err := frame(op, &wire, field)
	return &batchSpec[string]{
		op:          op,
		defaultSize: MaxTargets,
		maxSize:     MaxTargets,
		precheck:    cmp.Or(validationError(op, &p), err),
		prefix:      func(i int) string { return field + "[" + itoa(i) + "]" },
		check: func(p *validate.Problems, prefix string, id *string) {
			if prefix == "" {
				prefix = field
			}
			p.RequiredUUID(prefix, *id)
		},
		keys:         func(id *string) (string, string) { return strings.ToLower(*id), "" },
		head:         head,
		tail:         tail,
		alreadyThere: match.AthenaAlready,
		send: func(ctx context.Context, body encodedBody, batch []string, out []verdict) (int, error) {
			res := new(TargetInviteResult)
			attempts, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return attempts, err
			}
			matchByKey(out, func(i int) string { return strings.ToLower(batch[i]) },
				res.Results, func(r *TargetResult) string { return strings.ToLower(r.TargetID()) },
				func(r *TargetResult) verdict {
					if r.Success {
						return verdict{state: StateSucceeded, message: r.Message, userID: r.UserID}
					}
					msg := r.Error
					if msg == "" {
						msg = r.Message
					}
					return verdict{state: StateFailed, message: msg, userID: r.UserID}
				}, "target")
			return attempts, nil
		},
	}
}
