package onboard_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
)

// constructor is one of the three client constructors, its client as the
// table's any (nil when it returned none).
type constructor struct {
	name  string
	build func(baseURL string, auth onboard.Authenticator, opts ...onboard.Option) (any, error)
}

func constructors() []constructor {
	return []constructor{
		{"NewAptlyClient", func(u string, a onboard.Authenticator, o ...onboard.Option) (any, error) {
			return result(onboard.NewAptlyClient(u, a, o...))
		}},
		{"NewAthenaClient", func(u string, a onboard.Authenticator, o ...onboard.Option) (any, error) {
			return result(onboard.NewAthenaClient(u, a, o...))
		}},
		{"NewRoyaltiClient", func(u string, a onboard.Authenticator, o ...onboard.Option) (any, error) {
			return result(onboard.NewRoyaltiClient(u, a, o...))
		}},
	}
}

// assertServicesSet checks that every exported field of the client c
// points at a service.
func assertServicesSet(t *testing.T, c any) {
	t.Helper()
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() {
			assert.False(t, v.Field(i).IsNil(), "%s.%s", v.Type().Name(), v.Type().Field(i).Name)
		}
	}
}

func TestConstructor_baseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		opts    []onboard.Option
		wantErr string // substring; "" means success
	}{
		{name: "Aptly staging", url: onboard.AptlyStagingURL},
		{name: "Aptly US", url: onboard.AptlyUSURL},
		{name: "Aptly EU", url: onboard.AptlyEUURL},
		{name: "AthenaHQ", url: onboard.AthenaHQURL},
		{name: "Royalti", url: onboard.RoyaltiURL},
		{name: "Royalti appspot", url: onboard.RoyaltiAppspotURL},
		{name: "trailing slash", url: "https://api.example.com/auth/"},
		{name: "loopback IPv4 over http", url: "http://127.0.0.1:8080/auth"},
		{name: "loopback IPv6 over http", url: "http://[::1]:8080"},
		{name: "localhost over http", url: "http://localhost:3000"},
		{name: "plain http allowed by option", url: "http://onboarding.internal:8080", opts: []onboard.Option{onboard.WithInsecureHTTP()}},
		{name: "unresolvable host (no lookup in the constructor)", url: "https://onboard.invalid/auth"},

		{name: "empty", url: "", wantErr: "absolute"},
		{name: "relative path", url: "/auth", wantErr: "absolute"},
		{name: "no scheme", url: "api.example.com/auth", wantErr: "absolute"},
		{name: "ftp", url: "ftp://files.example.com/auth", wantErr: "absolute"},
		{name: "scheme only", url: "https://", wantErr: "absolute"},
		{name: "userinfo", url: "https://user:s3cret@api.example.com", wantErr: "credentials"},
		{name: "query", url: "https://api.example.com/auth?tenant=1", wantErr: "query"},
		{name: "fragment", url: "https://api.example.com/auth#x", wantErr: "fragment"},
		{name: "plain http on a public host", url: "http://api.example.com/auth", wantErr: "plain http"},
		{name: "plain http on a private address", url: "http://10.0.0.8", wantErr: "plain http"},
		{name: "plain http on a lookalike of localhost", url: "http://localhost.example.com", wantErr: "plain http"},
		{name: "unparsable", url: "https://api.exa mple.com", wantErr: "base URL"},
	}
	for _, k := range constructors() {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c, err := k.build(tt.url, onboard.BearerToken(testToken), tt.opts...)
				if tt.wantErr == "" {
					require.NoError(t, err)
					require.NotNil(t, c)
					assertServicesSet(t, c)
					return
				}
				require.Error(t, err)
				assert.Nil(t, c)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.True(t, strings.HasPrefix(err.Error(), "onboard: "+k.name+": "), err.Error())
			})
		}
	}
}

