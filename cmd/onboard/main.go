// Command onboard works with the Aptly, AthenaHQ and Royalti invite and user
// APIs from the command line. Today it serves a fake of all three APIs for
// tests in any language ("onboard fake") and prints its version ("onboard
// version").
//
// Exit status: 0 on success; 2 for a usage error (an unknown command or
// flag, a bad flag value) or an I/O error (an address in use, output that
// cannot be written).
//
// Install it with
//
//	go install github.com/onboardkit/onboard/cmd/onboard@latest
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
