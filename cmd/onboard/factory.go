package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/internal/validate"
)

// factory makes what the commands take from outside their own flags, each
// in this one place: where a command writes, the environment (read once,
// an --env-file over the process's), and the clients of the three
// services built from it. newRootCmd makes one for the command line; the
// service commands (aptly, athena, royalti, sync) bind its flags, and a
// command's options hold the factory's functions, which its run calls
// when it needs them: a --dry-run builds no client.
type factory struct {
	app *app
	// flags are --env-file and --rate-limit, which every service command
	// has; one command runs per command line, so they share these.
	flags serviceFlags
	// environment returns the environment, reading --env-file the first
	// time it is called.
	environment func() (*environment, error)
}

func newFactory(a *app) *factory {
	f := &factory{app: a}
	f.environment = sync.OnceValues(func() (*environment, error) {
		return loadEnvironment(f.flags.envFile, a.getenv)
	})
	return f
}

// io returns where cmd writes: records on stdout in format (-o), messages
// and progress on stderr.
func (f *factory) io(cmd *cobra.Command, format string) *cmdIO {
	return &cmdIO{stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr(), tty: f.app.tty, ttyOut: f.app.ttyOut, format: format}
}

// aptly builds the Aptly client from the environment.
func (f *factory) aptly() (*onboard.AptlyClient, error) {
	env, err := f.environment()
	if err != nil {
		return nil, err
	}
	return aptlyClient(env, &f.flags)
}

// athena builds the AthenaHQ client from the environment.
func (f *factory) athena() (*onboard.AthenaClient, error) {
	env, err := f.environment()
	if err != nil {
		return nil, err
	}
	return athenaClient(env, &f.flags)
}

// royalti builds the Royalti client from the environment.
func (f *factory) royalti() (*onboard.RoyaltiClient, error) {
	env, err := f.environment()
	if err != nil {
		return nil, err
	}
	return royaltiClient(env, &f.flags)
}

// serviceFlags are the flags every service command shares: where the
// credentials come from, and how fast requests may go.
type serviceFlags struct {
	envFile   string
	rateLimit rateLimit
	// limiter, when set, paces the clients in place of --rate-limit's
	// own limiter: the worker's pacer in PostgreSQL.
	limiter onboard.Option
}

// clientOptions returns the options every client of the command is built
// with.
func (f *serviceFlags) clientOptions() []onboard.Option {
	opts := []onboard.Option{onboard.WithUserAgent("onboard-cli/" + toolVersion() + " onboard-go/" + onboard.Version)}
	if f.limiter != nil {
		opts = append(opts, f.limiter)
	} else if f.rateLimit.n > 0 {
		every := f.rateLimit.per / time.Duration(f.rateLimit.n)
		opts = append(opts, onboard.WithRateLimiter(rate.NewLimiter(rate.Every(every), 1)))
	}
	return opts
}

// aptlyClient builds the Aptly client from the environment: its URL, and a
// token or an access key (not both).
func aptlyClient(env *environment, f *serviceFlags) (*onboard.AptlyClient, error) {
	url, err := env.require(envAptlyURL, "Aptly's base URL (such as "+onboard.AptlyUSURL+")")
	if err != nil {
		return nil, err
	}
	token, key := env.get(envAptlyToken), env.get(envAptlyAccessKey)
	var auth onboard.Authenticator
	switch {
	case token != "" && key != "":
		return nil, usageErrorf("both %s and %s are set in %s; set one", envAptlyToken, envAptlyAccessKey, env.where())
	case token != "":
		auth = onboard.BearerToken(token)
	case key != "":
		auth = onboard.AptlyAccessKey(key)
	default:
		return nil, usageErrorf("no Aptly credential: set %s or %s in %s", envAptlyToken, envAptlyAccessKey, env.where())
	}
	c, err := onboard.NewAptlyClient(url, auth, f.clientOptions()...)
	if err != nil {
		return nil, &usageError{fmt.Errorf("%s: %w", envAptlyURL, err)}
	}
	return c, nil
}

// athenaClient builds the AthenaHQ client from the environment. Without
// --rate-limit it paces itself as the SDK does, to AthenaHQ's documented
// 60 requests a minute.
func athenaClient(env *environment, f *serviceFlags) (*onboard.AthenaClient, error) {
	url, err := env.require(envAthenaURL, "AthenaHQ's base URL ("+onboard.AthenaHQURL+")")
	if err != nil {
		return nil, err
	}
	key, err := env.require(envAthenaKey, "an AthenaHQ API key")
	if err != nil {
		return nil, err
	}
	c, err := onboard.NewAthenaClient(url, onboard.APIKey(key), f.clientOptions()...)
	if err != nil {
		return nil, &usageError{fmt.Errorf("%s: %w", envAthenaURL, err)}
	}
	return c, nil
}

// royaltiClient builds the Royalti client from the environment. The
// workspace is the one the token is scoped to.
func royaltiClient(env *environment, f *serviceFlags) (*onboard.RoyaltiClient, error) {
	url, err := env.require(envRoyaltiURL, "Royalti's base URL ("+onboard.RoyaltiURL+")")
	if err != nil {
		return nil, err
	}
	token, err := env.require(envRoyaltiToken, "a Royalti token or API key")
	if err != nil {
		return nil, err
	}
	c, err := onboard.NewRoyaltiClient(url, onboard.BearerToken(token), f.clientOptions()...)
	if err != nil {
		return nil, &usageError{fmt.Errorf("%s: %w", envRoyaltiURL, err)}
	}
	return c, nil
}

// aptlyTenant returns the tenant of --tenant or ONBOARD_APTLY_TENANT_ID,
// which must be a UUID as the SDK checks one.
func aptlyTenant(flag string, env *environment) (string, error) {
	t := strings.TrimSpace(flag)
	if t == "" {
		t = env.get(envAptlyTenant)
	}
	switch {
	case t == "":
		return "", usageErrorf("no Aptly tenant: give --tenant ID or set %s in %s", envAptlyTenant, env.where())
	case !validate.IsUUID(t):
		return "", usageErrorf("the Aptly tenant %q is not a UUID", t)
	}
	return t, nil
}