// A base URL that carries a password must not put it in the error that
// refuses it, whatever the reason for refusing.
func TestConstructor_errorsHideURLCredentials(t *testing.T) {
	t.Parallel()
	for _, k := range constructors() {
		for _, raw := range []string{
			"https://user:s3cret@api.example.com",
			"ftp://user:s3cret@api.example.com",
			"user:s3cret@api.example.com",
			"https://user:s3cret@api.example.com:badport/auth",
			"https://user:s3cret@api.exa mple.com",
			"http://user:s3cret@api.example.com",
		} {
			_, err := k.build(raw, onboard.BearerToken(testToken))
			require.Error(t, err, raw)
			assert.NotContains(t, err.Error(), "s3cret", raw)
			assert.NotContains(t, err.Error(), testToken, raw)
		}
	}
}

func TestConstructor_nilAuthenticator(t *testing.T) {
	t.Parallel()
	for _, k := range constructors() {
		c, err := k.build(onboard.AptlyStagingURL, nil)
		require.Error(t, err, k.name)
		assert.Nil(t, c, k.name)
		assert.Contains(t, err.Error(), "Authenticator", k.name)
		assert.True(t, strings.HasPrefix(err.Error(), "onboard: "+k.name+": "), err.Error())
	}
}

// An Aptly access key is exchanged at Aptly's own endpoint; the other
// services' constructors refuse it, and say which one takes it.
func TestConstructor_aptlyAccessKeyOnlyForAptly(t *testing.T) {
	t.Parallel()
	const key = "ak_SECRET_0123456789"
	for _, k := range constructors() {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			c, err := k.build(onboard.AptlyStagingURL, onboard.AptlyAccessKey(key))
			if k.name == "NewAptlyClient" {
				require.NoError(t, err)
				assert.NotNil(t, c)
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Equal(t, "onboard: "+k.name+": AptlyAccessKey works only with NewAptlyClient; pass this service's own credential", err.Error())
			assert.NotContains(t, err.Error(), key)
		})
	}
}

func TestConstructor_badOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  onboard.Option
	}{
		{"nil HTTP client", onboard.WithHTTPClient(nil)},
		{"negative timeout", onboard.WithTimeout(-time.Second)},
		{"negative retries", onboard.WithRetry(-1)},
		{"negative first wait", onboard.WithRetryWait(-time.Millisecond, time.Second)},
		{"longest wait below first", onboard.WithRetryWait(time.Second, time.Millisecond)},
		{"zero response cap", onboard.WithMaxResponseBytes(0)},
		{"negative response cap", onboard.WithMaxResponseBytes(-1)},
	}
	for _, k := range constructors() {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c, err := k.build(onboard.AptlyStagingURL, onboard.BearerToken(testToken), tt.opt)
				require.Error(t, err)
				assert.Nil(t, c)
				assert.True(t, strings.HasPrefix(err.Error(), "onboard: "+k.name+": "), err.Error())
			})
		}

		t.Run(k.name+"/good values", func(t *testing.T) {
			t.Parallel()
			_, err := k.build(onboard.AptlyStagingURL, onboard.BearerToken(testToken),
				onboard.WithTimeout(0), onboard.WithRetry(0), onboard.WithRetryWait(0, 0),
				onboard.WithMaxResponseBytes(1), onboard.WithLogger(nil), onboard.WithRateLimiter(nil), nil)
			require.NoError(t, err)
		})
	}
}

// A constructor makes no network call: not even with a bad credential.
func TestConstructor_noNetworkCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var tokenCalls atomic.Int32
	auths := []onboard.Authenticator{
		onboard.BearerToken(""), onboard.APIKey(testAPIKey), onboard.BasicAuth(testUsername, testPassword),
		onboard.BearerTokenFunc(func(context.Context) (string, error) { tokenCalls.Add(1); return testToken, nil }),
	}
	for _, k := range constructors() {
		for _, auth := range auths {
			c, err := k.build(srv.URL+aptlyPrefix, auth, onboard.WithHTTPClient(srv.Client()))
			require.NoError(t, err)
			require.NotNil(t, c)
		}
	}
	assert.Zero(t, srv.count())
	assert.Zero(t, tokenCalls.Load(), "the token func is not called before a request")
}

// A trailing slash on the base URL does not double the slash in paths.
func TestClient_baseURLTrailingSlash(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, envelope(200, "Success", `{"id":"u1"}`))
	})
	c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix+"/", onboard.BearerToken(testToken), clientOptions(t, nil)...)
	require.NoError(t, err)
	_, err = c.Users.Create(testCtx(t), validCreateUser())
	require.NoError(t, err)
	assert.Equal(t, "/auth/v1/user/create", srv.only(t).Path)
}

