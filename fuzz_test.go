package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fuzz targets for response decoding: each feeds arbitrary bytes, under a
// status the fuzzer also picks, through the real pipeline of one endpoint
// (transport, credential, status check, size cap, envelope, decoding) with
// an in-memory http.RoundTripper, so no network is used. Whatever comes back
// must be a typed result or an *APIError that describes the answer; nothing
// may panic. The seeds are the documents' examples and the services' error
// shapes, and run in every go test.
//
//	go test -run '^$' -fuzz '^FuzzUsersCreateResponse$' -fuzztime 30s .

// The documents' response examples, verbatim.
const (
	// hardSeedAptlyCreateUser is the example answer of Aptly's
	// POST /v1/user/create.
	hardSeedAptlyCreateUser = `{
  "statusCode": 200,
  "timestamp": "2025-06-25T06:16:48.664Z",
  "message": "Success",
  "data": {
    "id": "6a7d8103-8d39-4fb4-a45e-f4607b5b8476",
    "userId": "10001",
    "loginId": "[email protected]",
    "descopeUserId": "vSGCt98kT7cX2Gawb2dWFkpgQ6VZaxrI",
    "activeTenantId": "2f97d5b9-1736-4b04-b2cf-18d7314c2c6d",
    "email": "[email protected]",
    "name": "Donna Hermiston III",
    "isSAML": false,
    "mobilePhone": "272-535-5085",
    "firstName": "Chelsea",
    "lastName": "Witting",
    "profileImageUrl": "https://picsum.photos/seed/ixDck/3063/974",
    "currencyName": "Euro",
    "currencyCode": "EUR",
    "status": "ACTIVE",
    "accountType": "C",
    "autoProvisioned": false,
    "employeeId": "Q",
    "employeeType": "U",
    "dateFormat": "MM/DD/YYYY",
    "userType": "y",
    "searchData": [
      "Usability",
      "Developer"
    ],
    "managerSync": true,
    "manager": {
      "id": "d5dc4dd9-bf15-4992-b6ef-4372a3ff3ed3",
      "userId": "10001",
      "descopeUserId": "HGPusnGo7LY225bob0Tg2sNbVPBFLO8T",
      "name": "Jaime Wiza",
      "email": "[email protected]",
      "firstName": "Elian",
      "lastName": "Reinger",
      "mobilePhone": "859-503-6233 x95670",
      "profileImageUrl": "https://loremflickr.com/429/3636?lock=5343508147167765",
      "createdOn": "2025-06-25T04:31:23.563Z",
      "updatedOn": "2025-06-24T17:20:32.235Z",
      "userPositions": [
        {
          "id": "1b639583-b421-439f-9bbc-e909aa78126e",
          "userId": "86e26861-524b-4d36-94c6-70a70726add9",
          "tenantId": "62c0e2b7-259d-4692-9f3d-3655665366c2",
          "positionsId": "54256ae5-3c62-4447-adf8-3e3cc6612a99",
          "autoProvisioned": false,
          "isEditable": false,
          "isDeleted": true,
          "deletedOn": "2024-10-28T09:18:34.656Z",
          "createdOn": "2025-06-24T15:29:46.577Z",
          "updatedOn": "2025-06-24T20:18:43.389Z",
          "positionName": "Senior Developer",
          "isSCIMProvisioned": false
        }
      ],
      "primaryOrganization": {
        "groupName": "Aplty Inc.",
        "tenantGroupTypeId": "b135555e-0520-482b-bfbf-8429c293c268",
        "tenantGroupTypeName": "Organization"
      },
      "managerName": "Fannie Lueilwitz",
      "managerProfileImageUrl": "https://loremflickr.com/1810/1701?lock=3094412370077509"
    },
    "isDeleted": false,
    "isExpirePassword": false,
    "createdOn": "2025-06-25T01:27:29.403Z",
    "lastLoginDate": "2025-06-24T15:29:15.070Z",
    "createdBy": "5ec51c50-09c5-4bd3-9a4e-240903b20e68",
    "updatedOn": "2025-06-24T07:10:37.466Z",
    "updatedBy": "2480599d-bd76-4c73-a107-e6513bf8b54f",
    "deletedOn": "2024-10-01T20:34:39.873Z",
    "delegationsReceived": 1,
    "delegationsIssued": 1,
    "dashboardData": [
      {
        "x": 0,
        "y": 0,
        "w": 2,
        "h": 1,
        "i": "0"
      },
      {
        "x": 0,
        "y": 1,
        "w": 2,
        "h": 4,
        "i": "1"
      },
      {
        "x": 0,
        "y": 5,
        "w": 1,
        "h": 4,
        "i": "2"
      },
      {
        "x": 1,
        "y": 5,
        "w": 1,
        "h": 4,
        "i": "3"
      }
    ],
    "userRoles": [
      {
        "id": "340314db-0571-4a85-9296-8ccea2d5ff90",
        "tenantId": "a2f84c63-2056-46c8-a975-5fc22efa5060",
        "tenantRoleId": "a1729a44-15d6-4976-b3a5-c4dceff45835",
        "roleName": "heartache harmful",
        "autoProvisioned": true,
        "createdOn": "2025-06-25T04:31:42.785Z",
        "deletedOn": "2025-05-05T01:45:20.777Z",
        "updatedOn": "2025-06-25T02:53:18.799Z"
      }
    ],
    "userPositions": [
      {
        "id": "1b639583-b421-439f-9bbc-e909aa78126e",
        "userId": "86e26861-524b-4d36-94c6-70a70726add9",
        "tenantId": "62c0e2b7-259d-4692-9f3d-3655665366c2",
        "positionsId": "54256ae5-3c62-4447-adf8-3e3cc6612a99",
        "autoProvisioned": false,
        "isEditable": false,
        "isDeleted": true,
        "deletedOn": "2024-10-28T09:18:34.656Z",
        "createdOn": "2025-06-24T15:29:46.577Z",
        "updatedOn": "2025-06-24T20:18:43.389Z",
        "positionName": "Senior Developer",
        "isSCIMProvisioned": false
      }
    ],
    "userGroups": [
      {
        "id": "0babd381-2af5-4bf7-ac1c-0230f25cf088",
        "tenantId": "1eb866a0-2a81-4d3f-9831-6b4e9f4e633d",
        "userId": "0e1b099f-2e52-4307-8860-89314ef97dbb",
        "groupId": "3cad0e27-f8f0-4a96-9bbb-1fae4f9fb04f",
        "groupTypeId": "9a366bfc-7810-4d0f-a482-ed0cd09c6c15",
        "groupName": "Engineering Team",
        "groupTypeName": "Department",
        "isPrimaryOrg": false,
        "primaryOrgSetOn": "2025-06-24T11:18:20.853Z",
        "autoProvisioned": true,
        "isDeleted": true,
        "deletedOn": "2025-05-17T06:57:51.956Z",
        "createdOn": "2025-06-24T10:25:28.539Z",
        "updatedOn": "2025-06-24T21:38:00.944Z"
      }
    ],
    "isImpersonated": true
  }
}`

	// hardSeedAptlyBulkInvite is the example answer of Aptly's
	// POST /v1/user/bulk-invite.
	hardSeedAptlyBulkInvite = `{
  "statusCode": 200,
  "timestamp": "2026-01-12T09:10:12.337Z",
  "message": "Success",
  "data": {
    "total": 10,
    "successful": 8,
    "failed": 2,
    "results": [
      {
        "email": "<string>",
        "success": true,
        "message": "<string>"
      }
    ]
  }
}`

	// hardSeedAthenaBulkInvite is the example answer of AthenaHQ's
	// POST /api/v1/invites/bulk.
	hardSeedAthenaBulkInvite = `{
  "success": true,
  "results": [
    {
      "website_id": "123e4567-e89b-12d3-a456-426614174000",
      "success": true,
      "message": "User added to website",
      "user_id": "abc12345-e89b-12d3-a456-426614174000"
    },
    {
      "website_id": "987e6543-e21b-12d3-a456-426614174000",
      "success": false,
      "error": "User is already a member of this website"
    }
  ]
}`

	// hardSeedRoyaltiBulkUsers is the example answer of Royalti's
	// POST /user/bulk.
	hardSeedRoyaltiBulkUsers = `{
  "message": "Done.",
  "createdUsers": [
    "John Doe",
    "Jericho Doe"
  ],
  "processedCount": 3,
  "errors": [
    "User Jane Doe already associated with workspace!",
    "Invalid email format for Jacob Doe",
    "Invalid email format for Jake Doe"
  ]
}`

	// hardSeedRoyaltiInvite is the example answer of Royalti's
	// POST /auth/invite.
	hardSeedRoyaltiInvite = `{
  "message": "Successful, Email verification Instructions have been sent to your email"
}`
)

