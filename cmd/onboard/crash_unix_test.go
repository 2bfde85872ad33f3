//go:build unix

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// crashRows is the size of the roster each trial of TestImportCrashResume
// imports; crashTrials is how many trials it runs.
const (
	crashRows   = 3000
	crashTrials = 3
)

// runTimeout bounds one run of a child "onboard aptly invite".
const runTimeout = 2 * time.Minute

// TestImportCrashResume starts "onboard fake" as a child process, then,
// in each trial, imports a roster of a few thousand rows (some invalid,
// some repeated) into a tenant of its own with --journal, kills the
// importer with SIGKILL once its journal has grown to a size drawn at
// random (seed logged), and runs the same command again, with
// --resend-in-flight, to the end. Every valid person must then be in the
// fake's state exactly once, no one else, and the report must hold one row
// per input row, none failed: an answered row sent again would have been
// refused as already there.
func TestImportCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and imports thousands of rows; skipped with -short")
	}
	bin, err := exec.LookPath("onboard") // the test binary, as TestMain set it up
	require.NoError(t, err)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	dir := t.TempDir()
	url := startFakeProcess(t, bin, dir)
	killed := 0
	for trial := range crashTrials {
		if crashTrial(t, bin, url, dir, trial, rng) {
			killed++
		}
	}
	t.Logf("%d of %d trials killed the importer part-way", killed, crashTrials)
}

// crashTrial runs one trial of TestImportCrashResume and reports whether
// the first run was killed before it finished.
func crashTrial(t *testing.T, bin, url, dir string, trial int, rng *rand.Rand) bool {
	t.Helper()
	tenant := fmt.Sprintf("%08d-0000-4000-8000-%012d", trial+1, trial+1)
	roster := filepath.Join(dir, fmt.Sprintf("roster%d.csv", trial))
	journal := filepath.Join(dir, fmt.Sprintf("run%d.journal", trial))
	report := filepath.Join(dir, fmt.Sprintf("report%d.csv", trial))
	valid, invalid := writeCrashRoster(t, roster, trial, crashRows, rng)
	args := []string{"aptly", "invite", "--file", roster, "--tenant", tenant, "--journal", journal,
		"--report", report, "--batch", "10", "--concurrency", "2", "-o", "csv"}
	env := append(os.Environ(), envAptlyURL+"="+url+"/aptly/auth", envAptlyToken+"="+onboardtest.AptlyToken)

	at := 1000 + rng.Int64N(60000) // the journal's size, in bytes, at which to kill
	size, wasKilled := runAndKill(t, bin, args, env, journal, at, syscall.SIGKILL)
	t.Logf("trial %d: %d rows (%d valid people, %d invalid rows); killed=%v with the journal at %d bytes (aim %d)",
		trial, crashRows, len(valid), invalid, wasKilled, size, at)
	checkWholeReport(t, report, crashRows, true)

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	resume := exec.CommandContext(ctx, bin, append(args, "--resend-in-flight")...)
	resume.Env = env
	out, err := resume.Output()
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != exitIncomplete) {
		require.NoError(t, err, "the resumed run: %s", stderrOf(err))
	}
	require.NotEmpty(t, out)
	checkCrashReport(t, report, trial, invalid)
	checkCrashState(t, url, tenant, valid)
	return wasKilled
}

