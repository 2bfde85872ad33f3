package seen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSet fills the set past several growths with fingerprints that
// share their low bits eight at a time, so that they probe past one
// another, and finds each with the index it was inserted with.
func TestSet(t *testing.T) {
	s := New()
	const n = 3*pageSize + 17
	fp := func(i int) uint64 { return 1<<50 | uint64(i&7)<<40 | uint64(i>>3)<<4 }
	for i := range n {
		_, ok, slot := s.Lookup(fp(i))
		require.False(t, ok, "%d", i)
		e := s.Insert(fp(i), 10*i, slot)
		require.Equal(t, 10*i, e.Index())
	}
	for i := range n {
		e, ok, _ := s.Lookup(fp(i))
		require.True(t, ok, "%d", i)
		require.Equal(t, 10*i, e.Index())
		require.Zero(t, e.State())
	}
	assert.Equal(t, uint64(len(s.slots)-1), s.mask)
	assert.GreaterOrEqual(t, 3*len(s.slots), 4*n)

	const failed = 2 // a state, as the onboard package's StateFailed
	e7, _, _ := s.Lookup(fp(7))
	e8, _, _ := s.Lookup(fp(8))
	e7.Settle(70, failed)
	e8.Settle(999, failed) // not the first with fp(8)
	assert.Equal(t, failed+1, e7.State())
	assert.Zero(t, e8.State())
	assert.Equal(t, 70, e7.Index())

	// An index too far past its page's base for 29 bits starts a page.
	far := 10*n + maxDelta + 1
	for _, i := range []int{far, far + 1} {
		_, _, slot := s.Lookup(uint64(i))
		s.Insert(uint64(i), i, slot)
	}
	for f, want := range map[uint64]int{uint64(far): far, uint64(far + 1): far + 1, fp(n - 1): 10 * (n - 1)} {
		e, ok, _ := s.Lookup(f)
		require.True(t, ok)
		assert.Equal(t, want, e.Index())
	}
	assert.Len(t, s.pages, 5)

	a, b := s.Fingerprint("ab", "c"), s.Fingerprint("a", "bc")
	assert.NotEqual(t, a, b, "the keys are kept apart")
	assert.Equal(t, a, s.Fingerprint("ab", "c"))
}
