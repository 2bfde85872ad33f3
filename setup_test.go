package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// Every test server serves its API under a path prefix, and every client in
// these tests has srv.URL+prefix as its base URL (go-github's setup idea): a
// method that builds an absolute path, dropping the base URL's path, misses
// its handler and fails the test. Aptly's prefix is its real one.
const (
	aptlyPrefix   = "/auth"
	athenaPrefix  = "/athenahq"
	royaltiPrefix = "/royalti"
)

// Credentials used by the tests. They are distinctive so that a test can
// search any output for them.
const (
	testToken    = "tok-3f9c2e1a-SECRET"
	testAPIKey   = "key-7d41b0c9-SECRET"
	testUsername = "svc-onboard"
	testPassword = "pw-b8e27c55-SECRET"
)

// Ids used in request bodies.
const (
	tenantID   = "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"
	roleID     = "5d1f5b46-4665-4598-8fb5-4c93cebf07be"
	groupID    = "953061c2-c35d-4c11-be4c-6e1124c6eeec"
	managerID  = "86018193-92be-45ee-8d1c-8998b2cefcb2"
	positionID = "45f70e88-9046-46ea-9735-85b9434e916d"
	websiteID1 = "123e4567-e89b-12d3-a456-426614174000"
	websiteID2 = "987e6543-e21b-12d3-a456-426614174000"
	groupID1   = "456e7890-e89b-12d3-a456-426614174000"
	groupID2   = "789e0123-e89b-12d3-a456-426614174000"
)

// fastRetry keeps the back-off of tests that retry in milliseconds.
var fastRetry = onboard.WithRetryWait(time.Millisecond, 50*time.Millisecond)

// seen is one request as the test server received it.
type seen struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	At       time.Time
}

// server is an httptest.Server that records every request before handing it
// to its mux, and fails the test on a request no handler was registered for.
// Handlers use only assert; tests check the recorded requests afterwards
// with require and assert on their own goroutine.
type server struct {
	*httptest.Server
	mux *http.ServeMux

	mu   sync.Mutex
	seen []seen
}

// newServer starts a recording server that is closed when the test ends.
func newServer(t *testing.T) *server {
	t.Helper()
	s := &server{mux: http.NewServeMux()}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		assert.Failf(t, "request outside the registered paths",
			"%s %s: no handler (did a method build an absolute path?)", r.Method, r.URL.Path)
		http.Error(w, "no handler in this test", http.StatusTeapot)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err, "reading the request body")
		s.mu.Lock()
		s.seen = append(s.seen, seen{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body, At: time.Now(),
		})
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// handle registers h for exactly path.
func (s *server) handle(path string, h http.HandlerFunc) { s.mux.HandleFunc(path, h) }

// requests returns a copy of the requests received so far.
func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.seen...)
}

// count returns how many requests arrived.
func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// only requires that exactly one request arrived and returns it.
func (s *server) only(t *testing.T) seen {
	t.Helper()
	reqs := s.requests()
	require.Len(t, reqs, 1, "requests received")
	return reqs[0]
}

// setup starts a recording server and a client whose base URL is
// srv.URL+prefix. Retries wait at most 50ms unless opts say otherwise.
func setup(t *testing.T, prefix string, auth onboard.Authenticator, opts ...onboard.Option) (*onboard.Client, *server) {
	t.Helper()
	srv := newServer(t)
	all := append([]onboard.Option{fastRetry}, opts...)
	c, err := onboard.NewClient(srv.URL+prefix, auth, all...)
	require.NoError(t, err)
	return c, srv
}

// aptly, athena and royalti set up a client and server for one service,
// authenticated the way that service documents.
func aptly(t *testing.T, opts ...onboard.Option) (*onboard.Client, *server) {
	t.Helper()
	return setup(t, aptlyPrefix, onboard.BearerToken(testToken), opts...)
}

