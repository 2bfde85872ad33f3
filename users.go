package onboard

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/http"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyUsers creates Aptly users. Reach it as AptlyClient.Users.
type AptlyUsers service

// RoyaltiUsers creates users in a Royalti workspace. Reach it as
// RoyaltiClient.Users.
type RoyaltiUsers service

// CreateUserRequest is the body of Aptly's create-user call.
type CreateUserRequest struct {
	// TenantID is the tenant the user joins (a UUID). Required.
	TenantID string `json:"tenantId"`
	// FirstName and LastName are the user's names. Required.
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// Email is the user's address and login. Required.
	Email       string `json:"email"`
	MobilePhone string `json:"mobilePhone,omitempty"`
	// RoleIDs, ManagerID, PositionIDs and the groups' ids are UUIDs.
	RoleIDs     []string          `json:"roleIds,omitempty"`
	Groups      []GroupAssignment `json:"groups,omitempty"`
	ManagerID   string            `json:"managerId,omitempty"`
	PositionIDs []string          `json:"positionIds,omitempty"`
	// InviteViaEmail says whether Aptly emails the user an invite. nil
	// leaves it to the server; Ptr(false) really sends false.
	InviteViaEmail *bool `json:"inviteViaEmail,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *CreateUserRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Users.Create", &p)
	}
	p.RequiredUUID("tenantId", r.TenantID)
	p.Required("firstName", r.FirstName)
	p.Required("lastName", r.LastName)
	p.Email("email", r.Email)
	checkAptlyLinks(&p, "", r.RoleIDs, r.Groups, r.ManagerID, r.PositionIDs)
	return validationError("Users.Create", &p)
}

// checkAptlyLinks checks the ids that tie an Aptly user to roles, groups, a
// manager and positions; prefix is the path of the user ("users[2].").
//
// Paths are built only for a field that has a problem: a bulk request
// checks thousands of these.
func checkAptlyLinks(p *validate.Problems, prefix string, roleIDs []string, groups []GroupAssignment, managerID string, positionIDs []string) {
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

var createUser = endpoint{op: "Users.Create", method: http.MethodPost, path: "/v1/user/create", envelope: true}

// Create creates one user in an Aptly tenant and returns the user as stored,
// unwrapped from Aptly's envelope.
//
// Aptly: POST /v1/user/create.
func (s *AptlyUsers) Create(ctx context.Context, req *CreateUserRequest, opts ...CallOption) (*User, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	u := new(User)
	if err := s.client.call(ctx, createUser, nil, req, u, opts); err != nil {
		return nil, err
	}
	return u, nil
}

// WorkspaceUser is one person in Royalti's bulk user creation.
type WorkspaceUser struct {
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

// CreateUsersRequest is the body of Royalti's bulk user creation.
type CreateUsersRequest struct {
	// Users lists the people to create; at least one. Royalti reports
	// results by name ("First Last"), so give each person their names.
	Users []WorkspaceUser `json:"users"`
	// SendEmail says whether Royalti emails each person an invite; the
	// server's default is true. Ptr(false) really sends false.
	SendEmail *bool `json:"sendEmail,omitempty"`
	// RedirectURL is where people land after accepting.
	RedirectURL string `json:"redirect_url,omitempty"`
	// Message is a custom message for the invite email.
	Message string `json:"message,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *CreateUsersRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Users.CreateBulk", &p)
	}
	if len(r.Users) == 0 {
		p.Add("users", "needs at least one user")
	}
	for i := range r.Users {
		checkItem(&p, &r.Users[i], i, (*WorkspaceUser).check)
	}
	return validationError("Users.CreateBulk", &p)
}

func (u *WorkspaceUser) check(p *validate.Problems, prefix string) {
	p.Email(prefix+"email", u.Email)
}

var createUsers = endpoint{op: "Users.CreateBulk", method: http.MethodPost, path: "/user/bulk"}

// CreateBulk creates several users in the credential's Royalti workspace in
// one request. Royalti answers with the names it created and error strings;
// the result matches them back to each submitted user in Outcomes, marking
// any it cannot match as unknown rather than guessing. After a retried
// request, a user refused as already in the workspace is unknown too: the
// earlier attempt may have created them.
//
// Royalti: POST /user/bulk.
func (s *RoyaltiUsers) CreateBulk(ctx context.Context, req *CreateUsersRequest, opts ...CallOption) (*CreateUsersResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	meta, opts := callResponse(opts)
	res := new(CreateUsersResult)
	if err := s.client.call(ctx, createUsers, nil, req, res, opts); err != nil {
		return nil, err
	}
	res.Outcomes = matchCreated(req.Users, res.CreatedUsers, res.Errors)
	markDoneEarlier(res.Outcomes, meta.Attempts)
	return res, nil
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
func (s *RoyaltiUsers) CreateBulkAll(ctx context.Context, req *CreateUsersRequest, users []WorkspaceUser, opts ...BulkOption) (*BulkReport[WorkspaceUser], error) {
	return collectBatches(ctx, s.createBulkSpec("Users.CreateBulkAll", req), users, opts)
}

// CreateBulkSeq is CreateBulkAll for a sequence of any length: outcomes come
// as the caller ranges, in input order, with bounded memory. A run that
// stops early reads users no further, and breaking out of the range loop
// cancels the batches in flight, as for AptlyInvites.SendBulkSeq. Range
// over the result once.
//
// Royalti: POST /user/bulk, in batches.
func (s *RoyaltiUsers) CreateBulkSeq(ctx context.Context, req *CreateUsersRequest, users iter.Seq[WorkspaceUser], opts ...BulkOption) iter.Seq[Outcome[WorkspaceUser]] {
	return streamBatches(ctx, s.createBulkSpec("Users.CreateBulkSeq", req), users, opts)
}

func (s *RoyaltiUsers) createBulkSpec(op string, req *CreateUsersRequest) *batchSpec[WorkspaceUser] {
	var p validate.Problems
	var template CreateUsersRequest
	if checkTemplate(&p, req, "users", req != nil && len(req.Users) > 0) {
		template = *req
	}
	ep := createUsers
	ep.op = op
	frame, err := newFrame(op, &struct {
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
		frames:       []bodyFrame{frame},
		alreadyThere: match.RoyaltiAlready,
		target:       batchTarget(s.client, ep),
		send: func(ctx context.Context, body encodedBody, batch []WorkspaceUser, out []verdict) (*Response, error) {
			res := new(CreateUsersResult)
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
