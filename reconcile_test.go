package onboard_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// rcLost are the faults of the reconcile tests, each on the first batch:
// the answer lost after the work was done, in two ways. The second batch
// fails with a 500 before the server does anything.
var rcLost = map[string]onboardtest.Fault{
	"500 after the work":           {Times: 1, Status: http.StatusInternalServerError, Process: true},
	"dropped after the work":       {Times: 1, DropConnection: true, Process: true},
	"500 before the work, then ok": {Times: 1, Status: http.StatusInternalServerError},
}

// rcFaults injects lost on path for the first batch, then a 500 that does
// nothing for the second.
func rcFaults(srv fake, path string, lost onboardtest.Fault) {
	lost.Path = path
	srv.InjectFault(lost)
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 1, Status: http.StatusInternalServerError})
}

// rcCheck checks a report made with WithReconcile over three batches of n:
// the first two were unknown; read back, the first is succeeded when the
// fault did the work (else not sent), the second not sent; the third was
// answered. Nothing is unknown.
func rcCheck[T any](t *testing.T, outs []onboard.Outcome[T], n int, done bool, found, absent string) {
	t.Helper()
	require.Len(t, outs, 3*n)
	for i, o := range outs {
		require.Equal(t, i, o.Index)
		switch {
		case i < n && done:
			assert.Equal(t, []any{onboard.StateSucceeded, found}, []any{o.State, o.ReadBack}, "item %d: %s", i, o.Message)
			assert.NoError(t, o.Err)
		case i < 2*n:
			assert.Equal(t, []any{onboard.StateNotSent, absent}, []any{o.State, o.ReadBack}, "item %d: %s", i, o.Message)
			assert.Contains(t, o.Message, "safe to send")
		default:
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
			assert.Empty(t, o.ReadBack)
		}
	}
}

func rcAptlyPeople(n int) []onboard.AptlyInvitee {
	out := make([]onboard.AptlyInvitee, n)
	for i := range out {
		out[i] = onboard.AptlyInvitee{Email: fmt.Sprintf("Person%d@Example.com", i), FirstName: "Pat"}
	}
	return out
}

func rcRoyaltiPeople(n int) []onboard.RoyaltiWorkspaceUser {
	out := make([]onboard.RoyaltiWorkspaceUser, n)
	for i := range out {
		out[i] = onboard.RoyaltiWorkspaceUser{FirstName: "Pat", LastName: fmt.Sprint("No", i), Email: fmt.Sprintf("pat%d@example.com", i)}
	}
	return out
}

func rcTargets(n int) []onboard.AthenaTarget {
	out := make([]onboard.AthenaTarget, n)
	for i := range out {
		out[i] = onboard.AthenaWebsite(fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))
	}
	return out
}

// TestReconcile_lostAnswers runs each service's bulk create or invite with
// an answer lost after the work was done: WithReconcile settles every
// unknown item by reading the service back.
func TestReconcile_lostAnswers(t *testing.T) {
	t.Parallel()
	for name, lost := range rcLost {
		done := lost.Process
		t.Run("Aptly invite, "+name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			rcFaults(srv, "/v1/user/bulk-invite", lost)
			rep, err := newAptly(t, srv).Invites.SendBulkAll(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: jnTenant}, rcAptlyPeople(30),
				onboard.WithBatchSize(10), onboard.WithConcurrency(1), onboard.WithReconcile(0))
			require.NoError(t, err)
			rcCheck(t, rep.Outcomes, 10, done, "aptly users: invited", "aptly users: not found")
			assert.Equal(t, 1, srv.RequestCount("/v1/user"), "one page read for every unknown")
		})
		t.Run("Royalti create, "+name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			rcFaults(srv, "/user/bulk", lost)
			rep, err := newRoyalti(t, srv).Users.CreateBulkAll(testCtx(t), &onboard.RoyaltiCreateUsersRequest{}, rcRoyaltiPeople(30),
				onboard.WithBatchSize(10), onboard.WithConcurrency(1), onboard.WithReconcile(0))
			require.NoError(t, err)
			rcCheck(t, rep.Outcomes, 10, done, "royalti users: listed", "royalti users: not found")
			assert.Equal(t, 1, srv.RequestCount("/user/"), "one page, newest first, holds the 20 unknowns")
		})
		t.Run("AthenaHQ direct, "+name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			rcFaults(srv, "/api/v1/invites/bulk", lost)
			req := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com"}
			rep, err := newAthena(t, srv).Invites.SendToTargetsAll(testCtx(t), req, rcTargets(6), onboard.WithBatchSize(2), onboard.WithConcurrency(1), onboard.WithReconcile(0))
			require.NoError(t, err)
			rcCheck(t, rep.Outcomes, 2, done, "athenahq website members: a member", "athenahq website members: not found")
			if done {
				assert.Equal(t, srv.AthenaUserID("ada@example.com"), rep.Outcomes[0].UserID)
			}
		})
	}
}

