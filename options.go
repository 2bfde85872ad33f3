package onboard

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Defaults for the options below.
const (
	// DefaultRetries is how many times a failed attempt is repeated.
	DefaultRetries = 2
	// DefaultRetryWaitFirst and DefaultRetryWaitLongest are the first
	// back-off and the longest wait between attempts (WithRetryWait).
	DefaultRetryWaitFirst   = 500 * time.Millisecond
	DefaultRetryWaitLongest = 30 * time.Second
	// DefaultTimeout limits each attempt (WithTimeout).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxResponseBytes caps a response body (WithMaxResponseBytes).
	DefaultMaxResponseBytes = 10 << 20
)

// settings gathers the options before the client is built.
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
	limiter      *rate.Limiter
	limiterSet   bool // WithRateLimiter was given, perhaps with nil
	noPacing     bool
}

// callSettings gathers the options of one call.
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

// A CallOption changes one call. Options that make sense per call, such as
// WithRetry and WithTimeout, are both an Option and a CallOption: given to a
// call, they override the client's setting for that call alone.
type CallOption interface {
	applyCall(cs *callSettings) error
}

// A SharedOption is an Option and a CallOption at once: given to a
// constructor it sets the client's default, given to a call it applies to
// that call.
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

// WithHTTPClient makes the client send through a copy of hc, keeping its
// transport, jar and redirect rules. The client wraps hc's transport in a
// layer that adds the credential, and only to requests for the base URL's
// host; a redirect to another scheme or host is refused whatever hc's
// rules. hc's Timeout, when set, becomes the attempt timeout (see
// WithTimeout); without one, the attempt timeout is DefaultTimeout.
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

// WithTimeout limits each attempt, from sending to the end of the body.
// The rate limiter's wait and obtaining the credential (an AptlyAccessKey
// exchange, a BearerTokenFunc) come before the attempt and are not
// counted. An answer whose status has arrived is read to the end within
// this limit even if the call's context is cancelled meanwhile, since the
// server has done the work. Zero means no limit beyond the context's. The
// default is DefaultTimeout, or the Timeout of the client given to
// WithHTTPClient when it has one. Given to one call, it sets that call's
// limit: a signup hook that must answer in two seconds passes
// WithTimeout(2*time.Second), WithRetry(0) to its call, and a context with
// a two-second deadline, the only bound on the whole call (a slow key
// exchange included).
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
// retries off): a call makes at most maxRetries+1 attempts in all, a resend
// after a refused AptlyAccessKey token included. What is retried is
// described at WithRetryServerErrors. Given to one call, it sets that
// call's retries.
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

// WithRetryWait sets the first back-off and the longest wait between
// attempts. The longest wait also caps a server's Retry-After.
func WithRetryWait(first, longest time.Duration) Option {
	return clientOption(func(s *settings) error {
		if first < 0 || longest < first {
			return fmt.Errorf("WithRetryWait: want 0 <= first <= longest, got %s and %s", first, longest)
		}
		s.waitFirst, s.waitLongest = first, longest
		return nil
	})
}

// WithRetryServerErrors also retries failures after which the server may
// have done the work: 500, 502, 504, 503 without Retry-After, timeouts and
// connections that broke after the request was sent. By default only what
// the server certainly did not process is retried (429; 503 with
// Retry-After; a connection that never opened), since a repeated create or
// invite can reach a person twice.
func WithRetryServerErrors() Option {
	return clientOption(func(s *settings) error { s.serverErrors = true; return nil })
}

// WithLogger makes the client log each attempt (method, path, status,
// attempt number, duration) at debug level, and failed attempts at warn.
// Headers, bodies, query values, credentials and emails are never logged.
// Without it the client is silent.
func WithLogger(l *slog.Logger) Option {
	return clientOption(func(s *settings) error { s.logger = l; return nil })
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not
// loopback. Credentials then cross the network unencrypted; use it only on
// a network you trust. A redirect from https to http is refused all the
// same: no request leaves the base URL's scheme and host.
func WithInsecureHTTP() Option {
	return clientOption(func(s *settings) error { s.insecureHTTP = true; return nil })
}

// WithMaxResponseBytes caps how much of a response body is read. A success
// body past the cap is an error; an error body is cut. The default is
// DefaultMaxResponseBytes.
func WithMaxResponseBytes(n int64) Option {
	return clientOption(func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not positive", n)
		}
		s.maxBody = n
		return nil
	})
}

// AthenaHQRequestInterval spaces requests so that they keep within
// AthenaHQ's documented 60 requests a minute, with a margin: it is the
// interval of the limiter an AthenaClient paces itself with by default.
// See WithRateLimiter.
const AthenaHQRequestInterval = 1100 * time.Millisecond

// WithRateLimiter makes every attempt wait for l before it is sent, retries
// included, in place of the client's own pacing; nil means no limiter.
// Share one limiter between clients that spend one quota. An AthenaClient
// paces itself by default with
//
//	rate.NewLimiter(rate.Every(onboard.AthenaHQRequestInterval), 1)
//
// A limiter with interval d and burst 1 lets floor(60s/d)+1 requests into
// any 60-second window: one at the window's start, then one every d. So
// rate.Every(time.Second) lets 61 in, one over the quota, and a long run
// meets a 429. AthenaHQRequestInterval, 1.1 s, lets floor(54.5)+1 = 55 in.
// The margin is for the network: requests whose delays on the way differ
// by up to J can land in one server-side window when sent up to 60s+J
// apart, and floor((60s+J)/1.1s)+1 stays at most 60 while J is under 6 s.
func WithRateLimiter(l *rate.Limiter) Option {
	return clientOption(func(s *settings) error { s.limiter, s.limiterSet, s.noPacing = l, true, false; return nil })
}

// WithoutPacing turns the client's pacing off: no limiter, and no pause
// when the server's x-rate-limit-remaining header reaches zero. Use it when
// something outside the client already spaces its requests, and in tests
// against onboardtest's fake, which an AthenaHQ client otherwise calls at
// most once every AthenaHQRequestInterval (1.1 s). Of
// WithoutPacing and WithRateLimiter, the one given last applies.
func WithoutPacing() Option {
	return clientOption(func(s *settings) error { s.limiter, s.limiterSet, s.noPacing = nil, true, true; return nil })
}

// redacting declares a secret the call sends in its body or query rather
// than a header (the Aptly access key): it is scrubbed from any error and
// answer.
func redacting(secret string) CallOption {
	return callOption(func(cs *callSettings) error { cs.secrets = append(cs.secrets, secret); return nil })
}

// WithResponse fills r with the metadata of the call's last response: status,
// headers, request id, rate-limit headers and, for Aptly, the envelope. r is
// filled on failure too, whenever a response arrived.
func WithResponse(r *Response) CallOption {
	return callOption(func(cs *callSettings) error { cs.response = r; return nil })
}

// newCallSettings applies a call's options; an invalid one is an error
// that names the call, returned before anything is sent.
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
