package onboard

import (
	"errors"
	"fmt"
	"slices"

	"github.com/onboardkit/onboard/internal/readback"
	"github.com/onboardkit/onboard/internal/seen"
	"github.com/onboardkit/onboard/internal/validate"
)

// Outcome is what became of one item of a bulk run.
type Outcome[T any] struct {
	// Index is the item's position in the input, from 0.
	Index int
	Item  T
	State State
	// Message is the server's words for the item, or why none could be tied to it.
	Message string
	// UserID is the id the server gave the person, if any (AthenaHQ's user_id).
	UserID string
	// Attempts is how many attempts the item's request took, 0 if never sent.
	// After a retry, a refusal saying the item is already there may be this
	// run's own work, so the item is StateUnknown, not StateFailed.
	Attempts int
	// Err says why the item was not sent or is unknown: an *APIError (the
	// batch rejected whole, or its answer unreadable), a *RequestError (in
	// transport, or the context ended), a *ValidationError (an invalid item),
	// or an error matching ErrStopped, ErrDuplicate or ErrInFlight. An answer
	// that came is used.
	Err error
	Key string
	// DuplicateOf is the Index of the earlier item this one repeats, when it
	// was not sent for that, sharing that item's State; nil otherwise.
	DuplicateOf *int
	// Replayed reports that the outcome was read from the run's journal.
	Replayed bool
	// ReadBack, set when reading the service back settled State, says what
	// was read, such as "aptly users: invited" (see WithReconcile).
	ReadBack string
}

// BulkReport holds one Outcome per input item, in input order, even when
// the run stopped early. A batch never holds one person (or id) twice, so
// each result the server gives is tied to its item.
type BulkReport[T any] struct {
	Outcomes []Outcome[T]
	readBack readback.Reader[T] // the run's endpoint's, for Reconcile
}

// In returns the outcomes in one of states, or all, in input order:
// In(StateFailed) are the items the server refused.
func (r *BulkReport[T]) In(states ...State) []Outcome[T] {
	return filter(r.Outcomes, func(o Outcome[T]) bool { return len(states) == 0 || slices.Contains(states, o.State) })
}

// Items returns the items whose outcome is in one of states, or all items,
// in input order: Items(StateNotSent) can be sent again as they are.
func (r *BulkReport[T]) Items(states ...State) []T {
	var out []T
	for _, o := range r.Outcomes {
		if len(states) == 0 || slices.Contains(states, o.State) {
			out = append(out, o.Item)
		}
	}
	return out
}

// Counts returns how many outcomes are in each state, with Total == Done.
func (r *BulkReport[T]) Counts() Progress {
	var p Progress
	for _, o := range r.Outcomes {
		p.add(o.State)
	}
	p.Total = p.Done
	return p
}

