package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// RoyaltiUsers creates, lists, gets and deletes the users of the credential's
// Royalti workspace.
type RoyaltiUsers service

// RoyaltiWorkspaceUser is one person in Royalti's bulk user creation.
type RoyaltiWorkspaceUser struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	NickName  string `json:"nickName,omitempty"`
	UserType  string `json:"userType,omitempty"`
	// Email is required.
	Email string `json:"email"`
	// IPI is the Interested Party Information number.
	IPI     string `json:"ipi,omitempty"`
	Role    string `json:"role,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Country string `json:"country,omitempty"`
}

// RoyaltiCreateUsersRequest is the body of Royalti's bulk user creation.
type RoyaltiCreateUsersRequest struct {
	// Users are the people to create, at least one, each with their names.
	Users []RoyaltiWorkspaceUser `json:"users"`
	// SendEmail nil leaves the server's default, true.
	SendEmail *bool `json:"sendEmail,omitempty"`
	// RedirectURL is where people land; Message goes in the invite email.
	RedirectURL string `json:"redirect_url,omitempty"`
	Message     string `json:"message,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *RoyaltiCreateUsersRequest) Validate() error {
	var p validate.Problems
	if present(&p, r) {
		if len(r.Users) == 0 {
			p.Add("users", "needs at least one user")
		}
		for i := range r.Users {
			checkItem(&p, &r.Users[i], i, (*RoyaltiWorkspaceUser).check)
		}
	}
	return validationError("royalti: Users.CreateBulk", &p)
}

func (u *RoyaltiWorkspaceUser) check(p *validate.Problems, prefix string) {
	p.Email(prefix+"email", u.Email)
}

var createUsers = endpoint{op: "royalti: Users.CreateBulk", method: http.MethodPost, path: "/user/bulk"}

// CreateBulk creates several users in one request; the result ties the
// answer's names and errors to each user, and marks unknown any it cannot
// tie for certain, or refused as present after a retried request.
//
// Royalti: POST /user/bulk.
func (s *RoyaltiUsers) CreateBulk(ctx context.Context, req *RoyaltiCreateUsersRequest, opts ...CallOption) (*RoyaltiCreateUsersResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	meta, opts := callResponse(opts)
	res := new(RoyaltiCreateUsersResult)
	if err := s.client.call(ctx, createUsers, nil, req, res, opts); err != nil {
		return nil, err
	}
	results := matchCreated(len(req.Users), func(i int) *RoyaltiWorkspaceUser { return &req.Users[i] }, res.CreatedUsers, res.Errors)
	res.Outcomes = make([]Outcome[RoyaltiWorkspaceUser], len(results))
	for i, r := range results {
		res.Outcomes[i] = Outcome[RoyaltiWorkspaceUser]{Index: i, Item: req.Users[i], State: stateOf(r.Verdict), Message: r.Reason}
	}
	markDoneEarlier(res.Outcomes, meta.Attempts)
	return res, nil
}

// RoyaltiCreateUsersResult is Royalti's answer to a bulk user creation.
type RoyaltiCreateUsersResult struct {
	Message string `json:"message"`
	// CreatedUsers names ("First Last") those created; Errors, those refused.
	CreatedUsers   []string `json:"createdUsers"`
	ProcessedCount int      `json:"processedCount"`
	Errors         []string `json:"errors"`
	// Outcomes holds one entry per user sent, in order, matched by this SDK.
	Outcomes []Outcome[RoyaltiWorkspaceUser] `json:"-"`
}

// CreateBulkAll creates any number of users in batches; req's Users must be
// empty. A user no answer can be tied to for certain is StateUnknown.
//
// Royalti: POST /user/bulk, in batches.
func (s *RoyaltiUsers) CreateBulkAll(ctx context.Context, req *RoyaltiCreateUsersRequest, users []RoyaltiWorkspaceUser, opts ...BulkOption) (*BulkReport[RoyaltiWorkspaceUser], error) {
	return collectBatches(ctx, s.createBulkSpec("royalti: Users.CreateBulkAll", req), users, opts)
}

// CreateBulkSeq is CreateBulkAll for a sequence of any length.
//
// Royalti: POST /user/bulk, in batches.
func (s *RoyaltiUsers) CreateBulkSeq(ctx context.Context, req *RoyaltiCreateUsersRequest, users iter.Seq[RoyaltiWorkspaceUser], opts ...BulkOption) iter.Seq[Outcome[RoyaltiWorkspaceUser]] {
	return streamBatches(ctx, s.createBulkSpec("royalti: Users.CreateBulkSeq", req), users, opts)
}

