package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

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
