package match

import "strings"

// The refusals below say that what was asked is already so: the person
// exists, or already belongs where they were invited. After a request was
// retried they may be the work of its own earlier attempt, which the
// server did although its answer was lost.

// AptlyAlready reports whether an Aptly bulk-invite result's message says
// the email is already there, as in the documented "Email already exists".
func AptlyAlready(msg string) bool { return containsFold(msg, "already exists") }

// RoyaltiAlready reports whether a Royalti error text says the user is
// already in the workspace, as in the documented "User Jane Doe already
// associated with workspace!".
func RoyaltiAlready(msg string) bool { return containsFold(msg, "already associated with workspace") }

// AthenaAlready reports whether an AthenaHQ per-target error says the
// person is already there: the documented "User is already a member of
// this website", or a pending invite to the target, the state an email
// invite leaves ("User already has a pending invite to this website"; the
// documents name that state but not its wording).
func AthenaAlready(msg string) bool {
	return containsFold(msg, "already a member of this") || containsFold(msg, "already has a pending invite")
}

// containsFold reports whether s contains sub, a lower-case phrase, in any
// letter case.
func containsFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), sub) }
