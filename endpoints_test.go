package onboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// endpointCase is one endpoint, called through the one method that sends
// one request to it, with what the tables that run one check against each
// endpoint (the fault matrix, the secrets and redaction tests, the fuzz
// targets, the error tests) need to call it and to fake its server. Each
// calls through the client of its own API in a *clients.
//
// allEndpoints lists all 25; endpoints the five of v0.1 (seed), which the
// tables written for them (their bodies, their echo server) still use.
type endpointCase struct {
	api      api
	key      string // the method as Go names it: "AptlyUsers.Create"
	op       string // the service and method as errors name them: "aptly: Users.Create"
	method   string // the HTTP method
	path     string // below the base URL, with the ids call sends
	seed     bool   // one of the five endpoints of v0.1
	envelope bool   // Aptly's {statusCode, timestamp, message, data}
	okStatus int    // the documented success status (200 where none is)
	okBody   string // the document's example answer
	// noResult marks a method that returns only an error: the answer is
	// not documented, so it takes any 2xx as success, whatever its body
	// (see its doc comment), and call's result is always nil.
	noResult bool
	// errBody renders an error in the service's own shape.
	errBody func(status int, msg string) string
	// call sends a valid request. The result is nil whenever the method
	// returned a nil pointer (or slice), so that "no result" can be
	// asserted.
	call func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error)
	// callInvalid sends a request that validation refuses.
	callInvalid func(ctx context.Context, c *clients) (any, error)
	// checkOK asserts res is okBody decoded.
	checkOK func(t *testing.T, res any)
}

// name names the case in subtests: "Aptly Users.Create".
func (ep endpointCase) name() string {
	_, op, _ := strings.Cut(ep.op, ": ")
	return ep.api.String() + " " + op
}

// fullPath is the endpoint's path on a recording server, prefix included.
func (ep endpointCase) fullPath() string { return ep.api.prefix() + ep.path }

// result turns a method's typed result into the table's, keeping a nil
// pointer nil.
func result[T any](v *T, err error) (any, error) {
	if v == nil {
		return nil, err
	}
	return v, err
}

func aptlyError(status int, msg string) string {
	return fmt.Sprintf(`{"statusCode":%d,"timestamp":"2026-01-12T09:10:12.337Z","message":%q,"error":%q}`, status, msg, http.StatusText(status))
}

func athenaError(_ int, msg string) string {
	return fmt.Sprintf(`{"success":false,"error":%q}`, msg)
}

func royaltiError(status int, msg string) string {
	code := strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	return fmt.Sprintf(`{"success":false,"error":{"code":%q,"message":%q,"details":[]}}`, code, msg)
}

// Ids the calls of the table send.
const (
	epUserID    = "c8009e3b-49f2-4efb-9171-92991fba6ad4" // an Aptly user (lifecycle.md's A2)
	epUserID2   = "80ee2737-c11b-42d0-ac1a-401121d87581"
	epMemberID  = "3c90c3cc-0d44-4b50-8888-8dd25736052a" // an AthenaHQ user
	epInviteID  = "e2d9b1ff-1db1-4c6f-86de-65c13716fd4d" // a Royalti invite
	epRoyaltiID = "eec29e6f-b567-4ca4-befe-658743058098" // a Royalti user
	epRoyaltiB  = "b56fe67e-d1b9-4a04-9a13-c0a53be8da49"
	epWebsiteID = "0b6c3c2e-6f0a-4a43-9d0e-5f1c2a7b9e01" // an AthenaHQ website and group
	epGroupID   = "5a1d7c44-2b8e-4f61-8c3a-9e0f1b2c3d02"
)

// docAptlyUserPage is a page of Aptly's user list holding the user of the
// create example: testdata keeps no example of the list's answer, whose
// shape lifecycle.md's A1 gives (data.page, limit, total, data).
var docAptlyUserPage = func() string {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(docAptlyCreateUser), &env); err != nil {
		panic(err)
	}
	return envelope(200, "Success", `{"page":1,"limit":10,"total":1,"data":[`+string(env.Data)+`]}`)
}()

