package onboard

import (
	"context"
	"net/http"

	"github.com/onboardkit/onboard/internal/validate"
)

// UsersService creates users. Reach it as Client.Users.
type UsersService service

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
func (s *UsersService) Create(ctx context.Context, req *CreateUserRequest, opts ...CallOption) (*User, error) {
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
func (s *UsersService) CreateBulk(ctx context.Context, req *CreateUsersRequest, opts ...CallOption) (*CreateUsersResult, error) {
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