func athena(t *testing.T, opts ...onboard.Option) (*onboard.Client, *server) {
	t.Helper()
	return setup(t, athenaPrefix, onboard.APIKey(testAPIKey), opts...)
}

func royalti(t *testing.T, opts ...onboard.Option) (*onboard.Client, *server) {
	t.Helper()
	return setup(t, royaltiPrefix, onboard.BearerToken(testToken), opts...)
}

// testCtx returns a context that ends with the test, and after 10s at most,
// so that no call can hang the suite.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// reply writes a JSON answer. header holds name, value pairs.
func reply(w http.ResponseWriter, status int, body string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fixture reads a file of testdata/: the example responses of the API
// documents, copied verbatim.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// assertJSONHeaders checks the headers the pipeline sets on every request.
func assertJSONHeaders(t *testing.T, h http.Header) {
	t.Helper()
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "application/json", h.Get("Accept"))
	assert.Equal(t, "onboard-go/"+onboard.Version, h.Get("User-Agent"))
}

// envelope wraps data the way Aptly does.
func envelope(statusCode int, message, data string) string {
	return `{"statusCode":` + itoa(statusCode) + `,"timestamp":"2026-01-12T09:10:12.337Z","message":` +
		quote(message) + `,"data":` + data + `}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// closedURL returns an http URL on loopback where nothing listens: the
// listener is opened to reserve a port, then closed.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// mustAPIError requires err to be an *APIError and returns it.
func mustAPIError(t *testing.T, err error) *onboard.APIError {
	t.Helper()
	require.Error(t, err)
	var apiErr *onboard.APIError
	require.ErrorAs(t, err, &apiErr, "error is %T: %v", err, err)
	return apiErr
}

// mustValidationError requires err to be a *ValidationError and returns it.
func mustValidationError(t *testing.T, err error) *onboard.ValidationError {
	t.Helper()
	require.Error(t, err)
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve, "error is %T: %v", err, err)
	assert.ErrorIs(t, err, onboard.ErrInvalidRequest)
	return ve
}

// mustRequestError requires err to be a *RequestError and returns it.
func mustRequestError(t *testing.T, err error) *onboard.RequestError {
	t.Helper()
	require.Error(t, err)
	var re *onboard.RequestError
	require.ErrorAs(t, err, &re, "error is %T: %v", err, err)
	return re
}

// Minimal valid requests for each endpoint, for tests about the pipeline
// rather than the endpoint.
func validCreateUser() *onboard.CreateUserRequest {
	return &onboard.CreateUserRequest{TenantID: tenantID, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
}

func validBulkInvite() *onboard.BulkInviteRequest {
	return &onboard.BulkInviteRequest{TenantID: tenantID, Users: []onboard.Invitee{{Email: "ada@example.com"}}}
}

func validTargetInvite() *onboard.TargetInviteRequest {
	return &onboard.TargetInviteRequest{InviteMethod: onboard.InviteDirect, Email: "ada@example.com", WebsiteIDs: []string{websiteID1}}
}

func validCreateUsers() *onboard.CreateUsersRequest {
	return &onboard.CreateUsersRequest{Users: []onboard.WorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}}}
}

func validInvite() *onboard.InviteRequest {
	return &onboard.InviteRequest{Email: "ada@example.com"}
}

// endpointCase describes one of the five endpoints for tests that run the
// same check against each: where it is served, how the client calls it with
// a valid request, and a valid success body.
type endpointCase struct {
	name    string
	prefix  string
	path    string // full path on the server, prefix included
	auth    onboard.Authenticator
	call    func(ctx context.Context, c *onboard.Client, opts ...onboard.CallOption) error
	success string // a 2xx body the endpoint documents
	status  int    // the documented success status
}

func endpointCases() []endpointCase {
	return []endpointCase{
		{
			name: "Aptly Users.Create", prefix: aptlyPrefix, path: aptlyPrefix + "/v1/user/create",
			auth: onboard.BearerToken(testToken), status: http.StatusCreated,
			success: envelope(200, "Success", `{"id":"6a7d8103-8d39-4fb4-a45e-f4607b5b8476","email":"ada@example.com"}`),
			call: func(ctx context.Context, c *onboard.Client, opts ...onboard.CallOption) error {
				_, err := c.Users.Create(ctx, validCreateUser(), opts...)
				return err
			},
		},
		{
			name: "Aptly Invites.SendBulk", prefix: aptlyPrefix, path: aptlyPrefix + "/v1/user/bulk-invite",
			auth: onboard.BearerToken(testToken), status: http.StatusCreated,
			success: envelope(200, "Success", `{"total":1,"successful":1,"failed":0,"results":[{"email":"ada@example.com","success":true,"message":"Invited"}]}`),
			call: func(ctx context.Context, c *onboard.Client, opts ...onboard.CallOption) error {
				_, err := c.Invites.SendBulk(ctx, validBulkInvite(), opts...)
				return err
			},
		},
		{
			name: "AthenaHQ Invites.SendToTargets", prefix: athenaPrefix, path: athenaPrefix + "/api/v1/invites/bulk",
			auth: onboard.APIKey(testAPIKey), status: http.StatusOK,
			success: `{"success":true,"results":[{"website_id":"` + websiteID1 + `","success":true,"message":"User added to website"}]}`,
			call: func(ctx context.Context, c *onboard.Client, opts ...onboard.CallOption) error {
				_, err := c.Invites.SendToTargets(ctx, validTargetInvite(), opts...)
				return err
			},
		},
		{
			name: "Royalti Users.CreateBulk", prefix: royaltiPrefix, path: royaltiPrefix + "/user/bulk",
			auth: onboard.BearerToken(testToken), status: http.StatusCreated,
			success: `{"message":"Done.","createdUsers":["Ada Lovelace"],"processedCount":1,"errors":[]}`,
			call: func(ctx context.Context, c *onboard.Client, opts ...onboard.CallOption) error {
				_, err := c.Users.CreateBulk(ctx, validCreateUsers(), opts...)
				return err
			},
		},
		{
			name: "Royalti Invites.Send", prefix: royaltiPrefix, path: royaltiPrefix + "/auth/invite",
			auth: onboard.BearerToken(testToken), status: http.StatusCreated,
			success: `{"message":"Successful, Email verification Instructions have been sent to your email"}`,
			call: func(ctx context.Context, c *onboard.Client, opts ...onboard.CallOption) error {
				_, err := c.Invites.Send(ctx, validInvite(), opts...)
				return err
			},
		},
	}
}

// problem is an expected validation problem: the exact field path and a
// part of the message.
type problem struct{ field, message string }

// validationCase is one invalid request and every problem it must report.
type validationCase struct {
	name string
	call func(ctx context.Context, c *onboard.Client) error
	want []problem
}

// runValidationCases checks that each invalid request is refused with a
// *ValidationError listing exactly the expected problems, in order, and
// that the server never hears of it.
func runValidationCases(t *testing.T, prefix string, op string, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// No handlers: any request that arrives fails the test.
			c, srv := setup(t, prefix, onboard.BearerToken(testToken))
			err := tc.call(testCtx(t), c)
			ve := mustValidationError(t, err)
			assert.Equal(t, op, ve.Op)
			fields := make([]string, len(ve.Problems))
			for i, p := range ve.Problems {
				fields[i] = p.Field
			}
			wantFields := make([]string, len(tc.want))
			for i, p := range tc.want {
				wantFields[i] = p.field
			}
			require.Equal(t, wantFields, fields, "problems: %v", ve.Problems)
			for i, p := range tc.want {
				assert.Contains(t, ve.Problems[i].Message, p.message, "problem %d", i)
				assert.Contains(t, err.Error(), ve.Problems[i].String(), "the error lists every problem")
			}
			assert.Contains(t, err.Error(), "nothing was sent")
			assert.Zero(t, srv.count(), "nothing reaches the server")
		})
	}
}
