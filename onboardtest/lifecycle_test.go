package onboardtest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// lifecycleRoute is one lifecycle endpoint with a method and a path that
// reach it, and credentials that pass its authentication.
type lifecycleRoute struct {
	svc, method, path string
	auth              auth
	wrongMethod       string // a method the path is not served with
}

func lifecycleRoutes(srv *onboardtest.Server) []lifecycleRoute {
	a, h, r := srv.AptlyURL(), srv.AthenaURL(), srv.RoyaltiURL()
	id := "00000000-0000-4000-8000-000000000001"
	return []lifecycleRoute{
		{"aptly", http.MethodGet, a + "/v1/user", aptlyOK, http.MethodPost},
		{"aptly", http.MethodPost, a + "/v1/user/bulk-resend-invite", aptlyOK, http.MethodGet},
		{"aptly", http.MethodPatch, a + "/v1/user/bulk-status-update", aptlyOK, http.MethodPost},
		{"aptly", http.MethodDelete, a + "/v1/user/bulk-delete", aptlyOK, http.MethodPost},
		{"aptly", http.MethodPatch, a + "/v1/user/update-entities/" + id, aptlyOK, http.MethodGet},
		{"athena", http.MethodPost, h + "/api/v1/invites", athenaGlb, http.MethodGet},
		{"athena", http.MethodPatch, h + "/api/v1/organizations/members/" + id, athenaGlb, http.MethodGet},
		{"athena", http.MethodDelete, h + "/api/v1/organizations/members/" + id, athenaGlb, http.MethodPost},
		{"athena", http.MethodGet, h + "/api/v1/websites/" + id + "/members", athenaOK, http.MethodPost},
		{"athena", http.MethodPatch, h + "/api/v1/websites/" + id + "/members/" + id, athenaOK, http.MethodGet},
		{"athena", http.MethodDelete, h + "/api/v1/websites/" + id + "/members/" + id, athenaOK, http.MethodPut},
		{"athena", http.MethodGet, h + "/api/v1/groups/" + id + "/members", athenaGlb, http.MethodDelete},
		{"royalti", http.MethodGet, r + "/user/invites", royaltiOK, http.MethodPost},
		{"royalti", http.MethodPost, r + "/user/invites/" + id + "/resend", royaltiOK, http.MethodGet},
		{"royalti", http.MethodPost, r + "/user/invites/" + id + "/cancel", royaltiOK, http.MethodGet},
		{"royalti", http.MethodGet, r + "/user/", royaltiOK, http.MethodPost},
		{"royalti", http.MethodGet, r + "/user/" + id, royaltiOK, http.MethodPost},
		{"royalti", http.MethodDelete, r + "/user/" + id, royaltiOK, http.MethodPut},
		{"royalti", http.MethodPut, r + "/user/" + id + "/aut", royaltiOK, http.MethodPost},
		{"royalti", http.MethodPost, r + "/user/bulk/delete", royaltiOK, http.MethodGet},
	}
}

// assertAnyServiceError checks an error in the shape of svc for any status:
// for Royalti, structured where the status has a code, plain otherwise.
func assertAnyServiceError(t *testing.T, svc string, r *response, status int, msg string) {
	t.Helper()
	code := map[int]string{400: "VALIDATION_ERROR", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 429: "RATE_LIMIT_EXCEEDED"}[status]
	if svc == "royalti" && code == "" {
		assertRoyaltiPlain(t, r, status, msg)
		return
	}
	if svc == "royalti" {
		assertRoyaltiStructured(t, r, status, code, msg)
		return
	}
	assertServiceError(t, svc, r, status, msg)
}

func TestLifecycleRoutesAuthMethodsAndFaults(t *testing.T) {
	srv := newServer(t)
	for _, rt := range lifecycleRoutes(srv) {
		t.Run(rt.method+" "+strings.TrimPrefix(rt.path, srv.URL), func(t *testing.T) {
			r := send(t, rt.method, rt.path, nil, nil)
			assertAnyServiceError(t, rt.svc, r, http.StatusUnauthorized, "")
			r = send(t, rt.wrongMethod, rt.path, rt.auth, nil)
			assertAnyServiceError(t, rt.svc, r, http.StatusMethodNotAllowed, "not allowed")
			assert.Contains(t, r.Header.Get("Allow"), rt.method)

			suffix := strings.TrimPrefix(rt.path, srv.URL)
			srv.InjectFault(onboardtest.Fault{Path: suffix, Times: 1, Status: http.StatusServiceUnavailable, RetryAfter: "2"})
			r = send(t, rt.method, rt.path, rt.auth, nil)
			assertAnyServiceError(t, rt.svc, r, http.StatusServiceUnavailable, "Service Unavailable")
			assert.Equal(t, "2", r.Header.Get("Retry-After"))
			assert.NotEqual(t, http.StatusServiceUnavailable, send(t, rt.method, rt.path, rt.auth, nil).Status, "the fault is used up")
		})
	}
	assert.Zero(t, srv.PendingFaults())
}

