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
