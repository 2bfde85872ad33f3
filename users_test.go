package onboard_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// ts parses an RFC 3339 time from the documents' examples.
func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
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

const seedCreateUserBody = `{
  "firstName": "Jamar",
  "lastName": "Johnston",
  "tenantId": "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52",
  "email": "jamar.johnston@example.com",
  "mobilePhone": "+1 (555) 123-4567",
  "roleIds": ["5d1f5b46-4665-4598-8fb5-4c93cebf07be"],
  "groups": [{"groupId": "953061c2-c35d-4c11-be4c-6e1124c6eeec", "isPrimaryOrg": true}],
  "managerId": "86018193-92be-45ee-8d1c-8998b2cefcb2",
  "positionIds": ["45f70e88-9046-46ea-9735-85b9434e916d"],
  "inviteViaEmail": true
}`

// scrambled is how the document's page shows every email address: its
// address obfuscator left "[email protected]" with a no-break space. The
// fixture keeps it verbatim.
const scrambled = "[email\u00a0protected]"

// seedUser is the user in the example response of Aptly's create-user
// document, field by field.
func seedUser(t *testing.T) *onboard.AptlyUser {
	position := onboard.AptlyUserPosition{
		ID:                "1b639583-b421-439f-9bbc-e909aa78126e",
		UserID:            "86e26861-524b-4d36-94c6-70a70726add9",
		TenantID:          "62c0e2b7-259d-4692-9f3d-3655665366c2",
		PositionsID:       "54256ae5-3c62-4447-adf8-3e3cc6612a99",
		AutoProvisioned:   false,
		IsEditable:        false,
		IsDeleted:         true,
		DeletedOn:         ts(t, "2024-10-28T09:18:34.656Z"),
		CreatedOn:         ts(t, "2025-06-24T15:29:46.577Z"),
		UpdatedOn:         ts(t, "2025-06-24T20:18:43.389Z"),
		PositionName:      "Senior Developer",
		IsSCIMProvisioned: false,
	}
	return &onboard.AptlyUser{
		ID:               "6a7d8103-8d39-4fb4-a45e-f4607b5b8476",
		UserID:           "10001",
		LoginID:          scrambled,
		DescopeUserID:    "vSGCt98kT7cX2Gawb2dWFkpgQ6VZaxrI",
		ActiveTenantID:   "2f97d5b9-1736-4b04-b2cf-18d7314c2c6d",
		Email:            scrambled,
		Name:             "Donna Hermiston III",
		IsSAML:           false,
		MobilePhone:      "272-535-5085",
		FirstName:        "Chelsea",
		LastName:         "Witting",
		ProfileImageURL:  "https://picsum.photos/seed/ixDck/3063/974",
		CurrencyName:     "Euro",
		CurrencyCode:     "EUR",
		Status:           "ACTIVE",
		AccountType:      "C",
		AutoProvisioned:  false,
		EmployeeID:       "Q",
		EmployeeType:     "U",
		DateFormat:       "MM/DD/YYYY",
		UserType:         "y",
		SearchData:       []string{"Usability", "Developer"},
		ManagerSync:      true,
		IsDeleted:        false,
		IsExpirePassword: false,
		Manager: &onboard.AptlyManager{
			ID:              "d5dc4dd9-bf15-4992-b6ef-4372a3ff3ed3",
			UserID:          "10001",
			DescopeUserID:   "HGPusnGo7LY225bob0Tg2sNbVPBFLO8T",
			Name:            "Jaime Wiza",
			Email:           scrambled,
			FirstName:       "Elian",
			LastName:        "Reinger",
			MobilePhone:     "859-503-6233 x95670",
			ProfileImageURL: "https://loremflickr.com/429/3636?lock=5343508147167765",
			CreatedOn:       ts(t, "2025-06-25T04:31:23.563Z"),
			UpdatedOn:       ts(t, "2025-06-24T17:20:32.235Z"),
			UserPositions:   []onboard.AptlyUserPosition{position},
			PrimaryOrganization: &onboard.AptlyPrimaryOrganization{
				GroupName:           "Aplty Inc.",
				TenantGroupTypeID:   "b135555e-0520-482b-bfbf-8429c293c268",
				TenantGroupTypeName: "Organization",
			},
			ManagerName:            "Fannie Lueilwitz",
			ManagerProfileImageURL: "https://loremflickr.com/1810/1701?lock=3094412370077509",
		},
		CreatedOn:           ts(t, "2025-06-25T01:27:29.403Z"),
		LastLoginDate:       ts(t, "2025-06-24T15:29:15.070Z"),
		CreatedBy:           "5ec51c50-09c5-4bd3-9a4e-240903b20e68",
		UpdatedOn:           ts(t, "2025-06-24T07:10:37.466Z"),
		UpdatedBy:           "2480599d-bd76-4c73-a107-e6513bf8b54f",
		DeletedOn:           ts(t, "2024-10-01T20:34:39.873Z"),
		DelegationsReceived: 1,
		DelegationsIssued:   1,
		DashboardData: []onboard.AptlyDashboardTile{
			{X: 0, Y: 0, W: 2, H: 1, I: "0"},
			{X: 0, Y: 1, W: 2, H: 4, I: "1"},
			{X: 0, Y: 5, W: 1, H: 4, I: "2"},
			{X: 1, Y: 5, W: 1, H: 4, I: "3"},
		},
		UserRoles: []onboard.AptlyUserRole{{
			ID:              "340314db-0571-4a85-9296-8ccea2d5ff90",
			TenantID:        "a2f84c63-2056-46c8-a975-5fc22efa5060",
			TenantRoleID:    "a1729a44-15d6-4976-b3a5-c4dceff45835",
			RoleName:        "heartache harmful",
			AutoProvisioned: true,
			CreatedOn:       ts(t, "2025-06-25T04:31:42.785Z"),
			DeletedOn:       ts(t, "2025-05-05T01:45:20.777Z"),
			UpdatedOn:       ts(t, "2025-06-25T02:53:18.799Z"),
		}},
		UserPositions: []onboard.AptlyUserPosition{position},
		UserGroups: []onboard.AptlyUserGroup{{
			ID:              "0babd381-2af5-4bf7-ac1c-0230f25cf088",
			TenantID:        "1eb866a0-2a81-4d3f-9831-6b4e9f4e633d",
			UserID:          "0e1b099f-2e52-4307-8860-89314ef97dbb",
			GroupID:         "3cad0e27-f8f0-4a96-9bbb-1fae4f9fb04f",
			GroupTypeID:     "9a366bfc-7810-4d0f-a482-ed0cd09c6c15",
			GroupName:       "Engineering Team",
			GroupTypeName:   "Department",
			IsPrimaryOrg:    false,
			PrimaryOrgSetOn: ts(t, "2025-06-24T11:18:20.853Z"),
			AutoProvisioned: true,
			IsDeleted:       true,
			DeletedOn:       ts(t, "2025-05-17T06:57:51.956Z"),
			CreatedOn:       ts(t, "2025-06-24T10:25:28.539Z"),
			UpdatedOn:       ts(t, "2025-06-24T21:38:00.944Z"),
		}},
		IsImpersonated: true,
	}
}

