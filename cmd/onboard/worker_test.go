package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
	onboardriver "github.com/onboardkit/onboard/river"
)

// TestWorkerFlags checks the usage errors of "onboard worker", and that it
// has no flag for the database's URL.
func TestWorkerFlags(t *testing.T) {
	checkUsageErrors(t, []usageCase{
		{[]string{"worker", "--workers", "0"}, "--workers 0 is less than 1"},
		{[]string{"worker", "--job-timeout", "0s"}, "--job-timeout 0s is not above zero"},
		{[]string{"worker", "--job-timeout", "2m"}, "must exceed --job-timeout"},
		{[]string{"worker", "--database-url", "postgres://u:pw@h/db"}, "unknown flag: --database-url"},
	})
}

// A worker with one service's credential fails a shard of the other with
// an error that names the variable to set, not the SDK's WorkerConfig.
func TestWorkerClientsNameTheMissingCredential(t *testing.T) {
	vars := map[string]string{envRoyaltiURL: "http://127.0.0.1:1/royalti", envRoyaltiToken: onboardtest.RoyaltiToken}
	env, err := loadEnvironment("", func(k string) string { return vars[k] })
	require.NoError(t, err)
	var cfg onboardriver.WorkerConfig
	require.NoError(t, workerClients(&cfg, env, nil, &serviceFlags{}))
	_, err = cfg.Royalti(context.Background(), "")
	require.NoError(t, err)
	_, err = cfg.Aptly(context.Background(), "tenant")
	require.Error(t, err)
	assert.Contains(t, err.Error(), envAptlyURL)
}