// More example answers of the documents (see docExample).
var (
	docAptlyResend       = docExample("aptly-bulk-resend-invite-response.json")
	docAptlyStatus       = docExample("aptly-bulk-status-update-response.json")
	docAptlyDelete       = docExample("aptly-bulk-delete-response.json")
	docAthenaInvite      = docExample("athena-invites-response.json")
	docAthenaOrgRole     = docExample("athena-org-member-role-response.json")
	docAthenaOrgRemove   = docExample("athena-org-member-remove-response.json")
	docAthenaSiteMembers = docExample("athena-website-members-response.json")
	docAthenaSiteRemove  = docExample("athena-website-member-remove-response.json")
	docAthenaGroup       = docExample("athena-group-members-response.json")
	docRoyaltiInvites    = docExample("royalti-user-invites-response.json")
	docRoyaltiResend     = docExample("royalti-invite-resend-response.json")
	docRoyaltiUsers      = docExample("royalti-users-response.json")
	docRoyaltiUser       = docExample("royalti-user-response.json")
	docRoyaltiDeleteBulk = docExample("royalti-user-bulk-delete-response.json")
)

// noResult is the table's result of a method that returns only an error.
func noResult(err error) (any, error) { return nil, err }

// members is the table's result of a member list, nil when the method
// returned none.
func members(m []onboard.AthenaMember, err error) (any, error) {
	if m == nil {
		return nil, err
	}
	return m, err
}

// checkNoResult is the checkOK of a method that returns only an error.
func checkNoResult(t *testing.T, res any) { assert.Nil(t, res) }

// checkMembers asserts res is the member list of the AthenaHQ examples.
func checkMembers(t *testing.T, res any) {
	m, ok := res.([]onboard.AthenaMember)
	require.True(t, ok, "%T", res)
	require.Len(t, m, 1)
	assert.Equal(t, epMemberID, m[0].UserID)
}

// allEndpoints lists the 25 endpoints, each by the method that sends it
// one request (a list by the page its iterator fetches; the ...All and
// ...Seq twins of a bulk method send the same request through the engine;
// TestEndpointTableComplete checks that nothing else is left out).
func allEndpoints() []endpointCase {
	return append(append(aptlyEndpoints(), athenaEndpoints()...), royaltiEndpoints()...)
}

// endpoints lists the five endpoints of v0.1, for the tables whose server
// answers only their bodies.
func endpoints() []endpointCase {
	var out []endpointCase
	for _, ep := range allEndpoints() {
		if ep.seed {
			out = append(out, ep)
		}
	}
	return out
}

