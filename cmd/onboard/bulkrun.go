package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
)

// bulkFlags are the flags of every command that runs the SDK's bulk
// engine: the import commands, resend and sync.
type bulkFlags struct {
	report      string
	all         bool // --all: every row in the table at a terminal too
	batch       int
	concurrency int
	// journal and resendInFlight are --journal and --resend-in-flight,
	// which only the import commands have (addJournalFlags).
	journal        string
	resendInFlight bool
	noReconcile    bool // --no-reconcile: leave unknown outcomes unknown
}

// addBulkFlags adds --report, --all, --batch, --concurrency and
// --no-reconcile to cmd. defaultBatch says what a --batch of 0 means for
// this command; "" leaves --batch and --no-reconcile out, for a command
// that sends one item a request, outside the bulk engine.
func addBulkFlags(cmd *cobra.Command, f *bulkFlags, defaultBatch string) {
	fl := cmd.Flags()
	fl.StringVar(&f.report, "report", "", "also write every row's outcome to this `file`: CSV, or JSON if it ends in .json; "+csvGuardHelp)
	fl.BoolVar(&f.all, "all", false, "at a terminal, show every row in the table, not only those that need attention (failed, unknown, invalid, not sent); -o json, -o csv and --report always hold every row")
	if defaultBatch != "" {
		fl.IntVar(&f.batch, "batch", 0, "items per request; 0 is "+defaultBatch)
	}
	fl.IntVar(&f.concurrency, "concurrency", 4, "requests in flight at once")
	if defaultBatch == "" {
		return
	}
	fl.BoolVar(&f.noReconcile, "no-reconcile", false, "leave a row whose request got no answer unknown, rather than reading the service back to settle it (done by default at the end of a run with unknown rows, and on resuming a --journal before anything is sent)")
}

// addJournalFlags adds --journal and --resend-in-flight to an import
// command.
func addJournalFlags(cmd *cobra.Command, f *bulkFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.journal, "journal", "", "record the run in this `file`, and resume from it: run the same command again to finish a run that crashed or was stopped, without sending anyone twice")
	fl.BoolVar(&f.resendInFlight, "resend-in-flight", false, "with --journal, send again the rows an earlier run sent without getting an answer and that reading the service back does not find (reported not sent otherwise, or unknown with --no-reconcile)")
}

// check refuses a --batch or --concurrency out of range, and
// --resend-in-flight without --journal.
func (f *bulkFlags) check() error {
	switch {
	case f.resendInFlight && f.journal == "":
		return usageErrorf("--resend-in-flight needs --journal: the journal says which rows were in flight")
	case f.batch < 0:
		return usageErrorf("--batch %d is negative; give 1 or more, or 0 for the service's default", f.batch)
	case f.concurrency < 1:
		return usageErrorf("--concurrency %d is less than 1", f.concurrency)
	}
	return nil
}

// options builds the options of a bulk run of total items (-1 if not
// known), reporting progress to p, recording it in j (nil: no journal)
// with keys (nil: none). Every bulk run of the import, resend and sync
// commands is configured here, and only here; the one exception is
// AthenaHQ's sync, which invites each person in a run of their own.
func (f *bulkFlags) options(total int, p *progress, j *onboard.Journal, keys onboard.BulkOption) []onboard.BulkOption {
	opts := []onboard.BulkOption{onboard.WithConcurrency(f.concurrency), onboard.WithProgress(p.update)}
	if f.batch > 0 {
		opts = append(opts, onboard.WithBatchSize(f.batch))
	}
	if total >= 0 {
		opts = append(opts, onboard.WithTotal(total))
	}
	if j != nil {
		opts = append(opts, onboard.WithJournal(j))
		if f.resendInFlight {
			opts = append(opts, onboard.WithResendInFlight())
		}
	}
	if keys != nil {
		opts = append(opts, keys)
	}
	if !f.noReconcile {
		opts = append(opts, onboard.WithReconcile(0))
	}
	return opts
}

// checkPaths refuses a --report or --journal that is the input, or the
// other one, however spelt or linked. It runs before any file is created
// or truncated: a report written over a journal would lose the record of
// the run it was to resume.
func (f *bulkFlags) checkPaths(input string) error {
	switch {
	case f.report != "" && sameFile(f.report, input):
		return usageErrorf("--report %s would overwrite the input", f.report)
	case f.journal != "" && sameFile(f.journal, input):
		return usageErrorf("--journal %s is the input; give a file of its own", f.journal)
	case f.journal != "" && f.report != "" && sameFile(f.journal, f.report):
		return usageErrorf("--journal %s is the --report file; give a file of its own", f.journal)
	}
	return nil
}

