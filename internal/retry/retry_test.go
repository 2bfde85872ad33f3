package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func urlErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://api.example.com/x", Err: err}
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

func TestMaybeTransient(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		urlErr(timeoutErr{}), urlErr(io.EOF), urlErr(io.ErrUnexpectedEOF), urlErr(syscall.ECONNRESET), urlErr(syscall.EPIPE),
		fmt.Errorf("wrapped: %w", context.DeadlineExceeded),
		errors.New(`Post "x": net/http: request canceled (Client.Timeout exceeded while awaiting headers)`),
	} {
		assert.True(t, MaybeTransient(err), "%v", err)
	}
	assert.False(t, MaybeTransient(urlErr(errors.New("refused redirect to http://evil.example"))))
	assert.False(t, MaybeTransient(context.Canceled))
}
