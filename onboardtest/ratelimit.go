package onboardtest

import (
	"net/http"
	"strconv"
	"time"
)

// rateLimiter is a fixed-window counter per credential.
type rateLimiter struct {
	n       int
	per     time.Duration
	windows map[string]*rateWindow
}

type rateWindow struct {
	end   time.Time
	count int
}

func (rl *rateLimiter) set(n int, per time.Duration) {
	if n <= 0 || per <= 0 {
		n, per = 0, 0
	}
	rl.n, rl.per = n, per
	rl.windows = make(map[string]*rateWindow)
}

// SetRateLimit allows n requests per credential (bearer token, API key, or
// none) in each fixed window of length per; the window starts at the first
// request after the previous one ended. While a limit is set every answer
// carries x-rate-limit-limit, x-rate-limit-remaining and x-rate-limit-reset
// (unix seconds at which the window ends, rounded up), and a request over the
// limit gets 429 in the service's error shape with retry-after (whole
// seconds until the window ends, at least 1). n <= 0 or per <= 0 removes the
// limit. Setting a limit starts every window afresh.
func (s *Server) SetRateLimit(n int, per time.Duration) {
	s.rlMu.Lock()
	s.rl.set(n, per)
	s.rlMu.Unlock()
}

// rateCheck counts the request against its credential's window. It returns
// the rate-limit headers (nil when no limit is set), and whether the request
// is over the limit with the seconds to wait.
func (s *Server) rateCheck(svc service, r *http.Request, now time.Time) (http.Header, int, bool) {
	s.rlMu.Lock()
	defer s.rlMu.Unlock()
	rl := &s.rl
	if rl.n == 0 {
		return nil, 0, false
	}
	key := strconv.Itoa(int(svc)) + "\x00" + credential(svc, r)
	w := rl.windows[key]
	if w == nil || !now.Before(w.end) {
		w = &rateWindow{end: now.Add(rl.per)}
		rl.windows[key] = w
	}
	limited := w.count >= rl.n
	if !limited {
		w.count++
	}
	reset := w.end.Unix()
	if w.end.Nanosecond() != 0 {
		reset++
	}
	h := make(http.Header, 4)
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(rl.n))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(rl.n-w.count))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
	if !limited {
		return h, 0, false
	}
	wait := w.end.Sub(now)
	secs := int(wait / time.Second)
	if wait%time.Second != 0 {
		secs++
	}
	secs = max(secs, 1)
	h.Set("Retry-After", strconv.Itoa(secs))
	return h, secs, true
}

// rateLimited is the 429 answer in svc's shape.
func (s *Server) rateLimited(svc service, retryAfter int, now time.Time) reply {
	var msg string
	switch svc {
	case serviceAptly:
		msg = "ThrottlerException: Too Many Requests"
	case serviceAthena:
		msg = "Rate limit exceeded. Try again in " + strconv.Itoa(retryAfter) + " seconds."
	default:
		msg = "Too many requests, please try again later."
	}
	return s.errorReply(svc, http.StatusTooManyRequests, msg, now)
}