func (s *RoyaltiUsers) createBulkSpec(op string, req *RoyaltiCreateUsersRequest) *batchSpec[RoyaltiWorkspaceUser] {
	var p validate.Problems
	var template RoyaltiCreateUsersRequest
	if checkTemplate(&p, req, "users", req != nil && len(req.Users) > 0) {
		template = *req
	}
	ep := createUsers.as(op)
	frame, err := newFrame(op, &struct {
		RoyaltiCreateUsersRequest
		Users json.RawMessage `json:"users"`
	}{template, json.RawMessage("[]")}, "users")
	return &batchSpec[RoyaltiWorkspaceUser]{
		op:          op,
		defaultSize: defaultBatchSize,
		precheck:    cmp.Or(validationError(op, &p), err),
		prefix:      func(i int) string { return "users[" + itoa(i) + "]." },
		check:       func(p *validate.Problems, prefix string, u *RoyaltiWorkspaceUser) { u.check(p, prefix) },
		keys: func(u *RoyaltiWorkspaceUser) (string, string) {
			return match.Key(fullName(u.FirstName, u.LastName)), match.Key(u.Email)
		},
		frames:       []bodyFrame{frame},
		alreadyThere: match.RoyaltiAlready,
		target:       batchTarget(s.client, ep),
		readBack:     royaltiRead(s.client, royaltiCreated, func(u *RoyaltiWorkspaceUser) string { return u.Email }, func(u *RoyaltiUser) string { return cmp.Or(u.Email, u.User.Email) }, 3),
		send: func(ctx context.Context, body encodedBody, item func(int) *RoyaltiWorkspaceUser, out []verdict) (*Response, error) {
			res := new(RoyaltiCreateUsersResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return meta, err
			}
			for i, r := range matchCreated(len(out), item, res.CreatedUsers, res.Errors) {
				out[i] = verdict{state: stateOf(r.Verdict), message: r.Reason}
			}
			return meta, nil
		},
	}
}

// matchCreated ties Royalti's created names and error texts to n users.
func matchCreated(n int, user func(i int) *RoyaltiWorkspaceUser, created, errs []string) []match.Result {
	people := make([]match.Person, n)
	for i := range people {
		u := user(i)
		people[i] = match.Person{Name: fullName(u.FirstName, u.LastName), Email: u.Email}
	}
	return match.Royalti(people, created, errs)
}

func stateOf(v match.Verdict) State {
	switch v {
	case match.Created:
		return StateSucceeded
	case match.Failed:
		return StateFailed
	}
	return StateUnknown
}

// markDoneEarlier makes unknown the users refused as present by a retried
// request: an earlier attempt may have created them.
func markDoneEarlier(outs []Outcome[RoyaltiWorkspaceUser], attempts int) {
	for i := range outs {
		o := &outs[i]
		o.Attempts = attempts
		if attempts > 1 && o.State == StateFailed && match.RoyaltiAlready(o.Message) {
			o.State, o.Message = StateUnknown, doneEarlier(o.Message, attempts)
		}
	}
}

// RoyaltiListUsersOptions filters, sorts and pages a Royalti workspace's
// users; the zero value lists all, in the server's order.
type RoyaltiListUsersOptions struct {
	// Query keeps users whose name or email contains it.
	Query string `url:"q,omitempty"`
	// Page is the first page, from 1.
	Page int `url:"page,omitempty"`
	// Size is the page size, 1 to 100; 0 means 100.
	Size int `url:"size,omitempty"`
	// Accounting asks for accounting data (undocumented: see WithResponse).
	Accounting bool     `url:"accounting,omitempty"`
	Attributes []string `url:"attributes,comma,omitempty"`
	// Sort is createdAt, updatedAt, name or split; Order asc or desc.
	Sort       string `url:"sort,omitempty"`
	Order      string `url:"order,omitempty"`
	ExternalID string `url:"externalId,omitempty"`
	// Roles keeps the users with one of these roles, such as "admin".
	Roles []string `url:"role,comma,omitempty"`
}

func (o *RoyaltiListUsersOptions) validate() error {
	var p validate.Problems
	if o != nil {
		checkPaging(&p, o.Page, o.Size)
		p.OneOf("sort", o.Sort, "createdAt", "updatedAt", "name", "split")
		p.OneOf("order", o.Order, "asc", "desc")
	}
	return validationError("royalti: Users.List", &p)
}

// royaltiUserPage is one page of a Royalti workspace's users.
type royaltiUserPage struct {
	Message string        `json:"message"`
	Users   []RoyaltiUser `json:"Users"`
	Count   int           `json:"count"`
	// TotalUsers counts the users that match the filters.
	TotalUsers int `json:"totalUsers"`
	// AccountingMetadata is kept as sent: its fields are not documented.
	AccountingMetadata json.RawMessage `json:"accountingMetadata,omitempty"`
}

