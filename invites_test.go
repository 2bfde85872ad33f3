package onboard_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// seedBulkInviteRequest is the bulk-invite request of Aptly's document.
func seedBulkInviteRequest(t *testing.T) *onboard.AptlyBulkInviteRequest {
	return &onboard.AptlyBulkInviteRequest{
		TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b",
		Users: []onboard.AptlyInvitee{{
			Email:            "Ollie.Kling@yahoo.com",
			FirstName:        "Rowan",
			LastName:         "Kihn",
			DisplayName:      "Tyler Christiansen",
			MobilePhone:      "+1 (555) 123-4567",
			RoleIDs:          []string{"476412b3-b02e-42be-acb8-8fc2b846d16f"},
			Groups:           []onboard.AptlyGroupAssignment{{GroupID: "1b73b9b9-1ba6-4a3a-8b69-62be5bdba90f", IsPrimaryOrg: onboard.Ptr(true)}},
			ManagerID:        "517779ff-e242-40a2-8d27-bc2bd5eb3b1c",
			PositionIDs:      []string{"4d7ba117-6706-4518-be4b-6df1b16eb655"},
			EmployeeID:       "39c0Fq0iVi",
			EmployeeNumber:   "i731WPuGeA",
			EmployeeType:     "Full-time",
			EmploymentType:   "Permanent",
			SourceID:         "tsXqD3vLNgFgLBwUPC4q",
			ActorType:        "OefUITzURw",
			AIAgentType:      "GMWanEoiouGxZps",
			StartDate:        ts(t, "2025-04-19T23:48:44.300Z"),
			TerminationDate:  ts(t, "2026-07-25T15:03:13.226Z"),
			CustomAttributes: map[string]string{"department": "Engineering", "level": "Senior"},
		}},
	}
}

// seedBulkInviteBody is the document's request body as Go sends it: times
// in RFC 3339 without trailing zeros (".3Z" for ".300Z", the same instant),
// and no "existingUser" when none is given.
const seedBulkInviteBody = `{
  "tenantId": "887fd99a-e3ab-44ac-8253-31f269599f2b",
  "users": [{
    "email": "Ollie.Kling@yahoo.com",
    "firstName": "Rowan",
    "lastName": "Kihn",
    "displayName": "Tyler Christiansen",
    "mobilePhone": "+1 (555) 123-4567",
    "roleIds": ["476412b3-b02e-42be-acb8-8fc2b846d16f"],
    "groups": [{"groupId": "1b73b9b9-1ba6-4a3a-8b69-62be5bdba90f", "isPrimaryOrg": true}],
    "managerId": "517779ff-e242-40a2-8d27-bc2bd5eb3b1c",
    "positionIds": ["4d7ba117-6706-4518-be4b-6df1b16eb655"],
    "employeeId": "39c0Fq0iVi",
    "employeeNumber": "i731WPuGeA",
    "employeeType": "Full-time",
    "employmentType": "Permanent",
    "sourceId": "tsXqD3vLNgFgLBwUPC4q",
    "actorType": "OefUITzURw",
    "aiAgentType": "GMWanEoiouGxZps",
    "startDate": "2025-04-19T23:48:44.3Z",
    "terminationDate": "2026-07-25T15:03:13.226Z",
    "customAttributes": {"department": "Engineering", "level": "Senior"}
  }]
}`

func TestInvitesSendBulk(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	// As the document says: HTTP 201, envelope statusCode 200.
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docAptlyBulkInvite)
	})

	var meta onboard.Response
	res, err := c.Invites.SendBulk(testCtx(t), seedBulkInviteRequest(t), onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/auth/v1/user/bulk-invite", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, seedBulkInviteBody, string(r.Body))

	assert.Equal(t, &onboard.AptlyBulkInviteResult{
		Total: 10, SuccessfulCount: 8, FailedCount: 2,
		Results: []onboard.AptlyEmailResult{{Email: "<string>", Success: true, Message: "<string>"}},
	}, res)
	assert.Equal(t, http.StatusCreated, meta.StatusCode)
	require.NotNil(t, meta.Envelope)
	assert.Equal(t, 200, meta.Envelope.StatusCode)
	assert.Equal(t, "Success", meta.Envelope.Message)
	assert.Equal(t, ts(t, "2026-01-12T09:10:12.337Z"), meta.Envelope.Timestamp)
}

