package onboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// This file is the layer between the pipeline and net/http: the copy of the
// caller's http.Client with its redirect rules, the transport that adds the
// credential to requests for the client's own host and logs each attempt,
// and the per-call state the retry hooks share with it: the attempt count
// and budget, and the credential obtained before each attempt.

// newHTTPClient copies the caller's http.Client (or makes one), wraps its
// transport in the credential and log layer, and guards its redirects.
func (c *client) newHTTPClient(s *settings) *http.Client {
	var hc http.Client
	if s.httpClient != nil {
		hc = *s.httpClient
	}
	if s.httpClient == nil || s.timeoutSet {
		hc.Timeout = s.timeout
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &transport{base: base, client: c, logger: s.logger}
	next := hc.CheckRedirect
	insecure := s.insecureHTTP
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" && !insecure {
			return fmt.Errorf("refused redirect from https to %s://%s", req.URL.Scheme, req.URL.Host)
		}
		if st := stateOf(req.Context()); st != nil && len(st.secrets) > 0 && !c.ownHost(req.URL) {
			return fmt.Errorf("refused redirect to %s://%s: the request carries a credential in its body or query, so it goes only to the base URL's host", req.URL.Scheme, req.URL.Host)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &hc
}

// ownHost reports whether u has the base URL's scheme and host (with port).
func (c *client) ownHost(u *url.URL) bool {
	return u.Scheme == c.base.Scheme && strings.EqualFold(u.Host, c.base.Host)
}

// transport adds the credential to requests for the client's own host and
// logs each attempt.
type transport struct {
	base   http.RoundTripper
	client *client
	logger *slog.Logger
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ours := t.client.ownHost(req.URL)
	if ours {
		st := stateOf(req.Context())
		if st != nil && st.prepErr != nil {
			closeBody(req)
			return nil, st.prepErr
		}
		if st == nil || !st.noAuth {
			authed := req.Clone(req.Context())
			if err := t.client.auth.Authenticate(authed); err != nil {
				closeBody(req)
				return nil, err
			}
			if st != nil {
				st.plain, st.authed = req.Header, authed.Header
			}
			req = authed
		}
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if t.logger != nil {
		attrs := []slog.Attr{
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.Int("attempt", attemptOf(req.Context())),
			slog.Duration("duration", time.Since(start)),
		}
		if !ours {
			attrs = append(attrs, slog.String("host", req.URL.Host), slog.Bool("redirect", true))
		}
		if err != nil {
			t.logger.LogAttrs(req.Context(), slog.LevelWarn, "onboard: request failed", append(attrs, slog.String("error", unwrapURLError(err).Error()))...)
		} else {
			t.logger.LogAttrs(req.Context(), slog.LevelDebug, "onboard: request", append(attrs, slog.Int("status", resp.StatusCode))...)
		}
	}
	return resp, err
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// callState travels in the request context through retryablehttp, so the
// transport, the redirect check and the retry hooks know which attempt this
// is, how many the call may make, and what was prepared for it.
type callState struct {
	attempt int
	earlier int // attempts made by an earlier round (before a 401 refresh)
	budget  int // attempts the call may make in all, a 401 refresh included
	// prepErr is why the attempt could not be prepared (the rate limiter's
	// wait or the credential failed); the transport then sends nothing.
	prepErr error
	// bearer is the token obtained before the attempt, when obtained is set.
	bearer   string
	obtained bool
	// plain and authed are the headers of the last attempt before and
	// after the Authenticator ran, so that an error built from a server's
	// answer can be scrubbed of whatever credential the server echoed.
	plain, authed http.Header
	// noAuth sends the call without the Authenticator.
	noAuth bool
	// secrets are credentials the request carries in its body or query:
	// they are scrubbed from the answer, and such a request is never
	// redirected to another host.
	secrets []string
}

type callStateKey struct{}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

// beforeAttempt runs before each attempt is handed to the http.Client: it
// counts the attempt, obtains the credential when the Authenticator has to
// (an access-key exchange, a token func), and waits for the rate limiter.
// Doing this here, with the caller's context, keeps it out of the attempt's
// timeout (which the http.Client sets as a deadline on the request); a
// failure is left for the transport, which then sends nothing.
func (c *client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	st := stateOf(req.Context())
	if st == nil {
		return
	}
	st.attempt, st.prepErr, st.obtained = st.earlier+attempt+1, nil, false
	if o, ok := c.auth.(obtainer); ok && !st.noAuth {
		tok, err := o.obtain(req.Context())
		if err != nil {
			st.prepErr = err
			return
		}
		st.bearer, st.obtained = tok, true
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(req.Context()); err != nil {
			st.prepErr = fmt.Errorf("waiting for the rate limiter: %w", err)
		}
	}
}

// checkRetry is the retry policy, held to the call's attempt budget: a call
// makes at most its budget of attempts in all, a resend after a 401
// included. An attempt that could not be prepared is not repeated: the
// exchange or token func behind it has had its own retries.
func (c *client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateOf(ctx)
	if st != nil && st.prepErr != nil {
		return false, err // the attempt's own error, which says what it waited for
	}
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
