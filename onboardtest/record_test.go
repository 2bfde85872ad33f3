package onboardtest_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// TestRecordedStatus checks that each recorded request holds the status it
// was answered with, on every answer path, faults included, and 0 when no
// answer was given.
func TestRecordedStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const bulk = "/v1/user/bulk-invite"
	url := srv.AptlyURL() + bulk
	body := map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": "a@example.com"}}}
	lastStatus := func() int {
		r, ok := srv.LastRequest()
		require.True(t, ok)
		return r.Status
	}

	assert.Equal(t, http.StatusCreated, post(t, url, aptlyOK, body).Status)
	assert.Equal(t, http.StatusCreated, lastStatus(), "a normal answer")

	post(t, url, aptlyAuth("wrong"), body)
	assert.Equal(t, http.StatusUnauthorized, lastStatus(), "a refusal")

	for _, f := range []onboardtest.Fault{
		{Status: http.StatusServiceUnavailable, RetryAfter: "2", Process: true},
		{Status: http.StatusBadGateway},
		{Malformed: true},
		{Header: http.Header{"X-Extra": {"1"}}}, // answered normally
	} {
		f.Path, f.Times = bulk, 1
		srv.InjectFault(f)
		r := post(t, url, aptlyOK, body)
		assert.Equal(t, r.Status, lastStatus(), "fault %+v", f)
	}

	srv.InjectFault(onboardtest.Fault{Path: bulk, Times: 1, Truncate: true})
	_, err := trySend(http.MethodPost, url, aptlyOK, "application/json", body)
	require.Error(t, err, "the body is cut short")
	assert.Equal(t, http.StatusCreated, lastStatus(), "a truncated answer records the status it began with")

	srv.InjectFault(onboardtest.Fault{Path: bulk, Times: 1, DropConnection: true})
	_, err = trySend(http.MethodPost, url, aptlyOK, "application/json", body)
	require.Error(t, err)
	assert.Zero(t, lastStatus(), "a dropped connection got no answer")

	srv.SetRateLimit(1, time.Hour)
	post(t, url, aptlyOK, body)
	assert.Equal(t, http.StatusTooManyRequests, post(t, url, aptlyOK, body).Status)
	assert.Equal(t, http.StatusTooManyRequests, lastStatus(), "over the rate limit")
	srv.SetRateLimit(0, 0)

	// A client that gives up during a latency gets no answer.
	srv.InjectFault(onboardtest.Fault{Path: bulk, Times: 1, Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := newRequest(ctx, http.MethodPost, url, aptlyOK, "application/json", body)
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err, "the client gave up")
	assert.Zero(t, lastStatus())

	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
	}
	assert.Equal(t, map[int]int{201: 5, 401: 1, 503: 1, 502: 1, 0: 2, 429: 1}, statuses)
}

// TestRecordedStatusAfterDropsAndReset checks that statuses land on the
// right request once old ones are dropped from the record, and after Reset.
func TestRecordedStatusAfterDropsAndReset(t *testing.T) {
	t.Parallel()
	srv := newServer(t, onboardtest.WithRecordLimit(3))
	url := srv.RoyaltiURL() + "/auth/invite"
	// Enough requests that the record compacts its storage.
	for i := range 1100 {
		status := http.StatusCreated
		if i%2 == 1 {
			status = http.StatusTeapot
			srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Times: 1, Status: status})
		}
		email := "p" + strconv.Itoa(i) + "@example.com"
		assert.Equal(t, status, post(t, url, royaltiOK, map[string]any{"email": email}).Status)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, []int{http.StatusTeapot, http.StatusCreated, http.StatusTeapot},
		[]int{reqs[0].Status, reqs[1].Status, reqs[2].Status})

	srv.Reset()
	post(t, url, royaltiOK, map[string]any{"email": "reset@example.com"})
	reqs = srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.StatusCreated, reqs[0].Status)
}
