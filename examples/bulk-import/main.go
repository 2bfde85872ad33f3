// Command bulk-import invites everyone listed in a CSV file into an Aptly
// tenant, however many they are, and writes a report with one row per
// person: invited, failed with the server's reason, or not sent and why.
//
// From the repository root, on the sample file beside this program:
//
//	go run ./examples/bulk-import
//	go run ./examples/bulk-import -in staff.csv -out report.csv -batch 100 -concurrency 4
//
// Flags:
//
//	-in FILE          the people to invite (default: people.csv beside this program,
//	                  found from the repository root or from this directory)
//	-out FILE         the report to write (default report.csv)
//	-tenant ID        the Aptly tenant (default $ONBOARD_APTLY_TENANT_ID, or the
//	                  fake's tenant)
//	-batch N          people per request (default 100)
//	-concurrency N    requests in flight at once (default 4)
//	-journal FILE     the run's journal (default: the -out path + ".journal")
//	-resume           continue the run recorded in the journal
//	-resend-in-flight with -resume, send again the people an earlier run may
//	                  have sent without getting an answer (see below)
//	-fake-latency D   slow the in-process fake's answers down by D, to watch the
//	                  progress bar
//	-v                log each request, and each batch's rows, status and request
//	                  id, to standard error; plain progress lines replace the bar
//
// The input is CSV with a header row. The email column is required; these
// are read too, by name in any letter case, with or without underscores:
// first_name, last_name, display_name, mobile_phone, employee_id,
// employee_number, employee_type, employment_type. Any other column, such as
// department, becomes a custom attribute of the person.
//
// The people are read as a stream and sent in batches as they are read, so
// a file of any size is fine. A person listed twice is sent once: the
// second entry shares the first's outcome, with the reason "repeats row N",
// and costs no request. A person whose email is not valid is not sent at
// all.
//
// The report is CSV with the columns row, email, outcome and reason: row is
// the person's row in the input counting from 1 after the header, and
// outcome is invited, failed (reason: the server's words), not sent (reason:
// why) or unknown (the server answered but its answer could not be tied to
// the person; check before sending again). Failed and not-sent people can be
// sent again from the report.
//
// A progress bar shows on standard error when it is a terminal; otherwise,
// as in CI logs, a plain line is written every tenth of the way. With -v the
// log says which report rows went in which request, and the server's request
// id for it, which is what the service's support asks for; it names no one
// by email. Interrupted (Ctrl-C), it stops sending and still writes a
// report row for everyone: the people it did not get to are not sent.
//
// Each run records itself in a journal (onboard.WithJournal), each batch
// before it is sent and each answer when it comes, keyed by report row
// (onboard.WithKeys). After a crash, a kill or Ctrl-C, run it again with
// the same flags plus -resume: the people the journal has an answer for
// are reported with that answer and not sent again (the summary says how
// many), the rest are sent, and the report again has a row for everyone.
// People whose batch was on its way when the run died may or may not have
// been invited: they are reported unknown, or sent again with
// -resend-in-flight (one already there is then unknown, not failed). A
// journal belongs to one input file, tenant and service URL; resuming with
// another is refused, and so is a new run over an existing journal: give
// -resume, or remove the journal. The journal is kept when the run
// succeeds, as its record; it holds report row numbers and the server's
// messages, not tokens. Resuming needs the same service as before: the
// in-process fake below lives on a new port each run, so resume against a
// real service or a fake started with `onboard fake --addr` and named by
// ONBOARD_APTLY_URL.
//
// With no environment set it needs no account and no network: it starts an
// in-process fake of the API (package onboardtest) and invites people there.
// To invite people into a real tenant, set:
//
//	ONBOARD_APTLY_URL        Aptly base URL, such as https://staging.api.us.aptlydone.com/auth
//	ONBOARD_APTLY_TOKEN      Aptly bearer token
//	ONBOARD_APTLY_TENANT_ID  the tenant to invite into (or give -tenant)
//
// The exit status is 0 when everyone was invited, 1 when anyone was not
// (failed, not sent or unknown: see the report), and 2 when the flags, the
// environment, the input, the journal or the report were wrong (a journal of
// another run, say), in which case the report may be incomplete.
package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK     = 0 // everyone was invited
	exitFailed = 1 // someone was not
	exitUsage  = 2 // bad flags, environment, input or report
)

// fakeTenantID is the tenant of the in-process fake: the one in the API
// document's example.
const fakeTenantID = "887fd99a-e3ab-44ac-8253-31f269599f2b"

