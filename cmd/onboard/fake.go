package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard/onboardtest"
)

// shutdownTimeout bounds how long the fake waits, once told to stop, for
// the requests in progress.
const shutdownTimeout = 3 * time.Second

// fakeOptions are what "onboard fake" runs with: its flags, and how to
// let a second Ctrl-C end the process.
type fakeOptions struct {
	addr             string
	latency          time.Duration
	rateLimit        rateLimit
	readyFile        string
	allowNonLoopback bool
	shutdownTimeout  time.Duration
	// stopSignals stops the program's watch for Ctrl-C and SIGTERM; nil
	// when nothing watches.
	stopSignals func()
}

// newFakeCmd returns "onboard fake". runF, if not nil, runs in place of
// runFake, for tests of the flags alone.
func newFakeCmd(f *factory, runF func(context.Context, *fakeOptions) error) *cobra.Command {
	o := fakeOptions{shutdownTimeout: shutdownTimeout, stopSignals: f.app.stopSignals}
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Serve a fake of the Aptly, AthenaHQ and Royalti APIs",
		Long: `Serve an in-memory fake of the Aptly, AthenaHQ and Royalti APIs on one
address, for tests written in any language. Each service lives under its own
path: URL/aptly/auth, URL/athena and URL/royalti. The fake accepts fixed,
public test credentials, printed at start, and keeps what it is sent in memory
until it stops. Two read-only endpoints show what it holds and what it got:

  GET URL/_fake/state     the users, invites and members of each service, as JSON
  GET URL/_fake/requests  the requests received, oldest first, each with the
                          status it was answered with; credentials redacted

The first line printed is "onboard fake: listening on URL". With --ready-file
the URL is also written to a file once the fake is listening, for scripts to
wait on. SIGINT (Ctrl-C) or SIGTERM stops the fake: requests in progress are
answered, except those waiting out --latency, for at most 3s.

The fake listens only on a loopback address unless --allow-non-loopback is
given: anyone who can reach it can use its credentials.`,
		Example: `  # Serve on 127.0.0.1:8080, then read the state from another terminal
  onboard fake
  curl -s http://127.0.0.1:8080/_fake/state

  # Serve on a free port; a script waits for the file, then reads the URL from it
  onboard fake --addr 127.0.0.1:0 --ready-file fake.url &
  for i in $(seq 50); do [ -s fake.url ] && break; sleep 0.1; done
  curl -s "$(cat fake.url)/_fake/requests"

  # Answer after 20ms, and allow each credential 60 requests a minute
  onboard fake --latency 20ms --rate-limit 60/1m`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), &o)
			}
			return runFake(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on; port 0 picks a free port")
	fl.DurationVar(&o.latency, "latency", 0, "delay every answer by this `duration`, such as 20ms")
	fl.Var(&o.rateLimit, "rate-limit", "allow each credential N requests per period, such as 60/1m (none by default)")
	fl.StringVar(&o.readyFile, "ready-file", "", "once listening, write the URL to this `file`; it is removed on exit")
	fl.BoolVar(&o.allowNonLoopback, "allow-non-loopback", false,
		"allow an --addr other than loopback, which lets anyone who reaches it use the fixed credentials")
	return cmd
}

// runFake serves the fake until ctx ends: on Ctrl-C or SIGTERM, as the
// program's context does.
func runFake(ctx context.Context, o fakeOptions, stdout, stderr io.Writer) error {
	if o.latency < 0 {
		return usageErrorf("--latency %v is negative; give a duration of 0 or more, such as 20ms", o.latency)
	}
	if err := checkAddr(o.addr, o.allowNonLoopback); err != nil {
		return err
	}
	if err := removeReadyFile(o.readyFile); err != nil {
		return err
	}
	l, err := listen(ctx, o)
	if err != nil {
		return err
	}
	srv := onboardtest.NewServerOn(l, o.serverOptions()...)
	err = announce(stdout, srv, o)
	if err == nil {
		err = writeReadyFile(o.readyFile, srv.URL)
	}
	if err == nil {
		<-ctx.Done()
		if o.stopSignals != nil {
			o.stopSignals() // a second Ctrl-C ends the process at once
		}
		_, _ = fmt.Fprintln(stderr, "onboard fake: stopping")
	}
	return errors.Join(err, shutdown(srv, o.shutdownTimeout, stderr), removeReadyFile(o.readyFile))
}

