package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/onboardkit/onboard/internal/journal"
	"github.com/onboardkit/onboard/internal/validate"
)

// This file is the batch engine behind every ...All and ...Seq method: it
// checks each item alone, cuts the items into batches the endpoint accepts,
// sends up to N batches at once through the client's one pipeline, and hands
// back one Outcome per item in input order.
//
// Shape of a run: the caller's goroutine reads the input, checks and
// encodes items, cuts chunks, puts them in a reorder window and emits
// finished chunks in order; up to Concurrency worker goroutines send
// chunks. A chunk is a run of consecutive input items: the valid ones (its
// batch, at most the batch size, no key repeated) and any invalid ones
// between them. At most window (2 × concurrency) chunks exist between being
// cut and being emitted, so memory stays bounded whatever the input's
// length (but for a run that resumes from a journal, which holds what it
// is to send until it has checked every item the journal records: see
// growRing); a chunk's slices grow with the items put in it, not with the
// batch size asked for.

// The engine-backed bulk methods: any number of items, cut into batches the
// endpoint accepts, sent with bounded concurrency through the same pipeline
// and endpoints as the one-request methods, one Outcome per item in input
// order. Each comes as ...All (a slice in, a *BulkReport out) and ...Seq (an
// iter.Seq in, outcomes streamed with bounded memory).
//
// The client's retry policy and rate limiter apply to every batch. To keep
// within AthenaHQ's 60 requests a minute, give its client
// WithRateLimiter(rate.NewLimiter(rate.Every(AthenaHQRequestInterval), 1)),
// which lets at most 55 requests into any 60-second window (see
// WithRateLimiter for the arithmetic; one a second would let 61 in). The
// limiter is waited on before every attempt, retries included, so a run of
// any concurrency stays within it, and one limiter shared by several
// clients keeps them all within one quota.
//
// Each outcome says how many attempts its request took (Outcome.Attempts).
// After a retry, a refusal that says the item is already there may be the
// work of the request's own earlier attempt, so it is StateUnknown, not
// StateFailed.
//
// Each item is sent once: an item that repeats an earlier one of the run
// is reported with that item's state and Outcome.DuplicateOf, not sent
// (see WithSendDuplicates). WithKeys carries the caller's own key for each
// item to its outcome. A run given a journal (WithJournal) can be resumed
// after a crash without losing an item or sending an answered one again
// (see Journal). WithBatchEvents reports each batch as it is cut, sent and
// answered.
//
// A ...Seq run that stops early (the context ends, a 401 or 403,
// WithStopOnBatchFailure, invalid options) reads no more of its input: the
// caller gets the outcomes of the items read so far, in order, the last of
// them a valid item not sent with an error matching ErrStopped, and the
// items after it are never read. An invalid item is reported invalid
// whatever stopped the run, and whenever.

// Outcome is what became of one item of a bulk run.
type Outcome[T any] struct {
	// Index is the item's position in the input, from 0.
	Index int
	// Item is the item as given.
	Item T
	// State is StateSucceeded, StateFailed, StateUnknown or StateNotSent.
	State State
	// Message is the server's words for this item: its success message,
	// its reason for a failure ("Email already exists"), or why the
	// answer could not be tied to the item.
	Message string
	// UserID is the id the server gave the person, when it gives one
	// (AthenaHQ's user_id).
	UserID string
	// Attempts is how many attempts the request that carried this item
	// took, retries included; 0 for an item that was never sent.
	//
	// When it is more than 1, an earlier attempt may have been done by the
	// server although its answer was lost (a 503, even one with
	// Retry-After, can come after the work). A refusal that says the item
	// is already there ("Email already exists", "already associated with
	// workspace", "already a member of this website") may then be this
	// run's own work, so such an item is StateUnknown rather than
	// StateFailed, with the server's words in Message. It is not
	// StateSucceeded either: the item may have been there before the run.
	Attempts int
	// Err says why an item was not sent: an *APIError for a batch the
	// server rejected whole, a *RequestError for a transport failure or
	// the context ending before an answer came, a *ValidationError for an
	// invalid item or one that cannot be encoded as JSON, and an error
	// matching ErrStopped (wrapping what stopped the run) for an item left
	// unsent after the run stopped. For an unknown item whose batch was
	// answered with a body that could not be read, it is that *APIError;
	// for one whose request was on its way when the run stopped, the
	// *RequestError (matching context.Canceled, say). Otherwise it is nil.
	//
	// A batch that failed with a 5xx status or a connection that broke
	// after the request went out may still have been done by the server;
	// sending such items again may give failures like "Email already
	// exists" rather than duplicates. An answer that arrived is always
	// used, even if the context ended just after it came.
	Err error
	// Key is the caller's key for the item, from WithKeys; "" without it.
	Key string
	// DuplicateOf is, for an item that repeats an earlier item of the run
	// and was not sent, the earlier item's Index; nil otherwise. Such an
	// item has the earlier item's State, Attempts 0, a Message naming the
	// earlier item, and, when that one was not sent, an Err matching
	// ErrDuplicate. See WithSendDuplicates.
	DuplicateOf *int
	// Replayed reports that the outcome was read from the run's journal:
	// an earlier run sent the item, and this run did not send it again
	// (see Journal).
	Replayed bool
}

// BulkReport holds one Outcome per input item, in input order.
type BulkReport[T any] struct {
	// Outcomes holds one entry per item; Outcomes[i].Index == i.
	Outcomes []Outcome[T]
}

// Succeeded returns the outcomes of the items the server did.
func (r *BulkReport[T]) Succeeded() []Outcome[T] { return r.inState(StateSucceeded) }

