package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"

	onboardriver "github.com/onboardkit/onboard/river"
	"github.com/onboardkit/onboard/river/pgtest"
)

// waitTimeout bounds every wait and request of a test or script.
const waitTimeout = 10 * time.Second

// TestMain makes the test binary the onboard command when a script runs
// "exec onboard", and fails the tests when a goroutine outlives them: the
// in-process tests start the fake, its handlers and signal watchers. The
// tests of --queue, worker and status get a PostgreSQL from pgtest, with a
// template database migrated.
func TestMain(m *testing.M) {
	run := func() int {
		return pgtest.Main(m, func(ctx context.Context, url string) error {
			pool, err := pgxpool.New(ctx, url)
			if err != nil {
				return err
			}
			defer pool.Close()
			return onboardriver.Migrate(ctx, pool)
		})
	}
	testscript.Main(leakChecked{run}, map[string]func(){"onboard": main})
}

// leakChecked runs the tests, then looks for goroutines left behind.
type leakChecked struct{ run func() int }

func (l leakChecked) Run() int {
	if code := l.run(); code != 0 {
		return code
	}
	if err := goleak.Find(); err != nil {
		fmt.Fprintln(os.Stderr, "goroutines outlived the tests:", err)
		return 1
	}
	return 0
}

// TestScripts runs testdata/script/*.txtar: onboard as a user types it.
// Each script has an in-process fake of the three services (setupFake),
// which the onboard commands it runs find in their environment.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               setupFake,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":     cmdExits,
			"waitready": cmdWaitReady,
			"http":      cmdHTTP,
			"fake":      cmdFake,
		},
	})
}

// cmdExits is "exits N program [args...]": it runs the program, as exec
// does, and requires exit status N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d; want %d", args[1], got, want)
	}
}

// cmdWaitReady is "waitready FILE VAR": it waits, for at most waitTimeout,
// until FILE holds a line, and sets VAR to it.
func cmdWaitReady(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitready FILE VAR")
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		b, err := os.ReadFile(ts.MkAbs(args[0]))
		if line := strings.TrimSpace(string(b)); err == nil && line != "" {
			ts.Setenv(args[1], line)
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s was not written within %v", args[0], waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdHTTP is "http [-H 'Name: value']... METHOD URL [BODYFILE]": it sends
// one request, bounded by waitTimeout, and prints "HTTP <status>" and the
// answer's body to stdout.
func cmdHTTP(ts *testscript.TestScript, neg bool, args []string) {
	header := http.Header{}
	for len(args) >= 2 && args[0] == "-H" {
		name, value, ok := strings.Cut(args[1], ":")
		if !ok {
			ts.Fatalf("http: -H wants 'Name: value', got %q", args[1])
		}
		header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		args = args[2:]
	}
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: http [-H 'Name: value']... METHOD URL [BODYFILE]")
	}
	var body io.Reader
	if len(args) == 3 {
		body = strings.NewReader(ts.ReadFile(args[2]))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, args[0], args[1], body)
	ts.Check(err)
	req.Header = header
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	_, err = fmt.Fprintf(ts.Stdout(), "HTTP %d\n%s\n", resp.StatusCode, b)
	ts.Check(err)
}
