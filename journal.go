package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/onboardkit/onboard/internal/journal"
)

// A Journal makes a bulk run resumable after a crash (see WithJournal). It
// records each batch durably before its request goes out, and each answer
// when it comes. Run again with the same journal and input, the run replays
// the items the journal has an answer for (Outcome.Replayed), reports as
// StateUnknown those that may have been sent without a settling answer
// (unless WithResendInFlight), and sends the rest: no item is lost, and none
// answered is sent again.
//
// A journal belongs to one input, endpoint and set of shared request fields;
// another run's is refused before anything is sent (JournalMismatchError).
// The input may grow between runs but not change before the journal's end.
// Resume with the credential it was started with. A Journal serves one run.
// It holds item hashes, but the servers' messages and the WithKeys keys can
// name people: keep it as you keep its input.
type Journal struct {
	name  string // for errors: the path, or "the journal"
	store JournalStore
	log   *journal.Log
	w     *journal.Writer
	used  atomic.Bool
}

// A JournalStore holds a journal where OpenJournal's file will not do. Read
// reads what earlier runs wrote, once; Write appends one record a call; Sync
// makes what was written durable. A Write may run during a Sync, but never
// two Writes or two Syncs at once. An *os.File opened to read and append is one.
type JournalStore interface {
	io.Reader
	io.Writer
	Sync() error
}

// OpenJournal opens the journal at path, creating it (mode 0600) if need be,
// and reads it; close it when the run is done. On Linux, macOS and the BSDs
// it locks the file until Close, so a journal another Journal holds, in any
// process, is refused with an error matching ErrJournalBusy.
func OpenJournal(path string) (*Journal, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: opening the file the caller names is the point
	if err != nil {
		return nil, fmt.Errorf("onboard: OpenJournal: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		syncDir(filepath.Dir(path))
	}
	j, err := newJournal("OpenJournal", path, f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return j, nil
}

// syncDir makes a new file's name in dir durable, where the system can.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil { //nolint:gosec // G304: the directory of the caller's journal
		_ = d.Sync()
		_ = d.Close()
	}
}

// NewJournal makes a Journal on store, reading what it holds. An *os.File
// is locked as OpenJournal locks its file; keep any other store from two
// Journals at once.
func NewJournal(store JournalStore) (*Journal, error) {
	if store == nil {
		return nil, errors.New("onboard: NewJournal: the store is nil; pass a JournalStore, or use OpenJournal for a file")
	}
	return newJournal("NewJournal", "the journal", store)
}

func newJournal(op, name string, store JournalStore) (*Journal, error) {
	if f, ok := store.(*os.File); ok {
		if err := lockFile(f); err != nil {
			if errors.Is(err, errLocked) {
				return nil, fmt.Errorf("%w (%s %s), in this process or another; let that run end first, or give this run a journal of its own", ErrJournalBusy, op, name)
			}
			return nil, fmt.Errorf("onboard: %s: %s: locking the journal: %w", op, name, err)
		}
	}
	log, err := journal.Read(store)
	if err != nil {
		if journal.IsDamaged(err) {
			return nil, fmt.Errorf("onboard: %s: %s: %w; it was not written by this SDK, or was changed since", op, name, err)
		}
		return nil, fmt.Errorf("onboard: %s: %s: %w", op, name, err)
	}
	return &Journal{name: name, store: store, log: log, w: journal.NewWriter(store, store.Sync, log.Torn)}, nil
}

// Close makes what the run wrote durable, and closes the store if it is an io.Closer.
func (j *Journal) Close() error {
	err := j.w.Sync()
	if c, ok := j.store.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	if err != nil {
		return fmt.Errorf("onboard: closing %s: %w", j.name, err)
	}
	return nil
}

// WithJournal makes the run record itself in j, and resume from what j
// holds: see Journal.
func WithJournal(j *Journal) BulkOption {
	return func(s *bulkSettings) {
		if j == nil {
			s.problems.Add("WithJournal", "the journal is nil; pass one from OpenJournal or NewJournal")
			return
		}
		s.journal = j
	}
}

