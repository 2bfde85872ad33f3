package onboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// stampServer answers every request with status, after delay, and records
// when each request arrived.
type stampServer struct {
	*httptest.Server
	mu       sync.Mutex
	arrivals []time.Time
}

func newStampServer(t *testing.T, status int, delay time.Duration, header http.Header) *stampServer {
	t.Helper()
	s := &stampServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.arrivals = append(s.arrivals, time.Now())
		s.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"success":true,"results":[{"website_id":"` + testWebsite + `","success":true}]}`))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *stampServer) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.arrivals...)
}

const testWebsite = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

func athenaInvite() *onboard.AthenaTargetInviteRequest {
	return &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", WebsiteIDs: []string{testWebsite}}
}

func TestCallOptions_retryPerCall(t *testing.T) {
	srv := newStampServer(t, http.StatusTooManyRequests, 0, nil)
	c, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("key-123456"),
		onboard.WithRetry(3), onboard.WithRetryWait(time.Millisecond, time.Millisecond), onboard.WithoutPacing())
	require.NoError(t, err)

	_, err = c.Invites.SendToTargets(t.Context(), athenaInvite(), onboard.WithRetry(0))
	require.ErrorIs(t, err, onboard.ErrRateLimited)
	assert.Len(t, srv.times(), 1, "WithRetry(0) on the call: one attempt, whatever the client's default")

	_, err = c.Invites.SendToTargets(t.Context(), athenaInvite())
	require.ErrorIs(t, err, onboard.ErrRateLimited)
	assert.Len(t, srv.times(), 1+4, "the client's WithRetry(3): four attempts")
}

func TestCallOptions_timeoutPerCall(t *testing.T) {
	srv := newStampServer(t, http.StatusOK, 300*time.Millisecond, nil)
	c, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("key-123456"), onboard.WithTimeout(10*time.Second), onboard.WithoutPacing())
	require.NoError(t, err)

	_, err = c.Invites.SendToTargets(t.Context(), athenaInvite(), onboard.WithTimeout(30*time.Millisecond))
	var reqErr *onboard.RequestError
	require.ErrorAs(t, err, &reqErr)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "longer than its 30ms timeout")

	res, err := c.Invites.SendToTargets(t.Context(), athenaInvite())
	require.NoError(t, err, "the client's own 10s timeout applies to calls that set none")
	assert.Len(t, targetResults(res.Results, true), 1)
}

func TestCallOptions_invalidRefusedBeforeSending(t *testing.T) {
	srv := newStampServer(t, http.StatusOK, 0, nil)
	c, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("key-123456"), onboard.WithoutPacing())
	require.NoError(t, err)
	for _, opt := range []onboard.CallOption{onboard.WithRetry(-1), onboard.WithTimeout(-time.Second)} {
		_, err = c.Invites.SendToTargets(t.Context(), athenaInvite(), opt)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "athena: Invites.SendToTargets")
		assert.Contains(t, err.Error(), "negative")
	}
	assert.Empty(t, srv.times(), "nothing is sent")
}

func TestPacing_athenaByDefault(t *testing.T) {
	srv := newStampServer(t, http.StatusOK, 0, nil)
	c, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("key-123456"))
	require.NoError(t, err)
	for range 2 {
		_, err = c.Invites.SendToTargets(t.Context(), athenaInvite())
		require.NoError(t, err)
	}
	at := srv.times()
	require.Len(t, at, 2)
	// A lower bound only: a slow machine can only make the gap longer.
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), onboard.AthenaHQRequestInterval-50*time.Millisecond,
		"an AthenaClient spaces its requests by AthenaHQRequestInterval")
}

func TestPacing_holdsWhileServerSaysNoneRemain(t *testing.T) {
	// The window resets two whole seconds ahead (the header has a resolution
	// of a second), so the hold is more than a second.
	reset := time.Now().Add(2 * time.Second).Unix()
	srv := newStampServer(t, http.StatusOK, 0, http.Header{
		"X-Rate-Limit-Limit":     {"60"},
		"X-Rate-Limit-Remaining": {"0"},
		"X-Rate-Limit-Reset":     {strconv.FormatInt(reset, 10)},
	})
	c, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("key-123456"), onboard.WithRateLimiter(nil))
	require.NoError(t, err)
	for range 2 {
		_, err = c.Invites.SendToTargets(t.Context(), athenaInvite())
		require.NoError(t, err)
	}
	at := srv.times()
	require.Len(t, at, 2)
	assert.False(t, at[1].Before(time.Unix(reset, 0).Add(-10*time.Millisecond)),
		"the second request waits for the window's reset: sent %s before it", time.Unix(reset, 0).Sub(at[1]))
}

func TestPacing_waitEndsWithContext(t *testing.T) {
	srv := newStampServer(t, http.StatusOK, 0, nil)
	c, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("key-123456"))
	require.NoError(t, err)
	_, err = c.Invites.SendToTargets(t.Context(), athenaInvite())
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Invites.SendToTargets(ctx, athenaInvite())
	require.Error(t, err, "the pacing wait would pass the deadline")
	assert.Less(t, time.Since(start), 900*time.Millisecond, "the wait ends with the context, long before the next slot")
	assert.Len(t, srv.times(), 1, "nothing more was sent")
}
