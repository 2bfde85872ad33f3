package match

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRoyaltiDeleted(t *testing.T) {
	t.Parallel()
	ids := []string{"A1", "b2", "c3"}
	tests := []struct {
		name      string
		failed    []string
		processed int
		want      []Verdict
	}{
		{name: "no failedDeletions list", processed: 3, want: []Verdict{Unknown, Unknown, Unknown}},
		{name: "all deleted", failed: []string{}, processed: 3, want: []Verdict{Created, Created, Created}},
		{name: "one failed, counted as processed", failed: []string{" a1 "}, processed: 3, want: []Verdict{Failed, Created, Created}},
		{name: "one failed, counted out", failed: []string{"B2"}, processed: 2, want: []Verdict{Created, Failed, Created}},
		{name: "one listed twice counts once", failed: []string{"b2", "B2"}, processed: 2, want: []Verdict{Created, Failed, Created}},
		{name: "a count that fits neither", failed: []string{}, processed: 1, want: []Verdict{Unknown, Unknown, Unknown}},
		{name: "a failure naming no id sent", failed: []string{"zz"}, processed: 3, want: []Verdict{Unknown, Unknown, Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := RoyaltiDeleted(ids, tt.failed, tt.processed)
			assert.Equal(t, tt.want, verdicts(got))
			for _, r := range got {
				assert.Equal(t, r.Verdict == Created, r.Reason == "", "a reason for all but a deletion: %+v", r)
			}
		})
	}
}
