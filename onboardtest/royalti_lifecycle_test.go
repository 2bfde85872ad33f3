package onboardtest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// royaltiOK200 checks a 200 answer and returns its body.
func royaltiOK200(t *testing.T, r *response) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	return r.JSON(t)
}

func royaltiGet(t *testing.T, srv *onboardtest.Server, a auth, path string) *response {
	t.Helper()
	return send(t, http.MethodGet, srv.RoyaltiURL()+path, a, nil)
}

// royaltiInviteN invites p<from>..p<from+n-1>@example.com through
// /auth/invite, one second apart on clock.
func royaltiInviteN(t *testing.T, srv *onboardtest.Server, clock *fakeClock, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		clock.Advance(time.Second)
		r := royaltiInvite(t, srv, "", royaltiOK, map[string]any{"email": "p" + strconv.Itoa(i) + "@example.com", "firstName": "P", "lastName": strconv.Itoa(i)})
		require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	}
}

func inviteEmails(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, x := range m["invites"].([]any) {
		out = append(out, x.(map[string]any)["TenantUser"].(map[string]any)["User"].(map[string]any)["email"].(string))
	}
	return out
}

func userEmails(t *testing.T, m map[string]any) []string {
	t.Helper()
	var out []string
	for _, x := range m["Users"].([]any) {
		out = append(out, x.(map[string]any)["email"].(string))
	}
	return out
}

// inviteIDOf returns the id of the invite of email in the default
// workspace, the latest if there are several.
func inviteIDOf(t *testing.T, srv *onboardtest.Server, email string) string {
	t.Helper()
	id := ""
	for _, inv := range srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID) {
		if inv.Email == email {
			id = inv.ID
		}
	}
	require.NotEmpty(t, id, "no invite for %s", email)
	return id
}

func TestRoyaltiListInvitesDocumentedShape(t *testing.T) {
	clock := newFakeClock(time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	body := map[string]any{"email": "jane@example.com", "firstName": "Jane", "lastName": "Doe", "role": "admin",
		"message": "Welcome to the Royalti workspace."}
	require.Equal(t, http.StatusCreated, royaltiInvite(t, srv, "", royaltiOK, body).Status)

	m := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites"))
	assertSameShape(t, "", loadExample(t, "royalti-user-invites-response.json"), m)
	userID := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].ID
	inv := m["invites"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{
		"id": inviteIDOf(t, srv, "jane@example.com"), "TenantUserId": userID, "TenantId": 101.0, "status": "invited",
		"meta":     map[string]any{"message": "Welcome to the Royalti workspace.", "date": "2024-06-10T12:00:00.000Z"},
		"JoinedAt": nil, "createdAt": "2024-06-10T12:00:00.000Z", "updatedAt": "2024-06-10T12:00:00.000Z",
		"TenantUser": map[string]any{"id": userID, "firstName": "Jane", "lastName": "Doe", "role": "admin",
			"User": map[string]any{"email": "jane@example.com"}},
	}, inv)
	assert.Equal(t, map[string]any{"totalItems": 1.0, "filteredItems": 1.0, "totalPages": 1.0, "currentPage": 1.0},
		map[string]any{"totalItems": m["totalItems"], "filteredItems": m["filteredItems"], "totalPages": m["totalPages"], "currentPage": m["currentPage"]})

	// Joined: JoinedAt is set.
	clock.Advance(time.Hour)
	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "JANE@example.com"))
	inv = royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites"))["invites"].([]any)[0].(map[string]any)
	assert.Equal(t, "joined", inv["status"])
	assert.Equal(t, "2024-06-10T13:00:00.000Z", inv["JoinedAt"])
	assert.Equal(t, "2024-06-10T13:00:00.000Z", inv["updatedAt"])
}

