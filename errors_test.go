package onboard_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
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

// assertNoAddress fails if text holds any of the addresses whole, or the
// local part of one before its "@".
func assertNoAddress(t *testing.T, text string, addrs ...string) {
	t.Helper()
	for _, a := range addrs {
		local, _, _ := strings.Cut(a, "@")
		assert.NotContains(t, text, a)
		assert.NotContains(t, text, local+"@", "the local part of %s", a)
	}
}

// Input quoted by a ValidationError is masked in Error() and in
// FieldError.String(), and kept whole in the field problem for programs.
func TestErrorText_validationMasksAddresses(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	req := validCreateUser()
	req.Email = "Ada <ada.lovelace+news@example.com>"
	_, err := c.Users.Create(testCtx(t), req)
	ve := mustValidationError(t, err)
	assert.Zero(t, srv.count(), "nothing is sent")

	assertNoAddress(t, err.Error(), "ada.lovelace+news@example.com")
	assert.Contains(t, err.Error(), `"Ada <a***@example.com>" is not a valid email address`)
	require.NotEmpty(t, ve.Problems)
	assertNoAddress(t, ve.Problems[0].String(), "ada.lovelace+news@example.com")
	assertNoAddress(t, fmt.Sprint(ve.Problems), "ada.lovelace+news@example.com")
	assert.Contains(t, ve.Problems[0].Message, req.Email, "the problem keeps the input for programs")
}

// A server's message, details and non-JSON body can hold addresses; the
// error text masks them and the fields keep them.
func TestErrorText_apiErrorMasksAddresses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		addrs   []string
		shown   string // in the error text
		message string // the Message the error keeps, when checked
	}{
		{
			name: "Royalti conflict", status: http.StatusConflict,
			body:    `{"message":"User x@example.com already associated with workspace!"}`,
			addrs:   []string{"x@example.com"},
			shown:   "User x***@example.com already associated",
			message: "User x@example.com already associated with workspace!",
		},
		{
			name: "details", status: http.StatusUnprocessableEntity,
			body: `{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Validation failed",` +
				`"details":[{"field":"users[0].email","message":"\"ada@example.com\" is taken"},"<bob+x@mail.example.org> too",` +
				`"jöran@exämple.de, 用户@例子.广告"]}}`,
			addrs: []string{"ada@example.com", "bob+x@mail.example.org", "jöran@exämple.de", "用户@例子.广告"},
			shown: `"a***@example.com" is taken; <b***@mail.example.org> too; j***@exämple.de, 用***@例子.广告`,
		},
		{
			name: "HTML error page", status: http.StatusBadGateway,
			body:    "<html><body><p>Write to ops.team@example.com or oncall@example.com</p></body></html>",
			addrs:   []string{"ops.team@example.com", "oncall@example.com"},
			shown:   "Write to o***@example.com or o***@example.com",
			message: "<html><body><p>Write to ops.team@example.com or oncall@example.com</p></body></html>",
		},
		{
			name: "address cut by the snippet", status: http.StatusBadGateway,
			body:  strings.Repeat("x ", 95) + "ada.lovelace@example.com is down",
			addrs: []string{"ada.lovelace@example.com", "ada.lov"},
			shown: "x x x …",
		},
		{
			name: "success body that is not JSON", status: http.StatusOK,
			body:  "maintenance; questions to ops@example.com",
			addrs: []string{"ops@example.com"},
			shown: "questions to o***@example.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(0))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, tt.status, tt.body)
			})
			_, err := c.Invites.Send(testCtx(t), validInvite())
			apiErr := mustAPIError(t, err)
			assertNoAddress(t, err.Error(), tt.addrs...)
			assertNoAddress(t, fmt.Sprintf("%v|%+v|%s", err, err, fmt.Errorf("wrapped: %w", err)), tt.addrs...)
			assert.Contains(t, err.Error(), tt.shown)
			if tt.message != "" {
				assert.Equal(t, tt.message, apiErr.Message, "the field keeps the server's words")
			}
		})
	}
}

// The cause of a RequestError can be the caller's own error, from a
// BearerTokenFunc; its text is masked too, and the cause is kept whole.
func TestErrorText_requestErrorMasksAddresses(t *testing.T) {
	t.Parallel()
	cause := errors.New("no token cached for svc-ada@example.com")
	srv := newServer(t)
	c := newRoyalti(t, withAuth(srv, onboard.BearerTokenFunc(func(context.Context) (string, error) { return "", cause })))
	_, err := c.Invites.Send(testCtx(t), validInvite())
	mustRequestError(t, err)
	assert.Zero(t, srv.count())
	assertNoAddress(t, err.Error(), "svc-ada@example.com")
	assert.Contains(t, err.Error(), "s***@example.com")
	assert.ErrorIs(t, err, cause, "the cause is kept for programs")
}

