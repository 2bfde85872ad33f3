package onboardtest_test

import (
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

// route is one endpoint with credentials that pass its authentication.
type route struct {
	svc  string
	url  func(*onboardtest.Server) string
	auth auth
}

var routes = []route{
	{"aptly", func(s *onboardtest.Server) string { return s.AptlyURL() + "/v1/user/create" }, aptlyOK},
	{"aptly", func(s *onboardtest.Server) string { return s.AptlyURL() + "/v1/user/bulk-invite" }, aptlyOK},
	{"aptly", func(s *onboardtest.Server) string { return s.AptlyURL() + "/v1/tenants/access-key/exchange" }, nil},
	{"athena", func(s *onboardtest.Server) string { return s.AthenaURL() + "/api/v1/invites/bulk" }, athenaOK},
	{"royalti", func(s *onboardtest.Server) string { return s.RoyaltiURL() + "/user/bulk" }, royaltiOK},
	{"royalti", func(s *onboardtest.Server) string { return s.RoyaltiURL() + "/auth/invite" }, royaltiOK},
}

// assertServiceError checks an error in the shape of the route's service.
func assertServiceError(t *testing.T, svc string, r *response, status int, msg string) {
	t.Helper()
	switch svc {
	case "aptly":
		assertAptlyError(t, r, status, msg)
	case "athena":
		assertAthenaError(t, r, status, msg)
	default:
		if status == http.StatusMethodNotAllowed || status == http.StatusNotFound {
			assertRoyaltiPlain(t, r, status, msg)
			return
		}
		code := map[int]string{400: "VALIDATION_ERROR", 415: "UNSUPPORTED_MEDIA_TYPE"}[status]
		assertRoyaltiStructured(t, r, status, code, msg)
	}
}

func TestURLs(t *testing.T) {
	srv := newServer(t)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	assert.Equal(t, srv.URL+"/aptly/auth", srv.AptlyURL())
	assert.Equal(t, srv.URL+"/athena", srv.AthenaURL())
	assert.Equal(t, srv.URL+"/royalti", srv.RoyaltiURL())
	assert.NotNil(t, srv.Client())
}

func TestAbsolutePathsMiss(t *testing.T) {
	srv := newServer(t)
	// A client that drops its base URL's path reaches nothing.
	for _, p := range []string{"/v1/user/create", "/api/v1/invites/bulk", "/user/bulk", "/auth/invite", "/auth/v1/user/create"} {
		r := post(t, srv.URL+p, aptlyOK, `{}`)
		assert.Equal(t, http.StatusNotFound, r.Status, p)
		assert.Contains(t, string(r.Body), "no endpoint at "+p)
	}
	assertAptlyError(t, post(t, srv.AptlyURL()+"/v1/user/delete", aptlyOK, `{}`), http.StatusNotFound, "Cannot POST")
	assertAthenaError(t, post(t, srv.AthenaURL()+"/api/v1/invite", athenaOK, `{}`), http.StatusNotFound, "Cannot POST")
	assertRoyaltiPlain(t, post(t, srv.RoyaltiURL()+"/user/bulk/", royaltiOK, `{}`), http.StatusNotFound, "Cannot POST")
}

func TestEveryEndpointRefusesBadRequests(t *testing.T) {
	srv := newServer(t)
	for _, rt := range routes {
		url := rt.url(srv)
		t.Run(strings.TrimPrefix(url, srv.URL), func(t *testing.T) {
			r := send(t, http.MethodGet, url, rt.auth, nil)
			assertServiceError(t, rt.svc, r, http.StatusMethodNotAllowed, "not allowed")
			assert.Equal(t, "POST", r.Header.Get("Allow"))

			for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
				r, err := trySend(http.MethodPost, url, rt.auth, ct, `{}`)
				require.NoError(t, err)
				assertServiceError(t, rt.svc, r, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			}

			for body, msg := range map[string]string{
				"":             "request body is empty",
				"email=a":      "not valid JSON",
				`{"a":`:        "not valid JSON",
				`{} {}`:        "not valid JSON",
				`[]`:           "must be a JSON object",
				`"x"`:          "must be a JSON object",
				`{"zzz":true}`: "zzz",
			} {
				assertServiceError(t, rt.svc, post(t, url, rt.auth, body), http.StatusBadRequest, msg)
			}

			// Parameters after the media type are fine.
			r, err := trySend(http.MethodPost, url, rt.auth, "application/json; charset=utf-8", `{"zzz":1}`)
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadRequest, r.Status, "reached the decoder")
		})
	}
}

