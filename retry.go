package onboard

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/onboardkit/onboard/internal/retry"
)

// The retry policy of every call: what is retried, how long to wait, and
// the one resend after a 401; go-retryablehttp's CheckRetry and Backoff.

// The policy's defaults: WithRetry(2), and waits between attempts of 500 ms
// doubling up to 30 s.
const (
	defaultRetries          = 2
	defaultRetryWaitFirst   = 500 * time.Millisecond
	defaultRetryWaitLongest = 30 * time.Second
)

// retryPolicy says which failures are retried. The endpoints create users
// and send invites, so by default only what the server certainly did not
// process is: 429, 503 with Retry-After, a connection that never opened.
// serverErrors (WithRetryServerErrors) adds 500, 502, 503, 504, timeouts
// and connections that broke after the request was sent.
type retryPolicy struct{ serverErrors bool }

// check reports whether the attempt that produced resp or err is repeated,
// never once ctx is done. An answer not to be retried is handed back
// (false, nil) even then: a 2xx means the work was done.
func (p retryPolicy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	again := p.retryable(resp, err)
	if ctxErr := ctx.Err(); ctxErr != nil && (again || err != nil) {
		return false, ctxErr
	}
	return again, nil
}

func (p retryPolicy) retryable(resp *http.Response, err error) bool {
	if err != nil {
		return retry.NeverConnected(err) || p.serverErrors && retry.MaybeTransient(err)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return true
	case code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		return true
	case code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported:
		return p.serverErrors
	}
	return false
}

// checkRetry counts the attempt just made and says whether another is due:
// by the policy, or once after a 401 to an obtained token. An
// attempt that could not be prepared is not repeated.
func (l *callLoop) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	l.attempts++
	if l.unprepared {
		return false, err // the attempt's own error, which says what it waited for
	}
	if err == nil && resp.StatusCode == http.StatusUnauthorized && l.staleToken() {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return false, ctxErr
		}
		return true, nil
	}
	return l.c.policy.check(ctx, resp, err)
}

// staleToken marks the refused token stale and reports whether the request
// may go once more: once a call, for an obtained token only.
func (l *callLoop) staleToken() bool {
	if l.noAuth || l.refreshed {
		return false
	}
	r, ok := l.c.auth.(refresher)
	if !ok || !r.refresh(l.authed) {
		return false
	}
	l.refreshed = true
	return true
}

// backoff is the wait before retry attempt+1: none after a 401; what a
// 429 or 503 asked in Retry-After, up to longest; else an exponential wait
// from first, capped at longest, the upper half of each step random so
// that many clients spread out.
func backoff(first, longest time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			return 0
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			if d, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				return min(d, longest)
			}
		}
	}
	if first <= 0 {
		return 0
	}
	wait := first
	for i := 0; i < attempt && wait < longest; i++ {
		wait *= 2
	}
	wait = min(wait, longest)
	if half := wait / 2; half > 0 {
		return half + rand.N(half+1) //nolint:gosec // G404: jitter spreads clients out; it needs no cryptographic randomness.
	}
	return wait
}