func (o fakeOptions) serverOptions() []onboardtest.Option {
	opts := []onboardtest.Option{onboardtest.WithInspection()}
	if o.latency > 0 {
		opts = append(opts, onboardtest.WithLatency(o.latency))
	}
	if o.rateLimit.n > 0 {
		opts = append(opts, onboardtest.WithRateLimit(o.rateLimit.n, o.rateLimit.per))
	}
	return opts
}

// listen listens on o.addr and checks, unless o.allowNonLoopback, that the
// address it got is loopback: "localhost" could resolve to anything.
func listen(ctx context.Context, o fakeOptions) (net.Listener, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w; pick another --addr (port 0 picks a free port)", o.addr, err)
	}
	if tcp, ok := l.Addr().(*net.TCPAddr); !o.allowNonLoopback && (!ok || !tcp.IP.IsLoopback()) {
		_ = l.Close()
		return nil, usageErrorf("--addr %s listens on %s, which is not a loopback address; "+
			"use 127.0.0.1 or [::1], or pass --allow-non-loopback", o.addr, l.Addr())
	}
	return l, nil
}

// fakeAptlyTenant is a tenant id to suggest: the fake takes any UUID.
const fakeAptlyTenant = "887fd99a-e3ab-44ac-8253-31f269599f2b"

// announce prints where the fake listens and the credentials it accepts.
// The first line is "onboard fake: listening on URL".
func announce(w io.Writer, srv *onboardtest.Server, o fakeOptions) error {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("onboard fake: listening on %s", srv.URL)
	line("")
	line("Aptly     %s", srv.AptlyURL())
	line("          Authorization: Bearer %s", onboardtest.AptlyToken)
	line("          access key %s, for POST /v1/tenants/access-key/exchange", onboardtest.AptlyAccessKey)
	line("          tenant: any UUID, such as %s", fakeAptlyTenant)
	line("AthenaHQ  %s  (organization %s)", srv.AthenaURL(), onboardtest.AthenaOrganizationID)
	line("          x-api-key: %s  (websites)", onboardtest.AthenaAPIKey)
	line("          x-api-key: %s  (global: websites, groups, organization)", onboardtest.AthenaGlobalAPIKey)
	line("Royalti   %s", srv.RoyaltiURL())
	line("          Authorization: Bearer %s  (workspace %s)", onboardtest.RoyaltiToken, onboardtest.RoyaltiWorkspaceID)
	line("")
	line("State     GET %s%s", srv.URL, onboardtest.InspectStatePath)
	line("Requests  GET %s%s", srv.URL, onboardtest.InspectRequestsPath)
	if o.latency > 0 {
		line("Latency   %v on every answer", o.latency)
	}
	if o.rateLimit.n > 0 {
		line("Limit     %d requests per %v per credential", o.rateLimit.n, o.rateLimit.per)
	}
	line("")
	line("These credentials are public test values. Stop with Ctrl-C.")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeReadyFile writes url and a newline to path, if path is set, through
// a temporary file renamed into place, so that a reader never sees it half
// written.
func writeReadyFile(path, url string) error {
	if path == "" {
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".onboard-ready-*")
	if err != nil {
		return fmt.Errorf("cannot write --ready-file: %w", err)
	}
	_, err = f.WriteString(url + "\n")
	err = errors.Join(err, f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("cannot write --ready-file %s: %w", path, err)
	}
	return nil
}

// removeReadyFile removes the ready file, if path is set: a stale one must
// not tell a script that the fake is listening.
func removeReadyFile(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove --ready-file: %w", err)
	}
	return nil
}

// shutdown closes srv, waiting at most bound for the requests in progress.
func shutdown(srv *onboardtest.Server, bound time.Duration, stderr io.Writer) error {
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-done:
		_, _ = fmt.Fprintln(stderr, "onboard fake: stopped")
		return nil
	case <-t.C:
		return fmt.Errorf("requests were still in progress %v after the fake was told to stop; it stopped without answering them", bound)
	}
}