func TestUsersCreate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	// Aptly documents HTTP 201 for this call; the envelope says 200.
	srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docAptlyCreateUser, "X-Request-Id", "req-create-1")
	})

	var meta onboard.Response
	got, err := c.Users.Create(testCtx(t), seedCreateUserRequest(), onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/auth/v1/user/create", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assert.Empty(t, r.Header.Get("x-api-key"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, seedCreateUserBody, string(r.Body))

	assert.Equal(t, seedUser(t), got)

	assert.Equal(t, http.StatusCreated, meta.StatusCode)
	assert.Equal(t, "req-create-1", meta.RequestID)
	assert.Equal(t, 1, meta.Attempts)
	require.NotNil(t, meta.Envelope)
	assert.Equal(t, 200, meta.Envelope.StatusCode)
	assert.Equal(t, "Success", meta.Envelope.Message)
	assert.Equal(t, ts(t, "2025-06-25T06:16:48.664Z"), meta.Envelope.Timestamp)
}

func TestUsersCreate_optionalBooleans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		inviteViaEmail *bool
		isPrimaryOrg   *bool
		want           string
	}{
		{
			name: "nil is left out",
			want: `{"tenantId":"` + tenantID + `","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
				"groups":[{"groupId":"` + groupID + `"}]}`,
		},
		{
			name:           "false is sent",
			inviteViaEmail: onboard.Ptr(false), isPrimaryOrg: onboard.Ptr(false),
			want: `{"tenantId":"` + tenantID + `","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
				"groups":[{"groupId":"` + groupID + `","isPrimaryOrg":false}],"inviteViaEmail":false}`,
		},
		{
			name:           "true is sent",
			inviteViaEmail: onboard.Ptr(true), isPrimaryOrg: onboard.Ptr(true),
			want: `{"tenantId":"` + tenantID + `","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
				"groups":[{"groupId":"` + groupID + `","isPrimaryOrg":true}],"inviteViaEmail":true}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newAptly(t, srv)
			srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, envelope(200, "Success", `{"id":"u1"}`))
			})
			req := validCreateUser()
			req.InviteViaEmail = tt.inviteViaEmail
			req.Groups = []onboard.AptlyGroupAssignment{{GroupID: groupID, IsPrimaryOrg: tt.isPrimaryOrg}}

			u, err := c.Users.Create(testCtx(t), req)
			require.NoError(t, err)
			assert.Equal(t, "u1", u.ID)
			assert.JSONEq(t, tt.want, string(srv.only(t).Body))
		})
	}
}

func TestUsersCreateBulk(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv)
	srv.handle(royaltiPrefix+"/user/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docRoyaltiBulkUsers)
	})

	req := &onboard.RoyaltiCreateUsersRequest{
		Users: []onboard.RoyaltiWorkspaceUser{
			{FirstName: "John", LastName: "Doe", NickName: "JD", UserType: "artist", Email: "john@example.com",
				IPI: "00052210040", Role: "admin", Phone: "+2348000000000", Country: "NG"},
			{FirstName: "Jericho", LastName: "Doe", Email: "jericho@example.com"},
			{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
			{FirstName: "Jacob", LastName: "Doe", Email: "jacob@example.com"},
			{FirstName: "Jake", LastName: "Doe", Email: "jake@example.com"},
		},
		SendEmail:   onboard.Ptr(true),
		RedirectURL: "https://app.example.com/welcome",
		Message:     "Welcome aboard",
	}
	res, err := c.Users.CreateBulk(testCtx(t), req)
	require.NoError(t, err)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/royalti/user/bulk", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, `{
		"users": [
			{"firstName":"John","lastName":"Doe","nickName":"JD","userType":"artist","email":"john@example.com",
			 "ipi":"00052210040","role":"admin","phone":"+2348000000000","country":"NG"},
			{"firstName":"Jericho","lastName":"Doe","email":"jericho@example.com"},
			{"firstName":"Jane","lastName":"Doe","email":"jane@example.com"},
			{"firstName":"Jacob","lastName":"Doe","email":"jacob@example.com"},
			{"firstName":"Jake","lastName":"Doe","email":"jake@example.com"}
		],
		"sendEmail": true,
		"redirect_url": "https://app.example.com/welcome",
		"message": "Welcome aboard"
	}`, string(r.Body))

	// The server's answer, as documented.
	assert.Equal(t, "Done.", res.Message)
	assert.Equal(t, []string{"John Doe", "Jericho Doe"}, res.CreatedUsers)
	assert.Equal(t, 3, res.ProcessedCount)
	assert.Equal(t, []string{
		"User Jane Doe already associated with workspace!",
		"Invalid email format for Jacob Doe",
		"Invalid email format for Jake Doe",
	}, res.Errors)

	// The answer tied back to each submitted user, in input order.
	require.Len(t, res.Outcomes, 5)
	want := []struct {
		state  onboard.State
		reason string
	}{
		{onboard.StateSucceeded, ""},
		{onboard.StateSucceeded, ""},
		{onboard.StateFailed, "User Jane Doe already associated with workspace!"},
		{onboard.StateFailed, "Invalid email format for Jacob Doe"},
		{onboard.StateFailed, "Invalid email format for Jake Doe"},
	}
	for i, w := range want {
		o := res.Outcomes[i]
		assert.Equal(t, i, o.Index, "outcome %d", i)
		assert.Equal(t, req.Users[i], o.Item, "outcome %d", i)
		assert.Equal(t, w.state, o.State, "outcome %d (%s)", i, o.Item.Email)
		assert.Equal(t, w.reason, o.Message, "outcome %d", i)
		assert.Equal(t, 1, o.Attempts, "outcome %d", i)
	}
	assert.Len(t, inState(res.Outcomes, onboard.StateSucceeded), 2)
	assert.Len(t, inState(res.Outcomes, onboard.StateFailed), 3)
	assert.Empty(t, inState(res.Outcomes, onboard.StateUnknown))
}

func TestUsersCreateBulk_sendEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sendEmail *bool
		want      string
	}{
		{"nil is left out", nil, `{"users":[{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}]}`},
		{"false is sent", onboard.Ptr(false), `{"users":[{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}],"sendEmail":false}`},
		{"true is sent", onboard.Ptr(true), `{"users":[{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}],"sendEmail":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/user/bulk", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"Done.","createdUsers":["Ada Lovelace"],"processedCount":1,"errors":[]}`)
			})
			req := validCreateUsers()
			req.SendEmail = tt.sendEmail
			_, err := c.Users.CreateBulk(testCtx(t), req)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(srv.only(t).Body))
		})
	}
}

