package onboardtest

import (
	"errors"
	"net/http"
	"time"
)

// This file serves AthenaHQ's team management: single invites to the
// organization, a website or a group, and the members of each.

// AthenaOrganizationID is the id of the one AthenaHQ organization the fake
// holds, which both API keys belong to. The accessors that take a website
// or group id (AthenaMembers, AthenaPendingInvites, AthenaMemberRole,
// AddAthenaMember, AddAthenaInvite, AddAthenaMemberAs, AcceptAthenaInvite)
// take it to mean the organization; it is "org_id" in the answer of PATCH
// /api/v1/organizations/members/{user_id}. Do not use it as a website id.
const AthenaOrganizationID = "a7e0a7e0-0000-4000-8000-000000000001"

// AthenaHQ roles. Websites and groups have admins and viewers; the
// organization also has its owner.
const (
	// AthenaRoleOwner is the organization owner's role, which no endpoint
	// sets or changes.
	AthenaRoleOwner = "owner"
	// AthenaRoleAdmin is the admin role.
	AthenaRoleAdmin = "admin"
	// AthenaRoleViewer is the viewer role, the default of invites.
	AthenaRoleViewer = "viewer"
)

// Kinds of invite target, and the access_type values of member lists.
const (
	athenaOrg     = "organization"
	athenaWebsite = "website"
	athenaGroup   = "group"
)

// addPending records a pending invite in t, giving it an invite id. The
// caller holds s.mu and has checked that the email has none.
func (st *state) addPending(t *athenaTarget, e athenaEntry) string {
	e.inviteID = st.newUUID().String()
	t.pendingIdx[emailKey(e.email)] = len(t.pending)
	t.pending = append(t.pending, e)
	return e.inviteID
}

// memberByID returns the index of user id's membership row in t, or -1. t
// may be nil, a target never used.
func (t *athenaTarget) memberByID(id string) int {
	if t == nil {
		return -1
	}
	for i, e := range t.members {
		if e.email != "" && e.userID == id {
			return i
		}
	}
	return -1
}

// removeMember deletes the membership row at index i.
func (t *athenaTarget) removeMember(i int) {
	delete(t.memberIdx, emailKey(t.members[i].email))
	t.members[i] = athenaEntry{}
}

// countAdmins returns how many members of t are admins.
func (t *athenaTarget) countAdmins() int {
	n := 0
	for _, e := range t.members {
		if e.email != "" && e.role == AthenaRoleAdmin {
			n++
		}
	}
	return n
}

