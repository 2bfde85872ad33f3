// Package readback finds the items of a bulk run in a service's paged list,
// to settle outcomes that the run left unknown.
package readback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxPages bounds a pass over a list given no cap, so that a server that
// never ends its list cannot keep a pass going for ever.
const MaxPages = 1 << 16

// Page is one page of a list: its entries, and the whole list's length as
// reported, or -1.
type Page[U any] struct {
	Items []U
	Total int
}

// Result is what one pass over a list found.
type Result[U any] struct {
	// Found holds, per key, the entry found, or nil.
	Found []*U
	// Whole reports that the list was read to its end, so that a key not
	// found is not there.
	Whole bool
	// Pages counts the pages read; Err is the read that failed, if any.
	Pages int
	Err   error
}

// Scan reads pages 1, 2, ... of a list through fetch until every key is
// found, the list ends (an empty page, or the reported total reached) or
// maxPages pages are read (0: MaxPages). key gives an entry's key; keys
// are compared case aside.
func Scan[U any](ctx context.Context, maxPages int, keys []string, fetch func(ctx context.Context, n int) (Page[U], error), key func(*U) string) Result[U] {
	want := make(map[string][]int, len(keys))
	for i, k := range keys {
		k = fold(k)
		want[k] = append(want[k], i)
	}
	res := Result[U]{Found: make([]*U, len(keys))}
	if maxPages <= 0 || maxPages > MaxPages {
		maxPages = MaxPages
	}
	given := 0
	for n := 1; len(want) > 0 && n <= maxPages; n++ {
		p, err := fetch(ctx, n)
		if err != nil {
			res.Err = err
			return res
		}
		res.Pages++
		for j := range p.Items {
			e := &p.Items[j]
			k := fold(key(e))
			for _, i := range want[k] {
				res.Found[i] = e
			}
			delete(want, k)
		}
		given += len(p.Items)
		if len(p.Items) == 0 || p.Total >= 0 && given >= p.Total {
			res.Whole = true
			return res
		}
	}
	return res
}

// Why says why an item not found is still unknown after the pass over
// list (such as "Aptly's user list"): the read failed, or the cap ended it.
func (r *Result[U]) Why(list string) string {
	if r.Err != nil {
		return fmt.Sprintf("reading %s back failed, so this item is still unknown: %v", list, r.Err)
	}
	return fmt.Sprintf("not found in the %d page(s) of %s read, the cap WithReconcile set, so this item is still unknown", r.Pages, list)
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// A Verdict is what finding an item in a list, or not, says of its call.
type Verdict int

// The verdicts: not settled, done, refused (what was found contradicts
// the call), not done (safe to send). Their values are those of the onboard
// package's StateUnknown, StateSucceeded, StateFailed and StateNotSent.
const (
	Unknown Verdict = iota
	Done
	Refused
	NotDone
)

// Rule says what an item found in a list in a state (a word such as
// "invited"), or not found, says of the call that was sent for it.
type Rule struct {
	// Service and List name them in messages: "Aptly", "aptly users".
	Service, List string
	// Done are the states the call produces; Other is the verdict of any
	// other state, Absent of an item not in the list, AbsentWhy the message
	// when that is Unknown.
	Done          []string
	Other, Absent Verdict
	AbsentWhy     string
}

// Outcome is what reading back says of one item: its verdict, the words
// for it, what was read, and the user id found, if any.
type Outcome struct {
	Verdict
	Message, Read, UserID string
}

// Lookup settles the items of keys by one pass over a list (Scan): entry
// gives an entry's key, word its state for rule, userID its user id.
func Lookup[U any](ctx context.Context, maxPages int, keys []string, rule Rule, fetch func(context.Context, int) (Page[U], error), entry, word, userID func(*U) string) ([]Outcome, error) {
	res := Scan(ctx, maxPages, keys, fetch, entry)
	out := make([]Outcome, len(keys))
	for i, u := range res.Found {
		switch {
		case u != nil:
			out[i] = rule.Judge(word(u), true)
			out[i].UserID = userID(u)
		case res.Whole:
			out[i] = rule.Judge("", false)
		default:
			out[i].Message = res.Why(rule.List)
		}
	}
	return out, res.Err
}

// Judge returns the outcome of an item found in state word, or (found
// false) not there.
func (r Rule) Judge(word string, found bool) Outcome {
	v, message, read := r.Absent, "not found on "+r.Service, r.List+": not found"
	if found {
		v, message, read = r.Other, "found "+word+" on "+r.Service, r.List+": "+word
		if slices.Contains(r.Done, word) {
			v = Done
		}
	}
	switch {
	case v == Unknown:
		return Outcome{Message: r.AbsentWhy}
	case v == Refused:
		message += ", which contradicts the call"
	case v == NotDone && found:
		message += ": not done, safe to send"
	case v == NotDone:
		message += ": safe to send"
	case v == Done && !found:
		message += ", as the call leaves it"
	}
	return Outcome{Verdict: v, Message: message, Read: read}
}

// A Reader reads a service back for items, reading at most maxPages pages
// of each list (0: no cap); the error joins the reads that failed.
type Reader[T any] func(ctx context.Context, maxPages int, items []T) ([]Outcome, error)

// List reads a paged list through page (q a search, "" for all; it returns
// a page's entries and the list's reported length), matching an item's key
// to an entry's; up to search items are looked up one search each, more by
// one pass over the whole list.
func List[T, U any](rule Rule, key func(*T) string, entry, word func(*U) string, search int,
	page func(ctx context.Context, q string, n int) ([]U, int, error)) Reader[T] {
	fetch := func(q string) func(context.Context, int) (Page[U], error) {
		return func(ctx context.Context, n int) (Page[U], error) {
			us, total, err := page(ctx, q, n)
			if total < len(us) || total == 0 {
				total = -1 // a total the page contradicts: end on an empty page
			}
			return Page[U]{Items: us, Total: total}, err
		}
	}
	none := func(*U) string { return "" }
	return func(ctx context.Context, maxPages int, items []T) ([]Outcome, error) {
		keys := make([]string, len(items))
		for i := range items {
			keys[i] = strings.TrimSpace(key(&items[i]))
		}
		if len(items) > search {
			return Lookup(ctx, maxPages, keys, rule, fetch(""), entry, word, none)
		}
		var out []Outcome
		var errs []error
		for _, k := range keys {
			res, err := Lookup(ctx, maxPages, []string{k}, rule, fetch(k), entry, word, none)
			out, errs = append(out, res...), append(errs, err)
		}
		return out, errors.Join(errs...)
	}
}
