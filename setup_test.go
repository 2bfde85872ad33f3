package onboard_test

// The fixtures of this package's tests: one family.
//
// A host is what test clients talk to. There are three:
//
//   - server, the recording test server: an httptest.Server (newServer, or
//     newTLSServer) that keeps every request it gets and serves each API
//     under a path prefix of its own (aptlyPrefix, athenaPrefix,
//     royaltiPrefix), as go-github's setup does: a method that builds an
//     absolute path, dropping the base URL's path, misses its handler and
//     fails the test. Tests register handlers with handle.
//   - fake, onboardtest's fake of the three APIs (newFake), for tests that
//     need state: who exists, what was invited.
//   - site, an address with nothing the test controls behind it: a port
//     nobody listens on (closedURL), or a host that an in-memory transport
//     answers for.
//
// Every client is built against a host by newAptly, newAthena or
// newRoyalti, or all three at once by newClients for tables that span the
// services; the host gives the base URL and the credential its API expects,
// and withAuth(h, auth) makes a host whose clients use auth instead. A test
// client sends through a transport of its own, closed when the test ends,
// and retries with millisecond back-off; the options a test passes come
// after those, so they win.

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
	"github.com/onboardkit/onboard/onboardtest"
)

// The path prefixes the recording server serves each API under. Aptly's is
// its real one.
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

// api names one of the three services.
type api int

const (
	aptlyAPI api = iota
	athenaAPI
	royaltiAPI
)

func (a api) String() string { return [...]string{"Aptly", "AthenaHQ", "Royalti"}[a] }

// prefix is the path the recording server serves a's API under.
func (a api) prefix() string { return [...]string{aptlyPrefix, athenaPrefix, royaltiPrefix}[a] }

// testCredential is the credential the recording server's tests send to a:
// a bearer token to Aptly and Royalti, an API key to AthenaHQ.
func testCredential(a api) onboard.Authenticator {
	if a == athenaAPI {
		return onboard.APIKey(testAPIKey)
	}
	return onboard.BearerToken(testToken)
}

// A host serves the three APIs to test clients: the base URL of each, and
// the credential it expects.
type host interface {
	baseURL(a api) string
	credential(a api) onboard.Authenticator
}

// site is a host at an address: the APIs under their prefixes, with the
// test credentials.
type site string

func (s site) baseURL(a api) string                   { return string(s) + a.prefix() }
func (s site) credential(a api) onboard.Authenticator { return testCredential(a) }

// fake is onboardtest's fake as a host, with the credentials it accepts
// (AthenaHQ's website key; see withAuth for the global one).
type fake struct{ *onboardtest.Server }

// newFake starts an onboardtest fake that is closed when the test ends.
func newFake(t testing.TB, opts ...onboardtest.Option) fake {
	t.Helper()
	srv := onboardtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return fake{srv}
}

func (f fake) baseURL(a api) string {
	return [...]string{f.AptlyURL(), f.AthenaURL(), f.RoyaltiURL()}[a]
}

func (f fake) credential(a api) onboard.Authenticator {
	switch a {
	case aptlyAPI:
		return onboard.BearerToken(onboardtest.AptlyToken)
	case athenaAPI:
		return onboard.APIKey(onboardtest.AthenaAPIKey)
	default:
		return onboard.BearerToken(onboardtest.RoyaltiToken)
	}
}

// authed is a host whose clients all use one credential.
type authed struct {
	host
	auth onboard.Authenticator
}

func (a authed) credential(api) onboard.Authenticator { return a.auth }

// withAuth returns h with auth as the credential of every API.
func withAuth(h host, auth onboard.Authenticator) host { return authed{h, auth} }

// fastRetry keeps the back-off of tests that retry in milliseconds.
var fastRetry = onboard.WithRetryWait(time.Millisecond, 50*time.Millisecond)

