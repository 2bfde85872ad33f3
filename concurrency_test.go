package onboard

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard/onboardtest"
)

// hardWorkers is how many goroutines share one client.
const hardWorkers = 50

// hardEchoServer serves the five endpoints on one host and answers each
// request with data taken from it, so that a caller can tell its own answer
// from another goroutine's. It answers 429 (Retry-After: 0) to the first
// attempt of about a third of the requests, so that retries run while other
// goroutines send.
type hardEchoServer struct {
	*httptest.Server
	seen    sync.Map // path + email of requests already limited once
	limited atomic.Int32
}

func newHardEchoServer(t *testing.T) *hardEchoServer {
	s := &hardEchoServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *hardEchoServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+faultToken {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var in struct {
		Email string `json:"email"`
		Users []struct {
			Email     string `json:"email"`
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"users"`
		WebsiteIDs []string `json:"website_ids"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	email := in.Email
	if len(in.Users) == 1 {
		email = in.Users[0].Email
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(r.URL.Path + email))
	if _, again := s.seen.LoadOrStore(r.URL.Path+email, true); !again && h.Sum32()%3 == 0 {
		s.limited.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprint(w, `{"message":"slow down"}`)
		return
	}

	var out any
	switch r.URL.Path {
	case "/v1/user/create":
		out = map[string]any{"statusCode": 200, "message": "Success", "timestamp": "2026-01-12T09:10:12.337Z",
			"data": map[string]any{"id": "id-" + email, "email": email}}
	case "/v1/user/bulk-invite":
		out = map[string]any{"statusCode": 200, "message": "Success", "timestamp": "2026-01-12T09:10:12.337Z",
			"data": map[string]any{"total": 1, "successful": 1, "results": []any{map[string]any{"email": email, "success": true}}}}
	case "/api/v1/invites/bulk":
		out = map[string]any{"success": true, "results": []any{map[string]any{"website_id": in.WebsiteIDs[0], "success": true, "user_id": "user-" + email}}}
	case "/user/bulk":
		u := in.Users[0]
		out = map[string]any{"message": "Done.", "createdUsers": []string{u.FirstName + " " + u.LastName}, "processedCount": 1, "errors": []string{}}
	case "/auth/invite":
		out = map[string]any{"message": "invited " + email + " to " + r.URL.Query().Get("workspaceId")}
	default:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(out)
}

// TestHardConcurrentOneClient has hardWorkers goroutines share one client
// (with a logger and a rate limiter) and call all five endpoints at once,
// some of them retried. Run it with -race. Every goroutine must get its own
// answers.
func TestHardConcurrentOneClient(t *testing.T) {
	t.Parallel()
	srv := newHardEchoServer(t)
	var log hardSyncBuffer
	c, err := NewClient(srv.URL, BearerToken(faultToken),
		WithHTTPClient(faultHTTPClient(t)),
		WithRetry(3), WithRetryWait(time.Millisecond, faultWaitMax),
		WithTimeout(10*time.Second),
		WithLogger(slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRateLimiter(rate.NewLimiter(rate.Limit(1e6), hardWorkers)))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var retried atomic.Int32
	start := make(chan struct{})
	for i := range hardWorkers {
		wg.Go(func() {
			<-start
			email := fmt.Sprintf("worker%02d@example.com", i)
			first, last := "Worker", fmt.Sprintf("N%02d", i)
			var meta Response
			count := func() {
				if meta.Attempts > 1 {
					retried.Add(1)
				}
			}

			u, err := c.Users.Create(ctx, &CreateUserRequest{
				TenantID: "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52", FirstName: first, LastName: last, Email: email,
			}, WithResponse(&meta))
			if assert.NoError(t, err) {
				assert.Equal(t, "id-"+email, u.ID)
				count()
			}

			bi, err := c.Invites.SendBulk(ctx, &BulkInviteRequest{
				TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b", Users: []Invitee{{Email: email}},
			}, WithResponse(&meta))
			if assert.NoError(t, err) && assert.Len(t, bi.Results, 1) {
				assert.Equal(t, email, bi.Results[0].Email)
				count()
			}

			website := fmt.Sprintf("123e4567-e89b-12d3-a456-4266141740%02d", i)
			ti, err := c.Invites.SendToTargets(ctx, &TargetInviteRequest{
				InviteMethod: InviteDirect, Email: email, WebsiteIDs: []string{website},
			}, WithResponse(&meta))
			if assert.NoError(t, err) && assert.Len(t, ti.Results, 1) {
				assert.Equal(t, website, ti.Results[0].WebsiteID)
				assert.Equal(t, "user-"+email, ti.Results[0].UserID)
				count()
			}

			cu, err := c.Users.CreateBulk(ctx, &CreateUsersRequest{
				Users: []WorkspaceUser{{FirstName: first, LastName: last, Email: email}},
			}, WithResponse(&meta))
			if assert.NoError(t, err) && assert.Len(t, cu.Outcomes, 1) {
				assert.Equal(t, StateSucceeded, cu.Outcomes[0].State)
				assert.Equal(t, email, cu.Outcomes[0].User.Email)
				count()
			}

			ws := fmt.Sprintf("ws-%02d", i)
			inv, err := c.Invites.Send(ctx, &InviteRequest{Email: email, WorkspaceID: ws}, WithResponse(&meta))
			if assert.NoError(t, err) {
				assert.Equal(t, "invited "+email+" to "+ws, inv.Message)
				count()
			}
		})
	}
	close(start)
	wg.Wait()

	assert.Positive(t, srv.limited.Load(), "some requests were rate limited")
	assert.Equal(t, srv.limited.Load(), retried.Load(), "each limited request was retried once, by its own caller")
	assert.Equal(t, 5*hardWorkers+int(srv.limited.Load()), strings.Count(log.String(), "\n"), "one log line per attempt")
}

// TestHardConcurrentOnboardtest runs the same load through the onboardtest
// fake, one client per service, with 429s injected on every endpoint, and
// checks the fake's state afterwards: every person arrived exactly once.
func TestHardConcurrentOnboardtest(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	const limited = 15 // 429s injected per endpoint
	for _, p := range []string{"/v1/user/create", "/v1/user/bulk-invite", "/api/v1/invites/bulk", "/user/bulk", "/auth/invite"} {
		srv.InjectFault(onboardtest.Fault{Path: p, Times: limited, Status: http.StatusTooManyRequests, RetryAfter: "0"})
	}
	opts := []Option{
		WithHTTPClient(srv.Client()), WithRetry(limited + 1), WithRetryWait(time.Millisecond, faultWaitMax),
		WithTimeout(10 * time.Second),
	}
	aptly, err := NewClient(srv.AptlyURL(), BearerToken(onboardtest.AptlyToken), opts...)
	require.NoError(t, err)
	athena, err := NewClient(srv.AthenaURL(), APIKey(onboardtest.AthenaAPIKey), opts...)
	require.NoError(t, err)
	royalti, err := NewClient(srv.RoyaltiURL(), BearerToken(onboardtest.RoyaltiToken), opts...)
	require.NoError(t, err)

	const tenant = "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"
	const website = "123e4567-e89b-12d3-a456-426614174000"
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range hardWorkers {
		wg.Go(func() {
			<-start
			created := fmt.Sprintf("created%02d@example.com", i)
			invited := fmt.Sprintf("invited%02d@example.com", i)
			name := fmt.Sprintf("N%02d", i)

			u, err := aptly.Users.Create(ctx, &CreateUserRequest{TenantID: tenant, FirstName: "Created", LastName: name, Email: created})
			if assert.NoError(t, err) {
				assert.Equal(t, created, u.Email)
			}
			bi, err := aptly.Invites.SendBulk(ctx, &BulkInviteRequest{TenantID: tenant, Users: []Invitee{{Email: invited}}})
			if assert.NoError(t, err) {
				assert.Empty(t, bi.Failed())
			}
			ti, err := athena.Invites.SendToTargets(ctx, &TargetInviteRequest{InviteMethod: InviteDirect, Email: created, WebsiteIDs: []string{website}})
			if assert.NoError(t, err) {
				assert.Empty(t, ti.Failed())
			}
			cu, err := royalti.Users.CreateBulk(ctx, &CreateUsersRequest{Users: []WorkspaceUser{{FirstName: "Created", LastName: name, Email: created}}})
			if assert.NoError(t, err) {
				assert.Len(t, cu.Succeeded(), 1)
			}
			_, err = royalti.Invites.Send(ctx, &InviteRequest{Email: invited, FirstName: "Invited", LastName: name})
			assert.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()

	assert.Zero(t, srv.PendingFaults(), "every injected 429 was met and retried")
	assert.Equal(t, 2*hardWorkers, srv.AptlyUserCount(tenant), "Aptly: one created and one invited user per worker")
	assert.Equal(t, hardWorkers, srv.AthenaMemberCount(website), "AthenaHQ: one member per worker")
	assert.Equal(t, 2*hardWorkers, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID), "Royalti: one created and one invited user per worker")
}
