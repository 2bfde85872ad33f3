package onboard_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// Tests of Aptly's user lifecycle: list, resend invites, bulk status
// update, bulk delete, and update-entities. The request and answer
// examples are those of lifecycle.md, sections A1–A5.

// The tenant and user ids of the documents' examples.
const (
	lcTenant = "65704505-3bb2-4691-880f-5f31b26f4207" // A2's tenantId
	lcUserA  = "c8009e3b-49f2-4efb-9171-92991fba6ad4" // A2's userIds
	lcUserB  = "80ee2737-c11b-42d0-ac1a-401121d87581"
	lcUserC  = "82df4321-1518-4788-b213-806d73796555" // A3's
	lcUserD  = "b1ebc0cf-0170-47ca-8fd3-3859fbd6bfa2" // A4's
)

func init() {
	ids := []string{lcUserA}
	specCalls["AptlyUsers.List"] = func(ctx context.Context, c *specClients) error {
		for _, err := range c.aptly.Users.List(ctx, nil) {
			return err
		}
		return nil
	}
	specCalls["AptlyInvites.ResendBulk"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Invites.ResendBulk(ctx, &onboard.AptlyBulkResendRequest{TenantID: specTenant, UserIDs: ids})
		return err
	}
	specCalls["AptlyInvites.ResendBulkAll"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: specTenant}, ids)
		return err
	}
	specCalls["AptlyInvites.ResendBulkSeq"] = func(ctx context.Context, c *specClients) error {
		for range c.aptly.Invites.ResendBulkSeq(ctx, &onboard.AptlyBulkResendRequest{TenantID: specTenant}, slices.Values(ids)) {
		}
		return nil
	}
	specCalls["AptlyUsers.UpdateStatusBulk"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Users.UpdateStatusBulk(ctx, &onboard.AptlyUpdateStatusRequest{UserIDs: ids, Status: onboard.AptlyUserInactive})
		return err
	}
	specCalls["AptlyUsers.UpdateStatusBulkAll"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Users.UpdateStatusBulkAll(ctx, &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserInactive}, ids)
		return err
	}
	specCalls["AptlyUsers.UpdateStatusBulkSeq"] = func(ctx context.Context, c *specClients) error {
		for range c.aptly.Users.UpdateStatusBulkSeq(ctx, &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserInactive}, slices.Values(ids)) {
		}
		return nil
	}
	specCalls["AptlyUsers.DeleteBulk"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Users.DeleteBulk(ctx, &onboard.AptlyDeleteUsersRequest{UserIDs: ids})
		return err
	}
	specCalls["AptlyUsers.DeleteBulkAll"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Users.DeleteBulkAll(ctx, nil, ids)
		return err
	}
	specCalls["AptlyUsers.DeleteBulkSeq"] = func(ctx context.Context, c *specClients) error {
		for range c.aptly.Users.DeleteBulkSeq(ctx, nil, slices.Values(ids)) {
		}
		return nil
	}
	specCalls["AptlyUsers.UpdateEntities"] = func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Users.UpdateEntities(ctx, lcUserA, &onboard.AptlyUpdateEntitiesRequest{DisplayName: "Ada"})
		return err
	}
}

// aptlyFake returns the fake and an Aptly client for it.
func aptlyFake(t *testing.T, opts ...onboard.Option) (*onboardtest.Server, *onboard.AptlyClient) {
	t.Helper()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	opts = append([]onboard.Option{onboard.WithHTTPClient(srv.Client())}, opts...)
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), opts...)
	require.NoError(t, err)
	return srv, c
}

// aptlyPath is the path the fake records for an Aptly endpoint's path.
func aptlyPath(p string) string { return onboardtest.AptlyPathPrefix + p }

// seedInvited stores n users with pending invites in tenant, as if invited
// earlier, and returns their ids in the order stored.
func seedInvited(t *testing.T, srv *onboardtest.Server, tenant string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = srv.AddAptlyInvite(tenant, fmt.Sprintf("user%02d@example.com", i), "User", strconv.Itoa(i))
	}
	return ids
}

// seenRequest is one request an exampleServer received.
type seenRequest struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// exampleServer answers every request with status and body (a document's
// example) and records what it received.
type exampleServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

