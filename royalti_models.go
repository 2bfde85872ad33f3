package onboard

import (
	"cmp"
	"context"
	"iter"
	"time"

	"github.com/onboardkit/onboard/internal/validate"
)

// Royalti's resources. Field names follow the documents' JSON, PascalCase
// keys (TenantUserId, JoinedAt, User, ...) included.

// royaltiMaxPageSize is the largest documented page (see the Size fields).
const royaltiMaxPageSize = 100

func checkPaging(p *validate.Problems, page, size int) {
	if page < 0 {
		p.Add("page", "is %d; pages count from 1 (0 means 1)", page)
	}
	if size < 0 || size > royaltiMaxPageSize {
		p.Add("size", "is %d; want 1 to %d (0 means %d)", size, royaltiMaxPageSize, royaltiMaxPageSize)
	}
}

// royaltiList returns an iterator over a paged Royalti list from page first;
// fetch reads page n: its entries and the filtered list's length.
func royaltiList[T any](ctx context.Context, op string, first int, key func(*T) string, fetch func(ctx context.Context, n int) ([]T, int, error)) iter.Seq2[T, error] {
	return listAll(ctx, op, cmp.Or(first, 1), key, func(ctx context.Context, n int) (page[T], error) {
		items, total, err := fetch(ctx, n)
		if total < len(items) {
			total = -1 // no usable count: go on to an empty page
		}
		return page[T]{items: items, total: total}, err
	})
}

// RoyaltiInviteStatus is the state of a Royalti workspace invite.
type RoyaltiInviteStatus string

// The invite states Royalti documents.
const (
	RoyaltiInviteInvited   RoyaltiInviteStatus = "invited"
	RoyaltiInviteJoined    RoyaltiInviteStatus = "joined"
	RoyaltiInviteCancelled RoyaltiInviteStatus = "cancelled"
)

// RoyaltiInvite is an invite to a Royalti workspace.
type RoyaltiInvite struct {
	// ID is the inviteId of Resend and Cancel.
	ID           string              `json:"id"`
	TenantUserID string              `json:"TenantUserId"`
	TenantID     int                 `json:"TenantId"`
	Status       RoyaltiInviteStatus `json:"status"`
	Meta         RoyaltiInviteMeta   `json:"meta"`
	JoinedAt     *time.Time          `json:"JoinedAt"`
	CreatedAt    time.Time           `json:"createdAt"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	TenantUser   RoyaltiInvitee      `json:"TenantUser"`
}

// RoyaltiInviteMeta is the custom part of a Royalti invite.
type RoyaltiInviteMeta struct {
	Message string `json:"message"`
	// Date is when the invite was last sent.
	Date time.Time `json:"date"`
}

// RoyaltiInvitee is the person a Royalti invite is for.
type RoyaltiInvitee struct {
	ID        string         `json:"id"`
	FirstName string         `json:"firstName"`
	LastName  string         `json:"lastName"`
	Role      string         `json:"role"`
	User      RoyaltiAccount `json:"User"`
}

// RoyaltiAccount is the account part of a Royalti user: its email.
type RoyaltiAccount struct {
	Email string `json:"email"`
}

// RoyaltiUser is a user of a Royalti workspace, as the user list shows it.
type RoyaltiUser struct {
	// ID is the id of Get, Delete, AddToWorkspace and DeleteBulk.
	ID         string          `json:"id"`
	FullName   string          `json:"fullName"`
	FirstName  string          `json:"firstName"`
	LastName   string          `json:"lastName"`
	Email      string          `json:"email"`
	Role       string          `json:"role"`
	ExternalID string          `json:"externalId"`
	Country    string          `json:"country"`
	CreatedAt  time.Time       `json:"createdAt"`
	UpdatedAt  time.Time       `json:"updatedAt"`
	User       RoyaltiAccount  `json:"User"`
	Artists    []RoyaltiArtist `json:"Artists"`
}

// RoyaltiArtist is an artist linked to a Royalti user.
type RoyaltiArtist struct {
	ID         string `json:"id"`
	ArtistName string `json:"artistName"`
}

// RoyaltiUserDetail is one Royalti user as Users.Get returns it, with the
// fields the documents' example adds.
type RoyaltiUserDetail struct {
	ID          string            `json:"id"`
	FullName    string            `json:"fullName"`
	FirstName   string            `json:"firstName"`
	LastName    string            `json:"lastName"`
	Email       string            `json:"email"`
	Phone       string            `json:"phone"`
	Country     string            `json:"country"`
	Message     string            `json:"message"`
	SendEmail   bool              `json:"sendEmail"`
	RedirectURL string            `json:"redirect_url"`
	IPI         string            `json:"ipi"`
	ExternalID  string            `json:"externalId"`
	TenantUser  RoyaltiTenantUser `json:"TenantUser"`
	// Invite is nil when the answer has none (the documents do not say when).
	Invite *RoyaltiInviteRef `json:"invite"`
}

// RoyaltiTenantUser is a Royalti user's record in one workspace.
type RoyaltiTenantUser struct {
	TenantID int      `json:"TenantId"`
	NickName string   `json:"nickName"`
	UserType []string `json:"userType"`
}

// RoyaltiInviteRef is an invite as a user's details show it.
type RoyaltiInviteRef struct {
	ID     string              `json:"id"`
	Status RoyaltiInviteStatus `json:"status"`
	Date   time.Time           `json:"date"`
}

// royaltiIDError requires a UUID: the documents type ids as strings, but
// every id they and the lists show is one.
func royaltiIDError(op, name, id string) error {
	var p validate.Problems
	p.RequiredUUID(name, id)
	return validationError(op, &p)
}
