package onboard_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// TestEchoedCredentialIsRedacted covers a server that echoes the request's
// credential back in its error body, at every endpoint: neither the error
// nor the metadata may carry it.
func TestEchoedCredentialIsRedacted(t *testing.T) {
	t.Parallel()
	const token, password = "tok_ECHOED_0123456789", "pw_ECHOED_9876543210"
	srv := newServer(t)
	handleEvery(srv, func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		reply(w, http.StatusUnauthorized, fmt.Sprintf(`{"message":"bad credential %q (user %s, password %s)","x-api-key":%q}`,
			r.Header.Get("Authorization"), user, pass, r.Header.Get("x-api-key")))
	})

	for _, tc := range []struct {
		name   string
		auth   onboard.Authenticator
		secret string
	}{
		{"bearer", onboard.BearerToken(token), token},
		{"api key", onboard.APIKey(token), token},
		{"basic", onboard.BasicAuth("ada", password), password},
		{"bearer func", onboard.BearerTokenFunc(func(context.Context) (string, error) { return token, nil }), token},
	} {
		for _, ep := range allEndpoints() {
			t.Run(tc.name+"/"+ep.name(), func(t *testing.T) {
				t.Parallel()
				c := newClients(t, withAuth(srv, tc.auth), onboard.WithRetry(0))
				var meta onboard.Response
				_, err := ep.call(testCtx(t), c, onboard.WithResponse(&meta))
				require.ErrorIs(t, err, onboard.ErrUnauthorized)
				var apiErr *onboard.APIError
				require.ErrorAs(t, err, &apiErr)
				for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", apiErr), string(apiErr.Body), apiErr.Message, string(meta.Body)} {
					assert.NotContains(t, text, tc.secret)
				}
				assert.Contains(t, apiErr.Message, "[redacted]")
			})
		}
	}
}

// jsonEscaped is secret as encoding/json writes it inside a string: "&",
// "<" and ">" become \u0026, \u003c and \u003e.
func jsonEscaped(t *testing.T, secret string) string {
	t.Helper()
	b, err := json.Marshal(secret)
	require.NoError(t, err)
	return strings.Trim(string(b), `"`)
}

// TestEchoedCredentialIsRedacted_escaped covers credentials holding "& < >",
// which a JSON answer may echo escaped (\u0026, \u003c, \u003e): neither
// form may reach an error's body or message, nor a per-item message of a
// success (Outcome.Message, which the journal and the command line's report
// take up).
func TestEchoedCredentialIsRedacted_escaped(t *testing.T) {
	t.Parallel()
	const key, token = "ak_<ESC&APED>_0123456789", "tok_<ESC&APED>_9876543210"
	require.NotEqual(t, key, jsonEscaped(t, key), "the key must change when escaped")

	// The access key is Aptly's alone: each of its endpoints exchanges it.
	for _, ep := range allEndpoints() {
		if ep.api != aptlyAPI {
			continue
		}
		t.Run("error body/"+ep.name(), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(aptlyPrefix+"/v1/tenants/access-key/exchange", func(w http.ResponseWriter, r *http.Request) {
				// The message names the key (encoded, so escaped), and the
				// answer echoes the request's body as it came.
				body, err := io.ReadAll(r.Body)
				assert.NoError(t, err)
				var in struct {
					AccessKey string `json:"accessKey"`
				}
				assert.NoError(t, json.Unmarshal(body, &in))
				msg, err := json.Marshal("key " + in.AccessKey + " is malformed")
				assert.NoError(t, err)
				reply(w, http.StatusBadRequest, fmt.Sprintf(`{"statusCode":400,"message":%s,"error":"Bad Request","received":%s}`, msg, body))
			})
			c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(key)), onboard.WithRetry(0))
			_, err := ep.call(testCtx(t), &clients{aptly: c})
			require.ErrorIs(t, err, onboard.ErrBadRequest)
			var apiErr *onboard.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Contains(t, apiErr.Message, "[redacted]")
			for _, text := range []string{err.Error(), string(apiErr.Body), apiErr.Message, fmt.Sprintf("%#v", apiErr)} {
				assert.NotContains(t, text, key)
				assert.NotContains(t, text, jsonEscaped(t, key))
			}
		})
	}

	t.Run("per-item messages of a success", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.handle(aptlyPrefix+"/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			escaped, err := json.Marshal("invited with " + tok)
			assert.NoError(t, err)
			// The first result echoes the token raw, the second escaped.
			reply(w, http.StatusCreated, envelope(200, "Success", fmt.Sprintf(
				`{"total":2,"successful":2,"failed":0,"results":[`+
					`{"email":"ada@example.com","success":true,"message":"invited with %s"},`+
					`{"email":"grace@example.com","success":true,"message":%s}]}`, tok, escaped)))
		})
		c := newAptly(t, withAuth(srv, onboard.BearerToken(token)))
		rep, err := c.Invites.SendBulkAll(testCtx(t), inTenant(engineTenant),
			[]onboard.AptlyInvitee{{Email: "ada@example.com"}, {Email: "grace@example.com"}})
		require.NoError(t, err)
		require.Len(t, rep.Outcomes, 2)
		for _, o := range rep.Outcomes {
			assert.Equal(t, onboard.StateSucceeded, o.State, o.Message)
			assert.Equal(t, "invited with [redacted]", o.Message)
		}
	})
}

