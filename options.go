package onboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard/internal/pace"
)

// Defaults for the options below (the retry policy's are in retry.go).
const (
	defaultTimeout          = 30 * time.Second
	defaultMaxResponseBytes = 10 << 20
)

type settings struct {
	httpClient   *http.Client
	userAgent    string
	timeout      time.Duration
	timeoutSet   bool
	retries      int
	waitFirst    time.Duration
	waitLongest  time.Duration
	serverErrors bool
	logger       *slog.Logger
	insecureHTTP bool
	maxBody      int64
	limiter      pace.Limiter
	limiterSet   bool // WithRateLimiter was given, perhaps with nil
	noPacing     bool
}

type callSettings struct {
	response   *Response
	secrets    []string // credentials sent in the body or query (see redacting)
	retries    int
	retriesSet bool
	timeout    time.Duration
	timeoutSet bool
}

// An Option configures a client in its constructor (NewAptlyClient,
// NewAthenaClient, NewRoyaltiClient).
type Option interface {
	applyClient(s *settings) error
}

// A CallOption changes one call.
type CallOption interface {
	applyCall(cs *callSettings) error
}

// A SharedOption is an Option and a CallOption: given to a call, it
// overrides the client's setting for that call alone.
type SharedOption interface {
	Option
	CallOption
}

type clientOption func(s *settings) error

func (f clientOption) applyClient(s *settings) error { return f(s) }

type callOption func(cs *callSettings) error

func (f callOption) applyCall(cs *callSettings) error { return f(cs) }

type sharedOption struct {
	clientOption
	callOption
}

// WithHTTPClient sends through a copy of hc, keeping its transport, jar and
// redirect rules; the credential is added only for the base URL's host. hc's
// Timeout, when set, becomes the attempt timeout.
func WithHTTPClient(hc *http.Client) Option {
	return clientOption(func(s *settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: client is nil")
		}
		s.httpClient = hc
		return nil
	})
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(ua string) Option {
	return clientOption(func(s *settings) error { s.userAgent = ua; return nil })
}

// WithTimeout limits each attempt, from sending to the end of the body
// (after pacing and the token), even if ctx ends once the status came.
// Zero means no limit beyond the context's; the default is 30 s.
func WithTimeout(d time.Duration) SharedOption {
	check := func() error {
		if d < 0 {
			return fmt.Errorf("WithTimeout: %s is negative", d)
		}
		return nil
	}
	return sharedOption{
		clientOption(func(s *settings) error { s.timeout, s.timeoutSet = d, true; return check() }),
		callOption(func(cs *callSettings) error { cs.timeout, cs.timeoutSet = d, true; return check() }),
	}
}

// WithRetry sets how many times a failed attempt may be repeated (0 turns
// retries off; the default is 2), a resend after a refused token included.
func WithRetry(maxRetries int) SharedOption {
	check := func() error {
		if maxRetries < 0 {
			return fmt.Errorf("WithRetry: %d is negative", maxRetries)
		}
		return nil
	}
	return sharedOption{
		clientOption(func(s *settings) error { s.retries = maxRetries; return check() }),
		callOption(func(cs *callSettings) error { cs.retries, cs.retriesSet = maxRetries, true; return check() }),
	}
}

// WithRetryServerErrors also retries failures after which the server may
// have done the work: 500, 502, 504, 503 without Retry-After, timeouts and
// broken connections. By default only 429, 503 with Retry-After and
// connections that never opened are retried, since a repeated create or
// invite can reach a person twice.
func WithRetryServerErrors() Option {
	return clientOption(func(s *settings) error { s.serverErrors = true; return nil })
}

// WithLogger logs each attempt (method, path, status, attempt, duration) at
// debug level, failures at warn; never headers, bodies, queries,
// credentials or emails.
func WithLogger(l *slog.Logger) Option {
	return clientOption(func(s *settings) error { s.logger = l; return nil })
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not
// loopback; credentials then cross the network unencrypted.
func WithInsecureHTTP() Option {
	return clientOption(func(s *settings) error { s.insecureHTTP = true; return nil })
}

// athenaRequestInterval is AthenaClient's pace (see its doc).
const athenaRequestInterval = 1100 * time.Millisecond

// WithRateLimiter makes every attempt wait for l (a *rate.Limiter, or any
// limiter shared between processes), in place of the client's own pacing;
// nil means none. Share one limiter between clients that spend one quota.
// With burst 1, interval d lets floor(60s/d)+1 requests into a minute, so
// rate.Every(time.Second) meets a 429.
func WithRateLimiter(l interface {
	Wait(ctx context.Context) error
}) Option {
	if rl, ok := l.(*rate.Limiter); ok && rl == nil {
		l = nil
	}
	return clientOption(func(s *settings) error { s.limiter, s.limiterSet, s.noPacing = l, true, false; return nil })
}

// WithoutPacing turns pacing off: no limiter, and no pause when
// x-rate-limit-remaining reaches zero. Of it and WithRateLimiter, the last
// given applies.
func WithoutPacing() Option {
	return clientOption(func(s *settings) error { s.limiter, s.limiterSet, s.noPacing = nil, true, true; return nil })
}

// redacting declares a secret the call sends in its body or query, to be
// scrubbed from any error and answer.
func redacting(secret string) CallOption {
	return callOption(func(cs *callSettings) error { cs.secrets = append(cs.secrets, secret); return nil })
}

// WithResponse fills r with the metadata of the call's last response, on
// failure too; a list fills it with each page's in turn.
func WithResponse(r *Response) CallOption {
	return callOption(func(cs *callSettings) error { cs.response = r; return nil })
}

// newCallSettings applies a call's options; an invalid one is an error.
func newCallSettings(op string, opts []CallOption) (callSettings, error) {
	var cs callSettings
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyCall(&cs); err != nil {
			return cs, fmt.Errorf("onboard: %s: %w", op, err)
		}
	}
	return cs, nil
}
