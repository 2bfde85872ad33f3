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
)

func newRoyaltiCmd(a *app) *cobra.Command {
	sf := &serviceFlags{}
	cmd := newServiceCmd("royalti", "Import people into a Royalti workspace, list, resend and cancel invites",
		`Create and invite the people of a file in a Royalti workspace, list the
workspace's invites, and resend or cancel them. The workspace is the one the
token (ONBOARD_ROYALTI_TOKEN) is scoped to; ONBOARD_ROYALTI_WORKSPACE_ID is
accepted for the examples' sake and not needed by these commands.`,
		`  onboard royalti import --file people.csv --dry-run
  onboard royalti import --file people.csv --report report.csv
  onboard royalti invites --status invited
  onboard royalti resend --pending --older-than 168h
  onboard royalti cancel --email ada@example.com`, sf)
	cmd.AddCommand(newRoyaltiImportCmd(a, sf), newRoyaltiInvitesCmd(a, sf),
		newRoyaltiActionCmd(a, sf, royaltiResend), newRoyaltiActionCmd(a, sf, royaltiCancel))
	return cmd
}

func newRoyaltiImportCmd(a *app, sf *serviceFlags) *cobra.Command {
	var f importFlags
	var shared onboard.CreateUsersRequest
	var sendEmail bool
	cmd := &cobra.Command{
		Use:   "import --file FILE",
		Short: "Create and invite the people of a CSV or JSON-lines file in a Royalti workspace",
		Long: `Create the people of a file as users of the token's Royalti workspace, in
batches (Royalti's bulk user creation), each invited by email unless
--send-email=false. Columns: email (required), firstName, lastName,
nickName, userType, ipi, role, phone, country. Royalti answers by name, so
give each person a first and last name: a person the answer cannot be tied
to is "unknown", never guessed as created.

` + importFileHelp,
		Example: `  onboard royalti import --file people.csv --dry-run
  onboard royalti import --file people.jsonl --message "Welcome aboard" --report report.json

  # people.jsonl:
  #   {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.check(); err != nil {
				return err
			}
			s, err := start(cmd, a, sf, f.output)
			if err != nil {
				return err
			}
			defer s.stop()
			if cmd.Flags().Changed("send-email") {
				shared.SendEmail = &sendEmail
			}
			ic := &importCmd[onboard.WorkspaceUser]{
				file: f.file, dryRun: f.dryRun, flags: &f.bulk, verb: "creating",
				schema: schemaOf[onboard.WorkspaceUser]("email"), keyField: "email",
				key:   func(u *onboard.WorkspaceUser) string { return u.Email },
				check: checkWorkspaceUser,
			}
			if !f.dryRun {
				c, err := royaltiClient(s.env, sf)
				if err != nil {
					return err
				}
				ic.preflight = func(ctx context.Context, _ *onboard.WorkspaceUser) error { return royaltiPreflight(ctx, c) }
				ic.send = func(ctx context.Context, items iter.Seq[onboard.WorkspaceUser], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.WorkspaceUser]] {
					return c.Users.CreateBulkSeq(ctx, &shared, items, opts...)
				}
				ic.keys = keyedBy[onboard.WorkspaceUser]
			}
			return runImport(s.ctx, s.out, ic)
		},
	}
	addImportFlags(cmd, &f, "people to create", "100")
	cmd.Flags().BoolVar(&sendEmail, "send-email", true, "let Royalti email each person an invite")
	cmd.Flags().StringVar(&shared.Message, "message", "", "a custom `message` for the invite email")
	cmd.Flags().StringVar(&shared.RedirectURL, "redirect-url", "", "where people land after accepting the invite")
	return cmd
}

// checkWorkspaceUser validates one person as Royalti's bulk creation will.
func checkWorkspaceUser(u *onboard.WorkspaceUser) error {
	req := &onboard.CreateUsersRequest{Users: []onboard.WorkspaceUser{*u}}
	return itemProblems(req.Validate(), "users[0]")
}

// royaltiPreflight checks the credential with a read-only request: the
// first invite of the list.
func royaltiPreflight(ctx context.Context, c *onboard.RoyaltiClient) error {
	_, err := c.Invites.ListPage(ctx, &onboard.ListInvitesOptions{Page: 1, Size: 1})
	return err
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
	for inv, err := range c.Invites.List(ctx, &onboard.ListInvitesOptions{Status: onboard.RoyaltiInviteStatus(status)}) {
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

func newRoyaltiInvitesCmd(a *app, sf *serviceFlags) *cobra.Command {
	var status, output string
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
			s, err := start(cmd, a, sf, output)
			if err != nil {
				return err
			}
			defer s.stop()
			if err := (&onboard.ListInvitesOptions{Status: onboard.RoyaltiInviteStatus(status)}).Validate(); err != nil {
				return usageErrorf("--status %q is not invited, joined or cancelled", status)
			}
			c, err := royaltiClient(s.env, sf)
			if err != nil {
				return err
			}
			invs, err := royaltiInvites(s.ctx, c, status)
			if err != nil {
				return err
			}
			w := newRecordWriter(s.out.stdout, output, []string{"id", "user_id", "email", "first_name", "last_name", "status", "sent", "joined", "created"})
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
			s.out.say("%s", plural(len(invs), "invite"))
			return w.close()
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "list only invites with this `status`: invited, joined or cancelled")
	addOutputFlag(cmd, &output)
	return cmd
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

func newRoyaltiActionCmd(a *app, sf *serviceFlags, act *royaltiAction) *cobra.Command {
	var sel selection
	var bulk bulkFlags
	var message, output string
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
			if err := errors.Join(sel.check(), bulk.check()); err != nil {
				return err
			}
			s, err := start(cmd, a, sf, output)
			if err != nil {
				return err
			}
			defer s.stop()
			return act.run(s, sf, &sel, &bulk, message, a.now())
		},
	}
	addSelectionFlags(cmd, &sel, "dated (Royalti's meta.date, when the invite was sent)")
	addBulkFlags(cmd, &bulk, "")
	if act == royaltiResend {
		cmd.Flags().StringVar(&message, "message", "", "a `message` that replaces the invite's")
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// run finds the pending invites sel names and acts on each.
func (act *royaltiAction) run(s *session, sf *serviceFlags, sel *selection, bulk *bulkFlags, message string, now time.Time) error {
	people, err := sel.people()
	if err != nil {
		return err
	}
	c, err := royaltiClient(s.env, sf)
	if err != nil {
		return err
	}
	invs, err := royaltiInvites(s.ctx, c, "")
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
	w, err := s.out.records(bulk, sel.file, importColumns("email"))
	if err != nil {
		return err
	}
	idx := todo(rows)
	p := newProgress(s.out.stderr, s.out.tty, act.verb, len(idx))
	vs := each(s.ctx, len(idx), bulk.concurrency, p, func(ctx context.Context, i int) verdict {
		msg, err := act.call(ctx, c, rows[idx[i]].id, message)
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
	return writeActions(s.out, w, rows)
}
