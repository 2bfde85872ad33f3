package onboard

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// An Authenticator adds a credential to an outgoing request. The client calls
// it once per attempt, and only for requests to the host of its base URL, so
// a credential never follows a redirect to another host. Implementations must
// be safe for concurrent use, and their String methods must not show secrets.
type Authenticator interface {
	// Authenticate sets the credential on req's headers. req is the
	// client's own copy; its context is the caller's.
	Authenticate(req *http.Request) error
}

// BearerToken sends "Authorization: Bearer <token>", as Aptly and Royalti
// expect. The token is never shown by String or in errors.
func BearerToken(token string) Authenticator { return bearerToken{token: &token} }

// The authenticators keep each secret behind a pointer: fmt does not call
// String on a value it reaches through an unexported field (a client's, or
// a caller's own config struct), and prints a pointer there as an address,
// so %v of such a struct shows no secret either.
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

// APIKey sends the key in the "x-api-key" header, as AthenaHQ expects. The key
// is never shown by String or in errors.
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

// BasicAuth sends HTTP Basic credentials (Royalti's invite document lists
// Basic authentication beside Bearer). The password is never shown.
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

// BearerTokenFunc sends a bearer token obtained from fn on every attempt, for
// tokens that rotate or expire. fn receives the request's context and should
// cache its token; an error from fn fails the call without sending it.
func BearerTokenFunc(fn func(ctx context.Context) (string, error)) Authenticator {
	return bearerFunc{fn: fn}
}

type bearerFunc struct {
	fn func(ctx context.Context) (string, error)
}

func (a bearerFunc) Authenticate(req *http.Request) error {
	if a.fn == nil {
		return errors.New("onboard: BearerTokenFunc was given a nil function")
	}
	tok, err := a.fn(req.Context())
	if err != nil {
		return fmt.Errorf("onboard: getting bearer token: %w", err)
	}
	return bearerToken{token: &tok}.Authenticate(req)
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

// binder is an Authenticator that needs the client it serves, such as one
// that obtains tokens through the client's own pipeline. The constructors call
// bind and use what it returns, so each client gets its own copy.
type binder interface {
	bind(c *client) Authenticator
}

// refresher is an Authenticator whose credential can go stale. After a 401,
// the pipeline calls refresh with the headers the refused attempt carried;
// true means a fresh credential is to hand and the request is sent once more.
type refresher interface {
	refresh(used http.Header) bool
}

// AptlyAccessKey authenticates with an Aptly machine access key. The client
// exchanges it for a bearer token (Aptly: POST /v1/tenants/access-key/exchange,
// body {"accessKey": ...}) on first use, sends that token, and exchanges the
// key again when the token expires (from its JWT "exp" claim, when it has
// one) or is refused with 401, in which case the refused request is sent
// once more. The exchange goes through the client's own pipeline, retries
// and rate limiter included. The key and the tokens are never shown by
// String or in errors.
//
// Use it only with NewAptlyClient; each client keeps its own token.
func AptlyAccessKey(accessKey string) Authenticator {
	return &aptlyAccessKey{key: &accessKey}
}

type aptlyAccessKey struct {
	key    *string
	client *client // set by bind

	mu      sync.Mutex // held while exchanging, so only one exchange runs
	token   *string
	expires time.Time // zero when the token carries no expiry
}

func (a *aptlyAccessKey) bind(c *client) Authenticator {
	return &aptlyAccessKey{key: a.key, client: c}
}

func (a *aptlyAccessKey) Authenticate(req *http.Request) error {
	if a.client == nil {
		return errors.New("onboard: AptlyAccessKey works only through a client; pass it to NewAptlyClient")
	}
	if *a.key == "" {
		return errors.New("onboard: Aptly access key is empty; pass the key to AptlyAccessKey")
	}
	tok, err := a.current(req.Context())
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// tokenLeeway is how long before its expiry a token is exchanged anew.
const tokenLeeway = time.Minute

// current returns a token that is not about to expire, exchanging the key
// for one when needed.
func (a *aptlyAccessKey) current(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != nil && (a.expires.IsZero() || time.Until(a.expires) > tokenLeeway) {
		return *a.token, nil
	}
	var data struct {
		Token string `json:"token"`
	}
	if err := a.client.call(ctx, exchangeAccessKey, nil, map[string]string{"accessKey": *a.key}, &data, []CallOption{redacting(*a.key)}); err != nil {
		return "", fmt.Errorf("onboard: exchanging the Aptly access key for a token: %w", err)
	}
	if data.Token == "" {
		return "", errors.New("onboard: exchanging the Aptly access key: the answer holds no token")
	}
	a.token, a.expires = &data.Token, jwtExpiry(data.Token)
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
		a.token = nil // refused: the next attempt exchanges the key again
	}
	return true
}

func (a *aptlyAccessKey) String() string   { return "AptlyAccessKey(" + redacted(*a.key) + ")" }
func (a *aptlyAccessKey) GoString() string { return a.String() }

var exchangeAccessKey = endpoint{op: "AptlyAccessKey", method: http.MethodPost, path: "/v1/tenants/access-key/exchange", envelope: true, noAuth: true}

// jwtExpiry reads the "exp" claim of a JWT without checking its signature
// (the server checks that); it returns the zero time for a token that is not
// a JWT or has no expiry.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(claims.Exp), 0)
}
