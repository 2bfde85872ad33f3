package onboard_test

// The SDK's endpoint tests again, this time against onboardtest: an
// independent fake that speaks the wire format from the documents with its
// own types, keeps state, and refuses unknown JSON fields. A test here passes
// only if the SDK and the fake agree on paths, credentials, JSON names,
// status codes and error shapes.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// fakeNow is the clock of fakes started with fakeClock: a fixed instant,
// so that envelope timestamps and rate-limit windows are exact.
var fakeNow = time.Date(2026, 1, 12, 9, 10, 12, 337_000_000, time.UTC)

// fakeClock makes a fake read fakeNow.
var fakeClock = onboardtest.WithClock(func() time.Time { return fakeNow })

// fakeLast returns the last request the fake recorded, which must end with
// pathSuffix.
func fakeLast(t *testing.T, srv fake, pathSuffix string) onboardtest.RecordedRequest {
	t.Helper()
	r, ok := srv.LastRequest()
	require.True(t, ok, "the fake recorded no request")
	require.True(t, strings.HasSuffix(r.Path, pathSuffix), "last request went to %s, want …%s", r.Path, pathSuffix)
	return r
}

// fakeKeys returns the sorted keys of the JSON object at path in body; path
// holds object keys and array indexes ("users", "0"). The fake accepts a
// name that differs only in letter case, as encoding/json does, so the
// tests compare the names sent with the documents' exact spelling too.
func fakeKeys(t *testing.T, body []byte, path ...string) []string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(body, &v))
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			require.NoError(t, err)
			require.Less(t, i, len(x))
			v = x[i]
		default:
			require.Failf(t, "no such path", "%v in %s", path, body)
		}
	}
	obj, ok := v.(map[string]any)
	require.True(t, ok, "%v in %s is not an object", path, body)
	return slices.Sorted(maps.Keys(obj))
}

func fakeSorted(keys ...string) []string { return slices.Sorted(slices.Values(keys)) }

// fakeManagerEmail is the manager the Users.Create tests seed first: the
// fake answers 404 for a managerId it does not hold.
const fakeManagerEmail = "jaime.wiza@example.com"

// fakeCreateUserRequest is the document's create-user request, with a
// manager who exists in the fake.
func fakeCreateUserRequest(managerID string) *onboard.AptlyCreateUserRequest {
	req := seedCreateUserRequest()
	req.ManagerID = managerID
	return req
}

