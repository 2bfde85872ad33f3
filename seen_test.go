package onboard

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeenSet fills the set past several growths with fingerprints that
// share their low bits eight at a time, so that they probe past one
// another, and finds each with the index it was added with.
func TestSeenSet(t *testing.T) {
	s := newSeenSet()
	const n = 3*seenPageSize + 17
	fp := func(i int) uint64 { return 1<<50 | uint64(i&7)<<40 | uint64(i>>3)<<4 }
	for i := range n {
		_, ok := s.find(fp(i))
		require.False(t, ok, "%d", i)
		s.add(fp(i), 10*i)
	}
	for i := range n {
		e, ok := s.find(fp(i))
		require.True(t, ok, "%d", i)
		require.Equal(t, 10*i, e.index())
		require.Zero(t, e.state())
	}
	assert.Equal(t, uint64(len(s.slots)-1), s.mask)
	assert.GreaterOrEqual(t, 3*len(s.slots), 4*n)

	s.settle(fp(7), 70, StateFailed)
	s.settle(fp(8), 999, StateFailed) // not the first with fp(8)
	e7, _ := s.find(fp(7))
	e8, _ := s.find(fp(8))
	assert.Equal(t, uint8(StateFailed)+1, e7.state())
	assert.Zero(t, e8.state())
	assert.Equal(t, 70, e7.index())

	// An index too far past its page's base for 29 bits starts a page.
	far := 10*n + seenMaxDelta + 1
	s.add(99, far)
	s.add(98, far+1)
	for i, want := range map[uint64]int{99: far, 98: far + 1, fp(n - 1): 10 * (n - 1)} {
		e, ok := s.find(i)
		require.True(t, ok)
		assert.Equal(t, want, e.index())
	}
	assert.Len(t, s.pages, 5)

	a, b := s.fingerprint("ab", "c"), s.fingerprint("a", "bc")
	assert.NotEqual(t, a, b, "the keys are kept apart")
	assert.Equal(t, a, s.fingerprint("ab", "c"))
}
