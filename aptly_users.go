package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyUsers creates, lists, updates and deletes Aptly users. Reach it as
// AptlyClient.Users.
type AptlyUsers service

// AptlyCreateUserRequest is the body of Aptly's create-user call.
type AptlyCreateUserRequest struct {
	// TenantID is the tenant the user joins (a UUID). Required.
	TenantID string `json:"tenantId"`
	// FirstName and LastName are the user's names. Required.
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// Email is the user's address and login. Required.
	Email       string `json:"email"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// RoleIDs, ManagerID, PositionIDs and the groups' ids are UUIDs.
	RoleIDs     []string               `json:"roleIds,omitempty"`
	Groups      []AptlyGroupAssignment `json:"groups,omitempty"`
	ManagerID   string                 `json:"managerId,omitempty"`
	PositionIDs []string               `json:"positionIds,omitempty"`
	// InviteViaEmail says whether Aptly emails the user an invite. nil
	// leaves it to the server; Ptr(false) really sends false.
	InviteViaEmail *bool `json:"inviteViaEmail,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyCreateUserRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("aptly: Users.Create", &p)
	}
	p.RequiredUUID("tenantId", r.TenantID)
	p.Required("firstName", r.FirstName)
	p.Required("lastName", r.LastName)
	p.Email("email", r.Email)
	checkAptlyLinks(&p, "", r.RoleIDs, r.Groups, r.ManagerID, r.PositionIDs)
	return validationError("aptly: Users.Create", &p)
}

// checkAptlyLinks checks the ids that tie an Aptly user to roles, groups, a
// manager and positions; prefix is the path of the user ("users[2].").
//
// Paths are built only for a field that has a problem: a bulk request
// checks thousands of these.
func checkAptlyLinks(p *validate.Problems, prefix string, roleIDs []string, groups []AptlyGroupAssignment, managerID string, positionIDs []string) {
	if len(roleIDs) > 0 {
		p.UUIDs(prefix+"roleIds", roleIDs)
	}
	for i, g := range groups {
		if !validate.IsUUID(g.GroupID) {
			p.RequiredUUID(prefix+"groups["+itoa(i)+"].groupId", g.GroupID)
		}
	}
	if managerID != "" && !validate.IsUUID(managerID) {
		p.UUID(prefix+"managerId", managerID)
	}
	if len(positionIDs) > 0 {
		p.UUIDs(prefix+"positionIds", positionIDs)
	}
}

var createUser = endpoint{op: "aptly: Users.Create", method: http.MethodPost, path: "/v1/user/create", envelope: true}

// Create creates one user in an Aptly tenant and returns the user as stored,
// unwrapped from Aptly's envelope.
//
// Aptly: POST /v1/user/create.
func (s *AptlyUsers) Create(ctx context.Context, req *AptlyCreateUserRequest, opts ...CallOption) (*AptlyUser, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	u := new(AptlyUser)
	if err := s.client.call(ctx, createUser, nil, req, u, opts); err != nil {
		return nil, err
	}
	return u, nil
}

// AptlyListUsersOptions selects a page of Aptly's user list. Aptly's documents
// do not show the list's query parameters (the page is cut off before its
// parameter table); the answer names its paging "page" and "limit", and
// these are sent under those names. No filter is sent, none being
// documented.
type AptlyListUsersOptions struct {
	// Page is the page to fetch, from 1; 0 sends none, leaving the server's
	// default (the first page). List starts from it.
	Page int `url:"page,omitempty"`
	// Limit is how many users a page holds; 0 sends none, leaving the
	// server's default (10 in the documents' example). The documents give
	// no maximum, so none is checked here.
	Limit int `url:"limit,omitempty"`
}

