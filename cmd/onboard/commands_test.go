package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// inProcess runs onboard commands in the test's process against an
// onboardtest server, with the environment the server's credentials make.
type inProcess struct {
	srv    *onboardtest.Server
	env    map[string]string
	tty    bool // stderr is a terminal
	ttyOut bool // stdout is a terminal
}

func newInProcess(t *testing.T) *inProcess {
	t.Helper()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	return &inProcess{srv: srv, env: map[string]string{
		envAptlyURL:     srv.AptlyURL(),
		envAptlyToken:   onboardtest.AptlyToken,
		envAptlyTenant:  scriptTenant,
		envRoyaltiURL:   srv.RoyaltiURL(),
		envRoyaltiToken: onboardtest.RoyaltiToken,
	}}
}

// run runs args and returns the exit status, stdout and stderr.
func (p *inProcess) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	a := &app{getenv: mapEnv(p.env), now: time.Now, tty: p.tty, ttyOut: p.ttyOut}
	code := a.run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	p := newInProcess(t)
	good := writeFile(t, "good.csv", "email\nada@example.com\ngrace@example.com\n")
	mixed := writeFile(t, "mixed.csv", "email\nlinus@example.com\nnot-an-email\n")
	badHeader := writeFile(t, "bad.csv", "mail\nada@example.com\n")

	code, stdout, stderr := p.run(t, "aptly", "invite", "--file", good)
	assert.Equal(t, exitOK, code, "every row succeeded: %s", stderr)
	assert.Equal(t, 2, strings.Count(stdout, "succeeded"))
	assert.Equal(t, "onboard: 2 rows: 2 succeeded\n", stderr)

	code, _, stderr = p.run(t, "aptly", "invite", "--file", good)
	assert.Equal(t, exitIncomplete, code, "the service refused every row: %s", stderr)
	assert.Contains(t, stderr, "2 rows: 2 failed")

	code, _, stderr = p.run(t, "aptly", "invite", "--file", mixed)
	assert.Equal(t, exitIncomplete, code)
	assert.Contains(t, stderr, "2 rows: 1 succeeded, 1 invalid; the output gives each row's outcome and reason")
	assert.NotContains(t, stderr, "--help", "not a usage error")

	sent := p.srv.RequestCount("/v1/user/bulk-invite")
	for _, args := range [][]string{
		{"aptly", "invite", "--file", badHeader},
		{"aptly", "invite"},
		{"aptly", "invite", "--file", good, "-o", "yaml"},
		{"aptly", "users", "extra-argument"},
		{"sync", "aptly", "--roster", badHeader},
	} {
		code, stdout, stderr := p.run(t, args...)
		assert.Equal(t, exitError, code, "%v: %s", args, stderr)
		assert.Empty(t, stdout, "%v", args)
		assert.True(t, strings.HasPrefix(stderr, "onboard: "), "%v: %s", args, stderr)
	}
	assert.Equal(t, sent, p.srv.RequestCount("/v1/user/bulk-invite"), "a usage error sends nothing")
}

// TestProgressOnlyOnTerminal checks that progress is drawn on stderr when
// it is a terminal, and that otherwise stderr holds only the summary.
func TestProgressOnlyOnTerminal(t *testing.T) {
	t.Parallel()
	p := newInProcess(t)
	file := writeFile(t, "people.csv", "email\na@example.com\nb@example.com\nc@example.com\n")

	code, _, stderr := p.run(t, "aptly", "invite", "--file", file, "--batch", "1")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "onboard: 3 rows: 3 succeeded\n", stderr)

	p.tty = true
	p.srv.Reset()
	code, _, stderr = p.run(t, "aptly", "invite", "--file", file, "--batch", "1")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "inviting")
	assert.Contains(t, stderr, "/3)", "the bar counts the rows")
	assert.True(t, strings.HasSuffix(stderr, "onboard: 3 rows: 3 succeeded\n"), stderr)
}