// WithResendInFlight makes a run resuming from a journal send again the
// items an earlier run sent without an answer that settles them; one the
// server then refuses as already there is StateUnknown, not StateFailed.
func WithResendInFlight() BulkOption {
	return func(s *bulkSettings) { s.resendInFlight = true }
}

// ErrInFlight matches the Err of an unknown item that an earlier run on the
// journal sent without an answer that settles it; WithResendInFlight sends
// such items again.
var ErrInFlight = errors.New("onboard: an earlier run sent this item and got no answer that settles it; WithResendInFlight sends it again")

// ErrJournalBusy matches the error of OpenJournal or NewJournal given a
// journal that another Journal holds.
var ErrJournalBusy = errors.New("onboard: the journal is in use by another run")

// ErrJournalMismatch matches the error of a run given a journal of another
// run: another endpoint, other shared request fields, or other items.
var ErrJournalMismatch = errors.New("onboard: the journal belongs to another run")

// JournalMismatchError says how a journal differs from the run it was given to.
type JournalMismatchError struct {
	// Op is the bulk method.
	Op string
	// Index is the first input item that differs from the journal, or -1
	// when the endpoint or shared fields differ.
	Index int
	// Reason says what differs.
	Reason string
}

// Error says what differs and what to do.
func (e *JournalMismatchError) Error() string {
	return fmt.Sprintf("onboard: %s: the journal belongs to another run: %s; resume with the input, client and request the journal was started with, or start a new journal", e.Op, e.Reason)
}

// Is reports whether target is ErrJournalMismatch.
func (e *JournalMismatchError) Is(target error) bool { return target == ErrJournalMismatch }

// journalRun is a run's use of its journal.
type journalRun struct {
	log      *journal.Log
	w        *journal.Writer
	run      int
	resend   bool
	keys     bool
	frontier int // items at or past it are not in the journal
	// kick asks the syncing goroutine for a sync; done closes when it ends.
	kick chan struct{}
	done chan struct{}
}

// startSyncing starts the goroutine that syncs the batch records.
func (jr *journalRun) startSyncing() {
	jr.kick, jr.done = make(chan struct{}, 1), make(chan struct{})
	go func() {
		defer close(jr.done)
		for range jr.kick {
			_ = jr.w.Sync() // an error stays in w; the worker about to send sees it
		}
	}()
}

// syncSoon asks for a sync of what was written, unless one is asked for.
func (jr *journalRun) syncSoon() {
	select {
	case jr.kick <- struct{}{}:
	default:
	}
}

// stopSyncing ends the syncing goroutine; jr may be nil.
func (jr *journalRun) stopSyncing() {
	if jr != nil && jr.kick != nil {
		close(jr.kick)
		<-jr.done
	}
}

// begin starts a run on j, checking or writing j's header.
func (j *Journal) begin(op string, h journal.Header, resend, keys bool) (*journalRun, error) {
	if !j.used.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("onboard: %s: this Journal was already given to a run; a Journal serves one run: open %s again to resume", op, j.name)
	}
	switch have := j.log.Header; {
	case have == nil:
		if err := j.w.Header(h); err != nil {
			return nil, fmt.Errorf("onboard: %s: %w", op, err)
		}
	case have.Op != h.Op || have.Endpoint != h.Endpoint:
		return nil, &JournalMismatchError{Op: op, Index: -1, Reason: fmt.Sprintf("it is for %s at %s, and this run is %s at %s", have.Op, have.Endpoint, h.Op, h.Endpoint)}
	case have.Shared != h.Shared:
		return nil, &JournalMismatchError{Op: op, Index: -1, Reason: "the request's shared fields (such as the tenant or the message) differ from the journal's"}
	}
	jr := &journalRun{log: j.log, w: j.w, run: j.log.Runs + 1, resend: resend, keys: keys, frontier: j.log.Len()}
	if err := j.w.Run(jr.run, resend); err != nil {
		return nil, fmt.Errorf("onboard: %s: %w", op, err)
	}
	return jr, nil
}

