package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync/atomic"

	"github.com/onboardkit/onboard/internal/validate"
)

// How an endpoint describes itself to the bulk engine (bulk.go), and the
// helpers its send functions share.

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

// collectBatches runs spec over a slice and gathers the report.
func collectBatches[T any](ctx context.Context, spec *batchSpec[T], items []T, opts []BulkOption) (*BulkReport[T], error) {
	rep := &BulkReport[T]{Outcomes: make([]Outcome[T], 0, len(items))}
	err := runBatches(ctx, spec, opts, len(items), slices.Values(items), func(o Outcome[T]) bool {
		rep.Outcomes = append(rep.Outcomes, o)
		return true
	})
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
