package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// TestRoyaltiCancelPendingCollectsFirst checks that cancel --pending acts
// on every pending invite of a list of many pages: it lists them all
// before cancelling any, so that cancelling does not move the pages under
// the listing.
func TestRoyaltiCancelPendingCollectsFirst(t *testing.T) {
	t.Parallel()
	p := newInProcess(t)
	const n = 250
	for i := range n {
		p.srv.AddRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, fmt.Sprintf("p%03d@example.com", i), "", "")
	}

	code, _, stderr := p.run(t, "royalti", "cancel", "--pending")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, fmt.Sprintf("%d rows: %d succeeded", n, n))
	assert.Greater(t, p.srv.RequestCount("/user/invites"), 2, "the list has many pages")

	code, stdout, stderr := p.run(t, "royalti", "invites", "--status", "invited", "-o", "csv")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "0 invites")
	assert.NotContains(t, stdout, "@example.com")
}

// TestRoyaltiImportRepeats checks that the command takes a Royalti row for
// a repeat as the SDK does, by its name and its email: a row with the same
// email and another name is sent, and is no repeat.
func TestRoyaltiImportRepeats(t *testing.T) {
	t.Parallel()
	p := newInProcess(t)
	file := filepath.Join(t.TempDir(), "people.csv")
	require.NoError(t, os.WriteFile(file, []byte("email,firstName,lastName\n"+
		"pat@example.com,Pat,One\n"+
		"PAT@example.com,Pat,Two\n"+
		"Pat@Example.com,pat, One \n"), 0o600))

	code, stdout, stderr := p.run(t, "royalti", "import", "--file", file, "--dry-run", "-o", "csv")
	require.Equal(t, exitOK, code, stderr)
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4)
	assert.Equal(t, []string{"3", "PAT@example.com", "valid", "", ""}, recs[2][:5], "another name: not a repeat")
	assert.Equal(t, "name and email repeats line 2; it will be sent once, and this row will share that row's outcome", recs[3][4])

	code, stdout, stderr = p.run(t, "royalti", "import", "--file", file, "-o", "csv")
	assert.Equal(t, exitIncomplete, code, stderr)
	recs, err = csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4)
	// Lines 2 and 3 go in separate batches, at once: the first to arrive is
	// created, and Royalti refuses the other's email.
	assert.ElementsMatch(t, []string{outSucceeded, outFailed}, []string{recs[1][2], recs[2][2]}, "%v", recs)
	assert.Equal(t, []string{"4", recs[1][2], "not sent: it repeats line 2, whose outcome it shares"}, []string{recs[3][0], recs[3][2], recs[3][4]})
}
