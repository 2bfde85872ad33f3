package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// env is a fake environment for run.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// runQuickstart runs the program and returns its exit status and output.
func runQuickstart(t *testing.T, e env, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, e.get, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// rowRE matches one result row: a mark, who, what happened, and why.
var rowRE = regexp.MustCompile(`(?m)^  ([✓✗?•–])  (\S+(?: \S+)?) {2,}(created|invited|added|accepted|pending|resent|cancelled|skipped|failed|not sent|unknown)(?: {2,}(.*))?$`)

// rows returns the result rows of the output as "mark who | what | why".
func rows(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, m := range rowRE.FindAllStringSubmatch(out, -1) {
		got = append(got, strings.TrimSpace(m[1]+" "+m[2]+" | "+m[3]+" | "+m[4]))
	}
	return got
}

// idRE matches the id of an invite or a user, which the servers make up.
var idRE = regexp.MustCompile(`\b(invite|user) [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// rowsNoIDs is rows with each invite or user id written "<id>".
func rowsNoIDs(t *testing.T, out string) []string {
	t.Helper()
	return noIDs(rows(t, out))
}

// noIDs returns rows with each invite or user id written "<id>".
func noIDs(rows []string) []string {
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = idRE.ReplaceAllString(r, "$1 <id>")
	}
	return got
}

// steps returns the rows of each step whose heading starts with heading,
// in order, as rows gives them.
func steps(t *testing.T, out, heading string) [][]string {
	t.Helper()
	var got [][]string
	for _, block := range strings.Split(out, "\n\n") {
		if strings.HasPrefix(block, heading) {
			got = append(got, rows(t, block))
		}
	}
	return got
}

// The rows of the loop on the fake, ids left out, after the first steps'.
var (
	royaltiLoopRows = []string{
		"✓ ken.thompson@example.com | invited | Successful, Email verification Instructions have been sent to your email",
		"✓ radia.perlman@example.com | invited | Successful, Email verification Instructions have been sent to your email",
		"✓ john.backus@example.com | invited | Successful, Email verification Instructions have been sent to your email",
		"✓ ken.thompson@example.com | accepted |",
		// Royalti lists the newest invite first.
		"• john.backus@example.com | pending | invite <id>",
		"• radia.perlman@example.com | pending | invite <id>",
		"✓ john.backus@example.com | resent | Invite resent successfully",
		"✓ radia.perlman@example.com | resent | Invite resent successfully",
		"✓ john.backus@example.com | cancelled | invite <id>",
		"• radia.perlman@example.com | pending | invite <id>",
	}
	aptlyLoopRows = []string{
		"✓ hedy.lamarr@example.com | invited | User invited successfully",
		"✓ claude.shannon@example.com | invited | User invited successfully",
		"✓ sophie.wilson@example.com | invited | User invited successfully",
		"✓ hedy.lamarr@example.com | accepted |",
		"• claude.shannon@example.com | pending | user <id>",
		"• sophie.wilson@example.com | pending | user <id>",
		"✓ claude.shannon@example.com | resent | Invitation resent successfully",
		"✓ sophie.wilson@example.com | resent | Invitation resent successfully",
	}
)

func TestRun_fake(t *testing.T) {
	t.Parallel()
	code, out, errOut := runQuickstart(t, env{})
	require.Equal(t, exitOK, code, "stderr: %s\nstdout: %s", errOut, out)
	assert.Empty(t, errOut)

	assert.Contains(t, out, "Aptly     in-process fake (onboardtest); set ONBOARD_APTLY_URL to use the real service")
	assert.Equal(t, slices.Concat([]string{
		"✓ ada.lovelace@example.com | created | status ACTIVE, userId 10001",
		"✓ grace.hopper@example.com | invited | Successful, Email verification Instructions have been sent to your email",
		"✓ alan.turing@example.com | invited | User invited successfully",
		"✓ katherine.johnson@example.com | invited | User invited successfully",
		"✓ margaret.hamilton@example.com | invited | User invited successfully",
		"✓ Alan.Turing@example.com | invited | listed twice: sent once, as alan.turing@example.com",
		"✗ ada.lovelace@example.com | failed | Email already exists",
		`✗ dennis.ritchie@example | not sent | email "dennis.ritchie@example" is not a valid email address`,
		"✓ website 123e4567-e89b-12d3-a456-426614174000 | added | User added to website",
		"✗ website 987e6543-e21b-12d3-a456-426614174000 | failed | User is already a member of this website",
		"✓ website 5f0c3a2e-8d1b-4c6e-9a7f-2b3d4e5f6a7b | added | User added to website",
		"✓ barbara.liskov@example.com | created |",
		"✓ donald.knuth@example.com | created |",
		"✓ frances.allen@example.com | created |",
		"✗ grace.hopper@example.com | failed | User Grace Hopper already associated with workspace!",
	}, royaltiLoopRows, aptlyLoopRows), rowsNoIDs(t, out))
	assert.Contains(t, out, "     4 invited, 1 failed, 1 not sent\n")
	assert.Contains(t, out, "     2 added, 1 failed\n")
	assert.Contains(t, out, "     3 created, 1 failed\n")
	assert.Contains(t, out, "\nThe invite lifecycle on Royalti: invite, one accepts, list who is pending, resend to them, cancel one, list again\n")
	assert.Contains(t, out, "\nThe invite lifecycle on Aptly: ")

	// The loop's lists: the cancelled invite, John's, has left the
	// pending; the one cancelled is the one listed.
	lists := steps(t, out, "Royalti · Invites.List")
	require.Len(t, lists, 2)
	require.Len(t, lists[0], 2)
	johnsInvite := strings.TrimPrefix(lists[0][0], "• john.backus@example.com | pending | ")
	assert.Equal(t, [][]string{{"✓ john.backus@example.com | cancelled | " + johnsInvite}}, steps(t, out, "Royalti · Invites.Cancel"))
	assert.Equal(t, []string{lists[0][1]}, lists[1], "Radia is still pending, John is not")
	assert.Contains(t, out, "     2 pending\n")
	assert.Contains(t, out, "     1 pending\n")
	assert.Contains(t, out, "     2 resent\n")

	// The columns line up: within a step, what happened starts at one
	// column. (✓, ✗, ?, • and – are one column each.)
	for _, block := range strings.Split(out, "\n\n")[1:] {
		if !strings.Contains(strings.SplitN(block, "\n", 2)[0], " · ") {
			continue // the heading of a loop, not a step
		}
		var cols []int
		for line := range strings.Lines(block) {
			if m := rowRE.FindStringSubmatchIndex(line); m != nil {
				cols = append(cols, utf8.RuneCountInString(line[:m[6]]))
			}
		}
		require.NotEmpty(t, cols, "a step with no rows:\n%s", block)
		for _, c := range cols {
			assert.Equal(t, cols[0], c, "misaligned rows:\n%s", block)
		}
	}
	for line := range strings.Lines(out) {
		assert.False(t, strings.HasSuffix(line, " \n"), "trailing space: %q", line)
	}
}

// TestRun_realService points the Aptly variables at a server of its own,
// standing in for the real service, and runs twice: the second run finds
// everyone there already, and still exits 0. The loop takes no accept step
// on a real service; everyone it invited stays pending, and gets the
// invitation again on each run.
func TestRun_realService(t *testing.T) {
	t.Parallel()
	aptly := onboardtest.NewServer()
	t.Cleanup(aptly.Close)
	const tenant = "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"
	e := env{
		"ONBOARD_APTLY_URL":       aptly.AptlyURL(),
		"ONBOARD_APTLY_TOKEN":     onboardtest.AptlyToken,
		"ONBOARD_APTLY_TENANT_ID": tenant,
	}
	team := []string{"hedy.lamarr@example.com", "claude.shannon@example.com", "sophie.wilson@example.com"}
	pending := []string{
		"• hedy.lamarr@example.com | pending | user <id>",
		"• claude.shannon@example.com | pending | user <id>",
		"• sophie.wilson@example.com | pending | user <id>",
	}

	code, out, errOut := runQuickstart(t, e)
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, out, "  Aptly     "+aptly.AptlyURL()+"\n")
	assert.Contains(t, out, "  AthenaHQ  in-process fake")
	assert.Contains(t, out, "tenant "+tenant)
	u, ok := aptly.FindAptlyUser(tenant, "ada.lovelace@example.com")
	require.True(t, ok, "the user was created on the server named by the environment")
	assert.Equal(t, onboardtest.AptlyStatusActive, string(u.Status))
	assert.Equal(t, 7, aptly.AptlyUserCount(tenant), "Ada, three invited, and the loop's three")
	assert.Equal(t, [][]string{{"– hedy.lamarr@example.com | skipped | the invitee accepts by following the emailed link"}},
		steps(t, out, "Aptly · accept · skipped against a real service"))
	assert.NotContains(t, out, "onboardtest.AcceptAptlyInvite")
	assert.Contains(t, out, "onboardtest.AcceptRoyaltiInvite", "Royalti is still the fake")
	assert.Subset(t, rowsNoIDs(t, out), pending)
	assert.Contains(t, out, "     3 resent\n")
	for _, email := range team {
		u, ok := aptly.FindAptlyUser(tenant, email)
		require.True(t, ok, email)
		assert.Equal(t, onboardtest.AptlyStatusInvited, string(u.Status), email)
		assert.Equal(t, 1, u.InviteResends, email)
	}

	code, out, errOut = runQuickstart(t, e)
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, rows(t, out), "✗ ada.lovelace@example.com | failed | Email already exists")
	assert.Contains(t, out, "     0 invited, 5 failed, 1 not sent\n")
	assert.Contains(t, out, "     0 invited, 3 failed\n")
	assert.Subset(t, rowsNoIDs(t, out), pending)
	assert.Equal(t, 7, aptly.AptlyUserCount(tenant))
	for _, email := range team {
		u, _ := aptly.FindAptlyUser(tenant, email)
		assert.Equal(t, 2, u.InviteResends, email)
	}
}

// TestRun_realRoyalti points the Royalti variables at a server of its own
// and runs the loop twice. Without the accept step all three are pending
// until John's invite is cancelled; the second run finds him pending no
// longer, so it has nothing to cancel, and still exits 0.
func TestRun_realRoyalti(t *testing.T) {
	t.Parallel()
	royalti := onboardtest.NewServer()
	t.Cleanup(royalti.Close)
	e := env{"ONBOARD_ROYALTI_URL": royalti.RoyaltiURL(), "ONBOARD_ROYALTI_TOKEN": onboardtest.RoyaltiToken}

	code, out, errOut := runQuickstart(t, e)
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Equal(t, [][]string{{"– ken.thompson@example.com | skipped | the invitee accepts by following the emailed link"}},
		steps(t, out, "Royalti · accept · skipped against a real service"))
	lists := steps(t, out, "Royalti · Invites.List")
	require.Len(t, lists, 2)
	assert.Len(t, lists[0], 3)
	assert.Equal(t, []string{
		"• radia.perlman@example.com | pending | invite <id>",
		"• ken.thompson@example.com | pending | invite <id>",
	}, noIDs(lists[1]))

	invites := map[string]onboardtest.RoyaltiInvite{}
	for _, inv := range royalti.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID) {
		invites[inv.Email] = inv
	}
	assert.Equal(t, [][]string{{"✓ john.backus@example.com | cancelled | invite " + invites["john.backus@example.com"].ID}},
		steps(t, out, "Royalti · Invites.Cancel"))
	assert.Equal(t, onboardtest.RoyaltiInviteCancelled, invites["john.backus@example.com"].Status)
	for _, email := range []string{"ken.thompson@example.com", "radia.perlman@example.com"} {
		assert.Equal(t, onboardtest.RoyaltiInviteInvited, invites[email].Status, email)
		assert.Equal(t, 1, invites[email].Resends, email)
	}

	code, out, errOut = runQuickstart(t, e)
	require.Equal(t, exitOK, code, "stderr: %s", errOut)
	assert.Contains(t, rows(t, out), "✗ john.backus@example.com | failed | User john.backus@example.com already associated with workspace!")
	assert.Equal(t, [][]string{{"– john.backus@example.com | skipped | no pending invite to cancel"}},
		steps(t, out, "Royalti · Invites.Cancel"))
	lists = steps(t, out, "Royalti · Invites.List")
	require.Len(t, lists, 2)
	assert.Equal(t, lists[0], lists[1])
	assert.Len(t, lists[0], 2)
}

func TestRun_errors(t *testing.T) {
	t.Parallel()
	aptly := onboardtest.NewServer()
	t.Cleanup(aptly.Close)

	tests := []struct {
		name    string
		env     env
		args    []string
		code    int
		stderrs []string
	}{
		{
			name: "a service named in part",
			env:  env{"ONBOARD_ATHENA_URL": "https://api.athenahq.ai"},
			code: exitUsage, stderrs: []string{"ONBOARD_ATHENA_API_KEY", "ONBOARD_ATHENA_WEBSITE_IDS"},
		},
		{
			name: "a credential without its URL",
			env:  env{"ONBOARD_ROYALTI_TOKEN": "secret-token"},
			code: exitUsage, stderrs: []string{"ONBOARD_ROYALTI_URL"},
		},
		{
			name: "a credential the server refuses",
			env: env{
				"ONBOARD_APTLY_URL": aptly.AptlyURL(), "ONBOARD_APTLY_TOKEN": "wrong-token",
				"ONBOARD_APTLY_TENANT_ID": "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52",
			},
			code: exitError, stderrs: []string{"creating the Aptly user (Users.Create)", "401"},
		},
		{
			name: "a base URL the SDK refuses",
			env: env{
				"ONBOARD_ROYALTI_URL": "http://royalti.example.com", "ONBOARD_ROYALTI_TOKEN": "secret-token",
			},
			code: exitError, stderrs: []string{"Royalti", "plain http"},
		},
		{name: "an argument", args: []string{"extra"}, code: exitUsage, stderrs: []string{`unexpected argument "extra"`}},
		{name: "a bad flag", args: []string{"-nope"}, code: exitUsage, stderrs: []string{"-nope"}},
		{name: "help", args: []string{"-h"}, code: exitOK, stderrs: []string{"ONBOARD_"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runQuickstart(t, tc.env, tc.args...)
			assert.Equal(t, tc.code, code)
			for _, s := range tc.stderrs {
				assert.Contains(t, errOut, s)
			}
			assert.NotContains(t, errOut, "secret-token")
			assert.NotContains(t, errOut, "wrong-token")
		})
	}
}