func newExampleServer(t *testing.T, status int, body string) *exampleServer {
	t.Helper()
	s := &exampleServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *exampleServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// client returns an Aptly client for the server, under the /auth prefix
// of Aptly's hosts, retrying nothing.
func (s *exampleServer) client(t *testing.T) *onboard.AptlyClient {
	t.Helper()
	c, err := onboard.NewAptlyClient(s.URL+"/auth", onboard.BearerToken("token-123456"), onboard.WithRetry(0))
	require.NoError(t, err)
	return c
}

// assertAptlyRequest checks the one request s received: method, path,
// query, the headers every Aptly call sends, and the exact JSON body (""
// for none).
func assertAptlyRequest(t *testing.T, s *exampleServer, method, path, query, body string) {
	t.Helper()
	got := s.requests()
	require.Len(t, got, 1)
	r := got[0]
	assert.Equal(t, method, r.Method)
	assert.Equal(t, "/auth"+path, r.Path)
	assert.Equal(t, query, r.RawQuery)
	assert.Equal(t, "Bearer token-123456", r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "onboard-go/"))
	if body == "" {
		assert.Empty(t, r.Body)
		assert.Empty(t, r.Header.Get("Content-Type"))
		return
	}
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.JSONEq(t, body, string(r.Body))
}

// listUsers2026 is the 2026 render's list-users example, verbatim up to
// where the document's copy ends (inside the user's manager), closed there.
const listUsers2026 = `{
  "statusCode": 200,
  "timestamp": "2026-01-12T09:10:13.120Z",
  "message": "Success",
  "data": {
    "page": 1,
    "limit": 10,
    "total": 100,
    "data": [
      {
        "id": "d4b8eae5-02dc-4a9a-9afe-b2f72e006ebb",
        "userId": "10001",
        "loginId": "Delpha82@yahoo.com",
        "descopeUserId": "7eOCsfn938mPjGwc5IZu4m5QAQWZS0xy",
        "activeTenantId": "3d4c3b64-f52d-4890-aa26-ea2e52eb5a4d",
        "email": "Clay.Purdy@gmail.com",
        "name": "Vera Wolf",
        "displayName": "Brooke Rohan",
        "isSAML": false,
        "mobilePhone": "1-491-503-1712 x7659",
        "firstName": "Jolie",
        "lastName": "Morissette-Spencer",
        "profileImageUrl": "https://loremflickr.com/807/3278?lock=727001695474930",
        "currencyName": "Euro",
        "currencyCode": "EUR",
        "accountType": "h",
        "autoProvisioned": false,
        "employeeId": "f",
        "employeeNumber": "h",
        "employeeType": "D",
        "employmentType": "j",
        "userType": "z",
        "sourceId": "LaTdLstQ4lRlowebEqMq",
        "actorType": "khOhlolFNb",
        "aiAgentType": "XwUPLzjRvaLBsCG",
        "startDate": "2025-11-19T05:27:09.941Z",
        "terminationDate": "2026-10-16T18:32:34.796Z",
        "customAttributes": {
          "department": "Engineering",
          "level": "Senior"
        },
        "externalId": "EXT12345",
        "instanceId": "6a5dd288-ec68-44ff-a1ce-b0128347b3b6",
        "systemIntegrationId": "6e94c7f7-576d-48ed-8cc0-b8b09f56cba8",
        "displayLanguage": "en-US",
        "columnViewSettings": {
          "columns": [
            "name",
            "email",
            "status"
          ]
        },
        "searchData": [
          "Directives",
          "Liaison"
        ],
        "managerSync": true
      }
    ]
  }
}`

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}

