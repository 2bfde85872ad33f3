package onboard_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// athenaTargetIDs returns n website ids.
func athenaTargetIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "123e4567-e89b-12d3-a456-" + strconv.FormatInt(426614174000+int64(i), 10)
	}
	return out
}

// athenaBulkAnswer is AthenaHQ's answer to a bulk invite to websites, in
// the document's shape: every other website refuses the person with an
// "error", the rest succeed with a message and the person's user id.
func athenaBulkAnswer(websites []string) []byte {
	out := []byte(`{"success":true,"results":[`)
	for i, id := range websites {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"website_id":"`...)
		out = append(out, id...)
		if i%2 == 1 {
			out = append(out, `","success":false,"error":"User is already a member of this website"}`...)
			continue
		}
		out = append(out, `","success":true,"message":"User added to website","user_id":"abc12345-e89b-12d3-a456-426614174000"}`...)
	}
	return append(out, "]}"...)
}

func TestTargetResultDecodesTheDocumentedShapes(t *testing.T) {
	const user = "abc12345-e89b-12d3-a456-426614174000"
	for _, tc := range []struct {
		name, in string
		want     onboard.AthenaTargetResult
	}{
		{"website added", `{"website_id":"` + websiteID1 + `","success":true,"message":"User added to website","user_id":"` + user + `"}`,
			onboard.AthenaTargetResult{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: user}},
		{"website refused, reason in error", `{"website_id":"` + websiteID2 + `","success":false,"error":"User is already a member of this website"}`,
			onboard.AthenaTargetResult{WebsiteID: websiteID2, Message: "User is already a member of this website"}},
		{"group invited", `{"group_id":"` + groupID1 + `","success":true,"message":"Invite sent"}`,
			onboard.AthenaTargetResult{GroupID: groupID1, Success: true, Message: "Invite sent"}},
		{"error wins over message", `{"group_id":"` + groupID2 + `","success":false,"message":"Failed","error":"Group not found"}`,
			onboard.AthenaTargetResult{GroupID: groupID2, Message: "Group not found"}},
		{"empty error keeps message", `{"website_id":"` + websiteID1 + `","success":false,"message":"Not allowed","error":""}`,
			onboard.AthenaTargetResult{WebsiteID: websiteID1, Message: "Not allowed"}},
		{"null error keeps message", `{"website_id":"` + websiteID1 + `","success":true,"message":"User added to website","error":null}`,
			onboard.AthenaTargetResult{WebsiteID: websiteID1, Success: true, Message: "User added to website"}},
		{"unknown fields ignored", `{"website_id":"` + websiteID1 + `","success":true,"role":"viewer"}`,
			onboard.AthenaTargetResult{WebsiteID: websiteID1, Success: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer := `{"success":true,"results":[` + tc.in + `,` + tc.in + `]}`
			want := &onboard.AthenaTargetInviteResult{Success: true, Results: []onboard.AthenaTargetResult{tc.want, tc.want}}
			assert.Equal(t, want, sendToTargetsAnswered(t, answer))
		})
	}

	t.Run("the document's example", func(t *testing.T) {
		want := &onboard.AthenaTargetInviteResult{Success: true, Results: []onboard.AthenaTargetResult{
			{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: user},
			{WebsiteID: websiteID2, Message: "User is already a member of this website"},
		}}
		assert.Equal(t, want, sendToTargetsAnswered(t, docAthenaBulkInvite))
	})

	t.Run("no results", func(t *testing.T) {
		assert.Equal(t, &onboard.AthenaTargetInviteResult{}, sendToTargetsAnswered(t, `{"success":false}`))
	})

	for _, bad := range []string{
		`{"success":true,"results":[{"website_id":7}]}`,
		`{"success":true,"results":[{"success":"yes"}]}`,
		`{"success":true,"results":[{"error":false}]}`,
		`{"success":true,"results":{}}`,
	} {
		_, err := sendToTargetsCall(t, bad)
		assert.ErrorIs(t, err, onboard.ErrUnexpectedResponse, bad)
	}
}

// sendToTargetsAnswered calls SendToTargets against a server that sends
// answer, and returns the result.
func sendToTargetsAnswered(t *testing.T, answer string) *onboard.AthenaTargetInviteResult {
	t.Helper()
	res, err := sendToTargetsCall(t, answer)
	require.NoError(t, err)
	return res
}

// sendToTargetsCall calls SendToTargets against a server that sends answer.
func sendToTargetsCall(t *testing.T, answer string) (*onboard.AthenaTargetInviteResult, error) {
	t.Helper()
	srv := newServer(t)
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, answer)
	})
	return newAthena(t, srv).Invites.SendToTargets(testCtx(t), validTargetInvite())
}

// TestSendToTargetsAllocations pins what SendToTargets of one person to 50
// websites allocates: at most 1.2 times what the same call written by hand
// with net/http and encoding/json allocates, against a server that answers
// from a canned body and allocates next to nothing. Each of the 50 results
// used to be decoded a second time, at 2.5 times the hand-written call.
func TestSendToTargetsAllocations(t *testing.T) {
	websites := athenaTargetIDs(onboard.AthenaMaxTargets)
	srv := newEngineRawServer(t, http.StatusOK, athenaBulkAnswer(websites))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c := newAthena(t, site(srv.URL), onboard.WithHTTPClient(&http.Client{Transport: tr}))
	hc := &http.Client{Transport: tr}
	ctx := testCtx(t)
	url := site(srv.URL).baseURL(athenaAPI) + "/api/v1/invites/bulk"
	req := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", WebsiteIDs: websites}
	type answer struct {
		Success bool `json:"success"`
		Results []struct {
			WebsiteID string `json:"website_id"`
			GroupID   string `json:"group_id"`
			Success   bool   `json:"success"`
			Message   string `json:"message"`
			Error     string `json:"error"`
			UserID    string `json:"user_id"`
		} `json:"results"`
	}

	var res *onboard.AthenaTargetInviteResult
	byHand := testing.AllocsPerRun(50, func() {
		require.NoError(t, handWrittenCall(ctx, hc, url, "x-api-key", testAPIKey, req, new(answer)))
	})
	sdk := testing.AllocsPerRun(50, func() {
		var err error
		res, err = c.Invites.SendToTargets(ctx, req)
		require.NoError(t, err)
	})
	require.Len(t, res.Results, onboard.AthenaMaxTargets)
	t.Logf("SendToTargets of %d websites: %.0f allocations; by hand: %.0f", onboard.AthenaMaxTargets, sdk, byHand)
	assert.LessOrEqual(t, sdk, 1.2*byHand, "SendToTargets of %d websites allocates %.0f times; the call by hand %.0f", onboard.AthenaMaxTargets, sdk, byHand)
}

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
		assert.Empty(t, rep.In(onboard.StateFailed), "this run invited them")
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
			assert.Len(t, rep.In(onboard.StateSucceeded), 3)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated to invite 3 people")
		})
	}

	// The batch size is lowered to MaxBatchSize.
	people := enginePeople(2*onboard.MaxBatchSize + 500)[100:]
	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithBatchSize(1_000_000))
	require.NoError(t, err)
	assert.Len(t, rep.In(onboard.StateSucceeded), len(people))
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

const engineTenant = "887fd99a-e3ab-44ac-8253-31f269599f2b"

// inTenant is the request an Aptly bulk run shares: the tenant.
func inTenant(id string) *onboard.AptlyBulkInviteRequest {
	return &onboard.AptlyBulkInviteRequest{TenantID: id}
}

// websites and groups return the targets of the given ids.
func websites(ids ...string) []onboard.AthenaTarget { return targets(onboard.AthenaWebsite, ids) }
func groups(ids ...string) []onboard.AthenaTarget   { return targets(onboard.AthenaGroup, ids) }

func targets(kind func(string) onboard.AthenaTarget, ids []string) []onboard.AthenaTarget {
	out := make([]onboard.AthenaTarget, len(ids))
	for i, id := range ids {
		out[i] = kind(id)
	}
	return out
}

// enginePeople returns n invitees whose emails carry their index, in mixed
// case ("Person.00042@Example.com").
func enginePeople(n int) []onboard.AptlyInvitee {
	out := make([]onboard.AptlyInvitee, n)
	for i := range out {
		out[i] = onboard.AptlyInvitee{Email: engineEmail(i), FirstName: "Person", LastName: fmt.Sprint(i)}
	}
	return out
}

func engineEmail(i int) string { return fmt.Sprintf("Person.%05d@Example.com", i) }

// engineIndexOf reads the index back out of an engineEmail, or -1.
func engineIndexOf(email string) int {
	var i int
	if _, err := fmt.Sscanf(strings.ToLower(email), "person.%d@", &i); err != nil {
		return -1
	}
	return i
}