// countingTransport counts requests and hands them to the default transport.
type countingTransport struct{ n atomic.Int32 }

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestWithHTTPClient(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, `{"success":true,"results":[]}`)
	})
	rt := &countingTransport{}
	hc := &http.Client{Transport: rt, Timeout: 7 * time.Second}
	c := newAthena(t, srv, onboard.WithHTTPClient(hc))

	_, err := c.Invites.SendToTargets(testCtx(t), validTargetInvite())
	require.NoError(t, err)
	assert.EqualValues(t, 1, rt.n.Load(), "requests go through the caller's transport")
	assert.Equal(t, testAPIKey, srv.only(t).Header.Get("x-api-key"))

	// The caller's client is copied, not changed.
	assert.Same(t, rt, hc.Transport)
	assert.Nil(t, hc.CheckRedirect)
	assert.Equal(t, 7*time.Second, hc.Timeout)
}

// deadlineTransport notes the deadline of each request it sends.
type deadlineTransport struct {
	mu        sync.Mutex
	deadlines []bool
}

func (d *deadlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, ok := r.Context().Deadline()
	d.mu.Lock()
	d.deadlines = append(d.deadlines, ok)
	d.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// The attempt timeout holds whatever http.Client WithHTTPClient is given:
// one without a Timeout keeps DefaultTimeout, one with a Timeout makes it
// the attempt's, and a timed-out attempt says which timeout it hit, also
// when the body was cut.
func TestWithHTTPClient_attemptTimeout(t *testing.T) {
	t.Parallel()

	t.Run("no Timeout keeps the default", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusCreated, `{"message":"ok"}`)
		})
		rt := &deadlineTransport{}
		c := newRoyalti(t, srv, onboard.WithHTTPClient(&http.Client{Transport: rt}))
		// A context without a deadline: any deadline is the attempt's.
		_, err := c.Invites.Send(context.Background(), validInvite())
		require.NoError(t, err)
		assert.Equal(t, []bool{true}, rt.deadlines, "the attempt has a deadline")
	})

	// stall answers nothing until the attempt gives up (or the test ends);
	// with body set it sends the status and part of the body first.
	stall := func(body bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if body {
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, `{"message":`)
				w.(http.Flusher).Flush()
			}
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}
	}
	for _, tc := range []struct {
		name string
		hc   *http.Client
		opts []onboard.Option
		body bool
		want string
	}{
		{"client Timeout", &http.Client{Timeout: 200 * time.Millisecond}, nil, false, "longer than its 200ms timeout"},
		{"client Timeout, slow body", &http.Client{Timeout: 200 * time.Millisecond}, nil, true, "longer than its 200ms timeout"},
		{"WithTimeout, slow body", &http.Client{}, []onboard.Option{onboard.WithTimeout(200 * time.Millisecond)}, true, "longer than its 200ms timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(royaltiPrefix+"/auth/invite", stall(tc.body))
			c := newRoyalti(t, srv, append([]onboard.Option{onboard.WithHTTPClient(tc.hc)}, tc.opts...)...)
			_, err := c.Invites.Send(testCtx(t), validInvite())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			// Not retried. On a loaded machine the timeout may end the
			// attempt before the server has counted it.
			assert.LessOrEqual(t, srv.count(), 1)
		})
	}
}

// gatedTransport holds the first read of each answer's body until the test
// lets it go, and hands the test the attempt's context: it lets a test act
// after an answer's status has arrived and while its body is being read.
type gatedTransport struct {
	reading chan context.Context // the attempt's context, at the first read
	goAhead chan struct{}
}

func (g *gatedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &gatedBody{ReadCloser: resp.Body, g: g, ctx: r.Context()}
	}
	return resp, err
}

type gatedBody struct {
	io.ReadCloser
	g    *gatedTransport
	ctx  context.Context
	once sync.Once
}

func (b *gatedBody) Read(p []byte) (int, error) {
	b.once.Do(func() {
		b.g.reading <- b.ctx
		<-b.g.goAhead
	})
	return b.ReadCloser.Read(p)
}

// An answer whose status has arrived is read to the end even when the
// caller cancels while its body is read: the server did the work, and the
// call (or the bulk run's item) says so.
func TestClient_answerReadAfterCancel(t *testing.T) {
	t.Parallel()
	const bulkOK = `{"statusCode":200,"message":"Success","data":{"total":1,"successful":1,"failed":0,"results":[{"email":"ada@example.com","success":true,"message":"ok"}]}}`
	for _, tc := range []struct {
		name, path, body string
		call             func(t *testing.T, ctx context.Context, c *clients) error
	}{
		{"call", royaltiPrefix + "/auth/invite", `{"message":"ok"}`, func(t *testing.T, ctx context.Context, c *clients) error {
			res, err := c.royalti.Invites.Send(ctx, validInvite())
			if err == nil {
				assert.Equal(t, "ok", res.Message)
			}
			return err
		}},
		{"bulk", aptlyPrefix + "/v1/user/bulk-invite", bulkOK, func(t *testing.T, ctx context.Context, c *clients) error {
			// The run itself may end with the context's error; the item
			// the server did is done all the same.
			rep, _ := c.aptly.Invites.SendBulkAll(ctx, inTenant(engineTenant), []onboard.AptlyInvitee{{Email: "ada@example.com"}})
			require.NotNil(t, rep)
			require.Len(t, rep.Outcomes, 1)
			assert.Equal(t, onboard.StateSucceeded, rep.Outcomes[0].State, "%v", rep.Outcomes[0].Err)
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			finish := make(chan struct{})
			srv := newServer(t)
			srv.handle(tc.path, func(w http.ResponseWriter, r *http.Request) {
				half := len(tc.body) / 2
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, tc.body[:half])
				w.(http.Flusher).Flush()
				select {
				case <-finish:
					_, _ = io.WriteString(w, tc.body[half:])
				case <-r.Context().Done(): // the client gave the answer up
				case <-time.After(10 * time.Second):
				}
			})
			g := &gatedTransport{reading: make(chan context.Context, 1), goAhead: make(chan struct{})}
			c := newClients(t, srv, onboard.WithHTTPClient(&http.Client{Transport: g}))
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			go func() {
				attempt := <-g.reading
				cancel()
				// The rest of the body is sent only if the cancel left
				// the attempt alive; otherwise the server waits for
				// the client to hang up.
				if attempt.Err() == nil {
					close(finish)
				}
				close(g.goAhead)
			}()
			require.NoError(t, tc.call(t, ctx, c))
			assert.Equal(t, 1, srv.count())
		})
	}
}

func TestWithUserAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithUserAgent("acme-onboarding/2.3 onboard-go"))
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, `{"message":"ok"}`)
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	require.NoError(t, err)
	assert.Equal(t, "acme-onboarding/2.3 onboard-go", srv.only(t).Header.Get("User-Agent"))
}

// Each attempt is limited by WithTimeout; a timed-out attempt is not
// retried by default, since the server may have done the work.
func TestWithTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithTimeout(100*time.Millisecond))
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	start := time.Now()
	_, err := c.Invites.Send(testCtx(t), validInvite())
	re := mustRequestError(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 1, re.Attempts)
	assert.Equal(t, 1, srv.count())
}

// No request leaves the base URL's scheme and host: a redirect to another
// host (here another port) is an error naming it, whatever the status and
// whether or not the request carries a credential, and the other host is
// never reached.
func TestRedirect_otherHostRefused(t *testing.T) {
	t.Parallel()
	auths := map[string]onboard.Authenticator{
		"api key": onboard.APIKey(testAPIKey),
		"func":    onboard.BearerTokenFunc(func(context.Context) (string, error) { return testToken, nil }),
	}
	for name, auth := range auths {
		for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(name+"/"+strconv.Itoa(code), func(t *testing.T) {
				t.Parallel()
				other := newServer(t)
				other.handle("/elsewhere/", func(w http.ResponseWriter, r *http.Request) {
					reply(w, http.StatusOK, `{"success":true,"results":[]}`)
				})
				srv := newServer(t)
				c := newAthena(t, withAuth(srv, auth))
				srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+"/elsewhere/api/v1/invites/bulk", code)
				})

				_, err := c.Invites.SendToTargets(testCtx(t), validTargetInvite())
				re := mustRequestError(t, err)
				assert.Contains(t, re.Error(), strings.TrimPrefix(other.URL, "http://"), "the error names the host")
				assert.Contains(t, re.Error(), "redirect")
				assert.Equal(t, 1, re.Attempts, "a refused redirect is not retried")
				assert.Zero(t, other.count(), "the other host is never reached")
				assert.Equal(t, 1, srv.count())
			})
		}
	}
}

