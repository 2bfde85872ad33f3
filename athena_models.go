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

// AthenaRoleOwner is the role of the organization's owner. It shows in member
// lists; no endpoint gives it, and the owner's role cannot be changed nor
// the owner removed.
const AthenaRoleOwner AthenaRole = "owner"

// AthenaScope is what an AthenaHQ invite grants, or a member's access
// comes through: the organization, one website or one group.
type AthenaScope string

// The scopes AthenaHQ documents.
const (
	// AthenaScopeOrganization is the whole organization, every website
	// and group in it included.
	AthenaScopeOrganization AthenaScope = "organization"
	// AthenaScopeWebsite is one website (website_id, website_ids).
	AthenaScopeWebsite AthenaScope = "website"
	// AthenaScopeGroup is one group (group_id, group_ids), and through it
	// every website in it; group invites need a global API key.
	AthenaScopeGroup AthenaScope = "group"
)

// AthenaMember is one person with access to an AthenaHQ website or group.
type AthenaMember struct {
	// UserID is the person's AthenaHQ user id, the user_id the other
	// member calls take.
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	// Role is the member's role. The documents do not list its values:
	// expect AthenaRoleAdmin and AthenaRoleViewer, and AthenaRoleOwner for the
	// organization's owner.
	Role AthenaRole `json:"role"`
	// AccessType says whether the access comes from the organization or
	// from the member's own row in the website or group.
	AccessType AthenaScope `json:"access_type"`
	// CreatedAt is the member's created_at; the documents do not say what
	// it dates (presumably when the access began).
	CreatedAt time.Time `json:"created_at"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
}
