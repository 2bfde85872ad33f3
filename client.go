package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard/internal/errbody"
	"github.com/onboardkit/onboard/internal/retry"
)

// Version is the version of this SDK, sent in the default User-Agent.
const Version = "0.1.0"

// Base URLs of the services. A Client talks to one of them.
const (
	// AptlyStagingURL is Aptly's US staging API, the host of its documents.
	AptlyStagingURL = "https://staging.api.us.aptlydone.com/auth"
	// AptlyUSURL is Aptly's US production API.
	AptlyUSURL = "https://api.us.aptlydone.com/auth"
	// AptlyEUURL is Aptly's EU production API.
	AptlyEUURL = "https://api.eu.aptlydone.com/auth"
	// AthenaHQURL is AthenaHQ's API.
	AthenaHQURL = "https://api.athenahq.ai"
	// RoyaltiURL is Royalti's production API.
	RoyaltiURL = "https://api.royalti.io"
	// RoyaltiAppspotURL is the Royalti server its API documents show.
	RoyaltiAppspotURL = "https://server26-dot-royalti-project.uc.r.appspot.com"
)

// Defaults for the options below.
const (
	DefaultRetries          = 2
	DefaultRetryWaitMin     = 500 * time.Millisecond
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 10 << 20
)

// A Client calls one service's API with one credential. It is safe for
// concurrent use; make one per service and reuse it.
type Client struct {
	// Users creates users (Aptly, Royalti).
	Users *UsersService
	// Invites sends invites (Aptly, AthenaHQ, Royalti).
	Invites *InvitesService

	base      *url.URL
	auth      Authenticator
	http      *retryablehttp.Client
	userAgent string
	logger    *slog.Logger
	maxBody   int64
	limiter   *rate.Limiter
}

type service struct{ client *Client }

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
// transport, jar and redirect rules. Credentials are added below hc's
// transport, only for the base URL's host.
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
// retries off). What is retried is described at WithRetryServerErrors.
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
// attempt, duration) and each retry. Headers, bodies, query values,
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

// WithRateLimiter makes every attempt wait for l before it is sent. Share one
// limiter between clients that spend one quota; AthenaHQ's 60 requests a
// minute is rate.NewLimiter(rate.Every(time.Second), 1).
func WithRateLimiter(l *rate.Limiter) Option {
	return func(s *settings) error { s.limiter = l; return nil }
}

// NewClient returns a client for the API at baseURL (one of the URL
// constants, or a test server's URL) that authenticates with auth. It makes
// no network call and reads no environment. An http:// baseURL is refused
// unless its host is loopback or WithInsecureHTTP is given.
func NewClient(baseURL string, auth Authenticator, opts ...Option) (*Client, error) {
	s := settings{
		userAgent: "onboard-go/" + Version,
		timeout:   DefaultTimeout,
		retries:   DefaultRetries,
		waitMin:   DefaultRetryWaitMin,
		waitMax:   DefaultRetryWaitMax,
		maxBody:   DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, fmt.Errorf("onboard: NewClient: %w", err)
		}
	}
	if auth == nil {
		return nil, errors.New("onboard: NewClient: no Authenticator; pass BearerToken, APIKey, BasicAuth or BearerTokenFunc")
	}
	base, err := parseBaseURL(baseURL, s.insecureHTTP)
	if err != nil {
		return nil, err
	}

	c := &Client{
		base:      base,
		auth:      auth,
		userAgent: s.userAgent,
		logger:    s.logger,
		maxBody:   s.maxBody,
		limiter:   s.limiter,
	}
	c.http = &retryablehttp.Client{
		HTTPClient:   c.newHTTPClient(&s),
		Logger:       nil, // the library is silent unless WithLogger is given
		RetryWaitMin: s.waitMin,
		RetryWaitMax: s.waitMax,
		RetryMax:     s.retries,
		CheckRetry:   retry.Policy{ServerErrors: s.serverErrors}.Check,
		Backoff:      retry.Backoff,
		// Hand back the last response, so the caller gets the server's
		// body in an *APIError rather than a bare "giving up" message.
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: countAttempt,
	}
	c.Users = &UsersService{client: c}
	c.Invites = &InvitesService{client: c}
	return c, nil
}

