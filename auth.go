package onboard

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onboardkit/onboard/internal/renew"
)

// An Authenticator adds a credential to a request: once per attempt, only
// for the base URL's host. It must be safe for concurrent use, and its
// String must not show secrets.
type Authenticator interface {
	// Authenticate sets the credential on the client's copy of req, after
	// pacing and before the attempt's timeout.
	Authenticate(req *http.Request) error
}

// BearerToken sends "Authorization: Bearer <token>", as Aptly and Royalti
// expect.
func BearerToken(token string) Authenticator { return bearerToken{token: &token} }

// Secrets sit behind pointers, so that %v of a struct holding one prints
// an address.
type bearerToken struct{ token *string }

func (a bearerToken) Authenticate(req *http.Request) error {
	if *a.token == "" {
		return errors.New("onboard: bearer token is empty; pass the service's token to BearerToken")
	}
	req.Header.Set("Authorization", "Bearer "+*a.token)
	return nil
}

func (a bearerToken) String() string   { return "BearerToken(" + redacted(*a.token) + ")" }
func (a bearerToken) GoString() string { return a.String() }

// APIKey sends the key in the "x-api-key" header, as AthenaHQ expects.
func APIKey(key string) Authenticator { return apiKey{key: &key} }

type apiKey struct{ key *string }

func (a apiKey) Authenticate(req *http.Request) error {
	if *a.key == "" {
		return errors.New("onboard: API key is empty; pass the service's key to APIKey")
	}
	req.Header.Set("x-api-key", *a.key)
	return nil
}

func (a apiKey) String() string   { return "APIKey(" + redacted(*a.key) + ")" }
func (a apiKey) GoString() string { return a.String() }

// BasicAuth sends HTTP Basic credentials, which Royalti also takes.
func BasicAuth(username, password string) Authenticator {
	return basicAuth{username: username, password: &password}
}

type basicAuth struct {
	username string
	password *string
}

func (a basicAuth) Authenticate(req *http.Request) error {
	if a.username == "" {
		return errors.New("onboard: basic auth username is empty")
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.username+":"+*a.password)))
	return nil
}

func (a basicAuth) String() string {
	return fmt.Sprintf("BasicAuth(%q, %s)", a.username, redacted(*a.password))
}
func (a basicAuth) GoString() string { return a.String() }

// BearerTokenFunc sends a bearer token from fn, called before each attempt
// with the call's context; fn should cache its token. An error from fn
// fails the call unsent.
func BearerTokenFunc(fn func(ctx context.Context) (string, error)) Authenticator {
	return bearerFunc{fn: fn}
}

type bearerFunc struct {
	fn func(ctx context.Context) (string, error)
}

func (a bearerFunc) Authenticate(req *http.Request) error {
	tok, err := a.obtain(req.Context())
	if err != nil {
		return err
	}
	return bearerToken{token: &tok}.Authenticate(req)
}

func (a bearerFunc) obtain(ctx context.Context) (string, error) {
	if a.fn == nil {
		return "", errors.New("onboard: BearerTokenFunc was given a nil function")
	}
	tok, err := a.fn(ctx)
	if err != nil {
		return "", fmt.Errorf("onboard: getting bearer token: %w", err)
	}
	return tok, nil
}

func (a bearerFunc) String() string   { return "BearerTokenFunc(redacted)" }
func (a bearerFunc) GoString() string { return a.String() }

// redacted says whether a secret is set without showing any of it.
func redacted(secret string) string {
	if strings.TrimSpace(secret) == "" {
		return "empty"
	}
	return "redacted"
}

// binder is an Authenticator that needs its client; each client binds its
// own copy.
type binder interface {
	bind(c *client) Authenticator
}

// refresher is an Authenticator whose credential can go stale: after a
// 401, refresh says whether a fresh one can be had.
type refresher interface {
	refresh(used http.Header) bool
}

// secretHolder is an Authenticator with secrets beyond its header, which
// no error may carry.
type secretHolder interface {
	heldSecrets() []string
}

