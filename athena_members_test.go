package onboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// Ids of the member tests: a website and a group (the fake takes any UUID
// for one of its organization's), and a user nobody knows.
const (
	mWebsite  = "0b6c3c2e-6f0a-4a43-9d0e-5f1c2a7b9e01"
	mGroup    = "5a1d7c44-2b8e-4f61-8c3a-9e0f1b2c3d02"
	mStranger = "e2f4a6b8-1c3d-4e5f-8a9b-0c1d2e3f4a03"
	mOrg      = onboardtest.AthenaOrganizationID
)

func init() {
	specCalls["AthenaMembers.UpdateOrganizationRole"] = func(ctx context.Context, c *specClients) error {
		_, err := c.athena.Members.UpdateOrganizationRole(ctx, mStranger, onboard.AthenaRoleAdmin)
		return err
	}
	specCalls["AthenaMembers.RemoveFromOrganization"] = func(ctx context.Context, c *specClients) error {
		_, err := c.athena.Members.RemoveFromOrganization(ctx, mStranger)
		return err
	}
	specCalls["AthenaMembers.ListForWebsite"] = func(ctx context.Context, c *specClients) error {
		_, err := rlDrain(c.athena.Members.ListForWebsite(ctx, mWebsite))
		return err
	}
	specCalls["AthenaMembers.UpdateWebsiteRole"] = func(ctx context.Context, c *specClients) error {
		return c.athena.Members.UpdateWebsiteRole(ctx, mWebsite, mStranger, onboard.AthenaRoleViewer)
	}
	specCalls["AthenaMembers.RemoveFromWebsite"] = func(ctx context.Context, c *specClients) error {
		_, err := c.athena.Members.RemoveFromWebsite(ctx, mWebsite, mStranger)
		return err
	}
	specCalls["AthenaMembers.ListForGroup"] = func(ctx context.Context, c *specClients) error {
		_, err := rlDrain(c.athena.Members.ListForGroup(ctx, mGroup, nil))
		return err
	}
}

// memberFixture is the fake with two AthenaHQ clients on it: global holds
// the global API key, scoped the website-scoped one.
type memberFixture struct {
	srv            *onboardtest.Server
	global, scoped *onboard.AthenaClient
}

func newMemberFixture(t *testing.T) *memberFixture {
	t.Helper()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	return &memberFixture{
		srv:    srv,
		global: unpacedAthena(t, srv.AthenaURL(), onboardtest.AthenaGlobalAPIKey, onboard.WithHTTPClient(srv.Client())),
		scoped: unpacedAthena(t, srv.AthenaURL(), onboardtest.AthenaAPIKey, onboard.WithHTTPClient(srv.Client())),
	}
}

// unpacedAthena builds an AthenaHQ client for baseURL with key, without
// pacing and with millisecond retry waits.
func unpacedAthena(t *testing.T, baseURL, key string, opts ...onboard.Option) *onboard.AthenaClient {
	t.Helper()
	opts = append([]onboard.Option{onboard.WithoutPacing(), onboard.WithRetryWait(time.Millisecond, time.Millisecond)}, opts...)
	c, err := onboard.NewAthenaClient(baseURL, onboard.APIKey(key), opts...)
	require.NoError(t, err)
	return c
}

// sentRequest is the request a test expects the fake to have received
// last.
type sentRequest struct {
	method string
	path   string     // below the AthenaHQ base URL
	query  url.Values // nil: no query
	key    string
	body   string // "": no body
}

