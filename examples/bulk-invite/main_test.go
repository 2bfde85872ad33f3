package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

func noEnv(string) string { return "" }

// invite runs the program and returns its exit status, its records (the
// header left out) and its stderr.
func invite(t *testing.T, in, journal string, getenv func(string) string) (int, [][]string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), in, journal, getenv, &stdout, &stderr)
	records, err := csv.NewReader(&stdout).ReadAll()
	require.NoError(t, err)
	if len(records) > 0 {
		assert.Equal(t, []string{"row", "email", "outcome", "reason"}, records[0])
		records = records[1:]
	}
	return code, records, stderr.String()
}

// TestSample runs the sample against the in-process fake: one line per
// person, the repeat and the invalid address say so, and the exit status
// is 1 as someone was not invited.
func TestSample(t *testing.T) {
	t.Parallel()
	code, records, stderr := invite(t, "", "", noEnv)
	assert.Equal(t, 1, code, stderr)
	require.Len(t, records, strings.Count(sample, "\n")-1, "one line per person")
	for i, r := range records {
		switch r[1] {
		case "not-an-email":
			assert.Equal(t, "not sent", r[2])
			assert.Contains(t, r[3], "is not a valid email address")
		case "Grace.Hopper@example.com":
			assert.Equal(t, []string{"7", "succeeded", "repeats row 2, whose outcome it shares"}, []string{r[0], r[2], r[3]})
		default:
			assert.Equal(t, "succeeded", r[2], "row %d", i+1)
		}
	}
}

// TestResume runs a file twice with one journal: the second run sends
// nothing and prints every outcome from the journal.
func TestResume(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	env := map[string]string{
		"ONBOARD_APTLY_URL":       srv.AptlyURL(),
		"ONBOARD_APTLY_TOKEN":     onboardtest.AptlyToken,
		"ONBOARD_APTLY_TENANT_ID": "887fd99a-e3ab-44ac-8253-31f269599f2b",
	}
	getenv := func(k string) string { return env[k] }
	dir := t.TempDir()
	in, journal := filepath.Join(dir, "people.csv"), filepath.Join(dir, "run.journal")
	require.NoError(t, os.WriteFile(in, []byte("email,first_name,last_name\nada@example.com,Ada,Lovelace\ngrace@example.com,Grace,Hopper\n"), 0o600))

	code, first, stderr := invite(t, in, journal, getenv)
	require.Equal(t, 0, code, stderr)
	sent := srv.RequestCount("/v1/user/bulk-invite")
	require.Positive(t, sent)

	code, again, stderr := invite(t, in, journal, getenv)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, first, again, "the same outcomes, from the journal")
	assert.Equal(t, sent, srv.RequestCount("/v1/user/bulk-invite"), "nothing is sent again")
}

// TestBadInput checks that a file the program cannot read is exit status 2.
func TestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wrong := filepath.Join(dir, "wrong.csv")
	require.NoError(t, os.WriteFile(wrong, []byte("mail\nada@example.com\n"), 0o600))
	for _, in := range []string{wrong, filepath.Join(dir, "missing.csv")} {
		code, records, stderr := invite(t, in, "", noEnv)
		assert.Equal(t, 2, code, in)
		assert.Empty(t, records, in)
		assert.True(t, strings.HasPrefix(stderr, "bulk-invite: "), stderr)
	}
}
