package onboardtest_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

func athenaInvite(t *testing.T, srv *onboardtest.Server, a auth, body any) *response {
	t.Helper()
	return post(t, srv.AthenaURL()+"/api/v1/invites/bulk", a, body)
}

// athenaResults checks the success shape and returns the results.
func athenaResults(t *testing.T, r *response) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.ElementsMatch(t, []string{"success", "results"}, keys(m))
	assert.Equal(t, true, m["success"])
	var out []map[string]any
	for _, x := range m["results"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestAthenaDocumentedExample(t *testing.T) {
	srv := newServer(t)
	req := loadExample(t, "athena-invites-bulk-request.json")

	// The document's example sends both lists, which its own text forbids.
	assertAthenaError(t, athenaInvite(t, srv, athenaGlb, req), http.StatusBadRequest, "mutually exclusive")

	// With website_ids only, and the second website already holding the
	// user, the answer is the documented one.
	delete(req, "group_ids")
	srv.AddAthenaMember(site2, "user@example.com")
	r := athenaInvite(t, srv, athenaOK, req)
	results := athenaResults(t, r)
	assertSameShape(t, "", loadExample(t, "athena-invites-bulk-response.json"), r.JSON(t))
	require.Len(t, results, 2)

	userID := srv.AthenaUserID("user@example.com")
	require.NotEmpty(t, userID)
	assert.Equal(t, map[string]any{
		"website_id": site1, "success": true, "message": "User added to website", "user_id": userID,
	}, results[0])
	assert.Equal(t, map[string]any{
		"website_id": site2, "success": false, "error": "User is already a member of this website",
	}, results[1])
	assert.Equal(t, []string{"user@example.com"}, srv.AthenaMembers(site1))
	role, ok := srv.AthenaMemberRole(site1, "user@example.com")
	assert.True(t, ok)
	assert.Equal(t, "viewer", role)
}

func TestAthenaDirectInvites(t *testing.T) {
	srv := newServer(t)
	body := map[string]any{"invite_method": "direct", "email": "Ann@Example.com", "role": "admin",
		"website_ids": []string{site1, site2, site1}, "first_name": "Ann"}
	results := athenaResults(t, athenaInvite(t, srv, athenaOK, body))
	require.Len(t, results, 3)
	assert.Equal(t, true, results[0]["success"])
	assert.Equal(t, true, results[1]["success"])
	assert.Equal(t, false, results[2]["success"], "the repeated target is processed on its own")
	assert.Equal(t, "User is already a member of this website", results[2]["error"])
	assert.Equal(t, results[0]["user_id"], results[1]["user_id"], "one account per email")

	// Again, in other letter case: every target fails, the id is stable.
	body["email"] = "ann@example.com"
	body["website_ids"] = []string{site2}
	again := athenaResults(t, athenaInvite(t, srv, athenaOK, body))
	assert.Equal(t, false, again[0]["success"])
	assert.Equal(t, results[0]["user_id"], srv.AthenaUserID("ANN@example.com"))

	role, _ := srv.AthenaMemberRole(site2, "ann@example.com")
	assert.Equal(t, "admin", role)
	assert.Equal(t, 1, srv.AthenaMemberCount(site1))
}

func TestAthenaEmailInvites(t *testing.T) {
	srv := newServer(t)
	body := map[string]any{"invite_method": "email", "email": "bo@example.com", "website_ids": []string{site1}}
	results := athenaResults(t, athenaInvite(t, srv, athenaOK, body))
	assert.Equal(t, map[string]any{"website_id": site1, "success": true, "message": "Invite sent"}, results[0],
		"no account exists yet, so no user_id")
	assert.Equal(t, []string{"bo@example.com"}, srv.AthenaPendingInvites(site1))
	assert.Empty(t, srv.AthenaMembers(site1))
	assert.Empty(t, srv.AthenaUserID("bo@example.com"))

	results = athenaResults(t, athenaInvite(t, srv, athenaOK, body))
	assert.Equal(t, false, results[0]["success"])
	assert.Equal(t, "User already has a pending invite to this website", results[0]["error"])

	// A direct invite turns the pending invite into a membership.
	body["invite_method"] = "direct"
	results = athenaResults(t, athenaInvite(t, srv, athenaOK, body))
	assert.Equal(t, true, results[0]["success"])
	assert.Empty(t, srv.AthenaPendingInvites(site1))
	assert.Equal(t, []string{"bo@example.com"}, srv.AthenaMembers(site1))

	body["invite_method"] = "email"
	results = athenaResults(t, athenaInvite(t, srv, athenaOK, body))
	assert.Equal(t, "User is already a member of this website", results[0]["error"])
}

func TestAthenaGroupInvitesNeedGlobalKey(t *testing.T) {
	srv := newServer(t)
	body := map[string]any{"invite_method": "direct", "email": "cy@example.com", "group_ids": []string{group1, group2}}
	assertAthenaError(t, athenaInvite(t, srv, athenaOK, body), http.StatusForbidden, "global API key")
	assert.Empty(t, srv.AthenaMembers(group1))

	results := athenaResults(t, athenaInvite(t, srv, athenaGlb, body))
	require.Len(t, results, 2)
	id := srv.AthenaUserID("cy@example.com")
	assert.Equal(t, map[string]any{"group_id": group1, "success": true, "message": "User added to group", "user_id": id}, results[0])
	assert.Equal(t, group2, results[1]["group_id"])
	assert.NotContains(t, results[0], "website_id")

	results = athenaResults(t, athenaInvite(t, srv, athenaGlb, body))
	assert.Equal(t, "User is already a member of this group", results[0]["error"])

	// The global key also works for websites.
	body = map[string]any{"invite_method": "direct", "email": "cy@example.com", "website_ids": []string{site1}}
	assert.Equal(t, true, athenaResults(t, athenaInvite(t, srv, athenaGlb, body))[0]["success"])
}

func TestAthenaValidation(t *testing.T) {
	srv := newServer(t)
	many := make([]string, 51)
	for i := range many {
		many[i] = "00000000-0000-4000-8000-" + strconv.FormatInt(100000000000+int64(i), 10)
	}
	valid := func() map[string]any {
		return map[string]any{"invite_method": "direct", "email": "d@example.com", "website_ids": []string{site1}}
	}
	cases := []struct {
		name string
		edit func(m map[string]any)
		msg  string
	}{
		{"missing invite_method", func(m map[string]any) { delete(m, "invite_method") }, "invite_method is required"},
		{"bad invite_method", func(m map[string]any) { m["invite_method"] = "sms" }, "invite_method must be one of"},
		{"missing email", func(m map[string]any) { delete(m, "email") }, "email is required"},
		{"bad email", func(m map[string]any) { m["email"] = "d@" }, "email must be a valid email"},
		{"bad role", func(m map[string]any) { m["role"] = "owner" }, "role must be one of"},
		{"no targets", func(m map[string]any) { delete(m, "website_ids") }, "one of website_ids or group_ids is required"},
		{"both targets", func(m map[string]any) { m["group_ids"] = []string{group1} }, "mutually exclusive"},
		{"empty website_ids", func(m map[string]any) { m["website_ids"] = []string{} }, "website_ids must contain between 1 and 50"},
		{"51 group_ids", func(m map[string]any) { delete(m, "website_ids"); m["group_ids"] = many }, "group_ids must contain between 1 and 50"},
		{"bad uuid", func(m map[string]any) { m["website_ids"] = []string{site1, "w2"} }, "website_ids[1] must be a valid UUID"},
		{"unknown field", func(m map[string]any) { m["websiteIds"] = []string{site1} }, `unknown field "websiteIds"`},
		{"wrong type", func(m map[string]any) { m["website_ids"] = site1 }, "website_ids must be an array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := valid()
			tc.edit(b)
			assertAthenaError(t, athenaInvite(t, srv, athenaGlb, b), http.StatusBadRequest, tc.msg)
		})
	}
	assert.Empty(t, srv.AthenaMembers(site1))

	// Exactly 50 targets is fine.
	b := valid()
	b["website_ids"] = many[:50]
	assert.Len(t, athenaResults(t, athenaInvite(t, srv, athenaOK, b)), 50)
}

