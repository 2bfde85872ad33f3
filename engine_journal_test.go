package onboard_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// jnCopy copies the journal at path to a new file and returns its path.
func jnCopy(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "copy.journal")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// TestJournal_checksTheWholeRangeFirst resumes a journal whose first batch
// was refused whole, so is to be sent again, with a row changed near the
// journal's end, many batches later: nothing is sent, whatever the
// concurrency's window holds.
func TestJournal_checksTheWholeRangeFirst(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("range", 300)
	path := filepath.Join(t.TempDir(), "run.journal")
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: 400})
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1))
	require.NoError(t, err)
	require.Equal(t, 10, rep.Counts().NotSent)

	changed := slices.Clone(people)
	changed[290].LastName = "Changed"
	opts := func(j *onboard.Journal) []onboard.BulkOption {
		return []onboard.BulkOption{onboard.WithJournal(j), onboard.WithBatchSize(10), onboard.WithConcurrency(1)}
	}
	for _, tc := range []struct {
		name string
		run  func(j *onboard.Journal) ([]onboard.Outcome[onboard.AptlyInvitee], error)
	}{
		{"All", func(j *onboard.Journal) ([]onboard.Outcome[onboard.AptlyInvitee], error) {
			rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), changed, opts(j)...)
			return rep.Outcomes, err
		}},
		{"Seq", func(j *onboard.Journal) ([]onboard.Outcome[onboard.AptlyInvitee], error) {
			return slices.Collect(c.Invites.SendBulkSeq(context.Background(), jnReq(), slices.Values(changed), opts(j)...)), nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.RequestCount("")
			outs, err := tc.run(jnOpen(t, jnCopy(t, path)))
			assert.Equal(t, before, srv.RequestCount(""), "a batch was sent before row 290 was checked")
			if tc.name == "All" {
				var me *onboard.JournalMismatchError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, 290, me.Index)
			}
			require.GreaterOrEqual(t, len(outs), 10)
			for _, o := range outs[:10] {
				assert.Equal(t, onboard.StateNotSent, o.State)
				assert.ErrorIs(t, o.Err, onboard.ErrJournalMismatch, "item %d", o.Index)
			}
		})
	}

	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, opts(jnOpen(t, path))...)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("/v1/user/bulk-invite")-before, "batch 0 only")
	assert.Equal(t, 300, rep.Counts().Succeeded)
	assert.Len(t, srv.AptlyUsers(jnTenant), 300)
}

// TestJournal_refusesAChangedRowWithoutAnAnswer edits a row the journal
// holds no answer for, a repeat or an invalid row, into a copy of a later
// row that was answered: the run is refused before anything is sent, and
// that person is not invited twice.
func TestJournal_refusesAChangedRowWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		row  int
		edit func(p *onboard.AptlyInvitee, all []onboard.AptlyInvitee)
	}{
		{"repeat", 5, func(p *onboard.AptlyInvitee, all []onboard.AptlyInvitee) { *p = all[2] }},
		{"invalid", 7, func(p *onboard.AptlyInvitee, _ []onboard.AptlyInvitee) { p.Email = "not-an-email" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := onboardtest.NewServer()
			t.Cleanup(srv.Close)
			c := jnAptly(t, srv)
			people := jnPeople(tc.name, 30)
			tc.edit(&people[tc.row], people)
			path := filepath.Join(t.TempDir(), "run.journal")
			_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
			require.NoError(t, err)
			require.Equal(t, 1, jnSent(t, srv)[people[20].Email])

			// Unchanged, the run replays every row and sends nothing.
			before := srv.RequestCount("")
			rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
			require.NoError(t, err)
			assert.Equal(t, before, srv.RequestCount(""))
			assert.Equal(t, people[tc.row], rep.Outcomes[tc.row].Item)

			changed := slices.Clone(people)
			changed[tc.row] = people[20]
			rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), changed, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
			assert.Equal(t, before, srv.RequestCount(""), "nothing was sent")
			assert.Equal(t, 1, jnSent(t, srv)[people[20].Email], "row 20's person was invited twice")
			var me *onboard.JournalMismatchError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.row, me.Index)
			assert.ErrorIs(t, rep.Outcomes[tc.row].Err, onboard.ErrJournalMismatch)
		})
	}
}