func (f *memberFixture) assertSent(t *testing.T, want sentRequest) {
	t.Helper()
	got, ok := f.srv.LastRequest()
	require.True(t, ok, "nothing was sent")
	assert.Equal(t, want.method, got.Method)
	assert.Equal(t, onboardtest.AthenaPathPrefix+want.path, got.Path)
	if want.query == nil {
		assert.Empty(t, got.Query)
	} else {
		assert.Equal(t, want.query, got.Query)
	}
	assert.Equal(t, want.key, got.Header.Get("X-Api-Key"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	if want.body == "" {
		assert.Empty(t, got.Body)
		assert.Empty(t, got.Header.Get("Content-Type"))
		return
	}
	assert.JSONEq(t, want.body, string(got.Body))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
}

// assertRefused checks that err is the server's refusal: an *APIError
// with status, matching sentinel, with the server's words.
func assertRefused(t *testing.T, err, sentinel error, status int, words string) {
	t.Helper()
	var apiErr *onboard.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, sentinel)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, words, apiErr.Message)
}

// docServer answers every request with status and body, and counts the
// requests.
func docServer(t *testing.T, status int, body string) (*onboard.AthenaClient, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return unpacedAthena(t, srv.URL+"/athenahq", "key-0f3a9c-SECRET", onboard.WithRetry(0)), &n
}

func TestAthenaMembers_UpdateOrganizationRole(t *testing.T) {
	f := newMemberFixture(t)
	f.srv.AddAthenaMemberAs(mOrg, "owner@example.com", onboardtest.AthenaRoleOwner)
	admin := f.srv.AddAthenaMemberAs(mOrg, "admin@example.com", onboardtest.AthenaRoleAdmin)
	viewer := f.srv.AddAthenaMemberAs(mOrg, "viewer@example.com", onboardtest.AthenaRoleViewer)

	res, err := f.global.Members.UpdateOrganizationRole(t.Context(), viewer, onboard.AthenaRoleAdmin)
	require.NoError(t, err)
	assert.Equal(t, &onboard.AthenaMemberResult{
		Success: true,
		Member:  onboard.AthenaOrganizationMembership{UserID: viewer, OrgID: mOrg, Role: onboard.AthenaRoleAdmin},
	}, res)
	f.assertSent(t, sentRequest{method: http.MethodPatch, path: "/api/v1/organizations/members/" + viewer,
		key: onboardtest.AthenaGlobalAPIKey, body: `{"role":"admin"}`})
	role, _ := f.srv.AthenaMemberRole(mOrg, "viewer@example.com")
	assert.Equal(t, onboardtest.AthenaRoleAdmin, role)

	// With two admins, one may be demoted; repeating it sets the same role.
	for range 2 {
		res, err = f.global.Members.UpdateOrganizationRole(t.Context(), admin, onboard.AthenaRoleViewer)
		require.NoError(t, err)
		assert.Equal(t, onboard.AthenaRoleViewer, res.Member.Role)
	}
	f.assertSent(t, sentRequest{method: http.MethodPatch, path: "/api/v1/organizations/members/" + admin,
		key: onboardtest.AthenaGlobalAPIKey, body: `{"role":"viewer"}`})
}

