package onboardtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

const org = onboardtest.AthenaOrganizationID

func athenaOK200(t *testing.T, r *response) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(t)
}

func athenaCreate(t *testing.T, srv *onboardtest.Server, a auth, body any) *response {
	t.Helper()
	return post(t, srv.AthenaURL()+"/api/v1/invites", a, body)
}

func websiteMembers(t *testing.T, srv *onboardtest.Server, a auth, site string) []map[string]any {
	t.Helper()
	return memberList(t, send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/websites/"+site+"/members", a, nil))
}

func memberList(t *testing.T, r *response) []map[string]any {
	t.Helper()
	m := athenaOK200(t, r)
	assert.Equal(t, []string{"members"}, keys(m))
	out := []map[string]any{}
	for _, x := range m["members"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// summary renders members as "email access role" lines.
func summary(members []map[string]any) []string {
	var out []string
	for _, m := range members {
		out = append(out, m["email"].(string)+" "+m["access_type"].(string)+" "+m["role"].(string))
	}
	return out
}

func TestAthenaCreateInviteDocumentedExample(t *testing.T) {
	srv := newServer(t)
	req := loadExample(t, "athena-invites-request.json")

	// The documented example: an email invite to the organization (the
	// website_id and group_id it also carries are not for this type).
	m := athenaOK200(t, athenaCreate(t, srv, athenaGlb, req))
	assert.ElementsMatch(t, []string{"success", "message", "invite_id"}, keys(m))
	assert.Equal(t, true, m["success"])
	assert.Equal(t, "Invitation sent", m["message"])
	assert.Regexp(t, uuidRE, m["invite_id"])
	assert.Equal(t, []string{"user@example.com"}, srv.AthenaPendingInvites(org))
	assert.Empty(t, srv.AthenaMembers(org))
	assert.Empty(t, srv.AthenaUserID("user@example.com"), "an email invite creates no account")
	invites := srv.State().Athena.Organization.Invites
	require.Len(t, invites, 1)
	assert.Equal(t, m["invite_id"], invites[0].ID)
	assert.Equal(t, "John", invites[0].FirstName)
	assertAthenaError(t, athenaCreate(t, srv, athenaGlb, req), http.StatusConflict, "User already has a pending invite to this organization")

	// Direct: the documented answer.
	req["invite_method"] = "direct"
	req["email"] = "direct@example.com"
	r := athenaCreate(t, srv, athenaGlb, req)
	m = athenaOK200(t, r)
	assertSameShape(t, "", loadExample(t, "athena-invites-response.json"), m)
	assert.Equal(t, map[string]any{"success": true, "message": "User added to organization", "user_id": srv.AthenaUserID("direct@example.com")}, m)
	role, ok := srv.AthenaMemberRole(org, "direct@example.com")
	assert.True(t, ok)
	assert.Equal(t, "viewer", role)
	assertAthenaError(t, athenaCreate(t, srv, athenaGlb, req), http.StatusConflict, "User is already a member of this organization")
}

func TestAthenaCreateInviteTargetsAndKeys(t *testing.T) {
	srv := newServer(t)
	website := map[string]any{"type": "website", "invite_method": "direct", "email": "w@example.com", "website_id": site1, "role": "admin"}
	m := athenaOK200(t, athenaCreate(t, srv, athenaOK, website))
	assert.Equal(t, "User added to website", m["message"])
	role, _ := srv.AthenaMemberRole(site1, "w@example.com")
	assert.Equal(t, "admin", role)

	group := map[string]any{"type": "group", "invite_method": "email", "email": "g@example.com", "group_id": group1}
	assertAthenaError(t, athenaCreate(t, srv, athenaOK, group), http.StatusForbidden, "Group invites require a global API key")
	assertAthenaError(t, athenaCreate(t, srv, athenaOK, map[string]any{"type": "organization", "invite_method": "direct", "email": "o@example.com"}),
		http.StatusForbidden, "Organization invites require a global API key")
	m = athenaOK200(t, athenaCreate(t, srv, athenaGlb, group))
	assert.Equal(t, "Invitation sent", m["message"])
	assert.Equal(t, []string{"g@example.com"}, srv.AthenaPendingInvites(group1))
	group["invite_method"] = "direct"
	assert.Equal(t, "User added to group", athenaOK200(t, athenaCreate(t, srv, athenaGlb, group))["message"])
	assert.Empty(t, srv.AthenaPendingInvites(group1), "a direct invite turns the pending one into a membership")
	assert.Empty(t, srv.AthenaMembers(org))

	for body, msg := range map[string]string{
		`{"invite_method":"direct","email":"a@example.com"}`:                                             "type is required",
		`{"type":"team","invite_method":"direct","email":"a@example.com"}`:                               "type must be one of: organization, website, group",
		`{"type":"website","invite_method":"direct","email":"a@example.com"}`:                            "website_id is required when type is website",
		`{"type":"group","invite_method":"direct","email":"a@example.com","website_id":"` + site1 + `"}`: "group_id is required when type is group",
		`{"type":"website","invite_method":"direct","email":"a@example.com","website_id":"x"}`:           "website_id must be a valid UUID",
		`{"type":"organization","email":"a@example.com"}`:                                                "invite_method is required",
		`{"type":"organization","invite_method":"sms","email":"a@example.com"}`:                          "invite_method must be one of: direct, email",
		`{"type":"organization","invite_method":"direct"}`:                                               "email is required",
		`{"type":"organization","invite_method":"direct","email":"a@b"}`:                                 "email must be a valid email address",
		`{"type":"organization","invite_method":"direct","email":"a@example.com","role":"owner"}`:        "role must be one of: admin, viewer",
		`{"type":"organization","invite_method":"direct","email":"a@example.com","website_ids":[]}`:      "unknown field \"website_ids\"",
	} {
		assertAthenaError(t, athenaCreate(t, srv, athenaGlb, body), http.StatusBadRequest, msg)
	}
	assertAthenaError(t, athenaCreate(t, srv, nil, website), http.StatusUnauthorized, "Missing API key")
}

func TestAthenaWebsiteMembersMerge(t *testing.T) {
	clock := newFakeClock(time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	srv.AddAthenaMemberAs(org, "owner@example.com", onboardtest.AthenaRoleOwner)
	srv.AddAthenaMemberAs(org, "both@example.com", onboardtest.AthenaRoleAdmin)
	srv.AddAthenaMemberAs(site1, "both@example.com", onboardtest.AthenaRoleViewer)
	athenaOK200(t, athenaCreate(t, srv, athenaOK, map[string]any{"type": "website", "invite_method": "direct",
		"email": "jsmith@example.com", "website_id": site1, "first_name": "J", "last_name": "Smith"}))
	athenaResults(t, athenaInvite(t, srv, athenaOK, map[string]any{"invite_method": "email", "email": "pending@example.com", "website_ids": []string{site1}}))
	srv.AddAthenaMember(site2, "elsewhere@example.com")

	members := websiteMembers(t, srv, athenaOK, site1)
	assert.Equal(t, []string{
		"owner@example.com organization owner",
		"both@example.com organization admin", // once, with org precedence
		"jsmith@example.com website viewer",
	}, summary(members))
	m := map[string]any{}
	for k, v := range members[2] {
		m[k] = v
	}
	assertSameShape(t, "members[2]", loadExample(t, "athena-website-members-response.json")["members"].([]any)[0], m)
	assert.Equal(t, map[string]any{"user_id": srv.AthenaUserID("jsmith@example.com"), "email": "jsmith@example.com", "role": "viewer",
		"access_type": "website", "created_at": "2023-11-07T05:31:56Z", "first_name": "J", "last_name": "Smith"}, m)

	// A website nobody was added to still lists the organization; a
	// global key works too.
	assert.Equal(t, []string{"owner@example.com organization owner", "both@example.com organization admin"},
		summary(websiteMembers(t, srv, athenaGlb, "00000000-0000-4000-8000-000000000099")))

	url := srv.AthenaURL() + "/api/v1/websites/"
	assertAthenaError(t, send(t, http.MethodGet, url+"nope/members", athenaOK, nil), http.StatusBadRequest, "website_id must be a valid UUID")
	assertAthenaError(t, send(t, http.MethodGet, url+site1+"/members?page=2", athenaOK, nil), http.StatusBadRequest, "unknown query parameter page")
	assertAthenaError(t, send(t, http.MethodGet, url+site1+"/members", athenaOK, `{}`), http.StatusBadRequest, "takes no request body")
	assertAthenaError(t, send(t, http.MethodGet, url+site1+"/members", athenaAuth("wrong"), nil), http.StatusUnauthorized, "Invalid API key")
	r := post(t, url+site1+"/members", athenaOK, `{}`)
	assertAthenaError(t, r, http.StatusMethodNotAllowed, "use GET")
	assert.Equal(t, "GET", r.Header.Get("Allow"))
}

func TestAthenaGroupMembers(t *testing.T) {
	srv := newServer(t)
	srv.AddAthenaMemberAs(org, "admin@example.com", onboardtest.AthenaRoleAdmin)
	srv.AddAthenaMemberAs(group1, "admin@example.com", onboardtest.AthenaRoleViewer)
	srv.AddAthenaMemberAs(group1, "row@example.com", onboardtest.AthenaRoleAdmin)
	url := srv.AthenaURL() + "/api/v1/groups/" + group1 + "/members"

	r := send(t, http.MethodGet, url, athenaGlb, nil)
	merged := memberList(t, r)
	assertSameShape(t, "", loadExample(t, "athena-group-members-response.json"), r.JSON(t))
	assert.Equal(t, []string{"admin@example.com organization admin", "row@example.com group admin"}, summary(merged))
	raw := memberList(t, send(t, http.MethodGet, url+"?access_type=group", athenaGlb, nil))
	assert.Equal(t, []string{"admin@example.com group viewer", "row@example.com group admin"}, summary(raw), "raw rows, no dedup")
	orgOnly := memberList(t, send(t, http.MethodGet, url+"?access_type=organization", athenaGlb, nil))
	assert.Equal(t, []string{"admin@example.com organization admin"}, summary(orgOnly))
	assert.Empty(t, memberList(t, send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/groups/"+group2+"/members?access_type=group", athenaGlb, nil)))

	assertAthenaError(t, send(t, http.MethodGet, url, athenaOK, nil), http.StatusForbidden, "requires a global API key")
	assertAthenaError(t, send(t, http.MethodGet, url+"?access_type=website", athenaGlb, nil), http.StatusBadRequest, "access_type must be one of: organization, group")
	assertAthenaError(t, send(t, http.MethodGet, url+"?type=group", athenaGlb, nil), http.StatusBadRequest, "unknown query parameter type")
	assertAthenaError(t, send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/groups/x/members", athenaGlb, nil), http.StatusBadRequest, "group_id must be a valid UUID")
}

func TestAthenaUpdateOrgMemberRole(t *testing.T) {
	srv := newServer(t)
	srv.AddAthenaMemberAs(org, "owner@example.com", onboardtest.AthenaRoleOwner)
	admin := srv.AddAthenaMemberAs(org, "admin@example.com", onboardtest.AthenaRoleAdmin)
	viewer := srv.AddAthenaMemberAs(org, "viewer@example.com", onboardtest.AthenaRoleViewer)
	keyUser := srv.SetAthenaKeyOwner(onboardtest.AthenaGlobalAPIKey, "bot@example.com")
	srv.AddAthenaMemberAs(org, "bot@example.com", onboardtest.AthenaRoleAdmin)
	url := func(id string) string { return srv.AthenaURL() + "/api/v1/organizations/members/" + id }

	// Admins: admin and bot. Promote viewer, then demote admin.
	r := send(t, http.MethodPatch, url(viewer), athenaGlb, `{"role":"admin"}`)
	m := athenaOK200(t, r)
	assertSameShape(t, "", loadExample(t, "athena-org-member-role-response.json"), m)
	assert.Equal(t, map[string]any{"success": true, "member": map[string]any{"user_id": viewer, "org_id": org, "role": "admin"}}, m)
	athenaOK200(t, send(t, http.MethodPatch, url(admin), athenaGlb, `{"role":"viewer"}`))
	role, _ := srv.AthenaMemberRole(org, "admin@example.com")
	assert.Equal(t, "viewer", role)
	// The change shows in the lists.
	assert.Contains(t, summary(websiteMembers(t, srv, athenaOK, site1)), "admin@example.com organization viewer")

	assertAthenaError(t, send(t, http.MethodPatch, url(keyUser), athenaGlb, `{"role":"viewer"}`), http.StatusForbidden, "Cannot modify the API key's owning user")
	ownerID := srv.AthenaUserID("owner@example.com")
	assertAthenaError(t, send(t, http.MethodPatch, url(ownerID), athenaGlb, `{"role":"admin"}`), http.StatusForbidden, "Cannot modify the organization owner")

	// With the key owned by someone else, bot can be changed. Admins are
	// now viewer and bot: demote viewer, and bot is the last admin.
	srv.SetAthenaKeyOwner(onboardtest.AthenaGlobalAPIKey, "owner@example.com")
	athenaOK200(t, send(t, http.MethodPatch, url(viewer), athenaGlb, `{"role":"viewer"}`))
	assertAthenaError(t, send(t, http.MethodPatch, url(keyUser), athenaGlb, `{"role":"viewer"}`), http.StatusForbidden, "Cannot demote the last remaining admin")
	athenaOK200(t, send(t, http.MethodPatch, url(keyUser), athenaGlb, `{"role":"admin"}`)) // no demotion: fine

	assertAthenaError(t, send(t, http.MethodPatch, url(viewer), athenaOK, `{"role":"admin"}`), http.StatusForbidden, "requires a global API key")
	assertAthenaError(t, send(t, http.MethodPatch, url(site1), athenaGlb, `{"role":"admin"}`), http.StatusNotFound, "Organization member not found")
	assertAthenaError(t, send(t, http.MethodPatch, url("x"), athenaGlb, `{"role":"admin"}`), http.StatusBadRequest, "user_id must be a valid UUID")
	assertAthenaError(t, send(t, http.MethodPatch, url(viewer), athenaGlb, `{"role":"owner"}`), http.StatusBadRequest, "role must be one of: admin, viewer")
	assertAthenaError(t, send(t, http.MethodPatch, url(viewer), athenaGlb, `{}`), http.StatusBadRequest, "role is required")
	assertAthenaError(t, send(t, http.MethodPatch, url(viewer), athenaGlb, `{"Role":"admin"}`), http.StatusBadRequest, `unknown field "Role"`)
	r = send(t, http.MethodPut, url(viewer), athenaGlb, `{"role":"admin"}`)
	assertAthenaError(t, r, http.StatusMethodNotAllowed, "use PATCH, DELETE")
	assert.Equal(t, "PATCH, DELETE", r.Header.Get("Allow"))
}

func TestAthenaRemoveOrgMember(t *testing.T) {
	srv := newServer(t)
	ownerID := srv.AddAthenaMemberAs(org, "owner@example.com", onboardtest.AthenaRoleOwner)
	admin := srv.AddAthenaMemberAs(org, "admin@example.com", onboardtest.AthenaRoleAdmin)
	viewer := srv.AddAthenaMemberAs(org, "viewer@example.com", onboardtest.AthenaRoleViewer)
	srv.AddAthenaMemberAs(site1, "viewer@example.com", onboardtest.AthenaRoleAdmin) // stray rows
	srv.AddAthenaMemberAs(site2, "viewer@example.com", onboardtest.AthenaRoleViewer)
	srv.AddAthenaMember(site2, "keep@example.com")
	url := func(id string) string { return srv.AthenaURL() + "/api/v1/organizations/members/" + id }

	r := send(t, http.MethodDelete, url(viewer), athenaGlb, nil)
	m := athenaOK200(t, r)
	assertSameShape(t, "", loadExample(t, "athena-org-member-remove-response.json"), m)
	assert.Equal(t, map[string]any{"success": true, "message": "User removed from organization", "websites_affected": 2.0}, m)
	assert.Equal(t, []string{"owner@example.com", "admin@example.com"}, srv.AthenaMembers(org))
	assert.Empty(t, srv.AthenaMembers(site1))
	assert.Equal(t, []string{"keep@example.com"}, srv.AthenaMembers(site2))
	assert.NotContains(t, summary(websiteMembers(t, srv, athenaOK, site1)), "viewer@example.com organization viewer")
	assertAthenaError(t, send(t, http.MethodDelete, url(viewer), athenaGlb, nil), http.StatusNotFound, "Organization member not found")

	assertAthenaError(t, send(t, http.MethodDelete, url(ownerID), athenaGlb, nil), http.StatusForbidden, "Cannot modify the organization owner")
	assertAthenaError(t, send(t, http.MethodDelete, url(admin), athenaGlb, nil), http.StatusForbidden, "Cannot remove the last remaining admin")
	other := srv.AddAthenaMemberAs(org, "other@example.com", onboardtest.AthenaRoleAdmin)
	srv.SetAthenaKeyOwner(onboardtest.AthenaGlobalAPIKey, "other@example.com")
	assertAthenaError(t, send(t, http.MethodDelete, url(other), athenaGlb, nil), http.StatusForbidden, "Cannot modify the API key's owning user")
	m = athenaOK200(t, send(t, http.MethodDelete, url(admin), athenaGlb, nil))
	assert.EqualValues(t, 0, m["websites_affected"])

	assertAthenaError(t, send(t, http.MethodDelete, url(other), athenaOK, nil), http.StatusForbidden, "requires a global API key")
	assertAthenaError(t, send(t, http.MethodDelete, url(other), athenaGlb, `{"force":true}`), http.StatusBadRequest, "takes no request body")
}

func TestAthenaWebsiteMemberUpdateAndRemove(t *testing.T) {
	srv := newServer(t)
	ownerID := srv.AddAthenaMemberAs(org, "owner@example.com", onboardtest.AthenaRoleOwner)
	orgViewer := srv.AddAthenaMemberAs(org, "orgviewer@example.com", onboardtest.AthenaRoleViewer)
	row := srv.AddAthenaMember(site1, "row@example.com")
	keyUser := srv.AddAthenaMember(site1, "bot@example.com")
	srv.SetAthenaKeyOwner(onboardtest.AthenaAPIKey, "bot@example.com")
	url := func(site, id string) string { return srv.AthenaURL() + "/api/v1/websites/" + site + "/members/" + id }

	assert.Equal(t, map[string]any{"success": true}, athenaOK200(t, send(t, http.MethodPatch, url(site1, row), athenaOK, `{"role":"admin"}`)))
	assert.Contains(t, summary(websiteMembers(t, srv, athenaOK, site1)), "row@example.com website admin")

	assertAthenaError(t, send(t, http.MethodPatch, url(site1, keyUser), athenaOK, `{"role":"admin"}`), http.StatusForbidden, "Cannot modify the API key's owning user")
	athenaOK200(t, send(t, http.MethodPatch, url(site1, keyUser), athenaGlb, `{"role":"admin"}`)) // another key: fine
	assertAthenaError(t, send(t, http.MethodPatch, url(site1, ownerID), athenaOK, `{"role":"viewer"}`), http.StatusForbidden, "Cannot modify the organization owner")
	assertAthenaError(t, send(t, http.MethodPatch, url(site1, orgViewer), athenaOK, `{"role":"admin"}`), http.StatusConflict, "access through the organization")
	assertAthenaError(t, send(t, http.MethodPatch, url(site2, row), athenaOK, `{"role":"admin"}`), http.StatusNotFound, "Website member not found")
	assertAthenaError(t, send(t, http.MethodPatch, url(site1, row), athenaOK, `{"role":"owner"}`), http.StatusBadRequest, "role must be one of: admin, viewer")
	assertAthenaError(t, send(t, http.MethodPatch, url("x", "y"), athenaOK, `{"role":"admin"}`), http.StatusBadRequest, "website_id must be a valid UUID; user_id must be a valid UUID")

	r := send(t, http.MethodDelete, url(site1, row), athenaOK, nil)
	m := athenaOK200(t, r)
	assert.Equal(t, loadExample(t, "athena-website-member-remove-response.json"), m)
	assert.Equal(t, []string{"bot@example.com"}, srv.AthenaMembers(site1))
	assert.NotContains(t, summary(websiteMembers(t, srv, athenaOK, site1)), "row@example.com website admin")
	assertAthenaError(t, send(t, http.MethodDelete, url(site1, row), athenaOK, nil), http.StatusNotFound, "Website member not found")
	assertAthenaError(t, send(t, http.MethodDelete, url(site1, orgViewer), athenaOK, nil), http.StatusConflict, "access through the organization")
	assertAthenaError(t, send(t, http.MethodDelete, url(site1, keyUser), athenaOK, `{}`), http.StatusBadRequest, "takes no request body")
	athenaOK200(t, send(t, http.MethodDelete, url(site1, keyUser), athenaOK, nil))
	assert.Empty(t, srv.AthenaMembers(site1))
	assert.Equal(t, 0, srv.AthenaMemberCount(site1))
}

func TestAcceptAthenaInvite(t *testing.T) {
	srv := newServer(t)
	athenaOK200(t, athenaCreate(t, srv, athenaGlb, map[string]any{"type": "organization", "invite_method": "email",
		"email": "new@example.com", "role": "admin", "first_name": "Nia", "last_name": "Ew"}))
	athenaResults(t, athenaInvite(t, srv, athenaOK, map[string]any{"invite_method": "email", "email": "new@example.com", "website_ids": []string{site1}}))
	assert.Empty(t, websiteMembers(t, srv, athenaOK, site1), "pending invites are not members")

	require.NoError(t, srv.AcceptAthenaInvite(org, "NEW@example.com"))
	id := srv.AthenaUserID("new@example.com")
	require.NotEmpty(t, id)
	members := websiteMembers(t, srv, athenaOK, site1)
	assert.Equal(t, []string{"new@example.com organization admin"}, summary(members), "org access; the website invite is still pending")
	assert.Equal(t, "Nia", members[0]["first_name"])
	assert.Equal(t, id, members[0]["user_id"])
	assert.Empty(t, srv.AthenaPendingInvites(org))

	require.NoError(t, srv.AcceptAthenaInvite(site1, "new@example.com"))
	assert.Equal(t, []string{"new@example.com"}, srv.AthenaMembers(site1))
	raw := memberList(t, send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/websites/"+site1+"/members", athenaOK, nil))
	assert.Len(t, raw, 1, "still listed once")

	assert.ErrorContains(t, srv.AcceptAthenaInvite(site1, "new@example.com"), "no pending invite")
	assert.ErrorContains(t, srv.AcceptAthenaInvite(site2, "new@example.com"), "no pending invite")
	assert.Panics(t, func() { srv.AddAthenaMemberAs(site1, "x@example.com", onboardtest.AthenaRoleOwner) })
	assert.Panics(t, func() { srv.AddAthenaMemberAs(org, "x@example.com", "editor") })
}