func TestRedirect_sameHostKeepsCredential(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newAptly(t, srv)
	srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, aptlyPrefix+"/v2/user/create", http.StatusTemporaryRedirect)
	})
	srv.handle(aptlyPrefix+"/v2/user/create", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, envelope(200, "Success", `{"id":"u1"}`))
	})
	u, err := c.Users.Create(testCtx(t), validCreateUser())
	require.NoError(t, err)
	assert.Equal(t, "u1", u.ID)
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"), r.Path)
	}
	assert.Equal(t, aptlyPrefix+"/v2/user/create", reqs[1].Path)
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
}

// A redirect from https to plain http is refused, WithInsecureHTTP or not:
// it leaves the base URL's scheme.
func TestRedirect_httpsToHTTP(t *testing.T) {
	t.Parallel()
	for _, insecure := range []bool{false, true} {
		t.Run("insecure="+strconv.FormatBool(insecure), func(t *testing.T) {
			t.Parallel()
			plain := newServer(t)
			tlsSrv := newTLSServer(t)
			tlsSrv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
			})

			opts := []onboard.Option{onboard.WithHTTPClient(tlsSrv.Client())}
			if insecure {
				opts = append(opts, onboard.WithInsecureHTTP())
			}
			c := newAptly(t, tlsSrv, opts...)

			_, err := c.Users.Create(testCtx(t), validCreateUser())
			assert.Equal(t, "Bearer "+testToken, tlsSrv.only(t).Header.Get("Authorization"))
			re := mustRequestError(t, err)
			assert.Contains(t, re.Error(), "refused redirect to http://")
			assert.Zero(t, plain.count(), "the http host is never reached")
		})
	}
}

func TestWithLogger(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithLogger(logger))
	var n atomic.Int32
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			reply(w, http.StatusTooManyRequests, `{"message":"slow down, ada@example.com"}`, "Retry-After", "0")
			return
		}
		reply(w, http.StatusCreated, `{"message":"Invite sent to ada@example.com"}`)
	})
	const workspace, user = "ws-5e3a1c-PRIVATE", "user-9d2f07-PRIVATE"
	_, err := c.Invites.Send(testCtx(t), &onboard.RoyaltiInviteRequest{
		Email: "ada@example.com", FirstName: "Ada", Message: "a private note", WorkspaceID: workspace, UserID: user,
	})
	require.NoError(t, err)
	require.Equal(t, 2, srv.count())

	// An API key is not logged either (a second client, same logger).
	var athenaBuf syncBuffer
	ac := newAthena(t, srv, onboard.WithLogger(slog.New(slog.NewJSONHandler(&athenaBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, `{"success":true,"results":[{"website_id":"`+websiteID1+`","success":false,"error":"grace@example.com is blocked"}]}`)
	})
	_, err = ac.Invites.SendToTargets(testCtx(t), &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteDirect, Email: "grace@example.com", FirstName: "Grace", WebsiteIDs: []string{websiteID1},
	})
	require.NoError(t, err)
	assert.Contains(t, athenaBuf.String(), athenaPrefix+"/api/v1/invites/bulk")

	out := buf.String()
	for _, secret := range []string{testToken, "ada@example.com", workspace, user, "a private note", "slow down", "Invite sent", "workspaceId", "Bearer"} {
		assert.NotContains(t, out, secret)
	}
	for _, secret := range []string{testAPIKey, "grace@example.com", "Grace", websiteID1, "blocked", "x-api-key"} {
		assert.NotContains(t, athenaBuf.String(), secret)
	}

	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader([]byte(out)))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		lines = append(lines, m)
	}
	require.Len(t, lines, 2, "one line per attempt:\n%s", out)
	for i, m := range lines {
		assert.Equal(t, "POST", m["method"])
		assert.Equal(t, royaltiPrefix+"/auth/invite", m["path"])
		assert.EqualValues(t, i+1, m["attempt"])
		assert.Contains(t, m, "duration")
	}
	assert.EqualValues(t, 429, lines[0]["status"])
	assert.EqualValues(t, 201, lines[1]["status"])
}