// Validate reports every problem with o as a *ValidationError, or nil. A
// nil o is valid: the server's defaults.
func (o *AptlyListUsersOptions) Validate() error {
	var p validate.Problems
	if o != nil {
		if o.Page < 0 {
			p.Add("page", "is %d; want 1 or more, or 0 for the first page", o.Page)
		}
		if o.Limit < 0 {
			p.Add("limit", "is %d; want 1 or more, or 0 for the server's default", o.Limit)
		}
	}
	return validationError("aptly: Users.List", &p)
}

// AptlyUserPage is one page of Aptly's user list.
type AptlyUserPage struct {
	// Page is the page's number, from 1, and Limit its size, as the
	// server reports them.
	Page  int `json:"page"`
	Limit int `json:"limit"`
	// Total is how many users the whole list holds (not how many pages).
	Total int `json:"total"`
	// Users are the page's users (the answer's data.data).
	Users []AptlyUser `json:"data"`
}

// NextPage returns the number of the page after p, or 0 when p is the
// last: it is empty, or it and the pages before it hold Total users. When
// the answer gives no Total, a page with users has a next, which may be
// empty.
func (p *AptlyUserPage) NextPage() int {
	if len(p.Users) == 0 || p.Page < 1 {
		return 0
	}
	size := p.Limit
	if size <= 0 {
		size = len(p.Users)
	}
	if p.Total > 0 && (p.Page-1)*size+len(p.Users) >= p.Total {
		return 0
	}
	return p.Page + 1
}

var listUsers = endpoint{op: "aptly: Users.List", method: http.MethodGet, path: "/v1/user", envelope: true}

// List returns an iterator over Aptly's users, from opts.Page (the first
// page when 0), opts.Limit to a page (the server's default when 0). Pages
// are fetched as the caller ranges; breaking out of the loop fetches no
// further page. It ends once as many users as the reported total have
// come, or on an empty page (a run started past page 1 ends so); the
// error, if any, is the loop's last value: a failed page, the context
// ending, or one matching ErrPageRepeated when a page brings no user not
// already listed. A list that changes while it is read, by this program
// too, may show a user twice or not at all: collect it, then act (see
// ErrPageRepeated). Given WithResponse, each page's answer fills it in
// turn.
//
// Fetching a page is read-only: repeating it is harmless.
//
// Aptly: GET /v1/user.
func (s *AptlyUsers) List(ctx context.Context, opts *AptlyListUsersOptions, callOpts ...CallOption) iter.Seq2[AptlyUser, error] {
	if err := opts.Validate(); err != nil {
		return func(yield func(AptlyUser, error) bool) { yield(AptlyUser{}, err) }
	}
	var q AptlyListUsersOptions
	if opts != nil {
		q = *opts
	}
	fetch := func(ctx context.Context, n int) (page[AptlyUser], error) {
		pq := q
		pq.Page = n
		p, err := s.listPage(ctx, listUsers, &pq, callOpts)
		if err != nil {
			return page[AptlyUser]{}, err
		}
		total := p.Total
		if total <= 0 && len(p.Users) > 0 {
			total = -1 // a total the page contradicts: end on an empty page
		}
		return page[AptlyUser]{items: p.Users, total: total}, nil
	}
	return listAll(ctx, listUsers.op, max(q.Page, 1), func(u *AptlyUser) string { return u.ID }, fetch)
}

// ListPage fetches one page of Aptly's users, opts.Page of opts.Limit
// users (the server's defaults when 0 or opts is nil), for callers who
// keep their own place; AptlyUserPage.NextPage says which page comes next.
// Fetching a page is read-only: repeating it is harmless.
//
// Aptly: GET /v1/user.
func (s *AptlyUsers) ListPage(ctx context.Context, opts *AptlyListUsersOptions, callOpts ...CallOption) (*AptlyUserPage, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	ep := listUsers
	ep.op = "aptly: Users.ListPage"
	return s.listPage(ctx, ep, opts, callOpts)
}