func aptlyEndpoints() []endpointCase {
	return []endpointCase{
		{
			api: aptlyAPI, key: "AptlyUsers.Create", op: "aptly: Users.Create", method: http.MethodPost, seed: true, path: "/v1/user/create", envelope: true,
			okStatus: http.StatusCreated, okBody: docAptlyCreateUser, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{
					TenantID: tenantID, FirstName: "Jamar", LastName: "Johnston",
					Email: "jamar.johnston@example.com", InviteViaEmail: onboard.Ptr(false),
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{TenantID: "tenant-1", Email: "jamar.johnston@"}))
			},
			checkOK: func(t *testing.T, res any) {
				u, ok := res.(*onboard.AptlyUser)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "6a7d8103-8d39-4fb4-a45e-f4607b5b8476", u.ID)
			},
		},
		{
			api: aptlyAPI, key: "AptlyInvites.SendBulk", op: "aptly: Invites.SendBulk", method: http.MethodPost, seed: true, path: "/v1/user/bulk-invite", envelope: true,
			okStatus: http.StatusCreated, okBody: docAptlyBulkInvite, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.aptly.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{
					TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b",
					Users:    []onboard.AptlyInvitee{{Email: "ollie.kling@example.com", FirstName: "Rowan", LastName: "Kihn"}},
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.aptly.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{TenantID: "tenant-1", Users: []onboard.AptlyInvitee{{Email: "ollie kling@example.com"}}}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AptlyBulkInviteResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 10, r.Total)
				assert.Len(t, r.Results, 1)
			},
		},
		{
			api: aptlyAPI, key: "AptlyUsers.List", op: "aptly: Users.List", method: http.MethodGet, path: "/v1/user", envelope: true,
			okStatus: http.StatusOK, okBody: docAptlyUserPage, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(onboard.AptlyListPage(ctx, c.aptly.Users, &onboard.AptlyListUsersOptions{Page: 1, Limit: 10}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(onboard.AptlyListPage(ctx, c.aptly.Users, &onboard.AptlyListUsersOptions{Page: -1}))
			},
			checkOK: func(t *testing.T, res any) {
				p, ok := res.(*onboard.AptlyUserPage)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 1, p.Total)
				require.Len(t, p.Users, 1)
				assert.Equal(t, "6a7d8103-8d39-4fb4-a45e-f4607b5b8476", p.Users[0].ID)
			},
		},
		{
			api: aptlyAPI, key: "AptlyInvites.ResendBulk", op: "aptly: Invites.ResendBulk", method: http.MethodPost, path: "/v1/user/bulk-resend-invite", envelope: true,
			okStatus: http.StatusCreated, okBody: docAptlyResend, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.aptly.Invites.ResendBulk(ctx, &onboard.AptlyBulkResendRequest{TenantID: tenantID, UserIDs: []string{epUserID, epUserID2}}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.aptly.Invites.ResendBulk(ctx, &onboard.AptlyBulkResendRequest{TenantID: tenantID, UserIDs: []string{"u1"}}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AptlyBulkResendResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 5, r.Total)
				assert.Len(t, r.Results, 1)
			},
		},
		{
			api: aptlyAPI, key: "AptlyUsers.UpdateStatusBulk", op: "aptly: Users.UpdateStatusBulk", method: http.MethodPatch, path: "/v1/user/bulk-status-update", envelope: true,
			okStatus: http.StatusOK, okBody: docAptlyStatus, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.aptly.Users.UpdateStatusBulk(ctx, &onboard.AptlyUpdateStatusRequest{UserIDs: []string{epUserID}, Status: onboard.AptlyUserInactive}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.aptly.Users.UpdateStatusBulk(ctx, &onboard.AptlyUpdateStatusRequest{UserIDs: []string{epUserID}, Status: "ASLEEP"}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AptlyUpdateStatusResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 10, r.Total)
				assert.Equal(t, 8, r.SuccessfulCount)
			},
		},
		{
			api: aptlyAPI, key: "AptlyUsers.DeleteBulk", op: "aptly: Users.DeleteBulk", method: http.MethodDelete, path: "/v1/user/bulk-delete", envelope: true,
			okStatus: http.StatusOK, okBody: docAptlyDelete, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.aptly.Users.DeleteBulk(ctx, &onboard.AptlyDeleteUsersRequest{UserIDs: []string{epUserID}}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.aptly.Users.DeleteBulk(ctx, &onboard.AptlyDeleteUsersRequest{}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AptlyDeleteUsersResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 123, r.DeletedCount)
			},
		},
		{
			api: aptlyAPI, key: "AptlyUsers.UpdateEntities", op: "aptly: Users.UpdateEntities", method: http.MethodPatch, path: "/v1/user/update-entities/" + epUserID, envelope: true,
			okStatus: http.StatusOK, okBody: docAptlyCreateUser, errBody: aptlyError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.aptly.Users.UpdateEntities(ctx, epUserID, &onboard.AptlyUpdateEntitiesRequest{TenantID: tenantID, ManagerID: managerID, DisplayName: "Jamar"}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.aptly.Users.UpdateEntities(ctx, "user-1", &onboard.AptlyUpdateEntitiesRequest{ManagerID: "m1"}))
			},
			checkOK: func(t *testing.T, res any) {
				u, ok := res.(*onboard.AptlyUser)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "6a7d8103-8d39-4fb4-a45e-f4607b5b8476", u.ID)
			},
		},
	}
}

