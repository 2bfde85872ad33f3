package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// TestFactoryReadsEnvFileOnce checks that the factory reads --env-file
// once, and builds each service's client from it over the environment.
func TestFactoryReadsEnvFileOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "onboard.env")
	require.NoError(t, os.WriteFile(path, []byte("ONBOARD_ROYALTI_TOKEN="+onboardtest.RoyaltiToken+"\n"), 0o600))
	f := newFactory(&app{getenv: mapEnv(map[string]string{
		envAptlyURL: "http://127.0.0.1:1/aptly/auth", envAptlyToken: "t",
		envRoyaltiURL: "http://127.0.0.1:1/royalti/auth",
	}), now: time.Now})
	f.flags.envFile = path

	first, err := f.environment()
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	again, err := f.environment()
	require.NoError(t, err, "read once: the file is not read again")
	assert.Same(t, first, again)

	_, err = f.aptly()
	assert.NoError(t, err)
	_, err = f.royalti()
	assert.NoError(t, err, "the token comes from the file")
	_, err = f.athena()
	assert.ErrorContains(t, err, "ONBOARD_ATHENA_URL is not set")
}
