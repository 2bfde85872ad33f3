package match

import (
	"fmt"
	"strings"
)

// RoyaltiDeleted returns one Result per id of a Royalti bulk deletion, in
// order, from the answer's failedDeletions (nil: the answer has none) and
// processedCount. A listed id failed; the rest are Created (deleted) when the
// count is the ids sent or those less the failures, and unknown otherwise
// or when a listed id names none sent. Ids compare case aside.
func RoyaltiDeleted(ids, failed []string, processed int) []Result {
	out := make([]Result, len(ids))
	if failed == nil {
		for i := range out {
			out[i] = Result{Verdict: Unknown, Reason: "the answer has no failedDeletions list, so it does not say whether this id was deleted"}
		}
		return out
	}
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[strings.ToLower(id)] = i
		out[i] = Result{Verdict: Created}
	}
	nFailed, stray := 0, 0
	for _, f := range failed {
		i, ok := index[strings.ToLower(strings.TrimSpace(f))]
		switch {
		case !ok:
			stray++
		case out[i].Verdict != Failed:
			out[i] = Result{Verdict: Failed, Reason: "the server listed this id in failedDeletions, without a reason"}
			nFailed++
		}
	}
	doubt := ""
	switch n := len(ids); {
	case stray > 0:
		doubt = fmt.Sprintf("the answer lists %d failed deletions that name no id sent, so this id may be one of them", stray)
	case processed != n && processed != n-nFailed:
		doubt = fmt.Sprintf("the server counted %d processed of %d ids sent and listed %d as failed, so whether this id was deleted is not certain", processed, n, nFailed)
	}
	for i := range out {
		if out[i].Verdict == Created && doubt != "" {
			out[i] = Result{Verdict: Unknown, Reason: doubt}
		}
	}
	return out
}