func TestFake_UsersCreate(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeClock)
	managerID := srv.AddAptlyUser(tenantID, fakeManagerEmail, "Jaime", "Wiza")
	c := newAptly(t, srv)

	var meta onboard.Response
	u, err := c.Users.Create(testCtx(t), fakeCreateUserRequest(managerID), onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := fakeLast(t, srv, "/v1/user/create")
	assert.Equal(t, onboardtest.AptlyPathPrefix+"/v1/user/create", r.Path)
	assert.Equal(t, "Bearer "+onboardtest.AptlyToken, r.Header.Get("Authorization"))
	assert.Equal(t, fakeSorted("firstName", "lastName", "tenantId", "email", "mobilePhone", "roleIds",
		"groups", "managerId", "positionIds", "inviteViaEmail"), fakeKeys(t, r.Body))
	assert.Equal(t, []string{"groupId", "isPrimaryOrg"}, fakeKeys(t, r.Body, "groups", "0"))

	// The answer, unwrapped from the envelope.
	assert.Equal(t, "jamar.johnston@example.com", u.Email)
	assert.Equal(t, "jamar.johnston@example.com", u.LoginID)
	assert.Equal(t, "Jamar", u.FirstName)
	assert.Equal(t, "Johnston", u.LastName)
	assert.Equal(t, "Jamar Johnston", u.Name)
	assert.Equal(t, tenantID, u.ActiveTenantID)
	assert.Equal(t, onboardtest.AptlyStatusInvited, string(u.Status))
	assert.Equal(t, "+1 (555) 123-4567", u.MobilePhone)
	assert.Equal(t, fakeNow, u.CreatedOn)
	require.NotNil(t, u.Manager)
	assert.Equal(t, managerID, u.Manager.ID)
	assert.Equal(t, fakeManagerEmail, u.Manager.Email)
	require.Len(t, u.UserRoles, 1)
	assert.Equal(t, roleID, u.UserRoles[0].TenantRoleID)
	require.Len(t, u.UserPositions, 1)
	assert.Equal(t, positionID, u.UserPositions[0].PositionsID)
	require.Len(t, u.UserGroups, 1)
	assert.Equal(t, groupID, u.UserGroups[0].GroupID)
	assert.True(t, u.UserGroups[0].IsPrimaryOrg)
	assert.Len(t, u.DashboardData, 4)

	// The envelope and the rest of the metadata.
	assert.Equal(t, http.StatusCreated, meta.StatusCode)
	require.NotNil(t, meta.Envelope)
	assert.Equal(t, onboard.Envelope{StatusCode: 200, Timestamp: fakeNow, Message: "Success"}, *meta.Envelope)
	assert.Equal(t, r.ID, meta.RequestID)
	assert.Equal(t, 1, meta.Attempts)
	assert.Zero(t, meta.RateLimit, "no rate limit is set")

	// What the fake now holds.
	stored, ok := srv.FindAptlyUser(tenantID, "Jamar.Johnston@Example.com")
	require.True(t, ok)
	assert.Equal(t, u.ID, stored.ID)
	assert.Equal(t, u.UserID, stored.UserID)
	assert.Equal(t, managerID, stored.ManagerID)
	assert.Equal(t, []string{roleID}, stored.RoleIDs)
	assert.Equal(t, []string{positionID}, stored.PositionIDs)
	assert.Equal(t, []onboardtest.AptlyGroup{{GroupID: groupID, IsPrimaryOrg: true}}, stored.Groups)
	assert.Equal(t, 2, srv.AptlyUserCount(tenantID), "the manager and the new user")

	t.Run("inviteViaEmail false is sent", func(t *testing.T) {
		req := fakeCreateUserRequest(managerID)
		req.Email, req.InviteViaEmail = "no.email@example.com", onboard.Ptr(false)
		u, err := c.Users.Create(testCtx(t), req)
		require.NoError(t, err)
		assert.Equal(t, onboardtest.AptlyStatusActive, string(u.Status))
		assert.Contains(t, string(fakeLast(t, srv, "/v1/user/create").Body), `"inviteViaEmail":false`)
	})

	t.Run("the same email again is a conflict", func(t *testing.T) {
		req := fakeCreateUserRequest(managerID)
		req.Email = "JAMAR.JOHNSTON@example.com" // letter case does not make a new person
		_, err := c.Users.Create(testCtx(t), req)
		apiErr := mustAPIError(t, err)
		assert.ErrorIs(t, err, onboard.ErrConflict)
		assert.Equal(t, http.StatusConflict, apiErr.StatusCode)
		assert.Equal(t, http.StatusConflict, apiErr.EnvelopeStatusCode)
		assert.Equal(t, "Email already exists", apiErr.Message)
		assert.Equal(t, 1, apiErr.Attempts, "a conflict is not retried")
		assert.Equal(t, 3, srv.AptlyUserCount(tenantID))
	})

	t.Run("an unknown manager is not found", func(t *testing.T) {
		req := fakeCreateUserRequest(managerID)
		req.Email, req.ManagerID = "orphan@example.com", managerID[:len(managerID)-4]+"0000"
		_, err := c.Users.Create(testCtx(t), req)
		assert.ErrorIs(t, err, onboard.ErrNotFound)
		assert.Equal(t, "Manager not found", mustAPIError(t, err).Message)
	})
}

