package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/onboardkit/onboard/internal/readcap"
	"github.com/onboardkit/onboard/internal/scrub"
)

// endpoint describes one documented API call.
type endpoint struct {
	op       string // the service and method, for errors: "aptly: Users.Create"
	method   string
	path     string // relative to the base URL's path
	envelope bool   // the body is {statusCode, timestamp, message, data}
	noAuth   bool   // sent without the Authenticator (the access-key exchange)
	// secretAnswer marks a 2xx answer that is a credential: no error keeps it.
	secretAnswer bool
}

// as returns ep named op, as a bulk run names its requests.
func (ep endpoint) as(op string) endpoint { ep.op = op; return ep }

// call sends one request to ep and decodes its answer into out: params
// become the query, body the JSON body (an encodedBody as is).
func (c *client) call(ctx context.Context, ep endpoint, params, body, out any, opts []CallOption) error {
	l, err := c.newCallLoop(ep, opts)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, ep, params, body)
	if err != nil {
		return err
	}
	resp, err := l.retry.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return &RequestError{Op: ep.op, Method: ep.method, Path: req.URL.Path, Attempts: max(l.attempts, 1), Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	a := l.readAnswer(ep, req.URL.Path, resp)
	return a.decode(out)
}

// valueOf returns *p, or the zero T for a nil p (options given as nil).
func valueOf[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// result returns v, filled by a call, or nil and err if the call failed.
func result[T any](v *T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// newRequest builds the request of one call.
func (c *client) newRequest(ctx context.Context, ep endpoint, params, body any) (*retryablehttp.Request, error) {
	// Not JoinPath: it drops the leading slash of a base URL with no path.
	u := *c.base
	u.Path += ep.path
	if params != nil {
		v, err := query.Values(params)
		if err != nil {
			return nil, fmt.Errorf("onboard: %s: encoding query: %w", ep.op, err)
		}
		u.RawQuery = v.Encode()
	}
	payload, err := encodeBody(ep.op, body)
	if err != nil {
		return nil, err
	}
	var raw any // no body at all, unless there is a payload
	if payload != nil {
		raw = []byte(payload)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, ep.method, u.String(), raw)
	if err != nil {
		return nil, fmt.Errorf("onboard: %s: %w", ep.op, err)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// callLoop is one call's loop: its go-retryablehttp Client, whose
// Transport is the callLoop itself (RoundTrip). Its attempts run in turn,
// so its fields need no lock.
type callLoop struct {
	c     *client
	cs    callSettings // the call's options, its secrets to scrub among them
	retry retryablehttp.Client
	http  http.Client
	// timeout bounds each attempt; 0 for none.
	timeout time.Duration
	noAuth  bool
	// plain and authed are the last attempt's headers before and after
	// authenticating, to scrub an echoed credential from an error.
	plain, authed http.Header
	attempts      int
	// refreshed is set once a refused token was renewed and the request resent.
	refreshed bool
	// unprepared is set when pacing or the credential failed: nothing was sent.
	unprepared bool
}

// newCallLoop makes the loop of one call to ep, the call's options applied.
func (c *client) newCallLoop(ep endpoint, opts []CallOption) (*callLoop, error) {
	l := &callLoop{c: c, timeout: c.timeout, noAuth: ep.noAuth}
	var err error
	if l.cs, err = newCallSettings(ep.op, opts); err != nil {
		return nil, err
	}
	if l.cs.timeoutSet {
		l.timeout = l.cs.timeout
	}
	retries := c.retries
	if l.cs.retriesSet {
		retries = l.cs.retries
	}
	l.http = c.httpClient
	l.http.Transport = l
	l.retry = retryablehttp.Client{
		HTTPClient:   &l.http,
		Logger:       nil, // the library is silent; the transport logs (WithLogger)
		RetryWaitMin: c.waitFirst,
		RetryWaitMax: c.waitLongest,
		RetryMax:     retries,
		CheckRetry:   l.checkRetry,
		Backoff:      backoff,
		// Hand back the last response, for an *APIError with the server's body.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return l, nil
}

// callLimit is the longest one call may take, every attempt and wait at most.
func (c *client) callLimit() time.Duration {
	timeout := c.timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	n := time.Duration(c.retries)
	return (n+1)*timeout + n*c.waitLongest
}

// answer is a call's last response, its body read through the cap.
type answer struct {
	c       *client
	ep      endpoint
	path    string // the request's path, as sent before any redirect
	resp    *http.Response
	loop    *callLoop
	cs      *callSettings
	data    []byte
	tooBig  bool
	readErr error
	meta    Response
}

// readAnswer reads resp's body through the cap, scrubs a success's body of
// the call's credentials, and fills the call's WithResponse.
func (l *callLoop) readAnswer(ep endpoint, path string, resp *http.Response) answer {
	c, cs := l.c, &l.cs
	a := answer{c: c, ep: ep, path: path, resp: resp, loop: l, cs: cs}
	a.data, a.tooBig, a.readErr = readcap.Read(resp.Body, bodyLimit(resp.StatusCode, c.maxBody), resp.ContentLength, errorReadBytes)
	if resp.StatusCode/100 == 2 && !ep.secretAnswer {
		// A success must not hand an echoed credential on.
		var buf [8]string
		a.data = l.appendSecrets(buf[:0]).Body(a.data)
	}
	a.meta = newResponse(resp, l.attempts, a.data)
	if cs.response != nil {
		*cs.response = a.meta
		cs.response.Body = successBody(a.data)
	}
	return a
}

// decode decodes a success into out, or says why it is a failure. A nil
// out takes any 2xx as success.
func (a *answer) decode(out any) error {
	switch {
	case a.resp.StatusCode < 200 || a.resp.StatusCode > 299:
		return a.fail(nil, nil)
	case out == nil: // the endpoint accepts any 2xx, whatever its body
		return nil
	case a.readErr != nil:
		return a.fail(ErrUnexpectedResponse, fmt.Errorf("reading body: %w", a.readErr))
	case a.tooBig:
		return a.fail(ErrUnexpectedResponse, fmt.Errorf("body is larger than the %d-byte cap", a.c.maxBody))
	case a.ep.envelope:
		return a.decodeEnvelope(out)
	}
	if t := bytes.TrimSpace(a.data); len(t) == 0 || string(t) == "null" {
		return a.fail(ErrUnexpectedResponse, errors.New("no result in the body"))
	}
	if err := json.Unmarshal(a.data, out); err != nil {
		return a.fail(ErrUnexpectedResponse, err)
	}
	return nil
}

// decodeEnvelope decodes Aptly's envelope; statusCode 400 or more fails.
func (a *answer) decodeEnvelope(out any) error {
	env := wireEnvelope{Data: out}
	err := json.Unmarshal(a.data, &env)
	failure := env.StatusCode != nil && *env.StatusCode >= 400
	// json.Unmarshal returns it unwrapped; an assertion does not allocate.
	_, dataOfOtherShape := err.(*json.UnmarshalTypeError) //nolint:errorlint // unwrapped, as said above
	if err != nil && !(failure && dataOfOtherShape) {
		return a.fail(ErrUnexpectedResponse, err)
	}
	if env.StatusCode == nil {
		return a.fail(ErrUnexpectedResponse, errors.New("no statusCode in the envelope"))
	}
	a.meta.Envelope = &Envelope{StatusCode: *env.StatusCode, Message: env.Message, Timestamp: parseTimestamp(env.Timestamp)}
	if a.cs.response != nil {
		a.cs.response.Envelope = a.meta.Envelope
	}
	if s := *env.StatusCode; s < 100 || s > 599 {
		return a.fail(ErrUnexpectedResponse, fmt.Errorf("envelope statusCode %d is not an HTTP status", s))
	}
	if failure {
		return a.fail(nil, nil)
	}
	// A missing data is told from an empty one only when out is all zero.
	missing := env.Data == nil || (reflect.ValueOf(out).Elem().IsZero() && !envelopeHasData(a.data))
	if missing {
		return a.fail(ErrUnexpectedResponse, errors.New("no result in the body"))
	}
	return nil
}

// fail builds a failed answer's *APIError: kind is ErrUnexpectedResponse
// for an unreadable 2xx (cause says why), nil for a failure status.
func (a *answer) fail(kind, cause error) *APIError {
	secrets := a.loop.appendSecrets(make(scrub.List, 0, len(a.cs.secrets)+8))
	data, p := errorBody(secrets.Body(a.data), a.meta.Envelope)
	header := secrets.Header(a.resp.Header)
	withheld := a.ep.secretAnswer && a.resp.StatusCode/100 == 2
	if withheld {
		// An unreadable credential answer: its token cannot be told from the rest.
		data, header = nil, nil
		p.Message, p.Code, p.Details = "", "", nil
	}
	if r := a.cs.response; r != nil {
		scrubResponse(secrets, r, data, header, withheld)
		if r.Envelope == nil && a.ep.envelope && p.EnvelopeStatus != 0 {
			r.Envelope = &Envelope{StatusCode: p.EnvelopeStatus, Message: p.Message, Timestamp: parseTimestamp(p.Timestamp)}
		}
	}
	return &APIError{
		Method: a.ep.method, Path: a.path,
		StatusCode: a.resp.StatusCode, EnvelopeStatusCode: p.EnvelopeStatus,
		Message: p.Message, Code: p.Code, Details: p.Details,
		RequestID: a.meta.RequestID, RetryAfter: a.meta.RetryAfter, Attempts: a.meta.Attempts,
		Body: data, Header: header, kind: kind, err: cause,
	}
}

// encodedBody is a request body already encoded as JSON.
type encodedBody []byte

// encodeBody encodes a body: nil as none, an encodedBody as is.
func encodeBody(op string, body any) (encodedBody, error) {
	if body == nil {
		return nil, nil
	}
	if b, ok := body.(encodedBody); ok {
		return b, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("onboard: %s: encoding body: %w", op, err)
	}
	return b, nil
}

// wireEnvelope is Aptly's envelope, Data pointing at the caller's out.
type wireEnvelope struct {
	StatusCode *int   `json:"statusCode"`
	Timestamp  string `json:"timestamp"`
	Message    string `json:"message"`
	Data       any    `json:"data"`
}

// envelopeHasData reports whether data is present and not null.
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

// unwrapURLError drops net/http's *url.Error, whose text holds the query.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}
