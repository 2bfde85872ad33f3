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

// crashSize is the size of each import of TestImportCrashResume: rows
// rows, killed kills times; smaller with -short.
func crashSize() (rows, kills int) {
	if testing.Short() {
		return 300, 3
	}
	return 2000, 8
}

// runTimeout bounds one run of a child "onboard aptly invite".
const runTimeout = 2 * time.Minute

// crashService is one service's import, as TestImportCrashResume runs it.
type crashService struct {
	name string
	// args are the import's arguments but for its files.
	args func(trial int) []string
	env  func(url string) []string
	// people returns the addresses the fake holds for the trial's import,
	// in lower case, one entry per person.
	people func(s *onboardtest.Snapshot, trial int) []string
	// repeats says the roster repeats people: Royalti's import sends a
	// repeated row, which Royalti refuses as already there.
	repeats bool
}

var crashServices = []crashService{
	{
		name: "aptly", repeats: true,
		args: func(trial int) []string {
			return []string{"aptly", "invite", "--tenant", crashTenant(trial)}
		},
		env: func(url string) []string {
			return []string{envAptlyURL + "=" + url + "/aptly/auth", envAptlyToken + "=" + onboardtest.AptlyToken}
		},
		people: func(s *onboardtest.Snapshot, trial int) []string {
			var out []string
			for _, u := range s.Aptly.Tenants[crashTenant(trial)] {
				out = append(out, strings.ToLower(u.Email))
			}
			return out
		},
	},
	{
		name: "royalti",
		args: func(int) []string { return []string{"royalti", "import"} },
		env: func(url string) []string {
			return []string{envRoyaltiURL + "=" + url + "/royalti", envRoyaltiToken + "=" + onboardtest.RoyaltiToken}
		},
		people: func(s *onboardtest.Snapshot, _ int) []string {
			var out []string
			for _, u := range s.Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID].Users {
				out = append(out, strings.ToLower(u.Email))
			}
			return out
		},
	},
}

func crashTenant(trial int) string { return fmt.Sprintf("%08d-0000-4000-8000-%012d", trial+1, trial+1) }

// TestImportCrashResume starts "onboard fake" as a child process, then,
// for Aptly and for Royalti, imports a roster of 2,000 rows (300 with
// -short; some invalid, some repeated) with --journal, kills the importer
// with SIGKILL 8 times (3) while its batches are in flight, each time once
// its journal has grown by a size drawn at random (seed logged), running
// the same command again after each kill, and then to the end. Each run
// reads back the rows an earlier one left in flight before it sends
// anything. Every valid person must then be in the fake exactly once, no
// one else, the report must hold one row per input row, none unknown,
// failed or not sent, and no kill may leave the report torn.
func TestImportCrashResume(t *testing.T) {
	bin, rng, dir, url := crashRig(t)
	for trial, svc := range crashServices {
		crashTrial(t, bin, url, dir, trial, svc, rng)
	}
}

// crashTrial runs one import of TestImportCrashResume.
func crashTrial(t *testing.T, bin, url, dir string, trial int, svc crashService, rng *rand.Rand) {
	t.Helper()
	rows, kills := crashSize()
	roster := filepath.Join(dir, fmt.Sprintf("roster%d.csv", trial))
	journal := filepath.Join(dir, fmt.Sprintf("run%d.journal", trial))
	report := filepath.Join(dir, fmt.Sprintf("report%d.csv", trial))
	valid, invalid := writeCrashRoster(t, roster, trial, rows, svc.repeats, rng)
	args := append(svc.args(trial), "--file", roster, "--journal", journal, "--resend-in-flight",
		"--report", report, "--batch", "10", "--concurrency", "2", "-o", "csv")
	env := append(os.Environ(), svc.env(url)...)
	start := time.Now()
	killed := 0
	for killed < kills {
		at := fileSize(journal) + 1 + rng.Int64N(int64(rows)*5) // the journal's size, in bytes, at which to kill
		size, wasKilled := runAndKill(t, bin, args, env, journal, at, syscall.SIGKILL)
		checkWholeReport(t, report, rows, true)
		if !wasKilled {
			break
		}
		killed++
		t.Logf("%s: kill %d with the journal at %d bytes", svc.name, killed, size)
	}
	summary := runToEnd(t, bin, args, env)
	count := checkCrashReport(t, report, rows, invalid)
	t.Logf("%s: %d rows (%d valid people, %d invalid rows), killed %d times, resumed to the end in %v: %v; the last run said:\n%s",
		svc.name, rows, len(valid), invalid, killed, time.Since(start).Round(time.Millisecond), count, summary)
	assert.Equal(t, kills, killed, "every run was to be killed before its end")
	checkCrashState(t, url, trial, svc, valid)
}