// athenaCreateInviteRequest is the body of POST /api/v1/invites.
type athenaCreateInviteRequest struct {
	Type         string `json:"type"`
	InviteMethod string `json:"invite_method"`
	Email        string `json:"email"`
	Role         string `json:"role"`
	WebsiteID    string `json:"website_id"`
	GroupID      string `json:"group_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
}

type athenaCreateInviteResponse struct {
	Success  bool   `json:"success"`
	Message  string `json:"message"`
	InviteID string `json:"invite_id,omitempty"`
	UserID   string `json:"user_id,omitempty"`
}

// validate returns every problem with r and the id of the target it names
// (AthenaOrganizationID for the organization).
func (r *athenaCreateInviteRequest) validate() ([]problem, string) {
	var probs []problem
	add := func(field, msg string) { probs = append(probs, problem{Field: field, Message: msg}) }
	target := ""
	switch r.Type {
	case athenaOrg:
		target = AthenaOrganizationID
	case athenaWebsite, athenaGroup:
		field, id := "website_id", r.WebsiteID
		if r.Type == athenaGroup {
			field, id = "group_id", r.GroupID
		}
		switch {
		case id == "":
			add(field, field+" is required when type is "+r.Type)
		case !validUUID(id):
			add(field, field+" must be a valid UUID")
		}
		target = id
	case "":
		add("type", "type is required")
	default:
		add("type", "type must be one of: organization, website, group")
	}
	switch r.InviteMethod {
	case "direct", "email":
	case "":
		add("invite_method", "invite_method is required")
	default:
		add("invite_method", "invite_method must be one of: direct, email")
	}
	switch {
	case r.Email == "":
		add("email", "email is required")
	case !validEmail(r.Email):
		add("email", "email must be a valid email address")
	}
	if r.Role != "" && r.Role != AthenaRoleAdmin && r.Role != AthenaRoleViewer {
		add("role", "role must be one of: admin, viewer")
	}
	return probs, target
}

// athenaCreateInvite serves POST /api/v1/invites.
//
// type organization, website or group names the target; website_id or
// group_id is required for its type, and ignored for the others (the
// documented example sends both with type organization). Group invites need
// the global key (403, as documented); so do organization invites, an
// assumption: they grant access to every website, which a website-scoped
// key should not be able to give. invite_method direct adds the member at
// once, creating the account if there is none, and answers {"success":
// true, "message": "User added to organization" (or website, group),
// "user_id"}; email records a pending invite, listed nowhere until
// accepted (AcceptAthenaInvite), and answers {"success": true, "message":
// "Invitation sent", "invite_id"}. An existing member, or a pending invite
// for an email invite, is 409 with the bulk endpoint's per-target words.
// Success is 200, as the bulk endpoint's (this page's status is not
// documented).
func (s *Server) athenaCreateInvite(c *call) reply {
	var req athenaCreateInviteRequest
	if rep, ok := s.decode(serviceAthena, c, &req); !ok {
		return rep
	}
	probs, targetID := req.validate()
	if len(probs) > 0 {
		return s.badRequest(serviceAthena, c.now, probs)
	}
	if req.Type != athenaWebsite && !c.global {
		kind := "Group"
		if req.Type == athenaOrg {
			kind = "Organization"
		}
		return s.errorReply(serviceAthena, http.StatusForbidden, kind+" invites require a global API key", c.now)
	}
	role := req.Role
	if role == "" {
		role = AthenaRoleViewer
	}
	key := emailKey(req.Email)
	ms := c.now.UnixMilli()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.athenaTarget(targetID)
	if _, ok := t.memberIdx[key]; ok {
		return s.errorReply(serviceAthena, http.StatusConflict, "User is already a member of this "+req.Type, c.now)
	}
	if req.InviteMethod == "direct" {
		u := s.st.athenaUser(req.Email, req.FirstName, req.LastName, true)
		t.addMember(athenaEntry{email: req.Email, userID: u.id, role: role, createdMs: ms})
		return jsonReply(http.StatusOK, athenaCreateInviteResponse{Success: true, Message: "User added to " + req.Type, UserID: u.id})
	}
	if _, ok := t.pendingIdx[key]; ok {
		return s.errorReply(serviceAthena, http.StatusConflict, "User already has a pending invite to this "+req.Type, c.now)
	}
	id := s.st.addPending(t, athenaEntry{email: req.Email, role: role, first: req.FirstName, last: req.LastName, createdMs: ms})
	return jsonReply(http.StatusOK, athenaCreateInviteResponse{Success: true, Message: "Invitation sent", InviteID: id})
}

// athenaRoleRequest is the body of the role updates.
type athenaRoleRequest struct {
	Role string `json:"role"`
}

type athenaOrgMemberOut struct {
	UserID string `json:"user_id"`
	OrgID  string `json:"org_id"`
	Role   string `json:"role"`
}

type athenaUpdateOrgResponse struct {
	Success bool               `json:"success"`
	Member  athenaOrgMemberOut `json:"member"`
}

type athenaRemoveResponse struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

type athenaRemoveOrgResponse struct {
	Success          bool   `json:"success"`
	Message          string `json:"message"`
	WebsitesAffected int    `json:"websites_affected"`
}

type athenaSuccess struct {
	Success bool `json:"success"`
}

// athenaRequireGlobal returns the 403 for a website-scoped key.
func (s *Server) athenaRequireGlobal(c *call) (reply, bool) {
	if c.global {
		return reply{}, true
	}
	return s.errorReply(serviceAthena, http.StatusForbidden, "This endpoint requires a global API key", c.now), false
}

// athenaPathIDs checks that the named path parameters are uuids.
func (s *Server) athenaPathIDs(c *call, names ...string) (reply, bool) {
	var probs []problem
	for _, n := range names {
		if !validUUID(c.params[n]) {
			probs = append(probs, problem{Field: n, Message: n + " must be a valid UUID"})
		}
	}
	if len(probs) > 0 {
		return s.badRequest(serviceAthena, c.now, probs), false
	}
	return reply{}, true
}

// athenaDecodeRole decodes and checks a role update body.
func (s *Server) athenaDecodeRole(c *call) (string, reply, bool) {
	var req athenaRoleRequest
	if rep, ok := s.decode(serviceAthena, c, &req); !ok {
		return "", rep, false
	}
	switch req.Role {
	case AthenaRoleAdmin, AthenaRoleViewer:
		return req.Role, reply{}, true
	case "":
		return "", s.badRequest(serviceAthena, c.now, []problem{{Field: "role", Message: "role is required"}}), false
	}
	return "", s.badRequest(serviceAthena, c.now, []problem{{Field: "role", Message: "role must be one of: admin, viewer"}}), false
}

// athenaProtected returns the 403 for a change to the key's own user or the
// organization owner, or false. The caller holds s.mu.
func (s *Server) athenaProtected(c *call, userID string) (reply, bool) {
	if s.st.athenaKeyUser[c.cred] == userID {
		return s.errorReply(serviceAthena, http.StatusForbidden, "Cannot modify the API key's owning user", c.now), true
	}
	org := s.st.athenaTargets[AthenaOrganizationID]
	if i := org.memberByID(userID); i >= 0 && org.members[i].role == AthenaRoleOwner {
		return s.errorReply(serviceAthena, http.StatusForbidden, "Cannot modify the organization owner", c.now), true
	}
	return reply{}, false
}

// athenaUpdateOrgMember serves PATCH /api/v1/organizations/members/{user_id}.
//
// As documented: a global key is required (403), role is admin or viewer,
// and the key's own user (see SetAthenaKeyOwner) and the organization owner
// cannot be changed, nor the last admin demoted. The documents give no
// status for these refusals; the fake answers 403 for all three. A user_id
// that is not a member of the organization is 404. Success is 200 with the
// documented {"success": true, "member": {user_id, org_id, role}}.
func (s *Server) athenaUpdateOrgMember(c *call) reply {
	if rep, ok := s.athenaRequireGlobal(c); !ok {
		return rep
	}
	if rep, ok := s.athenaPathIDs(c, "user_id"); !ok {
		return rep
	}
	role, rep, ok := s.athenaDecodeRole(c)
	if !ok {
		return rep
	}
	userID := c.params["user_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	org := s.st.athenaTargets[AthenaOrganizationID]
	i := org.memberByID(userID)
	if i < 0 {
		return s.errorReply(serviceAthena, http.StatusNotFound, "Organization member not found", c.now)
	}
	if rep, refused := s.athenaProtected(c, userID); refused {
		return rep
	}
	m := &org.members[i]
	if m.role == AthenaRoleAdmin && role != AthenaRoleAdmin && org.countAdmins() == 1 {
		return s.errorReply(serviceAthena, http.StatusForbidden, "Cannot demote the last remaining admin", c.now)
	}
	m.role = role
	return jsonReply(http.StatusOK, athenaUpdateOrgResponse{
		Success: true,
		Member:  athenaOrgMemberOut{UserID: userID, OrgID: AthenaOrganizationID, Role: role},
	})
}

// athenaRemoveOrgMember serves DELETE /api/v1/organizations/members/{user_id}.
//
// The documents leave the key scope and the refusals uncaptured; the fake
// applies its sibling PATCH's rules: a global key is required, and the
// key's own user, the organization owner and the last admin cannot be
// removed (403). A user_id that is not a member is 404. The member's
// explicit website and group rows are removed with them, and
// websites_affected counts those rows (the fake keeps websites and groups
// in one namespace of ids). Success is 200 with the documented {"success":
// true, "message": "User removed from organization", "websites_affected"}.
func (s *Server) athenaRemoveOrgMember(c *call) reply {
	if rep, ok := s.athenaRequireGlobal(c); !ok {
		return rep
	}
	if rep, ok := s.athenaPathIDs(c, "user_id"); !ok {
		return rep
	}
	userID := c.params["user_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	org := s.st.athenaTargets[AthenaOrganizationID]
	i := org.memberByID(userID)
	if i < 0 {
		return s.errorReply(serviceAthena, http.StatusNotFound, "Organization member not found", c.now)
	}
	if rep, refused := s.athenaProtected(c, userID); refused {
		return rep
	}
	if org.members[i].role == AthenaRoleAdmin && org.countAdmins() == 1 {
		return s.errorReply(serviceAthena, http.StatusForbidden, "Cannot remove the last remaining admin", c.now)
	}
	org.removeMember(i)
	affected := 0
	for id, t := range s.st.athenaTargets {
		if j := t.memberByID(userID); id != AthenaOrganizationID && j >= 0 {
			t.removeMember(j)
			affected++
		}
	}
	return jsonReply(http.StatusOK, athenaRemoveOrgResponse{Success: true, Message: "User removed from organization", WebsitesAffected: affected})
}

// athenaMemberOut is one element of members in the website and group
// lists.
type athenaMemberOut struct {
	UserID     string `json:"user_id"`
	Email      string `json:"email"`
	Role       string `json:"role"`
	AccessType string `json:"access_type"`
	CreatedAt  string `json:"created_at"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
}

