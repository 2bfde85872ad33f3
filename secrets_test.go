package onboard

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Recognisable credentials: none of them may show up in an error, a log line
// or the printed form of a client or an authenticator.
const (
	hardToken    = "tok_SECRET_1234567890"
	hardAPIKey   = "key_SECRET_0987654321"
	hardUser     = "svc-onboard"
	hardPassword = "pw_SECRET_5555"
)

// hardSecrets are the strings that must never appear: the credentials and
// the Basic header value they make.
var hardSecrets = []string{
	hardToken, hardAPIKey, hardPassword,
	base64.StdEncoding.EncodeToString([]byte(hardUser + ":" + hardPassword)),
	"SECRET",
}

// hardAuthenticators returns each kind of Authenticator, holding the secrets.
func hardAuthenticators() []struct {
	name string
	auth Authenticator
} {
	return []struct {
		name string
		auth Authenticator
	}{
		{"BearerToken", BearerToken(hardToken)},
		{"APIKey", APIKey(hardAPIKey)},
		{"BasicAuth", BasicAuth(hardUser, hardPassword)},
		{"BearerTokenFunc", BearerTokenFunc(func(context.Context) (string, error) { return hardToken, nil })},
	}
}

// hardAssertNoSecret fails if s holds any secret.
func hardAssertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range hardSecrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows a secret (%q): %s", what, secret, s)
		}
	}
}

// hardFormats renders v every way a program might print or log it.
func hardFormats(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	return out
}

func TestHardSecretsNotPrinted(t *testing.T) {
	t.Parallel()
	for _, a := range hardAuthenticators() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(AptlyStagingURL, a.auth)
			require.NoError(t, err)

			// A program's own config, holding the authenticator in an
			// exported and in an unexported field: fmt does not call
			// String through an unexported field.
			type config struct {
				Auth   Authenticator
				secret Authenticator
				client Client
			}
			values := map[string]any{
				"authenticator":             a.auth,
				"pointer to authenticator":  &a.auth,
				"client":                    c,
				"client value":              *c,
				"config":                    config{Auth: a.auth, secret: a.auth, client: *c},
				"slice of authenticators":   []Authenticator{a.auth},
				"map holding the client":    map[string]*Client{"aptly": c},
				"authenticator in an error": fmt.Errorf("with %v", a.auth),
			}
			for name, v := range values {
				for verb, s := range hardFormats(v) {
					hardAssertNoSecret(t, fmt.Sprintf("%s of the %s", verb, name), s)
				}
			}
			assert.Contains(t, c.String(), "redacted")

			// Loggers that print the client and the authenticator.
			var buf bytes.Buffer
			for _, h := range []slog.Handler{
				slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
				slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
			} {
				slog.New(h).Debug("configured", "client", c, "auth", a.auth, "config", config{Auth: a.auth, secret: a.auth})
			}
			hardAssertNoSecret(t, "a log of the client", buf.String())
		})
	}
}

// hardSyncBuffer is a bytes.Buffer safe for concurrent writers.
type hardSyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *hardSyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *hardSyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// hardLogKeys are the only keys a log record of the client may have: the
// allow-list WithLogger documents, plus slog's own.
var hardLogKeys = map[string]bool{
	"time": true, "level": true, "msg": true,
	"method": true, "path": true, "status": true, "attempt": true, "duration": true,
	"error": true, "host": true, "redirect": true,
}

var hardEmailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`)

// hardNotLogged are pieces of the request bodies, query values and response
// bodies the failure paths send and receive; a log line holding one of them
// logged a body or a query.
var hardNotLogged = []string{
	// request bodies and query values (hardEndpoints)
	"Jamar", "Johnston", "Rowan", "Kihn", "John", "jsmith", "ce3e724e", "887fd99a", "123e4567",
	"ws-fault", "user-fault", "workspaceId", "userId", "?",
	// response bodies (faultCells and the cells below)
	"BODY-MARKER", "slow down", "boom", "maintenance", "nginx", "Bad Gateway", "no credential",
	"6a7d8103", "Successful", "User added", "padding", "statusCode",
}

// hardCheckLog asserts that every line of log is a record with allowed keys
// only, and holds no secret, email, body or query value.
func hardCheckLog(t *testing.T, log string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if !assert.NoError(t, json.Unmarshal([]byte(line), &rec), line) {
			continue
		}
		for k := range rec {
			assert.True(t, hardLogKeys[k], "log key %q is not on the allow-list: %s", k, line)
		}
		hardAssertNoSecret(t, "a log line", line)
		assert.False(t, hardEmailRE.MatchString(line), "log line has an email: %s", line)
		for _, s := range hardNotLogged {
			assert.NotContains(t, line, s, "log line shows a body or query")
		}
	}
}

// hardSecretCells are the failure paths beyond the fault matrix's: each
// documented error status, with a body that names a person.
func hardSecretCells() []faultCell {
	var cells []faultCell
	for _, status := range []int{400, 401, 403, 404, 409, 422, 429, 500} {
		cells = append(cells, faultCell{
			name: fmt.Sprint(status),
			serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) {
				if status == http.StatusTooManyRequests {
					w.Header().Set("Retry-After", "0")
				}
				env.writeError(w, status, "User ada.lovelace@example.com BODY-MARKER refused")
			},
		})
	}
	return cells
}

// TestHardSecretsOnFailure drives every failure path with each authenticator
// and a debug-level JSON logger, and checks the error texts and the log.
func TestHardSecretsOnFailure(t *testing.T) {
	t.Parallel()
	cells := append(faultCells(), hardSecretCells()...)
	for _, a := range hardAuthenticators() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			var log hardSyncBuffer
			logger := slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var errs []error
			for _, ep := range hardEndpoints() {
				for _, cell := range cells {
					t.Run(ep.name+"/"+cell.name, func(t *testing.T) {
						ctx, _, base, hc := faultSetup(t, ep, cell)
						c, err := NewClient(base+ep.prefix, a.auth, append(faultOptions(hc, cell), WithLogger(logger))...)
						require.NoError(t, err)
						_, err = faultCall(t, func() (any, error) { return ep.call(ctx, c) })
						if cell.want != faultWantOK {
							require.Error(t, err)
							errs = append(errs, err)
						}
					})
				}
				t.Run(ep.name+"/validation", func(t *testing.T) {
					c, err := NewClient(AptlyStagingURL, a.auth, WithLogger(logger))
					require.NoError(t, err)
					_, err = ep.callInvalid(t.Context(), c)
					require.ErrorIs(t, err, ErrInvalidRequest)
					errs = append(errs, err)
				})
				t.Run(ep.name+"/context canceled before the call", func(t *testing.T) {
					ctx, _, base, hc := faultSetup(t, ep, faultCell{serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) { env.writeOK(w) }})
					c, err := NewClient(base+ep.prefix, a.auth, WithHTTPClient(hc), WithLogger(logger))
					require.NoError(t, err)
					ctx, cancel := context.WithCancel(ctx)
					cancel()
					_, err = ep.call(ctx, c)
					require.ErrorIs(t, err, context.Canceled)
					errs = append(errs, err)
				})
			}
			require.NotEmpty(t, errs)
			for _, err := range errs {
				for verb, s := range hardFormats(err) {
					hardAssertNoSecret(t, verb+" of "+err.Error(), s)
				}
				for e := err; e != nil; e = errors.Unwrap(e) {
					hardAssertNoSecret(t, "a wrapped error", e.Error())
				}
				// Neither the query values of Invites.Send nor anything
				// else of the query reach an error.
				assert.NotContains(t, err.Error(), "ws-fault")
				assert.NotContains(t, err.Error(), "user-fault")
			}
			// Every request was logged, so the checks below saw something.
			got := log.String()
			require.GreaterOrEqual(t, strings.Count(got, "\n"), len(hardEndpoints())*len(cells))
			hardCheckLog(t, got)
		})
	}
}

// TestHardSecretsFailingAuthenticator covers a credential that cannot be
// had: the call fails without sending, and says so without secrets.
func TestHardSecretsFailingAuthenticator(t *testing.T) {
	t.Parallel()
	var log hardSyncBuffer
	logger := slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	auth := BearerTokenFunc(func(context.Context) (string, error) {
		return "", errors.New("token service unavailable")
	})
	ep := hardEndpointNamed(t, "Invites.Send")
	ctx, env, base, hc := faultSetup(t, ep, faultCell{serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) { env.writeOK(w) }})
	c, err := NewClient(base+ep.prefix, auth, WithHTTPClient(hc), WithLogger(logger), WithRetryWait(time.Millisecond, faultWaitMax))
	require.NoError(t, err)
	_, err = ep.call(ctx, c)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Contains(t, err.Error(), "token service unavailable")
	assert.Zero(t, env.hits.Load(), "nothing is sent without a credential")
	for verb, s := range hardFormats(err) {
		hardAssertNoSecret(t, verb+" of the error", s)
	}
	hardCheckLog(t, log.String())
}
