package onboard_test

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

	"github.com/onboardkit/onboard"
)

// Fuzz targets for response decoding: each feeds arbitrary bytes, under a
// status the fuzzer also picks, through the real pipeline of one endpoint
// (transport, credential, status check, size cap, envelope, decoding) with
// an in-memory http.RoundTripper, so no network is used. Whatever comes back
// must be a typed result or an *APIError that describes the answer; nothing
// may panic. The seeds are the documents' examples and the services' error
// shapes, and run in every go test.
//
//	go test -run '^$' -fuzz '^FuzzAptlyUsersCreateResponse$' -fuzztime 30s .

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

func FuzzAptlyUsersCreateResponse(f *testing.F)     { fuzzResponse(f, "aptly: Users.Create") }
func FuzzAptlyInvitesSendBulkResponse(f *testing.F) { fuzzResponse(f, "aptly: Invites.SendBulk") }
func FuzzAthenaInvitesSendToTargetsResponse(f *testing.F) {
	fuzzResponse(f, "athena: Invites.SendToTargets")
}
func FuzzRoyaltiUsersCreateBulkResponse(f *testing.F) { fuzzResponse(f, "royalti: Users.CreateBulk") }
func FuzzRoyaltiInvitesSendResponse(f *testing.F)     { fuzzResponse(f, "royalti: Invites.Send") }

// fuzzResponse fuzzes the answer to the endpoint whose op is op.
func fuzzResponse(f *testing.F, op string) {
	ep := endpointNamed(f, op)
	f.Add(fuzzCode(ep.okStatus), []byte(ep.okBody))
	f.Add(fuzzCode(http.StatusOK), []byte(ep.okBody))
	for _, s := range fuzzErrorSeeds {
		f.Add(fuzzCode(s.status), []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, code uint8, body []byte) {
		status := fuzzStatuses[int(code)%len(fuzzStatuses)]
		c := newClients(t, site("https://fuzz.example"),
			onboard.WithHTTPClient(&http.Client{Transport: &fuzzRoundTripper{status: status, body: body}}),
			onboard.WithRetry(0), onboard.WithMaxResponseBytes(fuzzMaxBody))
		res, err := ep.call(t.Context(), c)
		fuzzCheck(t, ep, status, body, res, err)
	})
}

// fuzzCheck asserts that an answer of status and body came back as a typed
// result or as an *APIError describing it.
func fuzzCheck(t *testing.T, ep endpointCase, status int, body []byte, res any, err error) {
	if err == nil {
		require.Equal(t, 2, status/100, "HTTP %d was taken for success", status)
		require.NotNil(t, res, "no error and no result")
		if r, ok := res.(*onboard.RoyaltiCreateUsersResult); ok {
			assert.Len(t, r.Outcomes, 1, "one outcome per user sent")
		}
		return
	}
	require.Nil(t, res, "a result with an error")
	var apiErr *onboard.APIError
	require.ErrorAs(t, err, &apiErr, "%T: %v", err, err)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.LessOrEqual(t, len(apiErr.Body), fuzzMaxBody)
	assert.True(t, bytes.HasPrefix(body, apiErr.Body), "Body is a prefix of what came")
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "onboard: POST "+ep.fullPath()+": "), msg)
	assert.NotContains(t, msg, testToken)
	assert.NotContains(t, msg, testAPIKey)

	unexpected := errors.Is(err, onboard.ErrUnexpectedResponse)
	switch {
	case status/100 != 2:
		assert.False(t, unexpected, "an error status is not an unexpected body: %v", err)
		if s := sentinelFor(status); s != nil {
			assert.ErrorIs(t, err, s)
		}
	case !unexpected:
		// A success status fails only as an envelope that reports failure.
		require.True(t, ep.envelope, "HTTP %d failed with %v", status, err)
		require.GreaterOrEqual(t, apiErr.EnvelopeStatusCode, 400, "HTTP %d failed with %v", status, err)
		if s := sentinelFor(apiErr.EnvelopeStatusCode); s != nil {
			assert.ErrorIs(t, err, s)
		}
	}
}
