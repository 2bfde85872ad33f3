// Command quickstart shows the onboard SDK at work on all three services in
// one run. First the invites: it creates an Aptly user, sends a Royalti
// invite, bulk-invites a handful of people into an Aptly tenant, invites one
// person to several AthenaHQ websites, and creates a few Royalti users in
// bulk. Then the loop a team runs once invites are out, on Royalti and on
// Aptly: invite a few people, one of them accepts, list who is still
// pending (with the SDK's list iterators), resend to them, cancel one, and
// list again. Aptly has no call that cancels one invite, so its loop ends at
// the resend. It prints what happened to each person, with the server's
// reason when something was refused.
//
// From the repository root:
//
//	go run ./examples/quickstart
//
// With no environment set it needs no account and no network: it starts an
// in-process fake of the three APIs (package onboardtest) and talks to that.
// To talk to a real service instead, give that service's base URL and
// credential; a service with nothing set keeps using the fake.
//
//	ONBOARD_APTLY_URL             Aptly base URL, such as https://staging.api.us.aptlydone.com/auth
//	ONBOARD_APTLY_TOKEN           Aptly bearer token
//	ONBOARD_APTLY_TENANT_ID       the Aptly tenant to create and invite people in
//	ONBOARD_ATHENA_URL            AthenaHQ base URL, such as https://api.athenahq.ai
//	ONBOARD_ATHENA_API_KEY        AthenaHQ API key
//	ONBOARD_ATHENA_WEBSITE_IDS    comma-separated ids of the websites to invite one person to
//	ONBOARD_ROYALTI_URL           Royalti base URL, such as https://api.royalti.io
//	ONBOARD_ROYALTI_TOKEN         Royalti bearer token (Royalti API keys go here too)
//	ONBOARD_ROYALTI_WORKSPACE_ID  optional: the Royalti workspace of the first invite; the
//	                              loop works in the token's own workspace, which Royalti's
//	                              invite list, resend and cancel act on
//
// Accepting an invite is the invitee's step, by the emailed link. On the
// fake the quickstart takes it for one person of each loop, with
// onboardtest's AcceptRoyaltiInvite and AcceptAptlyInvite; against a real
// service it skips it and says so.
//
// Against a real service it really creates, invites, resends to and
// cancels the people named in the code, at example.com addresses, which
// receive no mail. The loop lists, resends and cancels only its own
// people's invites, never anyone else's in the workspace or tenant. Run it
// twice and the second run shows them refused as already there, and finds
// no pending invite left to cancel.
//
// The exit status is 0 when every step ran, whatever the servers answered
// for each person; 1 when a step failed, such as a credential refused; and
// 2 when the environment names a service only in part.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// The ids the in-process fake uses: the tenant and websites of the API
// documents' examples.
const (
	fakeTenantID = "887fd99a-e3ab-44ac-8253-31f269599f2b"
	fakeWebsites = "123e4567-e89b-12d3-a456-426614174000,987e6543-e21b-12d3-a456-426614174000,5f0c3a2e-8d1b-4c6e-9a7f-2b3d4e5f6a7b"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// service is where one service is reached: a real base URL and credential
// from the environment, or the in-process fake.
type service struct {
	name       string // "Aptly"
	urlVar     string // "ONBOARD_APTLY_URL"
	url, token string // empty when the fake is used
}

func (s service) real() bool { return s.url != "" }

// config is what the environment says.
type config struct {
	aptly, athena, royalti service
	tenantID               string
	websiteIDs             []string
	workspaceID            string
}

// loadConfig reads the environment. A service is real when its URL is set;
// its credential, and for Aptly and AthenaHQ the ids to work in, must be set
// then too.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	var missing []string
	need := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	svc := func(name, urlVar, tokenVar string) service {
		s := service{name: name, urlVar: urlVar, url: strings.TrimSpace(getenv(urlVar))}
		if s.url != "" || strings.TrimSpace(getenv(tokenVar)) != "" {
			s.url = need(urlVar)
			s.token = need(tokenVar)
		}
		return s
	}
	cfg.aptly = svc("Aptly", "ONBOARD_APTLY_URL", "ONBOARD_APTLY_TOKEN")
	cfg.athena = svc("AthenaHQ", "ONBOARD_ATHENA_URL", "ONBOARD_ATHENA_API_KEY")
	cfg.royalti = svc("Royalti", "ONBOARD_ROYALTI_URL", "ONBOARD_ROYALTI_TOKEN")

	cfg.tenantID, cfg.websiteIDs = fakeTenantID, strings.Split(fakeWebsites, ",")
	if cfg.aptly.real() {
		cfg.tenantID = need("ONBOARD_APTLY_TENANT_ID")
	}
	if cfg.athena.real() {
		cfg.websiteIDs = nil
		for id := range strings.SplitSeq(need("ONBOARD_ATHENA_WEBSITE_IDS"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				cfg.websiteIDs = append(cfg.websiteIDs, id)
			}
		}
	}
	if cfg.royalti.real() {
		cfg.workspaceID = strings.TrimSpace(getenv("ONBOARD_ROYALTI_WORKSPACE_ID"))
	}
	if len(missing) > 0 {
		return cfg, fmt.Errorf("set %s too, or unset the service's variables to use the in-process fake", strings.Join(missing, ", "))
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	out, errs := &console{w: stdout}, &console{w: stderr}
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	flags.SetOutput(stderr)
	timeout := flags.Duration("timeout", 2*time.Minute, "give up after this long")
	flags.Usage = func() {
		errs.printf("usage: quickstart [-timeout 2m]\n\nSee the package documentation for the ONBOARD_* variables that select real services.\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		errs.printf("quickstart: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		errs.printf("quickstart: %v\n", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	q, err := newQuickstart(cfg, out)
	if err != nil {
		errs.printf("quickstart: %v\n", err)
		return exitError
	}
	defer q.close()
	for _, step := range []func(context.Context) error{
		q.createUser, q.inviteOne, q.bulkInvite, q.inviteToWebsites, q.createUsers,
		q.royaltiLifecycle, q.aptlyLifecycle,
	} {
		if err := step(ctx); err != nil {
			errs.printf("quickstart: %v\n", err)
			return exitError
		}
	}
	if out.err != nil {
		errs.printf("quickstart: writing the results: %v\n", out.err)
		return exitError
	}
	return exitOK
}

// quickstart holds the clients and what the steps share.
type quickstart struct {
	cfg     config
	out     *console
	fake    *onboardtest.Server // nil when every service is real
	aptly   *onboard.AptlyClient
	athena  *onboard.AthenaClient
	royalti *onboard.RoyaltiClient
}

func newQuickstart(cfg config, out *console) (*quickstart, error) {
	q := &quickstart{cfg: cfg, out: out}
	var aptlyURL, athenaURL, royaltiURL string
	if !cfg.aptly.real() || !cfg.athena.real() || !cfg.royalti.real() {
		q.fake = onboardtest.NewServer()
		seedFake(q.fake)
		aptlyURL, athenaURL, royaltiURL = q.fake.AptlyURL(), q.fake.AthenaURL(), q.fake.RoyaltiURL()
	}
	var err error
	q.aptly, err = connect(q, cfg.aptly, onboard.NewAptlyClient, onboard.BearerToken, onboardtest.AptlyToken, aptlyURL)
	if err == nil {
		q.athena, err = connect(q, cfg.athena, onboard.NewAthenaClient, onboard.APIKey, onboardtest.AthenaAPIKey, athenaURL)
	}
	if err == nil {
		q.royalti, err = connect(q, cfg.royalti, onboard.NewRoyaltiClient, onboard.BearerToken, onboardtest.RoyaltiToken, royaltiURL)
	}
	if err != nil {
		q.close()
		return nil, err
	}

	out.printf("onboard quickstart\n")
	for _, s := range []service{cfg.aptly, cfg.athena, cfg.royalti} {
		where := "in-process fake (onboardtest); set " + s.urlVar + " to use the real service"
		if s.real() {
			where = s.url
		}
		out.printf("  %-9s %s\n", s.name, where)
	}
	return q, nil
}

// newClientFunc is the shape of the SDK's three constructors,
// onboard.NewAptlyClient, NewAthenaClient and NewRoyaltiClient, each
// returning its own service's client type C.
type newClientFunc[C any] func(baseURL string, auth onboard.Authenticator, opts ...onboard.Option) (C, error)

// connect makes the client for one service with its constructor: the real
// service when configured, else the fake, sent through the fake's own HTTP
// client.
func connect[C any](q *quickstart, s service, newClient newClientFunc[C], auth func(string) onboard.Authenticator, fakeCred, fakeURL string) (C, error) {
	if !s.real() {
		return newClient(fakeURL, auth(fakeCred), onboard.WithHTTPClient(q.fake.Client()))
	}
	c, err := newClient(s.url, auth(s.token))
	if err != nil {
		return c, fmt.Errorf("%s: %w", s.name, err)
	}
	return c, nil
}

func (q *quickstart) close() {
	if q.fake != nil {
		q.fake.Close()
	}
}

// seedFake gives the fake what a real account would already hold: someone
// who is a member of one of the websites.
func seedFake(srv *onboardtest.Server) {
	srv.AddAthenaMember(strings.Split(fakeWebsites, ",")[1], "edsger.dijkstra@example.com")
}

// createUser creates one Aptly user.
func (q *quickstart) createUser(ctx context.Context) error {
	p := q.section("Aptly", "Users.Create", "POST /v1/user/create")
	u, err := q.aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{
		TenantID:  q.cfg.tenantID,
		FirstName: "Ada", LastName: "Lovelace", Email: "ada.lovelace@example.com",
		InviteViaEmail: onboard.Ptr(false),
	})
	switch {
	case err == nil:
		p.ok("ada.lovelace@example.com", "created", fmt.Sprintf("status %s, userId %s", u.Status, u.UserID))
	case errors.Is(err, onboard.ErrConflict):
		p.fail("ada.lovelace@example.com", "failed", serverWords(err))
	default:
		return fmt.Errorf("creating the Aptly user (Users.Create): %w", err)
	}
	return p.flush()
}

// inviteOne sends one Royalti invite.
func (q *quickstart) inviteOne(ctx context.Context) error {
	p := q.section("Royalti", "Invites.Send", "POST /auth/invite")
	res, err := q.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{
		Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper",
		Role: "admin", WorkspaceID: q.cfg.workspaceID,
	})
	switch {
	case err == nil:
		p.ok("grace.hopper@example.com", "invited", res.Message)
	case errors.Is(err, onboard.ErrConflict):
		p.fail("grace.hopper@example.com", "failed", serverWords(err))
	default:
		return fmt.Errorf("inviting on Royalti (Invites.Send): %w", err)
	}
	return p.flush()
}

// bulkInvite invites a handful of people into the Aptly tenant: one is
// listed twice, one was created by createUser, and one has a broken email.
func (q *quickstart) bulkInvite(ctx context.Context) error {
	p := q.section("Aptly", "Invites.SendBulkAll", "POST /v1/user/bulk-invite, tenant "+q.cfg.tenantID)
	people := []onboard.AptlyInvitee{
		{Email: "alan.turing@example.com", FirstName: "Alan", LastName: "Turing"},
		{Email: "katherine.johnson@example.com", FirstName: "Katherine", LastName: "Johnson"},
		{Email: "margaret.hamilton@example.com", FirstName: "Margaret", LastName: "Hamilton",
			CustomAttributes: map[string]string{"department": "Engineering"}},
		{Email: "Alan.Turing@example.com", FirstName: "Alan", LastName: "Turing"}, // listed twice
		{Email: "ada.lovelace@example.com", FirstName: "Ada", LastName: "Lovelace"},
		{Email: "dennis.ritchie@example", FirstName: "Dennis", LastName: "Ritchie"},
	}
	// A person listed twice is sent once; the second entry shares the
	// first's outcome.
	rep, err := q.aptly.Invites.SendBulkAll(ctx, &onboard.AptlyBulkInviteRequest{TenantID: q.cfg.tenantID}, people,
		onboard.WithConcurrency(1))
	if err != nil {
		return fmt.Errorf("bulk-inviting on Aptly (Invites.SendBulkAll): %w", err)
	}
	for _, o := range rep.Outcomes {
		msg := o.Message
		if o.DuplicateOf != nil {
			msg = "listed twice: sent once, as " + rep.Outcomes[*o.DuplicateOf].Item.Email
		}
		p.outcome(o.Item.Email, "invited", o.State, msg, o.Err)
	}
	p.counts(rep.Counts(), "invited")
	return p.flush()
}

// inviteToWebsites invites one person to several AthenaHQ websites; the
// fake has them in one already.
func (q *quickstart) inviteToWebsites(ctx context.Context) error {
	const email = "edsger.dijkstra@example.com"
	p := q.section("AthenaHQ", "Invites.SendToTargetsAll", "POST /api/v1/invites/bulk, "+email)
	websites := make([]onboard.AthenaTarget, len(q.cfg.websiteIDs))
	for i, id := range q.cfg.websiteIDs {
		websites[i] = onboard.AthenaWebsite(id)
	}
	rep, err := q.athena.Invites.SendToTargetsAll(ctx, &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteDirect, Email: email, Role: onboard.AthenaRoleViewer,
		FirstName: "Edsger", LastName: "Dijkstra",
	}, websites)
	if err != nil {
		return fmt.Errorf("inviting on AthenaHQ (Invites.SendToTargetsAll): %w", err)
	}
	for _, o := range rep.Outcomes {
		p.outcome("website "+o.Item.ID, "added", o.State, o.Message, o.Err)
	}
	p.counts(rep.Counts(), "added")
	return p.flush()
}

// createUsers creates a few Royalti users; one of them was invited by
// inviteOne.
func (q *quickstart) createUsers(ctx context.Context) error {
	p := q.section("Royalti", "Users.CreateBulkAll", "POST /user/bulk")
	users := []onboard.RoyaltiWorkspaceUser{
		{FirstName: "Barbara", LastName: "Liskov", Email: "barbara.liskov@example.com", Role: "admin"},
		{FirstName: "Donald", LastName: "Knuth", Email: "donald.knuth@example.com", UserType: "writer"},
		{FirstName: "Frances", LastName: "Allen", Email: "frances.allen@example.com", Country: "US"},
		{FirstName: "Grace", LastName: "Hopper", Email: "grace.hopper@example.com"},
	}
	rep, err := q.royalti.Users.CreateBulkAll(ctx, &onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false)}, users)
	if err != nil {
		return fmt.Errorf("creating Royalti users (Users.CreateBulkAll): %w", err)
	}
	for _, o := range rep.Outcomes {
		p.outcome(o.Item.Email, "created", o.State, o.Message, o.Err)
	}
	p.counts(rep.Counts(), "created")
	return p.flush()
}