func TestAptlyListPage_documentExample2026(t *testing.T) {
	s := newExampleServer(t, http.StatusOK, listUsers2026)
	p, err := onboard.AptlyListPage(t.Context(), s.client(t).Users, &onboard.AptlyListUsersOptions{Page: 1, Limit: 10})
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodGet, "/v1/user", "limit=10&page=1", "")

	assert.Equal(t, 1, p.Page)
	assert.Equal(t, 10, p.Limit)
	assert.Equal(t, 100, p.Total)
	require.Len(t, p.Users, 1)
	u := p.Users[0]
	assert.Equal(t, "d4b8eae5-02dc-4a9a-9afe-b2f72e006ebb", u.ID)
	assert.Equal(t, "Clay.Purdy@gmail.com", u.Email)
	assert.Equal(t, "Brooke Rohan", u.DisplayName)
	assert.Equal(t, "h", u.EmployeeNumber)
	assert.Equal(t, "j", u.EmploymentType)
	assert.Equal(t, "LaTdLstQ4lRlowebEqMq", u.SourceID)
	assert.Equal(t, "khOhlolFNb", u.ActorType)
	assert.Equal(t, "XwUPLzjRvaLBsCG", u.AIAgentType)
	assert.Equal(t, mustTime(t, "2025-11-19T05:27:09.941Z"), u.StartDate)
	assert.Equal(t, mustTime(t, "2026-10-16T18:32:34.796Z"), u.TerminationDate)
	assert.Equal(t, map[string]any{"department": "Engineering", "level": "Senior"}, u.CustomAttributes)
	assert.Equal(t, "EXT12345", u.ExternalID)
	assert.Equal(t, "6a5dd288-ec68-44ff-a1ce-b0128347b3b6", u.InstanceID)
	assert.Equal(t, "6e94c7f7-576d-48ed-8cc0-b8b09f56cba8", u.SystemIntegrationID)
	assert.Equal(t, "en-US", u.DisplayLanguage)
	require.NotNil(t, u.ColumnViewSettings)
	assert.Equal(t, []string{"name", "email", "status"}, u.ColumnViewSettings.Columns)
	assert.Equal(t, []string{"Directives", "Liaison"}, u.SearchData)
	assert.Empty(t, u.Status, "the 2026 example shows no status")
}

// TestAptlyListPage_documentExample2025 decodes the 2025 render's list
// item, which the document checked to be the create-user example's user:
// the page is built around that user, and List must decode it exactly as
// Create does.
func TestAptlyListPage_documentExample2025(t *testing.T) {
	created := docAptlyCreateUser
	s := newExampleServer(t, http.StatusCreated, created)
	want, err := s.client(t).Users.Create(t.Context(), &onboard.AptlyCreateUserRequest{TenantID: lcTenant, FirstName: "A", LastName: "B", Email: "ab@example.com"})
	require.NoError(t, err)

	user := created
	user = user[strings.Index(user, `"data":`)+len(`"data":`) : strings.LastIndex(user, "}")]
	page := `{"statusCode":200,"timestamp":"2025-06-25T06:16:49.188Z","message":"Success",
		"data":{"page":1,"limit":10,"total":100,"data":[` + user + `]}}`
	s = newExampleServer(t, http.StatusOK, page)
	p, err := onboard.AptlyListPage(t.Context(), s.client(t).Users, nil)
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodGet, "/v1/user", "", "")
	require.Len(t, p.Users, 1)
	assert.Equal(t, *want, p.Users[0])
	assert.Equal(t, onboard.AptlyUserActive, p.Users[0].Status)
	assert.Equal(t, "MM/DD/YYYY", p.Users[0].DateFormat)
}

func TestAptlyListPage_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 5)

	var meta onboard.Response
	p, err := onboard.AptlyListPage(t.Context(), c.Users, &onboard.AptlyListUsersOptions{Page: 2, Limit: 2}, onboard.WithResponse(&meta))
	require.NoError(t, err)
	assert.Equal(t, 2, p.Page)
	assert.Equal(t, 2, p.Limit)
	assert.Equal(t, 5, p.Total)
	require.Len(t, p.Users, 2)
	assert.Equal(t, []string{p.Users[0].ID, p.Users[1].ID}, ids[2:4])
	assert.Equal(t, onboard.AptlyUserInvited, p.Users[0].Status)
	assert.Equal(t, http.StatusOK, meta.StatusCode)
	require.NotNil(t, meta.Envelope)
	assert.Equal(t, http.StatusOK, meta.Envelope.StatusCode)

	last, ok := srv.LastRequest()
	require.True(t, ok)
	assert.Equal(t, http.MethodGet, last.Method)
	assert.Equal(t, aptlyPath("/v1/user"), last.Path)
	assert.Equal(t, "2", last.Query.Get("page"))
	assert.Equal(t, "2", last.Query.Get("limit"))
	assert.Len(t, last.Query, 2)
	assert.Empty(t, last.Body)

	p, err = onboard.AptlyListPage(t.Context(), c.Users, &onboard.AptlyListUsersOptions{Page: 3, Limit: 2})
	require.NoError(t, err)
	assert.Len(t, p.Users, 1)

	p, err = onboard.AptlyListPage(t.Context(), c.Users, nil)
	require.NoError(t, err)
	assert.Equal(t, onboardtest.AptlyDefaultLimit, p.Limit, "no limit sent: the server's default")
	last, _ = srv.LastRequest()
	assert.Empty(t, last.Query, "nil options send no query")
}

