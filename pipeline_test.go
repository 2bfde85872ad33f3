package onboard_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// Timing in these tests is measured loosely: a wait is checked against a
// lower bound only where a timer guarantees it, and against generous upper
// bounds otherwise.

// failThen answers the first n requests with status (and header pairs),
// then with ok.
func failThen(n int32, status int, body string, ok func(w http.ResponseWriter), header ...string) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			reply(w, status, body, header...)
			return
		}
		ok(w)
	}
}

func inviteOK(w http.ResponseWriter) { reply(w, http.StatusCreated, `{"message":"ok"}`) }

// hangUp closes the connection after the request has been read, without
// answering: the server may have done the work.
func hangUp(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !assert.True(t, ok, "the test server can hijack") {
			return
		}
		conn, _, err := hj.Hijack()
		if assert.NoError(t, err) {
			assert.NoError(t, conn.Close())
		}
	}
}

// bigBulkInvite is a bulk invite of 50 people, so that a body resent on
// retry is worth comparing.
func bigBulkInvite() *onboard.AptlyBulkInviteRequest {
	req := &onboard.AptlyBulkInviteRequest{TenantID: tenantID}
	for i := range 50 {
		req.Users = append(req.Users, onboard.AptlyInvitee{
			Email: fmt.Sprintf("person.%02d@example.com", i), FirstName: "Person", LastName: strconv.Itoa(i),
			Groups:           []onboard.AptlyGroupAssignment{{GroupID: groupID, IsPrimaryOrg: onboard.Ptr(i%2 == 0)}},
			CustomAttributes: map[string]string{"team": "t" + strconv.Itoa(i%7), "level": "L" + strconv.Itoa(i%3)},
		})
	}
	return req
}

func TestRetry_rateLimitedThenSucceeds(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv, onboard.WithRetry(3))
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", failThen(2, http.StatusTooManyRequests, `{"statusCode":429,"message":"Too many requests"}`,
		func(w http.ResponseWriter) {
			reply(w, http.StatusCreated, envelope(200, "Success", `{"total":50,"successful":50,"failed":0,"results":[]}`))
		}))

	var meta onboard.Response
	res, err := c.Invites.SendBulk(testCtx(t), bigBulkInvite(), onboard.WithResponse(&meta))
	require.NoError(t, err)
	assert.Equal(t, 50, res.Total)
	assert.Equal(t, 3, meta.Attempts)
	assert.Equal(t, http.StatusCreated, meta.StatusCode)

	reqs := srv.requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs[1:] {
		assert.True(t, bytes.Equal(reqs[0].Body, r.Body), "attempt %d sent a different body", i+2)
		assert.Equal(t, reqs[0].Header.Get("Authorization"), r.Header.Get("Authorization"))
		assert.Equal(t, reqs[0].Header.Get("Content-Type"), r.Header.Get("Content-Type"))
		assert.Equal(t, reqs[0].Path, r.Path)
	}
	assert.Equal(t, strconv.Itoa(len(reqs[0].Body)), reqs[2].Header.Get("Content-Length"))
}

