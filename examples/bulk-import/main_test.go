package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// env is a fake environment for run.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// result is what one run did.
type result struct {
	code           int
	stdout, stderr string
}

func runImport(t *testing.T, e env, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, e.get, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// readCSV reads a whole CSV file, header included.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	return rows
}

// writeCSV writes lines to a file in a temporary directory.
func writeCSV(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.csv")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	return path
}

// reportRow is one row of the report.
type reportRow struct{ row, email, outcome, reason string }

// readReport reads a report and checks its header and that its rows are
// numbered 1, 2, 3, ... in order.
func readReport(t *testing.T, path string) []reportRow {
	t.Helper()
	rows := readCSV(t, path)
	require.NotEmpty(t, rows)
	require.Equal(t, []string{"row", "email", "outcome", "reason"}, rows[0])
	out := make([]reportRow, 0, len(rows)-1)
	for i, r := range rows[1:] {
		require.Len(t, r, 4)
		require.Equal(t, strconv.Itoa(i+1), r[0], "rows in input order")
		out = append(out, reportRow{r[0], r[1], r[2], r[3]})
	}
	return out
}

// TestRun_sample runs the program on the sample beside it, as CI does from
// the repository root, and checks the report against the input row by row.
func TestRun_sample(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "report.csv")
	res := runImport(t, env{}, "-out", out) // -in defaults to people.csv here
	require.Equal(t, exitFailed, res.code, "the sample has duplicates and invalid emails\nstderr: %s", res.stderr)

	input := readCSV(t, "people.csv")
	require.Equal(t, "email", input[0][0])
	people := input[1:]
	report := readReport(t, out)
	require.Len(t, report, len(people), "one report row per input row")

	// Group the rows by person; letter case does not make a new person.
	byEmail := map[string][]reportRow{}
	for i, r := range report {
		assert.Equal(t, people[i][0], r.email, "row %s", r.row)
		byEmail[strings.ToLower(r.email)] = append(byEmail[strings.ToLower(r.email)], r)
	}
	counts := map[string]int{}
	duplicates := 0
	for email, rows := range byEmail {
		for _, r := range rows {
			counts[r.outcome]++
		}
		switch first := rows[0]; {
		case first.outcome == outcomeNotSent:
			assert.True(t, strings.HasPrefix(first.reason, "email "), "row %s: %q", first.row, first.reason)
			assert.Len(t, rows, 1)
		case email == "lee.short@example.c":
			assert.Equal(t, reportRow{first.row, first.email, outcomeFailed, "Invalid email"}, first, "the server, not the SDK, refuses this one")
		case len(rows) > 1:
			// The first entry was sent; the repeat shares its outcome and
			// names its row.
			duplicates++
			assert.Equal(t, reportRow{first.row, first.email, outcomeInvited, ""}, first)
			for _, r := range rows[1:] {
				assert.Equal(t, outcomeInvited, r.outcome, "row %s", r.row)
				assert.Equal(t, "repeats row "+first.row, r.reason, "row %s", r.row)
			}
		default:
			assert.Equal(t, reportRow{first.row, first.email, outcomeInvited, ""}, first)
		}
	}
	assert.Equal(t, 12, duplicates, "duplicated people in the sample")
	assert.Equal(t, map[string]int{outcomeInvited: 312, outcomeFailed: 1, outcomeNotSent: 10}, counts)

	assert.Contains(t, res.stdout, "Inviting 323 people from people.csv into Aptly tenant "+fakeTenantID+" (in-process fake")
	assert.Contains(t, res.stdout, "\n323 people: 312 invited, 1 failed, 10 not sent\n")
	assert.Contains(t, res.stdout, "      9  not sent: email is not a valid email address\n")
	assert.Contains(t, res.stdout, "Report: "+out)
	// stderr is not a terminal here: plain progress lines, no bar.
	assert.Contains(t, res.stderr, "bulk-import: 323/323 done (100%), 312 invited, 11 not invited\n")
	assert.NotContains(t, res.stderr, "\r")
}

