package onboard

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer spaces a client's requests: a rate limiter, if any, and a hold
// while the server's x-rate-limit-* headers say its window is spent. Each
// attempt waits for it before its timeout starts (callLoop.RoundTrip).
type pacer struct {
	limiter limiter // nil: no limiter

	mu    sync.Mutex
	until time.Time // no attempt leaves before this
}

// limiter is what WithRateLimiter takes: a *rate.Limiter, or any other.
type limiter interface {
	Wait(ctx context.Context) error
}

// maxHold bounds a hold: a reset past AthenaHQ's one-minute window is not believed.
const maxHold = time.Minute

// athenaLimiter is an AthenaClient's default pacing (see AthenaClient).
func athenaLimiter() *rate.Limiter {
	return rate.NewLimiter(rate.Every(athenaRequestInterval), 1)
}

// wait returns when an attempt may be sent, or with ctx's error.
func (p *pacer) wait(ctx context.Context) error {
	if p.limiter != nil {
		if err := p.limiter.Wait(ctx); err != nil {
			return err
		}
	}
	p.mu.Lock()
	hold := time.Until(p.until)
	p.mu.Unlock()
	if hold <= 0 {
		return nil
	}
	t := time.NewTimer(hold)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// note reads the rate-limit headers of an answer: when the server says no
// request remains in its window, no attempt leaves before the window's
// reset (at most maxHold from now).
func (p *pacer) note(h http.Header, now time.Time) {
	remaining, err := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	if err != nil || remaining > 0 {
		return
	}
	secs, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err != nil {
		return
	}
	reset := time.Unix(secs, 0)
	if limit := now.Add(maxHold); reset.After(limit) {
		reset = limit
	}
	p.mu.Lock()
	if reset.After(p.until) {
		p.until = reset
	}
	p.mu.Unlock()
}