// What is retried, by default and with WithRetryServerErrors: by default
// only what the server certainly did not process.
func TestRetry_policyByStatus(t *testing.T) {
	t.Parallel()
	const retries = 2
	tests := []struct {
		status       int
		retryAfter   string
		byDefault    bool
		withOptIn    bool
		wantSentinel error
	}{
		{429, "", true, true, onboard.ErrRateLimited},
		{429, "0", true, true, onboard.ErrRateLimited},
		{503, "0", true, true, onboard.ErrServer},
		{503, "", false, true, onboard.ErrServer},
		{500, "", false, true, onboard.ErrServer},
		{502, "", false, true, onboard.ErrServer},
		{504, "", false, true, onboard.ErrServer},
		{501, "", false, false, onboard.ErrServer},
		{400, "", false, false, onboard.ErrBadRequest},
		{401, "", false, false, onboard.ErrUnauthorized},
		{403, "", false, false, onboard.ErrForbidden},
		{404, "", false, false, onboard.ErrNotFound},
		{409, "", false, false, onboard.ErrConflict},
		{422, "", false, false, onboard.ErrBadRequest},
	}
	for _, tt := range tests {
		for _, optIn := range []bool{false, true} {
			name := fmt.Sprintf("%d retry-after=%q server-errors=%v", tt.status, tt.retryAfter, optIn)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := []onboard.Option{onboard.WithRetry(retries)}
				if optIn {
					opts = append(opts, onboard.WithRetryServerErrors())
				}
				srv := newServer(t)
				c := newRoyalti(t, srv, opts...)
				body := fmt.Sprintf(`{"message":"status %d"}`, tt.status)
				var header []string
				if tt.retryAfter != "" {
					header = []string{"Retry-After", tt.retryAfter}
				}
				srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
					reply(w, tt.status, body, header...)
				})

				_, err := c.Invites.Send(testCtx(t), validInvite())
				apiErr := mustAPIError(t, err)
				want := 1
				if optIn && tt.withOptIn || !optIn && tt.byDefault {
					want = retries + 1
				}
				assert.Equal(t, want, srv.count(), "requests")
				assert.Equal(t, want, apiErr.Attempts)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.Equal(t, body, string(apiErr.Body), "the last attempt's body, not a bare giving-up error")
				assert.Equal(t, fmt.Sprintf("status %d", tt.status), apiErr.Message)
				assert.ErrorIs(t, err, tt.wantSentinel)
			})
		}
	}
}

func TestRetry_disabled(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithRetry(0), onboard.WithRetryServerErrors())
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusTooManyRequests, `{"message":"slow down"}`, "Retry-After", "0")
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	apiErr := mustAPIError(t, err)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Equal(t, 1, srv.count())
	assert.ErrorIs(t, err, onboard.ErrRateLimited)
}

// Retry-After is honoured in both forms, but never past the longest wait.
func TestRetry_retryAfterCapped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		value  func() string
	}{
		{"seconds", http.StatusTooManyRequests, func() string { return "3600" }},
		{"HTTP date", http.StatusTooManyRequests, func() string { return time.Now().Add(time.Hour).UTC().Format(http.TimeFormat) }},
		{"503 seconds", http.StatusServiceUnavailable, func() string { return "86400" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(2), onboard.WithRetryWait(time.Millisecond, 50*time.Millisecond))
			var n atomic.Int32
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) < 3 {
					reply(w, tt.status, `{"message":"later"}`, "Retry-After", tt.value())
					return
				}
				inviteOK(w)
			})
			start := time.Now()
			_, err := c.Invites.Send(testCtx(t), validInvite())
			require.NoError(t, err)
			assert.Equal(t, 3, srv.count())
			assert.Less(t, time.Since(start), 5*time.Second, "waited past the 50ms cap")
		})
	}
}

func TestRetry_retryAfterHonoured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   func() string
		atLeast time.Duration
	}{
		{"seconds", func() string { return "1" }, 950 * time.Millisecond},
		// An HTTP date has whole seconds: two seconds from now is more
		// than one second away.
		{"HTTP date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(1), onboard.WithRetryWait(time.Millisecond, 10*time.Second))
			srv.handle(royaltiPrefix+"/auth/invite", failThen(1, http.StatusTooManyRequests, `{"message":"later"}`, inviteOK, "Retry-After", tt.value()))
			_, err := c.Invites.Send(testCtx(t), validInvite())
			require.NoError(t, err)
			reqs := srv.requests()
			require.Len(t, reqs, 2)
			gap := reqs[1].At.Sub(reqs[0].At)
			assert.GreaterOrEqual(t, gap, tt.atLeast, "the retry came before Retry-After")
			assert.Less(t, gap, 8*time.Second)
		})
	}
}

// The back-off grows from the first wait without a Retry-After, and stays
// under the longest wait.
func TestRetry_backoffWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithRetry(3), onboard.WithRetryWait(20*time.Millisecond, 200*time.Millisecond))
	srv.handle(royaltiPrefix+"/auth/invite", failThen(3, http.StatusTooManyRequests, `{"message":"later"}`, inviteOK))
	start := time.Now()
	_, err := c.Invites.Send(testCtx(t), validInvite())
	require.NoError(t, err)
	reqs := srv.requests()
	require.Len(t, reqs, 4)
	// Jitter keeps each wait in the upper half of its step: at least 10ms,
	// 20ms and 40ms.
	assert.GreaterOrEqual(t, reqs[3].At.Sub(reqs[0].At), 70*time.Millisecond)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// A connection that never opened cannot have been processed: retried.
