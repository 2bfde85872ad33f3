package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardkit/onboard"
)

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
