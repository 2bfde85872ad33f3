// Package onboard is a client for the invite and user-creation APIs of
// Aptly, AthenaHQ and Royalti.
//
// # Clients
//
// Each service has a client type of its own, made with one credential and
// offering only what that service has, so that a call the service lacks
// does not compile:
//
//   - AptlyClient, from NewAptlyClient with BearerToken or AptlyAccessKey:
//     Users.Create creates one user in a tenant, and Invites.SendBulk
//     invites people by email into a tenant.
//   - AthenaClient, from NewAthenaClient with APIKey: Invites.SendToTargets
//     invites one person to up to MaxTargets websites or groups.
//   - RoyaltiClient, from NewRoyaltiClient with BearerToken (Royalti API
//     keys are bearer tokens too) or BasicAuth: Users.CreateBulk creates
//     users in the credential's workspace, and Invites.Send invites one
//     person.
//
// For example:
//
//	aptly, err := onboard.NewAptlyClient(onboard.AptlyUSURL, onboard.BearerToken(token))
//	u, err := aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{
//		TenantID: tenantID, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
//	})
//
// A constructor makes no network call and reads no environment, and refuses
// an AptlyAccessKey for a service other than Aptly. A client is safe for
// concurrent use: make one per credential and reuse it. Every method
// validates its input before sending anything, sends through one pipeline
// with retries that are safe for requests that create things, and returns
// typed results; WithResponse gives a call's status, request id, rate limit
// and Aptly's envelope.
//
// # Bulk
//
// The one-request bulk methods answer per item: BulkInviteResult,
// TargetInviteResult and CreateUsersResult offer Succeeded and Failed views,
// and CreateUsersResult.Outcomes ties Royalti's answer, which gives only
// names, to each user sent.
//
// For any number of items, each bulk endpoint has a ...All method (a slice
// in, a *BulkReport out) and a ...Seq method (an iter.Seq in, outcomes
// streamed with bounded memory): AptlyInvites.SendBulkAll and SendBulkSeq,
// RoyaltiUsers.CreateBulkAll and CreateBulkSeq, AthenaInvites.SendToTargetsAll
// and SendToTargetsSeq. Each takes the request every batch shares, without
// its list, and the items beside it:
//
//	aptlyReport, err := aptly.Invites.SendBulkAll(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenantID}, people)
//	athenaReport, err := athena.Invites.SendToTargetsAll(ctx, &onboard.AthenaTargetInviteRequest{
//		InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com",
//	}, []onboard.AthenaTarget{onboard.AthenaWebsite(siteID), onboard.AthenaGroup(groupID)})
//
// A run checks each item alone, cuts the valid ones into batches the
// endpoint accepts, sends the batches concurrently (WithBatchSize,
// WithConcurrency), and reports one Outcome per item, in input order:
// StateSucceeded; StateFailed, with the server's reason; StateUnknown, when
// the answer could not be tied to the item for certain; or StateNotSent,
// with the error that kept it back. The error returned is what stopped the
// run early, or nil; the report holds every item even then. WithProgress
// counts the outcomes delivered, and WithBatchEvents tells of each batch,
// with its request id once answered.
//
// # Errors
//
// Input refused before sending is a *ValidationError listing every problem,
// matching ErrInvalidRequest. A failure the server answered is an
// *APIError, which matches the sentinels (ErrConflict, ErrUnauthorized,
// ErrRateLimited, ErrServer, ...) with errors.Is whatever the service's
// error shape, and carries the server's message and request id. A failure
// with no answer, such as a refused connection or the context ending, is a
// *RequestError. Error texts never hold a credential, and mask email
// addresses.
//
// # Testing
//
// Package onboardtest is an in-memory fake of the three APIs, with fixed
// test credentials, state to assert on and faults to inject; point a client
// at its AptlyURL, AthenaURL or RoyaltiURL.
package onboard
