// Package retry decides which failed attempts are safe to repeat and how long
// to wait before repeating them. The endpoints create users and send invites,
// so by default only what the server certainly did not process is retried.
package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Policy says which failures are retried.
type Policy struct {
	// ServerErrors also retries 500, 502, 503 without Retry-After, 504,
	// timeouts and connections that broke after the request was sent: cases
	// where the server may already have done the work.
	ServerErrors bool
}

// Check reports whether the attempt that produced resp or err should be
// repeated. It never retries once ctx is done. An answer it would not retry
// anyway is handed back (false, nil) even then: the server answered, and
// the caller must see that answer rather than the context's error, since a
// 2xx means the work was done. For an answer it would retry, or no answer,
// it returns ctx's error once ctx is done.
func (p Policy) Check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	again := p.retryable(resp, err)
	if ctxErr := ctx.Err(); ctxErr != nil && (again || err != nil) {
		return false, ctxErr
	}
	return again, nil
}

// retryable reports whether the attempt that produced resp or err may be
// repeated, whatever the context.
func (p Policy) retryable(resp *http.Response, err error) bool {
	if err != nil {
		if NeverConnected(err) {
			return true
		}
		return p.ServerErrors && maybeTransient(err)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return true
	case code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		return true
	case code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported:
		return p.ServerErrors
	}
	return false
}

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

// maybeTransient reports whether err is a network failure that may pass:
// a timeout, a reset, or a connection closed before the whole answer came.
func maybeTransient(err error) bool {
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

// Backoff returns how long to wait before retry number attempt+1. A 429 or
// 503 carrying Retry-After waits what the server asked, but never more than
// hi; otherwise the wait grows exponentially from lo, capped at hi, with
// the upper half of each step randomised so that many clients spread out.
func Backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, hi)
		}
	}
	if lo <= 0 {
		return 0
	}
	wait := lo
	for i := 0; i < attempt && wait < hi; i++ {
		wait *= 2
	}
	wait = min(wait, hi)
	half := wait / 2
	if half <= 0 {
		return wait
	}
	return half + rand.N(half+1) //nolint:gosec // G404: jitter spreads clients out; it needs no cryptographic randomness.
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
