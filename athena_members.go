package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"

	"github.com/onboardkit/onboard/internal/validate"
)

// AthenaMembers lists and manages who has access to an AthenaHQ
// organization, its websites and its groups. Reach it as
// AthenaClient.Members.
//
// Two team-management calls of AthenaHQ's documents are left out, as the
// documents do not describe them well enough to call: listing the
// organization's members (its answer is not documented) and listing a
// user's websites (its method and path are not documented).
type AthenaMembers service

// athenaMemberList is the answer of the member lists. Its members are
// required: a 2xx answer without them is not taken for an empty list.
type athenaMemberList struct {
	Members []AthenaMember
}

// UnmarshalJSON reads the list, failing when "members" is missing or null.
func (l *athenaMemberList) UnmarshalJSON(data []byte) error {
	var wire struct {
		Members *[]AthenaMember `json:"members"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	if wire.Members == nil {
		return errors.New(`no "members" list in the answer`)
	}
	l.Members = *wire.Members
	return nil
}

// AthenaOrganizationRoleResult is AthenaHQ's answer to an organization role
// update.
type AthenaOrganizationRoleResult struct {
	Success bool `json:"success"`
	// Member is the membership as it stands after the update.
	Member AthenaOrganizationMembership `json:"member"`
}

// AthenaOrganizationMembership is a user's membership in an AthenaHQ
// organization.
type AthenaOrganizationMembership struct {
	UserID string     `json:"user_id"`
	OrgID  string     `json:"org_id"`
	Role   AthenaRole `json:"role"`
}

// AthenaOrganizationRemovalResult is AthenaHQ's answer to removing a member from
// the organization.
type AthenaOrganizationRemovalResult struct {
	Success bool `json:"success"`
	// Message is the server's words, such as "User removed from
	// organization".
	Message string `json:"message"`
	// WebsitesAffected counts the member's own website rows that were
	// removed with them.
	WebsitesAffected int `json:"websites_affected"`
}

// AthenaWebsiteRemovalResult is AthenaHQ's answer to removing a member from a
// website.
type AthenaWebsiteRemovalResult struct {
	Success bool `json:"success"`
	// Message is the server's words, such as "User removed from website".
	Message string `json:"message"`
}

// AthenaGroupMembersOptions filters the members of an AthenaHQ group.
type AthenaGroupMembersOptions struct {
	// AccessType, when set, keeps one kind of access: AthenaScopeGroup gives
	// the group's own rows, members of the organization with a row
	// included (each row once, users not deduplicated), and
	// AthenaScopeOrganization only the organization's members. Empty gives the
	// merged view: each user once, as AthenaScopeOrganization when they have
	// both kinds of access.
	AccessType AthenaScope `url:"access_type,omitempty"`
}

// Validate reports every problem with o as a *ValidationError, or nil. A
// nil o is valid: the merged view.
func (o *AthenaGroupMembersOptions) Validate() error {
	var p validate.Problems
	o.check(&p)
	return validationError(listGroupMembers.op, &p)
}

func (o *AthenaGroupMembersOptions) check(p *validate.Problems) {
	if o != nil {
		p.OneOf("access_type", string(o.AccessType), string(AthenaScopeOrganization), string(AthenaScopeGroup))
	}
}

var (
	updateOrgRole    = endpoint{op: "athena: Members.UpdateOrganizationRole", method: http.MethodPatch}
	removeOrgMember  = endpoint{op: "athena: Members.RemoveFromOrganization", method: http.MethodDelete}
	listSiteMembers  = endpoint{op: "athena: Members.ListForWebsite", method: http.MethodGet}
	updateSiteRole   = endpoint{op: "athena: Members.UpdateWebsiteRole", method: http.MethodPatch}
	removeSiteMember = endpoint{op: "athena: Members.RemoveFromWebsite", method: http.MethodDelete}
	listGroupMembers = endpoint{op: "athena: Members.ListForGroup", method: http.MethodGet}
)

// athenaMembersAt returns ep with its path: the members of the
// organization when scope is empty, else of the website or group scopeID
// (scope "websites" or "groups"), followed by userID when it is not empty.
func athenaMembersAt(ep endpoint, scope, scopeID, userID string) endpoint {
	ep.path = "/api/v1/organizations/members"
	if scope != "" {
		ep.path = "/api/v1/" + scope + "/" + url.PathEscape(scopeID) + "/members"
	}
	if userID != "" {
		ep.path += "/" + url.PathEscape(userID)
	}
	return ep
}

// checkMemberRole records a problem unless role is one a role update
// takes: AthenaRoleAdmin or AthenaRoleViewer.
func checkMemberRole(p *validate.Problems, role AthenaRole) {
	switch role {
	case "":
		p.Add("role", "is required; use AthenaRoleAdmin or AthenaRoleViewer")
	case AthenaRoleOwner:
		p.Add("role", "%q cannot be given through the API; use AthenaRoleAdmin or AthenaRoleViewer", role)
	default:
		p.OneOf("role", string(role), string(AthenaRoleAdmin), string(AthenaRoleViewer))
	}
}

// athenaRoleBody is the body of both role updates.
type athenaRoleBody struct {
	Role AthenaRole `json:"role"`
}

// UpdateOrganizationRole gives an organization member role, AthenaRoleAdmin or
// AthenaRoleViewer, and returns the membership as it then stands. It needs a
// global API key; a website-scoped key is refused, an *APIError matching
// ErrForbidden.
//
// AthenaHQ refuses, as documented, to change the API key's own user or the
// organization's owner, and to demote the last remaining admin. Only the
// caller's input can be checked before sending (a UUID; admin or viewer,
// never owner); these rules are the server's. The documents give no
// status for the refusals: expect an *APIError with the server's words
// (onboardtest answers 403, ErrForbidden), and a user who is not a member
// to be ErrNotFound.
//
// Repeating it is harmless: it sets the same role again.
//
// AthenaHQ: PATCH /api/v1/organizations/members/{user_id}.
func (s *AthenaMembers) UpdateOrganizationRole(ctx context.Context, userID string, role AthenaRole, opts ...CallOption) (*AthenaOrganizationRoleResult, error) {
	var p validate.Problems
	p.RequiredUUID("user_id", userID)
	checkMemberRole(&p, role)
	if err := validationError(updateOrgRole.op, &p); err != nil {
		return nil, err
	}
	res := new(AthenaOrganizationRoleResult)
	if err := s.client.call(ctx, athenaMembersAt(updateOrgRole, "", "", userID), nil, athenaRoleBody{role}, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// RemoveFromOrganization removes a member from the organization, with
// their own website rows (counted in WebsitesAffected).
//
// The documents do not give its key scope or refusals; expect those of
// UpdateOrganizationRole to apply: a global API key, and no removing the
// API key's own user, the organization's owner or the last remaining
// admin (onboardtest refuses each with 403, ErrForbidden). A user who is
// not a member is expected to be ErrNotFound.
//
// A repeat after an answer was lost finds the member gone, ErrNotFound,
// which then means the removal was done.
//
// AthenaHQ: DELETE /api/v1/organizations/members/{user_id}.
func (s *AthenaMembers) RemoveFromOrganization(ctx context.Context, userID string, opts ...CallOption) (*AthenaOrganizationRemovalResult, error) {
	var p validate.Problems
	p.RequiredUUID("user_id", userID)
	if err := validationError(removeOrgMember.op, &p); err != nil {
		return nil, err
	}
	res := new(AthenaOrganizationRemovalResult)
	if err := s.client.call(ctx, athenaMembersAt(removeOrgMember, "", "", userID), nil, nil, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// ListForWebsite returns an iterator over everyone with access to a
// website: the organization's members (AthenaScopeOrganization) and users
// with their own row in the website (AthenaScopeWebsite), each user once.
// AthenaHQ sends the whole list in one answer (the documents show no
// paging): the iterator makes that one request when the loop starts, and
// the error, if any, is the loop's only value. It takes a global API key,
// or a website-scoped key whose allowlist holds the website.
//
// It changes nothing, so it is safe to repeat.
//
// AthenaHQ: GET /api/v1/websites/{website_id}/members.
func (s *AthenaMembers) ListForWebsite(ctx context.Context, websiteID string, opts ...CallOption) iter.Seq2[AthenaMember, error] {
	var p validate.Problems
	p.RequiredUUID("website_id", websiteID)
	return listWhole(validationError(listSiteMembers.op, &p), func() ([]AthenaMember, error) {
		var res athenaMemberList
		err := s.client.call(ctx, athenaMembersAt(listSiteMembers, "websites", websiteID, ""), nil, nil, &res, opts)
		return res.Members, err
	})
}

// UpdateWebsiteRole gives a website member role, AthenaRoleAdmin or AthenaRoleViewer.
// It takes a global API key, or a website-scoped key whose allowlist holds
// the website. As documented, AthenaHQ refuses to change the API key's own
// user or the organization's owner (no status is documented; onboardtest
// answers 403, ErrForbidden).
//
// The documents show neither its answer nor what happens to a user whose
// access comes from the organization alone (change their organization
// role instead; onboardtest answers 409, ErrConflict). So any 2xx answer
// is success, whatever its body, which is not read: WithResponse gives it.
//
// Repeating it is harmless: it sets the same role again.
//
// AthenaHQ: PATCH /api/v1/websites/{website_id}/members/{user_id}.
func (s *AthenaMembers) UpdateWebsiteRole(ctx context.Context, websiteID, userID string, role AthenaRole, opts ...CallOption) error {
	var p validate.Problems
	p.RequiredUUID("website_id", websiteID)
	p.RequiredUUID("user_id", userID)
	checkMemberRole(&p, role)
	if err := validationError(updateSiteRole.op, &p); err != nil {
		return err
	}
	// The answer is undocumented: a nil out takes any 2xx as success.
	return s.client.call(ctx, athenaMembersAt(updateSiteRole, "websites", websiteID, userID), nil, athenaRoleBody{role}, nil, opts)
}

// RemoveFromWebsite removes a member's own row from a website. The
// documents do not say what happens to an organization member, whose
// access comes from the organization and stays (onboardtest refuses one
// without a row with 409, ErrConflict); remove them from the organization
// instead. A user without access is expected to be ErrNotFound.
//
// A repeat after an answer was lost finds the row gone, ErrNotFound, which
// then means the removal was done.
//
// AthenaHQ: DELETE /api/v1/websites/{website_id}/members/{user_id}.
func (s *AthenaMembers) RemoveFromWebsite(ctx context.Context, websiteID, userID string, opts ...CallOption) (*AthenaWebsiteRemovalResult, error) {
	var p validate.Problems
	p.RequiredUUID("website_id", websiteID)
	p.RequiredUUID("user_id", userID)
	if err := validationError(removeSiteMember.op, &p); err != nil {
		return nil, err
	}
	res := new(AthenaWebsiteRemovalResult)
	if err := s.client.call(ctx, athenaMembersAt(removeSiteMember, "websites", websiteID, userID), nil, nil, res, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// ListForGroup returns everyone with access to a group: by default the
// organization's members (AthenaScopeOrganization) and users with their own row
// in the group (AthenaScopeGroup), each user once; o can keep one kind of
// access (see AthenaGroupMembersOptions), and may be nil. The list comes in
// one request, as for ListForWebsite. It needs a global API key; a
// website-scoped key is refused, an *APIError matching ErrForbidden.
//
// It changes nothing, so it is safe to repeat.
//
// AthenaHQ: GET /api/v1/groups/{group_id}/members.
func (s *AthenaMembers) ListForGroup(ctx context.Context, groupID string, o *AthenaGroupMembersOptions, opts ...CallOption) iter.Seq2[AthenaMember, error] {
	var p validate.Problems
	p.RequiredUUID("group_id", groupID)
	o.check(&p)
	return listWhole(validationError(listGroupMembers.op, &p), func() ([]AthenaMember, error) {
		var res athenaMemberList
		err := s.client.call(ctx, athenaMembersAt(listGroupMembers, "groups", groupID, ""), o, nil, &res, opts)
		return res.Members, err
	})
}