func TestRetry_connectionRefused(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	auth := onboard.BearerTokenFunc(func(context.Context) (string, error) {
		calls.Add(1)
		return testToken, nil
	})
	c := newRoyalti(t, withAuth(site(closedURL(t)), auth), onboard.WithRetry(2))
	_, err := c.Invites.Send(testCtx(t), validInvite())
	re := mustRequestError(t, err)
	assert.Equal(t, 3, re.Attempts)
	assert.EqualValues(t, 3, calls.Load(), "one credential per attempt")
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Equal(t, royaltiPrefix+"/auth/invite", re.Path)
}

// A connection dropped after the request was sent may hide work the server
// did: not retried unless the caller opts in.
func TestRetry_droppedAfterSend(t *testing.T) {
	t.Parallel()
	for _, optIn := range []bool{false, true} {
		t.Run("server-errors="+strconv.FormatBool(optIn), func(t *testing.T) {
			t.Parallel()
			opts := []onboard.Option{onboard.WithRetry(2)}
			if optIn {
				opts = append(opts, onboard.WithRetryServerErrors())
			}
			srv := newServer(t)
			c := newRoyalti(t, srv, opts...)
			srv.handle(royaltiPrefix+"/auth/invite", hangUp(t))
			_, err := c.Invites.Send(testCtx(t), validInvite())
			re := mustRequestError(t, err)
			want := 1
			if optIn {
				want = 3
			}
			assert.Equal(t, want, srv.count())
			assert.Equal(t, want, re.Attempts)
		})
	}
}

// An answer cut off in its body arrived: it is an unexpected response, not a
// reason to send the request again.
func TestRetry_bodyCutOff(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithRetry(2), onboard.WithRetryServerErrors())
	sent := `{"message":"Succ` // of the 1000 bytes announced
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(sent))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // closes the connection mid-body
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	apiErr := mustAPIError(t, err)
	assert.ErrorIs(t, err, onboard.ErrUnexpectedResponse)
	assert.Equal(t, http.StatusCreated, apiErr.StatusCode)
	assert.Equal(t, sent, string(apiErr.Body), "the body as far as it came") // not JSONEq: cut off, it is not JSON
	assert.Equal(t, 1, srv.count())
}

// A timed-out attempt is retried only when the caller opts in.
func TestRetry_timeoutOptIn(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithRetry(1), onboard.WithRetryServerErrors(), onboard.WithTimeout(100*time.Millisecond))
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	re := mustRequestError(t, err)
	assert.Equal(t, 2, re.Attempts)
	assert.Equal(t, 2, srv.count())
}

// Cancelling the context ends a long back-off at once.
func TestRetry_contextEndsBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ctx   func(t *testing.T, arrived <-chan struct{}) context.Context
		want  error
		bound time.Duration // generous: the wait asked for is a minute
	}{
		{
			name: "cancel",
			ctx: func(t *testing.T, arrived <-chan struct{}) context.Context {
				ctx, cancel := context.WithCancel(testCtx(t))
				go func() {
					select {
					case <-arrived:
						time.Sleep(100 * time.Millisecond) // into the back-off
					case <-ctx.Done():
					}
					cancel()
				}()
				return ctx
			},
			want:  context.Canceled,
			bound: 2 * time.Second,
		},
		{
			name: "deadline",
			ctx: func(t *testing.T, _ <-chan struct{}) context.Context {
				ctx, cancel := context.WithTimeout(testCtx(t), time.Second)
				t.Cleanup(cancel)
				return ctx
			},
			want:  context.DeadlineExceeded,
			bound: 3 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(5), onboard.WithRetryWait(time.Second, time.Minute))
			arrived := make(chan struct{}, 1)
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusTooManyRequests, `{"message":"later"}`, "Retry-After", "60")
				select {
				case arrived <- struct{}{}:
				default:
				}
			})
			ctx := tt.ctx(t, arrived)
			start := time.Now()
			_, err := c.Invites.Send(ctx, validInvite())
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Less(t, elapsed, tt.bound, "the back-off outlived the context")
			assert.Equal(t, 1, srv.count())
		})
	}
}
