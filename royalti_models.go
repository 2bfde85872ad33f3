package onboard

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/onboardkit/onboard/internal/validate"
)

// This file holds the request, option and answer types of Royalti's invite
// and user lifecycle. Field names follow the documents' JSON, PascalCase
// keys (TenantUserId, TenantId, JoinedAt, TenantUser, User, Users) included.

// RoyaltiMaxPageSize is the largest page Royalti's list endpoints are asked
// for: the maximum of Royalti's documented pagination convention. The list
// pages themselves leave it undocumented.
const RoyaltiMaxPageSize = 100

// RoyaltiInviteStatus is the state of a Royalti workspace invite.
type RoyaltiInviteStatus string

// The invite states Royalti documents.
const (
	// RoyaltiInviteInvited is a pending invite: it can be resent or
	// cancelled.
	RoyaltiInviteInvited RoyaltiInviteStatus = "invited"
	// RoyaltiInviteJoined is an accepted invite.
	RoyaltiInviteJoined RoyaltiInviteStatus = "joined"
	// RoyaltiInviteCancelled is a cancelled invite, whose activation link
	// no longer works.
	RoyaltiInviteCancelled RoyaltiInviteStatus = "cancelled"
)

// RoyaltiListInvitesOptions filters and pages the invites of a Royalti workspace
// (the one the credential is scoped to). The zero value lists every invite.
type RoyaltiListInvitesOptions struct {
	// Status keeps the invites in one state; empty keeps all.
	Status RoyaltiInviteStatus `url:"status,omitempty"`
	// Page is the page ListPage fetches, and the page List starts at; 0
	// means 1.
	Page int `url:"page,omitempty"`
	// Size is the page size, at most RoyaltiMaxPageSize; 0 means
	// RoyaltiMaxPageSize. It is always sent: the documents say Royalti
	// pages this list only when a size is given.
	Size int `url:"size,omitempty"`
}

// Validate reports every problem with o as a *ValidationError, or nil. A
// nil o is valid.
func (o *RoyaltiListInvitesOptions) Validate() error {
	var p validate.Problems
	if o != nil {
		p.OneOf("status", string(o.Status), string(RoyaltiInviteInvited), string(RoyaltiInviteJoined), string(RoyaltiInviteCancelled))
		checkPaging(&p, o.Page, o.Size)
	}
	return validationError("Invites.List", &p)
}

// checkPaging records the problems of a Royalti page number and size.
func checkPaging(p *validate.Problems, page, size int) {
	if page < 0 {
		p.Add("page", "is %d; pages count from 1 (0 means 1)", page)
	}
	if size < 0 || size > RoyaltiMaxPageSize {
		p.Add("size", "is %d; want 1 to %d (0 means %d)", size, RoyaltiMaxPageSize, RoyaltiMaxPageSize)
	}
}

// RoyaltiInvitePage is one page of a Royalti workspace's invites, as
// Royalti answers it (no envelope).
type RoyaltiInvitePage struct {
	// TotalItems is the server's count of the workspace's invites.
	TotalItems int `json:"totalItems"`
	// FilteredItems is the server's count of the invites that match the
	// filter; the documents do not define it, and List takes it as the
	// length of the whole filtered list.
	FilteredItems int `json:"filteredItems"`
	// TotalPages and CurrentPage place this page in the list.
	TotalPages  int `json:"totalPages"`
	CurrentPage int `json:"currentPage"`
	// Invites holds this page's invites.
	Invites []RoyaltiInvite `json:"invites"`
}

// RoyaltiInvite is an invite to a Royalti workspace (a TenantInvite).
type RoyaltiInvite struct {
	// ID identifies the invite: the inviteId of Resend and Cancel.
	ID string `json:"id"`
	// TenantUserID is the invited user's id in the workspace.
	TenantUserID string `json:"TenantUserId"`
	// TenantID is the workspace's number.
	TenantID int `json:"TenantId"`
	// Status is the invite's state.
	Status RoyaltiInviteStatus `json:"status"`
	// Meta holds the invite's custom message and when it was last sent.
	Meta RoyaltiInviteMeta `json:"meta"`
	// JoinedAt is when the invite was accepted, or nil.
	JoinedAt  *time.Time `json:"JoinedAt"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	// TenantUser is the invited person.
	TenantUser RoyaltiInvitee `json:"TenantUser"`
}

// RoyaltiInviteMeta is the custom part of a Royalti invite.
type RoyaltiInviteMeta struct {
	// Message is the invite email's custom message, if any.
	Message string `json:"message"`
	// Date is when the invite was last sent.
	Date time.Time `json:"date"`
}

// RoyaltiInvitee is the person a Royalti invite is for.
type RoyaltiInvitee struct {
	// ID is the person's user id in the workspace (TenantUserId).
	ID        string `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// Role is the person's role, such as "admin".
	Role string `json:"role"`
	// User holds the person's account email.
	User RoyaltiAccount `json:"User"`
}

