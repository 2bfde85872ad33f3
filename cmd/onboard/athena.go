package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardkit/onboard"
)

func newAthenaCmd(f *factory) *cobra.Command {
	cmd := newServiceCmd(f, "athena", "Invite a person to AthenaHQ websites or groups, list and manage members",
		`Invite one person to the AthenaHQ websites or groups of a file, list the
members of a website or group, and change a member's role or remove them.

The AthenaHQ client keeps to AthenaHQ's documented 60 requests a minute (55,
with a margin) unless --rate-limit says otherwise. Group calls need a global
API key.`,
		`  onboard athena invite --email ada@example.com --websites sites.csv
  onboard athena members --website 123e4567-e89b-12d3-a456-426614174000
  onboard athena role --website 123e4567-e89b-12d3-a456-426614174000 --email ada@example.com --role admin
  onboard athena remove --website 123e4567-e89b-12d3-a456-426614174000 --email ada@example.com`)
	cmd.AddCommand(newAthenaInviteCmd(f, nil), newAthenaMembersCmd(f, nil), newAthenaRoleCmd(f, nil), newAthenaRemoveCmd(f, nil))
	return cmd
}

// athenaOptions are what the factory gives an AthenaHQ command.
type athenaOptions struct {
	io     *cmdIO
	env    func() (*environment, error)
	client func() (*onboard.AthenaClient, error)
}

func newAthenaOptions(f *factory) athenaOptions {
	return athenaOptions{env: f.environment, client: f.athena}
}

// targetRow is a row of an invite's --websites or --groups file.
type targetRow struct {
	WebsiteID string `json:"website_id"`
	GroupID   string `json:"group_id"`
}

func (r *targetRow) target() onboard.AthenaTarget {
	if r.GroupID != "" {
		return onboard.AthenaGroup(r.GroupID)
	}
	return onboard.AthenaWebsite(r.WebsiteID)
}

func (r *targetRow) id() string { return r.WebsiteID + r.GroupID }

// targetSchema is the schema of a file of one kind of target: the one
// column keyField (website_id or group_id).
func targetSchema(keyField string) *schema {
	s := schemaOf[targetRow](keyField)
	for name := range s.cols {
		if name != keyField {
			delete(s.cols, name)
		}
	}
	s.names = []string{keyField}
	return s
}

// athenaPersonFlags say whom an AthenaHQ invite is for, and how.
type athenaPersonFlags struct {
	email, method, role, first, last string
}

func addAthenaPersonFlags(cmd *cobra.Command, p *athenaPersonFlags) {
	f := cmd.Flags()
	f.StringVar(&p.method, "method", string(onboard.AthenaInviteByEmail),
		"email (a pending invite the person accepts by email) or direct (added at once, without email)")
	f.StringVar(&p.role, "role", string(onboard.AthenaRoleViewer), "the `role` given: viewer or admin")
}

// request returns the invite of the person, without targets.
func (p *athenaPersonFlags) request() *onboard.AthenaTargetInviteRequest {
	return &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteMethod(p.method), Email: p.email, Role: onboard.AthenaRole(p.role),
		FirstName: p.first, LastName: p.last,
	}
}

// check refuses a person the SDK would refuse, before anything is read.
func (p *athenaPersonFlags) check() error {
	req := *p.request()
	req.WebsiteIDs = []string{placeholderUUID}
	ve := asValidation(req.Validate())
	if ve == nil {
		return nil
	}
	flags := map[string]string{"email": "--email", "invite_method": "--method", "role": "--role"}
	parts := make([]string, len(ve.Problems))
	for i, pr := range ve.Problems {
		if f, ok := flags[pr.Field]; ok {
			pr.Field = f
		}
		parts[i] = pr.String() // masks an address
	}
	return usageErrorf("%s", strings.Join(parts, "; "))
}

// athenaInviteOptions are what "onboard athena invite" runs with.
type athenaInviteOptions struct {
	athenaOptions
	importFlags
	person           athenaPersonFlags
	websites, groups string
	keyField         string // website_id or group_id, as --websites or --groups is given
}

