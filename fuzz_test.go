package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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

// The documents' response examples, verbatim, as kept in testdata/.
var (
	hardSeedAptlyCreateUser  = hardSeed("aptly_create_user.json")
	hardSeedAptlyBulkInvite  = hardSeed("aptly_bulk_invite.json")
	hardSeedAthenaBulkInvite = hardSeed("athenahq_bulk_invite.json")
	hardSeedRoyaltiBulkUsers = hardSeed("royalti_bulk_create.json")
	hardSeedRoyaltiInvite    = hardSeed("royalti_invite.json")
)

// hardSeed reads a document example from testdata/. Tests run in the
// package's folder, so the path is fixed; a missing file is a broken
// checkout, and panics at start-up.
func hardSeed(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

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
