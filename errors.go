package onboard

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onboardkit/onboard/internal/errbody"
	"github.com/onboardkit/onboard/internal/mask"
	"github.com/onboardkit/onboard/internal/validate"
)

// Sentinel errors let callers branch on the kind of failure with errors.Is,
// whatever the service: errors.Is(err, onboard.ErrConflict).
var (
	// ErrInvalidRequest matches a *ValidationError: the input was refused
	// before any request was sent.
	ErrInvalidRequest = errors.New("onboard: invalid request")
	// ErrBadRequest matches an *APIError for HTTP 400 or 422.
	ErrBadRequest = errors.New("onboard: bad request")
	// ErrUnauthorized matches an *APIError for HTTP 401: the credential is
	// missing, wrong or expired.
	ErrUnauthorized = errors.New("onboard: unauthorized")
	// ErrForbidden matches an *APIError for HTTP 403: the credential may not
	// do this (AthenaHQ group invites need a global API key).
	ErrForbidden = errors.New("onboard: forbidden")
	// ErrNotFound matches an *APIError for HTTP 404.
	ErrNotFound = errors.New("onboard: not found")
	// ErrConflict matches an *APIError for HTTP 409, such as a person who
	// already exists.
	ErrConflict = errors.New("onboard: conflict")
	// ErrRateLimited matches an *APIError for HTTP 429 that was still
	// limited after the last retry.
	ErrRateLimited = errors.New("onboard: rate limited")
	// ErrServer matches an *APIError for any HTTP 5xx.
	ErrServer = errors.New("onboard: server error")
	// ErrUnexpectedResponse matches an *APIError for a 2xx answer whose body
	// is not the documented JSON, or is larger than the client's cap.
	ErrUnexpectedResponse = errors.New("onboard: unexpected response")
)

// MaxErrorBodyBytes bounds what an *APIError keeps of a response body, and
// what Response.Body keeps of a failed call's. A body with a failure status
// is read no further than this; a larger success body that fails to decode
// is read up to the client's cap, and only this much of it is kept.
const MaxErrorBodyBytes = 64 << 10

// APIError reports a request the server answered with a failure: any non-2xx
// status, an Aptly envelope whose statusCode reports failure, or a success
// status whose body could not be read as the documented JSON.
type APIError struct {
	// Method and Path name the request (the path never carries the query).
	Method string
	Path   string
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// EnvelopeStatusCode is the statusCode field of an Aptly envelope, or 0.
	// It can differ from StatusCode: Aptly answers HTTP 201 with 200 inside.
	EnvelopeStatusCode int
	// Message and Code are the server's own words, read from whichever
	// error shape the service uses; Details holds any listed field errors.
	// They are kept as sent, email addresses included; Error() masks the
	// addresses.
	Message string
	Code    string
	Details []string
	// RequestID is the server's request id header, when it sent one.
	RequestID string
	// RetryAfter is how long the server asked the caller to wait, or 0;
	// a longer ask, in seconds or as a date, reads as 24 hours.
	RetryAfter time.Duration
	// Attempts counts the attempts made, retries included.
	Attempts int
	// Body is a copy of the response body, with any credential the server
	// echoed replaced, cut at MaxErrorBodyBytes (or at the client's cap,
	// if that is smaller), so that an error kept for long holds little.
	Body []byte
	// Header holds the response headers of the last attempt.
	Header http.Header

	kind error // ErrUnexpectedResponse for undecodable 2xx bodies
	err  error // underlying decode error, if any
}

// Error describes the failure in one line with what to do about it. It never
// contains a credential, a query string or the request body, and shows an
// email address in the server's words only masked, as a***@example.com.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "onboard: %s %s: ", e.Method, e.Path)
	if errors.Is(e.kind, ErrUnexpectedResponse) {
		fmt.Fprintf(&b, "HTTP %d with a body that is not the documented JSON", e.StatusCode)
		if e.err != nil {
			fmt.Fprintf(&b, " (%v)", e.err)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, ": %q", e.Message)
		}
	} else {
		status := e.effectiveStatus()
		fmt.Fprintf(&b, "%d %s", status, http.StatusText(status))
		if e.EnvelopeStatusCode != 0 && e.EnvelopeStatusCode != e.StatusCode {
			fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
		if len(e.Details) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(e.Details, "; "))
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString("; ")
		b.WriteString(hint)
	}
	return mask.String(b.String())
}

// Unwrap returns the decode error behind an unexpected response, if any.
func (e *APIError) Unwrap() error { return e.err }