// A failed connection is logged without the URL's query.
func TestWithLogger_connectionError(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newRoyalti(t, site(closedURL(t)), onboard.WithLogger(logger), onboard.WithRetry(1))
	_, err := c.Invites.Send(testCtx(t), &onboard.RoyaltiInviteRequest{Email: "ada@example.com", WorkspaceID: "ws-PRIVATE"})
	require.Error(t, err)
	out := buf.String()
	assert.Contains(t, out, royaltiPrefix+"/auth/invite")
	assert.NotContains(t, out, "ws-PRIVATE")
	assert.NotContains(t, out, "ada@example.com")
	assert.NotContains(t, out, testToken)
}

// Without WithLogger the client prints nothing: not through slog's or log's
// process-wide loggers (captured here, so this test is not parallel), and
// not through go-retryablehttp's default logger, which writes to stderr.
func TestSilentByDefault(t *testing.T) {
	var buf syncBuffer
	oldSlog, oldOut, oldFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log.SetOutput(&buf)
	t.Cleanup(func() {
		slog.SetDefault(oldSlog)
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
	})

	srv := newServer(t)
	all := newClients(t, srv, onboard.WithRetry(2))
	for _, c := range []any{all.aptly, all.athena, all.royalti} {
		require.Nil(t, onboard.RetryLoggerOf(c), "%T: go-retryablehttp's default logger writes to stderr", c)
	}
	c := all.royalti
	var n atomic.Int32
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			reply(w, http.StatusTooManyRequests, `{"message":"slow down"}`, "Retry-After", "0")
			return
		}
		reply(w, http.StatusCreated, `{"message":"ok"}`)
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	require.NoError(t, err)

	refused := newRoyalti(t, site(closedURL(t)), onboard.WithRetry(1))
	require.Nil(t, onboard.RetryLoggerOf(refused))
	_, err = refused.Invites.Send(testCtx(t), validInvite())
	require.Error(t, err)

	assert.Empty(t, buf.String())
}

