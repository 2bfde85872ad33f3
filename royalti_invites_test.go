package onboard_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

func TestRoyaltiInvitesList_pages(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	want := rlSeedInvites(t, srv, 5)

	var meta onboard.Response
	ids, err := rlInviteIDs(rlDrain(c.Invites.List(t.Context(), &onboard.RoyaltiListInvitesOptions{Size: 2}, onboard.WithResponse(&meta))))
	require.NoError(t, err)
	assert.Equal(t, want, ids)
	assert.Equal(t, 3, srv.RequestCount("/user/invites"), "pages of 2, 2 and 1; the total ends the list")
	assert.Contains(t, string(meta.Body), `"currentPage":3`, "the call options reach every page; WithResponse holds the last")

	r := rlLast(t, srv, http.MethodGet, "/user/invites")
	assert.Equal(t, url.Values{"page": {"3"}, "size": {"2"}}, r.Query)
	rlNoBody(t, r)
}

func TestRoyaltiInvitesList_statusAndDefaultSize(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedInvites(t, srv, 3)
	require.NoError(t, c.Invites.Cancel(t.Context(), ids[1]))

	var got []onboard.RoyaltiInvite
	for inv, err := range c.Invites.List(t.Context(), &onboard.RoyaltiListInvitesOptions{Status: onboard.RoyaltiInviteCancelled}) {
		require.NoError(t, err)
		got = append(got, inv)
	}
	require.Len(t, got, 1)
	assert.Equal(t, ids[1], got[0].ID)
	assert.Equal(t, onboard.RoyaltiInviteCancelled, got[0].Status)
	assert.Equal(t, "personb@example.com", got[0].TenantUser.User.Email)
	r := rlLast(t, srv, http.MethodGet, "/user/invites")
	assert.Equal(t, url.Values{"status": {"cancelled"}, "page": {"1"}, "size": {"100"}}, r.Query,
		"size is always sent: Royalti pages the list only when it is")
}

func TestRoyaltiInvitesList_breakFetchesNoMore(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	rlSeedInvites(t, srv, 4)
	seen := 0
	for _, err := range c.Invites.List(t.Context(), &onboard.RoyaltiListInvitesOptions{Size: 2}) {
		require.NoError(t, err)
		seen++
		break
	}
	assert.Equal(t, 1, seen)
	assert.Equal(t, 1, srv.RequestCount("/user/invites"), "no page after the break")
}

func TestRoyaltiInvitesList_cancelledMidPage(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	rlSeedInvites(t, srv, 4)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var last error
	items := 0
	for _, err := range c.Invites.List(ctx, &onboard.RoyaltiListInvitesOptions{Size: 2}) {
		if err != nil {
			last = err
			break
		}
		items++
		cancel()
	}
	require.ErrorIs(t, last, context.Canceled)
	assert.Equal(t, 2, items, "the page already fetched is yielded whole")
	assert.Equal(t, 1, srv.RequestCount("/user/invites"), "no page is fetched after the context ends")
}

func TestRoyaltiInvitesList_cancelledDuringRequest(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	c, n := rlStub(t, func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		select {
		case <-arrived:
			cancel()
		case <-time.After(10 * time.Second):
		}
	}()
	var last error
	for _, err := range c.Invites.List(ctx, nil) {
		last = err
	}
	require.ErrorIs(t, last, context.Canceled)
	var reqErr *onboard.RequestError
	require.ErrorAs(t, last, &reqErr)
	assert.EqualValues(t, 1, n.Load())
}

func TestRoyaltiInvitesList_repeatedPage(t *testing.T) {
	t.Parallel()
	// A server that ignores page: every answer is page 1, of a list said to
	// hold more.
	c, n := rlStub(t, rlAnswer(http.StatusOK, `{"totalItems":9,"filteredItems":9,"totalPages":5,"currentPage":1,
		"invites":[{"id":"`+rlInviteID+`","status":"invited"},{"id":"32dc2f99-934d-4e1d-8c51-46f573dbf9a2","status":"invited"}]}`))
	ids, err := rlInviteIDs(rlDrain(c.Invites.List(t.Context(), &onboard.RoyaltiListInvitesOptions{Size: 2})))
	require.ErrorIs(t, err, onboard.ErrPageRepeated)
	assert.Len(t, ids, 2)
	assert.EqualValues(t, 2, n.Load(), "stopped at the first repeat")
}

