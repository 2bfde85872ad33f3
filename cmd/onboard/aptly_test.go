package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseOnly runs cmd, made with a runF that stands in for its run, with
// args: the flags are parsed and checked, and nothing is read or sent.
func parseOnly(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(new(bytes.Buffer))
	cmd.SetErr(new(bytes.Buffer))
	return cmd.Execute()
}

// testFactory is a factory over an empty environment.
func testFactory() *factory {
	return newFactory(&app{getenv: func(string) string { return "" }, now: time.Now})
}

func TestAptlyInviteFlags(t *testing.T) {
	t.Parallel()
	var got *aptlyInviteOptions
	cmd := newAptlyInviteCmd(testFactory(), func(_ context.Context, o *aptlyInviteOptions) error {
		got = o
		return nil
	})
	require.NoError(t, parseOnly(cmd, "--file", "people.csv", "--tenant", "887fd99a-e3ab-44ac-8253-31f269599f2b",
		"--batch", "10", "--journal", "run.journal", "--resend-in-flight", "-o", "csv"))
	require.NotNil(t, got)
	assert.Equal(t, "people.csv", got.file)
	assert.Equal(t, "887fd99a-e3ab-44ac-8253-31f269599f2b", got.tenant)
	assert.Equal(t, 10, got.bulk.batch)
	assert.Equal(t, "run.journal", got.bulk.journal)
	assert.True(t, got.bulk.resendInFlight)
	assert.Equal(t, outputCSV, got.io.format)
	assert.NotNil(t, got.client, "the client comes from the factory, when the run asks")
}

func TestAptlyInviteFlagsRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"--file", "people.csv", "--dry-run", "--journal", "j"},
		{"--file", "people.csv", "--resend-in-flight"},
		{"--file", "people.csv", "-o", "yaml"},
	} {
		cmd := newAptlyInviteCmd(testFactory(), func(context.Context, *aptlyInviteOptions) error {
			t.Errorf("%v: the run was reached", args)
			return nil
		})
		cmd.SetOut(new(bytes.Buffer))
		cmd.SetErr(new(bytes.Buffer))
		err := parseOnly(cmd, args...)
		assert.ErrorAs(t, err, new(*usageError), "%v", args)
	}
}

func TestAptlyResendFlags(t *testing.T) {
	t.Parallel()
	var got *aptlyResendOptions
	cmd := newAptlyResendCmd(testFactory(), func(_ context.Context, o *aptlyResendOptions) error {
		got = o
		return nil
	})
	require.NoError(t, parseOnly(cmd, "--pending", "--older-than", "168h", "--batch", "1"))
	require.NotNil(t, got)
	assert.True(t, got.sel.pending)
	assert.Equal(t, 168*time.Hour, got.sel.olderThan)
	assert.Equal(t, 1, got.bulk.batch)
	assert.Equal(t, outputTable, got.io.format)
}