// TestReconcile_athenaEmailStaysUnknown: an email invite leaves no member,
// and AthenaHQ lists no pending email invites, so reading back cannot
// settle it; the outcome says why.
func TestReconcile_athenaEmailStaysUnknown(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.InjectFault(onboardtest.Fault{Path: "/api/v1/invites/bulk", Times: 1, Status: http.StatusInternalServerError, Process: true})
	req := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteByEmail, Email: "ada@example.com"}
	rep, err := newAthena(t, srv).Invites.SendToTargetsAll(testCtx(t), req, rcTargets(2), onboard.WithReconcile(0))
	require.NoError(t, err)
	for _, o := range rep.Outcomes {
		assert.Equal(t, onboard.StateUnknown, o.State)
		assert.Contains(t, o.Message, "lists no pending email invites")
		assert.Empty(t, o.ReadBack)
	}
}

// TestReconcile_userIDEndpoints reads back the bulk calls on user ids:
// Aptly's delete, status update and resend, and Royalti's delete.
func TestReconcile_userIDEndpoints(t *testing.T) {
	t.Parallel()
	lost := onboardtest.Fault{Times: 1, Status: http.StatusInternalServerError, Process: true}
	seedAptly := func(srv fake, n int) []string {
		var ids []string
		for i := range n {
			ids = append(ids, srv.AddAptlyUser(jnTenant, fmt.Sprintf("u%d@example.com", i), "U", fmt.Sprint(i)))
		}
		return ids
	}
	for _, tc := range []struct {
		name, path string
		run        func(t *testing.T, srv fake) *onboard.BulkReport[string]
		state      onboard.State
		read       string
	}{
		{"Aptly delete", "/v1/user/bulk-delete", func(t *testing.T, srv fake) *onboard.BulkReport[string] {
			rep, err := newAptly(t, srv).Users.DeleteBulkAll(testCtx(t), nil, seedAptly(srv, 3), onboard.WithReconcile(0))
			require.NoError(t, err)
			return rep
		}, onboard.StateSucceeded, "aptly users: not found"},
		{"Aptly status", "/v1/user/bulk-status-update", func(t *testing.T, srv fake) *onboard.BulkReport[string] {
			rep, err := newAptly(t, srv).Users.UpdateStatusBulkAll(testCtx(t), &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserInactive}, seedAptly(srv, 3), onboard.WithReconcile(0))
			require.NoError(t, err)
			return rep
		}, onboard.StateSucceeded, "aptly users: inactive"},
		{"Aptly resend to active users", "/v1/user/bulk-resend-invite", func(t *testing.T, srv fake) *onboard.BulkReport[string] {
			rep, err := newAptly(t, srv).Invites.ResendBulkAll(testCtx(t), &onboard.AptlyBulkResendRequest{TenantID: jnTenant}, seedAptly(srv, 3), onboard.WithReconcile(0))
			require.NoError(t, err)
			return rep
		}, onboard.StateFailed, "aptly users: active"},
		{"Royalti delete", "/user/bulk/delete", func(t *testing.T, srv fake) *onboard.BulkReport[string] {
			var ids []string
			for i := range 3 {
				ids = append(ids, srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, fmt.Sprintf("u%d@example.com", i), "U", fmt.Sprint(i)))
			}
			rep, err := newRoyalti(t, srv).Users.DeleteBulkAll(testCtx(t), nil, ids, onboard.WithReconcile(0))
			require.NoError(t, err)
			return rep
		}, onboard.StateSucceeded, "royalti users: not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			f := lost
			f.Path = tc.path
			srv.InjectFault(f)
			rep := tc.run(t, srv)
			require.Len(t, rep.Outcomes, 3)
			for _, o := range rep.Outcomes {
				assert.Equal(t, []any{tc.state, tc.read}, []any{o.State, o.ReadBack}, o.Message)
			}
		})
	}
}

