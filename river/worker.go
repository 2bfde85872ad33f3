package onboardriver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/onboardkit/onboard"
)

// Defaults of WorkerConfig.
const (
	DefaultJobTimeout  = time.Minute
	DefaultRescueAfter = 2 * time.Minute
)

// WorkerConfig says how a process works shard jobs. The functions build the
// SDK client a shard is sent with, from the worker's own credentials (an
// import stores none); give the client WithRateLimiter(NewPacer(...)) so
// that every worker on a credential shares its quota.
type WorkerConfig struct {
	Aptly   func(ctx context.Context, tenant string) (*onboard.AptlyClient, error)
	Royalti func(ctx context.Context, tenant string) (*onboard.RoyaltiClient, error)
	// Workers is how many shards this process runs at once (4 if 0).
	Workers int
	// JobTimeout ends a shard's attempt (DefaultJobTimeout if 0); the next
	// attempt resumes from its journal.
	JobTimeout time.Duration
	// RescueAfter is how long a shard may stay running before another
	// worker takes it over (DefaultRescueAfter if 0); it must exceed
	// JobTimeout. River checks every 30 s, so a killed worker's shard
	// resumes within RescueAfter and 30 s more.
	RescueAfter time.Duration
	// Bulk options are added to every shard's run (WithBatchSize, ...).
	Bulk   []onboard.BulkOption
	Logger *slog.Logger
}

// RunWorkers works shard jobs until ctx ends, then lets running shards
// finish (for at most JobTimeout) and returns.
func RunWorkers(ctx context.Context, pool *pgxpool.Pool, cfg WorkerConfig) error {
	workers := river.NewWorkers()
	river.AddWorker(workers, &shardWorker{pool: pool, cfg: cfg})
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmpOr(cfg.Workers, 4)}},
		Workers:              workers,
		JobTimeout:           cmpOr(cfg.JobTimeout, DefaultJobTimeout),
		RescueStuckJobsAfter: cmpOr(cfg.RescueAfter, DefaultRescueAfter),
		Logger:               cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("onboardriver: RunWorkers: %w", err)
	}
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("onboardriver: RunWorkers: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmpOr(cfg.JobTimeout, DefaultJobTimeout))
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		return fmt.Errorf("onboardriver: RunWorkers: stopping: %w", err)
	}
	return nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// shardWorker runs one shard job.
type shardWorker struct {
	river.WorkerDefaults[shardArgs]
	pool *pgxpool.Pool
	cfg  WorkerConfig
}

// testSyncHook, when set (by tests), is called before each journal Sync commits.
var testSyncHook func()

