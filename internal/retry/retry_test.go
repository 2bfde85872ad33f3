package retry

import (
	"context"
	"errors"
	"fmt"
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

func response(status int, header ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Header: h}
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func urlErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://api.example.com/x", Err: err}
}

func TestPolicy_Check(t *testing.T) {
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
		{name: "200", resp: response(200)},
		{name: "201", resp: response(201)},
		{name: "400", resp: response(400)},
		{name: "401", resp: response(401)},
		{name: "404", resp: response(404)},
		{name: "409", resp: response(409)},
		{name: "422", resp: response(422)},
		{name: "429", resp: response(429), byDefault: true, serverErrs: true},
		{name: "429 with Retry-After", resp: response(429, "Retry-After", "3"), byDefault: true, serverErrs: true},
		{name: "503 with Retry-After", resp: response(503, "Retry-After", "3"), byDefault: true, serverErrs: true},
		{name: "503 without Retry-After", resp: response(503), serverErrs: true},
		{name: "500", resp: response(500), serverErrs: true},
		{name: "502", resp: response(502), serverErrs: true},
		{name: "504", resp: response(504), serverErrs: true},
		{name: "501", resp: response(501)},
		{name: "505", resp: response(505)},
		{name: "dial refused", err: urlErr(dialRefused), byDefault: true, serverErrs: true},
		{name: "DNS failure", err: urlErr(&net.DNSError{Err: "no such host", Name: "api.example.invalid"}), byDefault: true, serverErrs: true},
		{name: "reset after sending", err: urlErr(readReset), serverErrs: true},
		{name: "EOF", err: urlErr(io.EOF), serverErrs: true},
		{name: "unexpected EOF", err: urlErr(io.ErrUnexpectedEOF), serverErrs: true},
		{name: "broken pipe", err: urlErr(syscall.EPIPE), serverErrs: true},
		{name: "timeout", err: urlErr(timeoutErr{}), serverErrs: true},
		{name: "deadline", err: urlErr(context.DeadlineExceeded), serverErrs: true},
		{name: "client timeout text", err: errors.New(`Post "x": net/http: request canceled (Client.Timeout exceeded while awaiting headers)`), serverErrs: true},
		{name: "refused redirect", err: urlErr(errors.New("refused redirect from https to http://evil.example"))},
		{name: "credential error", err: urlErr(errors.New("onboard: bearer token is empty"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Policy{}.Check(t.Context(), tt.resp, tt.err)
			require.NoError(t, err)
			assert.Equal(t, tt.byDefault, got, "default policy")
			got, err = Policy{ServerErrors: true}.Check(t.Context(), tt.resp, tt.err)
			require.NoError(t, err)
			assert.Equal(t, tt.serverErrs, got, "with ServerErrors")
		})
	}
}

func TestPolicy_CheckStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, p := range []Policy{{}, {ServerErrors: true}} {
		got, err := p.Check(ctx, response(429), nil)
		assert.False(t, got)
		assert.ErrorIs(t, err, context.Canceled)
		got, err = p.Check(ctx, nil, urlErr(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}))
		assert.False(t, got)
		assert.ErrorIs(t, err, context.Canceled)
	}
}

func TestNeverConnected(t *testing.T) {
	t.Parallel()
	assert.True(t, NeverConnected(urlErr(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED})))
	assert.True(t, NeverConnected(fmt.Errorf("wrapped: %w", &net.DNSError{Err: "no such host"})))
	assert.False(t, NeverConnected(urlErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET})))
	assert.False(t, NeverConnected(urlErr(&net.OpError{Op: "write", Err: syscall.EPIPE})))
	assert.False(t, NeverConnected(io.EOF))
	assert.False(t, NeverConnected(errors.New("dial tcp: connection refused")), "text is not enough")
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 12, 9, 10, 12, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999", 24 * time.Hour, true},
		{"Mon, 12 Jan 2026 09:11:12 GMT", time.Minute, true},
		{"Monday, 12-Jan-26 09:10:42 GMT", 30 * time.Second, true}, // RFC 850
		{"Mon Jan 12 09:10:22 2026", 10 * time.Second, true},       // ANSI C
		{"Mon, 12 Jan 2026 09:00:00 GMT", 0, true},                 // in the past
		{"Tue, 13 Jan 2026 09:10:12 GMT", 24 * time.Hour, true},    // a day on: the cap
		{"Tue, 13 Jan 2026 09:10:13 GMT", 24 * time.Hour, true},    // past the cap
		{"Fri, 31 Dec 2099 23:59:59 GMT", 24 * time.Hour, true},    // decades on
		{"2026-01-12T09:11:12Z", 0, false},                         // not an HTTP date
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		assert.Equal(t, tt.wantOK, ok, "ParseRetryAfter(%q)", tt.in)
		assert.Equal(t, tt.want, got, "ParseRetryAfter(%q)", tt.in)
	}
}

func TestBackoff_retryAfter(t *testing.T) {
	t.Parallel()
	lo, hi := 10*time.Millisecond, 5*time.Second
	assert.Equal(t, 3*time.Second, Backoff(lo, hi, 0, response(429, "Retry-After", "3")))
	assert.Equal(t, 3*time.Second, Backoff(lo, hi, 4, response(503, "Retry-After", "3")))
	assert.Equal(t, hi, Backoff(lo, hi, 0, response(429, "Retry-After", "3600")), "capped at the longest wait")
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	assert.Equal(t, hi, Backoff(lo, hi, 0, response(429, "Retry-After", date)), "a date is capped too")
	assert.Zero(t, Backoff(lo, hi, 0, response(429, "Retry-After", "0")))

	// Retry-After on other statuses is not a reason to wait that long.
	d := Backoff(lo, hi, 0, response(500, "Retry-After", "3"))
	assert.Less(t, d, time.Second)
}

func TestBackoff_exponentialWithJitter(t *testing.T) {
	t.Parallel()
	lo, hi := 100*time.Millisecond, 2*time.Second
	for attempt, step := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
		step *= time.Millisecond
		seen := map[time.Duration]bool{}
		for range 200 {
			for _, resp := range []*http.Response{nil, response(429), response(500)} {
				d := Backoff(lo, hi, attempt, resp)
				require.GreaterOrEqual(t, d, step/2, "attempt %d", attempt)
				require.LessOrEqual(t, d, step, "attempt %d", attempt)
				seen[d] = true
			}
		}
		assert.Greater(t, len(seen), 10, "attempt %d: waits are jittered", attempt)
	}
	assert.Zero(t, Backoff(0, hi, 3, nil))
	assert.Equal(t, time.Nanosecond, Backoff(time.Nanosecond, time.Nanosecond, 0, nil))
	assert.LessOrEqual(t, Backoff(lo, hi, 1000, nil), hi, "no overflow on many attempts")
}
