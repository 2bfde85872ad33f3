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

func newRoyaltiCmd(f *factory) *cobra.Command {
	cmd := newServiceCmd(f, "royalti", "Import people into a Royalti workspace, list, resend and cancel invites",
		`Create and invite the people of a file in a Royalti workspace, list the
workspace's invites, and resend or cancel them. The workspace is the one the
token (ONBOARD_ROYALTI_TOKEN) is scoped to; ONBOARD_ROYALTI_WORKSPACE_ID is
accepted for the examples' sake and not needed by these commands.`,
		`  onboard royalti import --file people.csv --dry-run
  onboard royalti import --file people.csv --report report.csv
  onboard royalti invites --status invited
  onboard royalti resend --pending --older-than 168h
  onboard royalti cancel --email ada@example.com`)
	cmd.AddCommand(newRoyaltiImportCmd(f, nil), newRoyaltiInvitesCmd(f, nil),
		newRoyaltiActionCmd(f, royaltiResend, nil), newRoyaltiActionCmd(f, royaltiCancel, nil))
	return cmd
}

// royaltiOptions are what the factory gives a Royalti command.
type royaltiOptions struct {
	io     *cmdIO
	env    func() (*environment, error)
	client func() (*onboard.RoyaltiClient, error)
}

func newRoyaltiOptions(f *factory) royaltiOptions {
	return royaltiOptions{env: f.environment, client: f.royalti}
}

// royaltiImportOptions are what "onboard royalti import" runs with.
type royaltiImportOptions struct {
	royaltiOptions
	importFlags
	// shared holds the fields of every request: --message,
	// --redirect-url, and --send-email when it is given.
	shared    onboard.RoyaltiCreateUsersRequest
	sendEmail bool
	queue     queueFlags
}

