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
// invites.
type AptlyInvites service

// AptlyBulkInviteRequest invites people by email into one Aptly tenant.
type AptlyBulkInviteRequest struct {
	// TenantID (a UUID) is required; Users holds at least one person.
	TenantID string         `json:"tenantId"`
	Users    []AptlyInvitee `json:"users"`
}

// AptlyInvitee is one person in an Aptly bulk invite.
type AptlyInvitee struct {
	// Email is required.
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
	EmployeeType   string                 `json:"employeeType,omitempty"`
	EmploymentType string                 `json:"employmentType,omitempty"`
	// SourceID identifies the person in the system they come from.
	SourceID         string            `json:"sourceId,omitempty"`
	ActorType        string            `json:"actorType,omitempty"`
	AIAgentType      string            `json:"aiAgentType,omitempty"`
	StartDate        time.Time         `json:"startDate,omitzero"`
	TerminationDate  time.Time         `json:"terminationDate,omitzero"`
	CustomAttributes map[string]string `json:"customAttributes,omitempty"`
	// ExistingUser is passed through as the documents show it; nil is left out.
	ExistingUser map[string]any `json:"existingUser,omitzero"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyBulkInviteRequest) Validate() error {
	var p validate.Problems
	if present(&p, r) {
		p.RequiredUUID("tenantId", r.TenantID)
		if len(r.Users) == 0 {
			p.Add("users", "needs at least one user")
		}
		for i := range r.Users {
			checkItem(&p, &r.Users[i], i, (*AptlyInvitee).check)
		}
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

// SendBulk invites people into one Aptly tenant and returns a result per
// email; a refused person is a failed result, not an error.
//
// Aptly: POST /v1/user/bulk-invite.
func (s *AptlyInvites) SendBulk(ctx context.Context, req *AptlyBulkInviteRequest, opts ...CallOption) (*AptlyBulkInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(AptlyBulkInviteResult)
	return result(res, s.client.call(ctx, bulkInvite, nil, req, res, opts))
}

// AptlyBulkInviteResult is Aptly's answer to a bulk invite: counts and one
// result per email, in the order sent.
type AptlyBulkInviteResult struct {
	Total           int                `json:"total"`
	SuccessfulCount int                `json:"successful"`
	FailedCount     int                `json:"failed"`
	Results         []AptlyEmailResult `json:"results"`
}

// AptlyEmailResult is the outcome of one email in an Aptly bulk call.
type AptlyEmailResult struct {
	Email   string `json:"email"`
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// SendBulkAll invites any number of people into one tenant in batches; req's
// Users must be empty.
//
// Aptly: POST /v1/user/bulk-invite, in batches.
func (s *AptlyInvites) SendBulkAll(ctx context.Context, req *AptlyBulkInviteRequest, people []AptlyInvitee, opts ...BulkOption) (*BulkReport[AptlyInvitee], error) {
	return collectBatches(ctx, s.bulkInviteSpec("aptly: Invites.SendBulkAll", req), people, opts)
}

// SendBulkSeq is SendBulkAll for a sequence of any length, such as rows of
// a file, with bounded memory. A run that stops early reads people no
// further; breaking out of the loop cancels the batches in flight. Range
// over it once. Every ...Seq method behaves so.
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
	ep := bulkInvite.as(op)
	frame, err := newFrame(op, &struct {
		AptlyBulkInviteRequest
		Users json.RawMessage `json:"users"`
	}{template, json.RawMessage("[]")}, "users")
	return &batchSpec[AptlyInvitee]{
		op:           op,
		defaultSize:  defaultBatchSize,
		precheck:     cmp.Or(validationError(op, &p), err),
		prefix:       func(i int) string { return "users[" + itoa(i) + "]." },
		check:        func(p *validate.Problems, prefix string, u *AptlyInvitee) { u.check(p, prefix) },
		keys:         func(u *AptlyInvitee) (string, string) { return strings.ToLower(u.Email), "" },
		frames:       []bodyFrame{frame},
		alreadyThere: match.AptlyAlready,
		target:       batchTarget(s.client, ep),
		readBack:     aptlyRead(s.client, aptlyInvited, func(p *AptlyInvitee) string { return p.Email }, func(u *AptlyUser) string { return u.Email }),
		send: func(ctx context.Context, body encodedBody, item func(int) *AptlyInvitee, out []verdict) (*Response, error) {
			res := new(AptlyBulkInviteResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return meta, err
			}
			matchByKey(out, func(i int) string { return strings.ToLower(item(i).Email) },
				res.Results, func(r *AptlyEmailResult) string { return strings.ToLower(r.Email) },
				func(r *AptlyEmailResult) verdict { return verdictOf(r.Success, r.Message, "") }, "email")
			return meta, nil
		},
	}
}

// AptlyBulkResendRequest resends the invitations of users of one tenant.
type AptlyBulkResendRequest struct {
	// TenantID (a UUID) is required; UserIDs holds at least one AptlyUser.ID.
	TenantID string   `json:"tenantId"`
	UserIDs  []string `json:"userIds"`
}

func (r *AptlyBulkResendRequest) validate() error {
	var p validate.Problems
	if present(&p, r) {
		p.RequiredUUID("tenantId", r.TenantID)
		checkUserIDs(&p, r.UserIDs)
	}
	return validationError("aptly: Invites.ResendBulk", &p)
}

// AptlyBulkResendResult is Aptly's answer to a bulk resend.
type AptlyBulkResendResult struct {
	Total           int `json:"total"`
	SuccessfulCount int `json:"successful"`
	FailedCount     int `json:"failed"`
	// Results name users by email, not promised one per id or in order.
	Results []AptlyEmailResult `json:"results"`
}

var bulkResend = endpoint{op: "aptly: Invites.ResendBulk", method: http.MethodPost, path: "/v1/user/bulk-resend-invite", envelope: true}

// ResendBulk resends the invitations of several users of one tenant; a
// refused user is a failed result, not an error. A repeated request emails
// people again.
//
// Aptly: POST /v1/user/bulk-resend-invite.
func (s *AptlyInvites) ResendBulk(ctx context.Context, req *AptlyBulkResendRequest, opts ...CallOption) (*AptlyBulkResendResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res := new(AptlyBulkResendResult)
	return result(res, s.client.call(ctx, bulkResend, nil, req, res, opts))
}

// ResendBulkAll resends the invitations of any number of users in batches;
// req's UserIDs must be empty. The answer names emails, not ids, so a batch
// neither all resent nor all refused is StateUnknown; WithBatchSize(1)
// leaves nothing unknown.
//
// Aptly: POST /v1/user/bulk-resend-invite, in batches.
func (s *AptlyInvites) ResendBulkAll(ctx context.Context, req *AptlyBulkResendRequest, userIDs []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.resendSpec("aptly: Invites.ResendBulkAll", req), userIDs, opts)
}

// ResendBulkSeq is ResendBulkAll for a sequence of any length.
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
	ep := bulkResend.as(op)
	frame, err := newFrame(op, &struct {
		AptlyBulkResendRequest
		UserIDs json.RawMessage `json:"userIds"`
	}{template, json.RawMessage("[]")}, "userIds")
	return userIDSpec(op, batchTarget(s.client, ep), cmp.Or(validationError(op, &p), err), frame, aptlyRead(s.client, aptlyResent, userID, aptlyUserID),
		func(ctx context.Context, body encodedBody, out []verdict) (*Response, error) {
			res := new(AptlyBulkResendResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err == nil {
				resendVerdicts(out, res)
			}
			return meta, err
		})
}

// resendVerdicts settles a batch of user ids from a resend's answer.
func resendVerdicts(out []verdict, res *AptlyBulkResendResult) {
	done, failed := res.SuccessfulCount, res.FailedCount
	if len(res.Results) == len(out) {
		done = len(filter(res.Results, func(e AptlyEmailResult) bool { return e.Success }))
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

// resultMessages returns the shared message of the results whose Success
// is success, or up to three distinct ones, or "".
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
