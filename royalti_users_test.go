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

func TestUsersCreateBulk(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv)
	srv.handle(royaltiPrefix+"/user/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docRoyaltiBulkUsers)
	})

	req := &onboard.RoyaltiCreateUsersRequest{
		Users: []onboard.RoyaltiWorkspaceUser{
			{FirstName: "John", LastName: "Doe", NickName: "JD", UserType: "artist", Email: "john@example.com",
				IPI: "00052210040", Role: "admin", Phone: "+2348000000000", Country: "NG"},
			{FirstName: "Jericho", LastName: "Doe", Email: "jericho@example.com"},
			{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
			{FirstName: "Jacob", LastName: "Doe", Email: "jacob@example.com"},
			{FirstName: "Jake", LastName: "Doe", Email: "jake@example.com"},
		},
		SendEmail:   onboard.Ptr(true),
		RedirectURL: "https://app.example.com/welcome",
		Message:     "Welcome aboard",
	}
	res, err := c.Users.CreateBulk(testCtx(t), req)
	require.NoError(t, err)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/royalti/user/bulk", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, `{
		"users": [
			{"firstName":"John","lastName":"Doe","nickName":"JD","userType":"artist","email":"john@example.com",
			 "ipi":"00052210040","role":"admin","phone":"+2348000000000","country":"NG"},
			{"firstName":"Jericho","lastName":"Doe","email":"jericho@example.com"},
			{"firstName":"Jane","lastName":"Doe","email":"jane@example.com"},
			{"firstName":"Jacob","lastName":"Doe","email":"jacob@example.com"},
			{"firstName":"Jake","lastName":"Doe","email":"jake@example.com"}
		],
		"sendEmail": true,
		"redirect_url": "https://app.example.com/welcome",
		"message": "Welcome aboard"
	}`, string(r.Body))

	// The server's answer, as documented.
	assert.Equal(t, "Done.", res.Message)
	assert.Equal(t, []string{"John Doe", "Jericho Doe"}, res.CreatedUsers)
	assert.Equal(t, 3, res.ProcessedCount)
	assert.Equal(t, []string{
		"User Jane Doe already associated with workspace!",
		"Invalid email format for Jacob Doe",
		"Invalid email format for Jake Doe",
	}, res.Errors)

	// The answer tied back to each submitted user, in input order.
	require.Len(t, res.Outcomes, 5)
	want := []struct {
		state  onboard.State
		reason string
	}{
		{onboard.StateSucceeded, ""},
		{onboard.StateSucceeded, ""},
		{onboard.StateFailed, "User Jane Doe already associated with workspace!"},
		{onboard.StateFailed, "Invalid email format for Jacob Doe"},
		{onboard.StateFailed, "Invalid email format for Jake Doe"},
	}
	for i, w := range want {
		o := res.Outcomes[i]
		assert.Equal(t, i, o.Index, "outcome %d", i)
		assert.Equal(t, req.Users[i], o.Item, "outcome %d", i)
		assert.Equal(t, w.state, o.State, "outcome %d (%s)", i, o.Item.Email)
		assert.Equal(t, w.reason, o.Message, "outcome %d", i)
		assert.Equal(t, 1, o.Attempts, "outcome %d", i)
	}
	assert.Len(t, inState(res.Outcomes, onboard.StateSucceeded), 2)
	assert.Len(t, inState(res.Outcomes, onboard.StateFailed), 3)
	assert.Empty(t, inState(res.Outcomes, onboard.StateUnknown))
}

func TestUsersCreateBulk_sendEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sendEmail *bool
		want      string
	}{
		{"nil is left out", nil, `{"users":[{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}]}`},
		{"false is sent", onboard.Ptr(false), `{"users":[{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}],"sendEmail":false}`},
		{"true is sent", onboard.Ptr(true), `{"users":[{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}],"sendEmail":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/user/bulk", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"Done.","createdUsers":["Ada Lovelace"],"processedCount":1,"errors":[]}`)
			})
			req := validCreateUsers()
			req.SendEmail = tt.sendEmail
			_, err := c.Users.CreateBulk(testCtx(t), req)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(srv.only(t).Body))
		})
	}
}

