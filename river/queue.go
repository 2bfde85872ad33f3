package onboardriver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/onboardkit/onboard"
)

// A Service is a service an import sends to.
type Service string

// The services an import can send to: Aptly's bulk invite
// (AptlyInvites.SendBulkSeq) and Royalti's bulk create
// (RoyaltiUsers.CreateBulkSeq).
const (
	Aptly   Service = "aptly"
	Royalti Service = "royalti"
)

// DefaultShardSize is how many rows a shard job holds unless Import.ShardSize says.
const DefaultShardSize = 1000

// Person is an item an import can hold: an Aptly invitee or a Royalti user.
type Person interface {
	onboard.AptlyInvitee | onboard.RoyaltiWorkspaceUser
}

// An Import is a list of people to send to one service and tenant, each
// with the caller's key (a CSV row, a database id).
type Import[T Person] struct {
	// ID names the import; enqueueing an ID again does nothing.
	ID string
	// Tenant is Aptly's tenant id, or the Royalti workspace the worker's
	// credential belongs to; WorkerConfig's functions are given it.
	Tenant string
	// Rows yields each person with its key. A person yielded twice is sent
	// once only when both fall in one shard: leave repeats out (the onboard
	// command reports them and enqueues the first).
	Rows iter.Seq2[string, T]
	// ShardSize is how many rows one job sends (DefaultShardSize if 0);
	// keep a shard short enough to finish within WorkerConfig.JobTimeout
	// at the pace its credential allows.
	ShardSize int
}

// A Queue enqueues imports and reads their outcomes back; it works no jobs
// (see RunWorkers).
type Queue struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
}

// NewQueue returns a Queue on pool's database, which Migrate has prepared.
func NewQueue(pool *pgxpool.Pool) (*Queue, error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("onboardriver: NewQueue: %w", err)
	}
	return &Queue{pool: pool, client: c}, nil
}

// shardArgs is a shard job: the rows of one import's shard.
type shardArgs struct {
	Import string `json:"import" river:"unique"`
	Shard  int    `json:"shard" river:"unique"`
}

func (shardArgs) Kind() string { return "onboard_shard" }

func (shardArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// serviceOf names the service of T.
func serviceOf[T Person]() Service {
	var zero T
	if _, ok := any(zero).(onboard.AptlyInvitee); ok {
		return Aptly
	}
	return Royalti
}

// Enqueue stores imp and its shard jobs in one transaction, for workers to
// run. It reports whether the import is new: enqueueing an ID already
// stored does nothing, whatever the rows.
func Enqueue[T Person](ctx context.Context, q *Queue, imp Import[T]) (bool, error) {
	if imp.ID == "" || imp.Rows == nil {
		return false, errors.New("onboardriver: Enqueue: the import needs an ID and Rows")
	}
	size := imp.ShardSize
	if size <= 0 {
		size = DefaultShardSize
	}
	tx, err := q.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("onboardriver: Enqueue %s: %w", imp.ID, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	tag, err := tx.Exec(ctx, `INSERT INTO onboard_import (id, service, tenant, rows, shards) VALUES ($1, $2, $3, 0, 0) ON CONFLICT DO NOTHING`,
		imp.ID, serviceOf[T](), imp.Tenant)
	if err != nil || tag.RowsAffected() == 0 {
		return false, wrapEnqueue(imp.ID, err)
	}
	rows := &rowSource[T]{rows: imp.Rows, size: size}
	defer rows.close()
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"onboard_row"}, []string{"import_id", "shard", "idx", "key", "item"}, rows.copy(imp.ID))
	if err != nil {
		return false, wrapEnqueue(imp.ID, errors.Join(err, rows.err))
	}
	shards := (int(n) + size - 1) / size
	if _, err := tx.Exec(ctx, `UPDATE onboard_import SET rows = $2, shards = $3 WHERE id = $1`, imp.ID, n, shards); err != nil {
		return false, wrapEnqueue(imp.ID, err)
	}
	jobs := make([]river.InsertManyParams, shards)
	for s := range jobs {
		jobs[s] = river.InsertManyParams{Args: shardArgs{Import: imp.ID, Shard: s}}
	}
	if len(jobs) > 0 {
		if _, err := q.client.InsertManyTx(ctx, tx, jobs); err != nil {
			return false, wrapEnqueue(imp.ID, err)
		}
	}
	return true, wrapEnqueue(imp.ID, tx.Commit(ctx))
}

func wrapEnqueue(id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("onboardriver: Enqueue %s: %w", id, err)
}

// rowSource feeds an import's rows to COPY, numbering them into shards.
type rowSource[T Person] struct {
	rows iter.Seq2[string, T]
	size int
	err  error
	stop func()
}

func (r *rowSource[T]) close() {
	if r.stop != nil {
		r.stop()
	}
}

func (r *rowSource[T]) copy(id string) pgx.CopyFromSource {
	next, stop := iter.Pull2(r.rows)
	r.stop = stop
	i := 0
	var row []any
	return &copyFunc{
		next: func() bool {
			key, item, ok := next()
			if !ok {
				return false
			}
			b, err := json.Marshal(item)
			if err != nil {
				r.err = fmt.Errorf("row %d (key %q): %w", i, key, err)
				return false
			}
			row = []any{id, i / r.size, i, key, b}
			i++
			return true
		},
		values: func() ([]any, error) { return row, nil },
		err:    func() error { return r.err },
	}
}

// copyFunc is a pgx.CopyFromSource made of functions.
type copyFunc struct {
	next   func() bool
	values func() ([]any, error)
	err    func() error
}

func (c *copyFunc) Next() bool             { return c.next() }
func (c *copyFunc) Values() ([]any, error) { return c.values() }
func (c *copyFunc) Err() error             { return c.err() }