func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("onboard: NewClient: base URL %q: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("onboard: NewClient: base URL %q must be absolute http(s), such as %s", raw, AptlyStagingURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("onboard: NewClient: base URL must not carry credentials, a query or a fragment; pass credentials as an Authenticator")
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("onboard: NewClient: base URL %q is plain http on a host that is not loopback; use https, or WithInsecureHTTP if you must", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes the client without its credential.
func (c *Client) String() string {
	return fmt.Sprintf("onboard.Client{base: %s, auth: %v}", c.base.Redacted(), c.auth)
}

// GoString is String, so that %#v shows no secret either.
func (c *Client) GoString() string { return c.String() }

// newHTTPClient copies the caller's http.Client (or makes one) and puts the
// credential, rate limit and log layer under its transport.
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
	hc.Transport = &transport{
		base:    base,
		auth:    c.auth,
		scheme:  c.base.Scheme,
		host:    strings.ToLower(c.base.Host),
		limiter: s.limiter,
		logger:  s.logger,
	}
	next := hc.CheckRedirect
	insecure := s.insecureHTTP
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" && !insecure {
			return fmt.Errorf("refused redirect from https to %s://%s", req.URL.Scheme, req.URL.Host)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &hc
}

// transport adds the credential to requests for the client's own host, waits
// for the rate limiter, and logs each attempt.
type transport struct {
	base         http.RoundTripper
	auth         Authenticator
	scheme, host string
	limiter      *rate.Limiter
	logger       *slog.Logger
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ours := req.URL.Scheme == t.scheme && strings.EqualFold(req.URL.Host, t.host)
	if ours {
		if t.limiter != nil {
			if err := t.limiter.Wait(req.Context()); err != nil {
				closeBody(req)
				return nil, fmt.Errorf("waiting for the rate limiter: %w", err)
			}
		}
		authed := req.Clone(req.Context())
		if err := t.auth.Authenticate(authed); err != nil {
			closeBody(req)
			return nil, err
		}
		req = authed
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
			t.logger.LogAttrs(req.Context(), slog.LevelWarn, "onboard: request failed", append(attrs, slog.String("error", errText(err)))...)
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

// errText is the text of a transport error without any URL in it.
func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// callState travels in the request context through retryablehttp, so the
// transport and the pipeline know which attempt this is.
type callState struct{ attempt int }

type callStateKey struct{}

func countAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if st, ok := req.Context().Value(callStateKey{}).(*callState); ok {
		st.attempt = attempt + 1
	}
}

func attemptOf(ctx context.Context) int {
	if st, ok := ctx.Value(callStateKey{}).(*callState); ok {
		return st.attempt
	}
	return 0
}

// A CallOption changes one call.
type CallOption func(*callSettings)

type callSettings struct {
	response *Response
}

// WithResponse fills r with the metadata of the call's last response: status,
// headers, request id, rate-limit headers and, for Aptly, the envelope. r is
// filled on failure too, whenever a response arrived.
func WithResponse(r *Response) CallOption {
	return func(cs *callSettings) { cs.response = r }
}

// endpoint describes one documented API call.
type endpoint struct {
	op       string // the method's name, for errors: "Users.Create"
	method   string
	path     string // relative to the base URL's path
	envelope bool   // the body is {statusCode, timestamp, message, data}
}

// call is the one request pipeline: build the URL and body, send with
// retries, check the status, read the body through the size cap, unwrap the
// envelope and decode into out.
func (c *Client) call(ctx context.Context, ep endpoint, params, body, out any, opts []CallOption) error {
	var cs callSettings
	for _, o := range opts {
		if o != nil {
			o(&cs)
		}
	}
	u := c.base.JoinPath(ep.path)
	if params != nil {
		v, err := query.Values(params)
		if err != nil {
			return fmt.Errorf("onboard: %s: encoding query: %w", ep.op, err)
		}
		u.RawQuery = v.Encode()
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("onboard: %s: encoding body: %w", ep.op, err)
	}
	state := &callState{}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, state), ep.method, u.String(), payload)
	if err != nil {
		return fmt.Errorf("onboard: %s: %w", ep.op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return &RequestError{Op: ep.op, Method: ep.method, Path: u.Path, Attempts: max(state.attempt, 1), Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()

	data, tooBig, readErr := readCapped(resp.Body, c.maxBody)
	meta := newResponse(resp, state.attempt, data)
	if cs.response != nil {
		*cs.response = *meta
	}
	apiErr := func(kind, cause error) *APIError {
		p := errbody.Parse(data)
		return &APIError{
			Method: ep.method, Path: u.Path,
			StatusCode: resp.StatusCode, EnvelopeStatusCode: p.EnvelopeStatus,
			Message: p.Message, Code: p.Code, Details: p.Details,
			RequestID: meta.RequestID, RetryAfter: meta.RetryAfter, Attempts: meta.Attempts,
			Body: data, Header: resp.Header, kind: kind, err: cause,
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiErr(nil, nil)
	}
	if readErr != nil {
		return apiErr(ErrUnexpectedResponse, fmt.Errorf("reading body: %w", readErr))
	}
	if tooBig {
		return apiErr(ErrUnexpectedResponse, fmt.Errorf("body is larger than the %d-byte cap", c.maxBody))
	}
	if ep.envelope {
		env := wireEnvelope{Data: out}
		if err := json.Unmarshal(data, &env); err != nil {
			return apiErr(ErrUnexpectedResponse, err)
		}
		if env.StatusCode == nil || env.Data == nil {
			return apiErr(ErrUnexpectedResponse, errors.New("no statusCode or data in the envelope"))
		}
		meta.Envelope = &Envelope{StatusCode: *env.StatusCode, Message: env.Message, Timestamp: parseTimestamp(env.Timestamp)}
		if cs.response != nil {
			cs.response.Envelope = meta.Envelope
		}
		if *env.StatusCode >= 400 {
			return apiErr(nil, nil)
		}
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return apiErr(ErrUnexpectedResponse, err)
	}
	return nil
}

// wireEnvelope is Aptly's response envelope. Data holds a pointer to the
// caller's result, so the body is decoded in one pass.
type wireEnvelope struct {
	StatusCode *int   `json:"statusCode"`
	Timestamp  string `json:"timestamp"`
	Message    string `json:"message"`
	Data       any    `json:"data"`
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readCapped reads at most limit bytes of r and reports whether there was more.
func readCapped(r io.Reader, limit int64) ([]byte, bool, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if n > limit {
		return buf.Bytes()[:limit], true, err
	}
	return buf.Bytes(), false, err
}

// Response is the metadata of one call's last HTTP response, filled on
// request by WithResponse.
type Response struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Header holds the response headers.
	Header http.Header
	// RequestID is the server's request id (x-request-id or a similar
	// header), when it sent one.
	RequestID string
	// RateLimit holds the x-rate-limit-* headers (AthenaHQ), when sent.
	RateLimit RateLimit
	// RetryAfter is the server's Retry-After, or 0.
	RetryAfter time.Duration
	// Attempts counts the attempts the call made, retries included.
	Attempts int
	// Envelope holds Aptly's envelope fields; nil for the other services
	// and when the body was not an envelope.
	Envelope *Envelope
	// Body is the raw response body, cut at the client's size cap.
	Body []byte
}

// RateLimit is the server's account of the caller's request quota.
type RateLimit struct {
	// Limit is the number of requests allowed in the window.
	Limit int
	// Remaining is the number left in the current window.
	Remaining int
	// Reset is when the window ends.
	Reset time.Time
}

// Envelope holds the fields around Aptly's data.
type Envelope struct {
	// StatusCode is the envelope's status, which can differ from the
	// HTTP status (Aptly answers HTTP 201 with statusCode 200).
	StatusCode int
	// Timestamp is when the server answered.
	Timestamp time.Time
	// Message is the server's message, such as "Success".
	Message string
}

var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-Requestid", "X-Cloud-Trace-Context"}

func newResponse(resp *http.Response, attempts int, body []byte) *Response {
	r := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Attempts: max(attempts, 1), Body: body}
	for _, h := range requestIDHeaders {
		if v := resp.Header.Get(h); v != "" {
			r.RequestID = v
			break
		}
	}
	if d, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		r.RetryAfter = d
	}
	r.RateLimit.Limit, _ = strconv.Atoi(resp.Header.Get("X-Rate-Limit-Limit"))
	r.RateLimit.Remaining, _ = strconv.Atoi(resp.Header.Get("X-Rate-Limit-Remaining"))
	if secs, err := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64); err == nil {
		r.RateLimit.Reset = time.Unix(secs, 0)
	}
	return r
}

func parseTimestamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// RequestError reports a call that got no answer from the server: the
// connection failed, the context ended, or the credential could not be added.
type RequestError struct {
	// Op is the SDK method, such as "Invites.SendBulk".
	Op string
	// Method and Path name the request (never its query).
	Method, Path string
	// Attempts counts the attempts made.
	Attempts int
	// Err is the cause; errors.Is(err, context.Canceled) and the like work.
	Err error
}

// Error says what failed and why.
func (e *RequestError) Error() string {
	return fmt.Sprintf("onboard: %s %s: no response after %d attempt(s): %v", e.Method, e.Path, e.Attempts, e.Err)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// Ptr returns a pointer to v, for optional fields such as SendEmail:
// onboard.Ptr(false).
func Ptr[T any](v T) *T { return &v }
