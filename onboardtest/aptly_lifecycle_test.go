package onboardtest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// aptlyEnvelope checks Aptly's success envelope under an HTTP status and
// returns its data.
func aptlyEnvelope(t *testing.T, r *response, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.ElementsMatch(t, []string{"statusCode", "timestamp", "message", "data"}, keys(m))
	assert.EqualValues(t, 200, m["statusCode"])
	assert.Equal(t, "Success", m["message"])
	assert.Regexp(t, msTimestamp, m["timestamp"])
	data, ok := m["data"].(map[string]any)
	require.True(t, ok, "data must be an object: %s", r.Body)
	return data
}

func aptlyList(t *testing.T, srv *onboardtest.Server, query string) map[string]any {
	t.Helper()
	return aptlyEnvelope(t, send(t, http.MethodGet, srv.AptlyURL()+"/v1/user"+query, aptlyOK, nil), http.StatusOK)
}

// aptlyInviteN invites n people u<from>..u<from+n-1>@example.com into
// tenant with bulk-invite and returns their ids.
func aptlyInviteN(t *testing.T, srv *onboardtest.Server, tenant string, from, n int) []string {
	t.Helper()
	var users []any
	for i := from; i < from+n; i++ {
		users = append(users, map[string]any{"email": "u" + strconv.Itoa(i) + "@example.com", "firstName": "U", "lastName": strconv.Itoa(i)})
	}
	aptlyData(t, post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, map[string]any{"tenantId": tenant, "users": users}))
	var ids []string
	for i := from; i < from+n; i++ {
		u, ok := srv.FindAptlyUser(tenant, "u"+strconv.Itoa(i)+"@example.com")
		require.True(t, ok)
		ids = append(ids, u.ID)
	}
	return ids
}

func pageEmails(t *testing.T, data map[string]any) []string {
	t.Helper()
	var out []string
	for _, x := range data["data"].([]any) {
		out = append(out, x.(map[string]any)["email"].(string))
	}
	return out
}

func TestAptlyListUsersPaging(t *testing.T) {
	srv := newServer(t)
	aptlyInviteN(t, srv, tenantA, 0, 20)
	createUser(t, srv, map[string]any{"firstName": "Act", "lastName": "Ive", "tenantId": tenantB,
		"email": "active@example.com", "inviteViaEmail": false})
	srv.AddAptlyUser(tenantB, "seeded@example.com", "See", "Ded")
	aptlyInviteN(t, srv, tenantB, 20, 3)
	const total = 25

	first := aptlyList(t, srv, "")
	assert.ElementsMatch(t, []string{"page", "limit", "total", "data"}, keys(first))
	assert.EqualValues(t, 1, first["page"])
	assert.EqualValues(t, onboardtest.AptlyDefaultLimit, first["limit"])
	assert.EqualValues(t, total, first["total"])
	items := first["data"].([]any)
	require.Len(t, items, 10)
	want := loadExample(t, "aptly-user-create-response.json")["data"]
	assertSameShape(t, "data[0]", want, items[0])
	item := items[0].(map[string]any)
	assert.Equal(t, "10001", item["userId"])
	assert.Equal(t, "INVITED", item["status"], "bulk-invite feeds the list as invited")

	var all []string
	seq := 0
	for page := 1; page <= 4; page++ {
		data := aptlyList(t, srv, "?page="+strconv.Itoa(page)+"&limit=7")
		assert.EqualValues(t, page, data["page"])
		assert.EqualValues(t, 7, data["limit"])
		assert.EqualValues(t, total, data["total"], "total stays right on every page")
		for _, x := range data["data"].([]any) {
			seq++
			assert.Equal(t, strconv.Itoa(10000+seq), x.(map[string]any)["userId"], "oldest first")
		}
		all = append(all, pageEmails(t, data)...)
	}
	require.Len(t, all, total, "pages 1-4 of 7 hold every user once")
	assert.Equal(t, "active@example.com", all[20])
	assert.Equal(t, "seeded@example.com", all[21])

	beyond := aptlyList(t, srv, "?page=5&limit=7")
	assert.Equal(t, []any{}, beyond["data"], "a page past the end is empty")
	assert.EqualValues(t, total, beyond["total"])
	far := aptlyList(t, srv, "?page=2147483647&limit=100")
	assert.Equal(t, []any{}, far["data"])

	statuses := map[string]string{}
	for _, x := range aptlyList(t, srv, "?limit=100")["data"].([]any) {
		m := x.(map[string]any)
		statuses[m["email"].(string)] = m["status"].(string)
	}
	assert.Equal(t, "ACTIVE", statuses["active@example.com"])
	assert.Equal(t, "ACTIVE", statuses["seeded@example.com"])
	assert.Equal(t, "INVITED", statuses["u22@example.com"])
}

