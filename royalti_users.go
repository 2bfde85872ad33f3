package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// RoyaltiUsers creates, lists, gets and deletes the users of a Royalti
// workspace. Reach it as RoyaltiClient.Users.
type RoyaltiUsers service

// RoyaltiWorkspaceUser is one person in Royalti's bulk user creation.
type RoyaltiWorkspaceUser struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	NickName  string `json:"nickName,omitempty"`
	UserType  string `json:"userType,omitempty"`
	// Email is the person's address. Required.
	Email string `json:"email"`
	// IPI is the person's Interested Party Information number.
	IPI     string `json:"ipi,omitempty"`
	Role    string `json:"role,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Country string `json:"country,omitempty"`
}

// RoyaltiCreateUsersRequest is the body of Royalti's bulk user creation.
type RoyaltiCreateUsersRequest struct {
	// Users lists the people to create; at least one. Royalti reports
	// results by name ("First Last"), so give each person their names.
	Users []RoyaltiWorkspaceUser `json:"users"`
	// SendEmail says whether Royalti emails each person an invite; the
	// server's default is true. Ptr(false) really sends false.
	SendEmail *bool `json:"sendEmail,omitempty"`
	// RedirectURL is where people land after accepting.
	RedirectURL string `json:"redirect_url,omitempty"`
	// Message is a custom message for the invite email.
	Message string `json:"message,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *RoyaltiCreateUsersRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("royalti: Users.CreateBulk", &p)
	}
	if len(r.Users) == 0 {
		p.Add("users", "needs at least one user")
	}
	for i := range r.Users {
		checkItem(&p, &r.Users[i], i, (*RoyaltiWorkspaceUser).check)
	}
	return validationError("royalti: Users.CreateBulk", &p)
}

func (u *RoyaltiWorkspaceUser) check(p *validate.Problems, prefix string) {
	p.Email(prefix+"email", u.Email)
}

var createUsers = endpoint{op: "royalti: Users.CreateBulk", method: http.MethodPost, path: "/user/bulk"}

// CreateBulk creates several users in the credential's Royalti workspace in
// one request. Royalti answers with the names it created and error strings;
// the result matches them back to each submitted user in Outcomes, marking
// any it cannot match as unknown rather than guessing. After a retried
// request, a user refused as already in the workspace is unknown too: the
// earlier attempt may have created them.
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
	res.Outcomes = matchCreated(req.Users, res.CreatedUsers, res.Errors)
	markDoneEarlier(res.Outcomes, meta.Attempts)
	return res, nil
}

// RoyaltiCreateUsersResult is Royalti's answer to a bulk user creation, with the
// answer matched back to each submitted user in Outcomes.
type RoyaltiCreateUsersResult struct {
	// Message is the server's summary, such as "Done.".
	Message string `json:"message"`
	// CreatedUsers holds the names ("First Last") of the users created.
	CreatedUsers []string `json:"createdUsers"`
	// ProcessedCount is the server's count of processed users.
	ProcessedCount int `json:"processedCount"`
	// Errors holds the server's error texts, one per refused user.
	Errors []string `json:"errors"`
	// Outcomes holds one entry per submitted user, in the order sent, with
	// Index its position in the request's Users and Message the server's
	// error text or why the answer could not be tied to the user. It is
	// not part of the server's answer. A user the answer refuses as
	// "already associated with workspace" is StateUnknown, not
	// StateFailed, when the request took more than one attempt: the
	// earlier attempt may have created them.
	Outcomes []Outcome[RoyaltiWorkspaceUser] `json:"-"`
}

// Succeeded returns the outcomes of the users created.
func (r *RoyaltiCreateUsersResult) Succeeded() []Outcome[RoyaltiWorkspaceUser] {
	return filter(r.Outcomes, func(o Outcome[RoyaltiWorkspaceUser]) bool { return o.State == StateSucceeded })
}

