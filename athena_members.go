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

// AthenaMembers lists and manages access to an AthenaHQ organization, its
// websites and its groups. Two documented calls are left out, being
// underspecified: the organization's member list and a user's websites.
// After a lost answer, a removal's ErrNotFound means it was done.
type AthenaMembers service

// athenaMemberList is a member list's answer; a missing list is an error.
type athenaMemberList struct {
	Members []AthenaMember
}

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

// AthenaMemberResult is AthenaHQ's answer to a change of a member:
// UpdateOrganizationRole fills Member, the removals Message, and
// RemoveFromOrganization WebsitesAffected (the website rows removed).
type AthenaMemberResult struct {
	Success          bool   `json:"success"`
	Message          string `json:"message"`
	WebsitesAffected int    `json:"websites_affected"`
	Member           struct {
		UserID string     `json:"user_id"`
		OrgID  string     `json:"org_id"`
		Role   AthenaRole `json:"role"`
	} `json:"member"`
}

// AthenaGroupMembersOptions filters the members of an AthenaHQ group.
type AthenaGroupMembersOptions struct {
	// AccessType keeps one kind of access: AthenaScopeGroup the group's own
	// rows (each row once), AthenaScopeOrganization the organization's
	// members. Empty gives each user once, organization access first.
	AccessType AthenaScope `url:"access_type,omitempty"`
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

// athenaMembersAt returns ep with the members path of the organization
// (scope empty) or of website or group scopeID, then userID if set.
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

// checkMemberRole requires AthenaRoleAdmin or AthenaRoleViewer.
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

// UpdateOrganizationRole sets an organization member's role, admin or
// viewer, with a global API key. The server refuses the key's own user, the
// owner and the last admin; no status is documented (ErrForbidden in
// onboardtest).
//
// AthenaHQ: PATCH /api/v1/organizations/members/{user_id}.
func (s *AthenaMembers) UpdateOrganizationRole(ctx context.Context, userID string, role AthenaRole, opts ...CallOption) (*AthenaMemberResult, error) {
	var p validate.Problems
	p.RequiredUUID("user_id", userID)
	checkMemberRole(&p, role)
	if err := validationError(updateOrgRole.op, &p); err != nil {
		return nil, err
	}
	res := new(AthenaMemberResult)
	return result(res, s.client.call(ctx, athenaMembersAt(updateOrgRole, "", "", userID), nil, athenaRoleBody{role}, res, opts))
}

// RemoveFromOrganization removes a member from the organization, with
// their website rows. The documents give no key scope or refusals; this SDK
// expects UpdateOrganizationRole's.
//
// AthenaHQ: DELETE /api/v1/organizations/members/{user_id}.
func (s *AthenaMembers) RemoveFromOrganization(ctx context.Context, userID string, opts ...CallOption) (*AthenaMemberResult, error) {
	var p validate.Problems
	p.RequiredUUID("user_id", userID)
	if err := validationError(removeOrgMember.op, &p); err != nil {
		return nil, err
	}
	res := new(AthenaMemberResult)
	return result(res, s.client.call(ctx, athenaMembersAt(removeOrgMember, "", "", userID), nil, nil, res, opts))
}

// ListForWebsite returns an iterator over everyone with access to a
// website, each user once. The documents show no paging: the list comes in
// one request, made when the loop starts.
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

// UpdateWebsiteRole sets a website member's role, admin or viewer. The
// answer is not documented, so any 2xx is success. A user whose access
// comes from the organization alone is expected to be refused (ErrConflict
// in onboardtest).
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
	return s.client.call(ctx, athenaMembersAt(updateSiteRole, "websites", websiteID, userID), nil, athenaRoleBody{role}, nil, opts)
}

// RemoveFromWebsite removes a member's own row from a website; an
// organization member keeps their access (ErrConflict in onboardtest).
//
// AthenaHQ: DELETE /api/v1/websites/{website_id}/members/{user_id}.
func (s *AthenaMembers) RemoveFromWebsite(ctx context.Context, websiteID, userID string, opts ...CallOption) (*AthenaMemberResult, error) {
	var p validate.Problems
	p.RequiredUUID("website_id", websiteID)
	p.RequiredUUID("user_id", userID)
	if err := validationError(removeSiteMember.op, &p); err != nil {
		return nil, err
	}
	res := new(AthenaMemberResult)
	return result(res, s.client.call(ctx, athenaMembersAt(removeSiteMember, "websites", websiteID, userID), nil, nil, res, opts))
}

// ListForGroup returns an iterator over everyone with access to a group,
// in one request as ListForWebsite; o may be nil. It needs a global API key.
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