// Failed returns the outcomes of the items the server refused, each with
// the server's reason in Message.
func (r *BulkReport[T]) Failed() []Outcome[T] { return r.inState(StateFailed) }

// NotSent returns the outcomes of the items that got no answer of their own,
// each with the reason in Err.
func (r *BulkReport[T]) NotSent() []Outcome[T] { return r.inState(StateNotSent) }

// Unknown returns the outcomes of the items whose answer could not be tied
// to them for certain; check these before sending them again.
func (r *BulkReport[T]) Unknown() []Outcome[T] { return r.inState(StateUnknown) }

func (r *BulkReport[T]) inState(s State) []Outcome[T] {
	return filter(r.Outcomes, func(o Outcome[T]) bool { return o.State == s })
}

// Items returns the items whose outcome is in one of states, in input
// order, or every item when no state is given. Items(StateFailed,
// StateNotSent) can be passed straight back in to try again.
func (r *BulkReport[T]) Items(states ...State) []T {
	var out []T
	for _, o := range r.Outcomes {
		if len(states) == 0 || slices.Contains(states, o.State) {
			out = append(out, o.Item)
		}
	}
	return out
}

// Counts returns how many outcomes are in each state; Total and Done are
// both the number of outcomes.
func (r *BulkReport[T]) Counts() Progress {
	var p Progress
	for _, o := range r.Outcomes {
		p.add(o.State)
	}
	p.Total = p.Done
	return p
}

// Progress counts the outcomes a bulk run has delivered so far: appended
// to the report of an ...All run, or yielded to the range loop of a ...Seq
// run. A program that saves its place on progress has seen every outcome
// it counts.
type Progress struct {
	// Total is the number of items, or -1 while it is unknown (an
	// iter.Seq input without WithTotal). The last report of a run has
	// Total == Done.
	Total int
	// Done is the number of outcomes delivered; it only grows.
	Done int
	// Succeeded, Failed, NotSent and Unknown split Done by state.
	Succeeded, Failed, NotSent, Unknown int
}

func (p *Progress) add(s State) {
	p.Done++
	switch s {
	case StateSucceeded:
		p.Succeeded++
	case StateFailed:
		p.Failed++
	case StateNotSent:
		p.NotSent++
	default:
		p.Unknown++
	}
}

// Defaults and ceilings of the bulk options.
const (
	// DefaultBatchSize is the batch size of Aptly and Royalti bulk runs.
	// AthenaHQ runs use MaxTargets.
	DefaultBatchSize = 100
	// MaxBatchSize is the largest batch of an Aptly or Royalti bulk run,
	// whose documents give no maximum; a larger WithBatchSize is lowered
	// to it. AthenaHQ's documented maximum is MaxTargets.
	MaxBatchSize = 1000
	// DefaultConcurrency is how many batches a bulk run has in flight.
	DefaultConcurrency = 4
	// MaxConcurrency is the most batches a bulk run has in flight; a
	// larger WithConcurrency is lowered to it. A rate limiter, not more
	// concurrency, is what keeps a run within a service's quota.
	MaxConcurrency = 64
)

// A BulkOption configures one bulk run (the ...All and ...Seq methods).
type BulkOption func(*bulkSettings)

type bulkSettings struct {
	batchSize      int // 0: the endpoint's default
	concurrency    int
	progress       func(Progress)
	total          int
	stopOnFail     bool
	events         func(BatchEvent)
	keys           any // a func(int, T) string from WithKeys
	journal        *Journal
	resendInFlight bool
	sendDuplicates bool
	problems       validate.Problems // bad options, reported before anything is sent
}

// WithBatchSize sets how many items go in one request. It is lowered to
// the endpoint's documented maximum (MaxTargets for AthenaHQ), or to
// MaxBatchSize where none is documented; below 1 it is an error, reported
// before anything is sent. The default is DefaultBatchSize for Aptly and
// Royalti and MaxTargets for AthenaHQ. Memory grows with the items a batch
// really holds, not with n.
func WithBatchSize(n int) BulkOption {
	return func(s *bulkSettings) {
		if n < 1 {
			s.problems.Add("WithBatchSize", "%d is less than 1", n)
			return
		}
		s.batchSize = min(n, MaxBatchSize)
	}
}

// WithConcurrency sets how many batches may be in flight at once; the
// default is DefaultConcurrency, and n is lowered to MaxConcurrency. Below
// 1 it is an error, reported before anything is sent. A rate limit given
// to the client with WithRateLimiter applies across all of them.
func WithConcurrency(n int) BulkOption {
	return func(s *bulkSettings) {
		if n < 1 {
			s.problems.Add("WithConcurrency", "%d is less than 1", n)
			return
		}
		s.concurrency = min(n, MaxConcurrency)
	}
}

// WithProgress makes the run call fn each time the outcomes of a batch
// have been delivered (appended to the report, or yielded to the range
// loop), and once more at the end if the last call did not have Total ==
// Done. fn is called on the goroutine that called the ...All method or
// ranges over the ...Seq result, never concurrently; Done only grows and
// never counts an outcome the caller has not yet been given. Keep fn
// quick: the run waits for it.
func WithProgress(fn func(Progress)) BulkOption {
	return func(s *bulkSettings) { s.progress = fn }
}

// WithTotal tells a ...Seq run how many items its input holds, for
// Progress.Total. A slice input knows its length, and this is ignored.
func WithTotal(n int) BulkOption {
	return func(s *bulkSettings) {
		if n < 0 {
			n = -1
		}
		s.total = n
	}
}

// WithStopOnBatchFailure stops the run after the first batch that got no
// per-item answer: rejected whole, failed in transport, or answered with a
// body that could not be read. Batches already in flight finish; every item
// not yet sent becomes StateNotSent with an error matching ErrStopped.
//
// Without it a run stops early only when the context ends or a batch is
// refused with 401 or 403 (ErrUnauthorized, ErrForbidden), which would
// refuse every batch; after any other failure it goes on.
func WithStopOnBatchFailure() BulkOption {
	return func(s *bulkSettings) { s.stopOnFail = true }
}

// WithBatchEvents makes the run call fn at each step of each batch: when
// the batch is cut (on the goroutine that runs the run, before the batch
// is handed to a worker), when its request is about to be sent, and when
// the request has ended (on the worker that sends it), before its
// outcomes are delivered. Every batch cut is answered: one the run stopped
// before sending gets BatchAnswered with an empty Response (no attempts)
// and an Err matching ErrStopped. Events of one batch come in that order; events
// of different batches may come at once from several goroutines, so fn
// must be safe for concurrent use. Keep fn quick: the batch waits for it.
func WithBatchEvents(fn func(BatchEvent)) BulkOption {
	return func(s *bulkSettings) { s.events = fn }
}

// BatchEventKind names a step in the life of a batch.
type BatchEventKind int

// The steps of a batch.
const (
	// BatchCut: the batch's items are chosen and its request encoded.
	BatchCut BatchEventKind = iota + 1
	// BatchSent: the request is about to be sent.
	BatchSent
	// BatchAnswered: the request has ended, with an answer or without.
	BatchAnswered
)

// String names the step.
func (k BatchEventKind) String() string {
	switch k {
	case BatchCut:
		return "cut"
	case BatchSent:
		return "sent"
	case BatchAnswered:
		return "answered"
	}
	return "BatchEventKind(" + itoa(int(k)) + ")"
}

// BatchEvent reports one step of one batch of a bulk run.
type BatchEvent struct {
	// Kind is the step.
	Kind BatchEventKind
	// Batch numbers the batch in the run, from 0, in the order cut.
	Batch int
	// Indexes are the input positions (Outcome.Index) of the items the
	// batch carries, in the order sent.
	Indexes []int
	// Keys are the caller's keys of those items (WithKeys), or nil.
	Keys []string
	// Response is the metadata of the batch's answer, for BatchAnswered
	// (status, headers, request id, rate-limit headers, attempts), without
	// its Body, which holds people's addresses; when no answer came it
	// holds only Attempts. It is never nil on BatchAnswered.
	Response *Response
	// Err is the batch's failure, for BatchAnswered: an *APIError or a
	// *RequestError, or nil when the batch was answered item by item.
	Err error
}

// ErrStopped matches the error of an item a bulk run did not send because
// the run had stopped: the context ended, a batch was refused with 401 or
// 403, WithStopOnBatchFailure saw a batch fail, or the options or the
// request's shared fields were invalid. errors.Is and errors.As also reach
// the error that stopped the run.
var ErrStopped = errors.New("onboard: bulk run stopped")

type stoppedError struct {
	op    string
	cause error
}

func (e *stoppedError) Error() string {
	return fmt.Sprintf("onboard: %s: not sent, the run stopped: %v", e.op, e.cause)
}

func (e *stoppedError) Unwrap() error { return e.cause }

func (e *stoppedError) Is(target error) bool { return target == ErrStopped }

// errConsumerLeft stops a ...Seq run whose range loop has ended.
var errConsumerLeft = errors.New("the range loop over the outcomes ended")

// verdict is what an answer says about one sent item.
type verdict struct {
	state           State
	message, userID string
}

// batchSpec describes one bulk endpoint to the engine.
type batchSpec[T any] struct {
	op          string // the public method, for errors: "Invites.SendBulkAll"
	defaultSize int
	maxSize     int   // the documented maximum; 0 for none (MaxBatchSize)
	precheck    error // a *ValidationError for the run's shared fields, or nil
	// prefix names item i in problems: "users[3]." or "website_ids[3]".
	prefix func(i int) string
	// check records the problems of one item under prefix.
	check func(p *validate.Problems, prefix string, item *T)
	// keys returns up to two keys of an item ("" for none); an item whose
	// key is already in the batch starts a new batch, so that the answer
	// can be tied to each item for certain.
	keys func(item *T) (string, string)
	// frames frame a batch's request body, one per kind of item (see
	// newFrame): the items go between head and tail, each encoded as JSON
	// when it is added to the batch, so that an item that cannot be
	// encoded is reported alone and every item is encoded once.
	frames []bodyFrame
	// kind returns the index in frames of an item's kind, for endpoints
	// whose batches hold one kind of item (AthenaHQ websites or groups);
	// a change of kind starts a new batch. nil means one kind, 0.
	kind func(item *T) int
	// wire returns what is encoded of an item; nil means the item itself.
	wire func(item *T) any
	// alreadyThere reports whether the server's refusal of one item says
	// it is already there ("Email already exists").
	alreadyThere func(msg string) bool
	// target names the endpoint the batches go to, method and URL, for
	// the run's journal (see batchTarget).
	target string
	// send sends one batch, body being its request encoded, and fills out
	// (len(batch), zeroed: unknown) from the answer. It returns the
	// metadata of the answer, or of the last attempt's, when one came
	// (Attempts counts the attempts); an error means the batch got no
	// per-item answer.
	send func(ctx context.Context, body encodedBody, batch []T, out []verdict) (*Response, error)
}

// bodyFrame is a batch request's body around its item list.
type bodyFrame struct{ head, tail []byte }

