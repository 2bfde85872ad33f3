package onboard_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
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
			var one onboard.AthenaTargetResult
			require.NoError(t, json.Unmarshal([]byte(tc.in), &one))
			assert.Equal(t, tc.want, one, "one result")

			answer := `{"success":true,"results":[` + tc.in + `,` + tc.in + `]}`
			want := &onboard.AthenaTargetInviteResult{Success: true, Results: []onboard.AthenaTargetResult{tc.want, tc.want}}
			var all onboard.AthenaTargetInviteResult
			require.NoError(t, json.Unmarshal([]byte(answer), &all))
			assert.Equal(t, want, &all, "in an answer")
			assert.Equal(t, want, sendToTargetsAnswered(t, answer), "in an answer to SendToTargets")
		})
	}

	t.Run("the document's example", func(t *testing.T) {
		want := &onboard.AthenaTargetInviteResult{Success: true, Results: []onboard.AthenaTargetResult{
			{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: user},
			{WebsiteID: websiteID2, Message: "User is already a member of this website"},
		}}
		var res onboard.AthenaTargetInviteResult
		require.NoError(t, json.Unmarshal([]byte(docAthenaBulkInvite), &res))
		assert.Equal(t, want, &res)
		assert.Equal(t, want, sendToTargetsAnswered(t, docAthenaBulkInvite), "SendToTargets")
	})

	t.Run("no results", func(t *testing.T) {
		var res onboard.AthenaTargetInviteResult
		require.NoError(t, json.Unmarshal([]byte(`{"success":false}`), &res))
		assert.Equal(t, onboard.AthenaTargetInviteResult{}, res)
		assert.Equal(t, &onboard.AthenaTargetInviteResult{}, sendToTargetsAnswered(t, `{"success":false}`), "SendToTargets")
	})

	for _, bad := range []string{
		`{"success":true,"results":[{"website_id":7}]}`,
		`{"success":true,"results":[{"success":"yes"}]}`,
		`{"success":true,"results":[{"error":false}]}`,
		`{"success":true,"results":{}}`,
	} {
		var res onboard.AthenaTargetInviteResult
		assert.Error(t, json.Unmarshal([]byte(bad), &res), bad)
	}
}

// sendToTargetsAnswered calls SendToTargets against a server that sends
// answer, and returns the result.
func sendToTargetsAnswered(t *testing.T, answer string) *onboard.AthenaTargetInviteResult {
	t.Helper()
	srv := newServer(t)
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, answer)
	})
	res, err := newAthena(t, srv).Invites.SendToTargets(testCtx(t), validTargetInvite())
	require.NoError(t, err)
	return res
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
