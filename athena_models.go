package onboard

import (
	"time"
)

// AthenaRole is the role AthenaHQ gives an invited person on each target.
type AthenaRole string

// The roles AthenaHQ documents. The server's default is AthenaRoleViewer.
const (
	AthenaRoleAdmin  AthenaRole = "admin"
	AthenaRoleViewer AthenaRole = "viewer"
)

// AthenaRoleOwner is the organization's owner, shown in member lists; no
// endpoint gives it, changes it or removes its holder.
const AthenaRoleOwner AthenaRole = "owner"

// AthenaScope is what an AthenaHQ invite grants, or a member's access comes
// through.
type AthenaScope string

// The scopes AthenaHQ documents.
const (
	// AthenaScopeOrganization includes every website and group.
	AthenaScopeOrganization AthenaScope = "organization"
	AthenaScopeWebsite      AthenaScope = "website"
	// AthenaScopeGroup includes the group's websites; group invites need a
	// global API key.
	AthenaScopeGroup AthenaScope = "group"
)

// AthenaMember is one person with access to an AthenaHQ website or group.
type AthenaMember struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	// Role's values are not documented; expect admin, viewer and owner.
	Role AthenaRole `json:"role"`
	// AccessType says whether access comes from the organization or the
	// member's own row.
	AccessType AthenaScope `json:"access_type"`
	// CreatedAt is presumably when the access began; the documents do not say.
	CreatedAt time.Time `json:"created_at"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
}