func TestFake_InvitesSendBulk(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeClock)
	c := newAptly(t, srv)
	req := seedBulkInviteRequest(t)
	req.Users[0].ExistingUser = map[string]any{"source": "hris"}
	tenant := req.TenantID

	var meta onboard.Response
	res, err := c.Invites.SendBulk(testCtx(t), req, onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := fakeLast(t, srv, "/v1/user/bulk-invite")
	assert.Equal(t, onboardtest.AptlyPathPrefix+"/v1/user/bulk-invite", r.Path)
	assert.Equal(t, []string{"tenantId", "users"}, fakeKeys(t, r.Body))
	assert.Equal(t, fakeSorted("email", "firstName", "lastName", "displayName", "mobilePhone", "roleIds",
		"groups", "managerId", "positionIds", "employeeId", "employeeNumber", "employeeType",
		"employmentType", "sourceId", "actorType", "aiAgentType", "startDate", "terminationDate",
		"customAttributes", "existingUser"), fakeKeys(t, r.Body, "users", "0"))

	assert.Equal(t, &onboard.AptlyBulkInviteResult{
		Total: 1, SuccessfulCount: 1, FailedCount: 0,
		Results: []onboard.AptlyEmailResult{{Email: "Ollie.Kling@yahoo.com", Success: true, Message: "User invited successfully"}},
	}, res)
	assert.Equal(t, http.StatusCreated, meta.StatusCode)
	require.NotNil(t, meta.Envelope, "WithResponse keeps the envelope")
	assert.Equal(t, onboard.Envelope{StatusCode: 200, Timestamp: fakeNow, Message: "Success"}, *meta.Envelope,
		"HTTP 201 carries statusCode 200, as the document shows")

	stored, ok := srv.FindAptlyUser(tenant, "ollie.kling@yahoo.com")
	require.True(t, ok)
	assert.Equal(t, onboardtest.AptlyUser{
		ID: stored.ID, UserID: stored.UserID, TenantID: tenant,
		Email: "Ollie.Kling@yahoo.com", FirstName: "Rowan", LastName: "Kihn",
		DisplayName: "Tyler Christiansen", MobilePhone: "+1 (555) 123-4567",
		Status:      onboardtest.AptlyStatusInvited,
		ManagerID:   "517779ff-e242-40a2-8d27-bc2bd5eb3b1c",
		RoleIDs:     []string{"476412b3-b02e-42be-acb8-8fc2b846d16f"},
		PositionIDs: []string{"4d7ba117-6706-4518-be4b-6df1b16eb655"},
		Groups:      []onboardtest.AptlyGroup{{GroupID: "1b73b9b9-1ba6-4a3a-8b69-62be5bdba90f", IsPrimaryOrg: true}},
		EmployeeID:  "39c0Fq0iVi", EmployeeType: "Full-time",
		CreatedOn: fakeNow,
	}, stored)

	t.Run("per-email failures", func(t *testing.T) {
		srv.AddAptlyUser(tenant, "existing@example.com", "Ex", "Isting")
		res, err := c.Invites.SendBulk(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: tenant, Users: []onboard.AptlyInvitee{
			{Email: "existing@example.com"},
			{Email: "new.person@example.com", FirstName: "New"},
			{Email: "NEW.PERSON@example.com"},  // the same person, twice in one request
			{Email: "ollie.kling@yahoo.com"},   // invited above
			{Email: "single.letter@example.c"}, // the SDK lets it through; the server does not
		}})
		require.NoError(t, err, "per-email failures are results, not an error")
		assert.Equal(t, 5, res.Total)
		assert.Equal(t, 1, res.SuccessfulCount)
		assert.Equal(t, 4, res.FailedCount)
		assert.Equal(t, []onboard.AptlyEmailResult{
			{Email: "new.person@example.com", Success: true, Message: "User invited successfully"},
		}, emailResults(res.Results, true))
		assert.Equal(t, []onboard.AptlyEmailResult{
			{Email: "existing@example.com", Message: "Email already exists"},
			{Email: "NEW.PERSON@example.com", Message: "Email already exists"},
			{Email: "ollie.kling@yahoo.com", Message: "Email already exists"},
			{Email: "single.letter@example.c", Message: "Invalid email"},
		}, emailResults(res.Results, false))
		assert.Equal(t, 3, srv.AptlyUserCount(tenant))
	})
}