// sampleCandidates are where the sample input is looked for when -in is not
// given: from the repository root, from the examples module, and from this
// program's directory.
var sampleCandidates = []string{
	filepath.Join("examples", "bulk-import", "people.csv"),
	filepath.Join("bulk-import", "people.csv"),
	"people.csv",
}

type options struct {
	in, out, tenant    string
	journal            string
	batch, concurrency int
	fakeLatency        time.Duration
	verbose, resume    bool
	resendInFlight     bool
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	tty := isTerminal(stderr) && getenv("TERM") != "dumb"
	// With -v the client logs from the goroutines that send, while the
	// range loop below writes progress: one line at a time.
	stderr = &lockedWriter{w: stderr}
	out, errs := &console{w: stdout}, &console{w: stderr}
	opt, code, ok := parseFlags(args, getenv, errs)
	if !ok {
		return code
	}
	var logger *slog.Logger // nil: the client is silent
	if opt.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	fail := func(format string, a ...any) int {
		errs.printf("bulk-import: "+format+"\n", a...)
		return exitUsage
	}

	// A first pass over the input checks its syntax and counts the people,
	// so that a broken file stops the run before anyone is invited, and the
	// progress bar knows its end.
	total, err := countPeople(opt.in)
	if err != nil {
		return fail("%v", err)
	}

	c, where, closeFake, err := connect(&opt, getenv, logger)
	if err != nil {
		return fail("%v", err)
	}
	defer closeFake()

	in, err := openInput(opt.in)
	if err != nil {
		return fail("%v", err)
	}
	defer func() { _ = in.Close() }() // read only: closing cannot lose anything
	people, err := newPeopleReader(in, opt.in)
	if err != nil {
		return fail("%v", err)
	}
	file, err := os.Create(opt.out)
	if err != nil {
		return fail("%v", err)
	}
	defer func() { _ = file.Close() }() // closed and checked below; this is for early returns
	j, err := onboard.OpenJournal(opt.journal)
	if err != nil {
		return fail("%v", err)
	}
	// From here on the run returns only after closing j below.
	report := csv.NewWriter(file)
	_ = report.Write([]string{"row", "email", "outcome", "reason"}) // report.Error() below tells

	out.printf("Inviting %d people from %s into Aptly tenant %s (%s)\n", total, opt.in, opt.tenant, where)
	bar := newProgress(stderr, total, tty && logger == nil) // a bar would draw over the log
	var sum summary
	bulkOpts := bulkOptions(ctx, &opt, total, bar, logger, j)
	outcomes := c.Invites.SendBulkSeq(ctx, &onboard.BulkInviteRequest{TenantID: opt.tenant}, people.all(), bulkOpts...)
	write := func(o onboard.Outcome[onboard.Invitee]) {
		outcome, reason := describeOutcome(o)
		// Not o.Key: an item the run did not reach, as after Ctrl-C, has none.
		_ = report.Write([]string{strconv.Itoa(o.Index + 1), o.Item.Email, outcome, reason})
		sum.add(o, reason)
	}
	var last onboard.Outcome[onboard.Invitee]
	for o := range outcomes {
		write(o)
		last = o
	}
	var mismatch *onboard.JournalMismatchError
	stopped := errors.Is(last.Err, onboard.ErrStopped) && !errors.As(last.Err, &mismatch)
	// A run that stops (a 401, Ctrl-C) reads no further; its last outcome
	// says why. The rest of the file is reported not sent, for that reason.
	if stopped {
		for who := range people.all() {
			last.Index++
			write(onboard.Outcome[onboard.Invitee]{Index: last.Index, Item: who, State: onboard.StateNotSent, Err: last.Err})
		}
	}
	bar.finish()
	report.Flush()
	if err := errors.Join(report.Error(), file.Close(), j.Close()); err != nil {
		return fail("writing the report or the journal: %v", err)
	}
	if mismatch != nil {
		return fail("-resume: %s is not this run's journal: %v\nResume with the -in, -tenant and service of the run that started it, or remove it to start again; the report is incomplete", opt.journal, mismatch)
	}
	sum.print(out, opt.out, opt.journal)
	if stopped {
		out.printf("The run stopped early; run again with the same flags and -resume to continue it.\n")
	}
	switch {
	case people.err != nil:
		return fail("%v; the report holds the rows before it", people.err)
	case out.err != nil:
		return fail("writing the summary: %v", out.err)
	case sum.invited != sum.total:
		return exitFailed
	}
	return exitOK
}

