package onboard_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// sentinels are the status sentinels an *APIError can match.
var sentinels = []error{
	onboard.ErrBadRequest, onboard.ErrUnauthorized, onboard.ErrForbidden, onboard.ErrNotFound,
	onboard.ErrConflict, onboard.ErrRateLimited, onboard.ErrServer, onboard.ErrUnexpectedResponse,
	onboard.ErrInvalidRequest,
}

// assertOnlySentinel checks that err matches want and no other sentinel.
func assertOnlySentinel(t *testing.T, err, want error) {
	t.Helper()
	for _, s := range sentinels {
		assert.Equal(t, errors.Is(s, want), errors.Is(err, s), "errors.Is(err, %v) for %v", s, err)
	}
}

// errCase is one documented error answer and what the SDK must read from it.
type errCase struct {
	name     string
	status   int
	body     string
	message  string
	code     string
	details  []string
	envelope int // EnvelopeStatusCode
	sentinel error
}

// sentinelFor is the sentinel the documents' statuses map to, or nil.
func sentinelFor(status int) error {
	switch {
	case status == 400 || status == 422:
		return onboard.ErrBadRequest
	case status == 401:
		return onboard.ErrUnauthorized
	case status == 403:
		return onboard.ErrForbidden
	case status == 404:
		return onboard.ErrNotFound
	case status == 409:
		return onboard.ErrConflict
	case status == 429:
		return onboard.ErrRateLimited
	case status >= 500:
		return onboard.ErrServer
	}
	return nil
}

// aptlyErrors are Aptly's envelope errors: a message (sometimes a list of
// them) beside the status text in "error".
func aptlyErrors() []errCase {
	msgs := map[int]string{
		400: "tenantId must be a UUID", 401: "Unauthorized", 403: "Forbidden resource",
		404: "Tenant not found", 409: "Email already exists", 429: "Too many requests", 500: "Internal server error",
	}
	var out []errCase
	for _, status := range []int{400, 401, 403, 404, 409, 429, 500} {
		text := http.StatusText(status)
		out = append(out, errCase{
			name:   fmt.Sprintf("Aptly %d", status),
			status: status,
			body: fmt.Sprintf(`{"statusCode":%d,"timestamp":"2026-01-12T09:10:12.337Z","message":%s,"error":%s}`,
				status, quote(msgs[status]), quote(text)),
			message: msgs[status], code: text, envelope: status, sentinel: sentinelFor(status),
		})
	}
	out = append(out, errCase{
		name:     "Aptly 400 with a list of messages",
		status:   400,
		body:     `{"statusCode":400,"message":["email must be an email","firstName should not be empty"],"error":"Bad Request"}`,
		message:  "email must be an email; firstName should not be empty",
		code:     "Bad Request",
		envelope: 400, sentinel: onboard.ErrBadRequest,
	})
	return out
}

// royaltiErrors are Royalti's two error shapes for each documented status.
func royaltiErrors() []errCase {
	var out []errCase
	for _, status := range []int{400, 401, 404, 409, 422, 429, 500} {
		code := strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
		out = append(out,
			errCase{
				name:   fmt.Sprintf("Royalti %d structured", status),
				status: status,
				body: fmt.Sprintf(`{"success":false,"error":{"code":%q,"message":"%s happened",`+
					`"details":[{"field":"users[0].email","message":"is taken"},"see the docs"]}}`, code, http.StatusText(status)),
				message:  http.StatusText(status) + " happened",
				code:     code,
				details:  []string{"users[0].email: is taken", "see the docs"},
				sentinel: sentinelFor(status),
			},
			errCase{
				name:     fmt.Sprintf("Royalti %d plain", status),
				status:   status,
				body:     fmt.Sprintf(`{"message":"plain %d"}`, status),
				message:  fmt.Sprintf("plain %d", status),
				sentinel: sentinelFor(status),
			},
		)
	}
	return out
}

// athenaErrors are AthenaHQ's {"error": "..."} answers.
func athenaErrors() []errCase {
	msgs := map[int]string{
		400: "Provide exactly one of website_ids or group_ids", 401: "Invalid API key",
		403: "Group invites require a global API key", 429: "Rate limit exceeded", 500: "Internal server error",
	}
	var out []errCase
	for _, status := range []int{400, 401, 403, 429, 500} {
		out = append(out, errCase{
			name:     fmt.Sprintf("AthenaHQ %d", status),
			status:   status,
			body:     fmt.Sprintf(`{"error":%s}`, quote(msgs[status])),
			message:  msgs[status],
			sentinel: sentinelFor(status),
		})
	}
	return out
}

