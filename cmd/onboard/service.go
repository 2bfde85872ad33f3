package main

import (
	"github.com/spf13/cobra"
)

// newServiceCmd returns the parent of one service's commands (onboard
// aptly, athena, royalti, sync), with the flags they share, bound to f:
// --env-file and --rate-limit.
func newServiceCmd(f *factory, use, short, long, example string) *cobra.Command {
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
	pf.StringVar(&f.flags.envFile, "env-file", "", "read credentials and URLs from this `file` of NAME=VALUE lines")
	pf.Var(&f.flags.rateLimit, "rate-limit", "send at most N requests per period, such as 60/1m "+
		"(default: no limit; AthenaHQ: 55 a minute, under its documented 60)")
	return cmd
}