const (
	trustKey      = "ak_TRUST_KEY_0123456789"
	trustExchange = aptlyPrefix + "/v1/tenants/access-key/exchange"
	trustInvite   = aptlyPrefix + "/v1/user/bulk-invite"
	trustInviteOK = `{"statusCode":200,"message":"Success","data":{"total":1,"successful":1,"failed":0,"results":[{"email":"ada@example.com","success":true,"message":"ok"}]}}`
)

// trustJWT makes an unsigned JWT with the given claims; a zero iat is left
// out.
func trustJWT(iat, exp time.Time) string {
	claims := fmt.Sprintf(`{"exp":%d}`, exp.Unix())
	if !iat.IsZero() {
		claims = fmt.Sprintf(`{"iat":%d,"exp":%d}`, iat.Unix(), exp.Unix())
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(claims)) + ".sig"
}

// trustTokenAnswer is a documented exchange answer holding tok.
func trustTokenAnswer(w http.ResponseWriter, tok string) {
	reply(w, http.StatusCreated, envelope(200, "Success", fmt.Sprintf(`{"token":%q}`, tok)))
}

// trustAssertNone fails if any rendering of err, or of any error it wraps,
// holds one of secrets.
func trustAssertNone(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var texts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
	}
	var apiErr *onboard.APIError
	if errors.As(err, &apiErr) {
		b, jerr := json.Marshal(apiErr)
		require.NoError(t, jerr)
		texts = append(texts, string(b), fmt.Sprintf("%#v", *apiErr), fmt.Sprintf("%v", apiErr.Header),
			string(apiErr.Body), apiErr.Message, apiErr.Code, strings.Join(apiErr.Details, " "))
	}
	for _, text := range texts {
		for _, s := range secrets {
			assert.NotContains(t, text, s)
		}
	}
}

// A redirect of the exchange, whose body holds the access key, is never
// followed to another host, whatever the status and even from https to
// https; one to the same host still is.
func TestTrust_exchangeRedirectStaysOnHost(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"http", "https"} {
		for _, code := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", scheme, code), func(t *testing.T) {
				t.Parallel()
				var otherHits atomic.Int32
				other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					otherHits.Add(1)
					trustTokenAnswer(w, "tok_OTHER_HOST_0123456789")
				}))
				origin := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+r.URL.Path, code)
				}))
				for _, s := range []*httptest.Server{other, origin} {
					if scheme == "https" {
						s.StartTLS()
					} else {
						s.Start()
					}
					t.Cleanup(s.Close)
				}
				// httptest's servers share one certificate, so origin's
				// client trusts other too.
				c, err := onboard.NewAptlyClient(origin.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey),
					onboard.WithHTTPClient(origin.Client()), fastRetry)
				require.NoError(t, err)

				_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
				var reqErr *onboard.RequestError
				require.ErrorAs(t, err, &reqErr)
				assert.Contains(t, err.Error(), "refused redirect")
				assert.Zero(t, otherHits.Load(), "the other host got the exchange")
				trustAssertNone(t, err, trustKey)
			})
		}
	}

	t.Run("same host", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, aptlyPrefix+"/v2/exchange", http.StatusPermanentRedirect)
		})
		srv.handle(aptlyPrefix+"/v2/exchange", func(w http.ResponseWriter, r *http.Request) {
			trustTokenAnswer(w, "tok_MOVED_0123456789")
		})
		srv.handle(trustInvite, func(w http.ResponseWriter, r *http.Request) {
			reply(w, http.StatusCreated, trustInviteOK)
		})
		c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
		require.NoError(t, err)
		_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
		require.NoError(t, err)
		reqs := srv.requests()
		require.Len(t, reqs, 3)
		assert.JSONEq(t, `{"accessKey":"`+trustKey+`"}`, string(reqs[1].Body), "the same host gets the body again")
		assert.Equal(t, "Bearer tok_MOVED_0123456789", reqs[2].Header.Get("Authorization"))
	})
}