func TestAPIError_documentedStatuses(t *testing.T) {
	t.Parallel()
	errorsFor := map[api][]errCase{aptlyAPI: aptlyErrors(), athenaAPI: athenaErrors(), royaltiAPI: royaltiErrors()}
	for _, ep := range endpoints() {
		for _, ec := range errorsFor[ep.api] {
			t.Run(ep.name()+"/"+ec.name, func(t *testing.T) {
				t.Parallel()
				// No retries: a 429 must come back after one attempt here.
				srv := newServer(t)
				c := newClients(t, srv, onboard.WithRetry(0))
				srv.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) {
					h := []string{"X-Request-Id", "rid-" + itoa(ec.status)}
					if ec.status == http.StatusTooManyRequests {
						h = append(h, "Retry-After", "7")
					}
					reply(w, ec.status, ec.body, h...)
				})

				res, err := ep.call(testCtx(t), c)
				assert.Nil(t, res)
				apiErr := mustAPIError(t, err)
				assert.Equal(t, http.MethodPost, apiErr.Method)
				assert.Equal(t, ep.fullPath(), apiErr.Path)
				assert.Equal(t, ec.status, apiErr.StatusCode)
				assert.Equal(t, ec.envelope, apiErr.EnvelopeStatusCode)
				assert.Equal(t, ec.message, apiErr.Message)
				assert.Equal(t, ec.code, apiErr.Code)
				assert.Equal(t, ec.details, apiErr.Details)
				assert.Equal(t, "rid-"+itoa(ec.status), apiErr.RequestID)
				assert.Equal(t, 1, apiErr.Attempts)
				assert.Equal(t, ec.body, string(apiErr.Body))
				assert.Equal(t, "rid-"+itoa(ec.status), apiErr.Header.Get("X-Request-Id"))
				if ec.status == http.StatusTooManyRequests {
					assert.Equal(t, 7*time.Second, apiErr.RetryAfter)
				} else {
					assert.Zero(t, apiErr.RetryAfter)
				}
				assertOnlySentinel(t, err, ec.sentinel)
				assert.Contains(t, err.Error(), ec.message)
				assert.Contains(t, err.Error(), "rid-"+itoa(ec.status))
				assert.NotContains(t, err.Error(), testToken)
				assert.NotContains(t, err.Error(), testAPIKey)
				assert.Equal(t, 1, srv.count())
			})
		}
	}
}

// Aptly can answer 2xx with an envelope whose statusCode reports failure.
func TestAPIError_envelopeReportsFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		http     int
		body     string
		envelope int
		message  string
		sentinel error
	}{
		{"data null", 201, `{"statusCode":409,"timestamp":"2026-01-12T09:10:12.337Z","message":"Email already exists","data":null}`,
			409, "Email already exists", onboard.ErrConflict},
		{"no data", 201, `{"statusCode":400,"timestamp":"2026-01-12T09:10:12.337Z","message":"Invalid tenant"}`,
			400, "Invalid tenant", onboard.ErrBadRequest},
		{"empty data", 200, `{"statusCode":404,"timestamp":"2026-01-12T09:10:12.337Z","message":"Tenant not found","data":{}}`,
			404, "Tenant not found", onboard.ErrNotFound},
		{"server failure", 200, `{"statusCode":500,"timestamp":"2026-01-12T09:10:12.337Z","message":"Something broke","data":{}}`,
			500, "Something broke", onboard.ErrServer},
	}
	for _, ep := range endpoints() {
		if ep.api != aptlyAPI {
			continue
		}
		for _, tt := range tests {
			t.Run(ep.name()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t)
				srv.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) { reply(w, tt.http, tt.body) })

				var meta onboard.Response
				_, err := ep.call(testCtx(t), newClients(t, srv), onboard.WithResponse(&meta))
				apiErr := mustAPIError(t, err)
				assert.Equal(t, tt.http, apiErr.StatusCode)
				assert.Equal(t, tt.envelope, apiErr.EnvelopeStatusCode)
				assert.Equal(t, tt.message, apiErr.Message)
				assert.Equal(t, tt.body, string(apiErr.Body))
				assertOnlySentinel(t, err, tt.sentinel)
				assert.Contains(t, err.Error(), tt.message)
				assert.Equal(t, 1, srv.count(), "a failure inside a 2xx is not retried")

				assert.Equal(t, tt.http, meta.StatusCode)
				require.NotNil(t, meta.Envelope, "the envelope of a failed call is reachable")
				assert.Equal(t, tt.envelope, meta.Envelope.StatusCode)
				assert.Equal(t, tt.message, meta.Envelope.Message)
				assert.Equal(t, ts(t, "2026-01-12T09:10:12.337Z"), meta.Envelope.Timestamp)
			})
		}
	}
}

