package onboard

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// How a call's attempts are made. go-retryablehttp runs the attempts; the
// client gives it three hooks, all here, and shares a callState with them
// and with the transport through the request's context:
//
//   - beforeAttempt (its RequestLogHook) runs before each attempt and
//     counts it. The transport's RoundTrip then waits for the client's
//     pacing (rate limiter, server's rate-limit headers), takes the
//     credential (an AptlyAccessKey exchange, a BearerTokenFunc), and only
//     then starts the attempt's timeout.
//   - checkRetry (its CheckRetry) applies the retry policy of
//     internal/retry, held to the call's attempt budget: WithRetry(n)+1
//     attempts in all.
//   - send wraps its Do with the 401 rule: a token the Authenticator
//     obtained that the server refuses is dropped, and the request goes
//     once more with a fresh one if the budget allows.
//
// Back-off between attempts is internal/retry's Backoff, which honours
// Retry-After up to the longest wait.

// callState travels in the request context through retryablehttp, so the
// transport, the redirect check and the retry hooks know which attempt this
// is, how many the call may make, and what was prepared for it.
type callState struct {
	attempt int
	earlier int // attempts made by an earlier round (before a 401 refresh)
	budget  int // attempts the call may make in all, a 401 refresh included
	// timeout bounds each attempt, from sending to the end of the body;
	// 0 for none.
	timeout time.Duration
	// plain and authed are the headers of the last attempt before and
	// after the Authenticator ran, so that an error built from a server's
	// answer can be scrubbed of whatever credential the server echoed.
	plain, authed http.Header
	// noAuth sends the call without the Authenticator.
	noAuth bool
	// secrets are credentials the request carries in its body or query:
	// they are scrubbed from the answer.
	secrets []string
}

type callStateKey struct{}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

// beforeAttempt runs before each attempt is handed to the http.Client and
// counts it.
func (c *client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if st := stateOf(req.Context()); st != nil {
		st.attempt = st.earlier + attempt + 1
	}
}

// checkRetry is the retry policy, held to the call's attempt budget: a call
// makes at most its budget of attempts in all, a resend after a 401
// included. An attempt that could not be prepared is not repeated: the
// exchange or token func behind it has had its own retries.
func (c *client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	var prep *prepError
	if errors.As(err, &prep) {
		return false, err // the attempt's own error, which says what it waited for
	}
	st := stateOf(ctx)
	retry, checkErr := c.policy.Check(ctx, resp, err)
	if st == nil || st.attempt >= st.budget {
		return false, checkErr
	}
	return retry, checkErr
}

func attemptOf(ctx context.Context) int {
	if st := stateOf(ctx); st != nil {
		return st.attempt
	}
	return 0
}

// send sends req with retries. A 401 to a request whose token the
// Authenticator obtained (an exchanged Aptly access key) marks that token
// stale; if the call has an attempt left, the request goes once more with
// a fresh one, since a 401 means it was not done.
func (c *client) send(req *retryablehttp.Request, st *callState) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || st.noAuth {
		return resp, err
	}
	r, ok := c.auth.(refresher)
	if !ok || !r.refresh(st.authed) || st.attempt >= st.budget {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	st.earlier = st.attempt
	return c.http.Do(req)
}

// callLimit is the longest one call of the client may take: every attempt
// to its timeout (DefaultTimeout when there is none) and the longest wait
// between each two.
func (c *client) callLimit() time.Duration {
	timeout := c.timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	n := time.Duration(c.retries)
	return (n+1)*timeout + n*c.http.RetryWaitMax
}