// TestRun_realService points the environment at a server of its own,
// standing in for the real Aptly, and checks what it received.
func TestRun_realService(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	const tenant = "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"
	e := env{"ONBOARD_APTLY_URL": srv.AptlyURL(), "ONBOARD_APTLY_TOKEN": onboardtest.AptlyToken, "ONBOARD_APTLY_TENANT_ID": tenant}

	var lines = []string{"\ufeffEmail,First Name,last_name,EMPLOYEE_TYPE,department,note"}
	for i := range 23 {
		lines = append(lines, "person"+strconv.Itoa(i)+"@example.com,Person,No"+strconv.Itoa(i)+",Full-time,Sales,")
	}
	in := writeCSV(t, lines...)
	out := filepath.Join(t.TempDir(), "report.csv")
	res := runImport(t, e, "-in", in, "-out", out, "-batch", "5", "-concurrency", "2")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)

	report := readReport(t, out)
	require.Len(t, report, 23)
	for _, r := range report {
		assert.Equal(t, outcomeInvited, r.outcome)
	}
	assert.Equal(t, 23, srv.AptlyUserCount(tenant))
	u, ok := srv.FindAptlyUser(tenant, "person7@example.com")
	require.True(t, ok)
	assert.Equal(t, "Person", u.FirstName)
	assert.Equal(t, "No7", u.LastName)
	assert.Equal(t, "Full-time", u.EmployeeType)

	// -batch 5: five requests of at most five people; the extra columns
	// are custom attributes, and empty cells are not sent.
	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	for _, r := range reqs {
		var body struct {
			Users []struct {
				Email            string            `json:"email"`
				CustomAttributes map[string]string `json:"customAttributes"`
			} `json:"users"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		assert.LessOrEqual(t, len(body.Users), 5)
		for _, u := range body.Users {
			assert.Equal(t, map[string]string{"department": "Sales"}, u.CustomAttributes)
		}
	}
	assert.Contains(t, res.stdout, "23 people: 23 invited, 0 failed, 0 not sent")
	assert.Contains(t, res.stdout, "into Aptly tenant "+tenant+" ("+srv.AptlyURL()+")")
}

// TestRun_verbose checks what -v logs: each request, and each batch with
// the report rows it carried and the request id the server answered with,
// and never an email address.
func TestRun_verbose(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	const tenant = "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"
	lines := []string{"email,first_name"}
	for i := range 12 {
		lines = append(lines, "person"+strconv.Itoa(i)+"@example.com,Person")
	}
	lines[6] = "not-an-email,Nobody" // row 6 is not sent
	in := writeCSV(t, lines...)
	out := filepath.Join(t.TempDir(), "report.csv")

	e := env{"ONBOARD_APTLY_URL": srv.AptlyURL(), "ONBOARD_APTLY_TOKEN": onboardtest.AptlyToken}
	res := runImport(t, e, "-in", in, "-out", out, "-tenant", tenant, "-batch", "4", "-concurrency", "2", "-v")
	require.Equal(t, exitFailed, res.code, "stderr: %s", res.stderr)

	batchRE := regexp.MustCompile(`(?m)^time=\S+ level=DEBUG msg="bulk-import: batch answered" batch=\d+ rows=(\S+) status=201 request_id=(\S+) attempts=1$`)
	var rowsSent []string
	var ids []string
	for _, m := range batchRE.FindAllStringSubmatch(res.stderr, -1) {
		rowsSent = append(rowsSent, m[1])
		ids = append(ids, m[2])
	}
	var want []string
	for _, r := range srv.Requests() {
		want = append(want, r.ID)
	}
	require.Len(t, want, 3, "11 valid people in batches of 4")
	assert.ElementsMatch(t, want, ids, "one line per batch, with its request id:\n%s", res.stderr)
	assert.ElementsMatch(t, []string{"1-4", "5,7-9", "10-12"}, rowsSent)
	assert.Equal(t, 3, strings.Count(res.stderr, `msg="onboard: request" method=POST`), "the client logs each request")
	assert.NotContains(t, res.stderr, "@", "no email address in the log")

	// A batch that got no per-item answer is logged at warn, with why.
	e["ONBOARD_APTLY_TOKEN"] = "wrong-token"
	out = filepath.Join(t.TempDir(), "report.csv") // a new run: a new journal
	res = runImport(t, e, "-in", in, "-out", out, "-tenant", tenant, "-batch", "4", "-concurrency", "1", "-v")
	require.Equal(t, exitFailed, res.code, "stderr: %s", res.stderr)
	assert.Regexp(t, `level=WARN msg="bulk-import: batch answered" batch=0 rows=1-4 status=401 request_id=\S+ attempts=1 error=".*401 Unauthorized`, res.stderr)
	assert.NotContains(t, res.stderr, "wrong-token")
}

func TestRowRanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		indexes []int
		want    string
	}{
		{nil, ""},
		{[]int{0}, "1"},
		{[]int{0, 1, 2, 4}, "1-3,5"},
		{[]int{3, 5, 6, 9}, "4,6-7,10"},
	} {
		assert.Equal(t, tc.want, rowRanges(tc.indexes), "%v", tc.indexes)
	}
}

