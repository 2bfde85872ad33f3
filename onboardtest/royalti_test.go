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

func royaltiBulk(t *testing.T, srv *onboardtest.Server, a auth, body any) *response {
	t.Helper()
	return post(t, srv.RoyaltiURL()+"/user/bulk", a, body)
}

func royaltiInvite(t *testing.T, srv *onboardtest.Server, query string, a auth, body any) *response {
	t.Helper()
	return post(t, srv.RoyaltiURL()+"/auth/invite"+query, a, body)
}

func TestRoyaltiBulkDocumentedExample(t *testing.T) {
	srv := newServer(t)
	srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, "jane@example.com", "Jane", "Doe")

	req := loadExample(t, "royalti-user-bulk-request.json")
	documented := req["users"].([]any)[0].(map[string]any)
	documented["firstName"], documented["lastName"] = "John", "Doe"
	person := func(first, email string) map[string]any {
		return map[string]any{"firstName": first, "lastName": "Doe", "email": email}
	}
	req["users"] = []any{
		documented,
		person("Jane", "JANE@example.com"),
		person("Jacob", "jacob@"),
		person("Jericho", "jericho@example.com"),
		person("Jake", "jake.example.com"),
		person("Jericho", "Jericho@Example.com"),
	}
	r := royaltiBulk(t, srv, royaltiOK, req)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	got := r.JSON(t)
	assertSameShape(t, "", loadExample(t, "royalti-user-bulk-response.json"), got)
	assert.Equal(t, map[string]any{
		"message":        "Done.",
		"createdUsers":   []any{"John Doe", "Jericho Doe"},
		"processedCount": float64(6),
		"errors": []any{
			"User Jane Doe already associated with workspace!",
			"Invalid email format for Jacob Doe",
			"Invalid email format for Jake Doe",
			"User Jericho Doe already associated with workspace!",
		},
	}, got)

	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, users, 3)
	john := users[1]
	assert.Equal(t, "jsmith@example.com", john.Email)
	assert.Equal(t, "<string>", john.IPI)
	assert.Equal(t, "<string>", john.Country)
	assert.True(t, john.SendEmail)
	assert.False(t, john.Invited)
	assert.NotEmpty(t, john.ID)
}

func TestRoyaltiBulkAllGood(t *testing.T) {
	srv := newServer(t)
	r := royaltiBulk(t, srv, royaltiOK, map[string]any{
		"users":     []any{map[string]any{"email": "solo@example.com"}},
		"sendEmail": false,
	})
	require.Equal(t, http.StatusCreated, r.Status)
	m := r.JSON(t)
	assert.Equal(t, []any{"solo@example.com"}, m["createdUsers"], "a user with no name is named by email")
	assert.Equal(t, []any{}, m["errors"], "errors is an empty array, not null")
	assert.False(t, srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].SendEmail)
}

func TestRoyaltiBulkValidation(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, body, msg, field string
	}{
		{"missing users", `{"sendEmail":true}`, "users is required", "users"},
		{"empty users", `{"users":[]}`, "users is required", "users"},
		{"unknown item field", `{"users":[{"email":"a@example.com"},{"email":"b@example.com","mail":"x"}]}`, `unknown field "users[1].mail"`, "users[1].mail"},
		{"unknown top field", `{"users":[{"email":"a@example.com"}],"redirectUrl":"x"}`, `unknown field "redirectUrl"`, "redirectUrl"},
		{"wrong type", `{"users":[{"email":"a@example.com"}],"sendEmail":"yes"}`, "sendEmail must be a boolean", "sendEmail"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			details := assertRoyaltiStructured(t, royaltiBulk(t, srv, royaltiOK, tc.body), http.StatusBadRequest, "VALIDATION_ERROR", tc.msg)
			require.Len(t, details, 1)
			assert.Equal(t, tc.field, details[0].(map[string]any)["field"])
		})
	}
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
}

