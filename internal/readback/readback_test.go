package readback

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestScan reads a list of 25 entries in pages of 10: it stops once every
// key is found, reads to the end when one is missing, honours the cap and
// reports a failed read.
func TestScan(t *testing.T) {
	list := make([]string, 25)
	for i := range list {
		list[i] = "k" + strconv.Itoa(i)
	}
	fetch := func(total int, failAt int) func(context.Context, int) (Page[string], error) {
		return func(_ context.Context, n int) (Page[string], error) {
			if n == failAt {
				return Page[string]{}, errors.New("boom")
			}
			lo, hi := min((n-1)*10, len(list)), min(n*10, len(list))
			return Page[string]{Items: list[lo:hi], Total: total}, nil
		}
	}
	id := func(s *string) string { return *s }
	for _, tc := range []struct {
		name     string
		keys     []string
		max      int
		total    int
		failAt   int
		pages    int
		whole    bool
		found    []bool
		whyMatch string
	}{
		{name: "all found early", keys: []string{"k3", "k12"}, total: 25, pages: 2, found: []bool{true, true}},
		{name: "one missing: to the end", keys: []string{"k3", "x"}, total: 25, pages: 3, whole: true, found: []bool{true, false}},
		{name: "no total: an empty page ends it", keys: []string{"x"}, total: -1, pages: 4, whole: true, found: []bool{false}},
		{name: "the cap", keys: []string{"k24", "k1"}, max: 2, total: 25, pages: 2, found: []bool{false, true}, whyMatch: "the 2 page(s)"},
		{name: "a failed read", keys: []string{"k24"}, total: 25, failAt: 2, pages: 1, found: []bool{false}, whyMatch: "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Scan(context.Background(), tc.max, tc.keys, fetch(tc.total, tc.failAt), id)
			assert.Equal(t, tc.pages, r.Pages)
			assert.Equal(t, tc.whole, r.Whole)
			for i, want := range tc.found {
				assert.Equal(t, want, r.Found[i] != nil, "key %d", i)
			}
			if tc.whyMatch != "" {
				assert.Contains(t, r.Why("the list"), tc.whyMatch)
			}
		})
	}
}

// TestRuleJudge gives each verdict its words.
func TestRuleJudge(t *testing.T) {
	r := Rule{Service: "Aptly", List: "aptly users", Done: []string{"invited", "active"}, Other: Refused, Absent: NotDone}
	for _, tc := range []struct {
		rule      Rule
		word      string
		found     bool
		v         Verdict
		msg, read string
	}{
		{r, "invited", true, Done, "found invited on Aptly", "aptly users: invited"},
		{r, "inactive", true, Refused, "found inactive on Aptly, which contradicts the call", "aptly users: inactive"},
		{r, "", false, NotDone, "not found on Aptly: safe to send", "aptly users: not found"},
		{Rule{Service: "Royalti", List: "royalti users", Other: NotDone, Absent: Done}, "listed", true, NotDone, "found listed on Royalti: not done, safe to send", "royalti users: listed"},
		{Rule{Service: "Royalti", List: "royalti users", Other: NotDone, Absent: Done}, "", false, Done, "not found on Royalti, as the call leaves it", "royalti users: not found"},
		{Rule{Service: "AthenaHQ", Done: []string{"a member"}, AbsentWhy: "no list of pending invites"}, "", false, Unknown, "no list of pending invites", ""},
	} {
		assert.Equal(t, Outcome{Verdict: tc.v, Message: tc.msg, Read: tc.read}, tc.rule.Judge(tc.word, tc.found))
	}
}