// TestAthenaMembers_organizationRules checks that the documented rules on
// the organization's members come back as the server's refusals, for the
// role update and for the removal, and that nothing changes.
func TestAthenaMembers_organizationRules(t *testing.T) {
	type member struct{ owner, admin, viewer, self string }
	cases := []struct {
		name   string
		scoped bool
		who    func(m member) string
		status int
		kind   error
		words  string // the role update's; the removal's differ for the last admin
	}{
		{"a website-scoped key", true, func(m member) string { return m.viewer }, http.StatusForbidden, onboard.ErrForbidden, "This endpoint requires a global API key"},
		{"the organization's owner", false, func(m member) string { return m.owner }, http.StatusForbidden, onboard.ErrForbidden, "Cannot modify the organization owner"},
		{"the key's own user", false, func(m member) string { return m.self }, http.StatusForbidden, onboard.ErrForbidden, "Cannot modify the API key's owning user"},
		{"the last admin", false, func(m member) string { return m.admin }, http.StatusForbidden, onboard.ErrForbidden, "Cannot demote the last remaining admin"},
		{"not a member", false, func(member) string { return mStranger }, http.StatusNotFound, onboard.ErrNotFound, "Organization member not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newMemberFixture(t)
			m := member{
				owner:  f.srv.AddAthenaMemberAs(mOrg, "owner@example.com", onboardtest.AthenaRoleOwner),
				admin:  f.srv.AddAthenaMemberAs(mOrg, "admin@example.com", onboardtest.AthenaRoleAdmin),
				viewer: f.srv.AddAthenaMemberAs(mOrg, "viewer@example.com", onboardtest.AthenaRoleViewer),
				self:   f.srv.SetAthenaKeyOwner(onboardtest.AthenaGlobalAPIKey, "me@example.com"),
			}
			f.srv.AddAthenaMemberAs(mOrg, "me@example.com", onboardtest.AthenaRoleViewer)
			c := f.global
			if tc.scoped {
				c = f.scoped
			}
			before := f.srv.State().Athena.Organization

			_, err := c.Members.UpdateOrganizationRole(t.Context(), tc.who(m), onboard.AthenaRoleViewer)
			assertRefused(t, err, tc.kind, tc.status, tc.words)
			if tc.who(m) == m.owner || tc.who(m) == m.self {
				// No role may be set on them, not even the one they have.
				_, err = c.Members.UpdateOrganizationRole(t.Context(), tc.who(m), onboard.AthenaRoleAdmin)
				assertRefused(t, err, tc.kind, tc.status, tc.words)
			}

			_, err = c.Members.RemoveFromOrganization(t.Context(), tc.who(m))
			words := tc.words
			if tc.name == "the last admin" {
				words = "Cannot remove the last remaining admin"
			}
			assertRefused(t, err, tc.kind, tc.status, words)
			assert.Equal(t, before, f.srv.State().Athena.Organization, "nothing changed")
		})
	}
}

func TestAthenaMembers_RemoveFromOrganization(t *testing.T) {
	f := newMemberFixture(t)
	f.srv.AddAthenaMemberAs(mOrg, "admin@example.com", onboardtest.AthenaRoleAdmin)
	leaver := f.srv.AddAthenaMemberAs(mOrg, "leaver@example.com", onboardtest.AthenaRoleViewer)
	const otherSite = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	f.srv.AddAthenaMemberAs(mWebsite, "leaver@example.com", onboardtest.AthenaRoleAdmin)
	f.srv.AddAthenaMemberAs(otherSite, "leaver@example.com", onboardtest.AthenaRoleViewer)

	res, err := f.global.Members.RemoveFromOrganization(t.Context(), leaver)
	require.NoError(t, err)
	assert.Equal(t, &onboard.AthenaMemberResult{Success: true, Message: "User removed from organization", WebsitesAffected: 2}, res)
	f.assertSent(t, sentRequest{method: http.MethodDelete, path: "/api/v1/organizations/members/" + leaver, key: onboardtest.AthenaGlobalAPIKey})
	assert.Equal(t, []string{"admin@example.com"}, f.srv.AthenaMembers(mOrg))
	assert.Empty(t, f.srv.AthenaMembers(mWebsite), "the member's own website rows went with them")

	// A repeat, as after a lost answer, finds the member gone.
	_, err = f.global.Members.RemoveFromOrganization(t.Context(), leaver)
	assertRefused(t, err, onboard.ErrNotFound, http.StatusNotFound, "Organization member not found")
}

