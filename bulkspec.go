package onboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/onboardkit/onboard/internal/readback"
	"github.com/onboardkit/onboard/internal/validate"
)

// verdict is what an answer says about one sent item.
type verdict struct {
	state           State
	message, userID string
}

// batchSpec describes one bulk endpoint to the engine.
type batchSpec[T any] struct {
	op          string // the public method, for errors: "Invites.SendBulkAll"
	defaultSize int
	maxSize     int   // the documented maximum; 0 for none (maxBatchSize)
	precheck    error // a *ValidationError for the run's shared fields, or nil
	// prefix names item i in problems ("users[3]."); check records its problems.
	prefix func(i int) string
	check  func(p *validate.Problems, prefix string, item *T)
	// keys returns up to two keys of an item ("" for none); a key already in
	// the batch starts a new one, so that each answer ties to its item.
	keys func(item *T) (string, string)
	// frames frame a batch's body around its items, one per kind of item
	// (see newFrame); each item is encoded once, as it joins the batch.
	frames []bodyFrame
	// kind returns an item's index in frames (nil: 0); a change of kind starts
	// a new batch.
	kind func(item *T) int
	// wire returns what is encoded of an item; nil means the item itself.
	wire func(item *T) any
	// alreadyThere reports whether a refusal says the item is already there.
	alreadyThere func(msg string) bool
	// target names the endpoint, method and URL, for the journal (batchTarget).
	target string
	// readBack settles unknown items by reading the service (reconcile.go).
	readBack readback.Reader[T]
	// send sends one batch, whose item i is item(i), and fills out (zeroed:
	// unknown) from the answer, returning the last attempt's metadata; an
	// error means no per-item answer.
	send func(ctx context.Context, body encodedBody, item func(i int) *T, out []verdict) (*Response, error)
}

// bodyFrame is a batch request's body around its item list.
type bodyFrame struct{ head, tail []byte }

// newFrame splits the JSON of wire around its list field key, encoded last
// as "[]": the head ends with `"key":[`, the tail begins with `]`. Encoded
// last, the key is the last match, and a string cannot hold it unescaped.
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

// checkTemplate checks the request a run's batches share, with its item list
// empty, and reports whether req can be used.
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

// sendBatch sends one batch's body to ep, decoding the answer into res; the
// metadata's Attempts is set even when no answer came.
func sendBatch(ctx context.Context, c *client, ep endpoint, body encodedBody, res any) (*Response, error) {
	meta := new(Response)
	err := c.call(ctx, ep, nil, body, res, []CallOption{WithResponse(meta)})
	var reqErr *RequestError
	if meta.Attempts == 0 && errors.As(err, &reqErr) {
		meta.Attempts = reqErr.Attempts
	}
	return meta, err
}

// matchByKey ties per-item results to the batch's items by a unique key,
// trying position j first. A result naming nothing sent is ignored; an item
// named twice, or not at all, is unknown (what names the key).
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
	rep := &BulkReport[T]{readBack: spec.readBack}
	sorted := true
	err := runBatches(ctx, spec, opts, len(items), slices.Values(items), func(o Outcome[T]) bool {
		if rep.Outcomes == nil {
			// Made now, not before the first batch is sent: clearing it takes time.
			rep.Outcomes = make([]Outcome[T], 0, len(items))
		}
		sorted = sorted && o.Index == len(rep.Outcomes)
		rep.Outcomes = append(rep.Outcomes, o)
		return true
	})
	if !sorted { // outcomes held back to be read back came last
		slices.SortStableFunc(rep.Outcomes, func(a, b Outcome[T]) int { return a.Index - b.Index })
	}
	if rep.Outcomes == nil {
		rep.Outcomes = []Outcome[T]{}
	}
	return rep, err
}

// streamBatches runs spec over input as the consumer ranges; ranging again
// sends nothing and reports the first item not sent.
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

// callResponse returns the Response a call with opts fills, adding a
// WithResponse to opts if they have none, for the call's attempts.
func callResponse(opts []CallOption) (*Response, []CallOption) {
	var cs callSettings
	for _, o := range opts {
		if o != nil {
			_ = o.applyCall(&cs) // a bad option fails the call itself
		}
	}
	if cs.response != nil {
		return cs.response, opts
	}
	r := new(Response)
	return r, append(opts[:len(opts):len(opts)], WithResponse(r))
}

func fullName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

// checkItem records the problems of users[i] in p; a valid item costs no path strings.
func checkItem[T any](p *validate.Problems, item *T, i int, check func(*T, *validate.Problems, string)) {
	var q validate.Problems
	check(item, &q, "")
	if !q.Empty() {
		check(item, p, "users["+itoa(i)+"].")
	}
}

func filter[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