func TestAptlyListUsers_invalidOptionsSendNothing(t *testing.T) {
	srv, c := aptlyFake(t)
	opts := &onboard.AptlyListUsersOptions{Page: -1, Limit: -5}
	_, err := onboard.AptlyListPage(t.Context(), c.Users, opts)
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Problems, 2, "every problem at once")

	var n int
	for u, err := range c.Users.List(t.Context(), opts) {
		n++
		assert.Empty(t, u.ID)
		require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	}
	assert.Equal(t, 1, n, "one value, the error")
	assert.Zero(t, srv.RequestCount("/v1/user"))
}

// listIDs ranges over seq, gathering ids until the first error.
func listIDs(seq func(func(onboard.AptlyUser, error) bool)) ([]string, error) {
	var ids []string
	for u, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}

func TestAptlyList_severalPages(t *testing.T) {
	srv, c := aptlyFake(t)
	want := seedInvited(t, srv, lcTenant, 7)

	got, err := listIDs(c.Users.List(t.Context(), &onboard.AptlyListUsersOptions{Limit: 3}))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	var pages []string
	for _, r := range srv.Requests() {
		pages = append(pages, r.Query.Encode())
	}
	assert.Equal(t, []string{"limit=3&page=1", "limit=3&page=2", "limit=3&page=3"}, pages,
		"the third page brings the total: no fourth is asked for")

	got, err = listIDs(c.Users.List(t.Context(), &onboard.AptlyListUsersOptions{Page: 2, Limit: 3}))
	require.NoError(t, err)
	assert.Equal(t, want[3:], got, "starts at the page given, ends on the empty page")
}

func TestAptlyList_breakFetchesNoFurtherPage(t *testing.T) {
	srv, c := aptlyFake(t)
	seedInvited(t, srv, lcTenant, 7)

	n := 0
	for _, err := range c.Users.List(t.Context(), &onboard.AptlyListUsersOptions{Limit: 3}) {
		require.NoError(t, err)
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, 1, srv.RequestCount("/v1/user"), "the break after the first page's last user")
}

func TestAptlyList_contextCancelledMidPage(t *testing.T) {
	srv, c := aptlyFake(t)
	seedInvited(t, srv, lcTenant, 7)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	n := 0
	var last error
	for _, err := range c.Users.List(ctx, &onboard.AptlyListUsersOptions{Limit: 3}) {
		if err != nil {
			last = err
			break
		}
		n++
		cancel()
	}
	assert.Equal(t, 3, n, "the page in hand is delivered")
	require.ErrorIs(t, last, context.Canceled)
	assert.Contains(t, last.Error(), "aptly: Users.List")
	assert.Equal(t, 1, srv.RequestCount("/v1/user"), "no page is fetched after the cancel")
}

func TestAptlyList_serverRepeatingAPageIsStopped(t *testing.T) {
	// Ignores the page parameter: every answer is the first page.
	page := `{"statusCode":200,"timestamp":"2026-01-12T09:10:13.120Z","message":"Success",
		"data":{"page":1,"limit":2,"total":10,"data":[{"id":"` + lcUserA + `"},{"id":"` + lcUserB + `"}]}}`
	s := newExampleServer(t, http.StatusOK, page)

	got, err := listIDs(s.client(t).Users.List(t.Context(), &onboard.AptlyListUsersOptions{Limit: 2}))
	require.ErrorIs(t, err, onboard.ErrPageRepeated)
	assert.Equal(t, []string{lcUserA, lcUserB}, got)
	assert.Len(t, s.requests(), 2, "stopped at the first repeat")
}

