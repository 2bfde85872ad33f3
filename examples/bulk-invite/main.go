// Command bulk-invite invites the people of a CSV file (columns email,
// first_name, last_name) into an Aptly tenant with SendBulkSeq, which reads
// it as a stream and sends it in batches, recording the run in a journal.
// It prints one CSV line per person: row, email, outcome, reason.
//
//	go run ./examples/bulk-invite                      # the sample beside this file
//	go run ./examples/bulk-invite -in staff.csv -journal staff.journal
//
// After a crash or a Ctrl-C, run it again with the same -journal: nobody is
// invited twice, and whoever the crash left unknown is looked up on Aptly
// (WithReconcile), then invited if not there. With no environment set it uses an in-process fake; for a
// real tenant set ONBOARD_APTLY_URL, ONBOARD_APTLY_TOKEN and
// ONBOARD_APTLY_TENANT_ID. "onboard aptly invite" does this and more. Exit
// status: 0 when everyone was invited, 1 when anyone was not, 2 on error.
package main

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

//go:embed people.csv
var sample string

func main() {
	in := flag.String("in", "", "the CSV `file` of people (default: the sample)")
	journal := flag.String("journal", "", "record the run in this `file`, and resume from it (default: a temporary one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	status := run(ctx, *in, *journal, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(status)
}

// run invites the people of in (the sample if "") and returns the exit status.
func run(ctx context.Context, in, journal string, getenv func(string) string, stdout, stderr io.Writer) int {
	input := io.Reader(strings.NewReader(sample))
	if in != "" {
		f, err := os.Open(in) //nolint:gosec // G304: reading the file named by -in is the point
		if err != nil {
			return fail(stderr, err)
		}
		defer func() { _ = f.Close() }() // read only
		input = f
	}
	if journal == "" {
		dir, err := os.MkdirTemp("", "bulk-invite")
		if err != nil {
			return fail(stderr, err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		journal = filepath.Join(dir, "journal")
	}
	url, token, tenant := getenv("ONBOARD_APTLY_URL"), getenv("ONBOARD_APTLY_TOKEN"), getenv("ONBOARD_APTLY_TENANT_ID")
	if url == "" {
		srv := onboardtest.NewServer()
		defer srv.Close()
		url, token, tenant = srv.AptlyURL(), onboardtest.AptlyToken, "887fd99a-e3ab-44ac-8253-31f269599f2b" //nolint:gosec // G101: the fake's public test token
	}
	client, err := onboard.NewAptlyClient(url, onboard.BearerToken(token))
	if err != nil {
		return fail(stderr, err)
	}
	rows := csv.NewReader(input)
	if header, err := rows.Read(); err != nil || strings.Join(header, ",") != "email,first_name,last_name" {
		return fail(stderr, errors.Join(errors.New("the file must begin with the header email,first_name,last_name"), err))
	}
	j, err := onboard.OpenJournal(journal)
	if err != nil {
		return fail(stderr, err)
	}
	var readErr error
	people := func(yield func(onboard.AptlyInvitee) bool) {
		for rec, err := rows.Read(); !errors.Is(err, io.EOF); rec, err = rows.Read() {
			if err != nil || !yield(onboard.AptlyInvitee{Email: rec[0], FirstName: rec[1], LastName: rec[2]}) {
				readErr = err
				return
			}
		}
	}
	out := csv.NewWriter(stdout)
	_ = out.Write([]string{"row", "email", "outcome", "reason"})
	status := 0
	opts := []onboard.BulkOption{onboard.WithJournal(j), onboard.WithReconcile(0), onboard.WithResendInFlight()}
	for o := range client.Invites.SendBulkSeq(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenant}, people, opts...) {
		reason := o.Message
		if o.DuplicateOf != nil {
			reason = fmt.Sprintf("repeats row %d, whose outcome it shares", *o.DuplicateOf+1)
		} else if o.Err != nil {
			reason = o.Err.Error()
		}
		if o.State != onboard.StateSucceeded {
			status = 1
		}
		_ = out.Write([]string{strconv.Itoa(o.Index + 1), o.Item.Email, o.State.String(), reason})
	}
	out.Flush()
	if err := errors.Join(readErr, out.Error(), j.Close()); err != nil {
		return fail(stderr, err)
	}
	return status
}

func fail(stderr io.Writer, err error) int {
	_, _ = fmt.Fprintln(stderr, "bulk-invite:", err)
	return 2
}