func TestAthenaAuth(t *testing.T) {
	srv := newServer(t)
	body := map[string]any{"invite_method": "direct", "email": "e@example.com", "website_ids": []string{site1}}
	assertAthenaError(t, athenaInvite(t, srv, nil, body), http.StatusUnauthorized, "Missing API key")
	assertAthenaError(t, athenaInvite(t, srv, athenaAuth("nope"), body), http.StatusUnauthorized, "Invalid API key")
	assertAthenaError(t, athenaInvite(t, srv, auth{"Authorization": "Bearer " + onboardtest.AthenaAPIKey}, body),
		http.StatusUnauthorized, "Missing API key")
	assert.Empty(t, srv.AthenaMembers(site1))

	custom := newServer(t, onboardtest.WithAthenaAPIKey("site-key"), onboardtest.WithAthenaGlobalAPIKey("global-key"))
	assert.Equal(t, http.StatusUnauthorized, athenaInvite(t, custom, athenaOK, body).Status)
	assert.Equal(t, http.StatusOK, athenaInvite(t, custom, athenaAuth("site-key"), body).Status)
	body["group_ids"], body["website_ids"] = []string{group1}, nil
	assert.Equal(t, http.StatusForbidden, athenaInvite(t, custom, athenaAuth("site-key"), body).Status)
	assert.Equal(t, http.StatusOK, athenaInvite(t, custom, athenaAuth("global-key"), body).Status)
}

func TestAthenaSeeds(t *testing.T) {
	srv := newServer(t)
	id := srv.AddAthenaMember(group1, "f@example.com")
	assert.Equal(t, id, srv.AddAthenaMember(site1, "F@example.com"))
	srv.AddAthenaInvite(site2, "g@example.com")
	srv.AddAthenaInvite(site1, "f@example.com") // already a member: no invite
	assert.Equal(t, []string{"f@example.com"}, srv.AthenaMembers(group1))
	assert.Equal(t, []string{"g@example.com"}, srv.AthenaPendingInvites(site2))
	assert.Empty(t, srv.AthenaPendingInvites(site1))
	_, ok := srv.AthenaMemberRole(site2, "nobody@example.com")
	assert.False(t, ok)
}

func TestAthenaConcurrentInvites(t *testing.T) {
	srv := newServer(t)
	// 50 goroutines invite 25 people (each twice) to the same two websites.
	var wg sync.WaitGroup
	successes := make([]int, 50)
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := map[string]any{"invite_method": "direct", "email": "p" + strconv.Itoa(g%25) + "@example.com",
				"website_ids": []string{site1, site2}}
			r, err := trySend(http.MethodPost, srv.AthenaURL()+"/api/v1/invites/bulk", athenaOK, "application/json", body)
			if !assert.NoError(t, err) || !assert.Equal(t, http.StatusOK, r.Status) {
				return
			}
			m, err := r.decode()
			if !assert.NoError(t, err, "body: %s", r.Body) {
				return
			}
			for _, x := range m["results"].([]any) {
				if x.(map[string]any)["success"] == true {
					successes[g]++
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range successes {
		total += n
	}
	assert.Equal(t, 50, total, "each of 25 people joins each of 2 websites exactly once")
	assert.Len(t, srv.AthenaMembers(site1), 25)
	assert.Len(t, srv.AthenaMembers(site2), 25)
}