func TestInvitesSendBulk_perEmailResults(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, envelope(200, "Success", `{"total":3,"successful":2,"failed":1,"results":[
			{"email":"ada@example.com","success":true,"message":"Invitation sent"},
			{"email":"grace@example.com","success":false,"message":"Email already exists"},
			{"email":"alan@example.com","success":true,"message":"Invitation sent"}]}`))
	})

	req := &onboard.AptlyBulkInviteRequest{TenantID: tenantID, Users: []onboard.AptlyInvitee{
		{Email: "ada@example.com"}, {Email: "grace@example.com"}, {Email: "alan@example.com"},
	}}
	res, err := c.Invites.SendBulk(testCtx(t), req)
	require.NoError(t, err, "a refused person is a failed item, not an error")
	assert.JSONEq(t, `{"tenantId":"`+tenantID+`","users":[{"email":"ada@example.com"},{"email":"grace@example.com"},{"email":"alan@example.com"}]}`,
		string(srv.only(t).Body))

	assert.Equal(t, 3, res.Total)
	assert.Equal(t, 2, res.SuccessfulCount)
	assert.Equal(t, 1, res.FailedCount)
	assert.Equal(t, []onboard.AptlyEmailResult{
		{Email: "ada@example.com", Success: true, Message: "Invitation sent"},
		{Email: "alan@example.com", Success: true, Message: "Invitation sent"},
	}, emailResults(res.Results, true))
	assert.Equal(t, []onboard.AptlyEmailResult{
		{Email: "grace@example.com", Success: false, Message: "Email already exists"},
	}, emailResults(res.Results, false))
}

func TestInvitesSendBulk_isPrimaryOrg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value *bool
		want  string
	}{
		{"nil is left out", nil, `{"groupId":"` + groupID + `"}`},
		{"false is sent", onboard.Ptr(false), `{"groupId":"` + groupID + `","isPrimaryOrg":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newAptly(t, srv)
			srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, envelope(200, "Success", `{"total":1,"successful":1,"failed":0,"results":[]}`))
			})
			req := validBulkInvite()
			req.Users[0].Groups = []onboard.AptlyGroupAssignment{{GroupID: groupID, IsPrimaryOrg: tt.value}}
			_, err := c.Invites.SendBulk(testCtx(t), req)
			require.NoError(t, err)
			assert.JSONEq(t, `{"tenantId":"`+tenantID+`","users":[{"email":"ada@example.com","groups":[`+tt.want+`]}]}`,
				string(srv.only(t).Body))
		})
	}
}

func TestInvitesSendToTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *onboard.AthenaTargetInviteRequest
		want string
	}{
		{
			name: "websites",
			req: &onboard.AthenaTargetInviteRequest{
				InviteMethod: onboard.AthenaInviteDirect, Email: "user@example.com", Role: onboard.AthenaRoleViewer,
				WebsiteIDs: []string{websiteID1, websiteID2}, FirstName: "John", LastName: "Doe",
			},
			want: `{"invite_method":"direct","email":"user@example.com","role":"viewer",
				"website_ids":["` + websiteID1 + `","` + websiteID2 + `"],"first_name":"John","last_name":"Doe"}`,
		},
		{
			name: "groups by email, role left to the server",
			req: &onboard.AthenaTargetInviteRequest{
				InviteMethod: onboard.AthenaInviteByEmail, Email: "user@example.com", GroupIDs: []string{groupID1, groupID2},
			},
			want: `{"invite_method":"email","email":"user@example.com","group_ids":["` + groupID1 + `","` + groupID2 + `"]}`,
		},
		{
			name: "admin",
			req: &onboard.AthenaTargetInviteRequest{
				InviteMethod: onboard.AthenaInviteDirect, Email: "user@example.com", Role: onboard.AthenaRoleAdmin, WebsiteIDs: []string{websiteID1},
			},
			want: `{"invite_method":"direct","email":"user@example.com","role":"admin","website_ids":["` + websiteID1 + `"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newAthena(t, srv)
			srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusOK, docAthenaBulkInvite)
			})
			_, err := c.Invites.SendToTargets(testCtx(t), tt.req)
			require.NoError(t, err)

			r := srv.only(t)
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/athenahq/api/v1/invites/bulk", r.Path)
			assert.Empty(t, r.RawQuery)
			assert.Equal(t, testAPIKey, r.Header.Get("x-api-key"))
			assert.Empty(t, r.Header.Get("Authorization"), "AthenaHQ takes x-api-key only")
			assertJSONHeaders(t, r.Header)
			assert.JSONEq(t, tt.want, string(r.Body))
		})
	}
}

