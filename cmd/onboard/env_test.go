package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mapEnv is a getenv over a map.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeEnvFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "onboard.env")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	require.NoError(t, os.Chmod(path, mode))
	return path
}

func TestEnvFile(t *testing.T) {
	t.Parallel()
	path := writeEnvFile(t, "\ufeff# Aptly\n\nONBOARD_APTLY_URL=https://api.us.aptlydone.com/auth\n"+
		"export ONBOARD_APTLY_TOKEN = \"tok en\"\nONBOARD_ROYALTI_TOKEN='single'\nONBOARD_ATHENA_API_KEY=a=b\n", 0o600)
	env, err := loadEnvironment(path, mapEnv(map[string]string{
		"ONBOARD_APTLY_TOKEN":     "from-the-environment",
		"ONBOARD_APTLY_TENANT_ID": " 887fd99a-e3ab-44ac-8253-31f269599f2b ",
	}))
	require.NoError(t, err)
	assert.Equal(t, "https://api.us.aptlydone.com/auth", env.get(envAptlyURL))
	assert.Equal(t, "tok en", env.get(envAptlyToken), "the file wins over the environment")
	assert.Equal(t, "single", env.get(envRoyaltiToken))
	assert.Equal(t, "a=b", env.get(envAthenaKey), "a value may hold =")
	assert.Equal(t, "887fd99a-e3ab-44ac-8253-31f269599f2b", env.get(envAptlyTenant), "the environment fills what the file leaves out")
	assert.Empty(t, env.get(envRoyaltiURL))
}

// TestEnvFileRefusals checks that a bad env file is a usage error that
// names the line, never the value.
func TestEnvFileRefusals(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ content, msg string }{
		"not NAME=VALUE": {"ONBOARD_APTLY_URL=x\nsecret-value-1\n", "line 2 is not NAME=VALUE"},
		"unknown name":   {"ONBOARD_APTLY_TOKN=other\n", "line 1 sets a name onboard does not read"},
		"other name":     {"AWS_SECRET_ACCESS_KEY=secret-value-1\n", "line 1 sets a name onboard does not read"},
		"colon":          {"ONBOARD_APTLY_TOKEN: secret-value-1==\n", "line 1 sets a name onboard does not read"},
		"bare secret":    {"\nsecret-value-1=\n", "line 2 sets a name onboard does not read"},
		"spaced name":    {"ONBOARD_APTLY_TOKEN secret-value-1=x\n", "line 1 sets a name onboard does not read"},
	} {
		_, err := loadEnvironment(writeEnvFile(t, c.content, 0o600), mapEnv(nil))
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.msg, name)
			assert.NotContains(t, err.Error(), "secret-value-1", name)
			assert.ErrorAs(t, err, new(*usageError), name)
		}
	}
	_, err := loadEnvironment(filepath.Join(t.TempDir(), "missing.env"), mapEnv(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot read --env-file")
	_, err = loadEnvironment(t.TempDir(), mapEnv(nil))
	require.Error(t, err, "a directory")
}

func TestEnvFilePermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o666} {
		_, err := loadEnvironment(writeEnvFile(t, "ONBOARD_APTLY_TOKEN=secret-value-1\n", mode), mapEnv(nil))
		if assert.Error(t, err, mode.String()) {
			assert.Contains(t, err.Error(), "lets group or others read or change the credentials", mode.String())
			assert.Contains(t, err.Error(), "chmod 600")
			assert.NotContains(t, err.Error(), "secret-value-1")
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400, 0o700} {
		_, err := loadEnvironment(writeEnvFile(t, "ONBOARD_APTLY_TOKEN=x\n", mode), mapEnv(nil))
		assert.NoError(t, err, mode.String())
	}
}

func TestAptlyCredentials(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) *environment { return &environment{getenv: mapEnv(m)} }
	sf := &serviceFlags{}

	_, err := aptlyClient(env(map[string]string{envAptlyToken: "t"}), sf)
	require.ErrorAs(t, err, new(*usageError))
	assert.Contains(t, err.Error(), "ONBOARD_APTLY_URL is not set")

	_, err = aptlyClient(env(map[string]string{envAptlyURL: "https://api.us.aptlydone.com/auth"}), sf)
	require.ErrorAs(t, err, new(*usageError))
	assert.Contains(t, err.Error(), "set ONBOARD_APTLY_TOKEN or ONBOARD_APTLY_ACCESS_KEY")

	_, err = aptlyClient(env(map[string]string{envAptlyURL: "https://api.us.aptlydone.com/auth", envAptlyToken: "secret-a", envAptlyAccessKey: "secret-b"}), sf)
	require.ErrorAs(t, err, new(*usageError))
	assert.Contains(t, err.Error(), "set one")
	assert.NotContains(t, err.Error(), "secret-")

	_, err = aptlyClient(env(map[string]string{envAptlyURL: "http://example.com/auth", envAptlyToken: "secret-a"}), sf)
	require.ErrorAs(t, err, new(*usageError), "plain http off loopback")
	assert.NotContains(t, err.Error(), "secret-")

	c, err := aptlyClient(env(map[string]string{envAptlyURL: "https://api.us.aptlydone.com/auth", envAptlyAccessKey: "secret-b"}), sf)
	require.NoError(t, err)
	assert.NotContains(t, c.String(), "secret-b")

	_, err = aptlyTenant("", env(nil))
	require.ErrorAs(t, err, new(*usageError))
	_, err = aptlyTenant("tenant-1", env(nil))
	assert.ErrorContains(t, err, `the Aptly tenant "tenant-1" is not a UUID`)
	got, err := aptlyTenant("", env(map[string]string{envAptlyTenant: "887fd99a-e3ab-44ac-8253-31f269599f2b"}))
	require.NoError(t, err)
	assert.Equal(t, "887fd99a-e3ab-44ac-8253-31f269599f2b", got)
}