// engineAptly is an Aptly bulk-invite handler on a recording server that
// records, for every
// email, each distinct request body it arrived in and the last answer it
// got, and for every body the answers given to each of its attempts. fault
// picks a batch's answer from the index of its first email and how many
// times the same body was seen before.
//
// In a normal answer the email with index%17 == 0 fails ("Email already
// exists"), index%101 == 0 is left out of the results, and the results of
// odd batches come in reverse order with emails in lower case.
type engineAptly struct {
	t       *testing.T
	fault   func(first, attempt int) string
	latency time.Duration

	mu       sync.Mutex
	bodies   map[[32]byte][]string        // body -> answer to each attempt
	emails   map[string]map[[32]byte]bool // email -> bodies it came in
	last     map[string]string            // email -> last answer it got
	requests int
}

func newEngineAptly(t *testing.T, fault func(first, attempt int) string) (*engineAptly, *server) {
	e := &engineAptly{
		t:      t,
		fault:  fault,
		bodies: map[[32]byte][]string{},
		emails: map[string]map[[32]byte]bool{},
		last:   map[string]string{},
	}
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", e.ServeHTTP)
	return e, srv
}

const (
	engineOK        = "ok"
	engineSucceeded = "succeeded"
	engineFailed    = "failed"
	engineMissing   = "missing"
)

