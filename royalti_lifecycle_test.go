package onboard_test

import (
	"context"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// The tests of Royalti's invite and user lifecycle: list, resend and cancel
// invites; list, get, delete, add and bulk-delete users.

func init() {
	specCalls["RoyaltiInvites.List"] = func(ctx context.Context, c *specClients) error {
		for _, err := range c.royalti.Invites.List(ctx, nil) {
			return err
		}
		return nil
	}
	specCalls["RoyaltiInvites.Resend"] = func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Invites.Resend(ctx, rlInviteID, nil)
		return err
	}
	specCalls["RoyaltiInvites.Cancel"] = func(ctx context.Context, c *specClients) error {
		return c.royalti.Invites.Cancel(ctx, rlInviteID)
	}
	specCalls["RoyaltiUsers.List"] = func(ctx context.Context, c *specClients) error {
		for _, err := range c.royalti.Users.List(ctx, nil) {
			return err
		}
		return nil
	}
	specCalls["RoyaltiUsers.Get"] = func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Users.Get(ctx, rlUserID)
		return err
	}
	specCalls["RoyaltiUsers.Delete"] = func(ctx context.Context, c *specClients) error {
		return c.royalti.Users.Delete(ctx, rlUserID)
	}
	specCalls["RoyaltiUsers.AddToWorkspace"] = func(ctx context.Context, c *specClients) error {
		return c.royalti.Users.AddToWorkspace(ctx, rlUserID, nil)
	}
	specCalls["RoyaltiUsers.DeleteBulk"] = func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Users.DeleteBulk(ctx, &onboard.RoyaltiDeleteUsersRequest{IDs: []string{rlUserID}})
		return err
	}
	specCalls["RoyaltiUsers.DeleteBulkAll"] = func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Users.DeleteBulkAll(ctx, nil, []string{rlUserID})
		return err
	}
	specCalls["RoyaltiUsers.DeleteBulkSeq"] = func(ctx context.Context, c *specClients) error {
		for range c.royalti.Users.DeleteBulkSeq(ctx, nil, slices.Values([]string{rlUserID})) {
		}
		return nil
	}
}

// Ids from the documents' examples.
const (
	rlInviteID = "e2d9b1ff-1db1-4c6f-86de-65c13716fd4d"
	rlUserID   = "eec29e6f-b567-4ca4-befe-658743058098"
)

// rlFake returns a fake server and a Royalti client of its default
// workspace, with quick retries.
func rlFake(t *testing.T) (*onboard.RoyaltiClient, *onboardtest.Server) {
	t.Helper()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c, err := onboard.NewRoyaltiClient(srv.RoyaltiURL(), onboard.BearerToken(onboardtest.RoyaltiToken),
		onboard.WithHTTPClient(srv.Client()), onboard.WithRetryWait(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	return c, srv
}

// rlStub returns a Royalti client of a server that answers every request
// with handler, and counts the requests.
func rlStub(t *testing.T, handler http.HandlerFunc) (*onboard.RoyaltiClient, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		handler(w, r)
	}))
	t.Cleanup(stub.Close)
	c, err := onboard.NewRoyaltiClient(stub.URL, onboard.BearerToken("token-123456"), onboard.WithHTTPClient(stub.Client()))
	require.NoError(t, err)
	return c, &n
}

// rlAnswer is a handler that answers status with body.
func rlAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// rlLast returns the fake's last request, which must be method to path
// (after the service prefix), and checks the headers every Royalti request
// carries.
func rlLast(t *testing.T, srv *onboardtest.Server, method, path string) onboardtest.RecordedRequest {
	t.Helper()
	r, ok := srv.LastRequest()
	require.True(t, ok, "the fake recorded no request")
	assert.Equal(t, method, r.Method)
	assert.Equal(t, onboardtest.RoyaltiPathPrefix+path, r.Path)
	assert.Equal(t, "Bearer "+onboardtest.RoyaltiToken, r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, "onboard-go/"+onboard.Version, r.Header.Get("User-Agent"))
	return r
}

// rlNoBody checks that r carried no body, and so no Content-Type.
func rlNoBody(t *testing.T, r onboardtest.RecordedRequest) {
	t.Helper()
	assert.Empty(t, r.Body)
	assert.Empty(t, r.Header.Get("Content-Type"))
}