// A 2xx exchange answer that is not the documented envelope holds the new
// token somewhere: none of it reaches the error.
func TestTrust_exchangedTokenNotInError(t *testing.T) {
	t.Parallel()
	const tok = "tok_LIVE_EXCHANGED_0123456789"
	for name, body := range map[string]string{
		"bare token":          tok,
		"bare JSON string":    `"` + tok + `"`,
		"token outside":       `{"token":"` + tok + `"}`,
		"data not an object":  envelope(200, "Success", `"`+tok+`"`),
		"failure in 2xx":      envelope(401, "token "+tok+" is revoked", `{"token":"`+tok+`"}`),
		"envelope, no status": `{"message":"` + tok + `","data":{"token":"` + tok + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusCreated, body, "X-Token", tok)
			})
			c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
			require.NoError(t, err)
			_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "exchanging the Aptly access key")
			trustAssertNone(t, err, tok, trustKey)
		})
	}
}

// Every credential the client holds is scrubbed from a later call's error,
// at each Aptly endpoint (the access key is Aptly's): the access key, the
// token in use, and the token it replaced.
func TestTrust_heldSecretsScrubbed(t *testing.T) {
	t.Parallel()
	const first, second = "tok_FIRST_0123456789", "tok_SECOND_0123456789"
	for _, ep := range allEndpoints() {
		if ep.api != aptlyAPI {
			continue
		}
		t.Run(ep.name(), func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			var exchanges atomic.Int32
			srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
				if exchanges.Add(1) == 1 {
					trustTokenAnswer(w, first)
					return
				}
				trustTokenAnswer(w, second)
			})
			srv.handle(ep.fullPath(), func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "Bearer "+first {
					reply(w, http.StatusUnauthorized, envelope(401, "expired", "null"))
					return
				}
				msg := fmt.Sprintf("tokens %s and %s and key %s are not for this tenant", first, second, trustKey)
				reply(w, http.StatusBadRequest, envelope(400, msg, "null"),
					"X-Echo", first+" "+second+" "+trustKey)
			})
			c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
			require.NoError(t, err)
			var meta onboard.Response
			_, err = ep.call(testCtx(t), &clients{aptly: c}, onboard.WithResponse(&meta))
			require.ErrorIs(t, err, onboard.ErrBadRequest)
			assert.Equal(t, int32(2), exchanges.Load())
			trustAssertNone(t, err, first, second, trustKey)
			for _, text := range []string{string(meta.Body), fmt.Sprint(meta.Header), fmt.Sprintf("%#v", meta)} {
				for _, s := range []string{first, second, trustKey} {
					assert.NotContains(t, text, s)
				}
			}
			assert.Contains(t, err.Error(), "[redacted]")
		})
	}
}

