package onboardtest_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// aptlyData checks Aptly's success envelope (HTTP 201, "statusCode": 200)
// and returns its data.
func aptlyData(t *testing.T, r *response) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.ElementsMatch(t, []string{"statusCode", "timestamp", "message", "data"}, keys(m))
	assert.EqualValues(t, 200, m["statusCode"])
	assert.Equal(t, "Success", m["message"])
	assert.Regexp(t, msTimestamp, m["timestamp"])
	data, ok := m["data"].(map[string]any)
	require.True(t, ok, "data must be an object: %s", r.Body)
	return data
}

func createUser(t *testing.T, srv *onboardtest.Server, body map[string]any) map[string]any {
	t.Helper()
	return aptlyData(t, post(t, srv.AptlyURL()+"/v1/user/create", aptlyOK, body))
}

func TestAptlyCreateUserDocumentedExample(t *testing.T) {
	srv := newServer(t)
	tenant := "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"

	// A manager chain so that the manager object is filled in completely:
	// boss <- manager <- the documented request.
	bossID := srv.AddAptlyUser(tenant, "boss@example.com", "Fannie", "Lueilwitz")
	mgr := createUser(t, srv, map[string]any{
		"firstName": "Elian", "lastName": "Reinger", "tenantId": tenant,
		"email": "elian@example.com", "mobilePhone": "859-503-6233",
		"managerId":   bossID,
		"positionIds": []string{"54256ae5-3c62-4447-adf8-3e3cc6612a99"},
		"groups":      []map[string]any{{"groupId": "3cad0e27-f8f0-4a96-9bbb-1fae4f9fb04f", "isPrimaryOrg": true}},
	})

	req := loadExample(t, "aptly-user-create-request.json")
	req["email"] = "jamar.johnston@example.com" // the document's address is obfuscated
	req["managerId"] = mgr["id"]
	data := createUser(t, srv, req)

	want := loadExample(t, "aptly-user-create-response.json")
	assertSameShape(t, "data", want["data"], data)

	assert.Regexp(t, uuidRE, data["id"])
	assert.Equal(t, "10003", data["userId"], "sequential after the seeded boss (10001) and the manager (10002)")
	assert.Equal(t, "jamar.johnston@example.com", data["loginId"])
	assert.Equal(t, "jamar.johnston@example.com", data["email"])
	assert.Len(t, data["descopeUserId"], 32)
	assert.Equal(t, tenant, data["activeTenantId"])
	assert.Equal(t, "Jamar Johnston", data["name"])
	assert.Equal(t, "Jamar", data["firstName"])
	assert.Equal(t, "Johnston", data["lastName"])
	assert.Equal(t, "+1 (555) 123-4567", data["mobilePhone"])
	assert.Equal(t, "INVITED", data["status"], "inviteViaEmail is true in the example")
	assert.Regexp(t, msTimestamp, data["createdOn"])
	assert.Len(t, data["dashboardData"], 4)

	roles := data["userRoles"].([]any)
	require.Len(t, roles, 1)
	assert.Equal(t, "5d1f5b46-4665-4598-8fb5-4c93cebf07be", roles[0].(map[string]any)["tenantRoleId"])
	positions := data["userPositions"].([]any)
	require.Len(t, positions, 1)
	assert.Equal(t, "45f70e88-9046-46ea-9735-85b9434e916d", positions[0].(map[string]any)["positionsId"])
	assert.Equal(t, data["id"], positions[0].(map[string]any)["userId"])
	groups := data["userGroups"].([]any)
	require.Len(t, groups, 1)
	assert.Equal(t, "953061c2-c35d-4c11-be4c-6e1124c6eeec", groups[0].(map[string]any)["groupId"])
	assert.Equal(t, true, groups[0].(map[string]any)["isPrimaryOrg"])

	m := data["manager"].(map[string]any)
	assert.Equal(t, mgr["id"], m["id"])
	assert.Equal(t, "Elian Reinger", m["name"])
	assert.Equal(t, "Fannie Lueilwitz", m["managerName"])
	assert.NotNil(t, m["primaryOrganization"])
	assert.Len(t, m["userPositions"], 1)

	stored, ok := srv.FindAptlyUser(tenant, "JAMAR.JOHNSTON@example.com")
	require.True(t, ok)
	assert.Equal(t, data["id"], stored.ID)
	assert.Equal(t, mgr["id"], stored.ManagerID)
	assert.Equal(t, onboardtest.AptlyStatusInvited, stored.Status)
	assert.Equal(t, []onboardtest.AptlyGroup{{GroupID: "953061c2-c35d-4c11-be4c-6e1124c6eeec", IsPrimaryOrg: true}}, stored.Groups)
	assert.Equal(t, 3, srv.AptlyUserCount(tenant))
}