// TestTableAtTerminal checks that a table on a terminal shows only the
// rows that need attention, and the summary how many it left out; that
// --all shows every row; and that -o csv, --report and a stdout that is
// not a terminal hold every row.
func TestTableAtTerminal(t *testing.T) {
	t.Parallel()
	p := newInProcess(t)
	mixed := writeFile(t, "mixed.csv", "email\nada@example.com\nnot-an-email\ngrace@example.com\n")
	report := filepath.Join(t.TempDir(), "report.csv")
	invite := func(args ...string) (string, string) {
		t.Helper()
		p.srv.Reset()
		code, stdout, stderr := p.run(t, append([]string{"aptly", "invite", "--file", mixed}, args...)...)
		require.Equal(t, exitIncomplete, code, stderr)
		return stdout, stderr
	}

	p.ttyOut = true
	stdout, stderr := invite("--report", report)
	assert.Equal(t, 2, strings.Count(stdout, "\n"), "the header and the invalid row: %s", stdout)
	assert.Contains(t, stdout, "not-an-email")
	assert.NotContains(t, stdout, "succeeded")
	assert.Equal(t, "onboard: 2 succeeded rows not shown; --all shows every row\n"+
		"onboard: 3 rows: 2 succeeded, 1 invalid; the output gives each row's outcome and reason\n", stderr)
	rep, err := os.ReadFile(report)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(rep), "succeeded"), "the report holds every row")

	for _, args := range [][]string{{"--all"}, {"-o", "csv"}, {"-o", "json"}} {
		stdout, stderr = invite(args...)
		assert.Equal(t, 2, strings.Count(stdout, "succeeded"), "%v: %s", args, stdout)
		assert.NotContains(t, stderr, "not shown", "%v", args)
	}
	p.ttyOut = false
	stdout, stderr = invite()
	assert.Equal(t, 2, strings.Count(stdout, "succeeded"), "not a terminal: every row")
	assert.NotContains(t, stderr, "not shown")

	p.ttyOut = true
	p.srv.Reset()
	good := writeFile(t, "good.csv", "email\nada@example.com\n")
	code, stdout, stderr := p.run(t, "aptly", "invite", "--file", good)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout, "nothing needs attention: no table")
	assert.Equal(t, "onboard: 1 succeeded row not shown; --all shows every row\nonboard: 1 row: 1 succeeded\n", stderr)

	code, stdout, stderr = p.run(t, "aptly", "invite", "--file", mixed, "--dry-run")
	require.Equal(t, exitIncomplete, code, stderr)
	assert.NotContains(t, stdout, "ada@example.com", "a valid row needs nothing more")
	assert.Contains(t, stderr, "onboard: 2 valid rows not shown; --all shows every row\n")
}

// TestEach checks the pool behind one-request-per-item commands: at most
// conc calls at once, verdicts in order, and no call started once the
// context has ended.
func TestEach(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running, most, calls atomic.Int32
	vs := each(ctx, 20, 3, &progress{}, func(ctx context.Context, i int) verdict {
		calls.Add(1)
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		if i == 4 {
			cancel()
		}
		return verdict{outcome: outSucceeded, id: string(rune('a' + i))}
	})
	require.Len(t, vs, 20)
	assert.LessOrEqual(t, most.Load(), int32(3))
	assert.Equal(t, "a", vs[0].id)
	assert.Equal(t, "e", vs[4].id)
	notSent := 0
	for _, v := range vs {
		if v.outcome == outNotSent {
			notSent++
			assert.Contains(t, v.reason, "context canceled")
		}
	}
	assert.Equal(t, 20, notSent+int(calls.Load()), "each item is called or not sent")
	assert.Positive(t, notSent, "no call starts after the context ended")
	assert.LessOrEqual(t, int(calls.Load()), 5+3, "at most the calls already taken when it ended")

	assert.Empty(t, each(context.Background(), 0, 4, &progress{}, nil))
}
