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
	c, srv := aptly(t)
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
			c, srv := royalti(t, onboard.WithRetry(0))
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
	c, srv := setup(t, royaltiPrefix, onboard.BearerTokenFunc(func(context.Context) (string, error) { return "", cause }))
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
	c, srv := aptly(t, onboard.WithRetry(0))
	srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusUnauthorized, `{"statusCode":401,"message":"token of admin@example.com has expired","error":"Unauthorized"}`)
	})
	people := []onboard.Invitee{{Email: "a@example.com"}, {Email: "b@example.com"}, {Email: "c@example.com"}}
	rep, err := c.Invites.SendBulkAll(testCtx(t), tenantID, people, onboard.WithBatchSize(1), onboard.WithConcurrency(1))
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
			c, srv := royalti(t, onboard.WithRetry(0))
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
