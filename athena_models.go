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

// RoleOwner is the role of the organization's owner. It shows in member
// lists; no endpoint gives it, and the owner's role cannot be changed nor
// the owner removed.
const RoleOwner AthenaRole = "owner"

// AthenaAccessType says how a member has access to an AthenaHQ website or group.
type AthenaAccessType string

// The access types AthenaHQ documents.
const (
	// AthenaAccessOrganization is access through membership of the
	// organization, which reaches every website and group in it.
	AthenaAccessOrganization AthenaAccessType = "organization"
	// AthenaAccessWebsite is access through the member's own row in the website.
	AthenaAccessWebsite AthenaAccessType = "website"
	// AthenaAccessGroup is access through the member's own row in the group.
	AthenaAccessGroup AthenaAccessType = "group"
)

// AthenaMember is one person with access to an AthenaHQ website or group.
type AthenaMember struct {
	// UserID is the person's AthenaHQ user id, the user_id the other
	// member calls take.
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	// Role is the member's role. The documents do not list its values:
	// expect RoleAdmin and RoleViewer, and RoleOwner for the
	// organization's owner.
	Role AthenaRole `json:"role"`
	// AccessType says whether the access comes from the organization or
	// from the member's own row in the website or group.
	AccessType AthenaAccessType `json:"access_type"`
	// CreatedAt is the member's created_at; the documents do not say what
	// it dates (presumably when the access began).
	CreatedAt time.Time `json:"created_at"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
}
