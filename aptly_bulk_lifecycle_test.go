package onboard_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// Tests of Aptly's bulk lifecycle endpoints: resend invites (per-email
// results), status update and delete (counts only), in one request and
// through the batch engine.

// lcUnknown names no user of the fake.
const lcUnknown = "0f8fad5b-d9cb-469f-a165-70867728950e"

// states returns the state of each outcome, in order.
func states(outs []onboard.Outcome[string]) []onboard.State {
	out := make([]onboard.State, len(outs))
	for i, o := range outs {
		out[i] = o.State
	}
	return out
}

// aptlyEnvelope wraps data in Aptly's success envelope.
func aptlyEnvelope(data string) string {
	return `{"statusCode":200,"timestamp":"2026-01-12T09:10:12.337Z","message":"Success","data":` + data + `}`
}

// aptlyStatusOf returns the fake's status of the user with id in tenant.
func aptlyStatusOf(t *testing.T, srv *onboardtest.Server, tenant, id string) string {
	t.Helper()
	for _, u := range srv.State().Aptly.Tenants[tenant] {
		if u.ID == id {
			return u.Status
		}
	}
	return "absent"
}

const resendExampleRequest = `{
  "tenantId": "65704505-3bb2-4691-880f-5f31b26f4207",
  "userIds": [
    "c8009e3b-49f2-4efb-9171-92991fba6ad4",
    "80ee2737-c11b-42d0-ac1a-401121d87581"
  ]
}`

const resendExampleAnswer = `{
  "statusCode": 200,
  "timestamp": "2026-01-12T09:10:12.337Z",
  "message": "Success",
  "data": {
    "total": 5,
    "successful": 4,
    "failed": 1,
    "results": [
      {
        "email": "user@example.com",
        "success": true,
        "message": "Invitation resent successfully"
      }
    ]
  }
}`

func TestAptlyResendBulk_documentExample(t *testing.T) {
	s := newExampleServer(t, http.StatusCreated, resendExampleAnswer)
	var meta onboard.Response
	res, err := s.client(t).Invites.ResendBulk(t.Context(),
		&onboard.AptlyBulkResendRequest{TenantID: lcTenant, UserIDs: []string{lcUserA, lcUserB}}, onboard.WithResponse(&meta))
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodPost, "/v1/user/bulk-resend-invite", "", resendExampleRequest)
	assert.Equal(t, 5, res.Total)
	assert.Equal(t, 4, res.SuccessfulCount)
	assert.Equal(t, 1, res.FailedCount)
	assert.Equal(t, []onboard.AptlyEmailResult{{Email: "user@example.com", Success: true, Message: "Invitation resent successfully"}}, res.Results)
	assert.Len(t, emailResults(res.Results, true), 1)
	assert.Empty(t, emailResults(res.Results, false))
	assert.Equal(t, http.StatusCreated, meta.StatusCode, "declared 201")
	assert.Equal(t, http.StatusOK, meta.Envelope.StatusCode, "the example's envelope says 200")
}