// Work runs the shard under its advisory lock, resuming from its journal,
// and writes its outcomes in the transaction that completes the job.
func (w *shardWorker) Work(ctx context.Context, job *river.Job[shardArgs]) error {
	id, shard := job.Args.Import, job.Args.Shard
	// The lock lives on a connection of its own, outside the pool the run
	// uses, and ends with it: a killed worker's session ends, and its lock.
	conn, err := pgx.ConnectConfig(ctx, w.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("import %s shard %d: %w", id, shard, err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1), $2)`, id, shard).Scan(&locked); err != nil {
		return fmt.Errorf("import %s shard %d: locking: %w", id, shard, err)
	}
	if !locked {
		return river.JobSnooze(cmpOr(w.cfg.JobTimeout, DefaultJobTimeout) / 4) // another worker runs it
	}
	store := &journalStore{ctx: ctx, pool: w.pool, id: id, shard: shard, onSync: testSyncHook}
	outs, err := w.run(ctx, id, shard, store)
	if err != nil {
		err = fmt.Errorf("import %s shard %d: %w", id, shard, err)
		if w.cfg.Logger != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("onboardriver: a shard failed; River tries it again later", "err", err)
		}
		return err
	}
	return w.complete(ctx, job, outs)
}

// run sends the shard's rows, and returns one outcome per row.
func (w *shardWorker) run(ctx context.Context, id string, shard int, store *journalStore) ([]Outcome, error) {
	var service Service
	var tenant string
	err := w.pool.QueryRow(ctx, `SELECT service, tenant FROM onboard_import WHERE id = $1`, id).Scan(&service, &tenant)
	if err != nil {
		return nil, fmt.Errorf("reading the import: %w", err)
	}
	j, err := onboard.NewJournal(store)
	if err != nil {
		return nil, err
	}
	// A resumed shard reads the service back for the items a killed worker
	// had in flight: those found are settled, the rest are sent again.
	opts := append(slices.Clone(w.cfg.Bulk), onboard.WithJournal(j),
		onboard.WithReconcile(0), onboard.WithResendInFlight())
	var outs []Outcome
	switch service {
	case Aptly:
		outs, err = runShard(ctx, w.pool, id, shard, w.cfg.Aptly, tenant, opts,
			func(c *onboard.AptlyClient, people iter.Seq[onboard.AptlyInvitee], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.AptlyInvitee]] {
				return c.Invites.SendBulkSeq(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenant}, people, opts...)
			})
	case Royalti:
		outs, err = runShard(ctx, w.pool, id, shard, w.cfg.Royalti, tenant, opts,
			func(c *onboard.RoyaltiClient, people iter.Seq[onboard.RoyaltiWorkspaceUser], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.RoyaltiWorkspaceUser]] {
				return c.Users.CreateBulkSeq(ctx, &onboard.RoyaltiCreateUsersRequest{}, people, opts...)
			})
	default:
		err = fmt.Errorf("service %q is not one this worker sends to", service)
	}
	// A run whose journal failed, or was cut, has outcomes that are not
	// final (items it stopped before); the next attempt resumes.
	err = errors.Join(err, j.Close(), store.failure())
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return outs, err
}

// runShard reads a shard's rows, builds the client and runs send.
func runShard[T Person, C any](ctx context.Context, pool *pgxpool.Pool, id string, shard int,
	client func(context.Context, string) (C, error), tenant string, opts []onboard.BulkOption,
	send func(C, iter.Seq[T], []onboard.BulkOption) iter.Seq[onboard.Outcome[T]],
) ([]Outcome, error) {
	if client == nil {
		return nil, fmt.Errorf("the worker has no client for %s; set its function in WorkerConfig", serviceOf[T]())
	}
	c, err := client(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("building the %s client for tenant %s: %w", serviceOf[T](), tenant, err)
	}
	rows, err := pool.Query(ctx, `SELECT idx, key, item FROM onboard_row WHERE import_id = $1 AND shard = $2 ORDER BY idx`, id, shard)
	if err != nil {
		return nil, fmt.Errorf("reading the rows: %w", err)
	}
	var idxs []int
	var keys []string
	var people []T
	var idx int
	var key string
	var item []byte
	_, err = pgx.ForEachRow(rows, []any{&idx, &key, &item}, func() error {
		var p T
		idxs, keys = append(idxs, idx), append(keys, key)
		people = append(people, p)
		return json.Unmarshal(item, &people[len(people)-1])
	})
	if err != nil {
		return nil, fmt.Errorf("reading the rows: %w", err)
	}
	opts = append(opts, onboard.WithKeys(func(i int, _ T) string { return keys[i] }))
	outs := make([]Outcome, 0, len(people))
	for o := range send(c, slices.Values(people), opts) {
		outs = append(outs, Outcome{Index: idxs[o.Index], Key: o.Key, State: o.State, Message: o.Message, UserID: o.UserID})
	}
	return outs, nil
}

// complete writes the shard's outcomes and completes its job, in one transaction.
func (w *shardWorker) complete(ctx context.Context, job *river.Job[shardArgs], outs []Outcome) error {
	id, shard := job.Args.Import, job.Args.Shard
	idx := make([]int, len(outs))
	keys := make([]string, len(outs))
	states := make([]string, len(outs))
	msgs := make([]string, len(outs))
	users := make([]string, len(outs))
	for i, o := range outs {
		idx[i], keys[i], states[i], msgs[i], users[i] = o.Index, o.Key, o.State.String(), o.Message, o.UserID
	}
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO onboard_outcome (import_id, shard, idx, key, state, message, user_id)
			SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
			ON CONFLICT DO NOTHING`, id, shard, idx, keys, states, msgs, users)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM onboard_journal WHERE import_id = $1 AND shard = $2`, id, shard); err != nil {
			return err
		}
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	if err != nil {
		return fmt.Errorf("import %s shard %d: writing the outcomes: %w", id, shard, err)
	}
	return nil
}