// TestRun_refusedCredential checks that a run the server refuses still
// reports every person, as not sent.
func TestRun_refusedCredential(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	e := env{"ONBOARD_APTLY_URL": srv.AptlyURL(), "ONBOARD_APTLY_TOKEN": "wrong-token"}
	out := filepath.Join(t.TempDir(), "report.csv")
	res := runImport(t, e, "-in", "people.csv", "-out", out, "-tenant", fakeTenantID, "-batch", "50")
	require.Equal(t, exitFailed, res.code, "stderr: %s", res.stderr)

	report := readReport(t, out)
	require.Len(t, report, len(readCSV(t, "people.csv"))-1)
	for _, r := range report {
		require.Equal(t, outcomeNotSent, r.outcome, "row %s", r.row)
	}
	assert.Contains(t, report[0].reason, "401")
	assert.Contains(t, res.stdout, "323 people: 0 invited, 0 failed, 323 not sent")
	assert.LessOrEqual(t, srv.RequestCount(""), onboard.DefaultConcurrency, "a 401 stops the run")
	assert.NotContains(t, res.stdout+res.stderr, "wrong-token")
	assert.Zero(t, srv.AptlyUserCount(fakeTenantID))
}

// TestRun_interrupted runs with a context that has already ended, as after
// Ctrl-C: nobody is sent, and everybody is in the report.
func TestRun_interrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	out := filepath.Join(t.TempDir(), "report.csv")
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"-in", "people.csv", "-out", out}, env{}.get, &stdout, &stderr)
	assert.Equal(t, exitFailed, code, "stderr: %s", stderr.String())
	report := readReport(t, out)
	require.Len(t, report, 323)
	for _, r := range report {
		assert.Equal(t, outcomeNotSent, r.outcome, "row %s", r.row)
	}
	assert.Contains(t, report[0].reason, "context canceled")
}

func TestRun_usageErrors(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	realEnv := env{"ONBOARD_APTLY_URL": srv.AptlyURL(), "ONBOARD_APTLY_TOKEN": onboardtest.AptlyToken}
	dir := t.TempDir()
	report := filepath.Join(dir, "report.csv")

	tests := []struct {
		name   string
		env    env
		args   []string
		code   int
		stderr string
	}{
		{"batch below 1", nil, []string{"-batch", "0"}, exitUsage, "-batch must be at least 1"},
		{"concurrency below 1", nil, []string{"-concurrency", "-1"}, exitUsage, "-concurrency must be at least 1"},
		{"an argument", nil, []string{"people.csv"}, exitUsage, `unexpected argument "people.csv"`},
		{"a bad flag", nil, []string{"-nope"}, exitUsage, "-nope"},
		{"help", nil, []string{"-h"}, exitOK, "Exit status: 0 all invited, 1 not all, 2 usage or I/O error"},
		{"no input file", nil, []string{"-in", filepath.Join(dir, "missing.csv")}, exitUsage, "missing.csv"},
		{"no email column", realEnv, []string{"-in", writeCSV(t, "name,phone", "Ada,1"), "-tenant", fakeTenantID}, exitUsage, "has no email column"},
		{"an empty file", nil, []string{"-in", writeCSV(t, "")}, exitUsage, "needs a header row"},
		{"broken CSV", realEnv, []string{"-in", writeCSV(t, "email,first_name", `ada@example.com,"Ada`, "bob@example.com,Bob"), "-tenant", fakeTenantID}, exitUsage, "in.csv"},
		{"the report over the input", nil, []string{"-in", "people.csv", "-out", "people.csv"}, exitUsage, "would overwrite the input"},
		{"a report that cannot be written", nil, []string{"-out", filepath.Join(dir, "no", "such", "dir.csv")}, exitUsage, "dir.csv"},
		{"a URL without a token", env{"ONBOARD_APTLY_URL": srv.AptlyURL()}, nil, exitUsage, "set both ONBOARD_APTLY_URL and ONBOARD_APTLY_TOKEN"},
		{"a real service without a tenant", realEnv, nil, exitUsage, "give -tenant or set ONBOARD_APTLY_TENANT_ID"},
		{"resend without resume", nil, []string{"-resend-in-flight"}, exitUsage, "-resend-in-flight goes with -resume"},
		{"the journal over the report", nil, []string{"-out", report + ".same", "-journal", report + ".same"}, exitUsage, "would overwrite the input or the report"},
		{"a tenant that is not a UUID", realEnv, []string{"-tenant", "acme"}, exitFailed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !strings.Contains(strings.Join(args, " "), "-out") {
				args = append([]string{"-out", report + "." + strings.ReplaceAll(tc.name, " ", "-")}, args...)
			}
			res := runImport(t, tc.env, args...)
			assert.Equal(t, tc.code, res.code, "stderr: %s", res.stderr)
			assert.Contains(t, res.stderr, tc.stderr)
		})
	}
	assert.Zero(t, srv.RequestCount(""), "nothing was sent for a usage error, nor for an invalid tenant")
}

