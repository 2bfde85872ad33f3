package main

import "testing"

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
