package onboard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file is the layer between the pipeline and net/http: the copy of the
// caller's http.Client with its redirect rule, and the transport that adds
// the credential to requests for the client's own host, bounds each
// attempt by the call's timeout, notes the server's rate-limit headers and
// logs each attempt.

// newHTTPClient copies the caller's http.Client (or makes one), wraps its
// transport in the credential and log layer, and refuses redirects that
// leave the base URL's scheme and host.
func (c *client) newHTTPClient(s *settings) *http.Client {
	var hc http.Client
	if s.httpClient != nil {
		hc = *s.httpClient
	}
	if s.httpClient == nil || s.timeoutSet {
		// The transport bounds each attempt by the call's timeout, which
		// a call may set for itself; the caller's own http.Client
		// Timeout, kept when WithTimeout is not given, applies too.
		hc.Timeout = 0
		c.timeout = s.timeout
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &transport{base: base, client: c, logger: s.logger}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !c.ownHost(req.URL) {
			// A request body holds people: it goes to no host the
			// caller did not configure, with or without a credential.
			return fmt.Errorf("refused redirect to %s://%s: requests go only to the base URL's scheme and host (%s://%s); if the service has moved, give the client its new base URL",
				req.URL.Scheme, req.URL.Host, c.base.Scheme, c.base.Host)
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
	st := stateOf(req.Context())
	if ours {
		var err error
		if req, err = t.authorize(req, st); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	cancel := context.CancelFunc(func() {})
	if st != nil && st.timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(req.Context(), st.timeout)
		req = req.WithContext(ctx)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		cancel()
		err = attemptTimedOut(req.Context(), err, st)
	} else {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		if ours && t.client.pacer != nil {
			t.client.pacer.note(resp.Header, time.Now())
		}
	}
	t.log(req, start, resp, err)
	return resp, err
}

// authorize returns req with the credential added, unless the call is
// sent without one, and notes the headers it had before and after so that
// an answer echoing the credential can be scrubbed.
func (t *transport) authorize(req *http.Request, st *callState) (*http.Request, error) {
	if st != nil && st.prepErr != nil {
		return req, st.prepErr
	}
	if st != nil && st.noAuth {
		return req, nil
	}
	authed := req.Clone(req.Context())
	if err := t.client.auth.Authenticate(authed); err != nil {
		return req, err
	}
	if st != nil {
		st.plain, st.authed = req.Header, authed.Header
	}
	return authed, nil
}

// attemptTimedOut says so when err comes from the attempt's own timeout
// rather than the caller's context.
func attemptTimedOut(attemptCtx context.Context, err error, st *callState) error {
	if st == nil || st.timeout <= 0 || !errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("the attempt took longer than its %s timeout (WithTimeout): %w", st.timeout, err)
}

// cancelOnClose ends an attempt's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// log records one attempt, if the client has a logger: method, path,
// attempt, duration and status, or the error without the URL.
func (t *transport) log(req *http.Request, start time.Time, resp *http.Response, err error) {
	if t.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("attempt", attemptOf(req.Context())),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		t.logger.LogAttrs(req.Context(), slog.LevelWarn, "onboard: request failed", append(attrs, slog.String("error", unwrapURLError(err).Error()))...)
		return
	}
	t.logger.LogAttrs(req.Context(), slog.LevelDebug, "onboard: request", append(attrs, slog.Int("status", resp.StatusCode))...)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
