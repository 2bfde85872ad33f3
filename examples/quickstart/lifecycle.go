package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// This file is the loop a team runs once invites are out: invite a few
// people, one of them accepts, list who is still pending, resend to them,
// cancel one, and list again. Royalti has every call of it. Aptly has no
// call that cancels one invite, so its loop ends at the resend.
//
// A real workspace or tenant may hold real people's invites: the loop
// lists, resends and cancels only those of its own team, found by email.

// person is someone the loop invites.
type person struct{ first, last, email string }

// royaltiTeam is invited to Royalti. The first accepts; the last is the
// one whose invite is cancelled.
var royaltiTeam = []person{
	{"Ken", "Thompson", "ken.thompson@example.com"},
	{"Radia", "Perlman", "radia.perlman@example.com"},
	{"John", "Backus", "john.backus@example.com"},
}

// aptlyTeam is invited to the Aptly tenant. The first accepts.
var aptlyTeam = []person{
	{"Hedy", "Lamarr", "hedy.lamarr@example.com"},
	{"Claude", "Shannon", "claude.shannon@example.com"},
	{"Sophie", "Wilson", "sophie.wilson@example.com"},
}

// inTeam reports whether email is one of team's (letter case ignored).
func inTeam(team []person, email string) bool {
	return slices.ContainsFunc(team, func(p person) bool { return strings.EqualFold(p.email, email) })
}

// royaltiLifecycle runs the whole loop on Royalti. It works in the
// credential's own workspace, the one Invites.List, Resend and Cancel act
// on, so it sends no WorkspaceID.
func (q *quickstart) royaltiLifecycle(ctx context.Context) error {
	q.out.printf("\nThe invite lifecycle on Royalti: invite, one accepts, list who is pending, resend to them, cancel one, list again\n")
	team := royaltiTeam
	if err := q.royaltiInvite(ctx, team); err != nil {
		return err
	}
	err := q.accept(q.cfg.royalti, "onboardtest.AcceptRoyaltiInvite", team[0], func(email string) error {
		return q.fake.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, email)
	})
	if err != nil {
		return err
	}
	pending, err := q.royaltiPending(ctx, team, "who is pending")
	if err != nil {
		return err
	}
	if err := q.royaltiResend(ctx, pending); err != nil {
		return err
	}
	if err := q.royaltiCancel(ctx, pending, team[len(team)-1]); err != nil {
		return err
	}
	_, err = q.royaltiPending(ctx, team, "who is pending now")
	return err
}

// royaltiInvite invites each of team, one call each.
func (q *quickstart) royaltiInvite(ctx context.Context, team []person) error {
	p := q.section("Royalti", "Invites.Send", "POST /auth/invite, a team of "+fmt.Sprint(len(team)))
	for _, who := range team {
		res, err := q.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{
			Email: who.email, FirstName: who.first, LastName: who.last,
		})
		switch {
		case err == nil:
			p.ok(who.email, "invited", res.Message)
		case errors.Is(err, onboard.ErrConflict):
			p.fail(who.email, "failed", serverWords(err))
		default:
			return fmt.Errorf("inviting on Royalti (Invites.Send): %w", err)
		}
	}
	return p.flush()
}

// royaltiPending lists the team's pending invites. Invites.List fetches
// pages as the loop ranges over it; an error is the loop's last value.
func (q *quickstart) royaltiPending(ctx context.Context, team []person, what string) ([]onboard.RoyaltiInvite, error) {
	p := q.section("Royalti", "Invites.List", "GET /user/invites?status=invited, "+what)
	var pending []onboard.RoyaltiInvite
	for inv, err := range q.royalti.Invites.List(ctx, &onboard.RoyaltiListInvitesOptions{Status: onboard.RoyaltiInviteInvited}) {
		if err != nil {
			return nil, fmt.Errorf("listing Royalti invites (Invites.List): %w", err)
		}
		if email := inv.TenantUser.User.Email; inTeam(team, email) {
			pending = append(pending, inv)
			p.listed(email, "pending", "invite "+inv.ID)
		}
	}
	p.sum = fmt.Sprintf("%d pending", len(pending))
	return pending, p.flush()
}

// royaltiResend sends each pending invite again.
func (q *quickstart) royaltiResend(ctx context.Context, pending []onboard.RoyaltiInvite) error {
	p := q.section("Royalti", "Invites.Resend", "POST /user/invites/{inviteId}/resend, to the pending")
	for _, inv := range pending {
		email := inv.TenantUser.User.Email
		res, err := q.royalti.Invites.Resend(ctx, inv.ID, nil)
		switch {
		case err == nil:
			p.ok(email, "resent", res.Message)
		case stateChanged(err):
			p.fail(email, "failed", serverWords(err))
		default:
			return fmt.Errorf("resending a Royalti invite (Invites.Resend): %w", err)
		}
	}
	if len(pending) == 0 {
		p.skipped("nobody", "nobody on the team is pending")
	}
	return p.flush()
}

// royaltiCancel cancels who's invite, if it is pending.
func (q *quickstart) royaltiCancel(ctx context.Context, pending []onboard.RoyaltiInvite, who person) error {
	p := q.section("Royalti", "Invites.Cancel", "POST /user/invites/{id}/cancel, one of the pending")
	i := slices.IndexFunc(pending, func(inv onboard.RoyaltiInvite) bool {
		return strings.EqualFold(inv.TenantUser.User.Email, who.email)
	})
	if i < 0 {
		p.skipped(who.email, "no pending invite to cancel")
		return p.flush()
	}
	err := q.royalti.Invites.Cancel(ctx, pending[i].ID)
	switch {
	case err == nil:
		p.ok(who.email, "cancelled", "invite "+pending[i].ID)
	case stateChanged(err):
		p.fail(who.email, "failed", serverWords(err))
	default:
		return fmt.Errorf("cancelling a Royalti invite (Invites.Cancel): %w", err)
	}
	return p.flush()
}

// stateChanged reports whether err says the invite is no longer what the
// list showed: accepted, cancelled or gone since.
func stateChanged(err error) bool {
	return errors.Is(err, onboard.ErrConflict) || errors.Is(err, onboard.ErrNotFound)
}

// aptlyLifecycle runs the loop on Aptly: invite, one accepts, list who is
// pending, resend to them.
func (q *quickstart) aptlyLifecycle(ctx context.Context) error {
	q.out.printf("\nThe invite lifecycle on Aptly: invite, one accepts, list who is pending, resend to them (Aptly cannot cancel one invite)\n")
	team := aptlyTeam
	if err := q.aptlyInvite(ctx, team); err != nil {
		return err
	}
	err := q.accept(q.cfg.aptly, "onboardtest.AcceptAptlyInvite", team[0], func(email string) error {
		return q.fake.AcceptAptlyInvite(q.cfg.tenantID, email)
	})
	if err != nil {
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

// accept has who accept their invite, as they would by following the
// emailed link. Only the in-process fake can do that for them (with
// acceptFn, one of its helpers named helper); against a real service the
// step is skipped.
func (q *quickstart) accept(s service, helper string, who person, acceptFn func(email string) error) error {
	if s.real() {
		p := q.section(s.name, "accept", "skipped against a real service")
		p.skipped(who.email, "the invitee accepts by following the emailed link")
		return p.flush()
	}
	p := q.section(s.name, helper, "the fake accepts as if by the emailed link")
	if err := acceptFn(who.email); err != nil {
		p.fail(who.email, "failed", err.Error())
	} else {
		p.ok(who.email, "accepted", "")
	}
	return p.flush()
}
