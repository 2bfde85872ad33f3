// Command quickstart shows the onboard SDK at work on all three services in
// one run: it creates a user, sends invites one at a time and in bulk, then
// runs the loop a team runs once invites are out (invite, one accepts, list
// who is pending, resend to them, cancel one, list again) on Royalti and on
// Aptly. It prints what happened to each person, with the server's reason
// when something was refused. A file holds each task: calls.go and bulk.go
// the invites, royalti.go and aptly.go the loop.
//
// From the repository root:
//
//	go run ./examples/quickstart
//
// With no environment set it needs no account and no network: it talks to
// an in-process fake of the three APIs (package onboardtest). The ONBOARD_*
// variables (docs/examples.md, loadConfig in config.go) point a service at
// the real one instead; then it
// really creates and invites the people named in the code, at example.com
// addresses, which receive no mail, and lists, resends and cancels only
// their invites. Accepting an invite is the invitee's step, by the emailed
// link: on the fake the quickstart takes it for one person of each loop;
// against a real service it skips it and says so.
//
// The exit status is 0 when every step ran, whatever the servers answered
// for each person; 1 when a step failed, such as a credential refused; and
// 2 when the environment names a service only in part.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	out, errs := &console{w: stdout}, &console{w: stderr}
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	flags.SetOutput(stderr)
	timeout := flags.Duration("timeout", 2*time.Minute, "give up after this long")
	flags.Usage = func() {
		errs.printf("usage: quickstart [-timeout 2m]\n\nSee docs/examples.md for the ONBOARD_* variables that select real services.\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		errs.printf("quickstart: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		errs.printf("quickstart: %v\n", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	q, err := newQuickstart(cfg, out)
	if err != nil {
		errs.printf("quickstart: %v\n", err)
		return exitError
	}
	defer q.close()
	for _, step := range []func(context.Context) error{
		q.createUser, q.inviteOne, q.bulkInvite, q.inviteToWebsites, q.createUsers,
		q.royaltiLifecycle, q.aptlyLifecycle,
	} {
		if err := step(ctx); err != nil {
			errs.printf("quickstart: %v\n", err)
			return exitError
		}
	}
	if out.err != nil {
		errs.printf("quickstart: writing the results: %v\n", out.err)
		return exitError
	}
	return exitOK
}
