package onboard

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// page is one page of a list endpoint, as the list iterators see it.
type page[T any] struct {
	items []T
	// total is how many items the whole list holds, as the server
	// reports it, or -1 when it does not.
	total int
}

// listAll returns an iterator over every item of a paged list: it asks
// fetch for page first, first+1, ... as the caller ranges, and stops when
// the caller stops. It never runs forever: it ends when as many items as
// the reported total have come, or on an empty page; and it fails, as its
// last value, with an error matching ErrPageRepeated when a page holds the
// same items as the page before (as from a server that ignores the paging
// parameters), and with the fetch's error when a page cannot be had. key
// identifies an item (its id).
func listAll[T any](ctx context.Context, op string, first int, key func(*T) string, fetch func(ctx context.Context, page int) (page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var prev []string // the keys of the page before
		seen := 0
		for n := first; ; n++ {
			if err := ctx.Err(); err != nil {
				yield(zero, fmt.Errorf("onboard: %s: %w", op, err))
				return
			}
			p, err := fetch(ctx, n)
			if err != nil {
				yield(zero, err)
				return
			}
			if len(p.items) == 0 {
				return
			}
			keys := make([]string, len(p.items))
			for i := range p.items {
				keys[i] = key(&p.items[i])
			}
			if samePage(prev, keys) {
				yield(zero, &pageRepeatedError{op: op, page: n})
				return
			}
			prev = keys
			for _, it := range p.items {
				if !yield(it, nil) {
					return
				}
			}
			seen += len(p.items)
			if p.total >= 0 && seen >= p.total {
				return
			}
		}
	}
}

func samePage(prev, keys []string) bool {
	if len(prev) != len(keys) {
		return false
	}
	for i := range keys {
		if prev[i] != keys[i] {
			return false
		}
	}
	return true
}

// ErrPageRepeated matches the error a list iterator ends with when the
// server answers a page with the same items as the page before, as a
// server that ignores the paging parameters would: going on would never
// end.
var ErrPageRepeated = errors.New("onboard: a page repeats the one before")

type pageRepeatedError struct {
	op   string
	page int
}

func (e *pageRepeatedError) Error() string {
	return fmt.Sprintf("onboard: %s: page %d holds the same items as page %d, so the server seems to ignore the paging parameters; stopped rather than list for ever", e.op, e.page, e.page-1)
}

func (e *pageRepeatedError) Is(target error) bool { return target == ErrPageRepeated }
