// Package pace spaces a client's requests: a rate limiter, if any, and a
// hold while the server's x-rate-limit-* headers say its window is spent.
package pace

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter is a rate limiter, such as a *rate.Limiter.
type Limiter interface {
	Wait(ctx context.Context) error
}

// MaxHold bounds a hold: a reset past AthenaHQ's one-minute window is not believed.
const MaxHold = time.Minute

// Pacer paces the attempts of one client; each waits for it before its
// timeout starts. The zero value holds only when the server asks.
type Pacer struct {
	Limiter Limiter // nil: none

	mu    sync.Mutex
	until time.Time // no attempt leaves before this
}

// Wait returns when an attempt may be sent, or with ctx's error.
func (p *Pacer) Wait(ctx context.Context) error {
	if p.Limiter != nil {
		if err := p.Limiter.Wait(ctx); err != nil {
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

// Note reads the rate-limit headers of an answer: when the server says no
// request remains in its window, no attempt leaves before the window's
// reset (at most MaxHold from now).
func (p *Pacer) Note(h http.Header, now time.Time) {
	remaining, err := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	if err != nil || remaining > 0 {
		return
	}
	secs, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err != nil {
		return
	}
	reset := time.Unix(secs, 0)
	if limit := now.Add(MaxHold); reset.After(limit) {
		reset = limit
	}
	p.mu.Lock()
	if reset.After(p.until) {
		p.until = reset
	}
	p.mu.Unlock()
}
