package main

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onboardkit/onboard"
)

// Outcomes, as every command's output names them.
const (
	outSucceeded = "succeeded"
	outFailed    = "failed"
	outUnknown   = "unknown"
	outNotSent   = "not sent"
	outInvalid   = "invalid"
	outSkipped   = "skipped"   // nothing to do for this row, and so not done
	outValid     = "valid"     // --dry-run: the row would be sent
	outUnchanged = "unchanged" // in a tally: a row without an outcome, with nothing done
)

// verdict is what became of one row: its outcome, the fields at fault for
// an invalid row, the reason in words, and the id the service gave;
// readBack holds the words of reading the service back, when that settled
// an unknown outcome.
type verdict struct {
	outcome, field, reason, id string
	readBack                   string
}

// ok reports whether the row needs no more attention: done, valid in a
// dry run, or with nothing to do.
func (v verdict) ok() bool { return needsNothing(v.outcome) }

// needsNothing reports whether a row with outcome needs no more
// attention: succeeded, valid in a dry run, or unchanged ("").
func needsNothing(outcome string) bool {
	return outcome == outSucceeded || outcome == outValid || outcome == "" || outcome == outUnchanged
}

// itemPath matches the SDK's path of an item inside a request, which a
// row's field is reported without: "users[3].", "targets[0].",
// "website_ids[0]", "userIds[2]".
var itemPath = regexp.MustCompile(`^[A-Za-z_]+\[\d+\]\.?`)

// fieldName turns an SDK problem's path into the name of the input's
// column; an item that is a bare id ("targets[0].id", "userIds[2]") is
// keyField.
func fieldName(path, keyField string) string {
	f := itemPath.ReplaceAllString(path, "")
	if f == "" || f == "id" {
		return keyField
	}
	return f
}

// problemsVerdict is the verdict of a row that could not be read.
func problemsVerdict(ps []fieldProblem) verdict {
	fields := make([]string, 0, len(ps))
	reasons := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.field != "" && !slices.Contains(fields, p.field) {
			fields = append(fields, p.field)
		}
		if p.field == "" {
			reasons = append(reasons, p.message)
		} else {
			reasons = append(reasons, p.field+": "+p.message)
		}
	}
	return verdict{outcome: outInvalid, field: strings.Join(fields, ","), reason: strings.Join(reasons, "; ")}
}

// validationVerdict is the verdict of an item the SDK refused before
// sending, its problems named by the input's columns.
func validationVerdict(ve *onboard.ValidationError, keyField string) verdict {
	ps := make([]fieldProblem, len(ve.Problems))
	for i, p := range ve.Problems {
		ps[i] = fieldProblem{fieldName(p.Field, keyField), p.Message}
	}
	return problemsVerdict(ps)
}

// outcomeVerdict is the verdict of one outcome of a bulk run. One that
// reading back settled says so: "unknown → succeeded: found invited on
// Aptly".
func outcomeVerdict[T any](o onboard.Outcome[T], keyField string) verdict {
	if o.ReadBack != "" {
		v := outcomeVerdict(onboard.Outcome[T]{State: o.State, UserID: o.UserID}, keyField)
		v.reason = outUnknown + " → " + v.outcome + ": " + o.Message
		if !o.Replayed {
			v.readBack = o.Message
		}
		return v
	}
	switch o.State {
	case onboard.StateSucceeded:
		return verdict{outcome: outSucceeded, reason: o.Message, id: o.UserID}
	case onboard.StateFailed:
		return verdict{outcome: outFailed, reason: o.Message, id: o.UserID}
	case onboard.StateNotSent:
		var ve *onboard.ValidationError
		if errors.As(o.Err, &ve) && !errors.Is(o.Err, onboard.ErrStopped) {
			return validationVerdict(ve, keyField)
		}
		return verdict{outcome: outNotSent, reason: errText(o.Err)}
	}
	reason := o.Message
	if o.Err != nil {
		reason = strings.TrimSpace(reason + " (" + errText(o.Err) + ")")
	}
	return verdict{outcome: outUnknown, reason: reason, id: o.UserID}
}