func (e *engineAptly) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := e.t
	body, err := io.ReadAll(r.Body)
	if !assert.NoError(t, err) {
		return
	}
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	var req struct {
		TenantID string `json:"tenantId"`
		Users    []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	if !assert.NoError(t, json.Unmarshal(body, &req)) || !assert.NotEmpty(t, req.Users) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	assert.Equal(t, engineTenant, req.TenantID)
	sum := sha256.Sum256(body)
	first := engineIndexOf(req.Users[0].Email)

	e.mu.Lock()
	e.requests++
	attempt := len(e.bodies[sum])
	kind := engineOK
	if e.fault != nil {
		kind = cmp.Or(e.fault(first, attempt), engineOK)
	}
	e.bodies[sum] = append(e.bodies[sum], kind)
	for _, u := range req.Users {
		k := strings.ToLower(u.Email)
		if e.emails[k] == nil {
			e.emails[k] = map[[32]byte]bool{}
		}
		e.emails[k][sum] = true
		e.last[k] = kind
	}
	e.mu.Unlock()

	if e.latency > 0 {
		select {
		case <-time.After(e.latency):
		case <-r.Context().Done():
			return
		}
	}
	errBody := func(status int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"statusCode":%d,"message":"fault %s","timestamp":"2026-01-12T09:10:12.337Z"}`, status, kind)
	}
	switch kind {
	case "429":
		w.Header().Set("Retry-After", "0")
		errBody(http.StatusTooManyRequests)
		return
	case "503":
		w.Header().Set("Retry-After", "0")
		errBody(http.StatusServiceUnavailable)
		return
	case "500":
		errBody(http.StatusInternalServerError)
		return
	case "401":
		errBody(http.StatusUnauthorized)
		return
	case "drop":
		if conn, _, err := w.(http.Hijacker).Hijack(); assert.NoError(t, err) {
			_ = conn.Close()
		}
		return
	case "malformed":
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "<html>gateway says hello</html>")
		return
	}

	type result struct {
		Email   string `json:"email"`
		Success bool   `json:"success"`
		Message string `json:"message"`
	}
	var results []result
	e.mu.Lock()
	for _, u := range req.Users {
		k, i := strings.ToLower(u.Email), engineIndexOf(u.Email)
		res := result{Email: u.Email, Success: true, Message: "User invited successfully"}
		switch {
		case i%101 == 0:
			e.last[k] = engineMissing
			continue
		case i%17 == 0:
			res = result{Email: u.Email, Message: "Email already exists"}
			e.last[k] = engineFailed
		default:
			e.last[k] = engineSucceeded
		}
		if first%2 == 1 {
			res.Email = k
		}
		results = append(results, res)
	}
	e.mu.Unlock()
	if first%2 == 1 {
		slices.Reverse(results)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	// The client may have gone (a cancelled run); a failed write is fine.
	_ = json.NewEncoder(w).Encode(map[string]any{
		"statusCode": 200, "timestamp": "2026-01-12T09:10:12.337Z", "message": "Success",
		"data": map[string]any{"total": len(req.Users), "results": results},
	})
}

// checkNoDoubleSend asserts that each email reached the server in one
// request body only, and that a body was repeated only after an answer the
// default retry policy retries (429, or 503 with Retry-After).
func (e *engineAptly) checkNoDoubleSend(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for email, bodies := range e.emails {
		assert.Len(t, bodies, 1, "%s reached the server in more than one batch", email)
	}
	for _, answers := range e.bodies {
		for _, a := range answers[:len(answers)-1] {
			assert.Contains(t, []string{"429", "503"}, a, "a request was repeated after %q, which the policy does not retry", a)
		}
	}
}

func (e *engineAptly) lastAnswer(email string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.last[strings.ToLower(email)]
	return a, ok
}

// engineFaults gives about a third of the batches a fault: 429 once (then
// fine), 429 and 503 on every attempt (retried, then given up), 500 and a
// dropped connection (not retried by default), and a malformed 2xx body.
func engineFaults(first, attempt int) string {
	switch (first/100*7 + first) % 20 {
	case 0:
		if attempt == 0 {
			return "429"
		}
	case 1:
		return "503"
	case 2:
		return "500"
	case 3:
		return "drop"
	case 4:
		return "malformed"
	case 5:
		return "429"
	}
	return ""
}

// engineCheckOrder asserts one outcome per input item, in order, each
// carrying its item.
func engineCheckOrder[T any](t *testing.T, in []T, outs []onboard.Outcome[T]) {
	t.Helper()
	require.Len(t, outs, len(in))
	for i, o := range outs {
		if !assert.Equal(t, i, o.Index) {
			return
		}
		assert.Equal(t, in[i], o.Item)
	}
}

// engineProgress records progress reports and checks they only grow.
type engineProgress struct {
	t     *testing.T
	mu    sync.Mutex // only to satisfy the race detector if the engine broke its promise
	calls []onboard.Progress
	busy  atomic.Bool
}

func (p *engineProgress) record(pr onboard.Progress) {
	if !p.busy.CompareAndSwap(false, true) {
		p.t.Error("progress called concurrently")
	}
	defer p.busy.Store(false)
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.calls); n > 0 {
		prev := p.calls[n-1]
		assert.GreaterOrEqual(p.t, pr.Done, prev.Done, "Done went down")
		assert.GreaterOrEqual(p.t, pr.Succeeded, prev.Succeeded)
		assert.GreaterOrEqual(p.t, pr.Failed, prev.Failed)
		assert.GreaterOrEqual(p.t, pr.NotSent, prev.NotSent)
		assert.GreaterOrEqual(p.t, pr.Unknown, prev.Unknown)
	}
	assert.Equal(p.t, pr.Done, pr.Succeeded+pr.Failed+pr.NotSent+pr.Unknown)
	p.calls = append(p.calls, pr)
}

func (p *engineProgress) final() onboard.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	require.NotEmpty(p.t, p.calls)
	return p.calls[len(p.calls)-1]
}

// TestEngineTenThousandWithFaults sends 10,000 invitees, some invalid, in
// batches of 100 to a server that faults about a third of the batches, and
// checks every outcome against what the server says it answered.
func TestEngineTenThousandWithFaults(t *testing.T) {
	t.Parallel()
	e, srv := newEngineAptly(t, engineFaults)
	c := newAptly(t, srv)

	people := enginePeople(10_000)
	for i := 13; i < len(people); i += 997 {
		people[i].Email = fmt.Sprintf("person.%05d.at.example.com", i)
	}
	prog := &engineProgress{t: t}
	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people,
		onboard.WithConcurrency(8), onboard.WithProgress(prog.record))
	require.NoError(t, err)
	engineCheckOrder(t, people, rep.Outcomes)
	e.checkNoDoubleSend(t)

	seen := map[string]int{}
	for _, o := range rep.Outcomes {
		answer, reached := e.lastAnswer(o.Item.Email)
		seen[answer]++
		if !reached {
			var ve *onboard.ValidationError
			if assert.ErrorAs(t, o.Err, &ve, "item %d never reached the server", o.Index) {
				assert.Equal(t, onboard.StateNotSent, o.State)
				require.Len(t, ve.Problems, 1)
				assert.Equal(t, fmt.Sprintf("users[%d].email", o.Index), ve.Problems[0].Field)
			}
			continue
		}
		var apiErr *onboard.APIError
		var reqErr *onboard.RequestError
		switch answer {
		case engineSucceeded:
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", o.Index)
			assert.Equal(t, "User invited successfully", o.Message)
			assert.NoError(t, o.Err)
			assert.Contains(t, []int{1, 2}, o.Attempts, "item %d: a 429 at most once first", o.Index)
		case engineFailed:
			if o.Attempts == 1 {
				assert.Equal(t, onboard.StateFailed, o.State, "item %d", o.Index)
				assert.Equal(t, "Email already exists", o.Message)
				break
			}
			// After a retry "already there" may be the run's own work.
			assert.Equal(t, 2, o.Attempts, "item %d", o.Index)
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", o.Index)
			assert.Equal(t, "Email already exists (the request took 2 attempts, and an earlier one may have done this item)", o.Message)
		case engineMissing:
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", o.Index)
			assert.Equal(t, "the answer has no result for this email", o.Message)
		case "malformed":
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", o.Index)
			assert.ErrorIs(t, o.Err, onboard.ErrUnexpectedResponse)
			assert.Equal(t, 1, o.Attempts)
		case "429", "503", "500":
			want := map[string]onboard.State{"429": onboard.StateNotSent, "503": onboard.StateNotSent, "500": onboard.StateUnknown}[answer]
			assert.Equal(t, want, o.State, "item %d: a 500 may have been done; a 429 or a 503 with Retry-After was not", o.Index)
			if assert.ErrorAs(t, o.Err, &apiErr) {
				assert.Equal(t, answer, fmt.Sprint(apiErr.StatusCode))
			}
			assert.Equal(t, map[string]int{"429": 3, "503": 3, "500": 1}[answer], o.Attempts, "item %d", o.Index)
		case "drop":
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d: the server may have done it", o.Index)
			assert.ErrorAs(t, o.Err, &reqErr)
			assert.Equal(t, 1, o.Attempts)
		default:
			t.Fatalf("answer %q", answer)
		}
	}
	// Every kind of answer happened.
	for _, k := range []string{engineSucceeded, engineFailed, engineMissing, "malformed", "429", "503", "500", "drop", ""} {
		assert.NotZero(t, seen[k], "no item got %q", k)
	}
	final := prog.final()
	assert.Equal(t, rep.Counts(), final)
	assert.Equal(t, 10_000, final.Total)
	assert.Equal(t, 10_000, final.Done)
}

// TestEngineCancelPartWay cancels a 10,000-item run with faults once half
// the items are accounted for: every item still gets one outcome, in
// order, and no item the run stopped before sending reached the server.
func TestEngineCancelPartWay(t *testing.T) {
	t.Parallel()
	e, srv := newEngineAptly(t, engineFaults)
	e.latency = 2 * time.Millisecond
	c := newAptly(t, srv)

	people := enginePeople(10_000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prog := &engineProgress{t: t}
	rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), people, onboard.WithConcurrency(4),
		onboard.WithProgress(func(p onboard.Progress) {
			prog.record(p)
			if p.Done >= 5000 {
				cancel()
			}
		}))
	require.ErrorIs(t, err, context.Canceled)
	engineCheckOrder(t, people, rep.Outcomes)
	e.checkNoDoubleSend(t)

	stopped := 0
	for _, o := range rep.Outcomes {
		answer, reached := e.lastAnswer(o.Item.Email)
		switch {
		case errors.Is(o.Err, onboard.ErrStopped):
			stopped++
			assert.Equal(t, onboard.StateNotSent, o.State)
			assert.ErrorIs(t, o.Err, context.Canceled)
			assert.False(t, reached, "item %d was reported stopped but reached the server", o.Index)
		case o.State == onboard.StateSucceeded:
			assert.Equal(t, engineSucceeded, answer, "item %d", o.Index)
		case o.State == onboard.StateFailed:
			assert.Equal(t, engineFailed, answer, "item %d", o.Index)
		case errors.Is(o.Err, context.Canceled):
			// In flight when the cancel came: it may or may not have
			// reached the server, so it is unknown, never "not sent".
			// Its error is the request's, or that of a 2xx whose body
			// the cancel cut short.
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", o.Index)
			var reqErr *onboard.RequestError
			if !errors.As(o.Err, &reqErr) {
				assert.ErrorIs(t, o.Err, onboard.ErrUnexpectedResponse, "item %d", o.Index)
			}
		default:
			assert.True(t, reached, "item %d: %v", o.Index, o.Err)
		}
	}
	assert.Greater(t, stopped, 1000, "the cancel stopped too little")
	final := prog.final()
	assert.Equal(t, 10_000, final.Done)
	assert.Equal(t, 10_000, final.Total)
	assert.Equal(t, rep.Counts(), final)
	e.mu.Lock()
	assert.Less(t, e.requests, 90, "requests went on after the cancel")
	e.mu.Unlock()
}

// TestEngineOnboardtestFaults runs 4,000 invitees against the onboardtest
// fake with injected faults, some of them after the fake did the work, and
// checks the outcomes against the fake's state.
func TestEngineOnboardtestFaults(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	const path = "/v1/user/bulk-invite"
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 3, Status: http.StatusTooManyRequests, RetryAfter: "0"})
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 2, Status: http.StatusInternalServerError})
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 2, DropConnection: true})
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 1, Malformed: true, Process: true})
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 1, Truncate: true, Process: true})
	srv.InjectFault(onboardtest.Fault{Path: path, Times: 3, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	people := enginePeople(4000)
	for i := 0; i < len(people); i += 250 {
		srv.AddAptlyUser(engineTenant, strings.ToLower(people[i].Email), "Already", "There")
	}
	// Six retries: the six retryable faults cannot use up one batch's.
	c := newAptly(t, srv, onboard.WithRetry(6))

	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithConcurrency(8))
	require.NoError(t, err)
	engineCheckOrder(t, people, rep.Outcomes)
	assert.Zero(t, srv.PendingFaults())

	// No email reached the fake in two different bodies.
	inBody := map[string][32]byte{}
	for _, r := range srv.Requests() {
		var req struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &req))
		sum := sha256.Sum256(r.Body)
		for _, u := range req.Users {
			if prev, ok := inBody[u.Email]; ok {
				assert.Equal(t, prev, sum, "%s sent in two batches", u.Email)
			}
			inBody[u.Email] = sum
		}
	}

	// Which batch gets which fault depends on arrival order; how many
	// batches end in each state does not. A seeded user whose batch was
	// retried is unknown: "Email already exists" may then be the work of
	// the batch's earlier attempt.
	already := 0
	for _, o := range rep.Outcomes {
		if o.State == onboard.StateUnknown && strings.HasPrefix(o.Message, "Email already exists") {
			already++
			assert.Equal(t, 0, o.Index%250, "item %d", o.Index)
			assert.Greater(t, o.Attempts, 1, "item %d", o.Index)
		}
	}
	counts := rep.Counts()
	assert.Equal(t, 600, counts.Unknown-already, "the malformed and the truncated batch, two 500s and two dropped connections")
	assert.Zero(t, counts.NotSent)
	assert.Equal(t, 3400, counts.Succeeded+counts.Failed+already)
	assert.LessOrEqual(t, counts.Failed+already, 16, "only the seeded users fail")
	for _, o := range rep.Outcomes {
		_, inFake := srv.FindAptlyUser(engineTenant, o.Item.Email)
		switch o.State {
		case onboard.StateFailed:
			assert.Equal(t, 0, o.Index%250, "item %d", o.Index)
			assert.Equal(t, 1, o.Attempts, "item %d", o.Index)
			assert.Equal(t, "Email already exists", o.Message)
		case onboard.StateSucceeded:
			assert.True(t, inFake, "item %d (%s) is not in the fake", o.Index, o.State)
		case onboard.StateNotSent:
			if o.Index%250 != 0 {
				assert.False(t, inFake, "item %d was not sent but is in the fake", o.Index)
			}
		}
	}
}

// TestEngineDuplicatesSplitBatches checks that a batch never holds one key
// twice, so each result is tied to its item, for all three endpoints.
func TestEngineDuplicatesSplitBatches(t *testing.T) {
	t.Parallel()
	srv := newFake(t)

	t.Run("aptly emails, case-insensitive", func(t *testing.T) {
		people := []onboard.AptlyInvitee{
			{Email: "a@example.com"}, {Email: "b@example.com"}, {Email: "A@Example.com"},
			{Email: "c@example.com"}, {Email: "b@example.com"},
		}
		c := newAptly(t, srv)
		before := srv.RequestCount("/v1/user/bulk-invite")
		rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithConcurrency(1), onboard.WithSendDuplicates())
		require.NoError(t, err)
		engineCheckOrder(t, people, rep.Outcomes)
		assert.Equal(t, 2, srv.RequestCount("/v1/user/bulk-invite")-before, "[a b] [A c b]")
		states := []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded, onboard.StateFailed, onboard.StateSucceeded, onboard.StateFailed}
		for i, o := range rep.Outcomes {
			assert.Equal(t, states[i], o.State, "item %d", i)
		}
		assert.Equal(t, "Email already exists", rep.Outcomes[2].Message)
	})

	t.Run("athena target ids", func(t *testing.T) {
		ids := []string{
			"123e4567-e89b-12d3-a456-426614174000", "987e6543-e21b-12d3-a456-426614174000",
			"123E4567-E89B-12D3-A456-426614174000",
		}
		c := newAthena(t, srv)
		before := srv.RequestCount("/api/v1/invites/bulk")
		in := websites(ids...)
		rep, err := c.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com",
		}, in, onboard.WithConcurrency(1), onboard.WithSendDuplicates())
		require.NoError(t, err)
		engineCheckOrder(t, in, rep.Outcomes)
		assert.Equal(t, 2, srv.RequestCount("/api/v1/invites/bulk")-before)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[0].State)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[1].State)
		assert.NotEmpty(t, rep.Outcomes[0].UserID)
		assert.Equal(t, "User added to website", rep.Outcomes[0].Message)
		// Whether the fake takes the upper-case id for the first website
		// or a new one, its result was tied to it.
		assert.Contains(t, []onboard.State{onboard.StateSucceeded, onboard.StateFailed}, rep.Outcomes[2].State)
	})

	t.Run("royalti names", func(t *testing.T) {
		users := []onboard.RoyaltiWorkspaceUser{
			{FirstName: "Jane", LastName: "Doe", Email: "jane1@example.com"},
			{FirstName: "John", LastName: "Roe", Email: "john@example.com"},
			{FirstName: "jane", LastName: "DOE", Email: "jane2@example.com"},
			{Email: "noname@example.com"},
		}
		c := newRoyalti(t, srv)
		before := srv.RequestCount("/user/bulk")
		rep, err := c.Users.CreateBulkAll(context.Background(), &onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false)}, users, onboard.WithConcurrency(1))
		require.NoError(t, err)
		engineCheckOrder(t, users, rep.Outcomes)
		assert.Equal(t, 2, srv.RequestCount("/user/bulk")-before, "[Jane John] [jane noname]")
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[0].State)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[1].State)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[2].State)
		// Royalti names created users only; one without a name cannot be
		// tied to the answer, and is never guessed a success.
		assert.Equal(t, onboard.StateUnknown, rep.Outcomes[3].State)
		assert.NotEmpty(t, rep.Outcomes[3].Message)
		assert.Equal(t, 4, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
	})
}

// TestEngineInvalidItemsAndOptions checks that invalid items are reported
// alone and the rest are sent, and that bad options or shared fields stop
// the run before anything is sent, still with one outcome per item.
func TestEngineInvalidItemsAndOptions(t *testing.T) {
	t.Parallel()
	e, srv := newEngineAptly(t, nil)
	c := newAptly(t, srv)
	ctx := context.Background()

	t.Run("invalid items", func(t *testing.T) {
		people := enginePeople(30)
		people[0].Email = ""
		people[7].ManagerID = "not-a-uuid"
		people[29].Email = "nope"
		rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), people, onboard.WithBatchSize(10))
		require.NoError(t, err)
		engineCheckOrder(t, people, rep.Outcomes)
		for _, i := range []int{0, 7, 29} {
			o := rep.Outcomes[i]
			assert.Equal(t, onboard.StateNotSent, o.State)
			var ve *onboard.ValidationError
			require.ErrorAs(t, o.Err, &ve)
			assert.ErrorIs(t, o.Err, onboard.ErrInvalidRequest)
			assert.Equal(t, "aptly: Invites.SendBulkAll", ve.Op)
			assert.True(t, strings.HasPrefix(ve.Problems[0].Field, fmt.Sprintf("users[%d].", i)), ve.Problems[0].Field)
			_, reached := e.lastAnswer(o.Item.Email)
			assert.False(t, reached)
		}
		assert.Len(t, rep.In(onboard.StateNotSent), 3)
		assert.Len(t, rep.In(onboard.StateFailed), 1, "item 17")
		assert.Len(t, rep.In(onboard.StateSucceeded), 26)
	})

	t.Run("item that cannot be encoded", func(t *testing.T) {
		// Each item is encoded when it is added to a batch; one that cannot
		// be is not sent, with its own error, and its batch goes on without
		// it. time.Time refuses to encode a year past 9999. Emails 30 to
		// 59, which the subtest above did not send.
		people := enginePeople(60)[30:]
		people[12].StartDate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), people, onboard.WithBatchSize(10), onboard.WithConcurrency(2))
		require.NoError(t, err)
		engineCheckOrder(t, people, rep.Outcomes)
		for i, o := range rep.Outcomes {
			_, reached := e.lastAnswer(o.Item.Email)
			if i != 12 {
				assert.NotEqual(t, onboard.StateNotSent, o.State, i)
				assert.True(t, reached, i)
				continue
			}
			assert.Equal(t, onboard.StateNotSent, o.State)
			var ve *onboard.ValidationError
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, "users[12]", ve.Problems[0].Field)
			assert.Contains(t, ve.Problems[0].Message, "cannot be encoded as JSON")
			assert.False(t, reached)
		}
		assert.Len(t, rep.In(onboard.StateNotSent), 1)
	})

	for name, tc := range map[string]struct {
		req   *onboard.AptlyBulkInviteRequest
		opts  []onboard.BulkOption
		field string
	}{
		"batch size 0":       {inTenant(engineTenant), []onboard.BulkOption{onboard.WithBatchSize(0)}, "WithBatchSize"},
		"concurrency -1":     {inTenant(engineTenant), []onboard.BulkOption{onboard.WithConcurrency(-1)}, "WithConcurrency"},
		"tenant not uuid":    {inTenant("tenant"), nil, "tenantId"},
		"tenant missing":     {inTenant(""), []onboard.BulkOption{onboard.WithConcurrency(2)}, "tenantId"},
		"nil option is ok":   {inTenant(""), []onboard.BulkOption{nil}, "tenantId"},
		"nil request":        {nil, nil, "request"},
		"request with users": {validBulkInvite(), nil, "users"},
	} {
		t.Run(name, func(t *testing.T) {
			before := e.requests
			people := enginePeople(250)
			prog := &engineProgress{t: t}
			rep, err := c.Invites.SendBulkAll(ctx, tc.req, people, append(tc.opts, onboard.WithProgress(prog.record))...)
			var ve *onboard.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Problems[0].Field)
			engineCheckOrder(t, people, rep.Outcomes)
			for _, o := range rep.Outcomes {
				assert.Equal(t, onboard.StateNotSent, o.State)
				assert.ErrorIs(t, o.Err, onboard.ErrStopped)
				assert.ErrorIs(t, o.Err, onboard.ErrInvalidRequest)
			}
			e.mu.Lock()
			assert.Equal(t, before, e.requests, "nothing is sent")
			e.mu.Unlock()
			assert.Equal(t, onboard.Progress{Total: 250, Done: 250, NotSent: 250}, prog.final())
		})
	}
}

// TestEngineStops checks what stops a run: a 401 always, any failed batch
// with WithStopOnBatchFailure, and otherwise nothing.
func TestEngineStops(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault    string
		opts     []onboard.BulkOption
		stops    bool
		sentinel error
	}{
		"401 stops the run":                    {"401", nil, true, onboard.ErrUnauthorized},
		"500 does not stop by default":         {"500", nil, false, onboard.ErrServer},
		"500 stops with stop-on-failure":       {"500", []onboard.BulkOption{onboard.WithStopOnBatchFailure()}, true, onboard.ErrServer},
		"malformed stops with stop-on-failure": {"malformed", []onboard.BulkOption{onboard.WithStopOnBatchFailure()}, true, onboard.ErrUnexpectedResponse},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// The third batch (first index 200) fails.
			e, srv := newEngineAptly(t, func(first, _ int) string {
				if first == 200 {
					return tc.fault
				}
				return ""
			})
			c := newAptly(t, srv)
			people := enginePeople(1000)
			rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people,
				append(tc.opts, onboard.WithConcurrency(1))...)
			engineCheckOrder(t, people, rep.Outcomes)
			if !tc.stops {
				require.NoError(t, err)
				assert.Equal(t, 10, e.requests)
				for _, o := range rep.Outcomes[200:300] {
					assert.Equal(t, onboard.StateUnknown, o.State, "after a 500 the server may have done the batch")
				}
				return
			}
			require.ErrorIs(t, err, tc.sentinel)
			assert.Equal(t, 3, e.requests, "with concurrency 1 nothing is sent after the failing batch")
			for _, o := range rep.Outcomes[200:300] {
				assert.ErrorIs(t, o.Err, tc.sentinel)
				assert.NotErrorIs(t, o.Err, onboard.ErrStopped)
			}
			for _, o := range rep.Outcomes[300:] {
				assert.Equal(t, onboard.StateNotSent, o.State)
				assert.ErrorIs(t, o.Err, onboard.ErrStopped)
				assert.ErrorIs(t, o.Err, tc.sentinel)
			}
			assert.Len(t, rep.Items(onboard.StateNotSent), 700+100*boolInt(tc.fault == "401"), "a 500 or an unreadable answer is unknown")
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestEngine401StopsConcurrentRun checks that with several batches in
// flight a 401 still stops the run after at most one round of requests.
func TestEngine401StopsConcurrentRun(t *testing.T) {
	t.Parallel()
	e, srv := newEngineAptly(t, func(int, int) string { return "401" })
	c := newAptly(t, srv)
	people := enginePeople(2000)
	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithConcurrency(4))
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
	engineCheckOrder(t, people, rep.Outcomes)
	assert.LessOrEqual(t, e.requests, 4)
	assert.Len(t, rep.In(onboard.StateNotSent), 2000)
}

// TestEngineResumeFromReport feeds Items(StateFailed, StateNotSent) of one
// run straight into another. The batches refused with a 400 were not done.
func TestEngineResumeFromReport(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 2, Status: http.StatusBadRequest})
	c := newAptly(t, srv)
	people := enginePeople(1000)
	people[10].Email = "bad"

	first, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people, onboard.WithConcurrency(1))
	require.NoError(t, err)
	retry := first.Items(onboard.StateFailed, onboard.StateNotSent)
	require.Len(t, retry, 201, "two batches and the invalid item")

	second, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), retry)
	require.NoError(t, err)
	engineCheckOrder(t, retry, second.Outcomes)
	assert.Equal(t, onboard.Progress{Total: 201, Done: 201, Succeeded: 200, NotSent: 1}, second.Counts())
	assert.Equal(t, 999, srv.AptlyUserCount(engineTenant))
	assert.Len(t, first.Items(), 1000)
}

// TestEngineSeqEarlyBreak breaks out of a Seq run while batches hang in
// flight: the range ends promptly and no goroutine is left behind.
func TestEngineSeqEarlyBreak(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	hang := make(chan struct{})
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
		}
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		if len(req.Users) == 0 || engineIndexOf(req.Users[0].Email) != 0 {
			select { // every batch but the first hangs until the client gives up
			case <-r.Context().Done():
			case <-hang:
			}
			return
		}
		results := make([]map[string]any, len(req.Users))
		for i, u := range req.Users {
			results[i] = map[string]any{"email": u.Email, "success": true, "message": "ok"}
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 200, "data": map[string]any{"results": results}})
	})
	defer srv.Close() // before goleak looks; srv's cleanup closes it again, harmlessly
	defer close(hang)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c := newAptly(t, srv, onboard.WithHTTPClient(&http.Client{Transport: tr}))

	// An endless input.
	var read atomic.Int64
	people := func(yield func(onboard.AptlyInvitee) bool) {
		for i := 0; ; i++ {
			read.Add(1)
			if !yield(onboard.AptlyInvitee{Email: engineEmail(i)}) {
				return
			}
		}
	}
	start := time.Now()
	n := 0
	for o := range c.Invites.SendBulkSeq(context.Background(), inTenant(engineTenant), people, onboard.WithBatchSize(10), onboard.WithConcurrency(3)) {
		assert.Equal(t, n, o.Index)
		assert.Equal(t, onboard.StateSucceeded, o.State)
		n++
		if n == 5 {
			break
		}
	}
	assert.Equal(t, 5, n)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.LessOrEqual(t, read.Load(), int64(10*(2*3+1)+1), "input read past the window")
}

// engineAnswered collects a run's batch events and checks that every batch
// cut was answered, those not sent with an error matching ErrStopped.
type engineAnswered struct {
	mu       sync.Mutex
	cut      []int
	answered map[int]onboard.BatchEvent
}

func (a *engineAnswered) event(e onboard.BatchEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch e.Kind {
	case onboard.BatchCut:
		a.cut = append(a.cut, e.Batch)
	case onboard.BatchAnswered:
		if a.answered == nil {
			a.answered = map[int]onboard.BatchEvent{}
		}
		a.answered[e.Batch] = e
	}
}

func (a *engineAnswered) check(t *testing.T) (stopped int) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	require.NotEmpty(t, a.cut)
	for _, b := range a.cut {
		e, ok := a.answered[b]
		if !assert.True(t, ok, "batch %d was cut and never answered", b) {
			continue
		}
		require.NotNil(t, e.Response)
		if e.Response.Attempts == 0 {
			assert.ErrorIs(t, e.Err, onboard.ErrStopped, "batch %d", b)
			stopped++
		}
	}
	return stopped
}

// TestEngineEveryCutBatchIsAnswered ends runs in the ways that left cut
// batches without BatchAnswered: a ...Seq consumer that breaks while
// batches wait for a worker, and a journal whose sync fails.
func TestEngineEveryCutBatchIsAnswered(t *testing.T) {
	t.Run("SeqBreak", func(t *testing.T) {
		t.Parallel()
		hang := make(chan struct{})
		cut3 := make(chan struct{})
		srv := newServer(t)
		srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Users []struct {
					Email string `json:"email"`
				} `json:"users"`
			}
			assert.NoError(t, json.NewDecoder(r.Body).Decode(&req))
			wait := hang // every batch but the first hangs until the client gives up
			if len(req.Users) > 0 && engineIndexOf(req.Users[0].Email) == 0 {
				wait = cut3 // the first is answered once batch 3 is cut
			}
			select {
			case <-r.Context().Done():
				return
			case <-wait:
			}
			results := make([]map[string]any, len(req.Users))
			for i, u := range req.Users {
				results[i] = map[string]any{"email": u.Email, "success": true, "message": "ok"}
			}
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 200, "data": map[string]any{"results": results}})
		})
		defer close(hang)
		c := newAptly(t, srv)
		people := make([]onboard.AptlyInvitee, 100)
		for i := range people {
			people[i] = onboard.AptlyInvitee{Email: engineEmail(i)}
		}
		var a engineAnswered
		events := func(e onboard.BatchEvent) {
			if e.Kind == onboard.BatchCut && e.Batch == 3 {
				close(cut3)
			}
			a.event(e)
		}
		// Two workers: batch 0 is answered once batches 1 to 3 are cut;
		// then one worker hangs on batch 1, the other on batch 2, and
		// batch 3 waits for a worker when the loop breaks.
		for range c.Invites.SendBulkSeq(context.Background(), inTenant(engineTenant), slices.Values(people),
			onboard.WithBatchSize(10), onboard.WithConcurrency(2), onboard.WithBatchEvents(events)) {
			break
		}
		assert.Positive(t, a.check(t), "batch 3 was not sent")
	})
	t.Run("JournalSyncFails", func(t *testing.T) {
		t.Parallel()
		srv := onboardtest.NewServer()
		t.Cleanup(srv.Close)
		c := jnAptly(t, srv)
		j, err := onboard.NewJournal(&jnStore{failSync: true})
		require.NoError(t, err)
		var a engineAnswered
		_, err = c.Invites.SendBulkAll(context.Background(), jnReq(), jnPeople("sync", 30), onboard.WithJournal(j),
			onboard.WithBatchSize(10), onboard.WithConcurrency(1), onboard.WithBatchEvents(a.event))
		require.ErrorContains(t, err, "cannot sync")
		assert.Positive(t, a.check(t))
		assert.Zero(t, srv.RequestCount(""))
	})
}

// TestEngineSeqStreams checks the Seq form over an input it cannot hold:
// outcomes come in order while the run is under way, progress has no total
// unless told, and the last report has Total == Done.
func TestEngineSeqStreams(t *testing.T) {
	t.Parallel()
	_, srv := newEngineAptly(t, engineFaults)
	c := newAptly(t, srv)
	gen := func(n int) iter.Seq[onboard.AptlyInvitee] {
		return func(yield func(onboard.AptlyInvitee) bool) {
			for i := range n {
				if !yield(onboard.AptlyInvitee{Email: engineEmail(i)}) {
					return
				}
			}
		}
	}
	for _, total := range []int{-1, 1000} {
		t.Run(fmt.Sprint("total ", total), func(t *testing.T) {
			prog := &engineProgress{t: t}
			opts := []onboard.BulkOption{onboard.WithProgress(prog.record), onboard.WithConcurrency(3)}
			if total >= 0 {
				opts = append(opts, onboard.WithTotal(total))
			}
			i := 0
			for o := range c.Invites.SendBulkSeq(context.Background(), inTenant(engineTenant), gen(1000), opts...) {
				require.Equal(t, i, o.Index)
				i++
			}
			assert.Equal(t, 1000, i)
			prog.mu.Lock()
			assert.Equal(t, total, prog.calls[0].Total)
			prog.mu.Unlock()
			final := prog.final()
			assert.Equal(t, 1000, final.Total)
			assert.Equal(t, 1000, final.Done)
		})
	}

	t.Run("ranged twice sends once", func(t *testing.T) {
		items := enginePeople(50)
		seq := c.Invites.SendBulkSeq(context.Background(), inTenant(engineTenant), slices.Values(items))
		var first, second []onboard.Outcome[onboard.AptlyInvitee]
		for o := range seq {
			first = append(first, o)
		}
		for o := range seq {
			second = append(second, o)
		}
		engineCheckOrder(t, items, first)
		// The second range reads one item, to say why nothing is sent.
		engineCheckOrder(t, items[:1], second)
		assert.Equal(t, onboard.StateNotSent, second[0].State)
		assert.ErrorIs(t, second[0].Err, onboard.ErrStopped)
	})

	t.Run("cancelled stops reading the input", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		read := 0
		input := func(yield func(onboard.AptlyInvitee) bool) {
			for i := range 2000 {
				read++
				if !yield(onboard.AptlyInvitee{Email: engineEmail(i)}) {
					return
				}
			}
		}
		n, stopped := 0, 0
		for o := range c.Invites.SendBulkSeq(ctx, inTenant(engineTenant), input, onboard.WithConcurrency(2)) {
			require.Equal(t, n, o.Index)
			n++
			if n == 150 {
				cancel()
			}
			if errors.Is(o.Err, onboard.ErrStopped) {
				stopped++
				assert.ErrorIs(t, o.Err, context.Canceled)
			}
		}
		assert.Equal(t, read, n, "every item read has its outcome")
		// Read ahead at the cancel: the window (2 × 2 batches) and the
		// batch being filled, of 100 each, and the item that saw the stop.
		assert.LessOrEqual(t, n, 150+5*100+1)
		assert.Positive(t, stopped)
	})
}

// TestEngineTargets covers AthenaHQ: batches of at most 50, user ids, the
// group kind through the Seq form, targets checked one by one, and the
// checks of the request's shared fields.
func TestEngineTargets(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newAthena(t, withAuth(srv, onboard.APIKey(onboardtest.AthenaGlobalAPIKey)))
	ids := make([]string, 120)
	for i := range ids {
		ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	srv.AddAthenaMember(ids[3], "ada@example.com")

	t.Run("websites, batch size capped", func(t *testing.T) {
		before := srv.RequestCount("/api/v1/invites/bulk")
		in := append(websites(ids...), onboard.AthenaWebsite("not-a-uuid"))
		rep, err := c.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", Role: onboard.AthenaRoleAdmin,
		}, in, onboard.WithBatchSize(500))
		require.NoError(t, err)
		engineCheckOrder(t, in, rep.Outcomes)
		assert.Equal(t, 3, srv.RequestCount("/api/v1/invites/bulk")-before, "50 + 50 + 20")
		for _, r := range srv.Requests()[len(srv.Requests())-3:] {
			var body map[string]any
			require.NoError(t, json.Unmarshal(r.Body, &body))
			assert.LessOrEqual(t, len(body["website_ids"].([]any)), onboard.AthenaMaxTargets)
			assert.NotContains(t, body, "group_ids")
			assert.Equal(t, "admin", body["role"])
		}
		assert.Equal(t, onboard.StateFailed, rep.Outcomes[3].State)
		assert.Equal(t, "User is already a member of this website", rep.Outcomes[3].Message)
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[4].State)
		assert.Equal(t, srv.AthenaUserID("ada@example.com"), rep.Outcomes[4].UserID)
		var ve *onboard.ValidationError
		require.ErrorAs(t, rep.Outcomes[120].Err, &ve)
		assert.Equal(t, "targets[120].id", ve.Problems[0].Field)
		assert.Equal(t, onboard.Progress{Total: 121, Done: 121, Succeeded: 119, Failed: 1, NotSent: 1}, rep.Counts())
	})

	t.Run("groups through Seq", func(t *testing.T) {
		tmpl := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteByEmail, Email: "bob@example.com"}
		n := 0
		for o := range c.Invites.SendToTargetsSeq(context.Background(), tmpl, slices.Values(groups(ids...))) {
			assert.Equal(t, onboard.StateSucceeded, o.State, o.Message)
			assert.Equal(t, "Invite sent", o.Message)
			n++
		}
		assert.Equal(t, 120, n)
		assert.Equal(t, []string{"bob@example.com"}, srv.AthenaPendingInvites(ids[119]))
	})

	t.Run("website key may not invite to groups", func(t *testing.T) {
		wc := newAthena(t, srv)
		before := srv.RequestCount("/api/v1/invites/bulk")
		rep, err := wc.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteByEmail, Email: "cy@example.com",
		}, groups(ids...), onboard.WithConcurrency(1))
		require.ErrorIs(t, err, onboard.ErrForbidden)
		assert.Equal(t, 1, srv.RequestCount("/api/v1/invites/bulk")-before)
		assert.Len(t, rep.In(onboard.StateNotSent), 120)
	})

	t.Run("a target of no kind is not sent alone", func(t *testing.T) {
		before := srv.RequestCount("/api/v1/invites/bulk")
		in := []onboard.AthenaTarget{{ID: ids[0]}, onboard.AthenaWebsite(ids[1])}
		rep, err := c.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteDirect, Email: "kind@example.com",
		}, in)
		require.NoError(t, err)
		engineCheckOrder(t, in, rep.Outcomes)
		assert.Equal(t, onboard.StateNotSent, rep.Outcomes[0].State)
		ve := mustValidationError(t, rep.Outcomes[0].Err)
		assertProblems(t, ve, []problem{{"targets[0].kind", "is required; use AthenaScopeWebsite or AthenaScopeGroup"}})
		assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[1].State)
		assert.Equal(t, 1, srv.RequestCount("/api/v1/invites/bulk")-before)
	})

	person := func() *onboard.AthenaTargetInviteRequest {
		return &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "a@example.com"}
	}
	for name, tc := range map[string]struct {
		run   func() error
		field string
	}{
		"request with targets": {func() error {
			req := person()
			req.WebsiteIDs = ids[:1]
			for o := range c.Invites.SendToTargetsSeq(context.Background(), req, slices.Values(websites(ids[:2]...))) {
				return o.Err
			}
			return nil
		}, "website_ids"},
		"request with both kinds of targets": {func() error {
			req := person()
			req.WebsiteIDs, req.GroupIDs = ids[:2], ids[2:5]
			in := websites(ids[:5]...)
			rep, err := c.Invites.SendToTargetsAll(context.Background(), req, in)
			engineCheckOrder(t, in, rep.Outcomes)
			assert.Len(t, rep.In(onboard.StateNotSent), 5)
			return err
		}, "website_ids"},
		"no email": {func() error {
			_, err := c.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect}, websites(ids[:1]...))
			return err
		}, "email"},
		"nil request": {func() error {
			_, err := c.Invites.SendToTargetsAll(context.Background(), nil, websites(ids[:1]...))
			return err
		}, "request"},
	} {
		t.Run(name, func(t *testing.T) {
			before := srv.RequestCount("")
			err := tc.run()
			var ve *onboard.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Problems[0].Field)
			assert.Equal(t, before, srv.RequestCount(""))
		})
	}
}

// TestEngineRoyalti covers the Royalti run: the request's shared fields go
// in every batch, failures carry the server's text, and a request with
// users of its own is refused.
func TestEngineRoyalti(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newRoyalti(t, srv)
	users := make([]onboard.RoyaltiWorkspaceUser, 250)
	for i := range users {
		users[i] = onboard.RoyaltiWorkspaceUser{FirstName: "User", LastName: fmt.Sprint(i), Email: fmt.Sprintf("u%d@example.com", i)}
	}
	srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, "u7@example.com", "User", "7")

	var rep *onboard.BulkReport[onboard.RoyaltiWorkspaceUser]
	var err error
	rep, err = c.Users.CreateBulkAll(context.Background(), &onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false), Message: "hi"}, users, onboard.WithBatchSize(100))
	require.NoError(t, err)
	engineCheckOrder(t, users, rep.Outcomes)
	assert.Equal(t, onboard.Progress{Total: 250, Done: 250, Succeeded: 249, Failed: 1}, rep.Counts())
	assert.Equal(t, "User User 7 already associated with workspace!", rep.Outcomes[7].Message)
	for _, r := range srv.Requests() {
		var body map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &body))
		assert.Equal(t, false, body["sendEmail"])
		assert.Equal(t, "hi", body["message"])
	}

	before := srv.RequestCount("")
	_, err = c.Users.CreateBulkAll(context.Background(), &onboard.RoyaltiCreateUsersRequest{Users: users[:1]}, users)
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "users", ve.Problems[0].Field)
	assert.Equal(t, before, srv.RequestCount(""))

	n := 0
	for o := range c.Users.CreateBulkSeq(context.Background(), &onboard.RoyaltiCreateUsersRequest{}, slices.Values(users[:3])) {
		assert.Equal(t, onboard.StateFailed, o.State, "already created above")
		n++
	}
	assert.Equal(t, 3, n)
}

// TestEngineUnknownNeverGuessed checks that items an answer does not
// account for, or accounts for twice, are unknown.
func TestEngineUnknownNeverGuessed(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, `{"statusCode":200,"data":{"results":[
			{"email":"a@example.com","success":true},
			{"email":"b@example.com","success":true},
			{"email":"B@example.com","success":false,"message":"dup"},
			{"email":"stranger@example.com","success":true}]}}`)
	})
	c := newAptly(t, srv)
	people := []onboard.AptlyInvitee{{Email: "a@example.com"}, {Email: "b@example.com"}, {Email: "c@example.com"}}
	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), people)
	require.NoError(t, err)
	assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[0].State)
	assert.Equal(t, onboard.StateUnknown, rep.Outcomes[1].State)
	assert.Equal(t, "the answer has more than one result for this email", rep.Outcomes[1].Message)
	assert.Equal(t, onboard.StateUnknown, rep.Outcomes[2].State)
	assert.Equal(t, "the answer has no result for this email", rep.Outcomes[2].Message)
}

// TestEngineEmptyInput checks that nothing in means nothing sent, one
// progress report, and an empty report.
func TestEngineEmptyInput(t *testing.T) {
	t.Parallel()
	e, srv := newEngineAptly(t, nil)
	c := newAptly(t, srv)
	prog := &engineProgress{t: t}
	rep, err := c.Invites.SendBulkAll(context.Background(), inTenant(engineTenant), nil, onboard.WithProgress(prog.record))
	require.NoError(t, err)
	assert.Empty(t, rep.Outcomes)
	assert.Equal(t, onboard.Progress{}, prog.final())
	for range c.Invites.SendBulkSeq(context.Background(), inTenant(engineTenant), nil) {
		t.Fatal("an outcome from no input")
	}
	assert.Zero(t, e.requests)
}

// TestBulkReportHelpers checks the report's filters and counts.
func TestBulkReportHelpers(t *testing.T) {
	t.Parallel()
	rep := &onboard.BulkReport[string]{Outcomes: []onboard.Outcome[string]{
		{Index: 0, Item: "a", State: onboard.StateSucceeded},
		{Index: 1, Item: "b", State: onboard.StateFailed},
		{Index: 2, Item: "c", State: onboard.StateNotSent},
		{Index: 3, Item: "d", State: onboard.StateUnknown},
		{Index: 4, Item: "e", State: onboard.StateFailed},
	}}
	assert.Equal(t, []string{"b", "c", "e"}, rep.Items(onboard.StateFailed, onboard.StateNotSent))
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, rep.Items())
	assert.Len(t, rep.In(onboard.StateSucceeded), 1)
	assert.Len(t, rep.In(onboard.StateFailed), 2)
	assert.Len(t, rep.In(onboard.StateNotSent), 1)
	assert.Equal(t, "d", rep.In(onboard.StateUnknown)[0].Item)
	assert.Equal(t, []onboard.Outcome[string]{rep.Outcomes[1], rep.Outcomes[2], rep.Outcomes[4]}, rep.In(onboard.StateFailed, onboard.StateNotSent), "in input order")
	assert.Equal(t, rep.Outcomes, rep.In(), "no states: all")
	assert.Equal(t, onboard.Progress{Total: 5, Done: 5, Succeeded: 1, Failed: 2, NotSent: 1, Unknown: 1}, rep.Counts())
	assert.Nil(t, (&onboard.BulkReport[int]{}).Items(onboard.StateFailed))
}

// TestEngineCancelInFlightIsUnknown cancels a run while its first batch is
// at the server: that batch went out, so its items are unknown, never "not
// sent"; the batches never handed to the transport are not sent.
func TestEngineCancelInFlightIsUnknown(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	arrived := make(chan struct{}, 10)
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // held until the client gives up
	})
	c := newAptly(t, srv, onboard.WithRetry(0))
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go func() {
		select {
		case <-arrived:
			cancel()
		case <-ctx.Done():
		}
	}()
	people := enginePeople(3)
	rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), people,
		onboard.WithBatchSize(1), onboard.WithConcurrency(1))
	require.ErrorIs(t, err, context.Canceled)
	engineCheckOrder(t, people, rep.Outcomes)
	require.Equal(t, 1, srv.count(), "requests")

	first := rep.Outcomes[0]
	assert.Equal(t, onboard.StateUnknown, first.State, "the batch at the server when the run was cancelled")
	assert.ErrorIs(t, first.Err, context.Canceled)
	assert.NotErrorIs(t, first.Err, onboard.ErrStopped)
	assert.Contains(t, first.Message, "may or may not")
	assert.Equal(t, 1, first.Attempts)
	for _, o := range rep.Outcomes[1:] {
		assert.Equal(t, onboard.StateNotSent, o.State, "item %d was never handed to the transport", o.Index)
		assert.ErrorIs(t, o.Err, onboard.ErrStopped)
	}
}

// TestEngineInvalidAfterStop checks that an item that is invalid is
// reported invalid however the run stopped, even when it is read after the
// stop: the item is invalid before any batch is cut.
func TestEngineInvalidAfterStop(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int // the server's answer to every batch; 0: the context ends
	}{
		{"refused credential", http.StatusUnauthorized},
		{"context cancelled", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, cmp.Or(tc.status, http.StatusCreated), envelope(cmp.Or(tc.status, http.StatusCreated), "no", `{}`))
			})
			c := newAptly(t, srv, onboard.WithRetry(0))
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			valid := func(i int) onboard.AptlyInvitee { return onboard.AptlyInvitee{Email: engineEmail(i)} }
			invalid := onboard.AptlyInvitee{Email: "not-an-address"}
			// The invalid items are read once the first batch's answer has
			// come (the 401), or after the context ended: after the stop,
			// or while the run has yet to notice it. Either way they are
			// invalid, never "not sent, the run stopped".
			answered := make(chan struct{})
			var once sync.Once
			events := func(e onboard.BatchEvent) {
				if e.Kind == onboard.BatchAnswered {
					once.Do(func() { close(answered) })
				}
			}
			read := 0
			input := func(yield func(onboard.AptlyInvitee) bool) {
				items := []onboard.AptlyInvitee{valid(0), invalid, invalid, valid(3), valid(4)}
				for i, it := range items {
					if i == 1 {
						if tc.status == 0 {
							cancel()
						} else {
							select {
							case <-answered:
							case <-ctx.Done():
							}
						}
					}
					read++
					if !yield(it) {
						return
					}
				}
			}
			var outs []onboard.Outcome[onboard.AptlyInvitee]
			for o := range c.Invites.SendBulkSeq(ctx, inTenant(engineTenant), input,
				onboard.WithBatchSize(1), onboard.WithConcurrency(1), onboard.WithBatchEvents(events)) {
				outs = append(outs, o)
			}
			require.Len(t, outs, read, "every item read has its outcome")
			require.GreaterOrEqual(t, len(outs), 3, "the invalid items were read")
			for _, o := range outs[1:3] {
				assert.Equal(t, invalid, o.Item)
				assert.Equal(t, onboard.StateNotSent, o.State)
				mustValidationError(t, o.Err)
				assert.NotErrorIs(t, o.Err, onboard.ErrStopped, "item %d is invalid, whatever stopped the run", o.Index)
			}
			last := outs[len(outs)-1]
			assert.Equal(t, onboard.StateNotSent, last.State, "the run stopped")
			if tc.status == 0 {
				assert.Equal(t, valid(3), last.Item, "the first valid item after the stop is the last read")
				assert.ErrorIs(t, last.Err, onboard.ErrStopped)
			}
		})
	}
}

// The one argument shape of the engine-backed methods: the request carries
// what every batch shares, and the items come on their own.

// bulkMethod is one engine-backed method, run over two valid items with a
// request that is nil or that holds items of its own. It returns the
// outcomes and the run's error (always nil for a ...Seq method).
type bulkMethod struct {
	op   string
	list string // the request's item list, as a problem names it
	run  func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error)
}

// outcome is what these tests read of an Outcome, whatever its item.
type outcome struct {
	state onboard.State
	err   error
}

func outcomesOf[T any](outs []onboard.Outcome[T]) []outcome {
	out := make([]outcome, len(outs))
	for i, o := range outs {
		out[i] = outcome{o.State, o.Err}
	}
	return out
}

// ranged ranges over seq and returns its outcomes.
func ranged[T any](seq iter.Seq[onboard.Outcome[T]]) []outcome {
	return outcomesOf(slices.Collect(seq))
}

func bulkMethods() []bulkMethod {
	people := []onboard.AptlyInvitee{{Email: "ada@example.com"}, {Email: "alan@example.com"}}
	users := []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", Email: "ada@example.com"}, {FirstName: "Alan", Email: "alan@example.com"}}
	sites := websites(websiteID1, websiteID2)
	invite := func(nilRequest bool) *onboard.AptlyBulkInviteRequest {
		if nilRequest {
			return nil
		}
		return validBulkInvite()
	}
	create := func(nilRequest bool) *onboard.RoyaltiCreateUsersRequest {
		if nilRequest {
			return nil
		}
		return validCreateUsers()
	}
	target := func(nilRequest bool) *onboard.AthenaTargetInviteRequest {
		if nilRequest {
			return nil
		}
		return validTargetInvite()
	}
	return []bulkMethod{
		{"aptly: Invites.SendBulkAll", "users", func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error) {
			rep, err := c.aptly.Invites.SendBulkAll(ctx, invite(nilRequest), people)
			return outcomesOf(rep.Outcomes), err
		}},
		{"aptly: Invites.SendBulkSeq", "users", func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error) {
			return ranged(c.aptly.Invites.SendBulkSeq(ctx, invite(nilRequest), slices.Values(people))), nil
		}},
		{"royalti: Users.CreateBulkAll", "users", func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error) {
			rep, err := c.royalti.Users.CreateBulkAll(ctx, create(nilRequest), users)
			return outcomesOf(rep.Outcomes), err
		}},
		{"royalti: Users.CreateBulkSeq", "users", func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error) {
			return ranged(c.royalti.Users.CreateBulkSeq(ctx, create(nilRequest), slices.Values(users))), nil
		}},
		{"athena: Invites.SendToTargetsAll", "website_ids", func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error) {
			rep, err := c.athena.Invites.SendToTargetsAll(ctx, target(nilRequest), sites)
			return outcomesOf(rep.Outcomes), err
		}},
		{"athena: Invites.SendToTargetsSeq", "website_ids", func(ctx context.Context, c *clients, nilRequest bool) ([]outcome, error) {
			return ranged(c.athena.Invites.SendToTargetsSeq(ctx, target(nilRequest), slices.Values(sites))), nil
		}},
	}
}

// TestBulkRequest_nilOrWithItems checks that every engine-backed method
// refuses a nil request, and one that holds items of its own, before
// anything is sent: an ...All method with a *ValidationError and an
// outcome per item, a ...Seq method with one outcome, after which it reads
// no further, each not sent with an error matching ErrStopped that
// reaches the *ValidationError.
func TestBulkRequest_nilOrWithItems(t *testing.T) {
	t.Parallel()
	for _, m := range bulkMethods() {
		for _, tc := range []struct {
			name       string
			nilRequest bool
			want       problem
		}{
			{"nil request", true, problem{"request", "is nil; pass the fields every batch shares"}},
			{"request with items", false, problem{m.list, "must be empty in the request; pass the items as the bulk method's own argument"}},
		} {
			t.Run(m.op+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t) // no handlers: any request that arrives fails the test
				outs, err := m.run(testCtx(t), newClients(t, srv), tc.nilRequest)
				wantOutcomes := 2
				if strings.HasSuffix(m.op, "Seq") {
					require.NoError(t, err, "a Seq method reports through its outcomes")
					wantOutcomes = 1
				} else {
					ve := mustValidationError(t, err)
					assert.Equal(t, m.op, ve.Op)
					assertProblems(t, ve, []problem{tc.want})
				}
				require.Len(t, outs, wantOutcomes)
				for i, o := range outs {
					assert.Equal(t, onboard.StateNotSent, o.state, "outcome %d", i)
					require.ErrorIs(t, o.err, onboard.ErrStopped, "outcome %d", i)
					ve := mustValidationError(t, o.err)
					assert.Equal(t, m.op, ve.Op)
					assertProblems(t, ve, []problem{tc.want})
				}
				assert.Zero(t, srv.count(), "nothing is sent")
			})
		}
	}
}

// athenaEcho answers AthenaHQ's bulk invite as a server that knows every
// website and no group: each website is added, each group refused.
func athenaEcho(w http.ResponseWriter, r *http.Request) {
	var req struct {
		WebsiteIDs []string `json:"website_ids"`
		GroupIDs   []string `json:"group_ids"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		reply(w, http.StatusBadRequest, `{"error":"not JSON"}`)
		return
	}
	results := []map[string]any{}
	for _, id := range req.WebsiteIDs {
		results = append(results, map[string]any{"website_id": id, "success": true, "message": "User added to website", "user_id": "user-1"})
	}
	for _, id := range req.GroupIDs {
		results = append(results, map[string]any{"group_id": id, "success": false, "error": "Group not found"})
	}
	b, err := json.Marshal(map[string]any{"success": true, "results": results})
	if err != nil {
		panic(err)
	}
	reply(w, http.StatusOK, string(b))
}

