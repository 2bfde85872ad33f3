package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/river/pgtest"
)

// testDBPassword is put in the database URL, which trusts local users and
// so never asks for it, to show that no output holds it.
const testDBPassword = "pw-Qx7-never-printed"

// withPassword returns dbURL with testDBPassword in it.
func withPassword(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	u.User = url.UserPassword(u.User.Username(), testDBPassword)
	return u.String()
}

// writeRoster writes n people as CSV for service, the rows at the lines of
// bad (from 2) with an address that is not one.
func writeRoster(t *testing.T, dir, name string, n int, bad map[int]bool) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,firstName,lastName\n")
	for i := range n {
		email := fmt.Sprintf("%s%d@example.com", strings.TrimSuffix(name, ".csv"), i)
		if bad[i+2] {
			email = "not-an-email"
		}
		fmt.Fprintf(&b, "%s,First%d,Last%d\n", email, i, i)
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// appendLine adds a line to the file at path.
func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(line + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestQueueRound enqueues an Aptly and a Royalti import twice (the second
// time nothing is added), runs a worker in the background against the
// fake, waits on status until both are done, and checks every row's
// outcome, and that no output holds the database's password.
func TestQueueRound(t *testing.T) {
	p := newInProcess(t)
	p.env[envDatabaseURL] = withPassword(t, pgtest.URL(t))
	dir := t.TempDir()
	bad := map[int]bool{5: true, 17: true}
	aptlyFile := writeRoster(t, dir, "aptly.csv", 40, bad)
	appendLine(t, aptlyFile, "APTLY10@example.com,Again,Person") // line 42 repeats line 12: not enqueued
	royaltiFile := writeRoster(t, dir, "royalti.csv", 25, nil)
	appendLine(t, royaltiFile, "Royalti3@example.com,first3 , LAST3") // line 27 repeats line 5 by name and email
	var all bytes.Buffer                                              // every output, searched for the password
	runLogged := func(args ...string) (int, string, string) {
		code, stdout, stderr := p.run(t, args...)
		all.WriteString(stdout + stderr)
		return code, stdout, stderr
	}

	for i := range 2 {
		code, stdout, stderr := runLogged("aptly", "invite", "--file", aptlyFile, "--queue", "--import-id", "aptly-round", "-o", "csv")
		assert.Equal(t, exitIncomplete, code, "two invalid rows: %s", stderr)
		assert.Contains(t, stdout, "5,not-an-email,invalid")
		assert.Contains(t, stdout, "17,not-an-email,invalid")
		assert.Contains(t, stdout, `42,APTLY10@example.com,valid,,"not enqueued: email repeats line 12`)
		assert.Contains(t, stderr, "2 invalid rows not enqueued")
		if i == 0 {
			assert.Contains(t, stderr, "import aptly-round: 38 rows enqueued")
		} else {
			assert.Contains(t, stderr, "import aptly-round is already enqueued; nothing added")
		}
	}
	var royaltiID string
	for i := range 2 {
		code, stdout, stderr := runLogged("royalti", "import", "--file", royaltiFile, "--queue", "-o", "csv")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, `27,Royalti3@example.com,valid,,"not enqueued: name and email repeats line 5`)
		id, _, ok := strings.Cut(strings.TrimPrefix(stderr, "onboard: import "), " ")
		require.True(t, ok, stderr)
		if i == 0 {
			royaltiID = strings.TrimSuffix(id, ":")
			assert.Contains(t, stderr, "25 rows enqueued")
		} else {
			assert.Equal(t, royaltiID, id, "the same file gives the same import id")
			assert.Contains(t, stderr, "already enqueued; nothing added")
		}
	}
	code, _, stderr := runLogged("status", "aptly-round")
	assert.Equal(t, exitRunning, code, "no worker has run: %s", stderr)
	code, _, stderr = runLogged("status", "no-such-import")
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, `no import "no-such-import" in the database`)

	stopWorker := startWorker(t, p, &all)
	waitDone(t, p, "aptly-round", runLogged)
	waitDone(t, p, royaltiID, runLogged)
	stopWorker()

	checkRows(t, runLogged, "aptly-round", "aptly", 40, bad)
	checkRows(t, runLogged, royaltiID, "royalti", 25, nil)
	assert.Equal(t, 38, p.srv.AptlyUserCount(scriptTenant), "the fake has each valid Aptly person once")
	assert.NotContains(t, all.String(), testDBPassword)
}

// startWorker runs "onboard worker" in the background, and returns how to
// stop it (as SIGTERM would) and wait, at most waitTimeout, for it to exit 0.
func startWorker(t *testing.T, p *inProcess, out *bytes.Buffer) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		a := &app{getenv: mapEnv(p.env), now: time.Now}
		done <- a.run(ctx, []string{"worker", "--workers", "2", "--rate-limit", "1000/1s", "--job-timeout", "5s", "--rescue-after", "10s"}, &stdout, &stderr)
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			out.WriteString(stdout.String() + stderr.String())
			assert.Equal(t, exitOK, code, stderr.String())
		case <-time.After(waitTimeout):
			t.Fatal("the worker did not stop within", waitTimeout)
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitDone runs "onboard status id" until it exits 0, for at most a minute.
func waitDone(t *testing.T, p *inProcess, id string, run func(...string) (int, string, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		code, stdout, stderr := run("status", id, "-o", "json")
		if code != exitRunning {
			require.Equal(t, exitOK, code, "%s%s", stdout, stderr)
			var recs []map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &recs))
			require.Len(t, recs, 1)
			assert.Equal(t, "done", recs[0]["state"])
			assert.Equal(t, recs[0]["rows"], recs[0]["succeeded"])
			return
		}
		require.True(t, time.Now().Before(deadline), "import %s not done within a minute: %s", id, stdout)
		time.Sleep(100 * time.Millisecond)
	}
}