func TestFake_InvitesSendToTargets(t *testing.T) {
	t.Parallel()
	const email = "user@example.com"
	srv := newFake(t)
	seeded := srv.AddAthenaMember(websiteID2, email) // invited to the second website earlier
	req := &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteDirect, Email: email, Role: onboard.AthenaRoleAdmin,
		WebsiteIDs: []string{websiteID1, websiteID2}, FirstName: "John", LastName: "Doe",
	}

	var meta onboard.Response
	res, err := newAthena(t, srv).Invites.SendToTargets(testCtx(t), req, onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := fakeLast(t, srv, "/api/v1/invites/bulk")
	assert.Equal(t, onboardtest.AthenaPathPrefix+"/api/v1/invites/bulk", r.Path)
	assert.Equal(t, onboardtest.AthenaAPIKey, r.Header.Get("X-Api-Key"))
	assert.Empty(t, r.Header.Get("Authorization"))
	assert.Equal(t, fakeSorted("invite_method", "email", "role", "website_ids", "first_name", "last_name"), fakeKeys(t, r.Body))

	assert.Equal(t, &onboard.AthenaTargetInviteResult{Success: true, Results: []onboard.AthenaTargetResult{
		{WebsiteID: websiteID1, Success: true, Message: "User added to website", UserID: seeded},
		{WebsiteID: websiteID2, Message: "User is already a member of this website"},
	}}, res)
	assert.Len(t, targetResults(res.Results, false), 1)
	assert.Equal(t, http.StatusOK, meta.StatusCode)
	assert.Nil(t, meta.Envelope, "AthenaHQ has no envelope")

	assert.Equal(t, []string{email}, srv.AthenaMembers(websiteID1))
	role, ok := srv.AthenaMemberRole(websiteID1, email)
	assert.True(t, ok)
	assert.Equal(t, "admin", role)
	role, _ = srv.AthenaMemberRole(websiteID2, email)
	assert.Equal(t, "viewer", role, "a refused target keeps what it had")

	t.Run("groups need a global key", func(t *testing.T) {
		groups := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteByEmail, Email: "grace@example.com", GroupIDs: []string{groupID1, groupID2}}

		_, err := newAthena(t, srv).Invites.SendToTargets(testCtx(t), groups)
		apiErr := mustAPIError(t, err)
		assert.ErrorIs(t, err, onboard.ErrForbidden)
		assert.Equal(t, http.StatusForbidden, apiErr.StatusCode)
		assert.Equal(t, "Group invites require a global API key", apiErr.Message)
		assert.Empty(t, srv.AthenaPendingInvites(groupID1))

		res, err := newAthena(t, withAuth(srv, onboard.APIKey(onboardtest.AthenaGlobalAPIKey))).Invites.SendToTargets(testCtx(t), groups)
		require.NoError(t, err)
		assert.Equal(t, fakeSorted("invite_method", "email", "group_ids"), fakeKeys(t, fakeLast(t, srv, "/invites/bulk").Body))
		require.Len(t, targetResults(res.Results, true), 2)
		for i, id := range []string{groupID1, groupID2} {
			assert.Equal(t, id, res.Results[i].GroupID)
			assert.Equal(t, id, cmp.Or(res.Results[i].WebsiteID, res.Results[i].GroupID))
			assert.Equal(t, "Invite sent", res.Results[i].Message)
			assert.Equal(t, []string{"grace@example.com"}, srv.AthenaPendingInvites(id))
		}
	})
}

