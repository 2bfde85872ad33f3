package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
	onboardriver "github.com/onboardkit/onboard/river"
)

// aptlyPageSize is the page size of Aptly's user list as onboard reads it.
// Aptly's documents give no maximum; onboardtest takes at most 100.
const aptlyPageSize = 100

// placeholderUUID stands in for a request's shared fields when one item is
// checked alone.
const placeholderUUID = "00000000-0000-4000-8000-000000000000"

func newAptlyCmd(f *factory) *cobra.Command {
	cmd := newServiceCmd(f, "aptly", "Invite people into an Aptly tenant, list its users, resend invites",
		`Invite people into an Aptly tenant from a file, list the users, and resend
pending invites. The tenant is --tenant, or ONBOARD_APTLY_TENANT_ID.`,
		`  onboard aptly invite --file people.csv --dry-run
  onboard aptly invite --file people.csv --report report.csv
  onboard aptly users --status INVITED -o csv
  onboard aptly resend --pending --older-than 168h`)
	cmd.AddCommand(newAptlyInviteCmd(f, nil), newAptlyUsersCmd(f, nil), newAptlyResendCmd(f, nil))
	return cmd
}

// importFlags are the flags of an import command.
type importFlags struct {
	bulk   bulkFlags
	file   string
	dryRun bool
	output string
}