// The items a bulk run did not send carry an error wrapping what stopped
// the run; its text is masked because the cause's is.
func TestErrorText_stoppedRunMasksAddresses(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv, onboard.WithRetry(0))
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusUnauthorized, `{"statusCode":401,"message":"token of admin@example.com has expired","error":"Unauthorized"}`)
	})
	people := []onboard.AptlyInvitee{{Email: "a@example.com"}, {Email: "b@example.com"}, {Email: "c@example.com"}}
	rep, err := c.Invites.SendBulkAll(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: tenantID}, people, onboard.WithBatchSize(1), onboard.WithConcurrency(1))
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
	assertNoAddress(t, err.Error(), "admin@example.com")
	require.Len(t, rep.Outcomes, 3)
	stopped := 0
	for _, o := range rep.Outcomes {
		require.Error(t, o.Err)
		assertNoAddress(t, o.Err.Error(), "admin@example.com")
		if errors.Is(o.Err, onboard.ErrStopped) {
			stopped++
		}
	}
	assert.Positive(t, stopped, "some items were not sent because the run stopped")
}

// Retry-After is capped at a day in both its forms, in the error and in
// the response metadata: a date decades on is a day, as is a huge number
// of seconds.
func TestRetryAfter_cappedInBothForms(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"Fri, 31 Dec 2099 23:59:59 GMT", "99999999999"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(0))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusTooManyRequests, `{"message":"slow down"}`, "Retry-After", v)
			})
			var meta onboard.Response
			_, err := c.Invites.Send(testCtx(t), validInvite(), onboard.WithResponse(&meta))
			apiErr := mustAPIError(t, err)
			assert.Equal(t, 24*time.Hour, apiErr.RetryAfter)
			assert.Equal(t, 24*time.Hour, meta.RetryAfter)
			assert.Contains(t, err.Error(), "wait 24h0m0s")
		})
	}
}

// allocated returns the bytes the process allocated while call ran.
func allocated(call func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	call()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Reading a body costs about the cap, not a multiple of it, and an error
// keeps a bounded copy of the body, however large the body was. Bytes
// allocated are counted process-wide, so this test is not parallel. The
// bounds leave room for the call's own few kilobytes: a body of unknown
// length may cost the cap, an eighth more while the buffer grows to it, and
// the error's copy (about 1.4 MiB here; it was 4.2 MiB); a body the error
// keeps only the start of costs a few times that copy.
func TestReadCost_boundedByCap(t *testing.T) {
	const limit = 1 << 20
	words := []byte(strings.Repeat("a ", 2*limit)) // 4 MiB of one-letter words
	tests := []struct {
		name     string
		status   int
		body     []byte
		announce bool   // send Content-Length
		bound    uint64 // bytes one call may allocate
	}{
		{"success over the cap, length unknown", http.StatusOK, words, false, limit * 7 / 4},
		{"success at the cap, length unknown", http.StatusOK, words[:limit], false, limit * 7 / 4},
		{"success over the cap, length announced", http.StatusOK, words, true, 8 * onboard.MaxErrorBodyBytes},
		{"error over the cap, length unknown", http.StatusInternalServerError, words, false, 8 * onboard.MaxErrorBodyBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(0), onboard.WithMaxResponseBytes(limit))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				if tt.announce {
					w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)))
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write(tt.body)
			})
			ctx := testCtx(t)
			_, _ = c.Invites.Send(ctx, validInvite()) // warm up

			var meta onboard.Response
			var err error
			n := allocated(func() { _, err = c.Invites.Send(ctx, validInvite(), onboard.WithResponse(&meta)) })
			assert.Less(t, n, tt.bound, "bytes allocated by one call with a %d-byte cap", limit)

			apiErr := mustAPIError(t, err)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.LessOrEqual(t, cap(apiErr.Body), onboard.MaxErrorBodyBytes, "the error's copy of the body")
			assert.Equal(t, tt.body[:len(apiErr.Body)], apiErr.Body)
			assert.LessOrEqual(t, len(apiErr.Message), 200+len("…"))
			assert.LessOrEqual(t, cap(meta.Body), onboard.MaxErrorBodyBytes, "Response.Body of a failed call")
		})
	}
}