// fuzzToken is the credential of the fuzzed clients; no error may show it.
const fuzzToken = "tok_FUZZ_SECRET_13579"

// fuzzMaxBody is the fuzzed clients' response cap: small enough that the
// fuzzer reaches it, large enough for every seed.
const fuzzMaxBody = 16 << 10

// fuzzStatuses are the statuses a fuzzed answer can carry, picked by the
// fuzzer's code byte: the documented successes and the documented errors.
var fuzzStatuses = []int{200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503}

// fuzzCode returns the code byte that picks status.
func fuzzCode(status int) uint8 {
	for i, s := range fuzzStatuses {
		if s == status {
			return uint8(i)
		}
	}
	panic(fmt.Sprintf("status %d is not in fuzzStatuses", status))
}

// fuzzErrorSeeds are answers in each service's documented error shapes and
// a few bodies that are not what the documents describe.
var fuzzErrorSeeds = []struct {
	status int
	body   string
}{
	// Aptly (NestJS): message as a string or a list, error as the status text.
	{400, `{"statusCode":400,"message":["email must be an email","tenantId must be a UUID"],"error":"Bad Request"}`},
	{401, `{"statusCode":401,"message":"Unauthorized"}`},
	{409, `{"statusCode":409,"timestamp":"2026-01-12T09:10:12.337Z","message":"Email already exists","error":"Conflict"}`},
	// An Aptly envelope that reports failure inside a success status.
	{201, `{"statusCode":409,"timestamp":"2026-01-12T09:10:12.337Z","message":"Email already exists","data":null}`},
	{201, `{"statusCode":200,"timestamp":"2026-01-12T09:10:12.337Z","message":"Success","data":{}}`},
	{201, `{"statusCode":1000,"message":"not an HTTP status","data":{}}`},
	{201, `{"statusCode":-1,"data":{}}`},
	// AthenaHQ.
	{403, `{"error":"Group invites require a global API key"}`},
	{429, `{"error":"Too many requests"}`},
	// Royalti: structured and plain.
	{422, `{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid input","details":[{"field":"email","message":"must be a valid email"},"users is required"]}}`},
	{404, `{"message":"Workspace not found"}`},
	{500, `{"success":false,"error":{"code":"INTERNAL_ERROR","message":"Something went wrong"}}`},
	// Not the documented JSON.
	{200, `<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>`},
	{502, `<html><body>upstream connect error</body></html>`},
	{200, ``},
	{200, `null`},
	{200, `[]`},
	{201, `{"statusCode":"200","data":[]}`},
	{201, `{"message":"Done.","createdUsers":null,"errors":[1,2,3]}`},
	{200, "\xff\xfe\x00binary"},
}