type athenaMemberList struct {
	Members []athenaMemberOut `json:"members"`
}

// appendMembers renders t's live rows with the given access type, skipping
// the users in skip. t may be nil. The caller holds s.mu.
func (st *state) appendMembers(out []athenaMemberOut, t *athenaTarget, access string, skip map[string]int) []athenaMemberOut {
	if t == nil {
		return out
	}
	for _, e := range t.members {
		if e.email == "" {
			continue
		}
		if _, dup := skip[emailKey(e.email)]; dup {
			continue
		}
		m := athenaMemberOut{
			UserID: e.userID, Email: e.email, Role: e.role, AccessType: access,
			CreatedAt: time.UnixMilli(e.createdMs).UTC().Format(time.RFC3339),
		}
		if u := st.athenaUsers[emailKey(e.email)]; u != nil {
			m.FirstName, m.LastName = u.first, u.last
		}
		out = append(out, m)
	}
	return out
}

// athenaList renders the members of a website or group: the organization's
// members (access_type organization) then the target's own rows not already
// listed (access_type website or group). orgOnly and rowsOnly select one
// part; rowsOnly keeps the rows of organization members too. The caller
// holds s.mu.
func (st *state) athenaList(targetID, rowKind string, orgOnly, rowsOnly bool) athenaMemberList {
	org := st.athenaTargets[AthenaOrganizationID]
	t := st.athenaTargets[targetID]
	out := athenaMemberList{Members: []athenaMemberOut{}}
	if !rowsOnly {
		out.Members = st.appendMembers(out.Members, org, athenaOrg, nil)
	}
	switch {
	case rowsOnly:
		out.Members = st.appendMembers(out.Members, t, rowKind, nil)
	case !orgOnly && org != nil:
		out.Members = st.appendMembers(out.Members, t, rowKind, org.memberIdx)
	case !orgOnly:
		out.Members = st.appendMembers(out.Members, t, rowKind, nil)
	}
	return out
}