// journalOp is the name a journal's header gives a bulk method: the same
// for its All and Seq forms, and without the service (the endpoint names it).
func journalOp(op string) string {
	if _, m, ok := strings.Cut(op, ": "); ok {
		op = m
	}
	if s, ok := strings.CutSuffix(op, "All"); ok {
		return s
	}
	return strings.TrimSuffix(op, "Seq")
}

// batchTarget names the endpoint a bulk spec sends to, for its journal.
func batchTarget(c *client, ep endpoint) string {
	return ep.method + " " + c.base.Redacted() + ep.path
}

// errLocked is lockFile's error for a file another holder has locked.
var errLocked = errors.New("locked")

// startJournal begins the run's use of its journal, or stops the run.
func (r *batchRun[T]) startJournal() {
	if r.spec.target == "" {
		// A header without its endpoint would match a run on any host.
		r.stop(fmt.Errorf("onboard: %s: this method cannot keep a journal, its endpoint being unnamed; run it without WithJournal", r.spec.op))
		return
	}
	var parts [][]byte
	for _, f := range r.spec.frames {
		parts = append(parts, f.head, f.tail)
	}
	h := journal.Header{Op: journalOp(r.spec.op), Endpoint: r.spec.target, Shared: journal.HashShared(parts...)}
	jr, err := r.set.journal.begin(r.spec.op, h, r.set.resendInFlight, r.keyFn != nil)
	if err != nil {
		r.stop(err)
		return
	}
	r.jr, r.frontier = jr, jr.frontier
	jr.startSyncing()
}

// recordOf returns the journal's record of the item at idx, releasing those before it.
func (r *batchRun[T]) recordOf(idx int) (journal.Item, bool) {
	if r.jr == nil || idx >= r.frontier {
		return journal.Item{}, false
	}
	r.jr.log.Release(idx)
	return r.jr.log.Item(idx)
}

// mismatch stops the run: the item at idx is not the one the journal recorded.
func (r *batchRun[T]) mismatch(idx int, why string) {
	r.stop(&JournalMismatchError{Op: r.spec.op, Index: idx, Reason: fmt.Sprintf("input item %d %s", idx, why)})
}

// checkRecord checks the valid item at idx against the journal's record of
// it, and returns the record when an earlier run sent the item. A missing or
// different record before the journal's end means a changed input.
func (r *batchRun[T]) checkRecord(idx int, it *T, kind int) (journal.Item, bool) {
	if r.jr == nil || idx >= r.frontier {
		return journal.Item{}, false
	}
	rec, ok := r.recordOf(idx)
	switch {
	case !ok:
		r.mismatch(idx, "has no record in the journal, which records items after it")
	case rec.State == journal.Repeat || rec.State == journal.Invalid:
		if r.hashOf(it, kind) != rec.Hash {
			r.mismatch(idx, "differs from the item the journal recorded at that position")
		}
	default:
		return rec, true
	}
	return journal.Item{}, false
}

// skipInvalid checks the invalid item at idx against its record, or notes it to be recorded.
func (r *batchRun[T]) skipInvalid(idx int, it *T) {
	if r.jr == nil {
		return
	}
	if idx >= r.frontier {
		r.skip(idx, it, 0, journal.Invalid)
		return
	}
	switch rec, ok := r.recordOf(idx); {
	case !ok:
		r.mismatch(idx, "has no record in the journal, which records items after it")
	case rec.State != journal.Invalid:
		r.mismatch(idx, "is invalid, but the journal records it as valid")
	case r.hashOf(it, 0) != rec.Hash:
		r.mismatch(idx, "differs from the item the journal recorded at that position")
	}
}

// skip notes that the item at idx is not sent (state says why), for its chunk's
// record, unless the journal has one already.
func (r *batchRun[T]) skip(idx int, it *T, kind int, state byte) {
	if r.jr == nil || idx < r.frontier {
		return
	}
	s := &r.cur.skipped
	s.Index = append(s.Index, idx)
	s.Hash = append(s.Hash, r.hashOf(it, kind))
	s.State = append(s.State, state)
}

