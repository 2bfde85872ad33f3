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
// The run remembers a 64-bit fingerprint of every item it sends, 16 to 20
// bytes an item: a 1,000,000-item stream holds about 20 MiB. Two different items
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
func (r *batchRun[T]) settleSeen(o *Outcome[T], e seenRef) {
	if o.DuplicateOf != nil {
		settleRepeat(r.spec.op, o, e)
		return
	}
	e.settle(o.Index, o.State)
}