var royaltiListUsers = endpoint{op: "royalti: Users.List", method: http.MethodGet, path: "/user/"}

// List returns an iterator over a Royalti workspace's users, fetching pages
// as the caller ranges. A list that changes while it is read may show a
// user twice or not at all: collect it, then act (see ErrPageRepeated).
//
// Royalti: GET /user/.
func (s *RoyaltiUsers) List(ctx context.Context, list *RoyaltiListUsersOptions, opts ...CallOption) iter.Seq2[RoyaltiUser, error] {
	q := valueOf(list)
	return royaltiList(ctx, royaltiListUsers.op, q.Page, func(u *RoyaltiUser) string { return u.ID }, func(ctx context.Context, n int) ([]RoyaltiUser, int, error) {
		q.Page = n
		var p royaltiUserPage
		err := s.listPage(ctx, &q, &p, opts...)
		return p.Users, p.TotalUsers, err
	})
}

func (s *RoyaltiUsers) listPage(ctx context.Context, list *RoyaltiListUsersOptions, res *royaltiUserPage, opts ...CallOption) error {
	if err := list.validate(); err != nil {
		return err
	}
	q := valueOf(list)
	q.Page, q.Size = cmp.Or(q.Page, 1), cmp.Or(q.Size, royaltiMaxPageSize)
	return s.client.call(ctx, royaltiListUsers, &q, nil, res, opts)
}

// Get returns the user id (a UUID, as List gives) with their current
// invite, if any.
//
// Royalti: GET /user/{id}.
func (s *RoyaltiUsers) Get(ctx context.Context, id string, opts ...CallOption) (*RoyaltiUserDetail, error) {
	if err := royaltiIDError("royalti: Users.Get", "id", id); err != nil {
		return nil, err
	}
	ep := endpoint{op: "royalti: Users.Get", method: http.MethodGet, path: "/user/" + url.PathEscape(id)}
	u := new(RoyaltiUserDetail)
	return result(u, s.client.call(ctx, ep, nil, nil, u, opts))
}

// Delete removes the user id from the workspace. The documents do not show
// the answer, so any 2xx is done. After a retry, ErrNotFound may mean an
// earlier attempt deleted the user.
//
// Royalti: DELETE /user/{id}.
func (s *RoyaltiUsers) Delete(ctx context.Context, id string, opts ...CallOption) error {
	if err := royaltiIDError("royalti: Users.Delete", "id", id); err != nil {
		return err
	}
	ep := endpoint{op: "royalti: Users.Delete", method: http.MethodDelete, path: "/user/" + url.PathEscape(id)}
	return s.client.call(ctx, ep, nil, nil, nil, opts)
}

// RoyaltiAddToWorkspaceRequest is the optional body of AddToWorkspace.
type RoyaltiAddToWorkspaceRequest struct {
	RedirectURL string `json:"redirect_url,omitempty"`
	// SendEmail nil leaves the server's default, true.
	SendEmail *bool `json:"sendEmail,omitempty"`
}

// AddToWorkspace adds the user id to the workspace (Royalti's "Add User to
// Tenant"), emailing an invite unless req.SendEmail is false; req may be
// nil. Any 2xx is done; a repeated call may send another email.
//
// Royalti: PUT /user/{id}/aut.
func (s *RoyaltiUsers) AddToWorkspace(ctx context.Context, id string, req *RoyaltiAddToWorkspaceRequest, opts ...CallOption) error {
	if err := royaltiIDError("royalti: Users.AddToWorkspace", "id", id); err != nil {
		return err
	}
	var body any // no body at all for a nil req
	if req != nil {
		body = req
	}
	ep := endpoint{op: "royalti: Users.AddToWorkspace", method: http.MethodPut, path: "/user/" + url.PathEscape(id) + "/aut"}
	return s.client.call(ctx, ep, nil, body, nil, opts)
}

// RoyaltiDeleteUsersRequest is the body of Royalti's bulk user deletion.
type RoyaltiDeleteUsersRequest struct {
	// IDs are the users to delete; at least one, each once.
	IDs []string `json:"ids"`
}

func (r *RoyaltiDeleteUsersRequest) validate() error {
	var p validate.Problems
	if present(&p, r) {
		if len(r.IDs) == 0 {
			p.Add("ids", "needs at least one id")
		}
		first := make(map[string]int, len(r.IDs))
		for i, id := range r.IDs {
			path := "ids[" + itoa(i) + "]"
			p.RequiredUUID(path, id)
			key := strings.ToLower(id)
			if j, ok := first[key]; ok {
				p.Add(path, "repeats ids[%d]; send each id once, so that the answer can be tied to it", j)
				continue
			}
			first[key] = i
		}
	}
	return validationError("royalti: Users.DeleteBulk", &p)
}