// TestRun_defaultInput runs without -in from the repository root and from
// the examples module's directory, as the README's commands do.
func TestRun_defaultInput(t *testing.T) {
	for _, dir := range []string{"../..", ".."} {
		t.Run(dir, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.csv")
			t.Chdir(dir)
			res := runImport(t, env{}, "-out", out)
			assert.Equal(t, exitFailed, res.code, "stderr: %s", res.stderr)
			assert.Len(t, readReport(t, out), 323)
		})
	}
}

// TestProgressBar drives the bar as a terminal would see it.
func TestProgressBar(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgress(&buf, 200, true)
	p.update(onboard.Progress{Total: 200, Done: 100, Succeeded: 90, Failed: 10})
	p.update(onboard.Progress{Total: 200, Done: 200, Succeeded: 190, Failed: 10})
	p.finish()
	assert.Contains(t, buf.String(), "inviting (10 not invited)")
	assert.Contains(t, buf.String(), "200/200")
	assert.True(t, strings.HasSuffix(buf.String(), "\n"), "the line ends when the bar does")
}

// cancelAt is standard error for run: it cancels the run once a progress
// line says at least tenths tenths of the people are done, as Ctrl-C would.
type cancelAt struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	tenths int
	cancel context.CancelFunc
}

var progressLine = regexp.MustCompile(`bulk-import: \d+/\d+ done \((\d+)%\)`)

func (c *cancelAt) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := progressLine.FindSubmatch(p); m != nil {
		if pct, _ := strconv.Atoi(string(m[1])); pct >= c.tenths*10 {
			c.cancel()
		}
	}
	return c.buf.Write(p)
}

// requestEmails returns the emails of the bulk invites the server got,
// lower-cased.
func requestEmails(t *testing.T, reqs []onboardtest.RecordedRequest) []string {
	t.Helper()
	var emails []string
	for _, r := range reqs {
		var body struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		for _, u := range body.Users {
			emails = append(emails, strings.ToLower(u.Email))
		}
	}
	return emails
}