// Progress counts the outcomes a bulk run has delivered so far.
type Progress struct {
	// Total is the number of items, or -1 if unknown (see WithTotal).
	Total int
	// Done is the number of outcomes the caller has been given; it only grows.
	Done                                int
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

// The defaults and ceilings of WithBatchSize and WithConcurrency.
const (
	defaultBatchSize   = 100
	maxBatchSize       = 1000
	defaultConcurrency = 4
	maxConcurrency     = 64
)

// A BulkOption configures one bulk run (the ...All and ...Seq methods); an
// invalid one stops the run before anything is sent.
type BulkOption func(*bulkSettings)

type bulkSettings struct {
	batchSize      int // 0: the endpoint's default
	concurrency    int
	progress       func(Progress)
	total          int
	stopOnFail     bool
	events         func(batchEvent)
	keys           any // a func(int, T) string from WithKeys
	journal        *Journal
	resendInFlight bool
	sendDuplicates bool
	reconcile      bool
	maxPages       int
	problems       validate.Problems // bad options, reported before anything is sent
}

// WithBatchSize sets how many items go in one request, at least 1. The default
// is 100 and the ceiling 1000, except for AthenaHQ's targets: 50 and 50.
func WithBatchSize(n int) BulkOption {
	return func(s *bulkSettings) {
		if n < 1 {
			s.problems.Add("WithBatchSize", "%d is less than 1", n)
			return
		}
		s.batchSize = min(n, maxBatchSize)
	}
}

// WithConcurrency sets how many batches may be in flight at once, 1 to 64
// (default 4); WithRateLimiter spans them all.
func WithConcurrency(n int) BulkOption {
	return func(s *bulkSettings) {
		if n < 1 {
			s.problems.Add("WithConcurrency", "%d is less than 1", n)
			return
		}
		s.concurrency = min(n, maxConcurrency)
	}
}

// WithProgress makes the run call fn each time a batch's outcomes have been
// delivered, and at the end if the last call had Total != Done; fn runs on
// the caller's goroutine, never concurrently, and the run waits for it.
func WithProgress(fn func(Progress)) BulkOption {
	return func(s *bulkSettings) { s.progress = fn }
}

// WithTotal tells a ...Seq run how many items its input holds (Progress.Total).
func WithTotal(n int) BulkOption {
	return func(s *bulkSettings) {
		if n < 0 {
			n = -1
		}
		s.total = n
	}
}

// batchEventKind names a step in the life of a batch: cut (items chosen and
// encoded), sent (before the request), answered (the request ended).
type batchEventKind int

const (
	batchCut batchEventKind = iota + 1
	batchSent
	batchAnswered
)

// batchEvent reports one step of one batch of a bulk run.
type batchEvent struct {
	Kind batchEventKind
	// Batch numbers the batch in the run, from 0, in the order cut.
	Batch int
	// Indexes are the Outcome.Index of the batch's items, in the order sent.
	Indexes []int
	Keys    []string
	// Response, never nil on batchAnswered, is the answer's metadata without
	// its Body, which names people; when no answer came, only Attempts.
	Response *Response
	// Err, on batchAnswered, is the batch's *APIError or *RequestError, or nil.
	Err error
}

// ErrStopped matches the Err of an item a bulk run did not send because the
// run had stopped; errors.Is and errors.As also reach what stopped it.
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

// WithKeys gives each item the caller's key (a CSV row number, a database
// id) for Outcome.Key and the journal, which keeps it in plain text. T is
// the run's item type; key is called in input order.
func WithKeys[T any](key func(index int, item T) string) BulkOption {
	return func(s *bulkSettings) {
		if key == nil {
			s.problems.Add("WithKeys", "the key function is nil")
			return
		}
		s.keys = key
	}
}

// WithSendDuplicates sends items that repeat an earlier item of the run (by
// email for Aptly, name and email for Royalti, id for AthenaHQ, case aside).
// Without it a repeat is not sent (Outcome.DuplicateOf), at 16–20 bytes per item.
func WithSendDuplicates() BulkOption {
	return func(s *bulkSettings) { s.sendDuplicates = true }
}

// ErrDuplicate matches the Err of a repeat of an earlier item not sent either.
var ErrDuplicate = errors.New("onboard: a repeat of an earlier item")

type duplicateError struct {
	op string
	of int
}

func (e *duplicateError) Error() string {
	return fmt.Sprintf("onboard: %s: not sent: this item repeats item %d, which was not sent either", e.op, e.of)
}

func (e *duplicateError) Is(target error) bool { return target == ErrDuplicate }

func settleRepeat[T any](op string, o *Outcome[T], e seen.Ref) {
	of := *o.DuplicateOf
	st := StateUnknown
	if e.State() != 0 {
		st = State(e.State() - 1)
	}
	o.State = st
	o.Message = fmt.Sprintf("not sent: it repeats item %d, whose outcome it shares", of)
	if st == StateNotSent {
		o.Err = &duplicateError{op: op, of: of}
	}
}

// settleSeen notes o's state in e, or fills o from e if o is a repeat.
func settleSeen[T any](op string, o *Outcome[T], e seen.Ref) {
	if o.DuplicateOf != nil {
		settleRepeat(op, o, e)
		return
	}
	e.Settle(o.Index, int(o.State))
}

// State is what became of one item of a bulk operation.
type State int

// The states of an item.
const (
	// StateUnknown means the item's request went out but no answer ties it
	// to the item for certain: it may or may not have been done.
	StateUnknown State = iota
	// StateSucceeded means the server did what was asked for this item.
	StateSucceeded
	// StateFailed means the server refused this item, for the reason in Message.
	StateFailed
	// StateNotSent means the server did not do the item: it was never sent,
	// or its whole request was refused (a 4xx, a 429, a 503 asking to come
	// back later); Outcome.Err says which. A 5xx or a broken connection
	// leaves the item StateUnknown.
	StateNotSent
)

// String names the state.
func (s State) String() string {
	if s < StateUnknown || s > StateNotSent {
		s = StateUnknown
	}
	return [...]string{"unknown", "succeeded", "failed", "not sent"}[s]
}