// openJournal opens --journal; nil without it. checkPaths has made sure
// it is neither the input nor the report.
func (f *bulkFlags) openJournal() (*onboard.Journal, error) {
	if f.journal == "" {
		return nil, nil //nolint:nilnil // no --journal: a run without one
	}
	j, err := onboard.OpenJournal(f.journal)
	if err != nil {
		return nil, fmt.Errorf("nothing was sent: %w", err)
	}
	return j, nil
}

// keyedBy returns the option that gives each item of a run of R items the
// key line returns for its index: the input's line number.
func keyedBy[R any](line func(index int) string) onboard.BulkOption {
	return onboard.WithKeys(func(i int, _ R) string { return line(i) })
}

// cmdIO is where a command writes: records on stdout in -o's format,
// messages and progress on stderr.
type cmdIO struct {
	stdout, stderr io.Writer
	tty            bool // stderr is a terminal: draw progress
	ttyOut         bool // stdout is a terminal: a person reads the table
	format         string
	// hiding says that the table on stdout leaves out the rows that need
	// nothing more (records).
	hiding bool
}

// say writes a message line to stderr. Nothing is left to tell if stderr
// cannot be written to.
func (o *cmdIO) say(format string, args ...any) {
	_, _ = fmt.Fprintf(o.stderr, "onboard: "+format+"\n", args...)
}

// records returns the writer of the command's records: stdout, and the
// --report file if given, which must not be input. A table on a terminal
// shows only the rows whose outcome needs attention, unless --all; the
// summary says how many it left out.
func (o *cmdIO) records(f *bulkFlags, input string, columns []string) (recordWriter, error) {
	out := newRecordWriter(o.stdout, o.format, columns)
	if col := slices.Index(columns, "outcome"); col >= 0 && o.ttyOut && o.format == outputTable && !f.all {
		out = &attentionTable{recordWriter: out, col: col}
		o.hiding = true
	}
	if f.report == "" {
		return out, nil
	}
	rep, err := createReport(f.report, input, columns)
	if err != nil {
		return nil, err
	}
	return multiWriter{out, rep}, nil
}

// finish closes w and reports the run's summary on stderr: its notes,
// then the tally, as an *incompleteError when some rows were not done.
func (o *cmdIO) finish(w recordWriter, t *tally, runErr error) error {
	err := errors.Join(w.close(), runErr)
	for _, n := range o.notes(t) {
		o.say("%s", n)
	}
	if err != nil {
		return err
	}
	if !t.allOK() {
		return &incompleteError{t.String()}
	}
	o.say("%s", t)
	return nil
}

// notes returns the lines a run's summary says before its tally, in the
// order they are read. Every such line is added here.
func (o *cmdIO) notes(t *tally) []string {
	var notes []string
	if o.hiding && t.rows > t.bad {
		notes = append(notes, t.leftOut()+"; --all shows every row")
	}
	if rb := t.readBack(); rb != "" {
		notes = append(notes, rb)
	}
	return notes
}

// importColumns are the columns of an import's records; key is the
// input's column that names each row (email, website_id).
func importColumns(key string) []string {
	return []string{"line", key, "outcome", "field", "reason", "id"}
}

// importCmd describes one import command to runImport.
type importCmd[T any] struct {
	file     string
	dryRun   bool
	flags    *bulkFlags
	schema   *schema
	keyField string          // the column naming each row: email, website_id
	key      func(*T) string // its value
	// same names what makes two rows one person, as the SDK tells repeats
	// apart, with its value: nil for the key, letter case aside.
	same *repeatKey[T]
	// check validates one item as the SDK will, for --dry-run.
	check func(*T) error
	// preflight makes a read-only request with the credential, so that a
	// refused one stops the command before anything is sent. first is the
	// first valid item.
	preflight func(ctx context.Context, first *T) error
	// send runs the SDK's bulk engine over the items.
	send func(ctx context.Context, items iter.Seq[T], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[T]]
	// keys is keyedBy of the run's item type, which may differ from T.
	keys func(line func(index int) string) onboard.BulkOption
	verb string // for the progress bar: "inviting"
}

// repeatKey is what makes two rows one person, when the key alone does not.
type repeatKey[T any] struct {
	what string // "name and email"
	key  func(*T) string
}

// repeatOf returns who a row names, as the SDK tells repeats apart, and
// what that is made of.
func (c *importCmd[T]) repeatOf(item *T) (key, what string) {
	if c.same != nil {
		return c.same.key(item), c.same.what
	}
	return strings.ToLower(c.key(item)), c.keyField
}

