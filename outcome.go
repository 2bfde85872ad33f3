package onboard

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"

	"github.com/onboardkit/onboard/internal/validate"
)

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

// WithKeys gives each item of a bulk run the caller's own key: a CSV row
// number computed from index, a database id read from item. The run
// carries it to the item's Outcome.Key, to BatchEvent.Keys and to the
// run's journal, so that no map from index back to row is needed. T must
// be the run's item type (Invitee, WorkspaceUser or Target); any other is
// an error reported before anything is sent. key is called once per item,
// in input order, on the goroutine that runs the run.
//
// A journal keeps the keys, in plain text: choose keys that may be kept
// where the journal is.
func WithKeys[T any](key func(index int, item T) string) BulkOption {
	return func(s *bulkSettings) {
		if key == nil {
			s.problems.Add("WithKeys", "the key function is nil")
			return
		}
		s.keys = key
	}
}

// A bulk run sends each item once. An item that repeats an earlier item of
// the run (the same email for Aptly invites, the same name and email for
// Royalti users, the same id for AthenaHQ targets, letter case aside) is
// not sent: its outcome is the earlier item's State, with DuplicateOf
// naming it. The server would only refuse it as already there, and a
// repeat would otherwise start a new batch, costing a request. The run
// remembers a 64-bit fingerprint of every item it sends (see seenSet), 16
// to 20 bytes an item: a 1,000,000-item stream holds about 20 MiB.

// WithSendDuplicates makes the run send items that repeat an earlier item
// of the run, as the server's own answer will tell about them, instead of
// reporting them as repeats (Outcome.DuplicateOf). A repeat then goes in a
// later batch than the item it repeats, since a batch never holds one key
// twice, and the server usually refuses it as already there.
func WithSendDuplicates() BulkOption {
	return func(s *bulkSettings) { s.sendDuplicates = true }
}

// ErrDuplicate matches the Err of an item not sent because it repeats an
// earlier item of the run that was not sent either.
var ErrDuplicate = errors.New("onboard: a repeat of an earlier item")

type duplicateError struct {
	op string
	of int
}

func (e *duplicateError) Error() string {
	return fmt.Sprintf("onboard: %s: not sent: this item repeats item %d, which was not sent either", e.op, e.of)
}

func (e *duplicateError) Is(target error) bool { return target == ErrDuplicate }

// seenSet remembers the items a run sends, by a fingerprint of their keys:
// for each, the index of the first item with it and, once that item's
// outcome is out, its state, in 12 bytes, plus 4 to 8 bytes of slots.
// Entries sit in fixed pages, so that growing copies only the slots, never
// the entries.
type seenSet struct {
	hash  maphash.Hash
	pages []*seenPage
	n     uint32   // entries, and entries skipped at the end of a page
	slots []uint32 // 0: empty; else 1 + the entry's number
	mask  uint64   // len(slots) - 1, a power of two less one
	spare *seenPage
}

// seenPage holds seenPageSize entries: a fingerprint each and, packed in
// val, the item's index less the page's base, and in the low 3 bits 0
// while the item's outcome is not out, else 1 + its State. Indexes only
// grow as items are added.
type seenPage struct {
	base int
	fp   [seenPageSize]uint64
	val  [seenPageSize]uint32
}

// seenRef is one entry of a seenSet, or none (p nil).
type seenRef struct {
	p *seenPage
	j uint32
}

func (e seenRef) index() int   { return e.p.base + int(e.p.val[e.j]>>3) }
func (e seenRef) state() uint8 { return uint8(e.p.val[e.j] & 7) }

const (
	seenPageSize = 1 << 14
	seenSlots    = 1 << 10 // to start with
	seenMaxDelta = 1<<29 - 1
)

func newSeenSet() *seenSet {
	s := &seenSet{slots: make([]uint32, seenSlots), mask: seenSlots - 1}
	s.hash.SetSeed(maphash.MakeSeed())
	return s
}