// rlBody checks that r carried exactly the JSON want.
func rlBody(t *testing.T, r onboardtest.RecordedRequest, want string) {
	t.Helper()
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.JSONEq(t, want, string(r.Body))
}

// rlValidation checks that err is a *ValidationError naming fields, in
// order.
func rlValidation(t *testing.T, err error, fields ...string) {
	t.Helper()
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	got := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		got[i] = p.Field
	}
	assert.Equal(t, fields, got)
}

// rlSeedInvites stores n pending invites in the fake's default workspace
// and returns their ids, newest first (the list's order).
func rlSeedInvites(t *testing.T, srv *onboardtest.Server, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		ids[n-1-i] = srv.AddRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "person"+rlLetter(i)+"@example.com", "Person", rlLetter(i))
	}
	return ids
}

// rlLetter names the i-th seeded person: a, b, c, ...
func rlLetter(i int) string { return string(rune('a' + i)) }

// rlDrain ranges over a list iterator to its end and returns what it
// yielded, and the error it ended with.
func rlDrain[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var items []T
	for it, err := range seq {
		if err != nil {
			return items, err
		}
		items = append(items, it)
	}
	return items, nil
}

// rlInviteIDs returns the ids of invites.
func rlInviteIDs(invites []onboard.RoyaltiInvite, err error) ([]string, error) {
	ids := make([]string, len(invites))
	for i, inv := range invites {
		ids[i] = inv.ID
	}
	return ids, err
}

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

// rlInvitesExample is R1's response example, verbatim.
const rlInvitesExample = `{
  "totalItems": 1,
  "filteredItems": 1,
  "totalPages": 1,
  "currentPage": 1,
  "invites": [
    {
      "id": "e2d9b1ff-1db1-4c6f-86de-65c13716fd4d",
      "TenantUserId": "32dc2f99-934d-4e1d-8c51-46f573dbf9a2",
      "TenantId": 101,
      "status": "invited",
      "meta": {
        "message": "Welcome to the Royalti workspace.",
        "date": "2024-06-10T12:00:00.000Z"
      },
      "JoinedAt": null,
      "createdAt": "2024-06-10T12:00:00.000Z",
      "updatedAt": "2024-06-10T12:00:00.000Z",
      "TenantUser": {
        "id": "32dc2f99-934d-4e1d-8c51-46f573dbf9a2",
        "firstName": "Jane",
        "lastName": "Doe",
        "role": "admin",
        "User": {
          "email": "[email protected]"
        }
      }
    }
  ]
}`

func TestRoyaltiInvitesListPage_documentExample(t *testing.T) {
	t.Parallel()
	c, _ := rlStub(t, rlAnswer(http.StatusOK, rlInvitesExample))
	p, err := onboard.RoyaltiInvitesListPage(t.Context(), c.Invites, nil)
	require.NoError(t, err)
	at := time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, &onboard.RoyaltiInvitePage{
		TotalItems: 1, FilteredItems: 1, TotalPages: 1, CurrentPage: 1,
		Invites: []onboard.RoyaltiInvite{{
			ID:           rlInviteID,
			TenantUserID: "32dc2f99-934d-4e1d-8c51-46f573dbf9a2",
			TenantID:     101,
			Status:       onboard.RoyaltiInviteInvited,
			Meta:         onboard.RoyaltiInviteMeta{Message: "Welcome to the Royalti workspace.", Date: at},
			CreatedAt:    at,
			UpdatedAt:    at,
			TenantUser: onboard.RoyaltiInvitee{
				ID: "32dc2f99-934d-4e1d-8c51-46f573dbf9a2", FirstName: "Jane", LastName: "Doe", Role: "admin",
				User: onboard.RoyaltiAccount{Email: "[email protected]"},
			},
		}},
	}, p)
}

func TestRoyaltiInvitesListPage_request(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	rlSeedInvites(t, srv, 3)
	p, err := onboard.RoyaltiInvitesListPage(t.Context(), c.Invites, &onboard.RoyaltiListInvitesOptions{Status: onboard.RoyaltiInviteInvited, Page: 2, Size: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, p.TotalItems)
	assert.Equal(t, 3, p.FilteredItems)
	assert.Equal(t, 2, p.TotalPages)
	assert.Equal(t, 2, p.CurrentPage)
	assert.Len(t, p.Invites, 1)
	r := rlLast(t, srv, http.MethodGet, "/user/invites")
	assert.Equal(t, url.Values{"status": {"invited"}, "page": {"2"}, "size": {"2"}}, r.Query)
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

func TestRoyaltiLists_unauthorized(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c, err := onboard.NewRoyaltiClient(srv.RoyaltiURL(), onboard.BearerToken("not-the-token"), onboard.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = rlDrain(c.Invites.List(t.Context(), nil))
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "not-the-token")
	_, err = rlDrain(c.Users.List(t.Context(), nil))
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
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

// rlSeedUsers stores n users in the fake's default workspace and returns
// their ids in the order they joined.
func rlSeedUsers(t *testing.T, srv *onboardtest.Server, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		ids[i] = srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, "user"+rlLetter(i)+"@example.com", "User", rlLetter(i))
	}
	return ids
}

func TestRoyaltiUsersList_pages(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	want := rlSeedUsers(t, srv, 5)

	var ids []string
	for u, err := range c.Users.List(t.Context(), &onboard.RoyaltiListUsersOptions{Size: 2, Sort: "createdAt", Order: "asc"}) {
		require.NoError(t, err)
		ids = append(ids, u.ID)
	}
	assert.Equal(t, want, ids)
	assert.Equal(t, 3, srv.RequestCount("/user/"), "pages of 2, 2 and 1; totalUsers ends the list")
	r := rlLast(t, srv, http.MethodGet, "/user/")
	assert.Equal(t, url.Values{"page": {"3"}, "size": {"2"}, "sort": {"createdAt"}, "order": {"asc"}}, r.Query)
	rlNoBody(t, r)
}

func TestRoyaltiUsersListPage_query(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	rlSeedUsers(t, srv, 2)
	p, err := onboard.RoyaltiUsersListPage(t.Context(), c.Users, &onboard.RoyaltiListUsersOptions{
		Query: "user", Page: 1, Size: 10, Accounting: true, Attributes: []string{"id", "email"},
		Sort: "name", Order: "desc", Roles: []string{"admin", "user"},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, p.TotalUsers)
	assert.Equal(t, 2, p.Count)
	assert.Equal(t, "success", p.Message)
	r := rlLast(t, srv, http.MethodGet, "/user/")
	assert.Equal(t, url.Values{
		"q": {"user"}, "page": {"1"}, "size": {"10"}, "accounting": {"true"}, "attributes": {"id,email"},
		"sort": {"name"}, "order": {"desc"}, "role": {"admin,user"},
	}, r.Query)

	p, err = onboard.RoyaltiUsersListPage(t.Context(), c.Users, &onboard.RoyaltiListUsersOptions{ExternalID: "2892"})
	require.NoError(t, err)
	assert.Empty(t, p.Users)
	assert.Equal(t, url.Values{"externalId": {"2892"}, "page": {"1"}, "size": {"100"}}, rlLast(t, srv, http.MethodGet, "/user/").Query)
}

func TestRoyaltiUsersList_breakCancelRepeat(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	rlSeedUsers(t, srv, 4)
	for _, err := range c.Users.List(t.Context(), &onboard.RoyaltiListUsersOptions{Size: 2}) {
		require.NoError(t, err)
		break
	}
	assert.Equal(t, 1, srv.RequestCount("/user/"), "no page after the break")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var last error
	for _, err := range c.Users.List(ctx, &onboard.RoyaltiListUsersOptions{Size: 2}) {
		last = err
		cancel()
	}
	require.ErrorIs(t, last, context.Canceled)
	assert.Equal(t, 2, srv.RequestCount("/user/"), "one page for this run, none after the context ended")

	// A server that ignores page, with a total larger than it ever sends.
	stub, n := rlStub(t, rlAnswer(http.StatusOK, `{"message":"success","Users":[{"id":"`+rlUserID+`"}],"count":1,"totalUsers":50}`))
	seen, err := rlDrain(stub.Users.List(t.Context(), nil))
	require.ErrorIs(t, err, onboard.ErrPageRepeated)
	assert.Len(t, seen, 1)
	assert.EqualValues(t, 2, n.Load(), "stopped at the first repeat")
}

func TestRoyaltiUsersList_invalidSendsNothing(t *testing.T) {
	t.Parallel()
	c, n := rlStub(t, rlAnswer(http.StatusOK, `{}`))
	_, err := onboard.RoyaltiUsersListPage(t.Context(), c.Users, &onboard.RoyaltiListUsersOptions{Size: -1, Sort: "email", Order: "up"})
	rlValidation(t, err, "size", "sort", "order")
	_, err = rlDrain(c.Users.List(t.Context(), &onboard.RoyaltiListUsersOptions{Page: -2}))
	rlValidation(t, err, "page")
	assert.Zero(t, n.Load())
}

// rlUsersExample is R4's response example, verbatim.
const rlUsersExample = `{
  "message": "success",
  "Users": [
    {
      "fullName": "Royal Records",
      "email": "[email protected]",
      "id": "eec29e6f-b567-4ca4-befe-658743058098",
      "firstName": "Royal",
      "lastName": "Records",
      "role": "user",
      "externalId": "2892",
      "country": "Åland Islands",
      "createdAt": "2022-02-26T04:38:21.560Z",
      "updatedAt": "2024-03-22T11:10:53.519Z",
      "User": {
        "email": "[email protected]"
      },
      "Artists": [
        {
          "id": "2fca1b81-2f97-4b02-92a2-899d17c756b8",
          "artistName": "Young Blud"
        }
      ]
    }
  ],
  "count": 1,
  "totalUsers": 1
}`

func TestRoyaltiUsersListPage_documentExample(t *testing.T) {
	t.Parallel()
	c, _ := rlStub(t, rlAnswer(http.StatusOK, rlUsersExample))
	p, err := onboard.RoyaltiUsersListPage(t.Context(), c.Users, nil)
	require.NoError(t, err)
	assert.Equal(t, &onboard.RoyaltiUserPage{
		Message: "success", Count: 1, TotalUsers: 1,
		Users: []onboard.RoyaltiUser{{
			ID: rlUserID, FullName: "Royal Records", FirstName: "Royal", LastName: "Records",
			Email: "[email protected]", Role: "user", ExternalID: "2892", Country: "Åland Islands",
			CreatedAt: time.Date(2022, 2, 26, 4, 38, 21, 560e6, time.UTC),
			UpdatedAt: time.Date(2024, 3, 22, 11, 10, 53, 519e6, time.UTC),
			User:      onboard.RoyaltiAccount{Email: "[email protected]"},
			Artists:   []onboard.RoyaltiArtist{{ID: "2fca1b81-2f97-4b02-92a2-899d17c756b8", ArtistName: "Young Blud"}},
		}},
	}, p)
}

// rlUserExample is R5's response example (new render), verbatim.
const rlUserExample = `{
  "fullName": "user2 Royalti",
  "phone": "+1234567890",
  "country": "Nigeria",
  "message": "Welcome to Royalti!",
  "sendEmail": true,
  "redirect_url": "https://app.royalti.io/welcome",
  "id": "b56fe67e-d1b9-4a04-9a13-c0a53be8da49",
  "firstName": "user2",
  "lastName": "Royalti",
  "email": "[email protected]",
  "ipi": "1234567890",
  "externalId": "123",
  "TenantUser": {
    "TenantId": 2,
    "nickName": "iEmmanuel104",
    "userType": [
      "Artist"
    ]
  },
  "invite": {
    "id": "e2d9b1ff-1db1-4c6f-86de-65c13716fd4d",
    "status": "invited",
    "date": "2024-06-10T12:00:00.000Z"
  }
}`

func TestRoyaltiUsersGet_documentExample(t *testing.T) {
	t.Parallel()
	c, _ := rlStub(t, rlAnswer(http.StatusOK, rlUserExample))
	u, err := c.Users.Get(t.Context(), "b56fe67e-d1b9-4a04-9a13-c0a53be8da49")
	require.NoError(t, err)
	assert.Equal(t, &onboard.RoyaltiUserDetail{
		ID: "b56fe67e-d1b9-4a04-9a13-c0a53be8da49", FullName: "user2 Royalti", FirstName: "user2", LastName: "Royalti",
		Email: "[email protected]", Phone: "+1234567890", Country: "Nigeria", Message: "Welcome to Royalti!",
		SendEmail: true, RedirectURL: "https://app.royalti.io/welcome", IPI: "1234567890", ExternalID: "123",
		TenantUser: onboard.RoyaltiTenantUser{TenantID: 2, NickName: "iEmmanuel104", UserType: []string{"Artist"}},
		Invite: &onboard.RoyaltiInviteRef{ID: rlInviteID, Status: onboard.RoyaltiInviteInvited,
			Date: time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)},
	}, u)
}

func TestRoyaltiUsersGet(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	inviteID := srv.AddRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, "ada@example.com", "Ada", "Lovelace")
	id := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)[0].ID

	u, err := c.Users.Get(t.Context(), id)
	require.NoError(t, err)
	r := rlLast(t, srv, http.MethodGet, "/user/"+id)
	rlNoBody(t, r)
	assert.Empty(t, r.Query)
	assert.Equal(t, id, u.ID)
	assert.Equal(t, "Ada Lovelace", u.FullName)
	assert.Equal(t, "ada@example.com", u.Email)
	require.NotNil(t, u.Invite)
	assert.Equal(t, inviteID, u.Invite.ID)
	assert.Equal(t, onboard.RoyaltiInviteInvited, u.Invite.Status)

	noInvite := srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, "grace@example.com", "Grace", "Hopper")
	u, err = c.Users.Get(t.Context(), noInvite)
	require.NoError(t, err)
	assert.Nil(t, u.Invite, "invite: null")

	_, err = c.Users.Get(t.Context(), rlUserID)
	require.ErrorIs(t, err, onboard.ErrNotFound)
	_, err = c.Users.Get(t.Context(), "")
	rlValidation(t, err, "id")
}

// Royalti's documented errors, in both its shapes, map to the sentinels.
func TestRoyaltiUsersGet_documentedErrors(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]error{
		http.StatusBadRequest:          onboard.ErrBadRequest,
		http.StatusUnauthorized:        onboard.ErrUnauthorized,
		http.StatusNotFound:            onboard.ErrNotFound,
		http.StatusConflict:            onboard.ErrConflict,
		http.StatusUnprocessableEntity: onboard.ErrBadRequest,
		http.StatusInternalServerError: onboard.ErrServer,
	} {
		for _, body := range []string{
			`{"success":false,"error":{"code":"E","message":"Human-readable error message","details":["d"]}}`,
			`{"message":"Human-readable error message"}`,
		} {
			c, _ := rlStub(t, rlAnswer(status, body))
			_, err := c.Users.Get(t.Context(), rlUserID)
			require.ErrorIs(t, err, want, "%d %s", status, body)
			var apiErr *onboard.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "Human-readable error message", apiErr.Message)
		}
	}
}

func TestRoyaltiUsersDelete(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedUsers(t, srv, 2)

	require.NoError(t, c.Users.Delete(t.Context(), ids[0]))
	r := rlLast(t, srv, http.MethodDelete, "/user/"+ids[0])
	rlNoBody(t, r)
	assert.Empty(t, r.Query)
	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, users, 1)
	assert.Equal(t, ids[1], users[0].ID)

	require.ErrorIs(t, c.Users.Delete(t.Context(), ids[0]), onboard.ErrNotFound)
	rlValidation(t, c.Users.Delete(t.Context(), "user/1"), "id")

	for _, h := range []http.HandlerFunc{rlAnswer(http.StatusNoContent, ""), rlAnswer(http.StatusOK, `{"message":"User deleted"}`)} {
		stub, n := rlStub(t, h)
		require.NoError(t, stub.Users.Delete(t.Context(), rlUserID), "the answer is not documented: any 2xx is done")
		assert.EqualValues(t, 1, n.Load())
	}
}

// A delete whose answer is lost and retried meets its own work: ErrNotFound
// after 2 attempts, as the doc comment says.
func TestRoyaltiUsersDelete_retriedAfterDone(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	id := rlSeedUsers(t, srv, 1)[0]
	srv.InjectFault(onboardtest.Fault{Path: "/user/" + id, Times: 1, Status: http.StatusServiceUnavailable, RetryAfter: "1", Process: true})
	var meta onboard.Response
	err := c.Users.Delete(t.Context(), id, onboard.WithResponse(&meta))
	require.ErrorIs(t, err, onboard.ErrNotFound)
	assert.Equal(t, 2, meta.Attempts)
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID), "the user is gone")
}

func TestRoyaltiUsersAddToWorkspace(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	// The person is a user of another workspace.
	id := srv.AddRoyaltiUser("other-workspace", "ada@example.com", "Ada", "Lovelace")

	require.NoError(t, c.Users.AddToWorkspace(t.Context(), id, &onboard.RoyaltiAddToWorkspaceRequest{
		RedirectURL: "https://app.royalti.io/welcome", SendEmail: onboard.Ptr(false),
	}))
	r := rlLast(t, srv, http.MethodPut, "/user/"+id+"/aut")
	rlBody(t, r, `{"redirect_url":"https://app.royalti.io/welcome","sendEmail":false}`)
	assert.Empty(t, r.Query)
	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, users, 1)
	assert.Equal(t, id, users[0].ID)
	assert.False(t, users[0].SendEmail)
	invites := srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, invites, 1)
	assert.Equal(t, "https://app.royalti.io/welcome", invites[0].RedirectURL)

	require.NoError(t, c.Users.AddToWorkspace(t.Context(), id, nil))
	rlNoBody(t, rlLast(t, srv, http.MethodPut, "/user/"+id+"/aut"))
	assert.Equal(t, 1, srv.RoyaltiInvites(onboardtest.RoyaltiWorkspaceID)[0].Resends, "the pending invite is resent")

	require.ErrorIs(t, c.Users.AddToWorkspace(t.Context(), rlUserID, nil), onboard.ErrNotFound)
	rlValidation(t, c.Users.AddToWorkspace(t.Context(), "x", nil), "id")

	stub, _ := rlStub(t, rlAnswer(http.StatusOK, `{}`))
	require.NoError(t, stub.Users.AddToWorkspace(t.Context(), rlUserID, &onboard.RoyaltiAddToWorkspaceRequest{}), "the document's answer, {}")
}

// rlDeleteExample is the bulk delete's response example, verbatim.
const rlDeleteExample = `{
  "message": "Done.",
  "processedCount": 2,
  "failedDeletions": []
}`

func TestRoyaltiUsersDeleteBulk(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedUsers(t, srv, 3)
	sent := []string{ids[0], rlUserID, ids[2]}

	res, err := c.Users.DeleteBulk(t.Context(), &onboard.RoyaltiDeleteUsersRequest{IDs: sent})
	require.NoError(t, err)
	rlBody(t, rlLast(t, srv, http.MethodPost, "/user/bulk/delete"), `{"ids":["`+ids[0]+`","`+rlUserID+`","`+ids[2]+`"]}`)
	assert.Equal(t, "Done.", res.Message)
	assert.Equal(t, 3, res.ProcessedCount)
	assert.Equal(t, []string{rlUserID}, res.FailedDeletions)
	require.Len(t, res.Outcomes, 3)
	for i, o := range res.Outcomes {
		assert.Equal(t, i, o.Index)
		assert.Equal(t, sent[i], o.Item)
		assert.Equal(t, 1, o.Attempts)
	}
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateFailed, onboard.StateSucceeded},
		[]onboard.State{res.Outcomes[0].State, res.Outcomes[1].State, res.Outcomes[2].State})
	assert.Contains(t, res.Outcomes[1].Message, "failedDeletions")
	assert.Len(t, inState(res.Outcomes, onboard.StateSucceeded), 2)
	assert.Len(t, inState(res.Outcomes, onboard.StateFailed), 1)
	assert.Empty(t, inState(res.Outcomes, onboard.StateUnknown))
	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID)
	require.Len(t, users, 1)
	assert.Equal(t, ids[1], users[0].ID)
}

// The answer is read for what it says, and no more.
func TestRoyaltiUsersDeleteBulk_answers(t *testing.T) {
	t.Parallel()
	other := "32dc2f99-934d-4e1d-8c51-46f573dbf9a2"
	for _, tc := range []struct {
		name, answer string
		want         []onboard.State
		message      string
	}{
		{"document example", rlDeleteExample, []onboard.State{onboard.StateSucceeded, onboard.StateSucceeded}, ""},
		{"count of deletions", `{"message":"Done.","processedCount":1,"failedDeletions":["` + other + `"]}`,
			[]onboard.State{onboard.StateSucceeded, onboard.StateFailed}, ""},
		{"id in other case", `{"message":"Done.","processedCount":2,"failedDeletions":["` + "32DC2F99-934D-4E1D-8C51-46F573DBF9A2" + `"]}`,
			[]onboard.State{onboard.StateSucceeded, onboard.StateFailed}, ""},
		{"count that fits neither", `{"message":"Done.","processedCount":5,"failedDeletions":[]}`,
			[]onboard.State{onboard.StateUnknown, onboard.StateUnknown}, "counted 5 processed of 2"},
		{"failure naming no id", `{"message":"Done.","processedCount":2,"failedDeletions":["User not found"]}`,
			[]onboard.State{onboard.StateUnknown, onboard.StateUnknown}, "name no id sent"},
		{"no failedDeletions", `{"message":"Done.","processedCount":2}`,
			[]onboard.State{onboard.StateUnknown, onboard.StateUnknown}, "no failedDeletions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := rlStub(t, rlAnswer(http.StatusOK, tc.answer))
			res, err := c.Users.DeleteBulk(t.Context(), &onboard.RoyaltiDeleteUsersRequest{IDs: []string{rlUserID, other}})
			require.NoError(t, err)
			got := []onboard.State{res.Outcomes[0].State, res.Outcomes[1].State}
			assert.Equal(t, tc.want, got)
			if tc.message != "" {
				assert.Contains(t, res.Outcomes[0].Message, tc.message)
			}
		})
	}
}

// A bulk delete whose answer is lost and retried meets its own work: every
// id is then listed as failed, which is unknown, not failed.
func TestRoyaltiUsersDeleteBulk_retried(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedUsers(t, srv, 2)
	srv.InjectFault(onboardtest.Fault{Path: "/user/bulk/delete", Times: 1, Status: http.StatusServiceUnavailable, RetryAfter: "1", Process: true})
	res, err := c.Users.DeleteBulk(t.Context(), &onboard.RoyaltiDeleteUsersRequest{IDs: ids})
	require.NoError(t, err)
	assert.Equal(t, ids, res.FailedDeletions, "the retry finds them gone")
	for _, o := range res.Outcomes {
		assert.Equal(t, onboard.StateUnknown, o.State)
		assert.Equal(t, 2, o.Attempts)
		assert.Contains(t, o.Message, "earlier one may have done this item")
	}
}

func TestRoyaltiUsersDeleteBulk_invalid(t *testing.T) {
	t.Parallel()
	c, n := rlStub(t, rlAnswer(http.StatusOK, rlDeleteExample))
	_, err := c.Users.DeleteBulk(t.Context(), &onboard.RoyaltiDeleteUsersRequest{})
	rlValidation(t, err, "ids")
	_, err = c.Users.DeleteBulk(t.Context(), nil)
	rlValidation(t, err, "request")
	_, err = c.Users.DeleteBulk(t.Context(), &onboard.RoyaltiDeleteUsersRequest{IDs: []string{rlUserID, "", "nope", "EEC29E6F-B567-4CA4-BEFE-658743058098"}})
	rlValidation(t, err, "ids[1]", "ids[2]", "ids[3]")
	assert.Zero(t, n.Load())
}

func TestRoyaltiUsersDeleteBulkAll(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedUsers(t, srv, 3)
	in := []string{ids[0], "not-a-uuid", ids[1], rlUserID, ids[0], ids[2]}

	var progress []onboard.Progress
	rep, err := c.Users.DeleteBulkAll(t.Context(), nil, in, onboard.WithBatchSize(2), onboard.WithConcurrency(1), onboard.WithSendDuplicates(),
		onboard.WithProgress(func(p onboard.Progress) { progress = append(progress, p) }))
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, len(in), "one outcome per id")
	want := []onboard.State{onboard.StateSucceeded, onboard.StateNotSent, onboard.StateSucceeded,
		onboard.StateFailed, onboard.StateFailed, onboard.StateSucceeded}
	for i, o := range rep.Outcomes {
		assert.Equal(t, i, o.Index)
		assert.Equal(t, in[i], o.Item)
		assert.Equal(t, want[i], o.State, "outcome %d", i)
	}
	rlValidation(t, rep.Outcomes[1].Err, "ids[1]")
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
	assert.Equal(t, 3, srv.RequestCount("/user/bulk/delete"), "the repeated id goes in a later batch")
	require.NotEmpty(t, progress)
	assert.Equal(t, len(in), progress[len(progress)-1].Done)

	var bodies []string
	for _, r := range srv.Requests() {
		if r.Path == onboardtest.RoyaltiPathPrefix+"/user/bulk/delete" {
			bodies = append(bodies, string(r.Body))
		}
	}
	require.Len(t, bodies, 3)
	assert.JSONEq(t, `{"ids":["`+ids[0]+`","`+ids[1]+`"]}`, bodies[0])
	assert.JSONEq(t, `{"ids":["`+rlUserID+`","`+ids[0]+`"]}`, bodies[1])
	assert.JSONEq(t, `{"ids":["`+ids[2]+`"]}`, bodies[2])
}

func TestRoyaltiUsersDeleteBulkAll_requestMustBeEmpty(t *testing.T) {
	t.Parallel()
	c, n := rlStub(t, rlAnswer(http.StatusOK, rlDeleteExample))
	rep, err := c.Users.DeleteBulkAll(t.Context(), &onboard.RoyaltiDeleteUsersRequest{IDs: []string{rlUserID}}, []string{rlUserID})
	rlValidation(t, err, "ids")
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, onboard.StateNotSent, rep.Outcomes[0].State)
	require.ErrorIs(t, rep.Outcomes[0].Err, onboard.ErrStopped)
	assert.Zero(t, n.Load())
}

// A count the answer cannot be squared with leaves the batch unknown, and a
// batch refused whole leaves it not sent.
func TestRoyaltiUsersDeleteBulkAll_honestAnswers(t *testing.T) {
	t.Parallel()
	c, _ := rlStub(t, rlAnswer(http.StatusOK, `{"message":"Done.","processedCount":7,"failedDeletions":[]}`))
	rep, err := c.Users.DeleteBulkAll(t.Context(), &onboard.RoyaltiDeleteUsersRequest{}, []string{rlUserID, rlInviteID})
	require.NoError(t, err)
	for _, o := range rep.Outcomes {
		assert.Equal(t, onboard.StateUnknown, o.State)
		assert.Contains(t, o.Message, "counted 7 processed of 2")
	}

	c, _ = rlStub(t, rlAnswer(http.StatusBadRequest, `{"message":"ids is required"}`))
	rep, err = c.Users.DeleteBulkAll(t.Context(), nil, []string{rlUserID})
	require.NoError(t, err)
	assert.Equal(t, onboard.StateNotSent, rep.Outcomes[0].State)
	require.ErrorIs(t, rep.Outcomes[0].Err, onboard.ErrBadRequest)

	c, _ = rlStub(t, rlAnswer(http.StatusOK, `not json`))
	rep, err = c.Users.DeleteBulkAll(t.Context(), nil, []string{rlUserID})
	require.NoError(t, err)
	assert.Equal(t, onboard.StateUnknown, rep.Outcomes[0].State, "a 2xx that cannot be read may have been done")
}

func TestRoyaltiUsersDeleteBulkSeq(t *testing.T) {
	t.Parallel()
	c, srv := rlFake(t)
	ids := rlSeedUsers(t, srv, 2)
	in := []string{ids[0], rlUserID, ids[1]}
	var got []onboard.Outcome[string]
	for o := range c.Users.DeleteBulkSeq(t.Context(), nil, slices.Values(in), onboard.WithBatchSize(2)) {
		got = append(got, o)
	}
	require.Len(t, got, 3)
	assert.Equal(t, []onboard.State{onboard.StateSucceeded, onboard.StateFailed, onboard.StateSucceeded},
		[]onboard.State{got[0].State, got[1].State, got[2].State})
	for i, o := range got {
		assert.Equal(t, in[i], o.Item)
	}
	assert.Zero(t, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
}

// An answer without a usable count is paged until an empty page.
func TestRoyaltiLists_withoutCounts(t *testing.T) {
	t.Parallel()
	byPage := func(first, rest string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body := rest
			if r.URL.Query().Get("page") == "1" {
				body = first
			}
			rlAnswer(http.StatusOK, body)(w, r)
		}
	}
	c, n := rlStub(t, byPage(`{"invites":[{"id":"`+rlInviteID+`"},{"id":"`+rlUserID+`"}]}`, `{"invites":[]}`))
	ids, err := rlInviteIDs(rlDrain(c.Invites.List(t.Context(), nil)))
	require.NoError(t, err)
	assert.Equal(t, []string{rlInviteID, rlUserID}, ids)
	assert.EqualValues(t, 2, n.Load(), "the empty page 2 ends the list")

	c, n = rlStub(t, byPage(`{"message":"success","Users":[{"id":"`+rlUserID+`"}]}`, `{"message":"success","Users":[]}`))
	users, err := rlDrain(c.Users.List(t.Context(), nil))
	require.NoError(t, err)
	assert.Len(t, users, 1)
	assert.EqualValues(t, 2, n.Load(), "the empty page 2 ends the list")
}
