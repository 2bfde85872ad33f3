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

// The lowest layer of the request loop: redirects, pacing, credentials,
// the attempt's timeout, rate-limit headers and logging.

// newHTTPClient copies the caller's http.Client as each call's template,
// refusing redirects that leave the base URL's scheme and host.
func (c *client) newHTTPClient(s *settings) http.Client {
	var hc http.Client
	if s.httpClient != nil {
		hc = *s.httpClient
	}
	// The caller's Timeout would count pacing and the credential; it becomes
	// the attempt timeout instead, unless WithTimeout is given.
	c.timeout = s.timeout
	if s.httpClient != nil && !s.timeoutSet && hc.Timeout > 0 {
		c.timeout = hc.Timeout
	}
	hc.Timeout = 0
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
	}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !c.ownHost(req.URL) {
			// A request body holds people: it goes to no other host.
			return fmt.Errorf("refused redirect to %s://%s: requests go only to the base URL's scheme and host (%s://%s); if the service has moved, give the client its new base URL",
				req.URL.Scheme, req.URL.Host, c.base.Scheme, c.base.Host)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return hc
}

// ownHost reports whether u has the base URL's scheme and host (with port).
func (c *client) ownHost(u *url.URL) bool {
	return u.Scheme == c.base.Scheme && strings.EqualFold(u.Host, c.base.Host)
}

// RoundTrip waits for pacing, takes the credential, and only then starts
// the attempt's timeout. Once the status has arrived, the body is read to
// the end whatever the caller's context.
func (l *callLoop) RoundTrip(req *http.Request) (*http.Response, error) {
	ours := l.c.ownHost(req.URL)
	if ours {
		var err error
		if req, err = l.prepare(req); err != nil {
			closeBody(req)
			l.unprepared = true
			return nil, err
		}
	}
	ctx := req.Context() // the caller's
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err // over before the attempt began: nothing is sent
	}
	cancel := context.CancelFunc(func() {})
	stop := func() bool { return true }
	if l.timeout > 0 {
		var attempt context.Context
		attempt, cancel = context.WithTimeout(context.WithoutCancel(ctx), l.timeout)
		stop = context.AfterFunc(ctx, cancel)
		req = req.WithContext(attempt)
	}
	start := time.Now()
	resp, err := l.c.httpClient.Transport.RoundTrip(req)
	arrived := stop()
	if err != nil {
		cancel()
		if !arrived && ctx.Err() != nil {
			err = ctx.Err() // the caller's context ended the attempt
		} else {
			err = attemptTimedOut(req.Context(), err, l.timeout)
		}
	} else {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, ctx: req.Context(), timeout: l.timeout}
		if ours && l.c.pacer != nil {
			l.c.pacer.Note(resp.Header, time.Now())
		}
	}
	l.log(req, start, resp, err)
	return resp, err
}

// prepare waits for pacing and returns req with the credential, noting the
// headers before and after for scrubbing.
func (l *callLoop) prepare(req *http.Request) (*http.Request, error) {
	if p := l.c.pacer; p != nil {
		if err := p.Wait(req.Context()); err != nil {
			return req, fmt.Errorf("waiting for the client's pacing (rate limiter): %w", err)
		}
	}
	if l.noAuth {
		return req, nil
	}
	// A RoundTripper leaves req as it came.
	authed := req.WithContext(req.Context())
	authed.Header = req.Header.Clone()
	if authed.Header == nil {
		authed.Header = http.Header{}
	}
	if err := l.c.auth.Authenticate(authed); err != nil {
		return req, err
	}
	l.plain, l.authed = req.Header, authed.Header
	return authed, nil
}

// attemptTimedOut says so when err comes from the attempt's own timeout
// rather than the caller's context.
func attemptTimedOut(attemptCtx context.Context, err error, timeout time.Duration) error {
	if timeout <= 0 || !errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("the attempt took longer than its %s timeout (WithTimeout): %w", timeout, err)
}

// cancelOnClose ends an attempt's context when its body is closed, and says
// so when reading the body outlasted the attempt's timeout.
type cancelOnClose struct {
	io.ReadCloser
	cancel  context.CancelFunc
	ctx     context.Context // the attempt's
	timeout time.Duration
}

func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = attemptTimedOut(b.ctx, err, b.timeout)
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// log records one attempt, if the client has a logger: method, path,
// attempt, duration and status, or the error without the URL.
func (l *callLoop) log(req *http.Request, start time.Time, resp *http.Response, err error) {
	logger := l.c.logger
	if logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("attempt", l.attempts+1), // checkRetry counts it after this
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		logger.LogAttrs(req.Context(), slog.LevelWarn, "onboard: request failed", append(attrs, slog.String("error", unwrapURLError(err).Error()))...)
		return
	}
	logger.LogAttrs(req.Context(), slog.LevelDebug, "onboard: request", append(attrs, slog.Int("status", resp.StatusCode))...)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
