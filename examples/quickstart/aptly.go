package main

import (
	"context"
	"fmt"

	"github.com/onboardkit/onboard"
)

// aptlyLifecycle runs the loop on Aptly: invite, one accepts, list who is
// pending, resend to them.
func (q *quickstart) aptlyLifecycle(ctx context.Context) error {
	q.out.printf("\nThe invite lifecycle on Aptly: invite, one accepts, list who is pending, resend to them (Aptly cannot cancel one invite)\n")
	team := aptlyTeam
	if err := q.aptlyInvite(ctx, team); err != nil {
		return err
	}
	if err := q.accept(q.cfg.aptly, "onboardtest.AcceptAptlyInvite", team[0], func(email string) error {
		return q.fake.AcceptAptlyInvite(q.cfg.tenantID, email)
	}); err != nil {
		return err
	}
	pending, err := q.aptlyPending(ctx, team)
	if err != nil {
		return err
	}
	return q.aptlyResend(ctx, pending)
}

// aptlyInvite invites the team into the tenant in one bulk call.
func (q *quickstart) aptlyInvite(ctx context.Context, team []person) error {
	p := q.section("Aptly", "Invites.SendBulkAll", "POST /v1/user/bulk-invite, a team of "+fmt.Sprint(len(team)))
	people := make([]onboard.AptlyInvitee, len(team))
	for i, who := range team {
		people[i] = onboard.AptlyInvitee{Email: who.email, FirstName: who.first, LastName: who.last}
	}
	rep, err := q.aptly.Invites.SendBulkAll(ctx, &onboard.AptlyBulkInviteRequest{TenantID: q.cfg.tenantID}, people)
	if err != nil {
		return fmt.Errorf("bulk-inviting on Aptly (Invites.SendBulkAll): %w", err)
	}
	for _, o := range rep.Outcomes {
		p.outcome(o.Item.Email, "invited", o.State, o.Message, o.Err)
	}
	p.counts(rep.Counts(), "invited")
	return p.flush()
}

// aptlyPending lists the team's users whose status is INVITED. Aptly's
// list has no status filter, so Users.List goes through the users, a page
// at a time as the loop ranges; it stops once the whole team has been
// seen, and breaking out of the loop fetches no further page.
func (q *quickstart) aptlyPending(ctx context.Context, team []person) ([]onboard.AptlyUser, error) {
	p := q.section("Aptly", "Users.List", "GET /v1/user, who is pending (status INVITED)")
	var pending []onboard.AptlyUser
	seen := 0
	for u, err := range q.aptly.Users.List(ctx, &onboard.AptlyListUsersOptions{Limit: 100}) {
		if err != nil {
			return nil, fmt.Errorf("listing Aptly users (Users.List): %w", err)
		}
		if !inTeam(team, u.Email) {
			continue
		}
		if u.Status == onboard.AptlyUserInvited {
			pending = append(pending, u)
			p.listed(u.Email, "pending", "user "+u.ID)
		}
		if seen++; seen == len(team) {
			break
		}
	}
	p.sum = fmt.Sprintf("%d pending", len(pending))
	return pending, p.flush()
}

// aptlyResend sends the pending users' invitations again, in one bulk call.
func (q *quickstart) aptlyResend(ctx context.Context, pending []onboard.AptlyUser) error {
	p := q.section("Aptly", "Invites.ResendBulkAll", "POST /v1/user/bulk-resend-invite, to the pending")
	if len(pending) == 0 {
		p.skipped("nobody", "nobody on the team is pending")
		return p.flush()
	}
	ids := make([]string, len(pending))
	for i, u := range pending {
		ids[i] = u.ID
	}
	rep, err := q.aptly.Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: q.cfg.tenantID}, ids)
	if err != nil {
		return fmt.Errorf("resending Aptly invites (Invites.ResendBulkAll): %w", err)
	}
	for _, o := range rep.Outcomes {
		p.outcome(pending[o.Index].Email, "resent", o.State, o.Message, o.Err)
	}
	p.counts(rep.Counts(), "resent")
	return p.flush()
}