// A 2xx whose body is not the documented JSON is an *APIError matching
// ErrUnexpectedResponse that shows what came back; never a panic and never
// a zero result without an error.
func TestAPIError_unexpectedSuccessBody(t *testing.T) {
	t.Parallel()
	big := `{"message":"` + strings.Repeat("x", 500) + `"}`
	tests := []struct {
		name     string
		status   int
		body     string
		aptly    bool // only for the envelope endpoints
		plain    bool // only for the endpoints without an envelope
		maxBytes int64
		contains string // in the error text
	}{
		{name: "HTML", status: 200, body: "<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>", contains: "502 Bad Gateway"},
		{name: "empty", status: 200, body: ""},
		{name: "no content", status: 204, body: ""},
		{name: "truncated", status: 201, body: `{"statusCode":200,"message":"Succ`},
		{name: "a list", status: 200, body: `[1,2,3]`},
		{name: "a string", status: 200, body: `"ok"`},
		{name: "null", status: 200, body: `null`},
		{name: "too large", status: 200, body: big, maxBytes: 100, contains: "cap"},
		{name: "envelope without data", status: 201, body: `{"statusCode":200,"timestamp":"2026-01-12T09:10:12.337Z","message":"Success"}`, aptly: true},
		{name: "envelope with data null", status: 201, body: `{"statusCode":200,"message":"Success","data":null}`, aptly: true},
		{name: "envelope without statusCode", status: 201, body: `{"message":"Success","data":{}}`, aptly: true},
		{name: "envelope with data of the wrong type", status: 201, body: `{"statusCode":200,"message":"Success","data":"done"}`, aptly: true},
		{name: "wrong field type", status: 200, body: `{"message":42,"results":"none","createdUsers":7}`, plain: true},
	}
	for _, ep := range endpoints() {
		for _, tt := range tests {
			if tt.aptly && !ep.envelope || tt.plain && ep.envelope {
				continue
			}
			t.Run(ep.name()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var opts []onboard.Option
				if tt.maxBytes > 0 {
					opts = append(opts, onboard.WithMaxResponseBytes(tt.maxBytes))
				}
				srv := newServer(t)
				c := newClients(t, srv, opts...)
				srv.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) { reply(w, tt.status, tt.body) })

				var res any
				var err error
				require.NotPanics(t, func() { res, err = ep.call(testCtx(t), c) })
				assert.Nil(t, res, "no result with an error")
				apiErr := mustAPIError(t, err)
				assertOnlySentinel(t, err, onboard.ErrUnexpectedResponse)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				if tt.maxBytes > 0 {
					assert.Equal(t, tt.body[:tt.maxBytes], string(apiErr.Body))
				} else {
					assert.Equal(t, tt.body, string(apiErr.Body))
				}
				assert.Contains(t, err.Error(), "not the documented JSON")
				if tt.contains != "" {
					assert.Contains(t, err.Error(), tt.contains)
				}
				assert.False(t, tryLater(apiErr))
				assert.Equal(t, 1, srv.count(), "an unexpected body is not retried")
			})
		}
	}
}

// An error body is cut at the size cap, and the error still says what it is.
func TestAPIError_bodyCapped(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithMaxResponseBytes(64))
	body := `{"message":"` + strings.Repeat("y", 1000) + `"}`
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusInternalServerError, body)
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	apiErr := mustAPIError(t, err)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.Equal(t, body[:64], string(apiErr.Body))
	assertOnlySentinel(t, err, onboard.ErrServer)
}

func TestAPIError_Is(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, envelope int
		want             error
	}{
		{400, 0, onboard.ErrBadRequest},
		{422, 0, onboard.ErrBadRequest},
		{401, 0, onboard.ErrUnauthorized},
		{403, 0, onboard.ErrForbidden},
		{404, 0, onboard.ErrNotFound},
		{409, 0, onboard.ErrConflict},
		{429, 0, onboard.ErrRateLimited},
		{500, 0, onboard.ErrServer},
		{502, 0, onboard.ErrServer},
		{503, 0, onboard.ErrServer},
		{504, 0, onboard.ErrServer},
		{418, 0, nil},
		{302, 0, nil},
		// A 2xx envelope reporting failure is judged by its statusCode...
		{201, 409, onboard.ErrConflict},
		{200, 401, onboard.ErrUnauthorized},
		// ...but a failed HTTP status wins over the envelope's.
		{500, 200, onboard.ErrServer},
		{404, 400, onboard.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d", tt.status, tt.envelope), func(t *testing.T) {
			t.Parallel()
			err := error(&onboard.APIError{Method: "POST", Path: "/x", StatusCode: tt.status, EnvelopeStatusCode: tt.envelope})
			assertOnlySentinel(t, err, tt.want)
			wrapped := fmt.Errorf("onboarding batch 3: %w", err)
			if tt.want != nil {
				assert.ErrorIs(t, wrapped, tt.want)
			}
		})
	}
}

