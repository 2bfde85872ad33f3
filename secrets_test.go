package onboard_test

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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// Recognisable credentials: none of them may show up in an error, a log line
// or the printed form of a client or an authenticator.
const (
	secretToken    = "tok_SECRET_1234567890"
	secretAPIKey   = "key_SECRET_0987654321"
	secretUser     = "svc-onboard"
	secretPassword = "pw_SECRET_5555"
)

// secretValues are the strings that must never appear: the credentials and
// the Basic header value they make.
var secretValues = []string{
	secretToken, secretAPIKey, secretPassword,
	base64.StdEncoding.EncodeToString([]byte(secretUser + ":" + secretPassword)),
	"SECRET",
}

// secretAuthenticators returns each kind of Authenticator, holding the secrets.
func secretAuthenticators() []struct {
	name string
	auth onboard.Authenticator
} {
	return []struct {
		name string
		auth onboard.Authenticator
	}{
		{"BearerToken", onboard.BearerToken(secretToken)},
		{"APIKey", onboard.APIKey(secretAPIKey)},
		{"BasicAuth", onboard.BasicAuth(secretUser, secretPassword)},
		{"BearerTokenFunc", onboard.BearerTokenFunc(func(context.Context) (string, error) { return secretToken, nil })},
	}
}

// assertNoSecret fails if s holds any secret.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range secretValues {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows a secret (%q): %s", what, secret, s)
		}
	}
}

// formats renders v every way a program might print or log it.
func formats(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	return out
}

func TestSecrets_notPrinted(t *testing.T) {
	t.Parallel()
	for _, a := range secretAuthenticators() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			c := newClients(t, withAuth(site(onboard.AptlyStagingURL), a.auth))

			// A program's own config, holding the authenticator in an
			// exported and in an unexported field, and the clients by
			// value: fmt does not call String through an unexported
			// field, nor on a value whose String has a pointer receiver.
			type config struct {
				Auth    onboard.Authenticator
				secret  onboard.Authenticator
				aptly   onboard.AptlyClient
				athena  onboard.AthenaClient
				royalti onboard.RoyaltiClient
			}
			cfg := config{Auth: a.auth, secret: a.auth, aptly: *c.aptly, athena: *c.athena, royalti: *c.royalti}
			values := map[string]any{
				"authenticator":             a.auth,
				"pointer to authenticator":  &a.auth,
				"Aptly client":              c.aptly,
				"AthenaHQ client":           c.athena,
				"Royalti client":            c.royalti,
				"Aptly client value":        *c.aptly,
				"AthenaHQ client value":     *c.athena,
				"Royalti client value":      *c.royalti,
				"Aptly services":            []any{c.aptly.Users, c.aptly.Invites},
				"AthenaHQ service":          c.athena.Invites,
				"Royalti services":          []any{c.royalti.Users, c.royalti.Invites},
				"config":                    cfg,
				"slice of authenticators":   []onboard.Authenticator{a.auth},
				"map holding the client":    map[string]*onboard.AptlyClient{"aptly": c.aptly},
				"authenticator in an error": fmt.Errorf("with %v", a.auth),
			}
			for name, v := range values {
				for verb, s := range formats(v) {
					assertNoSecret(t, fmt.Sprintf("%s of the %s", verb, name), s)
				}
			}
			for _, cl := range []fmt.Stringer{c.aptly, c.athena, c.royalti} {
				assert.Contains(t, cl.String(), "redacted")
			}

			// Loggers that print the clients and the authenticator.
			var buf bytes.Buffer
			for _, h := range []slog.Handler{
				slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
				slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}),
			} {
				slog.New(h).Debug("configured", "aptly", c.aptly, "athena", c.athena, "royalti", c.royalti, "auth", a.auth, "config", cfg)
			}
			assertNoSecret(t, "a log of the client", buf.String())
		})
	}
}