// TestRun_resume stops a run part-way, as Ctrl-C does, and resumes it from
// its journal against the same server: the report then has one final
// outcome per row, every valid person exists once, and no one the first
// run got an answer for is sent again.
func TestRun_resume(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer(onboardtest.WithLatency(5 * time.Millisecond))
	t.Cleanup(srv.Close)
	e := env{"ONBOARD_APTLY_URL": srv.AptlyURL(), "ONBOARD_APTLY_TOKEN": onboardtest.AptlyToken, "ONBOARD_APTLY_TENANT_ID": fakeTenantID}
	out := filepath.Join(t.TempDir(), "report.csv")
	args := []string{"-in", "people.csv", "-out", out, "-batch", "20", "-concurrency", "2"}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	stderr := &cancelAt{tenths: 3, cancel: cancel}
	var stdout bytes.Buffer
	code := run(ctx, args, e.get, &stdout, stderr)
	require.Equal(t, exitFailed, code, "stderr: %s", stderr.buf.String())
	require.Contains(t, stdout.String(), "The run stopped early")
	first := readReport(t, out)
	require.Len(t, first, 323)
	answered := map[string]bool{}
	for _, r := range first {
		if r.outcome == outcomeInvited || r.outcome == outcomeFailed {
			answered[strings.ToLower(r.email)] = true
		}
	}
	require.NotEmpty(t, answered, "the first run got answers before it stopped")
	sentBefore := len(srv.Requests())

	res := runImport(t, e, append(args, "-resume", "-resend-in-flight")...)
	require.Equal(t, exitFailed, res.code, "the sample has invalid emails; stderr: %s", res.stderr)
	assert.Regexp(t, `\n[1-9]\d* of them replayed from the journal`, res.stdout)

	later := requestEmails(t, srv.Requests()[sentBefore:])
	require.NotEmpty(t, later, "the resumed run sent the rest")
	for _, email := range later {
		assert.False(t, answered[email], "row of %s was answered by the first run, and sent again", email)
	}
	final := readReport(t, out)
	require.Len(t, final, 323, "one row per input row")
	there := map[string]bool{}
	for _, r := range final {
		switch r.outcome {
		case outcomeInvited, outcomeUnknown:
			there[strings.ToLower(r.email)] = true
		case outcomeNotSent:
			assert.NotContains(t, r.reason, "context canceled", "row %s has no final outcome", r.row)
		}
	}
	for email := range there {
		_, ok := srv.FindAptlyUser(fakeTenantID, email)
		assert.True(t, ok, "%s exists", email)
	}
	assert.Equal(t, len(there), srv.AptlyUserCount(fakeTenantID), "each person exists once")
}

// TestRun_journalRefusals checks the runs that a journal refuses before
// sending anyone: a new run over an earlier run's journal, -resume without
// a journal, and -resume with another input, tenant or service.
func TestRun_journalRefusals(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	e := env{"ONBOARD_APTLY_URL": srv.AptlyURL(), "ONBOARD_APTLY_TOKEN": onboardtest.AptlyToken, "ONBOARD_APTLY_TENANT_ID": fakeTenantID}
	in := writeCSV(t, "email", "ada@example.com", "grace@example.com")
	other := writeCSV(t, "email", "alan@example.com", "grace@example.com")
	out := filepath.Join(t.TempDir(), "report.csv")
	res := runImport(t, e, "-in", in, "-out", out)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Contains(t, res.stdout, "Journal: "+out+".journal")
	assert.FileExists(t, out+".journal", "kept after a run that succeeded")
	sent := srv.RequestCount("")

	otherTenant := env{"ONBOARD_APTLY_URL": e["ONBOARD_APTLY_URL"], "ONBOARD_APTLY_TOKEN": e["ONBOARD_APTLY_TOKEN"], "ONBOARD_APTLY_TENANT_ID": "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"}
	for _, tc := range []struct {
		name   string
		env    env
		args   []string
		stderr string
	}{
		{"a new run over the journal", e, []string{"-in", in, "-out", out}, "give -resume to continue it, or remove it"},
		{"resume without a journal", e, []string{"-in", in, "-out", out + ".new", "-resume"}, "there is no journal " + out + ".new.journal"},
		{"resume with another input", e, []string{"-in", other, "-out", out, "-resume"}, "input item 0 differs"},
		{"resume with another tenant", otherTenant, []string{"-in", in, "-out", out, "-resume"}, "shared fields"},
		{"resume with the in-process fake", env{}, []string{"-in", in, "-out", out, "-resume", "-tenant", fakeTenantID}, "this run is Invites.SendBulk at POST http://127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runImport(t, tc.env, tc.args...)
			assert.Equal(t, exitUsage, res.code, "stdout: %s", res.stdout)
			assert.Contains(t, res.stderr, tc.stderr)
		})
	}
	assert.Equal(t, sent, srv.RequestCount(""), "a refused run sends no one")

	// The journal still resumes the run it belongs to: nothing to send.
	res = runImport(t, e, "-in", in, "-out", out, "-resume")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Contains(t, res.stdout, "2 of them replayed from the journal")
	assert.Equal(t, sent, srv.RequestCount(""))
	assert.Len(t, readReport(t, out), 2)
}