// Failed returns the outcomes of the users the server refused.
func (r *RoyaltiCreateUsersResult) Failed() []Outcome[RoyaltiWorkspaceUser] {
	return filter(r.Outcomes, func(o Outcome[RoyaltiWorkspaceUser]) bool { return o.State == StateFailed })
}

// Unknown returns the outcomes of the users the answer could not be tied to,
// such as two users with the same name of whom one was created.
func (r *RoyaltiCreateUsersResult) Unknown() []Outcome[RoyaltiWorkspaceUser] {
	return filter(r.Outcomes, func(o Outcome[RoyaltiWorkspaceUser]) bool { return o.State == StateUnknown })
}

// CreateBulkAll creates any number of users in the credential's Royalti
// workspace, in batches of DefaultBatchSize (see WithBatchSize), and
// reports what became of each, in input order. req gives the settings
// every batch shares (SendEmail, RedirectURL, Message); its Users must be
// empty, the users being passed as users. Each user is checked alone
// first; an invalid one is not sent, and the rest go on.
//
// Royalti answers with names and error texts only; they are tied back to
// each user by name ("First Last") and email. A batch never holds one name
// or one email twice (case-folded), so other users sharing one go in later
// batches rather than becoming ambiguous. A user the answer cannot be tied
// to for certain, such as one without a name, is StateUnknown, never
// guessed as created.
//
// The error is what stopped the run early or nil, as for
// AptlyInvites.SendBulkAll; the report holds one outcome per user even
// then.
//
// Royalti: POST /user/bulk, in batches.
func (s *RoyaltiUsers) CreateBulkAll(ctx context.Context, req *RoyaltiCreateUsersRequest, users []RoyaltiWorkspaceUser, opts ...BulkOption) (*BulkReport[RoyaltiWorkspaceUser], error) {
	return collectBatches(ctx, s.createBulkSpec("royalti: Users.CreateBulkAll", req), users, opts)
}

// CreateBulkSeq is CreateBulkAll for a sequence of any length: outcomes come
// as the caller ranges, in input order, with bounded memory. A run that
// stops early reads users no further, and breaking out of the range loop
// cancels the batches in flight, as for AptlyInvites.SendBulkSeq. Range
// over the result once.
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
	ep := createUsers
	ep.op = op
	frame, err := newFrame(op, &struct {
		RoyaltiCreateUsersRequest
		Users json.RawMessage `json:"users"`
	}{template, json.RawMessage("[]")}, "users")
	return &batchSpec[RoyaltiWorkspaceUser]{
		op:          op,
		defaultSize: DefaultBatchSize,
		precheck:    cmp.Or(validationError(op, &p), err),
		prefix:      func(i int) string { return "users[" + itoa(i) + "]." },
		check:       func(p *validate.Problems, prefix string, u *RoyaltiWorkspaceUser) { u.check(p, prefix) },
		keys: func(u *RoyaltiWorkspaceUser) (string, string) {
			return match.Key(fullName(u.FirstName, u.LastName)), match.Key(u.Email)
		},
		frames:       []bodyFrame{frame},
		alreadyThere: match.RoyaltiAlready,
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []RoyaltiWorkspaceUser, out []verdict) (*Response, error) {
			res := new(RoyaltiCreateUsersResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err != nil {
				return meta, err
			}
			for i, o := range matchCreated(batch, res.CreatedUsers, res.Errors) {
				out[i] = verdict{state: o.State, message: o.Message}
			}
			return meta, nil
		},
	}
}

// matchCreated ties Royalti's created names and error texts to the users.
func matchCreated(users []RoyaltiWorkspaceUser, created, errs []string) []Outcome[RoyaltiWorkspaceUser] {
	people := make([]match.Person, len(users))
	for i, u := range users {
		people[i] = match.Person{Name: fullName(u.FirstName, u.LastName), Email: u.Email}
	}
	results := match.Royalti(people, created, errs)
	out := make([]Outcome[RoyaltiWorkspaceUser], len(users))
	for i, r := range results {
		out[i] = Outcome[RoyaltiWorkspaceUser]{Index: i, Item: users[i], Message: r.Reason}
		switch r.Verdict {
		case match.Created:
			out[i].State = StateSucceeded
		case match.Failed:
			out[i].State = StateFailed
		default:
			out[i].State = StateUnknown
		}
	}
	return out
}

