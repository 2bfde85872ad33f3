package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// seedInvited stores n users with pending invites in tenant, as if invited
// earlier, and returns their ids in the order stored.
func seedInvited(t *testing.T, srv *onboardtest.Server, tenant string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = srv.AddAptlyInvite(tenant, fmt.Sprintf("user%02d@example.com", i), "User", strconv.Itoa(i))
	}
	return ids
}

func TestAptlyListPage_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 5)

	var meta onboard.Response
	p, err := onboard.AptlyListPage(t.Context(), c.Users, &onboard.AptlyListUsersOptions{Page: 2, Limit: 2}, onboard.WithResponse(&meta))
	require.NoError(t, err)
	assert.Equal(t, 2, p.Page)
	assert.Equal(t, 2, p.Limit)
	assert.Equal(t, 5, p.Total)
	require.Len(t, p.Users, 2)
	assert.Equal(t, []string{p.Users[0].ID, p.Users[1].ID}, ids[2:4])
	assert.Equal(t, onboard.AptlyUserInvited, p.Users[0].Status)
	assert.Equal(t, http.StatusOK, meta.StatusCode)
	require.NotNil(t, meta.Envelope)
	assert.Equal(t, http.StatusOK, meta.Envelope.StatusCode)

	last, ok := srv.LastRequest()
	require.True(t, ok)
	assert.Equal(t, http.MethodGet, last.Method)
	assert.Equal(t, aptlyPath("/v1/user"), last.Path)
	assert.Equal(t, "2", last.Query.Get("page"))
	assert.Equal(t, "2", last.Query.Get("limit"))
	assert.Len(t, last.Query, 2)
	assert.Empty(t, last.Body)

	p, err = onboard.AptlyListPage(t.Context(), c.Users, &onboard.AptlyListUsersOptions{Page: 3, Limit: 2})
	require.NoError(t, err)
	assert.Len(t, p.Users, 1)

	p, err = onboard.AptlyListPage(t.Context(), c.Users, nil)
	require.NoError(t, err)
	assert.Equal(t, onboardtest.AptlyDefaultLimit, p.Limit, "no limit sent: the server's default")
	last, _ = srv.LastRequest()
	assert.Empty(t, last.Query, "nil options send no query")
}

const resendExampleRequest = `{
  "tenantId": "65704505-3bb2-4691-880f-5f31b26f4207",
  "userIds": [
    "c8009e3b-49f2-4efb-9171-92991fba6ad4",
    "80ee2737-c11b-42d0-ac1a-401121d87581"
  ]
}`

const resendExampleAnswer = `{
  "statusCode": 200,
  "timestamp": "2026-01-12T09:10:12.337Z",
  "message": "Success",
  "data": {
    "total": 5,
    "successful": 4,
    "failed": 1,
    "results": [
      {
        "email": "user@example.com",
        "success": true,
        "message": "Invitation resent successfully"
      }
    ]
  }
}`

func TestAptlyResendBulk_documentExample(t *testing.T) {
	s := newExampleServer(t, http.StatusCreated, resendExampleAnswer)
	var meta onboard.Response
	res, err := s.client(t).Invites.ResendBulk(t.Context(),
		&onboard.AptlyBulkResendRequest{TenantID: lcTenant, UserIDs: []string{lcUserA, lcUserB}}, onboard.WithResponse(&meta))
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodPost, "/v1/user/bulk-resend-invite", "", resendExampleRequest)
	assert.Equal(t, 5, res.Total)
	assert.Equal(t, 4, res.SuccessfulCount)
	assert.Equal(t, 1, res.FailedCount)
	assert.Equal(t, []onboard.AptlyEmailResult{{Email: "user@example.com", Success: true, Message: "Invitation resent successfully"}}, res.Results)
	assert.Len(t, emailResults(res.Results, true), 1)
	assert.Empty(t, emailResults(res.Results, false))
	assert.Equal(t, http.StatusCreated, meta.StatusCode, "declared 201")
	assert.Equal(t, http.StatusOK, meta.Envelope.StatusCode, "the example's envelope says 200")
}