func athenaEndpoints() []endpointCase {
	return []endpointCase{
		{
			api: athenaAPI, key: "AthenaInvites.SendToTargets", op: "athena: Invites.SendToTargets", method: http.MethodPost, seed: true, path: "/api/v1/invites/bulk",
			okStatus: http.StatusOK, okBody: docAthenaBulkInvite, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.athena.Invites.SendToTargets(ctx, &onboard.AthenaTargetInviteRequest{
					InviteMethod: onboard.AthenaInviteDirect, Email: "user@example.com", Role: onboard.AthenaRoleViewer,
					WebsiteIDs: []string{websiteID1, websiteID2},
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.athena.Invites.SendToTargets(ctx, &onboard.AthenaTargetInviteRequest{
					InviteMethod: "fax", Email: "user@example", WebsiteIDs: []string{"w1"}, GroupIDs: []string{"g1"},
				}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AthenaTargetInviteResult)
				require.True(t, ok, "%T", res)
				assert.Len(t, targetResults(r.Results, true), 1)
				assert.Len(t, targetResults(r.Results, false), 1)
			},
		},
		{
			api: athenaAPI, key: "AthenaInvites.Send", op: "athena: Invites.Send", method: http.MethodPost, path: "/api/v1/invites",
			okStatus: http.StatusOK, okBody: docAthenaInvite, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.athena.Invites.Send(ctx, &onboard.AthenaInviteRequest{
					Type: onboard.AthenaScopeOrganization, InviteMethod: onboard.AthenaInviteDirect, Email: "user@example.com", Role: onboard.AthenaRoleAdmin,
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.athena.Invites.Send(ctx, &onboard.AthenaInviteRequest{Type: "planet", InviteMethod: onboard.AthenaInviteDirect, Email: "user@example"}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AthenaInviteResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "User added to organization", r.Message)
			},
		},
		{
			api: athenaAPI, key: "AthenaMembers.UpdateOrganizationRole", op: "athena: Members.UpdateOrganizationRole", method: http.MethodPatch,
			path: "/api/v1/organizations/members/" + epMemberID, okStatus: http.StatusOK, okBody: docAthenaOrgRole, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.athena.Members.UpdateOrganizationRole(ctx, epMemberID, onboard.AthenaRoleAdmin, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.athena.Members.UpdateOrganizationRole(ctx, "user-1", onboard.AthenaRoleOwner))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AthenaMemberResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, onboard.AthenaRoleAdmin, r.Member.Role)
			},
		},
		{
			api: athenaAPI, key: "AthenaMembers.RemoveFromOrganization", op: "athena: Members.RemoveFromOrganization", method: http.MethodDelete,
			path: "/api/v1/organizations/members/" + epMemberID, okStatus: http.StatusOK, okBody: docAthenaOrgRemove, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.athena.Members.RemoveFromOrganization(ctx, epMemberID, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.athena.Members.RemoveFromOrganization(ctx, "user-1"))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AthenaMemberResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "User removed from organization", r.Message)
			},
		},
		{
			api: athenaAPI, key: "AthenaMembers.ListForWebsite", op: "athena: Members.ListForWebsite", method: http.MethodGet,
			path: "/api/v1/websites/" + epWebsiteID + "/members", okStatus: http.StatusOK, okBody: docAthenaSiteMembers, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return members(rlDrain(c.athena.Members.ListForWebsite(ctx, epWebsiteID, opts...)))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return members(rlDrain(c.athena.Members.ListForWebsite(ctx, "w1")))
			},
			checkOK: checkMembers,
		},
		{
			api: athenaAPI, key: "AthenaMembers.UpdateWebsiteRole", op: "athena: Members.UpdateWebsiteRole", method: http.MethodPatch,
			path:     "/api/v1/websites/" + epWebsiteID + "/members/" + epMemberID,
			okStatus: http.StatusOK, okBody: `{"success":true}`, noResult: true, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return noResult(c.athena.Members.UpdateWebsiteRole(ctx, epWebsiteID, epMemberID, onboard.AthenaRoleViewer, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return noResult(c.athena.Members.UpdateWebsiteRole(ctx, "w1", epMemberID, onboard.AthenaRoleViewer))
			},
			checkOK: checkNoResult,
		},
		{
			api: athenaAPI, key: "AthenaMembers.RemoveFromWebsite", op: "athena: Members.RemoveFromWebsite", method: http.MethodDelete,
			path:     "/api/v1/websites/" + epWebsiteID + "/members/" + epMemberID,
			okStatus: http.StatusOK, okBody: docAthenaSiteRemove, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.athena.Members.RemoveFromWebsite(ctx, epWebsiteID, epMemberID, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.athena.Members.RemoveFromWebsite(ctx, epWebsiteID, "user-1"))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.AthenaMemberResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "User removed from website", r.Message)
			},
		},
		{
			api: athenaAPI, key: "AthenaMembers.ListForGroup", op: "athena: Members.ListForGroup", method: http.MethodGet,
			path: "/api/v1/groups/" + epGroupID + "/members", okStatus: http.StatusOK, okBody: docAthenaGroup, errBody: athenaError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return members(rlDrain(c.athena.Members.ListForGroup(ctx, epGroupID, nil, opts...)))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return members(rlDrain(c.athena.Members.ListForGroup(ctx, "g1", nil)))
			},
			checkOK: checkMembers,
		},
	}
}

