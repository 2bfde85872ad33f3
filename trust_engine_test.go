package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// lostAnswer is the fault onboardtest's documents show: the request is
// done, but answered 503 with Retry-After, which the client retries.
func lostAnswer(path string) onboardtest.Fault {
	return onboardtest.Fault{Path: path, Times: 1, Status: http.StatusServiceUnavailable, RetryAfter: "2", Process: true}
}

// recordedStatuses returns the statuses the fake answered the requests to
// path with, oldest first.
func recordedStatuses(srv fake, path string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, path) {
			out = append(out, r.Status)
		}
	}
	return out
}

// TestEngineRetriedAlreadyThereIsUnknown checks that a refusal meaning
// "already there" is not reported as a failure when an earlier attempt of
// the same request may have done the work, for each service, and that each
// outcome says how many attempts its request took. The client's longest
// wait, 50 ms (fastRetry), caps the fault's Retry-After of 2 s.
func TestEngineRetriedAlreadyThereIsUnknown(t *testing.T) {
	t.Parallel()

	t.Run("aptly", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		const path = "/v1/user/bulk-invite"
		people := enginePeople(3)
		// One person was there before the run; nothing tells them apart.
		srv.AddAptlyUser(engineTenant, strings.ToLower(people[2].Email), "Was", "There")
		srv.InjectFault(lostAnswer(path))
		c := newAptly(t, srv)

		rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people)
		require.NoError(t, err)
		engineCheckOrder(t, people, rep.Outcomes)
		assert.Empty(t, rep.Failed(), "this run invited them")
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", o.Index)
			assert.Equal(t, 2, o.Attempts)
			assert.Equal(t, "Email already exists (the request took 2 attempts, and an earlier one may have done this item)", o.Message)
			_, ok := srv.FindAptlyUser(engineTenant, o.Item.Email)
			assert.True(t, ok)
		}
		assert.Equal(t, []int{http.StatusServiceUnavailable, http.StatusCreated}, recordedStatuses(srv, path))

		// Asked again in one attempt, "already there" is a failure.
		rep, err = c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people)
		require.NoError(t, err)
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateFailed, o.State)
			assert.Equal(t, 1, o.Attempts)
			assert.Equal(t, "Email already exists", o.Message)
		}
	})

	t.Run("royalti", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		const path = "/user/bulk"
		users := []onboard.RoyaltiWorkspaceUser{
			{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
			{FirstName: "Alan", LastName: "Turing", Email: "alan@example.com"},
		}
		c := newRoyalti(t, srv)

		srv.InjectFault(lostAnswer(path))
		rep, err := c.Users.CreateBulkAll(context.Background(), &onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false)}, users)
		require.NoError(t, err)
		engineCheckOrder(t, users, rep.Outcomes)
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", o.Index)
			assert.Equal(t, 2, o.Attempts)
			assert.Contains(t, o.Message, "already associated with workspace!")
		}
		assert.Equal(t, 2, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))

		// The one-request form, with and without the caller's own
		// WithResponse.
		more := []onboard.RoyaltiWorkspaceUser{{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"}}
		srv.InjectFault(lostAnswer(path))
		res, err := c.Users.CreateBulk(context.Background(), &onboard.RoyaltiCreateUsersRequest{Users: more, SendEmail: onboard.Ptr(false)})
		require.NoError(t, err)
		require.Len(t, res.Outcomes, 1)
		assert.Equal(t, onboard.StateUnknown, res.Outcomes[0].State)
		assert.Contains(t, res.Outcomes[0].Message, "User Grace Hopper already associated with workspace!")
		assert.Equal(t, 2, res.Outcomes[0].Attempts)

		var meta onboard.Response
		srv.InjectFault(lostAnswer(path))
		res, err = c.Users.CreateBulk(context.Background(), &onboard.RoyaltiCreateUsersRequest{Users: users[:1], SendEmail: onboard.Ptr(false)}, onboard.WithResponse(&meta))
		require.NoError(t, err)
		assert.Equal(t, 2, meta.Attempts)
		assert.Equal(t, onboard.StateUnknown, res.Outcomes[0].State)

		// In one attempt it is a failure.
		res, err = c.Users.CreateBulk(context.Background(), &onboard.RoyaltiCreateUsersRequest{Users: users[:1], SendEmail: onboard.Ptr(false)})
		require.NoError(t, err)
		assert.Equal(t, onboard.StateFailed, res.Outcomes[0].State)
		assert.Equal(t, "User Ada Lovelace already associated with workspace!", res.Outcomes[0].Message)
		assert.Equal(t, 1, res.Outcomes[0].Attempts)
	})

	t.Run("athena", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		const path = "/api/v1/invites/bulk"
		ids := []string{"123e4567-e89b-12d3-a456-426614174000", "987e6543-e21b-12d3-a456-426614174000"}
		c := newAthena(t, srv)

		for _, method := range []onboard.AthenaInviteMethod{onboard.AthenaInviteDirect, onboard.AthenaInviteByEmail} {
			srv.InjectFault(lostAnswer(path))
			in := websites(ids...)
			rep, err := c.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
				InviteMethod: method, Email: string(method) + "@example.com",
			}, in)
			require.NoError(t, err)
			engineCheckOrder(t, in, rep.Outcomes)
			for _, o := range rep.Outcomes {
				assert.Equal(t, onboard.StateUnknown, o.State, "%s item %d: %s", method, o.Index, o.Message)
				assert.Equal(t, 2, o.Attempts)
				assert.Contains(t, o.Message, "this website")
			}
		}
	})
}