func addImportFlags(cmd *cobra.Command, f *importFlags, what, defaultBatch string) {
	cmd.Flags().StringVar(&f.file, "file", "", "the CSV or JSON-lines `file` of "+what+" (required)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "check every row and send nothing; needs no credential")
	addBulkFlags(cmd, &f.bulk, defaultBatch)
	addJournalFlags(cmd, &f.bulk)
	addOutputFlag(cmd, &f.output)
}

func (f *importFlags) check() error {
	switch {
	case f.file == "":
		return usageErrorf("--file is required: the file of rows to send")
	case f.dryRun && f.bulk.journal != "":
		return usageErrorf("--journal records a run that sends; --dry-run sends nothing")
	}
	return f.bulk.check()
}

// aptlyOptions are what the factory gives an Aptly command.
type aptlyOptions struct {
	io     *cmdIO
	env    func() (*environment, error)
	client func() (*onboard.AptlyClient, error)
}

func newAptlyOptions(f *factory) aptlyOptions {
	return aptlyOptions{env: f.environment, client: f.aptly}
}

// aptlyInviteOptions are what "onboard aptly invite" runs with.
type aptlyInviteOptions struct {
	aptlyOptions
	importFlags
	queue  queueFlags
	tenant string
}

// importFileHelp explains the input files of the import commands.
const importFileHelp = `The file is CSV with a header row, or JSON lines (one object per line),
told apart by its name (.csv; .jsonl, .ndjson, .json) or else by its first
character. Columns and keys are named as the service's JSON fields. In CSV,
a list of text is separated by ";" (or written as a JSON array), true and
false are as written, a date is 2025-10-14 or 2025-10-14T09:00:00Z, and
other lists and objects are written as JSON.

The whole file is read first: a missing or unknown column, or broken CSV
quoting, stops the command before anything is sent (exit status 2). A bad
row is reported with its line number and the field at fault, and the rest
go on. The output has one record per row, in the file's order but for
rows settled by reading back (below), which come last: line, the
row's key, outcome (succeeded, failed, unknown, not sent, invalid; valid in
a --dry-run), the field at fault, the reason, and the id the service gave.
A table on a terminal shows only the rows that need attention, and the
summary says how many others it left out; --all shows every row, as -o
json, -o csv and --report always do. The --report file is written beside
its place and renamed into it when the run ends: a run killed part-way
leaves the previous report, whole. In CSV (-o csv, a CSV --report), a cell that begins with =, +, -, @, a tab
or a carriage return is written after a ' so that a spreadsheet shows it
as text rather than running it; JSON keeps the text as it is.
Before sending, one read-only request checks the credential.

A row whose request got no answer is settled by reading the service back
at the end of the run, and, resuming a --journal, before anything is sent:
found done, "succeeded"; found contradicting the request, "failed"; not
there, "not sent". Its reason says so ("unknown → succeeded: found invited
on Aptly"), and the summary says what was read back. --no-reconcile leaves
such rows "unknown".

Interrupted (Ctrl-C), the command stops sending and still reports every row:
those it did not get to are "not sent", and safe to send again; those whose
request was on its way are "unknown". Exit status
0 when every row succeeded, 1 when any did not.

--journal FILE records the run as it goes, each batch before it is sent
(created 0600 if it does not exist). Running the same command again with
the same --journal resumes a run that crashed or was stopped, without
inviting anyone twice: rows the journal has an answer for are reported
from it ("from the journal: not sent again"), rows that were on their way
when the run died are read back before anything is sent (those not found
are "not sent", and --resend-in-flight sends them), and the rest are
sent. A journal belongs to one file, service and request: given another's,
or a file that differs in a row the journal covers, the command stops
with exit status 2 before anything is sent; rows added past the journal's
end are sent. Keep the journal as you keep the report: it holds line
numbers and the service's messages, which may name people.`

// newAptlyInviteCmd returns "onboard aptly invite". runF, if not nil,
// runs in place of runAptlyInvite, for tests of the flags alone.
func newAptlyInviteCmd(f *factory, runF func(context.Context, *aptlyInviteOptions) error) *cobra.Command {
	opts := &aptlyInviteOptions{aptlyOptions: newAptlyOptions(f)}
	cmd := &cobra.Command{
		Use:   "invite --file FILE",
		Short: "Invite the people of a CSV or JSON-lines file into an Aptly tenant",
		Long: `Invite the people of a file into an Aptly tenant by email, in batches
(Aptly's bulk invite). Columns: email (required), firstName, lastName,
displayName, mobilePhone, roleIds, groups, managerId, positionIds,
employeeId, employeeNumber, employeeType, employmentType, sourceId,
actorType, aiAgentType, startDate, terminationDate, customAttributes
(or one column per attribute, customAttributes.department), existingUser.
A person listed twice (letter case aside) is sent once: the later row is
not sent, shares the earlier row's outcome, and names the line it
repeats.

` + importFileHelp + "\n\n" + queueHelp,
		Example: `  # Check the file, then invite, keeping a report of every row
  onboard aptly invite --file people.csv --dry-run
  onboard aptly invite --file people.csv --tenant 887fd99a-e3ab-44ac-8253-31f269599f2b --report report.csv

  # people.csv:
  #   email,firstName,lastName,customAttributes.department
  #   ada@example.com,Ada,Lovelace,Engineering`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(opts.check(), opts.queue.check(&opts.importFlags)); err != nil {
				return err
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAptlyInvite(cmd.Context(), opts)
		},
	}
	addImportFlags(cmd, &opts.importFlags, "people to invite", "100")
	addQueueFlags(cmd, &opts.queue)
	cmd.Flags().StringVar(&opts.tenant, "tenant", "", "the Aptly tenant `id` (default $ONBOARD_APTLY_TENANT_ID)")
	return cmd
}

// runAptlyInvite sends the people of the file through Aptly's bulk invite,
// or checks them for a --dry-run.
func runAptlyInvite(ctx context.Context, opts *aptlyInviteOptions) error {
	// Read even for a --dry-run, which needs no credential: a broken
	// --env-file shows before the run that sends.
	env, err := opts.env()
	if err != nil {
		return err
	}
	ic := &importCmd[onboard.AptlyInvitee]{
		file: opts.file, dryRun: opts.dryRun, flags: &opts.bulk, verb: "inviting",
		schema: schemaOf[onboard.AptlyInvitee]("email"), keyField: "email",
		key:   func(p *onboard.AptlyInvitee) string { return p.Email },
		check: checkInvitee,
	}
	if opts.queue.queue {
		tenant, err := aptlyTenant(opts.tenant, env)
		if err != nil {
			return err
		}
		return queueRows(ctx, opts.io, ic, &queueSpec{flags: &opts.queue, service: onboardriver.Aptly, tenant: tenant, env: env})
	}
	if !opts.dryRun {
		tenant, err := aptlyTenant(opts.tenant, env)
		if err != nil {
			return err
		}
		c, err := opts.client()
		if err != nil {
			return err
		}
		ic.preflight = func(ctx context.Context, _ *onboard.AptlyInvitee) error { return aptlyPreflight(ctx, c) }
		ic.send = func(ctx context.Context, items iter.Seq[onboard.AptlyInvitee], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.AptlyInvitee]] {
			return c.Invites.SendBulkSeq(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenant}, items, opts...)
		}
		ic.keys = keyedBy[onboard.AptlyInvitee]
	}
	return runImport(ctx, opts.io, ic)
}

// checkInvitee validates one person as Aptly's bulk invite will.
func checkInvitee(p *onboard.AptlyInvitee) error {
	req := &onboard.AptlyBulkInviteRequest{TenantID: placeholderUUID, Users: []onboard.AptlyInvitee{*p}}
	return itemProblems(req.Validate(), "users[0]")
}

// aptlyPreflight checks the credential with a read-only request: the first
// user of the list.
func aptlyPreflight(ctx context.Context, c *onboard.AptlyClient) error {
	for _, err := range c.Users.List(ctx, &onboard.AptlyListUsersOptions{Page: 1, Limit: 1}) {
		return err // the first user, or the page's error
	}
	return nil
}

