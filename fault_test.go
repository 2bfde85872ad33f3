package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The fault matrix: every endpoint against every way a server or the network
// can fail, each cell asserting the outcome the retry policy and the pipeline
// document (see WithRetryServerErrors, WithTimeout, WithMaxResponseBytes,
// WithInsecureHTTP and the Authenticator doc):
//
//   - 429, and 503 carrying Retry-After, are retried; the wait honours
//     Retry-After but never exceeds the longest wait of WithRetryWait; after
//     the last attempt the caller gets the *APIError of the last answer.
//   - 500, 502, 503 without Retry-After, a connection dropped after the
//     request was sent, and a timeout are not retried unless the caller opts
//     in with WithRetryServerErrors: the server may have done the work.
//   - A connection that never opened is retried.
//   - A 2xx body that is truncated, not JSON, HTML, empty or over the cap is
//     an *APIError matching ErrUnexpectedResponse.
//   - A redirect to another host reaches it without the credential; a
//     redirect from https to http is refused.
//
// Each cell also bounds the time the call took (upper bounds only), checks
// that nothing panicked, and that no goroutine outlived it. The cells run one
// after another, not in parallel, so that the goroutine check of one cell
// sees no other test's goroutines; the whole matrix takes a few seconds.

const (
	faultRetries = 2
	faultToken   = "fault-bearer-token"
	faultAPIKey  = "fault-api-key"
	// faultWaitMax is the longest wait between attempts the matrix allows,
	// and so also the cap on every Retry-After.
	faultWaitMax = 20 * time.Millisecond
	// faultQuick bounds a call that makes one attempt against a local
	// server, generously, for a loaded machine running -race.
	faultQuick = 3 * time.Second
	// faultRetried bounds a call that makes faultRetries+1 attempts. The
	// servers ask for faultRetryAfter between attempts; honouring that in
	// full would take 2*faultRetryAfter = 10s, so finishing within this
	// bound shows the cap works. (With the cap working, the Retry-After
	// value costs no time.)
	faultRetried    = 3 * time.Second
	faultRetryAfter = 5 * time.Second
	// faultTimeout is the WithTimeout of the slow-server cells.
	faultTimeout = 100 * time.Millisecond
	// faultCap is the WithMaxResponseBytes of the oversized-body cell.
	faultCap = 4 << 10
)

// hardEndpoint is one SDK method with what the fault matrix, the fuzz
// targets and the secrets test need to call it and to fake its server.
type hardEndpoint struct {
	name     string // "Users.Create"
	prefix   string // the base URL's path, like the service's real one
	path     string // the endpoint's path below the base URL
	envelope bool   // Aptly's {statusCode, timestamp, message, data}
	// auth makes the authenticator the service expects, sending secret.
	auth     func(secret string) Authenticator
	okStatus int
	okBody   string // the document's example answer
	// errBody renders an error in the service's own shape.
	errBody func(status int, msg string) string
	// call sends a valid request. The result is nil whenever the method
	// returned a nil pointer, so that "no result" can be asserted.
	call func(ctx context.Context, c *Client, opts ...CallOption) (any, error)
	// callInvalid sends a request that validation refuses.
	callInvalid func(ctx context.Context, c *Client) (any, error)
	// checkOK asserts res is okBody decoded.
	checkOK func(t *testing.T, res any)
}

func hardResult[T any](v *T, err error) (any, error) {
	if v == nil {
		return nil, err
	}
	return v, err
}

func hardAptlyError(status int, msg string) string {
	return fmt.Sprintf(`{"statusCode":%d,"timestamp":"2026-01-12T09:10:12.337Z","message":%q,"error":%q}`, status, msg, http.StatusText(status))
}

func hardAthenaError(_ int, msg string) string {
	return fmt.Sprintf(`{"success":false,"error":%q}`, msg)
}

func hardRoyaltiError(status int, msg string) string {
	code := strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	return fmt.Sprintf(`{"success":false,"error":{"code":%q,"message":%q,"details":[]}}`, code, msg)
}