// cancelAfterAnswer is a transport that cancels the caller's context as
// soon as an answer has arrived: with the body read in full first
// (readBody), or with the body still on the wire.
type cancelAfterAnswer struct {
	next     http.RoundTripper
	cancel   context.CancelFunc
	readBody bool
}

func (c *cancelAfterAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil && c.readBody {
		body, readErr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if readErr != nil {
			return nil, readErr
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	c.cancel()
	return resp, err
}

// TestEngineUsesAnswerThatArrived checks that a 2xx that arrived is used
// even if the context ends just after it came: its items are done, never
// "not sent" (which the README says to send again). A 2xx whose body the
// end of the context cut short is unknown.
func TestEngineUsesAnswerThatArrived(t *testing.T) {
	t.Parallel()

	t.Run("whole answer", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tr := &cancelAfterAnswer{next: srv.Client().Transport, cancel: cancel, readBody: true}
		c := newAptly(t, srv, onboard.WithHTTPClient(&http.Client{Transport: tr}))

		people := enginePeople(3)
		rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), people)
		require.NoError(t, err)
		require.Error(t, ctx.Err(), "the context ended after the answer came")
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d: %v", o.Index, o.Err)
			assert.NoError(t, o.Err)
			assert.Equal(t, 1, o.Attempts)
		}

		ctx, cancel = context.WithCancel(context.Background())
		defer cancel()
		tr.cancel = cancel
		res, err := c.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{TenantID: engineTenant, Users: enginePeople(5)[3:]})
		require.NoError(t, err)
		assert.Len(t, emailResults(res.Results, true), 2)
		assert.Equal(t, 5, srv.AptlyUserCount(engineTenant))
	})

	t.Run("body cut short", func(t *testing.T) {
		t.Parallel()
		people := enginePeople(3)
		answer := engineBulkAnswer(people)
		srv := newServer(t)
		srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(answer[:len(answer)/2])
			w.(http.Flusher).Flush()
			select { // the rest never comes
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		inner := http.DefaultTransport.(*http.Transport).Clone()
		t.Cleanup(inner.CloseIdleConnections)
		tr := &cancelAfterAnswer{next: inner, cancel: cancel}
		c := newAptly(t, srv, onboard.WithHTTPClient(&http.Client{Transport: tr}))

		rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), people)
		require.ErrorIs(t, err, context.Canceled)
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d: %v", o.Index, o.Err)
			assert.ErrorIs(t, o.Err, onboard.ErrUnexpectedResponse)
			assert.Equal(t, 1, o.Attempts)
		}
	})
}

// TestEngineSizesAreCapped checks that huge WithConcurrency and
// WithBatchSize values are lowered to their ceilings, and that a run
// allocates for the items it has, not for the batch size asked for. It is
// not parallel, so that the allocation count is the run's own.
func TestEngineSizesAreCapped(t *testing.T) {
	srv := newFake(t)
	c := newAptly(t, srv)
	next := 0
	for name, opts := range map[string][]onboard.BulkOption{
		"concurrency 1<<40":   {onboard.WithConcurrency(1 << 40)},
		"concurrency MaxInt":  {onboard.WithConcurrency(math.MaxInt)},
		"batch 1,000,000":     {onboard.WithBatchSize(1_000_000)},
		"batch MaxInt":        {onboard.WithBatchSize(math.MaxInt), onboard.WithConcurrency(math.MaxInt)},
		"both at the ceiling": {onboard.WithBatchSize(onboard.MaxBatchSize), onboard.WithConcurrency(onboard.MaxConcurrency)},
	} {
		t.Run(name, func(t *testing.T) {
			people := enginePeople(next + 3)[next:]
			next += 3
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, opts...)
			runtime.ReadMemStats(&after)
			require.NoError(t, err)
			assert.Len(t, rep.Succeeded(), 3)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated to invite 3 people")
		})
	}

	// The batch size is lowered to MaxBatchSize.
	people := enginePeople(2*onboard.MaxBatchSize + 500)[100:]
	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithBatchSize(1_000_000))
	require.NoError(t, err)
	assert.Len(t, rep.Succeeded(), len(people))
	assert.Equal(t, 3, srv.RequestCount("/v1/user/bulk-invite")-before)
}

