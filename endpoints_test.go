package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// endpointCase is one of the five one-request endpoints, with what the
// tables that run one check against each (the fault matrix, the fuzz
// targets, the secrets and error tests) need to call it and to fake its
// server. Each calls through the client of its own API in a *clients.
type endpointCase struct {
	api      api
	op       string // the method as errors name it: "Users.Create"
	path     string // below the base URL
	envelope bool   // Aptly's {statusCode, timestamp, message, data}
	okStatus int    // the documented success status
	okBody   string // the document's example answer
	// errBody renders an error in the service's own shape.
	errBody func(status int, msg string) string
	// call sends a valid request. The result is nil whenever the method
	// returned a nil pointer, so that "no result" can be asserted.
	call func(ctx context.Context, c *clients, opts ...onboard.CallOption) (any, error)
	// callInvalid sends a request that validation refuses.
	callInvalid func(ctx context.Context, c *clients) (any, error)
	// checkOK asserts res is okBody decoded.
	checkOK func(t *testing.T, res any)
}

// name names the case in subtests: "Aptly Users.Create".
func (ep endpointCase) name() string { return ep.api.String() + " " + ep.op }

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

// endpoints lists the five endpoints.
func endpoints() []endpointCase {
	return []endpointCase{
		{
			api: aptlyAPI, op: "Users.Create", path: "/v1/user/create", envelope: true,
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
			api: aptlyAPI, op: "Invites.SendBulk", path: "/v1/user/bulk-invite", envelope: true,
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
			api: athenaAPI, op: "Invites.SendToTargets", path: "/api/v1/invites/bulk",
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
				assert.Len(t, r.Succeeded(), 1)
				assert.Len(t, r.Failed(), 1)
			},
		},
		{
			api: royaltiAPI, op: "Users.CreateBulk", path: "/user/bulk",
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
			api: royaltiAPI, op: "Invites.Send", path: "/auth/invite",
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
	}
}

// endpointNamed returns the endpoint whose op is op.
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