// athenaListWebsiteMembers serves GET /api/v1/websites/{website_id}/members.
//
// As documented: every organization member (access_type organization, with
// their organization role) and then every explicit website member not in
// the organization (access_type website), each user once. No pagination.
// The fake keeps no list of websites: any uuid names a website of the
// organization, so an unknown one lists the organization's members. Either
// key is accepted (the fake's website-scoped key is allowed every
// website). A website_id that is not a uuid, or any query parameter, is
// 400. created_at is when the membership began.
func (s *Server) athenaListWebsiteMembers(c *call) reply {
	if rep, ok := s.athenaPathIDs(c, "website_id"); !ok {
		return rep
	}
	if name := unknownQuery(c.r.URL.Query()); name != "" {
		return s.badRequest(serviceAthena, c.now, []problem{{Field: name, Message: "unknown query parameter " + name}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return jsonReply(http.StatusOK, s.st.athenaList(c.params["website_id"], athenaWebsite, false, false))
}

// athenaListGroupMembers serves GET /api/v1/groups/{group_id}/members?access_type=.
//
// As documented: a global key is required (403); without access_type the
// organization's members (access_type organization) and the group's own
// rows for other users (access_type group), each user once;
// access_type=group gives the group's raw rows, organization members
// included; access_type=organization only the organization's members. Any
// other access_type or query parameter is 400. No pagination; any uuid
// names a group.
func (s *Server) athenaListGroupMembers(c *call) reply {
	if rep, ok := s.athenaRequireGlobal(c); !ok {
		return rep
	}
	if rep, ok := s.athenaPathIDs(c, "group_id"); !ok {
		return rep
	}
	q := c.r.URL.Query()
	if name := unknownQuery(q, "access_type"); name != "" {
		return s.badRequest(serviceAthena, c.now, []problem{{Field: name, Message: "unknown query parameter " + name}})
	}
	access := q.Get("access_type")
	if q.Has("access_type") && access != athenaOrg && access != athenaGroup {
		return s.badRequest(serviceAthena, c.now, []problem{{Field: "access_type", Message: "access_type must be one of: organization, group"}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return jsonReply(http.StatusOK, s.st.athenaList(c.params["group_id"], athenaGroup, access == athenaOrg, access == athenaGroup))
}

// athenaWebsiteMember finds user_id's row in the website, or the answer
// refusing the change: 404 when the user has no access to the website, 409
// when their access comes from the organization only. The caller holds
// s.mu.
func (s *Server) athenaWebsiteMember(c *call, verb string) (*athenaTarget, int, reply) {
	t := s.st.athenaTargets[c.params["website_id"]]
	userID := c.params["user_id"]
	if i := t.memberByID(userID); i >= 0 {
		return t, i, reply{}
	}
	if s.st.athenaTargets[AthenaOrganizationID].memberByID(userID) >= 0 {
		return t, -1, s.errorReply(serviceAthena, http.StatusConflict,
			"User has access through the organization; "+verb+" through /organizations/members instead", c.now)
	}
	return t, -1, s.errorReply(serviceAthena, http.StatusNotFound, "Website member not found", c.now)
}

// athenaUpdateWebsiteMember serves PATCH
// /api/v1/websites/{website_id}/members/{user_id}.
//
// role is admin or viewer. As documented, the key's own user and the
// organization owner cannot be changed (403). Undocumented, chosen: a user
// with no row in the website is 404, unless they are an organization
// member, whose access comes from the organization: 409. The answer is
// not documented (H3's {success, member} is likely but not shown): the fake
// answers 200 {"success": true} only.
func (s *Server) athenaUpdateWebsiteMember(c *call) reply {
	if rep, ok := s.athenaPathIDs(c, "website_id", "user_id"); !ok {
		return rep
	}
	role, rep, ok := s.athenaDecodeRole(c)
	if !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rep, refused := s.athenaProtected(c, c.params["user_id"]); refused {
		return rep
	}
	t, i, rep := s.athenaWebsiteMember(c, "change their role")
	if i < 0 {
		return rep
	}
	t.members[i].role = role
	return jsonReply(http.StatusOK, athenaSuccess{Success: true})
}

// athenaRemoveWebsiteMember serves DELETE
// /api/v1/websites/{website_id}/members/{user_id}.
//
// Removes the user's explicit row; 200 with the documented {"success":
// true, "message": "User removed from website"}. A user with no row is 404,
// an organization member without one 409 (their access comes from the
// organization). The documents give no refusal rules for this endpoint, so
// the owner and key-owner rules of PATCH are not applied.
func (s *Server) athenaRemoveWebsiteMember(c *call) reply {
	if rep, ok := s.athenaPathIDs(c, "website_id", "user_id"); !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, i, rep := s.athenaWebsiteMember(c, "remove them")
	if i < 0 {
		return rep
	}
	t.removeMember(i)
	return jsonReply(http.StatusOK, athenaRemoveResponse{Success: true, Message: "User removed from website"})
}

// AddAthenaMemberAs makes email a member of an AthenaHQ website, group, or
// the organization (AthenaOrganizationID) with the given role, creating the
// account if there is none, and returns the account's user_id. role is
// AthenaRoleAdmin or AthenaRoleViewer, or AthenaRoleOwner in the
// organization; any other value panics. An existing member gets the role.
func (s *Server) AddAthenaMemberAs(targetID, email, role string) string {
	switch {
	case role == AthenaRoleAdmin, role == AthenaRoleViewer:
	case role == AthenaRoleOwner && targetID == AthenaOrganizationID:
	default:
		panic("onboardtest: AddAthenaMemberAs: role " + role + " is not one of admin, viewer (or owner, in the organization)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.athenaUser(email, "", "", true)
	t := s.st.athenaTarget(targetID)
	if i, ok := t.memberIdx[emailKey(email)]; ok {
		t.members[i].role = role
	} else {
		t.addMember(athenaEntry{email: email, userID: u.id, role: role, createdMs: s.now().UnixMilli()})
	}
	return u.id
}

// SetAthenaKeyOwner makes email the user who owns apiKey (one of the keys
// the server accepts), creating the account if there is none, and returns
// its user_id. The member endpoints refuse to change that user with 403,
// as documented ("cannot modify the API key's owning user").
func (s *Server) SetAthenaKeyOwner(apiKey, email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.athenaUser(email, "", "", true)
	s.st.athenaKeyUser[apiKey] = u.id
	return u.id
}

// AcceptAthenaInvite accepts the pending invite of email to an AthenaHQ
// website, group, or the organization (AthenaOrganizationID), as the person
// would by following the emailed link: the invite becomes a membership
// with the invite's role, and the account is created, with the invite's
// names, if there is none. It returns an error if there is no such pending
// invite.
func (s *Server) AcceptAthenaInvite(targetID, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.athenaTargets[targetID]
	if t == nil {
		return errors.New("onboardtest: AcceptAthenaInvite: no pending invite for that email")
	}
	i, ok := t.pendingIdx[emailKey(email)]
	if !ok {
		return errors.New("onboardtest: AcceptAthenaInvite: no pending invite for that email")
	}
	inv := t.pending[i]
	u := s.st.athenaUser(inv.email, inv.first, inv.last, true)
	t.addMember(athenaEntry{email: inv.email, userID: u.id, role: inv.role, createdMs: s.now().UnixMilli()})
	return nil
}