// TestSendToTargets_mixedKinds sends websites and groups in one run: each
// change of kind starts a batch of its own, whose body names the person
// once and the targets under their kind's key, and each result is tied to
// its own target.
func TestSendToTargets_mixedKinds(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", athenaEcho)
	c := newAthena(t, srv)
	in := []onboard.AthenaTarget{
		onboard.AthenaWebsite(websiteID1), onboard.AthenaWebsite(websiteID2),
		onboard.AthenaGroup(groupID1), onboard.AthenaGroup(groupID2),
		onboard.AthenaWebsite(groupID1),
	}
	req := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", Role: onboard.AthenaRoleAdmin, FirstName: "Ada"}
	rep, err := c.Invites.SendToTargetsAll(testCtx(t), req, in, onboard.WithConcurrency(1))
	require.NoError(t, err)
	engineCheckOrder(t, in, rep.Outcomes)

	const person = `{"invite_method":"direct","email":"ada@example.com","role":"admin","first_name":"Ada",`
	var bodies []string
	for _, r := range srv.requests() {
		bodies = append(bodies, string(r.Body))
	}
	assert.Equal(t, []string{
		person + `"website_ids":["` + websiteID1 + `","` + websiteID2 + `"]}`,
		person + `"group_ids":["` + groupID1 + `","` + groupID2 + `"]}`,
		person + `"website_ids":["` + groupID1 + `"]}`,
	}, bodies)

	for _, i := range []int{0, 1, 4} {
		o := rep.Outcomes[i]
		assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
		assert.Equal(t, "User added to website", o.Message, "item %d", i)
		assert.Equal(t, "user-1", o.UserID, "item %d", i)
	}
	for _, i := range []int{2, 3} {
		o := rep.Outcomes[i]
		assert.Equal(t, onboard.StateFailed, o.State, "item %d", i)
		assert.Equal(t, "Group not found", o.Message, "item %d: the result's error", i)
	}
	assert.Equal(t, &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", Role: onboard.AthenaRoleAdmin, FirstName: "Ada"}, req,
		"the request is not changed")
}

