package onboardtest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: the
// fake starts an HTTP server, handlers that wait out latency, and rate-limit
// and fault timers, and a client connection left open keeps a read and a
// write goroutine alive. Nothing is ignored; the tests close what they open.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
