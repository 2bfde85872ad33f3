package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
)

// The actions of a sync plan.
const (
	actInvite  = "invite"  // on the roster, not on the service
	actResend  = "resend"  // pending longer than --resend-after
	actPending = "pending" // pending, and not resent
	actPresent = "present" // on the roster and on the service
	actExtra   = "extra"   // on the service, not on the roster: kept
	actRemove  = "remove"  // extra, and --remove-extra asks to remove it
	actInvalid = "invalid" // a roster row that cannot be read
)

func newSyncCmd(f *factory) *cobra.Command {
	cmd := newServiceCmd(f, "sync", "Compare a roster with a service, and carry out the plan on request",
		`Compare a roster (a CSV or JSON-lines file of people, as the import
commands read) with the people a service lists, and print the plan: whom
to invite, whose pending invite to resend (pending longer than
--resend-after), who is already there, and who is on the service but not
on the roster (extra). Without --apply nothing is changed. With --apply the
plan is carried out through the SDK's bulk engine. Extra people are only
reported, never removed, unless --remove-extra is given as well.

Letter case is ignored in addresses, and every copy of a person the
service lists twice (as overlapping pages may) counts: a roster person is
never extra. An extra person whose address appears anywhere in the
roster, in any row, one that cannot be read too, is kept. With
--remove-extra, --apply refuses a roster with a row that cannot be read
(exit status 2, before anything is listed or changed): such a row may name
someone who must stay in a way no search finds, such as a misspelt
address, and a removal cannot be undone. Fix the rows, or leave out
--remove-extra: invites and resends only add, and a sync run again after
the roster is fixed finishes the job.

The plan has one record per roster row, in the roster's order, then one
per extra person: line, email, action (invite, resend, pending, present,
extra, remove, invalid), the service's status, since (when a pending invite
was last sent, where the service says), and a note. With --apply each record
also has the outcome, the reason and the id. Exit status 0 when the roster
was read whole and, with --apply, every action succeeded; 1 otherwise.

Sync has no --journal: each run makes its plan afresh from what the service
lists, so a sync run again after a crash or a stop invites only those still
missing.`,
		`  onboard sync aptly --roster people.csv
  onboard sync aptly --roster people.csv --apply --resend-after 72h --report sync.csv
  onboard sync royalti --roster people.csv --apply
  onboard sync athena --roster people.csv --website 123e4567-e89b-12d3-a456-426614174000`)
	cmd.AddCommand(newSyncAptlyCmd(f, nil), newSyncRoyaltiCmd(f, nil), newSyncAthenaCmd(f, nil))
	return cmd
}

// syncFlags are the flags every sync command has.
type syncFlags struct {
	roster      string
	apply       bool
	resendAfter time.Duration
	removeExtra bool
	bulk        bulkFlags
	output      string
}

func addSyncFlags(cmd *cobra.Command, f *syncFlags, defaultBatch string) {
	fl := cmd.Flags()
	fl.StringVar(&f.roster, "roster", "", "the CSV or JSON-lines `file` of the people who should be there (required)")
	fl.BoolVar(&f.apply, "apply", false, "carry out the plan; without it nothing is changed")
	fl.DurationVar(&f.resendAfter, "resend-after", 168*time.Hour, "resend invites pending longer than this `duration`; 0 resends none")
	fl.BoolVar(&f.removeExtra, "remove-extra", false, "with --apply, remove the people on the service who are not on the roster; "+
		"refused when a roster row cannot be read")
	addBulkFlags(cmd, &f.bulk, defaultBatch)
	addOutputFlag(cmd, &f.output)
}

func (f *syncFlags) check() error {
	switch {
	case f.roster == "":
		return usageErrorf("--roster is required: the file of the people who should be there")
	case f.resendAfter < 0:
		return usageErrorf("--resend-after %v is negative; give 0 to resend none", f.resendAfter)
	}
	return f.bulk.check()
}

