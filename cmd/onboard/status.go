package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
	onboardriver "github.com/onboardkit/onboard/river"
)

// runningError ends "onboard status" for an import still running: exit
// status 3.
type runningError struct{ progress string }

func (e *runningError) Error() string { return "the import is still running: " + e.progress }

// statusOptions are what "onboard status" runs with.
type statusOptions struct {
	io     *cmdIO
	env    func() (*environment, error)
	id     string
	output string
	rows   bool
}

// newStatusCmd returns "onboard status". runF, if not nil, runs in place
// of runStatus, for tests of the flags alone.
func newStatusCmd(f *factory, runF func(context.Context, *statusOptions) error) *cobra.Command {
	opts := &statusOptions{env: f.environment}
	cmd := &cobra.Command{
		Use:   "status IMPORT",
		Short: "Show how far an import enqueued with --queue has come",
		Long: `Show how far an import enqueued with --queue has come: its rows and shards,
in all and done, the shards running now, and the rows' outcomes so far by
state. --rows lists every row that has an outcome instead, in the file's
order (line, email, outcome, reason, id), as the import command's output does.

Exit status: 0 when the import is done and every row succeeded; 1 when it
is done and some rows did not (--rows says which); 3 while it is still
running; 2 for an error (no such import, the database cannot be reached).

The database is ONBOARD_DATABASE_URL, from the environment or --env-file,
never a flag; it is never printed.`,
		Example: `  onboard status aptly-5f0c1e9a2b7d4c3e8f61
  onboard status my-import --rows -o csv > outcomes.csv

  # Wait for an import to finish
  until onboard status my-import > /dev/null; [ $? -ne 3 ]; do sleep 10; done`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("give the import's id: onboard status IMPORT")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.id = args[0]
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runStatus(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&f.flags.envFile, "env-file", "", "read ONBOARD_DATABASE_URL from this `file` of NAME=VALUE lines")
	cmd.Flags().BoolVar(&opts.rows, "rows", false, "list every row's outcome so far, not the counts")
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// statusColumns are the columns of "onboard status".
var statusColumns = []string{"import", "state", "rows", "done", "shards", "shards_done", "running",
	"succeeded", "failed", "unknown", "not_sent"}

// runStatus writes the import's progress and counts, or its rows.
func runStatus(ctx context.Context, opts *statusOptions) error {
	env, err := opts.env()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.close()
	q, err := onboardriver.NewQueue(db.pool)
	if err != nil {
		return db.scrub(err)
	}
	p, err := q.Progress(ctx, opts.id)
	if errors.Is(err, pgx.ErrNoRows) {
		return usageErrorf("no import %q in the database of %s: give the id that --queue printed", opts.id, envDatabaseURL)
	}
	if err != nil {
		return db.scrub(err)
	}
	counts, err := q.Counts(ctx, opts.id)
	if err != nil {
		return db.scrub(err)
	}
	if opts.rows {
		err = writeStatusRows(ctx, opts, q)
	} else {
		err = writeStatus(opts, p, counts)
	}
	if err != nil {
		return db.scrub(err)
	}
	return statusVerdict(p, counts)
}

// writeStatus writes the one record of the import's progress and counts.
func writeStatus(opts *statusOptions, p onboardriver.Progress, counts map[onboard.State]int) error {
	w := newRecordWriter(opts.io.stdout, opts.io.format, statusColumns)
	state := "running"
	if importDone(p) {
		state = "done"
	}
	err := w.write(opts.id, state, p.Rows, p.Done, p.Shards, p.ShardsDone, p.Running,
		counts[onboard.StateSucceeded], counts[onboard.StateFailed], counts[onboard.StateUnknown], counts[onboard.StateNotSent])
	if cerr := w.close(); err == nil {
		err = cerr
	}
	return err
}

// writeStatusRows writes every outcome of the import so far.
func writeStatusRows(ctx context.Context, opts *statusOptions, q *onboardriver.Queue) error {
	w := newRecordWriter(opts.io.stdout, opts.io.format, []string{"line", "email", "outcome", "reason", "id"})
	var err error
	for o, oerr := range q.Outcomes(ctx, opts.id) {
		if err = oerr; err == nil {
			err = w.write(o.Key, o.Email, o.State.String(), o.Message, o.UserID)
		}
		if err != nil {
			break
		}
	}
	if cerr := w.close(); err == nil {
		err = cerr
	}
	return err
}

func importDone(p onboardriver.Progress) bool { return p.ShardsDone == p.Shards && p.Done == p.Rows }

// statusVerdict is the error that gives status its exit status.
func statusVerdict(p onboardriver.Progress, counts map[onboard.State]int) error {
	progress := fmt.Sprintf("%d of %s done, %d of %s", p.Done, plural(p.Rows, "row"), p.ShardsDone, plural(p.Shards, "shard"))
	if !importDone(p) {
		return &runningError{progress}
	}
	if bad := p.Rows - counts[onboard.StateSucceeded]; bad > 0 {
		return &incompleteError{fmt.Sprintf("%s; %d did not succeed", progress, bad)}
	}
	return nil
}