// fingerprint returns the fingerprint of an item's keys, never 0.
func (s *seenSet) fingerprint(k1, k2 string) uint64 {
	s.hash.Reset()
	_, _ = s.hash.WriteString(k1)
	_ = s.hash.WriteByte(0)
	_, _ = s.hash.WriteString(k2)
	return max(s.hash.Sum64(), 1)
}

// lookup returns the entry of fp, if any, or the slot where fp goes.
func (s *seenSet) lookup(fp uint64) (e seenRef, ok bool, slot uint64) {
	for i := fp & s.mask; ; i = (i + 1) & s.mask {
		n := s.slots[i]
		if n == 0 {
			return seenRef{}, false, i
		}
		if e := s.entry(n - 1); e.p.fp[e.j] == fp {
			return e, true, 0
		}
	}
}

func (s *seenSet) entry(n uint32) seenRef {
	return seenRef{p: s.pages[n/seenPageSize], j: n % seenPageSize}
}

// insert remembers fp, which lookup did not find and placed at slot, for
// the item at index, and returns its entry; index is more than any
// inserted before. Past math.MaxUint32-seenPageSize entries it remembers
// no more, and returns an entry that is no item's.
func (s *seenSet) insert(fp uint64, index int, slot uint64) seenRef {
	if s.n%seenPageSize != 0 && index-s.pages[len(s.pages)-1].base > seenMaxDelta {
		s.n += seenPageSize - s.n%seenPageSize // a new page, for a new base
	}
	if s.n >= math.MaxUint32-seenPageSize {
		if s.spare == nil {
			s.spare = &seenPage{base: -1} // its entry is no item's
		}
		return seenRef{p: s.spare}
	}
	if 4*(uint64(s.n)+1) > 3*(s.mask+1) {
		s.grow()
		_, _, slot = s.lookup(fp)
	}
	if s.n%seenPageSize == 0 {
		s.pages = append(s.pages, &seenPage{base: index})
	}
	e := s.entry(s.n)
	e.p.fp[e.j], e.p.val[e.j] = fp, uint32(index-e.p.base)<<3 //nolint:gosec // G115: at most seenMaxDelta, see above
	s.n++
	s.slots[slot] = s.n
	return e
}

func (s *seenSet) grow() {
	s.slots = make([]uint32, 2*len(s.slots))
	s.mask = 2*s.mask + 1
	for n := range s.n {
		e := s.entry(n)
		if fp := e.p.fp[e.j]; fp != 0 { // 0: skipped
			i := fp & s.mask
			for s.slots[i] != 0 {
				i = (i + 1) & s.mask
			}
			s.slots[i] = n + 1
		}
	}
}

// settle notes the state of the item at index in its entry e, once its
// outcome is out, if it is the first with e's fingerprint.
func (e seenRef) settle(index int, st State) {
	if e.index() == index {
		v := &e.p.val[e.j]
		*v = *v&^7 | (uint32(st) + 1) //nolint:gosec // G115: a State is 0 to 3
	}
}

// settleRepeat fills the outcome of an item that repeats the earlier item
// of entry e, whose outcome is already out, as every earlier item's is.
func settleRepeat[T any](op string, o *Outcome[T], e seenRef) {
	of := *o.DuplicateOf
	st := StateUnknown
	if e.state() != 0 {
		st = State(e.state() - 1)
	}
	o.State = st
	o.Message = fmt.Sprintf("not sent: it repeats item %d, whose outcome it shares", of)
	if st == StateNotSent {
		o.Err = &duplicateError{op: op, of: of}
	}
}

// settleSeen, as o is emitted, notes its state in its entry e for the
// repeats that may follow it, or, if o is a repeat, fills it from the
// earlier item's.
func settleSeen[T any](op string, o *Outcome[T], e seenRef) {
	if o.DuplicateOf != nil {
		settleRepeat(op, o, e)
		return
	}
	e.settle(o.Index, o.State)
}
