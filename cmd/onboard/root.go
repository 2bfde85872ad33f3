package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK         = 0
	exitIncomplete = 1 // some rows were not done; the output says which
	exitError      = 2 // a usage error, an I/O error, or a refused credential
	exitRunning    = 3 // onboard status: the import is still running
)

// usageError is an error in how a command was called: an unknown command
// or flag, a bad flag value, an argument too many.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// incompleteError ends a command that ran to its end, but with rows that
// were not done: exit status 1. Its text is the tally of the rows.
type incompleteError struct{ summary string }

func (e *incompleteError) Error() string {
	return e.summary + "; the output gives each row's outcome and reason"
}

// app holds what the commands read from outside the command line, and
// the program's signal watch.
type app struct {
	getenv func(string) string
	now    func() time.Time
	// tty says whether stderr is a terminal, on which progress is drawn.
	tty bool
	// ttyOut says whether stdout is a terminal, where a bulk run's table
	// shows only the rows that need attention, unless --all.
	ttyOut bool
	// stopSignals stops the watch for Ctrl-C and SIGTERM, so that another
	// signal ends the process at once; nil when nothing watches.
	stopSignals func()
}

// run runs the command line args with a's environment. Commands stop
// when ctx ends.
func (a *app) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	// Nothing is left to tell if stderr cannot be written to.
	_, _ = fmt.Fprintf(stderr, "onboard: %s\n", errText(err))
	if ie := (*incompleteError)(nil); errors.As(err, &ie) {
		return exitIncomplete
	}
	if re := (*runningError)(nil); errors.As(err, &re) {
		return exitRunning
	}
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		_, _ = fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return exitError
}

func newRootCmd(a *app) *cobra.Command {
	f := newFactory(a)
	root := &cobra.Command{
		Use:   "onboard",
		Short: "Work with the Aptly, AthenaHQ and Royalti invite and user APIs",
		Long: `onboard works with the Aptly, AthenaHQ and Royalti invite and user APIs
from the command line: import people from a CSV or JSON-lines file, list,
resend and cancel invites, manage AthenaHQ members, and sync a roster with a
service. "onboard fake" serves a fake of all three for tests written in any
language, and to try the other commands on.

Records go to stdout: a table for people, or -o json and -o csv for
programs. On a terminal, the table of an import, resend, cancel or sync
--apply shows only the rows that need attention (--all shows every row).
Messages go to stderr, and a progress bar when it is a terminal.

Exit status: 0 when everything succeeded; 1 when some rows did not (the
output says which and why); 2 for a usage error (an unknown command or flag,
a bad flag value, a bad input file, a missing or refused credential) or an
I/O error (an address in use, output that cannot be written). A command
that exits 2 sends nothing, unless the error came after it started sending.
"onboard status" exits 3 while its import is still running.`,
		Example: `  # Serve the fake APIs on 127.0.0.1:8080
  onboard fake

  # Invite the people of a CSV file into an Aptly tenant, after a dry run
  onboard aptly invite --file people.csv --dry-run
  onboard aptly invite --file people.csv --report report.csv

  # Print the version
  onboard version`,
		Version: toolVersion(),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
		SilenceErrors: true, // run prints them, with a hint for usage errors
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newFakeCmd(f, nil), newVersionCmd(),
		newAptlyCmd(f), newAthenaCmd(f), newRoyaltiCmd(f), newSyncCmd(f),
		newWorkerCmd(f, nil), newStatusCmd(f, nil))
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Example = "  onboard help fake"
		}
	}
	return root
}

// noArgs refuses arguments; an argument names an unknown command.
func noArgs(cmd *cobra.Command, args []string) error {
	if err := cobra.NoArgs(cmd, args); err != nil {
		return &usageError{err}
	}
	return nil
}
