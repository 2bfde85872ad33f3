package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

var when = time.Date(2025, 10, 14, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600))

func writeRecords(t *testing.T, format string) string {
	t.Helper()
	var b bytes.Buffer
	w := newRecordWriter(&b, format, []string{"line", "email", "reason", "since"})
	require.NoError(t, w.write(2, "ada@example.com", "Email already exists", when))
	require.NoError(t, w.write(nil, "grace@example.com", "tab\there, \"quoted\"\nnew line \x1b[31mred", time.Time{}))
	require.NoError(t, w.close())
	return b.String()
}

func TestTableOutput(t *testing.T) {
	t.Parallel()
	assert.Equal(t, ""+
		"LINE  EMAIL              REASON                                SINCE\n"+
		"2     ada@example.com    Email already exists                  2025-10-14T07:30:00Z\n"+
		"      grace@example.com  tab here, \"quoted\" new line  [31mred  \n",
		writeRecords(t, outputTable), "control characters cannot break a row or reach the terminal")
}

func TestJSONOutput(t *testing.T) {
	t.Parallel()
	out := writeRecords(t, outputJSON)
	var got []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	assert.Equal(t, []map[string]any{
		{"line": float64(2), "email": "ada@example.com", "reason": "Email already exists", "since": "2025-10-14T07:30:00Z"},
		{"line": nil, "email": "grace@example.com", "reason": "tab\there, \"quoted\"\nnew line \x1b[31mred", "since": nil},
	}, got)
	assert.Contains(t, out, `{"line": 2, "email": "ada@example.com"`, "keys keep the columns' order")
}

func TestCSVOutput(t *testing.T) {
	t.Parallel()
	recs, err := csv.NewReader(bytes.NewReader([]byte(writeRecords(t, outputCSV)))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"line", "email", "reason", "since"},
		{"2", "ada@example.com", "Email already exists", "2025-10-14T07:30:00Z"},
		{"", "grace@example.com", "tab\there, \"quoted\"\nnew line \x1b[31mred", ""},
	}, recs, "CSV keeps the text as it is")
}

// TestEmptyOutput checks that no records still make valid output.
func TestEmptyOutput(t *testing.T) {
	t.Parallel()
	for format, want := range map[string]string{
		outputTable: "A  B\n",
		outputJSON:  "[]\n",
		outputCSV:   "a,b\n",
	} {
		var b bytes.Buffer
		w := newRecordWriter(&b, format, []string{"a", "b"})
		require.NoError(t, w.close())
		assert.Equal(t, want, b.String(), format)
	}
}

func TestCheckOutput(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"table", "json", "csv"} {
		assert.NoError(t, checkOutput(f))
	}
	err := checkOutput("yaml")
	require.Error(t, err)
	assert.ErrorAs(t, err, new(*usageError))
}

func TestReportFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input := filepath.Join(dir, "people.csv")
	require.NoError(t, os.WriteFile(input, []byte("email\n"), 0o600))

	_, err := createReport(input, input, []string{"a"})
	require.ErrorAs(t, err, new(*usageError), "the report must not overwrite the input")
	content, err := os.ReadFile(input)
	require.NoError(t, err)
	assert.Equal(t, "email\n", string(content))

	for name, want := range map[string]string{"r.csv": "a\n1\n", "r.json": "[\n  {\"a\": 1}\n]\n", "R.JSON": "[\n  {\"a\": 1}\n]\n"} {
		path := filepath.Join(dir, name)
		rep, err := createReport(path, input, []string{"a"})
		require.NoError(t, err)
		require.NoError(t, rep.write(1))
		require.NoError(t, rep.close())
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want, string(got), name)
	}
	_, err = createReport(filepath.Join(dir, "no", "such", "dir.csv"), input, []string{"a"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot write --report")
}

// TestReportFileReplacedWhole checks that a report is written beside its
// place and renamed into it when it ends: until then the previous report
// stays whole; a new report is private, and one replaced keeps its mode.
func TestReportFileReplacedWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	rep, err := createReport(path, "", []string{"a"})
	require.NoError(t, err)
	require.NoError(t, rep.write(1))
	assert.NoFileExists(t, path, "no report until the run ends")
	require.NoError(t, rep.close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "a report names people")

	require.NoError(t, os.Chmod(path, 0o640))
	rep, err = createReport(path, "", []string{"a"})
	require.NoError(t, err)
	require.NoError(t, rep.write(2))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "a\n1\n", string(got), "the previous report, whole, while the run goes on")
	require.NoError(t, rep.close())
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "a\n2\n", string(got))
	fi, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "the mode of the report it replaced")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")

	link := filepath.Join(dir, "link.csv")
	require.NoError(t, os.Symlink("report.csv", link))
	rep, err = createReport(link, "", []string{"a"})
	require.NoError(t, err)
	require.NoError(t, rep.write(3))
	require.NoError(t, rep.close())
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "a\n3\n", string(got), "written through a link")

	dangling := filepath.Join(dir, "dangling.csv")
	require.NoError(t, os.Symlink("new.csv", dangling))
	rep, err = createReport(dangling, "", []string{"a"})
	require.NoError(t, err)
	require.NoError(t, rep.close())
	got, err = os.ReadFile(filepath.Join(dir, "new.csv"))
	require.NoError(t, err)
	assert.Equal(t, "a\n", string(got), "written where the link points")
}

