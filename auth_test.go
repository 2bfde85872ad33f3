package onboard_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

func TestAuthenticators_headers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		auth       onboard.Authenticator
		wantAuthz  string // Authorization
		wantAPIKey string // x-api-key
	}{
		{"bearer", onboard.BearerToken(testToken), "Bearer " + testToken, ""},
		{"api key", onboard.APIKey(testAPIKey), "", testAPIKey},
		{"basic", onboard.BasicAuth(testUsername, testPassword),
			"Basic " + base64.StdEncoding.EncodeToString([]byte(testUsername+":"+testPassword)), ""},
		{"basic without password", onboard.BasicAuth(testUsername, ""),
			"Basic " + base64.StdEncoding.EncodeToString([]byte(testUsername+":")), ""},
		{"bearer func", onboard.BearerTokenFunc(func(context.Context) (string, error) { return testToken, nil }),
			"Bearer " + testToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, withAuth(srv, tt.auth))
			srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, `{"message":"ok"}`)
			})
			_, err := c.Invites.Send(testCtx(t), validInvite())
			require.NoError(t, err)
			h := srv.only(t).Header
			assert.Equal(t, tt.wantAuthz, h.Get("Authorization"))
			assert.Equal(t, tt.wantAPIKey, h.Get("x-api-key"))
		})
	}
}

// The token func is asked once per attempt, with the caller's context, so a
// rotated token is used on the next retry.
func TestBearerTokenFunc_perAttempt(t *testing.T) {
	t.Parallel()
	type ctxKey struct{}
	var calls atomic.Int32
	auth := onboard.BearerTokenFunc(func(ctx context.Context) (string, error) {
		assert.Equal(t, "caller", ctx.Value(ctxKey{}), "the func gets the caller's context")
		return "tok-" + strconv.Itoa(int(calls.Add(1))), nil
	})
	srv := newServer(t)
	c := newRoyalti(t, withAuth(srv, auth), onboard.WithRetry(2))
	var n atomic.Int32
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			reply(w, http.StatusTooManyRequests, `{"message":"slow down"}`)
			return
		}
		reply(w, http.StatusCreated, `{"message":"ok"}`)
	})

	ctx := context.WithValue(testCtx(t), ctxKey{}, "caller")
	_, err := c.Invites.Send(ctx, validInvite())
	require.NoError(t, err)
	assert.EqualValues(t, 3, calls.Load())
	reqs := srv.requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, "Bearer tok-"+strconv.Itoa(i+1), r.Header.Get("Authorization"))
	}
}

// An error from the token func fails the call before anything is sent, and
// is not retried.
func TestBearerTokenFunc_error(t *testing.T) {
	t.Parallel()
	errVault := errors.New("vault sealed")
	var calls atomic.Int32
	auth := onboard.BearerTokenFunc(func(context.Context) (string, error) {
		calls.Add(1)
		return "", errVault
	})
	srv := newServer(t)
	c := newRoyalti(t, withAuth(srv, auth), onboard.WithRetry(3), onboard.WithRetryServerErrors())
	_, err := c.Invites.Send(testCtx(t), validInvite())
	re := mustRequestError(t, err)
	assert.ErrorIs(t, err, errVault)
	assert.Contains(t, err.Error(), "vault sealed")
	assert.Equal(t, 1, re.Attempts)
	assert.EqualValues(t, 1, calls.Load())
	assert.Zero(t, srv.count())
}

// A missing secret is a clear error, and no request goes out without it.
func TestAuthenticators_emptySecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth onboard.Authenticator
		want string
	}{
		{"empty bearer token", onboard.BearerToken(""), "bearer token is empty"},
		{"empty API key", onboard.APIKey(""), "API key is empty"},
		{"empty basic username", onboard.BasicAuth("", testPassword), "username is empty"},
		{"nil token func", onboard.BearerTokenFunc(nil), "nil function"},
		{"token func returning nothing", onboard.BearerTokenFunc(func(context.Context) (string, error) { return "", nil }), "bearer token is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newRoyalti(t, withAuth(srv, tt.auth), onboard.WithRetry(2))
			_, err := c.Invites.Send(testCtx(t), validInvite())
			re := mustRequestError(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 1, re.Attempts, "a missing credential is not retried")
			assert.Zero(t, srv.count())
			assert.NotContains(t, err.Error(), testPassword)
		})
	}
}

