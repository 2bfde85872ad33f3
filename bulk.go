package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/onboardkit/onboard/internal/journal"
	"github.com/onboardkit/onboard/internal/seen"
	"github.com/onboardkit/onboard/internal/validate"
)

// keyFunc returns the run's key function, nil without WithKeys, noting in
// r.set.problems a function of another item type.
func (r *batchRun[T]) keyFunc() func(int, T) string {
	if r.set.keys == nil {
		return nil
	}
	fn, ok := r.set.keys.(func(int, T) string)
	if !ok {
		var zero T
		r.set.problems.Add("WithKeys", "is given a %T, but this run's items are %T: pass a func(int, %T) string", r.set.keys, zero, zero)
	}
	return fn
}

// The bulk engine behind every ...All and ...Seq method: the caller's
// goroutine reads, checks and cuts items into batches and emits outcomes in
// input order; up to Concurrency workers send the batches. At most 2 ×
// concurrency chunks are in flight, so memory stays bounded.

// chunk is a run of consecutive input items: the valid ones, sent together
// as one batch, and any not sent among them (invalid, repeats, settled
// from the journal).
type chunk[T any] struct {
	seq     int          // in the order cut: the journal's batch number
	batchNo int          // in the order dispatched: batchEvent.Batch
	outs    []Outcome[T] // one per input item, in order
	pos     []int        // the batch: pos[i] is the index in outs of its item i
	marks   []seen.Ref   // each of outs' entry in the run's seen.Set, if any
	body    encodedBody  // the batch's request
	out     []verdict    // filled by send
	err     error        // the batch's failure, if it got no per-item answer
	done    bool         // every outcome is settled
	// unsettled are the outs the journal left unknown, to read back first.
	unsettled []int

	// For a run with a journal: hashes, prior sends, recorded length, unrecorded items.
	hashes   []uint64
	prior    []bool
	recorded int64
	skipped  journal.Skipped
}

// batchRun is the state of one run. Fields other than stopped, jobs and
// results belong to the caller's goroutine.
type batchRun[T any] struct {
	spec    *batchSpec[T]
	set     bulkSettings
	ctx     context.Context // the caller's: its end stops the run
	sendCtx context.Context // ctx, also cancelled when the consumer leaves
	cancel  context.CancelFunc
	emit    func(Outcome[T]) bool
	keyFn   func(int, T) string // from WithKeys, or nil

	size, window int
	known        int // the input's length for a slice, or -1
	next         int // index of the next input item
	item         T   // the item being added
	problems     validate.Problems
	buf          bytes.Buffer // enc writes an item's JSON into it
	enc          *json.Encoder
	cur          *chunk[T] // the chunk being filled
	keys         map[string]struct{}
	kind         int         // the kind of cur's batch, an index in spec.frames
	queue        []*chunk[T] // cut and not yet emitted, in order
	free         []*chunk[T] // emitted, for reuse
	cuts         int         // chunks cut so far
	batches      int         // batches dispatched so far

	jobs, results chan *chunk[T]
	workers       int
	wg            sync.WaitGroup
	// stopped holds what stopped the run; the first to stop it wins.
	stopped atomic.Pointer[stoppedError]

	progress Progress
	reported bool

	seen *seen.Set   // the items sent, for repeats; nil under WithSendDuplicates
	jr   *journalRun // the run's journal, or nil
	// frontier is where the journal's items end: chunks cut before the
	// input is read that far are held, so that a changed input is refused
	// before anything is sent.
	frontier int
	held     []*chunk[T]
	mark     bool         // the item being added is to be read back (fromJournal)
	later    []Outcome[T] // unknown outcomes held back to read back at the end
}

