package onboardriver

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/onboardkit/onboard"
)

// Outcome is what became of one row of an import (see onboard.Outcome).
type Outcome struct {
	// Index is the row's position in the import, from 0.
	Index int
	Key   string
	// Email is the person's address, as enqueued; Outcomes fills it.
	Email   string
	State   onboard.State
	Message string
	UserID  string
}

// Progress is how far an import has come.
type Progress struct {
	Rows, Shards int
	// Done counts the rows with an outcome, ShardsDone the shards whose job
	// completed, Running the shards a worker is sending now.
	Done, ShardsDone, Running int
}

// stateOf reads a state back from its name.
func stateOf(name string) onboard.State {
	for _, s := range []onboard.State{onboard.StateSucceeded, onboard.StateFailed, onboard.StateNotSent} {
		if s.String() == name {
			return s
		}
	}
	return onboard.StateUnknown
}

// Outcomes yields the outcomes of import id written so far, in row order;
// a shard's appear when its job completes. It stops at the first error.
func (q *Queue) Outcomes(ctx context.Context, id string) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		rows, err := q.pool.Query(ctx, `SELECT o.idx, o.key, coalesce(r.item->>'email', ''), o.state, o.message, o.user_id
			FROM onboard_outcome o LEFT JOIN onboard_row r USING (import_id, shard, idx)
			WHERE o.import_id = $1 ORDER BY o.shard, o.idx`, id)
		if err != nil {
			yield(Outcome{}, fmt.Errorf("onboardriver: Outcomes %s: %w", id, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var o Outcome
			var state string
			if err := rows.Scan(&o.Index, &o.Key, &o.Email, &state, &o.Message, &o.UserID); err != nil {
				yield(Outcome{}, fmt.Errorf("onboardriver: Outcomes %s: %w", id, err))
				return
			}
			o.State = stateOf(state)
			if !yield(o, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Outcome{}, fmt.Errorf("onboardriver: Outcomes %s: %w", id, err))
		}
	}
}

// Counts returns how many outcomes of import id are in each state.
func (q *Queue) Counts(ctx context.Context, id string) (map[onboard.State]int, error) {
	rows, err := q.pool.Query(ctx, `SELECT state, count(*) FROM onboard_outcome WHERE import_id = $1 GROUP BY state`, id)
	if err != nil {
		return nil, fmt.Errorf("onboardriver: Counts %s: %w", id, err)
	}
	counts := map[onboard.State]int{}
	var state string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error { counts[stateOf(state)] += n; return nil })
	if err != nil {
		return nil, fmt.Errorf("onboardriver: Counts %s: %w", id, err)
	}
	return counts, nil
}

// Progress returns how far import id has come; an import not stored is an error.
func (q *Queue) Progress(ctx context.Context, id string) (Progress, error) {
	var p Progress
	err := q.pool.QueryRow(ctx, `SELECT i.rows, i.shards,
		(SELECT count(*) FROM onboard_outcome o WHERE o.import_id = i.id),
		(SELECT count(DISTINCT shard) FROM onboard_outcome o WHERE o.import_id = i.id),
		(SELECT count(*) FROM river_job j WHERE j.kind = 'onboard_shard' AND j.state = 'running' AND j.args->>'import' = i.id)
		FROM onboard_import i WHERE i.id = $1`, id).Scan(&p.Rows, &p.Shards, &p.Done, &p.ShardsDone, &p.Running)
	if err != nil {
		return p, fmt.Errorf("onboardriver: Progress %s: %w", id, err)
	}
	return p, nil
}