// Is lets errors.Is match the sentinel for the error's status.
func (e *APIError) Is(target error) bool {
	if e.kind != nil {
		return target == e.kind
	}
	switch status := e.effectiveStatus(); {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return target == ErrBadRequest
	case status == http.StatusUnauthorized:
		return target == ErrUnauthorized
	case status == http.StatusForbidden:
		return target == ErrForbidden
	case status == http.StatusNotFound:
		return target == ErrNotFound
	case status == http.StatusConflict:
		return target == ErrConflict
	case status == http.StatusTooManyRequests:
		return target == ErrRateLimited
	case status >= 500:
		return target == ErrServer
	}
	return false
}

// Temporary reports whether repeating the same request later may succeed:
// rate limits and server errors.
func (e *APIError) Temporary() bool {
	s := e.effectiveStatus()
	return e.kind == nil && (s == http.StatusTooManyRequests || s >= 500)
}

// effectiveStatus is the status that describes the failure: the envelope's
// when a 2xx envelope reports failure, otherwise the HTTP status.
func (e *APIError) effectiveStatus() int {
	if e.StatusCode/100 == 2 && e.EnvelopeStatusCode >= 400 {
		return e.EnvelopeStatusCode
	}
	return e.StatusCode
}

func (e *APIError) hint() string {
	if errors.Is(e.kind, ErrUnexpectedResponse) {
		return "check the client's base URL points at the service's API"
	}
	switch s := e.effectiveStatus(); {
	case s == http.StatusUnauthorized:
		return "check the credential given to the client's constructor"
	case s == http.StatusForbidden:
		return "the credential may not do this; AthenaHQ group invites need a global API key"
	case s == http.StatusNotFound:
		return "check the base URL and the ids in the request"
	case s == http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("rate limited: wait %s before trying again, or lower the request rate", e.RetryAfter)
		}
		return "rate limited: wait before trying again, or lower the request rate"
	case s >= 500:
		return "the service failed; it may have done part of the work, so check before repeating"
	}
	return ""
}

// FieldError is one problem with one field of a request.
type FieldError struct {
	// Field is the path of the field, such as "users[3].email".
	Field string
	// Message says what is wrong with it. It may quote the input as given,
	// email addresses included.
	Message string
}

// String renders the problem as "field: message", with any email address
// masked (a***@example.com).
func (f FieldError) String() string { return mask.String(f.Field + ": " + f.Message) }

// ValidationError reports input that was refused before any request was
// sent. It lists every problem found, not just the first.
type ValidationError struct {
	// Op names the service and operation that refused the input, such as
	// "aptly: Users.Create".
	Op string
	// Problems lists each field that is wrong, in the order found.
	Problems []FieldError
}

// Error lists every problem; fix them all and call again. Email addresses in
// the input it quotes are masked (a***@example.com).
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return mask.String(fmt.Sprintf("onboard: %s: invalid request, nothing was sent: %s", e.Op, strings.Join(parts, "; ")))
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// errorBody returns the bounded copy of body that an *APIError keeps, and
// what it says. env is the Aptly envelope already read from the whole body,
// if any: when the copy is cut, its status still tells the failure.
func errorBody(body []byte, env *Envelope) ([]byte, errbody.Parsed) {
	kept := append([]byte(nil), body[:min(len(body), MaxErrorBodyBytes)]...)
	p := errbody.Parse(kept)
	if len(kept) < len(body) && p.EnvelopeStatus == 0 && env != nil && env.StatusCode >= 100 && env.StatusCode <= 599 {
		p.EnvelopeStatus = env.StatusCode
	}
	return kept, p
}

// validationError turns the problems found in op's input into a
// *ValidationError, or nil when there are none.
func validationError(op string, p *validate.Problems) error {
	if p.Empty() {
		return nil
	}
	list := p.List()
	fe := make([]FieldError, len(list))
	for i, pr := range list {
		fe[i] = FieldError{Field: pr.Field, Message: pr.Message}
	}
	return &ValidationError{Op: op, Problems: fe}
}

// RequestError reports a call that got no answer from the server: the
// connection failed, the context ended, or the credential could not be added.
type RequestError struct {
	// Op is the service and SDK method, such as "aptly: Invites.SendBulk".
	Op string
	// Method and Path name the request (never its query).
	Method, Path string
	// Attempts counts the attempts made.
	Attempts int
	// Err is the cause; errors.Is(err, context.Canceled) and the like work.
	Err error
}

// Error says what failed and why. An email address in the cause's text (an
// error of a BearerTokenFunc, say) is masked (a***@example.com); Err keeps
// the cause as it is.
func (e *RequestError) Error() string {
	return mask.String(fmt.Sprintf("onboard: %s %s: no response after %d attempt(s): %v", e.Method, e.Path, e.Attempts, e.Err))
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }
