package onboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/onboardkit/onboard"
)

// The fault matrix: every endpoint (the 25 of allEndpoints) against every
// way a server or the network can fail, each cell asserting the outcome the
// retry policy and the pipeline document (see WithRetryServerErrors,
// WithTimeout, WithMaxResponseBytes, WithInsecureHTTP and the Authenticator
// doc). The policy is the same for every endpoint, reads and deletes
// included: internal/retry decides by the answer alone, never by the HTTP
// method, so a GET is no more retried than a POST.
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
// A method that returns only an error (noResult) takes any 2xx as success,
// whatever its body, as its doc says: for it, the cells of an unreadable 2xx
// body are successes (see faultCell.forEndpoint).
//
// Each cell also bounds the time the call took (upper bounds only), checks
// that nothing panicked, and that no goroutine outlived it. The cells run one
// after another, not in parallel, so that the goroutine check of one cell
// sees no other test's goroutines; the whole matrix takes several seconds.

const (
	faultRetries = 2
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

// faultEnv is one cell's world: the origin server the clients are built
// for, another host that redirects can point to, and what each saw.
type faultEnv struct {
	ep     endpointCase
	origin *server // nil in the cell where nothing listens
	other  *server
	host   host             // what the cell's clients are built against
	opts   []onboard.Option // what a TLS origin's clients need
	stop   chan struct{}    // closed when the cell ends, to free slow handlers
	cancel context.CancelFunc
}

// hits returns how many requests reached the origin.
func (env *faultEnv) hits() int {
	if env.origin == nil {
		return 0
	}
	return env.origin.count()
}

// credHits returns how many requests reached the origin with a credential.
func (env *faultEnv) credHits() int {
	n := 0
	for _, r := range env.origin.requests() {
		if credentialIn(r.Header, testToken) || credentialIn(r.Header, testAPIKey) {
			n++
		}
	}
	return n
}

// otherRequests returns the headers of the requests that reached the
// other host.
func (env *faultEnv) otherRequests() []http.Header {
	var out []http.Header
	for _, r := range env.other.requests() {
		out = append(out, r.Header)
	}
	return out
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
	opts []onboard.Option
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
			want: faultWantAPIError, sentinel: onboard.ErrRateLimited, status: http.StatusTooManyRequests,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
			check: func(t *testing.T, _ *faultEnv, err error) {
				apiErr := mustAPIError(t, err)
				assert.Equal(t, faultRetryAfter, apiErr.RetryAfter)
				assert.Equal(t, "slow down", apiErr.Message)
				assert.True(t, tryLater(apiErr))
			},
		},
		{
			name: "429 Retry-After HTTP date",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", time.Now().Add(faultRetryAfter+time.Second).UTC().Format(http.TimeFormat))
				env.writeError(w, http.StatusTooManyRequests, "slow down")
			},
			want: faultWantAPIError, sentinel: onboard.ErrRateLimited, status: http.StatusTooManyRequests,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
			check: func(t *testing.T, _ *faultEnv, err error) {
				apiErr := mustAPIError(t, err)
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
			want: faultWantAPIError, sentinel: onboard.ErrServer, status: http.StatusServiceUnavailable,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
			check: func(t *testing.T, _ *faultEnv, err error) {
				assert.Equal(t, faultRetryAfter, mustAPIError(t, err).RetryAfter)
			},
		},
		{
			name: "503 without Retry-After",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusServiceUnavailable, "down")
			},
			want: faultWantAPIError, sentinel: onboard.ErrServer, status: http.StatusServiceUnavailable,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "500",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusInternalServerError, "boom")
			},
			want: faultWantAPIError, sentinel: onboard.ErrServer, status: http.StatusInternalServerError,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				assert.Equal(t, "boom", mustAPIError(t, err).Message)
			},
		},
		{
			name: "500 with WithRetryServerErrors",
			opts: []onboard.Option{onboard.WithRetryServerErrors()},
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusInternalServerError, "boom")
			},
			want: faultWantAPIError, sentinel: onboard.ErrServer, status: http.StatusInternalServerError,
			attempts: faultRetries + 1, hits: faultRetries + 1, within: faultRetried,
		},
		{
			name: "502",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				env.writeError(w, http.StatusBadGateway, "bad gateway")
			},
			want: faultWantAPIError, sentinel: onboard.ErrServer, status: http.StatusBadGateway,
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
			opts:  []onboard.Option{onboard.WithRetryServerErrors()},
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
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse, causes: []error{io.ErrUnexpectedEOF},
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "slow server past WithTimeout",
			opts: []onboard.Option{onboard.WithTimeout(faultTimeout)},
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
			opts: []onboard.Option{onboard.WithTimeout(faultTimeout)},
			serve: func(env *faultEnv, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(env.ep.okStatus)
				_, _ = io.WriteString(w, env.ep.okBody[:min(10, len(env.ep.okBody)-1)])
				w.(http.Flusher).Flush()
				env.stall(r)
			},
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse, causes: []error{context.DeadlineExceeded},
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "invalid JSON",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(env.ep.okStatus)
				_, _ = io.WriteString(w, `{"statusCode": 200, "data": {"id": "6a7d8103"`)
			},
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse,
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
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse, status: http.StatusOK,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				// The error says what came back, briefly.
				assert.Contains(t, err.Error(), "Bad Gateway")
				assert.LessOrEqual(t, len(mustAPIError(t, err).Message), 210)
			},
		},
		{
			name: "HTML error page with 502",
			serve: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = io.WriteString(w, faultHTML)
			},
			want: faultWantAPIError, sentinel: onboard.ErrServer, status: http.StatusBadGateway,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				assert.Contains(t, mustAPIError(t, err).Message, "Bad Gateway")
			},
		},
		{
			name: "empty 2xx body",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(env.ep.okStatus)
			},
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "204 No Content",
			serve: func(_ *faultEnv, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusNoContent)
			},
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse, status: http.StatusNoContent,
			attempts: 1, hits: 1, within: faultQuick,
		},
		{
			name: "body far larger than WithMaxResponseBytes",
			opts: []onboard.Option{onboard.WithMaxResponseBytes(faultCap)},
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				// Valid JSON of the documented shape, 256 times the cap.
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(env.ep.okStatus)
				rest := strings.TrimSpace(env.ep.okBody)[1:]
				if strings.TrimSpace(rest) != "}" {
					rest = "," + rest
				}
				_, _ = io.WriteString(w, `{"padding":"`+strings.Repeat("x", 256*faultCap)+`"`+rest)
			},
			want: faultWantAPIError, sentinel: onboard.ErrUnexpectedResponse,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, _ *faultEnv, err error) {
				apiErr := mustAPIError(t, err)
				assert.LessOrEqual(t, len(apiErr.Body), faultCap)
				assert.Contains(t, err.Error(), "cap")
			},
		},
		{
			name: "redirect to another host",
			serve: func(env *faultEnv, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, env.other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			},
			want:     faultWantRequestError,
			attempts: 1, hits: 1, within: faultQuick,
			check: func(t *testing.T, env *faultEnv, err error) {
				assert.Equal(t, 1, env.credHits(), "the origin gets the credential")
				assert.Contains(t, err.Error(), "refused redirect to "+env.other.URL)
				assert.Empty(t, env.otherRequests(), "nothing may reach another host")
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
				assert.Contains(t, err.Error(), "refused redirect to http://")
				assert.Empty(t, env.otherRequests(), "nothing may reach the http host")
			},
		},
		{
			name: "429 then success",
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				if env.hits() == 1 {
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
			opts: []onboard.Option{onboard.WithRetryWait(time.Millisecond, 2*time.Hour)},
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

// forEndpoint returns cell as ep meets it. A method that returns only an
// error does not read its answer: its endpoint's answer is undocumented,
// so its doc takes any 2xx as success, whatever the body. A 2xx whose body
// is cut, slow, not JSON, empty or over the cap, an *APIError matching
// ErrUnexpectedResponse for the others, is its success, after as many
// attempts and requests.
func (cell faultCell) forEndpoint(ep endpointCase) faultCell {
	if ep.noResult && errors.Is(cell.sentinel, onboard.ErrUnexpectedResponse) && (cell.status == 0 || cell.status/100 == 2) {
		cell.want, cell.sentinel, cell.causes, cell.status, cell.check = faultWantOK, nil, nil, 0, nil
	}
	return cell
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

func TestFaultMatrix(t *testing.T) {
	for _, ep := range allEndpoints() {
		t.Run(ep.name(), func(t *testing.T) {
			for _, cell := range faultCells() {
				t.Run(cell.name, func(t *testing.T) { faultRun(t, ep, cell.forEndpoint(ep)) })
			}
		})
	}
}

// faultRun runs one cell of the matrix.
func faultRun(t *testing.T, ep endpointCase, cell faultCell) {
	// Registered first, so it runs after every other cleanup: by then the
	// servers are closed and the clients' connections too.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })

	ctx, env := faultSetup(t, ep, cell)
	c := newClients(t, env.host, faultOptions(env, cell)...)
	secret := testToken
	if ep.api == athenaAPI {
		secret = testAPIKey
	}

	var meta onboard.Response
	start := time.Now()
	res, err := faultCall(t, func() (any, error) { return ep.call(ctx, c, onboard.WithResponse(&meta)) })
	elapsed := time.Since(start)

	assert.Less(t, elapsed, cell.within, "the call took too long")
	if cell.hits >= 0 {
		assert.Equal(t, cell.hits, env.hits(), "requests that reached the server")
	}
	if err != nil {
		assert.NotContains(t, err.Error(), secret)
	}

	switch cell.want {
	case faultWantOK:
		require.NoError(t, err)
		if !ep.noResult {
			require.NotNil(t, res)
		}
		ep.checkOK(t, res)
		assert.Equal(t, cell.attempts, meta.Attempts)
	case faultWantAPIError:
		require.Error(t, err)
		assert.Nil(t, res, "no result with an error")
		apiErr := mustAPIError(t, err)
		assert.Equal(t, cell.attempts, apiErr.Attempts, "attempts")
		assert.Equal(t, ep.method, apiErr.Method)
		assert.Equal(t, ep.fullPath(), apiErr.Path)
		if cell.status != 0 {
			assert.Equal(t, cell.status, apiErr.StatusCode)
		} else {
			assert.Equal(t, ep.okStatus, apiErr.StatusCode)
		}
		assert.Equal(t, apiErr.StatusCode, meta.StatusCode, "WithResponse is filled on failure")
	case faultWantRequestError:
		require.Error(t, err)
		assert.Nil(t, res, "no result with an error")
		reqErr := mustRequestError(t, err)
		assert.Equal(t, cell.attempts, reqErr.Attempts, "attempts")
		assert.Equal(t, ep.op, reqErr.Op)
		assert.Equal(t, ep.fullPath(), reqErr.Path)
	}
	for _, s := range sentinels {
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
// with and the cell's world. Everything is closed when t ends.
func faultSetup(t *testing.T, ep endpointCase, cell faultCell) (context.Context, *faultEnv) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	env := &faultEnv{ep: ep, stop: make(chan struct{}), cancel: cancel}

	env.other = newServer(t)
	env.other.handle(ep.fullPath(), func(w http.ResponseWriter, _ *http.Request) {
		env.writeError(w, http.StatusUnauthorized, "no credential")
	})
	switch {
	case cell.refused:
		env.host = site(closedURL(t))
	case cell.tls:
		env.origin = newTLSServer(t)
		env.opts = []onboard.Option{onboard.WithHTTPClient(env.origin.Client())}
	default:
		env.origin = newServer(t)
	}
	if env.origin != nil {
		env.host = env.origin
		env.origin.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) { cell.serve(env, w, r) })
	}
	t.Cleanup(func() { close(env.stop) }) // runs before the servers close
	return ctx, env
}

// faultOptions are the client options of the matrix, then the cell's.
func faultOptions(env *faultEnv, cell faultCell) []onboard.Option {
	opts := []onboard.Option{
		onboard.WithRetry(faultRetries),
		onboard.WithRetryWait(time.Millisecond, faultWaitMax),
		onboard.WithTimeout(5 * time.Second),
	}
	return append(append(opts, env.opts...), cell.opts...)
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