// aptlyUsers lists the users of tenant ("" for every user the credential
// sees). Aptly's list is not filtered by tenant: a user is kept when its
// activeTenantId is the tenant, or when the answer gives none.
func aptlyUsers(ctx context.Context, c *onboard.AptlyClient, tenant string) ([]onboard.AptlyUser, error) {
	var out []onboard.AptlyUser
	for u, err := range c.Users.List(ctx, &onboard.AptlyListUsersOptions{Limit: aptlyPageSize}) {
		if err != nil {
			return nil, err
		}
		if tenant == "" || u.ActiveTenantID == "" || strings.EqualFold(u.ActiveTenantID, tenant) {
			out = append(out, u)
		}
	}
	return out, nil
}

// aptlySince is when an Aptly user was last changed, which for a pending
// invite is the closest Aptly comes to when it was sent: its list gives
// no time of the invite itself.
func aptlySince(u *onboard.AptlyUser) time.Time {
	if u.UpdatedOn.After(u.CreatedOn) {
		return u.UpdatedOn
	}
	return u.CreatedOn
}

// aptlyUsersOptions are what "onboard aptly users" runs with.
type aptlyUsersOptions struct {
	aptlyOptions
	tenant, status, output string
}

// newAptlyUsersCmd returns "onboard aptly users". runF, if not nil, runs
// in place of runAptlyUsers, for tests of the flags alone.
func newAptlyUsersCmd(f *factory, runF func(context.Context, *aptlyUsersOptions) error) *cobra.Command {
	opts := &aptlyUsersOptions{aptlyOptions: newAptlyOptions(f)}
	cmd := &cobra.Command{
		Use:   "users",
		Short: "List the users of an Aptly tenant",
		Long: `List the users of an Aptly tenant: id, email, names, status (ACTIVE,
INVITED, INACTIVE, DELETED), created and updated. Aptly's list is not
filtered by tenant; onboard keeps the users whose activeTenantId is the
tenant (--tenant or ONBOARD_APTLY_TENANT_ID), or every user the credential
sees when neither is set.`,
		Example: `  onboard aptly users
  onboard aptly users --status INVITED -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAptlyUsers(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.tenant, "tenant", "", "the Aptly tenant `id` (default $ONBOARD_APTLY_TENANT_ID)")
	cmd.Flags().StringVar(&opts.status, "status", "", "list only users with this `status`: ACTIVE, INVITED, INACTIVE or DELETED")
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// runAptlyUsers lists the tenant's users with the status asked for.
func runAptlyUsers(ctx context.Context, opts *aptlyUsersOptions) error {
	env, err := opts.env()
	if err != nil {
		return err
	}
	c, err := opts.client()
	if err != nil {
		return err
	}
	tenant := opts.tenant
	if tenant == "" {
		tenant = env.get(envAptlyTenant)
	}
	users, err := aptlyUsers(ctx, c, tenant)
	if err != nil {
		return err
	}
	w := newRecordWriter(opts.io.stdout, opts.output, []string{"id", "email", "first_name", "last_name", "status", "created", "updated"})
	n := 0
	for _, u := range users {
		if opts.status == "" || strings.EqualFold(string(u.Status), opts.status) {
			n++
			if err := w.write(u.ID, u.Email, u.FirstName, u.LastName, string(u.Status), u.CreatedOn, u.UpdatedOn); err != nil {
				return err
			}
		}
	}
	opts.io.say("%s", plural(n, "user"))
	return w.close()
}

// actionRow is one person a resend or cancel acts on, and what became of
// it.
type actionRow struct {
	line  int // 0: not from a file
	email string
	id    string // the service's id to act on, once found
	v     verdict
}

// lineValue is a record's line: none for a row not read from a file.
func lineValue(line int) any {
	if line == 0 {
		return nil
	}
	return line
}

// writeActions writes one record per row to w and reports the tally.
func writeActions(o *cmdIO, w recordWriter, rows []actionRow) error {
	t := newTally("row")
	for _, r := range rows {
		t.add(r.v)
		if err := w.write(lineValue(r.line), r.email, r.v.outcome, r.v.field, r.v.reason, r.id); err != nil {
			return errors.Join(err, w.close())
		}
	}
	return o.finish(w, t, nil)
}

// pick turns the people a selection names into rows: a bad address is
// invalid, a person named twice is skipped the second time, and find says
// whether the service has something to act on for an address, its id, and
// why not.
func pick(people []wanted, find func(email string) (id, why string)) []actionRow {
	rows := make([]actionRow, len(people))
	first := map[string]int{}
	for i, p := range people {
		r := actionRow{line: p.line, email: p.email}
		key := strings.ToLower(p.email)
		switch l, dup := first[key]; {
		case len(p.problems) > 0:
			r.v = problemsVerdict(p.problems)
		case dup:
			r.v = verdict{outcome: outSkipped, reason: fmt.Sprintf("repeats %s; acted on once", describeLine(l))}
		default:
			first[key] = p.line
			var why string
			if r.id, why = find(p.email); why != "" {
				r.v = verdict{outcome: outSkipped, reason: why}
			}
		}
		rows[i] = r
	}
	return rows
}

// describeLine names where a row came from.
func describeLine(line int) string {
	if line == 0 {
		return "an earlier --email"
	}
	return fmt.Sprintf("line %d", line)
}

// todo returns the indexes of the rows left to act on: those without a
// verdict yet.
func todo(rows []actionRow) []int {
	var out []int
	for i, r := range rows {
		if r.v.outcome == "" {
			out = append(out, i)
		}
	}
	return out
}

// aptlyResendOptions are what "onboard aptly resend" runs with.
type aptlyResendOptions struct {
	aptlyOptions
	now            func() time.Time
	sel            selection
	bulk           bulkFlags
	tenant, output string
}

// newAptlyResendCmd returns "onboard aptly resend". runF, if not nil,
// runs in place of runAptlyResend, for tests of the flags alone.
func newAptlyResendCmd(f *factory, runF func(context.Context, *aptlyResendOptions) error) *cobra.Command {
	opts := &aptlyResendOptions{aptlyOptions: newAptlyOptions(f), now: f.app.now}
	cmd := &cobra.Command{
		Use:   "resend (--email ADDRESS... | --file FILE | --pending)",
		Short: "Send pending Aptly invites again",
		Long: `Send again the invites of users of an Aptly tenant whose status is INVITED,
picked by address (--email, --file) or all of them (--pending). A person
who is not in the tenant, or not pending, is skipped, and so is one pending
for less than --older-than.

Aptly's list gives no time for an invite: --older-than counts from when the
user was last updated (or created), and a resend may not change that, so
a resend repeated later sends again.

Aptly answers a resend by email, not by user id, so onboard ties a batch's
answer to its users by its counts; --batch 1 ties every answer for certain,
at a request per person. Each person resent gets another email.

One record per person: line (for --file), email, outcome, field, reason, id.
Exit status 0 when every person was resent, 1 when any was not.`,
		Example: `  onboard aptly resend --email ada@example.com --email grace@example.com
  onboard aptly resend --pending --older-than 168h --report resent.csv
  onboard aptly resend --file people.csv --batch 1`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(opts.sel.check(), opts.bulk.check()); err != nil {
				return err
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAptlyResend(cmd.Context(), opts)
		},
	}
	addSelectionFlags(cmd, &opts.sel, "whose user was last updated (or created)")
	addBulkFlags(cmd, &opts.bulk, "100")
	cmd.Flags().StringVar(&opts.tenant, "tenant", "", "the Aptly tenant `id` (default $ONBOARD_APTLY_TENANT_ID)")
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// runAptlyResend finds the users the selection names in the tenant and
// resends the pending invites among them in batches.
func runAptlyResend(ctx context.Context, opts *aptlyResendOptions) error {
	env, err := opts.env()
	if err != nil {
		return err
	}
	tenant, err := aptlyTenant(opts.tenant, env)
	if err != nil {
		return err
	}
	sel, bulk, now := &opts.sel, &opts.bulk, opts.now()
	people, err := sel.people()
	if err != nil {
		return err
	}
	c, err := opts.client()
	if err != nil {
		return err
	}
	users, err := aptlyUsers(ctx, c, tenant)
	if err != nil {
		return err
	}
	byEmail := make(map[string]*onboard.AptlyUser, len(users))
	for i := range users {
		u := &users[i]
		byEmail[strings.ToLower(u.Email)] = u
		if _, recent := sel.tooRecent(aptlySince(u), now); sel.pending && u.Status == onboard.AptlyUserInvited && !recent {
			people = append(people, wanted{email: u.Email})
		}
	}
	rows := pick(people, func(email string) (string, string) {
		u := byEmail[strings.ToLower(email)]
		switch {
		case u == nil:
			return "", "no user with this address in the tenant"
		case u.Status != onboard.AptlyUserInvited:
			return u.ID, fmt.Sprintf("status %s, not INVITED: no invite to resend", u.Status)
		}
		why, _ := sel.tooRecent(aptlySince(u), now)
		return u.ID, why
	})
	w, err := opts.io.records(bulk, sel.file, importColumns("email"))
	if err != nil {
		return err
	}
	idx := todo(rows)
	ids := make([]string, len(idx))
	for i, j := range idx {
		ids[i] = rows[j].id
	}
	if len(ids) > 0 {
		p := newProgress(opts.io.stderr, opts.io.tty, "resending", len(ids))
		rep, _ := c.Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: tenant}, ids, bulk.options(len(ids), p, nil, nil)...)
		p.finish()
		for i, o := range rep.Outcomes {
			rows[idx[i]].v = outcomeVerdict(o, "id")
		}
	}
	return writeActions(opts.io, w, rows)
}