// TestEngineItemThatCannotBeEncoded checks that an item the JSON encoder
// refuses is reported alone, with its own error, and its batch goes on.
func TestEngineItemThatCannotBeEncoded(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newAptly(t, srv)
	people := enginePeople(5)
	people[2].ExistingUser = map[string]any{"score": math.NaN()}

	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithBatchSize(5))
	require.NoError(t, err)
	engineCheckOrder(t, people, rep.Outcomes)
	for i, o := range rep.Outcomes {
		if i != 2 {
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d: %v", i, o.Err)
			continue
		}
		assert.Equal(t, onboard.StateNotSent, o.State)
		assert.Zero(t, o.Attempts)
		var ve *onboard.ValidationError
		require.ErrorAs(t, o.Err, &ve)
		assert.ErrorIs(t, o.Err, onboard.ErrInvalidRequest)
		require.Len(t, ve.Problems, 1)
		assert.Equal(t, "users[2]", ve.Problems[0].Field)
		assert.Equal(t, "cannot be encoded as JSON: json: unsupported value: NaN", ve.Problems[0].Message)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "one batch, without the bad item")
	var body onboard.AptlyBulkInviteRequest
	require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
	assert.Len(t, body.Users, 4)
	assert.Equal(t, engineTenant, body.TenantID)
}

// TestEngineBodyIsTheRequestEncoded checks that the body the engine builds
// from items encoded one by one is the request json.Marshal encodes, for
// each endpoint, shared fields included.
func TestEngineBodyIsTheRequestEncoded(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, ep := range endpoints() {
		srv.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadRequest) })
	}
	c := newClients(t, srv)
	ctx := context.Background()

	people := enginePeople(3)
	people[1].CustomAttributes = map[string]string{"team": "<R&D>"}
	_, err := c.aptly.Invites.SendBulkAll(ctx, inTenant(engineTenant), people)
	require.NoError(t, err)
	users := []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", Email: "ada@example.com"}, {Email: "b@example.com", Country: "NG"}}
	tmpl := onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false), RedirectURL: "https://example.com/?a=1&b=2", Message: "Hi \"you\""}
	_, err = c.royalti.Users.CreateBulkAll(ctx, &tmpl, users)
	require.NoError(t, err)
	ids := []string{"123e4567-e89b-12d3-a456-426614174000", "987e6543-e21b-12d3-a456-426614174000"}
	target := onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "a@example.com", Role: onboard.AthenaRoleAdmin, FirstName: "A"}
	n := 0
	for range c.athena.Invites.SendToTargetsSeq(ctx, &target, slices.Values(groups(ids...))) {
		n++
	}
	assert.Equal(t, 2, n)

	var bodies [][]byte
	for _, r := range srv.requests() {
		bodies = append(bodies, r.Body)
	}
	require.Len(t, bodies, 3)
	want, err := json.Marshal(&onboard.AptlyBulkInviteRequest{TenantID: engineTenant, Users: people})
	require.NoError(t, err)
	assert.Equal(t, string(want), string(bodies[0]), "the same bytes, HTML escaping included")
	tmpl.Users = users
	want, err = json.Marshal(&tmpl)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(bodies[1]))
	target.GroupIDs = ids
	want, err = json.Marshal(&target)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(bodies[2]))
	assert.NotContains(t, string(bodies[2]), "website_ids")
}

