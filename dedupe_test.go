package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// jnRepeat makes people[i] repeat people[of]'s email, in other letter case.
func jnRepeat(people []onboard.AptlyInvitee, i, of int) {
	people[i].Email = strings.ToUpper(people[of].Email[:1]) + people[of].Email[1:]
}

// TestDuplicates_noWastedRequests is the count the issue gives: 5,000
// people in batches of 100 take 50 requests, whatever the repeats among
// them; sending repeats, as before, took more.
func TestDuplicates_noWastedRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		repeats func(people []onboard.AptlyInvitee) map[int]int // repeat -> earlier
		want    int
	}{
		{"no repeats", func([]onboard.AptlyInvitee) map[int]int { return nil }, 50},
		{"15 repeated emails", func(p []onboard.AptlyInvitee) map[int]int {
			m := map[int]int{}
			for k := range 15 {
				i := 150 + 333*k
				jnRepeat(p, i, i-7)
				m[i] = i - 7
			}
			return m
		}, 50},
		{"one repeat every 50 rows", func(p []onboard.AptlyInvitee) map[int]int {
			m := map[int]int{}
			for i := 49; i < len(p); i += 50 {
				jnRepeat(p, i, i-1)
				m[i] = i - 1
			}
			return m
		}, 49},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := onboardtest.NewServer()
			t.Cleanup(srv.Close)
			c := jnAptly(t, srv)
			people := jnPeople("dup", 5000)
			repeats := tc.repeats(people)

			rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people)
			require.NoError(t, err)
			assert.Equal(t, tc.want, srv.RequestCount("/v1/user/bulk-invite"))
			assert.Equal(t, 5000, rep.Counts().Succeeded)
			for i, o := range rep.Outcomes {
				of, ok := repeats[i]
				if !ok {
					assert.Nil(t, o.DuplicateOf, "item %d", i)
					continue
				}
				require.NotNil(t, o.DuplicateOf, "item %d", i)
				assert.Equal(t, of, *o.DuplicateOf)
				assert.Zero(t, o.Attempts)
				assert.Equal(t, fmt.Sprintf("not sent: it repeats item %d, whose outcome it shares", of), o.Message)
			}
			assert.Len(t, srv.AptlyUsers(jnTenant), 5000-len(repeats))
			for email, n := range jnSent(t, srv) {
				require.Equal(t, 1, n, "%s sent %d times", email, n)
			}

			// As before: each repeat is sent, cuts its batch short, and is
			// refused.
			srv2 := onboardtest.NewServer()
			t.Cleanup(srv2.Close)
			rep, err = jnAptly(t, srv2).Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithSendDuplicates())
			require.NoError(t, err)
			n := srv2.RequestCount("/v1/user/bulk-invite")
			t.Logf("WithSendDuplicates: %d requests", n)
			if len(repeats) > 0 {
				assert.Greater(t, n, tc.want)
			}
			assert.Equal(t, len(repeats), rep.Counts().Failed)
		})
	}
}

func TestDuplicates_shareTheEarlierOutcome(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), []onboard.AptlyInvitee{{Email: "there@example.com"}})
	require.NoError(t, err)

	people := []onboard.AptlyInvitee{
		{Email: "there@example.com"}, // 0: refused, already there
		{Email: "new@example.com"},   // 1
		{Email: "bad"},               // 2: invalid
		{Email: "THERE@example.com"}, // 3: repeats 0
		{Email: "New@Example.com"},   // 4: repeats 1
		{Email: "bad"},               // 5: invalid again, its own outcome
	}
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.RequestCount("/v1/user/bulk-invite"), "one request for 0 and 1")
	o := rep.Outcomes
	assert.Equal(t, onboard.StateFailed, o[0].State)
	assert.Equal(t, onboard.StateSucceeded, o[1].State)
	assert.Equal(t, onboard.StateFailed, o[3].State)
	assert.Equal(t, 0, *o[3].DuplicateOf)
	assert.Equal(t, onboard.StateSucceeded, o[4].State)
	assert.Equal(t, 1, *o[4].DuplicateOf)
	for _, i := range []int{2, 5} {
		assert.Equal(t, onboard.StateNotSent, o[i].State)
		assert.Nil(t, o[i].DuplicateOf)
		var ve *onboard.ValidationError
		assert.ErrorAs(t, o[i].Err, &ve)
	}
	assert.Len(t, rep.Failed(), 2)
}

func TestDuplicates_ofAnItemNotSent(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusBadRequest})
	people := jnPeople("notsent", 4)
	people = append(people, people[1])
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithBatchSize(2), onboard.WithConcurrency(1))
	require.NoError(t, err)
	o := rep.Outcomes[4]
	assert.Equal(t, onboard.StateNotSent, rep.Outcomes[1].State)
	assert.Equal(t, onboard.StateNotSent, o.State)
	assert.ErrorIs(t, o.Err, onboard.ErrDuplicate)
	assert.EqualError(t, o.Err, "onboard: aptly: Invites.SendBulkAll: not sent: this item repeats item 1, which was not sent either")
	assert.Equal(t, people[:2], rep.Items(onboard.StateNotSent)[:2])
}