// fuzzRoundTripper answers every request in memory with one status and body.
type fuzzRoundTripper struct {
	status int
	body   []byte
}

func (rt *fuzzRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", rt.status, http.StatusText(rt.status)),
		StatusCode:    rt.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(rt.body)),
		ContentLength: int64(len(rt.body)),
		Request:       req,
	}, nil
}

func FuzzUsersCreateResponse(f *testing.F)          { fuzzResponse(f, "Users.Create") }
func FuzzInvitesSendBulkResponse(f *testing.F)      { fuzzResponse(f, "Invites.SendBulk") }
func FuzzInvitesSendToTargetsResponse(f *testing.F) { fuzzResponse(f, "Invites.SendToTargets") }
func FuzzUsersCreateBulkResponse(f *testing.F)      { fuzzResponse(f, "Users.CreateBulk") }
func FuzzInvitesSendResponse(f *testing.F)          { fuzzResponse(f, "Invites.Send") }

// fuzzResponse fuzzes the answer to the endpoint called name.
func fuzzResponse(f *testing.F, name string) {
	ep := hardEndpointNamed(f, name)
	f.Add(fuzzCode(ep.okStatus), []byte(ep.okBody))
	f.Add(fuzzCode(http.StatusOK), []byte(ep.okBody))
	for _, s := range fuzzErrorSeeds {
		f.Add(fuzzCode(s.status), []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, code uint8, body []byte) {
		status := fuzzStatuses[int(code)%len(fuzzStatuses)]
		c, err := NewClient("https://fuzz.example"+ep.prefix, ep.auth(fuzzToken),
			WithHTTPClient(&http.Client{Transport: &fuzzRoundTripper{status: status, body: body}}),
			WithRetry(0), WithMaxResponseBytes(fuzzMaxBody))
		require.NoError(t, err)
		res, err := ep.call(t.Context(), c)
		fuzzCheck(t, ep, status, body, res, err)
	})
}

// fuzzCheck asserts that an answer of status and body came back as a typed
// result or as an *APIError describing it.
func fuzzCheck(t *testing.T, ep hardEndpoint, status int, body []byte, res any, err error) {
	if err == nil {
		require.Equal(t, 2, status/100, "HTTP %d was taken for success", status)
		require.NotNil(t, res, "no error and no result")
		if r, ok := res.(*CreateUsersResult); ok {
			assert.Len(t, r.Outcomes, 1, "one outcome per user sent")
		}
		return
	}
	require.Nil(t, res, "a result with an error")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "%T: %v", err, err)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.LessOrEqual(t, len(apiErr.Body), fuzzMaxBody)
	assert.True(t, bytes.HasPrefix(body, apiErr.Body), "Body is a prefix of what came")
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "onboard: POST "+ep.prefix+ep.path+": "), msg)
	assert.NotContains(t, msg, fuzzToken)

	unexpected := errors.Is(err, ErrUnexpectedResponse)
	switch {
	case status/100 != 2:
		assert.False(t, unexpected, "an error status is not an unexpected body: %v", err)
		if s := hardSentinelFor(status); s != nil {
			assert.ErrorIs(t, err, s)
		}
	case !unexpected:
		// A success status fails only as an envelope that reports failure.
		require.True(t, ep.envelope, "HTTP %d failed with %v", status, err)
		require.GreaterOrEqual(t, apiErr.EnvelopeStatusCode, 400, "HTTP %d failed with %v", status, err)
		if s := hardSentinelFor(apiErr.EnvelopeStatusCode); s != nil {
			assert.ErrorIs(t, err, s)
		}
	}
}

// hardSentinelFor is the sentinel the documents' statuses map to.
func hardSentinelFor(status int) error {
	switch {
	case status == 400 || status == 422:
		return ErrBadRequest
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404:
		return ErrNotFound
	case status == 409:
		return ErrConflict
	case status == 429:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return nil
}