// TestSendToTargets_sameIDBothKinds checks that one id given as a website
// and as a group is two targets: each goes in a batch of its kind, and
// each gets the result the server gave for its kind, whichever way the
// run is cut.
func TestSendToTargets_sameIDBothKinds(t *testing.T) {
	t.Parallel()
	for name, in := range map[string][]onboard.AthenaTarget{
		"website first":      {onboard.AthenaWebsite(websiteID1), onboard.AthenaGroup(websiteID1)},
		"group first":        {onboard.AthenaGroup(websiteID1), onboard.AthenaWebsite(websiteID1)},
		"each kind together": {onboard.AthenaWebsite(websiteID1), onboard.AthenaWebsite(websiteID2), onboard.AthenaGroup(websiteID2), onboard.AthenaGroup(websiteID1)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(athenaPrefix+"/api/v1/invites/bulk", athenaEcho)
			c := newAthena(t, srv)
			rep, err := c.Invites.SendToTargetsAll(testCtx(t), &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteByEmail, Email: "ada@example.com"}, in)
			require.NoError(t, err)
			engineCheckOrder(t, in, rep.Outcomes)
			assert.Equal(t, 2, srv.count(), "one batch of each kind")
			for i, o := range rep.Outcomes {
				if in[i].Kind == onboard.AthenaScopeWebsite {
					assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
					assert.Equal(t, "User added to website", o.Message, "item %d", i)
					continue
				}
				assert.Equal(t, onboard.StateFailed, o.State, "item %d", i)
				assert.Equal(t, "Group not found", o.Message, "item %d", i)
			}
		})
	}
}