// TestReportNotTornByKill kills imports with SIGKILL, by their PID, while
// they write their --report, and checks that each leaves no report, or
// a whole one (a header, then one record per input row): the
// one an earlier run finished, or its own if it finished before the
// kill. A run that ends leaves one record per input row and no temporary
// file.
func TestReportNotTornByKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	bin, rng, dir, url := crashRig(t)
	const rows = 300
	roster := filepath.Join(dir, "roster.csv")
	report := filepath.Join(dir, "report.csv")
	writeCrashRoster(t, roster, 0, rows, true, rng)
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
	bin, rng, dir, url := crashRig(t)
	const rows = 300
	roster := filepath.Join(dir, "roster.csv")
	report := filepath.Join(dir, "report.csv")
	journal := filepath.Join(dir, "run.journal")
	writeCrashRoster(t, roster, 0, rows, true, rng)
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

// runToEnd runs the command to its end, which must be exit status 0 or
// 1, and returns what it wrote on stderr.
func runToEnd(t *testing.T, bin string, args, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != exitIncomplete) {
		require.NoError(t, err, "%v: %s", args, stderr.String())
	}
	return stderr.String()
}

// checkWholeReport checks that the CSV report at path is whole: a header
// and a record for each of rows input rows, each line once (rows that
// reading back settled at the end come last). It may be absent if
// absentOK. It returns the records, without the header.
func checkWholeReport(t *testing.T, path string, rows int, absentOK bool) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if absentOK && errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err, "the report parses")
	require.Len(t, recs, rows+1, "a header and one record per row")
	seen := make([]bool, rows+2)
	for _, r := range recs[1:] {
		line, err := strconv.Atoi(r[0])
		require.NoError(t, err, "a record's line")
		require.True(t, line >= 2 && line < rows+2 && !seen[line], "line %d: out of range, or a second record", line)
		seen[line] = true
		require.NotEmpty(t, r[2], "line %d has an outcome", line)
	}
	return recs[1:]
}

// writeCrashRoster writes n rows to path: one in 25 has a bad
// address; if repeats, one in 25 repeats an earlier person (in capitals,
// now and then). It returns the valid people, by lower-case address, and the
// number of invalid rows.
func writeCrashRoster(t *testing.T, path string, trial, n int, repeats bool, rng *rand.Rand) (map[string]bool, int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,firstName,lastName\n")
	valid := map[string]bool{}
	var order []string
	invalid := 0
	for i := range n {
		switch r := rng.IntN(25); {
		case r == 0:
			fmt.Fprintf(&b, "bad-%d-%d,Bad,Row\n", trial, i)
			invalid++
		case r == 1 && repeats && len(order) > 0:
			email := order[rng.IntN(len(order))]
			if rng.IntN(2) == 0 {
				email = strings.ToUpper(email)
			}
			fmt.Fprintf(&b, "%s,Again,Row\n", email)
		default:
			email := fmt.Sprintf("p%d-%d@example.com", trial, i)
			valid[email] = true
			order = append(order, email)
			fmt.Fprintf(&b, "%s,P%d,L%d\n", email, i, i)
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

// checkCrashReport checks the last run's report: one row per input row,
// none unknown, failed or left unsent. It returns the rows by outcome, and
// by the outcome that reading back settled them to ("unknown → succeeded").
func checkCrashReport(t *testing.T, path string, rows, invalid int) map[string]int {
	t.Helper()
	recs := checkWholeReport(t, path, rows, false)
	count := map[string]int{}
	for _, r := range recs {
		count[r[2]]++
		if before, _, ok := strings.Cut(r[4], ":"); ok && strings.HasPrefix(before, outUnknown+" → ") {
			count[before]++
		}
	}
	assert.Equal(t, invalid, count[outInvalid])
	assert.Zero(t, count[outUnknown], "every unknown row is settled")
	assert.Zero(t, count[outFailed], "no answered row was sent again")
	assert.Zero(t, count[outNotSent])
	assert.Equal(t, rows-invalid, count[outSucceeded])
	return count
}

// checkCrashState checks that the fake holds each valid person of the
// trial once, and no one else.
func checkCrashState(t *testing.T, url string, trial int, svc crashService, valid map[string]bool) {
	t.Helper()
	status, body := get(t, "GET", url+onboardtest.InspectStatePath, nil, "")
	require.Equal(t, 200, status)
	var state onboardtest.Snapshot
	require.NoError(t, json.Unmarshal(body, &state))
	seen := map[string]int{}
	for _, email := range svc.people(&state, trial) {
		seen[email]++
	}
	for email, n := range seen {
		assert.True(t, valid[email], "%s is in the fake but not on the roster", email)
		assert.Equal(t, 1, n, "%s is in the fake %d times", email, n)
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

// crashRig sets up a crash test: the test binary (as TestMain set it up), a
// random source whose seed is logged, a temporary directory, and the URL
// of an onboard fake that runs as a process of its own in it.
func crashRig(t *testing.T) (bin string, rng *rand.Rand, dir, url string) {
	t.Helper()
	bin, err := exec.LookPath("onboard")
	require.NoError(t, err)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	dir = t.TempDir()
	return bin, rand.New(rand.NewPCG(uint64(seed), 0)), dir, startFakeProcess(t, bin, dir)
}