func TestFake_UsersCreateBulk(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newRoyalti(t, srv)
	ws := onboardtest.RoyaltiWorkspaceID
	srv.AddRoyaltiUser(ws, "jane.doe@example.com", "Jane", "Doe")

	req := &onboard.RoyaltiCreateUsersRequest{
		Users: []onboard.RoyaltiWorkspaceUser{
			{FirstName: "John", LastName: "Doe", NickName: "JD", UserType: "artist", Email: "jsmith@example.com",
				IPI: "00052210040", Role: "admin", Phone: "+15551234567", Country: "US"},
			{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com"},
			{FirstName: "Jacob", LastName: "Doe", Email: "jacob@example.c"},
		},
		SendEmail:   onboard.Ptr(false),
		RedirectURL: "https://app.example.com/welcome",
		Message:     "Welcome aboard",
	}
	var meta onboard.Response
	res, err := c.Users.CreateBulk(testCtx(t), req, onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := fakeLast(t, srv, "/user/bulk")
	assert.Equal(t, onboardtest.RoyaltiPathPrefix+"/user/bulk", r.Path)
	assert.Equal(t, "Bearer "+onboardtest.RoyaltiToken, r.Header.Get("Authorization"))
	assert.Equal(t, fakeSorted("users", "sendEmail", "redirect_url", "message"), fakeKeys(t, r.Body))
	assert.Equal(t, fakeSorted("firstName", "lastName", "nickName", "userType", "email", "ipi", "role", "phone", "country"),
		fakeKeys(t, r.Body, "users", "0"))

	assert.Equal(t, "Done.", res.Message)
	assert.Equal(t, []string{"John Doe"}, res.CreatedUsers)
	assert.Equal(t, 3, res.ProcessedCount)
	assert.Equal(t, []string{"User Jane Doe already associated with workspace!", "Invalid email format for Jacob Doe"}, res.Errors)
	assert.Equal(t, []onboard.Outcome[onboard.RoyaltiWorkspaceUser]{
		{Index: 0, Item: req.Users[0], State: onboard.StateSucceeded, Attempts: 1},
		{Index: 1, Item: req.Users[1], State: onboard.StateFailed, Message: "User Jane Doe already associated with workspace!", Attempts: 1},
		{Index: 2, Item: req.Users[2], State: onboard.StateFailed, Message: "Invalid email format for Jacob Doe", Attempts: 1},
	}, res.Outcomes)
	assert.Equal(t, http.StatusCreated, meta.StatusCode)
	assert.Nil(t, meta.Envelope)

	users := srv.RoyaltiUsers(ws)
	require.Len(t, users, 2)
	got := users[1]
	assert.Equal(t, onboardtest.RoyaltiUser{
		ID: got.ID, WorkspaceID: ws, Email: "jsmith@example.com", FirstName: "John", LastName: "Doe",
		NickName: "JD", UserType: "artist", IPI: "00052210040", Role: "admin", Phone: "+15551234567", Country: "US",
		SendEmail: false, CreatedAt: got.CreatedAt,
	}, got)
}

func TestFake_InvitesSend(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newRoyalti(t, srv)
	const otherWS = "workspace-two"
	userID := srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, "jsmith@example.com", "John", "Smith")

	req := &onboard.RoyaltiInviteRequest{
		Email: "jsmith@example.com", SendEmail: onboard.Ptr(true), Message: "Join us",
		FirstName: "John", LastName: "Smith", RedirectURL: "https://app.example.com/welcome", Role: "editor",
		WorkspaceID: otherWS, UserID: userID,
	}
	var meta onboard.Response
	res, err := c.Invites.Send(testCtx(t), req, onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := fakeLast(t, srv, "/auth/invite")
	assert.Equal(t, onboardtest.RoyaltiPathPrefix+"/auth/invite", r.Path)
	assert.Equal(t, otherWS, r.Query.Get("workspaceId"))
	assert.Equal(t, userID, r.Query.Get("userId"))
	assert.Equal(t, fakeSorted("email", "sendEmail", "message", "firstName", "lastName", "redirect_url", "role"), fakeKeys(t, r.Body))

	assert.Equal(t, "Successful, Email verification Instructions have been sent to your email", res.Message)
	assert.Equal(t, http.StatusCreated, meta.StatusCode)

	users := srv.RoyaltiUsers(otherWS)
	require.Len(t, users, 1)
	assert.Equal(t, userID, users[0].ID, "the userId query names the existing person")
	assert.True(t, users[0].Invited)
	assert.True(t, users[0].SendEmail)
	assert.Equal(t, "editor", users[0].Role)

	t.Run("someone already in the workspace is a conflict", func(t *testing.T) {
		_, err := c.Invites.Send(testCtx(t), &onboard.RoyaltiInviteRequest{Email: "JSmith@example.com"})
		apiErr := mustAPIError(t, err)
		assert.ErrorIs(t, err, onboard.ErrConflict)
		assert.Equal(t, "User JSmith@example.com already associated with workspace!", apiErr.Message)
		assert.Equal(t, "CONFLICT", apiErr.Code)
		assert.Equal(t, 1, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
	})

	t.Run("an unknown userId is not found", func(t *testing.T) {
		_, err := c.Invites.Send(testCtx(t), &onboard.RoyaltiInviteRequest{Email: "new@example.com", UserID: "7c9e6679-7425-40de-944b-e07fc1f90ae7"})
		assert.ErrorIs(t, err, onboard.ErrNotFound)
		assert.Equal(t, "User not found", mustAPIError(t, err).Message)
	})
}

// TestFake_strictDecodingIsLive shows that the fake refuses a field it does
// not know, so that the tests above, where it accepted every field the SDK
// sent, say something about the SDK's JSON names.
func TestFake_strictDecodingIsLive(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	body := `{"tenant_id":"` + tenantID + `","users":[{"email":"ada@example.com"}]}`
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodPost, srv.AptlyURL()+"/v1/user/bulk-invite", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+onboardtest.AptlyToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(answer), "tenant_id")
}

// fakeEndpoint is one of the five endpoints as the fault tests drive it.
type fakeEndpoint struct {
	name string
	path string // suffix of the endpoint's path
	// call sends a valid request for a person new to the fake; a result
	// that refuses the person is an error too.
	call func(ctx context.Context, c *clients, opts ...onboard.CallOption) error
	// done counts how many times the fake did the work.
	done func(srv fake) int
}

func fakeEndpoints() []fakeEndpoint {
	return []fakeEndpoint{
		{
			name: "Aptly Users.Create", path: "/v1/user/create",
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) error {
				_, err := c.aptly.Users.Create(ctx, validCreateUser(), opts...)
				return err
			},
			done: func(srv fake) int { return srv.AptlyUserCount(tenantID) },
		},
		{
			name: "Aptly Invites.SendBulk", path: "/v1/user/bulk-invite",
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) error {
				res, err := c.aptly.Invites.SendBulk(ctx, validBulkInvite(), opts...)
				if err == nil && len(emailResults(res.Results, false)) > 0 {
					return errors.New(emailResults(res.Results, false)[0].Message)
				}
				return err
			},
			done: func(srv fake) int { return srv.AptlyUserCount(tenantID) },
		},
		{
			name: "AthenaHQ Invites.SendToTargets", path: "/api/v1/invites/bulk",
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) error {
				res, err := c.athena.Invites.SendToTargets(ctx, validTargetInvite(), opts...)
				if err == nil && len(targetResults(res.Results, false)) > 0 {
					return errors.New(targetResults(res.Results, false)[0].Message)
				}
				return err
			},
			done: func(srv fake) int { return srv.AthenaMemberCount(websiteID1) },
		},
		{
			name: "Royalti Users.CreateBulk", path: "/user/bulk",
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) error {
				res, err := c.royalti.Users.CreateBulk(ctx, validCreateUsers(), opts...)
				if err == nil && len(inState(res.Outcomes, onboard.StateSucceeded)) != 1 {
					return errors.New(strings.Join(res.Errors, "; "))
				}
				return err
			},
			done: func(srv fake) int { return srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID) },
		},
		{
			name: "Royalti Invites.Send", path: "/auth/invite",
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) error {
				_, err := c.royalti.Invites.Send(ctx, validInvite(), opts...)
				return err
			},
			done: func(srv fake) int { return srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID) },
		},
	}
}

