package onboard_test

import (
	"encoding/json"
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
		want     onboard.TargetResult
	}{
		{"website added", `{"website_id":"` + websiteID1 + `","success":true,"message":"User added to website","user_id":"` + user + `"}`,
			onboard.TargetResult{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: user}},
		{"website refused, reason in error", `{"website_id":"` + websiteID2 + `","success":false,"error":"User is already a member of this website"}`,
			onboard.TargetResult{WebsiteID: websiteID2, Message: "User is already a member of this website"}},
		{"group invited", `{"group_id":"` + groupID1 + `","success":true,"message":"Invite sent"}`,
			onboard.TargetResult{GroupID: groupID1, Success: true, Message: "Invite sent"}},
		{"error wins over message", `{"group_id":"` + groupID2 + `","success":false,"message":"Failed","error":"Group not found"}`,
			onboard.TargetResult{GroupID: groupID2, Message: "Group not found"}},
		{"empty error keeps message", `{"website_id":"` + websiteID1 + `","success":false,"message":"Not allowed","error":""}`,
			onboard.TargetResult{WebsiteID: websiteID1, Message: "Not allowed"}},
		{"null error keeps message", `{"website_id":"` + websiteID1 + `","success":true,"message":"User added to website","error":null}`,
			onboard.TargetResult{WebsiteID: websiteID1, Success: true, Message: "User added to website"}},
		{"unknown fields ignored", `{"website_id":"` + websiteID1 + `","success":true,"role":"viewer"}`,
			onboard.TargetResult{WebsiteID: websiteID1, Success: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var one onboard.TargetResult
			require.NoError(t, json.Unmarshal([]byte(tc.in), &one))
			assert.Equal(t, tc.want, one, "one result")

			var all onboard.TargetInviteResult
			require.NoError(t, json.Unmarshal([]byte(`{"success":true,"results":[`+tc.in+`,`+tc.in+`]}`), &all))
			assert.Equal(t, onboard.TargetInviteResult{Success: true, Results: []onboard.TargetResult{tc.want, tc.want}}, all, "in an answer")
		})
	}

	t.Run("the document's example", func(t *testing.T) {
		var res onboard.TargetInviteResult
		require.NoError(t, json.Unmarshal([]byte(docAthenaBulkInvite), &res))
		assert.Equal(t, onboard.TargetInviteResult{Success: true, Results: []onboard.TargetResult{
			{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: user},
			{WebsiteID: websiteID2, Message: "User is already a member of this website"},
		}}, res)
	})

	t.Run("no results", func(t *testing.T) {
		var res onboard.TargetInviteResult
		require.NoError(t, json.Unmarshal([]byte(`{"success":false}`), &res))
		assert.Equal(t, onboard.TargetInviteResult{}, res)
	})

	for _, bad := range []string{
		`{"success":true,"results":[{"website_id":7}]}`,
		`{"success":true,"results":[{"success":"yes"}]}`,
		`{"success":true,"results":[{"error":false}]}`,
		`{"success":true,"results":{}}`,
	} {
		var res onboard.TargetInviteResult
		assert.Error(t, json.Unmarshal([]byte(bad), &res), bad)
	}
}

// TestTargetResultDecodingAllocations pins the cost of decoding an answer
// of 50 results: at most 10% more allocations than decoding the same JSON
// into a plain struct of the same fields, as a hand-written client does.
// Each result used to be decoded a second time, at three times the cost.
func TestTargetResultDecodingAllocations(t *testing.T) {
	body := athenaBulkAnswer(athenaTargetIDs(onboard.MaxTargets))
	type plainResult struct {
		WebsiteID string `json:"website_id"`
		GroupID   string `json:"group_id"`
		Success   bool   `json:"success"`
		Message   string `json:"message"`
		Error     string `json:"error"`
		UserID    string `json:"user_id"`
	}
	var plain struct {
		Success bool          `json:"success"`
		Results []plainResult `json:"results"`
	}
	var res onboard.TargetInviteResult
	plainAllocs := testing.AllocsPerRun(20, func() {
		plain.Results = nil
		require.NoError(t, json.Unmarshal(body, &plain))
	})
	sdkAllocs := testing.AllocsPerRun(20, func() {
		res = onboard.TargetInviteResult{}
		require.NoError(t, json.Unmarshal(body, &res))
	})
	require.Len(t, res.Results, onboard.MaxTargets)
	t.Logf("decoding %d results: %.0f allocations; a plain struct: %.0f", onboard.MaxTargets, sdkAllocs, plainAllocs)
	assert.LessOrEqual(t, sdkAllocs, 1.1*plainAllocs, "decoding %d results allocates %.0f times; a plain struct %.0f", onboard.MaxTargets, sdkAllocs, plainAllocs)
}