// newFrame splits the JSON encoding of wire around its item list: wire is a
// request whose list field, named key, is encoded last and holds the raw
// JSON "[]". The head ends with `"key":[`, the tail begins with `]`; a
// batch's body is the head, its items separated by commas, and the tail.
// Encoded last, the list's key is the last match in the text, and a string
// value cannot hold it unescaped.
func newFrame(op string, wire any, key string) (bodyFrame, error) {
	b, err := json.Marshal(wire)
	if err != nil {
		return bodyFrame{}, fmt.Errorf("onboard: %s: encoding the request's shared fields: %w", op, err)
	}
	i := bytes.LastIndex(b, []byte(`"`+key+`":[]`))
	if i < 0 {
		return bodyFrame{}, fmt.Errorf("onboard: %s: the request encodes without its %q list", op, key)
	}
	cut := i + len(key) + 4 // past `"key":[`
	return bodyFrame{head: b[:cut], tail: b[cut:]}, nil
}

// checkTemplate checks the request that a bulk run's batches share: it
// must be given, and its item list (named list) must be empty, since the
// items are passed on their own. It reports whether req can be used.
func checkTemplate[R any](p *validate.Problems, req *R, list string, hasItems bool) bool {
	switch {
	case req == nil:
		p.Add("request", "is nil; pass the fields every batch shares")
		return false
	case hasItems:
		p.Add(list, "must be empty in the request; pass the items as the bulk method's own argument")
	}
	return true
}

// verdictOf is the verdict of a per-item result that says success or not.
func verdictOf(success bool, message, userID string) verdict {
	if success {
		return verdict{state: StateSucceeded, message: message, userID: userID}
	}
	return verdict{state: StateFailed, message: message, userID: userID}
}

// sendBatch sends one batch's encoded body to ep through c's pipeline,
// decoding the answer into res, and returns the metadata of the answer or
// of the last attempt's. Attempts is set even when no answer came.
func sendBatch(ctx context.Context, c *client, ep endpoint, body encodedBody, res any) (*Response, error) {
	meta := new(Response)
	err := c.call(ctx, ep, nil, body, res, []CallOption{WithResponse(meta)})
	var reqErr *RequestError
	if meta.Attempts == 0 && errors.As(err, &reqErr) {
		meta.Attempts = reqErr.Attempts
	}
	return meta, err
}

// chunk is a run of consecutive input items: the valid ones, sent together
// as one batch, and any invalid ones among them.
type chunk[T any] struct {
	seq     int          // in the order cut, invalid-only chunks included
	batchNo int          // in the order dispatched: BatchEvent.Batch
	outs    []Outcome[T] // one per input item, in order
	batch   []T          // the valid items
	pos     []int        // pos[i] is the index in outs of batch[i]
	// body is the batch's request, whole once the chunk is cut; dropped
	// once the chunk is sent.
	body encodedBody
	out  []verdict // filled by send
	err  error     // the batch's failure, if it got no per-item answer
	done bool      // every outcome is settled
	// marks are the items' entries in the run's seenSet, in outs order;
	// empty under WithSendDuplicates.
	marks []seenMark
	// hashes and prior, for a run with a journal, hold for each item of
	// batch its hash and whether an earlier run sent it without an
	// answer that settled it; recorded is the journal's length once the
	// batch's record is written, 0 before.
	hashes   []uint64
	prior    []bool
	recorded int64
	// skipped holds the items of outs the run does not send, repeats and
	// invalid ones, that the journal has no record of yet.
	skipped journal.Skipped
}

// seenMark is the entry in the run's seenSet of the keys of the item at
// outs[pos]: its own, or that of the earlier item it repeats.
type seenMark struct {
	pos int
	ref seenRef
}

// bodyBuffer collects the request body of the chunk being filled; the
// run's JSON encoder writes each item into it.
type bodyBuffer struct{ b []byte }

