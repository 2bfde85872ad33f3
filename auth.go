package onboard

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
// String on a value it reaches through an unexported field (a Client's, or
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
