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
// and the per-call state the retry hooks share with it.

// newHTTPClient copies the caller's http.Client (or makes one), wraps its
// transport in the credential and log layer, and guards its redirects.
func (c *Client) newHTTPClient(s *settings) *http.Client {
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
func (c *Client) ownHost(u *url.URL) bool {
	return u.Scheme == c.base.Scheme && strings.EqualFold(u.Host, c.base.Host)
}

// transport adds the credential to requests for the client's own host and
// logs each attempt.
type transport struct {
	base   http.RoundTripper
	client *Client
	logger *slog.Logger
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ours := t.client.ownHost(req.URL)
	if ours {
		st := stateOf(req.Context())
		if st != nil && st.limitErr != nil {
			closeBody(req)
			return nil, st.limitErr
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
// transport and the pipeline know which attempt this is, and whether its
// wait for the rate limiter failed.
type callState struct {
	attempt  int
	earlier  int // attempts made by an earlier round (before a 401 refresh)
	limitErr error
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
// counts the attempt and waits for the rate limiter. Waiting here, with the
// caller's context, keeps the wait out of the attempt's timeout (which the
// http.Client sets as a deadline on the request); a failed wait is left for
// the transport, which then sends nothing.
func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	st := stateOf(req.Context())
	if st == nil {
		return
	}
	st.attempt, st.limitErr = st.earlier+attempt+1, nil
	if c.limiter != nil {
		if err := c.limiter.Wait(req.Context()); err != nil {
			st.limitErr = fmt.Errorf("waiting for the rate limiter: %w", err)
		}
	}
}

func attemptOf(ctx context.Context) int {
	if st := stateOf(ctx); st != nil {
		return st.attempt
	}
	return 0
}