func royaltiEndpoints() []endpointCase {
	return []endpointCase{
		{
			api: royaltiAPI, key: "RoyaltiUsers.CreateBulk", op: "royalti: Users.CreateBulk", method: http.MethodPost, seed: true, path: "/user/bulk",
			okStatus: http.StatusCreated, okBody: docRoyaltiBulkUsers, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.royalti.Users.CreateBulk(ctx, &onboard.RoyaltiCreateUsersRequest{
					Users: []onboard.RoyaltiWorkspaceUser{{FirstName: "John", LastName: "Doe", Email: "john.doe@example.com"}},
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.royalti.Users.CreateBulk(ctx, &onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{{FirstName: "John"}}}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.RoyaltiCreateUsersResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, []string{"John Doe", "Jericho Doe"}, r.CreatedUsers)
				require.Len(t, r.Outcomes, 1)
				assert.Equal(t, onboard.StateSucceeded, r.Outcomes[0].State)
			},
		},
		{
			api: royaltiAPI, key: "RoyaltiInvites.Send", op: "royalti: Invites.Send", method: http.MethodPost, seed: true, path: "/auth/invite",
			okStatus: http.StatusCreated, okBody: docRoyaltiInvite, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{
					Email: "jsmith@example.com", SendEmail: onboard.Ptr(true), WorkspaceID: "ws-fault", UserID: "user-fault",
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{Email: "jsmith", WorkspaceID: "ws-fault", UserID: "user-fault"}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.RoyaltiInviteResult)
				require.True(t, ok, "%T", res)
				assert.True(t, strings.HasPrefix(r.Message, "Successful"), r.Message)
			},
		},
		{
			// Its errors name it Invites.List, as List's do.
			api: royaltiAPI, key: "RoyaltiInvites.List", op: "royalti: Invites.List", method: http.MethodGet, path: "/user/invites",
			okStatus: http.StatusOK, okBody: docRoyaltiInvites, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(onboard.RoyaltiInvitesListPage(ctx, c.royalti.Invites, nil, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(onboard.RoyaltiInvitesListPage(ctx, c.royalti.Invites, &onboard.RoyaltiListInvitesOptions{Page: -1}))
			},
			checkOK: func(t *testing.T, res any) {
				p, ok := res.(*onboard.RoyaltiInvitePage)
				require.True(t, ok, "%T", res)
				require.Len(t, p.Invites, 1)
				assert.Equal(t, epInviteID, p.Invites[0].ID)
			},
		},
		{
			api: royaltiAPI, key: "RoyaltiInvites.Resend", op: "royalti: Invites.Resend", method: http.MethodPost, path: "/user/invites/" + epInviteID + "/resend",
			okStatus: http.StatusOK, okBody: docRoyaltiResend, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.royalti.Invites.Resend(ctx, epInviteID, &onboard.RoyaltiResendRequest{Message: "Welcome back"}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.royalti.Invites.Resend(ctx, "invite-1", nil))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.RoyaltiInviteResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "Invite resent successfully", r.Message)
			},
		},
		{
			api: royaltiAPI, key: "RoyaltiInvites.Cancel", op: "royalti: Invites.Cancel", method: http.MethodPost, path: "/user/invites/" + epInviteID + "/cancel",
			okStatus: http.StatusOK, okBody: `{"message":"Invite cancelled"}`, noResult: true, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return noResult(c.royalti.Invites.Cancel(ctx, epInviteID, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return noResult(c.royalti.Invites.Cancel(ctx, "invite-1"))
			},
			checkOK: checkNoResult,
		},
		{
			// Its errors name it Users.List, as List's do.
			api: royaltiAPI, key: "RoyaltiUsers.List", op: "royalti: Users.List", method: http.MethodGet, path: "/user/",
			okStatus: http.StatusOK, okBody: docRoyaltiUsers, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(onboard.RoyaltiUsersListPage(ctx, c.royalti.Users, &onboard.RoyaltiListUsersOptions{Page: 1}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(onboard.RoyaltiUsersListPage(ctx, c.royalti.Users, &onboard.RoyaltiListUsersOptions{Order: "sideways"}))
			},
			checkOK: func(t *testing.T, res any) {
				p, ok := res.(*onboard.RoyaltiUserPage)
				require.True(t, ok, "%T", res)
				require.Len(t, p.Users, 1)
				assert.Equal(t, epRoyaltiID, p.Users[0].ID)
			},
		},
		{
			api: royaltiAPI, key: "RoyaltiUsers.Get", op: "royalti: Users.Get", method: http.MethodGet, path: "/user/" + epRoyaltiB,
			okStatus: http.StatusOK, okBody: docRoyaltiUser, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.royalti.Users.Get(ctx, epRoyaltiB, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.royalti.Users.Get(ctx, "user-1"))
			},
			checkOK: func(t *testing.T, res any) {
				u, ok := res.(*onboard.RoyaltiUserDetail)
				require.True(t, ok, "%T", res)
				assert.Equal(t, epRoyaltiB, u.ID)
			},
		},
		{
			api: royaltiAPI, key: "RoyaltiUsers.Delete", op: "royalti: Users.Delete", method: http.MethodDelete, path: "/user/" + epRoyaltiID,
			okStatus: http.StatusOK, okBody: `{"message":"User deleted"}`, noResult: true, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return noResult(c.royalti.Users.Delete(ctx, epRoyaltiID, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return noResult(c.royalti.Users.Delete(ctx, "user-1"))
			},
			checkOK: checkNoResult,
		},
		{
			api: royaltiAPI, key: "RoyaltiUsers.AddToWorkspace", op: "royalti: Users.AddToWorkspace", method: http.MethodPut, path: "/user/" + epRoyaltiID + "/aut",
			okStatus: http.StatusOK, okBody: `{}`, noResult: true, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return noResult(c.royalti.Users.AddToWorkspace(ctx, epRoyaltiID, &onboard.RoyaltiAddToWorkspaceRequest{SendEmail: onboard.Ptr(false)}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return noResult(c.royalti.Users.AddToWorkspace(ctx, "user-1", nil))
			},
			checkOK: checkNoResult,
		},
		{
			api: royaltiAPI, key: "RoyaltiUsers.DeleteBulk", op: "royalti: Users.DeleteBulk", method: http.MethodPost, path: "/user/bulk/delete",
			okStatus: http.StatusOK, okBody: docRoyaltiDeleteBulk, errBody: royaltiError,
			call: func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error) {
				return result(c.royalti.Users.DeleteBulk(ctx, &onboard.RoyaltiDeleteUsersRequest{IDs: []string{epRoyaltiID, epRoyaltiB}}, opts...))
			},
			callInvalid: func(ctx context.Context, c *clients) (any, error) {
				return result(c.royalti.Users.DeleteBulk(ctx, &onboard.RoyaltiDeleteUsersRequest{IDs: []string{"user-1"}}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*onboard.RoyaltiDeleteUsersResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 2, r.ProcessedCount)
				assert.Len(t, inState(r.Outcomes, onboard.StateSucceeded), 2)
			},
		},
	}
}

// endpointNamed returns the seed endpoint whose op is op.
func endpointNamed(tb testing.TB, op string) endpointCase {
	tb.Helper()
	for _, ep := range endpoints() {
		if ep.op == op {
			return ep
		}
	}
	tb.Fatalf("no endpoint %q", op)
	return endpointCase{}
}

// endpointTwin returns the table's key of the method that sends the one
// request of the method key: a bulk method's ...All and ...Seq twins send
// theirs through the engine. Any other method is its own.
func endpointTwin(key string) string {
	for _, suffix := range []string{"All", "Seq"} {
		if base, ok := strings.CutSuffix(key, suffix); ok {
			return base
		}
	}
	return key
}

// serviceMethods returns every exported method of the services the three
// clients hold (their exported pointer fields), by "Type.Method".
func serviceMethods(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, client := range []any{onboard.AptlyClient{}, onboard.AthenaClient{}, onboard.RoyaltiClient{}} {
		ct := reflect.TypeOf(client)
		for i := range ct.NumField() {
			f := ct.Field(i)
			if !f.IsExported() || f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
				continue
			}
			for j := range f.Type.NumMethod() {
				out = append(out, f.Type.Elem().Name()+"."+f.Type.Method(j).Name)
			}
		}
	}
	require.NotEmpty(t, out, "no service found on the clients")
	return out
}