// newAthenaInviteCmd returns "onboard athena invite". runF, if not nil,
// runs in place of runAthenaInvite, for tests of the flags alone.
func newAthenaInviteCmd(f *factory, runF func(context.Context, *athenaInviteOptions) error) *cobra.Command {
	opts := &athenaInviteOptions{athenaOptions: newAthenaOptions(f)}
	cmd := &cobra.Command{
		Use:   "invite --email ADDRESS (--websites FILE | --groups FILE)",
		Short: "Invite one person to the AthenaHQ websites or groups of a file",
		Long: `Invite one person (--email) to every AthenaHQ website of a file (--websites,
column website_id) or every group (--groups, column group_id; a global API
key is needed), in batches of up to 50 targets (AthenaHQ's bulk invite).
Each target is processed on its own: some may fail while others succeed.
Here the file is given as --websites or --groups, not --file.

` + importFileHelp,
		Example: `  onboard athena invite --email ada@example.com --websites sites.csv --dry-run
  onboard athena invite --email ada@example.com --websites sites.csv --role admin --method direct

  # sites.csv:
  #   website_id
  #   123e4567-e89b-12d3-a456-426614174000`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.keyField = "website_id"
			switch opts.file = opts.websites + opts.groups; {
			case (opts.websites == "") == (opts.groups == ""):
				return usageErrorf("give one of --websites FILE or --groups FILE")
			case opts.groups != "":
				opts.keyField = "group_id"
			}
			if err := errors.Join(opts.check(), opts.person.check()); err != nil {
				return err
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAthenaInvite(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.person.email, "email", "", "the `address` of the person to invite (required)")
	cmd.Flags().StringVar(&opts.person.first, "first-name", "", "the person's first `name`")
	cmd.Flags().StringVar(&opts.person.last, "last-name", "", "the person's last `name`")
	addAthenaPersonFlags(cmd, &opts.person)
	cmd.Flags().StringVar(&opts.websites, "websites", "", "the CSV or JSON-lines `file` of websites, column website_id")
	cmd.Flags().StringVar(&opts.groups, "groups", "", "the CSV or JSON-lines `file` of groups, column group_id")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "check every row and send nothing; needs no credential")
	addBulkFlags(cmd, &opts.bulk, "50, AthenaHQ's maximum")
	addJournalFlags(cmd, &opts.bulk)
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// runAthenaInvite invites the person to the targets of the file through
// AthenaHQ's bulk invite, or checks them for a --dry-run.
func runAthenaInvite(ctx context.Context, opts *athenaInviteOptions) error {
	// Read even for a --dry-run, which needs no credential: a broken
	// --env-file shows before the run that sends.
	if _, err := opts.env(); err != nil {
		return err
	}
	person := &opts.person
	ic := &importCmd[targetRow]{
		file: opts.file, dryRun: opts.dryRun, flags: &opts.bulk, verb: "inviting",
		schema: targetSchema(opts.keyField), keyField: opts.keyField,
		key:   func(r *targetRow) string { return r.id() },
		check: func(r *targetRow) error { return checkTarget(person, r) },
	}
	if !opts.dryRun {
		c, err := opts.client()
		if err != nil {
			return err
		}
		ic.preflight = func(ctx context.Context, first *targetRow) error { return athenaPreflight(ctx, c, first) }
		ic.send = athenaSender(c, person.request())
		ic.keys = keyedBy[onboard.AthenaTarget]
	}
	return runImport(ctx, opts.io, ic)
}

// checkTarget validates one target as AthenaHQ's bulk invite will.
func checkTarget(person *athenaPersonFlags, r *targetRow) error {
	req := person.request()
	field := "website_ids"
	if t := r.target(); t.Kind == onboard.AthenaScopeGroup {
		req.GroupIDs, field = []string{t.ID}, "group_ids"
	} else {
		req.WebsiteIDs = []string{t.ID}
	}
	return itemProblems(req.Validate(), field)
}

// athenaPreflight checks the credential with a read-only request: the
// members of the first target.
func athenaPreflight(ctx context.Context, c *onboard.AthenaClient, first *targetRow) error {
	list := c.Members.ListForWebsite
	if t := first.target(); t.Kind == onboard.AthenaScopeGroup {
		list = func(ctx context.Context, id string, opts ...onboard.CallOption) iter.Seq2[onboard.AthenaMember, error] {
			return c.Members.ListForGroup(ctx, id, nil, opts...)
		}
	}
	// The list comes in one answer: its error, if any, is its first value.
	for _, err := range list(ctx, first.target().ID) {
		return err
	}
	return nil
}

// athenaSender returns the bulk invite of the person in req to the
// targets of the rows.
func athenaSender(c *onboard.AthenaClient, req *onboard.AthenaTargetInviteRequest) func(context.Context, iter.Seq[targetRow], []onboard.BulkOption) iter.Seq[onboard.Outcome[targetRow]] {
	return func(ctx context.Context, rows iter.Seq[targetRow], opts []onboard.BulkOption) iter.Seq[onboard.Outcome[targetRow]] {
		targets := func(yield func(onboard.AthenaTarget) bool) {
			for r := range rows {
				if !yield(r.target()) {
					return
				}
			}
		}
		return func(yield func(onboard.Outcome[targetRow]) bool) {
			for o := range c.Invites.SendToTargetsSeq(ctx, req, targets, opts...) {
				item := targetRow{WebsiteID: o.Item.ID}
				if o.Item.Kind == onboard.AthenaScopeGroup {
					item = targetRow{GroupID: o.Item.ID}
				}
				out := onboard.Outcome[targetRow]{Index: o.Index, Item: item, State: o.State, Message: o.Message,
					UserID: o.UserID, Attempts: o.Attempts, Err: o.Err, Key: o.Key, DuplicateOf: o.DuplicateOf, Replayed: o.Replayed}
				if !yield(out) {
					return
				}
			}
		}
	}
}

// scopeFlags name the website or group a member command works on.
type scopeFlags struct {
	website, group string
	organization   bool
}

// athenaMembers lists the members of the website or group.
func athenaMembers(ctx context.Context, c *onboard.AthenaClient, sc *scopeFlags, access string) ([]onboard.AthenaMember, error) {
	list := c.Members.ListForWebsite(ctx, sc.website)
	if sc.group != "" {
		list = c.Members.ListForGroup(ctx, sc.group, &onboard.AthenaGroupMembersOptions{AccessType: onboard.AthenaScope(access)})
	}
	var members []onboard.AthenaMember
	for m, err := range list {
		if err != nil {
			return nil, err
		}
		members = append(members, m)
	}
	return members, nil
}

// athenaMembersOptions are what "onboard athena members" runs with.
type athenaMembersOptions struct {
	athenaOptions
	scope          scopeFlags
	access, output string
}

// newAthenaMembersCmd returns "onboard athena members". runF, if not nil,
// runs in place of runAthenaMembers, for tests of the flags alone.
func newAthenaMembersCmd(f *factory, runF func(context.Context, *athenaMembersOptions) error) *cobra.Command {
	opts := &athenaMembersOptions{athenaOptions: newAthenaOptions(f)}
	cmd := &cobra.Command{
		Use:   "members (--website ID | --group ID)",
		Short: "List the members of an AthenaHQ website or group",
		Long: `List everyone with access to an AthenaHQ website or group: the
organization's members (access_type organization) and those with their own
row (access_type website or group), each once: user_id, email, names, role,
access_type, created. AthenaHQ lists no pending invites: a person invited
by email shows here once they accept. Group lists need a global API key;
--access-type organization or group keeps one kind of access.`,
		Example: `  onboard athena members --website 123e4567-e89b-12d3-a456-426614174000
  onboard athena members --group 7f1c0a52-3b8e-4f0e-9d3c-2b6a4c1e9f00 --access-type group -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch sc := &opts.scope; {
			case (sc.website == "") == (sc.group == ""):
				return usageErrorf("give one of --website ID or --group ID")
			case opts.access != "" && sc.group == "":
				return usageErrorf("--access-type is for --group only")
			}
			if err := checkOutput(opts.output); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAthenaMembers(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.scope.website, "website", "", "the website's `id`")
	cmd.Flags().StringVar(&opts.scope.group, "group", "", "the group's `id`")
	cmd.Flags().StringVar(&opts.access, "access-type", "", "with --group: list only organization or group access")
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// runAthenaMembers lists the members of the website or group.
func runAthenaMembers(ctx context.Context, opts *athenaMembersOptions) error {
	c, err := opts.client()
	if err != nil {
		return err
	}
	members, err := athenaMembers(ctx, c, &opts.scope, opts.access)
	if err != nil {
		return err
	}
	w := newRecordWriter(opts.io.stdout, opts.output, []string{"user_id", "email", "first_name", "last_name", "role", "access_type", "created"})
	for _, m := range members {
		if err := w.write(m.UserID, m.Email, m.FirstName, m.LastName, string(m.Role), string(m.AccessType), m.CreatedAt); err != nil {
			return err
		}
	}
	opts.io.say("%s", plural(len(members), "member"))
	return w.close()
}

// memberFlags say which member a role or remove command acts on, where.
type memberFlags struct {
	scope  scopeFlags
	user   string
	email  string
	output string
}

func addMemberFlags(cmd *cobra.Command, m *memberFlags) {
	f := cmd.Flags()
	f.StringVar(&m.scope.website, "website", "", "act on the member's row in this website `id`")
	f.BoolVar(&m.scope.organization, "organization", false, "act on the member's membership of the organization (a global API key is needed)")
	f.StringVar(&m.user, "user", "", "the member's user `id`, as 'onboard athena members' lists it")
	f.StringVar(&m.email, "email", "", "the member's `address`, looked up in the --website's members")
	addOutputFlag(cmd, &m.output)
}

// check requires one scope and one way of naming the member, and an -o
// onboard writes.
func (m *memberFlags) check() error {
	switch {
	case (m.scope.website == "") == !m.scope.organization:
		return usageErrorf("give one of --website ID or --organization")
	case (m.user == "") == (m.email == ""):
		return usageErrorf("give one of --user ID or --email ADDRESS")
	case m.email != "" && m.scope.organization:
		return usageErrorf("--email needs --website, whose members it is looked up in; with --organization give --user")
	}
	return checkOutput(m.output)
}

// memberColumns are the columns of a role or remove command's record.
var memberColumns = []string{"scope", "user_id", "email", "outcome", "reason"}

// athenaMemberOptions are what "onboard athena role" and "onboard athena
// remove" run with.
type athenaMemberOptions struct {
	athenaOptions
	memberFlags
	role string // --role, for role
}

// runMember resolves the member and makes the change, writing one record.
// A refused credential is an error (exit status 2); the service refusing
// the change is a failed record (exit status 1).
func runMember(ctx context.Context, opts *athenaMemberOptions,
	change func(ctx context.Context, c *onboard.AthenaClient, userID string) (string, error),
) error {
	m := &opts.memberFlags
	c, err := opts.client()
	if err != nil {
		return err
	}
	userID, v := m.user, verdict{}
	if m.email != "" {
		userID, v, err = findMember(ctx, c, &m.scope, m.email)
		if err != nil {
			return err
		}
	}
	if v.outcome == "" {
		msg, err := change(ctx, c, userID)
		if errors.Is(err, onboard.ErrUnauthorized) {
			return err
		}
		if v = errVerdict(err, "user"); v.ok() {
			v.reason = msg
		}
	}
	scope := m.scope.website
	if m.scope.organization {
		scope = "organization"
	}
	w := newRecordWriter(opts.io.stdout, m.output, memberColumns)
	t := newTally("member")
	t.add(v)
	return opts.io.finish(w, t, w.write(scope, userID, m.email, v.outcome, v.reason))
}

// findMember looks up the address among the website's members.
func findMember(ctx context.Context, c *onboard.AthenaClient, sc *scopeFlags, email string) (string, verdict, error) {
	members, err := athenaMembers(ctx, c, sc, "")
	if err != nil {
		return "", verdict{}, err
	}
	for _, mem := range members {
		if strings.EqualFold(mem.Email, email) {
			return mem.UserID, verdict{}, nil
		}
	}
	return "", verdict{outcome: outSkipped, reason: "no member with this address in the website"}, nil
}

// newAthenaRoleCmd returns "onboard athena role". runF, if not nil, runs
// in place of runAthenaRole, for tests of the flags alone.
func newAthenaRoleCmd(f *factory, runF func(context.Context, *athenaMemberOptions) error) *cobra.Command {
	opts := &athenaMemberOptions{athenaOptions: newAthenaOptions(f)}
	cmd := &cobra.Command{
		Use:   "role --role admin|viewer (--website ID | --organization) (--user ID | --email ADDRESS)",
		Short: "Change the role of an AthenaHQ member",
		Long: `Give a member of an AthenaHQ website, or of the organization, the role admin
or viewer. AthenaHQ refuses to change the API key's own user or the
organization's owner, and to demote the last admin. A member whose access
comes from the organization alone has no row in the website to change:
change their organization role. One record: scope, user_id, email,
outcome, reason. Exit status 1 when AthenaHQ refused the change.`,
		Example: `  onboard athena role --website 123e4567-e89b-12d3-a456-426614174000 --email ada@example.com --role admin
  onboard athena role --organization --user 3c90c3cc-0d44-4b50-8888-8dd25736052a --role viewer`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.role == "" {
				return usageErrorf("--role is required: admin or viewer")
			}
			if err := opts.check(); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAthenaRole(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.role, "role", "", "the `role` to give: admin or viewer")
	addMemberFlags(cmd, &opts.memberFlags)
	return cmd
}

// runAthenaRole gives the member the role, in the website or the
// organization.
func runAthenaRole(ctx context.Context, opts *athenaMemberOptions) error {
	role := onboard.AthenaRole(opts.role)
	return runMember(ctx, opts, func(ctx context.Context, c *onboard.AthenaClient, userID string) (string, error) {
		if opts.scope.organization {
			_, err := c.Members.UpdateOrganizationRole(ctx, userID, role)
			return "role " + opts.role, err
		}
		return "role " + opts.role, c.Members.UpdateWebsiteRole(ctx, opts.scope.website, userID, role)
	})
}

// newAthenaRemoveCmd returns "onboard athena remove". runF, if not nil,
// runs in place of runAthenaRemove, for tests of the flags alone.
func newAthenaRemoveCmd(f *factory, runF func(context.Context, *athenaMemberOptions) error) *cobra.Command {
	opts := &athenaMemberOptions{athenaOptions: newAthenaOptions(f)}
	cmd := &cobra.Command{
		Use:   "remove (--website ID | --organization) (--user ID | --email ADDRESS)",
		Short: "Remove a member from an AthenaHQ website or the organization",
		Long: `Remove a member's own row from an AthenaHQ website (--website), or remove
them from the organization with all their website rows (--organization).
A member whose access to a website comes from the organization keeps it:
remove them from the organization instead. AthenaHQ refuses to remove the
API key's own user, the owner or the last admin. One record: scope,
user_id, email, outcome, reason. Exit status 1 when AthenaHQ refused.`,
		Example: `  onboard athena remove --website 123e4567-e89b-12d3-a456-426614174000 --email ada@example.com
  onboard athena remove --organization --user 3c90c3cc-0d44-4b50-8888-8dd25736052a`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			opts.io = f.io(cmd, opts.output)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAthenaRemove(cmd.Context(), opts)
		},
	}
	addMemberFlags(cmd, &opts.memberFlags)
	return cmd
}

// runAthenaRemove removes the member's row from the website, or the
// member from the organization.
func runAthenaRemove(ctx context.Context, opts *athenaMemberOptions) error {
	return runMember(ctx, opts, func(ctx context.Context, c *onboard.AthenaClient, userID string) (string, error) {
		if opts.scope.organization {
			res, err := c.Members.RemoveFromOrganization(ctx, userID)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s (%d website rows removed with them)", res.Message, res.WebsitesAffected), nil
		}
		res, err := c.Members.RemoveFromWebsite(ctx, opts.scope.website, userID)
		if err != nil {
			return "", err
		}
		return res.Message, nil
	})
}