func TestInvitesSendToTargets_results(t *testing.T) {
	t.Parallel()

	t.Run("seed example", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newAthena(t, srv)
		srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusOK, docAthenaBulkInvite)
		})
		res, err := c.Invites.SendToTargets(testCtx(t), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteDirect, Email: "user@example.com", WebsiteIDs: []string{websiteID1, websiteID2},
		})
		require.NoError(t, err)

		ok := onboard.AthenaTargetResult{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: "abc12345-e89b-12d3-a456-426614174000"}
		refused := onboard.AthenaTargetResult{WebsiteID: websiteID2, Success: false, Message: "User is already a member of this website"}
		assert.Equal(t, &onboard.AthenaTargetInviteResult{Success: true, Results: []onboard.AthenaTargetResult{ok, refused}}, res)
		assert.Equal(t, []onboard.AthenaTargetResult{ok}, targetResults(res.Results, true))
		assert.Equal(t, []onboard.AthenaTargetResult{refused}, targetResults(res.Results, false))
		assert.Equal(t, websiteID1, cmp.Or(res.Results[0].WebsiteID, res.Results[0].GroupID))
	})

	t.Run("groups", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newAthena(t, srv)
		srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusOK, `{"success":true,"results":[
				{"group_id":"`+groupID1+`","success":true,"message":"Invite created"},
				{"group_id":"`+groupID2+`","success":false,"error":"Group not found"}]}`)
		})
		res, err := c.Invites.SendToTargets(testCtx(t), &onboard.AthenaTargetInviteRequest{
			InviteMethod: onboard.AthenaInviteByEmail, Email: "user@example.com", GroupIDs: []string{groupID1, groupID2},
		})
		require.NoError(t, err)
		require.Len(t, res.Results, 2)
		assert.Equal(t, groupID1, cmp.Or(res.Results[0].WebsiteID, res.Results[0].GroupID))
		assert.Equal(t, groupID2, cmp.Or(res.Results[1].WebsiteID, res.Results[1].GroupID))
		require.Len(t, targetResults(res.Results, false), 1)
		assert.Equal(t, "Group not found", targetResults(res.Results, false)[0].Message)
		assert.Len(t, targetResults(res.Results, true), 1)
	})
}