// TestEndpointTableComplete fails when a service has a method the table
// does not cover, by itself or through the method its twin rule names, or
// when an entry disagrees with its method's spec line.
func TestEndpointTableComplete(t *testing.T) {
	t.Parallel()
	table := map[string]endpointCase{}
	for _, ep := range allEndpoints() {
		_, dup := table[ep.key]
		require.False(t, dup, "%s is listed twice", ep.key)
		table[ep.key] = ep
	}
	documented := documentedEndpoints(t)
	for _, key := range serviceMethods(t) {
		base := endpointTwin(key)
		_, ok := table[base]
		if !assert.True(t, ok, "%s is not in allEndpoints (endpoints_test.go); add it, or its twin %s", key, base) {
			continue
		}
		if base != key {
			assert.Equal(t, documented[base][2], documented[key][2], "%s and %s call different endpoints", key, base)
		}
	}
	for key, ep := range table {
		spec, ok := documented[key]
		if !assert.True(t, ok, "%s has no spec line", key) {
			continue
		}
		assert.Equal(t, ep.api.String(), spec[0], key)
		assert.Equal(t, spec[1], ep.method, key)
		assert.Regexp(t, "^"+pathPattern(spec[2])+"$", ep.path, key)
	}
	assert.Len(t, table, 25, "the endpoints of the three APIs")
}

