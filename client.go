package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard/internal/retry"
)

// Version is the version of this SDK, sent in the default User-Agent.
const Version = "0.1.0"

// Base URLs of the services. Each client type talks to its own service's.
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

// AptlyClient calls Aptly's API with one credential: Users creates users
// and Invites sends invites. It is safe for concurrent use; make one per
// tenant credential and reuse it.
type AptlyClient struct {
	// Users creates Aptly users.
	Users *AptlyUsers
	// Invites invites people by email into an Aptly tenant.
	Invites *AptlyInvites

	core *client
}

// NewAptlyClient returns a client for Aptly's API at baseURL (AptlyUSURL,
// AptlyEUURL, AptlyStagingURL, or a test server's URL) that authenticates
// with auth: BearerToken, or AptlyAccessKey for a machine key. It makes no
// network call and reads no environment. An http:// baseURL is refused
// unless its host is loopback or WithInsecureHTTP is given.
func NewAptlyClient(baseURL string, auth Authenticator, opts ...Option) (*AptlyClient, error) {
	c, err := newClient("NewAptlyClient", baseURL, auth, opts)
	if err != nil {
		return nil, err
	}
	return &AptlyClient{Users: &AptlyUsers{c}, Invites: &AptlyInvites{c}, core: c}, nil
}

// String describes the client without its credential.
func (c *AptlyClient) String() string { return c.core.describe("AptlyClient") }

// GoString is String, so that %#v shows no secret either.
func (c *AptlyClient) GoString() string { return c.String() }

// AthenaClient calls AthenaHQ's API with one API key: Invites invites a
// person to websites or groups. It is safe for concurrent use; make one per
// key and reuse it.
type AthenaClient struct {
	// Invites invites people to AthenaHQ websites and groups.
	Invites *AthenaInvites

	core *client
}

// NewAthenaClient returns a client for AthenaHQ's API at baseURL
// (AthenaHQURL, or a test server's URL) that authenticates with auth,
// normally APIKey. It makes no network call and reads no environment. An
// http:// baseURL is refused unless its host is loopback or
// WithInsecureHTTP is given.
func NewAthenaClient(baseURL string, auth Authenticator, opts ...Option) (*AthenaClient, error) {
	if err := notAptlyKey("NewAthenaClient", auth); err != nil {
		return nil, err
	}
	c, err := newClient("NewAthenaClient", baseURL, auth, opts)
	if err != nil {
		return nil, err
	}
	return &AthenaClient{Invites: &AthenaInvites{c}, core: c}, nil
}

// String describes the client without its credential.
func (c *AthenaClient) String() string { return c.core.describe("AthenaClient") }

// GoString is String, so that %#v shows no secret either.
func (c *AthenaClient) GoString() string { return c.String() }

// RoyaltiClient calls Royalti's API with one credential: Users creates
// users in the credential's workspace and Invites sends invites. It is safe
// for concurrent use; make one per credential and reuse it.
type RoyaltiClient struct {
	// Users creates Royalti users.
	Users *RoyaltiUsers
	// Invites invites people to a Royalti workspace.
	Invites *RoyaltiInvites

	core *client
}

// NewRoyaltiClient returns a client for Royalti's API at baseURL
// (RoyaltiURL, RoyaltiAppspotURL, or a test server's URL) that
// authenticates with auth: BearerToken (Royalti API keys are bearer tokens
// too) or BasicAuth. It makes no network call and reads no environment. An
// http:// baseURL is refused unless its host is loopback or
// WithInsecureHTTP is given.
func NewRoyaltiClient(baseURL string, auth Authenticator, opts ...Option) (*RoyaltiClient, error) {
	if err := notAptlyKey("NewRoyaltiClient", auth); err != nil {
		return nil, err
	}
	c, err := newClient("NewRoyaltiClient", baseURL, auth, opts)
	if err != nil {
		return nil, err
	}
	return &RoyaltiClient{Users: &RoyaltiUsers{c}, Invites: &RoyaltiInvites{c}, core: c}, nil
}

// String describes the client without its credential.
func (c *RoyaltiClient) String() string { return c.core.describe("RoyaltiClient") }