// checkRows checks that every valid row of the file of n that writeRoster
// named name has succeeded, once, keyed by its line and with its email,
// and that no invalid one was enqueued.
func checkRows(t *testing.T, run func(...string) (int, string, string), id, name string, n int, bad map[int]bool) {
	t.Helper()
	code, stdout, stderr := run("status", id, "--rows", "-o", "csv")
	require.Equal(t, exitOK, code, stderr)
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"line", "email", "outcome", "reason", "id"}, recs[0])
	seen := map[int]bool{}
	for _, r := range recs[1:] {
		line, err := strconv.Atoi(r[0])
		require.NoError(t, err)
		assert.False(t, seen[line] || bad[line], "line %d: one outcome, for a valid row", line)
		seen[line] = true
		assert.Equal(t, fmt.Sprintf("%s%d@example.com", name, line-2), r[1], "line %d", line)
		assert.Equal(t, outSucceeded, r[2], "line %d: %v", line, r)
	}
	assert.Len(t, seen, n-len(bad))
}

// usageCase is a command line and what its usage error says.
type usageCase struct {
	args []string
	want string
}

// checkUsageErrors runs each case, which must exit 2 before reaching a
// database, with the error it names.
func checkUsageErrors(t *testing.T, tests []usageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := newInProcess(t).run(t, tt.args...)
			assert.Equal(t, exitError, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
			assert.NotContains(t, stderr, "pw@")
		})
	}
}

// TestQueueFlags checks the usage errors of --queue.
func TestQueueFlags(t *testing.T) {
	checkUsageErrors(t, []usageCase{
		{[]string{"aptly", "invite", "--file", "p.csv", "--import-id", "x"}, "give --queue too"},
		{[]string{"aptly", "invite", "--file", "p.csv", "--queue", "--dry-run"}, "give one"},
		{[]string{"aptly", "invite", "--file", "p.csv", "--queue", "--journal", "j"}, "leave --journal out"},
		{[]string{"royalti", "import", "--file", "p.csv", "--queue", "--message", "hi"}, "--queue stores people only"},
	})
}