func TestAptlyCreateUserStatusAndMinimalBody(t *testing.T) {
	srv := newServer(t)
	base := func(email string) map[string]any {
		return map[string]any{"firstName": "Ada", "lastName": "Lovelace", "tenantId": tenantA, "email": email}
	}
	absent := createUser(t, srv, base("a1@example.com"))
	assert.Equal(t, "INVITED", absent["status"], "inviteViaEmail absent")
	assert.Nil(t, absent["manager"])
	assert.Nil(t, absent["mobilePhone"])
	assert.Equal(t, []any{}, absent["userRoles"])

	b := base("a2@example.com")
	b["inviteViaEmail"] = false
	assert.Equal(t, "ACTIVE", createUser(t, srv, b)["status"])

	b = base("a3@example.com")
	b["inviteViaEmail"] = true
	assert.Equal(t, "INVITED", createUser(t, srv, b)["status"])

	users := srv.AptlyUsers(tenantA)
	require.Len(t, users, 3)
	assert.Equal(t, []string{"a1@example.com", "a2@example.com", "a3@example.com"},
		[]string{users[0].Email, users[1].Email, users[2].Email})
}

func TestAptlyCreateUserValidation(t *testing.T) {
	srv := newServer(t)
	valid := func() map[string]any {
		return map[string]any{
			"firstName": "Ada", "lastName": "Lovelace", "tenantId": tenantA, "email": "ada@example.com",
			"roleIds": []string{site1}, "groups": []map[string]any{{"groupId": group1}},
			"positionIds": []string{site2},
		}
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"missing firstName", func(m map[string]any) { delete(m, "firstName") }, "firstName should not be empty"},
		{"blank lastName", func(m map[string]any) { m["lastName"] = "  " }, "lastName should not be empty"},
		{"missing tenantId", func(m map[string]any) { delete(m, "tenantId") }, "tenantId should not be empty"},
		{"tenantId not uuid", func(m map[string]any) { m["tenantId"] = "tenant-1" }, "tenantId must be a UUID"},
		{"missing email", func(m map[string]any) { delete(m, "email") }, "email should not be empty"},
		{"invalid email", func(m map[string]any) { m["email"] = "not-an-email" }, "email must be an email"},
		{"roleIds item", func(m map[string]any) { m["roleIds"] = []string{site1, "x"} }, "roleIds[1] must be a UUID"},
		{"groupId", func(m map[string]any) { m["groups"] = []map[string]any{{"groupId": "g"}} }, "groups[0].groupId must be a UUID"},
		{"managerId", func(m map[string]any) { m["managerId"] = "boss" }, "managerId must be a UUID"},
		{"positionIds item", func(m map[string]any) { m["positionIds"] = []string{"p"} }, "positionIds[0] must be a UUID"},
		{"unknown field", func(m map[string]any) { m["nickname"] = "x" }, "property nickname should not exist"},
		{"unknown nested field", func(m map[string]any) {
			m["groups"] = []map[string]any{{"groupId": group1, "primary": true}}
		}, "property groups[0].primary should not exist"},
		{"wrong type", func(m map[string]any) { m["inviteViaEmail"] = "yes" }, "inviteViaEmail must be a boolean"},
		{"name in other case", func(m map[string]any) { m["tenantID"] = m["tenantId"]; delete(m, "tenantId") }, "property tenantID should not exist"},
		{"nested name in other case", func(m map[string]any) {
			m["groups"] = []map[string]any{{"groupId": group1, "IsPrimaryOrg": true}}
		}, "property groups[0].IsPrimaryOrg should not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := valid()
			tc.edit(body)
			r := post(t, srv.AptlyURL()+"/v1/user/create", aptlyOK, body)
			assertAptlyError(t, r, http.StatusBadRequest, tc.field)
		})
	}
	assert.Zero(t, srv.AptlyUserCount(tenantA), "no invalid request may create a user")
}