// bulkOptions returns the run's options: its batches, progress, journal,
// keys and, with -v, its batch log.
func bulkOptions(ctx context.Context, opt *options, total int, bar *progress, logger *slog.Logger, j *onboard.Journal) []onboard.BulkOption {
	bulkOpts := []onboard.BulkOption{
		onboard.WithBatchSize(opt.batch),
		onboard.WithConcurrency(opt.concurrency),
		onboard.WithTotal(total),
		onboard.WithProgress(bar.update),
		onboard.WithJournal(j),
		onboard.WithKeys(rowKey),
	}
	if opt.resendInFlight {
		bulkOpts = append(bulkOpts, onboard.WithResendInFlight())
	}
	if logger != nil {
		bulkOpts = append(bulkOpts, onboard.WithBatchEvents(logBatch(ctx, logger)))
	}
	return bulkOpts
}

// rowKey is a person's key for the run and its journal: the report's row
// number, which counts from 1 after the header; index counts from 0.
func rowKey(index int, _ onboard.Invitee) string { return strconv.Itoa(index + 1) }

// console writes a program's output. It keeps the first error, so that the
// program can write freely and check once.
type console struct {
	w   io.Writer
	err error
}

func (c *console) printf(format string, a ...any) {
	if c.err == nil {
		_, c.err = fmt.Fprintf(c.w, format, a...)
	}
}

// openInput opens the input file the user named.
func openInput(path string) (*os.File, error) {
	return os.Open(path) //nolint:gosec // G304: reading the file named by -in is the point
}

// parseFlags reads the flags. It returns ok false, with the exit status,
// when the run should not go on.
func parseFlags(args []string, getenv func(string) string, stderr *console) (options, int, bool) {
	var opt options
	flags := flag.NewFlagSet("bulk-import", flag.ContinueOnError)
	flags.SetOutput(stderr.w)
	flags.StringVar(&opt.in, "in", "", "the CSV `file` of people to invite (default: the sample people.csv)")
	flags.StringVar(&opt.out, "out", "report.csv", "the CSV `file` to write the report to")
	flags.StringVar(&opt.tenant, "tenant", "", "the Aptly tenant `id` (default $ONBOARD_APTLY_TENANT_ID, or the fake's)")
	flags.IntVar(&opt.batch, "batch", onboard.DefaultBatchSize, "people per request")
	flags.IntVar(&opt.concurrency, "concurrency", onboard.DefaultConcurrency, "requests in flight at once")
	flags.StringVar(&opt.journal, "journal", "", "the run's journal `file` (default: the -out path + \".journal\")")
	flags.BoolVar(&opt.resume, "resume", false, "continue the run recorded in the journal: same -in, tenant and service")
	flags.BoolVar(&opt.resendInFlight, "resend-in-flight", false, "with -resume, send again those an earlier run may have sent without an answer")
	flags.DurationVar(&opt.fakeLatency, "fake-latency", 0, "slow the in-process fake's answers down by this `long`")
	flags.BoolVar(&opt.verbose, "v", false, "log each request, and each batch's rows, status and request id, to standard error")
	flags.Usage = func() {
		stderr.printf("usage: bulk-import [-in people.csv] [-out report.csv] [-tenant id] [-batch n] [-concurrency n] [-journal file] [-resume] [-v]\n\n" +
			"With ONBOARD_APTLY_URL and ONBOARD_APTLY_TOKEN set it invites into that Aptly;\n" +
			"otherwise into an in-process fake. Exit status: 0 all invited, 1 not all, 2 usage or I/O error.\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opt, exitOK, false
		}
		return opt, exitUsage, false
	}
	usage := func(format string, a ...any) (options, int, bool) {
		stderr.printf("bulk-import: "+format+"\n", a...)
		return opt, exitUsage, false
	}
	switch {
	case flags.NArg() > 0:
		return usage("unexpected argument %q; give the input as -in", flags.Arg(0))
	case opt.batch < 1:
		return usage("-batch must be at least 1, got %d", opt.batch)
	case opt.concurrency < 1:
		return usage("-concurrency must be at least 1, got %d", opt.concurrency)
	case opt.fakeLatency < 0:
		return usage("-fake-latency must not be negative")
	case opt.resendInFlight && !opt.resume:
		return usage("-resend-in-flight goes with -resume")
	}
	if opt.in == "" {
		for _, p := range sampleCandidates {
			if _, err := os.Stat(p); err == nil {
				opt.in = p
				break
			}
		}
		if opt.in == "" {
			return usage("no -in given, and the sample people.csv is not here; run from the repository root or give -in")
		}
	}
	if same(opt.in, opt.out) {
		return usage("-out %s would overwrite the input", opt.out)
	}
	if opt.journal == "" {
		opt.journal = opt.out + ".journal"
	}
	if same(opt.in, opt.journal) || opt.journal == opt.out {
		return usage("-journal %s would overwrite the input or the report", opt.journal)
	}
	if err := checkJournal(opt); err != nil {
		return usage("%v", err)
	}
	if opt.tenant == "" {
		opt.tenant = strings.TrimSpace(getenv("ONBOARD_APTLY_TENANT_ID"))
	}
	return opt, exitOK, true
}

