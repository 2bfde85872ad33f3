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

// royaltiLifecycle runs the whole loop on Royalti. It works in the
// credential's own workspace, the one Invites.List, Resend and Cancel act
// on, so it sends no WorkspaceID.
func (q *quickstart) royaltiLifecycle(ctx context.Context) error {
	q.out.printf("\nThe invite lifecycle on Royalti: invite, one accepts, list who is pending, resend to them, cancel one, list again\n")
	team := royaltiTeam
	if err := q.royaltiInvite(ctx, team); err != nil {
		return err
	}
	if err := q.accept(q.cfg.royalti, "onboardtest.AcceptRoyaltiInvite", team[0], func(email string) error {
		return q.fake.AcceptRoyaltiInvite(onboardtest.RoyaltiWorkspaceID, email)
	}); err != nil {
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