func TestRoyaltiInvite(t *testing.T) {
	srv := newServer(t)
	body := loadExample(t, "royalti-auth-invite-request.json")
	r := royaltiInvite(t, srv, "", royaltiOK, body)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	assert.Equal(t, loadExample(t, "royalti-auth-invite-response.json"), r.JSON(t))

	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, users, 1)
	assert.Equal(t, "jsmith@example.com", users[0].Email)
	assert.True(t, users[0].Invited)
	assert.Equal(t, "<string>", users[0].Role)

	// Same email again: 409 in the structured shape.
	body["email"] = "JSmith@example.com"
	assertRoyaltiStructured(t, royaltiInvite(t, srv, "", royaltiOK, body), http.StatusConflict, "CONFLICT",
		"User JSmith@example.com already associated with workspace!")

	// Another workspace through the query: fine, same person id.
	r = royaltiInvite(t, srv, "?workspaceId=ws-2", royaltiOK, body)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	other := srv.RoyaltiUsers("ws-2")
	require.Len(t, other, 1)
	assert.Equal(t, users[0].ID, other[0].ID)
}

func TestRoyaltiInviteUserID(t *testing.T) {
	srv := newServer(t)
	id := srv.AddRoyaltiUser("ws-home", "kim@example.com", "Kim", "Lee")
	body := map[string]any{"email": "kim@example.com", "sendEmail": false}

	assertRoyaltiPlain(t, royaltiInvite(t, srv, "?userId=no-such-user", royaltiOK, body), http.StatusNotFound, "User not found")
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))

	r := royaltiInvite(t, srv, "?userId="+id, royaltiOK, body)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	u := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, u, 1)
	assert.Equal(t, id, u[0].ID)
	assert.False(t, u[0].SendEmail)
}

func TestRoyaltiInviteValidation(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		name, body, msg, field string
	}{
		{"missing email", `{"firstName":"A"}`, "email is required", "email"},
		{"bad email", `{"email":"a@b"}`, "email must be a valid email", "email"},
		{"unknown field", `{"email":"a@example.com","workspaceId":"w"}`, `unknown field "workspaceId"`, "workspaceId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			details := assertRoyaltiStructured(t, royaltiInvite(t, srv, "", royaltiOK, tc.body), http.StatusBadRequest, "VALIDATION_ERROR", tc.msg)
			require.Len(t, details, 1)
			assert.Equal(t, tc.field, details[0].(map[string]any)["field"])
		})
	}
}

func TestRoyaltiAuth(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"/user/bulk", "/auth/invite"} {
		body := `{"email":"a@example.com","users":[{"email":"a@example.com"}]}`
		r := post(t, srv.RoyaltiURL()+path, nil, body)
		assertRoyaltiPlain(t, r, http.StatusUnauthorized, "Unauthorized")
		r = post(t, srv.RoyaltiURL()+path, royaltiAuth("wrong"), body)
		assertRoyaltiPlain(t, r, http.StatusUnauthorized, "Unauthorized")
	}

	srv.AddRoyaltiToken("second-token", "ws-second")
	assert.Equal(t, "ws-second", srv.RoyaltiWorkspace("second-token"))
	assert.Equal(t, onboardtest.RoyaltiWorkspaceID, srv.RoyaltiWorkspace(onboardtest.RoyaltiToken))
	assert.Empty(t, srv.RoyaltiWorkspace("unknown"))
	r := royaltiBulk(t, srv, royaltiAuth("second-token"), `{"users":[{"email":"a@example.com"}]}`)
	require.Equal(t, http.StatusCreated, r.Status)
	assert.Equal(t, 1, srv.RoyaltiUserCount("ws-second"))
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))

	custom := newServer(t, onboardtest.WithRoyaltiToken("t2"), onboardtest.WithRoyaltiWorkspace("w2"))
	assert.Equal(t, http.StatusUnauthorized, royaltiBulk(t, custom, royaltiOK, `{"users":[{"email":"a@example.com"}]}`).Status)
	assert.Equal(t, http.StatusCreated, royaltiBulk(t, custom, royaltiAuth("t2"), `{"users":[{"email":"a@example.com"}]}`).Status)
	assert.Equal(t, 1, custom.RoyaltiUserCount("w2"))
}

func TestRoyaltiConcurrentInvites(t *testing.T) {
	srv := newServer(t)
	// 50 goroutines: 25 distinct people each invited twice; exactly one of
	// each pair wins, the other gets 409.
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := map[string]any{"email": "p" + strconv.Itoa(g%25) + "@example.com"}
			r, err := trySend(http.MethodPost, srv.RoyaltiURL()+"/auth/invite", royaltiOK, "application/json", body)
			if assert.NoError(t, err) {
				statuses[g] = r.Status
			}
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 25, http.StatusConflict: 25}, count)
	assert.Equal(t, 25, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
}
