package retry

import (
	"context"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An answer that arrived and is not to be retried is handed back even when
// the context ended just after it came: the caller must see a 2xx as done,
// not as "no answer". Answers that would be retried, and failures with no
// answer, still end with the context's error.
func TestPolicy_CheckHandsBackAnswerAfterContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, p := range []Policy{{}, {ServerErrors: true}} {
		for _, status := range []int{200, 201, 400, 401, 409, 501} {
			again, err := p.Check(ctx, response(status), nil)
			assert.False(t, again, "%d", status)
			assert.NoError(t, err, "%d: the answer must be handed back", status)
		}
		for _, resp := range []*http.Response{response(429), response(503, "Retry-After", "1")} {
			again, err := p.Check(ctx, resp, nil)
			assert.False(t, again)
			assert.ErrorIs(t, err, context.Canceled, "%d would be retried; the context ended", resp.StatusCode)
		}
		again, err := p.Check(ctx, nil, urlErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET}))
		assert.False(t, again)
		assert.ErrorIs(t, err, context.Canceled, "no answer came")
	}
	// A 500 is handed back by default, and ends with the context's error
	// only when it would have been retried.
	again, err := Policy{}.Check(ctx, response(500), nil)
	assert.False(t, again)
	assert.NoError(t, err)
	again, err = Policy{ServerErrors: true}.Check(ctx, response(500), nil)
	assert.False(t, again)
	assert.ErrorIs(t, err, context.Canceled)
}