func TestAptlyResendBulk_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 2)
	require.NoError(t, srv.AcceptAptlyInvite(lcTenant, "user01@example.com"))

	res, err := c.Invites.ResendBulk(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant, UserIDs: []string{ids[0], ids[1], lcUnknown}})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Total)
	assert.Equal(t, 1, res.SuccessfulCount)
	assert.Equal(t, 2, res.FailedCount)
	assert.Equal(t, []onboard.AptlyEmailResult{
		{Email: "user00@example.com", Success: true, Message: "Invitation resent successfully"},
		{Email: "user01@example.com", Message: "User is not in INVITED status"},
		{Message: "User not found"},
	}, res.Results)

	last, _ := srv.LastRequest()
	assert.Equal(t, http.MethodPost, last.Method)
	assert.Equal(t, aptlyPath("/v1/user/bulk-resend-invite"), last.Path)
	assert.Equal(t, "application/json", last.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"tenantId":"`+lcTenant+`","userIds":["`+ids[0]+`","`+ids[1]+`","`+lcUnknown+`"]}`, string(last.Body))
}

func TestAptlyResendBulk_invalidSendsNothing(t *testing.T) {
	srv, c := aptlyFake(t)
	for _, req := range []*onboard.AptlyBulkResendRequest{
		nil,
		{TenantID: "tenant"},
		{TenantID: lcTenant, UserIDs: []string{lcUserA, "user-2", ""}},
	} {
		_, err := c.Invites.ResendBulk(t.Context(), req)
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	}
	_, err := c.Invites.ResendBulk(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: "tenant"})
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Problems, 2, "tenantId and the empty userIds at once")
	assert.Zero(t, srv.RequestCount("/v1/user/bulk-resend-invite"))
}

func TestAptlyResendBulkAll_tiedByCounts(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 4)
	require.NoError(t, srv.AcceptAptlyInvite(lcTenant, "user03@example.com"))
	req := &onboard.AptlyBulkResendRequest{TenantID: lcTenant}

	// Batches of 3: [0 1 2] all resent; [0 3 unknown] one of three.
	input := []string{ids[0], ids[1], "bad", ids[2], ids[0], ids[3], lcUnknown}
	rep, err := c.Invites.ResendBulkAll(t.Context(), req, input, onboard.WithBatchSize(3), onboard.WithSendDuplicates())
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, len(input))
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded, onboard.StateNotSent, onboard.StateSucceeded,
		onboard.StateUnknown, onboard.StateUnknown, onboard.StateUnknown}, states(rep.Outcomes))
	for i, o := range rep.Outcomes {
		assert.Equal(t, i, o.Index)
		assert.Equal(t, input[i], o.Item)
	}
	assert.Equal(t, "Invitation resent successfully", rep.Outcomes[0].Message)
	assert.ErrorIs(t, rep.Outcomes[2].Err, onboard.ErrInvalidRequest)
	assert.Contains(t, rep.Outcomes[4].Message, "counted 1 of this batch's 3 users as resent and 2 as failed")
	assert.Contains(t, rep.Outcomes[4].Message, "WithBatchSize(1)")
	assert.Equal(t, 2, srv.RequestCount("/v1/user/bulk-resend-invite"))

	// One id to a batch: each result is tied for certain.
	rep, err = c.Invites.ResendBulkAll(t.Context(), req, []string{ids[0], ids[3], lcUnknown}, onboard.WithBatchSize(1))
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
	assert.Equal(t, "User is not in INVITED status", rep.Outcomes[1].Message)
	assert.Equal(t, "User not found", rep.Outcomes[2].Message)
	assert.Equal(t, 1, rep.Outcomes[2].Attempts)

	// A batch refused whole: failed, with the reasons not tied to users.
	rep, err = c.Invites.ResendBulkAll(t.Context(), req, []string{ids[3], lcUnknown})
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
	assert.Equal(t, "the server's words in this batch, not tied to users: User is not in INVITED status; User not found", rep.Outcomes[0].Message)
}

func TestAptlyResendBulkAll_repeatedIDGoesInALaterBatch(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 1)
	rep, err := c.Invites.ResendBulkAll(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant}, []string{ids[0], ids[0]}, onboard.WithSendDuplicates())
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded}, states(rep.Outcomes))
	reqs := srv.Requests()
	require.Len(t, reqs, 2, "one id twice in a batch could not be told apart")
	for _, r := range reqs {
		assert.JSONEq(t, `{"tenantId":"`+lcTenant+`","userIds":["`+ids[0]+`"]}`, string(r.Body))
	}
}

func TestAptlyResendBulkAll_answerTiedOnlyWhenCertain(t *testing.T) {
	cases := []struct {
		name, data string
		want       onboard.State
		message    string
	}{
		{"the document's example: counts past the batch", `{"total":5,"successful":4,"failed":1,"results":[{"email":"user@example.com","success":true,"message":"Invitation resent successfully"}]}`,
			onboard.StateUnknown, "the server counted 4 of this batch's 2 users as resent and 1 as failed"},
		{"counts only, all resent", `{"total":2,"successful":2,"failed":0,"results":[]}`, onboard.StateSucceeded, ""},
		{"counts only, none resent", `{"total":2,"successful":0,"failed":2}`, onboard.StateFailed, "the server counted all 2 users of this batch as failed and gave no reason"},
		{"a result per id, both resent", `{"total":2,"successful":2,"failed":0,"results":[{"email":"a@example.com","success":true,"message":"ok"},{"email":"b@example.com","success":true,"message":"ok"}]}`,
			onboard.StateSucceeded, "ok"},
		{"a result per id, one resent", `{"total":2,"successful":1,"failed":1,"results":[{"email":"a@example.com","success":true},{"email":"b@example.com","success":false,"message":"no"}]}`,
			onboard.StateUnknown, "1 of this batch's 2 users as resent and 1 as failed"},
		{"results that contradict the counts win", `{"total":2,"successful":2,"failed":0,"results":[{"email":"a@example.com","success":true},{"email":"b@example.com","success":false}]}`,
			onboard.StateUnknown, "1 of this batch's 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newExampleServer(t, http.StatusCreated, aptlyEnvelope(tc.data))
			rep, err := s.client(t).Invites.ResendBulkAll(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant}, []string{lcUserA, lcUserB})
			require.NoError(t, err)
			require.Len(t, rep.Outcomes, 2)
			for _, o := range rep.Outcomes {
				assert.Equal(t, tc.want, o.State)
				assert.Contains(t, o.Message, tc.message)
			}
			assertAptlyRequest(t, s, http.MethodPost, "/v1/user/bulk-resend-invite", "", resendExampleRequest)
		})
	}
}

func TestAptlyResendBulkAll_invalidRequestSendsNothing(t *testing.T) {
	srv, c := aptlyFake(t)
	for _, req := range []*onboard.AptlyBulkResendRequest{nil, {TenantID: "x"}, {TenantID: lcTenant, UserIDs: []string{lcUserA}}} {
		rep, err := c.Invites.ResendBulkAll(t.Context(), req, []string{lcUserA, lcUserB})
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
		require.Len(t, rep.Outcomes, 2)
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateNotSent, o.State)
			assert.ErrorIs(t, o.Err, onboard.ErrStopped)
		}
	}
	assert.Zero(t, srv.RequestCount("/v1/user/bulk-resend-invite"))
}

func TestAptlyResendBulkSeq(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 5)
	var got []onboard.Outcome[string]
	for o := range c.Invites.ResendBulkSeq(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant}, slices.Values(ids), onboard.WithBatchSize(2)) {
		got = append(got, o)
	}
	require.Len(t, got, 5)
	for i, o := range got {
		assert.Equal(t, i, o.Index)
		assert.Equal(t, onboard.StateSucceeded, o.State)
	}
	assert.Equal(t, 3, srv.RequestCount("/v1/user/bulk-resend-invite"))
}

// seedCreateUserRequest is the create-user request of Aptly's document, with
// a real address where the document's page shows a scrambled one.
func seedCreateUserRequest() *onboard.AptlyCreateUserRequest {
	return &onboard.AptlyCreateUserRequest{
		FirstName:      "Jamar",
		LastName:       "Johnston",
		TenantID:       tenantID,
		Email:          "jamar.johnston@example.com",
		MobilePhone:    "+1 (555) 123-4567",
		RoleIDs:        []string{roleID},
		Groups:         []onboard.AptlyGroupAssignment{{GroupID: groupID, IsPrimaryOrg: onboard.Ptr(true)}},
		ManagerID:      managerID,
		PositionIDs:    []string{positionID},
		InviteViaEmail: onboard.Ptr(true),
	}
}

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