func TestAptlyCreateUserConflictsAndManager(t *testing.T) {
	srv := newServer(t)
	url := srv.AptlyURL() + "/v1/user/create"
	body := map[string]any{"firstName": "Ada", "lastName": "Lovelace", "tenantId": tenantA, "email": "ada@example.com"}
	createUser(t, srv, body)

	body["email"] = "ADA@example.com"
	assertAptlyError(t, post(t, url, aptlyOK, body), http.StatusConflict, "Email already exists")

	body["tenantId"] = tenantB // same email, other tenant: fine
	createUser(t, srv, body)

	otherTenantBoss := srv.AddAptlyUser(tenantB, "boss@example.com", "B", "Oss")
	body = map[string]any{"firstName": "C", "lastName": "D", "tenantId": tenantA, "email": "cd@example.com",
		"managerId": "517779ff-e242-40a2-8d27-bc2bd5eb3b1c"}
	assertAptlyError(t, post(t, url, aptlyOK, body), http.StatusNotFound, "Manager not found")
	body["managerId"] = otherTenantBoss
	assertAptlyError(t, post(t, url, aptlyOK, body), http.StatusNotFound, "Manager not found")
	assert.Equal(t, 1, srv.AptlyUserCount(tenantA))
}

func TestAptlyAuth(t *testing.T) {
	srv := newServer(t)
	body := map[string]any{"tenantId": tenantA, "users": []map[string]any{{"email": "a@example.com"}}}
	for _, path := range []string{"/v1/user/create", "/v1/user/bulk-invite"} {
		for name, a := range map[string]auth{
			"missing":      nil,
			"wrong token":  aptlyAuth("nope"),
			"wrong scheme": {"Authorization": "Basic " + onboardtest.AptlyToken},
		} {
			t.Run(path+"/"+name, func(t *testing.T) {
				r := post(t, srv.AptlyURL()+path, a, body)
				assertAptlyError(t, r, http.StatusUnauthorized, "")
				assert.Equal(t, "Bearer", r.Header.Get("WWW-Authenticate"))
			})
		}
	}
	assert.Zero(t, srv.AptlyUserCount(tenantA))

	custom := newServer(t, onboardtest.WithAptlyToken("custom"))
	assert.Equal(t, http.StatusUnauthorized, post(t, custom.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, body).Status)
	assert.Equal(t, http.StatusCreated, post(t, custom.AptlyURL()+"/v1/user/bulk-invite", aptlyAuth("custom"), body).Status)
}

func TestAptlyBulkInviteDocumentedExample(t *testing.T) {
	srv := newServer(t)
	req := loadExample(t, "aptly-bulk-invite-request.json")
	documented := req["users"].([]any)[0].(map[string]any)

	// Five people: the documented one, a copy with an invalid address, one
	// already created, the documented one again in other letter case, and a
	// plain new one.
	srv.AddAptlyUser(tenantA, "existing@example.com", "Ex", "Isting")
	clone := func(email string) map[string]any {
		m := map[string]any{}
		for k, v := range documented {
			m[k] = v
		}
		m["email"] = email
		return m
	}
	req["users"] = []any{
		documented,
		clone("not an email"),
		clone("existing@example.com"),
		clone("ollie.kling@YAHOO.com"),
		map[string]any{"email": "new@example.com"},
	}
	data := aptlyData(t, post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, req))
	want := loadExample(t, "aptly-bulk-invite-response.json")
	assertSameShape(t, "data", want["data"], data)

	assert.EqualValues(t, 5, data["total"])
	assert.EqualValues(t, 2, data["successful"])
	assert.EqualValues(t, 3, data["failed"])
	type res struct {
		email, message string
		success        bool
	}
	var got []res
	for _, r := range data["results"].([]any) {
		m := r.(map[string]any)
		got = append(got, res{m["email"].(string), m["message"].(string), m["success"].(bool)})
	}
	assert.Equal(t, []res{
		{"Ollie.Kling@yahoo.com", "User invited successfully", true},
		{"not an email", "Invalid email", false},
		{"existing@example.com", "Email already exists", false},
		{"ollie.kling@YAHOO.com", "Email already exists", false},
		{"new@example.com", "User invited successfully", true},
	}, got)

	u, ok := srv.FindAptlyUser(tenantA, "ollie.kling@yahoo.com")
	require.True(t, ok)
	assert.Equal(t, onboardtest.AptlyStatusInvited, u.Status)
	assert.Equal(t, "Tyler Christiansen", u.DisplayName)
	assert.Equal(t, "39c0Fq0iVi", u.EmployeeID)
	assert.Equal(t, "517779ff-e242-40a2-8d27-bc2bd5eb3b1c", u.ManagerID)
	assert.Equal(t, 3, srv.AptlyUserCount(tenantA))

	// An invited user blocks a later create of the same address.
	r := post(t, srv.AptlyURL()+"/v1/user/create", aptlyOK, map[string]any{
		"firstName": "N", "lastName": "Ew", "tenantId": tenantA, "email": "new@example.com"})
	assertAptlyError(t, r, http.StatusConflict, "Email already exists")
}

