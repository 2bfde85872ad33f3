package onboardtest

import (
	"net/http"
	"strconv"
)

// athenaInviteRequest is the body of POST /api/v1/invites/bulk.
type athenaInviteRequest struct {
	InviteMethod string   `json:"invite_method"`
	Email        string   `json:"email"`
	Role         string   `json:"role"`
	WebsiteIDs   []string `json:"website_ids"`
	GroupIDs     []string `json:"group_ids"`
	FirstName    string   `json:"first_name"`
	LastName     string   `json:"last_name"`
}

// athenaResult is one per-target result.
type athenaResult struct {
	WebsiteID string `json:"website_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	Success   bool   `json:"success"`
	Message   string `json:"message,omitempty"`
	UserID    string `json:"user_id,omitempty"`
	Error     string `json:"error,omitempty"`
}

type athenaResponse struct {
	Success bool           `json:"success"`
	Results []athenaResult `json:"results"`
}

// athenaMaxTargets is the documented largest number of website_ids or
// group_ids in one request.
const athenaMaxTargets = 50

type athenaUser struct {
	id, email, first, last string
}

// athenaEntry is a membership or a pending invite. An entry whose email is
// empty has been removed.
type athenaEntry struct {
	email, userID, role string
	createdMs           int64  // unix milliseconds
	inviteID            string // pending invites only
	first, last         string // pending invites only: the names sent
}

// athenaTarget is a website or a group. Websites and groups share one
// namespace of ids.
type athenaTarget struct {
	members    []athenaEntry
	memberIdx  map[string]int // email key -> index in members
	pending    []athenaEntry
	pendingIdx map[string]int
}

// athenaTarget returns the target, creating it on first use. The caller
// holds s.mu.
func (st *state) athenaTarget(id string) *athenaTarget {
	t := st.athenaTargets[id]
	if t == nil {
		t = &athenaTarget{memberIdx: make(map[string]int), pendingIdx: make(map[string]int)}
		st.athenaTargets[id] = t
	}
	return t
}

// athenaUser returns the account for email, creating it if asked. The
// caller holds s.mu.
func (st *state) athenaUser(email, first, last string, create bool) *athenaUser {
	key := emailKey(email)
	u := st.athenaUsers[key]
	if u == nil && create {
		u = &athenaUser{id: st.newUUID().String(), email: email, first: first, last: last}
		st.athenaUsers[key] = u
	}
	return u
}

func (t *athenaTarget) addMember(e athenaEntry) {
	key := emailKey(e.email)
	if i, ok := t.pendingIdx[key]; ok {
		t.pending[i] = athenaEntry{}
		delete(t.pendingIdx, key)
	}
	t.memberIdx[key] = len(t.members)
	t.members = append(t.members, e)
}

// athenaBulkInvite serves POST /api/v1/invites/bulk.
func (s *Server) athenaBulkInvite(c *call) reply {
	var req athenaInviteRequest
	if rep, ok := s.decode(serviceAthena, c, &req); !ok {
		return rep
	}
	var probs []problem
	add := func(field, msg string) { probs = append(probs, problem{Field: field, Message: msg}) }
	switch req.InviteMethod {
	case "direct", "email":
	case "":
		add("invite_method", "invite_method is required")
	default:
		add("invite_method", "invite_method must be one of: direct, email")
	}
	switch {
	case req.Email == "":
		add("email", "email is required")
	case !validEmail(req.Email):
		add("email", "email must be a valid email address")
	}
	role := req.Role
	switch role {
	case "":
		role = "viewer"
	case "admin", "viewer":
	default:
		add("role", "role must be one of: admin, viewer")
	}
	field, ids := "website_ids", req.WebsiteIDs
	switch {
	case req.WebsiteIDs != nil && req.GroupIDs != nil:
		add("website_ids", "website_ids and group_ids are mutually exclusive; provide exactly one")
		ids = nil
	case req.WebsiteIDs == nil && req.GroupIDs == nil:
		add("website_ids", "one of website_ids or group_ids is required")
	case req.GroupIDs != nil:
		field, ids = "group_ids", req.GroupIDs
	}
	if ids != nil {
		if len(ids) < 1 || len(ids) > athenaMaxTargets {
			add(field, field+" must contain between 1 and "+strconv.Itoa(athenaMaxTargets)+" items")
		}
		for i, id := range ids {
			if !validUUID(id) {
				f := field + "[" + strconv.Itoa(i) + "]"
				add(f, f+" must be a valid UUID")
			}
		}
	}
	if len(probs) > 0 {
		return s.badRequest(serviceAthena, c.now, probs)
	}
	group := field == "group_ids"
	if group && !c.global {
		return s.errorReply(serviceAthena, http.StatusForbidden, "Group invites require a global API key", c.now)
	}

	kind := "website"
	if group {
		kind = "group"
	}
	direct := req.InviteMethod == "direct"
	key := emailKey(req.Email)
	results := make([]athenaResult, len(ids))
	s.mu.Lock()
	user := s.st.athenaUser(req.Email, req.FirstName, req.LastName, direct)
	for i, id := range ids {
		r := &results[i]
		if group {
			r.GroupID = id
		} else {
			r.WebsiteID = id
		}
		t := s.st.athenaTarget(id)
		if _, ok := t.memberIdx[key]; ok {
			r.Error = "User is already a member of this " + kind
			continue
		}
		if direct {
			t.addMember(athenaEntry{email: req.Email, userID: user.id, role: role, createdMs: c.now.UnixMilli()})
			r.Success, r.Message, r.UserID = true, "User added to "+kind, user.id
			continue
		}
		if _, ok := t.pendingIdx[key]; ok {
			r.Error = "User already has a pending invite to this " + kind
			continue
		}
		s.st.addPending(t, athenaEntry{email: req.Email, role: role, first: req.FirstName, last: req.LastName, createdMs: c.now.UnixMilli()})
		r.Success, r.Message = true, "Invite sent"
		if user != nil {
			r.UserID = user.id
		}
	}
	s.mu.Unlock()
	return jsonReply(http.StatusOK, athenaResponse{Success: true, Results: results})
}

func liveEmails(entries []athenaEntry) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.email != "" {
			out = append(out, e.email)
		}
	}
	return out
}

// AthenaMembers returns the emails of the members of an AthenaHQ website or
// group, or of the organization (AthenaOrganizationID), in the order they
// were added: explicit rows only, without the organization's members that
// the website and group lists merge in.
func (s *Server) AthenaMembers(targetID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.athenaTargets[targetID]; t != nil {
		return liveEmails(t.members)
	}
	return nil
}

// AthenaMemberCount returns how many members an AthenaHQ website or group
// has.
func (s *Server) AthenaMemberCount(targetID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.athenaTargets[targetID]; t != nil {
		return len(t.memberIdx)
	}
	return 0
}

// AthenaPendingInvites returns the emails with a pending invite (sent with
// invite_method "email") to an AthenaHQ website or group, oldest first. A
// direct invite of the same person later turns the pending invite into a
// membership.
func (s *Server) AthenaPendingInvites(targetID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.athenaTargets[targetID]; t != nil {
		return liveEmails(t.pending)
	}
	return nil
}

// AthenaMemberRole returns the role ("admin" or "viewer", or "owner" in the
// organization) of a member of an AthenaHQ website, group or organization
// (AthenaOrganizationID), or of a pending invite to it, and false if the
// email is neither.
func (s *Server) AthenaMemberRole(targetID, email string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.athenaTargets[targetID]
	if t == nil {
		return "", false
	}
	key := emailKey(email)
	if i, ok := t.memberIdx[key]; ok {
		return t.members[i].role, true
	}
	if i, ok := t.pendingIdx[key]; ok {
		return t.pending[i].role, true
	}
	return "", false
}

// AthenaUserID returns the user_id of the AthenaHQ account for email, or ""
// if no account exists. Accounts are created by direct invites and
// AddAthenaMember; the id is stable for the life of the server.
func (s *Server) AthenaUserID(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.st.athenaUsers[emailKey(email)]; u != nil {
		return u.id
	}
	return ""
}

// AddAthenaMember makes email a viewer of an AthenaHQ website or group, as
// if invited directly earlier, and returns the account's user_id. Nothing
// changes if email is already a member.
func (s *Server) AddAthenaMember(targetID, email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.athenaUser(email, "", "", true)
	t := s.st.athenaTarget(targetID)
	if _, ok := t.memberIdx[emailKey(email)]; !ok {
		t.addMember(athenaEntry{email: email, userID: u.id, role: "viewer", createdMs: s.now().UnixMilli()})
	}
	return u.id
}

// AddAthenaInvite records a pending viewer invite of email to an AthenaHQ
// website or group, as if sent earlier with invite_method "email". Nothing
// changes if email is already a member or invited.
func (s *Server) AddAthenaInvite(targetID, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.athenaTarget(targetID)
	key := emailKey(email)
	if _, ok := t.memberIdx[key]; ok {
		return
	}
	if _, ok := t.pendingIdx[key]; ok {
		return
	}
	s.st.addPending(t, athenaEntry{email: email, role: "viewer", createdMs: s.now().UnixMilli()})
}