func TestTally(t *testing.T) {
	t.Parallel()
	tl := newTally("row")
	assert.Equal(t, "0 rows", tl.String())
	assert.True(t, tl.allOK())
	tl.add(verdict{outcome: outSucceeded})
	assert.Equal(t, "1 row: 1 succeeded", tl.String())
	tl.add(verdict{})
	assert.True(t, tl.allOK(), "a row with nothing to do is fine")
	tl.add(verdict{outcome: outFailed})
	tl.add(verdict{outcome: outSucceeded})
	assert.Equal(t, "4 rows: 2 succeeded, 1 unchanged, 1 failed", tl.String())
	assert.False(t, tl.allOK())
	assert.Equal(t, "3 rows not shown (2 succeeded, 1 unchanged)", tl.leftOut())
}

func TestTallyLeftOut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		outcomes []string
		want     string
	}{
		{[]string{outSucceeded, outFailed}, "1 succeeded row not shown"},
		{[]string{outSucceeded, outUnknown, outSucceeded}, "2 succeeded rows not shown"},
		{[]string{outValid, outInvalid, outValid}, "2 valid rows not shown"},
		{[]string{"", outSucceeded, outNotSent}, "2 rows not shown (1 unchanged, 1 succeeded)"},
	} {
		tl := newTally("row")
		for _, o := range tc.outcomes {
			tl.add(verdict{outcome: o})
		}
		assert.Equal(t, tc.want, tl.leftOut(), "%q", tc.outcomes)
	}
}

func TestTallyReadBack(t *testing.T) {
	t.Parallel()
	tl := newTally("row")
	tl.add(verdict{outcome: outSucceeded})
	assert.Empty(t, tl.readBack(), "nothing read back: no line")
	for range 3 {
		tl.add(verdict{outcome: outNotSent, readBack: "not found on Aptly: safe to send"})
	}
	tl.add(verdict{outcome: outSucceeded, readBack: "found invited on Aptly"})
	tl.add(verdict{outcome: outNotSent, readBack: "not found on Aptly: safe to send"})
	tl.add(verdict{outcome: outFailed, readBack: "found deleted on Aptly, which contradicts the call"})
	assert.Equal(t, "read back 6 unknown: 4 → not sent (not found on Aptly: safe to send), 1 → succeeded (found invited on Aptly), "+
		"1 → failed (found deleted on Aptly, which contradicts the call)", tl.readBack())
	assert.Equal(t, "7 rows: 2 succeeded, 4 not sent, 1 failed", tl.String())
}

func TestAttentionTable(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := &attentionTable{recordWriter: newRecordWriter(&b, outputTable, []string{"line", "outcome"}), col: 1}
	for i, o := range []string{outSucceeded, outFailed, outValid, outUnknown, outInvalid, outNotSent, outSkipped, ""} {
		require.NoError(t, w.write(i+2, o))
	}
	require.NoError(t, w.close())
	assert.Equal(t, "LINE  OUTCOME\n3     failed\n5     unknown\n6     invalid\n7     not sent\n8     skipped\n", b.String())

	b.Reset()
	w = &attentionTable{recordWriter: newRecordWriter(&b, outputTable, []string{"line", "outcome"}), col: 1}
	require.NoError(t, w.write(2, outSucceeded))
	require.NoError(t, w.close())
	assert.Empty(t, b.String(), "nothing to show: not even the header")
}

