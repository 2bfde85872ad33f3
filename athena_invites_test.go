package onboard_test

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

func init() {
	specCalls["AthenaInvites.Send"] = func(ctx context.Context, c *specClients) error {
		_, err := c.athena.Invites.Send(ctx, &onboard.AthenaInviteRequest{
			Type: onboard.AthenaScopeWebsite, InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", WebsiteID: mWebsite,
		})
		return err
	}
}

func TestAthenaInvitesSend_eachType(t *testing.T) {
	cases := []struct {
		name    string
		req     onboard.AthenaInviteRequest
		body    string
		message string
		target  string // where the fake records the person
	}{
		{
			"organization, direct",
			onboard.AthenaInviteRequest{Type: onboard.AthenaScopeOrganization, InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com",
				Role: onboard.AthenaRoleAdmin, FirstName: "Ada", LastName: "Lovelace"},
			`{"type":"organization","invite_method":"direct","email":"ada@example.com","role":"admin","first_name":"Ada","last_name":"Lovelace"}`,
			"User added to organization", mOrg,
		},
		{
			"website, email",
			onboard.AthenaInviteRequest{Type: onboard.AthenaScopeWebsite, InviteMethod: onboard.AthenaInviteByEmail, Email: "bob@example.com", WebsiteID: mWebsite},
			`{"type":"website","invite_method":"email","email":"bob@example.com","website_id":"` + mWebsite + `"}`,
			"Invitation sent", mWebsite,
		},
		{
			"group, direct",
			onboard.AthenaInviteRequest{Type: onboard.AthenaScopeGroup, InviteMethod: onboard.AthenaInviteDirect, Email: "cy@example.com",
				Role: onboard.AthenaRoleViewer, GroupID: mGroup},
			`{"type":"group","invite_method":"direct","email":"cy@example.com","role":"viewer","group_id":"` + mGroup + `"}`,
			"User added to group", mGroup,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newMemberFixture(t)
			res, err := f.global.Invites.Send(t.Context(), &tc.req)
			require.NoError(t, err)
			f.assertSent(t, sentRequest{method: http.MethodPost, path: "/api/v1/invites", key: onboardtest.AthenaGlobalAPIKey, body: tc.body})
			assert.True(t, res.Success)
			assert.Equal(t, tc.message, res.Message)
			if tc.req.InviteMethod == onboard.AthenaInviteDirect {
				assert.Equal(t, f.srv.AthenaUserID(tc.req.Email), res.UserID)
				assert.Empty(t, res.InviteID)
				assert.Equal(t, []string{tc.req.Email}, f.srv.AthenaMembers(tc.target))
				return
			}
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, res.InviteID)
			assert.Empty(t, res.UserID)
			assert.Equal(t, []string{tc.req.Email}, f.srv.AthenaPendingInvites(tc.target))
			invites := f.srv.State().Athena.Targets[tc.target].Invites
			require.Len(t, invites, 1)
			assert.Equal(t, res.InviteID, invites[0].ID)
		})
	}
}