// AthenaHQ sends a failed target's reason as "error"; a TargetResult reads
// it into Message, where a success's words go too.
func TestTargetResult_UnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want onboard.AthenaTargetResult
	}{
		{
			name: "failure's error",
			json: `{"website_id":"` + websiteID2 + `","success":false,"error":"User is already a member of this website"}`,
			want: onboard.AthenaTargetResult{WebsiteID: websiteID2, Message: "User is already a member of this website"},
		},
		{
			name: "success's message",
			json: `{"group_id":"` + groupID1 + `","success":true,"message":"Invite sent","user_id":"u-1"}`,
			want: onboard.AthenaTargetResult{GroupID: groupID1, Success: true, Message: "Invite sent", UserID: "u-1"},
		},
		{
			name: "error wins over message",
			json: `{"website_id":"` + websiteID1 + `","success":false,"message":"Not added","error":"Website not found"}`,
			want: onboard.AthenaTargetResult{WebsiteID: websiteID1, Message: "Website not found"},
		},
		{
			name: "empty error keeps the message",
			json: `{"website_id":"` + websiteID1 + `","success":true,"message":"User added to website","error":""}`,
			want: onboard.AthenaTargetResult{WebsiteID: websiteID1, Success: true, Message: "User added to website"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got onboard.AthenaTargetResult
			require.NoError(t, json.Unmarshal([]byte(tt.json), &got))
			assert.Equal(t, tt.want, got)

			var res onboard.AthenaTargetInviteResult
			require.NoError(t, json.Unmarshal([]byte(`{"success":true,"results":[`+tt.json+`]}`), &res))
			assert.Equal(t, []onboard.AthenaTargetResult{tt.want}, res.Results, "inside the answer")
		})
	}

	t.Run("wrong type", func(t *testing.T) {
		t.Parallel()
		var got onboard.AthenaTargetResult
		assert.Error(t, json.Unmarshal([]byte(`{"website_id":"w","success":"yes"}`), &got))
		assert.Error(t, json.Unmarshal([]byte(`{"website_id":"w","error":42}`), &got))
	})
}

func TestInvitesSend(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv)
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docRoyaltiInvite)
	})

	res, err := c.Invites.Send(testCtx(t), &onboard.RoyaltiInviteRequest{
		Email:       "jsmith@example.com",
		SendEmail:   onboard.Ptr(true),
		Message:     "Welcome to the label",
		FirstName:   "Jo",
		LastName:    "Smith",
		RedirectURL: "https://app.example.com/welcome",
		Role:        "admin",
		WorkspaceID: "ws-1",
		UserID:      "user-1",
	})
	require.NoError(t, err)
	assert.Equal(t, "Successful, Email verification Instructions have been sent to your email", res.Message)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/royalti/auth/invite", r.Path)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, `{"email":"jsmith@example.com","sendEmail":true,"message":"Welcome to the label",
		"firstName":"Jo","lastName":"Smith","redirect_url":"https://app.example.com/welcome","role":"admin"}`,
		string(r.Body), "the query parameters are not in the body")
	q, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"workspaceId": {"ws-1"}, "userId": {"user-1"}}, q)
}

func TestInvitesSend_query(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		workspaceID, userID string
		wantRaw             string // exact; "" means no query at all
	}{
		{"none", "", "", ""},
		{"workspace only", "ws-1", "", "workspaceId=ws-1"},
		{"user only", "", "user-1", "userId=user-1"},
		{"both", "ws-1", "user-1", "userId=user-1&workspaceId=ws-1"},
		{"escaped", "ws 1&x=y", "ü/1", "userId=%C3%BC%2F1&workspaceId=ws+1%26x%3Dy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`)
			})
			req := validInvite()
			req.WorkspaceID, req.UserID = tt.workspaceID, tt.userID
			_, err := c.Invites.Send(testCtx(t), req)
			require.NoError(t, err)

			r := srv.only(t)
			assert.Equal(t, tt.wantRaw, r.RawQuery)
			q, err := url.ParseQuery(r.RawQuery)
			require.NoError(t, err)
			if tt.workspaceID != "" {
				assert.Equal(t, tt.workspaceID, q.Get("workspaceId"))
			}
			if tt.userID != "" {
				assert.Equal(t, tt.userID, q.Get("userId"))
			}
			assert.JSONEq(t, `{"email":"ada@example.com"}`, string(r.Body))
		})
	}
}

func TestInvitesSend_sendEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value *bool
		want  string
	}{
		{"nil is left out", nil, `{"email":"ada@example.com"}`},
		{"false is sent", onboard.Ptr(false), `{"email":"ada@example.com","sendEmail":false}`},
		{"true is sent", onboard.Ptr(true), `{"email":"ada@example.com","sendEmail":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`)
			})
			req := validInvite()
			req.SendEmail = tt.value
			_, err := c.Invites.Send(testCtx(t), req)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(srv.only(t).Body))
		})
	}
}

