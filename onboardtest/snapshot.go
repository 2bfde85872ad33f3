package onboardtest

import (
	"slices"
	"strings"
	"time"
)

// Snapshot is a copy of the users, invites and memberships a Server holds,
// taken at one instant, with JSON names so that it can be served or saved
// as it is. Changing it changes nothing in the server.
type Snapshot struct {
	// Aptly holds the Aptly users.
	Aptly AptlyState `json:"aptly"`
	// Athena holds the AthenaHQ organization, websites, groups and
	// accounts.
	Athena AthenaState `json:"athena"`
	// Royalti holds the Royalti workspaces.
	Royalti RoyaltiState `json:"royalti"`
}

// AptlyState is the Aptly part of a Snapshot.
type AptlyState struct {
	// Tenants maps each tenant id to its users, in the order they were
	// created or invited.
	Tenants map[string][]AptlyUser `json:"tenants"`
}

// AthenaState is the AthenaHQ part of a Snapshot.
type AthenaState struct {
	// OrganizationID is AthenaOrganizationID.
	OrganizationID string `json:"organizationId"`
	// Organization holds the organization's members and pending invites.
	Organization AthenaTargetState `json:"organization"`
	// Targets maps each website or group id to its explicit members and
	// pending invites (websites and groups share one namespace of ids).
	Targets map[string]AthenaTargetState `json:"targets"`
	// Accounts are the AthenaHQ user accounts, by email.
	Accounts []AthenaAccount `json:"accounts"`
}

// AthenaTargetState is the members and pending invites of the
// organization, a website or a group, oldest first.
type AthenaTargetState struct {
	// Members are the members.
	Members []AthenaMember `json:"members"`
	// Invites are the pending invites.
	Invites []AthenaInvite `json:"invites"`
}

// AthenaMember is one membership.
type AthenaMember struct {
	// UserID is the member's account id.
	UserID string `json:"userId"`
	// Email is the member's email.
	Email string `json:"email"`
	// Role is AthenaRoleOwner, AthenaRoleAdmin or AthenaRoleViewer.
	Role string `json:"role"`
	// CreatedAt is when the membership began.
	CreatedAt time.Time `json:"createdAt"`
}

// AthenaInvite is one pending invite.
type AthenaInvite struct {
	// ID is the invite's id: the invite_id of POST /api/v1/invites (email
	// invites of the bulk endpoint get one too, unseen in its answer).
	ID string `json:"id"`
	// Email is the invited email.
	Email string `json:"email"`
	// Role is the role the invite grants.
	Role string `json:"role"`
	// FirstName is the first_name sent, if any.
	FirstName string `json:"firstName,omitempty"`
	// LastName is the last_name sent, if any.
	LastName string `json:"lastName,omitempty"`
	// CreatedAt is when the invite was sent.
	CreatedAt time.Time `json:"createdAt"`
}

// AthenaAccount is an AthenaHQ user account.
type AthenaAccount struct {
	// UserID is the account's user_id.
	UserID string `json:"userId"`
	// Email is the account's email.
	Email string `json:"email"`
	// FirstName is the account's first name, if known.
	FirstName string `json:"firstName,omitempty"`
	// LastName is the account's last name, if known.
	LastName string `json:"lastName,omitempty"`
}

// RoyaltiState is the Royalti part of a Snapshot.
type RoyaltiState struct {
	// Workspaces maps each workspace id to its users and invites.
	Workspaces map[string]RoyaltiWorkspaceState `json:"workspaces"`
}

// RoyaltiWorkspaceState is one Royalti workspace.
type RoyaltiWorkspaceState struct {
	// TenantID is the workspace's number, "TenantId" on the wire.
	TenantID int `json:"tenantId"`
	// Users are the workspace's users, in the order they joined.
	Users []RoyaltiUser `json:"users"`
	// Invites are the workspace's invites, oldest first.
	Invites []RoyaltiInvite `json:"invites"`
}

// State returns a copy of everything the server holds: Aptly users,
// AthenaHQ members, invites and accounts, Royalti users and invites.
// Credentials are not part of it.
func (s *Server) State() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{Aptly: s.st.aptlyState(), Athena: s.st.athenaState(), Royalti: s.st.royaltiState()}
}

func (st *state) aptlyState() AptlyState {
	out := AptlyState{Tenants: make(map[string][]AptlyUser, len(st.aptlyTenants))}
	for id, t := range st.aptlyTenants {
		users := make([]AptlyUser, len(t.users))
		for i, rec := range t.users {
			users[i] = rec.export()
		}
		out.Tenants[id] = users
	}
	return out
}

func (st *state) athenaState() AthenaState {
	out := AthenaState{
		OrganizationID: AthenaOrganizationID,
		Organization:   exportTarget(st.athenaTargets[AthenaOrganizationID]),
		Targets:        make(map[string]AthenaTargetState, len(st.athenaTargets)),
		Accounts:       make([]AthenaAccount, 0, len(st.athenaUsers)),
	}
	for id, t := range st.athenaTargets {
		if id != AthenaOrganizationID {
			out.Targets[id] = exportTarget(t)
		}
	}
	for _, u := range st.athenaUsers {
		out.Accounts = append(out.Accounts, AthenaAccount{UserID: u.id, Email: u.email, FirstName: u.first, LastName: u.last})
	}
	slices.SortFunc(out.Accounts, func(a, b AthenaAccount) int {
		return strings.Compare(emailKey(a.Email), emailKey(b.Email))
	})
	return out
}

func exportTarget(t *athenaTarget) AthenaTargetState {
	out := AthenaTargetState{Members: []AthenaMember{}, Invites: []AthenaInvite{}}
	if t == nil {
		return out
	}
	for _, e := range t.members {
		if e.email != "" {
			out.Members = append(out.Members, AthenaMember{
				UserID: e.userID, Email: e.email, Role: e.role, CreatedAt: time.UnixMilli(e.createdMs).UTC(),
			})
		}
	}
	for _, e := range t.pending {
		if e.email != "" {
			out.Invites = append(out.Invites, AthenaInvite{
				ID: e.inviteID, Email: e.email, Role: e.role, FirstName: e.first, LastName: e.last,
				CreatedAt: time.UnixMilli(e.createdMs).UTC(),
			})
		}
	}
	return out
}

func (st *state) royaltiState() RoyaltiState {
	out := RoyaltiState{Workspaces: make(map[string]RoyaltiWorkspaceState, len(st.royaltiSpaces))}
	for id, w := range st.royaltiSpaces {
		ws := RoyaltiWorkspaceState{
			TenantID: w.tenantNum,
			Users:    make([]RoyaltiUser, len(w.users)),
			Invites:  make([]RoyaltiInvite, len(w.invites)),
		}
		for i, rec := range w.users {
			ws.Users[i] = rec.export(id)
		}
		for i, inv := range w.invites {
			ws.Invites[i] = inv.export(id)
		}
		out.Workspaces[id] = ws
	}
	return out
}
