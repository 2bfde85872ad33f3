package retry

import (
	"net/http"
	"testing"
	"time"
)

// FuzzRetryAfter feeds any Retry-After value a server could send to
// ParseRetryAfter and Backoff. The wait must never be negative, a value in
// either form is capped at MaxRetryAfter, and Backoff never waits longer than
// its maximum, whatever the header says. The seeds run in every go test.
//
//	go test -run '^$' -fuzz '^FuzzRetryAfter$' -fuzztime 30s ./internal/retry
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{
		"0", "1", "120", " 3 ", "-1", "+5", "1.5", "99999999999999999999", "86401",
		"Mon, 12 Jan 2026 09:10:15 GMT",  // RFC 1123, 3s after now below
		"Monday, 12-Jan-26 09:10:15 GMT", // RFC 850
		"Mon Jan 12 09:10:15 2026",       // ANSI C
		"Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "soon", "",
	} {
		f.Add(v)
	}
	now := time.Date(2026, 1, 12, 9, 10, 12, 0, time.UTC)
	const lo, hi = time.Millisecond, 20 * time.Millisecond
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 {
			t.Errorf("ParseRetryAfter(%q) = %s", v, d)
		}
		if !ok && d != 0 {
			t.Errorf("ParseRetryAfter(%q) = %s but not ok", v, d)
		}
		if d > MaxRetryAfter {
			t.Errorf("ParseRetryAfter(%q) = %s, over %s", v, d, MaxRetryAfter)
		}
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError} {
			resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {v}}}
			for attempt := range 3 {
				if w := Backoff(lo, hi, attempt, resp); w < 0 || w > hi {
					t.Errorf("Backoff(attempt %d, %d, Retry-After %q) = %s, outside [0, %s]", attempt, status, v, w, hi)
				}
			}
		}
	})
}
