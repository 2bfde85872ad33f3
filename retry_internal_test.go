package onboard

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func retryResp(status int, header ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Header: h}
}

// retryTimeout is a net.Error that timed out.
type retryTimeout struct{}

func (retryTimeout) Error() string   { return "i/o timeout" }
func (retryTimeout) Timeout() bool   { return true }
func (retryTimeout) Temporary() bool { return true }

func retryURLErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://api.example.com/x", Err: err}
}

func TestRetryPolicy_Check(t *testing.T) {
	t.Parallel()
	dialRefused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	readReset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	tests := []struct {
		name       string
		resp       *http.Response
		err        error
		byDefault  bool
		serverErrs bool
	}{
		{name: "200", resp: retryResp(200)},
		{name: "201", resp: retryResp(201)},
		{name: "400", resp: retryResp(400)},
		{name: "401", resp: retryResp(401)},
		{name: "404", resp: retryResp(404)},
		{name: "409", resp: retryResp(409)},
		{name: "422", resp: retryResp(422)},
		{name: "429", resp: retryResp(429), byDefault: true, serverErrs: true},
		{name: "429 with Retry-After", resp: retryResp(429, "Retry-After", "3"), byDefault: true, serverErrs: true},
		{name: "503 with Retry-After", resp: retryResp(503, "Retry-After", "3"), byDefault: true, serverErrs: true},
		{name: "503 without Retry-After", resp: retryResp(503), serverErrs: true},
		{name: "500", resp: retryResp(500), serverErrs: true},
		{name: "502", resp: retryResp(502), serverErrs: true},
		{name: "504", resp: retryResp(504), serverErrs: true},
		{name: "501", resp: retryResp(501)},
		{name: "505", resp: retryResp(505)},
		{name: "dial refused", err: retryURLErr(dialRefused), byDefault: true, serverErrs: true},
		{name: "DNS failure", err: retryURLErr(&net.DNSError{Err: "no such host", Name: "api.example.invalid"}), byDefault: true, serverErrs: true},
		{name: "reset after sending", err: retryURLErr(readReset), serverErrs: true},
		{name: "EOF", err: retryURLErr(io.EOF), serverErrs: true},
		{name: "unexpected EOF", err: retryURLErr(io.ErrUnexpectedEOF), serverErrs: true},
		{name: "broken pipe", err: retryURLErr(syscall.EPIPE), serverErrs: true},
		{name: "timeout", err: retryURLErr(retryTimeout{}), serverErrs: true},
		{name: "deadline", err: retryURLErr(context.DeadlineExceeded), serverErrs: true},
		{name: "client timeout text", err: errors.New(`Post "x": net/http: request canceled (Client.Timeout exceeded while awaiting headers)`), serverErrs: true},
		{name: "refused redirect", err: retryURLErr(errors.New("refused redirect from https to http://evil.example"))},
		{name: "credential error", err: retryURLErr(errors.New("onboard: bearer token is empty"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := retryPolicy{}.check(t.Context(), tt.resp, tt.err)
			require.NoError(t, err)
			assert.Equal(t, tt.byDefault, got, "default policy")
			got, err = retryPolicy{serverErrors: true}.check(t.Context(), tt.resp, tt.err)
			require.NoError(t, err)
			assert.Equal(t, tt.serverErrs, got, "with ServerErrors")
		})
	}
}

func TestRetryPolicy_CheckStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, p := range []retryPolicy{{}, {serverErrors: true}} {
		got, err := p.check(ctx, retryResp(429), nil)
		assert.False(t, got)
		assert.ErrorIs(t, err, context.Canceled)
		got, err = p.check(ctx, nil, retryURLErr(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}))
		assert.False(t, got)
		assert.ErrorIs(t, err, context.Canceled)
	}
}