// runImport reads the whole file once, stopping on a problem with the file
// as a whole, then validates every row (--dry-run) or sends the valid rows
// through the bulk engine, writing one record per row, each with its line
// (in the file's order, but for unknown outcomes settled at the end).
func runImport[T any](ctx context.Context, o *cmdIO, c *importCmd[T]) error {
	if err := c.flags.checkPaths(c.file); err != nil {
		return err
	}
	valid, first, err := prepass[T](c.file, c.schema)
	if err != nil {
		return err
	}
	if !c.dryRun && first != nil {
		if err := c.preflight(ctx, first); err != nil {
			return fmt.Errorf("nothing was sent: a read-only request to check the credential failed: %w", err)
		}
	}
	rows, err := openRows[T](c.file, c.schema)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }() // read only
	w, err := o.records(c.flags, c.file, importColumns(c.keyField))
	if err != nil {
		return err
	}
	t := newTally("row")
	write := func(line int, item *T, v verdict) error {
		t.add(v)
		return w.write(line, c.key(item), v.outcome, v.field, v.reason, v.id)
	}
	if c.dryRun {
		return o.finish(w, t, dryRun(rows, c, write))
	}
	j, err := c.flags.openJournal()
	if err != nil {
		return errors.Join(err, w.close())
	}
	p := newProgress(o.stderr, o.tty, c.verb, valid)
	opts := func(keys onboard.BulkOption) []onboard.BulkOption { return c.flags.options(valid, p, j, keys) }
	runErr := sendRows(ctx, rows, c, opts, write)
	p.finish()
	if j != nil {
		runErr = errors.Join(runErr, j.Close())
	}
	return o.finish(w, t, runErr)
}

// prepass reads the whole file, returning how many rows it holds that can
// be read, the first of them, and any problem with the file as a whole.
func prepass[T any](path string, s *schema) (int, *T, error) {
	rows, err := openRows[T](path, s)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = rows.Close() }() // read only
	n := 0
	var first *T
	for r := range rows.all() {
		if len(r.problems) == 0 {
			if first == nil {
				first = &r.item
			}
			n++
		}
	}
	return n, first, rows.err
}

// rowChecker returns a function that checks each row of a file in turn as
// the SDK will before sending it: the row's verdict and, for a valid row
// naming the person of an earlier valid one, that row's line (else 0) and
// what makes them one person (repeatOf).
func rowChecker[T any](c *importCmd[T]) func(r *row[T]) (v verdict, first int, what string) {
	firsts := map[string]int{} // a person's first line
	return func(r *row[T]) (verdict, int, string) {
		if len(r.problems) > 0 {
			return problemsVerdict(r.problems), 0, ""
		}
		v := checkVerdict(c.check(&r.item), c.keyField)
		if v.outcome != outValid {
			return v, 0, ""
		}
		k, what := c.repeatOf(&r.item)
		if l, ok := firsts[k]; ok {
			return v, l, what
		}
		firsts[k] = r.line
		return v, 0, what
	}
}

// dryRun validates every row as the SDK would before sending, and notes a
// key given twice, which the run sends once.
func dryRun[T any](rows *rowReader[T], c *importCmd[T], write func(int, *T, verdict) error) error {
	check := rowChecker(c)
	for r := range rows.all() {
		v, first, what := check(&r)
		if first > 0 {
			v.reason = fmt.Sprintf("%s repeats line %d; it will be sent once, and this row will share that row's outcome", what, first)
		}
		if err := write(r.line, &r.item, v); err != nil {
			return err
		}
	}
	return rows.err
}

// sendRows sends the rows that can be read through the bulk engine, and
// writes a record per row: a row that cannot be read where it stands, the
// others as their outcomes come, which is the file's order but for the
// unknown outcomes that reading back settles at the end of the run. A run
// that stops early (Ctrl-C, a refused credential) reads no further; the
// rows after it are reported not sent, for the same reason.
func sendRows[T any](ctx context.Context, rows *rowReader[T], c *importCmd[T], options func(keys onboard.BulkOption) []onboard.BulkOption, write func(int, *T, verdict) error) error {
	// The engine reads the items and hands back outcomes on this
	// goroutine: q holds the rows read and not yet passed, lines the line
	// of each item handed to the engine (its index), its key.
	q := &rowQueue[T]{write: write}
	items := func(yield func(T) bool) {
		for r := range rows.all() {
			q.rows = append(q.rows, queued[T]{row: r, index: -1})
			if len(r.problems) == 0 {
				q.rows[len(q.rows)-1].index = len(q.lines)
				q.lines = append(q.lines, r.line)
				if !yield(r.item) {
					return
				}
			}
		}
	}
	line := func(i int) string { return strconv.Itoa(q.lines[i]) }
	var stopped error
	for o := range c.send(ctx, items, options(c.keys(line))) {
		if errors.Is(o.Err, onboard.ErrJournalMismatch) {
			return journalMismatch(c.flags.journal, o.Err)
		}
		if o.Index >= len(q.lines) {
			break
		}
		if errors.Is(o.Err, onboard.ErrStopped) {
			stopped = o.Err
		}
		if q.pass(o.Index); q.err == nil {
			q.err = write(q.lines[o.Index], &o.Item, rowVerdict(o, c.keyField, line))
		}
		if q.err != nil {
			return q.err
		}
	}
	if q.pass(len(q.lines)); q.err != nil || stopped == nil {
		return cmp.Or(q.err, rows.err)
	}
	v := verdict{outcome: outNotSent, reason: errText(stopped)}
	for r := range rows.all() {
		if err := write(r.line, &r.item, stoppedVerdict(c, &r, v)); err != nil {
			return err
		}
	}
	return rows.err
}