func TestAptlyList_failedPageEndsTheLoop(t *testing.T) {
	srv, c := aptlyFake(t, onboard.WithRetry(0))
	seedInvited(t, srv, lcTenant, 5)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user", Times: 1, Status: http.StatusInternalServerError})

	got, err := listIDs(c.Users.List(t.Context(), &onboard.AptlyListUsersOptions{Limit: 2}))
	require.ErrorIs(t, err, onboard.ErrServer)
	assert.Empty(t, got)
}

// updateEntitiesExample is the 2026 render's update-entities request
// example, verbatim.
const updateEntitiesExample = `{
  "tenantId": "40c1d320-3048-4e61-9faa-7f73d6886616",
  "managerId": "066804be-6469-48ff-a787-12794368b6ea",
  "roleIds": [
    "b27ff533-f174-4daf-833e-37745fa25647",
    "df01a489-fc3b-429c-9bee-e8f9c2985733"
  ],
  "positionIds": [
    "cd72f6c0-866a-47d7-a529-18effdf40d35",
    "4c385a1d-c1c6-42a2-a9aa-f3db5b1ba360"
  ],
  "groups": [
    {
      "groupId": "f9ba0493-da6f-44bc-998c-ec417c6a0807",
      "isPrimaryOrg": true
    }
  ],
  "email": "Carey68@hotmail.com",
  "name": "Eula Cummerata",
  "displayName": "Carroll Osinski",
  "firstName": "Ora",
  "lastName": "Spinka",
  "accountType": "k",
  "userType": "X",
  "employeeId": "O",
  "employeeNumber": "p",
  "employeeType": "NRluvYCyZe",
  "employmentType": "NMlYVixcbD",
  "mobilePhone": "+1 (555) 123-4567",
  "profileImageUrl": "https://picsum.photos/seed/jGHXAfjJ7/3232/1932",
  "currencyCode": "USD",
  "currencyName": "US Dollars",
  "status": "ACTIVE",
  "dateFormat": "MM/DD/YYYY",
  "sourceId": "2nFu2AI5LqVDHijIv3fR",
  "actorType": "eCMJYkjHwy",
  "aiAgentType": "bPoBClRbegbntvb",
  "startDate": "2025-10-14T14:16:32.154Z",
  "terminationDate": "2026-12-14T14:15:37.653Z",
  "customAttributes": {
    "department": "Engineering",
    "level": "Senior"
  }
}`

// updateEntitiesAnswer is the 2026 render's update-entities answer,
// verbatim up to where the document's copy ends, closed there.
const updateEntitiesAnswer = `{
  "statusCode": 200,
  "timestamp": "2026-01-12T09:10:12.337Z",
  "message": "Success",
  "data": {
    "id": "d4b8eae5-02dc-4a9a-9afe-b2f72e006ebb",
    "userId": "10001",
    "loginId": "Delpha82@yahoo.com",
    "descopeUserId": "7eOCsfn938mPjGwc5IZu4m5QAQWZS0xy",
    "activeTenantId": "3d4c3b64-f52d-4890-aa26-ea2e52eb5a4d",
    "email": "Clay.Purdy@gmail.com",
    "name": "Vera Wolf",
    "displayName": "Brooke Rohan",
    "isSAML": false,
    "mobilePhone": "1-491-503-1712 x7659",
    "firstName": "Jolie",
    "lastName": "Morissette-Spencer",
    "profileImageUrl": "https://loremflickr.com/807/3278?lock=727001695474930",
    "currencyName": "Euro",
    "currencyCode": "EUR",
    "accountType": "h",
    "autoProvisioned": false
  }
}`