// hashOf returns the journal's hash of an item; one that cannot be encoded hashes as empty.
func (r *batchRun[T]) hashOf(it *T, kind int) uint64 {
	data, err := r.encode(it)
	if err != nil {
		data = nil
	}
	return hashItem(kind, data)
}

// fromJournal takes an item the journal has a record of, and settles out
// from it unless the item is to be sent again. prior reports that an earlier
// run sent the item without an answer that settles it.
func (r *batchRun[T]) fromJournal(out *Outcome[T], it *T, rec journal.Item, kind int) (settled, prior bool) {
	if r.hashOf(it, kind) != rec.Hash {
		r.mismatch(out.Index, "differs from the item the journal recorded at that position")
		out.State, out.Err = StateNotSent, r.stopped.Load()
		return true, false
	}
	log := r.jr.log
	switch {
	case rec.State == journal.NotSent && log.NotDone(rec):
		return false, false // the server did nothing: send it
	case rec.State == journal.NotSent || rec.State == journal.InFlight || rec.State == journal.Unknown && r.readsBack():
		r.mark = r.readsBack()
		if r.jr.resend {
			return false, true
		}
		out.State, out.Attempts, out.Err = StateUnknown, log.Attempts(rec), ErrInFlight
		if out.Message = unsettledMessage(log, rec); rec.State == journal.Unknown {
			out.Message = log.Message(rec)
		}
	default:
		out.State, out.Attempts = stateFromJournal(rec.State), log.Attempts(rec)
		out.Message, out.UserID, out.ReadBack = log.Message(rec), log.UserID(rec), log.ReadBack(rec)
	}
	out.Replayed = true
	return true, false
}

// hashItem returns the journal's hash of an item of a kind (an index in spec.frames).
func hashItem(kind int, itemJSON []byte) uint64 {
	return journal.HashItem(byte(kind), itemJSON) //nolint:gosec // G115: kind indexes spec.frames, which has at most three entries
}

// unsettledMessage says why an item an earlier run sent is unknown.
func unsettledMessage(log *journal.Log, rec journal.Item) string {
	const tail = "; the server may or may not have done it"
	run, batch := log.Batch(rec)
	if rec.State == journal.InFlight {
		return fmt.Sprintf("sent in batch %d of run %d of the journal, which ended before the answer came%s", batch, run, tail)
	}
	return fmt.Sprintf("sent in batch %d of run %d of the journal, which failed after it went out (%s)%s", batch, run, log.Err(rec), tail)
}

// sentBefore is the message of a resent item refused as already there.
func sentBefore(msg string) string {
	return msg + " (an earlier run sent it and ended without the answer, so that request may have done this item)"
}

func stateFromJournal(letter byte) State {
	switch letter {
	case journal.Succeeded:
		return StateSucceeded
	case journal.Failed:
		return StateFailed
	case journal.NotSent:
		return StateNotSent
	}
	return StateUnknown
}

func letterOf(s State) byte {
	switch s {
	case StateSucceeded:
		return journal.Succeeded
	case StateFailed:
		return journal.Failed
	case StateNotSent:
		return journal.NotSent
	}
	return journal.Unknown
}

// endInput, once the input is read, stops the run if it ended before the
// journal's items did, then launches the held chunks.
func (r *batchRun[T]) endInput() bool {
	if r.jr != nil && r.next < r.frontier {
		r.stop(&JournalMismatchError{Op: r.spec.op, Index: r.next,
			Reason: fmt.Sprintf("the input ends after %d items, but the journal records item %d", r.next, r.frontier-1)})
	}
	return r.release()
}

// recordSkipped writes the record of the unsent items of c, a chunk with
// no batch, if any.
func (r *batchRun[T]) recordSkipped(c *chunk[T]) error {
	if r.jr == nil || len(c.skipped.Index) == 0 {
		return nil
	}
	c.skipped.Run = r.jr.run
	if err := r.jr.w.Skipped(&c.skipped); err != nil {
		return fmt.Errorf("onboard: %s: %w; nothing more is sent: make the journal writable, then run again with it to resume", r.spec.op, err)
	}
	return nil
}