// errVerdict is the verdict of one call that is not a bulk run: succeeded
// when err is nil, failed when the service answered with a refusal, and
// not sent otherwise.
func errVerdict(err error, keyField string) verdict {
	var ve *onboard.ValidationError
	var ae *onboard.APIError
	switch {
	case err == nil:
		return verdict{outcome: outSucceeded}
	case errors.As(err, &ve):
		return validationVerdict(ve, keyField)
	case errors.As(err, &ae) && !errors.Is(err, onboard.ErrUnexpectedResponse):
		return verdict{outcome: outFailed, reason: strings.TrimSpace(fmt.Sprintf("%d %s: %s", ae.StatusCode, http.StatusText(ae.StatusCode), ae.Message))}
	case errors.As(err, &ae):
		return verdict{outcome: outUnknown, reason: errText(err)}
	}
	return verdict{outcome: outNotSent, reason: errText(err)}
}

// errText is an error's text without the SDK's "onboard: " prefix, which
// the command's own messages carry already. The SDK masks email addresses
// in it.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), "onboard: ", "")
}

// tally counts the rows of a run by outcome, and those that reading back
// settled by outcome and words.
type tally struct {
	rows  int
	bad   int // rows not ok
	by    map[string]int
	order []string
	noun  string // "row", "invite"
	// read counts the rows reading back settled, by "outcome (words)",
	// in readOrder.
	read      map[string]int
	readOrder []string
	readRows  int
}

func newTally(noun string) *tally {
	return &tally{by: map[string]int{}, read: map[string]int{}, noun: noun}
}

func (t *tally) add(v verdict) {
	if v.readBack != "" {
		k := v.outcome + " (" + v.readBack + ")"
		if _, ok := t.read[k]; !ok {
			t.readOrder = append(t.readOrder, k)
		}
		t.read[k]++
		t.readRows++
	}
	t.rows++
	if !v.ok() {
		t.bad++
	}
	o := v.outcome
	if o == "" {
		o = outUnchanged
	}
	if _, ok := t.by[o]; !ok {
		t.order = append(t.order, o)
	}
	t.by[o]++
}

// readBack says what reading back settled: "read back 350 unknown: 300
// → not sent (not found on Aptly: safe to send), 50 → succeeded (found
// invited on Aptly)"; "" if it settled nothing.
func (t *tally) readBack() string {
	if t.readRows == 0 {
		return ""
	}
	parts := make([]string, len(t.readOrder))
	for i, k := range t.readOrder {
		parts[i] = fmt.Sprintf("%d → %s", t.read[k], k)
	}
	return fmt.Sprintf("read back %d unknown: %s", t.readRows, strings.Join(parts, ", "))
}

// allOK reports whether every row counted is ok.
func (t *tally) allOK() bool { return t.bad == 0 }

// String reads "12 rows: 10 succeeded, 1 failed, 1 invalid".
func (t *tally) String() string {
	parts := make([]string, len(t.order))
	for i, o := range t.order {
		parts[i] = fmt.Sprintf("%d %s", t.by[o], o)
	}
	if len(parts) == 0 {
		return plural(0, t.noun)
	}
	return plural(t.rows, t.noun) + ": " + strings.Join(parts, ", ")
}

// leftOut says how many rows that need nothing more a table left out:
// "2980 succeeded rows not shown", or "2983 rows not shown (2980
// succeeded, 3 unchanged)".
func (t *tally) leftOut() string {
	var parts []string
	for _, o := range t.order {
		if needsNothing(o) {
			parts = append(parts, fmt.Sprintf("%d %s", t.by[o], o))
		}
	}
	n := t.rows - t.bad
	if len(parts) == 1 {
		noun := t.noun
		if n != 1 {
			noun += "s"
		}
		return parts[0] + " " + noun + " not shown"
	}
	return fmt.Sprintf("%s not shown (%s)", plural(n, t.noun), strings.Join(parts, ", "))
}

// asValidation returns err's *onboard.ValidationError, or nil.
func asValidation(err error) *onboard.ValidationError {
	var ve *onboard.ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	return nil
}

// plural writes "1 row", "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// shortDuration writes d to the minute, without zero units: 168h, 1h30m,
// 45m, or 0m under a minute.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d == 0 {
		return "0m"
	}
	out := strings.TrimSuffix(d.String(), "0s")
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}
