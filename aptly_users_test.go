package onboard_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

// ts parses an RFC 3339 time from the documents' examples.
func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}

const seedCreateUserBody = `{
  "firstName": "Jamar",
  "lastName": "Johnston",
  "tenantId": "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52",
  "email": "jamar.johnston@example.com",
  "mobilePhone": "+1 (555) 123-4567",
  "roleIds": ["5d1f5b46-4665-4598-8fb5-4c93cebf07be"],
  "groups": [{"groupId": "953061c2-c35d-4c11-be4c-6e1124c6eeec", "isPrimaryOrg": true}],
  "managerId": "86018193-92be-45ee-8d1c-8998b2cefcb2",
  "positionIds": ["45f70e88-9046-46ea-9735-85b9434e916d"],
  "inviteViaEmail": true
}`

// scrambled is how the document's page shows every email address: its
// address obfuscator left "[email protected]" with a no-break space. The
// fixture keeps it verbatim.
const scrambled = "[email\u00a0protected]"

// seedUser is the user in the example response of Aptly's create-user
// document, field by field.
func seedUser(t *testing.T) *onboard.AptlyUser {
	position := onboard.AptlyUserPosition{
		ID:                "1b639583-b421-439f-9bbc-e909aa78126e",
		UserID:            "86e26861-524b-4d36-94c6-70a70726add9",
		TenantID:          "62c0e2b7-259d-4692-9f3d-3655665366c2",
		PositionsID:       "54256ae5-3c62-4447-adf8-3e3cc6612a99",
		AutoProvisioned:   false,
		IsEditable:        false,
		IsDeleted:         true,
		DeletedOn:         ts(t, "2024-10-28T09:18:34.656Z"),
		CreatedOn:         ts(t, "2025-06-24T15:29:46.577Z"),
		UpdatedOn:         ts(t, "2025-06-24T20:18:43.389Z"),
		PositionName:      "Senior Developer",
		IsSCIMProvisioned: false,
	}
	return &onboard.AptlyUser{
		ID:               "6a7d8103-8d39-4fb4-a45e-f4607b5b8476",
		UserID:           "10001",
		LoginID:          scrambled,
		DescopeUserID:    "vSGCt98kT7cX2Gawb2dWFkpgQ6VZaxrI",
		ActiveTenantID:   "2f97d5b9-1736-4b04-b2cf-18d7314c2c6d",
		Email:            scrambled,
		Name:             "Donna Hermiston III",
		IsSAML:           false,
		MobilePhone:      "272-535-5085",
		FirstName:        "Chelsea",
		LastName:         "Witting",
		ProfileImageURL:  "https://picsum.photos/seed/ixDck/3063/974",
		CurrencyName:     "Euro",
		CurrencyCode:     "EUR",
		Status:           "ACTIVE",
		AccountType:      "C",
		AutoProvisioned:  false,
		EmployeeID:       "Q",
		EmployeeType:     "U",
		DateFormat:       "MM/DD/YYYY",
		UserType:         "y",
		SearchData:       []string{"Usability", "Developer"},
		ManagerSync:      true,
		IsDeleted:        false,
		IsExpirePassword: false,
		Manager: &onboard.AptlyManager{
			ID:              "d5dc4dd9-bf15-4992-b6ef-4372a3ff3ed3",
			UserID:          "10001",
			DescopeUserID:   "HGPusnGo7LY225bob0Tg2sNbVPBFLO8T",
			Name:            "Jaime Wiza",
			Email:           scrambled,
			FirstName:       "Elian",
			LastName:        "Reinger",
			MobilePhone:     "859-503-6233 x95670",
			ProfileImageURL: "https://loremflickr.com/429/3636?lock=5343508147167765",
			CreatedOn:       ts(t, "2025-06-25T04:31:23.563Z"),
			UpdatedOn:       ts(t, "2025-06-24T17:20:32.235Z"),
			UserPositions:   []onboard.AptlyUserPosition{position},
			PrimaryOrganization: &onboard.AptlyPrimaryOrganization{
				GroupName:           "Aplty Inc.",
				TenantGroupTypeID:   "b135555e-0520-482b-bfbf-8429c293c268",
				TenantGroupTypeName: "Organization",
			},
			ManagerName:            "Fannie Lueilwitz",
			ManagerProfileImageURL: "https://loremflickr.com/1810/1701?lock=3094412370077509",
		},
		CreatedOn:           ts(t, "2025-06-25T01:27:29.403Z"),
		LastLoginDate:       ts(t, "2025-06-24T15:29:15.070Z"),
		CreatedBy:           "5ec51c50-09c5-4bd3-9a4e-240903b20e68",
		UpdatedOn:           ts(t, "2025-06-24T07:10:37.466Z"),
		UpdatedBy:           "2480599d-bd76-4c73-a107-e6513bf8b54f",
		DeletedOn:           ts(t, "2024-10-01T20:34:39.873Z"),
		DelegationsReceived: 1,
		DelegationsIssued:   1,
		DashboardData: []onboard.AptlyDashboardTile{
			{X: 0, Y: 0, W: 2, H: 1, I: "0"},
			{X: 0, Y: 1, W: 2, H: 4, I: "1"},
			{X: 0, Y: 5, W: 1, H: 4, I: "2"},
			{X: 1, Y: 5, W: 1, H: 4, I: "3"},
		},
		UserRoles: []onboard.AptlyUserRole{{
			ID:              "340314db-0571-4a85-9296-8ccea2d5ff90",
			TenantID:        "a2f84c63-2056-46c8-a975-5fc22efa5060",
			TenantRoleID:    "a1729a44-15d6-4976-b3a5-c4dceff45835",
			RoleName:        "heartache harmful",
			AutoProvisioned: true,
			CreatedOn:       ts(t, "2025-06-25T04:31:42.785Z"),
			DeletedOn:       ts(t, "2025-05-05T01:45:20.777Z"),
			UpdatedOn:       ts(t, "2025-06-25T02:53:18.799Z"),
		}},
		UserPositions: []onboard.AptlyUserPosition{position},
		UserGroups: []onboard.AptlyUserGroup{{
			ID:              "0babd381-2af5-4bf7-ac1c-0230f25cf088",
			TenantID:        "1eb866a0-2a81-4d3f-9831-6b4e9f4e633d",
			UserID:          "0e1b099f-2e52-4307-8860-89314ef97dbb",
			GroupID:         "3cad0e27-f8f0-4a96-9bbb-1fae4f9fb04f",
			GroupTypeID:     "9a366bfc-7810-4d0f-a482-ed0cd09c6c15",
			GroupName:       "Engineering Team",
			GroupTypeName:   "Department",
			IsPrimaryOrg:    false,
			PrimaryOrgSetOn: ts(t, "2025-06-24T11:18:20.853Z"),
			AutoProvisioned: true,
			IsDeleted:       true,
			DeletedOn:       ts(t, "2025-05-17T06:57:51.956Z"),
			CreatedOn:       ts(t, "2025-06-24T10:25:28.539Z"),
			UpdatedOn:       ts(t, "2025-06-24T21:38:00.944Z"),
		}},
		IsImpersonated: true,
	}
}