// newRoyaltiImportCmd returns "onboard royalti import". runF, if not nil,
// runs in place of runRoyaltiImport, for tests of the flags alone.
func newRoyaltiImportCmd(f *factory, runF func(context.Context, *royaltiImportOptions) error) *cobra.Command {
	opts := &royaltiImportOptions{royaltiOptions: newRoyaltiOptions(f)}
	cmd := &cobra.Command{
		Use:   "import --file FILE",
		Short: "Create and invite the people of a CSV or JSON-lines file in a Royalti workspace",
		Long: `Create the people of a file as users of the token's Royalti workspace, in
batches (Royalti's bulk user creation), each invited by email unless
--send-email=false. Columns: email (required), firstName, lastName,
nickName, userType, ipi, role, phone, country. Royalti answers by name, so
give each person a first and last name: a person the answer cannot be tied
to is "unknown", never guessed as created.

` + importFileHelp + "\n\n" + queueHelp + `
An import stores people only: --queue refuses --message, --redirect-url
and --send-email, and the workers create them with Royalti's defaults.`,
		Example: `  onboard royalti import --file people.csv --dry-run
  onboard royalti import --file people.jsonl --message "Welcome aboard" --report report.json

  # people.jsonl:
  #   {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(opts.check(), opts.queue.check(&opts.importFlags)); err != nil {
				return err
			}
			if opts.queue.queue && (cmd.Flags().Changed("message") || cmd.Flags().Changed("redirect-url") || cmd.Flags().Changed("send-email")) {
				return usageErrorf("--queue stores people only: the workers create them without --message, --redirect-url or --send-email")
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
			return runRoyaltiImport(cmd.Context(), opts)
		},
	}
	addImportFlags(cmd, &opts.importFlags, "people to create", "100")
	addQueueFlags(cmd, &opts.queue)
	cmd.Flags().BoolVar(&opts.sendEmail, "send-email", true, "let Royalti email each person an invite")
	cmd.Flags().StringVar(&opts.shared.Message, "message", "", "a custom `message` for the invite email")
	cmd.Flags().StringVar(&opts.shared.RedirectURL, "redirect-url", "", "where people land after accepting the invite")
	return cmd
}

// foldSpace is s in lower case with its runs of space made one, as the SDK
// compares Royalti's names and emails.
func foldSpace(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// runRoyaltiImport sends the people of the file through Royalti's bulk
// user creation, or checks them for a --dry-run.
func runRoyaltiImport(ctx context.Context, opts *royaltiImportOptions) error {
	// Read even for a --dry-run, which needs no credential: a broken
	// --env-file shows before the run that sends.
	env, err := opts.env()
	if err != nil {
		return err
	}
	ic := &importCmd[onboard.RoyaltiWorkspaceUser]{
		file: opts.file, dryRun: opts.dryRun, flags: &opts.bulk, verb: "creating",
		schema: schemaOf[onboard.RoyaltiWorkspaceUser]("email"), keyField: "email",
		key:   func(u *onboard.RoyaltiWorkspaceUser) string { return u.Email },
		check: checkWorkspaceUser,
		// Royalti's answers name people by name, so the SDK takes a row for a
		// repeat only when its name is the same too.
		same: &repeatKey[onboard.RoyaltiWorkspaceUser]{what: "name and email", key: func(u *onboard.RoyaltiWorkspaceUser) string {
			return foldSpace(u.FirstName+" "+u.LastName) + "\x00" + foldSpace(u.Email)
		}},
	}
	if opts.queue.queue {
		spec := &queueSpec{flags: &opts.queue, service: onboardriver.Royalti, tenant: env.get(envRoyaltiSpace), env: env}
		return queueRows(ctx, opts.io, ic, spec)
	}
	if !opts.dryRun {
		c, err := opts.client()
		if err != nil {
			return err
		}
		shared := &opts.shared
		ic.preflight = func(ctx context.Context, _ *onboard.RoyaltiWorkspaceUser) error { return royaltiPreflight(ctx, c) }
		ic.send = func(ctx context.Context, items iter.Seq[onboard.RoyaltiWorkspaceUser], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.RoyaltiWorkspaceUser]] {
			return c.Users.CreateBulkSeq(ctx, shared, items, opts...)
		}
		ic.keys = keyedBy[onboard.RoyaltiWorkspaceUser]
	}
	return runImport(ctx, opts.io, ic)
}

// checkWorkspaceUser validates one person as Royalti's bulk creation will.
func checkWorkspaceUser(u *onboard.RoyaltiWorkspaceUser) error {
	req := &onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{*u}}
	return itemProblems(req.Validate(), "users[0]")
}

// royaltiPreflight checks the credential with a read-only request: the
// first invite of the list.
func royaltiPreflight(ctx context.Context, c *onboard.RoyaltiClient) error {
	for _, err := range c.Invites.List(ctx, &onboard.RoyaltiListInvitesOptions{Page: 1, Size: 1}) {
		return err // the first invite, or the page's error
	}
	return nil
}

// royaltiSince is when a Royalti invite was last sent: its meta.date, or
// else when it was last updated or created.
func royaltiSince(inv *onboard.RoyaltiInvite) time.Time {
	switch {
	case !inv.Meta.Date.IsZero():
		return inv.Meta.Date
	case !inv.UpdatedAt.IsZero():
		return inv.UpdatedAt
	}
	return inv.CreatedAt
}

// royaltiEmail is the address of the person an invite is for.
func royaltiEmail(inv *onboard.RoyaltiInvite) string { return inv.TenantUser.User.Email }

// royaltiInvites lists the workspace's invites with status ("" for all).
func royaltiInvites(ctx context.Context, c *onboard.RoyaltiClient, status string) ([]onboard.RoyaltiInvite, error) {
	var out []onboard.RoyaltiInvite
	for inv, err := range c.Invites.List(ctx, &onboard.RoyaltiListInvitesOptions{Status: onboard.RoyaltiInviteStatus(status)}) {
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// latestInvites returns each person's latest invite, by address in lower
// case.
func latestInvites(invs []onboard.RoyaltiInvite) map[string]*onboard.RoyaltiInvite {
	out := make(map[string]*onboard.RoyaltiInvite, len(invs))
	for i := range invs {
		inv := &invs[i]
		key := strings.ToLower(royaltiEmail(inv))
		if old := out[key]; old == nil || inv.CreatedAt.After(old.CreatedAt) {
			out[key] = inv
		}
	}
	return out
}

// royaltiInvitesOptions are what "onboard royalti invites" runs with.
type royaltiInvitesOptions struct {
	royaltiOptions
	status, output string
}

// newRoyaltiInvitesCmd returns "onboard royalti invites". runF, if not
// nil, runs in place of runRoyaltiInvites, for tests of the flags alone.
func newRoyaltiInvitesCmd(f *factory, runF func(context.Context, *royaltiInvitesOptions) error) *cobra.Command {
	opts := &royaltiInvitesOptions{royaltiOptions: newRoyaltiOptions(f)}
	cmd := &cobra.Command{
		Use:   "invites",
		Short: "List the invites of a Royalti workspace",
		Long: `List the invites of the token's Royalti workspace, pending (invited), joined
and cancelled alike unless --status says which: id, user_id, email, names,
status, sent (when the invite was last sent), joined and created.`,
		Example: `  onboard royalti invites
  onboard royalti invites --status invited -o csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRoyaltiInvites(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.status, "status", "", "list only invites with this `status`: invited, joined or cancelled")
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// runRoyaltiInvites lists the workspace's invites with the status asked
// for.
func runRoyaltiInvites(ctx context.Context, opts *royaltiInvitesOptions) error {
	if _, err := opts.env(); err != nil {
		return err
	}
	switch onboard.RoyaltiInviteStatus(opts.status) {
	case "", onboard.RoyaltiInviteInvited, onboard.RoyaltiInviteJoined, onboard.RoyaltiInviteCancelled:
	default:
		return usageErrorf("--status %q is not invited, joined or cancelled", opts.status)
	}
	c, err := opts.client()
	if err != nil {
		return err
	}
	invs, err := royaltiInvites(ctx, c, opts.status)
	if err != nil {
		return err
	}
	w := newRecordWriter(opts.io.stdout, opts.output, []string{"id", "user_id", "email", "first_name", "last_name", "status", "sent", "joined", "created"})
	for i := range invs {
		inv := &invs[i]
		var joined time.Time
		if inv.JoinedAt != nil {
			joined = *inv.JoinedAt
		}
		if err := w.write(inv.ID, inv.TenantUserID, royaltiEmail(inv), inv.TenantUser.FirstName, inv.TenantUser.LastName,
			string(inv.Status), royaltiSince(inv), joined, inv.CreatedAt); err != nil {
			return err
		}
	}
	opts.io.say("%s", plural(len(invs), "invite"))
	return w.close()
}

// royaltiAction is resend or cancel: what they share is how invites are
// picked; they differ in the call made for each.
type royaltiAction struct {
	name, short, long, example, verb string
	// call acts on the invite id, and returns the server's words; message
	// is --message, for resend.
	call func(ctx context.Context, c *onboard.RoyaltiClient, id, message string) (string, error)
}

var royaltiResend = &royaltiAction{
	name:  "resend",
	short: "Send pending Royalti invites again",
	long: `Send again the pending invites of the token's Royalti workspace, picked by
address (--email, --file) or all of them (--pending), each with a fresh
activation code; --message replaces the invite's message. A person without
a pending invite is skipped, and so is one whose invite is dated less than
--older-than ago: Royalti dates an invite by its meta.date, when it was
sent (or else by when it was last updated or created). Each invite resent
emails the person again.`,
	example: `  onboard royalti resend --email ada@example.com
  onboard royalti resend --pending --older-than 168h --message "A reminder: please join"`,
	verb: "resending",
	call: func(ctx context.Context, c *onboard.RoyaltiClient, id, message string) (string, error) {
		res, err := c.Invites.Resend(ctx, id, &onboard.RoyaltiResendRequest{Message: message})
		if err != nil {
			return "", err
		}
		return res.Message, nil
	},
}

var royaltiCancel = &royaltiAction{
	name:  "cancel",
	short: "Cancel pending Royalti invites",
	long: `Cancel the pending invites of the token's Royalti workspace, picked by
address (--email, --file) or all of them (--pending): their activation
links stop working. A person without a pending invite is skipped, and so
is one whose invite is dated less than --older-than ago: Royalti dates an
invite by its meta.date, when it was sent (or else by when it was last
updated or created).`,
	example: `  onboard royalti cancel --email ada@example.com
  onboard royalti cancel --pending --older-than 720h --report cancelled.csv`,
	verb: "cancelling",
	call: func(ctx context.Context, c *onboard.RoyaltiClient, id, _ string) (string, error) {
		return "", c.Invites.Cancel(ctx, id)
	},
}

// royaltiActionOptions are what "onboard royalti resend" and "onboard
// royalti cancel" run with.
type royaltiActionOptions struct {
	royaltiOptions
	now             func() time.Time
	act             *royaltiAction
	sel             selection
	bulk            bulkFlags
	message, output string
}

// newRoyaltiActionCmd returns the command of act: "onboard royalti
// resend" or "onboard royalti cancel". runF, if not nil, runs in place of
// runRoyaltiAction, for tests of the flags alone.
func newRoyaltiActionCmd(f *factory, act *royaltiAction, runF func(context.Context, *royaltiActionOptions) error) *cobra.Command {
	opts := &royaltiActionOptions{royaltiOptions: newRoyaltiOptions(f), now: f.app.now, act: act}
	cmd := &cobra.Command{
		Use:   act.name + " (--email ADDRESS... | --file FILE | --pending)",
		Short: act.short,
		Long: act.long + `

Royalti has no bulk call for this: onboard makes one request per invite,
--concurrency at once. One record per person: line (for --file), email,
outcome, field, reason, and the invite's id. Exit status 0 when every
invite was done, 1 when any was not.`,
		Example: act.example,
		Args:    noArgs,
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
			return runRoyaltiAction(cmd.Context(), opts)
		},
	}
	addSelectionFlags(cmd, &opts.sel, "dated (Royalti's meta.date, when the invite was sent)")
	addBulkFlags(cmd, &opts.bulk, "")
	if act == royaltiResend {
		cmd.Flags().StringVar(&opts.message, "message", "", "a `message` that replaces the invite's")
	}
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// runRoyaltiAction finds the pending invites the selection names and acts
// on each.
func runRoyaltiAction(ctx context.Context, opts *royaltiActionOptions) error {
	if _, err := opts.env(); err != nil {
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
	invs, err := royaltiInvites(ctx, c, "")
	if err != nil {
		return err
	}
	latest := latestInvites(invs)
	if sel.pending {
		for i := range invs {
			inv := &invs[i]
			_, recent := sel.tooRecent(royaltiSince(inv), now)
			if inv.Status == onboard.RoyaltiInviteInvited && latest[strings.ToLower(royaltiEmail(inv))] == inv && !recent {
				people = append(people, wanted{email: royaltiEmail(inv)})
			}
		}
	}
	rows := pick(people, func(email string) (string, string) {
		inv := latest[strings.ToLower(email)]
		switch {
		case inv == nil:
			return "", "no invite for this address in the workspace"
		case inv.Status != onboard.RoyaltiInviteInvited:
			return inv.ID, fmt.Sprintf("the invite is %s, not pending", inv.Status)
		}
		why, _ := sel.tooRecent(royaltiSince(inv), now)
		return inv.ID, why
	})
	w, err := opts.io.records(bulk, sel.file, importColumns("email"))
	if err != nil {
		return err
	}
	idx := todo(rows)
	p := newProgress(opts.io.stderr, opts.io.tty, opts.act.verb, len(idx))
	vs := each(ctx, len(idx), bulk.concurrency, p, func(ctx context.Context, i int) verdict {
		msg, err := opts.act.call(ctx, c, rows[idx[i]].id, opts.message)
		v := errVerdict(err, "id")
		if err == nil {
			v.reason = msg
		}
		return v
	})
	p.finish()
	for i, v := range vs {
		rows[idx[i]].v = v
	}
	return writeActions(opts.io, w, rows)
}