// runBatches runs spec over input, calling emit with each outcome in input
// order until emit returns false. total is the input's length, or -1 for
// a stream, which is read no further once the run has stopped. It returns
// what stopped the run early, or nil.
func runBatches[T any](ctx context.Context, spec *batchSpec[T], opts []BulkOption, total int, input iter.Seq[T], emit func(Outcome[T]) bool) error {
	r := &batchRun[T]{spec: spec, ctx: ctx, emit: emit, known: total, keys: make(map[string]struct{})}
	r.set.total = -1
	for _, o := range opts {
		if o != nil {
			o(&r.set)
		}
	}
	if total >= 0 {
		r.set.total = total
	}
	r.size = min(orDefault(r.set.batchSize, spec.defaultSize), orDefault(spec.maxSize, maxBatchSize))
	r.set.concurrency = min(orDefault(r.set.concurrency, defaultConcurrency), maxConcurrency)
	r.window = 2 * r.set.concurrency
	r.progress.Total = r.set.total
	r.keyFn = r.keyFunc()
	r.enc = json.NewEncoder(&r.buf)
	if !r.set.sendDuplicates && spec.keys != nil {
		r.seen = seen.New()
	}
	if err := validationError(spec.op, &r.set.problems); err != nil {
		r.stop(err)
	} else if spec.precheck != nil {
		r.stop(spec.precheck)
	} else if r.set.journal != nil {
		r.startJournal()
	}

	r.sendCtx, r.cancel = context.WithCancel(ctx) //nolint:gosec // G118: false positive; r.shutdown, deferred on the next line, calls r.cancel
	defer r.shutdown()

	if !r.readAll(input, total < 0) || !r.cut() || !r.endInput() || !r.drain() {
		return nil // the consumer stopped ranging
	}
	var zero T
	r.item = zero
	if !r.reported || r.progress.Total != r.progress.Done {
		r.progress.Total = r.progress.Done
		r.report()
	}
	r.syncJournal()
	return r.stopErr()
}

// readAll adds the input's items. A stream stops being read once the run
// has stopped: the first valid item read then is reported not sent, and
// no later item is read; an invalid item is reported invalid whenever it
// is read. It returns false once the consumer has stopped.
func (r *batchRun[T]) readAll(input iter.Seq[T], stream bool) bool {
	if input == nil {
		return true
	}
	for item := range input {
		if r.item = item; stream && r.halted() && r.check(r.next, &r.item) == nil {
			r.addStopped(item)
			return true
		}
		if !r.add(item) || r.next == r.frontier && r.cur != nil && len(r.cur.unsettled) > 0 && !r.cut() {
			return false
		}
		if len(r.held) > 0 && r.next >= r.frontier && !r.release() {
			return false
		}
	}
	return true
}

// halted reports whether the run has stopped, noting the context's end.
func (r *batchRun[T]) halted() bool {
	if r.stopped.Load() == nil && r.ctx.Err() != nil {
		r.stop(r.ctx.Err())
	}
	return r.stopped.Load() != nil
}

// orDefault returns v, or def when v is unset.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// shutdown cancels any request in flight and waits for the workers.
func (r *batchRun[T]) shutdown() {
	r.cancel()
	if r.jobs != nil {
		close(r.jobs)
	}
	r.wg.Wait()
	r.jr.stopSyncing()
}

// stop records what stopped the run, unless something already has.
func (r *batchRun[T]) stop(err error) {
	r.stopped.CompareAndSwap(nil, &stoppedError{op: r.spec.op, cause: err})
}

// stopErr returns what stopped the run, or nil.
func (r *batchRun[T]) stopErr() error {
	if s := r.stopped.Load(); s != nil {
		return s.cause
	}
	return nil
}

// stopsRun reports whether a batch's failure stops the run: one that would
// fail every batch (401, 403), or any when stopOnFail is set.
func (r *batchRun[T]) stopsRun(err error) bool {
	return r.set.stopOnFail || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrForbidden)
}

