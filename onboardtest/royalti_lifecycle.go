package onboardtest

import (
	"bytes"
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file serves Royalti's user and invite lifecycle: list, resend and
// cancel invites; list, get, delete and re-add users.

// Statuses of a Royalti invite, as GET /user/invites documents them.
const (
	// RoyaltiInviteInvited is the status of a pending invite: it can be
	// resent, cancelled, or accepted with AcceptRoyaltiInvite.
	RoyaltiInviteInvited = "invited"
	// RoyaltiInviteJoined is the status of an accepted invite.
	RoyaltiInviteJoined = "joined"
	// RoyaltiInviteCancelled is the status of a cancelled invite.
	RoyaltiInviteCancelled = "cancelled"
)

// Paging of GET /user/ and GET /user/invites: the documented defaults of
// /user/ and the maximum of Royalti's general pagination convention.
const (
	// RoyaltiDefaultSize is the page size of GET {RoyaltiURL}/user/ when
	// the request names no size.
	RoyaltiDefaultSize = 10
	// RoyaltiMaxSize is the largest size either list accepts; more is
	// answered with 400.
	RoyaltiMaxSize = 100
)

// royaltiInviteRec is a stored invite (a TenantInvite).
type royaltiInviteRec struct {
	id                           uuid
	user                         *royaltiRec
	status                       string
	message, redirect            string
	sentMs, createdMs, updatedMs int64 // unix milliseconds
	joinedMs                     int64 // 0 until joined
	resends                      int
}

// royaltiLife is the lifecycle state of a workspace.
type royaltiLife struct {
	tenantNum  int // the workspace's TenantId, an integer on the wire
	byID       map[uuid]*royaltiRec
	invites    []*royaltiInviteRec // oldest first
	inviteByID map[uuid]*royaltiInviteRec
	current    map[*royaltiRec]*royaltiInviteRec // each user's latest invite
}

// initRoyaltiLife prepares a new workspace's lifecycle state. The caller
// holds s.mu.
func (st *state) initRoyaltiLife(l *royaltiLife) {
	st.royaltiSeq++
	*l = royaltiLife{
		tenantNum:  100 + st.royaltiSeq,
		byID:       make(map[uuid]*royaltiRec),
		inviteByID: make(map[uuid]*royaltiInviteRec),
		current:    make(map[*royaltiRec]*royaltiInviteRec),
	}
}

// addRoyaltiInvite records a new pending invite of rec. The caller holds
// s.mu.
func (st *state) addRoyaltiInvite(w *royaltiSpace, rec *royaltiRec, message, redirect string, ms int64) *royaltiInviteRec {
	inv := &royaltiInviteRec{
		id: st.newUUID(), user: rec, status: RoyaltiInviteInvited,
		message: message, redirect: redirect,
		sentMs: ms, createdMs: ms, updatedMs: ms,
	}
	w.invites = append(w.invites, inv)
	w.inviteByID[inv.id] = inv
	w.current[rec] = inv
	return inv
}

// removeRoyalti deletes users, and their invites, from w. The caller holds
// s.mu.
func (w *royaltiSpace) removeRoyalti(gone map[*royaltiRec]bool) {
	for rec := range gone {
		delete(w.byEmail, emailKey(rec.email))
		delete(w.byID, rec.id)
		delete(w.current, rec)
	}
	w.users = slices.DeleteFunc(w.users, func(rec *royaltiRec) bool { return gone[rec] })
	w.invites = slices.DeleteFunc(w.invites, func(inv *royaltiInviteRec) bool {
		if gone[inv.user] {
			delete(w.inviteByID, inv.id)
			return true
		}
		return false
	})
}

// Royalti wire types, named as in the documents.

type royaltiUserEmail struct {
	Email string `json:"email"`
}

type royaltiInviteTenantUser struct {
	ID        string           `json:"id"`
	FirstName string           `json:"firstName"`
	LastName  string           `json:"lastName"`
	Role      string           `json:"role"`
	User      royaltiUserEmail `json:"User"`
}

// royaltiInviteMeta is an invite's meta; message is left out when the
// invite has none, as every string the fake holds no value for is.
type royaltiInviteMeta struct {
	Message string `json:"message,omitempty"`
	Date    string `json:"date"`
}

type royaltiInviteOut struct {
	ID           string                  `json:"id"`
	TenantUserID string                  `json:"TenantUserId"`
	TenantID     int                     `json:"TenantId"`
	Status       string                  `json:"status"`
	Meta         royaltiInviteMeta       `json:"meta"`
	JoinedAt     *string                 `json:"JoinedAt"`
	CreatedAt    string                  `json:"createdAt"`
	UpdatedAt    string                  `json:"updatedAt"`
	TenantUser   royaltiInviteTenantUser `json:"TenantUser"`
}

type royaltiInviteList struct {
	TotalItems    int                `json:"totalItems"`
	FilteredItems int                `json:"filteredItems"`
	TotalPages    int                `json:"totalPages"`
	CurrentPage   int                `json:"currentPage"`
	Invites       []royaltiInviteOut `json:"invites"`
}

type royaltiArtist struct {
	ID         string `json:"id"`
	ArtistName string `json:"artistName"`
}

// royaltiUserItem is one element of Users in GET /user/. The documents'
// externalId is never sent: no user of the fake has one.
type royaltiUserItem struct {
	FullName  string           `json:"fullName"`
	Email     string           `json:"email"`
	ID        string           `json:"id"`
	FirstName string           `json:"firstName"`
	LastName  string           `json:"lastName"`
	Role      string           `json:"role"`
	Country   string           `json:"country,omitempty"`
	CreatedAt string           `json:"createdAt"`
	UpdatedAt string           `json:"updatedAt"`
	User      royaltiUserEmail `json:"User"`
	Artists   []royaltiArtist  `json:"Artists"`
}

type royaltiUserList struct {
	Message    string            `json:"message"`
	Users      []royaltiUserItem `json:"Users"`
	Count      int               `json:"count"`
	TotalUsers int               `json:"totalUsers"`
}

type royaltiTenantUserOut struct {
	TenantID int      `json:"TenantId"`
	NickName string   `json:"nickName,omitempty"`
	UserType []string `json:"userType"`
}

type royaltiInviteRef struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Date   string `json:"date"`
}