func (s *AptlyUsers) listPage(ctx context.Context, ep endpoint, opts *AptlyListUsersOptions, callOpts []CallOption) (*AptlyUserPage, error) {
	var params any
	if opts != nil {
		params = opts
	}
	p := new(AptlyUserPage)
	if err := s.client.call(ctx, ep, params, nil, p, callOpts); err != nil {
		return nil, err
	}
	return p, nil
}

// checkUserIDs checks the user ids of an Aptly bulk request: at least one,
// each a UUID.
func checkUserIDs(p *validate.Problems, ids []string) {
	if len(ids) == 0 {
		p.Add("userIds", "needs at least one user id")
	}
	p.UUIDs("userIds", ids)
}

// AptlyUpdateStatusRequest is the body of Aptly's bulk status update: one status
// for several users. It names no tenant; the documents show none.
type AptlyUpdateStatusRequest struct {
	// UserIDs are the users' ids (UUIDs, as AptlyUser.ID); at least one (the
	// documents give no minimum; an empty list would change nothing).
	UserIDs []string `json:"userIds"`
	// Status is the status to set. Required.
	Status AptlyUserStatus `json:"status"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyUpdateStatusRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("aptly: Users.UpdateStatusBulk", &p)
	}
	checkUserIDs(&p, r.UserIDs)
	r.Status.check(&p, "status")
	return validationError("aptly: Users.UpdateStatusBulk", &p)
}

// AptlyUpdateStatusResult is Aptly's answer to a bulk status update: counts only.
// The answer does not say which users failed.
type AptlyUpdateStatusResult struct {
	// Total, SuccessfulCount and FailedCount are the server's counts.
	Total           int `json:"total"`
	SuccessfulCount int `json:"successful"`
	FailedCount     int `json:"failed"`
}

var bulkStatus = endpoint{op: "aptly: Users.UpdateStatusBulk", method: http.MethodPatch, path: "/v1/user/bulk-status-update", envelope: true}

// UpdateStatusBulk sets one status on several Aptly users in one request
// and returns the server's counts, unwrapped from Aptly's envelope; the
// answer does not say which users failed. A repeated request sets the
// same status again; this SDK assumes that changes nothing more (the
// documents do not say). How AptlyUserDeleted differs from DeleteBulk is
// not documented.
//
// Aptly: PATCH /v1/user/bulk-status-update.
func (s *AptlyUsers) UpdateStatusBulk(ctx context.Context, req *AptlyUpdateStatusRequest, opts ...CallOption) (*AptlyUpdateStatusResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(AptlyUpdateStatusResult)
	if err := s.client.call(ctx, bulkStatus, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// UpdateStatusBulkAll sets one status on any number of Aptly users, in
// batches of DefaultBatchSize (see WithBatchSize), and reports what became
// of each user id, in input order. req gives the Status; its UserIDs must
// be empty, the ids being passed as userIDs. An id that is not a UUID is
// not sent; a batch never holds one id twice.
//
// The answer only counts: every user of a batch succeeded when the server
// counts them all as successful, failed when it counts them all as failed,
// and is StateUnknown otherwise, with what the server counted in Message.
// Send smaller batches (WithBatchSize) to narrow an unknown down.
//
// The error is what stopped the run early or nil, as for
// AptlyInvites.SendBulkAll; the report holds one outcome per id even then.
//
// Aptly: PATCH /v1/user/bulk-status-update, in batches.
func (s *AptlyUsers) UpdateStatusBulkAll(ctx context.Context, req *AptlyUpdateStatusRequest, userIDs []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.statusSpec("aptly: Users.UpdateStatusBulkAll", req), userIDs, opts)
}

// UpdateStatusBulkSeq is UpdateStatusBulkAll for a sequence of user ids of
// any length: outcomes come as the caller ranges, in input order, with
// bounded memory. A run that stops early reads userIDs no further, and
// breaking out of the range loop cancels the batches in flight, as for
// AptlyInvites.SendBulkSeq. Range over the result once.
//
// Aptly: PATCH /v1/user/bulk-status-update, in batches.
func (s *AptlyUsers) UpdateStatusBulkSeq(ctx context.Context, req *AptlyUpdateStatusRequest, userIDs iter.Seq[string], opts ...BulkOption) iter.Seq[Outcome[string]] {
	return streamBatches(ctx, s.statusSpec("aptly: Users.UpdateStatusBulkSeq", req), userIDs, opts)
}

func (s *AptlyUsers) statusSpec(op string, req *AptlyUpdateStatusRequest) *batchSpec[string] {
	var p validate.Problems
	var template AptlyUpdateStatusRequest
	if checkTemplate(&p, req, "userIds", req != nil && len(req.UserIDs) > 0) {
		template = AptlyUpdateStatusRequest{Status: req.Status}
		template.Status.check(&p, "status")
	}
	ep := bulkStatus
	ep.op = op
	frame, err := newFrame(op, &struct {
		AptlyUpdateStatusRequest
		UserIDs json.RawMessage `json:"userIds"`
	}{template, json.RawMessage("[]")}, "userIds")
	return userIDSpec(op, batchTarget(s.client, ep), cmp.Or(validationError(op, &p), err), frame,
		func(ctx context.Context, body encodedBody, out []verdict) (*Response, error) {
			res := new(AptlyUpdateStatusResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err == nil {
				countVerdicts(out, res.SuccessfulCount, res.FailedCount, "updated",
					"without saying which; check this user's status before sending it again")
			}
			return meta, err
		})
}

// AptlyDeleteUsersRequest is the body of Aptly's bulk delete. The documents show
// only an example, {"userIds": [...]}, and no field table; no tenant is
// sent.
type AptlyDeleteUsersRequest struct {
	// UserIDs are the users' ids (UUIDs, as AptlyUser.ID); at least one.
	UserIDs []string `json:"userIds"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyDeleteUsersRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("aptly: Users.DeleteBulk", &p)
	}
	checkUserIDs(&p, r.UserIDs)
	return validationError("aptly: Users.DeleteBulk", &p)
}