func TestAptlyListUsersRefusals(t *testing.T) {
	srv := newServer(t)
	url := srv.AptlyURL() + "/v1/user"
	for query, msg := range map[string]string{
		"?page=0":           "page must be an integer number not less than 1",
		"?page=x":           "page must be an integer number",
		"?limit=0":          "limit must be an integer number between 1 and 100",
		"?limit=101":        "limit must be an integer number between 1 and 100",
		"?limit=1.5":        "limit must be an integer number",
		"?pageSize=10":      "property pageSize should not exist",
		"?page=1&tenantId=": "property tenantId should not exist",
	} {
		assertAptlyError(t, send(t, http.MethodGet, url+query, aptlyOK, nil), http.StatusBadRequest, msg)
	}
	assertAptlyError(t, send(t, http.MethodGet, url, nil, nil), http.StatusUnauthorized, "Missing bearer token")
	assertAptlyError(t, send(t, http.MethodGet, url, aptlyAuth("nope"), nil), http.StatusUnauthorized, "Invalid or expired token")
	assertAptlyError(t, send(t, http.MethodGet, url, aptlyOK, `{"page":1}`), http.StatusBadRequest, "takes no request body")
	r := post(t, url, aptlyOK, `{}`)
	assertAptlyError(t, r, http.StatusMethodNotAllowed, "use GET")
	assert.Equal(t, "GET", r.Header.Get("Allow"))
}

