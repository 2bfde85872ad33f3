package onboard_test

// Tests of how the client keeps its credentials: where a request holding
// one may go, which secrets are scrubbed from what a call hands back, and
// how AptlyAccessKey obtains, shares and renews its token.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

const (
	trustKey      = "ak_TRUST_KEY_0123456789"
	trustExchange = aptlyPrefix + "/v1/tenants/access-key/exchange"
	trustInvite   = aptlyPrefix + "/v1/user/bulk-invite"
	trustInviteOK = `{"statusCode":200,"message":"Success","data":{"total":1,"successful":1,"failed":0,"results":[{"email":"ada@example.com","success":true,"message":"ok"}]}}`
)

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
				c, err := onboard.NewClient(origin.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey),
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
		c, err := onboard.NewClient(srv.URL+aptlyPrefix, onboard.AptlyAccessKey(trustKey))
		require.NoError(t, err)
		_, err = c.Invites.SendBulk(testCtx(t), accessKeyInvite("ada@example.com"))
		require.NoError(t, err)
		reqs := srv.requests()
		require.Len(t, reqs, 3)
		assert.JSONEq(t, `{"accessKey":"`+trustKey+`"}`, string(reqs[1].Body), "the same host gets the body again")
		assert.Equal(t, "Bearer tok_MOVED_0123456789", reqs[2].Header.Get("Authorization"))
	})
}