// hardEndpoints lists the five endpoints.
func hardEndpoints() []hardEndpoint {
	return []hardEndpoint{
		{
			name: "Users.Create", prefix: "/auth", path: "/v1/user/create", envelope: true,
			auth: BearerToken, okStatus: http.StatusCreated, okBody: hardSeedAptlyCreateUser, errBody: hardAptlyError,
			call: func(ctx context.Context, c *Client, opts ...CallOption) (any, error) {
				return hardResult(c.Users.Create(ctx, &CreateUserRequest{
					TenantID: "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52", FirstName: "Jamar", LastName: "Johnston",
					Email: "jamar.johnston@example.com", InviteViaEmail: Ptr(false),
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *Client) (any, error) {
				return hardResult(c.Users.Create(ctx, &CreateUserRequest{TenantID: "tenant-1", Email: "jamar.johnston@"}))
			},
			checkOK: func(t *testing.T, res any) {
				u, ok := res.(*User)
				require.True(t, ok, "%T", res)
				assert.Equal(t, "6a7d8103-8d39-4fb4-a45e-f4607b5b8476", u.ID)
			},
		},
		{
			name: "Invites.SendBulk", prefix: "/auth", path: "/v1/user/bulk-invite", envelope: true,
			auth: BearerToken, okStatus: http.StatusCreated, okBody: hardSeedAptlyBulkInvite, errBody: hardAptlyError,
			call: func(ctx context.Context, c *Client, opts ...CallOption) (any, error) {
				return hardResult(c.Invites.SendBulk(ctx, &BulkInviteRequest{
					TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b",
					Users:    []Invitee{{Email: "ollie.kling@example.com", FirstName: "Rowan", LastName: "Kihn"}},
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *Client) (any, error) {
				return hardResult(c.Invites.SendBulk(ctx, &BulkInviteRequest{TenantID: "tenant-1", Users: []Invitee{{Email: "ollie kling@example.com"}}}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*BulkInviteResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, 10, r.Total)
				assert.Len(t, r.Results, 1)
			},
		},
		{
			name: "Invites.SendToTargets", path: "/api/v1/invites/bulk",
			auth: APIKey, okStatus: http.StatusOK, okBody: hardSeedAthenaBulkInvite, errBody: hardAthenaError,
			call: func(ctx context.Context, c *Client, opts ...CallOption) (any, error) {
				return hardResult(c.Invites.SendToTargets(ctx, &TargetInviteRequest{
					InviteMethod: InviteDirect, Email: "user@example.com", Role: RoleViewer,
					WebsiteIDs: []string{"123e4567-e89b-12d3-a456-426614174000", "987e6543-e21b-12d3-a456-426614174000"},
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *Client) (any, error) {
				return hardResult(c.Invites.SendToTargets(ctx, &TargetInviteRequest{
					InviteMethod: "fax", Email: "user@example", WebsiteIDs: []string{"w1"}, GroupIDs: []string{"g1"},
				}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*TargetInviteResult)
				require.True(t, ok, "%T", res)
				assert.Len(t, r.Succeeded(), 1)
				assert.Len(t, r.Failed(), 1)
			},
		},
		{
			name: "Users.CreateBulk", path: "/user/bulk",
			auth: BearerToken, okStatus: http.StatusCreated, okBody: hardSeedRoyaltiBulkUsers, errBody: hardRoyaltiError,
			call: func(ctx context.Context, c *Client, opts ...CallOption) (any, error) {
				return hardResult(c.Users.CreateBulk(ctx, &CreateUsersRequest{
					Users: []WorkspaceUser{{FirstName: "John", LastName: "Doe", Email: "john.doe@example.com"}},
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *Client) (any, error) {
				return hardResult(c.Users.CreateBulk(ctx, &CreateUsersRequest{Users: []WorkspaceUser{{FirstName: "John"}}}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*CreateUsersResult)
				require.True(t, ok, "%T", res)
				assert.Equal(t, []string{"John Doe", "Jericho Doe"}, r.CreatedUsers)
				require.Len(t, r.Outcomes, 1)
				assert.Equal(t, StateSucceeded, r.Outcomes[0].State)
			},
		},
		{
			name: "Invites.Send", path: "/auth/invite",
			auth: BearerToken, okStatus: http.StatusCreated, okBody: hardSeedRoyaltiInvite, errBody: hardRoyaltiError,
			call: func(ctx context.Context, c *Client, opts ...CallOption) (any, error) {
				return hardResult(c.Invites.Send(ctx, &InviteRequest{
					Email: "jsmith@example.com", SendEmail: Ptr(true), WorkspaceID: "ws-fault", UserID: "user-fault",
				}, opts...))
			},
			callInvalid: func(ctx context.Context, c *Client) (any, error) {
				return hardResult(c.Invites.Send(ctx, &InviteRequest{Email: "jsmith", WorkspaceID: "ws-fault", UserID: "user-fault"}))
			},
			checkOK: func(t *testing.T, res any) {
				r, ok := res.(*InviteResult)
				require.True(t, ok, "%T", res)
				assert.True(t, strings.HasPrefix(r.Message, "Successful"), r.Message)
			},
		},
	}
}

// hardEndpointNamed returns the endpoint called name.
func hardEndpointNamed(tb testing.TB, name string) hardEndpoint {
	tb.Helper()
	for _, ep := range hardEndpoints() {
		if ep.name == name {
			return ep
		}
	}
	tb.Fatalf("no endpoint %q", name)
	return hardEndpoint{}
}

// credentialIn reports whether h carries secret in any header.
func credentialIn(h http.Header, secret string) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, secret) {
				return true
			}
		}
	}
	return false
}

// faultEnv is one cell's world: the origin server the client is configured
// for, another host that redirects can point to, and what each saw.
type faultEnv struct {
	ep       hardEndpoint
	origin   *httptest.Server
	other    *httptest.Server
	stop     chan struct{} // closed when the cell ends, to free slow handlers
	cancel   context.CancelFunc
	hits     atomic.Int32 // requests that reached the origin
	credHits atomic.Int32 // ... of which carried the credential

	mu          sync.Mutex
	otherHeader []http.Header // headers of requests that reached the other host
}

func (env *faultEnv) otherRequests() []http.Header {
	env.mu.Lock()
	defer env.mu.Unlock()
	return append([]http.Header(nil), env.otherHeader...)
}

// stall blocks a handler until the client gives up, the cell ends, or a
// bound passes.
func (env *faultEnv) stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-env.stop:
	case <-time.After(10 * time.Second):
	}
}

// writeError answers with status in the service's error shape.
func (env *faultEnv) writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, env.ep.errBody(status, msg))
}

func (env *faultEnv) writeOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(env.ep.okStatus)
	_, _ = io.WriteString(w, env.ep.okBody)
}

// faultOutcome is what a cell expects.
type faultOutcome int

const (
	faultWantAPIError faultOutcome = iota
	faultWantRequestError
	faultWantOK
)

type faultCell struct {
	name string
	// tls serves the origin over https.
	tls bool
	// refused points the client at a port nobody listens on.
	refused bool
	// opts are added to the matrix's client options.
	opts []Option
	// serve is the origin's handler.
	serve func(env *faultEnv, w http.ResponseWriter, r *http.Request)

	want     faultOutcome
	sentinel error   // errors.Is must hold; nil for none
	causes   []error // errors.Is must hold for one of these, if any
	status   int     // *APIError's StatusCode
	attempts int     // attempts the error (or Response) reports
	hits     int     // requests the origin saw; -1 to skip
	within   time.Duration
	// check asserts anything else about the cell.
	check func(t *testing.T, env *faultEnv, err error)
}

func faultCells() []faultCell {
	retryAfter := strconv.Itoa(int(faultRetryAfter / time.Second))
	return []faultCell{
		{
			name: "429 Retry-After seconds",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", retryAfter)
				env.writeError(w, http.StatusTooManyRequests, "slow down")
			},
			want: faultWantAPIError, sentinel: ErrRateLimited, status: http.StatusTooManyRequests,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
			check: func(t *testing.T, _ *faultEnv, err error) {
				apiErr := hardAPIError(t, err)
				assert.Equal(t, faultRetryAfter, apiErr.RetryAfter)
				assert.Equal(t, "slow down", apiErr.Message)
				assert.True(t, apiErr.Temporary())
			},
		},
		{
			name: "429 Retry-After HTTP date",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", time.Now().Add(faultRetryAfter+time.Second).UTC().Format(http.TimeFormat))
				env.writeError(w, http.StatusTooManyRequests, "slow down")
			},
			want: faultWantAPIError, sentinel: ErrRateLimited, status: http.StatusTooManyRequests,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
			check: func(t *testing.T, _ *faultEnv, err error) {
				apiErr := hardAPIError(t, err)
				assert.Greater(t, apiErr.RetryAfter, time.Duration(0))
				assert.LessOrEqual(t, apiErr.RetryAfter, faultRetryAfter+time.Second)
			},
		},
		{
			name: "503 Retry-After",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", retryAfter)
				env.writeError(w, http.StatusServiceUnavailable, "down for maintenance")
			},
			want: faultWantAPIError, sentinel: ErrServer, status: http.StatusServiceUnavailable,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
			check: func(t *testing.T, _ *faultEnv, err error) {
				assert.Equal(t, faultRetryAfter, hardAPIError(t, err).RetryAfter)
			},
		},
		{
			name: "503 without Retry-After",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusServiceUnavailable, "down")
			},
			want: faultWantAPIError, sentinel: ErrServer, status: http.StatusServiceUnavailable,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "500",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusInternalServerError, "boom")
			},
			want: faultWantAPIError, sentinel: ErrServer, status: http.StatusInternalServerError,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				assert.Equal(t, "boom", hardAPIError(t, err).Message)
			},
		},
		{
			name: "500 with WithRetryServerErrors",
			opts: []Option{WithRetryServerErrors()},
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusInternalServerError, "boom")
			},
			want: faultWantAPIError, sentinel: ErrServer, status: http.StatusInternalServerError,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
		},
		{
			name: "502",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusBadGateway, "bad gateway")
			},
			want: faultWantAPIError, sentinel: ErrServer, status: http.StatusBadGateway,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name:  "connection dropped before any response",
			serve: faultDrop,
			want:  faultWantRequestError, causes: []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET},
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name:  "connection dropped with WithRetryServerErrors",
			opts:  []Option{WithRetryServerErrors()},
			serve: faultDrop,
			want:  faultWantRequestError, causes: []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET},
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
		},
		{
			name:    "connection never opened",
			refused: true,
			want:    faultWantRequestError, causes: []error{syscall.ECONNREFUSED},
			attempts: faultRetries + 1, hits: -1, within: faultRetried,
		},
		{
			name: "response truncated mid-body",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				body := env.ep.okBody
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(env.ep.okStatus)
				_, _ = io.WriteString(w, body[:len(body)/2])
				w.(http.Flusher).Flush()
				// Returning short of Content-Length makes net/http close
				// the connection.
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse, causes: []error{io.ErrUnexpectedEOF},
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "slow server past WithTimeout",
			opts: []Option{WithTimeout(faultTimeout)},
			serve: func(env *faultEnv, _ http.ResponseWriter, r *http.Request) {
				env.stall(r)
			},
			want: faultWantRequestError, causes: []error{context.DeadlineExceeded},
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.True(t, netErr.Timeout())
			},
		},
		{
			name: "slow body past WithTimeout",
			opts: []Option{WithTimeout(faultTimeout)},
			serve: func(env *faultEnv, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(env.ep.okStatus)
				_, _ = io.WriteString(w, env.ep.okBody[:10])
				w.(http.Flusher).Flush()
				env.stall(r)
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse, causes: []error{context.DeadlineExceeded},
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "invalid JSON",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(env.ep.okStatus)
				_, _ = io.WriteString(w, `{"statusCode": 200, "data": {"id": "6a7d8103"`)
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				var syntaxErr *json.SyntaxError
				assert.ErrorAs(t, err, &syntaxErr)
			},
		},
		{
			name: "HTML error page with 200",
			serve: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, faultHTML)
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse, status: http.StatusOK,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				// The error says what came back, briefly.
				assert.Contains(t, err.Error(), "Bad Gateway")
				assert.LessOrEqual(t, len(hardAPIError(t, err).Message), 210)
			},
		},
		{
			name: "HTML error page with 502",
			serve: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, faultHTML)
			},
			want: faultWantAPIError, sentinel: ErrServer, status: http.StatusBadGateway,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				assert.Contains(t, hardAPIError(t, err).Message, "Bad Gateway")
			},
		},
		{
			name: "empty 2xx body",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(env.ep.okStatus)
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "204 No Content",
			serve: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusNoContent)
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse, status: http.StatusNoContent,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "body far larger than WithMaxResponseBytes",
			opts: []Option{WithMaxResponseBytes(faultCap)},
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				// Valid JSON of the documented shape, 256 times the cap.
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(env.ep.okStatus)
				_, _ = io.WriteString(w, `{"padding":"`+strings.Repeat("x", 256*faultCap)+`",`+env.ep.okBody[1:])
			},
			want: faultWantAPIError, sentinel: ErrUnexpectedResponse,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				apiErr := hardAPIError(t, err)
				assert.LessOrEqual(t, len(apiErr.Body), faultCap)
				assert.Contains(t, err.Error(), "cap")
			},
		},
		{
			name: "redirect to another host",
			serve: func(env *faultEnv, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, env.other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			},
			// The other host refuses a request without a credential, as
			// the real services do.
			want: faultWantAPIError, sentinel: ErrUnauthorized, status: http.StatusUnauthorized,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, env *faultEnv, _ error) {
				assert.Equal(t, int32(1), env.credHits.Load(), "the origin gets the credential")
				seen := env.otherRequests()
				require.Len(t, seen, 1, "the redirect is followed")
				for _, secret := range []string{faultToken, faultAPIKey} {
					assert.False(t, credentialIn(seen[0], secret), "the other host got the credential: %v", seen[0])
				}
				assert.Empty(t, seen[0].Get("Authorization"))
				assert.Empty(t, seen[0].Get("X-Api-Key"))
			},
		},
		{
			name: "redirect from https to http",
			tls:  true,
			serve: func(env *faultEnv, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, env.other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			},
			want:     faultWantRequestError,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, env *faultEnv, err error) {
				assert.Contains(t, err.Error(), "refused redirect from https to http")
				assert.Empty(t, env.otherRequests(), "nothing may reach the http host")
			},
		},
		{
			name: "429 then success",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				if env.hits.Load() == 1 {
					w.Header().Set("Retry-After", "0")
					env.writeError(w, http.StatusTooManyRequests, "slow down")
					return
				}
				env.writeOK(w)
			},
			want: faultWantOK, attempts: 2, hits: 2, within: faultRetried,
		},
		{
			name: "context canceled while waiting for Retry-After",
			// Without the cancellation the client would wait the full
			// Retry-After of an hour, since the longest wait allows it.
			opts: []Option{WithRetryWait(time.Millisecond, 2*time.Hour)},
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "3600")
				env.writeError(w, http.StatusTooManyRequests, "slow down")
				w.(http.Flusher).Flush()
				time.AfterFunc(20*time.Millisecond, env.cancel)
			},
			want: faultWantRequestError, causes: []error{context.Canceled},
			attempts: 1, hits: 1, within: faultQuick,
		},
	}
}