// recordBatch writes c's batch record, with its unsent items, as the
// batch is handed to a worker, and has it synced in the background.
func (r *batchRun[T]) recordBatch(c *chunk[T]) error {
	if r.jr == nil {
		return nil
	}
	b := journal.Batch{Run: r.jr.run, Batch: c.seq, Index: make([]int, len(c.pos)), Hash: c.hashes}
	if len(c.skipped.Index) > 0 {
		b.Skipped = &c.skipped
	}
	if r.jr.keys {
		b.Key = make([]string, len(c.pos))
	}
	for i, p := range c.pos {
		b.Index[i] = c.outs[p].Index
		if b.Key != nil {
			b.Key[i] = c.outs[p].Key
		}
	}
	end, err := r.jr.w.Batch(&b)
	if err != nil {
		return r.notRecordedErr(c, err)
	}
	c.recorded = end
	r.jr.syncSoon()
	return nil
}

// syncBatch makes sure c's batch record is durable, before the batch is sent.
func (r *batchRun[T]) syncBatch(c *chunk[T]) error {
	if r.jr == nil {
		return nil
	}
	if err := r.jr.w.SyncTo(c.recorded); err != nil {
		return r.notRecordedErr(c, err)
	}
	return nil
}

func (r *batchRun[T]) notRecordedErr(c *chunk[T], err error) error {
	return fmt.Errorf("onboard: %s: %w; batch %d was not sent, nor any after it: make the journal writable, then run again with it to resume", r.spec.op, err, c.seq)
}

// recordUnsent records that c's batch was not sent, the run having stopped.
func (r *batchRun[T]) recordUnsent(c *chunk[T]) {
	if r.jr == nil || c.recorded == 0 {
		return
	}
	n := len(c.pos)
	a := journal.Answer{Run: r.jr.run, Batch: c.seq, Err: "not sent: the run stopped first", NotDone: true,
		State: bytes.Repeat([]byte{journal.NotSent}, n), Message: make([]string, n)}
	if err := r.jr.w.Answer(&a); err != nil {
		r.stop(fmt.Errorf("onboard: %s: %w", r.spec.op, err))
	}
}

// recordAnswer writes the record of c's answer; a failure stops the run.
func (r *batchRun[T]) recordAnswer(c *chunk[T], meta *Response, err error) {
	if r.jr == nil {
		return
	}
	n := len(c.pos)
	a := journal.Answer{Run: r.jr.run, Batch: c.seq, Attempts: meta.Attempts, Status: meta.StatusCode, RequestID: meta.RequestID,
		State: make([]byte, n), Message: make([]string, n)}
	if err != nil {
		a.Err, a.NotDone = err.Error(), notDone(err, meta.Attempts)
	}
	// A batch that got no answer is recorded as such, even when its items are
	// unknown: a resumed run reports them from Err and NotDone, or resends them.
	noAnswer := err != nil && !errors.Is(err, ErrUnexpectedResponse)
	for i, p := range c.pos {
		o := &c.outs[p]
		a.State[i], a.Message[i] = letterOf(o.State), o.Message
		if noAnswer {
			a.State[i] = journal.NotSent
		}
		if o.UserID != "" && a.UserID == nil {
			a.UserID = make([]string, n)
		}
		if a.UserID != nil {
			a.UserID[i] = o.UserID
		}
	}
	if werr := r.jr.w.Answer(&a); werr != nil {
		r.stop(fmt.Errorf("onboard: %s: %w; batch %d was answered, but its answer is not in the journal, so a resumed run reports its items as unknown", r.spec.op, werr, c.seq))
	}
}

// notDone reports whether a batch's failure means the server did nothing.
func notDone(err error, attempts int) bool {
	var ae *APIError
	return attempts == 1 && errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500
}

// syncJournal makes the run's records durable; a failure stops the run.
func (r *batchRun[T]) syncJournal() {
	if r.jr == nil {
		return
	}
	if err := r.jr.w.Sync(); err != nil {
		r.stop(fmt.Errorf("onboard: %s: %w; the last answers may not be in the journal", r.spec.op, err))
	}
}
