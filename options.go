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
	DefaultRetries          = 2
	DefaultRetryWaitMin     = 500 * time.Millisecond //nolint:revive // time-naming: Min is minimum, as in go-retryablehttp's RetryWaitMin, not minutes.
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 10 << 20
)

// settings gathers the options before the client is built.
type settings struct {
	httpClient   *http.Client
	userAgent    string
	timeout      time.Duration
	timeoutSet   bool
	retries      int
	waitMin      time.Duration
	waitMax      time.Duration
	serverErrors bool
	logger       *slog.Logger
	insecureHTTP bool
	maxBody      int64
	limiter      *rate.Limiter
}

// An Option configures a Client in NewClient.
type Option func(*settings) error

// WithHTTPClient makes the client send through a copy of hc, keeping its
// transport, jar, timeout and redirect rules. The client wraps hc's
// transport in a layer that adds the credential, and only to requests for
// the base URL's host.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: client is nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { s.userAgent = ua; return nil }
}

// WithTimeout limits each attempt, from sending to the end of the body.
// Obtaining the credential (an AptlyAccessKey exchange, a BearerTokenFunc)
// and the rate limiter's wait come before the attempt and are not counted.
// Zero means no limit beyond the context's. The default is DefaultTimeout,
// or the Timeout of the client given to WithHTTPClient.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("WithTimeout: %s is negative", d)
		}
		s.timeout, s.timeoutSet = d, true
		return nil
	}
}

// WithRetry sets how many times a failed attempt may be repeated (0 turns
// retries off): a call makes at most maxRetries+1 attempts in all, a resend
// after a refused AptlyAccessKey token included. What is retried is
// described at WithRetryServerErrors.
func WithRetry(maxRetries int) Option {
	return func(s *settings) error {
		if maxRetries < 0 {
			return fmt.Errorf("WithRetry: %d is negative", maxRetries)
		}
		s.retries = maxRetries
		return nil
	}
}

// WithRetryWait sets the first back-off and the longest wait between
// attempts. The longest wait also caps a server's Retry-After.
func WithRetryWait(first, longest time.Duration) Option {
	return func(s *settings) error {
		if first < 0 || longest < first {
			return fmt.Errorf("WithRetryWait: want 0 <= first <= longest, got %s and %s", first, longest)
		}
		s.waitMin, s.waitMax = first, longest
		return nil
	}
}

// WithRetryServerErrors also retries failures after which the server may
// have done the work: 500, 502, 504, 503 without Retry-After, timeouts and
// connections that broke after the request was sent. By default only what
// the server certainly did not process is retried (429; 503 with
// Retry-After; a connection that never opened), since a repeated create or
// invite can reach a person twice.
func WithRetryServerErrors() Option {
	return func(s *settings) error { s.serverErrors = true; return nil }
}

// WithLogger makes the client log each attempt (method, path, status,
// attempt number, duration) at debug level, and failed attempts at warn. Headers, bodies, query values,
// credentials and emails are never logged. Without it the client is silent.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.logger = l; return nil }
}

// WithInsecureHTTP allows a plain http:// base URL on a host that is not
// loopback, and redirects from https to http. Credentials then cross the
// network unencrypted; use it only on a network you trust.
func WithInsecureHTTP() Option {
	return func(s *settings) error { s.insecureHTTP = true; return nil }
}

// WithMaxResponseBytes caps how much of a response body is read. A success
// body past the cap is an error; an error body is cut. The default is
// DefaultMaxResponseBytes.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not positive", n)
		}
		s.maxBody = n
		return nil
	}
}

// AthenaHQRequestInterval spaces requests so that they keep within
// AthenaHQ's documented 60 requests a minute, with a margin; see
// WithRateLimiter.
const AthenaHQRequestInterval = 1100 * time.Millisecond

// WithRateLimiter makes every attempt wait for l before it is sent, retries
// included. Share one limiter between clients that spend one quota.
//
// For AthenaHQ's 60 requests a minute, use
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
	return func(s *settings) error { s.limiter = l; return nil }
}

// A CallOption changes one call.
type CallOption func(*callSettings)

type callSettings struct {
	response *Response
	secrets  []string // credentials sent in the body or query (see redacting)
}

// redacting declares a secret the call sends in its body or query rather
// than a header (the Aptly access key): it is scrubbed from any error, and
// the request is never redirected to a host other than the base URL's.
func redacting(secret string) CallOption {
	return func(cs *callSettings) { cs.secrets = append(cs.secrets, secret) }
}

// WithResponse fills r with the metadata of the call's last response: status,
// headers, request id, rate-limit headers and, for Aptly, the envelope. r is
// filled on failure too, whenever a response arrived.
func WithResponse(r *Response) CallOption {
	return func(cs *callSettings) { cs.response = r }
}
