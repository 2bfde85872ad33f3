package pace

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPacer_Note(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_767_225_600, 0)
	reset := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name             string
		remaining, reset string
		want             time.Time
	}{
		{name: "requests remain: no hold", remaining: "3", reset: reset(30 * time.Second)},
		{name: "window spent: hold until its reset", remaining: "0", reset: reset(30 * time.Second), want: now.Add(30 * time.Second)},
		{name: "a reset past MaxHold is cut to it", remaining: "0", reset: reset(time.Hour), want: now.Add(MaxHold)},
		{name: "no reset: no hold", remaining: "0"},
		{name: "no headers: no hold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p Pacer
			h := http.Header{}
			if tt.remaining != "" {
				h.Set("X-Rate-Limit-Remaining", tt.remaining)
			}
			if tt.reset != "" {
				h.Set("X-Rate-Limit-Reset", tt.reset)
			}
			p.Note(h, now)
			assert.True(t, tt.want.Equal(p.until), "until %v, want %v", p.until, tt.want)
		})
	}
}

type refuse struct{}

func (refuse) Wait(context.Context) error { return errors.New("refused") }

func TestPacer_Wait(t *testing.T) {
	t.Parallel()
	assert.NoError(t, new(Pacer).Wait(t.Context()), "nothing to wait for")
	assert.EqualError(t, (&Pacer{Limiter: refuse{}}).Wait(t.Context()), "refused")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	held := &Pacer{until: time.Now().Add(MaxHold)}
	assert.ErrorIs(t, held.Wait(ctx), context.Canceled, "a hold ends with the context")
}