// markDoneEarlier makes unknown the users refused as already in the
// workspace by a request that took more than one attempt: an earlier
// attempt, whose answer was lost, may have created them.
func markDoneEarlier(outs []Outcome[RoyaltiWorkspaceUser], attempts int) {
	for i := range outs {
		o := &outs[i]
		o.Attempts = attempts
		if attempts > 1 && o.State == StateFailed && match.RoyaltiAlready(o.Message) {
			o.State, o.Message = StateUnknown, doneEarlier(o.Message, attempts)
		}
	}
}

// RoyaltiListUsersOptions filters, sorts and pages the users of a Royalti
// workspace (the one the credential is scoped to). The zero value lists
// every user, in the server's order.
type RoyaltiListUsersOptions struct {
	// Query keeps users whose name or email contains it.
	Query string `url:"q,omitempty"`
	// Page is the page ListPage fetches, and the page List starts at; 0
	// means 1.
	Page int `url:"page,omitempty"`
	// Size is the page size, at most RoyaltiMaxPageSize; 0 means
	// RoyaltiMaxPageSize (Royalti's own default is 10), for fewer
	// requests.
	Size int `url:"size,omitempty"`
	// Accounting asks for the cached accounting data (Gross, Paid, Due).
	// Its fields are not documented, so RoyaltiUser does not hold them;
	// WithResponse on ListPage gives the raw body.
	Accounting bool `url:"accounting,omitempty"`
	// Attributes lists the attributes to include, sent comma-separated.
	Attributes []string `url:"attributes,comma,omitempty"`
	// Sort is createdAt, updatedAt, name or split; empty leaves the
	// server's default.
	Sort string `url:"sort,omitempty"`
	// Order is asc or desc; empty leaves the server's default.
	Order string `url:"order,omitempty"`
	// ExternalID keeps the users with this external id.
	ExternalID string `url:"externalId,omitempty"`
	// Roles keeps the users with one of these roles (such as "admin"),
	// sent comma-separated.
	Roles []string `url:"role,comma,omitempty"`
}

// Validate reports every problem with o as a *ValidationError, or nil. A
// nil o is valid.
func (o *RoyaltiListUsersOptions) Validate() error {
	var p validate.Problems
	if o != nil {
		checkPaging(&p, o.Page, o.Size)
		p.OneOf("sort", o.Sort, "createdAt", "updatedAt", "name", "split")
		p.OneOf("order", o.Order, "asc", "desc")
	}
	return validationError("royalti: Users.List", &p)
}

// RoyaltiUserPage is one page of a Royalti workspace's users, as Royalti
// answers it (no envelope).
type RoyaltiUserPage struct {
	// Message is the server's word, such as "success".
	Message string `json:"message"`
	// Users holds this page's users.
	Users []RoyaltiUser `json:"Users"`
	// Count is the number of users on this page.
	Count int `json:"count"`
	// TotalUsers is the number of users that match the filters.
	TotalUsers int `json:"totalUsers"`
	// AccountingMetadata is the server's account of its accounting
	// calculations, kept as sent: its fields are not documented.
	AccountingMetadata json.RawMessage `json:"accountingMetadata,omitempty"`
}

var royaltiListUsers = endpoint{op: "royalti: Users.List", method: http.MethodGet, path: "/user/"}

