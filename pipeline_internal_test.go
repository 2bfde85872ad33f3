package onboard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each call gets its own loop: go-retryablehttp's RetryMax is the call's
// retries (the client's, or WithRetry's for that call), no logging hook
// does work, and the call's settings reach the transport as the loop's
// fields.
func TestNewCallLoop(t *testing.T) {
	t.Parallel()
	c, err := newClient("test", "http://127.0.0.1:1", BearerToken("tok_0123456789"), nil,
		[]Option{WithRetry(3), WithTimeout(time.Second)})
	require.NoError(t, err)

	l, err := c.newCallLoop(endpoint{op: "Test"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, l.retry.RetryMax, "the client's retries")
	assert.Equal(t, time.Second, l.timeout)
	assert.Nil(t, l.retry.RequestLogHook, "no work in a logging hook")
	assert.Nil(t, l.retry.Logger, "go-retryablehttp's default logger writes to stderr")
	assert.Same(t, &l.http, l.retry.HTTPClient)
	assert.Same(t, l, l.http.Transport, "the loop is the call's transport")
	assert.NotNil(t, l.http.CheckRedirect, "the redirect rule")

	one, err := c.newCallLoop(endpoint{op: "Test", noAuth: true},
		[]CallOption{WithRetry(0), WithTimeout(2 * time.Second), redacting("ak_SECRET_0123")})
	require.NoError(t, err)
	assert.Equal(t, 0, one.retry.RetryMax, "WithRetry given to the call")
	assert.Equal(t, 2*time.Second, one.timeout)
	assert.True(t, one.noAuth)
	assert.Equal(t, []string{"ak_SECRET_0123"}, one.cs.secrets)
	assert.Equal(t, 3, l.retry.RetryMax, "another call's loop is untouched")

	_, err = c.newCallLoop(endpoint{op: "Test"}, []CallOption{WithRetry(-1)})
	require.ErrorContains(t, err, "onboard: Test: WithRetry: -1 is negative")
}
