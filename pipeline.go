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

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// This file is the one request pipeline every endpoint method calls: build
// the request, send it (retries and the 401 refresh are in retryhooks.go),
// read the answer through the size cap, and decode it or turn it into an
// *APIError.

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

// call sends one request to ep and decodes its answer into out. params
// become the query (go-querystring's url tags), body the JSON body (an
// encodedBody is sent as it is).
func (c *client) call(ctx context.Context, ep endpoint, params, body, out any, opts []CallOption) error {
	cs, err := newCallSettings(ep.op, opts)
	if err != nil {
		return err
	}
	req, st, err := c.newRequest(ctx, ep, params, body, &cs)
	if err != nil {
		return err
	}
	resp, err := c.send(req, st)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return &RequestError{Op: ep.op, Method: ep.method, Path: req.URL.Path, Attempts: max(st.attempt, 1), Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	return c.readAnswer(ep, req.URL.Path, resp, st, &cs).decode(out)
}

// newRequest builds the request of one call, with the state its attempts
// share.
func (c *client) newRequest(ctx context.Context, ep endpoint, params, body any, cs *callSettings) (*retryablehttp.Request, *callState, error) {
	// Not JoinPath: on a base URL with no path it drops the leading slash,
	// and Path in errors would read "auth/invite".
	u := *c.base
	u.Path += ep.path
	if params != nil {
		v, err := query.Values(params)
		if err != nil {
			return nil, nil, fmt.Errorf("onboard: %s: encoding query: %w", ep.op, err)
		}
		u.RawQuery = v.Encode()
	}
	payload, err := encodeBody(ep.op, body)
	if err != nil {
		return nil, nil, err
	}
	st := &callState{noAuth: ep.noAuth, secrets: cs.secrets, budget: c.retries + 1, timeout: c.timeout}
	if cs.retriesSet {
		st.budget = cs.retries + 1
	}
	if cs.timeoutSet {
		st.timeout = cs.timeout
	}
	var raw any // no body at all, unless there is a payload
	if payload != nil {
		// []byte: retryablehttp knows a []byte body only by that type.
		raw = []byte(payload)
	}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, st), ep.method, u.String(), raw)
	if err != nil {
		return nil, nil, fmt.Errorf("onboard: %s: %w", ep.op, err)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, st, nil
}

// answer is what came back for one call: the last response, its body read
// through the cap, and its metadata.
type answer struct {
	c       *client
	ep      endpoint
	path    string // the request's path, as sent before any redirect
	resp    *http.Response
	st      *callState
	cs      *callSettings
	data    []byte
	tooBig  bool
	readErr error
	meta    *Response
}

// readAnswer reads resp's body through the client's cap, scrubs a
// success's body of every credential the call knows (a failure's is
// scrubbed when its error is built), and fills the call's WithResponse,
// if any.
func (c *client) readAnswer(ep endpoint, path string, resp *http.Response, st *callState, cs *callSettings) *answer {
	a := &answer{c: c, ep: ep, path: path, resp: resp, st: st, cs: cs}
	a.data, a.tooBig, a.readErr = readCapped(resp.Body, bodyLimit(resp.StatusCode, c.maxBody), resp.ContentLength)
	if resp.StatusCode/100 == 2 && !ep.secretAnswer {
		// A success that echoes a credential (in a per-item message, say)
		// must not hand it on to the caller, a journal or a report.
		a.data = c.scrubberFor(st).body(a.data)
	}
	a.meta = newResponse(resp, st.attempt, a.data)
	if cs.response != nil {
		*cs.response = *a.meta
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
	var typeErr *json.UnmarshalTypeError
	dataOfOtherShape := errors.As(err, &typeErr)
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
	scrub := a.c.scrubberFor(a.st)
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
// errors, whose text carries the whole URL, query included, and the mark
// of an attempt that could not be prepared.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var prep *prepError
	if errors.As(err, &prep) {
		err = prep.err
	}
	return err
}