const faultHTML = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>
` + `<p>` + `The upstream server did not answer in time. Please try again later or contact your administrator.` + `</p>
</body></html>`

// faultDrop reads the request and closes the connection without answering.
// Reading first makes the close a clean FIN rather than a reset.
func faultDrop(_ *faultEnv, w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func hardAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "%T: %v", err, err)
	return apiErr
}

// hardSentinels are all the sentinels, to check that an error matches only
// the one it should.
var hardSentinels = []error{
	ErrInvalidRequest, ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound,
	ErrConflict, ErrRateLimited, ErrServer, ErrUnexpectedResponse,
}

func TestFaultMatrix(t *testing.T) {
	for _, ep := range hardEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			for _, cell := range faultCells() {
				t.Run(cell.name, func(t *testing.T) { faultRun(t, ep, cell) })
			}
		})
	}
}

// faultRun runs one cell of the matrix.
func faultRun(t *testing.T, ep hardEndpoint, cell faultCell) {
	// Registered first, so it runs after every other cleanup: by then the
	// servers are closed and the client's connections too.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })

	ctx, env, base, hc := faultSetup(t, ep, cell)
	secret := faultToken
	if ep.name == "Invites.SendToTargets" {
		secret = faultAPIKey
	}
	c, err := NewClient(base+ep.prefix, ep.auth(secret), faultOptions(hc, cell)...)
	require.NoError(t, err)

	var meta Response
	start := time.Now()
	res, err := faultCall(t, func() (any, error) { return ep.call(ctx, c, WithResponse(&meta)) })
	elapsed := time.Since(start)

	assert.Less(t, elapsed, cell.within, "the call took too long")
	if cell.hits >= 0 {
		assert.Equal(t, int32(cell.hits), env.hits.Load(), "requests that reached the server")
	}
	if err != nil {
		assert.NotContains(t, err.Error(), secret)
	}

	switch cell.want {
	case faultWantOK:
		require.NoError(t, err)
		require.NotNil(t, res)
		ep.checkOK(t, res)
		assert.Equal(t, cell.attempts, meta.Attempts)
	case faultWantAPIError:
		require.Error(t, err)
		assert.Nil(t, res, "no result with an error")
		apiErr := hardAPIError(t, err)
		assert.Equal(t, cell.attempts, apiErr.Attempts, "attempts")
		assert.Equal(t, http.MethodPost, apiErr.Method)
		assert.Equal(t, ep.prefix+ep.path, apiErr.Path)
		if cell.status != 0 {
			assert.Equal(t, cell.status, apiErr.StatusCode)
		} else {
			assert.Equal(t, ep.okStatus, apiErr.StatusCode)
		}
		assert.Equal(t, apiErr.StatusCode, meta.StatusCode, "WithResponse is filled on failure")
	case faultWantRequestError:
		require.Error(t, err)
		assert.Nil(t, res, "no result with an error")
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr, "%T: %v", err, err)
		assert.Equal(t, cell.attempts, reqErr.Attempts, "attempts")
		assert.Equal(t, ep.name, reqErr.Op)
		assert.Equal(t, ep.prefix+ep.path, reqErr.Path)
	}
	for _, s := range hardSentinels {
		assert.Equal(t, errors.Is(cell.sentinel, s), errors.Is(err, s), "errors.Is(err, %v) for %v", s, err)
	}
	if len(cell.causes) > 0 {
		matched := false
		for _, c := range cell.causes {
			matched = matched || errors.Is(err, c)
		}
		assert.True(t, matched, "%v is none of %v", err, cell.causes)
	}
	if cell.check != nil {
		cell.check(t, env, err)
	}
}

// faultSetup starts the cell's servers and returns the context to call
// with, the cell's world, the base URL (without the service's path) and the
// HTTP client to give the SDK client. Everything is closed when t ends.
func faultSetup(t *testing.T, ep hardEndpoint, cell faultCell) (context.Context, *faultEnv, string, *http.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	env := &faultEnv{ep: ep, stop: make(chan struct{}), cancel: cancel}

	env.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.mu.Lock()
		env.otherHeader = append(env.otherHeader, r.Header.Clone())
		env.mu.Unlock()
		env.writeError(w, http.StatusUnauthorized, "no credential")
	}))
	t.Cleanup(env.other.Close)

	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.hits.Add(1)
		if credentialIn(r.Header, faultToken) || credentialIn(r.Header, faultAPIKey) {
			env.credHits.Add(1)
		}
		if !assert.Equal(t, ep.prefix+ep.path, r.URL.Path) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		cell.serve(env, w, r)
	})
	var base string
	var hc *http.Client
	switch {
	case cell.refused:
		base = "http://" + faultClosedAddr(t)
		hc = faultHTTPClient(t)
	case cell.tls:
		env.origin = httptest.NewTLSServer(origin)
		base, hc = env.origin.URL, env.origin.Client()
	default:
		env.origin = httptest.NewServer(origin)
		base, hc = env.origin.URL, faultHTTPClient(t)
	}
	if env.origin != nil {
		t.Cleanup(env.origin.Close)
	}
	t.Cleanup(func() { close(env.stop) }) // runs before the servers close
	return ctx, env, base, hc
}

// faultOptions are the client options of the matrix, then the cell's.
func faultOptions(hc *http.Client, cell faultCell) []Option {
	return append([]Option{
		WithHTTPClient(hc),
		WithRetry(faultRetries),
		WithRetryWait(time.Millisecond, faultWaitMax),
		WithTimeout(5 * time.Second),
	}, cell.opts...)
}

// faultCall calls fn and turns a panic into a test failure.
func faultCall(t *testing.T, fn func() (any, error)) (res any, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	return fn()
}

// faultHTTPClient returns a client with a transport of its own, whose idle
// connections are closed when the test ends, so that no connection
// goroutine outlives the test.
func faultHTTPClient(t *testing.T) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// faultClosedAddr returns a loopback address nobody listens on: port 1, a
// privileged port no test can take. (A port freed by closing a listener could
// be handed to another test's server running in parallel.)
func faultClosedAddr(t *testing.T) string {
	const addr = "127.0.0.1:1"
	conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", addr)
	if err == nil {
		_ = conn.Close()
		t.Skipf("something listens on %s", addr)
	}
	return addr
}