// logKeys are the only keys a log record of the client may have: the
// allow-list WithLogger documents, plus slog's own.
var logKeys = map[string]bool{
	"time": true, "level": true, "msg": true,
	"method": true, "path": true, "status": true, "attempt": true, "duration": true,
	"error": true, "host": true, "redirect": true,
}

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`)

// notLogged are pieces of the request bodies, query values and response
// bodies the failure paths send and receive; a log line holding one of them
// logged a body or a query.
var notLogged = []string{
	// request bodies and query values (allEndpoints)
	"Jamar", "Johnston", "Rowan", "Kihn", "John", "jsmith", "ce3e724e", "887fd99a", "123e4567",
	"ws-fault", "user-fault", "workspaceId", "userId", "?", "Welcome back", "INACTIVE", "86018193",
	"page=", "limit=",
	// response bodies (faultCells and the cells below)
	"BODY-MARKER", "slow down", "boom", "maintenance", "nginx", "Bad Gateway", "no credential",
	"6a7d8103", "Successful", "User added", "padding", "statusCode",
	"resent", "removed", "deletedCount", "user_id", "processedCount", "Invite cancelled", "User deleted",
}

// checkLog asserts that every line of log is a record with allowed keys
// only, and holds no secret, email, body or query value.
func checkLog(t *testing.T, log string) {
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
			assert.True(t, logKeys[k], "log key %q is not on the allow-list: %s", k, line)
		}
		assertNoSecret(t, "a log line", line)
		assert.False(t, emailRE.MatchString(line), "log line has an email: %s", line)
		for _, s := range notLogged {
			assert.NotContains(t, line, s, "log line shows a body or query")
		}
	}
}

// secretCells are the failure paths beyond the fault matrix's: each
// documented error status, with a body that names a person.
func secretCells() []faultCell {
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

// TestSecrets_onFailure drives every failure path of every endpoint with
// each authenticator and a debug-level JSON logger, and checks the error
// texts and the log.
func TestSecrets_onFailure(t *testing.T) {
	t.Parallel()
	cells := append(faultCells(), secretCells()...)
	for _, a := range secretAuthenticators() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			var log syncBuffer
			logger := slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var errs []error
			for _, ep := range allEndpoints() {
				for _, cell := range cells {
					cell := cell.forEndpoint(ep)
					t.Run(ep.name()+"/"+cell.name, func(t *testing.T) {
						ctx, env := faultSetup(t, ep, cell)
						c := newClients(t, withAuth(env.host, a.auth), append(faultOptions(env, cell), onboard.WithLogger(logger))...)
						_, err := faultCall(t, func() (any, error) { return ep.call(ctx, c) })
						if cell.want != faultWantOK {
							require.Error(t, err)
							errs = append(errs, err)
						}
					})
				}
				t.Run(ep.name()+"/validation", func(t *testing.T) {
					c := newClients(t, withAuth(site("https://onboard.invalid"), a.auth), onboard.WithLogger(logger))
					_, err := ep.callInvalid(t.Context(), c)
					require.ErrorIs(t, err, onboard.ErrInvalidRequest)
					errs = append(errs, err)
				})
				t.Run(ep.name()+"/context canceled before the call", func(t *testing.T) {
					ctx, env := faultSetup(t, ep, faultCell{serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) { env.writeOK(w) }})
					c := newClients(t, withAuth(env.host, a.auth), onboard.WithLogger(logger))
					ctx, cancel := context.WithCancel(ctx)
					cancel()
					_, err := ep.call(ctx, c)
					require.ErrorIs(t, err, context.Canceled)
					errs = append(errs, err)
				})
			}
			require.NotEmpty(t, errs)
			for _, err := range errs {
				for verb, s := range formats(err) {
					assertNoSecret(t, verb+" of "+err.Error(), s)
				}
				for e := err; e != nil; e = errors.Unwrap(e) {
					assertNoSecret(t, "a wrapped error", e.Error())
				}
				// Neither the query values of Invites.Send nor anything
				// else of the query reach an error.
				assert.NotContains(t, err.Error(), "ws-fault")
				assert.NotContains(t, err.Error(), "user-fault")
			}
			// Every request was logged, so the checks below saw something.
			got := log.String()
			require.GreaterOrEqual(t, strings.Count(got, "\n"), len(allEndpoints())*len(cells))
			checkLog(t, got)
		})
	}
}

// TestSecrets_failingAuthenticator covers a credential that cannot be
// had: the call fails without sending, and says so without secrets.
func TestSecrets_failingAuthenticator(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	logger := slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	auth := onboard.BearerTokenFunc(func(context.Context) (string, error) {
		return "", errors.New("token service unavailable")
	})
	ep := endpointNamed(t, "royalti: Invites.Send")
	ctx, env := faultSetup(t, ep, faultCell{serve: func(env *faultEnv, w http.ResponseWriter, _ *http.Request) { env.writeOK(w) }})
	c := newClients(t, withAuth(env.host, auth), onboard.WithLogger(logger), onboard.WithRetryWait(time.Millisecond, faultWaitMax))
	_, err := ep.call(ctx, c)
	mustRequestError(t, err)
	assert.Contains(t, err.Error(), "token service unavailable")
	assert.Zero(t, env.hits(), "nothing is sent without a credential")
	for verb, s := range formats(err) {
		assertNoSecret(t, verb+" of the error", s)
	}
	checkLog(t, log.String())
}
