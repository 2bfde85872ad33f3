package onboard_test

import (
	"context"
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
