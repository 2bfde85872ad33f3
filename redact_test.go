package onboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
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