// RoyaltiAccount is the account part of a Royalti user: its email.
type RoyaltiAccount struct {
	Email string `json:"email"`
}

// RoyaltiResendRequest is the optional body of a Royalti invite resend.
type RoyaltiResendRequest struct {
	// Message replaces the invite's custom message.
	Message string `json:"message,omitempty"`
	// RedirectURL overrides the activation link's redirect URL.
	RedirectURL string `json:"redirectUrl,omitempty"`
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
	return validationError("Users.List", &p)
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

// RoyaltiUser is a user of a Royalti workspace, as the user list shows it.
type RoyaltiUser struct {
	// ID identifies the user: the id of Get, Delete, AddToWorkspace and
	// DeleteBulk.
	ID        string `json:"id"`
	FullName  string `json:"fullName"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	// Role is the user's role, such as "user".
	Role       string    `json:"role"`
	ExternalID string    `json:"externalId"`
	Country    string    `json:"country"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// User holds the user's account email.
	User RoyaltiAccount `json:"User"`
	// Artists are the artists linked to the user.
	Artists []RoyaltiArtist `json:"Artists"`
}

// RoyaltiArtist is an artist linked to a Royalti user.
type RoyaltiArtist struct {
	ID         string `json:"id"`
	ArtistName string `json:"artistName"`
}

// RoyaltiUserDetail is one Royalti user as Users.Get returns it: the
// fields of the documented schema, and those its example adds (Phone,
// Country, Message, SendEmail, RedirectURL).
type RoyaltiUserDetail struct {
	ID          string `json:"id"`
	FullName    string `json:"fullName"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email"`
	Phone       string `json:"phone"`
	Country     string `json:"country"`
	Message     string `json:"message"`
	SendEmail   bool   `json:"sendEmail"`
	RedirectURL string `json:"redirect_url"`
	// IPI is the user's Interested Party Information number.
	IPI        string `json:"ipi"`
	ExternalID string `json:"externalId"`
	// TenantUser is the user's record in the workspace.
	TenantUser RoyaltiTenantUser `json:"TenantUser"`
	// Invite is the user's current invite, or nil when the answer has
	// none (the documents do not say when that is).
	Invite *RoyaltiInviteRef `json:"invite"`
}

// RoyaltiTenantUser is a Royalti user's record in one workspace.
type RoyaltiTenantUser struct {
	// TenantID is the workspace's number.
	TenantID int    `json:"TenantId"`
	NickName string `json:"nickName"`
	// UserType lists the user's types, such as "Artist".
	UserType []string `json:"userType"`
}

// RoyaltiInviteRef is the short form of a Royalti invite, as a user's
// details show it.
type RoyaltiInviteRef struct {
	// ID identifies the invite: the inviteId of Resend and Cancel.
	ID     string              `json:"id"`
	Status RoyaltiInviteStatus `json:"status"`
	// Date is when the invite was last sent.
	Date time.Time `json:"date"`
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

// RoyaltiDeleteUsersRequest is the body of Royalti's bulk user deletion.
type RoyaltiDeleteUsersRequest struct {
	// IDs lists the users to delete (the id of the user list); at least
	// one, each once.
	IDs []string `json:"ids"`
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

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *RoyaltiDeleteUsersRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("Users.DeleteBulk", &p)
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
	return validationError("Users.DeleteBulk", &p)
}

// checkRoyaltiID records a problem when id, an invite's or a user's, is
// blank or not a UUID. The documents type ids as strings; every id they
// show is a UUID, and so is every id Royalti's lists give.
func checkRoyaltiID(p *validate.Problems, path, id string) {
	p.RequiredUUID(path, id)
}

// royaltiIDError checks one id given to op as the path parameter name.
func royaltiIDError(op, name, id string) error {
	var p validate.Problems
	checkRoyaltiID(&p, name, id)
	return validationError(op, &p)
}