// List returns an iterator over the users of the credential's Royalti
// workspace, filtered and sorted as list says (nil list: every user, in
// the server's order, updatedAt descending by Royalti's convention). It
// fetches a page of list.Size users (RoyaltiMaxPageSize if 0) as the
// caller ranges, from list.Page, and stops when the caller stops. It ends
// after as many users as the answer's totalUsers, or on an empty page; a
// page that brings no user not already listed ends it with an error
// matching ErrPageRepeated. An error is the loop's last value. Users added
// or removed while it runs, by this program too, can shift the pages, so
// that a user is seen twice or not at all: collect the list, then act (see
// ErrPageRepeated). Each page is a GET that is safe to repeat; opts apply
// to every page (WithResponse holds the last page's).
//
// Royalti: GET /user/.
func (s *RoyaltiUsers) List(ctx context.Context, list *RoyaltiListUsersOptions, opts ...CallOption) iter.Seq2[RoyaltiUser, error] {
	var q RoyaltiListUsersOptions
	if list != nil {
		q = *list
	}
	key := func(u *RoyaltiUser) string { return u.ID }
	return listAll(ctx, "royalti: Users.List", cmp.Or(q.Page, 1), key, func(ctx context.Context, n int) (page[RoyaltiUser], error) {
		q.Page = n
		p, err := s.ListPage(ctx, &q, opts...)
		if err != nil {
			return page[RoyaltiUser]{}, err
		}
		total := p.TotalUsers
		if total < len(p.Users) {
			total = -1 // no usable count: go on to an empty page
		}
		return page[RoyaltiUser]{items: p.Users, total: total}, nil
	})
}