// The request the caller passed is not changed by a call.
func TestInvites_requestNotModified(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, envelope(200, "Success", `{"total":1,"successful":1,"failed":0,"results":[]}`))
	})
	req := seedBulkInviteRequest(t)
	before := seedBulkInviteRequest(t)
	_, err := c.Invites.SendBulk(testCtx(t), req)
	require.NoError(t, err)
	assert.Equal(t, before, req)
}

// uuids returns n distinct UUIDs.
func uuids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	}
	return out
}

func TestInvitesSendBulk_validation(t *testing.T) {
	t.Parallel()
	sendBulk := func(req *onboard.AptlyBulkInviteRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			res, err := c.aptly.Invites.SendBulk(ctx, req)
			assert.Nil(t, res)
			return err
		}
	}
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	runValidationCases(t, "aptly: Invites.SendBulk", []validationCase{
		{name: "nil request", call: sendBulk(nil), want: []problem{{"request", "is nil"}}},
		{
			name: "required fields",
			call: sendBulk(&onboard.AptlyBulkInviteRequest{}),
			want: []problem{{"tenantId", "is required"}, {"users", "at least one"}},
		},
		{
			name: "every bad user by index",
			call: sendBulk(&onboard.AptlyBulkInviteRequest{TenantID: "887fd99a", Users: []onboard.AptlyInvitee{
				{Email: "ada@example.com", Groups: []onboard.AptlyGroupAssignment{{GroupID: "grp"}}},
				{FirstName: "No", LastName: "Email"},
				{Email: "alan@example.com", RoleIDs: []string{"r"}, ManagerID: "m", PositionIDs: []string{"p"}},
				{Email: "Grace <grace@example.com>"},
				{Email: "kay@example.com", StartDate: start, TerminationDate: start.AddDate(0, 0, -1)},
				{Email: "tim@example.com", StartDate: start, TerminationDate: start},
			}}),
			want: []problem{
				{"tenantId", "is not a UUID"},
				{"users[0].groups[0].groupId", "is not a UUID"},
				{"users[1].email", "is required"},
				{"users[2].roleIds[0]", "is not a UUID"},
				{"users[2].managerId", "is not a UUID"},
				{"users[2].positionIds[0]", "is not a UUID"},
				{"users[3].email", "not a valid email"},
				{"users[4].terminationDate", "before startDate"},
			},
		},
	})
	assert.NoError(t, seedBulkInviteRequest(t).Validate())
}