func TestRoyaltiInvitesList_invalidSendsNothing(t *testing.T) {
	t.Parallel()
	c, n := rlStub(t, rlAnswer(http.StatusOK, rlInvitesExample))
	bad := &onboard.RoyaltiListInvitesOptions{Status: "pending", Page: -1, Size: onboard.RoyaltiMaxPageSize + 1}
	_, err := onboard.RoyaltiInvitesListPage(t.Context(), c.Invites, bad)
	rlValidation(t, err, "status", "page", "size")
	_, err = rlDrain(c.Invites.List(t.Context(), bad))
	rlValidation(t, err, "status", "page", "size")
	assert.Zero(t, n.Load())
}

func TestRoyaltiInvitesResend(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	id := rlSeedInvites(t, srv, 1)[0]

	res, err := c.Invites.Resend(t.Context(), id, &onboard.RoyaltiResendRequest{
		Message:     "Reminder: please accept your invite before onboarding.",
		RedirectURL: "https://app.royalti.io/email/activate",
	})
	require.NoError(t, err)
	assert.Equal(t, "Invite resent successfully", res.Message, "the document's answer")
	r := rlLast(t, srv, http.MethodPost, "/user/invites/"+id+"/resend")
	rlBody(t, r, `{"message":"Reminder: please accept your invite before onboarding.","redirectUrl":"https://app.royalti.io/email/activate"}`)
	assert.Empty(t, r.Query)

	_, err = c.Invites.Resend(t.Context(), id, nil)
	require.NoError(t, err)
	rlBody(t, rlLast(t, srv, http.MethodPost, "/user/invites/"+id+"/resend"), `{}`)

	inv := srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[0]
	assert.Equal(t, 2, inv.Resends)
	assert.Equal(t, "Reminder: please accept your invite before onboarding.", inv.Message)
	assert.Equal(t, "https://app.royalti.io/email/activate", inv.RedirectURL)
}

func TestRoyaltiInvitesResend_errors(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	id := rlSeedInvites(t, srv, 1)[0]
	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "persona@example.com"))

	_, err := c.Invites.Resend(t.Context(), id, nil)
	require.ErrorIs(t, err, onboard.ErrConflict, "only a pending invite is resent")
	_, err = c.Invites.Resend(t.Context(), rlInviteID, nil)
	require.ErrorIs(t, err, onboard.ErrNotFound)

	before := srv.RequestCount("")
	_, err = c.Invites.Resend(t.Context(), "e2d9b1ff/../../x", nil)
	rlValidation(t, err, "inviteId")
	_, err = c.Invites.Resend(t.Context(), " ", nil)
	rlValidation(t, err, "inviteId")
	assert.Equal(t, before, srv.RequestCount(""), "nothing is sent")
}

func TestRoyaltiInvitesCancel(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedInvites(t, srv, 2)

	var meta onboard.Response
	require.NoError(t, c.Invites.Cancel(t.Context(), ids[0], onboard.WithResponse(&meta)))
	r := rlLast(t, srv, http.MethodPost, "/user/invites/"+ids[0]+"/cancel")
	rlNoBody(t, r)
	assert.Empty(t, r.Query)
	assert.Equal(t, http.StatusOK, meta.StatusCode, "CallOptions reach the call")
	assert.Contains(t, string(meta.Body), "cancelled")

	states := map[string]string{}
	for _, inv := range srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID) {
		states[inv.ID] = inv.Status
	}
	assert.Equal(t, map[string]string{ids[0]: "cancelled", ids[1]: "invited"}, states)

	require.NoError(t, c.Invites.Cancel(t.Context(), ids[0]), "cancelling again leaves it cancelled")
	require.ErrorIs(t, c.Invites.Cancel(t.Context(), rlInviteID), onboard.ErrNotFound)
	require.NoError(t, srv.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "persona@example.com"))
	require.ErrorIs(t, c.Invites.Cancel(t.Context(), ids[1]), onboard.ErrConflict)
	rlValidation(t, c.Invites.Cancel(t.Context(), "42"), "id")
}

// The cancel answer is not documented: any 2xx is done, whatever its body.
func TestRoyaltiInvitesCancel_anySuccess(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"204 no body":      rlAnswer(http.StatusNoContent, ""),
		"200 empty body":   rlAnswer(http.StatusOK, ""),
		"200 not JSON":     rlAnswer(http.StatusOK, "OK"),
		"202 message":      rlAnswer(http.StatusAccepted, `{"message":"Invite cancelled"}`),
		"200 null":         rlAnswer(http.StatusOK, "null"),
		"200 other object": rlAnswer(http.StatusOK, `{"success":true,"data":{}}`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, n := rlStub(t, h)
			require.NoError(t, c.Invites.Cancel(t.Context(), rlInviteID))
			assert.EqualValues(t, 1, n.Load())
		})
	}
	c, _ := rlStub(t, rlAnswer(http.StatusInternalServerError, `{"message":"boom"}`))
	err := c.Invites.Cancel(t.Context(), rlInviteID)
	require.ErrorIs(t, err, onboard.ErrServer, "a failure status is still an error")
	var apiErr *onboard.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "boom", apiErr.Message)
}

func TestInvitesSend(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv)
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docRoyaltiInvite)
	})

	res, err := c.Invites.Send(testCtx(t), &onboard.RoyaltiInviteRequest{
		Email:       "jsmith@example.com",
		SendEmail:   onboard.Ptr(true),
		Message:     "Welcome to the label",
		FirstName:   "Jo",
		LastName:    "Smith",
		RedirectURL: "https://app.example.com/welcome",
		Role:        "admin",
		WorkspaceID: "ws-1",
		UserID:      "user-1",
	})
	require.NoError(t, err)
	assert.Equal(t, "Successful, Email verification Instructions have been sent to your email", res.Message)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/royalti/auth/invite", r.Path)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, `{"email":"jsmith@example.com","sendEmail":true,"message":"Welcome to the label",
		"firstName":"Jo","lastName":"Smith","redirect_url":"https://app.example.com/welcome","role":"admin"}`,
		string(r.Body), "the query parameters are not in the body")
	q, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"workspaceId": {"ws-1"}, "userId": {"user-1"}}, q)
}

func TestInvitesSend_query(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		workspaceID, userID string
		wantRaw             string // exact; "" means no query at all
	}{
		{"none", "", "", ""},
		{"workspace only", "ws-1", "", "workspaceId=ws-1"},
		{"user only", "", "user-1", "userId=user-1"},
		{"both", "ws-1", "user-1", "userId=user-1&workspaceId=ws-1"},
		{"escaped", "ws 1&x=y", "ü/1", "userId=%C3%BC%2F1&workspaceId=ws+1%26x%3Dy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`)
			})
			req := validInvite()
			req.WorkspaceID, req.UserID = tt.workspaceID, tt.userID
			_, err := c.Invites.Send(testCtx(t), req)
			require.NoError(t, err)

			r := srv.only(t)
			assert.Equal(t, tt.wantRaw, r.RawQuery)
			q, err := url.ParseQuery(r.RawQuery)
			require.NoError(t, err)
			if tt.workspaceID != "" {
				assert.Equal(t, tt.workspaceID, q.Get("workspaceId"))
			}
			if tt.userID != "" {
				assert.Equal(t, tt.userID, q.Get("userId"))
			}
			assert.JSONEq(t, `{"email":"ada@example.com"}`, string(r.Body))
		})
	}
}

func TestInvitesSend_sendEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value *bool
		want  string
	}{
		{"nil is left out", nil, `{"email":"ada@example.com"}`},
		{"false is sent", onboard.Ptr(false), `{"email":"ada@example.com","sendEmail":false}`},
		{"true is sent", onboard.Ptr(true), `{"email":"ada@example.com","sendEmail":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`)
			})
			req := validInvite()
			req.SendEmail = tt.value
			_, err := c.Invites.Send(testCtx(t), req)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(srv.only(t).Body))
		})
	}
}

func TestInvitesSend_validation(t *testing.T) {
	t.Parallel()
	send := func(req *onboard.RoyaltiInviteRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			res, err := c.royalti.Invites.Send(ctx, req)
			assert.Nil(t, res)
			return err
		}
	}
	runValidationCases(t, "royalti: Invites.Send", []validationCase{
		{name: "nil request", call: send(nil), want: []problem{{"request", "is nil"}}},
		{name: "no email", call: send(&onboard.RoyaltiInviteRequest{WorkspaceID: "ws-1"}), want: []problem{{"email", "is required"}}},
		{name: "email with spaces", call: send(&onboard.RoyaltiInviteRequest{Email: " ada@example.com"}), want: []problem{{"email", "not a valid email"}}},
		{name: "email without a dotted domain", call: send(&onboard.RoyaltiInviteRequest{Email: "ada@localhost"}), want: []problem{{"email", "not a valid email"}}},
	})
}
