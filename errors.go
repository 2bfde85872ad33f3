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

// Sentinel errors match any service's failure with errors.Is.
var (
	// ErrInvalidRequest matches a *ValidationError.
	ErrInvalidRequest = errors.New("onboard: invalid request")
	// ErrBadRequest matches HTTP 400 or 422.
	ErrBadRequest = errors.New("onboard: bad request")
	// ErrUnauthorized matches HTTP 401.
	ErrUnauthorized = errors.New("onboard: unauthorized")
	// ErrForbidden matches HTTP 403.
	ErrForbidden = errors.New("onboard: forbidden")
	ErrNotFound  = errors.New("onboard: not found")
	// ErrConflict matches HTTP 409, such as a person who already exists.
	ErrConflict = errors.New("onboard: conflict")
	// ErrRateLimited matches HTTP 429 after the last retry.
	ErrRateLimited = errors.New("onboard: rate limited")
	ErrServer      = errors.New("onboard: server error")
	// ErrUnexpectedResponse matches a 2xx answer unreadable or over the cap.
	ErrUnexpectedResponse = errors.New("onboard: unexpected response")
)

// maxErrorBodyBytes bounds what an *APIError keeps of a body.
const maxErrorBodyBytes = 64 << 10

// errorReadBytes is how much of a body is read for an error's copy: a little
// more, so that a credential echoed across the cut is found and redacted.
const errorReadBytes = maxErrorBodyBytes + 8<<10

// bodyLimit is how much of a body with the given status is read: the
// client's cap, or for a failure status about what an error keeps.
func bodyLimit(status int, maxBody int64) int64 {
	if status < 200 || status > 299 {
		return min(maxBody, errorReadBytes)
	}
	return maxBody
}

// APIError reports a request the server answered with a failure: a non-2xx
// status, an Aptly envelope reporting failure, or an unreadable success.
type APIError struct {
	// Method and Path name the request, never its query.
	Method     string
	Path       string
	StatusCode int
	// EnvelopeStatusCode is an Aptly envelope's statusCode, or 0.
	EnvelopeStatusCode int
	// Message, Code and Details are as sent; Error masks addresses in them.
	Message   string
	Code      string
	Details   []string
	RequestID string
	// RetryAfter is the server's asked wait, or 0; over 24 hours reads as 24.
	RetryAfter time.Duration
	Attempts   int
	// Body is the body, echoed credentials replaced, cut at 64 KiB.
	Body   []byte
	Header http.Header

	kind error // ErrUnexpectedResponse for undecodable 2xx bodies
	err  error
}

// Error describes the failure in one line, never with a credential, query
// or body, emails masked.
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

// Is matches the sentinel for the error's status.
func (e *APIError) Is(target error) bool {
	switch s := e.effectiveStatus(); {
	case e.kind != nil:
		return target == e.kind
	case s >= 500:
		return target == ErrServer
	default:
		return target != nil && target == statusSentinels[s]
	}
}

var statusSentinels = map[int]error{
	http.StatusBadRequest: ErrBadRequest, http.StatusUnprocessableEntity: ErrBadRequest,
	http.StatusUnauthorized: ErrUnauthorized, http.StatusForbidden: ErrForbidden, http.StatusNotFound: ErrNotFound,
	http.StatusConflict: ErrConflict, http.StatusTooManyRequests: ErrRateLimited,
}

// effectiveStatus is a failing envelope's status, else the HTTP status.
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
	// Field is a path such as "users[3].email"; Message may quote the input.
	Field   string
	Message string
}

// String renders "field: message", emails masked.
func (f FieldError) String() string { return mask.String(f.Field + ": " + f.Message) }

// ValidationError reports every problem with input refused before sending.
type ValidationError struct {
	// Op names the call, such as "aptly: Users.Create".
	Op       string
	Problems []FieldError
}

// Error lists every problem, emails masked.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return mask.String(fmt.Sprintf("onboard: %s: invalid request, nothing was sent: %s", e.Op, strings.Join(parts, "; ")))
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// errorBody returns the bounded copy of body an *APIError keeps, and what
// it says; env, if read from the whole body, still tells the failure.
func errorBody(body []byte, env *Envelope) ([]byte, errbody.Parsed) {
	kept := append([]byte(nil), body[:min(len(body), maxErrorBodyBytes)]...)
	p := errbody.Parse(kept)
	if len(kept) < len(body) && p.EnvelopeStatus == 0 && env != nil && env.StatusCode >= 100 && env.StatusCode <= 599 {
		p.EnvelopeStatus = env.StatusCode
	}
	return kept, p
}

// validationError returns op's problems as a *ValidationError, or nil.
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

// present notes in p a nil request, and reports whether r is one to check.
func present[T any](p *validate.Problems, r *T) bool {
	if r == nil {
		p.Add("request", "is nil")
	}
	return r != nil
}

// RequestError reports a call that got no answer: the connection failed,
// the context ended, or the credential could not be added.
type RequestError struct {
	// Op names the call, such as "aptly: Invites.SendBulk".
	Op           string
	Method, Path string
	Attempts     int
	// Err is the cause, for errors.Is.
	Err error
}

// Error says what failed and why, emails masked.
func (e *RequestError) Error() string {
	return mask.String(fmt.Sprintf("onboard: %s %s: no response after %d attempt(s): %v", e.Method, e.Path, e.Attempts, e.Err))
}

func (e *RequestError) Unwrap() error { return e.Err }