// TestReportNotTornByKill kills imports with SIGKILL, by their PID, while
// they write their --report, and checks that each leaves no report, or
// a whole one (a header, then one record per input row, in order): the
// one an earlier run finished, or its own if it finished before the
// kill. A run that ends leaves one record per input row and no temporary
// file.
func TestReportNotTornByKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	bin, err := exec.LookPath("onboard") // the test binary, as TestMain set it up
	require.NoError(t, err)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	dir := t.TempDir()
	url := startFakeProcess(t, bin, dir)
	const rows = 300
	roster := filepath.Join(dir, "roster.csv")
	report := filepath.Join(dir, "report.csv")
	writeCrashRoster(t, roster, 0, rows, rng)
	env := append(os.Environ(), envAptlyURL+"="+url+"/aptly/auth", envAptlyToken+"="+onboardtest.AptlyToken)
	args := func(run int) []string {
		return []string{"aptly", "invite", "--file", roster, "--report", report, "--batch", "5", "--concurrency", "2", "-o", "csv",
			"--tenant", fmt.Sprintf("%08d-0000-4000-8000-%012d", run+1, run+1),
			"--journal", filepath.Join(dir, fmt.Sprintf("run%d.journal", run))}
	}
	for run, earlier := range []bool{false, true} { // a first run killed, then one with a report to keep
		if earlier {
			runToEnd(t, bin, args(9), env)
			checkWholeReport(t, report, rows, false)
		}
		at := 200 + rng.Int64N(6000) // the journal's size, in bytes, at which to kill
		size, killed := runAndKill(t, bin, args(run), env, filepath.Join(dir, fmt.Sprintf("run%d.journal", run)), at, syscall.SIGKILL)
		t.Logf("run %d: killed=%v with the journal at %d bytes (aim %d)", run, killed, size, at)
		checkWholeReport(t, report, rows, !earlier)
	}
	runToEnd(t, bin, args(1), env) // resumes the run killed last
	checkWholeReport(t, report, rows, false)
	assert.NoFileExists(t, filepath.Join(dir, ".report.csv.partial"))
}

// TestReportWholeAfterSIGTERM stops an import with SIGTERM, as Ctrl-C
// would, part-way, and checks that it still renames its --report into
// place, whole: one record per input row.
func TestReportWholeAfterSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	bin, err := exec.LookPath("onboard") // the test binary, as TestMain set it up
	require.NoError(t, err)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	dir := t.TempDir()
	url := startFakeProcess(t, bin, dir)
	const rows = 300
	roster := filepath.Join(dir, "roster.csv")
	report := filepath.Join(dir, "report.csv")
	journal := filepath.Join(dir, "run.journal")
	writeCrashRoster(t, roster, 0, rows, rng)
	env := append(os.Environ(), envAptlyURL+"="+url+"/aptly/auth", envAptlyToken+"="+onboardtest.AptlyToken)
	args := []string{"aptly", "invite", "--file", roster, "--report", report, "--batch", "5", "--concurrency", "2", "-o", "csv",
		"--tenant", "00000001-0000-4000-8000-000000000001", "--journal", journal}
	at := 200 + rng.Int64N(6000)
	size, signaled := runAndKill(t, bin, args, env, journal, at, syscall.SIGTERM)
	t.Logf("SIGTERM with the journal at %d bytes (aim %d); ended by the signal: %v", size, at, signaled)
	assert.False(t, signaled, "the command handles SIGTERM and ends on its own")
	checkWholeReport(t, report, rows, false)
	assert.NoFileExists(t, filepath.Join(dir, ".report.csv.partial"))
}

// runToEnd runs the command to its end, which must be exit status 0 or 1.
func runToEnd(t *testing.T, bin string, args, env []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	_, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != exitIncomplete) {
		require.NoError(t, err, "%v: %s", args, stderrOf(err))
	}
}

// checkWholeReport checks that the CSV report at path is whole: a header
// and a record for each of rows input rows, in order. It may be absent if
// absentOK.
func checkWholeReport(t *testing.T, path string, rows int, absentOK bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if absentOK && errors.Is(err, os.ErrNotExist) {
		return
	}
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err, "the report parses")
	require.Len(t, recs, rows+1, "a header and one record per row")
	for i, r := range recs[1:] {
		require.Equal(t, strconv.Itoa(i+2), r[0], "the records are in the file's order")
		require.NotEmpty(t, r[2], "line %d has an outcome", i+2)
	}
}

