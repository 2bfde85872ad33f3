package onboard

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
)

// page is one page of a list endpoint, as the list iterators see it.
type page[T any] struct {
	items []T
	// total is the whole list's length as reported, or -1.
	total int
}

const maxListSeen = 1 << 20

// listAll returns an iterator over a paged list from page first, fetching
// as the caller ranges. It ends at the reported total or an empty page, and
// fails with ErrPageRepeated or fetch's error as its last value; key is an
// item's id.
func listAll[T any](ctx context.Context, op string, first int, key func(*T) string, fetch func(ctx context.Context, page int) (page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := make(map[uint64]struct{})
		seed := maphash.MakeSeed()
		given := 0
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
			fresh := false
			for i := range p.items {
				h := maphash.String(seed, key(&p.items[i]))
				if _, ok := seen[h]; ok {
					continue
				}
				fresh = true
				if len(seen) < maxListSeen {
					seen[h] = struct{}{}
				}
			}
			if !fresh {
				yield(zero, &pageRepeatedError{op: op, page: n})
				return
			}
			for _, it := range p.items {
				if !yield(it, nil) {
					return
				}
			}
			given += len(p.items)
			if p.total >= 0 && given >= p.total {
				return
			}
		}
	}
}

// listWhole returns an iterator over a list sent whole: invalid, if not
// nil, or fetch's items or error, fetched once as ranging starts.
func listWhole[T any](invalid error, fetch func() ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if invalid != nil {
			yield(zero, invalid)
			return
		}
		items, err := fetch()
		if err != nil {
			yield(zero, err)
			return
		}
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

// ErrPageRepeated ends a list whose page brings no item not already given,
// as from a server that ignores paging: going on would never end. A
// listing remembers up to 1,048,576 ids. Lists page by number, so a list
// that changes while it is read can give an item twice or skip it: collect
// it first, then act.
var ErrPageRepeated = errors.New("onboard: a page brings nothing new")

type pageRepeatedError struct {
	op   string
	page int
}

func (e *pageRepeatedError) Error() string {
	return fmt.Sprintf("onboard: %s: page %d holds only items the pages before it held, so the server seems to ignore the paging parameters or to serve its pages round again; stopped rather than list for ever", e.op, e.page)
}

func (e *pageRepeatedError) Is(target error) bool { return target == ErrPageRepeated }
