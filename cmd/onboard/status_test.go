package main

import "testing"

// TestStatusFlags checks the usage errors of "onboard status".
func TestStatusFlags(t *testing.T) {
	checkUsageErrors(t, []usageCase{
		{[]string{"status"}, "give the import's id"},
		{[]string{"status", "a", "b"}, "give the import's id"},
		{[]string{"status", "a", "-o", "xml"}, "xml"},
	})
}