// TestEndpointTable checks each entry against its server: a valid call
// sends its method and path and decodes the example answer; an invalid
// one sends nothing.
func TestEndpointTable(t *testing.T) {
	t.Parallel()
	for _, ep := range allEndpoints() {
		t.Run(ep.name(), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(ep.fullPath(), func(w http.ResponseWriter, _ *http.Request) { reply(w, ep.okStatus, ep.okBody) })
			c := newClients(t, srv)
			var meta onboard.Response
			res, err := ep.call(testCtx(t), c, onboard.WithResponse(&meta))
			require.NoError(t, err)
			ep.checkOK(t, res)
			assert.Equal(t, ep.noResult, res == nil, "a result unless the method returns none")
			assert.Equal(t, ep.okStatus, meta.StatusCode)
			r := srv.only(t)
			assert.Equal(t, ep.method, r.Method)
			assert.Equal(t, ep.fullPath(), r.Path)

			res, err = ep.callInvalid(testCtx(t), c)
			assert.Nil(t, res)
			assert.Equal(t, ep.op, mustValidationError(t, err).Op)
			assert.Equal(t, 1, srv.count(), "an invalid call sends nothing")
		})
	}
}

// handleEvery registers h on srv at the path of every endpoint, once for
// a path two endpoints share (they differ by method).
func handleEvery(srv *server, h http.HandlerFunc) {
	done := map[string]bool{}
	for _, ep := range allEndpoints() {
		if !done[ep.fullPath()] {
			done[ep.fullPath()] = true
			srv.handle(ep.fullPath(), h)
		}
	}
}