func TestRequestIDs(t *testing.T) {
	srv := newServer(t)
	seen := map[string]bool{}
	for range 5 {
		r := royaltiBulk(t, srv, royaltiOK, `{}`)
		id := r.Header.Get("X-Request-Id")
		require.NotEmpty(t, id)
		assert.False(t, seen[id], "duplicate request id %s", id)
		seen[id] = true
	}
	r := post(t, srv.URL+"/nowhere", nil, `{}`)
	assert.NotEmpty(t, r.Header.Get("X-Request-Id"), "even a 404 has one")
	last, ok := srv.LastRequest()
	require.True(t, ok)
	assert.Equal(t, r.Header.Get("X-Request-Id"), last.ID)
}

func TestRecording(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 6, 25, 1, 27, 29, 403_000_000, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	_, ok := srv.LastRequest()
	assert.False(t, ok)

	r := royaltiInvite(t, srv, "?workspaceId=w1&userId=", royaltiOK, `{"email":"rec@example.com"}`)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	athenaInvite(t, srv, athenaOK, `{}`)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	got := reqs[0]
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/royalti/auth/invite", got.Path)
	assert.Equal(t, "w1", got.Query.Get("workspaceId"))
	assert.Contains(t, got.Query, "userId")
	assert.Equal(t, "Bearer "+onboardtest.RoyaltiToken, got.Header.Get("Authorization"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"email":"rec@example.com"}`, string(got.Body))
	assert.Equal(t, clock.Now(), got.Time)
	assert.Equal(t, r.Header.Get("X-Request-Id"), got.ID)

	// Copies: changing them changes nothing.
	got.Body[0] = 'X'
	got.Header.Set("Authorization", "changed")
	got.Query.Set("workspaceId", "changed")
	again := srv.Requests()[0]
	assert.Equal(t, byte('{'), again.Body[0])
	assert.Equal(t, "Bearer "+onboardtest.RoyaltiToken, again.Header.Get("Authorization"))
	assert.Equal(t, "w1", again.Query.Get("workspaceId"))

	assert.Equal(t, 1, srv.RequestCount("/auth/invite"))
	assert.Equal(t, 1, srv.RequestCount("/invites/bulk"))
	assert.Equal(t, 2, srv.RequestCount(""))
	assert.Equal(t, 0, srv.RequestCount("/user/create"))
}

func TestRecordLimits(t *testing.T) {
	limited := newServer(t, onboardtest.WithRecordLimit(2))
	none := newServer(t, onboardtest.WithoutRecording())
	for i := range 5 {
		body := `{"users":[{"email":"l` + strconv.Itoa(i) + `@example.com"}]}`
		royaltiBulk(t, limited, royaltiOK, body)
		royaltiBulk(t, none, royaltiOK, body)
	}
	reqs := limited.Requests()
	require.Len(t, reqs, 2, "only the most recent are kept")
	assert.Contains(t, string(reqs[0].Body), "l3@")
	assert.Contains(t, string(reqs[1].Body), "l4@")
	assert.Equal(t, 5, limited.RequestCount("/user/bulk"), "counting is not limited")

	assert.Empty(t, none.Requests())
	_, ok := none.LastRequest()
	assert.False(t, ok)
	assert.Equal(t, 5, none.RequestCount(""))
	assert.Equal(t, 5, none.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
}

func TestReset(t *testing.T) {
	srv := newServer(t, onboardtest.WithRateLimit(1, time.Hour))
	srv.AddAptlyUser(tenantA, "a@example.com", "A", "B")
	srv.AddAthenaMember(site1, "a@example.com")
	srv.AddAthenaInvite(site2, "a@example.com")
	srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, "a@example.com", "A", "B")
	srv.AddRoyaltiToken("extra", "w")
	data := aptlyData(t, post(t, srv.AptlyURL()+"/v1/tenants/access-key/exchange", nil, map[string]string{"accessKey": onboardtest.AptlyAccessKey}))
	require.Equal(t, http.StatusTooManyRequests, post(t, srv.AptlyURL()+"/v1/tenants/access-key/exchange", nil, `{}`).Status)
	srv.InjectFault(onboardtest.Fault{Status: 500})

	srv.Reset()
	assert.Zero(t, srv.AptlyUserCount(tenantA))
	assert.Empty(t, srv.AthenaMembers(site1))
	assert.Empty(t, srv.AthenaPendingInvites(site2))
	assert.Empty(t, srv.AthenaUserID("a@example.com"))
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
	assert.Empty(t, srv.RoyaltiWorkspace("extra"))
	assert.Empty(t, srv.Requests())
	assert.Zero(t, srv.RequestCount(""))
	assert.Zero(t, srv.PendingFaults())

	// The rate limit stays configured, with fresh windows; the exchanged
	// token is gone.
	r := post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyAuth(data["token"].(string)), `{}`)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.Equal(t, "1", r.Header.Get("X-Rate-Limit-Limit"))
}

func TestWithLatency(t *testing.T) {
	const latency = 250 * time.Millisecond
	srv := newServer(t, onboardtest.WithLatency(latency))
	start := time.Now()
	royaltiBulk(t, srv, royaltiOK, `{}`)
	assert.GreaterOrEqual(t, time.Since(start), latency)

	srv.SetLatency(0)
	start = time.Now()
	royaltiBulk(t, srv, royaltiOK, `{}`)
	assert.Less(t, time.Since(start), latency)
}

func TestConcurrentMixedTraffic(t *testing.T) {
	srv := newServer(t, onboardtest.WithRecordLimit(10))
	// 50 goroutines: each sends an Aptly bulk-invite of 20 people drawn
	// from a pool of 200 (so batches overlap), an AthenaHQ invite and a
	// Royalti bulk create, while another goroutine reads state.
	var wg sync.WaitGroup
	successful := make([]int, 50)
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
				_ = srv.AptlyUserCount(tenantA)
				_ = srv.Requests()
				_ = srv.AthenaMembers(site1)
				_ = srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
			}
		}
	}()
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var users []any
			for i := range 20 {
				users = append(users, map[string]any{"email": "u" + strconv.Itoa((g*7+i)%200) + "@example.com"})
			}
			r, err := trySend(http.MethodPost, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, "application/json",
				map[string]any{"tenantId": tenantA, "users": users})
			if assert.NoError(t, err) && assert.Equal(t, http.StatusCreated, r.Status) {
				if m, err := r.decode(); assert.NoError(t, err, "body: %s", r.Body) {
					successful[g] = int(m["data"].(map[string]any)["successful"].(float64))
				}
			}
			email := "g" + strconv.Itoa(g) + "@example.com"
			_, err = trySend(http.MethodPost, srv.AthenaURL()+"/api/v1/invites/bulk", athenaOK, "application/json",
				map[string]any{"invite_method": "direct", "email": email, "website_ids": []string{site1}})
			assert.NoError(t, err)
			_, err = trySend(http.MethodPost, srv.RoyaltiURL()+"/user/bulk", royaltiOK, "application/json",
				map[string]any{"users": []any{map[string]any{"email": email}}})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	close(stop)
	<-readerDone

	total := 0
	for _, n := range successful {
		total += n
	}
	distinct := map[int]bool{}
	for g := range 50 {
		for i := range 20 {
			distinct[(g*7+i)%200] = true
		}
	}
	assert.Equal(t, len(distinct), total, "every distinct person is invited exactly once")
	assert.Equal(t, len(distinct), srv.AptlyUserCount(tenantA))
	assert.Equal(t, 50, srv.AthenaMemberCount(site1))
	assert.Equal(t, 50, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
	assert.Equal(t, 150, srv.RequestCount(""))
	assert.Len(t, srv.Requests(), 10)
}
