package main

import (
	"slices"
	"strings"
)

// The loop a team runs once invites are out: invite a few people, one of
// them accepts, list who is still pending, resend to them, cancel one, and
// list again. Royalti has every call of it (royalti.go). Aptly has no call
// that cancels one invite, so its loop ends at the resend (aptly.go).
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
