package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// TestEchoedCredentialIsRedacted covers a server that echoes the request's
// credential back in its error body: neither the error nor the metadata may
// carry it.
func TestEchoedCredentialIsRedacted(t *testing.T) {
	t.Parallel()
	const token, password = "tok_ECHOED_0123456789", "pw_ECHOED_9876543210"
	srv := newServer(t)
	srv.handle(royaltiPrefix+"/auth/invite", func(w http.ResponseWriter, r *http.Request) {
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
		t.Run(tc.name, func(t *testing.T) {
			c := newRoyalti(t, withAuth(srv, tc.auth), onboard.WithRetry(0))
			var meta onboard.Response
			_, err := c.Invites.Send(testCtx(t), &onboard.InviteRequest{Email: "ada@example.com"}, onboard.WithResponse(&meta))
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
