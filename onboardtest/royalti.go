package onboardtest

import (
	"net/http"
	"time"
)

// royaltiBulkUser is one element of users in POST /user/bulk.
type royaltiBulkUser struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	NickName  string `json:"nickName"`
	UserType  string `json:"userType"`
	Email     string `json:"email"`
	IPI       string `json:"ipi"`
	Role      string `json:"role"`
	Phone     string `json:"phone"`
	Country   string `json:"country"`
}

// royaltiBulkRequest is the body of POST /user/bulk.
type royaltiBulkRequest struct {
	Users       []royaltiBulkUser `json:"users"`
	SendEmail   *bool             `json:"sendEmail"`
	RedirectURL string            `json:"redirect_url"`
	Message     string            `json:"message"`
}

type royaltiBulkResponse struct {
	Message        string   `json:"message"`
	CreatedUsers   []string `json:"createdUsers"`
	ProcessedCount int      `json:"processedCount"`
	Errors         []string `json:"errors"`
}

// royaltiInviteRequest is the body of POST /auth/invite.
type royaltiInviteRequest struct {
	Email       string `json:"email"`
	SendEmail   *bool  `json:"sendEmail"`
	Message     string `json:"message"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	RedirectURL string `json:"redirect_url"`
	Role        string `json:"role"`
}

// royaltiInviteMessage is the documented answer of POST /auth/invite.
const royaltiInviteMessage = "Successful, Email verification Instructions have been sent to your email"

// RoyaltiUser is a user the fake holds in a Royalti workspace.
type RoyaltiUser struct {
	// ID is the user's id, the same in every workspace the person is in;
	// it is what the userId query parameter of /auth/invite names, and
	// the {id} of /user/{id}.
	ID string `json:"id"`
	// WorkspaceID is the workspace this record belongs to.
	WorkspaceID string `json:"workspaceId"`
	// Email is the address as it was sent.
	Email string `json:"email"`
	// FirstName is the firstName sent.
	FirstName string `json:"firstName"`
	// LastName is the lastName sent.
	LastName string `json:"lastName"`
	// NickName is the nickName sent to /user/bulk.
	NickName string `json:"nickName,omitempty"`
	// UserType is the userType sent to /user/bulk.
	UserType string `json:"userType,omitempty"`
	// IPI is the ipi sent to /user/bulk.
	IPI string `json:"ipi,omitempty"`
	// Role is the role sent.
	Role string `json:"role,omitempty"`
	// Phone is the phone sent to /user/bulk.
	Phone string `json:"phone,omitempty"`
	// Country is the country sent to /user/bulk.
	Country string `json:"country,omitempty"`
	// Invited tells whether the user came through /auth/invite.
	Invited bool `json:"invited"`
	// SendEmail is the effective sendEmail (true when absent).
	SendEmail bool `json:"sendEmail"`
	// CreatedAt is when the user joined the workspace.
	CreatedAt time.Time `json:"createdAt"`
}

// royaltiRec is a stored workspace member, kept small like aptlyRec.
type royaltiRec struct {
	id        uuid
	createdMs int64 // unix milliseconds
	email     string
	first     string
	last      string
	invited   bool
	sendEmail bool
	extra     *royaltiExtra // nil when the user carries none of these
}

// royaltiExtra holds the fields most users do not carry.
type royaltiExtra struct {
	nick, userType, ipi, role, phone, country string
}

func newRoyaltiExtra(x royaltiExtra) *royaltiExtra {
	if x == (royaltiExtra{}) {
		return nil
	}
	p := new(royaltiExtra) // not &x, which would put every x on the heap
	*p = x
	return p
}

func (rec *royaltiRec) export(workspaceID string) RoyaltiUser {
	u := RoyaltiUser{
		ID:          rec.id.String(),
		WorkspaceID: workspaceID,
		Email:       rec.email,
		FirstName:   rec.first,
		LastName:    rec.last,
		Invited:     rec.invited,
		SendEmail:   rec.sendEmail,
		CreatedAt:   time.UnixMilli(rec.createdMs).UTC(),
	}
	if x := rec.extra; x != nil {
		u.NickName, u.UserType, u.IPI, u.Role, u.Phone, u.Country = x.nick, x.userType, x.ipi, x.role, x.phone, x.country
	}
	return u
}

type royaltiSpace struct {
	byEmail map[string]*royaltiRec
	users   []*royaltiRec
	royaltiLife
}

// royaltiSpace returns the workspace, creating it on first use. The caller
// holds s.mu.
func (st *state) royaltiSpace(id string) *royaltiSpace {
	w := st.royaltiSpaces[id]
	if w == nil {
		w = &royaltiSpace{byEmail: make(map[string]*royaltiRec)}
		st.initRoyaltiLife(&w.royaltiLife)
		st.royaltiSpaces[id] = w
	}
	return w
}

// royaltiIdentity returns the stable user id for an email key, creating it
// on first use. The caller holds s.mu.
func (st *state) royaltiIdentity(key string) uuid {
	id, ok := st.royaltiIDs[key]
	if !ok {
		id = st.newUUID()
		st.royaltiIDs[key] = id
		st.royaltiByID[id] = struct{}{}
	}
	return id
}

// addRoyalti stores rec in w, giving it the person's id unless it has one.
// The caller holds s.mu and has checked that the email is new to w.
func (st *state) addRoyalti(w *royaltiSpace, key string, rec *royaltiRec) {
	if rec.id == (uuid{}) {
		rec.id = st.royaltiIdentity(key)
	}
	w.byEmail[key] = rec
	w.users = append(w.users, rec)
	w.byID[rec.id] = rec
}

// royaltiDisplayName is how Royalti names a user in its messages.
func royaltiDisplayName(first, last, email string) string {
	if n := fullName(first, last); n != "" {
		return n
	}
	return email
}

// royaltiBulkUsers serves POST /user/bulk. Each user created joins the
// workspace; with sendEmail true (the default, "sends an invite email") it
// also gets a pending invite, listed by GET /user/invites.
func (s *Server) royaltiBulkUsers(c *call) reply {
	var req royaltiBulkRequest
	if rep, ok := s.decode(serviceRoyalti, c, &req); !ok {
		return rep
	}
	if len(req.Users) == 0 {
		return s.badRequest(serviceRoyalti, c.now, []problem{{Field: "users", Message: "users is required and must be a non-empty array"}})
	}
	sendEmail := req.SendEmail == nil || *req.SendEmail
	ws := s.RoyaltiWorkspace(c.cred)
	createdMs := c.now.UnixMilli()
	resp := royaltiBulkResponse{
		Message:        "Done.",
		CreatedUsers:   []string{},
		ProcessedCount: len(req.Users),
		Errors:         []string{},
	}
	s.mu.Lock()
	w := s.st.royaltiSpace(ws)
	for i := range req.Users {
		u := &req.Users[i]
		name := royaltiDisplayName(u.FirstName, u.LastName, u.Email)
		key := emailKey(u.Email)
		switch {
		case !validEmail(u.Email):
			resp.Errors = append(resp.Errors, "Invalid email format for "+name)
		case w.byEmail[key] != nil:
			resp.Errors = append(resp.Errors, "User "+name+" already associated with workspace!")
		default:
			rec := &royaltiRec{
				email:     u.Email,
				first:     u.FirstName,
				last:      u.LastName,
				sendEmail: sendEmail,
				createdMs: createdMs,
				extra: newRoyaltiExtra(royaltiExtra{
					nick: u.NickName, userType: u.UserType, ipi: u.IPI,
					role: u.Role, phone: u.Phone, country: u.Country,
				}),
			}
			s.st.addRoyalti(w, key, rec)
			if sendEmail {
				s.st.addRoyaltiInvite(w, rec, req.Message, req.RedirectURL, createdMs)
			}
			resp.CreatedUsers = append(resp.CreatedUsers, name)
		}
	}
	s.mu.Unlock()
	return jsonReply(http.StatusCreated, resp)
}

// royaltiInvite serves POST /auth/invite?workspaceId=&userId=. The person
// joins the workspace as a user with a pending invite (status invited,
// whatever sendEmail says: the documents guarantee the invite record),
// listed by GET /user/invites.
func (s *Server) royaltiInvite(c *call) reply {
	var req royaltiInviteRequest
	if rep, ok := s.decode(serviceRoyalti, c, &req); !ok {
		return rep
	}
	switch {
	case req.Email == "":
		return s.badRequest(serviceRoyalti, c.now, []problem{{Field: "email", Message: "email is required"}})
	case !validEmail(req.Email):
		return s.badRequest(serviceRoyalti, c.now, []problem{{Field: "email", Message: "email must be a valid email"}})
	}
	q := c.r.URL.Query()
	ws := q.Get("workspaceId")
	if ws == "" {
		ws = s.RoyaltiWorkspace(c.cred)
	}
	userID := q.Get("userId")
	key := emailKey(req.Email)

	s.mu.Lock()
	defer s.mu.Unlock()
	var id uuid
	if userID != "" {
		var ok bool
		if id, ok = parseUUID(userID); ok {
			_, ok = s.st.royaltiByID[id]
		}
		if !ok {
			return s.errorReply(serviceRoyalti, http.StatusNotFound, "User not found", c.now)
		}
	}
	w := s.st.royaltiSpace(ws)
	if w.byEmail[key] != nil {
		return s.errorReply(serviceRoyalti, http.StatusConflict,
			"User "+req.Email+" already associated with workspace!", c.now,
			problem{Field: "email", Message: "email already associated with workspace"})
	}
	if _, known := s.st.royaltiIDs[key]; !known && userID != "" {
		s.st.royaltiIDs[key] = id
	}
	rec := &royaltiRec{
		id:        id,
		email:     req.Email,
		first:     req.FirstName,
		last:      req.LastName,
		invited:   true,
		sendEmail: req.SendEmail == nil || *req.SendEmail,
		createdMs: c.now.UnixMilli(),
		extra:     newRoyaltiExtra(royaltiExtra{role: req.Role}),
	}
	s.st.addRoyalti(w, key, rec)
	s.st.addRoyaltiInvite(w, rec, req.Message, req.RedirectURL, rec.createdMs)
	return jsonReply(http.StatusCreated, royaltiMessage{Message: royaltiInviteMessage})
}

// RoyaltiUsers returns copies of the users of a Royalti workspace in the
// order they joined it.
func (s *Server) RoyaltiUsers(workspaceID string) []RoyaltiUser {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpaces[workspaceID]
	if w == nil {
		return nil
	}
	out := make([]RoyaltiUser, len(w.users))
	for i, rec := range w.users {
		out[i] = rec.export(workspaceID)
	}
	return out
}

// RoyaltiUserCount returns how many users a Royalti workspace holds, without
// copying them.
func (s *Server) RoyaltiUserCount(workspaceID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.st.royaltiSpaces[workspaceID]; w != nil {
		return len(w.users)
	}
	return 0
}

// RoyaltiWorkspace returns the default workspace of a Royalti bearer token,
// or "" if the server does not accept the token.
func (s *Server) RoyaltiWorkspace(token string) string {
	if token == "" {
		return ""
	}
	if token == s.cfg.royaltiToken {
		return s.cfg.royaltiWorkspace
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.royaltiTokens[token]
}

// AddRoyaltiToken makes the server accept token as a Royalti bearer token
// whose default workspace is workspaceID, for tests with several
// workspaces.
func (s *Server) AddRoyaltiToken(token, workspaceID string) {
	s.mu.Lock()
	s.st.royaltiTokens[token] = workspaceID
	s.mu.Unlock()
}

// AddRoyaltiUser stores a user in a Royalti workspace, as if created
// earlier, and returns the user's id (usable as the userId query parameter
// of /auth/invite). If the workspace already has that email, nothing
// changes and that user's id is returned.
func (s *Server) AddRoyaltiUser(workspaceID, email, firstName, lastName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.st.royaltiSpace(workspaceID)
	key := emailKey(email)
	if rec := w.byEmail[key]; rec != nil {
		return rec.id.String()
	}
	rec := &royaltiRec{
		email:     email,
		first:     firstName,
		last:      lastName,
		sendEmail: true,
		createdMs: s.now().UnixMilli(),
	}
	s.st.addRoyalti(w, key, rec)
	return rec.id.String()
}