// remote is a person as the service lists them.
type remote struct {
	email   string
	status  string    // the service's words: INVITED, invited, admin (website)
	since   time.Time // when a pending invite was last sent; zero if not known
	pending bool
	// resendID and removeID are the ids a resend and a removal take;
	// removeID is empty when the person cannot be removed here, and note
	// says why.
	resendID, removeID string
	note               string
}

// step is one part of carrying out a plan: a bulk run's options and
// progress.
type step struct {
	opts []onboard.BulkOption
	p    *progress
	conc int
}

// syncService is one service as sync sees it.
type syncService[T any] struct {
	schema *schema
	key    func(*T) string
	check  func(*T) error
	// noTimes says the service lists no pending invites at all, so that
	// --resend-after has nothing to act on.
	noTimes bool
	fetch   func(ctx context.Context) ([]remote, error)
	invite  func(ctx context.Context, items []T, st *step) []verdict
	resend  func(ctx context.Context, ids []string, st *step) []verdict
	remove  func(ctx context.Context, ids []string, st *step) []verdict
}

// planRow is one record of a plan.
type planRow struct {
	line   int
	email  string
	action string
	status string
	since  time.Time
	note   string
	id     string // the id the action takes
	item   int    // the roster's index, for an invite
	v      verdict
}

// runSync reads the roster, lists the service, makes the plan and, with
// --apply, carries it out.
func runSync[T any](ctx context.Context, out *cmdIO, f *syncFlags, svc *syncService[T], now time.Time) error {
	roster, err := readRoster[T](f.roster, svc.schema)
	if err != nil {
		return err
	}
	if f.apply && f.removeExtra {
		if err := needReadable(roster, svc); err != nil {
			return err
		}
	}
	named, err := rosterAddresses(f.roster)
	if err != nil {
		return err
	}
	people, err := svc.fetch(ctx)
	if err != nil {
		return fmt.Errorf("listing the service, before changing anything: %w", err)
	}
	plan := makePlan(roster, named, people, svc, f, now)
	out.say("%s", describePlan(plan))
	cols := []string{"line", "email", "action", "status", "since", "note"}
	if f.apply {
		cols = append(cols, "outcome", "reason", "id")
	}
	w, err := out.records(&f.bulk, f.roster, cols)
	if err != nil {
		return err
	}
	if f.apply {
		applyPlan(ctx, out, f, svc, roster, plan)
	}
	return writePlan(out, w, f.apply, plan)
}

func readRoster[T any](path string, s *schema) ([]row[T], error) {
	rows, err := openRows[T](path, s)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }() // read only
	var out []row[T]
	for r := range rows.all() {
		out = append(out, r)
	}
	return out, rows.err
}

// rosterVerdict is what is wrong with a roster row, if anything: the
// problems that kept it from being read, or what the service's own check
// finds.
func rosterVerdict[T any](r *row[T], svc *syncService[T]) verdict {
	if len(r.problems) > 0 {
		return problemsVerdict(r.problems)
	}
	return checkVerdict(svc.check(&r.item), "email")
}

