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
	fp := func(i int) uint64 { return uint64(i&7)<<40 | uint64(i>>3)<<4 }
	for i := range n {
		require.Nil(t, s.find(fp(i)), "%d", i)
		s.add(fp(i), 10*i)
	}
	for i := range n {
		e := s.find(fp(i))
		require.NotNil(t, e, "%d", i)
		require.Equal(t, 10*i, e.index())
		require.Zero(t, e.state())
	}
	assert.Equal(t, uint64(len(s.slots)-1), s.mask)
	assert.GreaterOrEqual(t, 3*len(s.slots), 4*n)

	s.settle(fp(7), 70, StateFailed)
	s.settle(fp(8), 999, StateFailed) // not the first with fp(8)
	assert.Equal(t, uint8(StateFailed)+1, s.find(fp(7)).state())
	assert.Zero(t, s.find(fp(8)).state())
	assert.Equal(t, 70, s.find(fp(7)).index())

	a, b := s.fingerprint("ab", "c"), s.fingerprint("a", "bc")
	assert.NotEqual(t, a, b, "the keys are kept apart")
	assert.Equal(t, a, s.fingerprint("ab", "c"))
}
