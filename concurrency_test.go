package onboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// workers is how many goroutines share each client.
const workers = 50

// echoServer serves the five endpoints on a recording server and answers
// each request with data taken from it, so that a caller can tell its own
// answer from another goroutine's. It answers 429 (Retry-After: 0) to the
// first attempt of about a third of the requests, so that retries run while
// other goroutines send.
type echoServer struct {
	*server
	seen    sync.Map // path + email of requests already limited once
	limited atomic.Int32
}

func newEchoServer(t *testing.T) *echoServer {
	s := &echoServer{server: newServer(t)}
	for _, ep := range endpoints() {
		s.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, ep.path) })
	}
	return s
}

// serve answers a request to the endpoint at path below the base URL.
func (s *echoServer) serve(w http.ResponseWriter, r *http.Request, path string) {
	if r.Header.Get("Authorization") != "Bearer "+testToken && r.Header.Get("X-Api-Key") != testAPIKey {
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
	switch path {
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
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(out)
}

// TestConcurrentSharedClients has workers goroutines share one client of
// each service (with one logger and one rate limiter between them) and call
// all five endpoints at once, some of them retried. Run it with -race. Every
// goroutine must get its own answers.
func TestConcurrentSharedClients(t *testing.T) {
	t.Parallel()
	srv := newEchoServer(t)
	var log syncBuffer
	c := newClients(t, srv,
		onboard.WithRetry(3), onboard.WithRetryWait(time.Millisecond, faultWaitMax),
		onboard.WithTimeout(10*time.Second),
		onboard.WithLogger(slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		onboard.WithRateLimiter(rate.NewLimiter(rate.Limit(1e6), workers)))

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var retried atomic.Int32
	start := make(chan struct{})
	for i := range workers {
		wg.Go(func() {
			<-start
			email := fmt.Sprintf("worker%02d@example.com", i)
			first, last := "Worker", fmt.Sprintf("N%02d", i)
			var meta onboard.Response
			count := func() {
				if meta.Attempts > 1 {
					retried.Add(1)
				}
			}

			u, err := c.aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{
				TenantID: tenantID, FirstName: first, LastName: last, Email: email,
			}, onboard.WithResponse(&meta))
			if assert.NoError(t, err) {
				assert.Equal(t, "id-"+email, u.ID)
				count()
			}

			bi, err := c.aptly.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{
				TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b", Users: []onboard.AptlyInvitee{{Email: email}},
			}, onboard.WithResponse(&meta))
			if assert.NoError(t, err) && assert.Len(t, bi.Results, 1) {
				assert.Equal(t, email, bi.Results[0].Email)
				count()
			}

			website := fmt.Sprintf("123e4567-e89b-12d3-a456-4266141740%02d", i)
			ti, err := c.athena.Invites.SendToTargets(ctx, &onboard.AthenaTargetInviteRequest{
				InviteMethod: onboard.AthenaInviteDirect, Email: email, WebsiteIDs: []string{website},
			}, onboard.WithResponse(&meta))
			if assert.NoError(t, err) && assert.Len(t, ti.Results, 1) {
				assert.Equal(t, website, ti.Results[0].WebsiteID)
				assert.Equal(t, "user-"+email, ti.Results[0].UserID)
				count()
			}

			cu, err := c.royalti.Users.CreateBulk(ctx, &onboard.RoyaltiCreateUsersRequest{
				Users: []onboard.RoyaltiWorkspaceUser{{FirstName: first, LastName: last, Email: email}},
			}, onboard.WithResponse(&meta))
			if assert.NoError(t, err) && assert.Len(t, cu.Outcomes, 1) {
				assert.Equal(t, onboard.StateSucceeded, cu.Outcomes[0].State)
				assert.Equal(t, email, cu.Outcomes[0].Item.Email)
				count()
			}

			ws := fmt.Sprintf("ws-%02d", i)
			inv, err := c.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{Email: email, WorkspaceID: ws}, onboard.WithResponse(&meta))
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
	assert.Equal(t, 5*workers+int(srv.limited.Load()), strings.Count(log.String(), "\n"), "one log line per attempt")
	assert.Equal(t, 5*workers+int(srv.limited.Load()), srv.count(), "one request per attempt")
}

// TestConcurrentOnboardtest runs the same load through the onboardtest
// fake, one client per service, with 429s injected on every endpoint, and
// checks the fake's state afterwards: every person arrived exactly once.
func TestConcurrentOnboardtest(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	const limited = 15 // 429s injected per endpoint
	for _, p := range []string{"/v1/user/create", "/v1/user/bulk-invite", "/api/v1/invites/bulk", "/user/bulk", "/auth/invite"} {
		srv.InjectFault(onboardtest.Fault{Path: p, Times: limited, Status: http.StatusTooManyRequests, RetryAfter: "0"})
	}
	c := newClients(t, srv, onboard.WithRetry(limited+1), onboard.WithRetryWait(time.Millisecond, faultWaitMax),
		onboard.WithTimeout(10*time.Second))

	const tenant = tenantID
	const website = websiteID1
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range workers {
		wg.Go(func() {
			<-start
			created := fmt.Sprintf("created%02d@example.com", i)
			invited := fmt.Sprintf("invited%02d@example.com", i)
			name := fmt.Sprintf("N%02d", i)

			u, err := c.aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{TenantID: tenant, FirstName: "Created", LastName: name, Email: created})
			if assert.NoError(t, err) {
				assert.Equal(t, created, u.Email)
			}
			bi, err := c.aptly.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenant, Users: []onboard.AptlyInvitee{{Email: invited}}})
			if assert.NoError(t, err) {
				assert.Empty(t, emailResults(bi.Results, false))
			}
			ti, err := c.athena.Invites.SendToTargets(ctx, &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: created, WebsiteIDs: []string{website}})
			if assert.NoError(t, err) {
				assert.Empty(t, targetResults(ti.Results, false))
			}
			cu, err := c.royalti.Users.CreateBulk(ctx, &onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{{FirstName: "Created", LastName: name, Email: created}}})
			if assert.NoError(t, err) {
				assert.Len(t, inState(cu.Outcomes, onboard.StateSucceeded), 1)
			}
			_, err = c.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{Email: invited, FirstName: "Invited", LastName: name})
			assert.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()

	assert.Zero(t, srv.PendingFaults(), "every injected 429 was met and retried")
	assert.Equal(t, 2*workers, srv.AptlyUserCount(tenant), "Aptly: one created and one invited user per worker")
	assert.Equal(t, workers, srv.AthenaMemberCount(website), "AthenaHQ: one member per worker")
	assert.Equal(t, 2*workers, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID), "Royalti: one created and one invited user per worker")
}