func TestAthenaMembers_ListForWebsite(t *testing.T) {
	f := newMemberFixture(t)
	start := time.Now().Add(-time.Second).Truncate(time.Second)
	owner := f.srv.AddAthenaMemberAs(mOrg, "owner@example.com", onboardtest.AthenaRoleOwner)
	admin := f.srv.AddAthenaMemberAs(mOrg, "admin@example.com", onboardtest.AthenaRoleAdmin)
	f.srv.AddAthenaMemberAs(mWebsite, "admin@example.com", onboardtest.AthenaRoleViewer) // a stray row: listed once, as organization
	invited, err := f.global.Invites.Send(t.Context(), &onboard.AthenaInviteRequest{
		Type: onboard.AthenaScopeWebsite, InviteMethod: onboard.AthenaInviteDirect, Email: "site@example.com",
		WebsiteID: mWebsite, FirstName: "Sita", LastName: "Ram",
	})
	require.NoError(t, err)

	for _, c := range []*onboard.AthenaClient{f.global, f.scoped} { // either key may list a website
		got, err := rlDrain(c.Members.ListForWebsite(t.Context(), mWebsite))
		require.NoError(t, err)
		require.Len(t, got, 3)
		for _, m := range got {
			assert.False(t, m.CreatedAt.Before(start), "created_at %s is a time of this test", m.CreatedAt)
		}
		want := []onboard.AthenaMember{
			{UserID: owner, Email: "owner@example.com", Role: onboard.AthenaRoleOwner, AccessType: onboard.AthenaScopeOrganization},
			{UserID: admin, Email: "admin@example.com", Role: onboard.AthenaRoleAdmin, AccessType: onboard.AthenaScopeOrganization},
			{UserID: invited.UserID, Email: "site@example.com", Role: onboard.AthenaRoleViewer, AccessType: onboard.AthenaScopeWebsite, FirstName: "Sita", LastName: "Ram"},
		}
		for i := range got {
			got[i].CreatedAt = time.Time{}
		}
		assert.Equal(t, want, got)
	}
	f.assertSent(t, sentRequest{method: http.MethodGet, path: "/api/v1/websites/" + mWebsite + "/members", key: onboardtest.AthenaAPIKey})

	got, err := rlDrain(f.global.Members.ListForWebsite(t.Context(), "7c9e6679-7425-40de-944b-e07fc1f90ae7"))
	require.NoError(t, err)
	assert.Len(t, got, 2, "a website without rows of its own lists the organization's members")
}

func TestAthenaMembers_ListForGroup(t *testing.T) {
	f := newMemberFixture(t)
	admin := f.srv.AddAthenaMemberAs(mOrg, "admin@example.com", onboardtest.AthenaRoleAdmin)
	f.srv.AddAthenaMemberAs(mGroup, "admin@example.com", onboardtest.AthenaRoleViewer)
	grouped := f.srv.AddAthenaMemberAs(mGroup, "grouped@example.com", onboardtest.AthenaRoleAdmin)
	path := "/api/v1/groups/" + mGroup + "/members"

	orgAdmin := onboard.AthenaMember{UserID: admin, Email: "admin@example.com", Role: onboard.AthenaRoleAdmin, AccessType: onboard.AthenaScopeOrganization}
	adminRow := onboard.AthenaMember{UserID: admin, Email: "admin@example.com", Role: onboard.AthenaRoleViewer, AccessType: onboard.AthenaScopeGroup}
	groupRow := onboard.AthenaMember{UserID: grouped, Email: "grouped@example.com", Role: onboard.AthenaRoleAdmin, AccessType: onboard.AthenaScopeGroup}
	cases := []struct {
		name  string
		opts  *onboard.AthenaGroupMembersOptions
		query url.Values
		want  []onboard.AthenaMember
	}{
		{"merged, nil options", nil, nil, []onboard.AthenaMember{orgAdmin, groupRow}},
		{"merged, empty options", &onboard.AthenaGroupMembersOptions{}, nil, []onboard.AthenaMember{orgAdmin, groupRow}},
		{"the group's rows", &onboard.AthenaGroupMembersOptions{AccessType: onboard.AthenaScopeGroup}, url.Values{"access_type": {"group"}}, []onboard.AthenaMember{adminRow, groupRow}},
		{"the organization's", &onboard.AthenaGroupMembersOptions{AccessType: onboard.AthenaScopeOrganization}, url.Values{"access_type": {"organization"}}, []onboard.AthenaMember{orgAdmin}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rlDrain(f.global.Members.ListForGroup(t.Context(), mGroup, tc.opts))
			require.NoError(t, err)
			for i := range got {
				assert.False(t, got[i].CreatedAt.IsZero())
				got[i].CreatedAt = time.Time{}
			}
			assert.Equal(t, tc.want, got)
			f.assertSent(t, sentRequest{method: http.MethodGet, path: path, query: tc.query, key: onboardtest.AthenaGlobalAPIKey})
		})
	}

	_, err := rlDrain(f.scoped.Members.ListForGroup(t.Context(), mGroup, nil))
	assertRefused(t, err, onboard.ErrForbidden, http.StatusForbidden, "This endpoint requires a global API key")
}

