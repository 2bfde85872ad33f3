package retry

import (
	"testing"
	"time"
)

// FuzzRetryAfter feeds any Retry-After value a server could send to
// ParseRetryAfter. The wait must never be negative, and a value in either
// form is capped at MaxRetryAfter. The seeds run in every go test.
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
	})
}