func (w *bodyBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// batchRun is the state of one run. Fields other than stopped, jobs and
// results belong to the caller's goroutine; a chunk belongs to whoever last
// took it from a channel.
type batchRun[T any] struct {
	spec *batchSpec[T]
	set  bulkSettings
	ctx  context.Context // the caller's: its end stops the run
	done <-chan struct{} // ctx.Done()
	// sendCtx is ctx, also cancelled when the consumer stops ranging, so
	// that requests in flight end at once.
	sendCtx context.Context
	cancel  context.CancelFunc
	emit    func(Outcome[T]) bool

	size, maxItems, window int
	known                  int // the input's length for a slice, or -1

	next    int       // index of the next input item
	cur     *chunk[T] // the chunk being filled
	keys    map[string]struct{}
	kind    int // the kind of cur's batch, an index in spec.frames
	scratch T   // the item being added, for the spec's functions
	// problems are the item being added's, kept here so that they do not
	// escape to the heap once per input item.
	problems validate.Problems
	// body is the request body of cur's batch, built as items are added
	// (enc writes into it) and copied out when the chunk is cut, so that
	// its storage serves every batch of the run.
	body bodyBuffer
	enc  *json.Encoder

	ring    []*chunk[T] // cut, not yet emitted chunks, by seq % len(ring)
	seqNext int         // seq of the next chunk cut
	batches int         // batches dispatched so far, for BatchEvent.Batch
	seqEmit int         // seq of the next chunk to emit
	pending int         // chunks cut and not yet emitted
	free    []*chunk[T] // emitted chunks, for reuse

	jobs, results chan *chunk[T]
	workers       int
	wg            sync.WaitGroup

	// stopped holds what stopped the run, once something has; the first
	// to stop it wins. Workers set it too, so that a batch still queued
	// is not sent after one that stops the run.
	stopped atomic.Pointer[stoppedError]

	progress Progress
	reported bool // progress has been called at least once

	keyFn func(int, T) string // from WithKeys, or nil
	seen  *seenSet            // the items sent, for repeats; nil under WithSendDuplicates
	jr    *journalRun         // the run's journal, or nil
	// frontier is where the journal's items end. Until the input has been
	// read that far, and each recorded item checked against its record,
	// cut chunks are held rather than sent (see cut and release), so that
	// a changed input is refused before anything is sent.
	frontier int
	held     []*chunk[T]
	jbuf     bodyBuffer // jenc encodes recorded items into it, to hash them
	jenc     *json.Encoder
}

// runBatches runs spec over input, calling emit with each outcome in input
// order until emit returns false. total is the input's length, or -1 for
// a stream: a stream is read no further once the run has stopped, while a
// slice (total >= 0) gets an outcome for every item. It returns what
// stopped the run early, or nil.
func runBatches[T any](ctx context.Context, spec *batchSpec[T], opts []BulkOption, total int, input iter.Seq[T], emit func(Outcome[T]) bool) error {
	r := &batchRun[T]{spec: spec, ctx: ctx, done: ctx.Done(), emit: emit, known: total}
	r.set.total = -1
	for _, o := range opts {
		if o != nil {
			o(&r.set)
		}
	}
	if total >= 0 {
		r.set.total = total
	}
	r.size = min(orDefault(r.set.batchSize, spec.defaultSize), orDefault(spec.maxSize, MaxBatchSize))
	// A chunk also holds the invalid items among its batch; bound them.
	r.maxItems = 2 * r.size
	r.set.concurrency = min(orDefault(r.set.concurrency, DefaultConcurrency), MaxConcurrency)
	r.window = 2 * r.set.concurrency
	r.ring = make([]*chunk[T], r.window)
	r.keys = make(map[string]struct{})
	r.enc = json.NewEncoder(&r.body)
	r.progress.Total = r.set.total

	r.keyFn = r.keyFunc()
	if !r.set.sendDuplicates && spec.keys != nil {
		r.seen = newSeenSet()
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

	if !r.readAll(input, total < 0) || !r.cut() || !r.endInput() {
		return nil // the consumer stopped ranging
	}
	for r.pending > 0 {
		if !r.awaitOne() {
			return nil
		}
	}
	var zero T
	r.scratch = zero
	if !r.reported || r.progress.Total != r.progress.Done {
		r.progress.Total = r.progress.Done
		r.report()
	}
	r.syncJournal()
	return r.stopErr()
}

// readAll adds the input's items. A stream stops being read once the run
// has stopped: the first valid item read then is reported not sent, with
// the error that stopped the run, and no later item is read. An invalid
// item is reported invalid whenever it is read, the stop's timing
// notwithstanding. It returns false once the consumer has stopped.
func (r *batchRun[T]) readAll(input iter.Seq[T], stream bool) bool {
	if input == nil {
		return true
	}
	for item := range input {
		if stream && r.halted() && r.valid(item) {
			r.addStopped(item)
			return true
		}
		if !r.add(item) {
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
	if r.stopped.Load() != nil {
		return true
	}
	select {
	case <-r.done: // nil, so never ready, for a context that cannot end
		r.stop(r.ctx.Err())
		return true
	default:
		return false
	}
}

// orDefault returns v, or def when v is unset.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// shutdown ends the workers: it cancels any request in flight (a no-op
// after a complete run) and waits for them to return.
func (r *batchRun[T]) shutdown() {
	r.cancel()
	if r.jobs != nil {
		close(r.jobs)
	}
	r.wg.Wait()
	r.jr.stopSyncing()
}

// stop records what stopped the run, unless something already has; items
// not yet sent get an error matching ErrStopped that wraps it (r.stopped).
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
// fail every batch (401, 403), or any under WithStopOnBatchFailure.
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
	key := ""
	if r.keyFn != nil {
		key = r.keyFn(idx, item)
	}
	// The spec's functions see the item through r.scratch, so that item
	// itself does not escape to the heap once per input item.
	r.scratch = item
	it := &r.scratch
	if p := r.check(idx, it); p != nil {
		r.skipInvalid(idx, it)
		return r.addInvalid(Outcome[T]{Index: idx, Item: item, Key: key}, p)
	}

	k := r.identify(it)
	prior := false
	if rec, ok := r.checkRecord(idx, it, k.kind); ok {
		out := Outcome[T]{Index: idx, Item: item, Key: key}
		var settled bool
		if settled, prior = r.fromJournal(&out, it, rec, k.kind); settled {
			return r.addSettled(out, &k)
		}
	}
	if k.known {
		r.skip(idx, it, k.kind, journal.Repeat)
		of := k.ref.index()
		return r.addSettled(Outcome[T]{Index: idx, Item: item, Key: key, DuplicateOf: &of}, &k)
	}
	return r.addToBatch(item, idx, key, &k, prior)
}

// valid reports whether item, the next input item, has no problems.
func (r *batchRun[T]) valid(item T) bool {
	r.scratch = item
	return r.check(r.next, &r.scratch) == nil
}

// check returns the problems of the item at idx, or nil. It checks with an
// empty prefix first, so a valid item costs no path strings, and names
// the item only when there is something to report. validationError copies
// the problems, so they can be reset for the next item.
func (r *batchRun[T]) check(idx int, it *T) *validate.Problems {
	p := &r.problems
	*p = validate.Problems{}
	r.spec.check(p, "", it)
	if p.Empty() {
		return nil
	}
	*p = validate.Problems{}
	r.spec.check(p, r.spec.prefix(idx), it)
	return p
}

// itemKeys is what tells a valid item apart: its keys, its kind, and the
// fingerprint of its keys with what the run knows of it.
type itemKeys struct {
	k1, k2 string
	kind   int
	fp     uint64
	ref    seenRef // the entry of fp, when known
	known  bool    // an earlier item has fp
	slot   uint64  // where fp goes, when not known
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
		k.fp = r.seen.fingerprint(k.k1, k.k2)
		k.ref, k.known, k.slot = r.seen.lookup(k.fp)
	}
	return k
}

// addToBatch puts a valid item in the batch of the current chunk, cutting
// the chunk first if the item cannot join its batch (a key already in it,
// another kind). prior says an earlier run sent the item without an
// answer that settles it. It returns false once the consumer has stopped.
func (r *batchRun[T]) addToBatch(item T, idx int, key string, k *itemKeys, prior bool) bool {
	// With the run's repeats not sent, an item of one key cannot meet its
	// key in the batch: only two keys (Royalti's name and email) need the
	// batch's set of keys.
	useKeys := r.seen == nil || k.k2 != ""
	if useKeys && (r.hasKey(k.k1) || r.hasKey(k.k2)) || len(r.cur.batch) > 0 && k.kind != r.kind {
		if !r.cut() {
			return false
		}
		r.cur = r.newChunk()
	}
	r.kind = k.kind
	start, err := r.encode(&r.scratch)
	if err != nil {
		p := &r.problems
		*p = validate.Problems{}
		p.Add(strings.TrimSuffix(r.spec.prefix(idx), "."), "cannot be encoded as JSON: %v", err)
		return r.addInvalid(Outcome[T]{Index: idx, Item: item, Key: key}, p)
	}
	if useKeys && k.k1 != "" {
		r.keys[k.k1] = struct{}{}
	}
	if useKeys && k.k2 != "" {
		r.keys[k.k2] = struct{}{}
	}
	c := r.cur
	if r.seen != nil {
		c.marks = append(c.marks, seenMark{pos: len(c.outs), ref: r.seen.insert(k.fp, idx, k.slot)})
	}
	if r.jr != nil {
		c.hashes = append(c.hashes, hashItem(k.kind, r.body.b[start:]))
		c.prior = append(c.prior, prior)
	}
	c.pos = append(c.pos, len(c.outs))
	c.outs = append(c.outs, Outcome[T]{Index: idx, Item: item, Key: key})
	c.batch = append(c.batch, item)
	if len(c.batch) >= r.size || len(c.outs) >= r.maxItems {
		return r.cut()
	}
	return true
}

// addSettled puts an item whose outcome is known without sending it (from
// the journal, or a repeat settled when it is emitted) in the current
// chunk. It returns false once the consumer has stopped.
func (r *batchRun[T]) addSettled(out Outcome[T], k *itemKeys) bool {
	c := r.cur
	if r.seen != nil {
		ref := k.ref
		if !k.known {
			ref = r.seen.insert(k.fp, out.Index, k.slot)
		}
		c.marks = append(c.marks, seenMark{pos: len(c.outs), ref: ref})
	}
	c.outs = append(c.outs, out)
	if len(c.outs) >= r.maxItems {
		return r.cut()
	}
	return true
}

// addInvalid puts an item that is not sent, for the problems in p, in the
// current chunk. It returns false once the consumer has stopped.
func (r *batchRun[T]) addInvalid(out Outcome[T], p *validate.Problems) bool {
	out.State, out.Err = StateNotSent, validationError(r.spec.op, p)
	r.cur.outs = append(r.cur.outs, out)
	if len(r.cur.outs) >= r.maxItems {
		return r.cut()
	}
	return true
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
	r.next++
}

// encode appends the item's JSON to the current batch's body, after the
// body's head or a comma, and returns where in the body the item's JSON
// starts. An item that cannot be encoded leaves the body as it was.
func (r *batchRun[T]) encode(it *T) (int, error) {
	w := &r.body
	mark := len(w.b)
	if mark == 0 {
		w.b = append(w.b, r.spec.frames[r.kind].head...)
	} else {
		w.b = append(w.b, ',')
	}
	start := len(w.b)
	if err := r.enc.Encode(r.wireOf(it)); err != nil {
		w.b = w.b[:mark]
		return 0, err
	}
	w.b = w.b[:len(w.b)-1] // the newline Encode ends with
	return start, nil
}

// wireOf returns what is encoded of an item.
func (r *batchRun[T]) wireOf(it *T) any {
	if r.spec.wire != nil {
		return r.spec.wire(it)
	}
	return it
}

func (r *batchRun[T]) hasKey(k string) bool {
	if k == "" {
		return false
	}
	_, ok := r.keys[k]
	return ok
}

// cut closes the current chunk: it waits for room in the window, then
// sends the chunk to a worker, or settles it at once when there is nothing
// to send or the run has stopped. It returns false once the consumer has
// stopped.
func (r *batchRun[T]) cut() bool {
	c := r.cur
	r.cur = nil
	clear(r.keys)
	if c != nil && len(c.batch) > 0 {
		// A copy goes with the chunk, since the transport may read a body
		// after the call that sent it returned.
		b := r.body.b
		tail := r.spec.frames[r.kind].tail
		c.body = append(append(make(encodedBody, 0, len(b)+len(tail)), b...), tail...)
	}
	r.body.b = r.body.b[:0]
	if c == nil || len(c.outs) == 0 {
		if c != nil {
			r.free = append(r.free, c)
		}
		return true
	}
	if len(r.held) > 0 {
		// Nothing is sent before the journal's items are all checked:
		// the window grows instead (see growRing).
		if r.pending == len(r.ring) {
			r.growRing()
		}
	} else {
		for r.pending >= r.window {
			if !r.awaitOne() {
				return false
			}
		}
	}
	c.seq = r.seqNext
	r.seqNext++
	r.ring[c.seq%len(r.ring)] = c
	r.pending++

	if r.ctx.Err() != nil {
		r.stop(r.ctx.Err())
	}
	if r.next >= r.frontier {
		r.launchHeld() // the journal's items are all checked
	}
	switch {
	case len(c.batch) == 0:
		if r.stopped.Load() == nil {
			if err := r.recordSkipped(c); err != nil {
				r.stop(err)
			}
		}
		c.done = true
	case r.stopped.Load() != nil:
		settleStopped(c, r.stopped.Load())
		c.done = true
	case r.next < r.frontier:
		r.held = append(r.held, c)
	default:
		r.launch(c)
	}
	// Let the workers that have answers to read run first: the chunks cut
	// ahead are not needed yet, and when the cores are busy a request's
	// latency is what the run waits on.
	runtime.Gosched()
	// Take in whatever has finished meanwhile, so outcomes keep flowing.
	for drained := false; !drained; {
		select {
		case d := <-r.results: // nil, so never ready, before the first dispatch
			d.done = true
		default:
			drained = true
		}
	}
	return r.emitReady()
}

// launch hands c to a worker, its batch recorded in the journal, or
// settles it if the run has stopped.
func (r *batchRun[T]) launch(c *chunk[T]) {
	if st := r.stopped.Load(); st == nil {
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
	r.event(c, BatchCut, nil, nil)
	r.dispatch(c)
}

// launchHeld launches the chunks held while the journal's items were read.
func (r *batchRun[T]) launchHeld() {
	for _, c := range r.held {
		r.launch(c)
	}
	clear(r.held)
	r.held = r.held[:0]
}

// release launches the held chunks and emits what is then ready. It
// returns false once the consumer has stopped.
func (r *batchRun[T]) release() bool {
	r.launchHeld()
	return r.emitReady()
}

// dispatch hands c to a worker, starting one if fewer than Concurrency
// run. Neither channel can fill: at most len(ring) chunks exist, and the
// ring grows only before the first dispatch.
func (r *batchRun[T]) dispatch(c *chunk[T]) {
	if r.jobs == nil {
		r.jobs = make(chan *chunk[T], len(r.ring))
		r.results = make(chan *chunk[T], len(r.ring))
	}
	if r.workers < r.set.concurrency {
		r.workers++
		r.wg.Add(1)
		go r.work()
	}
	r.jobs <- c
}

// awaitOne waits for one batch to come back and emits what is then ready.
// Only called while a dispatched chunk is outstanding: a chunk not done is
// always one a worker holds or will hold.
func (r *batchRun[T]) awaitOne() bool {
	c := <-r.results
	c.done = true
	return r.emitReady()
}

// work sends chunks until the jobs channel closes.
func (r *batchRun[T]) work() {
	defer r.wg.Done()
	for c := range r.jobs {
		// Read sendCtx first: it is cancelled after ctx when ctx ends, so
		// gone with ctx still live means the consumer left.
		gone := r.sendCtx.Err() != nil
		switch {
		case r.stopped.Load() != nil:
			settleStopped(c, r.stopped.Load())
			r.recordUnsent(c)
			r.event(c, BatchAnswered, new(Response), r.stopped.Load())
		case r.ctx.Err() != nil:
			r.stop(r.ctx.Err())
			settleStopped(c, r.stopped.Load())
			r.recordUnsent(c)
			r.event(c, BatchAnswered, new(Response), r.stopped.Load())
		case gone:
			// The consumer has left; no one will read this chunk.
			r.stop(errConsumerLeft)
			r.recordUnsent(c)
			r.event(c, BatchAnswered, new(Response), r.stopped.Load())
		default:
			r.send(c)
			if c.err != nil {
				if r.ctx.Err() != nil {
					r.stop(r.ctx.Err())
				} else if r.stopsRun(c.err) {
					r.stop(c.err)
				}
			}
		}
		c.body = nil
		r.results <- c
	}
}

// send sends c's batch through the client and settles its items.
func (r *batchRun[T]) send(c *chunk[T]) {
	out := c.out[:0]
	if cap(out) < len(c.batch) {
		out = make([]verdict, 0, len(c.batch))
	}
	for range c.batch {
		out = append(out, verdict{})
	}
	c.out = out
	if err := r.syncBatch(c); err != nil {
		r.stop(err)
		settleStopped(c, r.stopped.Load())
		r.event(c, BatchAnswered, new(Response), r.stopped.Load())
		return
	}
	r.event(c, BatchSent, nil, nil)
	meta, err := r.spec.send(r.sendCtx, c.body, c.batch, out)
	r.event(c, BatchAnswered, meta, err)
	r.settle(c, meta, err)
	r.recordAnswer(c, meta, err)
}

// settle fills the outcomes of c's batch from its answer, or its failure.
func (r *batchRun[T]) settle(c *chunk[T], meta *Response, err error) {
	attempts := meta.Attempts
	if err != nil {
		c.err = err
		state, msg := StateNotSent, ""
		var reqErr *RequestError
		switch {
		case errors.Is(err, ErrUnexpectedResponse):
			// A 2xx whose body could not be read: the server may well
			// have done the work.
			state = StateUnknown
			msg = "the server answered with success but its answer could not be read, so this item may or may not have been done"
		case errors.As(err, &reqErr) && r.sendCtx.Err() != nil:
			// The run was stopped (the context ended, the consumer
			// left) while the request was with the transport: it may
			// have reached the server and been done.
			state = StateUnknown
			msg = "the run stopped while this item's request was on its way, so it may or may not have been done; check it before sending it again"
		}
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

// event tells the caller's WithBatchEvents function, if any, of a step of
// c's batch.
func (r *batchRun[T]) event(c *chunk[T], kind BatchEventKind, meta *Response, err error) {
	if r.set.events == nil {
		return
	}
	idx := make([]int, len(c.pos))
	var keys []string
	if r.keyFn != nil {
		keys = make([]string, len(c.pos))
	}
	for i, p := range c.pos {
		idx[i] = c.outs[p].Index
		if keys != nil {
			keys[i] = c.outs[p].Key
		}
	}
	if meta != nil {
		// The body of a success holds the people's addresses; an event is
		// for logs and meters. A failure's copy is in Err's *APIError.
		m := *meta
		m.Body = nil
		meta = &m
	}
	r.set.events(BatchEvent{Kind: kind, Batch: c.batchNo, Indexes: idx, Keys: keys, Response: meta, Err: err})
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

// emitReady emits the finished chunks at the head of the window, in order,
// and reports progress after each. It returns false once the consumer has
// stopped.
func (r *batchRun[T]) emitReady() bool {
	for r.pending > 0 {
		slot := r.seqEmit % len(r.ring)
		c := r.ring[slot]
		if c == nil || !c.done {
			return true
		}
		r.ring[slot] = nil
		r.seqEmit++
		r.pending--
		m := 0
		for i := range c.outs {
			if m < len(c.marks) && c.marks[m].pos == i {
				r.settleSeen(&c.outs[i], c.marks[m].ref)
				m++
			}
			if !r.emit(c.outs[i]) {
				return false
			}
			r.progress.add(c.outs[i].State)
		}
		r.report()
		r.recycle(c)
	}
	return true
}

// newChunk returns an empty chunk, reusing an emitted one when it can. A
// new chunk has room for the batch size, or for the items a slice has
// left from the one being added if fewer; for a stream, whose length is
// unknown, its slices start empty and grow with the items put in it.
func (r *batchRun[T]) newChunk() *chunk[T] {
	if n := len(r.free); n > 0 {
		c := r.free[n-1]
		r.free = r.free[:n-1]
		return c
	}
	n := 0
	if r.known >= 0 {
		n = max(0, min(r.size, r.known-r.next+1))
	}
	return &chunk[T]{
		outs:  make([]Outcome[T], 0, n),
		batch: make([]T, 0, n),
		pos:   make([]int, 0, n),
	}
}

// recycle clears an emitted chunk, dropping its references to the caller's
// items, and keeps it for reuse.
func (r *batchRun[T]) recycle(c *chunk[T]) {
	clear(c.outs)
	clear(c.batch)
	clear(c.out)
	*c = chunk[T]{outs: c.outs[:0], batch: c.batch[:0], pos: c.pos[:0], out: c.out[:0],
		marks: c.marks[:0], hashes: c.hashes[:0], prior: c.prior[:0],
		skipped: journal.Skipped{Index: c.skipped.Index[:0], Hash: c.skipped.Hash[:0], State: c.skipped.State[:0]}}
	r.free = append(r.free, c)
}

// collectBatches runs spec over a slice and gathers the report.
func collectBatches[T any](ctx context.Context, spec *batchSpec[T], items []T, opts []BulkOption) (*BulkReport[T], error) {
	rep := new(BulkReport[T])
	err := runBatches(ctx, spec, opts, len(items), slices.Values(items), func(o Outcome[T]) bool {
		if rep.Outcomes == nil {
			// Made with the first outcome, not before the first batches
			// go: a large report takes a while to allocate and clear.
			rep.Outcomes = make([]Outcome[T], 0, len(items))
		}
		rep.Outcomes = append(rep.Outcomes, o)
		return true
	})
	if rep.Outcomes == nil {
		rep.Outcomes = []Outcome[T]{}
	}
	return rep, err
}

// streamBatches runs spec over input as the consumer ranges. The sequence
// sends its items once: ranging over it again sends nothing, and reports
// the first item not sent, with an error saying why, reading no further.
func streamBatches[T any](ctx context.Context, spec *batchSpec[T], input iter.Seq[T], opts []BulkOption) iter.Seq[Outcome[T]] {
	var used atomic.Bool
	return func(yield func(Outcome[T]) bool) {
		s := spec
		if used.Swap(true) {
			again := *spec
			again.precheck = fmt.Errorf("onboard: %s: this sequence was already ranged over and sends nothing again; call %s again for a new run", spec.op, spec.op)
			s = &again
		}
		_ = runBatches(ctx, s, opts, -1, input, yield)
	}
}

// matchByKey ties per-item results to the n items of a batch by a key (an
// email, a target id), the batch's keys being unique, and fills out. Results
// usually come in the order sent, so position j is tried before a map is
// built. A result that names nothing sent is ignored; an item named twice,
// or not at all, is unknown: what names the key in the message.
func matchByKey[R any](out []verdict, batchKey func(i int) string, results []R, resultKey func(*R) string, set func(r *R) verdict, what string) {
	n := len(out)
	seen := make([]bool, n)
	var index map[string]int
	for j := range results {
		res := &results[j]
		k := resultKey(res)
		i := -1
		if j < n && batchKey(j) == k {
			i = j
		} else {
			if index == nil {
				index = make(map[string]int, n)
				for b := range n {
					index[batchKey(b)] = b
				}
			}
			if b, ok := index[k]; ok {
				i = b
			}
		}
		if i < 0 {
			continue
		}
		if seen[i] {
			out[i] = verdict{state: StateUnknown, message: "the answer has more than one result for this " + what}
			continue
		}
		seen[i] = true
		out[i] = set(res)
	}
	for i, ok := range seen {
		if !ok {
			out[i] = verdict{state: StateUnknown, message: "the answer has no result for this " + what}
		}
	}
}