// royaltiUserDetail is the answer of GET /user/{id}: the schema's fields and
// those its example adds (phone, country, message, sendEmail,
// redirect_url). A string the fake holds no value for is left out; the
// schema's externalId always is, as no user of the fake has one.
type royaltiUserDetail struct {
	FullName    string               `json:"fullName"`
	Phone       string               `json:"phone,omitempty"`
	Country     string               `json:"country,omitempty"`
	Message     string               `json:"message,omitempty"`
	SendEmail   bool                 `json:"sendEmail"`
	RedirectURL string               `json:"redirect_url,omitempty"`
	ID          string               `json:"id"`
	FirstName   string               `json:"firstName"`
	LastName    string               `json:"lastName"`
	Email       string               `json:"email"`
	IPI         string               `json:"ipi,omitempty"`
	TenantUser  royaltiTenantUserOut `json:"TenantUser"`
	Invite      *royaltiInviteRef    `json:"invite"`
}

type royaltiBulkDeleteRequest struct {
	IDs []string `json:"ids"`
}

type royaltiBulkDeleteResponse struct {
	Message         string   `json:"message"`
	ProcessedCount  int      `json:"processedCount"`
	FailedDeletions []string `json:"failedDeletions"`
}

// royaltiResendRequest is the optional body of POST
// /user/invites/{inviteId}/resend.
type royaltiResendRequest struct {
	Message     string `json:"message"`
	RedirectURL string `json:"redirectUrl"`
}