// add takes one input item. It returns false once the consumer has stopped.
func (r *batchRun[T]) add(item T) bool {
	idx := r.next
	r.next++
	if r.cur == nil {
		r.cur = r.newChunk()
	}
	out := Outcome[T]{Index: idx, Item: item}
	if r.keyFn != nil {
		out.Key = r.keyFn(idx, item)
	}
	// The spec's functions read r.item, so the item is not copied to the heap.
	r.item = item
	it := &r.item
	if p := r.check(idx, it); p != nil {
		r.skipInvalid(idx, it)
		return r.addInvalid(out, p)
	}
	k := r.identify(it)
	prior := false
	if rec, ok := r.checkRecord(idx, it, k.kind); ok {
		var settled bool
		if settled, prior = r.fromJournal(&out, it, rec, k.kind); settled {
			return r.addSettled(out, &k)
		}
	}
	if k.known {
		r.skip(idx, it, k.kind, journal.Repeat)
		of := k.ref.Index()
		out.DuplicateOf = &of
		return r.addSettled(out, &k)
	}
	return r.addToBatch(out, it, k, prior)
}

// itemKeys is what tells a valid item apart: its keys, its kind (an index
// in spec.frames), and the fingerprint of its keys with what the run's
// seen.Set knows of it.
type itemKeys struct {
	k1, k2 string
	kind   int
	fp     uint64
	ref    seen.Ref // the entry of fp, when known
	known  bool     // an earlier item has fp
	slot   uint64   // where fp goes, when not known
}

func (r *batchRun[T]) identify(it *T) itemKeys {
	var k itemKeys
	if r.spec.keys != nil {
		k.k1, k.k2 = r.spec.keys(it)
	}
	if r.spec.kind != nil {
		k.kind = r.spec.kind(it)
	}
	if r.seen != nil {
		k.fp = r.seen.Fingerprint(k.k1, k.k2)
		k.ref, k.known, k.slot = r.seen.Lookup(k.fp)
	}
	return k
}

// check returns the problems of the item at idx, or nil (see checkItem).
func (r *batchRun[T]) check(idx int, it *T) *validate.Problems {
	r.problems = validate.Problems{}
	if r.spec.check(&r.problems, "", it); r.problems.Empty() {
		return nil
	}
	p := new(validate.Problems)
	r.spec.check(p, r.spec.prefix(idx), it)
	return p
}

// addToBatch puts a valid item in the current chunk's batch, cutting the
// chunk first if the item cannot join it (a key already in it, another
// kind). It returns false once the consumer has stopped.
func (r *batchRun[T]) addToBatch(out Outcome[T], it *T, k itemKeys, prior bool) bool {
	// With repeats not sent, an item of one key cannot meet its key in the
	// batch: only two keys (Royalti's name and email) need the batch's set.
	useKeys := r.seen == nil || k.k2 != ""
	if useKeys && (r.hasKey(k.k1) || r.hasKey(k.k2)) || len(r.cur.pos) > 0 && k.kind != r.kind {
		if !r.cut() {
			return false
		}
		r.cur = r.newChunk()
	}
	data, err := r.encode(it)
	if err != nil {
		p := new(validate.Problems)
		p.Add(strings.TrimSuffix(r.spec.prefix(out.Index), "."), "cannot be encoded as JSON: %v", err)
		return r.addInvalid(out, p)
	}
	for _, key := range []string{k.k1, k.k2} {
		if useKeys && key != "" {
			r.keys[key] = struct{}{}
		}
	}
	kind := k.kind
	r.kind = kind
	c := r.cur
	if len(c.body) == 0 {
		// Room for a batch of items like this one, so that it seldom grows.
		f := r.spec.frames[kind]
		c.body = append(make(encodedBody, 0, len(f.head)+len(f.tail)+r.size*(len(data)+1)), f.head...)
	} else {
		c.body = append(c.body, ',')
	}
	c.body = append(c.body, data...)
	if r.jr != nil {
		c.hashes = append(c.hashes, hashItem(kind, data))
		c.prior = append(c.prior, prior)
	}
	c.pos = append(c.pos, len(c.outs))
	return r.addSettled(out, &k) && (len(c.pos) < r.size || r.cut())
}

