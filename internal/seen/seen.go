// Package seen remembers the items a bulk run has sent, by a fingerprint of
// their keys, with a small state for each, in little memory per item. A Go
// map of the same fingerprints was measured in its place: streaming a
// million items with a journal (BenchmarkJournalStreamMillion) then peaked
// at 64.6 MiB, over the 64 MiB target, against 40.9 MiB with this set.
package seen

import (
	"hash/maphash"
	"math"
)

// Set remembers items by a fingerprint of their keys, in fixed pages, so
// that growing copies only the slots.
type Set struct {
	hash  maphash.Hash
	pages []*page
	n     uint32   // entries, and entries skipped at the end of a page
	slots []uint32 // 0: empty; else 1 + the entry's number
	mask  uint64   // len(slots) - 1, a power of two less one
	spare *page
}

// page holds entries; val is (index-base)<<3 | (0, or 1 + a settled state).
type page struct {
	base int
	fp   [pageSize]uint64
	val  [pageSize]uint32
}

// Ref is one entry of a Set, or none (p nil).
type Ref struct {
	p *page
	j uint32
}

// Valid reports whether e is an entry (the zero Ref is none).
func (e Ref) Valid() bool { return e.p != nil }

// Index returns the index the entry was inserted with.
func (e Ref) Index() int { return e.p.base + int(e.p.val[e.j]>>3) }

// State returns 0, or 1 + the state Settle noted.
func (e Ref) State() int { return int(e.p.val[e.j] & 7) }

const (
	pageSize   = 1 << 14
	startSlots = 1 << 10 // to start with
	maxDelta   = 1<<29 - 1
)

// New returns an empty set.
func New() *Set {
	s := &Set{slots: make([]uint32, startSlots), mask: startSlots - 1}
	s.hash.SetSeed(maphash.MakeSeed())
	return s
}

// Fingerprint returns the fingerprint of an item's keys, never 0.
func (s *Set) Fingerprint(k1, k2 string) uint64 {
	s.hash.Reset()
	_, _ = s.hash.WriteString(k1)
	_ = s.hash.WriteByte(0)
	_, _ = s.hash.WriteString(k2)
	return max(s.hash.Sum64(), 1)
}

// Lookup returns the entry of fp, if any, or the slot where fp goes.
func (s *Set) Lookup(fp uint64) (e Ref, ok bool, slot uint64) {
	for i := fp & s.mask; ; i = (i + 1) & s.mask {
		n := s.slots[i]
		if n == 0 {
			return Ref{}, false, i
		}
		if e := s.entry(n - 1); e.p.fp[e.j] == fp {
			return e, true, 0
		}
	}
}

func (s *Set) entry(n uint32) Ref {
	return Ref{p: s.pages[n/pageSize], j: n % pageSize}
}

// Insert remembers fp at slot for the item at index, greater than any before.
// Past math.MaxUint32-pageSize entries its entry is no item's.
func (s *Set) Insert(fp uint64, index int, slot uint64) Ref {
	if s.n%pageSize != 0 && index-s.pages[len(s.pages)-1].base > maxDelta {
		s.n += pageSize - s.n%pageSize // a new page, for a new base
	}
	if s.n >= math.MaxUint32-pageSize {
		if s.spare == nil {
			s.spare = &page{base: -1} // its entry is no item's
		}
		return Ref{p: s.spare}
	}
	if 4*(uint64(s.n)+1) > 3*(s.mask+1) {
		s.grow()
		_, _, slot = s.Lookup(fp)
	}
	if s.n%pageSize == 0 {
		s.pages = append(s.pages, &page{base: index})
	}
	e := s.entry(s.n)
	e.p.fp[e.j], e.p.val[e.j] = fp, uint32(index-e.p.base)<<3 //nolint:gosec // G115: at most maxDelta, see above
	s.n++
	s.slots[slot] = s.n
	return e
}

func (s *Set) grow() {
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

// Settle notes state st (0 to 6) in e if e is the entry of index.
func (e Ref) Settle(index, st int) {
	if e.Index() == index {
		v := &e.p.val[e.j]
		*v = *v&^7 | (uint32(st) + 1) //nolint:gosec // G115: st is 0 to 6
	}
}
