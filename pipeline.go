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

	"github.com/onboardkit/onboard/internal/retry"
)

// The request loop: a call passes four layers, each with one job.
//
//  1. The service method (aptly_users.go and its siblings) validates its
//     arguments and names its endpoint.
//  2. call, here, builds the request, hands it to the call's own loop, and
//     decodes the answer or turns it into an *APIError.
//  3. go-retryablehttp's Client.Do makes the attempts: checkRetry, here,
//     decides whether another is due (the policy of internal/retry, and a
//     401 resent once with a fresh token); backoff waits between them; the
//     attempt budget is its RetryMax.
//  4. The call's RoundTrip (transport.go) waits for pacing, takes a fresh
//     credential, sets the header and only then starts the attempt's
//     timeout.
//
// The per-call settings the lower layers need travel in a callLoop, which
// is at once the call's go-retryablehttp Client and its RoundTripper.

// endpoint describes one documented API call.
type endpoint struct {
	op       string // the service and method, for errors: "aptly: Users.Create"
	method   string
	path     string // relative to the base URL's path
	envelope bool   // the body is {statusCode, timestamp, message, data}
	noAuth   bool   // sent without the Authenticator (the access-key exchange)
	// secretAnswer marks an endpoint whose 2xx answer is a credential (the
	// access-key exchange): an error keeps none of such an answer.
	secretAnswer bool
}

// call sends one request to ep and decodes its answer into out. params
// become the query (go-querystring's url tags), body the JSON body (an
// encodedBody is sent as it is).
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

// newRequest builds the request of one call.
func (c *client) newRequest(ctx context.Context, ep endpoint, params, body any) (*retryablehttp.Request, error) {
	// Not JoinPath: on a base URL with no path it drops the leading slash,
	// and Path in errors would read "auth/invite".
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
		// []byte: retryablehttp knows a []byte body only by that type.
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

// callLoop is the request loop of one call: the go-retryablehttp Client
// that makes its attempts and the net/http Client under it, whose
// Transport is the callLoop itself (RoundTrip, in transport.go). Each call
// has its own, so what the lower layers need of the call (its attempt
// budget and timeout, whether it goes without the Authenticator, the
// credentials to scrub from its answer) are its fields, not values in the
// request's context. One call's attempts run one after another, so its
// fields need no lock.
type callLoop struct {
	c     *client
	cs    callSettings // the call's options, its secrets to scrub among them
	retry retryablehttp.Client
	http  http.Client
	// timeout bounds each attempt, from sending to the end of the body;
	// 0 for none.
	timeout time.Duration
	// noAuth sends the call without the Authenticator.
	noAuth bool
	// plain and authed are the headers of the last attempt before and
	// after the Authenticator ran, so that an error built from a server's
	// answer can be scrubbed of whatever credential the server echoed.
	plain, authed http.Header
	// attempts counts the attempts made so far (checkRetry counts each).
	attempts int
	// refreshed is set once a refused token has been marked stale and
	// the request resent with a fresh one.
	refreshed bool
	// unprepared is set when an attempt could not be prepared (the wait
	// for pacing or the credential failed): nothing was sent.
	unprepared bool
}

// newCallLoop makes the loop of one call to ep, with the client's settings
// overridden by the call's options: it makes at most WithRetry(n)+1
// attempts in all, a resend after a 401 included. An invalid option is an
// error that names the call, before anything is sent.
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
		// Hand back the last response, so the caller gets the server's
		// body in an *APIError rather than a bare "giving up" message.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return l, nil
}

// checkRetry is the call's CheckRetry: it counts the attempt just made and
// says whether another is due, as the policy of internal/retry says, or
// once after a 401 to a token the Authenticator obtained. go-retryablehttp
// stops at RetryMax retries whatever it says. An attempt that could not be
// prepared is not repeated: the exchange or token func behind it has had
// its own retries.
func (l *callLoop) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	l.attempts++
	if l.unprepared {
		return false, err // the attempt's own error, which says what it waited for
	}
	if err == nil && resp.StatusCode == http.StatusUnauthorized && l.staleToken() {
		// A 401 means the request was not done: resend it, unless the
		// caller has given up.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return false, ctxErr
		}
		return true, nil
	}
	return l.c.policy.Check(ctx, resp, err)
}

// staleToken tells the Authenticator that the token of the refused attempt
// is stale, and reports whether the request may go once more with a fresh
// one: once a call, and only for a token the Authenticator obtained (an
// exchanged Aptly access key).
func (l *callLoop) staleToken() bool {
	if l.noAuth || l.refreshed {
		return false
	}
	r, ok := l.c.auth.(refresher)
	if !ok || !r.refresh(l.authed) {
		return false
	}
	l.refreshed = true
	return true
}