// Response.Body keeps a success body whole, and not inside a buffer grown
// for a body of the cap's size.
func TestResponseBody_successKeptWhole(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithMaxResponseBytes(limit))
	body := `{"message":"Invite sent","padding":"` + strings.Repeat("p", 300<<10) + `"}`
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, body) // larger than a write buffer: sent without a length
	})
	var meta onboard.Response
	res, err := c.Invites.Send(testCtx(t), validInvite(), onboard.WithResponse(&meta))
	require.NoError(t, err)
	assert.Equal(t, "Invite sent", res.Message)
	assert.Equal(t, body, string(meta.Body))
	assert.LessOrEqual(t, cap(meta.Body), 2*len(body), "the buffer kept is about the body's size")
}

// An Aptly failure envelope larger than the error's copy of it still
// reports its status, read from the whole body.
func TestAPIError_cutFailureEnvelopeKeepsItsStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	data := `{"padding":"` + strings.Repeat("p", onboard.MaxErrorBodyBytes) + `"}`
	srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, envelope(409, "Email already exists", data))
	})
	_, err := c.Users.Create(testCtx(t), validCreateUser())
	apiErr := mustAPIError(t, err)
	assertOnlySentinel(t, err, onboard.ErrConflict)
	assert.Equal(t, 409, apiErr.EnvelopeStatusCode)
	assert.Len(t, apiErr.Body, onboard.MaxErrorBodyBytes)
}

// stalledBody returns no bytes and no error, for ever.
type stalledBody struct{}

func (stalledBody) Read([]byte) (int, error) { return 0, nil }
func (stalledBody) Close() error             { return nil }

type stalledTransport struct{}

func (stalledTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: stalledBody{}, ContentLength: -1, Request: r}, nil
}

// A body that neither gives bytes nor ends fails the call rather than
// keeping it spinning.
func TestReadCapped_bodyWithoutProgress(t *testing.T) {
	t.Parallel()
	c := newRoyalti(t, site("http://127.0.0.1:1"), onboard.WithHTTPClient(&http.Client{Transport: stalledTransport{}}))
	_, err := c.Invites.Send(testCtx(t), validInvite())
	mustAPIError(t, err)
	assert.ErrorIs(t, err, onboard.ErrUnexpectedResponse)
	assert.ErrorIs(t, err, io.ErrNoProgress)
}

// A credential the server echoed where the error's copy of the body is cut
// is redacted whole before the cut, not left as a first part: in a failure
// body, and in a success body announced over the cap.
func TestAPIError_secretAcrossTheCutIsRedacted(t *testing.T) {
	t.Parallel()
	const limit = 4 * onboard.MaxErrorBodyBytes
	body := strings.Repeat("x", onboard.MaxErrorBodyBytes-5) + testToken + strings.Repeat(" y", limit)
	for _, tt := range []struct {
		status   int
		announce bool
	}{{http.StatusInternalServerError, false}, {http.StatusOK, true}} {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRetry(0), onboard.WithMaxResponseBytes(limit))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				if tt.announce {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, body)
			})
			_, err := c.Invites.Send(testCtx(t), validInvite())
			apiErr := mustAPIError(t, err)
			assert.Len(t, apiErr.Body, onboard.MaxErrorBodyBytes)
			assert.NotContains(t, string(apiErr.Body), testToken[:4])
		})
	}
}

// Every outcome of a failed batch points at the batch's error, so what an
// error keeps is what a report of many failed batches holds: a bounded copy
// of each body, not a buffer the size of the cap.
func TestBulkReport_failedBatchesKeepBoundedBodies(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	srv := newServer(t)
	c := newAptly(t, srv, onboard.WithMaxResponseBytes(limit))
	body := `{"statusCode":400,"message":"` + strings.Repeat("m", limit) + `","error":"Bad Request"}`
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusBadRequest, body)
	})
	people := make([]onboard.AptlyInvitee, 8)
	for i := range people {
		people[i] = onboard.AptlyInvitee{Email: fmt.Sprintf("p%d@example.com", i)}
	}
	rep, err := c.Invites.SendBulkAll(testCtx(t), &onboard.AptlyBulkInviteRequest{TenantID: tenantID}, people, onboard.WithBatchSize(1), onboard.WithConcurrency(2))
	require.NoError(t, err, "a refused batch does not stop the run")
	require.Len(t, rep.Outcomes, len(people))
	for _, o := range rep.Outcomes {
		apiErr := mustAPIError(t, o.Err)
		assert.ErrorIs(t, o.Err, onboard.ErrBadRequest)
		assert.LessOrEqual(t, cap(apiErr.Body), onboard.MaxErrorBodyBytes)
		assert.LessOrEqual(t, len(apiErr.Message), onboard.MaxErrorBodyBytes)
	}
}