func TestUsersCreate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	// Aptly documents HTTP 201 for this call; the envelope says 200.
	srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, docAptlyCreateUser, "X-Request-Id", "req-create-1")
	})

	var meta onboard.Response
	got, err := c.Users.Create(testCtx(t), seedCreateUserRequest(), onboard.WithResponse(&meta))
	require.NoError(t, err)

	r := srv.only(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/auth/v1/user/create", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	assert.Empty(t, r.Header.Get("x-api-key"))
	assertJSONHeaders(t, r.Header)
	assert.JSONEq(t, seedCreateUserBody, string(r.Body))

	assert.Equal(t, seedUser(t), got)

	assert.Equal(t, http.StatusCreated, meta.StatusCode)
	assert.Equal(t, "req-create-1", meta.RequestID)
	assert.Equal(t, 1, meta.Attempts)
	require.NotNil(t, meta.Envelope)
	assert.Equal(t, 200, meta.Envelope.StatusCode)
	assert.Equal(t, "Success", meta.Envelope.Message)
	assert.Equal(t, ts(t, "2025-06-25T06:16:48.664Z"), meta.Envelope.Timestamp)
}

func TestUsersCreate_optionalBooleans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		inviteViaEmail *bool
		isPrimaryOrg   *bool
		want           string
	}{
		{
			name: "nil is left out",
			want: `{"tenantId":"` + tenantID + `","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
				"groups":[{"groupId":"` + groupID + `"}]}`,
		},
		{
			name:           "false is sent",
			inviteViaEmail: onboard.Ptr(false), isPrimaryOrg: onboard.Ptr(false),
			want: `{"tenantId":"` + tenantID + `","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
				"groups":[{"groupId":"` + groupID + `","isPrimaryOrg":false}],"inviteViaEmail":false}`,
		},
		{
			name:           "true is sent",
			inviteViaEmail: onboard.Ptr(true), isPrimaryOrg: onboard.Ptr(true),
			want: `{"tenantId":"` + tenantID + `","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com",
				"groups":[{"groupId":"` + groupID + `","isPrimaryOrg":true}],"inviteViaEmail":true}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newAptly(t, srv)
			srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, envelope(200, "Success", `{"id":"u1"}`))
			})
			req := validCreateUser()
			req.InviteViaEmail = tt.inviteViaEmail
			req.Groups = []onboard.AptlyGroupAssignment{{GroupID: groupID, IsPrimaryOrg: tt.isPrimaryOrg}}

			u, err := c.Users.Create(testCtx(t), req)
			require.NoError(t, err)
			assert.Equal(t, "u1", u.ID)
			assert.JSONEq(t, tt.want, string(srv.only(t).Body))
		})
	}
}

func TestState_String(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "unknown", onboard.StateUnknown.String())
	assert.Equal(t, "succeeded", onboard.StateSucceeded.String())
	assert.Equal(t, "failed", onboard.StateFailed.String())
	assert.Equal(t, "not sent", onboard.StateNotSent.String())
	assert.Equal(t, "unknown", onboard.State(42).String())
}

func TestUsersCreate_validation(t *testing.T) {
	t.Parallel()
	create := func(req *onboard.AptlyCreateUserRequest) func(context.Context, *clients) error {
		return func(ctx context.Context, c *clients) error {
			u, err := c.aptly.Users.Create(ctx, req)
			assert.Nil(t, u)
			return err
		}
	}
	runValidationCases(t, "aptly: Users.Create", []validationCase{
		{name: "nil request", call: create(nil), want: []problem{{"request", "is nil"}}},
		{
			name: "required fields",
			call: create(&onboard.AptlyCreateUserRequest{}),
			want: []problem{{"tenantId", "is required"}, {"firstName", "is required"}, {"lastName", "is required"}, {"email", "is required"}},
		},
		{
			name: "blank is missing",
			call: create(&onboard.AptlyCreateUserRequest{TenantID: " ", FirstName: "\t", LastName: "  ", Email: " "}),
			want: []problem{{"tenantId", "is required"}, {"firstName", "is required"}, {"lastName", "is required"}, {"email", "is required"}},
		},
		{
			name: "syntax of every id and the email",
			call: create(&onboard.AptlyCreateUserRequest{
				TenantID: "tenant-1", FirstName: "Ada", LastName: "Lovelace", Email: "ada.example.com",
				RoleIDs:     []string{"admin", ""},
				Groups:      []onboard.AptlyGroupAssignment{{GroupID: ""}, {GroupID: "engineering", IsPrimaryOrg: onboard.Ptr(false)}},
				ManagerID:   "boss",
				PositionIDs: []string{roleID, "p1"},
			}),
			want: []problem{
				{"tenantId", `"tenant-1" is not a UUID`},
				{"email", `"ada.example.com" is not a valid email address`},
				{"roleIds[0]", "is not a UUID"},
				{"roleIds[1]", "is empty"},
				{"groups[0].groupId", "is required"},
				{"groups[1].groupId", "is not a UUID"},
				{"managerId", "is not a UUID"},
				{"positionIds[1]", "is not a UUID"},
			},
		},
	})
	assert.NoError(t, onboard.Check(validCreateUser()))
	assert.NoError(t, onboard.Check(seedCreateUserRequest()))
}

// TestUsersBulkCountsMissing answers each counts-only bulk endpoint with
// data that leaves its counts out: a missing count is not a count of 0, so
// every id of the batch is unknown, never failed, and the one-request
// method says the answer could not be read.
func TestUsersBulkCountsMissing(t *testing.T) {
	t.Parallel()
	ids := []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/user/bulk-delete", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, envelope(200, "Success", `{}`))
	})
	srv.handle(aptlyPrefix+"/v1/user/bulk-status-update", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, envelope(200, "Success", `{"total":2}`))
	})
	srv.handle(aptlyPrefix+"/v1/user/bulk-resend-invite", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusCreated, envelope(201, "Success", `{"results":[]}`))
	})
	srv.handle(royaltiPrefix+"/user/bulk/delete", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, `{"message":"Done.","failedDeletions":[]}`)
	})
	aptly, royalti := newAptly(t, srv, onboard.WithRetry(0)), newRoyalti(t, srv, onboard.WithRetry(0))
	ctx := testCtx(t)

	for _, tc := range []struct {
		name string
		run  func() (*onboard.BulkReport[string], error)
	}{
		{"Aptly Users.DeleteBulkAll", func() (*onboard.BulkReport[string], error) {
			return aptly.Users.DeleteBulkAll(ctx, nil, ids)
		}},
		{"Aptly Users.UpdateStatusBulkAll", func() (*onboard.BulkReport[string], error) {
			return aptly.Users.UpdateStatusBulkAll(ctx, &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserActive}, ids)
		}},
		{"Aptly Invites.ResendBulkAll", func() (*onboard.BulkReport[string], error) {
			return aptly.Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: engineTenant}, ids)
		}},
		{"Royalti Users.DeleteBulkAll", func() (*onboard.BulkReport[string], error) {
			return royalti.Users.DeleteBulkAll(ctx, nil, ids)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := tc.run()
			require.NoError(t, err)
			require.Len(t, rep.Outcomes, len(ids))
			for _, o := range rep.Outcomes {
				assert.Equal(t, onboard.StateUnknown, o.State, "id %d: %s", o.Index, o.Message)
			}
		})
	}

	t.Run("Aptly Users.DeleteBulk", func(t *testing.T) {
		res, err := aptly.Users.DeleteBulk(ctx, &onboard.AptlyDeleteUsersRequest{UserIDs: ids})
		assert.Nil(t, res)
		require.ErrorIs(t, err, onboard.ErrUnexpectedResponse)
		assert.Contains(t, err.Error(), "deletedCount")
	})
}

// uuids returns n distinct UUIDs.
func uuids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	}
	return out
}