// needReadable refuses a roster with rows that cannot be read, before
// anything is listed or changed: such a row may name someone who must
// stay in a way no search finds (a misspelt address), and a removal
// cannot be undone.
func needReadable[T any](roster []row[T], svc *syncService[T]) error {
	var lines []string
	for i := range roster {
		if rosterVerdict(&roster[i], svc).outcome == outInvalid {
			lines = append(lines, strconv.Itoa(roster[i].line))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	n := len(lines)
	if n > 10 {
		lines = append(lines[:10], "...")
	}
	return fmt.Errorf("nothing was changed: %s could not be read (line %s), and --apply --remove-extra "+
		"runs only on a roster whose every row is read, so that no one it names is removed; "+
		"run without --apply to see what is wrong with each row, fix them and run again, or leave out --remove-extra",
		plural(n, "roster row"), strings.Join(lines, ", "))
}

// rosterAddresses returns every address that appears anywhere in the
// roster file, in lower case, with the first line it is on: a row that
// cannot be read may still name a person, who must not be removed.
func rosterAddresses(path string) (map[string]int, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: reading the file the user named is the point
	if err != nil {
		return nil, fmt.Errorf("cannot read the roster: %w", err)
	}
	out := map[string]int{}
	for n, line := range bytes.Split(b, []byte("\n")) {
		for _, a := range addressesIn(line) {
			if _, ok := out[a]; !ok {
				out[a] = n + 1
			}
		}
	}
	return out, nil
}

// addressesIn returns, in lower case, what looks like an address in
// text: around each "@", the longest run of the characters an address
// holds (less a trailing "." or "-"); and, as the run may begin with a
// quote or other punctuation glued to the address, each shorter run that
// starts after such a character: for "'ada@example.com." both
// "'ada@example.com" and "ada@example.com".
func addressesIn(text []byte) []string {
	var out []string
	for at := bytes.IndexByte(text, '@'); at >= 0; {
		lo := at
		for lo > 0 && isLocalByte(text[lo-1]) {
			lo--
		}
		hi := at + 1
		for hi < len(text) && isDomainByte(text[hi]) {
			hi++
		}
		for hi > at+1 && (text[hi-1] == '.' || text[hi-1] == '-') {
			hi--
		}
		if hi > at+1 {
			for i := lo; i < at; i++ {
				if i == lo || !isPlainByte(text[i-1]) {
					out = append(out, strings.ToLower(string(text[i:hi])))
				}
			}
		}
		next := bytes.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	return out
}

// isPlainByte is a letter, a digit, or a character common inside the
// local part of an address; any other character may be punctuation
// around one.
func isPlainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 || strings.IndexByte("._-+", c) >= 0
}

// isLocalByte is a character the local part of an address may hold.
func isLocalByte(c byte) bool { return isPlainByte(c) || strings.IndexByte("!#$%&'*/=?^`{|}~", c) >= 0 }

// isDomainByte is a character the domain of an address may hold.
func isDomainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80 || c == '.' || c == '-'
}

// makePlan compares the roster with the service's people, by address
// (letter case ignored). Every listed copy of a roster address is matched;
// an extra person listed more than once is planned once. named holds every
// address that appears anywhere in the roster, with its line: such a
// person is never removed.
func makePlan[T any](roster []row[T], named map[string]int, people []remote, svc *syncService[T], f *syncFlags, now time.Time) []planRow {
	byEmail := make(map[string][]int, len(people))
	for j, p := range people {
		key := strings.ToLower(strings.TrimSpace(p.email))
		byEmail[key] = append(byEmail[key], j)
	}
	matched := map[string]bool{}
	first := map[string]int{}
	plan := make([]planRow, 0, len(roster))
	for i := range roster {
		r := &roster[i]
		pr := planRow{line: r.line, email: svc.key(&r.item), item: i}
		key := strings.ToLower(pr.email)
		v := rosterVerdict(r, svc)
		l, dup := first[key]
		switch copies := byEmail[key]; {
		case v.outcome == outInvalid:
			pr.action, pr.note, pr.v = actInvalid, v.reason, v
		case dup:
			pr.action, pr.note = actInvalid, fmt.Sprintf("email repeats line %d", l)
			pr.v = verdict{outcome: outInvalid, field: "email", reason: pr.note}
		case len(copies) == 0:
			pr.action = actInvite
		default:
			matched[key] = true
			pr.fromRemote(&people[copies[0]], f, svc.noTimes, now)
		}
		if !dup && pr.action != actInvalid {
			first[key] = r.line
		}
		plan = append(plan, pr)
	}
	for j := range people {
		key := strings.ToLower(strings.TrimSpace(people[j].email))
		if matched[key] {
			continue
		}
		matched[key] = true // the copies listed after this one
		p := people[j]
		for _, k := range byEmail[key] {
			if people[k].removeID != p.removeID {
				p.removeID, p.note = "", "listed more than once, with different ids; kept"
			}
		}
		if line, ok := named[key]; ok {
			p.removeID, p.note = "", fmt.Sprintf("roster line %d holds this address; kept", line)
		}
		plan = append(plan, extraRow(&p, f))
	}
	return plan
}

// fromRemote settles a roster row that is on the service: present, or
// pending and resent or not.
func (pr *planRow) fromRemote(p *remote, f *syncFlags, noTimes bool, now time.Time) {
	pr.status, pr.note = p.status, p.note
	pr.action = actPresent
	if !p.pending {
		return
	}
	pr.action, pr.since = actPending, p.since
	switch age := now.Sub(p.since); {
	case noTimes:
	case f.resendAfter == 0:
		pr.note = "--resend-after 0: not resent"
	case p.since.IsZero():
		pr.note = "the service gives no time for this invite, so it is not resent"
	case age < f.resendAfter:
		pr.note = fmt.Sprintf("pending for %s, not longer than --resend-after %s", shortDuration(age), shortDuration(f.resendAfter))
	default:
		pr.action, pr.id = actResend, p.resendID
		pr.note = "pending for " + shortDuration(age)
	}
}

// extraRow is the plan's record of a person on the service but not on the
// roster.
func extraRow(p *remote, f *syncFlags) planRow {
	pr := planRow{email: p.email, action: actExtra, status: p.status, note: p.note}
	switch {
	case !f.removeExtra:
		if pr.note == "" {
			pr.note = "not on the roster; kept (--remove-extra would remove)"
		}
	case p.removeID != "":
		pr.action, pr.id, pr.note = actRemove, p.removeID, "not on the roster"
	}
	return pr
}

// describePlan counts the plan's actions: "plan: 2 invite, 1 resend, 3
// present".
func describePlan(plan []planRow) string {
	counts := map[string]int{}
	for _, pr := range plan {
		counts[pr.action]++
	}
	var parts []string
	for _, a := range []string{actInvite, actResend, actPending, actPresent, actExtra, actRemove, actInvalid} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	if len(parts) == 0 {
		return "plan: nothing on the roster or the service"
	}
	return "plan: " + strings.Join(parts, ", ")
}

// applyPlan carries out the plan's invites, resends and removals, in that
// order, each as one bulk run, and records each row's verdict.
func applyPlan[T any](ctx context.Context, out *cmdIO, f *syncFlags, svc *syncService[T], roster []row[T], plan []planRow) {
	var invites, resends, removes []int
	for i, pr := range plan {
		switch pr.action {
		case actInvite:
			invites = append(invites, i)
		case actResend:
			resends = append(resends, i)
		case actRemove:
			removes = append(removes, i)
		}
	}
	if len(invites) > 0 {
		items := make([]T, len(invites))
		for k, i := range invites {
			items[k] = roster[plan[i].item].item
		}
		settle(plan, invites, svc.invite(ctx, items, newStep(out, f, "inviting", len(items))))
	}
	ids := func(idx []int) []string {
		out := make([]string, len(idx))
		for k, i := range idx {
			out[k] = plan[i].id
		}
		return out
	}
	if len(resends) > 0 && svc.resend != nil {
		settle(plan, resends, svc.resend(ctx, ids(resends), newStep(out, f, "resending", len(resends))))
	}
	if len(removes) > 0 {
		settle(plan, removes, svc.remove(ctx, ids(removes), newStep(out, f, "removing", len(removes))))
	}
}

// newStep prepares one part of carrying out a plan, of n items.
func newStep(out *cmdIO, f *syncFlags, verb string, n int) *step {
	p := newProgress(out.stderr, out.tty, verb, n)
	return &step{opts: f.bulk.options(n, p, nil, nil), p: p, conc: f.bulk.concurrency}
}

// settle records the verdicts of the rows idx of plan.
func settle(plan []planRow, idx []int, vs []verdict) {
	for k, i := range idx {
		plan[i].v = vs[k]
	}
}

// writePlan writes the plan to w, with the outcomes if it was applied.
func writePlan(o *cmdIO, w recordWriter, applied bool, plan []planRow) error {
	t := newTally("row")
	invalid := 0
	for _, pr := range plan {
		t.add(pr.v)
		if pr.action == actInvalid {
			invalid++
		}
		vals := []any{lineValue(pr.line), pr.email, pr.action, pr.status, pr.since, pr.note}
		if applied {
			vals = append(vals, pr.v.outcome, pr.v.reason, firstOf(pr.v.id, pr.id))
		}
		if err := w.write(vals...); err != nil {
			return errors.Join(err, w.close())
		}
	}
	if applied {
		return o.finish(w, t, nil)
	}
	if err := w.close(); err != nil {
		return err
	}
	if invalid > 0 {
		return &incompleteError{plural(invalid, "roster row") + " could not be read"}
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// verdictsOf turns a bulk run's report into one verdict per item.
func verdictsOf[T any](rep *onboard.BulkReport[T], keyField string) []verdict {
	out := make([]verdict, len(rep.Outcomes))
	for i, o := range rep.Outcomes {
		out[i] = outcomeVerdict(o, keyField)
	}
	return out
}

// syncAptlyOptions are what "onboard sync aptly" runs with.
type syncAptlyOptions struct {
	aptlyOptions
	now func() time.Time
	syncFlags
	tenant string
}

// newSyncAptlyCmd returns "onboard sync aptly". runF, if not nil, runs in
// place of runSyncAptly, for tests of the flags alone.
func newSyncAptlyCmd(f *factory, runF func(context.Context, *syncAptlyOptions) error) *cobra.Command {
	opts := &syncAptlyOptions{aptlyOptions: newAptlyOptions(f), now: f.app.now}
	cmd := &cobra.Command{
		Use:   "aptly --roster FILE",
		Short: "Sync a roster with the users of an Aptly tenant",
		Long: `Compare a roster, in the columns of 'onboard aptly invite', with the users
of an Aptly tenant. A user whose status is INVITED is pending. Aptly's list
gives no time for an invite: the time of a pending invite is when the user
was last updated (or created), and a resend may not change it, so a sync
after --resend-after resends again. Invites go through Aptly's bulk invite,
resends through its bulk resend (--batch 1 ties each answer to its user for
certain), removals through its bulk delete. Aptly's bulk delete takes no
tenant and removes the whole account, so only users whose activeTenantId
is the tenant are removed; a user listed without one is kept.`,
		Example: `  onboard sync aptly --roster people.csv
  onboard sync aptly --roster people.csv --apply --report sync.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSyncAptly(cmd.Context(), opts)
		},
	}
	addSyncFlags(cmd, &opts.syncFlags, "100")
	cmd.Flags().StringVar(&opts.tenant, "tenant", "", "the Aptly tenant `id` (default $ONBOARD_APTLY_TENANT_ID)")
	return cmd
}

// runSyncAptly syncs the roster with the tenant's users.
func runSyncAptly(ctx context.Context, opts *syncAptlyOptions) error {
	env, err := opts.env()
	if err != nil {
		return err
	}
	tenant, err := aptlyTenant(opts.tenant, env)
	if err != nil {
		return err
	}
	c, err := opts.client()
	if err != nil {
		return err
	}
	return runSync(ctx, opts.io, &opts.syncFlags, aptlySync(c, tenant), opts.now())
}

func aptlySync(c *onboard.AptlyClient, tenant string) *syncService[onboard.AptlyInvitee] {
	return &syncService[onboard.AptlyInvitee]{
		schema: schemaOf[onboard.AptlyInvitee]("email"),
		key:    func(p *onboard.AptlyInvitee) string { return p.Email },
		check:  checkInvitee,
		fetch: func(ctx context.Context) ([]remote, error) {
			users, err := aptlyUsers(ctx, c, tenant)
			out := make([]remote, len(users))
			for i := range users {
				u := &users[i]
				out[i] = remote{email: u.Email, status: string(u.Status), resendID: u.ID, removeID: u.ID,
					pending: u.Status == onboard.AptlyUserInvited}
				if !strings.EqualFold(u.ActiveTenantID, tenant) {
					// Bulk delete takes no tenant and removes the whole
					// account: only a user Aptly shows in the tenant goes.
					out[i].removeID = ""
					out[i].note = "Aptly does not show this user in the tenant; kept, as a removal would delete the whole account"
				}
				if out[i].pending {
					out[i].since = aptlySince(u)
				}
			}
			return out, err
		},
		invite: func(ctx context.Context, items []onboard.AptlyInvitee, st *step) []verdict {
			rep, _ := c.Invites.SendBulkAll(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenant}, items, st.opts...)
			st.p.finish()
			return verdictsOf(rep, "email")
		},
		resend: func(ctx context.Context, ids []string, st *step) []verdict {
			rep, _ := c.Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: tenant}, ids, st.opts...)
			st.p.finish()
			return verdictsOf(rep, "id")
		},
		remove: func(ctx context.Context, ids []string, st *step) []verdict {
			rep, _ := c.Users.DeleteBulkAll(ctx, nil, ids, st.opts...)
			st.p.finish()
			return verdictsOf(rep, "id")
		},
	}
}

// syncRoyaltiOptions are what "onboard sync royalti" runs with.
type syncRoyaltiOptions struct {
	royaltiOptions
	now func() time.Time
	syncFlags
	// shared holds the fields of every creation request: --message, and
	// --send-email when it is given.
	shared    onboard.RoyaltiCreateUsersRequest
	sendEmail bool
}

// newSyncRoyaltiCmd returns "onboard sync royalti". runF, if not nil, runs
// in place of runSyncRoyalti, for tests of the flags alone.
func newSyncRoyaltiCmd(f *factory, runF func(context.Context, *syncRoyaltiOptions) error) *cobra.Command {
	opts := &syncRoyaltiOptions{royaltiOptions: newRoyaltiOptions(f), now: f.app.now}
	cmd := &cobra.Command{
		Use:   "royalti --roster FILE",
		Short: "Sync a roster with the users of a Royalti workspace",
		Long: `Compare a roster, in the columns of 'onboard royalti import', with the users
of the token's Royalti workspace and their latest invites. A user whose
latest invite is invited is pending, since the invite was last sent
(Royalti's meta.date). A user whose invite was cancelled is reported
present, with a note, and not invited again. Invites go through Royalti's
bulk user creation (Royalti emails each person), resends one request per
invite, removals through its bulk delete.`,
		Example: `  onboard sync royalti --roster people.csv
  onboard sync royalti --roster people.csv --apply --resend-after 72h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			if cmd.Flags().Changed("send-email") {
				opts.shared.SendEmail = &opts.sendEmail
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSyncRoyalti(cmd.Context(), opts)
		},
	}
	addSyncFlags(cmd, &opts.syncFlags, "100")
	cmd.Flags().BoolVar(&opts.sendEmail, "send-email", true, "let Royalti email each person invited")
	cmd.Flags().StringVar(&opts.shared.Message, "message", "", "a custom `message` for the invite email")
	return cmd
}

// runSyncRoyalti syncs the roster with the workspace's users.
func runSyncRoyalti(ctx context.Context, opts *syncRoyaltiOptions) error {
	c, err := opts.client()
	if err != nil {
		return err
	}
	return runSync(ctx, opts.io, &opts.syncFlags, royaltiSync(c, &opts.shared), opts.now())
}

func royaltiSync(c *onboard.RoyaltiClient, shared *onboard.RoyaltiCreateUsersRequest) *syncService[onboard.RoyaltiWorkspaceUser] {
	return &syncService[onboard.RoyaltiWorkspaceUser]{
		schema: schemaOf[onboard.RoyaltiWorkspaceUser]("email"),
		key:    func(u *onboard.RoyaltiWorkspaceUser) string { return u.Email },
		check:  checkWorkspaceUser,
		fetch:  func(ctx context.Context) ([]remote, error) { return royaltiPeople(ctx, c) },
		invite: func(ctx context.Context, items []onboard.RoyaltiWorkspaceUser, st *step) []verdict {
			rep, _ := c.Users.CreateBulkAll(ctx, shared, items, st.opts...)
			st.p.finish()
			return verdictsOf(rep, "email")
		},
		resend: func(ctx context.Context, ids []string, st *step) []verdict {
			vs := each(ctx, len(ids), st.conc, st.p, func(ctx context.Context, i int) verdict {
				_, err := c.Invites.Resend(ctx, ids[i], nil)
				return errVerdict(err, "id")
			})
			st.p.finish()
			return vs
		},
		remove: func(ctx context.Context, ids []string, st *step) []verdict {
			rep, _ := c.Users.DeleteBulkAll(ctx, nil, ids, st.opts...)
			st.p.finish()
			return verdictsOf(rep, "id")
		},
	}
}

// royaltiPeople lists the workspace's users, each with their latest
// invite.
func royaltiPeople(ctx context.Context, c *onboard.RoyaltiClient) ([]remote, error) {
	invs, err := royaltiInvites(ctx, c, "")
	if err != nil {
		return nil, err
	}
	latest := latestInvites(invs)
	var out []remote
	for u, err := range c.Users.List(ctx, nil) {
		if err != nil {
			return nil, err
		}
		email := firstOf(u.Email, u.User.Email)
		p := remote{email: email, status: "no invite", removeID: u.ID}
		if inv := latest[strings.ToLower(email)]; inv != nil {
			p.status, p.resendID = string(inv.Status), inv.ID
			switch inv.Status {
			case onboard.RoyaltiInviteInvited:
				p.pending, p.since = true, royaltiSince(inv)
			case onboard.RoyaltiInviteCancelled:
				p.note = "the invite was cancelled; not invited again"
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// athenaPerson is a row of an AthenaHQ roster.
type athenaPerson struct {
	Email     string             `json:"email"`
	FirstName string             `json:"first_name"`
	LastName  string             `json:"last_name"`
	Role      onboard.AthenaRole `json:"role"`
}

// syncAthenaOptions are what "onboard sync athena" runs with.
type syncAthenaOptions struct {
	athenaOptions
	now func() time.Time
	syncFlags
	scope  scopeFlags
	person athenaPersonFlags // --method and --role; each row gives the rest
	// resendAfterSet says --resend-after was given, which has no effect
	// here.
	resendAfterSet bool
}

// newSyncAthenaCmd returns "onboard sync athena". runF, if not nil, runs
// in place of runSyncAthena, for tests of the flags alone.
func newSyncAthenaCmd(f *factory, runF func(context.Context, *syncAthenaOptions) error) *cobra.Command {
	opts := &syncAthenaOptions{athenaOptions: newAthenaOptions(f), now: f.app.now}
	cmd := &cobra.Command{
		Use:   "athena --roster FILE (--website ID | --group ID)",
		Short: "Sync a roster with the members of an AthenaHQ website or group",
		Long: `Compare a roster (columns email, first_name, last_name, role) with the
members of an AthenaHQ website or group. AthenaHQ lists no pending invites:
a person invited by email who has not accepted is planned as an invite
again, and AthenaHQ refuses it ("already has a pending invite"), so
--resend-after has no effect here. Members of the organization have access
to every website and group; when extra, they are kept (remove them with
'onboard athena remove --organization'). Invites are one bulk invite per
person (--method, and --role unless the row gives one); removals remove a
member's own website row; AthenaHQ has no call to remove a group member.`,
		Example: `  onboard sync athena --roster people.csv --website 123e4567-e89b-12d3-a456-426614174000
  onboard sync athena --roster people.csv --website 123e4567-e89b-12d3-a456-426614174000 --apply --method direct`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (opts.scope.website == "") == (opts.scope.group == "") {
				return usageErrorf("give one of --website ID or --group ID")
			}
			opts.person.email = "person@example.com" // each row gives its own
			if err := errors.Join(opts.check(), opts.person.check()); err != nil {
				return err
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.resendAfterSet = cmd.Flags().Changed("resend-after")
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSyncAthena(cmd.Context(), opts)
		},
	}
	addSyncFlags(cmd, &opts.syncFlags, "")
	cmd.Flags().StringVar(&opts.scope.website, "website", "", "the website's `id`")
	cmd.Flags().StringVar(&opts.scope.group, "group", "", "the group's `id` (a global API key is needed)")
	addAthenaPersonFlags(cmd, &opts.person)
	return cmd
}

// runSyncAthena syncs the roster with the members of the website or
// group.
func runSyncAthena(ctx context.Context, opts *syncAthenaOptions) error {
	if _, err := opts.env(); err != nil {
		return err
	}
	if opts.resendAfterSet {
		opts.io.say("AthenaHQ lists no pending invites, so --resend-after has no effect")
	}
	c, err := opts.client()
	if err != nil {
		return err
	}
	return runSync(ctx, opts.io, &opts.syncFlags, athenaSync(c, &opts.scope, &opts.person), opts.now())
}

func athenaSync(c *onboard.AthenaClient, sc *scopeFlags, person *athenaPersonFlags) *syncService[athenaPerson] {
	target := onboard.AthenaWebsite(sc.website)
	if sc.group != "" {
		target = onboard.AthenaGroup(sc.group)
	}
	request := func(p *athenaPerson) *onboard.AthenaTargetInviteRequest {
		req := person.request()
		req.Email, req.FirstName, req.LastName = p.Email, p.FirstName, p.LastName
		if p.Role != "" {
			req.Role = p.Role
		}
		return req
	}
	return &syncService[athenaPerson]{
		schema:  schemaOf[athenaPerson]("email"),
		key:     func(p *athenaPerson) string { return p.Email },
		noTimes: true,
		check: func(p *athenaPerson) error {
			req := request(p)
			req.WebsiteIDs = []string{placeholderUUID}
			return itemProblems(req.Validate(), "")
		},
		fetch: func(ctx context.Context) ([]remote, error) { return athenaPeople(ctx, c, sc) },
		invite: func(ctx context.Context, items []athenaPerson, st *step) []verdict {
			vs := each(ctx, len(items), st.conc, st.p, func(ctx context.Context, i int) verdict {
				rep, err := c.Invites.SendToTargetsAll(ctx, request(&items[i]), []onboard.AthenaTarget{target})
				if len(rep.Outcomes) != 1 {
					return errVerdict(cmp.Or(err, errors.New("no outcome for the invite")), "email")
				}
				return outcomeVerdict(rep.Outcomes[0], "email")
			})
			st.p.finish()
			return vs
		},
		remove: func(ctx context.Context, ids []string, st *step) []verdict {
			vs := each(ctx, len(ids), st.conc, st.p, func(ctx context.Context, i int) verdict {
				_, err := c.Members.RemoveFromWebsite(ctx, sc.website, ids[i])
				return errVerdict(err, "id")
			})
			st.p.finish()
			return vs
		},
	}
}

// athenaPeople lists the members of the website or group; a member's own
// website row can be removed.
func athenaPeople(ctx context.Context, c *onboard.AthenaClient, sc *scopeFlags) ([]remote, error) {
	members, err := athenaMembers(ctx, c, sc, "")
	if err != nil {
		return nil, err
	}
	out := make([]remote, len(members))
	for i, m := range members {
		p := remote{email: m.Email, status: fmt.Sprintf("%s (%s)", m.Role, m.AccessType)}
		switch {
		case m.AccessType == onboard.AthenaScopeOrganization:
			p.note = "an organization member: access through the organization, kept"
		case sc.group != "":
			p.note = "AthenaHQ has no call to remove a group member"
		default:
			p.removeID = m.UserID
		}
		out[i] = p
	}
	return out, nil
}
