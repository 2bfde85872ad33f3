package onboard

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeenSet finds each fingerprint with the index of the first item
// added with it, keeps the first item's state for its repeats, and keeps
// the keys of a fingerprint apart.
func TestSeenSet(t *testing.T) {
	s := newSeenSet()
	const n = 3*16384 + 17
	for i := range n {
		fp := s.fingerprint("p"+itoa(i), "")
		require.Equal(t, -1, s.first(fp), "%d", i)
		s.add(fp, 10*i)
		s.add(fp, 10*i+1) // not the first with fp
	}
	for i := range n {
		require.Equal(t, 10*i, s.first(s.fingerprint("p"+itoa(i), "")), "%d", i)
	}

	fp := s.fingerprint("p7", "")
	first := Outcome[int]{Index: 70, State: StateFailed}
	settleSeen(s, "op", &first, fp)
	other := Outcome[int]{Index: 71, State: StateSucceeded} // not the first with fp
	settleSeen(s, "op", &other, fp)
	of := 70
	repeat := Outcome[int]{Index: 72, DuplicateOf: &of}
	settleSeen(s, "op", &repeat, fp)
	assert.Equal(t, StateFailed, repeat.State)
	assert.Equal(t, 70, s.first(fp))

	a, b := s.fingerprint("ab", "c"), s.fingerprint("a", "bc")
	assert.NotEqual(t, a, b, "the keys are kept apart")
	assert.Equal(t, a, s.fingerprint("ab", "c"))
	assert.NotZero(t, s.fingerprint("", ""))
}
