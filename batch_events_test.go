package onboard_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
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

	for i, want := range []onboard.State{onboard.StateSucceeded, onboard.StateNotSent, onboard.StateSucceeded, onboard.StateNotSent, onboard.StateNotSent} {
		assert.Equal(t, want, rep.Outcomes[i].State, "item %d", i)
	}
	mustValidationError(t, rep.Outcomes[1].Err)
}