// Royalti reports created users by name only and errors as free text, so
// the outcome of each input is what can be told for certain, and unknown
// otherwise.
func TestUsersCreateBulk_outcomes(t *testing.T) {
	t.Parallel()
	type want struct {
		state  onboard.State
		reason string // exact reason; "" with contains below for unknowns
	}
	tests := []struct {
		name     string
		users    []onboard.RoyaltiWorkspaceUser
		answer   string
		want     []want
		contains []string // substrings of each unknown's reason
	}{
		{
			name: "two inputs named the same, one created and one refused, are both unknown",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", LastName: "Doe", Email: "john1@example.com"},
				{FirstName: "John", LastName: "Doe", Email: "john2@example.com"},
				{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
			},
			answer: `{"message":"Done.","createdUsers":["John Doe","Ada Lovelace"],"processedCount":3,
				"errors":["User John Doe already associated with workspace!"]}`,
			want:     []want{{state: onboard.StateUnknown}, {state: onboard.StateUnknown}, {state: onboard.StateSucceeded}},
			contains: []string{`2 users are named "John Doe"`, `2 users are named "John Doe"`},
		},
		{
			name: "two inputs named the same, both created",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", LastName: "Doe", Email: "john1@example.com"},
				{FirstName: "John", LastName: "Doe", Email: "john2@example.com"},
			},
			answer: `{"message":"Done.","createdUsers":["John Doe","John Doe"],"processedCount":2,"errors":[]}`,
			want:   []want{{state: onboard.StateSucceeded}, {state: onboard.StateSucceeded}},
		},
		{
			name: "an error naming an email settles that input even when names clash",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", LastName: "Doe", Email: "john1@example.com"},
				{FirstName: "John", LastName: "Doe", Email: "john2@example.com"},
			},
			answer: `{"message":"Done.","createdUsers":["John Doe"],"processedCount":2,
				"errors":["Invalid email format for john2@example.com"]}`,
			want: []want{{state: onboard.StateSucceeded}, {onboard.StateFailed, "Invalid email format for john2@example.com"}},
		},
		{
			name: "an input in neither list is unknown",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
				{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"},
			},
			answer:   `{"message":"Done.","createdUsers":["Ada Lovelace"],"processedCount":1,"errors":[]}`,
			want:     []want{{state: onboard.StateSucceeded}, {state: onboard.StateUnknown}},
			contains: []string{`"Grace Hopper" is in neither createdUsers nor errors`},
		},
		{
			name:     "an input without a name cannot be matched",
			users:    []onboard.RoyaltiWorkspaceUser{{Email: "anon@example.com"}},
			answer:   `{"message":"Done.","createdUsers":[],"processedCount":1,"errors":[]}`,
			want:     []want{{state: onboard.StateUnknown}},
			contains: []string{"no name"},
		},
		{
			name:   "names are compared without case or extra spaces",
			users:  []onboard.RoyaltiWorkspaceUser{{FirstName: " Ada ", LastName: "Lovelace", Email: "ada@example.com"}},
			answer: `{"message":"Done.","createdUsers":["ada  LOVELACE"],"processedCount":1,"errors":[]}`,
			want:   []want{{state: onboard.StateSucceeded}},
		},
		{
			name:   "empty answer lists",
			users:  []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}},
			answer: `{"message":"Done."}`,
			want:   []want{{state: onboard.StateUnknown}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/user/bulk", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, tt.answer)
			})
			res, err := c.Users.CreateBulk(testCtx(t), &onboard.RoyaltiCreateUsersRequest{Users: tt.users})
			require.NoError(t, err)
			require.Len(t, res.Outcomes, len(tt.users))
			unknown := 0
			for i, w := range tt.want {
				o := res.Outcomes[i]
				assert.Equal(t, i, o.Index)
				assert.Equal(t, tt.users[i], o.Item)
				assert.Equal(t, w.state, o.State, "outcome %d: %+v", i, o)
				if w.state == onboard.StateUnknown {
					assert.NotEmpty(t, o.Message, "an unknown outcome says why")
					if unknown < len(tt.contains) {
						assert.Contains(t, o.Message, tt.contains[unknown])
					}
					unknown++
					continue
				}
				assert.Equal(t, w.reason, o.Message, "outcome %d", i)
			}
			assert.Len(t, inState(res.Outcomes, onboard.StateUnknown), unknown)
		})
	}
}