func TestAptlyResendBulk_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 2)
	require.NoError(t, srv.AcceptAptlyInvite(lcTenant, "user01@example.com"))

	res, err := c.Invites.ResendBulk(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant, UserIDs: []string{ids[0], ids[1], lcUnknown}})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Total)
	assert.Equal(t, 1, res.SuccessfulCount)
	assert.Equal(t, 2, res.FailedCount)
	assert.Equal(t, []onboard.AptlyEmailResult{
		{Email: "user00@example.com", Success: true, Message: "Invitation resent successfully"},
		{Email: "user01@example.com", Message: "User is not in INVITED status"},
		{Message: "User not found"},
	}, res.Results)

	last, _ := srv.LastRequest()
	assert.Equal(t, http.MethodPost, last.Method)
	assert.Equal(t, aptlyPath("/v1/user/bulk-resend-invite"), last.Path)
	assert.Equal(t, "application/json", last.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"tenantId":"`+lcTenant+`","userIds":["`+ids[0]+`","`+ids[1]+`","`+lcUnknown+`"]}`, string(last.Body))
}

func TestAptlyResendBulk_invalidSendsNothing(t *testing.T) {
	srv, c := aptlyFake(t)
	for _, req := range []*onboard.AptlyBulkResendRequest{
		nil,
		{TenantID: "tenant"},
		{TenantID: lcTenant, UserIDs: []string{lcUserA, "user-2", ""}},
	} {
		_, err := c.Invites.ResendBulk(t.Context(), req)
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	}
	_, err := c.Invites.ResendBulk(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: "tenant"})
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Problems, 2, "tenantId and the empty userIds at once")
	assert.Zero(t, srv.RequestCount("/v1/user/bulk-resend-invite"))
}

func TestAptlyResendBulkAll_tiedByCounts(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 4)
	require.NoError(t, srv.AcceptAptlyInvite(lcTenant, "user03@example.com"))
	req := &onboard.AptlyBulkResendRequest{TenantID: lcTenant}

	// Batches of 3: [0 1 2] all resent; [0 3 unknown] one of three.
	input := []string{ids[0], ids[1], "bad", ids[2], ids[0], ids[3], lcUnknown}
	rep, err := c.Invites.ResendBulkAll(t.Context(), req, input, onboard.WithBatchSize(3), onboard.WithSendDuplicates())
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, len(input))
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded, onboard.StateNotSent, onboard.StateSucceeded,
		onboard.StateUnknown, onboard.StateUnknown, onboard.StateUnknown}, states(rep.Outcomes))
	for i, o := range rep.Outcomes {
		assert.Equal(t, i, o.Index)
		assert.Equal(t, input[i], o.Item)
	}
	assert.Equal(t, "Invitation resent successfully", rep.Outcomes[0].Message)
	assert.ErrorIs(t, rep.Outcomes[2].Err, onboard.ErrInvalidRequest)
	assert.Contains(t, rep.Outcomes[4].Message, "counted 1 of this batch's 3 users as resent and 2 as failed")
	assert.Contains(t, rep.Outcomes[4].Message, "WithBatchSize(1)")
	assert.Equal(t, 2, srv.RequestCount("/v1/user/bulk-resend-invite"))

	// One id to a batch: each result is tied for certain.
	rep, err = c.Invites.ResendBulkAll(t.Context(), req, []string{ids[0], ids[3], lcUnknown}, onboard.WithBatchSize(1))
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
	assert.Equal(t, "User is not in INVITED status", rep.Outcomes[1].Message)
	assert.Equal(t, "User not found", rep.Outcomes[2].Message)
	assert.Equal(t, 1, rep.Outcomes[2].Attempts)

	// A batch refused whole: failed, with the reasons not tied to users.
	rep, err = c.Invites.ResendBulkAll(t.Context(), req, []string{ids[3], lcUnknown})
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
	assert.Equal(t, "the server's words in this batch, not tied to users: User is not in INVITED status; User not found", rep.Outcomes[0].Message)
}

func TestAptlyResendBulkAll_repeatedIDGoesInALaterBatch(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 1)
	rep, err := c.Invites.ResendBulkAll(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant}, []string{ids[0], ids[0]}, onboard.WithSendDuplicates())
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded}, states(rep.Outcomes))
	reqs := srv.Requests()
	require.Len(t, reqs, 2, "one id twice in a batch could not be told apart")
	for _, r := range reqs {
		assert.JSONEq(t, `{"tenantId":"`+lcTenant+`","userIds":["`+ids[0]+`"]}`, string(r.Body))
	}
}

func TestAptlyResendBulkAll_answerTiedOnlyWhenCertain(t *testing.T) {
	cases := []struct {
		name, data string
		want       onboard.State
		message    string
	}{
		{"the document's example: counts past the batch", `{"total":5,"successful":4,"failed":1,"results":[{"email":"user@example.com","success":true,"message":"Invitation resent successfully"}]}`,
			onboard.StateUnknown, "the server counted 4 of this batch's 2 users as resent and 1 as failed"},
		{"counts only, all resent", `{"total":2,"successful":2,"failed":0,"results":[]}`, onboard.StateSucceeded, ""},
		{"counts only, none resent", `{"total":2,"successful":0,"failed":2}`, onboard.StateFailed, "the server counted all 2 users of this batch as failed and gave no reason"},
		{"a result per id, both resent", `{"total":2,"successful":2,"failed":0,"results":[{"email":"a@example.com","success":true,"message":"ok"},{"email":"b@example.com","success":true,"message":"ok"}]}`,
			onboard.StateSucceeded, "ok"},
		{"a result per id, one resent", `{"total":2,"successful":1,"failed":1,"results":[{"email":"a@example.com","success":true},{"email":"b@example.com","success":false,"message":"no"}]}`,
			onboard.StateUnknown, "1 of this batch's 2 users as resent and 1 as failed"},
		{"results that contradict the counts win", `{"total":2,"successful":2,"failed":0,"results":[{"email":"a@example.com","success":true},{"email":"b@example.com","success":false}]}`,
			onboard.StateUnknown, "1 of this batch's 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newExampleServer(t, http.StatusCreated, aptlyEnvelope(tc.data))
			rep, err := s.client(t).Invites.ResendBulkAll(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant}, []string{lcUserA, lcUserB})
			require.NoError(t, err)
			require.Len(t, rep.Outcomes, 2)
			for _, o := range rep.Outcomes {
				assert.Equal(t, tc.want, o.State)
				assert.Contains(t, o.Message, tc.message)
			}
			assertAptlyRequest(t, s, http.MethodPost, "/v1/user/bulk-resend-invite", "", resendExampleRequest)
		})
	}
}

func TestAptlyResendBulkAll_invalidRequestSendsNothing(t *testing.T) {
	srv, c := aptlyFake(t)
	for _, req := range []*onboard.AptlyBulkResendRequest{nil, {TenantID: "x"}, {TenantID: lcTenant, UserIDs: []string{lcUserA}}} {
		rep, err := c.Invites.ResendBulkAll(t.Context(), req, []string{lcUserA, lcUserB})
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
		require.Len(t, rep.Outcomes, 2)
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateNotSent, o.State)
			assert.ErrorIs(t, o.Err, onboard.ErrStopped)
		}
	}
	assert.Zero(t, srv.RequestCount("/v1/user/bulk-resend-invite"))
}

func TestAptlyResendBulkSeq(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 5)
	var got []onboard.Outcome[string]
	for o := range c.Invites.ResendBulkSeq(t.Context(), &onboard.AptlyBulkResendRequest{TenantID: lcTenant}, slices.Values(ids), onboard.WithBatchSize(2)) {
		got = append(got, o)
	}
	require.Len(t, got, 5)
	for i, o := range got {
		assert.Equal(t, i, o.Index)
		assert.Equal(t, onboard.StateSucceeded, o.State)
	}
	assert.Equal(t, 3, srv.RequestCount("/v1/user/bulk-resend-invite"))
}

const statusExampleRequest = `{
  "userIds": [
    "82df4321-1518-4788-b213-806d73796555"
  ],
  "status": "ACTIVE"
}`

const statusExampleAnswer = `{
  "statusCode": 200,
  "timestamp": "2026-01-12T09:10:12.337Z",
  "message": "Success",
  "data": {
    "total": 10,
    "successful": 8,
    "failed": 2
  }
}`

func TestAptlyUpdateStatusBulk_documentExample(t *testing.T) {
	s := newExampleServer(t, http.StatusOK, statusExampleAnswer)
	res, err := s.client(t).Users.UpdateStatusBulk(t.Context(), &onboard.AptlyUpdateStatusRequest{UserIDs: []string{lcUserC}, Status: onboard.AptlyUserActive})
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodPatch, "/v1/user/bulk-status-update", "", statusExampleRequest)
	assert.Equal(t, onboard.AptlyUpdateStatusResult{Total: 10, SuccessfulCount: 8, FailedCount: 2}, *res)
}

func TestAptlyUpdateStatusBulk_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 2)
	res, err := c.Users.UpdateStatusBulk(t.Context(), &onboard.AptlyUpdateStatusRequest{UserIDs: []string{ids[0], ids[1], lcUnknown}, Status: onboard.AptlyUserInactive})
	require.NoError(t, err)
	assert.Equal(t, onboard.AptlyUpdateStatusResult{Total: 3, SuccessfulCount: 2, FailedCount: 1}, *res)
	assert.Equal(t, "INACTIVE", aptlyStatusOf(t, srv, lcTenant, ids[0]))
	last, _ := srv.LastRequest()
	assert.Equal(t, http.MethodPatch, last.Method)
	assert.Equal(t, aptlyPath("/v1/user/bulk-status-update"), last.Path)
	assert.JSONEq(t, `{"userIds":["`+ids[0]+`","`+ids[1]+`","`+lcUnknown+`"],"status":"INACTIVE"}`, string(last.Body))
}

func TestAptlyUpdateStatusBulk_invalidSendsNothing(t *testing.T) {
	srv, c := aptlyFake(t)
	_, err := c.Users.UpdateStatusBulk(t.Context(), &onboard.AptlyUpdateStatusRequest{UserIDs: []string{"x"}, Status: "active"})
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []onboard.FieldError{
		{Field: "userIds[0]", Message: `"x" is not a UUID`},
		{Field: "status", Message: `"active" is not one of ACTIVE, INACTIVE, INVITED, DELETED`},
	}, ve.Problems)
	for _, req := range []*onboard.AptlyUpdateStatusRequest{nil, {Status: onboard.AptlyUserActive}, {UserIDs: []string{lcUserA}}} {
		_, err = c.Users.UpdateStatusBulk(t.Context(), req)
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	}
	rep, err := c.Users.UpdateStatusBulkAll(t.Context(), &onboard.AptlyUpdateStatusRequest{Status: "GONE"}, []string{lcUserA})
	require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	assert.Equal(t, []onboard.State{onboard.StateNotSent}, states(rep.Outcomes))
	assert.Zero(t, srv.RequestCount("/v1/user/bulk-status-update"))
}

func TestAptlyUpdateStatusBulkAll_countsOnly(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 3)
	unknown2 := "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
	unknown3 := "6fa459ea-ee8a-3ca4-894e-db77e160355e"
	// Batches of 2, one at a time: [k0 k1] both updated; [u k2] one of
	// two; [u2 u3] none.
	input := []string{ids[0], ids[1], lcUnknown, ids[2], unknown2, unknown3}
	rep, err := c.Users.UpdateStatusBulkAll(t.Context(), &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserInactive}, input, onboard.WithBatchSize(2), onboard.WithConcurrency(1))
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded, onboard.StateUnknown, onboard.StateUnknown,
		onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
	assert.Contains(t, rep.Outcomes[2].Message, "the server counted 1 of this batch's 2 users as updated and 1 as failed, without saying which")
	assert.Equal(t, "the server counted all 2 users of this batch as failed and gave no reason", rep.Outcomes[4].Message)
	for _, id := range ids {
		assert.Equal(t, "INACTIVE", aptlyStatusOf(t, srv, lcTenant, id))
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.JSONEq(t, `{"status":"INACTIVE","userIds":["`+ids[0]+`","`+ids[1]+`"]}`, string(reqs[0].Body))
	assert.Equal(t, http.MethodPatch, reqs[0].Method)
}

func TestAptlyUpdateStatusBulkAll_inconsistentCountsAreUnknown(t *testing.T) {
	cases := map[string]onboard.State{
		`{"total":2,"successful":2,"failed":0}`: onboard.StateSucceeded,
		`{"total":2,"successful":0,"failed":2}`: onboard.StateFailed,
		`{"total":2,"successful":2,"failed":1}`: onboard.StateUnknown,
		`{"total":2,"successful":0,"failed":0}`: onboard.StateUnknown,
		`{"total":3,"successful":3,"failed":0}`: onboard.StateUnknown,
	}
	for data, want := range cases {
		s := newExampleServer(t, http.StatusOK, aptlyEnvelope(data))
		rep, err := s.client(t).Users.UpdateStatusBulkAll(t.Context(), &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserActive}, []string{lcUserA, lcUserB})
		require.NoError(t, err)
		assert.Equal(t, []onboard.State{want, want}, states(rep.Outcomes), data)
	}
}

func TestAptlyUpdateStatusBulkSeq(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 3)
	var got []onboard.State
	for o := range c.Users.UpdateStatusBulkSeq(t.Context(), &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserDeleted}, slices.Values(ids)) {
		got = append(got, o.State)
	}
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded, onboard.StateSucceeded}, got)
	assert.Equal(t, "DELETED", aptlyStatusOf(t, srv, lcTenant, ids[2]))
}

const deleteExampleRequest = `{
  "userIds": [
    "b1ebc0cf-0170-47ca-8fd3-3859fbd6bfa2"
  ]
}`

const deleteExampleAnswer = `{
  "statusCode": 200,
  "timestamp": "2025-06-25T06:16:48.664Z",
  "message": "Success",
  "data": {
    "deletedCount": 123
  }
}`

func TestAptlyDeleteBulk_documentExample(t *testing.T) {
	s := newExampleServer(t, http.StatusOK, deleteExampleAnswer)
	res, err := s.client(t).Users.DeleteBulk(t.Context(), &onboard.AptlyDeleteUsersRequest{UserIDs: []string{lcUserD}})
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodDelete, "/v1/user/bulk-delete", "", deleteExampleRequest)
	assert.Equal(t, 123, res.DeletedCount)
}

func TestAptlyDeleteBulk_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 3)
	res, err := c.Users.DeleteBulk(t.Context(), &onboard.AptlyDeleteUsersRequest{UserIDs: []string{ids[0], ids[1], lcUnknown}})
	require.NoError(t, err)
	assert.Equal(t, 2, res.DeletedCount)
	assert.Equal(t, "absent", aptlyStatusOf(t, srv, lcTenant, ids[0]))
	assert.Equal(t, "INVITED", aptlyStatusOf(t, srv, lcTenant, ids[2]))
	last, _ := srv.LastRequest()
	assert.Equal(t, http.MethodDelete, last.Method)
	assert.Equal(t, aptlyPath("/v1/user/bulk-delete"), last.Path)
	assert.Equal(t, "application/json", last.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"userIds":["`+ids[0]+`","`+ids[1]+`","`+lcUnknown+`"]}`, string(last.Body))

	for _, req := range []*onboard.AptlyDeleteUsersRequest{nil, {}, {UserIDs: []string{"1"}}} {
		_, err = c.Users.DeleteBulk(t.Context(), req)
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	}
	assert.Equal(t, 1, srv.RequestCount("/v1/user/bulk-delete"))
}