// clientOptions are a test client's options: a transport of its own, closed
// when the test ends, and fastRetry, then opts.
func clientOptions(t testing.TB, opts []onboard.Option) []onboard.Option {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	// No pacing unless a test asks for it (WithRateLimiter comes later and
	// wins): the AthenaHQ client's default would space requests by 1.1 s.
	return append([]onboard.Option{onboard.WithHTTPClient(&http.Client{Transport: tr}), fastRetry, onboard.WithoutPacing()}, opts...)
}

// newAptly, newAthena and newRoyalti return a client of one API of h.
func newAptly(t testing.TB, h host, opts ...onboard.Option) *onboard.AptlyClient {
	t.Helper()
	c, err := onboard.NewAptlyClient(h.baseURL(aptlyAPI), h.credential(aptlyAPI), clientOptions(t, opts)...)
	require.NoError(t, err)
	return c
}

func newAthena(t testing.TB, h host, opts ...onboard.Option) *onboard.AthenaClient {
	t.Helper()
	c, err := onboard.NewAthenaClient(h.baseURL(athenaAPI), h.credential(athenaAPI), clientOptions(t, opts)...)
	require.NoError(t, err)
	return c
}

func newRoyalti(t testing.TB, h host, opts ...onboard.Option) *onboard.RoyaltiClient {
	t.Helper()
	c, err := onboard.NewRoyaltiClient(h.baseURL(royaltiAPI), h.credential(royaltiAPI), clientOptions(t, opts)...)
	require.NoError(t, err)
	return c
}

// clients holds a client of each API, for tables that span the services.
type clients struct {
	aptly   *onboard.AptlyClient
	athena  *onboard.AthenaClient
	royalti *onboard.RoyaltiClient
}

// newClients returns a client of each API of h, all with opts.
func newClients(t testing.TB, h host, opts ...onboard.Option) *clients {
	t.Helper()
	return &clients{newAptly(t, h, opts...), newAthena(t, h, opts...), newRoyalti(t, h, opts...)}
}

// seen is one request as the recording server received it.
type seen struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	At       time.Time
}

// server is the recording test server: an httptest.Server that records
// every request before handing it to its mux, and fails the test on a
// request no handler was registered for. Handlers use only assert; tests
// check the recorded requests afterwards with require and assert on their
// own goroutine.
type server struct {
	*httptest.Server
	mux *http.ServeMux

	mu   sync.Mutex
	seen []seen
}

// newServer starts a recording server that is closed when the test ends.
func newServer(t testing.TB) *server { return startServer(t, httptest.NewServer) }

// newTLSServer starts a recording server on https. Its clients need
// WithHTTPClient(srv.Client()), which trusts its certificate.
func newTLSServer(t testing.TB) *server { return startServer(t, httptest.NewTLSServer) }

func startServer(t testing.TB, start func(http.Handler) *httptest.Server) *server {
	t.Helper()
	s := &server{mux: http.NewServeMux()}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		assert.Failf(t, "request outside the registered paths",
			"%s %s: no handler (did a method build an absolute path?)", r.Method, r.URL.Path)
		http.Error(w, "no handler in this test", http.StatusTeapot)
	})
	s.Server = start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			// The client gave the request up while sending it (its
			// context ended): a server does nothing with half a body.
			return
		}
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

func (s *server) baseURL(a api) string                   { return s.URL + a.prefix() }
func (s *server) credential(a api) onboard.Authenticator { return testCredential(a) }

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