func TestAptlyBulkInviteValidation(t *testing.T) {
	srv := newServer(t)
	url := srv.AptlyURL() + "/v1/user/bulk-invite"
	user := map[string]any{"email": "a@example.com"}
	cases := []struct {
		name string
		body any
		msg  string
	}{
		{"missing tenantId", map[string]any{"users": []any{user}}, "tenantId should not be empty"},
		{"bad tenantId", map[string]any{"tenantId": "t1", "users": []any{user}}, "tenantId must be a UUID"},
		{"missing users", map[string]any{"tenantId": tenantA}, "users should not be empty"},
		{"empty users", map[string]any{"tenantId": tenantA, "users": []any{}}, "users should not be empty"},
		{"item roleIds", map[string]any{"tenantId": tenantA, "users": []any{user, map[string]any{"email": "b@example.com", "roleIds": []string{"r"}}}}, "users[1].roleIds[0] must be a UUID"},
		{"item startDate", map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": "b@example.com", "startDate": "soon"}}}, "users[0].startDate must be a valid ISO 8601 date string"},
		{"item unknown field", map[string]any{"tenantId": tenantA, "users": []any{user, map[string]any{"email": "b@example.com", "nickName": "b"}}}, "property users[1].nickName should not exist"},
		{"item wrong type", map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": 7}}}, "users[0].email must be a string"},
		{"top-level unknown field", map[string]any{"tenantId": tenantA, "users": []any{user}, "sendEmail": true}, "property sendEmail should not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertAptlyError(t, post(t, url, aptlyOK, tc.body), http.StatusBadRequest, tc.msg)
		})
	}
	assert.Zero(t, srv.AptlyUserCount(tenantA))
}

func TestAptlyAccessKeyExchange(t *testing.T) {
	srv := newServer(t)
	exchange := srv.AptlyURL() + "/v1/tenants/access-key/exchange"
	bulk := srv.AptlyURL() + "/v1/user/bulk-invite"
	body := map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": "a@example.com"}}}

	assertAptlyError(t, post(t, exchange, nil, map[string]string{"accessKey": "wrong"}), http.StatusUnauthorized, "Invalid access key")
	assertAptlyError(t, post(t, exchange, nil, map[string]string{}), http.StatusBadRequest, "accessKey should not be empty")
	assertAptlyError(t, post(t, exchange, nil, map[string]string{"accessKey": "k", "secret": "s"}), http.StatusBadRequest, "property secret should not exist")

	data := aptlyData(t, post(t, exchange, nil, map[string]string{"accessKey": onboardtest.AptlyAccessKey}))
	assert.Equal(t, []string{"token"}, keys(data))
	tok, _ := data["token"].(string)
	require.NotEmpty(t, tok)
	assert.NotEqual(t, onboardtest.AptlyToken, tok)

	assert.Equal(t, http.StatusCreated, post(t, bulk, aptlyAuth(tok), body).Status)

	srv.ExpireAptlyTokens()
	assertAptlyError(t, post(t, bulk, aptlyAuth(tok), body), http.StatusUnauthorized, "")
	assert.Equal(t, http.StatusCreated, post(t, bulk, aptlyOK, body).Status, "the configured token survives")

	custom := newServer(t, onboardtest.WithAptlyAccessKey("mine"))
	assert.Equal(t, http.StatusUnauthorized, post(t, custom.AptlyURL()+"/v1/tenants/access-key/exchange", nil, map[string]string{"accessKey": onboardtest.AptlyAccessKey}).Status)
	assert.Equal(t, http.StatusCreated, post(t, custom.AptlyURL()+"/v1/tenants/access-key/exchange", nil, map[string]string{"accessKey": "mine"}).Status)
}

func TestAptlyUserIDsAreSequential(t *testing.T) {
	srv := newServer(t)
	var users []any
	for i := range 5 {
		users = append(users, map[string]any{"email": "u" + strconv.Itoa(i) + "@example.com"})
	}
	aptlyData(t, post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, map[string]any{"tenantId": tenantA, "users": users}))
	for i, u := range srv.AptlyUsers(tenantA) {
		assert.Equal(t, strconv.Itoa(10001+i), u.UserID)
		assert.Regexp(t, uuidRE, u.ID)
	}
}