func TestAthenaMembers_UpdateWebsiteRole(t *testing.T) {
	f := newMemberFixture(t)
	f.srv.AddAthenaMemberAs(mOrg, "owner@example.com", onboardtest.AthenaRoleOwner)
	orgViewer := f.srv.AddAthenaMemberAs(mOrg, "orgviewer@example.com", onboardtest.AthenaRoleViewer)
	siteUser := f.srv.AddAthenaMemberAs(mWebsite, "site@example.com", onboardtest.AthenaRoleViewer)

	for range 2 { // repeating it sets the same role again
		require.NoError(t, f.scoped.Members.UpdateWebsiteRole(t.Context(), mWebsite, siteUser, onboard.AthenaRoleAdmin))
		f.assertSent(t, sentRequest{method: http.MethodPatch, path: "/api/v1/websites/" + mWebsite + "/members/" + siteUser,
			key: onboardtest.AthenaAPIKey, body: `{"role":"admin"}`})
		role, _ := f.srv.AthenaMemberRole(mWebsite, "site@example.com")
		assert.Equal(t, onboardtest.AthenaRoleAdmin, role)
	}

	owner := f.srv.AthenaUserID("owner@example.com")
	err := f.global.Members.UpdateWebsiteRole(t.Context(), mWebsite, owner, onboard.AthenaRoleViewer)
	assertRefused(t, err, onboard.ErrForbidden, http.StatusForbidden, "Cannot modify the organization owner")
	err = f.global.Members.UpdateWebsiteRole(t.Context(), mWebsite, orgViewer, onboard.AthenaRoleAdmin)
	assertRefused(t, err, onboard.ErrConflict, http.StatusConflict,
		"User has access through the organization; change their role through /organizations/members instead")
	err = f.global.Members.UpdateWebsiteRole(t.Context(), mWebsite, mStranger, onboard.AthenaRoleAdmin)
	assertRefused(t, err, onboard.ErrNotFound, http.StatusNotFound, "Website member not found")
}

// TestAthenaMembers_UpdateWebsiteRoleAnswers checks that any 2xx answer is
// a success, as the documents show none, and that the body is there for
// WithResponse.
func TestAthenaMembers_UpdateWebsiteRoleAnswers(t *testing.T) {
	for _, body := range []string{
		`{"success":true}`,
		`{"success":true,"member":{"user_id":"` + mStranger + `","website_id":"` + mWebsite + `","role":"admin"}}`,
		`{}`,
	} {
		c, _ := docServer(t, http.StatusOK, body)
		var meta onboard.Response
		require.NoError(t, c.Members.UpdateWebsiteRole(t.Context(), mWebsite, mStranger, onboard.AthenaRoleAdmin, onboard.WithResponse(&meta)), body)
		assert.JSONEq(t, body, string(meta.Body))
	}
	for _, body := range []string{"", "not json"} {
		c, _ := docServer(t, http.StatusOK, body)
		var meta onboard.Response
		require.NoError(t, c.Members.UpdateWebsiteRole(t.Context(), mWebsite, mStranger, onboard.AthenaRoleAdmin, onboard.WithResponse(&meta)), "%q", body)
		assert.Equal(t, body, string(meta.Body))
	}
}