// AptlyAccessKey exchanges an Aptly machine access key for a bearer token
// on first use, and again before the token expires (a quarter of a JWT's
// lifetime, at most a minute, by the server's clock) or when it is
// refused, resending the refused request once. One exchange runs at a time,
// through the client's pipeline, on a context of its own. Use it only with
// NewAptlyClient.
//
// Aptly: POST /v1/tenants/access-key/exchange.
func AptlyAccessKey(accessKey string) Authenticator {
	return &aptlyAccessKey{key: &accessKey, now: time.Now}
}

type aptlyAccessKey struct {
	key    *string
	client *client          // set by bind
	now    func() time.Time // time.Now, but in tests

	mu      sync.Mutex
	token   *string   // nil before the first exchange and after a 401
	renewAt time.Time // zero when the token's lifetime is unknown
	prev    *string   // the token before, still scrubbed from errors
	flight  *exchange // the exchange under way, if any
}

// exchange is one run of the key exchange, shared by the calls waiting.
type exchange struct {
	done  chan struct{}
	token string
	err   error
}

func (a *aptlyAccessKey) bind(c *client) Authenticator {
	return &aptlyAccessKey{key: a.key, client: c, now: a.now}
}

func (a *aptlyAccessKey) Authenticate(req *http.Request) error {
	tok, err := a.obtain(req.Context())
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// obtain returns a token not due for renewal, joining or starting an
// exchange.
func (a *aptlyAccessKey) obtain(ctx context.Context) (string, error) {
	if a.client == nil {
		return "", errors.New("onboard: AptlyAccessKey works only through a client; pass it to NewAptlyClient")
	}
	if *a.key == "" {
		return "", errors.New("onboard: Aptly access key is empty; pass the key to AptlyAccessKey")
	}
	a.mu.Lock()
	if a.token != nil && (a.renewAt.IsZero() || a.now().Before(a.renewAt)) {
		tok := *a.token
		a.mu.Unlock()
		return tok, nil
	}
	f := a.flight
	if f == nil {
		f = &exchange{done: make(chan struct{})}
		a.flight = f
		go a.run(context.WithoutCancel(ctx), f)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", fmt.Errorf("onboard: waiting for the Aptly access-key exchange: %w", ctx.Err())
	}
}

// run exchanges the key, on a context bounded by callLimit.
func (a *aptlyAccessKey) run(ctx context.Context, f *exchange) {
	ctx, cancel := context.WithTimeout(ctx, a.client.callLimit())
	defer cancel()
	f.token, f.err = a.exchangeKey(ctx)
	received := a.now()
	a.mu.Lock()
	if f.err == nil {
		if a.token != nil {
			a.prev = a.token
		}
		a.token, a.renewAt = &f.token, renew.At(f.token, received)
	}
	a.flight = nil
	a.mu.Unlock()
	close(f.done)
}

func (a *aptlyAccessKey) exchangeKey(ctx context.Context) (string, error) {
	var data struct {
		Token string `json:"token"`
	}
	if err := a.client.call(ctx, exchangeAccessKey, nil, map[string]string{"accessKey": *a.key}, &data, []CallOption{redacting(*a.key)}); err != nil {
		return "", fmt.Errorf("onboard: exchanging the Aptly access key for a token: %w", err)
	}
	if data.Token == "" {
		return "", errors.New("onboard: exchanging the Aptly access key: the answer holds no token")
	}
	return data.Token, nil
}

func (a *aptlyAccessKey) refresh(used http.Header) bool {
	sent, ok := strings.CutPrefix(used.Get("Authorization"), "Bearer ")
	if !ok {
		return false // the refused attempt carried no exchanged token
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != nil && *a.token == sent {
		a.prev, a.token = a.token, nil // refused: the next attempt exchanges the key again
	}
	return true
}

func (a *aptlyAccessKey) heldSecrets() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	held := []string{*a.key}
	for _, tok := range []*string{a.token, a.prev} {
		if tok != nil {
			held = append(held, *tok)
		}
	}
	return held
}

func (a *aptlyAccessKey) String() string   { return "AptlyAccessKey(" + redacted(*a.key) + ")" }
func (a *aptlyAccessKey) GoString() string { return a.String() }

// exchangeAccessKey sends the key in its body; its answer is a credential.
var exchangeAccessKey = endpoint{
	op: "AptlyAccessKey", method: http.MethodPost, path: "/v1/tenants/access-key/exchange",
	envelope: true, noAuth: true, secretAnswer: true,
}
