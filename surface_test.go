package onboard_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/onboardkit/onboard"
)

// surface lists what the client c offers: each exported field, followed by
// the exported methods of its type, then the client's own methods. Methods
// come sorted by name, each with its signature.
func surface(c any) []string {
	t := reflect.TypeOf(c)
	var out []string
	for i := range t.Elem().NumField() {
		f := t.Elem().Field(i)
		if !f.IsExported() {
			continue
		}
		out = append(out, f.Name+" "+typeName(f.Type))
		out = append(out, methods(f.Name+".", f.Type)...)
	}
	return append(out, methods("", t)...)
}

// methods lists the exported methods of t, each as prefix, name and
// signature without the receiver.
func methods(prefix string, t reflect.Type) []string {
	var out []string
	for i := range t.NumMethod() {
		m := t.Method(i)
		sig := strings.TrimPrefix(typeName(m.Type), "func("+typeName(t))
		out = append(out, prefix+m.Name+"("+strings.TrimPrefix(sig, ", "))
	}
	return out
}

// typeName is t as Go source in this package's tests would spell it.
func typeName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "github.com/onboardkit/onboard.", "onboard.")
}

// TestClients_surface pins what each service's client offers: its fields,
// and the methods of each, signatures included. The compiler already
// refuses a call to an endpoint of another service (there is no
// AthenaClient.Users, no AptlyInvites.Send); this test makes any change to
// which endpoints a client reaches, or to how they are called, a
// deliberate one.
func TestClients_surface(t *testing.T) {
	t.Parallel()
	clientMethods := []string{"GoString() string", "String() string"}
	want := map[string][]string{
		"AptlyClient": append([]string{
			"Users *onboard.AptlyUsers",
			"Users.Create(context.Context, *onboard.CreateUserRequest, ...onboard.CallOption) (*onboard.User, error)",
			"Users.DeleteBulk(context.Context, *onboard.BulkDeleteRequest, ...onboard.CallOption) (*onboard.BulkDeleteResult, error)",
			"Users.DeleteBulkAll(context.Context, *onboard.BulkDeleteRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Users.DeleteBulkSeq(context.Context, *onboard.BulkDeleteRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Users.List(context.Context, *onboard.ListUsersOptions, ...onboard.CallOption) iter.Seq2[onboard.User,error]",
			"Users.ListPage(context.Context, *onboard.ListUsersOptions, ...onboard.CallOption) (*onboard.UserPage, error)",
			"Users.UpdateEntities(context.Context, string, *onboard.UpdateEntitiesRequest, ...onboard.CallOption) (*onboard.User, error)",
			"Users.UpdateStatusBulk(context.Context, *onboard.BulkStatusRequest, ...onboard.CallOption) (*onboard.BulkStatusResult, error)",
			"Users.UpdateStatusBulkAll(context.Context, *onboard.BulkStatusRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Users.UpdateStatusBulkSeq(context.Context, *onboard.BulkStatusRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Invites *onboard.AptlyInvites",
			"Invites.ResendBulk(context.Context, *onboard.BulkResendRequest, ...onboard.CallOption) (*onboard.BulkResendResult, error)",
			"Invites.ResendBulkAll(context.Context, *onboard.BulkResendRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Invites.ResendBulkSeq(context.Context, *onboard.BulkResendRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Invites.SendBulk(context.Context, *onboard.BulkInviteRequest, ...onboard.CallOption) (*onboard.BulkInviteResult, error)",
			"Invites.SendBulkAll(context.Context, *onboard.BulkInviteRequest, []onboard.Invitee, ...onboard.BulkOption) (*onboard.BulkReport[onboard.Invitee], error)",
			"Invites.SendBulkSeq(context.Context, *onboard.BulkInviteRequest, iter.Seq[onboard.Invitee], ...onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.Invitee]]",
		}, clientMethods...),
		"AthenaClient": append([]string{
			"Invites *onboard.AthenaInvites",
			"Invites.Send(context.Context, *onboard.AthenaInviteRequest, ...onboard.CallOption) (*onboard.AthenaInviteResult, error)",
			"Invites.SendToTargets(context.Context, *onboard.TargetInviteRequest, ...onboard.CallOption) (*onboard.TargetInviteResult, error)",
			"Invites.SendToTargetsAll(context.Context, *onboard.TargetInviteRequest, []onboard.Target, ...onboard.BulkOption) (*onboard.BulkReport[onboard.Target], error)",
			"Invites.SendToTargetsSeq(context.Context, *onboard.TargetInviteRequest, iter.Seq[onboard.Target], ...onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.Target]]",
			"Members *onboard.AthenaMembers",
			"Members.ListForGroup(context.Context, string, *onboard.GroupMembersOptions, ...onboard.CallOption) ([]onboard.Member, error)",
			"Members.ListForWebsite(context.Context, string, ...onboard.CallOption) ([]onboard.Member, error)",
			"Members.RemoveFromOrganization(context.Context, string, ...onboard.CallOption) (*onboard.OrganizationRemovalResult, error)",
			"Members.RemoveFromWebsite(context.Context, string, string, ...onboard.CallOption) (*onboard.WebsiteRemovalResult, error)",
			"Members.UpdateOrganizationRole(context.Context, string, onboard.Role, ...onboard.CallOption) (*onboard.OrganizationRoleResult, error)",
			"Members.UpdateWebsiteRole(context.Context, string, string, onboard.Role, ...onboard.CallOption) error",
		}, clientMethods...),
		"RoyaltiClient": append([]string{
			"Users *onboard.RoyaltiUsers",
			"Users.AddToWorkspace(context.Context, string, *onboard.AddToWorkspaceRequest, ...onboard.CallOption) error",
			"Users.CreateBulk(context.Context, *onboard.CreateUsersRequest, ...onboard.CallOption) (*onboard.CreateUsersResult, error)",
			"Users.CreateBulkAll(context.Context, *onboard.CreateUsersRequest, []onboard.WorkspaceUser, ...onboard.BulkOption) (*onboard.BulkReport[onboard.WorkspaceUser], error)",
			"Users.CreateBulkSeq(context.Context, *onboard.CreateUsersRequest, iter.Seq[onboard.WorkspaceUser], ...onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.WorkspaceUser]]",
			"Users.Delete(context.Context, string, ...onboard.CallOption) error",
			"Users.DeleteBulk(context.Context, *onboard.RoyaltiDeleteUsersRequest, ...onboard.CallOption) (*onboard.RoyaltiDeleteUsersResult, error)",
			"Users.DeleteBulkAll(context.Context, *onboard.RoyaltiDeleteUsersRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Users.DeleteBulkSeq(context.Context, *onboard.RoyaltiDeleteUsersRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Users.Get(context.Context, string, ...onboard.CallOption) (*onboard.RoyaltiUserDetail, error)",
			"Users.List(context.Context, *onboard.ListWorkspaceUsersOptions, ...onboard.CallOption) iter.Seq2[onboard.RoyaltiUser,error]",
			"Users.ListPage(context.Context, *onboard.ListWorkspaceUsersOptions, ...onboard.CallOption) (*onboard.RoyaltiUserPage, error)",
			"Invites *onboard.RoyaltiInvites",
			"Invites.Cancel(context.Context, string, ...onboard.CallOption) error",
			"Invites.List(context.Context, *onboard.ListInvitesOptions, ...onboard.CallOption) iter.Seq2[onboard.RoyaltiInvite,error]",
			"Invites.ListPage(context.Context, *onboard.ListInvitesOptions, ...onboard.CallOption) (*onboard.RoyaltiInvitePage, error)",
			"Invites.Resend(context.Context, string, *onboard.RoyaltiResendRequest, ...onboard.CallOption) (*onboard.InviteResult, error)",
			"Invites.Send(context.Context, *onboard.InviteRequest, ...onboard.CallOption) (*onboard.InviteResult, error)",
		}, clientMethods...),
	}
	for _, c := range []any{(*onboard.AptlyClient)(nil), (*onboard.AthenaClient)(nil), (*onboard.RoyaltiClient)(nil)} {
		name := reflect.TypeOf(c).Elem().Name()
		assert.Equal(t, want[name], surface(c), name)
	}
}
