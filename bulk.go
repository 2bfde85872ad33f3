package onboard

import (
	"strconv"
	"strings"

	"github.com/onboardkit/onboard/internal/validate"
)

// State is what became of one item of a bulk operation.
type State int

// The states of an item.
const (
	// StateUnknown means the item's request went out, but no answer ties
	// it to this item for certain: the answer was ambiguous or could not
	// be read, or the run stopped while the request was on its way. It
	// may or may not have been done.
	StateUnknown State = iota
	// StateSucceeded means the server did what was asked for this item.
	StateSucceeded
	// StateFailed means the server refused this item; the reason is the
	// server's.
	StateFailed
	// StateNotSent means the item got no answer of its own: it was never
	// sent, or its whole request failed. Outcome.Err says which; after a
	// 5xx or a connection that broke mid-request the server may still
	// have done the work, so a second submission may be told "already
	// exists". A request the run stopped while it was on its way (the
	// context ended) leaves its items StateUnknown, not StateNotSent.
	StateNotSent
)

// String names the state.
func (s State) String() string {
	switch s {
	case StateSucceeded:
		return "succeeded"
	case StateFailed:
		return "failed"
	case StateNotSent:
		return "not sent"
	default:
		return "unknown"
	}
}

// callResponse returns the Response a call with opts fills, adding a
// WithResponse to opts when they have none, so that the caller can read
// the call's attempts afterwards.
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

// checkItem records the problems of users[i] in p. It checks the item
// with an empty path prefix first, so a valid item (the usual case) costs
// no path strings, and names it only when there is something to report.
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