// checkJournal refuses a new run over an earlier run's journal, and -resume
// without one.
func checkJournal(opt options) error {
	_, err := os.Stat(opt.journal)
	switch {
	case err == nil && !opt.resume:
		return fmt.Errorf("the journal %s exists: it records an earlier run; give -resume to continue it, or remove it", opt.journal)
	case errors.Is(err, os.ErrNotExist) && opt.resume:
		return fmt.Errorf("-resume: there is no journal %s to continue; run without -resume to start, or give -journal", opt.journal)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("checking for the journal: %w", err)
	}
	return nil
}

// same reports whether two paths name one file.
func same(a, b string) bool {
	ai, err1 := os.Stat(a)
	bi, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ai, bi)
}

// connect returns a client for the real Aptly named by the environment, or
// for an in-process fake, with a description of where it points and a
// function that stops the fake. It sets the fake's tenant when opt names
// none. A non-nil logger logs each request.
func connect(opt *options, getenv func(string) string, logger *slog.Logger) (*onboard.AptlyClient, string, func(), error) {
	var clientOpts []onboard.Option
	if logger != nil {
		clientOpts = append(clientOpts, onboard.WithLogger(logger))
	}
	url, token := strings.TrimSpace(getenv("ONBOARD_APTLY_URL")), strings.TrimSpace(getenv("ONBOARD_APTLY_TOKEN"))
	switch {
	case url != "" && token != "":
		if opt.tenant == "" {
			return nil, "", nil, errors.New("give -tenant or set ONBOARD_APTLY_TENANT_ID to say which tenant to invite into")
		}
		c, err := onboard.NewAptlyClient(url, onboard.BearerToken(token), clientOpts...)
		return c, url, func() {}, err
	case url != "" || token != "":
		return nil, "", nil, errors.New("set both ONBOARD_APTLY_URL and ONBOARD_APTLY_TOKEN, or neither to use the in-process fake")
	}
	if opt.tenant == "" {
		opt.tenant = fakeTenantID
	}
	srv := onboardtest.NewServer(onboardtest.WithLatency(opt.fakeLatency))
	clientOpts = append(clientOpts, onboard.WithHTTPClient(srv.Client()))
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), clientOpts...)
	if err != nil {
		srv.Close()
		return nil, "", nil, err
	}
	return c, "in-process fake; set ONBOARD_APTLY_URL and ONBOARD_APTLY_TOKEN for a real one", srv.Close, nil
}

// countPeople reads the whole input once and returns how many people it
// lists, or the first thing wrong with it.
func countPeople(path string) (int, error) {
	f, err := openInput(path)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }() // read only: closing cannot lose anything
	people, err := newPeopleReader(f, path)
	if err != nil {
		return 0, err
	}
	n := 0
	for range people.all() {
		n++
	}
	return n, people.err
}

// peopleReader reads people from CSV as an iter.Seq, one row at a time.
type peopleReader struct {
	r    *csv.Reader
	path string
	cols map[int]string // column index -> field name, or "attr:<header>"
	err  error          // what stopped the reading early, if anything
}

// knownColumns maps a folded header (lower case, no '_', '-' or ' ') to
// the Invitee field it fills.
var knownColumns = map[string]string{
	"email": "email", "firstname": "firstName", "lastname": "lastName", "displayname": "displayName",
	"mobilephone": "mobilePhone", "employeeid": "employeeId", "employeenumber": "employeeNumber",
	"employeetype": "employeeType", "employmenttype": "employmentType",
}