// TestEngineSeqStopsReadingInput checks that a ...Seq run stops reading its
// input promptly once the run stops, and reports an outcome for each item
// it read, even with an input that never ends.
func TestEngineSeqStopsReadingInput(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newAptly(t, srv)
	const bound = 200_001 // a stand-in for an endless input, so a failing test ends
	endless := func(read *int, onRead func(i int)) func(func(onboard.AptlyInvitee) bool) {
		return func(yield func(onboard.AptlyInvitee) bool) {
			for i := range bound {
				*read++
				onRead(i)
				if !yield(onboard.AptlyInvitee{Email: fmt.Sprintf("seq.%06d@example.com", i)}) {
					return
				}
			}
		}
	}

	t.Run("cancelled by the input at item 10", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		read := 0
		input := endless(&read, func(i int) {
			if i == 10 {
				cancel()
			}
		})
		var outs []onboard.Outcome[onboard.AptlyInvitee]
		for o := range c.Invites.SendBulkSeq(ctx, inTenant(engineTenant), input) {
			outs = append(outs, o)
		}
		assert.Equal(t, 11, read, "items 0 to 10: the cancel came as item 10 was read, and no item after it was")
		require.Len(t, outs, read)
		for i, o := range outs {
			assert.Equal(t, i, o.Index)
			assert.Equal(t, onboard.StateNotSent, o.State)
			assert.ErrorIs(t, o.Err, onboard.ErrStopped)
			assert.ErrorIs(t, o.Err, context.Canceled)
		}
	})

	t.Run("cancelled by the consumer at outcome 10", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		read := 0
		n := 0
		for o := range c.Invites.SendBulkSeq(ctx, inTenant(engineTenant), endless(&read, func(int) {}), onboard.WithBatchSize(10), onboard.WithConcurrency(1)) {
			require.Equal(t, n, o.Index)
			n++
			if n == 10 {
				cancel()
			}
		}
		assert.Equal(t, read, n, "every item read has its outcome")
		// At most the window (2 batches) and the batch being filled past
		// the cancel, and the item that saw the stop.
		assert.LessOrEqual(t, read, 10+3*10+1)
	})
}

// TestEngineSeqProgressCountsDelivered checks that a ...Seq run's progress
// never counts an outcome the range loop has not been given.
func TestEngineSeqProgressCountsDelivered(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newAptly(t, srv)
	people := enginePeople(500)
	delivered, reports := 0, 0
	progress := func(p onboard.Progress) {
		reports++
		assert.LessOrEqual(t, p.Done, delivered, "progress counts outcomes not yet delivered")
		assert.Equal(t, p.Done, p.Succeeded+p.Failed+p.NotSent+p.Unknown)
	}
	for o := range c.Invites.SendBulkSeq(context.Background(), inTenant(engineTenant), slices.Values(people),
		onboard.WithBatchSize(50), onboard.WithConcurrency(4), onboard.WithProgress(progress)) {
		assert.Equal(t, delivered, o.Index)
		delivered++
	}
	assert.Equal(t, 500, delivered)
	assert.GreaterOrEqual(t, reports, 10, "one report a batch")
}

// simulateLimiter sends n requests through a limiter of interval d and
// burst 1 on synthetic time, each asked for gaps[i%len(gaps)] after the
// one before (so bursts and idle spells both occur), and returns the most
// that fall in any closed 60-second window.
func simulateLimiter(d time.Duration, n int, gaps []time.Duration) int {
	lim := rate.NewLimiter(rate.Every(d), 1)
	asked := time.Unix(1_700_000_000, 0)
	sent := make([]time.Time, 0, n)
	for i := range n {
		asked = asked.Add(gaps[i%len(gaps)])
		r := lim.ReserveN(asked, 1)
		sent = append(sent, asked.Add(r.DelayFrom(asked)))
	}
	most := 0
	for i, j := 0, 0; i < len(sent); i++ {
		for j < len(sent) && !sent[j].After(sent[i].Add(time.Minute)) {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

// TestAthenaHQRequestInterval checks the advice for AthenaHQ's 60 requests
// a minute on synthetic time: the advised limiter never lets more than 60
// into any 60-second window, with the margin the doc promises, and the
// arithmetic of the doc (floor(60s/d)+1) holds, so the old advice of one a
// second is seen to let 61 in.
func TestAthenaHQRequestInterval(t *testing.T) {
	t.Parallel()
	greedy := []time.Duration{0}
	mixed := []time.Duration{0, 0, 0, 0, 0, 3 * time.Second, 0, 0, 200 * time.Millisecond, 0, 45 * time.Second, 0, 0, 0, 1500 * time.Millisecond}
	for _, d := range []time.Duration{time.Second, onboard.AthenaHQRequestInterval, time.Minute / 59, 2 * time.Second} {
		want := int(time.Minute/d) + 1
		assert.Equal(t, want, simulateLimiter(d, 400, greedy), "interval %s, requests as fast as allowed", d)
		assert.LessOrEqual(t, simulateLimiter(d, 400, mixed), want, "interval %s, bursts and pauses", d)
	}
	assert.Equal(t, 61, simulateLimiter(time.Second, 400, greedy), "one a second is one too many")
	assert.Equal(t, 55, simulateLimiter(onboard.AthenaHQRequestInterval, 400, greedy))
	assert.LessOrEqual(t, simulateLimiter(onboard.AthenaHQRequestInterval, 400, mixed), 60)
	// The margin: arrivals spread by up to 6 s of network delay still fit.
	assert.LessOrEqual(t, int((time.Minute+6*time.Second-1)/onboard.AthenaHQRequestInterval)+1, 60)
}