// addSettled puts an item in the current chunk: one of its batch, or one
// whose outcome is known without sending it (from the journal, or a
// repeat, settled when it is emitted). It returns false once the consumer
// has stopped.
// k is nil for an invalid item.
func (r *batchRun[T]) addSettled(out Outcome[T], k *itemKeys) bool {
	var mark seen.Ref
	if r.seen != nil && k != nil {
		mark = k.ref
		if !k.known {
			mark = r.seen.Insert(k.fp, out.Index, k.slot)
		}
	}
	c := r.cur
	if r.mark {
		c.unsettled, r.mark = append(c.unsettled, len(c.outs)), false
	}
	c.outs = append(c.outs, out)
	c.marks = append(c.marks, mark)
	return len(c.outs) < 2*r.size || r.cut()
}

// addInvalid puts an item not sent for the problems in p in the current
// chunk. It returns false once the consumer has stopped.
func (r *batchRun[T]) addInvalid(out Outcome[T], p *validate.Problems) bool {
	out.State, out.Err = StateNotSent, validationError(r.spec.op, p)
	return r.addSettled(out, nil)
}

// addStopped puts an item read after the run stopped in the current chunk,
// not sent.
func (r *batchRun[T]) addStopped(item T) {
	if r.cur == nil {
		r.cur = r.newChunk()
	}
	out := Outcome[T]{Index: r.next, Item: item, State: StateNotSent, Err: r.stopped.Load()}
	if r.keyFn != nil {
		out.Key = r.keyFn(r.next, item)
	}
	r.cur.outs = append(r.cur.outs, out)
	r.cur.marks = append(r.cur.marks, seen.Ref{})
	r.next++
}