func newPeopleReader(r io.Reader, path string) (*peopleReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a short row leaves the rest empty
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty; it needs a header row with an email column", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p := &peopleReader{r: cr, path: path, cols: make(map[int]string, len(header))}
	hasEmail := false
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) // a spreadsheet's byte order mark
		folded := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(h))
		switch field, ok := knownColumns[folded]; {
		case ok:
			p.cols[i] = field
			hasEmail = hasEmail || field == "email"
		case h != "":
			p.cols[i] = "attr:" + h
		}
	}
	if !hasEmail {
		return nil, fmt.Errorf("%s: the header row %q has no email column", path, strings.Join(header, ","))
	}
	return p, nil
}

// all yields one Invitee per row. It stops at the end of the input or at
// the first row it cannot read, which it keeps in p.err.
func (p *peopleReader) all() iter.Seq[onboard.Invitee] {
	return func(yield func(onboard.Invitee) bool) {
		for {
			rec, err := p.r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				p.err = fmt.Errorf("%s: %w", p.path, err)
				return
			}
			if !yield(p.invitee(rec)) {
				return
			}
		}
	}
}

func (p *peopleReader) invitee(rec []string) onboard.Invitee {
	var who onboard.Invitee
	for i, v := range rec {
		v = strings.TrimSpace(v)
		field, ok := p.cols[i]
		if !ok || v == "" {
			continue
		}
		switch field {
		case "email":
			who.Email = v
		case "firstName":
			who.FirstName = v
		case "lastName":
			who.LastName = v
		case "displayName":
			who.DisplayName = v
		case "mobilePhone":
			who.MobilePhone = v
		case "employeeId":
			who.EmployeeID = v
		case "employeeNumber":
			who.EmployeeNumber = v
		case "employeeType":
			who.EmployeeType = v
		case "employmentType":
			who.EmploymentType = v
		default:
			if who.CustomAttributes == nil {
				who.CustomAttributes = map[string]string{}
			}
			who.CustomAttributes[strings.TrimPrefix(field, "attr:")] = v
		}
	}
	return who
}

// Outcomes as the report names them.
const (
	outcomeInvited = "invited"
	outcomeFailed  = "failed"
	outcomeNotSent = "not sent"
	outcomeUnknown = "unknown"
)

// describeOutcome returns the report's outcome and reason for one person.
func describeOutcome(o onboard.Outcome[onboard.Invitee]) (string, string) {
	if o.DuplicateOf != nil && o.State == onboard.StateSucceeded {
		// The report's rows count from 1 after the header; Index from 0.
		return outcomeInvited, fmt.Sprintf("repeats row %d", *o.DuplicateOf+1)
	}
	switch o.State {
	case onboard.StateSucceeded:
		return outcomeInvited, ""
	case onboard.StateFailed:
		return outcomeFailed, o.Message
	case onboard.StateNotSent:
		return outcomeNotSent, describeErr(o.Err)
	default:
		reason := o.Message
		if o.Err != nil {
			reason += ": " + o.Err.Error()
		}
		return outcomeUnknown, reason
	}
}

var itemPrefix = regexp.MustCompile(`^users\[\d+\]\.`)