func TestWithResponse(t *testing.T) {
	t.Parallel()

	t.Run("success with rate-limit headers", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newAthena(t, srv)
		reset := time.Now().Add(time.Minute).Unix()
		srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusOK, `{"success":true,"results":[]}`,
				"X-Request-Id", "rid-ok", "X-Rate-Limit-Limit", "60", "X-Rate-Limit-Remaining", "59",
				"X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
		})
		var meta onboard.Response
		_, err := c.Invites.SendToTargets(testCtx(t), validTargetInvite(), onboard.WithResponse(&meta))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, meta.StatusCode)
		assert.Equal(t, "rid-ok", meta.RequestID)
		assert.Equal(t, "60", meta.Header.Get("X-Rate-Limit-Limit"))
		assert.Equal(t, 60, meta.RateLimit.Limit)
		assert.Equal(t, 59, meta.RateLimit.Remaining)
		assert.True(t, meta.RateLimit.Reset.Equal(time.Unix(reset, 0)), "reset %v", meta.RateLimit.Reset)
		assert.Zero(t, meta.RetryAfter)
		assert.Equal(t, 1, meta.Attempts)
		assert.Nil(t, meta.Envelope, "AthenaHQ has no envelope")
		assert.JSONEq(t, `{"success":true,"results":[]}`, string(meta.Body))
	})

	t.Run("failure after retries", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newAthena(t, srv, onboard.WithRetry(2))
		srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusTooManyRequests, `{"error":"Rate limit exceeded"}`,
				"X-Request-Id", "rid-429", "Retry-After", "1", "X-Rate-Limit-Limit", "60",
				"X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", "1767225600")
		})
		var meta onboard.Response
		_, err := c.Invites.SendToTargets(testCtx(t), validTargetInvite(), onboard.WithResponse(&meta))
		apiErr := mustAPIError(t, err)
		assert.Equal(t, 3, apiErr.Attempts)
		assert.Equal(t, http.StatusTooManyRequests, meta.StatusCode)
		assert.Equal(t, "rid-429", meta.RequestID)
		assert.Equal(t, time.Second, meta.RetryAfter)
		assert.Equal(t, 3, meta.Attempts)
		assert.Equal(t, 60, meta.RateLimit.Limit)
		assert.Equal(t, 0, meta.RateLimit.Remaining)
		assert.True(t, meta.RateLimit.Reset.Equal(time.Unix(1767225600, 0)))
		assert.JSONEq(t, `{"error":"Rate limit exceeded"}`, string(meta.Body))
	})

	t.Run("Aptly envelope", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newAptly(t, srv)
		srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusCreated, docAptlyBulkInvite, "X-Request-Id", "rid-env")
		})
		var meta onboard.Response
		_, err := c.Invites.SendBulk(testCtx(t), validBulkInvite(), onboard.WithResponse(&meta))
		require.NoError(t, err)
		assert.Equal(t, http.StatusCreated, meta.StatusCode)
		assert.Equal(t, "rid-env", meta.RequestID)
		require.NotNil(t, meta.Envelope)
		assert.Equal(t, onboard.Envelope{StatusCode: 200, Message: "Success", Timestamp: ts(t, "2026-01-12T09:10:12.337Z")}, *meta.Envelope)
	})

	t.Run("Aptly failure envelope", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newAptly(t, srv)
		srv.handle(aptlyPrefix+"/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusConflict, `{"statusCode":409,"timestamp":"2026-01-12T09:10:12.337Z","message":"Email already exists","error":"Conflict"}`)
		})
		var meta onboard.Response
		_, err := c.Users.Create(testCtx(t), validCreateUser(), onboard.WithResponse(&meta))
		require.ErrorIs(t, err, onboard.ErrConflict)
		assert.Equal(t, http.StatusConflict, meta.StatusCode)
		require.NotNil(t, meta.Envelope)
		assert.Equal(t, onboard.Envelope{StatusCode: 409, Message: "Email already exists", Timestamp: ts(t, "2026-01-12T09:10:12.337Z")}, *meta.Envelope)
	})

	t.Run("no response leaves it empty", func(t *testing.T) {
		t.Parallel()
		c := newRoyalti(t, site(closedURL(t)), onboard.WithRetry(0))
		var meta onboard.Response
		_, err := c.Invites.Send(testCtx(t), validInvite(), onboard.WithResponse(&meta))
		mustRequestError(t, err)
		assert.Zero(t, meta.StatusCode)
	})

	t.Run("nil option is ignored", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newRoyalti(t, srv)
		srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusCreated, `{"message":"ok"}`)
		})
		_, err := c.Invites.Send(testCtx(t), validInvite(), nil)
		require.NoError(t, err)
	})
}