func TestAptlyDeleteBulkAll_countsOnly(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 3)
	unknown2 := "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
	// Batches of 2, one at a time: [k0 k1] deleted; [k2 u] one of two;
	// "bad" not sent; [u2 k0] none, k0 being gone.
	input := []string{ids[0], ids[1], ids[2], lcUnknown, "bad", unknown2, ids[0]}
	rep, err := c.Users.DeleteBulkAll(t.Context(), nil, input, onboard.WithBatchSize(2), onboard.WithConcurrency(1), onboard.WithSendDuplicates())
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded, onboard.StateUnknown, onboard.StateUnknown,
		onboard.StateNotSent, onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
	assert.Contains(t, rep.Outcomes[2].Message, "the server counted 1 of this batch's 2 users as deleted and 1 as failed")
	assert.ErrorIs(t, rep.Outcomes[4].Err, onboard.ErrInvalidRequest)
	assert.Contains(t, rep.Outcomes[4].Err.Error(), "userIds[4]")
	assert.Empty(t, srv.State().Aptly.Tenants[lcTenant])

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, http.MethodDelete, reqs[0].Method)
	assert.JSONEq(t, `{"userIds":["`+ids[0]+`","`+ids[1]+`"]}`, string(reqs[0].Body))

	rep, err = c.Users.DeleteBulkAll(t.Context(), &onboard.AptlyDeleteUsersRequest{UserIDs: []string{lcUserA}}, input)
	require.ErrorIs(t, err, onboard.ErrInvalidRequest, "the ids go as the argument, not in the request")
	assert.Equal(t, onboard.StateNotSent, rep.Outcomes[0].State)
	assert.Len(t, srv.Requests(), 3)
}