func TestAthenaMembers_RemoveFromWebsite(t *testing.T) {
	f := newMemberFixture(t)
	orgViewer := f.srv.AddAthenaMemberAs(mOrg, "orgviewer@example.com", onboardtest.AthenaRoleViewer)
	siteUser := f.srv.AddAthenaMemberAs(mWebsite, "site@example.com", onboardtest.AthenaRoleViewer)

	res, err := f.scoped.Members.RemoveFromWebsite(t.Context(), mWebsite, siteUser)
	require.NoError(t, err)
	assert.Equal(t, &onboard.AthenaMemberResult{Success: true, Message: "User removed from website"}, res)
	f.assertSent(t, sentRequest{method: http.MethodDelete, path: "/api/v1/websites/" + mWebsite + "/members/" + siteUser, key: onboardtest.AthenaAPIKey})
	assert.Empty(t, f.srv.AthenaMembers(mWebsite))

	// A repeat, as after a lost answer, finds the row gone.
	_, err = f.scoped.Members.RemoveFromWebsite(t.Context(), mWebsite, siteUser)
	assertRefused(t, err, onboard.ErrNotFound, http.StatusNotFound, "Website member not found")

	_, err = f.global.Members.RemoveFromWebsite(t.Context(), mWebsite, orgViewer)
	assertRefused(t, err, onboard.ErrConflict, http.StatusConflict,
		"User has access through the organization; remove them through /organizations/members instead")
	list, err := rlDrain(f.global.Members.ListForWebsite(t.Context(), mWebsite))
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, orgViewer, list[0].UserID, "an organization member keeps their access")
}

// TestAthenaMembers_documentedExamples decodes the documents' answers,
// served verbatim.
func TestAthenaMembers_documentedExamples(t *testing.T) {
	const docUser = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
	docMember := onboard.AthenaMember{
		UserID: docUser, Email: "jsmith@example.com", Role: "<string>", AccessType: onboard.AthenaScopeOrganization,
		CreatedAt: time.Date(2023, 11, 7, 5, 31, 56, 0, time.UTC), FirstName: "<string>", LastName: "<string>",
	}
	t.Run("update organization role", func(t *testing.T) {
		c, _ := docServer(t, http.StatusOK, docExample("athena-org-member-role-response.json"))
		res, err := c.Members.UpdateOrganizationRole(t.Context(), docUser, onboard.AthenaRoleAdmin)
		require.NoError(t, err)
		assert.Equal(t, &onboard.AthenaMemberResult{Success: true,
			Member: onboard.AthenaOrganizationMembership{UserID: docUser, OrgID: docUser, Role: onboard.AthenaRoleAdmin}}, res)
	})
	t.Run("remove organization member", func(t *testing.T) {
		c, _ := docServer(t, http.StatusOK, docExample("athena-org-member-remove-response.json"))
		res, err := c.Members.RemoveFromOrganization(t.Context(), docUser)
		require.NoError(t, err)
		assert.Equal(t, &onboard.AthenaMemberResult{Success: true, Message: "User removed from organization"}, res)
	})
	t.Run("list website members", func(t *testing.T) {
		c, _ := docServer(t, http.StatusOK, docExample("athena-website-members-response.json"))
		got, err := rlDrain(c.Members.ListForWebsite(t.Context(), mWebsite))
		require.NoError(t, err)
		assert.Equal(t, []onboard.AthenaMember{docMember}, got)
	})
	t.Run("remove website member", func(t *testing.T) {
		c, _ := docServer(t, http.StatusOK, docExample("athena-website-member-remove-response.json"))
		res, err := c.Members.RemoveFromWebsite(t.Context(), mWebsite, docUser)
		require.NoError(t, err)
		assert.Equal(t, &onboard.AthenaMemberResult{Success: true, Message: "User removed from website"}, res)
	})
	t.Run("list group members", func(t *testing.T) {
		c, _ := docServer(t, http.StatusOK, docExample("athena-group-members-response.json"))
		got, err := rlDrain(c.Members.ListForGroup(t.Context(), mGroup, nil))
		require.NoError(t, err)
		assert.Equal(t, []onboard.AthenaMember{docMember}, got)
	})
}