// encode returns the JSON of an item, valid until the next call. One
// encoder serves the run: json.Marshal would allocate a copy per item.
func (r *batchRun[T]) encode(it *T) ([]byte, error) {
	r.buf.Reset()
	if err := r.enc.Encode(r.wireOf(it)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(r.buf.Bytes(), []byte("\n")), nil
}

// wireOf returns what is encoded of an item.
func (r *batchRun[T]) wireOf(it *T) any {
	if r.spec.wire != nil {
		return r.spec.wire(it)
	}
	return it
}

func (r *batchRun[T]) hasKey(k string) bool {
	_, ok := r.keys[k]
	return k != "" && ok
}

// newChunk returns an empty chunk, its slices sized for a batch, or for
// what a slice input has left.
func (r *batchRun[T]) newChunk() *chunk[T] {
	if n := len(r.free); n > 0 {
		c := r.free[n-1]
		r.free = r.free[:n-1]
		return c
	}
	n := 0 // a stream's chunk grows with the items put in it
	if r.known >= 0 {
		n = max(0, min(r.size, r.known-r.next+1))
	}
	return &chunk[T]{outs: make([]Outcome[T], 0, n), pos: make([]int, 0, n), marks: make([]seen.Ref, 0, n)}
}

// cut closes the current chunk: it waits for room in the window, then
// hands the chunk to a worker, holds it, or settles it at once when there
// is nothing to send or the run has stopped. It returns false once the
// consumer has stopped.
func (r *batchRun[T]) cut() bool {
	c := r.cur
	r.cur = nil
	clear(r.keys)
	if c == nil || len(c.outs) == 0 {
		return true
	}
	if len(c.pos) > 0 {
		c.body = append(c.body, r.spec.frames[r.kind].tail...)
	}
	// Nothing is sent before the journal's items are all checked: the
	// window grows meanwhile.
	for len(r.held) == 0 && len(r.queue) >= r.window {
		if !r.awaitOne() {
			return false
		}
	}
	c.seq = r.cuts
	r.cuts++
	r.queue = append(r.queue, c)
	r.halted()
	if r.next >= r.frontier {
		r.readJournalBack(c)
		r.launchHeld()
	}
	switch st := r.stopped.Load(); {
	case len(c.pos) == 0 && len(c.unsettled) == 0:
		if st == nil {
			if err := r.recordSkipped(c); err != nil {
				r.stop(err)
			}
		}
		c.done = true
	case st != nil:
		settleStopped(c, st)
		c.done = true
	case r.next < r.frontier:
		r.held = append(r.held, c)
	default:
		r.launch(c)
	}
	return r.emitDone()
}

// emitDone takes in the batches that have come back meanwhile, without
// waiting, and emits what is then ready. It returns false once the
// consumer has stopped.
func (r *batchRun[T]) emitDone() bool {
	for {
		select {
		case d := <-r.results: // nil before the first dispatch
			d.done = true
		default:
			return r.emitReady()
		}
	}
}

// launch records c's batch in the journal and hands it to a worker, or
// settles it if the run has stopped.
func (r *batchRun[T]) launch(c *chunk[T]) {
	if r.allReadBack(c) {
		return
	}
	if r.stopped.Load() == nil {
		if err := r.recordBatch(c); err != nil {
			r.stop(err)
		}
	}
	if st := r.stopped.Load(); st != nil {
		settleStopped(c, st)
		c.done = true
		return
	}
	c.batchNo = r.batches
	r.batches++
	r.event(c, batchCut, nil, nil)
	if r.jobs == nil {
		// Neither channel can fill: no more chunks exist than the window.
		n := max(len(r.queue), r.window)
		r.jobs, r.results = make(chan *chunk[T], n), make(chan *chunk[T], n)
	}
	if r.workers < r.set.concurrency {
		r.workers++
		r.wg.Add(1)
		go r.work()
	}
	r.jobs <- c
}

// launchHeld launches the chunks held while the journal's items were read.
func (r *batchRun[T]) launchHeld() {
	r.readJournalBack(nil)
	for _, c := range r.held {
		r.launch(c)
	}
	r.held = nil
}

// release launches the held chunks and emits what is then ready. It
// returns false once the consumer has stopped.
func (r *batchRun[T]) release() bool {
	r.launchHeld()
	return r.emitReady()
}

// awaitOne waits for one batch to come back and emits what is then ready.
// Only called while a chunk is queued: one not done is one a worker holds.
func (r *batchRun[T]) awaitOne() bool {
	c := <-r.results
	c.done = true
	return r.emitReady()
}

// work sends chunks until the jobs channel closes.
func (r *batchRun[T]) work() {
	defer r.wg.Done()
	for c := range r.jobs {
		// sendCtx ended with ctx live: the consumer left.
		gone := r.sendCtx.Err() != nil
		if r.stopped.Load() == nil && r.ctx.Err() != nil {
			r.stop(r.ctx.Err())
		} else if gone {
			r.stop(errConsumerLeft)
		}
		if st := r.stopped.Load(); st != nil {
			settleStopped(c, st)
			r.recordUnsent(c)
			r.event(c, batchAnswered, new(Response), st)
		} else if r.send(c); c.err != nil {
			if r.ctx.Err() != nil {
				r.stop(r.ctx.Err())
			} else if r.stopsRun(c.err) {
				r.stop(c.err)
			}
		}
		c.body = nil
		r.results <- c
	}
}

// send sends c's batch through the client and settles its items.
func (r *batchRun[T]) send(c *chunk[T]) {
	c.out = slices.Grow(c.out[:0], len(c.pos))[:len(c.pos)]
	clear(c.out)
	if err := r.syncBatch(c); err != nil {
		r.stop(err)
		settleStopped(c, r.stopped.Load())
		r.event(c, batchAnswered, new(Response), r.stopped.Load())
		return
	}
	r.event(c, batchSent, nil, nil)
	meta, err := r.spec.send(r.sendCtx, c.body, c.item, c.out)
	r.event(c, batchAnswered, meta, err)
	r.settle(c, meta, err)
	r.recordAnswer(c, meta, err)
}

// item returns item i of c's batch.
func (c *chunk[T]) item(i int) *T { return &c.outs[c.pos[i]].Item }

// settle fills the outcomes of c's batch from its answer, or its failure.
func (r *batchRun[T]) settle(c *chunk[T], meta *Response, err error) {
	attempts := meta.Attempts
	if err != nil {
		c.err = err
		state, msg := failedState(err, r.sendCtx.Err() != nil)
		for _, p := range c.pos {
			o := &c.outs[p]
			o.State, o.Message, o.Err, o.Attempts = state, msg, err, attempts
		}
		return
	}
	for i, v := range c.out {
		again := len(c.prior) > 0 && c.prior[i]
		if v.state == StateFailed && (again || attempts > 1) && r.spec.alreadyThere(v.message) {
			if again {
				v.state, v.message = StateUnknown, sentBefore(v.message)
			} else {
				v.state, v.message = StateUnknown, doneEarlier(v.message, attempts)
			}
		}
		o := &c.outs[c.pos[i]]
		o.State, o.Message, o.UserID, o.Attempts = v.state, v.message, v.userID, attempts
	}
}

// doneEarlier is the message of an item refused as already there by a
// request that took attempts attempts.
func doneEarlier(msg string, attempts int) string {
	return fmt.Sprintf("%s (the request took %d attempts, and an earlier one may have done this item)", msg, attempts)
}

// event tells the events hook, if any, of a step of c's batch.
func (r *batchRun[T]) event(c *chunk[T], kind batchEventKind, meta *Response, err error) {
	if r.set.events == nil {
		return
	}
	ev := batchEvent{Kind: kind, Batch: c.batchNo, Indexes: make([]int, len(c.pos)), Err: err}
	if r.keyFn != nil {
		ev.Keys = make([]string, len(c.pos))
	}
	for i, p := range c.pos {
		ev.Indexes[i] = c.outs[p].Index
		if ev.Keys != nil {
			ev.Keys[i] = c.outs[p].Key
		}
	}
	if meta != nil {
		// An event is for logs: no body, which holds people's addresses.
		m := *meta
		m.Body = nil
		ev.Response = &m
	}
	r.set.events(ev)
}

// settleStopped marks c's batch not sent, because the run stopped.
func settleStopped[T any](c *chunk[T], err *stoppedError) {
	for _, p := range c.pos {
		o := &c.outs[p]
		o.State, o.Err = StateNotSent, err
	}
}

func (r *batchRun[T]) report() {
	r.reported = true
	if r.set.progress != nil {
		r.set.progress(r.progress)
	}
}

// emitReady emits the finished chunks at the head of the queue, in order,
// and reports progress after each. It returns false once the consumer has
// stopped.
func (r *batchRun[T]) emitReady() bool {
	for len(r.queue) > 0 && r.queue[0].done {
		c := r.queue[0]
		r.queue[0] = nil
		r.queue = r.queue[1:]
		for i := range c.outs {
			o := &c.outs[i]
			if c.marks[i].Valid() {
				settleSeen(r.spec.op, o, c.marks[i])
			}
			if !r.deliver(o) {
				return false
			}
		}
		r.report()
		r.recycle(c)
	}
	return true
}

// recycle keeps an emitted chunk's storage for a later chunk. Its old items
// are not cleared: they are overwritten, and the free list ends with the run.
func (r *batchRun[T]) recycle(c *chunk[T]) {
	*c = chunk[T]{outs: c.outs[:0], pos: c.pos[:0], marks: c.marks[:0], out: c.out[:0]}
	r.free = append(r.free, c)
}
