package onboard

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
)

// A bulk run sends each item once. An item that repeats an earlier item of
// the run (the same email for Aptly invites, the same name and email for
// Royalti users, the same id for AthenaHQ targets, letter case aside) is
// not sent: its outcome is the earlier item's State, with DuplicateOf
// naming it. The server would only refuse it as already there, and a
// repeat would otherwise start a new batch, costing a request.
//
// The run remembers a 64-bit fingerprint of every item it sends, about 24
// bytes an item: a 1,000,000-item stream holds about 24 MiB. Two different items
// whose fingerprints collide (about 1 in 37 million for a million items)
// would have the later one reported as a repeat of the earlier: it is
// reported, never lost.

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
// outcome is out, its state. Entries sit in fixed pages, so that growing
// copies only the slots, 4 bytes an entry, never the entries.
type seenSet struct {
	hash  maphash.Hash
	pages [][]seenEntry
	n     uint32   // entries
	slots []uint32 // 0: empty; else 1 + the entry's number
	mask  uint64   // len(slots) - 1, a power of two less one
}

// seenEntry is one fingerprint and, packed in val, the index of the first
// item with it and 0 while that item's outcome is not out, else 1 + its
// State, in the low 3 bits.
type seenEntry struct{ fp, val uint64 }

func (e *seenEntry) index() int   { return int(e.val >> 3) }
func (e *seenEntry) state() uint8 { return uint8(e.val & 7) }

const (
	seenPageSize = 1 << 14
	seenSlots    = 1 << 10 // to start with
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

// find returns the entry of fp, or nil.
func (s *seenSet) find(fp uint64) *seenEntry {
	for i := fp & s.mask; ; i = (i + 1) & s.mask {
		n := s.slots[i]
		if n == 0 {
			return nil
		}
		if e := s.entry(n - 1); e.fp == fp {
			return e
		}
	}
}

func (s *seenSet) entry(n uint32) *seenEntry {
	return &s.pages[n/seenPageSize][n%seenPageSize]
}

// add remembers fp for the item at index, which find did not know. Past
// math.MaxUint32-1 entries it remembers no more.
func (s *seenSet) add(fp uint64, index int) {
	if s.n >= math.MaxUint32-1 {
		return
	}
	if 4*(uint64(s.n)+1) > 3*(s.mask+1) {
		s.grow()
	}
	if s.n%seenPageSize == 0 {
		s.pages = append(s.pages, make([]seenEntry, seenPageSize))
	}
	n := s.n
	*s.entry(n) = seenEntry{fp: fp, val: uint64(index) << 3} //nolint:gosec // G115: an item's index is never negative
	s.n++
	s.place(fp, n+1)
}

func (s *seenSet) place(fp uint64, slot uint32) {
	i := fp & s.mask
	for s.slots[i] != 0 {
		i = (i + 1) & s.mask
	}
	s.slots[i] = slot
}

func (s *seenSet) grow() {
	s.slots = make([]uint32, 2*len(s.slots))
	s.mask = 2*s.mask + 1
	for n := range s.n {
		s.place(s.entry(n).fp, n+1)
	}
}

// settle notes the state of the item at index, once its outcome is out, if
// it is the first with fp.
func (s *seenSet) settle(fp uint64, index int, st State) {
	if e := s.find(fp); e != nil && e.index() == index {
		e.val = e.val&^7 | (uint64(st) + 1) //nolint:gosec // G115: a State is 0 to 3
	}
}

// settleRepeat fills the outcome of an item that repeats the first item
// with fp, whose outcome is already out, as every earlier item's is.
func settleRepeat[T any](op string, s *seenSet, o *Outcome[T], fp uint64) {
	of := *o.DuplicateOf
	st := StateUnknown
	if e := s.find(fp); e != nil && e.state() != 0 {
		st = State(e.state() - 1)
	}
	o.State = st
	o.Message = fmt.Sprintf("not sent: it repeats item %d, whose outcome it shares", of)
	if st == StateNotSent {
		o.Err = &duplicateError{op: op, of: of}
	}
}

// settleSeen, as o is emitted, notes its state for the repeats that may
// follow it, or, if o is a repeat, fills it from the earlier item's.
func (r *batchRun[T]) settleSeen(o *Outcome[T], fp uint64) {
	if o.DuplicateOf != nil {
		settleRepeat(r.spec.op, r.seen, o, fp)
		return
	}
	r.seen.settle(fp, o.Index, o.State)
}
