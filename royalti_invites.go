package onboard

import (
	"cmp"
	"context"
	"iter"
	"net/http"
	"net/url"

	"github.com/onboardkit/onboard/internal/validate"
)

// RoyaltiInvites invites people to a Royalti workspace, and lists, resends
// and cancels its invites. Reach it as RoyaltiClient.Invites.
type RoyaltiInvites service

// RoyaltiInviteRequest is Royalti's single invite: the body, plus the workspaceId
// and userId query parameters.
type RoyaltiInviteRequest struct {
	// Email is the person's address. Required.
	Email string `json:"email" url:"-"`
	// SendEmail says whether Royalti emails the invite; the server's
	// default is true. Ptr(false) really sends false.
	SendEmail *bool `json:"sendEmail,omitempty" url:"-"`
	// Message is added to the invite email.
	Message   string `json:"message,omitempty" url:"-"`
	FirstName string `json:"firstName,omitempty" url:"-"`
	LastName  string `json:"lastName,omitempty" url:"-"`
	// RedirectURL is where the person lands after accepting.
	RedirectURL string `json:"redirect_url,omitempty" url:"-"`
	// Role is the person's role in the workspace.
	Role string `json:"role,omitempty" url:"-"`

	// WorkspaceID is sent as the workspaceId query parameter: the
	// workspace to invite into. Optional.
	WorkspaceID string `json:"-" url:"workspaceId,omitempty"`
	// UserID is sent as the userId query parameter: the id of an existing
	// user to invite. Optional.
	UserID string `json:"-" url:"userId,omitempty"`
}

// Validate reports every problem with r as a *ValidationError, or nil.
func (r *RoyaltiInviteRequest) Validate() error {
	var p validate.Problems
	if r == nil {
		p.Add("request", "is nil")
		return validationError("royalti: Invites.Send", &p)
	}
	p.Email("email", r.Email)
	return validationError("royalti: Invites.Send", &p)
}

// RoyaltiInviteResult is Royalti's answer to a single invite.
type RoyaltiInviteResult struct {
	// Message is the server's confirmation.
	Message string `json:"message"`
}

var sendInvite = endpoint{op: "royalti: Invites.Send", method: http.MethodPost, path: "/auth/invite"}

