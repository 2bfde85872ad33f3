package main

import (
	"context"
	"fmt"

	"github.com/onboardkit/onboard"
)

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
