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
	// total is how many items the whole list holds, as the server
	// reports it, or -1 when it does not.
	total int
}

// maxListSeen bounds how many ids a listing remembers (8 bytes each, and
// the map's overhead) to tell a page that brings nothing new.
const maxListSeen = 1 << 20

// listAll returns an iterator over every item of a paged list: it asks
// fetch for page first, first+1, ... as the caller ranges, and stops when
// the caller stops. It ends when as many items as the reported total have
// come, or on an empty page; and it fails, as its last value, with an
// error matching ErrPageRepeated when a page brings no item the listing
// has not already given (as from a server that ignores the paging
// parameters, or serves its pages round again), and with the fetch's
// error when a page cannot be had. key identifies an item (its id).
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

// listWhole returns an iterator over a list the server sends whole, in one
// answer: it yields invalid, when not nil, or else calls fetch once, as the
// caller starts ranging, and yields its items or its error.
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

// ErrPageRepeated matches the error a list iterator ends with when a page
// brings no item the listing has not already given, as from a server that
// ignores the paging parameters or serves its pages round again: going on
// would never end. A listing remembers the ids of up to 1,048,576 items
// (some 16 MB at most); past that, every page counts as new.
//
// Every list iterator pages by number, so a list that changes while it is
// read shifts under it: an item can be given twice, or skipped. A program
// that changes what it lists (cancels the pending invites it lists, say)
// should collect the list first, then act on it.
var ErrPageRepeated = errors.New("onboard: a page brings nothing new")

type pageRepeatedError struct {
	op   string
	page int
}

func (e *pageRepeatedError) Error() string {
	return fmt.Sprintf("onboard: %s: page %d holds only items the pages before it held, so the server seems to ignore the paging parameters or to serve its pages round again; stopped rather than list for ever", e.op, e.page)
}

func (e *pageRepeatedError) Is(target error) bool { return target == ErrPageRepeated }
