package onboard_test

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

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