// closedURL returns an http URL on loopback where nothing listens: port 1,
// a privileged port no test can take. (A port freed by closing a listener
// could be handed to another test's server running in parallel.)
func closedURL(t testing.TB) string {
	t.Helper()
	const addr = "127.0.0.1:1"
	conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", addr)
	if err == nil {
		_ = conn.Close()
		t.Skipf("something listens on %s", addr)
	}
	return "http://" + addr
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

// The example answers of the API documents, verbatim. onboardtest keeps
// them, since it must not depend on this package; the tests read its copy.
var (
	docAptlyCreateUser  = docExample("aptly-user-create-response.json")
	docAptlyBulkInvite  = docExample("aptly-bulk-invite-response.json")
	docAthenaBulkInvite = docExample("athena-invites-bulk-response.json")
	docRoyaltiBulkUsers = docExample("royalti-user-bulk-response.json")
	docRoyaltiInvite    = docExample("royalti-auth-invite-response.json")
)

// docExample reads a document example from onboardtest/testdata. Tests run
// in the package's folder, so the path is fixed; a missing file is a broken
// checkout, and panics at start-up.
func docExample(name string) string {
	b, err := os.ReadFile(filepath.Join("onboardtest", "testdata", name))
	if err != nil {
		panic(err)
	}
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

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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
func validCreateUser() *onboard.AptlyCreateUserRequest {
	return &onboard.AptlyCreateUserRequest{TenantID: tenantID, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
}

func validBulkInvite() *onboard.AptlyBulkInviteRequest {
	return &onboard.AptlyBulkInviteRequest{TenantID: tenantID, Users: []onboard.AptlyInvitee{{Email: "ada@example.com"}}}
}

func validTargetInvite() *onboard.AthenaTargetInviteRequest {
	return &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", WebsiteIDs: []string{websiteID1}}
}

func validCreateUsers() *onboard.RoyaltiCreateUsersRequest {
	return &onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}}}
}

func validInvite() *onboard.RoyaltiInviteRequest {
	return &onboard.RoyaltiInviteRequest{Email: "ada@example.com"}
}

// problem is an expected validation problem: the exact field path and a
// part of the message.
type problem struct{ field, message string }

// validationCase is one invalid request and every problem it must report.
type validationCase struct {
	name string
	call func(ctx context.Context, c *clients) error
	want []problem
}

// runValidationCases checks that each invalid request is refused by op
// with a *ValidationError listing exactly the expected problems, in order,
// and that the server never hears of it.
func runValidationCases(t *testing.T, op string, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t) // no handlers: any request that arrives fails the test
			err := tc.call(testCtx(t), newClients(t, srv))
			ve := mustValidationError(t, err)
			assert.Equal(t, op, ve.Op)
			assertProblems(t, ve, tc.want)
			assert.Contains(t, err.Error(), "nothing was sent")
			assert.Zero(t, srv.count(), "nothing reaches the server")
		})
	}
}

// assertProblems checks that ve lists exactly the problems of want, in
// order, and that its text lists each.
func assertProblems(t *testing.T, ve *onboard.ValidationError, want []problem) {
	t.Helper()
	fields := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		fields[i] = p.Field
	}
	wantFields := make([]string, len(want))
	for i, p := range want {
		wantFields[i] = p.field
	}
	require.Equal(t, wantFields, fields, "problems: %v", ve.Problems)
	for i, p := range want {
		assert.Contains(t, ve.Problems[i].Message, p.message, "problem %d", i)
		assert.Contains(t, ve.Error(), ve.Problems[i].String(), "the error lists every problem")
	}
}

// emailResults returns the results of an Aptly bulk call whose Success is ok.
func emailResults(rs []onboard.AptlyEmailResult, ok bool) []onboard.AptlyEmailResult {
	return keepIf(rs, func(r onboard.AptlyEmailResult) bool { return r.Success == ok })
}

// targetResults returns the results of an AthenaHQ bulk invite whose Success is ok.
func targetResults(rs []onboard.AthenaTargetResult, ok bool) []onboard.AthenaTargetResult {
	return keepIf(rs, func(r onboard.AthenaTargetResult) bool { return r.Success == ok })
}

// inState returns the outcomes in state s.
func inState[T any](outs []onboard.Outcome[T], s onboard.State) []onboard.Outcome[T] {
	return keepIf(outs, func(o onboard.Outcome[T]) bool { return o.State == s })
}

// keepIf returns the items keep accepts, or nil when there are none.
func keepIf[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}