func TestResponse_requestIDHeaders(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"X-Request-Id", "Request-Id", "X-Correlation-Id"} {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, srv)
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`, h, "id-"+h)
			})
			var meta onboard.Response
			_, err := c.Invites.Send(testCtx(t), validInvite(), onboard.WithResponse(&meta))
			require.NoError(t, err)
			assert.Equal(t, "id-"+h, meta.RequestID)
		})
	}
}

// One client serves many goroutines at once (run with -race).
func TestClient_concurrentCalls(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newRoyalti(t, srv)
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, `{"message":"ok"}`, "X-Request-Id", r.URL.Query().Get("userId"))
	})
	const n = 16
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make([]error, n)
	ids := make([]string, n)
	for i := range n {
		wg.Go(func() {
			var meta onboard.Response
			req := validInvite()
			req.UserID = "u" + strconv.Itoa(i)
			_, errs[i] = c.Invites.Send(ctx, req, onboard.WithResponse(&meta))
			ids[i] = meta.RequestID
		})
	}
	wg.Wait()
	for i := range n {
		assert.NoError(t, errs[i])
		assert.Equal(t, "u"+strconv.Itoa(i), ids[i], "each call sees its own response")
	}
	assert.Equal(t, n, srv.count())
}

// A call waiting for the rate limiter stops when its context ends, and
// nothing is sent.
func TestWithRateLimiter(t *testing.T) {
	t.Parallel()
	lim := rate.NewLimiter(rate.Every(time.Hour), 1)
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithRateLimiter(lim))
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, `{"message":"ok"}`)
	})
	_, err := c.Invites.Send(testCtx(t), validInvite())
	require.NoError(t, err)

	// A context without a deadline, so that the limiter waits.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Invites.Send(ctx, validInvite())
	mustRequestError(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, 1, srv.count())
}

// The wait for the limiter is not part of an attempt's timeout: a wait
// longer than WithTimeout still ends in a request.
func TestWithRateLimiter_waitOutsideTimeout(t *testing.T) {
	t.Parallel()
	lim := rate.NewLimiter(rate.Every(2*time.Second), 1)
	srv := newServer(t)
	c := newRoyalti(t, srv, onboard.WithRateLimiter(lim), onboard.WithTimeout(time.Second))
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, `{"message":"ok"}`)
	})
	for i := range 2 {
		_, err := c.Invites.Send(testCtx(t), validInvite())
		require.NoError(t, err, "call %d", i)
	}
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.GreaterOrEqual(t, reqs[1].At.Sub(reqs[0].At), 1500*time.Millisecond, "the limiter spaced the requests")
}

// WithRateLimiter takes any limiter with Wait; a nil *rate.Limiter means none.
func TestWithRateLimiter_anyLimiter(t *testing.T) {
	t.Parallel()
	var nilLimiter *rate.Limiter
	refuse := waitFunc(func(context.Context) error { return errors.New("no slot") })
	tests := []struct {
		name  string
		lim   interface{ Wait(context.Context) error }
		sends int
	}{
		{"refusing limiter", refuse, 0},
		{"nil *rate.Limiter", nilLimiter, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			c := newRoyalti(t, srv, onboard.WithRateLimiter(tt.lim))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`)
			})
			_, err := c.Invites.Send(testCtx(t), validInvite())
			if tt.sends == 0 {
				assert.ErrorContains(t, err, "no slot")
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.sends, srv.count())
		})
	}
}

// waitFunc is a limiter made of a function.
type waitFunc func(ctx context.Context) error

func (f waitFunc) Wait(ctx context.Context) error { return f(ctx) }

// A context that is already over sends nothing.
func TestClient_cancelledContext(t *testing.T) {
	t.Parallel()
	for _, ep := range endpoints() {
		t.Run(ep.name(), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			ctx, cancel := context.WithCancel(testCtx(t))
			cancel()
			res, err := ep.call(ctx, newClients(t, srv))
			assert.Nil(t, res)
			mustRequestError(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Zero(t, srv.count())
		})
	}
}

// Every endpoint's documented success status and body decode without error.
func TestClient_everyEndpointSucceeds(t *testing.T) {
	t.Parallel()
	for _, ep := range endpoints() {
		t.Run(ep.name(), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) { reply(w, ep.okStatus, ep.okBody) })
			var meta onboard.Response
			res, err := ep.call(testCtx(t), newClients(t, srv), onboard.WithResponse(&meta))
			require.NoError(t, err)
			ep.checkOK(t, res)
			assert.Equal(t, ep.okStatus, meta.StatusCode)
			r := srv.only(t)
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, ep.fullPath(), r.Path)
			assertJSONHeaders(t, r.Header)
		})
	}
}

// TestVersionMatchesChangelog pins Version to the changelog's newest
// heading, "## [X.Y.Z] — date" or "## [X.Y.Z] — unreleased": X.Y.Z once
// released, X.Y.Z-dev before.
func TestVersionMatchesChangelog(t *testing.T) {
	b, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	heading := regexp.MustCompile(`(?m)^## \[([0-9]+\.[0-9]+\.[0-9]+)\](.*)$`).FindStringSubmatch(string(b))
	require.NotNil(t, heading, "CHANGELOG.md has no version heading")
	want := heading[1]
	if strings.Contains(strings.ToLower(heading[2]), "unreleased") {
		want += "-dev"
	}
	assert.Equal(t, want, onboard.Version, "Version against CHANGELOG.md's newest heading %q", heading[0])
}