// queued is a row read, with its item's index; -1 for a row that could
// not be read.
type queued[T any] struct {
	row   row[T]
	index int
}

// rowQueue holds the rows read and not yet passed; lines is the line of
// each item, by its index.
type rowQueue[T any] struct {
	rows  []queued[T]
	lines []int
	write func(int, *T, verdict) error
	err   error
}

// pass writes the rows that could not be read and drops the items, up to
// the item of index upTo: the engine hands an item's outcome back after
// those before it, but for the unknown outcomes it settles at the end,
// which are written as they come.
func (q *rowQueue[T]) pass(upTo int) {
	for len(q.rows) > 0 && q.err == nil && q.rows[0].index < upTo {
		if r := &q.rows[0].row; q.rows[0].index < 0 {
			q.err = q.write(r.line, &r.item, problemsVerdict(r.problems))
		}
		q.rows = q.rows[1:]
	}
}

// stoppedVerdict is the verdict of a row after a run stopped early: not
// sent, unless it is invalid, which is reported so, whatever stopped the
// run and whenever.
func stoppedVerdict[T any](c *importCmd[T], r *row[T], stopped verdict) verdict {
	if len(r.problems) > 0 {
		return problemsVerdict(r.problems)
	}
	if err := c.check(&r.item); err != nil {
		return checkVerdict(err, c.keyField)
	}
	return stopped
}

// rowVerdict is the verdict of an outcome of an import, in the file's
// terms: a repeat names the line of the row it repeats (line gives the
// line of an item's index), and one that comes from the journal says the
// row was not sent again.
func rowVerdict[T any](o onboard.Outcome[T], keyField string, line func(index int) string) verdict {
	v := outcomeVerdict(o, keyField)
	if o.DuplicateOf != nil {
		v.reason = fmt.Sprintf("not sent: it repeats line %s, whose outcome it shares", line(*o.DuplicateOf))
	}
	if errors.Is(o.Err, onboard.ErrInFlight) && o.State == onboard.StateUnknown {
		v.reason = o.Message + " (--resend-in-flight sends it again)" // the SDK's error names its option
	}
	if o.Replayed {
		v.reason = strings.TrimSpace(v.reason + " (from the journal: not sent again)")
	}
	return v
}

// journalMismatch is the error of a run given a journal of another run:
// the engine checks every row the journal covers, and the service, tenant
// and request, before it sends anything.
func journalMismatch(path string, err error) error {
	var me *onboard.JournalMismatchError
	if errors.As(err, &me) {
		return fmt.Errorf("--journal %s: nothing was sent: %w", path, me)
	}
	return fmt.Errorf("--journal %s: %w", path, err)
}

// checkVerdict is the verdict of a --dry-run's check of one item.
func checkVerdict(err error, keyField string) verdict {
	var ve *onboard.ValidationError
	switch {
	case err == nil:
		return verdict{outcome: outValid}
	case errors.As(err, &ve):
		return validationVerdict(ve, keyField)
	}
	return verdict{outcome: outInvalid, reason: errText(err)}
}

// itemProblems keeps the problems of a *ValidationError that are about
// the item at path prefix (such as "users[0]."), for checking one item
// through a request that needs other fields too.
func itemProblems(err error, prefix string) error {
	var ve *onboard.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	kept := &onboard.ValidationError{Op: ve.Op}
	for _, p := range ve.Problems {
		if strings.HasPrefix(p.Field, prefix) {
			kept.Problems = append(kept.Problems, p)
		}
	}
	if len(kept.Problems) == 0 {
		return nil
	}
	return kept
}