// TestReconcile_noUnknownReadsNothing: a run without unknowns, or with
// WithReconcile on an endpoint given nothing unknown, reads no list.
func TestReconcile_noUnknownReadsNothing(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	rep, err := newAptly(t, srv).Invites.SendBulkAll(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: jnTenant}, rcAptlyPeople(30),
		onboard.WithBatchSize(10), onboard.WithReconcile(0))
	require.NoError(t, err)
	assert.Equal(t, 30, rep.Counts().Succeeded)
	assert.Zero(t, srv.RequestCount("/v1/user"))
	require.NoError(t, rep.Reconcile(testCtx(t), 0))
	assert.Zero(t, srv.RequestCount("/v1/user"))
}

// TestReconcile_pageCap: the lost batch's people are past the first page
// of the user list, and the cap allows one page: they stay unknown, and
// say why.
func TestReconcile_pageCap(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for i := range 150 {
		srv.AddAptlyUser(jnTenant, fmt.Sprintf("seed%d@example.com", i), "S", fmt.Sprint(i))
	}
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusInternalServerError, Process: true})
	c := newAptly(t, srv)
	rep, err := c.Invites.SendBulkAll(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: jnTenant}, rcAptlyPeople(5), onboard.WithReconcile(1))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("/v1/user"))
	for _, o := range rep.Outcomes {
		assert.Equal(t, onboard.StateUnknown, o.State)
		assert.Contains(t, o.Message, "the cap WithReconcile set")
	}
	// No cap: the second page has them.
	require.NoError(t, rep.Reconcile(testCtx(t), 0))
	assert.Equal(t, 5, rep.Counts().Succeeded)
}

// TestBulkReport_Reconcile settles a finished report in place, sending
// nothing; a report not made by an ...All method is refused.
func TestBulkReport_Reconcile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	rcFaults(srv, "/v1/user/bulk-invite", rcLost["500 after the work"])
	people := rcAptlyPeople(30)
	people = append(people, people[0]) // a repeat of an unknown item shares its settled state
	rep, err := newAptly(t, srv).Invites.SendBulkAll(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: jnTenant}, people,
		onboard.WithBatchSize(10), onboard.WithConcurrency(1))
	require.NoError(t, err)
	assert.Equal(t, 21, rep.Counts().Unknown)
	sent := srv.RequestCount("/v1/user/bulk-invite")
	require.NoError(t, rep.Reconcile(testCtx(t), 0))
	assert.Equal(t, sent, srv.RequestCount("/v1/user/bulk-invite"), "Reconcile never sends")
	rcCheck(t, rep.Outcomes[:30], 10, true, "aptly users: invited", "aptly users: not found")
	assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[30].State)

	var zero onboard.BulkReport[string]
	zero.Outcomes = []onboard.Outcome[string]{{}}
	err = zero.Reconcile(testCtx(t), 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not come from an ...All method")
}

// TestReconcile_seqHoldsUnknownsBack: a ...Seq run yields the unknown
// items after the rest, settled, in input order among themselves.
func TestReconcile_seqHoldsUnknownsBack(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	rcFaults(srv, "/v1/user/bulk-invite", rcLost["dropped after the work"])
	var got []onboard.Outcome[onboard.AptlyInvitee]
	for o := range newAptly(t, srv).Invites.SendBulkSeq(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: jnTenant}, slices.Values(rcAptlyPeople(30)),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1), onboard.WithReconcile(0)) {
		got = append(got, o)
	}
	require.Len(t, got, 30)
	order := make([]int, len(got))
	for i, o := range got {
		order[i] = o.Index
	}
	want := append(seqRange(20, 30), seqRange(0, 20)...)
	assert.Equal(t, want, order)
	slices.SortFunc(got, func(a, b onboard.Outcome[onboard.AptlyInvitee]) int { return a.Index - b.Index })
	rcCheck(t, got, 10, true, "aptly users: invited", "aptly users: not found")
}

