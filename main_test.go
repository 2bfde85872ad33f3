package onboard

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
// httptest.Server.Close closes the idle connections of http.DefaultTransport
// and of the server's Client, tests with a transport of their own close it in
// t.Cleanup, and hardIdleClosing closes http.DefaultTransport's once more
// after the last test, for clients that talked to something other than an
// httptest server. goleak retries for a while before it reports, which covers
// connections still closing when it first looks.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(hardIdleClosing{m})
}

// hardIdleClosing runs the tests, then closes the idle connections of
// http.DefaultTransport. See TestMain.
type hardIdleClosing struct{ m *testing.M }

func (h hardIdleClosing) Run() int {
	code := h.m.Run()
	http.DefaultClient.CloseIdleConnections()
	return code
}
