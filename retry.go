package onboard

import (
	"context"
	"net/http"
	"time"

	"github.com/onboardkit/onboard/internal/retry"
)

// The retry policy of every call: go-retryablehttp's CheckRetry and Backoff,
// over internal/retry's rules, plus one resend after a 401.

// checkRetry counts the attempt just made and says whether another is due:
// internal/retry's policy, or once after a 401 to an obtained token. An
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
	return l.c.policy.Check(ctx, resp, err)
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

// backoff is the wait before retry attempt+1: none after a 401, else
// internal/retry's, honouring Retry-After up to longest.
func backoff(first, longest time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		return 0
	}
	return retry.Backoff(first, longest, attempt, resp)
}