// TestFake_faults checks the retry policy against the fake's injected
// faults: what the server certainly did not process is retried, and what it
// may have processed is not, so that nobody is created or invited twice.
func TestFake_faults(t *testing.T) {
	t.Parallel()
	for _, ep := range fakeEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()

			t.Run("429 with Retry-After is retried", func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				srv.InjectFault(onboardtest.Fault{Path: ep.path, Times: 1, Status: http.StatusTooManyRequests, RetryAfter: "1"})
				var meta onboard.Response
				require.NoError(t, ep.call(testCtx(t), newClients(t, srv), onboard.WithResponse(&meta)))
				assert.Equal(t, 2, meta.Attempts)
				assert.Equal(t, 2, srv.RequestCount(ep.path))
				assert.Equal(t, 1, ep.done(srv))
			})

			t.Run("503 with Retry-After is retried", func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				srv.InjectFault(onboardtest.Fault{Path: ep.path, Times: 2, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
				var meta onboard.Response
				require.NoError(t, ep.call(testCtx(t), newClients(t, srv), onboard.WithResponse(&meta)))
				assert.Equal(t, 3, meta.Attempts)
				assert.Equal(t, 1, ep.done(srv))
			})

			t.Run("503 without Retry-After is not retried", func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				srv.InjectFault(onboardtest.Fault{Path: ep.path, Times: 1, Status: http.StatusServiceUnavailable})
				err := ep.call(testCtx(t), newClients(t, srv))
				apiErr := mustAPIError(t, err)
				assert.ErrorIs(t, err, onboard.ErrServer)
				assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
				assert.Equal(t, 1, apiErr.Attempts)
				assert.Equal(t, 1, srv.RequestCount(ep.path))
				assert.Zero(t, ep.done(srv))
			})

			t.Run("work done but answer lost as 503 is not repeated", func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				srv.InjectFault(onboardtest.Fault{Path: ep.path, Times: 1, Status: http.StatusServiceUnavailable, Process: true})
				c := newClients(t, srv)
				err := ep.call(testCtx(t), c)
				assert.ErrorIs(t, err, onboard.ErrServer)
				assert.Equal(t, 1, mustAPIError(t, err).Attempts)
				assert.Equal(t, 1, srv.RequestCount(ep.path), "sent once")
				assert.Equal(t, 1, ep.done(srv), "the server did it once")

				// Sending again by hand shows why the client must not:
				// the person is already there.
				err = ep.call(testCtx(t), c)
				require.Error(t, err)
				assert.Regexp(t, `(?i)already`, err.Error())
				assert.Equal(t, 1, ep.done(srv))
			})

			t.Run("a dropped connection is not retried", func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				srv.InjectFault(onboardtest.Fault{Path: ep.path, Times: 1, DropConnection: true})
				err := ep.call(testCtx(t), newClients(t, srv))
				re := mustRequestError(t, err)
				assert.Equal(t, 1, re.Attempts)
				assert.Equal(t, 1, srv.RequestCount(ep.path))
			})

			t.Run("wrong credentials", func(t *testing.T) {
				t.Parallel()
				srv := newFake(t, onboardtest.WithAptlyToken("other"), onboardtest.WithRoyaltiToken("other"),
					onboardtest.WithAthenaAPIKey("other"), onboardtest.WithAthenaGlobalAPIKey("other-global"))
				err := ep.call(testCtx(t), newClients(t, srv))
				apiErr := mustAPIError(t, err)
				assert.ErrorIs(t, err, onboard.ErrUnauthorized)
				assert.NotEmpty(t, apiErr.Message)
				assert.Zero(t, ep.done(srv))
			})
		})
	}
}

