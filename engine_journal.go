package onboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/onboardkit/onboard/internal/journal"
)

// How a run uses its journal: the run's goroutine reads each item's record,
// checks the item against it and settles the item from it, or sends it.
// It writes a batch's record as it hands the batch to the workers, and a
// goroutine of the journal's syncs it meanwhile; the worker that takes the
// batch makes sure that the record is durable before sending the batch
// (usually it is by then: the fsync is off the request's path), and writes
// the answer's record once the batch's outcomes are settled, or a record
// saying the batch was not sent, if the run stopped first. A journal that
// cannot be written stops the run: no batch is sent unrecorded.

// startJournal begins the run's use of its journal; an error stops the run
// before anything is sent.
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
	r.jenc = json.NewEncoder(&r.jbuf)
	jr.startSyncing()
}

// recordOf returns the journal's record of the item at idx, and lets the
// records before it go: items come in order.
func (r *batchRun[T]) recordOf(idx int) (journal.Item, bool) {
	if r.jr == nil || idx >= r.frontier {
		return journal.Item{}, false
	}
	r.jr.log.Release(idx)
	return r.jr.log.Item(idx)
}

// mismatch stops the run: the item at idx is not the one the journal
// recorded there.
func (r *batchRun[T]) mismatch(idx int, why string) {
	r.stop(&JournalMismatchError{Op: r.spec.op, Index: idx, Reason: fmt.Sprintf("input item %d %s", idx, why)})
}

// checkRecord checks the valid item at idx, of a kind, against the
// journal's record of it, and returns the record when it says that an
// earlier run sent the item (fromJournal takes it from there). Every item
// before the journal's end has a record, repeats and invalid items too, so
// that an item changed anywhere there stops the run before anything is
// sent: one without a record, or recorded as another, is a changed input.
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

// skipInvalid checks the invalid item at idx against the journal's record
// of it, or notes it to be recorded.
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

// skip notes that the item at idx, of a kind, is not sent (state says
// why), for the record of the chunk it goes in, unless the journal has
// one already.
func (r *batchRun[T]) skip(idx int, it *T, kind int, state byte) {
	if r.jr == nil || idx < r.frontier {
		return
	}
	s := &r.cur.skipped
	s.Index = append(s.Index, idx)
	s.Hash = append(s.Hash, r.hashOf(it, kind))
	s.State = append(s.State, state)
}

// hashOf returns the journal's hash of an item of a kind; an item that
// cannot be encoded hashes as empty.
func (r *batchRun[T]) hashOf(it *T, kind int) uint64 {
	r.jbuf.b = r.jbuf.b[:0]
	if err := r.jenc.Encode(r.wireOf(it)); err != nil {
		return hashItem(kind, nil)
	}
	return hashItem(kind, r.jbuf.b[:len(r.jbuf.b)-1])
}

// growRing doubles the run's window, for a run that resumes from a
// journal: until every item the journal records has been read and
// checked, the chunks to send are held, and those after them wait to be
// emitted in order. Memory then grows with the items read from the first
// chunk held to the journal's end; the workers start only after.
func (r *batchRun[T]) growRing() {
	ring := make([]*chunk[T], 2*len(r.ring))
	for seq := r.seqEmit; seq < r.seqNext; seq++ {
		ring[seq%len(ring)] = r.ring[seq%len(r.ring)]
	}
	r.ring = ring
}

// fromJournal takes an item the journal has a record of. It checks that
// the item is the one recorded, then settles out from the record, unless
// the item is to be sent again. It returns whether out is settled, and
// whether an earlier run sent the item without an answer that settles it.
func (r *batchRun[T]) fromJournal(out *Outcome[T], it *T, rec journal.Item, kind int) (settled, prior bool) {
	if r.hashOf(it, kind) != rec.Hash {
		r.mismatch(out.Index, "differs from the item the journal recorded at that position")
		out.State, out.Err = StateNotSent, r.stopped.Load()
		return true, false
	}
	log := r.jr.log
	switch rec.State {
	case journal.NotSent, journal.InFlight:
		if rec.State == journal.NotSent && log.NotDone(rec) {
			return false, false // the server did nothing: send it
		}
		if r.jr.resend {
			return false, true
		}
		out.State, out.Attempts = StateUnknown, log.Attempts(rec)
		out.Message = unsettledMessage(log, rec)
	default:
		out.State, out.Attempts = stateFromJournal(rec.State), log.Attempts(rec)
		out.Message, out.UserID = log.Message(rec), log.UserID(rec)
	}
	out.Replayed = true
	return true, false
}

// hashItem returns the journal's hash of an item of a kind (an index in
// spec.frames) encoded as itemJSON.
func hashItem(kind int, itemJSON []byte) uint64 {
	return journal.HashItem(byte(kind), itemJSON) //nolint:gosec // G115: kind indexes spec.frames, which has at most three entries
}

// unsettledMessage says why an item an earlier run sent is unknown.
func unsettledMessage(log *journal.Log, rec journal.Item) string {
	const tail = "; the server may or may not have done it (WithResendInFlight sends it again)"
	run, batch := log.Batch(rec)
	if rec.State == journal.InFlight {
		return fmt.Sprintf("sent in batch %d of run %d of the journal, which ended before the answer came%s", batch, run, tail)
	}
	return fmt.Sprintf("sent in batch %d of run %d of the journal, which failed after it went out (%s)%s", batch, run, log.Err(rec), tail)
}

// sentBefore is the message of an item sent again after an earlier run
// sent it without an answer, refused as already there.
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
// journal's items did, then launches the held chunks. It returns false
// once the consumer has stopped.
func (r *batchRun[T]) endInput() bool {
	if r.jr != nil && r.next < r.frontier {
		r.stop(&JournalMismatchError{Op: r.spec.op, Index: r.next,
			Reason: fmt.Sprintf("the input ends after %d items, but the journal records item %d", r.next, r.frontier-1)})
	}
	return r.release()
}

// recordSkipped writes the record of the items of c, a chunk with no
// batch, that the run does not send, if any, in input order with the batch
// records (a batch record carries those of its own chunk).
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

// recordBatch writes c's batch record, with the items of c the run does
// not send, as the batch is handed to a worker, and has it synced in the
// background, so that it is durable by the time a worker takes the batch.
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

// syncBatch makes sure c's batch record is durable, right before the batch
// is sent.
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

// recordUnsent records that c's batch, recorded, was not sent after all,
// the run having stopped: a resumed run sends it.
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

// recordAnswer writes the record of c's answer, its outcomes settled; a
// failure stops the run.
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
	// A batch that got no answer is recorded as such, even when its items
	// are unknown (the run stopped while it was on its way): a resumed run
	// reports them from Err and NotDone, or sends them again.
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

// notDone reports whether a batch's failure means the server did nothing:
// a 4xx status on the request's only attempt.
func notDone(err error, attempts int) bool {
	var ae *APIError
	return attempts == 1 && errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500
}

// syncJournal makes the run's records durable at its end; a failure
// becomes the run's error if nothing else stopped it.
func (r *batchRun[T]) syncJournal() {
	if r.jr == nil {
		return
	}
	if err := r.jr.w.Sync(); err != nil {
		r.stop(fmt.Errorf("onboard: %s: %w; the last answers may not be in the journal", r.spec.op, err))
	}
}
