package onboard_test

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a retry
// timer, a batch worker, a response body never closed, or a connection of a
// client nobody closed would each keep one alive.
//
// Nothing is ignored. Every keep-alive connection a client still holds has a
// read and a write goroutine; rather than ignore those, the tests close them:
// every test client has a transport of its own, closed when its test ends
// (see clientOptions), httptest.Server.Close closes the idle connections of
// http.DefaultTransport and of the server's Client, and idleClosing closes
// http.DefaultTransport's once more after the last test, for requests that
// went through it to something other than an httptest server. goleak
// retries for a while before it reports, which covers connections still
// closing when it first looks.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(idleClosing{m})
}

// idleClosing runs the tests, then closes the idle connections of
// http.DefaultTransport. See TestMain.
type idleClosing struct{ m *testing.M }

func (c idleClosing) Run() int {
	code := c.m.Run()
	http.DefaultClient.CloseIdleConnections()
	return code
}
