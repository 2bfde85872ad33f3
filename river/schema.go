package onboardriver

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// schema holds the tables of this package, beside River's own.
const schema = `
CREATE TABLE IF NOT EXISTS onboard_import (
	id         text PRIMARY KEY,
	service    text NOT NULL,
	tenant     text NOT NULL,
	rows       integer NOT NULL,
	shards     integer NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS onboard_row (
	import_id text NOT NULL REFERENCES onboard_import ON DELETE CASCADE,
	shard     integer NOT NULL,
	idx       integer NOT NULL,
	key       text NOT NULL,
	item      jsonb NOT NULL,
	PRIMARY KEY (import_id, shard, idx)
);
CREATE TABLE IF NOT EXISTS onboard_journal (
	import_id text NOT NULL,
	shard     integer NOT NULL,
	seq       bigint GENERATED ALWAYS AS IDENTITY,
	record    bytea NOT NULL,
	PRIMARY KEY (import_id, shard, seq)
);
CREATE TABLE IF NOT EXISTS onboard_outcome (
	import_id text NOT NULL REFERENCES onboard_import ON DELETE CASCADE,
	shard     integer NOT NULL,
	idx       integer NOT NULL,
	key       text NOT NULL,
	state     text NOT NULL,
	message   text NOT NULL DEFAULT '',
	user_id   text NOT NULL DEFAULT '',
	PRIMARY KEY (import_id, shard, idx)
);
CREATE TABLE IF NOT EXISTS onboard_pacer (
	service     text NOT NULL,
	fingerprint text NOT NULL,
	next_at     timestamptz NOT NULL,
	PRIMARY KEY (service, fingerprint)
);`

// Migrate creates or updates River's tables and this package's in the
// database of pool; run it once before enqueueing or working, and after
// each upgrade. It is safe to run again.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("onboardriver: Migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("onboardriver: Migrate: River's tables: %w", err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// One migrator at a time: CREATE TABLE IF NOT EXISTS races itself.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('onboard_migrate'))`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
	if err != nil {
		return fmt.Errorf("onboardriver: Migrate: the import tables: %w", err)
	}
	return nil
}