// An answer that arrived and is not to be retried is handed back even when
// the context ended just after it came: the caller must see a 2xx as done,
// not as "no answer". Answers that would be retried, and failures with no
// answer, still end with the context's error.
func TestRetryPolicy_CheckHandsBackAnswerAfterContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, p := range []retryPolicy{{}, {serverErrors: true}} {
		for _, status := range []int{200, 201, 400, 401, 409, 501} {
			again, err := p.check(ctx, retryResp(status), nil)
			assert.False(t, again, "%d", status)
			assert.NoError(t, err, "%d: the answer must be handed back", status)
		}
		for _, resp := range []*http.Response{retryResp(429), retryResp(503, "Retry-After", "1")} {
			again, err := p.check(ctx, resp, nil)
			assert.False(t, again)
			assert.ErrorIs(t, err, context.Canceled, "%d would be retried; the context ended", resp.StatusCode)
		}
		again, err := p.check(ctx, nil, retryURLErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET}))
		assert.False(t, again)
		assert.ErrorIs(t, err, context.Canceled, "no answer came")
	}
	// A 500 is handed back by default, and ends with the context's error
	// only when it would have been retried.
	again, err := retryPolicy{}.check(ctx, retryResp(500), nil)
	assert.False(t, again)
	assert.NoError(t, err)
	again, err = retryPolicy{serverErrors: true}.check(ctx, retryResp(500), nil)
	assert.False(t, again)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestBackoff_retryAfter(t *testing.T) {
	t.Parallel()
	lo, hi := 10*time.Millisecond, 5*time.Second
	assert.Equal(t, 3*time.Second, backoff(lo, hi, 0, retryResp(429, "Retry-After", "3")))
	assert.Equal(t, 3*time.Second, backoff(lo, hi, 4, retryResp(503, "Retry-After", "3")))
	assert.Equal(t, hi, backoff(lo, hi, 0, retryResp(429, "Retry-After", "3600")), "capped at the longest wait")
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	assert.Equal(t, hi, backoff(lo, hi, 0, retryResp(429, "Retry-After", date)), "a date is capped too")
	assert.Zero(t, backoff(lo, hi, 0, retryResp(429, "Retry-After", "0")))

	// Retry-After on other statuses is not a reason to wait that long.
	d := backoff(lo, hi, 0, retryResp(500, "Retry-After", "3"))
	assert.Less(t, d, time.Second)
}

func TestBackoff_exponentialWithJitter(t *testing.T) {
	t.Parallel()
	lo, hi := 100*time.Millisecond, 2*time.Second
	for attempt, step := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
		step *= time.Millisecond
		seen := map[time.Duration]bool{}
		for range 200 {
			for _, resp := range []*http.Response{nil, retryResp(429), retryResp(500)} {
				d := backoff(lo, hi, attempt, resp)
				require.GreaterOrEqual(t, d, step/2, "attempt %d", attempt)
				require.LessOrEqual(t, d, step, "attempt %d", attempt)
				seen[d] = true
			}
		}
		assert.Greater(t, len(seen), 10, "attempt %d: waits are jittered", attempt)
	}
	assert.Zero(t, backoff(0, hi, 3, nil))
	assert.Equal(t, time.Nanosecond, backoff(time.Nanosecond, time.Nanosecond, 0, nil))
	assert.LessOrEqual(t, backoff(lo, hi, 1000, nil), hi, "no overflow on many attempts")
}

// FuzzBackoff feeds any Retry-After value a server could send to backoff,
// which never waits less than 0 or longer than its maximum. The seeds run in
// every go test.
//
//	go test -run '^$' -fuzz '^FuzzBackoff$' -fuzztime 30s .
func FuzzBackoff(f *testing.F) {
	for _, v := range []string{"0", "120", "-1", "99999999999999999999", "Mon, 12 Jan 2026 09:10:15 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "soon", ""} {
		f.Add(v)
	}
	const lo, hi = time.Millisecond, 20 * time.Millisecond
	f.Fuzz(func(t *testing.T, v string) {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError, http.StatusUnauthorized} {
			resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {v}}}
			for attempt := range 3 {
				if w := backoff(lo, hi, attempt, resp); w < 0 || w > hi {
					t.Errorf("backoff(attempt %d, %d, Retry-After %q) = %s, outside [0, %s]", attempt, status, v, w, hi)
				}
			}
		}
	})
}