// royaltiAddRequest is the optional body of PUT /user/{id}/aut.
type royaltiAddRequest struct {
	RedirectURL string `json:"redirect_url"`
	SendEmail   *bool  `json:"sendEmail"`
}

// role is the role a user shows: the one sent, or "user".
func (rec *royaltiRec) role() string {
	if rec.extra != nil && rec.extra.role != "" {
		return rec.extra.role
	}
	return "user"
}

func (rec *royaltiRec) more() royaltiExtra {
	if rec.extra == nil {
		return royaltiExtra{}
	}
	return *rec.extra
}

func msTime(ms int64) string { return formatTime(time.UnixMilli(ms)) }

func (w *royaltiSpace) renderInvite(inv *royaltiInviteRec) royaltiInviteOut {
	u := inv.user
	out := royaltiInviteOut{
		ID:           inv.id.String(),
		TenantUserID: u.id.String(),
		TenantID:     w.tenantNum,
		Status:       inv.status,
		Meta:         royaltiInviteMeta{Message: inv.message, Date: msTime(inv.sentMs)},
		CreatedAt:    msTime(inv.createdMs),
		UpdatedAt:    msTime(inv.updatedMs),
		TenantUser: royaltiInviteTenantUser{
			ID: u.id.String(), FirstName: u.first, LastName: u.last, Role: u.role(),
			User: royaltiUserEmail{Email: u.email},
		},
	}
	if inv.joinedMs != 0 {
		out.JoinedAt = optional(msTime(inv.joinedMs))
	}
	return out
}

// royaltiQueryProblem checks a list's query names and its page and size.
func royaltiQueryProblem(q map[string][]string, known ...string) []problem {
	if name := unknownQuery(q, known...); name != "" {
		return []problem{{Field: name, Message: "unknown query parameter " + strconv.Quote(name)}}
	}
	var probs []problem
	if _, ok := intQuery(q, "page", 1, 1, maxInt32); !ok {
		probs = append(probs, problem{Field: "page", Message: "page must be a positive integer"})
	}
	if _, ok := intQuery(q, "size", RoyaltiDefaultSize, 1, RoyaltiMaxSize); !ok {
		probs = append(probs, problem{Field: "size", Message: "size must be an integer between 1 and " + strconv.Itoa(RoyaltiMaxSize)})
	}
	return probs
}

