package onboard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/onboardkit/onboard/internal/retry"
)

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
	// RetryAfter is the server's Retry-After, or 0; a longer ask than 24
	// hours, in seconds or as a date, reads as 24 hours.
	RetryAfter time.Duration
	// Attempts counts the attempts the call made, retries included.
	Attempts int
	// Envelope holds Aptly's envelope fields, from a success or a failure
	// answer; nil for the other services and when the body was not an
	// envelope.
	Envelope *Envelope
	// Body is the raw response body. A success body is kept whole (it is
	// within the client's cap); a failed call's is the same bounded copy as
	// APIError.Body, at most MaxErrorBodyBytes.
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

func newResponse(resp *http.Response, attempts int, body []byte) Response {
	r := Response{StatusCode: resp.StatusCode, Header: resp.Header, Attempts: max(attempts, 1), Body: body}
	for _, h := range requestIDHeaders {
		if v := resp.Header.Get(h); v != "" {
			r.RequestID = v
			break
		}
	}
	if d, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		r.RetryAfter = d
	}
	r.RateLimit.Limit = headerInt(resp.Header, "X-Rate-Limit-Limit")
	r.RateLimit.Remaining = headerInt(resp.Header, "X-Rate-Limit-Remaining")
	if v := resp.Header.Get("X-Rate-Limit-Reset"); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			r.RateLimit.Reset = time.Unix(secs, 0)
		}
	}
	return r
}

// headerInt returns the integer in h's header name, or 0 when it is absent
// or not one. An absent header is not parsed: a failed parse allocates.
func headerInt(h http.Header, name string) int {
	v := h.Get(name)
	if v == "" {
		return 0
	}
	n, _ := strconv.Atoi(v)
	return n
}

// successBody returns body to keep in a Response: body itself, or a copy
// when body sits in a buffer much larger than it, as one read without an
// announced length can leave it (see readCapped).
func successBody(body []byte) []byte {
	if cap(body) > 2*len(body) && cap(body) > 64<<10 {
		return append([]byte(nil), body...)
	}
	return body
}

func parseTimestamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
