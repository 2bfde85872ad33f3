package onboard

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/onboardkit/onboard/internal/readback"
)

// TestVerdictsAreStates: settleRead turns a readback.Verdict into a State
// by value.
func TestVerdictsAreStates(t *testing.T) {
	for v, s := range map[readback.Verdict]State{readback.Unknown: StateUnknown, readback.Done: StateSucceeded, readback.Refused: StateFailed, readback.NotDone: StateNotSent} {
		assert.Equal(t, s, State(v))
	}
}