func TestLifecycleRateLimitHeaders(t *testing.T) {
	srv := newServer(t, onboardtest.WithRateLimit(1, time.Hour))
	r := send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/websites/"+site1+"/members", athenaOK, nil)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "0", r.Header.Get("X-Rate-Limit-Remaining"))
	r = send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/groups/"+group1+"/members", athenaOK, nil)
	assertAthenaError(t, r, http.StatusTooManyRequests, "Rate limit exceeded")
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
}

func TestParameterRoutesMatchWholeSegments(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/user/a/b", "/user/invites/x/resend/now", "/user/invites//resend", "/user//aut"} {
		assertRoyaltiPlain(t, send(t, http.MethodPost, srv.RoyaltiURL()+p, royaltiOK, nil), http.StatusNotFound, "Cannot POST")
	}
	assertAthenaError(t, send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/websites//members", athenaOK, nil), http.StatusNotFound, "Cannot GET")
	assertAptlyError(t, send(t, http.MethodPatch, srv.AptlyURL()+"/v1/user/update-entities", aptlyOK, `{}`), http.StatusNotFound, "Cannot PATCH")
	// A fixed route wins over a parameter one: GET /user/bulk is not a
	// user named "bulk".
	r := send(t, http.MethodGet, srv.RoyaltiURL()+"/user/bulk", royaltiOK, nil)
	assertRoyaltiPlain(t, r, http.StatusMethodNotAllowed, "use POST")
}

