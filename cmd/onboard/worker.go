package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
	onboardriver "github.com/onboardkit/onboard/river"
)

// workerOptions are what "onboard worker" runs with.
type workerOptions struct {
	io          *cmdIO
	env         func() (*environment, error)
	flags       *serviceFlags
	workers     int
	jobTimeout  time.Duration
	rescueAfter time.Duration
}

// newWorkerCmd returns "onboard worker". runF, if not nil, runs in place
// of runWorker, for tests of the flags alone.
func newWorkerCmd(f *factory, runF func(context.Context, *workerOptions) error) *cobra.Command {
	opts := &workerOptions{env: f.environment, flags: &f.flags}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Send the imports enqueued with --queue, until Ctrl-C or SIGTERM",
		Long: `Send the imports that "onboard aptly invite --queue" and "onboard royalti
import --queue" enqueued in the PostgreSQL of ONBOARD_DATABASE_URL, shard by
shard, until Ctrl-C or SIGTERM; then the shards running finish (for at most
--job-timeout) and the command exits 0. Run as many as you like, on as many
machines: one worker holds a shard at a time, and a shard whose worker died
is taken over after --rescue-after, resuming from its journal.

The worker sends with the credentials of its own environment, as the
service commands do (an import stores none): Aptly when ONBOARD_APTLY_URL is
set, Royalti when ONBOARD_ROYALTI_URL is. The database's tables are created
or updated first (safe to repeat). AthenaHQ imports are not supported.

--rate-limit N/period paces every worker on one credential together, in
any process: a pacer in PostgreSQL, keyed by a fingerprint of the
credential, lets one request go every period/(N-1) by the database's clock
(period/N would let a fixed window of the service's hold N+1). Aptly and
Royalti document no limit, so without it the workers do not pace.

` + envHelp,
		Example: `  export ONBOARD_DATABASE_URL=postgres://onboard@db.internal/onboard   # or in --env-file
  onboard worker --workers 4 --rate-limit 100/1m`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case opts.workers < 1:
				return usageErrorf("--workers %d is less than 1", opts.workers)
			case opts.jobTimeout <= 0:
				return usageErrorf("--job-timeout %v is not above zero", opts.jobTimeout)
			case opts.rescueAfter <= opts.jobTimeout:
				return usageErrorf("--rescue-after %v must exceed --job-timeout %v: a shard still running would be taken over", opts.rescueAfter, opts.jobTimeout)
			}
			opts.io = f.io(cmd, outputTable)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runWorker(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.flags.envFile, "env-file", "", "read credentials, URLs and ONBOARD_DATABASE_URL from this `file` of NAME=VALUE lines")
	fl.Var(&f.flags.rateLimit, "rate-limit", "send at most N requests per period with each credential, across all workers, such as 100/1m (default: no limit)")
	fl.IntVar(&opts.workers, "workers", 4, "shards this process sends at once")
	fl.DurationVar(&opts.jobTimeout, "job-timeout", onboardriver.DefaultJobTimeout, "end a shard's attempt after this long; the next attempt resumes from its journal")
	fl.DurationVar(&opts.rescueAfter, "rescue-after", onboardriver.DefaultRescueAfter, "take over a shard running this long, as its worker has died; more than --job-timeout")
	return cmd
}

// runWorker works shards until ctx ends.
func runWorker(ctx context.Context, opts *workerOptions) error {
	env, err := opts.env()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.close()
	cfg := onboardriver.WorkerConfig{
		Workers: opts.workers, JobTimeout: opts.jobTimeout, RescueAfter: opts.rescueAfter,
		Logger: slog.New(slog.NewTextHandler(opts.io.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if err := workerClients(&cfg, env, db, opts.flags); err != nil {
		return err
	}
	opts.io.say("working the imports in %s with %d workers, until Ctrl-C or SIGTERM", envDatabaseURL, opts.workers)
	if err := onboardriver.RunWorkers(ctx, db.pool, cfg); err != nil {
		return db.scrub(err)
	}
	opts.io.say("stopped")
	return nil
}

// workerClients builds the clients of the services whose URL the
// environment sets, each paced by its credential's pacer.
func workerClients(cfg *onboardriver.WorkerConfig, env *environment, db *database, flags *serviceFlags) error {
	if env.get(envAptlyURL) != "" {
		fl := *flags
		fl.limiter = pacer(db, onboardriver.Aptly, env.get(envAptlyToken)+env.get(envAptlyAccessKey), flags.rateLimit)
		c, err := aptlyClient(env, &fl)
		if err != nil {
			return err
		}
		cfg.Aptly = func(context.Context, string) (*onboard.AptlyClient, error) { return c, nil }
	}
	if env.get(envRoyaltiURL) != "" {
		fl := *flags
		fl.limiter = pacer(db, onboardriver.Royalti, env.get(envRoyaltiToken), flags.rateLimit)
		c, err := royaltiClient(env, &fl)
		if err != nil {
			return err
		}
		space := env.get(envRoyaltiSpace)
		cfg.Royalti = func(_ context.Context, tenant string) (*onboard.RoyaltiClient, error) {
			if space != "" && tenant != "" && tenant != space {
				return nil, fmt.Errorf("the import is for Royalti workspace %s; this worker's token is for %s (%s)", tenant, space, envRoyaltiSpace)
			}
			return c, nil
		}
	}
	if cfg.Aptly == nil && cfg.Royalti == nil {
		return usageErrorf("no service to send to: set %s or %s (and its credential) in %s", envAptlyURL, envRoyaltiURL, env.where())
	}
	// A shard of a service this worker has no credential for fails, and
	// says which to set (in the log, and again at each retry).
	if cfg.Aptly == nil {
		cfg.Aptly = func(context.Context, string) (*onboard.AptlyClient, error) {
			return nil, fmt.Errorf("this worker has no Aptly credential: start one with %s set", envAptlyURL)
		}
	}
	if cfg.Royalti == nil {
		cfg.Royalti = func(context.Context, string) (*onboard.RoyaltiClient, error) {
			return nil, fmt.Errorf("this worker has no Royalti credential: start one with %s set", envRoyaltiURL)
		}
	}
	return nil
}

// pacer returns the option that paces a client by its credential's pacer
// in db, nil without --rate-limit. Against n requests a period, one goes
// every period/(n-1): a fixed window can hold one more than period/interval.
func pacer(db *database, service onboardriver.Service, credential string, rl rateLimit) onboard.Option {
	if rl.n == 0 {
		return nil
	}
	interval := rl.per
	if rl.n > 1 {
		interval = rl.per / time.Duration(rl.n-1)
	}
	return onboard.WithRateLimiter(onboardriver.NewPacer(db.pool, service, credential, interval))
}