func TestState_String(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "unknown", onboard.StateUnknown.String())
	assert.Equal(t, "succeeded", onboard.StateSucceeded.String())
	assert.Equal(t, "failed", onboard.StateFailed.String())
	assert.Equal(t, "not sent", onboard.StateNotSent.String())
	assert.Equal(t, "unknown", onboard.State(42).String())
}

func TestUsersCreate_validation(t *testing.T) {
	t.Parallel()
	create := func(req *onboard.AptlyCreateUserRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			u, err := c.aptly.Users.Create(ctx, req)
			assert.Nil(t, u)
			return err
		}
	}
	runValidationCases(t, "aptly: Users.Create", []validationCase{
		{name: "nil request", call: create(nil), want: []problem{{"request", "is nil"}}},
		{
			name: "required fields",
			call: create(&onboard.AptlyCreateUserRequest{}),
			want: []problem{{"tenantId", "is required"}, {"firstName", "is required"}, {"lastName", "is required"}, {"email", "is required"}},
		},
		{
			name: "blank is missing",
			call: create(&onboard.AptlyCreateUserRequest{TenantID: " ", FirstName: "\t", LastName: "  ", Email: " "}),
			want: []problem{{"tenantId", "is required"}, {"firstName", "is required"}, {"lastName", "is required"}, {"email", "is required"}},
		},
		{
			name: "syntax of every id and the email",
			call: create(&onboard.AptlyCreateUserRequest{
				TenantID: "tenant-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada.example.com",
				RoleIDs:     []string{"admin", ""},
				Groups:      []onboard.AptlyGroupAssignment{{GroupID: ""}, {GroupID: "engineering", IsPrimaryOrg: onboard.Ptr(false)}},
				ManagerID:   "boss",
				PositionIDs: []string{roleID, "p1"},
			}),
			want: []problem{
				{"tenantId", `"tenant-1" is not a UUID`},
				{"email", `"ada.example.com" is not a valid email address`},
				{"roleIds[0]", "is not a UUID"},
				{"roleIds[1]", "is empty"},
				{"groups[0].groupId", "is required"},
				{"groups[1].groupId", "is not a UUID"},
				{"managerId", "is not a UUID"},
				{"positionIds[1]", "is not a UUID"},
			},
		},
	})
	assert.NoError(t, validCreateUser().Validate())
	assert.NoError(t, seedCreateUserRequest().Validate())
}