func seqRange(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// TestReconcile_journal: a resumed run settles the journal's unknown items
// by reading back before it sends anything, and sends those not there only
// under WithResendInFlight; a later run replays the settled outcomes.
func TestReconcile_journal(t *testing.T) {
	t.Parallel()
	for _, resend := range []bool{false, true} {
		t.Run(fmt.Sprint("resend=", resend), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			c := newAptly(t, srv)
			people := rcAptlyPeople(30)
			path := filepath.Join(t.TempDir(), "run.journal")
			rcFaults(srv, "/v1/user/bulk-invite", rcLost["500 after the work"])
			rep, err := c.Invites.SendBulkAll(testCtx(t), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10), onboard.WithConcurrency(1))
			require.NoError(t, err)
			require.Equal(t, 20, rep.Counts().Unknown)

			// Batches of 20: the first holds found items, taken out of it,
			// and items not there, sent when resending.
			opts := []onboard.BulkOption{onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(20), onboard.WithReconcile(0)}
			if resend {
				opts = append(opts, onboard.WithResendInFlight())
			}
			sent := srv.RequestCount("/v1/user/bulk-invite")
			rep, err = c.Invites.SendBulkAll(testCtx(t), jnReq(), people, opts...)
			require.NoError(t, err)
			assert.Zero(t, rep.Counts().Unknown)
			assert.Equal(t, 1, srv.RequestCount("/v1/user"), "one pass, before sending")
			for i, o := range rep.Outcomes {
				switch {
				case i < 10:
					assert.Equal(t, []any{onboard.StateSucceeded, "aptly users: invited"}, []any{o.State, o.ReadBack}, "item %d", i)
				case i < 20 && resend:
					assert.Equal(t, []any{onboard.StateSucceeded, ""}, []any{o.State, o.ReadBack}, "item %d: sent, and answered", i)
				case i < 20:
					assert.Equal(t, []any{onboard.StateNotSent, "aptly users: not found"}, []any{o.State, o.ReadBack}, "item %d", i)
				default:
					assert.True(t, o.Replayed, "item %d", i)
				}
			}
			assert.Equal(t, sent+boolInt(resend), srv.RequestCount("/v1/user/bulk-invite"), "only the batch not done, and only when resending")
			if resend {
				body := string(fakeLast(t, srv, "/v1/user/bulk-invite").Body)
				assert.Equal(t, 10, strings.Count(body, `"email"`), "the found items were taken out of the batch")
				assert.Contains(t, body, "Person10@")
			}

			// A third run replays what was read back, reads nothing, and
			// sends what was found not there.
			rep, err = c.Invites.SendBulkAll(testCtx(t), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10), onboard.WithReconcile(0))
			require.NoError(t, err)
			assert.Equal(t, 30, rep.Counts().Succeeded)
			assert.Equal(t, 1, srv.RequestCount("/v1/user"))
			for _, o := range rep.Outcomes[:10] {
				assert.Equal(t, []any{true, "aptly users: invited"}, []any{o.Replayed, o.ReadBack})
			}
			assert.Equal(t, 30, srv.AptlyUserCount(jnTenant))
		})
	}
}

func TestWithReconcile_negative(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	_, err := newAptly(t, srv).Invites.SendBulkAll(testCtx(t), jnReq(), rcAptlyPeople(1), onboard.WithReconcile(-1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithReconcile")
	assert.Zero(t, srv.RequestCount(""))
}

// TestReconcile_royaltiSearch: up to three unknown items are looked up
// with the q search, one request each.
func TestReconcile_royaltiSearch(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.InjectFault(onboardtest.Fault{Path: "/user/bulk", Times: 1, Status: http.StatusInternalServerError, Process: true})
	rep, err := newRoyalti(t, srv).Users.CreateBulkAll(testCtx(t), &onboard.RoyaltiCreateUsersRequest{}, rcRoyaltiPeople(3), onboard.WithReconcile(0))
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Counts().Succeeded)
	reqs := keepIf(srv.Requests(), func(r onboardtest.RecordedRequest) bool { return strings.HasSuffix(r.Path, "/user/") })
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, fmt.Sprintf("pat%d@example.com", i), r.Query.Get("q"))
	}
}