// backoff is how long go-retryablehttp waits before retry number
// attempt+1: nothing before a resend after a 401, which goes with a fresh
// token; otherwise internal/retry's Backoff, which honours Retry-After up
// to the longest wait.
func backoff(first, longest time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		return 0
	}
	return retry.Backoff(first, longest, attempt, resp)
}

// callLimit is the longest one call of the client may take: every attempt
// to its timeout (DefaultTimeout when there is none) and the longest wait
// between each two.
func (c *client) callLimit() time.Duration {
	timeout := c.timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	n := time.Duration(c.retries)
	return (n+1)*timeout + n*c.waitLongest
}

// answer is what came back for one call: the last response, its body read
// through the cap, and its metadata.
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

// readAnswer reads resp's body through the client's cap, scrubs a
// success's body of every credential the call knows (a failure's is
// scrubbed when its error is built), and fills the call's WithResponse,
// if any.
func (l *callLoop) readAnswer(ep endpoint, path string, resp *http.Response) answer {
	c, cs := l.c, &l.cs
	a := answer{c: c, ep: ep, path: path, resp: resp, loop: l, cs: cs}
	a.data, a.tooBig, a.readErr = readCapped(resp.Body, bodyLimit(resp.StatusCode, c.maxBody), resp.ContentLength)
	if resp.StatusCode/100 == 2 && !ep.secretAnswer {
		// A success that echoes a credential (in a per-item message, say)
		// must not hand it on to the caller, a journal or a report.
		var buf [8]string
		a.data = l.appendSecrets(buf[:0]).body(a.data)
	}
	a.meta = newResponse(resp, l.attempts, a.data)
	if cs.response != nil {
		*cs.response = a.meta
		cs.response.Body = successBody(a.data)
	}
	return a
}

// decode decodes a success into out, or says why the answer is a failure.
// A nil out takes any 2xx as success and ignores its body, an Aptly
// envelope's statusCode included (the body is still read through the cap,
// for WithResponse).
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
	// A missing or null result would otherwise decode as a zero value.
	if t := bytes.TrimSpace(a.data); len(t) == 0 || string(t) == "null" {
		return a.fail(ErrUnexpectedResponse, errors.New("no result in the body"))
	}
	if err := json.Unmarshal(a.data, out); err != nil {
		return a.fail(ErrUnexpectedResponse, err)
	}
	return nil
}

// decodeEnvelope decodes Aptly's envelope in one pass, as a hand-written
// decoder would: data is decoded straight into out. A failure envelope
// (statusCode 400 or more) is a failure whatever its data holds.
func (a *answer) decodeEnvelope(out any) error {
	env := wireEnvelope{Data: out}
	err := json.Unmarshal(a.data, &env)
	failure := env.StatusCode != nil && *env.StatusCode >= 400
	// json.Unmarshal returns its *UnmarshalTypeError unwrapped; a type
	// assertion, unlike errors.As, costs no allocation on every call.
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
	// A null data leaves env.Data nil; a missing one leaves out untouched,
	// which is told from an empty data only when out is still all zero.
	missing := env.Data == nil || (reflect.ValueOf(out).Elem().IsZero() && !envelopeHasData(a.data))
	if missing {
		return a.fail(ErrUnexpectedResponse, errors.New("no result in the body"))
	}
	return nil
}

// fail builds the *APIError of a failed answer: kind is
// ErrUnexpectedResponse for a 2xx that could not be read (cause says why),
// nil for a failure status. The error and the call's WithResponse keep a
// bounded copy of the body, scrubbed of every credential the call knows.
func (a *answer) fail(kind, cause error) *APIError {
	scrub := a.loop.scrubber()
	data, p := errorBody(scrub.body(a.data), a.meta.Envelope)
	header := scrub.header(a.resp.Header)
	withheld := a.ep.secretAnswer && a.resp.StatusCode/100 == 2
	if withheld {
		// The answer is a credential that could not be read as
		// documented: the token in it cannot be told from the rest.
		data, header = nil, nil
		p.Message, p.Code, p.Details = "", "", nil
	}
	if r := a.cs.response; r != nil {
		scrub.response(r, data, header, withheld)
		if r.Envelope == nil && a.ep.envelope && p.EnvelopeStatus != 0 {
			// An Aptly failure comes in the envelope too; keep its fields.
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

// encodedBody is a request body already encoded as JSON, which call sends
// as is. The batch engine encodes each batch's body when it cuts the
// batch, ahead of the worker that sends it.
type encodedBody []byte

// encodeBody encodes a request body for op, as call sends it: nil as no
// body, an encodedBody as is, anything else with json.Marshal.
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
		err = ue.Err
	}
	return err
}