// exampleUpdate is updateEntitiesExample as a request.
func exampleUpdate(t *testing.T) *onboard.AptlyUpdateEntitiesRequest {
	return &onboard.AptlyUpdateEntitiesRequest{
		TenantID:         "40c1d320-3048-4e61-9faa-7f73d6886616",
		ManagerID:        "066804be-6469-48ff-a787-12794368b6ea",
		RoleIDs:          []string{"b27ff533-f174-4daf-833e-37745fa25647", "df01a489-fc3b-429c-9bee-e8f9c2985733"},
		PositionIDs:      []string{"cd72f6c0-866a-47d7-a529-18effdf40d35", "4c385a1d-c1c6-42a2-a9aa-f3db5b1ba360"},
		Groups:           []onboard.AptlyGroupAssignment{{GroupID: "f9ba0493-da6f-44bc-998c-ec417c6a0807", IsPrimaryOrg: onboard.Ptr(true)}},
		Email:            "Carey68@hotmail.com",
		Name:             "Eula Cummerata",
		DisplayName:      "Carroll Osinski",
		FirstName:        "Ora",
		LastName:         "Spinka",
		AccountType:      "k",
		UserType:         "X",
		EmployeeID:       "O",
		EmployeeNumber:   "p",
		EmployeeType:     "NRluvYCyZe",
		EmploymentType:   "NMlYVixcbD",
		MobilePhone:      "+1 (555) 123-4567",
		ProfileImageURL:  "https://picsum.photos/seed/jGHXAfjJ7/3232/1932",
		CurrencyCode:     "USD",
		CurrencyName:     "US Dollars",
		Status:           onboard.AptlyUserActive,
		DateFormat:       "MM/DD/YYYY",
		SourceID:         "2nFu2AI5LqVDHijIv3fR",
		ActorType:        "eCMJYkjHwy",
		AIAgentType:      "bPoBClRbegbntvb",
		StartDate:        mustTime(t, "2025-10-14T14:16:32.154Z"),
		TerminationDate:  mustTime(t, "2026-12-14T14:15:37.653Z"),
		CustomAttributes: map[string]string{"department": "Engineering", "level": "Senior"},
	}
}

func TestAptlyUpdateEntities_documentExample(t *testing.T) {
	s := newExampleServer(t, http.StatusOK, updateEntitiesAnswer)
	u, err := s.client(t).Users.UpdateEntities(t.Context(), "d4b8eae5-02dc-4a9a-9afe-b2f72e006ebb", exampleUpdate(t))
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodPatch, "/v1/user/update-entities/d4b8eae5-02dc-4a9a-9afe-b2f72e006ebb", "", updateEntitiesExample)
	assert.Equal(t, "d4b8eae5-02dc-4a9a-9afe-b2f72e006ebb", u.ID)
	assert.Equal(t, "Brooke Rohan", u.DisplayName)
	assert.Equal(t, "Morissette-Spencer", u.LastName)
	assert.Equal(t, "h", u.AccountType)
}

func TestAptlyUpdateEntities_onlyWhatIsSetIsSent(t *testing.T) {
	s := newExampleServer(t, http.StatusOK, updateEntitiesAnswer)
	_, err := s.client(t).Users.UpdateEntities(t.Context(), lcUserA, &onboard.AptlyUpdateEntitiesRequest{DisplayName: "Ada", Status: onboard.AptlyUserInactive})
	require.NoError(t, err)
	assertAptlyRequest(t, s, http.MethodPatch, "/v1/user/update-entities/"+lcUserA, "", `{"displayName":"Ada","status":"INACTIVE"}`)
}

func TestAptlyUpdateEntities_fake(t *testing.T) {
	srv, c := aptlyFake(t)
	ids := seedInvited(t, srv, lcTenant, 2)
	req := &onboard.AptlyUpdateEntitiesRequest{
		TenantID:         lcTenant,
		ManagerID:        ids[1],
		DisplayName:      "Ada L.",
		EmployeeNumber:   "E-7",
		Status:           onboard.AptlyUserActive,
		StartDate:        mustTime(t, "2025-10-14T14:16:32.154Z"),
		CustomAttributes: map[string]string{"department": "Engineering"},
	}
	var meta onboard.Response
	u, err := c.Users.UpdateEntities(t.Context(), ids[0], req, onboard.WithResponse(&meta))
	require.NoError(t, err)
	assert.Equal(t, ids[0], u.ID)
	assert.Equal(t, "Ada L.", u.DisplayName)
	assert.Equal(t, "E-7", u.EmployeeNumber)
	assert.Equal(t, onboard.AptlyUserActive, u.Status)
	assert.Equal(t, mustTime(t, "2025-10-14T14:16:32.154Z"), u.StartDate)
	assert.Equal(t, map[string]any{"department": "Engineering"}, u.CustomAttributes)
	assert.Equal(t, http.StatusOK, meta.StatusCode)

	last, _ := srv.LastRequest()
	assert.Equal(t, http.MethodPatch, last.Method)
	assert.Equal(t, aptlyPath("/v1/user/update-entities/"+ids[0]), last.Path)
	assert.Equal(t, "Bearer "+onboardtest.AptlyToken, last.Header.Get("Authorization"))
	assert.JSONEq(t, `{"tenantId":"`+lcTenant+`","managerId":"`+ids[1]+`","displayName":"Ada L.","employeeNumber":"E-7",
		"status":"ACTIVE","startDate":"2025-10-14T14:16:32.154Z","customAttributes":{"department":"Engineering"}}`, string(last.Body))

	_, err = c.Users.UpdateEntities(t.Context(), lcUserD, &onboard.AptlyUpdateEntitiesRequest{DisplayName: "x"})
	require.ErrorIs(t, err, onboard.ErrNotFound, "an id that names no user")
	_, err = c.Users.UpdateEntities(t.Context(), ids[0], &onboard.AptlyUpdateEntitiesRequest{Email: "user01@example.com"})
	require.ErrorIs(t, err, onboard.ErrConflict, "another user's email")
}