func TestInvitesSendToTargets_validation(t *testing.T) {
	t.Parallel()
	send := func(req *onboard.AthenaTargetInviteRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			res, err := c.athena.Invites.SendToTargets(ctx, req)
			assert.Nil(t, res)
			return err
		}
	}
	valid := func(edit func(r *onboard.AthenaTargetInviteRequest)) *onboard.AthenaTargetInviteRequest {
		r := validTargetInvite()
		edit(r)
		return r
	}
	runValidationCases(t, "athena: Invites.SendToTargets", []validationCase{
		{name: "nil request", call: send(nil), want: []problem{{"request", "is nil"}}},
		{
			name: "required fields",
			call: send(&onboard.AthenaTargetInviteRequest{}),
			want: []problem{{"invite_method", "is required"}, {"email", "is required"}, {"website_ids", "or group_ids is required"}},
		},
		{
			name: "enums and both kinds of target",
			call: send(&onboard.AthenaTargetInviteRequest{
				InviteMethod: "sms", Email: "user@example.com", Role: "owner",
				WebsiteIDs: []string{websiteID1}, GroupIDs: []string{groupID1},
			}),
			want: []problem{{"invite_method", `"sms" is not one of direct, email`}, {"role", `"owner" is not one of admin, viewer`}, {"website_ids", "mutually exclusive"}},
		},
		{
			name: "enums are case-sensitive",
			call: send(valid(func(r *onboard.AthenaTargetInviteRequest) { r.InviteMethod, r.Role = "Direct", "Viewer" })),
			want: []problem{{"invite_method", "is not one of"}, {"role", "is not one of"}},
		},
		{
			name: "51 websites",
			call: send(valid(func(r *onboard.AthenaTargetInviteRequest) { r.WebsiteIDs = uuids(51) })),
			want: []problem{{"website_ids", "has 51 ids; at most 50"}},
		},
		{
			name: "51 groups",
			call: send(valid(func(r *onboard.AthenaTargetInviteRequest) { r.WebsiteIDs, r.GroupIDs = nil, uuids(51) })),
			want: []problem{{"group_ids", "has 51 ids; at most 50"}},
		},
		{
			name: "website ids are UUIDs",
			call: send(valid(func(r *onboard.AthenaTargetInviteRequest) { r.WebsiteIDs = []string{websiteID1, "site-2", ""} })),
			want: []problem{{"website_ids[1]", "is not a UUID"}, {"website_ids[2]", "is empty"}},
		},
		{
			name: "group ids are UUIDs",
			call: send(valid(func(r *onboard.AthenaTargetInviteRequest) { r.WebsiteIDs, r.GroupIDs = nil, []string{"grp"} })),
			want: []problem{{"group_ids[0]", "is not a UUID"}},
		},
		{
			name: "email syntax",
			call: send(valid(func(r *onboard.AthenaTargetInviteRequest) { r.Email = "user@example" })),
			want: []problem{{"email", "not a valid email"}},
		},
	})
}

// 50 targets is the documented maximum, and is sent.
func TestInvitesSendToTargets_fiftyTargets(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"website_ids", "group_ids"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newAthena(t, srv)
			srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusOK, `{"success":true,"results":[]}`)
			})
			req := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteByEmail, Email: "user@example.com"}
			if kind == "website_ids" {
				req.WebsiteIDs = uuids(onboard.AthenaMaxTargets)
			} else {
				req.GroupIDs = uuids(onboard.AthenaMaxTargets)
			}
			_, err := c.Invites.SendToTargets(testCtx(t), req)
			require.NoError(t, err)
			var body map[string]any
			require.NoError(t, json.Unmarshal(srv.only(t).Body, &body))
			assert.Len(t, body[kind], 50)
		})
	}
}

func TestInvitesSend_validation(t *testing.T) {
	t.Parallel()
	send := func(req *onboard.RoyaltiInviteRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			res, err := c.royalti.Invites.Send(ctx, req)
			assert.Nil(t, res)
			return err
		}
	}
	runValidationCases(t, "royalti: Invites.Send", []validationCase{
		{name: "nil request", call: send(nil), want: []problem{{"request", "is nil"}}},
		{name: "no email", call: send(&onboard.RoyaltiInviteRequest{WorkspaceID: "ws-1"}), want: []problem{{"email", "is required"}}},
		{name: "email with spaces", call: send(&onboard.RoyaltiInviteRequest{Email: " ada@example.com"}), want: []problem{{"email", "not a valid email"}}},
		{name: "email without a dotted domain", call: send(&onboard.RoyaltiInviteRequest{Email: "ada@localhost"}), want: []problem{{"email", "not a valid email"}}},
	})
}

func TestValidationError_Error(t *testing.T) {
	t.Parallel()
	ve := &onboard.ValidationError{Op: "aptly: Invites.SendBulk", Problems: []onboard.FieldError{
		{Field: "tenantId", Message: "is required"},
		{Field: "users[3].email", Message: `"x" is not a valid email address`},
	}}
	assert.Equal(t, `onboard: aptly: Invites.SendBulk: invalid request, nothing was sent: tenantId: is required; users[3].email: "x" is not a valid email address`, ve.Error())
	assert.ErrorIs(t, ve, onboard.ErrInvalidRequest)
	assert.NotErrorIs(t, ve, onboard.ErrBadRequest)
	assert.Equal(t, "users[3].email: \"x\" is not a valid email address", ve.Problems[1].String())
}