// TestDuplicates_farApartInAStream repeats items long after their batches
// left the reorder window, in a stream.
func TestDuplicates_farApartInAStream(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("far", 3000)
	people = append(people, people[0], people[1500], people[2999])
	var repeats []int
	n := 0
	for o := range c.Invites.SendBulkSeq(context.Background(), jnReq(), slices.Values(people), onboard.WithBatchSize(10), onboard.WithConcurrency(2)) {
		require.Equal(t, n, o.Index)
		n++
		require.Equal(t, onboard.StateSucceeded, o.State, "item %d: %s", o.Index, o.Message)
		if o.DuplicateOf != nil {
			repeats = append(repeats, *o.DuplicateOf)
		}
	}
	assert.Equal(t, 3003, n)
	assert.Equal(t, []int{0, 1500, 2999}, repeats)
	assert.Equal(t, 300, srv.RequestCount("/v1/user/bulk-invite"))
}

func TestDuplicates_royaltiAndAthena(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)

	t.Run("royalti: the same name and email", func(t *testing.T) {
		c, err := onboard.NewRoyaltiClient(srv.RoyaltiURL(), onboard.BearerToken(onboardtest.RoyaltiToken), onboard.WithHTTPClient(srv.Client()))
		require.NoError(t, err)
		users := []onboard.RoyaltiWorkspaceUser{
			{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
			{FirstName: "JANE", LastName: "doe", Email: "Jane@Example.com"},  // repeats 0
			{FirstName: "Janet", LastName: "Doe", Email: "jane@example.com"}, // same email, another name: sent
		}
		rep, err := c.Users.CreateBulkAll(context.Background(), &onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false)}, users, onboard.WithConcurrency(1))
		require.NoError(t, err)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[0].State)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[1].State)
		assert.Equal(t, 0, *rep.Outcomes[1].DuplicateOf)
		assert.Nil(t, rep.Outcomes[2].DuplicateOf)
		assert.Equal(t, onboard.StateFailed, rep.Outcomes[2].State)
		assert.Contains(t, rep.Outcomes[2].Message, "already associated with workspace")
		assert.Equal(t, 2, srv.RequestCount("/user/bulk"), "the email went in a later batch, as before")
	})

	t.Run("athena: the same target", func(t *testing.T) {
		c, err := onboard.NewAthenaClient(srv.AthenaURL(), onboard.APIKey(onboardtest.AthenaAPIKey), onboard.WithHTTPClient(srv.Client()))
		require.NoError(t, err)
		w := "123e4567-e89b-12d3-a456-426614174000"
		targets := []onboard.AthenaTarget{onboard.AthenaWebsite(w), onboard.AthenaWebsite("987e6543-e21b-12d3-a456-426614174000"), onboard.AthenaWebsite(strings.ToUpper(w))}
		rep, err := c.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com",
		}, targets)
		require.NoError(t, err)
		assert.Equal(t, 1, srv.RequestCount("/api/v1/invites/bulk"))
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[2].State)
		assert.Equal(t, 0, *rep.Outcomes[2].DuplicateOf)
		assert.Empty(t, rep.Outcomes[2].UserID, "the repeat was not sent, so no answer names its user")
	})
}

func TestWithKeys(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("key", 5)
	people[2].Email = "bad"
	people[4] = people[0]
	row := func(i int, _ onboard.AptlyInvitee) string { return fmt.Sprintf("row %d", i+2) }

	var mu = make(chan []string, 10)
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithKeys(row),
		onboard.WithBatchEvents(func(e onboard.BatchEvent) {
			if e.Kind == onboard.BatchSent {
				mu <- e.Keys
			}
		}))
	require.NoError(t, err)
	for i, o := range rep.Outcomes {
		assert.Equal(t, fmt.Sprintf("row %d", i+2), o.Key)
	}
	close(mu)
	assert.Equal(t, []string{"row 2", "row 3", "row 5"}, <-mu)

	// A key function of another item type is refused before anything is sent.
	before := srv.RequestCount("")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people,
		onboard.WithKeys(func(i int, u onboard.RoyaltiWorkspaceUser) string { return u.Email }))
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.ErrorContains(t, err, "WithKeys: is given a func(int, onboard.RoyaltiWorkspaceUser) string, but this run's items are onboard.AptlyInvitee")
	assert.Equal(t, 5, rep.Counts().NotSent)
	assert.Equal(t, before, srv.RequestCount(""))

	_, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithKeys[onboard.AptlyInvitee](nil))
	assert.ErrorContains(t, err, "WithKeys: the key function is nil")
}