func TestOutcomeVerdict(t *testing.T) {
	t.Parallel()
	stopped := errors.Join(onboard.ErrStopped, errors.New("context canceled"))
	ve := &onboard.ValidationError{Op: "aptly: Invites.SendBulkSeq", Problems: []onboard.FieldError{
		{Field: "users[3].email", Message: `"bob@" is not a valid email address`},
		{Field: "users[3].groups[0].groupId", Message: "is required"},
	}}
	for name, c := range map[string]struct {
		in   onboard.Outcome[string]
		want verdict
	}{
		"succeeded": {onboard.Outcome[string]{State: onboard.StateSucceeded, Message: "ok", UserID: "u1"}, verdict{outSucceeded, "", "ok", "u1", ""}},
		"failed":    {onboard.Outcome[string]{State: onboard.StateFailed, Message: "Email already exists"}, verdict{outFailed, "", "Email already exists", "", ""}},
		"invalid": {onboard.Outcome[string]{State: onboard.StateNotSent, Err: ve},
			verdict{outInvalid, "email,groups[0].groupId", `email: "bob@" is not a valid email address; groups[0].groupId: is required`, "", ""}},
		"stopped": {onboard.Outcome[string]{State: onboard.StateNotSent, Err: stopped}, verdict{outNotSent, "", "bulk run stopped\ncontext canceled", "", ""}},
		"unknown": {onboard.Outcome[string]{State: onboard.StateUnknown, Message: "the answer has no result for this email"},
			verdict{outUnknown, "", "the answer has no result for this email", "", ""}},
		"read back, succeeded": {onboard.Outcome[string]{State: onboard.StateSucceeded, Message: "found invited on Aptly", ReadBack: "aptly users: invited", UserID: "u2"},
			verdict{outSucceeded, "", "unknown → succeeded: found invited on Aptly", "u2", "found invited on Aptly"}},
		"read back, not sent": {onboard.Outcome[string]{State: onboard.StateNotSent, Message: "not found on Aptly: safe to send", ReadBack: "aptly users: not found"},
			verdict{outNotSent, "", "unknown → not sent: not found on Aptly: safe to send", "", "not found on Aptly: safe to send"}},
		"read back by an earlier run": {onboard.Outcome[string]{State: onboard.StateSucceeded, Message: "found active on Aptly", ReadBack: "aptly users: active", Replayed: true},
			verdict{outSucceeded, "", "unknown → succeeded: found active on Aptly", "", ""}},
	} {
		assert.Equal(t, c.want, outcomeVerdict(c.in, "email"), name)
	}
	assert.Equal(t, "website_id", fieldName("targets[2].id", "website_id"))
	assert.Equal(t, "website_id", fieldName("website_ids[0]", "website_id"))
	assert.Equal(t, "id", fieldName("userIds[7]", "id"))
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		168 * time.Hour: "168h", 90 * time.Minute: "1h30m", 45 * time.Minute: "45m", 20 * time.Second: "0m", 0: "0m",
		time.Hour + 31*time.Second: "1h1m",
	} {
		assert.Equal(t, want, shortDuration(d), d.String())
	}
}

// TestCSVFormulaCells checks that a CSV cell a spreadsheet would run as a
// formula is written after a single quote, in -o csv and in a CSV report,
// while JSON keeps the text as it is.
func TestCSVFormulaCells(t *testing.T) {
	t.Parallel()
	cells := map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1+2":                     "'+1+2",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1":                     "'\t=1",
		"\r=1":                     "'\r=1",
		"a=1":                      "a=1",
		"'quoted":                  "'quoted",
		"":                         "",
	}
	dir := t.TempDir()
	for in, want := range cells {
		var b bytes.Buffer
		w := newRecordWriter(&b, outputCSV, []string{"reason", "line"})
		require.NoError(t, w.write(in, 2))
		require.NoError(t, w.close())
		recs, err := csv.NewReader(&b).ReadAll()
		require.NoError(t, err)
		assert.Equal(t, [][]string{{"reason", "line"}, {want, "2"}}, recs, "%q", in)

		rep, err := createReport(filepath.Join(dir, "report.csv"), "", []string{"reason", "line"})
		require.NoError(t, err)
		require.NoError(t, rep.write(in, 2))
		require.NoError(t, rep.close())
		f, err := os.Open(filepath.Join(dir, "report.csv"))
		require.NoError(t, err)
		recs, err = csv.NewReader(f).ReadAll()
		require.NoError(t, f.Close())
		require.NoError(t, err)
		assert.Equal(t, [][]string{{"reason", "line"}, {want, "2"}}, recs, "report: %q", in)

		b.Reset()
		w = newRecordWriter(&b, outputJSON, []string{"reason"})
		require.NoError(t, w.write(in))
		require.NoError(t, w.close())
		var got []map[string]string
		require.NoError(t, json.Unmarshal(b.Bytes(), &got))
		assert.Equal(t, []map[string]string{{"reason": in}}, got, "JSON keeps %q", in)
	}
}
