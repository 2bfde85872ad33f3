//go:build unix

package main

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFakeStopsOnSIGTERM checks that SIGTERM stops the fake with status 0,
// as SIGINT does in testdata/script/fake.txtar. Not parallel: the signal
// goes to the whole test process, and parallel tests are paused while it
// runs.
func TestFakeStopsOnSIGTERM(t *testing.T) {
	f := startFake(t)
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGTERM))
	select {
	case code := <-f.done:
		assert.Equal(t, exitOK, code, "stderr: %s", f.stderr)
	case <-timeout():
		f.cancel()
		require.FailNow(t, "SIGTERM did not stop the fake")
	}
	assert.Equal(t, "onboard fake: stopping\nonboard fake: stopped\n", f.stderr.String())
	assert.NoFileExists(t, f.ready)
}
