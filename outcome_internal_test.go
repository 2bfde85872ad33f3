package onboard

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeenSet fills the set past several growths with fingerprints that
// share their low bits eight at a time, so that they probe past one
// another, and finds each with the index it was inserted with.
func TestSeenSet(t *testing.T) {
	s := newSeenSet()
	const n = 3*seenPageSize + 17
	fp := func(i int) uint64 { return 1<<50 | uint64(i&7)<<40 | uint64(i>>3)<<4 }
	for i := range n {
		_, ok, slot := s.lookup(fp(i))
		require.False(t, ok, "%d", i)
		e := s.insert(fp(i), 10*i, slot)
		require.Equal(t, 10*i, e.index())
	}
	for i := range n {
		e, ok, _ := s.lookup(fp(i))
		require.True(t, ok, "%d", i)
		require.Equal(t, 10*i, e.index())
		require.Zero(t, e.state())
	}
	assert.Equal(t, uint64(len(s.slots)-1), s.mask)
	assert.GreaterOrEqual(t, 3*len(s.slots), 4*n)

	e7, _, _ := s.lookup(fp(7))
	e8, _, _ := s.lookup(fp(8))
	e7.settle(70, StateFailed)
	e8.settle(999, StateFailed) // not the first with fp(8)
	assert.Equal(t, uint8(StateFailed)+1, e7.state())
	assert.Zero(t, e8.state())
	assert.Equal(t, 70, e7.index())

	// An index too far past its page's base for 29 bits starts a page.
	far := 10*n + seenMaxDelta + 1
	for _, i := range []int{far, far + 1} {
		_, _, slot := s.lookup(uint64(i))
		s.insert(uint64(i), i, slot)
	}
	for f, want := range map[uint64]int{uint64(far): far, uint64(far + 1): far + 1, fp(n - 1): 10 * (n - 1)} {
		e, ok, _ := s.lookup(f)
		require.True(t, ok)
		assert.Equal(t, want, e.index())
	}
	assert.Len(t, s.pages, 5)

	a, b := s.fingerprint("ab", "c"), s.fingerprint("a", "bc")
	assert.NotEqual(t, a, b, "the keys are kept apart")
	assert.Equal(t, a, s.fingerprint("ab", "c"))
}