// Royalti reports created users by name only and errors as free text, so
// the outcome of each input is what can be told for certain, and unknown
// otherwise.
func TestUsersCreateBulk_outcomes(t *testing.T) {
	t.Parallel()
	type want struct {
		state  onboard.State
		reason string // exact reason; "" with contains below for unknowns
	}
	tests := []struct {
		name     string
		users    []onboard.RoyaltiWorkspaceUser
		answer   string
		want     []want
		contains []string // substrings of each unknown's reason
	}{
		{
			name: "two inputs named the same, one created and one refused, are both unknown",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", LastName: "Doe", Email: "john1@example.com"},
				{FirstName: "John", LastName: "Doe", Email: "john2@example.com"},
				{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
			},
			answer: `{"message":"Done.","createdUsers":["John Doe","Ada Lovelace"],"processedCount":3,
				"errors":["User John Doe already associated with workspace!"]}`,
			want:     []want{{state: onboard.StateUnknown}, {state: onboard.StateUnknown}, {state: onboard.StateSucceeded}},
			contains: []string{`2 users are named "John Doe"`, `2 users are named "John Doe"`},
		},
		{
			name: "two inputs named the same, both created",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", LastName: "Doe", Email: "john1@example.com"},
				{FirstName: "John", LastName: "Doe", Email: "john2@example.com"},
			},
			answer: `{"message":"Done.","createdUsers":["John Doe","John Doe"],"processedCount":2,"errors":[]}`,
			want:   []want{{state: onboard.StateSucceeded}, {state: onboard.StateSucceeded}},
		},
		{
			name: "an error naming an email settles that input even when names clash",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", LastName: "Doe", Email: "john1@example.com"},
				{FirstName: "John", LastName: "Doe", Email: "john2@example.com"},
			},
			answer: `{"message":"Done.","createdUsers":["John Doe"],"processedCount":2,
				"errors":["Invalid email format for john2@example.com"]}`,
			want: []want{{state: onboard.StateSucceeded}, {onboard.StateFailed, "Invalid email format for john2@example.com"}},
		},
		{
			name: "an input in neither list is unknown",
			users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
				{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"},
			},
			answer:   `{"message":"Done.","createdUsers":["Ada Lovelace"],"processedCount":1,"errors":[]}`,
			want:     []want{{state: onboard.StateSucceeded}, {state: onboard.StateUnknown}},
			contains: []string{`"Grace Hopper" is in neither createdUsers nor errors`},
		},
		{
			name:     "an input without a name cannot be matched",
			users:    []onboard.RoyaltiWorkspaceUser{{Email: "anon@example.com"}},
			answer:   `{"message":"Done.","createdUsers":[],"processedCount":1,"errors":[]}`,
			want:     []want{{state: onboard.StateUnknown}},
			contains: []string{"no name"},
		},
		{
			name:   "names are compared without case or extra spaces",
			users:  []onboard.RoyaltiWorkspaceUser{{FirstName: " Ada ", LastName: "Lovelace", Email: "ada@example.com"}},
			answer: `{"message":"Done.","createdUsers":["ada  LOVELACE"],"processedCount":1,"errors":[]}`,
			want:   []want{{state: onboard.StateSucceeded}},
		},
		{
			name:   "empty answer lists",
			users:  []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}},
			answer: `{"message":"Done."}`,
			want:   []want{{state: onboard.StateUnknown}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/user/bulk", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, tt.answer)
			})
			res, err := c.Users.CreateBulk(testCtx(t), &onboard.RoyaltiCreateUsersRequest{Users: tt.users})
			require.NoError(t, err)
			require.Len(t, res.Outcomes, len(tt.users))
			unknown := 0
			for i, w := range tt.want {
				o := res.Outcomes[i]
				assert.Equal(t, i, o.Index)
				assert.Equal(t, tt.users[i], o.Item)
				assert.Equal(t, w.state, o.State, "outcome %d: %+v", i, o)
				if w.state == onboard.StateUnknown {
					assert.NotEmpty(t, o.Message, "an unknown outcome says why")
					if unknown < len(tt.contains) {
						assert.Contains(t, o.Message, tt.contains[unknown])
					}
					unknown++
					continue
				}
				assert.Equal(t, w.reason, o.Message, "outcome %d", i)
			}
			assert.Len(t, inState(res.Outcomes, onboard.StateUnknown), unknown)
		})
	}
}

func TestUsersCreateBulk_validation(t *testing.T) {
	t.Parallel()
	createBulk := func(req *onboard.RoyaltiCreateUsersRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			res, err := c.royalti.Users.CreateBulk(ctx, req)
			assert.Nil(t, res)
			return err
		}
	}
	runValidationCases(t, "royalti: Users.CreateBulk", []validationCase{
		{name: "nil request", call: createBulk(nil), want: []problem{{"request", "is nil"}}},
		{name: "no users", call: createBulk(&onboard.RoyaltiCreateUsersRequest{}), want: []problem{{"users", "at least one"}}},
		{
			name: "every bad user by index",
			call: createBulk(&onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{
				{FirstName: "John", Email: "john@example.com"},
				{FirstName: "Jericho"},
				{FirstName: "Jane", Email: "jane@example.com"},
				{FirstName: "Jacob", Email: "jacob@"},
				{FirstName: "Jake", Email: "jake@example.com"},
			}}),
			want: []problem{{"users[1].email", "is required"}, {"users[3].email", "not a valid email"}},
		},
	})
}