func TestAptlyUpdateEntities_limitsCheckedBeforeSending(t *testing.T) {
	srv, c := aptlyFake(t)
	id := seedInvited(t, srv, lcTenant, 1)[0]
	over := func(n int) string { return strings.Repeat("a", n+1) }
	req := &onboard.AptlyUpdateEntitiesRequest{
		TenantID:        "not-a-uuid",
		ManagerID:       "nope",
		RoleIDs:         []string{"x"},
		Email:           "not an email",
		Name:            over(50),
		DisplayName:     over(50),
		FirstName:       over(50),
		LastName:        over(20),
		AccountType:     over(20),
		UserType:        over(20),
		EmployeeType:    over(20),
		EmploymentType:  over(20),
		MobilePhone:     "call me",
		ProfileImageURL: over(50),
		SourceID:        over(100),
		ActorType:       over(50),
		AIAgentType:     over(50),
		Status:          "GONE",
		StartDate:       mustTime(t, "2026-01-02T00:00:00Z"),
		TerminationDate: mustTime(t, "2026-01-01T00:00:00Z"),
	}
	_, err := c.Users.UpdateEntities(t.Context(), "42", req)
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	assert.ElementsMatch(t, []string{"id", "tenantId", "managerId", "roleIds[0]", "email", "name", "displayName", "firstName",
		"lastName", "accountType", "userType", "employeeType", "employmentType", "mobilePhone", "profileImageUrl",
		"sourceId", "actorType", "aiAgentType", "status", "terminationDate"}, fields)
	assert.Contains(t, err.Error(), "lastName: is 21 characters; Aptly takes at most 20")
	assert.Zero(t, srv.RequestCount("/update-entities/"+id))

	// At the limits, counted in characters, not bytes.
	atLimit := &onboard.AptlyUpdateEntitiesRequest{
		Name:        strings.Repeat("é", 50),
		LastName:    strings.Repeat("ß", 20),
		SourceID:    strings.Repeat("s", 100),
		MobilePhone: "+1 (555) 123-4567 .  -",
	}
	_, err = c.Users.UpdateEntities(t.Context(), id, atLimit)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("/update-entities/"+id))

	for _, phone := range []string{"123456", strings.Repeat("1", 26), "+1 555 CALL"} {
		_, err = c.Users.UpdateEntities(t.Context(), id, &onboard.AptlyUpdateEntitiesRequest{MobilePhone: phone})
		require.ErrorIs(t, err, onboard.ErrInvalidRequest, phone)
	}
	_, err = c.Users.UpdateEntities(t.Context(), id, nil)
	require.ErrorIs(t, err, onboard.ErrInvalidRequest)
	assert.Equal(t, 1, srv.RequestCount("/update-entities/"+id), "nothing more was sent")
}

func TestAptlyUpdateEntities_idIsEscaped(t *testing.T) {
	// A UUID needs no escaping, and anything else is refused before the
	// path is built; this pins the refusal.
	_, c := aptlyFake(t)
	_, err := c.Users.UpdateEntities(t.Context(), "../bulk-delete", &onboard.AptlyUpdateEntitiesRequest{DisplayName: "x"})
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "id", ve.Problems[0].Field)
}