// TestAptlyDeleteBulkAll_shortCountAfterRetryIsUnknown: the first attempt
// deletes the users but its answer is lost ("try again later"); the retry
// deletes nothing more. The users are not failures: they are gone.
func TestAptlyDeleteBulkAll_shortCountAfterRetryIsUnknown(t *testing.T) {
	srv, c := aptlyFake(t, onboard.WithRetryWait(time.Millisecond, time.Millisecond))
	ids := seedInvited(t, srv, lcTenant, 2)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-delete", Times: 1, Status: http.StatusServiceUnavailable, RetryAfter: "1", Process: true})

	rep, err := c.Users.DeleteBulkAll(t.Context(), nil, ids)
	require.NoError(t, err)
	for _, o := range rep.Outcomes {
		assert.Equal(t, onboard.StateUnknown, o.State)
		assert.Equal(t, 2, o.Attempts)
		assert.Contains(t, o.Message, "an earlier attempt may have deleted the rest")
	}
	assert.Empty(t, srv.State().Aptly.Tenants[lcTenant], "the first attempt did delete them")

	// The same answer to a single attempt: nothing deleted, so failed.
	rep, err = c.Users.DeleteBulkAll(t.Context(), nil, ids)
	require.NoError(t, err)
	assert.Equal(t, []onboard.State{onboard.StateFailed, onboard.StateFailed}, states(rep.Outcomes))
}

func TestAptlyDeleteBulkAll_answers(t *testing.T) {
	cases := map[int]onboard.State{2: onboard.StateSucceeded, 0: onboard.StateFailed, 1: onboard.StateUnknown, 3: onboard.StateUnknown}
	for count, want := range cases {
		s := newExampleServer(t, http.StatusOK, aptlyEnvelope(fmt.Sprintf(`{"deletedCount":%d}`, count)))
		rep, err := s.client(t).Users.DeleteBulkAll(t.Context(), &onboard.AptlyDeleteUsersRequest{}, []string{lcUserA, lcUserB})
		require.NoError(t, err)
		assert.Equal(t, []onboard.State{want, want}, states(rep.Outcomes), "deletedCount %d", count)
	}
}

func TestAptlyDeleteBulkSeq(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 3)
	n := 0
	for o := range c.Users.DeleteBulkSeq(t.Context(), nil, slices.Values(ids), onboard.WithBatchSize(1)) {
		assert.Equal(t, onboard.StateSucceeded, o.State)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)
	assert.GreaterOrEqual(t, srv.RequestCount("/v1/user/bulk-delete"), 2)
}
