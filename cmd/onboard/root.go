package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 2 // a usage error or an I/O error
)

// usageError is an error in how a command was called: an unknown command
// or flag, a bad flag value, an argument too many.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// run runs the command line args and returns the exit status. Commands
// stop when ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	// Nothing is left to tell if stderr cannot be written to.
	_, _ = fmt.Fprintf(stderr, "onboard: %v\n", err)
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		_, _ = fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return exitError
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "onboard",
		Short: "Work with the Aptly, AthenaHQ and Royalti invite and user APIs",
		Long: `onboard works with the Aptly, AthenaHQ and Royalti invite and user APIs
from the command line. "onboard fake" serves a fake of all three for tests
written in any language.

Exit status: 0 on success; 2 for a usage error (an unknown command or flag,
a bad flag value) or an I/O error (an address in use, output that cannot be
written).`,
		Example: `  # Serve the fake APIs on 127.0.0.1:8080
  onboard fake

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
	root.AddCommand(newFakeCmd(), newVersionCmd())
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
