// Package retry tells failed attempts apart for the onboard package's retry
// policy (its retry.go): a connection that never opened, a network failure
// that may pass; and it reads Retry-After.
package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// NeverConnected reports whether err shows that no connection was opened, so
// the server cannot have seen the request: a refused or failed dial, or a
// name that did not resolve.
func NeverConnected(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// MaybeTransient reports whether err is a network failure that may pass:
// a timeout, a reset, or a connection closed before the whole answer came.
func MaybeTransient(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// net/http reports a client timeout as text inside *url.Error.
	return strings.Contains(err.Error(), "Client.Timeout exceeded")
}

// MaxRetryAfter caps what ParseRetryAfter returns, in either form: a
// server asking for more than a day is treated as asking for a day.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After value in either form HTTP allows:
// delay seconds ("120") or an HTTP date. A date in the past means no wait;
// either form is capped at MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(MaxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), MaxRetryAfter), true
	}
	return 0, false
}