// TestAthenaMembers_listNeedsMembers checks that a list answer without its
// required members is not taken for an empty list.
func TestAthenaMembers_listNeedsMembers(t *testing.T) {
	for _, body := range []string{`{}`, `{"members":null}`, `{"users":[]}`} {
		c, _ := docServer(t, http.StatusOK, body)
		_, err := rlDrain(c.Members.ListForWebsite(t.Context(), mWebsite))
		assert.ErrorIs(t, err, onboard.ErrUnexpectedResponse, body)
		assert.ErrorContains(t, err, `no "members" list`, body)
		_, err = rlDrain(c.Members.ListForGroup(t.Context(), mGroup, nil))
		assert.ErrorIs(t, err, onboard.ErrUnexpectedResponse, body)
	}
	c, _ := docServer(t, http.StatusOK, `{"members":[]}`)
	yielded := 0
	for _, err := range c.Members.ListForWebsite(t.Context(), mWebsite) {
		require.NoError(t, err)
		yielded++
	}
	assert.Zero(t, yielded, "an empty list yields nothing, and no error")
}

// memberCalls calls each member method once with valid input.
var memberCalls = map[string]func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error{
	"UpdateOrganizationRole": func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error {
		_, err := c.Members.UpdateOrganizationRole(ctx, mStranger, onboard.AthenaRoleAdmin, opts...)
		return err
	},
	"RemoveFromOrganization": func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error {
		_, err := c.Members.RemoveFromOrganization(ctx, mStranger, opts...)
		return err
	},
	"ListForWebsite": func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error {
		_, err := rlDrain(c.Members.ListForWebsite(ctx, mWebsite, opts...))
		return err
	},
	"UpdateWebsiteRole": func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error {
		return c.Members.UpdateWebsiteRole(ctx, mWebsite, mStranger, onboard.AthenaRoleViewer, opts...)
	},
	"RemoveFromWebsite": func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error {
		_, err := c.Members.RemoveFromWebsite(ctx, mWebsite, mStranger, opts...)
		return err
	},
	"ListForGroup": func(ctx context.Context, c *onboard.AthenaClient, opts ...onboard.CallOption) error {
		_, err := rlDrain(c.Members.ListForGroup(ctx, mGroup, &onboard.AthenaGroupMembersOptions{AccessType: onboard.AthenaScopeGroup}, opts...))
		return err
	},
}

// TestAthenaMembers_errorStatuses checks that each method's failures match
// their sentinels, with the server's words, and that a call option reaches
// the request.
func TestAthenaMembers_errorStatuses(t *testing.T) {
	statuses := []struct {
		status int
		kind   error
	}{
		{http.StatusBadRequest, onboard.ErrBadRequest},
		{http.StatusUnauthorized, onboard.ErrUnauthorized},
		{http.StatusForbidden, onboard.ErrForbidden},
		{http.StatusNotFound, onboard.ErrNotFound},
		{http.StatusConflict, onboard.ErrConflict},
		{http.StatusInternalServerError, onboard.ErrServer},
	}
	for name, call := range memberCalls {
		t.Run(name, func(t *testing.T) {
			for _, s := range statuses {
				c, n := docServer(t, s.status, `{"error":"refused for a reason"}`)
				var meta onboard.Response
				err := call(t.Context(), c, onboard.WithResponse(&meta))
				assertRefused(t, err, s.kind, s.status, "refused for a reason")
				assert.Equal(t, s.status, meta.StatusCode, "WithResponse reaches the call")
				assert.EqualValues(t, 1, n.Load(), "one attempt: %d is not retried", s.status)
			}
		})
	}
}