// An Authenticator of the caller's own is used like the built-in ones.
type signer struct {
	mu    sync.Mutex
	calls int
}

func (s *signer) Authenticate(req *http.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	req.Header.Set("X-Signature", "sig-"+req.Method+"-"+req.URL.Path)
	return nil
}

func TestAuthenticator_custom(t *testing.T) {
	t.Parallel()
	s := &signer{}
	srv := newServer(t)
	c := newAthena(t, withAuth(srv, s))
	srv.handle(athenaPrefix+"/api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, `{"success":true,"results":[]}`)
	})
	_, err := c.Invites.SendToTargets(testCtx(t), validTargetInvite())
	require.NoError(t, err)
	assert.Equal(t, "sig-POST-/athenahq/api/v1/invites/bulk", srv.only(t).Header.Get("X-Signature"))
	assert.Equal(t, 1, s.calls)
}

// Authenticate can be used on its own, on any request.
func TestAuthenticators_Authenticate(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "https://api.athenahq.ai/api/v1/invites/bulk", nil)
	require.NoError(t, err)
	require.NoError(t, onboard.APIKey(testAPIKey).Authenticate(req))
	assert.Equal(t, testAPIKey, req.Header.Get("x-api-key"))
	require.NoError(t, onboard.BearerToken(testToken).Authenticate(req))
	assert.Equal(t, "Bearer "+testToken, req.Header.Get("Authorization"))
	require.NoError(t, onboard.BasicAuth(testUsername, testPassword).Authenticate(req))
	user, pass, ok := req.BasicAuth()
	require.True(t, ok)
	assert.Equal(t, testUsername, user)
	assert.Equal(t, testPassword, pass)
}

// No way of printing an authenticator or a client shows the secret.
func TestAuthenticators_formattingHidesSecrets(t *testing.T) {
	t.Parallel()
	auths := map[string]onboard.Authenticator{
		"bearer":  onboard.BearerToken(testToken),
		"api key": onboard.APIKey(testAPIKey),
		"basic":   onboard.BasicAuth(testUsername, testPassword),
		"func":    onboard.BearerTokenFunc(func(context.Context) (string, error) { return testToken, nil }),
	}
	secrets := []string{testToken, testAPIKey, testPassword, "SECRET"}
	for name, a := range auths {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			holder := struct{ Auth onboard.Authenticator }{a}
			outputs := map[string]string{
				"authenticator": fmt.Sprintf("%v %+v %#v %s %q %d %x", a, a, a, a, a, a, a),
				"holder":        fmt.Sprintf("%v %+v %#v", holder, holder, holder),
			}
			for _, k := range constructors() {
				c, err := k.build(onboard.AptlyStagingURL, a)
				require.NoError(t, err)
				value := reflect.ValueOf(c).Elem().Interface()
				outputs[k.name] = fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c, c)
				outputs[k.name+" value"] = fmt.Sprintf("%v %+v", value, value)
				outputs[k.name+" println"] = fmt.Sprintln(a, c)
				assert.Contains(t, fmt.Sprint(c), "staging.api.us.aptlydone.com")
			}
			for what, out := range outputs {
				for _, s := range secrets {
					assert.NotContains(t, out, s, "%s: %s", what, out)
				}
			}
			assert.Contains(t, fmt.Sprint(a), "redacted", "says a secret is set")
		})
	}

	t.Run("empty secrets say so", func(t *testing.T) {
		t.Parallel()
		for _, a := range []onboard.Authenticator{onboard.BearerToken(""), onboard.APIKey(" "), onboard.BasicAuth(testUsername, "")} {
			assert.Contains(t, fmt.Sprint(a), "empty")
		}
		assert.Contains(t, fmt.Sprint(onboard.BasicAuth(testUsername, testPassword)), testUsername, "the username is not secret")
	})
}

const accessKeyTenant = "887fd99a-e3ab-44ac-8253-31f269599f2b"