func TestAthenaInvitesSend_refusals(t *testing.T) {
	f := newMemberFixture(t)
	group := &onboard.AthenaInviteRequest{Type: onboard.AthenaScopeGroup, InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", GroupID: mGroup}
	_, err := f.scoped.Invites.Send(t.Context(), group)
	assertRefused(t, err, onboard.ErrForbidden, http.StatusForbidden, "Group invites require a global API key")
	assert.Empty(t, f.srv.AthenaMembers(mGroup))

	direct := &onboard.AthenaInviteRequest{Type: onboard.AthenaScopeWebsite, InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", WebsiteID: mWebsite}
	_, err = f.scoped.Invites.Send(t.Context(), direct)
	require.NoError(t, err, "a website invite takes the website-scoped key")
	_, err = f.scoped.Invites.Send(t.Context(), direct)
	assertRefused(t, err, onboard.ErrConflict, http.StatusConflict, "User is already a member of this website")

	byEmail := &onboard.AthenaInviteRequest{Type: onboard.AthenaScopeWebsite, InviteMethod: onboard.AthenaInviteByEmail, Email: "bob@example.com", WebsiteID: mWebsite}
	_, err = f.scoped.Invites.Send(t.Context(), byEmail)
	require.NoError(t, err)
	_, err = f.scoped.Invites.Send(t.Context(), byEmail)
	assertRefused(t, err, onboard.ErrConflict, http.StatusConflict, "User already has a pending invite to this website")
	assert.NotContains(t, err.Error(), "bob@example.com")
}

// TestAthenaInvitesSend_documentedAnswers decodes the documents' answers:
// the newer render's example verbatim, the older render's, and an email
// invite's with the invite_id its schema describes.
func TestAthenaInvitesSend_documentedAnswers(t *testing.T) {
	req := &onboard.AthenaInviteRequest{Type: onboard.AthenaScopeOrganization, InviteMethod: onboard.AthenaInviteDirect, Email: "user@example.com"}
	cases := []struct {
		body string
		want onboard.AthenaInviteResult
	}{
		{docExample("athena-invites-response.json"),
			onboard.AthenaInviteResult{Success: true, Message: "User added to organization", UserID: "abc12345-e89b-12d3-a456-426614174000"}},
		{`{"success": true, "message": "User added to organization"}`,
			onboard.AthenaInviteResult{Success: true, Message: "User added to organization"}},
		{`{"success": true, "message": "Invitation sent", "invite_id": "123e4567-e89b-12d3-a456-426614174000"}`,
			onboard.AthenaInviteResult{Success: true, Message: "Invitation sent", InviteID: "123e4567-e89b-12d3-a456-426614174000"}},
	}
	for _, tc := range cases {
		c, _ := docServer(t, http.StatusOK, tc.body)
		res, err := c.Invites.Send(t.Context(), req)
		require.NoError(t, err)
		assert.Equal(t, &tc.want, res)
	}
}

func TestAthenaInvitesSend_validation(t *testing.T) {
	f := newMemberFixture(t)
	ok := func(mod func(r *onboard.AthenaInviteRequest)) *onboard.AthenaInviteRequest {
		r := &onboard.AthenaInviteRequest{Type: onboard.AthenaScopeWebsite, InviteMethod: onboard.AthenaInviteByEmail, Email: "ada@example.com", WebsiteID: mWebsite}
		mod(r)
		return r
	}
	cases := []struct {
		name   string
		req    *onboard.AthenaInviteRequest
		fields []string
	}{
		{"nil", nil, []string{"request: is nil"}},
		{"empty", &onboard.AthenaInviteRequest{}, []string{"type: is required", "invite_method: is required", "email: is required"}},
		{"unknown values", &onboard.AthenaInviteRequest{Type: "team", InviteMethod: "sms", Email: "ada at example", Role: onboard.AthenaRoleOwner, WebsiteID: "site"}, []string{
			`type: "team" is not one of organization, website, group`,
			`invite_method: "sms" is not one of direct, email`,
			`email: "ada at example" is not a valid email address`,
			`role: "owner" is not one of admin, viewer`,
			`website_id: "site" is not a UUID`,
		}},
		{"website without its id", ok(func(r *onboard.AthenaInviteRequest) { r.WebsiteID = "" }), []string{"website_id: is required"}},
		{"website with a bad id", ok(func(r *onboard.AthenaInviteRequest) { r.WebsiteID = "site-1" }), []string{`website_id: "site-1" is not a UUID`}},
		{"group with a website id", ok(func(r *onboard.AthenaInviteRequest) { r.Type = onboard.AthenaScopeGroup }), []string{
			`website_id: is set, but type is "group"; send it only with type "website", or leave it empty`,
			"group_id: is required",
		}},
		// The documents' own example sends both ids with type organization.
		{"organization with both ids", ok(func(r *onboard.AthenaInviteRequest) { r.Type = onboard.AthenaScopeOrganization; r.GroupID = mGroup }), []string{
			`website_id: is set, but type is "organization"; send it only with type "website", or leave it empty`,
			`group_id: is set, but type is "organization"; send it only with type "group", or leave it empty`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.global.Invites.Send(t.Context(), tc.req)
			var ve *onboard.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, onboard.ErrInvalidRequest)
			assert.Equal(t, "athena: Invites.Send", ve.Op)
			var fields []string
			for _, p := range ve.Problems {
				fields = append(fields, p.String())
			}
			assert.Equal(t, tc.fields, fields)
			assert.NotContains(t, err.Error(), "ada@example.com")
		})
	}
	assert.Zero(t, f.srv.RequestCount(""), "nothing was sent")
}

// TestAthenaTarget_scopeOfNoTarget checks that a target whose Kind is a
// scope no target has, the organization, is refused alone and not sent.
func TestAthenaTarget_scopeOfNoTarget(t *testing.T) {
	t.Parallel()
	srv := newServer(t) // no handlers: any request that arrives fails the test
	c := newClients(t, srv)
	rep, err := c.athena.Invites.SendToTargetsAll(testCtx(t), &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteDirect, Email: "kind@example.com",
	}, []onboard.AthenaTarget{{Kind: onboard.AthenaScopeOrganization, ID: mWebsite}})
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, onboard.StateNotSent, rep.Outcomes[0].State)
	assertProblems(t, mustValidationError(t, rep.Outcomes[0].Err),
		[]problem{{"targets[0].kind", `is "organization"; want AthenaScopeWebsite or AthenaScopeGroup`}})
	assert.Zero(t, srv.count(), "nothing reaches the server")
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