// TestAthenaMembers_retryBudgetPerCall checks that WithRetry given to a
// call applies to it: a 429 is retried as often as the call allows.
func TestAthenaMembers_retryBudgetPerCall(t *testing.T) {
	for name, call := range memberCalls {
		c, n := docServer(t, http.StatusTooManyRequests, `{"error":"Rate limit exceeded"}`)
		err := call(t.Context(), c, onboard.WithRetry(2))
		assert.ErrorIs(t, err, onboard.ErrRateLimited, name)
		assert.EqualValues(t, 3, n.Load(), name)
	}
}

func TestAthenaMembers_validation(t *testing.T) {
	f := newMemberFixture(t)
	m := f.global.Members
	cases := []struct {
		name   string
		call   func(ctx context.Context) error
		op     string
		fields []string
	}{
		{"update organization role: nothing given", func(ctx context.Context) error {
			_, err := m.UpdateOrganizationRole(ctx, "", "")
			return err
		}, "athena: Members.UpdateOrganizationRole", []string{"user_id: is required", "role: is required; use AthenaRoleAdmin or AthenaRoleViewer"}},
		{"update organization role: owner", func(ctx context.Context) error {
			_, err := m.UpdateOrganizationRole(ctx, "user-1", onboard.AthenaRoleOwner)
			return err
		}, "athena: Members.UpdateOrganizationRole", []string{`user_id: "user-1" is not a UUID`, `role: "owner" cannot be given through the API; use AthenaRoleAdmin or AthenaRoleViewer`}},
		{"update organization role: unknown role", func(ctx context.Context) error {
			_, err := m.UpdateOrganizationRole(ctx, mStranger, "editor")
			return err
		}, "athena: Members.UpdateOrganizationRole", []string{`role: "editor" is not one of admin, viewer`}},
		{"remove from organization", func(ctx context.Context) error {
			_, err := m.RemoveFromOrganization(ctx, " ")
			return err
		}, "athena: Members.RemoveFromOrganization", []string{"user_id: is required"}},
		{"list for website", func(ctx context.Context) error {
			_, err := rlDrain(m.ListForWebsite(ctx, "site"))
			return err
		}, "athena: Members.ListForWebsite", []string{`website_id: "site" is not a UUID`}},
		{"update website role", func(ctx context.Context) error {
			return m.UpdateWebsiteRole(ctx, "", "x", onboard.AthenaRoleOwner)
		}, "athena: Members.UpdateWebsiteRole", []string{"website_id: is required", `user_id: "x" is not a UUID`, `role: "owner" cannot be given through the API; use AthenaRoleAdmin or AthenaRoleViewer`}},
		{"remove from website", func(ctx context.Context) error {
			_, err := m.RemoveFromWebsite(ctx, mWebsite, "")
			return err
		}, "athena: Members.RemoveFromWebsite", []string{"user_id: is required"}},
		{"list for group", func(ctx context.Context) error {
			_, err := rlDrain(m.ListForGroup(ctx, "", &onboard.AthenaGroupMembersOptions{AccessType: onboard.AthenaScopeWebsite}))
			return err
		}, "athena: Members.ListForGroup", []string{"group_id: is required", `access_type: "website" is not one of organization, group`}},
		{"group options alone", func(ctx context.Context) error {
			_, err := rlDrain(m.ListForGroup(ctx, mGroup, &onboard.AthenaGroupMembersOptions{AccessType: "everyone"}))
			return err
		}, "athena: Members.ListForGroup", []string{`access_type: "everyone" is not one of organization, group`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context())
			var ve *onboard.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, onboard.ErrInvalidRequest)
			assert.Equal(t, tc.op, ve.Op)
			var fields []string
			for _, p := range ve.Problems {
				fields = append(fields, p.String())
			}
			assert.Equal(t, tc.fields, fields)
		})
	}
	assert.Zero(t, f.srv.RequestCount(""), "nothing was sent")
}