func TestRoyaltiInvitesFedByV01Endpoints(t *testing.T) {
	srv := newServer(t)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"inv@example.com","sendEmail":false}`)
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"b1@example.com","role":"admin"},{"email":"b2@example.com"}],"message":"Hi","redirect_url":"https://x.example/r"}`)
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"quiet@example.com"}],"sendEmail":false}`)

	m := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites"))
	assert.Equal(t, []string{"b2@example.com", "b1@example.com", "inv@example.com"}, inviteEmails(t, m),
		"newest first; /auth/invite always records an invite, /user/bulk only with sendEmail")
	invites := srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, invites, 3)
	assert.Equal(t, "Hi", invites[1].Message)
	assert.Equal(t, "https://x.example/r", invites[1].RedirectURL)
	assert.Equal(t, onboardtest.RoyaltiInviteInvited, invites[2].Status)
	assert.Nil(t, invites[2].JoinedAt)

	users := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"))
	assert.Equal(t, []string{"quiet@example.com", "b2@example.com", "b1@example.com", "inv@example.com"}, userEmails(t, users),
		"every user shows, invited or created")
	assert.EqualValues(t, 4, users["totalUsers"])
}

func TestRoyaltiListInvitesPagingAndFilter(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	royaltiInviteN(t, srv, clock, 0, 23)
	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "p3@example.com"))
	r := send(t, http.MethodPost, srv.RoyaltiURL()+"/user/invites/"+inviteIDOf(t, srv, "p4@example.com")+"/cancel", royaltiOK, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)

	all := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites"))
	assert.Len(t, all["invites"], 23, "without size, one page holds everything")
	assert.EqualValues(t, 1, all["totalPages"])
	assert.Equal(t, "p22@example.com", inviteEmails(t, all)[0], "newest first")

	var seen []string
	for page := 1; page <= 3; page++ {
		m := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?size=10&page="+strconv.Itoa(page)))
		assert.EqualValues(t, 23, m["totalItems"])
		assert.EqualValues(t, 23, m["filteredItems"])
		assert.EqualValues(t, 3, m["totalPages"])
		assert.EqualValues(t, page, m["currentPage"])
		seen = append(seen, inviteEmails(t, m)...)
	}
	assert.Equal(t, inviteEmails(t, all), seen, "the pages partition the list")
	beyond := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?size=10&page=4"))
	assert.Equal(t, []any{}, beyond["invites"])
	assert.EqualValues(t, 4, beyond["currentPage"])
	assert.EqualValues(t, 3, beyond["totalPages"])
	assert.EqualValues(t, 23, beyond["filteredItems"])

	pending := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?status=invited&size=5&page=5"))
	assert.EqualValues(t, 23, pending["totalItems"])
	assert.EqualValues(t, 21, pending["filteredItems"])
	assert.EqualValues(t, 5, pending["totalPages"])
	assert.Equal(t, []string{"p0@example.com"}, inviteEmails(t, pending))
	joined := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?status=joined"))
	assert.Equal(t, []string{"p3@example.com"}, inviteEmails(t, joined))
	cancelled := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?status=cancelled"))
	assert.Equal(t, []string{"p4@example.com"}, inviteEmails(t, cancelled))
	assert.Equal(t, "cancelled", cancelled["invites"].([]any)[0].(map[string]any)["status"])
	assert.EqualValues(t, 1, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?page=7"))["currentPage"],
		"page counts only when size is sent")

	for query, msg := range map[string]string{
		"?status=pending": "status must be one of: invited, joined, cancelled",
		"?size=0":         "size must be an integer between 1 and 100",
		"?size=101":       "size must be an integer between 1 and 100",
		"?page=0&size=1":  "page must be a positive integer",
		"?limit=10":       `unknown query parameter "limit"`,
	} {
		assertRoyaltiStructured(t, royaltiGet(t, srv, royaltiOK, "/user/invites"+query), http.StatusBadRequest, "VALIDATION_ERROR", msg)
	}
	assertRoyaltiPlain(t, royaltiGet(t, srv, nil, "/user/invites"), http.StatusUnauthorized, "Unauthorized")
}

func TestRoyaltiResendInvite(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"a@example.com","message":"first"}`)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"b@example.com"}`)
	url := func(email string) string {
		return srv.RoyaltiURL() + "/user/invites/" + inviteIDOf(t, srv, email) + "/resend"
	}

	clock.Advance(time.Minute)
	r := post(t, url("a@example.com"), royaltiOK, loadExample(t, "royalti-invite-resend-request.json"))
	assert.Equal(t, loadExample(t, "royalti-invite-resend-response.json"), royaltiOK200(t, r))
	inv := srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[0]
	assert.Equal(t, "Reminder: please accept your invite before onboarding.", inv.Message, "the message is replaced")
	assert.Equal(t, "https://app.royalti.io/email/activate", inv.RedirectURL)
	assert.Equal(t, 1, inv.Resends)
	assert.Equal(t, clock.Now(), inv.SentAt)
	assert.Equal(t, clock.Now(), inv.UpdatedAt)
	listed := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites?status=invited"))["invites"].([]any)[1].(map[string]any)
	assert.Equal(t, "2025-01-01T00:01:00.000Z", listed["meta"].(map[string]any)["date"])

	// No body at all is fine, and keeps the message.
	r, err := trySend(http.MethodPost, url("a@example.com"), royaltiOK, "", nil)
	require.NoError(t, err)
	royaltiOK200(t, r)
	inv = srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[0]
	assert.Equal(t, 2, inv.Resends)
	assert.Equal(t, "Reminder: please accept your invite before onboarding.", inv.Message)

	// Only pending invites are resent.
	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "a@example.com"))
	details := assertRoyaltiStructured(t, post(t, url("a@example.com"), royaltiOK, `{}`), http.StatusConflict, "CONFLICT",
		"Only an invite in the invited state can be resent; this one is joined")
	assert.Len(t, details, 1)
	royaltiOK200(t, send(t, http.MethodPost, srv.RoyaltiURL()+"/user/invites/"+inviteIDOf(t, srv, "b@example.com")+"/cancel", royaltiOK, nil))
	assertRoyaltiStructured(t, post(t, url("b@example.com"), royaltiOK, `{}`), http.StatusConflict, "CONFLICT", "this one is cancelled")
	assert.Equal(t, 2, srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[0].Resends)

	base := srv.RoyaltiURL() + "/user/invites/"
	assertRoyaltiPlain(t, post(t, base+"e2d9b1ff-1db1-4c6f-86de-65c13716fd4d/resend", royaltiOK, `{}`), http.StatusNotFound, "Invite not found")
	assertRoyaltiPlain(t, post(t, base+"not-an-id/resend", royaltiOK, `{}`), http.StatusNotFound, "Invite not found")
	assertRoyaltiStructured(t, post(t, url("b@example.com"), royaltiOK, `{"redirect_url":"x"}`), http.StatusBadRequest, "VALIDATION_ERROR", `unknown field "redirect_url"`)
	r, err = trySend(http.MethodPost, url("b@example.com"), royaltiOK, "text/plain", `{}`)
	require.NoError(t, err)
	assertRoyaltiStructured(t, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")
	assertRoyaltiPlain(t, send(t, http.MethodGet, url("b@example.com"), royaltiOK, nil), http.StatusMethodNotAllowed, "use POST")
	assertRoyaltiPlain(t, post(t, url("b@example.com"), nil, `{}`), http.StatusUnauthorized, "Unauthorized")
}

func TestRoyaltiCancelInvite(t *testing.T) {
	srv := newServer(t)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"a@example.com"}`)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"j@example.com"}`)
	url := func(email string) string {
		return srv.RoyaltiURL() + "/user/invites/" + inviteIDOf(t, srv, email) + "/cancel"
	}

	r := send(t, http.MethodPost, url("a@example.com"), royaltiOK, nil)
	assert.Equal(t, map[string]any{"message": "Invite cancelled successfully"}, royaltiOK200(t, r))
	assert.Equal(t, onboardtest.RoyaltiInviteCancelled, srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[0].Status)
	royaltiOK200(t, send(t, http.MethodPost, url("a@example.com"), royaltiOK, nil)) // again: no change, still 200
	assert.ErrorContains(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "a@example.com"), "no pending invite",
		"a cancelled invite can no longer be accepted")
	assert.Len(t, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"))["Users"], 2, "the user stays")

	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "j@example.com"))
	assertRoyaltiStructured(t, send(t, http.MethodPost, url("j@example.com"), royaltiOK, nil), http.StatusConflict, "CONFLICT", "accepted")
	assert.Equal(t, onboardtest.RoyaltiInviteJoined, srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[1].Status)

	assertRoyaltiStructured(t, post(t, url("a@example.com"), royaltiOK, `{}`), http.StatusBadRequest, "VALIDATION_ERROR", "takes no request body")
	assertRoyaltiPlain(t, send(t, http.MethodPost, srv.RoyaltiURL()+"/user/invites/"+site1+"/cancel", royaltiOK, nil), http.StatusNotFound, "Invite not found")
	assertRoyaltiPlain(t, send(t, http.MethodDelete, url("a@example.com"), royaltiOK, nil), http.StatusMethodNotAllowed, "use POST")

	// Another workspace's invites are not found.
	srv.AddRoyaltiToken("other", "ws-other")
	assertRoyaltiPlain(t, send(t, http.MethodPost, url("a@example.com"), royaltiAuth("other"), nil), http.StatusNotFound, "Invite not found")
}

func TestRoyaltiListUsers(t *testing.T) {
	clock := newFakeClock(time.Date(2022, 2, 26, 4, 38, 21, 560_000_000, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"firstName":"Royal","lastName":"Records","email":"royal@royalti.io","role":"user","country":"Åland Islands"}]}`)

	r := royaltiGet(t, srv, royaltiOK, "/user/")
	m := royaltiOK200(t, r)
	documented := loadExample(t, "royalti-users-response.json")
	delete(documented["Users"].([]any)[0].(map[string]any), "externalId") // no user of the fake has one
	assertSameShape(t, "", documented, m)
	id := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].ID
	assert.Equal(t, map[string]any{
		"fullName": "Royal Records", "email": "royal@royalti.io", "id": id, "firstName": "Royal", "lastName": "Records",
		"role": "user", "country": "Åland Islands",
		"createdAt": "2022-02-26T04:38:21.560Z", "updatedAt": "2022-02-26T04:38:21.560Z",
		"User": map[string]any{"email": "royal@royalti.io"}, "Artists": []any{},
	}, m["Users"].([]any)[0])
	assert.Equal(t, "success", m["message"])
	assert.NotContains(t, m, "accountingMetadata", "its fields are not documented")
	assert.Equal(t, m, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user")), "with or without the slash")
	assert.Equal(t, m, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?accounting=true&attributes=id,email")))
}

func TestRoyaltiListUsersPagingSortAndFilters(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	royaltiInviteN(t, srv, clock, 0, 22)
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"firstName":"Zed","lastName":"Admin","email":"zed@example.com","role":"admin"},{"firstName":"Amy","email":"amy@example.com","role":"owner"}]}`)

	var seen []string
	for page := 1; page <= 3; page++ {
		m := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?page="+strconv.Itoa(page)))
		assert.EqualValues(t, 24, m["totalUsers"])
		assert.EqualValues(t, len(m["Users"].([]any)), m["count"])
		seen = append(seen, userEmails(t, m)...)
	}
	require.Len(t, seen, 24, "default size 10: 10, 10, 4")
	assert.Equal(t, []string{"amy@example.com", "zed@example.com", "p21@example.com"}, seen[:3],
		"newest first; equal times keep the reverse of the joining order")
	assert.Equal(t, "p0@example.com", seen[23])
	beyond := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?page=4"))
	assert.Equal(t, []any{}, beyond["Users"])
	assert.EqualValues(t, 0, beyond["count"])
	assert.EqualValues(t, 24, beyond["totalUsers"])

	asc := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?sort=createdAt&order=asc&size=3"))
	assert.Equal(t, []string{"p0@example.com", "p1@example.com", "p2@example.com"}, userEmails(t, asc))
	byName := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?sort=name&order=asc&size=2"))
	assert.Equal(t, []string{"amy@example.com", "p0@example.com"}, userEmails(t, byName))
	byNameDesc := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?sort=name&size=1"))
	assert.Equal(t, []string{"zed@example.com"}, userEmails(t, byNameDesc))
	all := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?size=100"))
	assert.Len(t, all["Users"], 24)

	q := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?q=P%201"))
	assert.Equal(t, []string{"p19@example.com", "p18@example.com", "p17@example.com", "p16@example.com", "p15@example.com",
		"p14@example.com", "p13@example.com", "p12@example.com", "p11@example.com", "p10@example.com"}, userEmails(t, q))
	assert.EqualValues(t, 11, q["totalUsers"], "p1 and p10-p19 match; the page holds 10")
	q2 := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?q=P%201&page=2"))
	assert.Equal(t, []string{"p1@example.com"}, userEmails(t, q2))
	assert.Equal(t, []string{"zed@example.com"}, userEmails(t, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?q=ZED@"))))
	roles := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?role=admin,owner"))
	assert.Equal(t, []string{"amy@example.com", "zed@example.com"}, userEmails(t, roles))
	assert.EqualValues(t, 22, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?role=user"))["totalUsers"], "no role sent: user")
	assert.EqualValues(t, 0, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/?externalId=2892"))["totalUsers"])

	for query, msg := range map[string]string{
		"?size=0":         "size must be an integer between 1 and 100",
		"?size=101":       "size must be an integer between 1 and 100",
		"?page=-1":        "page must be a positive integer",
		"?sort=email":     "sort must be one of: createdAt, updatedAt, name, split",
		"?order=up":       "order must be one of: asc, desc",
		"?accounting=yes": "accounting must be true or false",
		"?limit=5":        `unknown query parameter "limit"`,
		"?pageSize=5&q=a": `unknown query parameter "pageSize"`,
	} {
		assertRoyaltiStructured(t, royaltiGet(t, srv, royaltiOK, "/user/"+query), http.StatusBadRequest, "VALIDATION_ERROR", msg)
	}
}

func TestRoyaltiGetUser(t *testing.T) {
	clock := newFakeClock(time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC))
	srv := newServer(t, onboardtest.WithClock(clock.Now))
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"firstName":"user2","lastName":"Royalti","email":"user2@example.com",
		"nickName":"iEmmanuel104","userType":"Artist","ipi":"1234567890","phone":"+1234567890","country":"Nigeria"}],
		"message":"Welcome to Royalti!","redirect_url":"https://app.royalti.io/welcome"}`)
	id := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].ID

	m := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"+id))
	documented := loadExample(t, "royalti-user-response.json")
	delete(documented, "externalId") // no user of the fake has one
	assertSameShape(t, "", documented, m)
	assert.Equal(t, map[string]any{
		"fullName": "user2 Royalti", "phone": "+1234567890", "country": "Nigeria", "message": "Welcome to Royalti!",
		"sendEmail": true, "redirect_url": "https://app.royalti.io/welcome", "id": id, "firstName": "user2",
		"lastName": "Royalti", "email": "user2@example.com", "ipi": "1234567890",
		"TenantUser": map[string]any{"TenantId": 101.0, "nickName": "iEmmanuel104", "userType": []any{"Artist"}},
		"invite":     map[string]any{"id": inviteIDOf(t, srv, "user2@example.com"), "status": "invited", "date": "2024-06-10T12:00:00.000Z"},
	}, m)

	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"quiet@example.com"}],"sendEmail":false}`)
	quiet := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"+srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[1].ID))
	assert.Nil(t, quiet["invite"], "no invite: null")
	assert.Equal(t, false, quiet["sendEmail"])
	assert.Equal(t, []any{}, quiet["TenantUser"].(map[string]any)["userType"])

	assertRoyaltiPlain(t, royaltiGet(t, srv, royaltiOK, "/user/"+site1), http.StatusNotFound, "User not found")
	assertRoyaltiPlain(t, royaltiGet(t, srv, royaltiOK, "/user/nope"), http.StatusNotFound, "User not found")
	srv.AddRoyaltiToken("other", "ws-other")
	assertRoyaltiPlain(t, royaltiGet(t, srv, royaltiAuth("other"), "/user/"+id), http.StatusNotFound, "User not found")
	assertRoyaltiPlain(t, send(t, http.MethodPatch, srv.RoyaltiURL()+"/user/"+id, royaltiOK, `{}`), http.StatusMethodNotAllowed, "use GET, DELETE")
}

func TestRoyaltiDeleteUser(t *testing.T) {
	srv := newServer(t)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"gone@example.com"}`)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"stays@example.com"}`)
	id := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].ID
	url := srv.RoyaltiURL() + "/user/" + id

	assertRoyaltiStructured(t, send(t, http.MethodDelete, url, royaltiOK, `{"force":true}`), http.StatusBadRequest, "VALIDATION_ERROR", "takes no request body")
	assert.Equal(t, map[string]any{"message": "User deleted successfully"}, royaltiOK200(t, send(t, http.MethodDelete, url, royaltiOK, nil)))
	assert.Equal(t, []string{"stays@example.com"}, userEmails(t, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"))))
	assert.Equal(t, []string{"stays@example.com"}, inviteEmails(t, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites"))),
		"the user's invites go too")
	assertRoyaltiPlain(t, royaltiGet(t, srv, royaltiOK, "/user/"+id), http.StatusNotFound, "User not found")
	assertRoyaltiPlain(t, send(t, http.MethodDelete, url, royaltiOK, nil), http.StatusNotFound, "User not found")

	// Invited again: same person id, a fresh invite.
	require.Equal(t, http.StatusCreated, royaltiInvite(t, srv, "", royaltiOK, `{"email":"gone@example.com"}`).Status)
	assert.Equal(t, id, srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[1].ID)
}

func TestRoyaltiBulkDelete(t *testing.T) {
	srv := newServer(t)
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"a@example.com"},{"email":"b@example.com"},{"email":"c@example.com"}]}`)
	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	url := srv.RoyaltiURL() + "/user/bulk/delete"

	r := post(t, url, royaltiOK, map[string]any{"ids": []string{users[0].ID, users[2].ID}})
	m := royaltiOK200(t, r)
	assert.Equal(t, loadExample(t, "royalti-user-bulk-delete-response.json"), m)
	assert.Equal(t, []string{"b@example.com"}, userEmails(t, royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"))))
	assert.Len(t, srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID), 1)

	m = royaltiOK200(t, post(t, url, royaltiOK, map[string]any{"ids": []string{users[1].ID, users[1].ID, "nope", users[0].ID}}))
	assert.Equal(t, map[string]any{"message": "Done.", "processedCount": 4.0, "failedDeletions": []any{users[1].ID, "nope", users[0].ID}}, m)
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))

	for body, msg := range map[string]string{
		`{}`:                "ids is required and must be a non-empty array",
		`{"ids":[]}`:        "ids is required and must be a non-empty array",
		`{"userIds":["x"]}`: `unknown field "userIds"`,
		`{"ids":"x"}`:       "ids must be",
	} {
		assertRoyaltiStructured(t, post(t, url, royaltiOK, body), http.StatusBadRequest, "VALIDATION_ERROR", msg)
	}
	assertRoyaltiPlain(t, send(t, http.MethodDelete, url, royaltiOK, `{"ids":["x"]}`), http.StatusMethodNotAllowed, "use POST")
}