func TestUsersCreateBulk_validation(t *testing.T) {
	t.Parallel()
	createBulk := func(req *onboard.RoyaltiCreateUsersRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			res, err := c.royalti.Users.CreateBulk(ctx, req)
			assert.Nil(t, res)
			return err
		}
	}
	runValidationCases(t, "royalti: Users.CreateBulk", []validationCase{
		{name: "nil request", call: createBulk(nil), want: []problem{{"request", "is nil"}}},
		{name: "no users", call: createBulk(&onboard.RoyaltiCreateUsersRequest{}), want: []problem{{"users", "at least one"}}},
		{
			name: "every bad user by index",
			call: createBulk(&onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", Email: "john@example.com"},
				{FirstName: "Jericho"},
				{FirstName: "Jane", Email: "jane@example.com"},
				{FirstName: "Jacob", Email: "jacob@"},
				{FirstName: "Jake", Email: "jake@example.com"},
			}}),
			want: []problem{{"users[1].email", "is required"}, {"users[3].email", "not a valid email"}},
		},
	})
}

// TestUsersBulkCountsMissing answers each counts-only bulk endpoint with
// data that leaves its counts out: a missing count is not a count of 0, so
// every id of the batch is unknown, never failed, and the one-request
// method says the answer could not be read.
func TestUsersBulkCountsMissing(t *testing.T) {
	t.Parallel()
	ids := []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/user/bulk-delete", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, envelope(200, "Success", `{}`))
	})
	srv.handle(aptlyPrefix+"/v1/user/bulk-status-update", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, envelope(200, "Success", `{"total":2}`))
	})
	srv.handle(aptlyPrefix+"/v1/user/bulk-resend-invite", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusCreated, envelope(201, "Success", `{"results":[]}`))
	})
	srv.handle(royaltiPrefix+"/user/bulk/delete", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, `{"message":"Done.","failedDeletions":[]}`)
	})
	aptly, royalti := newAptly(t, srv, onboard.WithRetry(0)), newRoyalti(t, srv, onboard.WithRetry(0))
	ctx := testCtx(t)

	for _, tc := range []struct {
		name string
		run  func() (*onboard.BulkReport[string], error)
	}{
		{"Aptly Users.DeleteBulkAll", func() (*onboard.BulkReport[string], error) {
			return aptly.Users.DeleteBulkAll(ctx, nil, ids)
		}},
		{"Aptly Users.UpdateStatusBulkAll", func() (*onboard.BulkReport[string], error) {
			return aptly.Users.UpdateStatusBulkAll(ctx, &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserActive}, ids)
		}},
		{"Aptly Invites.ResendBulkAll", func() (*onboard.BulkReport[string], error) {
			return aptly.Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: engineTenant}, ids)
		}},
		{"Royalti Users.DeleteBulkAll", func() (*onboard.BulkReport[string], error) {
			return royalti.Users.DeleteBulkAll(ctx, nil, ids)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := tc.run()
			require.NoError(t, err)
			require.Len(t, rep.Outcomes, len(ids))
			for _, o := range rep.Outcomes {
				assert.Equal(t, onboard.StateUnknown, o.State, "id %d: %s", o.Index, o.Message)
			}
		})
	}

	t.Run("Aptly Users.DeleteBulk", func(t *testing.T) {
		res, err := aptly.Users.DeleteBulk(ctx, &onboard.AptlyDeleteUsersRequest{UserIDs: ids})
		assert.Nil(t, res)
		require.ErrorIs(t, err, onboard.ErrUnexpectedResponse)
		assert.Contains(t, err.Error(), "deletedCount")
	})
}
