// Command onboard works with the Aptly, AthenaHQ and Royalti invite and user
// APIs from the command line: it imports people from CSV or JSON-lines
// files ("onboard aptly invite", "onboard royalti import", "onboard athena
// invite"), lists, resends and cancels invites, manages AthenaHQ members,
// syncs a roster with a service ("onboard sync"), enqueues imports in
// PostgreSQL for workers ("--queue", "onboard worker", "onboard status"),
// serves a fake of all three APIs for tests in any language ("onboard
// fake"), and prints its version ("onboard version"). Every command has
// --help with examples.
//
// Credentials come only from the environment (ONBOARD_APTLY_URL,
// ONBOARD_APTLY_TOKEN, ...) or a private --env-file, never from a flag.
//
// Exit status: 0 when everything succeeded; 1 when some rows did not (the
// output says which); 2 for a usage error, a bad input file, a missing or
// refused credential, or an I/O error; 3 from "onboard status" while its
// import is still running.
//
// Install it with
//
//	go install github.com/onboardkit/onboard/cmd/onboard@latest
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status. The one
// context of the program is made here: it ends with ctx, or on Ctrl-C or
// SIGTERM, so that a run stops sending and still reports every row.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{getenv: os.Getenv, now: time.Now, tty: canDraw(stderr, os.Getenv), ttyOut: isTerminal(stdout), stopSignals: stop}
	return a.run(ctx, args, stdout, stderr)
}