// AptlyDeleteUsersResult is Aptly's answer to a bulk delete: a count only.
type AptlyDeleteUsersResult struct {
	// DeletedCount is how many users the server deleted.
	DeletedCount int `json:"deletedCount"`
}

// UnmarshalJSON reads the answer, refusing one without deletedCount: a
// missing count says nothing of what was deleted, and is not a count of 0.
// The call then fails with an error matching ErrUnexpectedResponse, and the
// users of a bulk run's batch are StateUnknown.
func (r *AptlyDeleteUsersResult) UnmarshalJSON(data []byte) error {
	var wire struct {
		DeletedCount *int `json:"deletedCount"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	if wire.DeletedCount == nil {
		return errors.New("the answer has no deletedCount, so how many users were deleted is not known")
	}
	r.DeletedCount = *wire.DeletedCount
	return nil
}

var bulkDelete = endpoint{op: "aptly: Users.DeleteBulk", method: http.MethodDelete, path: "/v1/user/bulk-delete", envelope: true}

// DeleteBulk deletes several Aptly users in one request, sent as a DELETE
// with a JSON body, and returns how many the server deleted, unwrapped
// from Aptly's envelope; the answer does not say which. Whether the delete
// is soft or hard, and what deleting an unknown or deleted id does, are not
// documented. A repeated request deletes nothing more, but counts less:
// after a retried request (WithResponse's Attempts above 1) an earlier
// attempt may have deleted users the count leaves out.
//
// Aptly: DELETE /v1/user/bulk-delete.
func (s *AptlyUsers) DeleteBulk(ctx context.Context, req *AptlyDeleteUsersRequest, opts ...CallOption) (*AptlyDeleteUsersResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(AptlyDeleteUsersResult)
	if err := s.client.call(ctx, bulkDelete, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// DeleteBulkAll deletes any number of Aptly users, in batches of
// DefaultBatchSize (see WithBatchSize), and reports what became of each
// user id, in input order. req has no field every batch shares today: pass
// nil or an empty request (its UserIDs must be empty, the ids being passed
// as userIDs). An id that is not a UUID is not sent; a batch never holds
// one id twice.
//
// The answer only counts the users deleted: every user of a batch
// succeeded when the count is the batch's size, failed when it is 0, and
// is StateUnknown otherwise, with the count in Message, or when the answer
// has no count. After a batch took
// more than one attempt, a short count is unknown too: an earlier attempt
// may have deleted the users it leaves out.
//
// The error is what stopped the run early or nil, as for
// AptlyInvites.SendBulkAll; the report holds one outcome per id even then.
//
// Aptly: DELETE /v1/user/bulk-delete, in batches.
func (s *AptlyUsers) DeleteBulkAll(ctx context.Context, req *AptlyDeleteUsersRequest, userIDs []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.deleteSpec("aptly: Users.DeleteBulkAll", req), userIDs, opts)
}

// DeleteBulkSeq is DeleteBulkAll for a sequence of user ids of any length:
// outcomes come as the caller ranges, in input order, with bounded memory.
// A run that stops early reads userIDs no further, and breaking out of the
// range loop cancels the batches in flight, as for
// AptlyInvites.SendBulkSeq. Range over the result once.
//
// Aptly: DELETE /v1/user/bulk-delete, in batches.
func (s *AptlyUsers) DeleteBulkSeq(ctx context.Context, req *AptlyDeleteUsersRequest, userIDs iter.Seq[string], opts ...BulkOption) iter.Seq[Outcome[string]] {
	return streamBatches(ctx, s.deleteSpec("aptly: Users.DeleteBulkSeq", req), userIDs, opts)
}

func (s *AptlyUsers) deleteSpec(op string, req *AptlyDeleteUsersRequest) *batchSpec[string] {
	var p validate.Problems
	if req != nil && len(req.UserIDs) > 0 {
		p.Add("userIds", "must be empty in the request; pass the items as the bulk method's own argument")
	}
	ep := bulkDelete
	ep.op = op
	frame, err := newFrame(op, &struct {
		UserIDs json.RawMessage `json:"userIds"`
	}{json.RawMessage("[]")}, "userIds")
	return userIDSpec(op, batchTarget(s.client, ep), cmp.Or(validationError(op, &p), err), frame,
		func(ctx context.Context, body encodedBody, out []verdict) (*Response, error) {
			res := new(AptlyDeleteUsersResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err == nil {
				deleteVerdicts(out, res.DeletedCount, meta.Attempts)
			}
			return meta, err
		})
}

// deleteVerdicts settles a batch from the number of users the server
// deleted, with the request's attempts.
func deleteVerdicts(out []verdict, deleted, attempts int) {
	n := len(out)
	if deleted != n && attempts > 1 {
		v := verdict{state: StateUnknown, message: fmt.Sprintf("the server deleted %d of this batch's %d users on the last of %d attempts, and an earlier attempt may have deleted the rest; check this user", deleted, n, attempts)}
		for i := range out {
			out[i] = v
		}
		return
	}
	countVerdicts(out, deleted, max(n-deleted, 0), "deleted", "without saying which; check this user before sending it again")
}

// userIDSpec describes an Aptly bulk endpoint whose items are user ids:
// each a UUID, none twice in a batch, sent in frame's userIds list, to
// target (batchTarget). send sends one batch and settles out from its
// answer.
func userIDSpec(op, target string, precheck error, frame bodyFrame, send func(ctx context.Context, body encodedBody, out []verdict) (*Response, error)) *batchSpec[string] {
	return &batchSpec[string]{
		op:           op,
		defaultSize:  DefaultBatchSize,
		precheck:     precheck,
		prefix:       func(i int) string { return "userIds[" + itoa(i) + "]" },
		check:        func(p *validate.Problems, path string, id *string) { p.RequiredUUID(path, *id) },
		keys:         func(id *string) (string, string) { return strings.ToLower(*id), "" },
		frames:       []bodyFrame{frame},
		alreadyThere: func(string) bool { return false },
		target:       target,
		send: func(ctx context.Context, body encodedBody, _ []string, out []verdict) (*Response, error) {
			return send(ctx, body, out)
		},
	}
}

// countVerdicts settles a batch from an answer that only counts: every
// item succeeded when the server counts them all as done (verb) and none
// as failed, every item failed when it counts them all as failed and none
// as done, and otherwise each is unknown, with what the server counted
// followed by why.
func countVerdicts(out []verdict, done, failed int, verb, why string) {
	n := len(out)
	v := verdict{state: StateUnknown, message: fmt.Sprintf("the server counted %d of this batch's %d users as %s and %d as failed, %s", done, n, verb, failed, why)}
	switch {
	case done == n && failed == 0:
		v = verdict{state: StateSucceeded}
	case failed == n && done == 0:
		v = verdict{state: StateFailed, message: fmt.Sprintf("the server counted all %d users of this batch as failed and gave no reason", n)}
	}
	for i := range out {
		out[i] = v
	}
}

// AptlyUpdateEntitiesRequest is the body of Aptly's update of one user's
// entities (tenant, manager, roles, positions, groups) and profile.
//
// Aptly's documents give no required flags, and do not say what an absent
// field means; this SDK assumes a PATCH: every field is optional, an empty
// one is left out of the body, and the server leaves what is left out as it
// is. So this request cannot set a field to empty. Whether a list replaces
// the user's or adds to it is not documented either.
//
// The documented length limits are checked before sending, in characters:
// Name, DisplayName, FirstName, ActorType, AIAgentType and
// ProfileImageURL at most 50; LastName, AccountType, UserType,
// EmployeeType and EmploymentType at most 20; MobilePhone at most 25, of
// digits, spaces and + ( ) . -, at least 7; SourceID at most 100.
type AptlyUpdateEntitiesRequest struct {
	// TenantID is the user's tenant (a UUID).
	TenantID string `json:"tenantId,omitempty"`
	// ManagerID, RoleIDs, PositionIDs and the groups' ids are UUIDs.
	ManagerID   string                 `json:"managerId,omitempty"`
	RoleIDs     []string               `json:"roleIds,omitempty"`
	PositionIDs []string               `json:"positionIds,omitempty"`
	Groups      []AptlyGroupAssignment `json:"groups,omitempty"`
	// Email is the user's address. The documents' field table leaves it
	// out, but their example sends it.
	Email       string `json:"email,omitempty"`
	Name        string `json:"name,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	AccountType string `json:"accountType,omitempty"`
	UserType    string `json:"userType,omitempty"`
	EmployeeID  string `json:"employeeId,omitempty"`
	// EmployeeNumber, EmployeeType and EmploymentType are free text.
	EmployeeNumber string `json:"employeeNumber,omitempty"`
	EmployeeType   string `json:"employeeType,omitempty"`
	EmploymentType string `json:"employmentType,omitempty"`
	// MobilePhone is digits, spaces and + ( ) . -, 7 to 25 of them.
	MobilePhone     string `json:"mobilePhone,omitempty"`
	ProfileImageURL string `json:"profileImageUrl,omitempty"`
	// CurrencyCode and CurrencyName are the user's display currency,
	// such as "USD" and "US Dollars".
	CurrencyCode string `json:"currencyCode,omitempty"`
	CurrencyName string `json:"currencyName,omitempty"`
	// Status is one of the AptlyUser statuses, or empty.
	Status AptlyUserStatus `json:"status,omitempty"`
	// DateFormat is the user's date format, such as "MM/DD/YYYY".
	DateFormat string `json:"dateFormat,omitempty"`
	// SourceID identifies the user in the system they come from.
	SourceID    string `json:"sourceId,omitempty"`
	ActorType   string `json:"actorType,omitempty"`
	AIAgentType string `json:"aiAgentType,omitempty"`
	// StartDate and TerminationDate are sent only when set.
	StartDate       time.Time `json:"startDate,omitzero"`
	TerminationDate time.Time `json:"terminationDate,omitzero"`
	// CustomAttributes are the tenant's own fields, such as "department".
	CustomAttributes map[string]string `json:"customAttributes,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *AptlyUpdateEntitiesRequest) Validate() error {
	var p validate.Problems
	r.check(&p)
	return validationError("aptly: Users.UpdateEntities", &p)
}

// aptlyPhone is the documented pattern of an update's mobilePhone.
var aptlyPhone = regexp.MustCompile(`^[+()0-9.\s-]{7,25}$`)

func (r *AptlyUpdateEntitiesRequest) check(p *validate.Problems) {
	if r == nil {
		p.Add("request", "is nil")
		return
	}
	p.UUID("tenantId", r.TenantID)
	checkAptlyLinks(p, "", r.RoleIDs, r.Groups, r.ManagerID, r.PositionIDs)
	if r.Email != "" {
		p.Email("email", r.Email)
	}
	for _, f := range [...]struct {
		path, v string
		max     int
	}{
		{"name", r.Name, 50}, {"displayName", r.DisplayName, 50}, {"firstName", r.FirstName, 50},
		{"lastName", r.LastName, 20}, {"accountType", r.AccountType, 20}, {"userType", r.UserType, 20},
		{"employeeType", r.EmployeeType, 20}, {"employmentType", r.EmploymentType, 20},
		{"profileImageUrl", r.ProfileImageURL, 50}, {"sourceId", r.SourceID, 100},
		{"actorType", r.ActorType, 50}, {"aiAgentType", r.AIAgentType, 50},
	} {
		if n := utf8.RuneCountInString(f.v); n > f.max {
			p.Add(f.path, "is %d characters; Aptly takes at most %d", n, f.max)
		}
	}
	if r.MobilePhone != "" && !aptlyPhone.MatchString(r.MobilePhone) {
		p.Add("mobilePhone", "must be 7 to 25 of digits, spaces and + ( ) . - (Aptly's pattern %s)", aptlyPhone)
	}
	if r.Status != "" {
		r.Status.check(p, "status")
	}
	if !r.StartDate.IsZero() && !r.TerminationDate.IsZero() && r.TerminationDate.Before(r.StartDate) {
		p.Add("terminationDate", "is before startDate")
	}
}

var updateEntities = endpoint{op: "aptly: Users.UpdateEntities", method: http.MethodPatch, path: "/v1/user/update-entities/", envelope: true}

// UpdateEntities changes one Aptly user's tenant links (manager, roles,
// positions, groups) and profile fields, and returns the user as stored,
// unwrapped from Aptly's envelope. id is the user's id, a UUID (AptlyUser.ID):
// the documents name the path parameter without describing it, and the
// answer's user carries the id. Every problem with id and req is reported
// at once, before sending; see AptlyUpdateEntitiesRequest for what is assumed
// where the documents are silent. Sending the same request twice leaves
// the user as sending it once does.
//
// Aptly: PATCH /v1/user/update-entities/{id}.
func (s *AptlyUsers) UpdateEntities(ctx context.Context, id string, req *AptlyUpdateEntitiesRequest, opts ...CallOption) (*AptlyUser, error) {
	var p validate.Problems
	p.RequiredUUID("id", id)
	req.check(&p)
	if err := validationError(updateEntities.op, &p); err != nil {
		return nil, err
	}
	ep := updateEntities
	ep.path += url.PathEscape(id)
	u := new(AptlyUser)
	if err := s.client.call(ctx, ep, nil, req, u, opts); err != nil {
		return nil, err
	}
	return u, nil
}
