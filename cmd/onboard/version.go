package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of onboard",
		Long: `Print the version of onboard: the module version it was installed at
("(devel)" when built from a clone), the Go version that built it, and the
platform. "onboard --version" prints the same.`,
		Example: "  onboard version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return err
		},
	}
}

// toolVersion is the version of the module the binary was built from, as
// "go install ...@version" records it, or "(devel)".
func toolVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// versionLine is what "onboard version" prints.
func versionLine() string {
	return "onboard " + toolVersion() + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