// Send invites one person to a Royalti workspace. A person already in the
// workspace is an *APIError matching ErrConflict.
//
// Royalti: POST /auth/invite.
func (s *RoyaltiInvites) Send(ctx context.Context, req *RoyaltiInviteRequest, opts ...CallOption) (*RoyaltiInviteResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	res := new(RoyaltiInviteResult)
	if err := s.client.call(ctx, sendInvite, req, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

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
	return validationError("royalti: Invites.List", &p)
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

var royaltiListInvites = endpoint{op: "royalti: Invites.List", method: http.MethodGet, path: "/user/invites"}

// List returns an iterator over the invites of the credential's Royalti
// workspace, pending, joined and cancelled alike unless list.Status says
// which (nil list: all). It fetches a page of list.Size invites
// (RoyaltiMaxPageSize if 0) as the caller ranges, from list.Page, and
// stops when the caller stops. It ends after as many invites as the
// answer's filteredItems, which the documents do not define and List takes
// as the length of the filtered list, or on an empty page; a page that
// brings no invite not already listed ends it with an error matching
// ErrPageRepeated. An error is the loop's last value. Invites that change
// while it runs, by this program too (resent, cancelled), can shift the
// pages, so that an invite is seen twice or not at all: collect the list,
// then act (see ErrPageRepeated). Each page is a GET that is safe to
// repeat; opts apply to every page (WithResponse holds the last page's).
//
// Royalti: GET /user/invites.
func (s *RoyaltiInvites) List(ctx context.Context, list *RoyaltiListInvitesOptions, opts ...CallOption) iter.Seq2[RoyaltiInvite, error] {
	var q RoyaltiListInvitesOptions
	if list != nil {
		q = *list
	}
	key := func(inv *RoyaltiInvite) string { return inv.ID }
	return listAll(ctx, "royalti: Invites.List", cmp.Or(q.Page, 1), key, func(ctx context.Context, n int) (page[RoyaltiInvite], error) {
		q.Page = n
		p, err := s.ListPage(ctx, &q, opts...)
		if err != nil {
			return page[RoyaltiInvite]{}, err
		}
		total := p.FilteredItems
		if total < len(p.Invites) {
			total = -1 // no usable count: go on to an empty page
		}
		return page[RoyaltiInvite]{items: p.Invites, total: total}, nil
	})
}

// ListPage fetches one page of the invites of the credential's Royalti
// workspace: page list.Page (1 if 0) of list.Size invites
// (RoyaltiMaxPageSize if 0), for callers who keep their own place. A GET,
// safe to repeat.
//
// Royalti: GET /user/invites.
func (s *RoyaltiInvites) ListPage(ctx context.Context, list *RoyaltiListInvitesOptions, opts ...CallOption) (*RoyaltiInvitePage, error) {
	if err := list.Validate(); err != nil {
		return nil, err
	}
	var q RoyaltiListInvitesOptions
	if list != nil {
		q = *list
	}
	q.Page, q.Size = cmp.Or(q.Page, 1), cmp.Or(q.Size, RoyaltiMaxPageSize)
	res := new(RoyaltiInvitePage)
	if err := s.client.call(ctx, royaltiListInvites, &q, nil, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// RoyaltiResendRequest is the optional body of a Royalti invite resend.
type RoyaltiResendRequest struct {
	// Message replaces the invite's custom message.
	Message string `json:"message,omitempty"`
	// RedirectURL overrides the activation link's redirect URL.
	RedirectURL string `json:"redirectUrl,omitempty"`
}

// Resend sends a fresh activation email, with a newly generated code, for
// the pending invite inviteID (the id List gives, a UUID); req, which may
// be nil, replaces the invite's message or redirect URL. Royalti resends
// only invites still in RoyaltiInviteInvited; what it answers for a joined
// or cancelled one is not documented (expect an *APIError, such as
// ErrConflict). Each call sends another email, a retried one included. An
// unknown inviteID is expected to be an *APIError matching ErrNotFound.
//
// Royalti: POST /user/invites/{inviteId}/resend.
func (s *RoyaltiInvites) Resend(ctx context.Context, inviteID string, req *RoyaltiResendRequest, opts ...CallOption) (*RoyaltiInviteResult, error) {
	if err := royaltiIDError("royalti: Invites.Resend", "inviteId", inviteID); err != nil {
		return nil, err
	}
	if req == nil {
		req = &RoyaltiResendRequest{}
	}
	ep := endpoint{op: "royalti: Invites.Resend", method: http.MethodPost, path: "/user/invites/" + url.PathEscape(inviteID) + "/resend"}
	res := new(RoyaltiInviteResult)
	if err := s.client.call(ctx, ep, nil, req, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// Cancel cancels the invite inviteID (the id List gives, a UUID): its
// activation link stops working, and List shows it RoyaltiInviteCancelled.
// The documents name this endpoint but not its body or answer, so Cancel
// sends no body and takes any 2xx status as done, whatever the body holds
// (none is required; WithResponse shows it). A repeated cancel leaves the invite
// cancelled; what Royalti answers to it is not documented. An unknown
// inviteID is expected to be an *APIError matching ErrNotFound.
//
// Royalti: POST /user/invites/{id}/cancel.
func (s *RoyaltiInvites) Cancel(ctx context.Context, inviteID string, opts ...CallOption) error {
	if err := royaltiIDError("royalti: Invites.Cancel", "id", inviteID); err != nil {
		return err
	}
	ep := endpoint{op: "royalti: Invites.Cancel", method: http.MethodPost, path: "/user/invites/" + url.PathEscape(inviteID) + "/cancel"}
	return s.client.call(ctx, ep, nil, nil, nil, opts)
}
