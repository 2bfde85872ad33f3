package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

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