func TestStateSnapshot(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 6, 25, 1, 2, 3, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	aptlyInviteN(t, srv, tenantA, 0, 2)
	require.NoError(t, srv.AcceptAptlyInvite(tenantA, "u1@example.com"))
	srv.AddAthenaMemberAs(org, "owner@example.com", onboardtest.AthenaRoleOwner)
	srv.AddAthenaInvite(site1, "pending@example.com")
	srv.AddAthenaMember(group1, "g@example.com")
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"r@example.com","message":"hi"}`)

	snap := srv.State()
	users := snap.Aptly.Tenants[tenantA]
	require.Len(t, users, 2)
	assert.Equal(t, []string{"INVITED", "ACTIVE"}, []string{users[0].Status, users[1].Status})
	assert.Equal(t, org, snap.Athena.OrganizationID)
	require.Len(t, snap.Athena.Organization.Members, 1)
	assert.Equal(t, onboardtest.AthenaMember{UserID: srv.AthenaUserID("owner@example.com"), Email: "owner@example.com",
		Role: "owner", CreatedAt: clock.Now()}, snap.Athena.Organization.Members[0])
	assert.NotContains(t, snap.Athena.Targets, org)
	require.Len(t, snap.Athena.Targets[site1].Invites, 1)
	assert.Regexp(t, uuidRE, snap.Athena.Targets[site1].Invites[0].ID)
	assert.Equal(t, "viewer", snap.Athena.Targets[site1].Invites[0].Role)
	assert.Equal(t, []onboardtest.AthenaMember{}, snap.Athena.Targets[site1].Members)
	assert.Equal(t, "g@example.com", snap.Athena.Targets[group1].Members[0].Email)
	require.Len(t, snap.Athena.Accounts, 2)
	assert.Equal(t, "g@example.com", snap.Athena.Accounts[0].Email, "accounts by email")
	ws := snap.Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID]
	assert.Equal(t, 101, ws.TenantID)
	require.Len(t, ws.Users, 1)
	require.Len(t, ws.Invites, 1)
	assert.Equal(t, ws.Users[0].ID, ws.Invites[0].UserID)
	assert.Equal(t, "hi", ws.Invites[0].Message)

	// A copy: changing it changes nothing.
	users[0].Status = "x"
	snap.Athena.Organization.Members[0].Role = "x"
	ws.Invites[0].Status = "x"
	again := srv.State()
	assert.Equal(t, "INVITED", again.Aptly.Tenants[tenantA][0].Status)
	assert.Equal(t, "owner", again.Athena.Organization.Members[0].Role)
	assert.Equal(t, "invited", again.Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID].Invites[0].Status)

	// JSON, ready to serve; no credential in it.
	b, err := json.Marshal(again)
	require.NoError(t, err)
	var generic map[string]any
	require.NoError(t, json.Unmarshal(b, &generic))
	assert.ElementsMatch(t, []string{"aptly", "athena", "royalti"}, keys(generic))
	assert.Contains(t, string(b), `"tenants":{"`+tenantA+`":[{"id":`)
	assert.Contains(t, string(b), `"inviteResends":0`)
	assert.Contains(t, string(b), `"organizationId":"`+org+`"`)
	assert.Contains(t, string(b), `"workspaces":{"`+onboardtest.RoyaltiWorkspaceID+`":{"tenantId":101,`)
	for _, secret := range []string{onboardtest.AptlyToken, onboardtest.AthenaAPIKey, onboardtest.AthenaGlobalAPIKey, onboardtest.RoyaltiToken} {
		assert.NotContains(t, string(b), secret)
	}

	empty, err := json.Marshal(newServer(t).State())
	require.NoError(t, err)
	assert.JSONEq(t, `{"aptly":{"tenants":{}},"athena":{"organizationId":"`+org+`","organization":{"members":[],"invites":[]},"targets":{},"accounts":[]},"royalti":{"workspaces":{}}}`, string(empty))
}

func TestResetForgetsLifecycleState(t *testing.T) {
	srv := newServer(t)
	srv.AddAptlyInvite(tenantA, "a@example.com", "A", "B")
	srv.AddRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "r@example.com", "", "")
	srv.AddAthenaMemberAs(org, "o@example.com", onboardtest.AthenaRoleOwner)
	srv.SetAthenaKeyOwner(onboardtest.AthenaGlobalAPIKey, "o@example.com")
	srv.Reset()

	assert.Equal(t, onboardtest.Snapshot{
		Aptly:   onboardtest.AptlyState{Tenants: map[string][]onboardtest.AptlyUser{}},
		Athena:  onboardtest.AthenaState{OrganizationID: org, Organization: onboardtest.AthenaTargetState{Members: []onboardtest.AthenaMember{}, Invites: []onboardtest.AthenaInvite{}}, Targets: map[string]onboardtest.AthenaTargetState{}, Accounts: []onboardtest.AthenaAccount{}},
		Royalti: onboardtest.RoyaltiState{Workspaces: map[string]onboardtest.RoyaltiWorkspaceState{}},
	}, srv.State())
	// The key has no owner any more: its new owner-to-be can be changed.
	id := srv.AddAthenaMemberAs(org, "o@example.com", onboardtest.AthenaRoleViewer)
	athenaOK200(t, send(t, http.MethodPatch, srv.AthenaURL()+"/api/v1/organizations/members/"+id, athenaGlb, `{"role":"admin"}`))
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"r@example.com"}`)
	assert.Equal(t, 101, srv.State().Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID].TenantID, "numbering starts again")
}

func TestConcurrentLifecycleTraffic(t *testing.T) {
	srv := newServer(t, onboardtest.WithRecordLimit(10))
	// 20 goroutines, each with its own people: invite through the v0.1
	// endpoints, list, resend, change and delete, while another goroutine
	// takes snapshots.
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
				_ = srv.State()
				_ = srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "c" + strconv.Itoa(g) + "@example.com"
			do := func(method, url string, a auth, body any) map[string]any {
				r, err := trySend(method, url, a, "application/json", body)
				if !assert.NoError(t, err) || !assert.Less(t, r.Status, 300, "%s %s: %s", method, url, r.Body) {
					return nil
				}
				m, err := r.decode()
				assert.NoError(t, err)
				return m
			}
			do(http.MethodPost, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": email}}})
			do(http.MethodGet, srv.AptlyURL()+"/v1/user?limit=100", aptlyOK, nil)
			do(http.MethodPost, srv.RoyaltiURL()+"/auth/invite", royaltiOK, map[string]any{"email": email})
			do(http.MethodGet, srv.RoyaltiURL()+"/user/invites?size=5", royaltiOK, nil)
			do(http.MethodPost, srv.AthenaURL()+"/api/v1/invites", athenaGlb, map[string]any{"type": "organization", "invite_method": "direct", "email": email})
			do(http.MethodGet, srv.AthenaURL()+"/api/v1/websites/"+site1+"/members", athenaOK, nil)
			u, ok := srv.FindAptlyUser(tenantA, email)
			if assert.True(t, ok) {
				do(http.MethodPost, srv.AptlyURL()+"/v1/user/bulk-resend-invite", aptlyOK, map[string]any{"tenantId": tenantA, "userIds": []string{u.ID}})
				do(http.MethodPatch, srv.AptlyURL()+"/v1/user/bulk-status-update", aptlyOK, map[string]any{"userIds": []string{u.ID}, "status": "INACTIVE"})
				if g%2 == 0 {
					do(http.MethodDelete, srv.AptlyURL()+"/v1/user/bulk-delete", aptlyOK, map[string]any{"userIds": []string{u.ID}})
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-readerDone

	snap := srv.State()
	assert.Len(t, snap.Aptly.Tenants[tenantA], 10, "the odd half stays")
	for _, u := range snap.Aptly.Tenants[tenantA] {
		assert.Equal(t, onboardtest.AptlyStatusInactive, u.Status)
		assert.Equal(t, 1, u.InviteResends)
	}
	assert.Len(t, snap.Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID].Invites, 20)
	assert.Len(t, snap.Athena.Organization.Members, 20)
	assert.Len(t, memberList(t, send(t, http.MethodGet, srv.AthenaURL()+"/api/v1/websites/"+site1+"/members", athenaOK, nil)), 20)
}