// aptlyErrorBody is an error in Aptly's envelope; the documents show none,
// so it takes the envelope's documented fields.
func aptlyErrorBody(status int, msg string) string {
	return fmt.Sprintf(`{"statusCode":%d,"timestamp":"2026-01-12T09:10:12.337Z","message":%q}`, status, msg)
}

// TestAptlyLifecycle_documentedErrors maps each status of Aptly's
// development page to its sentinel, for every lifecycle method.
func TestAptlyLifecycle_documentedErrors(t *testing.T) {
	calls := map[string]func(ctx context.Context, c *onboard.AptlyClient) error{
		"List": func(ctx context.Context, c *onboard.AptlyClient) error {
			_, err := listIDs(c.Users.List(ctx, nil))
			return err
		},
		"ResendBulk": func(ctx context.Context, c *onboard.AptlyClient) error {
			_, err := c.Invites.ResendBulk(ctx, &onboard.AptlyBulkResendRequest{TenantID: lcTenant, UserIDs: []string{lcUserA}})
			return err
		},
		"UpdateStatusBulk": func(ctx context.Context, c *onboard.AptlyClient) error {
			_, err := c.Users.UpdateStatusBulk(ctx, &onboard.AptlyUpdateStatusRequest{UserIDs: []string{lcUserA}, Status: onboard.AptlyUserActive})
			return err
		},
		"DeleteBulk": func(ctx context.Context, c *onboard.AptlyClient) error {
			_, err := c.Users.DeleteBulk(ctx, &onboard.AptlyDeleteUsersRequest{UserIDs: []string{lcUserA}})
			return err
		},
		"UpdateEntities": func(ctx context.Context, c *onboard.AptlyClient) error {
			_, err := c.Users.UpdateEntities(ctx, lcUserA, &onboard.AptlyUpdateEntitiesRequest{DisplayName: "x"})
			return err
		},
	}
	statuses := map[int]error{
		http.StatusBadRequest:          onboard.ErrBadRequest,
		http.StatusUnauthorized:        onboard.ErrUnauthorized,
		http.StatusForbidden:           onboard.ErrForbidden,
		http.StatusNotFound:            onboard.ErrNotFound,
		http.StatusInternalServerError: onboard.ErrServer,
	}
	for status, sentinel := range statuses {
		s := newExampleServer(t, status, aptlyErrorBody(status, "User not found"))
		c := s.client(t)
		for name, call := range calls {
			err := call(t.Context(), c)
			var apiErr *onboard.APIError
			require.ErrorAs(t, err, &apiErr, "%s %d", name, status)
			assert.ErrorIs(t, err, sentinel, "%s %d", name, status)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, "User not found", apiErr.Message)
		}
		assert.Len(t, s.requests(), len(calls), "one attempt each: %d is not retried by default", status)
	}
}

// TestAptlyLifecycle_failureEnvelopeUnderHTTP200 pins that an envelope
// whose statusCode reports failure is an error, whatever the HTTP status.
func TestAptlyLifecycle_failureEnvelopeUnderHTTP200(t *testing.T) {
	s := newExampleServer(t, http.StatusOK, aptlyErrorBody(http.StatusNotFound, "User not found"))
	_, err := s.client(t).Users.DeleteBulk(t.Context(), &onboard.AptlyDeleteUsersRequest{UserIDs: []string{lcUserA}})
	require.ErrorIs(t, err, onboard.ErrNotFound)
}

func TestAptlyLifecycle_unauthorizedAgainstFake(t *testing.T) {
	srv := onboardtest.NewServer()
	defer srv.Close()
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken("wrong-token"), onboard.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = onboard.AptlyListPage(t.Context(), c.Users, nil)
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
	rep, err := c.Users.DeleteBulkAll(t.Context(), nil, []string{lcUserA, lcUserB})
	require.ErrorIs(t, err, onboard.ErrUnauthorized, "a 401 stops the run")
	require.Len(t, rep.Outcomes, 2)
	assert.ErrorIs(t, rep.Outcomes[0].Err, onboard.ErrUnauthorized)
}