// TestFake_rateLimit checks that the x-rate-limit-* headers reach
// Response.RateLimit, and that a request over the limit is retried and then
// reported as ErrRateLimited with the server's Retry-After.
func TestFake_rateLimit(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakeClock, onboardtest.WithRateLimit(2, time.Minute))
	c := newAthena(t, srv)
	reset := time.Unix(fakeNow.Add(time.Minute).Unix()+1, 0) // the window's end, rounded up

	for i, remaining := range []int{1, 0} {
		req := validTargetInvite()
		req.Email = "person" + strconv.Itoa(i) + "@example.com"
		var meta onboard.Response
		_, err := c.Invites.SendToTargets(testCtx(t), req, onboard.WithResponse(&meta))
		require.NoError(t, err)
		assert.Equal(t, onboard.RateLimit{Limit: 2, Remaining: remaining, Reset: reset}, meta.RateLimit, "call %d", i)
	}

	var meta onboard.Response
	req := validTargetInvite()
	req.Email = "one.too.many@example.com"
	_, err := c.Invites.SendToTargets(testCtx(t), req, onboard.WithResponse(&meta))
	apiErr := mustAPIError(t, err)
	assert.ErrorIs(t, err, onboard.ErrRateLimited)
	assert.Equal(t, onboard.DefaultRetries+1, apiErr.Attempts, "429 is retried")
	assert.Equal(t, time.Minute, apiErr.RetryAfter)
	assert.Equal(t, "Rate limit exceeded. Try again in 60 seconds.", apiErr.Message)
	assert.Equal(t, http.StatusTooManyRequests, meta.StatusCode)
	assert.Equal(t, onboard.RateLimit{Limit: 2, Remaining: 0, Reset: reset}, meta.RateLimit)
	assert.Equal(t, time.Minute, meta.RetryAfter)
	assert.Empty(t, srv.AthenaUserID("one.too.many@example.com"))
	assert.Equal(t, 2+onboard.DefaultRetries+1, srv.RequestCount(""))
}