// ListPage fetches one page of the users of the credential's Royalti
// workspace: page list.Page (1 if 0) of list.Size users
// (RoyaltiMaxPageSize if 0), for callers who keep their own place. A GET,
// safe to repeat.
//
// Royalti: GET /user/.
func (s *RoyaltiUsers) ListPage(ctx context.Context, list *RoyaltiListUsersOptions, opts ...CallOption) (*RoyaltiUserPage, error) {
	if err := list.Validate(); err != nil {
		return nil, err
	}
	var q RoyaltiListUsersOptions
	if list != nil {
		q = *list
	}
	q.Page, q.Size = cmp.Or(q.Page, 1), cmp.Or(q.Size, RoyaltiMaxPageSize)
	res := new(RoyaltiUserPage)
	if err := s.client.call(ctx, royaltiListUsers, &q, nil, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// Get returns the user id (the id List gives, a UUID) of the credential's
// Royalti workspace, with the user's current invite, if the answer has
// one. An unknown id is an *APIError matching ErrNotFound. A GET, safe to
// repeat.
//
// Royalti: GET /user/{id}.
func (s *RoyaltiUsers) Get(ctx context.Context, id string, opts ...CallOption) (*RoyaltiUserDetail, error) {
	if err := royaltiIDError("royalti: Users.Get", "id", id); err != nil {
		return nil, err
	}
	ep := endpoint{op: "royalti: Users.Get", method: http.MethodGet, path: "/user/" + url.PathEscape(id)}
	u := new(RoyaltiUserDetail)
	if err := s.client.call(ctx, ep, nil, nil, u, opts); err != nil {
		return nil, err
	}
	return u, nil
}

// Delete removes the user id (the id List gives, a UUID) from the
// credential's Royalti workspace. The documents do not show the answer, so
// Delete takes any 2xx status as done, whatever the body holds (none is
// required; WithResponse shows it). An unknown id is expected to be an
// *APIError matching ErrNotFound; after a retried attempt (its Attempts
// above 1), that may mean an earlier attempt deleted the user. Either way
// the user is gone.
//
// Royalti: DELETE /user/{id}.
func (s *RoyaltiUsers) Delete(ctx context.Context, id string, opts ...CallOption) error {
	if err := royaltiIDError("royalti: Users.Delete", "id", id); err != nil {
		return err
	}
	ep := endpoint{op: "royalti: Users.Delete", method: http.MethodDelete, path: "/user/" + url.PathEscape(id)}
	return s.client.call(ctx, ep, nil, nil, nil, opts)
}

// RoyaltiAddToWorkspaceRequest is the optional body of Royalti's add user to
// tenant call.
type RoyaltiAddToWorkspaceRequest struct {
	// RedirectURL is where the user lands after being added.
	RedirectURL string `json:"redirect_url,omitempty"`
	// SendEmail says whether Royalti emails the user an invite; the
	// server's default is true. Ptr(false) really sends false.
	SendEmail *bool `json:"sendEmail,omitempty"`
}

// AddToWorkspace adds the user id (a UUID) to the credential's Royalti
// workspace: Royalti's "Add User to Tenant", whose path ends in /aut.
// Royalti emails the user an invite unless req.SendEmail is false. req may
// be nil, to send no body, as the older documents show the call. Royalti
// answers {}, so AddToWorkspace takes any 2xx status as done. A repeated
// call may send another invite email. An unknown id is expected to be an
// *APIError matching ErrNotFound.
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
	// IDs lists the users to delete (the id of the user list); at least
	// one, each once.
	IDs []string `json:"ids"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *RoyaltiDeleteUsersRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("royalti: Users.DeleteBulk", &p)
	}
	if len(r.IDs) == 0 {
		p.Add("ids", "needs at least one id")
	}
	first := make(map[string]int, len(r.IDs))
	for i, id := range r.IDs {
		path := "ids[" + itoa(i) + "]"
		checkRoyaltiID(&p, path, id)
		key := strings.ToLower(id)
		if j, ok := first[key]; ok {
			p.Add(path, "repeats ids[%d]; send each id once, so that the answer can be tied to it", j)
			continue
		}
		first[key] = i
	}
	return validationError("royalti: Users.DeleteBulk", &p)
}

// RoyaltiDeleteUsersResult is Royalti's answer to a bulk user deletion,
// with the answer tied to each id in Outcomes.
type RoyaltiDeleteUsersResult struct {
	// Message is the server's summary, such as "Done.".
	Message string `json:"message"`
	// ProcessedCount is the server's count of processed ids.
	ProcessedCount int `json:"processedCount"`
	// FailedDeletions lists the ids the server did not delete.
	FailedDeletions []string `json:"failedDeletions"`
	// Outcomes holds one entry per id sent, in the order sent, with Index
	// its position in the request's IDs. It is not part of the server's
	// answer; see Users.DeleteBulk for how it is read.
	Outcomes []Outcome[string] `json:"-"`
}

// Succeeded returns the outcomes of the ids deleted.
func (r *RoyaltiDeleteUsersResult) Succeeded() []Outcome[string] {
	return filter(r.Outcomes, func(o Outcome[string]) bool { return o.State == StateSucceeded })
}

// Failed returns the outcomes of the ids the server listed as not deleted.
func (r *RoyaltiDeleteUsersResult) Failed() []Outcome[string] {
	return filter(r.Outcomes, func(o Outcome[string]) bool { return o.State == StateFailed })
}

// Unknown returns the outcomes of the ids the answer leaves in doubt.
func (r *RoyaltiDeleteUsersResult) Unknown() []Outcome[string] {
	return filter(r.Outcomes, func(o Outcome[string]) bool { return o.State == StateUnknown })
}

var royaltiDeleteUsers = endpoint{op: "royalti: Users.DeleteBulk", method: http.MethodPost, path: "/user/bulk/delete"}

// DeleteBulk deletes several users of the credential's Royalti workspace in
// one request, and ties the answer to each id in the result's Outcomes. An
// id the answer lists in failedDeletions is StateFailed (Royalti gives no
// reason). The others are StateSucceeded when the answer is consistent:
// processedCount is the number of ids sent, or that number less the
// failures (the documents do not say which it counts). Otherwise, or when
// failedDeletions names something that is not an id sent, they are
// StateUnknown with a message saying what the server counted. After a
// retried request, a listed id is StateUnknown too: the earlier attempt
// may have deleted it.
//
// Royalti: POST /user/bulk/delete.
func (s *RoyaltiUsers) DeleteBulk(ctx context.Context, req *RoyaltiDeleteUsersRequest, opts ...CallOption) (*RoyaltiDeleteUsersResult, error) {
	if err := req.Validate(); err != nil {
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

// DeleteBulkAll deletes any number of users of the credential's Royalti
// workspace, in batches of DefaultBatchSize (see WithBatchSize), and
// reports what became of each id, in input order, read from each answer
// as DeleteBulk reads it. req holds the fields every batch shares; Royalti
// documents none besides ids, so req may be nil, and its IDs must be
// empty, the ids being passed as ids. Each id is checked alone first; one
// that is not a UUID is not sent. A batch never holds one id twice
// (letter case ignored): a repeated id goes in a later batch, whose answer
// will likely list it as failed, the user being gone.
//
// The error is what stopped the run early or nil, as for
// AptlyInvites.SendBulkAll; the report holds one outcome per id even then.
//
// Royalti: POST /user/bulk/delete, in batches.
func (s *RoyaltiUsers) DeleteBulkAll(ctx context.Context, req *RoyaltiDeleteUsersRequest, ids []string, opts ...BulkOption) (*BulkReport[string], error) {
	return collectBatches(ctx, s.deleteBulkSpec("royalti: Users.DeleteBulkAll", req), ids, opts)
}

// DeleteBulkSeq is DeleteBulkAll for a sequence of ids of any length:
// outcomes come as the caller ranges, in input order, with bounded memory.
// A run that stops early reads ids no further, and breaking out of the
// range loop cancels the batches in flight, as for
// AptlyInvites.SendBulkSeq. Range over the result once.
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
	ep := royaltiDeleteUsers
	ep.op = op
	frame, err := newFrame(op, &struct {
		IDs json.RawMessage `json:"ids"`
	}{json.RawMessage("[]")}, "ids")
	return &batchSpec[string]{
		op:          op,
		defaultSize: DefaultBatchSize,
		precheck:    cmp.Or(validationError(op, &p), err),
		prefix:      func(i int) string { return "ids[" + itoa(i) + "]" },
		check:       func(p *validate.Problems, prefix string, id *string) { checkRoyaltiID(p, prefix, *id) },
		keys:        func(id *string) (string, string) { return strings.ToLower(*id), "" },
		frames:      []bodyFrame{frame},
		// failedDeletions gives no reason: after a retry, any id it lists
		// may have been deleted by the earlier attempt.
		alreadyThere: func(string) bool { return true },
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []string, out []verdict) (*Response, error) {
			res := new(RoyaltiDeleteUsersResult)
			meta, err := sendBatch(ctx, s.client, ep, body, res)
			if err == nil {
				matchDeletions(batch, res, out)
			}
			return meta, err
		},
	}
}

// matchDeletions ties Royalti's answer to a bulk deletion of ids (no id
// twice) to each id, filling out: an id listed in failedDeletions failed;
// the others were deleted if the answer is consistent, and are unknown
// otherwise, with a message saying why.
func matchDeletions(ids []string, res *RoyaltiDeleteUsersResult, out []verdict) {
	if res.FailedDeletions == nil {
		for i := range out {
			out[i] = verdict{state: StateUnknown, message: "the answer has no failedDeletions list, so it does not say whether this id was deleted"}
		}
		return
	}
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[strings.ToLower(id)] = i
		out[i] = verdict{state: StateSucceeded}
	}
	failed, stray := 0, 0
	for _, f := range res.FailedDeletions {
		i, ok := index[strings.ToLower(strings.TrimSpace(f))]
		switch {
		case !ok:
			stray++
		case out[i].state != StateFailed:
			out[i] = verdict{state: StateFailed, message: "the server listed this id in failedDeletions, without a reason"}
			failed++
		}
	}
	doubt := ""
	switch n := len(ids); {
	case stray > 0:
		doubt = fmt.Sprintf("the answer lists %d failed deletions that name no id sent, so this id may be one of them", stray)
	case res.ProcessedCount != n && res.ProcessedCount != n-failed:
		doubt = fmt.Sprintf("the server counted %d processed of %d ids sent and listed %d as failed, so whether this id was deleted is not certain", res.ProcessedCount, n, failed)
	}
	for i := range out {
		if out[i].state == StateSucceeded && doubt != "" {
			out[i] = verdict{state: StateUnknown, message: doubt}
		}
	}
}