// writeCrashRoster writes n rows to path: one in 25 has a bad
// address, one in 25 repeats an earlier person (in capitals, now and
// then). It returns the valid people, by lower-case address, and the
// number of invalid rows.
func writeCrashRoster(t *testing.T, path string, trial, n int, rng *rand.Rand) (map[string]bool, int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,firstName\n")
	valid := map[string]bool{}
	var order []string
	invalid := 0
	for i := range n {
		switch r := rng.IntN(25); {
		case r == 0:
			fmt.Fprintf(&b, "bad-%d-%d,Bad\n", trial, i)
			invalid++
		case r == 1 && len(order) > 0:
			email := order[rng.IntN(len(order))]
			if rng.IntN(2) == 0 {
				email = strings.ToUpper(email)
			}
			fmt.Fprintf(&b, "%s,Again\n", email)
		default:
			email := fmt.Sprintf("p%d-%d@example.com", trial, i)
			valid[email] = true
			order = append(order, email)
			fmt.Fprintf(&b, "%s,P%d\n", email, i)
		}
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return valid, invalid
}

// runAndKill starts the import and sends it sig once the journal holds at
// bytes, or lets it end if it ends first. It returns the journal's size
// when sig was sent or the run ended, and whether a signal ended it.
func runAndKill(t *testing.T, bin string, args, env []string, journal string, at int64, sig syscall.Signal) (int64, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout+waitTimeout) // after the deadline below
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(runTimeout)
	for {
		select {
		case <-done:
			return fileSize(journal), false
		case <-deadline:
			_ = cmd.Process.Kill()
			<-done
			require.FailNow(t, "the import did not end", "within %v", runTimeout)
		case <-time.After(time.Millisecond):
		}
		if size := fileSize(journal); size >= at {
			if err := cmd.Process.Signal(sig); !errors.Is(err, os.ErrProcessDone) { // done: it ended first
				require.NoError(t, err)
			}
			err := <-done
			return size, killedBySignal(err)
		}
	}
}

// killedBySignal reports whether err is that of a process a signal ended;
// false if it ended on its own.
func killedBySignal(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func stderrOf(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(exit.Stderr)
	}
	return ""
}

// checkCrashReport checks the resumed run's report: one row per input
// row, in order, none failed and none left unsent.
func checkCrashReport(t *testing.T, path string, trial, invalid int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, crashRows+1, "a header and one record per row")
	count := map[string]int{}
	replayed := 0
	for i, r := range recs[1:] {
		require.Equal(t, strconv.Itoa(i+2), r[0], "the records are in the file's order")
		count[r[2]]++
		if strings.Contains(r[4], "from the journal") {
			replayed++
		}
	}
	t.Logf("trial %d: resumed run: %v; %d replayed from the journal", trial, count, replayed)
	assert.Equal(t, invalid, count[outInvalid])
	assert.Zero(t, count[outFailed], "no answered row was sent again")
	assert.Zero(t, count[outNotSent])
	assert.Equal(t, crashRows-invalid, count[outSucceeded]+count[outUnknown])
}

// checkCrashState checks that the tenant holds each valid person once,
// and no one else.
func checkCrashState(t *testing.T, url, tenant string, valid map[string]bool) {
	t.Helper()
	status, body := get(t, "GET", url+onboardtest.InspectStatePath, nil, "")
	require.Equal(t, 200, status)
	var state onboardtest.Snapshot
	require.NoError(t, json.Unmarshal(body, &state))
	seen := map[string]int{}
	for _, u := range state.Aptly.Tenants[tenant] {
		seen[strings.ToLower(u.Email)]++
	}
	for email, n := range seen {
		assert.True(t, valid[email], "%s is in the tenant but not on the roster", email)
		assert.Equal(t, 1, n, "%s is in the tenant %d times", email, n)
	}
	for email := range valid {
		assert.Contains(t, seen, email, "a valid person is missing")
	}
}

// startFakeProcess starts "onboard fake" as a child process on a free
// loopback port, answering after 5ms, and returns its URL. It is stopped
// with SIGTERM when the test ends.
func startFakeProcess(t *testing.T, bin, dir string) string {
	t.Helper()
	ready := filepath.Join(dir, "fake.url")
	// The context kills the fake only if SIGTERM did not stop it.
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "fake", "--addr", "127.0.0.1:0", "--latency", "5ms", "--ready-file", ready)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		defer cancel()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			assert.NoError(t, err, "onboard fake stops on SIGTERM with status 0")
		case <-timeout():
			_ = cmd.Process.Kill()
			<-done
			t.Error("onboard fake did not stop on SIGTERM")
		}
	})
	deadline := time.After(waitTimeout)
	for {
		if b, err := os.ReadFile(ready); err == nil && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSuffix(string(b), "\n")
		}
		select {
		case err := <-done:
			done <- err // for the cleanup
			require.FailNow(t, "onboard fake exited early", "%v", err)
		case <-deadline:
			require.FailNow(t, "onboard fake wrote no ready file", "within %v", waitTimeout)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