// GoString is String, so that %#v shows no secret either.
func (c *RoyaltiClient) GoString() string { return c.String() }

// notAptlyKey refuses an AptlyAccessKey given to another service's
// constructor: the key is exchanged at Aptly's endpoint, which the other
// services do not have.
func notAptlyKey(op string, auth Authenticator) error {
	if _, ok := auth.(*aptlyAccessKey); ok {
		return fmt.Errorf("onboard: %s: AptlyAccessKey works only with NewAptlyClient; pass this service's own credential", op)
	}
	return nil
}

// client is the request pipeline the three client types share: one base
// URL, one credential, one http.Client with its retry policy.
type client struct {
	base      *url.URL
	auth      Authenticator
	http      *retryablehttp.Client
	policy    retry.Policy
	retries   int // each call makes at most retries+1 attempts
	userAgent string
	logger    *slog.Logger
	maxBody   int64
	limiter   *rate.Limiter
}

// service is what every service type holds: the client it calls through.
type service struct{ client *client }

// newClient builds the pipeline for one service; op names the constructor
// in errors. It makes no network call and reads no environment.
func newClient(op, baseURL string, auth Authenticator, opts []Option) (*client, error) {
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
			return nil, fmt.Errorf("onboard: %s: %w", op, err)
		}
	}
	if auth == nil {
		return nil, fmt.Errorf("onboard: %s: no Authenticator; pass BearerToken, APIKey, BasicAuth, BearerTokenFunc or AptlyAccessKey", op)
	}
	base, err := parseBaseURL(op, baseURL, s.insecureHTTP)
	if err != nil {
		return nil, err
	}

	c := &client{
		base:      base,
		auth:      auth,
		policy:    retry.Policy{ServerErrors: s.serverErrors},
		retries:   s.retries,
		userAgent: s.userAgent,
		logger:    s.logger,
		maxBody:   s.maxBody,
		limiter:   s.limiter,
	}
	if b, ok := auth.(binder); ok {
		c.auth = b.bind(c)
	}
	c.http = &retryablehttp.Client{
		HTTPClient:   c.newHTTPClient(&s),
		Logger:       nil, // the library is silent unless WithLogger is given
		RetryWaitMin: s.waitMin,
		RetryWaitMax: s.waitMax,
		// The call's own budget (callState.budget, which checkRetry
		// consults) ends the retries, across a 401 refresh too.
		RetryMax:   math.MaxInt32,
		CheckRetry: c.checkRetry,
		Backoff:    retry.Backoff,
		// Hand back the last response, so the caller gets the server's
		// body in an *APIError rather than a bare "giving up" message.
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.beforeAttempt,
	}
	return c, nil
}

