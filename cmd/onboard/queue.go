package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	onboardriver "github.com/onboardkit/onboard/river"
)

// queueFlags are --queue and --import-id, which the import commands the
// river module runs (aptly invite, royalti import) have.
type queueFlags struct {
	queue    bool
	importID string
}

func addQueueFlags(cmd *cobra.Command, f *queueFlags) {
	fl := cmd.Flags()
	fl.BoolVar(&f.queue, "queue", false, "enqueue the valid rows as an import in the PostgreSQL of $"+envDatabaseURL+
		" for \"onboard worker\" to send, instead of sending them; invalid rows are reported and not enqueued")
	fl.StringVar(&f.importID, "import-id", "", "with --queue, the import's `id` (default: derived from the service, tenant and file, "+
		"so that enqueueing the same file again does nothing)")
}

// check refuses --queue beside the flags of a run that sends here.
func (f *queueFlags) check(imp *importFlags) error {
	switch {
	case !f.queue && f.importID != "":
		return usageErrorf("--import-id names the import --queue enqueues; give --queue too")
	case f.queue && imp.dryRun:
		return usageErrorf("--queue enqueues the rows; --dry-run checks them and does nothing else: give one")
	case f.queue && imp.bulk.journal != "":
		return usageErrorf("--queue: the workers keep the import's journal in PostgreSQL; leave --journal out")
	}
	return nil
}

// queueHelp is the part of an import command's help about --queue.
const queueHelp = `--queue enqueues the rows as an import in the PostgreSQL named by
ONBOARD_DATABASE_URL (environment or --env-file, never a flag) instead of
sending them; "onboard worker" processes send it and "onboard status ID"
shows how far it has come. Each row is checked as --dry-run checks it: an
invalid row is reported as today and not enqueued (exit status 1). The
import id is --import-id, or else derived from the service, the tenant and
the file's bytes, so that running the same command again enqueues nothing;
it is printed on stderr. Each row's key is its line number, as in a journal.
A person listed twice is enqueued once: the repeat is reported ("not
enqueued: email repeats line 4") and shares that row's outcome.
The database's tables are created or updated first (safe to repeat).`

// derivedImportID names the import of file for service and tenant by its
// content: the same file for the same tenant gives the same id.
func derivedImportID(service onboardriver.Service, tenant, file string) (string, error) {
	fh, err := os.Open(file) //nolint:gosec // G304: reading the file the user named is the point
	if err != nil {
		return "", err
	}
	defer func() { _ = fh.Close() }() // read only
	h := sha256.New()
	_, _ = fmt.Fprintf(h, "%s\x00%s\x00", service, tenant)
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return string(service) + "-" + hex.EncodeToString(h.Sum(nil))[:20], nil
}

// queueSpec is where queueRows enqueues an import.
type queueSpec struct {
	flags   *queueFlags
	service onboardriver.Service
	tenant  string
	env     *environment
}

// queueRows reads the whole file as runImport does, reports its invalid
// rows, and enqueues the others as one import, keyed by line number.
func queueRows[T onboardriver.Person](ctx context.Context, o *cmdIO, c *importCmd[T], q *queueSpec) error {
	if err := c.flags.checkPaths(c.file); err != nil {
		return err
	}
	if _, _, err := prepass[T](c.file, c.schema); err != nil {
		return err
	}
	id := q.flags.importID
	if id == "" {
		var err error
		if id, err = derivedImportID(q.service, q.tenant, c.file); err != nil {
			return fmt.Errorf("nothing was enqueued: %w", err)
		}
	}
	w, err := o.records(c.flags, c.file, importColumns(c.keyField))
	if err != nil {
		return err
	}
	t := newTally("row")
	valid, err := reportNotEnqueued(c, func(line int, item *T, v verdict) error {
		t.add(v)
		return w.write(line, c.key(item), v.outcome, v.field, v.reason, v.id)
	})
	if err == nil {
		err = enqueue(ctx, o, c, q, id, valid)
	}
	if cerr := w.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if !t.allOK() {
		return &incompleteError{plural(t.bad, "invalid row") + " not enqueued"}
	}
	return nil
}

// reportNotEnqueued writes the file's rows that are not to be enqueued,
// invalid or repeated, and returns how many are.
func reportNotEnqueued[T any](c *importCmd[T], write func(int, *T, verdict) error) (int, error) {
	rows, err := openRows[T](c.file, c.schema)
	if err != nil {
		return 0, err
	}
	defer func() { _ = rows.Close() }() // read only
	valid, verdictOf := 0, queueFilter(c)
	for r := range rows.all() {
		v, ok := verdictOf(&r)
		if ok {
			valid++
			continue
		}
		if err := write(r.line, &r.item, v); err != nil {
			return 0, err
		}
	}
	return valid, rows.err
}

// queueFilter returns a function that checks each row of a file in turn as
// --dry-run does, ok if it is to be enqueued: valid, and not a repeat of an
// earlier row's key. Shards are sent apart, so the engine could not catch
// a repeat in another shard: the repeat is reported here instead.
func queueFilter[T any](c *importCmd[T]) func(r *row[T]) (verdict, bool) {
	check := rowChecker(c)
	return func(r *row[T]) (verdict, bool) {
		v, first, what := check(r)
		if first > 0 {
			v.reason = fmt.Sprintf("not enqueued: %s repeats line %d, which is sent once; this row shares its outcome", what, first)
			return v, false
		}
		return v, v.outcome == outValid
	}
}

// enqueue stores the file's valid rows as import id, after migrating the
// database.
func enqueue[T onboardriver.Person](ctx context.Context, o *cmdIO, c *importCmd[T], q *queueSpec, id string, valid int) error {
	db, err := openDatabase(ctx, q.env, true)
	if err != nil {
		return fmt.Errorf("nothing was enqueued: %w", err)
	}
	defer db.close()
	queue, err := onboardriver.NewQueue(db.pool)
	if err != nil {
		return db.scrub(err)
	}
	rows, err := openRows[T](c.file, c.schema)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }() // read only
	items := func(yield func(string, T) bool) {
		verdictOf := queueFilter(c)
		for r := range rows.all() {
			if _, ok := verdictOf(&r); ok && !yield(strconv.Itoa(r.line), r.item) {
				return
			}
		}
	}
	added, err := onboardriver.Enqueue(ctx, queue, onboardriver.Import[T]{ID: id, Tenant: q.tenant, Rows: items})
	if err != nil {
		return db.scrub(fmt.Errorf("nothing was enqueued: %w", err))
	}
	if !added {
		o.say("import %s is already enqueued; nothing added (onboard status %s)", id, id)
		return nil
	}
	o.say("import %s: %s enqueued; \"onboard worker\" sends them, \"onboard status %s\" shows how far it has come",
		id, plural(valid, "row"), id)
	return nil
}