func accessKeyInvite(email string) *onboard.AptlyBulkInviteRequest {
	return &onboard.AptlyBulkInviteRequest{TenantID: accessKeyTenant, Users: []onboard.AptlyInvitee{{Email: email}}}
}

func accessKeyCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestAptlyAccessKey_exchangesOnceAndReuses exchanges the key on first use,
// sends the token it got, and does not exchange again while it is valid,
// however many goroutines call at once.
func TestAptlyAccessKey_exchangesOnceAndReuses(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(onboardtest.AptlyAccessKey)))
	ctx := accessKeyCtx(t)

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			res, err := c.Invites.SendBulk(ctx, accessKeyInvite(fmt.Sprintf("p%d@example.com", i)))
			if assert.NoError(t, err) {
				assert.Len(t, emailResults(res.Results, true), 1)
			}
		})
	}
	wg.Wait()

	assert.Equal(t, 1, srv.RequestCount("/v1/tenants/access-key/exchange"), "one exchange for all callers")
	assert.Equal(t, 20, srv.AptlyUserCount(accessKeyTenant))
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/exchange") {
			assert.Empty(t, r.Header.Get("Authorization"), "the exchange carries no token")
			assert.JSONEq(t, `{"accessKey":"`+onboardtest.AptlyAccessKey+`"}`, string(r.Body))
			continue
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		assert.True(t, ok)
		assert.NotEqual(t, onboardtest.AptlyAccessKey, tok, "the key itself is never sent as a token")
	}
}

// TestAptlyAccessKey_reexchangesAfter401 sends a request refused because its
// token expired once more, with a freshly exchanged token.
func TestAptlyAccessKey_reexchangesAfter401(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(onboardtest.AptlyAccessKey)))
	ctx := accessKeyCtx(t)

	_, err := c.Invites.SendBulk(ctx, accessKeyInvite("first@example.com"))
	require.NoError(t, err)
	srv.ExpireAptlyTokens()

	var meta onboard.Response
	res, err := c.Invites.SendBulk(ctx, accessKeyInvite("second@example.com"), onboard.WithResponse(&meta))
	require.NoError(t, err)
	assert.Len(t, emailResults(res.Results, true), 1)
	assert.Equal(t, 2, meta.Attempts, "the refused attempt and the one after the new exchange")
	assert.Equal(t, 2, srv.RequestCount("/v1/tenants/access-key/exchange"))
	assert.Equal(t, 2, srv.AptlyUserCount(accessKeyTenant))
}

// TestAptlyAccessKey_badKey reports a refused key as ErrUnauthorized, sends
// nothing else, and keeps the key out of the error.
func TestAptlyAccessKey_badKey(t *testing.T) {
	t.Parallel()
	const key = "ak_WRONG_0123456789abcdef"
	srv := newFake(t)
	c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(key)))

	_, err := c.Users.Create(accessKeyCtx(t), &onboard.AptlyCreateUserRequest{
		TenantID: accessKeyTenant, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
	})
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
	assert.Contains(t, err.Error(), "exchanging the Aptly access key")
	assert.NotContains(t, err.Error(), key)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", c, onboard.AptlyAccessKey(key), onboard.AptlyAccessKey(key)), key)
	assert.Zero(t, srv.RequestCount("/v1/user/create"), "nothing is sent without a token")
	assert.Zero(t, srv.AptlyUserCount(accessKeyTenant))
}

// TestAptlyAccessKey_echoedKeyRedacted keeps a key the exchange echoes in its
// error body out of the error.
func TestAptlyAccessKey_echoedKeyRedacted(t *testing.T) {
	t.Parallel()
	const key = "ak_ECHOED_0123456789abcdef"
	srv := newServer(t)
	srv.handle(aptlyPrefix+"/v1/tenants/access-key/exchange", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"statusCode":400,"message":"key %s is malformed","error":"Bad Request"}`, key)
	})
	c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(key)))

	_, err := c.Invites.SendBulk(accessKeyCtx(t), accessKeyInvite("ada@example.com"))
	require.ErrorIs(t, err, onboard.ErrBadRequest)
	assert.NotContains(t, err.Error(), key)
	assert.Contains(t, err.Error(), "[redacted]")
}
