package onboard

import (
	"time"

	"github.com/onboardkit/onboard/internal/validate"
)

// This file holds Royalti's resources. Field names follow the documents' JSON,
// PascalCase keys (TenantUserId, TenantId, JoinedAt, TenantUser, User, Users)
// included.

// RoyaltiMaxPageSize is the largest page Royalti's list endpoints are asked
// for: the maximum of Royalti's documented pagination convention. The list
// pages themselves leave it undocumented.
const RoyaltiMaxPageSize = 100

// checkPaging records the problems of a Royalti page number and size.
func checkPaging(p *validate.Problems, page, size int) {
	if page < 0 {
		p.Add("page", "is %d; pages count from 1 (0 means 1)", page)
	}
	if size < 0 || size > RoyaltiMaxPageSize {
		p.Add("size", "is %d; want 1 to %d (0 means %d)", size, RoyaltiMaxPageSize, RoyaltiMaxPageSize)
	}
}

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