// A credential the server echoes in a response header is scrubbed from the
// error's and the metadata's headers, at every endpoint; other headers are
// kept as they came.
func TestTrust_echoedHeaderScrubbed(t *testing.T) {
	t.Parallel()
	const token, password = "tok_HEADER_ECHO_0123456789", "pw_HEADER_ECHO_9876543210"
	srv := newServer(t)
	handleEvery(srv, func(w http.ResponseWriter, r *http.Request) {
		_, pass, _ := r.BasicAuth()
		w.Header().Set("X-Request-Id", "req-42")
		w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
		w.Header().Add("X-Echo", "key="+r.Header.Get("x-api-key"))
		w.Header().Add("X-Echo", "password="+pass)
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		reply(w, http.StatusUnauthorized, `{"message":"no"}`)
	})
	for _, tc := range []struct {
		name   string
		auth   onboard.Authenticator
		secret string
	}{
		{"bearer", onboard.BearerToken(token), token},
		{"api key", onboard.APIKey(token), token},
		{"basic", onboard.BasicAuth("ada", password), password},
		{"bearer func", onboard.BearerTokenFunc(func(context.Context) (string, error) { return token, nil }), token},
	} {
		for _, ep := range allEndpoints() {
			t.Run(tc.name+"/"+ep.name(), func(t *testing.T) {
				t.Parallel()
				c := newClients(t, withAuth(srv, tc.auth), onboard.WithRetry(0))
				var meta onboard.Response
				_, err := ep.call(testCtx(t), c, onboard.WithResponse(&meta))
				require.ErrorIs(t, err, onboard.ErrUnauthorized)
				trustAssertNone(t, err, tc.secret)
				assert.NotContains(t, fmt.Sprintf("%#v", meta), tc.secret)
				var apiErr *onboard.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "req-42", apiErr.Header.Get("X-Request-Id"))
				assert.Equal(t, `Bearer error="invalid_token"`, apiErr.Header.Get("WWW-Authenticate"))
				assert.Contains(t, fmt.Sprint(apiErr.Header), "[redacted]")
				assert.Equal(t, apiErr.Header, meta.Header)
			})
		}
	}
}

// The exchange has a budget of its own: a renewal that waits behind many
// calls on a shared rate limiter does not fail them by running out of
// one attempt's timeout.
func TestTrust_exchangeOutsideAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	limiter := rate.NewLimiter(20, 1)
	c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(onboardtest.AptlyAccessKey)),
		onboard.WithRateLimiter(limiter), onboard.WithTimeout(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.Invites.SendBulk(ctx, accessKeyInvite("first@example.com"))
	require.NoError(t, err)
	srv.ExpireAptlyTokens()

	var failed atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			_, err := c.Invites.SendBulk(ctx, accessKeyInvite(fmt.Sprintf("p%d@example.com", i)))
			if !assert.NoError(t, err) {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Equal(t, 2, srv.RequestCount("/v1/tenants/access-key/exchange"), "one renewal serves every call")
}

// trustSlowExchange is a server whose exchange answers only when release
// is closed; entered receives once per exchange that arrived.
type trustSlowExchange struct {
	*server
	entered   chan struct{}
	release   chan struct{}
	once      sync.Once
	exchanges atomic.Int32
}

func newTrustSlowExchange(t *testing.T) *trustSlowExchange {
	s := &trustSlowExchange{server: newServer(t), entered: make(chan struct{}, 10), release: make(chan struct{})}
	t.Cleanup(s.answer)
	s.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
		s.exchanges.Add(1)
		select {
		case s.entered <- struct{}{}:
		default:
		}
		select {
		case <-s.release:
			trustTokenAnswer(w, "tok_SLOW_0123456789")
		case <-r.Context().Done():
		}
	})
	s.handle(trustInvite, func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, trustInviteOK)
	})
	return s
}

// answer lets the exchanges that wait, and any later one, answer.
func (s *trustSlowExchange) answer() { s.once.Do(func() { close(s.release) }) }

// waitEntered waits, boundedly, for an exchange to arrive.
func (s *trustSlowExchange) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-s.entered:
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no exchange arrived")
	}
}

// trustResult waits, boundedly, for a call's outcome.
func trustResult(t *testing.T, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		require.FailNow(t, what+" did not return")
		return nil
	}
}