func TestAptlyBulkResendInvite(t *testing.T) {
	srv := newServer(t)
	ids := aptlyInviteN(t, srv, tenantA, 0, 3)
	activeID := srv.AddAptlyUser(tenantA, "active@example.com", "A", "B")
	otherTenant := srv.AddAptlyInvite(tenantB, "elsewhere@example.com", "E", "W")
	require.NoError(t, srv.AcceptAptlyInvite(tenantA, "U2@example.com"))

	req := loadExample(t, "aptly-bulk-resend-invite-request.json")
	req["tenantId"] = tenantA
	req["userIds"] = []string{ids[0], activeID, ids[1], "c8009e3b-49f2-4efb-9171-92991fba6ad4", ids[2], otherTenant, ids[0]}
	r := post(t, srv.AptlyURL()+"/v1/user/bulk-resend-invite", aptlyOK, req)
	data := aptlyEnvelope(t, r, http.StatusCreated)
	assertSameShape(t, "", loadExample(t, "aptly-bulk-resend-invite-response.json"), r.JSON(t))

	assert.EqualValues(t, 7, data["total"])
	assert.EqualValues(t, 3, data["successful"])
	assert.EqualValues(t, 4, data["failed"])
	ok := map[string]any{"success": true, "message": "Invitation resent successfully"}
	with := func(m map[string]any, email string) map[string]any {
		out := map[string]any{"email": email}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	notInvited := map[string]any{"success": false, "message": "User is not in INVITED status"}
	notFound := map[string]any{"email": "", "success": false, "message": "User not found"}
	assert.Equal(t, []any{
		with(ok, "u0@example.com"),
		with(notInvited, "active@example.com"),
		with(ok, "u1@example.com"),
		notFound,
		with(notInvited, "u2@example.com"), // accepted: resend works only for pending invites
		notFound,                           // a user of another tenant
		with(ok, "u0@example.com"),
	}, data["results"])

	u0, _ := srv.FindAptlyUser(tenantA, "u0@example.com")
	assert.Equal(t, 2, u0.InviteResends)
	u2, _ := srv.FindAptlyUser(tenantA, "u2@example.com")
	assert.Zero(t, u2.InviteResends)
	assert.Equal(t, onboardtest.AptlyStatusActive, u2.Status)
}

func TestAptlyBulkResendInviteRefusals(t *testing.T) {
	srv := newServer(t)
	url := srv.AptlyURL() + "/v1/user/bulk-resend-invite"
	for body, msg := range map[string]string{
		`{"userIds":["` + tenantA + `"]}`:                              "tenantId should not be empty",
		`{"tenantId":"t","userIds":["` + tenantA + `"]}`:               "tenantId must be a UUID",
		`{"tenantId":"` + tenantA + `"}`:                               "userIds should not be empty",
		`{"tenantId":"` + tenantA + `","userIds":[]}`:                  "userIds should not be empty",
		`{"tenantId":"` + tenantA + `","userIds":["x"]}`:               "userIds[0] must be a UUID",
		`{"tenantId":"` + tenantA + `","userIds":"x"}`:                 "userIds must be",
		`{"tenantId":"` + tenantA + `","userIDs":["` + tenantA + `"]}`: "property userIDs should not exist",
	} {
		assertAptlyError(t, post(t, url, aptlyOK, body), http.StatusBadRequest, msg)
	}
	r, err := trySend(http.MethodPost, url, aptlyOK, "text/plain", `{}`)
	require.NoError(t, err)
	assertAptlyError(t, r, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
}

func TestAptlyBulkStatusUpdate(t *testing.T) {
	srv := newServer(t)
	ids := aptlyInviteN(t, srv, tenantA, 0, 2)
	idB := srv.AddAptlyUser(tenantB, "b@example.com", "B", "B")
	url := srv.AptlyURL() + "/v1/user/bulk-status-update"

	req := loadExample(t, "aptly-bulk-status-update-request.json")
	req["userIds"] = []string{ids[0], idB, "82df4321-1518-4788-b213-806d73796555"}
	req["status"] = "INACTIVE"
	r := send(t, http.MethodPatch, url, aptlyOK, req)
	data := aptlyEnvelope(t, r, http.StatusOK)
	assertSameShape(t, "", loadExample(t, "aptly-bulk-status-update-response.json"), r.JSON(t))
	assert.Equal(t, map[string]any{"total": 3.0, "successful": 2.0, "failed": 1.0}, data)

	u0, _ := srv.FindAptlyUser(tenantA, "u0@example.com")
	assert.Equal(t, onboardtest.AptlyStatusInactive, u0.Status, "any tenant: the body has no tenantId")
	b, _ := srv.FindAptlyUser(tenantB, "b@example.com")
	assert.Equal(t, onboardtest.AptlyStatusInactive, b.Status)
	statuses := map[string]any{}
	for _, x := range aptlyList(t, srv, "")["data"].([]any) {
		statuses[x.(map[string]any)["email"].(string)] = x.(map[string]any)["status"]
	}
	assert.Equal(t, map[string]any{"u0@example.com": "INACTIVE", "u1@example.com": "INVITED", "b@example.com": "INACTIVE"}, statuses)

	// DELETED is a status: the user stays listed.
	data = aptlyEnvelope(t, send(t, http.MethodPatch, url, aptlyOK, map[string]any{"userIds": []string{ids[1]}, "status": "DELETED"}), http.StatusOK)
	assert.EqualValues(t, 1, data["successful"])
	assert.EqualValues(t, 3, aptlyList(t, srv, "")["total"])

	// Back to INVITED: resend works again.
	aptlyEnvelope(t, send(t, http.MethodPatch, url, aptlyOK, map[string]any{"userIds": []string{ids[0]}, "status": "INVITED"}), http.StatusOK)
	res := aptlyEnvelope(t, post(t, srv.AptlyURL()+"/v1/user/bulk-resend-invite", aptlyOK,
		map[string]any{"tenantId": tenantA, "userIds": []string{ids[0]}}), http.StatusCreated)
	assert.EqualValues(t, 1, res["successful"])

	for body, msg := range map[string]string{
		`{"status":"ACTIVE"}`:                                                           "userIds should not be empty",
		`{"userIds":["` + ids[0] + `"]}`:                                                "status should not be empty",
		`{"userIds":["` + ids[0] + `"],"status":"active"}`:                              "status must be one of the following values: ACTIVE, INACTIVE, INVITED, DELETED",
		`{"userIds":["nope"],"status":"ACTIVE"}`:                                        "userIds[0] must be a UUID",
		`{"userIds":["` + ids[0] + `"],"status":"ACTIVE","tenantId":"` + tenantA + `"}`: "property tenantId should not exist",
	} {
		assertAptlyError(t, send(t, http.MethodPatch, url, aptlyOK, body), http.StatusBadRequest, msg)
	}
	assertAptlyError(t, post(t, url, aptlyOK, `{}`), http.StatusMethodNotAllowed, "use PATCH")
}

func TestAptlyBulkDelete(t *testing.T) {
	srv := newServer(t)
	ids := aptlyInviteN(t, srv, tenantA, 0, 4)
	idB := srv.AddAptlyUser(tenantB, "b@example.com", "B", "B")
	url := srv.AptlyURL() + "/v1/user/bulk-delete"

	req := loadExample(t, "aptly-bulk-delete-request.json")
	req["userIds"] = []string{ids[1], idB, ids[1], "b1ebc0cf-0170-47ca-8fd3-3859fbd6bfa2", ids[3]}
	r := send(t, http.MethodDelete, url, aptlyOK, req)
	data := aptlyEnvelope(t, r, http.StatusOK)
	assertSameShape(t, "", loadExample(t, "aptly-bulk-delete-response.json"), r.JSON(t))
	assert.Equal(t, map[string]any{"deletedCount": 3.0}, data, "a repeated or unknown id deletes nothing")

	assert.Equal(t, []string{"u0@example.com", "u2@example.com"}, pageEmails(t, aptlyList(t, srv, "")))
	assert.EqualValues(t, 2, aptlyList(t, srv, "")["total"])
	assert.Equal(t, 2, srv.AptlyUserCount(tenantA))
	assert.Zero(t, srv.AptlyUserCount(tenantB))
	_, found := srv.FindAptlyUser(tenantA, "u1@example.com")
	assert.False(t, found)

	// A deleted user is gone everywhere: update-entities 404s, resend
	// finds nobody, and the email can be invited again.
	assertAptlyError(t, send(t, http.MethodPatch, srv.AptlyURL()+"/v1/user/update-entities/"+ids[1], aptlyOK, `{"firstName":"X"}`),
		http.StatusNotFound, "User not found")
	again := aptlyInviteN(t, srv, tenantA, 1, 1)
	assert.NotEqual(t, ids[1], again[0])
	data = aptlyEnvelope(t, send(t, http.MethodDelete, url, aptlyOK, map[string]any{"userIds": []string{ids[1]}}), http.StatusOK)
	assert.EqualValues(t, 0, data["deletedCount"])

	for body, msg := range map[string]string{
		`{}`:                "userIds should not be empty",
		`{"userIds":[]}`:    "userIds should not be empty",
		`{"userIds":["x"]}`: "userIds[0] must be a UUID",
		`{"userIds":["` + ids[0] + `"],"tenantId":"` + tenantA + `"}`: "property tenantId should not exist",
	} {
		assertAptlyError(t, send(t, http.MethodDelete, url, aptlyOK, body), http.StatusBadRequest, msg)
	}
	assertAptlyError(t, send(t, http.MethodDelete, url, aptlyOK, ""), http.StatusBadRequest, "request body is empty")
	assert.Equal(t, 3, srv.AptlyUserCount(tenantA), "refused requests delete nothing")
}

func TestAptlyUpdateEntitiesDocumentedExample(t *testing.T) {
	srv := newServer(t)
	mgr := srv.AddAptlyUser(tenantA, "boss@example.com", "Big", "Boss")
	id := srv.AddAptlyInvite(tenantA, "old@example.com", "Old", "Name")

	req := loadExample(t, "aptly-update-entities-request.json")
	req["tenantId"] = tenantA
	req["managerId"] = mgr
	r := send(t, http.MethodPatch, srv.AptlyURL()+"/v1/user/update-entities/"+id, aptlyOK, req)
	data := aptlyEnvelope(t, r, http.StatusOK)

	// The 2026 render's prefix of the answer, field for field.
	for _, k := range []string{"id", "userId", "loginId", "descopeUserId", "activeTenantId", "email", "name", "displayName",
		"isSAML", "mobilePhone", "firstName", "lastName", "profileImageUrl", "currencyName", "currencyCode", "accountType",
		"autoProvisioned", "employeeId", "employeeNumber", "employeeType", "employmentType", "userType", "sourceId",
		"actorType", "aiAgentType", "startDate", "terminationDate", "customAttributes", "searchData", "managerSync", "manager"} {
		assert.Contains(t, data, k)
	}
	assert.Equal(t, id, data["id"])
	assert.Equal(t, "Carey68@hotmail.com", data["email"])
	assert.Equal(t, "Carey68@hotmail.com", data["loginId"])
	assert.Equal(t, "Eula Cummerata", data["name"])
	assert.Equal(t, "Carroll Osinski", data["displayName"])
	assert.Equal(t, "Ora", data["firstName"])
	assert.Equal(t, "Spinka", data["lastName"])
	assert.Equal(t, "k", data["accountType"])
	assert.Equal(t, "X", data["userType"])
	assert.Equal(t, "O", data["employeeId"])
	assert.Equal(t, "p", data["employeeNumber"])
	assert.Equal(t, "NRluvYCyZe", data["employeeType"])
	assert.Equal(t, "NMlYVixcbD", data["employmentType"])
	assert.Equal(t, "+1 (555) 123-4567", data["mobilePhone"])
	assert.Equal(t, "https://picsum.photos/seed/jGHXAfjJ7/3232/1932", data["profileImageUrl"])
	assert.Equal(t, "USD", data["currencyCode"])
	assert.Equal(t, "US Dollars", data["currencyName"])
	assert.Equal(t, "ACTIVE", data["status"])
	assert.Equal(t, "2nFu2AI5LqVDHijIv3fR", data["sourceId"])
	assert.Equal(t, "2025-10-14T14:16:32.154Z", data["startDate"])
	assert.Equal(t, map[string]any{"department": "Engineering", "level": "Senior"}, data["customAttributes"])
	assert.Equal(t, mgr, data["manager"].(map[string]any)["id"])
	assert.Len(t, data["userRoles"], 2)
	assert.Len(t, data["userPositions"], 2)
	assert.Len(t, data["userGroups"], 1)

	stored, ok := srv.FindAptlyUser(tenantA, "carey68@hotmail.com")
	require.True(t, ok, "the new email is the user's key")
	assert.Equal(t, onboardtest.AptlyStatusActive, stored.Status)
	_, ok = srv.FindAptlyUser(tenantA, "old@example.com")
	assert.False(t, ok)

	// The list shows the update.
	listed := aptlyList(t, srv, "")["data"].([]any)[1].(map[string]any)
	assert.Equal(t, data, listed)
}

func TestAptlyUpdateEntitiesIsAPatch(t *testing.T) {
	srv := newServer(t)
	id := createUser(t, srv, map[string]any{"firstName": "Ada", "lastName": "Lovelace", "tenantId": tenantA,
		"email": "ada@example.com", "mobilePhone": "+44 20 7946 0000", "roleIds": []string{site1}})["id"].(string)
	url := srv.AptlyURL() + "/v1/user/update-entities/" + id

	data := aptlyEnvelope(t, send(t, http.MethodPatch, url, aptlyOK, `{"lastName":"King","roleIds":null}`), http.StatusOK)
	assert.Equal(t, "Ada", data["firstName"], "absent fields are unchanged")
	assert.Equal(t, "King", data["lastName"])
	assert.Equal(t, "Ada King", data["name"])
	assert.Equal(t, "+44 20 7946 0000", data["mobilePhone"])
	assert.Len(t, data["userRoles"], 1, "null leaves a field unchanged")
	assert.Equal(t, "INVITED", data["status"])
	assert.NotContains(t, data, "displayName", "a 2026 field appears only once set")

	data = aptlyEnvelope(t, send(t, http.MethodPatch, url, aptlyOK, `{"roleIds":[],"groups":[{"groupId":"`+group1+`"}]}`), http.StatusOK)
	assert.Equal(t, []any{}, data["userRoles"], "arrays replace")
	assert.Len(t, data["userGroups"], 1)
}

func TestAptlyUpdateEntitiesRefusals(t *testing.T) {
	srv := newServer(t)
	id := srv.AddAptlyUser(tenantA, "ada@example.com", "Ada", "Lovelace")
	srv.AddAptlyUser(tenantA, "taken@example.com", "T", "T")
	other := srv.AddAptlyUser(tenantB, "other@example.com", "O", "O")
	url := srv.AptlyURL() + "/v1/user/update-entities/"
	long := func(n int) string { return strings.Repeat("é", n) }

	for body, msg := range map[string]string{
		`{"lastName":"` + long(21) + `"}`:        "lastName must be shorter than or equal to 20 characters",
		`{"firstName":"` + long(51) + `"}`:       "firstName must be shorter than or equal to 50 characters",
		`{"name":"` + long(51) + `"}`:            "name must be shorter than or equal to 50 characters",
		`{"displayName":"` + long(51) + `"}`:     "displayName must be shorter than or equal to 50 characters",
		`{"accountType":"` + long(21) + `"}`:     "accountType must be shorter than or equal to 20 characters",
		`{"userType":"` + long(21) + `"}`:        "userType must be shorter than or equal to 20 characters",
		`{"employeeType":"` + long(21) + `"}`:    "employeeType must be shorter than or equal to 20 characters",
		`{"employmentType":"` + long(21) + `"}`:  "employmentType must be shorter than or equal to 20 characters",
		`{"profileImageUrl":"` + long(51) + `"}`: "profileImageUrl must be shorter than or equal to 50 characters",
		`{"sourceId":"` + long(101) + `"}`:       "sourceId must be shorter than or equal to 100 characters",
		`{"actorType":"` + long(51) + `"}`:       "actorType must be shorter than or equal to 50 characters",
		`{"aiAgentType":"` + long(51) + `"}`:     "aiAgentType must be shorter than or equal to 50 characters",
		`{"mobilePhone":"call me"}`:              `mobilePhone must match /^[+()0-9.\s-]{7,25}$/ regular expression`,
		`{"mobilePhone":"123456"}`:               "mobilePhone must match",
		`{"status":"GONE"}`:                      "status must be one of the following values",
		`{"email":"nope"}`:                       "email must be an email",
		`{"firstName":" "}`:                      "firstName should not be empty",
		`{"tenantId":"x"}`:                       "tenantId must be a UUID",
		`{"managerId":"x"}`:                      "managerId must be a UUID",
		`{"roleIds":["x"]}`:                      "roleIds[0] must be a UUID",
		`{"startDate":"soon"}`:                   "startDate must be a valid ISO 8601 date string",
		`{"terminationDate":"later"}`:            "terminationDate must be a valid ISO 8601 date string",
		`{"nickName":"x"}`:                       "property nickName should not exist",
		`{"LastName":"x"}`:                       "property LastName should not exist",
	} {
		assertAptlyError(t, send(t, http.MethodPatch, url+id, aptlyOK, body), http.StatusBadRequest, msg)
	}
	// The limits are inclusive.
	aptlyEnvelope(t, send(t, http.MethodPatch, url+id, aptlyOK,
		`{"lastName":"`+long(20)+`","mobilePhone":"+1 (555) 123-4567890123"}`), http.StatusOK)

	assertAptlyError(t, send(t, http.MethodPatch, url+"nope", aptlyOK, `{}`), http.StatusBadRequest, "id must be a UUID")
	assertAptlyError(t, send(t, http.MethodPatch, url+tenantA, aptlyOK, `{}`), http.StatusNotFound, "User not found")
	assertAptlyError(t, send(t, http.MethodPatch, url+id, aptlyOK, `{"tenantId":"`+tenantB+`"}`), http.StatusNotFound, "User not found")
	assertAptlyError(t, send(t, http.MethodPatch, url+id, aptlyOK, `{"email":"TAKEN@example.com"}`), http.StatusConflict, "Email already exists")
	assertAptlyError(t, send(t, http.MethodPatch, url+id, aptlyOK, `{"managerId":"`+other+`"}`), http.StatusNotFound, "Manager not found")
	assertAptlyError(t, send(t, http.MethodPut, url+id, aptlyOK, `{}`), http.StatusMethodNotAllowed, "use PATCH")
	assertAptlyError(t, send(t, http.MethodPatch, url, aptlyOK, `{}`), http.StatusNotFound, "Cannot PATCH")
	assertAptlyError(t, send(t, http.MethodPatch, url+id+"/x", aptlyOK, `{}`), http.StatusNotFound, "Cannot PATCH")

	u, _ := srv.FindAptlyUser(tenantA, "ada@example.com")
	assert.Equal(t, strings.Repeat("é", 20), u.LastName, "only the update within the limits went through")
}

func TestAcceptAptlyInvite(t *testing.T) {
	srv := newServer(t)
	srv.AddAptlyInvite(tenantA, "inv@example.com", "I", "V")
	assert.Equal(t, srv.AddAptlyInvite(tenantA, "INV@example.com", "x", "y"), srv.AddAptlyInvite(tenantA, "inv@example.com", "", ""))
	srv.AddAptlyUser(tenantA, "act@example.com", "A", "C")

	require.NoError(t, srv.AcceptAptlyInvite(tenantA, "Inv@Example.com"))
	u, _ := srv.FindAptlyUser(tenantA, "inv@example.com")
	assert.Equal(t, onboardtest.AptlyStatusActive, u.Status)
	assert.ErrorContains(t, srv.AcceptAptlyInvite(tenantA, "inv@example.com"), "ACTIVE, not INVITED")
	assert.ErrorContains(t, srv.AcceptAptlyInvite(tenantA, "act@example.com"), "not INVITED")
	assert.ErrorContains(t, srv.AcceptAptlyInvite(tenantA, "nobody@example.com"), "no user")
	assert.ErrorContains(t, srv.AcceptAptlyInvite(tenantB, "inv@example.com"), "no user")
	assert.Equal(t, 2, srv.AptlyUserCount(tenantA))
}
