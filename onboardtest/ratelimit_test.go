package onboardtest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

func TestRateLimitHeadersAnd429(t *testing.T) {
	// The window opens half-way through a second, so its end must be
	// rounded up in x-rate-limit-reset.
	clock := newFakeClock(time.Unix(1_700_000_000, 500_000_000))
	srv := newServer(t, onboardtest.WithRateLimit(3, time.Minute), onboardtest.WithClock(clock.Now))
	body := map[string]any{"invite_method": "direct", "email": "r@example.com", "website_ids": []string{site1}}
	const reset = "1700000061"

	for i := range 3 {
		r := athenaInvite(t, srv, athenaOK, body)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, "3", r.Header.Get("X-Rate-Limit-Limit"))
		assert.Equal(t, strconv.Itoa(2-i), r.Header.Get("X-Rate-Limit-Remaining"))
		assert.Equal(t, reset, r.Header.Get("X-Rate-Limit-Reset"))
		assert.Empty(t, r.Header.Get("Retry-After"))
	}
	r := athenaInvite(t, srv, athenaOK, body)
	assertAthenaError(t, r, http.StatusTooManyRequests, "Rate limit exceeded")
	assert.Equal(t, "60", r.Header.Get("Retry-After"))
	assert.Equal(t, "0", r.Header.Get("X-Rate-Limit-Remaining"))
	assert.Equal(t, reset, r.Header.Get("X-Rate-Limit-Reset"))

	// Another credential has its own window.
	assert.Equal(t, http.StatusOK, athenaInvite(t, srv, athenaGlb, body).Status)

	// Near the window's end Retry-After is still at least 1.
	clock.Advance(59*time.Second + 900*time.Millisecond)
	r = athenaInvite(t, srv, athenaOK, body)
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.Equal(t, "1", r.Header.Get("Retry-After"))

	// A new window.
	clock.Advance(200 * time.Millisecond)
	r = athenaInvite(t, srv, athenaOK, body)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "2", r.Header.Get("X-Rate-Limit-Remaining"))
}

func TestRateLimitShapesPerService(t *testing.T) {
	srv := newServer(t, onboardtest.WithRateLimit(1, time.Hour))
	aptly := func() *response {
		return post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK,
			map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": "a@example.com"}}})
	}
	royalti := func() *response { return royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"a@example.com"}]}`) }

	require.Equal(t, http.StatusCreated, aptly().Status)
	r := aptly()
	assertAptlyError(t, r, http.StatusTooManyRequests, "Too Many Requests")
	assert.NotEmpty(t, r.Header.Get("Retry-After"))

	require.Equal(t, http.StatusCreated, royalti().Status)
	assertRoyaltiStructured(t, royalti(), http.StatusTooManyRequests, "RATE_LIMIT_EXCEEDED", "Too many requests")
	assert.Equal(t, 1, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID), "a limited request is not processed")

	// Error answers carry the headers too.
	r = royaltiBulk(t, srv, royaltiAuth("bad"), `{}`)
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.Equal(t, "0", r.Header.Get("X-Rate-Limit-Remaining"))
}

func TestRateLimitOffByDefaultAndRemovable(t *testing.T) {
	srv := newServer(t)
	r := royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"a@example.com"}]}`)
	assert.Empty(t, r.Header.Get("X-Rate-Limit-Limit"))

	srv.SetRateLimit(1, time.Hour)
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"b@example.com"}]}`)
	assert.Equal(t, http.StatusTooManyRequests, royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"c@example.com"}]}`).Status)

	srv.SetRateLimit(0, 0)
	r = royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"c@example.com"}]}`)
	assert.Equal(t, http.StatusCreated, r.Status)
	assert.Empty(t, r.Header.Get("X-Rate-Limit-Limit"))
}
