package onboard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/onboardkit/onboard/internal/retry"
)

// Response is the metadata of one call's last HTTP response (WithResponse).
type Response struct {
	StatusCode int
	Header     http.Header
	// RequestID is the server's request id header, if sent.
	RequestID string
	// RateLimit holds AthenaHQ's x-rate-limit-* headers, if sent.
	RateLimit RateLimit
	// RetryAfter is as APIError.RetryAfter.
	RetryAfter time.Duration
	Attempts   int
	// Envelope holds Aptly's envelope fields; nil for other answers.
	Envelope *Envelope
	// Body is the raw body: whole for a success, as APIError.Body for a failure.
	Body []byte
}

// RateLimit is the server's account of the caller's request quota.
type RateLimit struct {
	// Limit requests are allowed in the window; Remaining are left, until Reset.
	Limit     int
	Remaining int
	Reset     time.Time
}

// Envelope holds the fields around Aptly's data.
type Envelope struct {
	// StatusCode can differ from the HTTP status (201 with 200 inside).
	StatusCode int
	Timestamp  time.Time
	Message    string
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

// headerInt returns the integer in h's header name, or 0.
func headerInt(h http.Header, name string) int {
	v := h.Get(name)
	if v == "" {
		return 0 // without the error Atoi would allocate
	}
	n, _ := strconv.Atoi(v)
	return n
}

// successBody returns body, or a copy when it sits in a much larger buffer.
func successBody(body []byte) []byte {
	if cap(body) > 2*len(body) && cap(body) > 64<<10 {
		return append([]byte(nil), body...)
	}
	return body
}

// parseTimestamp returns the time s says, or the zero time.
func parseTimestamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