// RoyaltiDeleteUsersResult is Royalti's answer to a bulk user deletion.
type RoyaltiDeleteUsersResult struct {
	Message        string `json:"message"`
	ProcessedCount int    `json:"processedCount"`
	// FailedDeletions are the ids not deleted.
	FailedDeletions []string `json:"failedDeletions"`
	// Outcomes holds one entry per id sent, in order, matched by this SDK.
	Outcomes []Outcome[string] `json:"-"`
}

var royaltiDeleteUsers = endpoint{op: "royalti: Users.DeleteBulk", method: http.MethodPost, path: "/user/bulk/delete"}

// DeleteBulk deletes several users in one request. An id in
// failedDeletions failed; the rest succeeded when processedCount is the
// ids sent or those less the failures (the documents do not say which),
// and are unknown otherwise, or after a retried request.
//
// Royalti: POST /user/bulk/delete.
func (s *RoyaltiUsers) DeleteBulk(ctx context.Context, req *RoyaltiDeleteUsersRequest, opts ...CallOption) (*RoyaltiDeleteUsersResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	meta, opts := callResponse(opts)
	res := new(RoyaltiDeleteUsersResult)
	if err := s.client.call(ctx, royaltiDeleteUsers, nil, req, res, opts); err != nil {
		return nil, err
	}
	out := make([]verdict, len(req.IDs))
	matchDeletions(req.IDs, res, out)
	res.Outcomes = make([]Outcome[string], len(out))
	for i, v := range out {
		if v.state == StateFailed && meta.Attempts > 1 {
			v.state, v.message = StateUnknown, doneEarlier(v.message, meta.Attempts)
		}
		res.Outcomes[i] = Outcome[string]{Index: i, Item: req.IDs[i], State: v.state, Message: v.message, Attempts: meta.Attempts}
	}
	return res, nil
}

// DeleteBulkAll deletes any number of users in batches, each answer read as
// DeleteBulk reads it; req may be nil.
//
// Royalti: POST /user/bulk/delete, in batches.
func (s *RoyaltiUsers) DeleteBulkAll(ctx context.Context, req *RoyaltiDeleteUsersRequest, ids []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.deleteBulkSpec("royalti: Users.DeleteBulkAll", req), ids, opts)
}

// DeleteBulkSeq is DeleteBulkAll for a sequence of any length.
//
// Royalti: POST /user/bulk/delete, in batches.
func (s *RoyaltiUsers) DeleteBulkSeq(ctx context.Context, req *RoyaltiDeleteUsersRequest, ids iter.Seq[string], opts ...BulkOption) iter.Seq[Outcome[string]] {
	return streamBatches(ctx, s.deleteBulkSpec("royalti: Users.DeleteBulkSeq", req), ids, opts)
}

func (s *RoyaltiUsers) deleteBulkSpec(op string, req *RoyaltiDeleteUsersRequest) *batchSpec[string] {
	var p validate.Problems
	if req != nil && len(req.IDs) > 0 {
		p.Add("ids", "must be empty in the request; pass the ids as the bulk method's own argument")
	}
	ep := royaltiDeleteUsers.as(op)
	frame, err := newFrame(op, &struct {
		IDs json.RawMessage `json:"ids"`
	}{json.RawMessage("[]")}, "ids")
	return &batchSpec[string]{
		op:          op,
		defaultSize: defaultBatchSize,
		precheck:    cmp.Or(validationError(op, &p), err),
		prefix:      func(i int) string { return "ids[" + itoa(i) + "]" },
		check:       func(p *validate.Problems, prefix string, id *string) { p.RequiredUUID(prefix, *id) },
		keys:        func(id *string) (string, string) { return strings.ToLower(*id), "" },
		frames:      []bodyFrame{frame},
		// failedDeletions gives no reason: after a retry, a listed id may be done.
		alreadyThere: func(string) bool { return true },
		target:       batchTarget(s.client, ep),
		readBack:     royaltiRead(s.client, royaltiDeleted, userID, func(u *RoyaltiUser) string { return u.ID }, 0),
		send: func(ctx context.Context, body encodedBody, item func(int) *string, out []verdict) (*Response, error) {
			res := new(RoyaltiDeleteUsersResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err == nil {
				ids := make([]string, len(out))
				for i := range ids {
					ids[i] = *item(i)
				}
				matchDeletions(ids, res, out)
			}
			return meta, err
		},
	}
}

// matchDeletions ties a bulk deletion's answer to each id, as DeleteBulk says.
func matchDeletions(ids []string, res *RoyaltiDeleteUsersResult, out []verdict) {
	for i, r := range match.RoyaltiDeleted(ids, res.FailedDeletions, res.ProcessedCount) {
		out[i] = verdict{state: stateOf(r.Verdict), message: r.Reason}
	}
}