// tryLater reports whether err says a later repeat may succeed, as a
// caller asks it: a rate limit or a server error.
func tryLater(err error) bool {
	return errors.Is(err, onboard.ErrRateLimited) || errors.Is(err, onboard.ErrServer)
}

func TestAPIError_tryLater(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{400: false, 401: false, 404: false, 409: false, 429: true, 500: true, 503: true} {
		assert.Equal(t, want, tryLater(&onboard.APIError{StatusCode: status}), "status %d", status)
	}
}

func TestAPIError_Error(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      *onboard.APIError
		contains []string
		absent   []string
	}{
		{
			name: "status, message, details, attempts and request id",
			err: &onboard.APIError{Method: "POST", Path: "/royalti/user/bulk", StatusCode: 422, Message: "Validation failed",
				Details: []string{"users[0].email: is taken"}, Attempts: 3, RequestID: "rid-9"},
			contains: []string{"POST /royalti/user/bulk", "422 Unprocessable Entity", "Validation failed", "users[0].email: is taken", "after 3 attempts", "rid-9"},
		},
		{
			name:     "envelope status differs from HTTP",
			err:      &onboard.APIError{Method: "POST", Path: "/auth/v1/user/create", StatusCode: 201, EnvelopeStatusCode: 409, Message: "Email already exists"},
			contains: []string{"409 Conflict", "(HTTP 201)", "Email already exists"},
		},
		{
			name:     "rate limit says how long to wait",
			err:      &onboard.APIError{Method: "POST", Path: "/x", StatusCode: 429, RetryAfter: 7 * time.Second},
			contains: []string{"429 Too Many Requests", "wait 7s"},
		},
		{
			name:     "unauthorized points at the credential",
			err:      &onboard.APIError{Method: "POST", Path: "/x", StatusCode: 401},
			contains: []string{"401 Unauthorized", "credential"},
		},
		{
			name:     "one attempt is not mentioned",
			err:      &onboard.APIError{Method: "POST", Path: "/x", StatusCode: 404, Attempts: 1},
			contains: []string{"404 Not Found"},
			absent:   []string{"attempts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := tt.err.Error()
			for _, s := range tt.contains {
				assert.Contains(t, msg, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, msg, s)
			}
			assert.NotContains(t, msg, "\n")
		})
	}
}

// No error text carries a credential or a query value, whatever failed.
func TestErrors_noSecrets(t *testing.T) {
	t.Parallel()
	const workspace, user = "ws-7c1f9a-PRIVATE", "user-2b8e44-PRIVATE"
	req := func() *onboard.RoyaltiInviteRequest {
		return &onboard.RoyaltiInviteRequest{Email: "ada@example.com", WorkspaceID: workspace, UserID: user}
	}
	auths := map[string]onboard.Authenticator{
		"bearer": onboard.BearerToken(testToken),
		"basic":  onboard.BasicAuth(testUsername, testPassword),
		"func": onboard.BearerTokenFunc(func(context.Context) (string, error) {
			return testToken, nil
		}),
	}
	check := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		for _, secret := range []string{testToken, testPassword, workspace, user, "ada@example.com"} {
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, fmt.Sprintf("%+v", err), secret)
		}
	}
	for name, auth := range auths {
		t.Run(name+"/server error", func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, withAuth(srv, auth))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusInternalServerError, `{"message":"boom"}`)
			})
			_, err := c.Invites.Send(testCtx(t), req())
			check(t, err)
		})
		t.Run(name+"/connection refused", func(t *testing.T) {
			t.Parallel()
			c := newRoyalti(t, withAuth(site(closedURL(t)), auth), onboard.WithRetry(0))
			_, err := c.Invites.Send(testCtx(t), req())
			mustRequestError(t, err)
			check(t, err)
		})
		t.Run(name+"/unexpected body", func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, withAuth(srv, auth))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusOK, `<html>maintenance</html>`)
			})
			_, err := c.Invites.Send(testCtx(t), req())
			check(t, err)
		})
	}
}

func TestRequestError(t *testing.T) {
	t.Parallel()
	c := newRoyalti(t, site(closedURL(t)), onboard.WithRetry(0))
	_, err := c.Users.CreateBulk(testCtx(t), validCreateUsers())
	re := mustRequestError(t, err)
	assert.Equal(t, "royalti: Users.CreateBulk", re.Op)
	assert.Equal(t, http.MethodPost, re.Method)
	assert.Equal(t, royaltiPrefix+"/user/bulk", re.Path)
	assert.Equal(t, 1, re.Attempts)
	assert.Error(t, errors.Unwrap(err))
	assert.Contains(t, err.Error(), "no response")
	var apiErr *onboard.APIError
	assert.NotErrorAs(t, err, &apiErr, "no answer is not an APIError")
	for _, s := range sentinels {
		assert.NotErrorIs(t, err, s)
	}
}
