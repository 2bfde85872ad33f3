package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// newServiceCmd returns the parent of one service's commands (onboard
// aptly, athena, royalti, sync), with the flags they share: --env-file and
// --rate-limit.
func newServiceCmd(use, short, long, example string, sf *serviceFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long + "\n\n" + envHelp,
		Example: example,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&sf.envFile, "env-file", "", "read credentials and URLs from this `file` of NAME=VALUE lines")
	pf.Var(&sf.rateLimit, "rate-limit", "send at most N requests per period, such as 60/1m "+
		"(default: no limit; AthenaHQ: 55 a minute, under its documented 60)")
	return cmd
}

// session is what a command that talks to a service works with.
type session struct {
	// ctx ends on Ctrl-C or SIGTERM, so that a run stops sending and
	// still reports every row. Call stop when done.
	ctx  context.Context
	stop context.CancelFunc
	env  *environment
	out  *cmdIO
}

// start prepares a command that talks to a service: it checks -o, loads
// the environment, and watches for Ctrl-C.
func start(cmd *cobra.Command, a *app, sf *serviceFlags, format string) (*session, error) {
	if err := checkOutput(format); err != nil {
		return nil, err
	}
	env, err := loadEnvironment(sf.envFile, a.getenv)
	if err != nil {
		return nil, err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	return &session{
		ctx: ctx, stop: stop, env: env,
		out: &cmdIO{stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr(), tty: a.tty, format: format},
	}, nil
}
