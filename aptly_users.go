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

	"github.com/onboardkit/onboard/internal/readback"
	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyUsers creates, lists, updates and deletes Aptly users.
type AptlyUsers service

// AptlyCreateUserRequest is the body of Aptly's create-user call.
type AptlyCreateUserRequest struct {
	// TenantID (a UUID), FirstName, LastName and Email are required.
	TenantID    string `json:"tenantId"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// RoleIDs, ManagerID, PositionIDs and the groups' ids are UUIDs.
	RoleIDs     []string               `json:"roleIds,omitempty"`
	Groups      []AptlyGroupAssignment `json:"groups,omitempty"`
	ManagerID   string                 `json:"managerId,omitempty"`
	PositionIDs []string               `json:"positionIds,omitempty"`
	// InviteViaEmail nil leaves it to the server.
	InviteViaEmail *bool `json:"inviteViaEmail,omitempty"`
}

func (r *AptlyCreateUserRequest) validate() error {
	var p validate.Problems
	if present(&p, r) {
		p.RequiredUUID("tenantId", r.TenantID)
		p.Required("firstName", r.FirstName)
		p.Required("lastName", r.LastName)
		p.Email("email", r.Email)
		checkAptlyLinks(&p, "", r.RoleIDs, r.Groups, r.ManagerID, r.PositionIDs)
	}
	return validationError("aptly: Users.Create", &p)
}

// checkAptlyLinks checks the ids that tie an Aptly user to roles, groups, a
// manager and positions; prefix is the user's path ("users[2].").
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

// Create creates one user in an Aptly tenant and returns it as stored.
//
// Aptly: POST /v1/user/create.
func (s *AptlyUsers) Create(ctx context.Context, req *AptlyCreateUserRequest, opts ...CallOption) (*AptlyUser, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	u := new(AptlyUser)
	return result(u, s.client.call(ctx, createUser, nil, req, u, opts))
}

// AptlyListUsersOptions selects a page of Aptly's user list. The documents
// show no query parameters: the answer's page and limit are sent.
type AptlyListUsersOptions struct {
	// Page is the first page, from 1; Limit the page size (0: the server's).
	Page  int `url:"page,omitempty"`
	Limit int `url:"limit,omitempty"`
}

func (o *AptlyListUsersOptions) validate() error {
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

// aptlyUserPage is one page of Aptly's user list.
type aptlyUserPage struct {
	Page  int         `json:"page"`
	Limit int         `json:"limit"`
	Total int         `json:"total"` // users in the whole list
	Users []AptlyUser `json:"data"`
}

var listUsers = endpoint{op: "aptly: Users.List", method: http.MethodGet, path: "/v1/user", envelope: true}

// List returns an iterator over Aptly's users, fetching pages as the caller
// ranges. A list that changes while it is read may show a user twice or
// not at all: collect it, then act (see ErrPageRepeated).
//
// Aptly: GET /v1/user.
func (s *AptlyUsers) List(ctx context.Context, opts *AptlyListUsersOptions, callOpts ...CallOption) iter.Seq2[AptlyUser, error] {
	if err := opts.validate(); err != nil {
		return func(yield func(AptlyUser, error) bool) { yield(AptlyUser{}, err) }
	}
	q := valueOf(opts)
	fetch := func(ctx context.Context, n int) (page[AptlyUser], error) {
		pq := q
		pq.Page = n
		var p aptlyUserPage
		err := s.client.call(ctx, listUsers, &pq, nil, &p, callOpts)
		if p.Total <= 0 && len(p.Users) > 0 {
			p.Total = -1 // a total the page contradicts: end on an empty page
		}
		return page[AptlyUser]{items: p.Users, total: p.Total}, err
	}
	return listAll(ctx, listUsers.op, max(q.Page, 1), func(u *AptlyUser) string { return u.ID }, fetch)
}

// checkUserIDs checks the ids of an Aptly bulk request: at least one UUID.
func checkUserIDs(p *validate.Problems, ids []string) {
	if len(ids) == 0 {
		p.Add("userIds", "needs at least one user id")
	}
	p.UUIDs("userIds", ids)
}

// AptlyUpdateStatusRequest sets one status on several Aptly users. It names
// no tenant; the documents show none.
type AptlyUpdateStatusRequest struct {
	UserIDs []string        `json:"userIds"`
	Status  AptlyUserStatus `json:"status"`
}

func (r *AptlyUpdateStatusRequest) validate() error {
	var p validate.Problems
	if present(&p, r) {
		checkUserIDs(&p, r.UserIDs)
		r.Status.check(&p, "status")
	}
	return validationError("aptly: Users.UpdateStatusBulk", &p)
}

// AptlyUpdateStatusResult is Aptly's answer to a bulk status update: counts
// only, not which users failed.
type AptlyUpdateStatusResult struct {
	Total           int `json:"total"`
	SuccessfulCount int `json:"successful"`
	FailedCount     int `json:"failed"`
}

var bulkStatus = endpoint{op: "aptly: Users.UpdateStatusBulk", method: http.MethodPatch, path: "/v1/user/bulk-status-update", envelope: true}

// UpdateStatusBulk sets one status on several Aptly users and returns the
// server's counts. It assumes a repeated request changes nothing more (the
// documents do not say).
//
// Aptly: PATCH /v1/user/bulk-status-update.
func (s *AptlyUsers) UpdateStatusBulk(ctx context.Context, req *AptlyUpdateStatusRequest, opts ...CallOption) (*AptlyUpdateStatusResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res := new(AptlyUpdateStatusResult)
	return result(res, s.client.call(ctx, bulkStatus, nil, req, res, opts))
}

// UpdateStatusBulkAll sets req.Status on any number of Aptly users in
// batches. The answer only counts, so a batch neither all done nor all
// failed is StateUnknown; smaller batches narrow it down.
//
// Aptly: PATCH /v1/user/bulk-status-update, in batches.
func (s *AptlyUsers) UpdateStatusBulkAll(ctx context.Context, req *AptlyUpdateStatusRequest, userIDs []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.statusSpec("aptly: Users.UpdateStatusBulkAll", req), userIDs, opts)
}

// UpdateStatusBulkSeq is UpdateStatusBulkAll for a sequence of any length.
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
	ep := bulkStatus.as(op)
	frame, err := newFrame(op, &struct {
		AptlyUpdateStatusRequest
		UserIDs json.RawMessage `json:"userIds"`
	}{template, json.RawMessage("[]")}, "userIds")
	return userIDSpec(op, batchTarget(s.client, ep), cmp.Or(validationError(op, &p), err), frame, aptlyRead(s.client, aptlyStatusRule(template.Status), userID, aptlyUserID),
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

// AptlyDeleteUsersRequest deletes several Aptly users. The documents show
// only an example, {"userIds": [...]}; no tenant is sent.
type AptlyDeleteUsersRequest struct {
	UserIDs []string `json:"userIds"`
}

func (r *AptlyDeleteUsersRequest) validate() error {
	var p validate.Problems
	if present(&p, r) {
		checkUserIDs(&p, r.UserIDs)
	}
	return validationError("aptly: Users.DeleteBulk", &p)
}

// AptlyDeleteUsersResult is Aptly's answer to a bulk delete: how many users
// it deleted. An answer without the count fails with ErrUnexpectedResponse.
type AptlyDeleteUsersResult struct {
	DeletedCount int `json:"deletedCount"`
}

// aptlyDeleteWire decodes an AptlyDeleteUsersResult, which needs deletedCount.
type aptlyDeleteWire AptlyDeleteUsersResult

func (r *aptlyDeleteWire) UnmarshalJSON(data []byte) error {
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

// DeleteBulk deletes several Aptly users and returns how many were deleted.
// Whether the delete is soft or hard is not documented. After a retried
// request an earlier attempt may have deleted users the count leaves out.
//
// Aptly: DELETE /v1/user/bulk-delete.
func (s *AptlyUsers) DeleteBulk(ctx context.Context, req *AptlyDeleteUsersRequest, opts ...CallOption) (*AptlyDeleteUsersResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res := new(AptlyDeleteUsersResult)
	return result(res, s.client.call(ctx, bulkDelete, nil, req, (*aptlyDeleteWire)(res), opts))
}

// DeleteBulkAll deletes any number of Aptly users in batches; req may be
// nil. A batch whose count is neither its size nor 0, or short after a
// retry, is StateUnknown.
//
// Aptly: DELETE /v1/user/bulk-delete, in batches.
func (s *AptlyUsers) DeleteBulkAll(ctx context.Context, req *AptlyDeleteUsersRequest, userIDs []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.deleteSpec("aptly: Users.DeleteBulkAll", req), userIDs, opts)
}

// DeleteBulkSeq is DeleteBulkAll for a sequence of any length.
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
	ep := bulkDelete.as(op)
	frame, err := newFrame(op, &struct {
		UserIDs json.RawMessage `json:"userIds"`
	}{json.RawMessage("[]")}, "userIds")
	return userIDSpec(op, batchTarget(s.client, ep), cmp.Or(validationError(op, &p), err), frame, aptlyRead(s.client, aptlyDeleted, userID, aptlyUserID),
		func(ctx context.Context, body encodedBody, out []verdict) (*Response, error) {
			res := new(AptlyDeleteUsersResult)
			meta, err := sendBatch(ctx, s.client, ep, body, (*aptlyDeleteWire)(res))
			if err == nil {
				deleteVerdicts(out, res.DeletedCount, meta.Attempts)
			}
			return meta, err
		})
}

// deleteVerdicts settles a batch from the count deleted and the attempts.
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

// userIDSpec describes an Aptly bulk endpoint whose items are user ids.
func userIDSpec(op, target string, precheck error, frame bodyFrame, read readback.Reader[string], send func(ctx context.Context, body encodedBody, out []verdict) (*Response, error)) *batchSpec[string] {
	return &batchSpec[string]{
		op:           op,
		defaultSize:  defaultBatchSize,
		precheck:     precheck,
		prefix:       func(i int) string { return "userIds[" + itoa(i) + "]" },
		check:        func(p *validate.Problems, path string, id *string) { p.RequiredUUID(path, *id) },
		keys:         func(id *string) (string, string) { return strings.ToLower(*id), "" },
		frames:       []bodyFrame{frame},
		alreadyThere: func(string) bool { return false },
		target:       target,
		readBack:     read,
		send: func(ctx context.Context, body encodedBody, _ func(int) *string, out []verdict) (*Response, error) {
			return send(ctx, body, out)
		},
	}
}

func userID(id *string) string { return *id }

func aptlyUserID(u *AptlyUser) string { return u.ID }

// countVerdicts settles a batch from an answer that only counts.
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

// AptlyUpdateEntitiesRequest changes one Aptly user's entities and profile.
// It is taken as a PATCH (the documents give no required flags): an empty
// field is left out and kept, so no field can be set empty.
type AptlyUpdateEntitiesRequest struct {
	TenantID string `json:"tenantId,omitempty"`
	// ManagerID, RoleIDs, PositionIDs, the groups' ids and TenantID are UUIDs.
	ManagerID   string                 `json:"managerId,omitempty"`
	RoleIDs     []string               `json:"roleIds,omitempty"`
	PositionIDs []string               `json:"positionIds,omitempty"`
	Groups      []AptlyGroupAssignment `json:"groups,omitempty"`
	// Email is in the documents' example, not their field table.
	Email            string            `json:"email,omitempty"`
	Name             string            `json:"name,omitempty"`
	DisplayName      string            `json:"displayName,omitempty"`
	FirstName        string            `json:"firstName,omitempty"`
	LastName         string            `json:"lastName,omitempty"`
	AccountType      string            `json:"accountType,omitempty"`
	UserType         string            `json:"userType,omitempty"`
	EmployeeID       string            `json:"employeeId,omitempty"`
	EmployeeNumber   string            `json:"employeeNumber,omitempty"`
	EmployeeType     string            `json:"employeeType,omitempty"`
	EmploymentType   string            `json:"employmentType,omitempty"`
	MobilePhone      string            `json:"mobilePhone,omitempty"`
	ProfileImageURL  string            `json:"profileImageUrl,omitempty"`
	CurrencyCode     string            `json:"currencyCode,omitempty"`
	CurrencyName     string            `json:"currencyName,omitempty"`
	Status           AptlyUserStatus   `json:"status,omitempty"`
	DateFormat       string            `json:"dateFormat,omitempty"`
	SourceID         string            `json:"sourceId,omitempty"`
	ActorType        string            `json:"actorType,omitempty"`
	AIAgentType      string            `json:"aiAgentType,omitempty"`
	StartDate        time.Time         `json:"startDate,omitzero"`
	TerminationDate  time.Time         `json:"terminationDate,omitzero"`
	CustomAttributes map[string]string `json:"customAttributes,omitempty"`
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

// UpdateEntities changes one Aptly user's links and profile and returns the
// user as stored. id is the user's id, a UUID (AptlyUser.ID), which the
// documents do not describe.
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
	return result(u, s.client.call(ctx, ep, nil, req, u, opts))
}
