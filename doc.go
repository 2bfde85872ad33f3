// Package onboard is a client for the invite and user-creation APIs of
// Aptly, AthenaHQ and Royalti.
//
// A Client talks to one service with one credential:
//
//	c, err := onboard.NewClient(onboard.AptlyUSURL, onboard.BearerToken(token))
//	u, err := c.Users.Create(ctx, &onboard.CreateUserRequest{
//		TenantID: tenantID, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
//	})
//
// Every method validates its input before sending anything (a
// *ValidationError lists every problem), sends through one pipeline with
// retries that are safe for requests that create things, and returns typed
// results. Failures from the server are *APIError values that match the
// sentinels (ErrConflict, ErrRateLimited, ...) with errors.Is; failures with
// no answer are *RequestError values.
//
// Bulk endpoints answer per item: BulkInviteResult, TargetInviteResult and
// CreateUsersResult offer Succeeded and Failed views. To onboard any number
// of people, the ...All and ...Seq methods split the input into batches the
// endpoint accepts, run them concurrently, and return one Outcome per input
// item, in input order.
//
// Package onboardtest provides an in-memory fake of all three APIs for tests.
package onboard