func parseBaseURL(op, raw string, insecure bool) (*url.URL, error) {
	// Errors show the URL only as u.Redacted(), never raw: it may hold a
	// password.
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // ue.URL is raw
		}
		return nil, fmt.Errorf("onboard: %s: base URL: %w", op, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("onboard: %s: base URL must be absolute http(s), such as %s; got scheme %q and host %q", op, AptlyStagingURL, u.Scheme, u.Host)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("onboard: %s: base URL must not carry credentials, a query or a fragment; pass credentials as an Authenticator", op)
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("onboard: %s: base URL %q is plain http on a host that is not loopback; use https, or WithInsecureHTTP if you must", op, u.Redacted())
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

// describe renders a client of kind for String, without its credential.
func (c *client) describe(kind string) string {
	return fmt.Sprintf("onboard.%s{base: %s, auth: %v}", kind, c.base.Redacted(), c.auth)
}

// endpoint describes one documented API call.
type endpoint struct {
	op       string // the method's name, for errors: "Users.Create"
	method   string
	path     string // relative to the base URL's path
	envelope bool   // the body is {statusCode, timestamp, message, data}
	noAuth   bool   // sent without the Authenticator (the access-key exchange)
	// secretAnswer marks an endpoint whose 2xx answer is a credential (the
	// access-key exchange): an error keeps none of such an answer.
	secretAnswer bool
}

// call is the one request pipeline: build the URL and body, send with
// retries, check the status, read the body through the size cap, unwrap the
// envelope and decode into out.
func (c *client) call(ctx context.Context, ep endpoint, params, body, out any, opts []CallOption) error {
	var cs callSettings
	for _, o := range opts {
		if o != nil {
			o(&cs)
		}
	}
	// Not JoinPath: on a base URL with no path it drops the leading slash,
	// and Path in errors would read "auth/invite".
	u := *c.base
	u.Path += ep.path
	if params != nil {
		v, err := query.Values(params)
		if err != nil {
			return fmt.Errorf("onboard: %s: encoding query: %w", ep.op, err)
		}
		u.RawQuery = v.Encode()
	}
	payload, err := encodeBody(ep.op, body)
	if err != nil {
		return err
	}
	state := &callState{noAuth: ep.noAuth, secrets: cs.secrets, budget: c.retries + 1}
	// []byte(payload): retryablehttp knows a []byte body only by that type.
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, state), ep.method, u.String(), []byte(payload))
	if err != nil {
		return fmt.Errorf("onboard: %s: %w", ep.op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	resp, err := c.send(req, state)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return &RequestError{Op: ep.op, Method: ep.method, Path: u.Path, Attempts: max(state.attempt, 1), Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()

	data, tooBig, readErr := readCapped(resp.Body, bodyLimit(resp.StatusCode, c.maxBody), resp.ContentLength)
	meta := newResponse(resp, state.attempt, data)
	if cs.response != nil {
		*cs.response = *meta
		cs.response.Body = successBody(data)
	}
	apiErr := func(kind, cause error) *APIError {
		scrub := c.scrubberFor(state)
		data, p := errorBody(scrub.body(data), meta.Envelope)
		header := scrub.header(resp.Header)
		withheld := ep.secretAnswer && resp.StatusCode/100 == 2
		if withheld {
			// The answer is a credential that could not be read as
			// documented: the token in it cannot be told from the rest.
			data, header = nil, nil
			p.Message, p.Code, p.Details = "", "", nil
		}
		if cs.response != nil {
			scrub.response(cs.response, data, header, withheld)
		}
		if cs.response != nil && cs.response.Envelope == nil && ep.envelope && p.EnvelopeStatus != 0 {
			// An Aptly failure comes in the envelope too; keep its fields.
			cs.response.Envelope = &Envelope{StatusCode: p.EnvelopeStatus, Message: p.Message, Timestamp: parseTimestamp(p.Timestamp)}
		}
		return &APIError{
			Method: ep.method, Path: u.Path,
			StatusCode: resp.StatusCode, EnvelopeStatusCode: p.EnvelopeStatus,
			Message: p.Message, Code: p.Code, Details: p.Details,
			RequestID: meta.RequestID, RetryAfter: meta.RetryAfter, Attempts: meta.Attempts,
			Body: data, Header: header, kind: kind, err: cause,
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
		// One pass, as a hand-written decoder would: data is decoded
		// straight into out. A null data leaves env.Data nil; a missing one
		// leaves out untouched, which is told from an empty data only in
		// the rare case that out is still all zero. A data of the wrong
		// shape does not hide a failure envelope's status.
		env := wireEnvelope{Data: out}
		err := json.Unmarshal(data, &env)
		var typeErr *json.UnmarshalTypeError
		if err != nil && !(errors.As(err, &typeErr) && env.StatusCode != nil && *env.StatusCode >= 400) {
			return apiErr(ErrUnexpectedResponse, err)
		}
		if env.StatusCode == nil {
			return apiErr(ErrUnexpectedResponse, errors.New("no statusCode in the envelope"))
		}
		meta.Envelope = &Envelope{StatusCode: *env.StatusCode, Message: env.Message, Timestamp: parseTimestamp(env.Timestamp)}
		if cs.response != nil {
			cs.response.Envelope = meta.Envelope
		}
		if s := *env.StatusCode; s < 100 || s > 599 {
			return apiErr(ErrUnexpectedResponse, fmt.Errorf("envelope statusCode %d is not an HTTP status", s))
		}
		// A failure envelope need not carry data; judge it by its status.
		if *env.StatusCode >= 400 {
			return apiErr(nil, nil)
		}
		if env.Data == nil || reflect.ValueOf(out).Elem().IsZero() && !envelopeHasData(data) {
			return apiErr(ErrUnexpectedResponse, errors.New("no result in the body"))
		}
		return nil
	}
	// A missing or null result would otherwise decode as a zero value.
	if t := bytes.TrimSpace(data); len(t) == 0 || string(t) == "null" {
		return apiErr(ErrUnexpectedResponse, errors.New("no result in the body"))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return apiErr(ErrUnexpectedResponse, err)
	}
	return nil
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
	timeout := c.http.HTTPClient.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	n := time.Duration(c.retries)
	return (n+1)*timeout + n*c.http.RetryWaitMax
}

// encodedBody is a request body already encoded as JSON, which call sends
// as is. The batch engine encodes each batch's body when it cuts the
// batch, ahead of the worker that sends it.
type encodedBody []byte

// encodeBody encodes a request body for op, as call sends it: an
// encodedBody as is, anything else with json.Marshal.
func encodeBody(op string, body any) (encodedBody, error) {
	if b, ok := body.(encodedBody); ok {
		return b, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("onboard: %s: encoding body: %w", op, err)
	}
	return b, nil
}

// wireEnvelope is Aptly's response envelope. Data holds the caller's out
// (a pointer to a zero value), so the body is decoded in one pass.
type wireEnvelope struct {
	StatusCode *int   `json:"statusCode"`
	Timestamp  string `json:"timestamp"`
	Message    string `json:"message"`
	Data       any    `json:"data"`
}

// envelopeHasData reports whether an envelope's data field is present and
// not null. It costs a second pass, so it is asked only when the one pass
// left the result all zero.
func envelopeHasData(body []byte) bool {
	var probe struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return false
	}
	t := bytes.TrimSpace(probe.Data)
	return len(t) > 0 && string(t) != "null"
}

// unwrapURLError drops the *url.Error that net/http wraps around transport
// errors, whose text carries the whole URL, query included.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errorReadBytes is how much of a body is read when only an error's copy of
// it will be kept: a little more than the copy, so that a credential the
// server echoed across the cut is found whole, and redacted, before the cut.
const errorReadBytes = MaxErrorBodyBytes + 8<<10

// bodyLimit is how much of a body with the given status is read: the
// client's cap, or for a failure status about what an error keeps.
func bodyLimit(status int, maxBody int64) int64 {
	if status < 200 || status > 299 {
		return min(maxBody, errorReadBytes)
	}
	return maxBody
}

// readCapped reads at most limit bytes of r and reports whether there was
// more. size is the body's announced length, or -1. A body announced larger
// than limit is read only as far as an error keeps of it. Otherwise the
// buffer is made at the announced size, or grows by doubling up to an eighth
// of limit and then once to limit, so that reading costs about limit at
// most, not a multiple of it.
func readCapped(r io.Reader, limit, size int64) ([]byte, bool, error) {
	if size > limit {
		buf, _, err := fill(r, make([]byte, 0, min(limit, errorReadBytes)))
		return buf, true, err
	}
	c := int64(bytes.MinRead)
	if size >= 0 {
		c = size + 1 // the spare byte lets the end be seen without growing
	}
	buf := make([]byte, 0, min(c, limit+1))
	for {
		var done bool
		var err error
		if buf, done, err = fill(r, buf); done || err != nil {
			return buf, false, err
		}
		if int64(len(buf)) > limit {
			return buf[:limit], true, nil
		}
		next := 2 * int64(cap(buf))
		if next > max(limit/8, 64<<10) {
			next = limit + 1
		}
		buf = append(make([]byte, 0, min(next, limit+1)), buf...)
	}
}

// fill reads r into the free room of buf until buf is full or r ends, and
// reports whether r ended. A reader that keeps returning nothing is an
// io.ErrNoProgress after 100 tries.
func fill(r io.Reader, buf []byte) ([]byte, bool, error) {
	for empty := 0; len(buf) < cap(buf) && empty < 100; {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
		if empty++; n > 0 {
			empty = 0
		}
	}
	if len(buf) < cap(buf) {
		return buf, false, io.ErrNoProgress
	}
	return buf, false, nil
}

// Ptr returns a pointer to v, for optional fields such as SendEmail:
// onboard.Ptr(false).
func Ptr[T any](v T) *T { return &v }