func TestRoyaltiAddToTenant(t *testing.T) {
	srv := newServer(t)
	srv.AddRoyaltiToken("home", "ws-home")
	home := royaltiAuth("home")
	royaltiBulk(t, srv, home, `{"users":[{"firstName":"Kim","lastName":"Lee","email":"kim@example.com","role":"admin"}]}`)
	kim := srv.RoyaltiUsers("ws-home")[0].ID
	url := func(id string) string { return srv.RoyaltiURL() + "/user/" + id + "/aut" }

	// Kim joins the default workspace with a pending invite.
	r := send(t, http.MethodPut, url(kim), royaltiOK, `{"redirect_url":"https://app.royalti.io/welcome","sendEmail":false}`)
	assert.Equal(t, map[string]any{}, royaltiOK200(t, r))
	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, users, 1)
	assert.Equal(t, kim, users[0].ID)
	assert.Equal(t, "Kim", users[0].FirstName)
	assert.Equal(t, "admin", users[0].Role)
	assert.False(t, users[0].SendEmail)
	invites := srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, invites, 1)
	assert.Equal(t, onboardtest.RoyaltiInviteInvited, invites[0].Status)
	assert.Equal(t, "https://app.royalti.io/welcome", invites[0].RedirectURL)

	// Again, with no body: the pending invite is resent.
	r, err := trySend(http.MethodPut, url(kim), royaltiOK, "", nil)
	require.NoError(t, err)
	royaltiOK200(t, r)
	invites = srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, invites, 1)
	assert.Equal(t, 1, invites[0].Resends)

	// Cancelled: a new invite. Joined: nothing changes.
	royaltiOK200(t, send(t, http.MethodPost, srv.RoyaltiURL()+"/user/invites/"+invites[0].ID+"/cancel", royaltiOK, nil))
	royaltiOK200(t, send(t, http.MethodPut, url(kim), royaltiOK, nil))
	invites = srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, invites, 2)
	assert.Equal(t, []string{"cancelled", "invited"}, []string{invites[0].Status, invites[1].Status})
	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "kim@example.com"))
	royaltiOK200(t, send(t, http.MethodPut, url(kim), royaltiOK, nil))
	invites = srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, invites, 2)
	assert.Equal(t, onboardtest.RoyaltiInviteJoined, invites[1].Status)
	assert.Zero(t, invites[1].Resends)

	// A bulk user without an invite gets one.
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"quiet@example.com"}],"sendEmail":false}`)
	quiet := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[1].ID
	royaltiOK200(t, send(t, http.MethodPut, url(quiet), royaltiOK, nil))
	assert.Len(t, srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID), 3)

	assertRoyaltiPlain(t, send(t, http.MethodPut, url(site1), royaltiOK, nil), http.StatusNotFound, "User not found")
	assertRoyaltiPlain(t, send(t, http.MethodPut, url("nope"), royaltiOK, nil), http.StatusNotFound, "User not found")
	assertRoyaltiStructured(t, send(t, http.MethodPut, url(kim), royaltiOK, `{"redirectUrl":"x"}`), http.StatusBadRequest, "VALIDATION_ERROR", `unknown field "redirectUrl"`)
	assertRoyaltiPlain(t, send(t, http.MethodGet, url(kim), royaltiOK, nil), http.StatusMethodNotAllowed, "use PUT")
}

func TestAcceptAndAddRoyaltiInvite(t *testing.T) {
	srv := newServer(t)
	id := srv.AddRoyaltiInvite("ws", "new@example.com", "New", "Person")
	assert.Equal(t, id, srv.AddRoyaltiInvite("ws", "NEW@example.com", "", ""), "a pending invite is reused")
	users := srv.RoyaltiUsers("ws")
	require.Len(t, users, 1)
	assert.Equal(t, "New", users[0].FirstName)
	assert.True(t, users[0].Invited)

	assert.ErrorContains(t, srv.AcceptRoyaltiInvite("ws", "nobody@example.com"), "no pending invite")
	assert.ErrorContains(t, srv.AcceptRoyaltiInvite("no-such-ws", "new@example.com"), "no pending invite")
	require.NoError(t, srv.AcceptRoyaltiInvite("ws", "new@example.com"))
	assert.ErrorContains(t, srv.AcceptRoyaltiInvite("ws", "new@example.com"), "no pending invite")
	inv := srv.RoyaltiInvites("ws")[0]
	assert.Equal(t, id, inv.ID)
	assert.Equal(t, onboardtest.RoyaltiInviteJoined, inv.Status)
	require.NotNil(t, inv.JoinedAt)

	// Joined: a new seed invite is a second record.
	assert.NotEqual(t, id, srv.AddRoyaltiInvite("ws", "new@example.com", "", ""))
	seeded := srv.AddRoyaltiUser("ws", "plain@example.com", "P", "L")
	assert.NotEmpty(t, seeded)
	assert.Len(t, srv.RoyaltiInvites("ws"), 2, "AddRoyaltiUser records no invite")
	assert.Nil(t, srv.RoyaltiInvites("unknown"))
}

func TestRoyaltiListsWithAnExtraToken(t *testing.T) {
	// A token added with AddRoyaltiToken resolves its workspace under the
	// server's lock; every lifecycle endpoint must still answer.
	srv := newServer(t)
	srv.AddRoyaltiToken("second", "ws-2")
	a := royaltiAuth("second")
	royaltiInvite(t, srv, "", a, `{"email":"x@example.com"}`)
	id := srv.RoyaltiUsers("ws-2")[0].ID
	inv := srv.RoyaltiInvites("ws-2")[0].ID
	royaltiOK200(t, royaltiGet(t, srv, a, "/user/invites"))
	royaltiOK200(t, royaltiGet(t, srv, a, "/user/"))
	royaltiOK200(t, royaltiGet(t, srv, a, "/user/"+id))
	royaltiOK200(t, post(t, srv.RoyaltiURL()+"/user/invites/"+inv+"/resend", a, `{}`))
	royaltiOK200(t, send(t, http.MethodPost, srv.RoyaltiURL()+"/user/invites/"+inv+"/cancel", a, nil))
	royaltiOK200(t, send(t, http.MethodPut, srv.RoyaltiURL()+"/user/"+id+"/aut", a, nil))
	royaltiOK200(t, post(t, srv.RoyaltiURL()+"/user/bulk/delete", a, map[string]any{"ids": []string{"x"}}))
	royaltiOK200(t, send(t, http.MethodDelete, srv.RoyaltiURL()+"/user/"+id, a, nil))
	assert.Zero(t, srv.RoyaltiUserCount("ws-2"))
	assert.Empty(t, royaltiEmails(srv), "the default workspace is untouched")
}

// TestRoyaltiLeavesOutValuesItDoesNotHold pins that string fields the fake
// holds no value for are left out of its answers, as in the documents'
// examples, never null: a client decoding them into strings must not meet
// a null.
func TestRoyaltiLeavesOutValuesItDoesNotHold(t *testing.T) {
	srv := newServer(t)
	royaltiInvite(t, srv, "", royaltiOK, `{"email":"bare@example.com"}`)
	royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"quiet@example.com"}],"sendEmail":false}`)
	bare := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].ID
	quiet := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[1].ID

	// absent asserts that every key is left out of m, not sent as null.
	absent := func(what string, m map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			v, ok := m[k]
			assert.Falsef(t, ok, "%s: %q is %v; a value the fake does not hold is left out", what, k, v)
		}
	}

	invites := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/invites"))["invites"].([]any)
	require.Len(t, invites, 1)
	inv := invites[0].(map[string]any)
	absent("invites[0].meta", inv["meta"].(map[string]any), "message")
	assert.Contains(t, inv["meta"], "date")
	assert.Contains(t, inv, "JoinedAt", "JoinedAt is null until joined, as documented")

	users := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"))["Users"].([]any)
	require.Len(t, users, 2)
	for i, u := range users {
		absent("Users["+strconv.Itoa(i)+"]", u.(map[string]any), "country", "externalId")
	}

	for _, id := range []string{bare, quiet} {
		m := royaltiOK200(t, royaltiGet(t, srv, royaltiOK, "/user/"+id))
		absent("user "+id, m, "phone", "country", "message", "redirect_url", "ipi", "externalId")
		absent("user "+id+" TenantUser", m["TenantUser"].(map[string]any), "nickName")
		assert.Contains(t, m, "invite")
	}
}
