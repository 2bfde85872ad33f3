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
			"Users.Create(context.Context, *onboard.AptlyCreateUserRequest, ...onboard.CallOption) (*onboard.AptlyUser, error)",
			"Users.DeleteBulk(context.Context, *onboard.AptlyDeleteUsersRequest, ...onboard.CallOption) (*onboard.AptlyDeleteUsersResult, error)",
			"Users.DeleteBulkAll(context.Context, *onboard.AptlyDeleteUsersRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Users.DeleteBulkSeq(context.Context, *onboard.AptlyDeleteUsersRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Users.List(context.Context, *onboard.AptlyListUsersOptions, ...onboard.CallOption) iter.Seq2[onboard.AptlyUser,error]",
			"Users.UpdateEntities(context.Context, string, *onboard.AptlyUpdateEntitiesRequest, ...onboard.CallOption) (*onboard.AptlyUser, error)",
			"Users.UpdateStatusBulk(context.Context, *onboard.AptlyUpdateStatusRequest, ...onboard.CallOption) (*onboard.AptlyUpdateStatusResult, error)",
			"Users.UpdateStatusBulkAll(context.Context, *onboard.AptlyUpdateStatusRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Users.UpdateStatusBulkSeq(context.Context, *onboard.AptlyUpdateStatusRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Invites *onboard.AptlyInvites",
			"Invites.ResendBulk(context.Context, *onboard.AptlyBulkResendRequest, ...onboard.CallOption) (*onboard.AptlyBulkResendResult, error)",
			"Invites.ResendBulkAll(context.Context, *onboard.AptlyBulkResendRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Invites.ResendBulkSeq(context.Context, *onboard.AptlyBulkResendRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Invites.SendBulk(context.Context, *onboard.AptlyBulkInviteRequest, ...onboard.CallOption) (*onboard.AptlyBulkInviteResult, error)",
			"Invites.SendBulkAll(context.Context, *onboard.AptlyBulkInviteRequest, []onboard.AptlyInvitee, ...onboard.BulkOption) (*onboard.BulkReport[onboard.AptlyInvitee], error)",
			"Invites.SendBulkSeq(context.Context, *onboard.AptlyBulkInviteRequest, iter.Seq[onboard.AptlyInvitee], ...onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.AptlyInvitee]]",
		}, clientMethods...),
		"AthenaClient": append([]string{
			"Invites *onboard.AthenaInvites",
			"Invites.Send(context.Context, *onboard.AthenaInviteRequest, ...onboard.CallOption) (*onboard.AthenaInviteResult, error)",
			"Invites.SendToTargets(context.Context, *onboard.AthenaTargetInviteRequest, ...onboard.CallOption) (*onboard.AthenaTargetInviteResult, error)",
			"Invites.SendToTargetsAll(context.Context, *onboard.AthenaTargetInviteRequest, []onboard.AthenaTarget, ...onboard.BulkOption) (*onboard.BulkReport[onboard.AthenaTarget], error)",
			"Invites.SendToTargetsSeq(context.Context, *onboard.AthenaTargetInviteRequest, iter.Seq[onboard.AthenaTarget], ...onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.AthenaTarget]]",
			"Members *onboard.AthenaMembers",
			"Members.ListForGroup(context.Context, string, *onboard.AthenaGroupMembersOptions, ...onboard.CallOption) iter.Seq2[onboard.AthenaMember,error]",
			"Members.ListForWebsite(context.Context, string, ...onboard.CallOption) iter.Seq2[onboard.AthenaMember,error]",
			"Members.RemoveFromOrganization(context.Context, string, ...onboard.CallOption) (*onboard.AthenaMemberResult, error)",
			"Members.RemoveFromWebsite(context.Context, string, string, ...onboard.CallOption) (*onboard.AthenaMemberResult, error)",
			"Members.UpdateOrganizationRole(context.Context, string, onboard.AthenaRole, ...onboard.CallOption) (*onboard.AthenaMemberResult, error)",
			"Members.UpdateWebsiteRole(context.Context, string, string, onboard.AthenaRole, ...onboard.CallOption) error",
		}, clientMethods...),
		"RoyaltiClient": append([]string{
			"Users *onboard.RoyaltiUsers",
			"Users.AddToWorkspace(context.Context, string, *onboard.RoyaltiAddToWorkspaceRequest, ...onboard.CallOption) error",
			"Users.CreateBulk(context.Context, *onboard.RoyaltiCreateUsersRequest, ...onboard.CallOption) (*onboard.RoyaltiCreateUsersResult, error)",
			"Users.CreateBulkAll(context.Context, *onboard.RoyaltiCreateUsersRequest, []onboard.RoyaltiWorkspaceUser, ...onboard.BulkOption) (*onboard.BulkReport[onboard.RoyaltiWorkspaceUser], error)",
			"Users.CreateBulkSeq(context.Context, *onboard.RoyaltiCreateUsersRequest, iter.Seq[onboard.RoyaltiWorkspaceUser], ...onboard.BulkOption) iter.Seq[onboard.Outcome[onboard.RoyaltiWorkspaceUser]]",
			"Users.Delete(context.Context, string, ...onboard.CallOption) error",
			"Users.DeleteBulk(context.Context, *onboard.RoyaltiDeleteUsersRequest, ...onboard.CallOption) (*onboard.RoyaltiDeleteUsersResult, error)",
			"Users.DeleteBulkAll(context.Context, *onboard.RoyaltiDeleteUsersRequest, []string, ...onboard.BulkOption) (*onboard.BulkReport[string], error)",
			"Users.DeleteBulkSeq(context.Context, *onboard.RoyaltiDeleteUsersRequest, iter.Seq[string], ...onboard.BulkOption) iter.Seq[onboard.Outcome[string]]",
			"Users.Get(context.Context, string, ...onboard.CallOption) (*onboard.RoyaltiUserDetail, error)",
			"Users.List(context.Context, *onboard.RoyaltiListUsersOptions, ...onboard.CallOption) iter.Seq2[onboard.RoyaltiUser,error]",
			"Invites *onboard.RoyaltiInvites",
			"Invites.Cancel(context.Context, string, ...onboard.CallOption) error",
			"Invites.List(context.Context, *onboard.RoyaltiListInvitesOptions, ...onboard.CallOption) iter.Seq2[onboard.RoyaltiInvite,error]",
			"Invites.Resend(context.Context, string, *onboard.RoyaltiResendRequest, ...onboard.CallOption) (*onboard.RoyaltiInviteResult, error)",
			"Invites.Send(context.Context, *onboard.RoyaltiInviteRequest, ...onboard.CallOption) (*onboard.RoyaltiInviteResult, error)",
		}, clientMethods...),
	}
	for _, c := range []any{(*onboard.AptlyClient)(nil), (*onboard.AthenaClient)(nil), (*onboard.RoyaltiClient)(nil)} {
		name := reflect.TypeOf(c).Elem().Name()
		assert.Equal(t, want[name], surface(c), name)
	}
}