// describeErr says in a few words why a person was not sent: the problems
// the SDK found with the person before sending, or what happened to the
// batch.
func describeErr(err error) string {
	var ve *onboard.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		parts := make([]string, len(ve.Problems))
		for i, p := range ve.Problems {
			parts[i] = itemPrefix.ReplaceAllString(p.Field, "") + " " + p.Message
		}
		return strings.Join(parts, "; ")
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// summary tallies the outcomes and their reasons.
type summary struct {
	total, invited, failed, notSent, unknown int
	replayed                                 int            // outcomes read from the journal
	reasons                                  map[string]int // "failed: Email already exists" -> count
}

// quoted matches a quoted value at the start of an SDK problem message:
// `"bob@" is not a valid email address`.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*" `)

func (s *summary) add(o onboard.Outcome[onboard.Invitee], reason string) {
	s.total++
	if o.Replayed {
		s.replayed++
	}
	var kind string
	switch o.State {
	case onboard.StateSucceeded:
		s.invited++
		return
	case onboard.StateFailed:
		s.failed++
		kind = outcomeFailed
	case onboard.StateNotSent:
		s.notSent++
		kind = outcomeNotSent
		// Group "email "bob@" is not a valid email address" with the rest.
		reason = quoted.ReplaceAllString(reason, "")
	default:
		s.unknown++
		kind = outcomeUnknown
	}
	if s.reasons == nil {
		s.reasons = map[string]int{}
	}
	s.reasons[kind+": "+reason]++
}

func (s *summary) print(w *console, reportPath, journalPath string) {
	w.printf("\n%d people: %d invited, %d failed, %d not sent", s.total, s.invited, s.failed, s.notSent)
	if s.unknown > 0 {
		w.printf(", %d unknown", s.unknown)
	}
	w.printf("\n")
	if s.replayed > 0 {
		w.printf("%d of them replayed from the journal: an earlier run sent them, this one did not again\n", s.replayed)
	}
	reasons := slices.SortedFunc(maps.Keys(s.reasons), func(a, b string) int {
		return cmp.Or(cmp.Compare(s.reasons[b], s.reasons[a]), strings.Compare(a, b))
	})
	for i, r := range reasons {
		if i == 8 {
			w.printf("  … and %d more reasons; see the report\n", len(reasons)-i)
			break
		}
		w.printf("  %5d  %s\n", s.reasons[r], r)
	}
	w.printf("Report: %s (one row per person)\nJournal: %s (kept as the run's record; -resume continues from it)\n", reportPath, journalPath)
}

// progress shows a run's progress on standard error: a bar on a terminal,
// a plain line every tenth of the way elsewhere.
type progress struct {
	bar     *progressbar.ProgressBar // nil when plain
	w       *console
	total   int
	lastTen int // the last tenth written in plain mode
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress display for total items: a bar when bar
// is true, plain lines otherwise.
func newProgress(w io.Writer, total int, bar bool) *progress {
	p := &progress{w: &console{w: w}, total: total, lastTen: -1}
	if bar {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("inviting"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionOnCompletion(func() { p.w.printf("\n") }),
		)
	}
	return p
}

// update is the run's progress callback. The engine calls it on the
// goroutine that ranges over the outcomes, one call at a time.
func (p *progress) update(pr onboard.Progress) {
	if pr.Total >= 0 && pr.Total != p.total {
		p.total = pr.Total // the input changed since it was counted
		if p.bar != nil {
			p.bar.ChangeMax(pr.Total)
		}
	}
	notInvited := pr.Failed + pr.NotSent + pr.Unknown
	if p.bar != nil {
		if notInvited > 0 {
			p.bar.Describe(fmt.Sprintf("inviting (%d not invited)", notInvited))
		}
		_ = p.bar.Set(pr.Done)
		return
	}
	ten := 10
	if p.total > 0 {
		ten = pr.Done * 10 / p.total
	}
	if ten > p.lastTen {
		p.lastTen = ten
		p.w.printf("bulk-import: %d/%d done (%d%%), %d invited, %d not invited\n",
			pr.Done, p.total, ten*10, pr.Succeeded, notInvited)
	}
}

// finish completes the bar, if it did not complete itself.
func (p *progress) finish() {
	if p.bar != nil && !p.bar.IsFinished() {
		_ = p.bar.Finish()
	}
}

// lockedWriter lets several goroutines write to one writer, one Write at a
// time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// logBatch returns the run's WithBatchEvents function for -v: it logs each
// batch once answered, with the report rows it carried, the status and the
// server's request id, at debug level, or at warn when the batch got no
// per-item answer. The engine calls it from several goroutines at once;
// the logger is safe for that. It logs no email address and no body.
func logBatch(ctx context.Context, logger *slog.Logger) func(onboard.BatchEvent) {
	return func(e onboard.BatchEvent) {
		if e.Kind != onboard.BatchAnswered {
			return
		}
		level, attrs := slog.LevelDebug, []slog.Attr{
			slog.Int("batch", e.Batch),
			slog.String("rows", rowRanges(e.Indexes)),
			slog.Int("status", e.Response.StatusCode),
			slog.String("request_id", e.Response.RequestID),
			slog.Int("attempts", e.Response.Attempts),
		}
		if e.Err != nil {
			level, attrs = slog.LevelWarn, append(attrs, slog.String("error", e.Err.Error()))
		}
		logger.LogAttrs(ctx, level, "bulk-import: batch answered", attrs...)
	}
}

// rowRanges writes input indexes as the report's row numbers, runs of
// consecutive rows joined: [0 1 2 4] is "1-3,5".
func rowRanges(indexes []int) string {
	var b strings.Builder
	for i := 0; i < len(indexes); {
		j := i
		for j+1 < len(indexes) && indexes[j+1] == indexes[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(indexes[i] + 1))
		if j > i {
			b.WriteString("-" + strconv.Itoa(indexes[j]+1))
		}
		i = j + 1
	}
	return b.String()
}