// royaltiListInvites serves GET /user/invites?status=&page=&size=.
//
// The invites of the token's workspace, newest first. status filters
// (invited, joined or cancelled; anything else is 400). As the page
// parameter's description says ("used when size is provided"), the list is
// paged only when size is sent (1 to RoyaltiMaxSize); without it every
// invite comes on page 1. totalItems counts the workspace's invites,
// filteredItems those matching status, totalPages is filteredItems over
// size rounded up, currentPage the page asked for; a page past the end has
// no invites. Parameters other than status, page and size are 400. An
// invite without a message has no meta.message: a string the fake holds
// no value for is left out, never null.
func (s *Server) royaltiListInvites(c *call) reply {
	q := c.r.URL.Query()
	probs := royaltiQueryProblem(q, "status", "page", "size")
	status := q.Get("status")
	if q.Has("status") && status != RoyaltiInviteInvited && status != RoyaltiInviteJoined && status != RoyaltiInviteCancelled {
		probs = append(probs, problem{Field: "status", Message: "status must be one of: invited, joined, cancelled"})
	}
	if len(probs) > 0 {
		return s.badRequest(serviceRoyalti, c.now, probs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpace(c.workspace)
	var matched []*royaltiInviteRec
	for i := len(w.invites) - 1; i >= 0; i-- {
		if inv := w.invites[i]; status == "" || inv.status == status {
			matched = append(matched, inv)
		}
	}
	page, size := 1, max(len(matched), 1)
	if q.Has("size") {
		page, _ = intQuery(q, "page", 1, 1, maxInt32)
		size, _ = intQuery(q, "size", RoyaltiDefaultSize, 1, RoyaltiMaxSize)
	}
	lo, hi := pageBounds(page, size, len(matched))
	out := royaltiInviteList{
		TotalItems:    len(w.invites),
		FilteredItems: len(matched),
		TotalPages:    (len(matched) + size - 1) / size,
		CurrentPage:   page,
		Invites:       make([]royaltiInviteOut, 0, hi-lo),
	}
	for _, inv := range matched[lo:hi] {
		out.Invites = append(out.Invites, w.renderInvite(inv))
	}
	return jsonReply(http.StatusOK, out)
}

// royaltiFindInvite returns the invite named by the path parameter in the
// caller's workspace, or the 404. The caller holds s.mu.
func (s *Server) royaltiFindInvite(c *call, param string) (*royaltiSpace, *royaltiInviteRec, reply) {
	w := s.st.royaltiSpace(c.workspace)
	if id, ok := parseUUID(c.params[param]); ok {
		if inv := w.inviteByID[id]; inv != nil {
			return w, inv, reply{}
		}
	}
	return w, nil, s.errorReply(serviceRoyalti, http.StatusNotFound, "Invite not found", c.now)
}

// royaltiResendInvite serves POST /user/invites/{inviteId}/resend.
//
// Only an invite in the invited state is resent (as documented); for a
// joined or cancelled one the answer, undocumented, is 409 in the
// structured shape. The optional body's message replaces the invite's
// message and redirectUrl its redirect URL. The invite's meta.date and
// updatedAt become now. An unknown inviteId is 404 {"message": "Invite not
// found"}. Success is 200 with the documented {"message": "Invite resent
// successfully"} (the status code is not documented).
func (s *Server) royaltiResendInvite(c *call) reply {
	var req royaltiResendRequest
	if len(bytes.TrimSpace(c.body)) > 0 {
		if rep, ok := s.decode(serviceRoyalti, c, &req); !ok {
			return rep
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, inv, rep := s.royaltiFindInvite(c, "inviteId")
	if inv == nil {
		return rep
	}
	if inv.status != RoyaltiInviteInvited {
		return s.errorReply(serviceRoyalti, http.StatusConflict,
			"Only an invite in the invited state can be resent; this one is "+inv.status, c.now,
			problem{Field: "status", Message: "status is " + inv.status})
	}
	inv.refresh(req.Message, req.RedirectURL, c.now.UnixMilli())
	return jsonReply(http.StatusOK, royaltiMessage{Message: "Invite resent successfully"})
}

// refresh records a resend of inv.
func (inv *royaltiInviteRec) refresh(message, redirect string, ms int64) {
	if message != "" {
		inv.message = message
	}
	if redirect != "" {
		inv.redirect = redirect
	}
	inv.resends++
	inv.sentMs, inv.updatedMs = ms, ms
}

// royaltiCancelInvite serves POST /user/invites/{id}/cancel.
//
// The documents give only the path: no body, status or answer. The fake
// takes no body (one sent is 400), cancels an invited invite (GET
// /user/invites then shows it "cancelled", as documented), and answers 200
// {"message": "Invite cancelled successfully"}, the plain message Royalti's
// other answers carry; a client should rely on the status alone. Cancelling
// a cancelled invite changes nothing and succeeds, so a retry is safe;
// cancelling a joined one is 409; an unknown id is 404 {"message": "Invite
// not found"}.
func (s *Server) royaltiCancelInvite(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, inv, rep := s.royaltiFindInvite(c, "id")
	if inv == nil {
		return rep
	}
	switch inv.status {
	case RoyaltiInviteJoined:
		return s.errorReply(serviceRoyalti, http.StatusConflict,
			"The invite was accepted and can no longer be cancelled", c.now,
			problem{Field: "status", Message: "status is joined"})
	case RoyaltiInviteInvited:
		inv.status = RoyaltiInviteCancelled
		inv.updatedMs = c.now.UnixMilli()
	}
	return jsonReply(http.StatusOK, royaltiMessage{Message: "Invite cancelled successfully"})
}

// royaltiListUsers serves GET /user/ (and GET /user).
//
// The users of the token's workspace, invited ones included, filtered by q
// (a substring of the name or email, letter case ignored), role (a
// comma-separated list; a user sent no role has "user") and externalId (no
// user of the fake has one, so it matches none). sort is createdAt,
// updatedAt, name or split, order asc or desc; the default, from Royalti's
// pagination convention, is updatedAt desc; users with equal keys keep the
// order they joined in (reversed for desc). page (default 1) and size
// (default RoyaltiDefaultSize, at most RoyaltiMaxSize) page the list;
// count is the number on this page, totalUsers the number matching. A page
// past the end has no users. accounting (true or false) and attributes are
// accepted and change nothing: accountingMetadata and the accounting
// fields are not documented, so they are left out. Other parameters are
// 400. Values the fake does not hold (externalId, a country never sent)
// are left out, never null; Artists is empty; updatedAt is createdAt, as nothing the fake
// serves edits a Royalti user.
func (s *Server) royaltiListUsers(c *call) reply {
	q := c.r.URL.Query()
	probs := royaltiQueryProblem(q, "q", "page", "size", "accounting", "attributes", "sort", "order", "externalId", "role")
	sortBy, order := q.Get("sort"), q.Get("order")
	if q.Has("sort") && !slices.Contains([]string{"createdAt", "updatedAt", "name", "split"}, sortBy) {
		probs = append(probs, problem{Field: "sort", Message: "sort must be one of: createdAt, updatedAt, name, split"})
	}
	if q.Has("order") && order != "asc" && order != "desc" {
		probs = append(probs, problem{Field: "order", Message: "order must be one of: asc, desc"})
	}
	if a := q.Get("accounting"); q.Has("accounting") && a != "true" && a != "false" {
		probs = append(probs, problem{Field: "accounting", Message: "accounting must be true or false"})
	}
	if len(probs) > 0 {
		return s.badRequest(serviceRoyalti, c.now, probs)
	}
	page, _ := intQuery(q, "page", 1, 1, maxInt32)
	size, _ := intQuery(q, "size", RoyaltiDefaultSize, 1, RoyaltiMaxSize)
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpace(c.workspace)
	users := royaltiFilter(w.users, q)
	royaltiSort(users, sortBy, order != "asc")
	lo, hi := pageBounds(page, size, len(users))
	out := royaltiUserList{Message: "success", Users: make([]royaltiUserItem, 0, hi-lo), Count: hi - lo, TotalUsers: len(users)}
	for _, rec := range users[lo:hi] {
		x := rec.more()
		out.Users = append(out.Users, royaltiUserItem{
			FullName: fullName(rec.first, rec.last), Email: rec.email, ID: rec.id.String(),
			FirstName: rec.first, LastName: rec.last, Role: rec.role(),
			Country:   x.country,
			CreatedAt: msTime(rec.createdMs), UpdatedAt: msTime(rec.createdMs),
			User: royaltiUserEmail{Email: rec.email}, Artists: []royaltiArtist{},
		})
	}
	return jsonReply(http.StatusOK, out)
}

// royaltiFilter returns the users matching q's q, role and externalId.
func royaltiFilter(all []*royaltiRec, q map[string][]string) []*royaltiRec {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	text := strings.ToLower(get("q"))
	var roles []string
	if r := get("role"); r != "" {
		roles = strings.Split(r, ",")
	}
	_, byExternal := q["externalId"]
	out := make([]*royaltiRec, 0, len(all))
	for _, rec := range all {
		hay := strings.ToLower(fullName(rec.first, rec.last) + "\x00" + rec.email)
		switch {
		case byExternal:
		case text != "" && !strings.Contains(hay, text):
		case roles != nil && !slices.Contains(roles, rec.role()):
		default:
			out = append(out, rec)
		}
	}
	return out
}

// royaltiSort orders users by sortBy, stably, descending if desc.
func royaltiSort(users []*royaltiRec, sortBy string, desc bool) {
	switch sortBy {
	case "name":
		slices.SortStableFunc(users, func(a, b *royaltiRec) int {
			return strings.Compare(strings.ToLower(fullName(a.first, a.last)), strings.ToLower(fullName(b.first, b.last)))
		})
	case "split":
		// The fake holds no splits: every user ties.
	default:
		slices.SortStableFunc(users, func(a, b *royaltiRec) int {
			return cmp.Compare(a.createdMs, b.createdMs)
		})
	}
	if desc {
		slices.Reverse(users)
	}
}

// royaltiFindUser returns the user named by the {id} parameter in the
// caller's workspace, or the 404. The caller holds s.mu.
func (s *Server) royaltiFindUser(c *call) (*royaltiSpace, *royaltiRec, reply) {
	w := s.st.royaltiSpace(c.workspace)
	if id, ok := parseUUID(c.params["id"]); ok {
		if rec := w.byID[id]; rec != nil {
			return w, rec, reply{}
		}
	}
	return w, nil, s.errorReply(serviceRoyalti, http.StatusNotFound, "User not found", c.now)
}

// royaltiGetUser serves GET /user/{id}.
//
// {id} is the id GET /user/ lists. The answer carries the schema's fields
// and those the example adds: message and redirect_url are the current
// invite's, invite is the latest invite {id, status, date} or null when the
// user has none; string values the fake does not hold (externalId, and
// phone, country, ipi, nickName, message or redirect_url never sent) are
// left out, never null. An unknown id is
// 404 {"message": "User not found"}.
func (s *Server) royaltiGetUser(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, rec, rep := s.royaltiFindUser(c)
	if rec == nil {
		return rep
	}
	x := rec.more()
	out := royaltiUserDetail{
		FullName: fullName(rec.first, rec.last), Phone: x.phone, Country: x.country,
		SendEmail: rec.sendEmail, ID: rec.id.String(), FirstName: rec.first, LastName: rec.last,
		Email: rec.email, IPI: x.ipi,
		TenantUser: royaltiTenantUserOut{TenantID: w.tenantNum, NickName: x.nick, UserType: []string{}},
	}
	if x.userType != "" {
		out.TenantUser.UserType = []string{x.userType}
	}
	if inv := w.current[rec]; inv != nil {
		out.Message, out.RedirectURL = inv.message, inv.redirect
		out.Invite = &royaltiInviteRef{ID: inv.id.String(), Status: inv.status, Date: msTime(inv.sentMs)}
	}
	return jsonReply(http.StatusOK, out)
}

// royaltiDeleteUser serves DELETE /user/{id}.
//
// The user leaves the workspace, with their invites (the person keeps their
// id for other workspaces and later invites). The documents do not show
// the answer: the fake sends 200 {"message": "User deleted successfully"};
// a client should rely on the status alone. An unknown id is 404
// {"message": "User not found"}.
func (s *Server) royaltiDeleteUser(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, rec, rep := s.royaltiFindUser(c)
	if rec == nil {
		return rep
	}
	w.removeRoyalti(map[*royaltiRec]bool{rec: true})
	return jsonReply(http.StatusOK, royaltiMessage{Message: "User deleted successfully"})
}

// royaltiBulkDelete serves POST /user/bulk/delete.
//
// Each id that names a user of the token's workspace is deleted as DELETE
// /user/{id} does; every other id (a repeated one included) is listed, as
// sent, in failedDeletions. processedCount is the number of ids sent. An
// absent or empty ids is 400. HTTP 200 with the documented {"message":
// "Done.", ...}.
func (s *Server) royaltiBulkDelete(c *call) reply {
	var req royaltiBulkDeleteRequest
	if rep, ok := s.decode(serviceRoyalti, c, &req); !ok {
		return rep
	}
	if len(req.IDs) == 0 {
		return s.badRequest(serviceRoyalti, c.now, []problem{{Field: "ids", Message: "ids is required and must be a non-empty array"}})
	}
	out := royaltiBulkDeleteResponse{Message: "Done.", ProcessedCount: len(req.IDs), FailedDeletions: []string{}}
	gone := make(map[*royaltiRec]bool, len(req.IDs))
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpace(c.workspace)
	for _, raw := range req.IDs {
		id, _ := parseUUID(raw)
		if rec := w.byID[id]; rec != nil && !gone[rec] {
			gone[rec] = true
			continue
		}
		out.FailedDeletions = append(out.FailedDeletions, raw)
	}
	w.removeRoyalti(gone)
	return jsonReply(http.StatusOK, out)
}

// royaltiAddToTenant serves PUT /user/{id}/aut.
//
// {id} names a person the fake knows in any workspace (404 {"message":
// "User not found"} otherwise). A person not in the token's workspace joins
// it, with the names they have elsewhere, and gets a pending invite; one
// whose latest invite is pending has it resent; one whose invite was
// cancelled, or who has none, gets a new pending invite; one who joined is
// left as is. The optional body's redirect_url goes to the invite, and
// sendEmail (default true) is recorded on a user who joins. The answer is
// the documented 200 {}.
func (s *Server) royaltiAddToTenant(c *call) reply {
	var req royaltiAddRequest
	if len(bytes.TrimSpace(c.body)) > 0 {
		if rep, ok := s.decode(serviceRoyalti, c, &req); !ok {
			return rep
		}
	}
	id, ok := parseUUID(c.params["id"])
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpace(c.workspace)
	rec := w.byID[id]
	if rec == nil && ok {
		rec = s.st.royaltiJoin(w, id, req.SendEmail == nil || *req.SendEmail, c.now.UnixMilli())
	}
	if rec == nil {
		return s.errorReply(serviceRoyalti, http.StatusNotFound, "User not found", c.now)
	}
	ms := c.now.UnixMilli()
	switch inv := w.current[rec]; {
	case inv != nil && inv.status == RoyaltiInviteInvited:
		inv.refresh("", req.RedirectURL, ms)
	case inv == nil || inv.status == RoyaltiInviteCancelled:
		s.st.addRoyaltiInvite(w, rec, "", req.RedirectURL, ms)
	}
	return jsonReply(http.StatusOK, struct{}{})
}

// royaltiJoin adds the person with id, known from another workspace, to w
// and returns the new user, or nil if no workspace holds the person. The
// caller holds s.mu.
func (st *state) royaltiJoin(w *royaltiSpace, id uuid, sendEmail bool, ms int64) *royaltiRec {
	for _, other := range st.royaltiSpaces {
		src := other.byID[id]
		if src == nil {
			continue
		}
		rec := &royaltiRec{
			id: id, email: src.email, first: src.first, last: src.last,
			invited: true, sendEmail: sendEmail, createdMs: ms, extra: src.extra,
		}
		st.addRoyalti(w, emailKey(src.email), rec)
		return rec
	}
	return nil
}

// RoyaltiInvite is an invite the fake holds in a Royalti workspace.
type RoyaltiInvite struct {
	// ID is the invite's id, the {inviteId} of resend and cancel.
	ID string `json:"id"`
	// WorkspaceID is the workspace the invite is to.
	WorkspaceID string `json:"workspaceId"`
	// UserID is the invited user's id (TenantUserId on the wire).
	UserID string `json:"userId"`
	// Email is the invited user's email.
	Email string `json:"email"`
	// Status is one of the RoyaltiInvite status constants.
	Status string `json:"status"`
	// Message is the invite's custom message, if any.
	Message string `json:"message,omitempty"`
	// RedirectURL is the activation redirect URL sent, if any.
	RedirectURL string `json:"redirectUrl,omitempty"`
	// Resends counts the times the invite was resent.
	Resends int `json:"resends"`
	// SentAt is when the invite was last sent (meta.date on the wire).
	SentAt time.Time `json:"sentAt"`
	// CreatedAt is when the invite was created.
	CreatedAt time.Time `json:"createdAt"`
	// UpdatedAt is when the invite last changed.
	UpdatedAt time.Time `json:"updatedAt"`
	// JoinedAt is when the invite was accepted, nil until then.
	JoinedAt *time.Time `json:"joinedAt,omitempty"`
}

func (inv *royaltiInviteRec) export(workspaceID string) RoyaltiInvite {
	out := RoyaltiInvite{
		ID: inv.id.String(), WorkspaceID: workspaceID, UserID: inv.user.id.String(),
		Email: inv.user.email, Status: inv.status, Message: inv.message, RedirectURL: inv.redirect,
		Resends:   inv.resends,
		SentAt:    time.UnixMilli(inv.sentMs).UTC(),
		CreatedAt: time.UnixMilli(inv.createdMs).UTC(),
		UpdatedAt: time.UnixMilli(inv.updatedMs).UTC(),
	}
	if inv.joinedMs != 0 {
		t := time.UnixMilli(inv.joinedMs).UTC()
		out.JoinedAt = &t
	}
	return out
}

// RoyaltiInvites returns copies of the invites of a Royalti workspace,
// oldest first.
func (s *Server) RoyaltiInvites(workspaceID string) []RoyaltiInvite {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpaces[workspaceID]
	if w == nil {
		return nil
	}
	out := make([]RoyaltiInvite, len(w.invites))
	for i, inv := range w.invites {
		out[i] = inv.export(workspaceID)
	}
	return out
}

// AcceptRoyaltiInvite accepts the pending invite of the user with email in
// a Royalti workspace (letter case ignored), as the person would by
// following the emailed link: the invite becomes joined, with JoinedAt set,
// and can no longer be resent or cancelled. It returns an error if the
// workspace has no such user or the user's latest invite is not pending.
func (s *Server) AcceptRoyaltiInvite(workspaceID, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var inv *royaltiInviteRec
	if w := s.st.royaltiSpaces[workspaceID]; w != nil {
		if rec := w.byEmail[emailKey(email)]; rec != nil {
			inv = w.current[rec]
		}
	}
	if inv == nil || inv.status != RoyaltiInviteInvited {
		return errors.New("onboardtest: AcceptRoyaltiInvite: the workspace has no pending invite for that email")
	}
	ms := s.now().UnixMilli()
	inv.status, inv.joinedMs, inv.updatedMs = RoyaltiInviteJoined, ms, ms
	return nil
}

// AddRoyaltiInvite stores a pending invite of email to a Royalti workspace,
// as if sent earlier through /auth/invite, and returns the invite's id. The
// user is created if the workspace has none with that email; if the user
// already has a pending invite, nothing changes and its id is returned.
func (s *Server) AddRoyaltiInvite(workspaceID, email, firstName, lastName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpace(workspaceID)
	key := emailKey(email)
	ms := s.now().UnixMilli()
	rec := w.byEmail[key]
	if rec == nil {
		rec = &royaltiRec{email: email, first: firstName, last: lastName, invited: true, sendEmail: true, createdMs: ms}
		s.st.addRoyalti(w, key, rec)
	}
	if inv := w.current[rec]; inv != nil && inv.status == RoyaltiInviteInvited {
		return inv.id.String()
	}
	return s.st.addRoyaltiInvite(w, rec, "", "", ms).id.String()
}