// A caller waiting for an exchange another call started returns when its
// own context ends; the exchange goes on for the others.
func TestTrust_exchangeWaiterHonoursContext(t *testing.T) {
	t.Parallel()
	srv := newTrustSlowExchange(t)
	c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
	require.NoError(t, err)

	first := make(chan error, 1)
	go func() {
		_, err := c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
		first <- err
	}()
	srv.waitEntered(t)

	short, cancel := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel()
	second := make(chan error, 1)
	go func() {
		_, err := c.Invites.SendBulk(short, accessKeyInvite("ada@example.com"))
		second <- err
	}()
	err = trustResult(t, second, "the caller whose deadline passed")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "Aptly")

	srv.answer()
	require.NoError(t, trustResult(t, first, "the caller that started the exchange"))
	assert.Equal(t, int32(1), srv.exchanges.Load())
}

// The shared exchange does not die with the caller that started it.
func TestTrust_exchangeOutlivesItsStarter(t *testing.T) {
	t.Parallel()
	srv := newTrustSlowExchange(t)
	c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(testCtx(t))
	first := make(chan error, 1)
	go func() {
		_, err := c.Invites.SendBulk(ctx, accessKeyInvite("ada@example.com"))
		first <- err
	}()
	srv.waitEntered(t)
	cancel()
	require.ErrorIs(t, trustResult(t, first, "the caller that gave up"), context.Canceled)

	second := make(chan error, 1)
	go func() {
		_, err := c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
		second <- err
	}()
	srv.answer()
	require.NoError(t, trustResult(t, second, "the caller that joined the exchange"))
	assert.Equal(t, int32(1), srv.exchanges.Load(), "the exchange the first caller started served the second")
}

// trustTokenServer answers each exchange with the next token of tokens
// (the last one again when they run out) and counts the exchanges.
func trustTokenServer(t *testing.T, tokens ...string) (*server, *atomic.Int32) {
	srv := newServer(t)
	var n atomic.Int32
	srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		trustTokenAnswer(w, tokens[min(i, len(tokens)-1)])
	})
	srv.handle(trustInvite, func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusCreated, trustInviteOK)
	})
	return srv, &n
}

// The renewal leeway scales with the token's lifetime, measured on the
// server's clock: a short-lived token, or a client clock running ahead of
// the server's, does not make every call exchange the key.
func TestTrust_tokenLifetime(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for name, tok := range map[string]string{
		"45 s token":                    trustJWT(now, now.Add(45*time.Second)),
		"client clock 2h ahead":         trustJWT(now.Add(-2*time.Hour), now.Add(-time.Hour)),
		"expired on the client's clock": trustJWT(time.Time{}, now.Add(-time.Hour)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, exchanges := trustTokenServer(t, tok)
			c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
			require.NoError(t, err)
			for range 3 {
				_, err := c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
				require.NoError(t, err)
			}
			assert.Equal(t, int32(1), exchanges.Load())
		})
	}
}

// A token is renewed before it expires, a quarter of its lifetime early
// (at most a minute), counted from when it was received.
func TestTrust_tokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		lifetime time.Duration
		reuse    time.Duration // a call this long after receipt reuses it
		renew    time.Duration // a call this long after receipt renews it
	}{
		{"45 s", 45 * time.Second, 33 * time.Second, 34 * time.Second},
		{"hour", time.Hour, 58*time.Minute + 59*time.Second, 59*time.Minute + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The server's clock is a day behind the client's: only the
			// token's lifetime counts.
			iat := time.Now().Add(-24 * time.Hour)
			srv, exchanges := trustTokenServer(t, trustJWT(iat, iat.Add(tc.lifetime)), "tok_RENEWED_0123456789")
			var mu sync.Mutex
			clock := time.Now()
			auth := onboard.AptlyAccessKey(trustKey)
			onboard.SetAccessKeyClock(auth, func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
			c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, auth)
			require.NoError(t, err)
			start := clock
			// Received at 0, reused at reuse, renewed at renew; the
			// renewed token is not a JWT, and serves until refused.
			for _, step := range []struct {
				at        time.Duration
				exchanges int32
			}{{0, 1}, {tc.reuse, 1}, {tc.renew, 2}, {tc.renew + time.Hour, 2}} {
				mu.Lock()
				clock = start.Add(step.at)
				mu.Unlock()
				_, err := c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
				require.NoError(t, err)
				assert.Equal(t, step.exchanges, exchanges.Load(), "exchanges after a call at %s", step.at)
			}
			reqs := srv.requests()
			assert.Equal(t, "Bearer tok_RENEWED_0123456789", reqs[len(reqs)-1].Header.Get("Authorization"))
		})
	}
}

