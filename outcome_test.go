package onboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// eventLog collects the events of a run, from whichever goroutine.
type eventLog struct {
	mu     sync.Mutex
	events []onboard.BatchEvent
}

func (l *eventLog) add(ev onboard.BatchEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

// byBatch returns the events of each batch, in the order they came.
func (l *eventLog) byBatch() map[int][]onboard.BatchEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int][]onboard.BatchEvent{}
	for _, ev := range l.events {
		out[ev.Batch] = append(out[ev.Batch], ev)
	}
	return out
}

// cutOrder returns the batches in the order their BatchCut came.
func (l *eventLog) cutOrder() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int
	for _, ev := range l.events {
		if ev.Kind == onboard.BatchCut {
			out = append(out, ev.Batch)
		}
	}
	return out
}

// TestWithBatchEvents runs three batches, one answered after a 429, one
// rejected whole and one whose connection drops, and checks the events of
// each: cut, sent and answered, in that order, with the input positions of
// the items sent (an invalid item is in none), and on the answer the
// metadata of the last attempt and the batch's error.
func TestWithBatchEvents(t *testing.T) {
	t.Parallel()
	const badID = "not-a-uuid"
	const w0, w1, g0, w2 = websiteID1, websiteID2, groupID1, "00000000-0000-4000-8000-000000000002"
	var limited atomic.Bool
	srv := newServer(t)
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			WebsiteIDs []string `json:"website_ids"`
			GroupIDs   []string `json:"group_ids"`
		}
		if !assert.NoError(t, json.NewDecoder(r.Body).Decode(&req)) {
			return
		}
		switch first := append(req.WebsiteIDs, req.GroupIDs...)[0]; first {
		case w0:
			if !limited.Swap(true) {
				reply(w, http.StatusTooManyRequests, `{"error":"Rate limit exceeded"}`, "Retry-After", "0", "X-Request-Id", "rid-429")
				return
			}
			reply(w, http.StatusOK,
				`{"success":true,"results":[{"website_id":"`+w0+`","success":true},{"website_id":"`+w1+`","success":true}]}`,
				"X-Request-Id", "rid-0", "X-Rate-Limit-Limit", "60", "X-Rate-Limit-Remaining", "58", "X-Rate-Limit-Reset", "1767225600")
		case g0:
			reply(w, http.StatusBadRequest, `{"error":"Provide exactly one of website_ids or group_ids"}`, "X-Request-Id", "rid-1")
		default:
			hangUp(t)(w, r)
		}
	})
	c := newAthena(t, srv)
	var log eventLog
	in := []onboard.AthenaTarget{onboard.AthenaWebsite(w0), onboard.AthenaWebsite(badID), onboard.AthenaWebsite(w1), onboard.AthenaGroup(g0), onboard.AthenaWebsite(w2)}
	rep, err := c.Invites.SendToTargetsAll(testCtx(t), &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com"}, in,
		onboard.WithBatchEvents(log.add), onboard.WithConcurrency(2))
	require.NoError(t, err, "neither a 400 nor a dropped connection stops the run")
	engineCheckOrder(t, in, rep.Outcomes)

	assert.Equal(t, []int{0, 1, 2}, log.cutOrder(), "batches are cut, and numbered, in input order")
	batches := log.byBatch()
	require.Len(t, batches, 3)
	for b, indexes := range map[int][]int{0: {0, 2}, 1: {3}, 2: {4}} {
		evs := batches[b]
		require.Len(t, evs, 3, "batch %d", b)
		for i, kind := range []onboard.BatchEventKind{onboard.BatchCut, onboard.BatchSent, onboard.BatchAnswered} {
			assert.Equal(t, kind, evs[i].Kind, "batch %d, event %d", b, i)
			assert.Equal(t, indexes, evs[i].Indexes, "batch %d, %s", b, kind)
		}
		for _, ev := range evs[:2] {
			assert.Nil(t, ev.Response, "batch %d, %s: no answer yet", b, ev.Kind)
			assert.NoError(t, ev.Err, "batch %d, %s", b, ev.Kind)
		}
	}

	answered := batches[0][2]
	require.NoError(t, answered.Err)
	require.NotNil(t, answered.Response)
	assert.Equal(t, http.StatusOK, answered.Response.StatusCode)
	assert.Equal(t, 2, answered.Response.Attempts, "the 429 and the answer")
	assert.Equal(t, "rid-0", answered.Response.RequestID, "the last attempt's")
	assert.Equal(t, onboard.RateLimit{Limit: 60, Remaining: 58, Reset: time.Unix(1767225600, 0)}, answered.Response.RateLimit)

	rejected := batches[1][2]
	apiErr := mustAPIError(t, rejected.Err)
	assert.ErrorIs(t, rejected.Err, onboard.ErrBadRequest)
	assert.Equal(t, "Provide exactly one of website_ids or group_ids", apiErr.Message)
	require.NotNil(t, rejected.Response)
	assert.Equal(t, http.StatusBadRequest, rejected.Response.StatusCode)
	assert.Equal(t, "rid-1", rejected.Response.RequestID)
	assert.Equal(t, 1, rejected.Response.Attempts)
	assert.Same(t, rejected.Err, rep.Outcomes[3].Err, "the outcome carries the batch's error")

	dropped := batches[2][2]
	reqErr := mustRequestError(t, dropped.Err)
	require.NotNil(t, dropped.Response)
	assert.Equal(t, onboard.Response{Attempts: 1}, *dropped.Response, "no answer: only the attempts")
	assert.Equal(t, 1, reqErr.Attempts)

	for i, want := range []onboard.State{onboard.StateSucceeded, onboard.StateNotSent, onboard.StateSucceeded, onboard.StateNotSent, onboard.StateUnknown} {
		assert.Equal(t, want, rep.Outcomes[i].State, "item %d: a dropped connection may have been done", i)
	}
	mustValidationError(t, rep.Outcomes[1].Err)
}

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
	assert.Len(t, rep.In(onboard.StateFailed), 2)
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
