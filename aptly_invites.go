package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyInvites invites people by email into an Aptly tenant and resends
// invites. Reach it as AptlyClient.Invites.
type AptlyInvites service

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
		return validationError("aptly: Invites.SendBulk", &p)
	}
	p.RequiredUUID("tenantId", r.TenantID)
	if len(r.Users) == 0 {
		p.Add("users", "needs at least one user")
	}
	for i := range r.Users {
		checkItem(&p, &r.Users[i], i, (*AptlyInvitee).check)
	}
	return validationError("aptly: Invites.SendBulk", &p)
}

func (u *AptlyInvitee) check(p *validate.Problems, prefix string) {
	p.Email(prefix+"email", u.Email)
	checkAptlyLinks(p, prefix, u.RoleIDs, u.Groups, u.ManagerID, u.PositionIDs)
	if !u.StartDate.IsZero() && !u.TerminationDate.IsZero() && u.TerminationDate.Before(u.StartDate) {
		p.Add(prefix+"terminationDate", "is before startDate")
	}
}

var bulkInvite = endpoint{op: "aptly: Invites.SendBulk", method: http.MethodPost, path: "/v1/user/bulk-invite", envelope: true}

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

// AptlyBulkInviteResult is Aptly's answer to a bulk invite: counts and one result
// per email, in the order sent.
type AptlyBulkInviteResult struct {
	// Total, SuccessfulCount and FailedCount are the server's counts.
	Total           int `json:"total"`
	SuccessfulCount int `json:"successful"`
	FailedCount     int `json:"failed"`
	// Results holds one entry per email.
	Results []AptlyEmailResult `json:"results"`
}

// AptlyEmailResult is the outcome of inviting one email in an Aptly bulk invite.
type AptlyEmailResult struct {
	Email   string `json:"email"`
	Success bool   `json:"success"`
	// Message is the server's word, such as "Email already exists".
	Message string `json:"message"`
}

// Succeeded returns the results of the emails that were invited.
func (r *AptlyBulkInviteResult) Succeeded() []AptlyEmailResult {
	return filter(r.Results, func(e AptlyEmailResult) bool { return e.Success })
}

// Failed returns the results of the emails the server refused.
func (r *AptlyBulkInviteResult) Failed() []AptlyEmailResult {
	return filter(r.Results, func(e AptlyEmailResult) bool { return !e.Success })
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
	return collectBatches(ctx, s.bulkInviteSpec("aptly: Invites.SendBulkAll", req), people, opts)
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
	return streamBatches(ctx, s.bulkInviteSpec("aptly: Invites.SendBulkSeq", req), people, opts)
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

// AptlyBulkResendRequest is the body of Aptly's bulk invite resend: users of
// one tenant whose invitations are sent again.
type AptlyBulkResendRequest struct {
	// TenantID is the users' tenant (a UUID). Required.
	TenantID string `json:"tenantId"`
	// UserIDs are the users' ids (UUIDs, as AptlyUser.ID); at least one.
	UserIDs []string `json:"userIds"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyBulkResendRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("aptly: Invites.ResendBulk", &p)
	}
	p.RequiredUUID("tenantId", r.TenantID)
	checkUserIDs(&p, r.UserIDs)
	return validationError("aptly: Invites.ResendBulk", &p)
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

var bulkResend = endpoint{op: "aptly: Invites.ResendBulk", method: http.MethodPost, path: "/v1/user/bulk-resend-invite", envelope: true}

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
	return collectBatches(ctx, s.resendSpec("aptly: Invites.ResendBulkAll", req), userIDs, opts)
}

// ResendBulkSeq is ResendBulkAll for a sequence of user ids of any length:
// outcomes come as the caller ranges, in input order, with bounded memory.
// A run that stops early reads userIDs no further, and breaking out of the
// range loop cancels the batches in flight, as for SendBulkSeq. Range over
// the result once.
//
// Aptly: POST /v1/user/bulk-resend-invite, in batches.
func (s *AptlyInvites) ResendBulkSeq(ctx context.Context, req *AptlyBulkResendRequest, userIDs iter.Seq[string], opts ...BulkOption) iter.Seq[Outcome[string]] {
	return streamBatches(ctx, s.resendSpec("aptly: Invites.ResendBulkSeq", req), userIDs, opts)
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