// A call makes at most WithRetry(n)+1 attempts, a resend after a 401 and
// its token renewal included.
func TestTrust_attemptBudgetIncludesRefresh(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		retries  int
		statuses []int // the invite endpoint's answers, in order; 429 after them
		hits     int
		ok       bool
	}{
		{"429 429 401 with two retries", 2, []int{429, 429, 401}, 3, false},
		{"401 429 with two retries", 2, []int{401, 429}, 3, false},
		{"429 401 then success", 2, []int{429, 401, 201}, 3, true},
		{"401 with no retries", 0, []int{401}, 1, false},
		{"401 then success with one retry", 1, []int{401, 201}, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			var exchanges, hits atomic.Int32
			srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
				trustTokenAnswer(w, fmt.Sprintf("tok_BUDGET_%d_0123456789", exchanges.Add(1)))
			})
			srv.handle(trustInvite, func(w http.ResponseWriter, r *http.Request) {
				i := int(hits.Add(1)) - 1
				status := http.StatusTooManyRequests
				if i < len(tc.statuses) {
					status = tc.statuses[i]
				}
				if status == http.StatusCreated {
					reply(w, status, trustInviteOK)
					return
				}
				reply(w, status, envelope(status, "no", "null"), "Retry-After", "0")
			})
			c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey),
				onboard.WithRetry(tc.retries), fastRetry)
			require.NoError(t, err)
			var meta onboard.Response
			_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"), onboard.WithResponse(&meta))
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
			assert.Equal(t, int32(tc.hits), hits.Load(), "attempts the server saw")
			assert.Equal(t, tc.hits, meta.Attempts)
		})
	}

	t.Run("a refused token is renewed on the next call", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		var exchanges atomic.Int32
		srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
			trustTokenAnswer(w, fmt.Sprintf("tok_NEXT_%d_0123456789", exchanges.Add(1)))
		})
		srv.handle(trustInvite, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.Header.Get("Authorization"), "_1_0123456789") {
				reply(w, http.StatusUnauthorized, envelope(401, "expired", "null"))
				return
			}
			reply(w, http.StatusCreated, trustInviteOK)
		})
		c, err := onboard.NewAptlyClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey), onboard.WithRetry(0))
		require.NoError(t, err)
		_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
		require.ErrorIs(t, err, onboard.ErrUnauthorized)
		_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
		require.NoError(t, err)
		assert.Equal(t, int32(2), exchanges.Load())
	})
}

// The token is taken after the wait for pacing, not before: a wait longer
// than the token's renewal margin does not send an expired token. Tokens
// live 2 s (the server refuses one 2 s after it gave it out) and the
// limiter lets one request through every 2.5 s, the exchange's included.
func TestTrust_tokenTakenAfterPacing(t *testing.T) {
	t.Parallel()
	const life = 2 * time.Second
	srv := newServer(t)
	var mu sync.Mutex
	issued := map[string]time.Time{}
	srv.handle(trustExchange, func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		tok := trustJWT(now, now.Add(life))
		mu.Lock()
		tok += fmt.Sprint(len(issued)) // each token differs
		issued[tok] = now
		mu.Unlock()
		trustTokenAnswer(w, tok)
	})
	srv.handle(trustInvite, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at, ok := issued[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		mu.Unlock()
		if !ok || time.Since(at) >= life {
			reply(w, http.StatusUnauthorized, `{"statusCode":401,"message":"token expired"}`)
			return
		}
		reply(w, http.StatusCreated, trustInviteOK)
	})
	lim := rate.NewLimiter(rate.Every(2500*time.Millisecond), 1)
	c := newAptly(t, withAuth(srv, onboard.AptlyAccessKey(trustKey)), onboard.WithRateLimiter(lim), onboard.WithRetry(0))

	_, err := c.Invites.SendBulk(accessKeyCtx(t), accessKeyInvite("ada@example.com"))
	require.NoError(t, err)
	assert.Equal(t, 2, srv.count(), "one exchange, one invite")
}
