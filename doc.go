// Package onboard is a client for the invite and user APIs of Aptly,
// AthenaHQ and Royalti.
//
// Each service has a client of its own, so that a call the service lacks
// does not compile: AptlyClient (NewAptlyClient with BearerToken or
// AptlyAccessKey), AthenaClient (NewAthenaClient with APIKey) and
// RoyaltiClient (NewRoyaltiClient with BearerToken or BasicAuth). A
// constructor makes no network call and reads no environment. A client is
// safe for concurrent use: make one per credential and reuse it.
//
//	aptly, err := onboard.NewAptlyClient(onboard.AptlyUSURL, onboard.BearerToken(token))
//	u, err := aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{
//		TenantID: tenantID, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
//	})
//
// Every method validates its input before sending, retries only what the
// server certainly did not process, and returns typed results; lists are
// iterators. WithResponse gives a call's status, request id and rate limit.
//
// # Bulk
//
// Each bulk endpoint has a one-request method and ...All (a slice in, a
// *BulkReport out) and ...Seq (an iter.Seq in, outcomes streamed) forms,
// which take the request every batch shares and the items beside it:
//
//	report, err := aptly.Invites.SendBulkAll(ctx, &onboard.AptlyBulkInviteRequest{TenantID: tenantID}, people)
//
// A run checks each item, sends valid ones in concurrent batches and
// reports one Outcome per item, in input order: succeeded, failed, unknown
// or not sent. The error returned is what stopped the run early, or nil.
//
// # Errors
//
// Input refused before sending is a *ValidationError; a failure the server
// answered an *APIError; a call with no answer a *RequestError. Match them
// with errors.Is against ErrInvalidRequest, ErrConflict, ErrRateLimited and
// the other sentinels. Error texts never hold a credential, and mask email
// addresses.
//
// # Testing
//
// Package onboardtest is an in-memory fake of the three APIs; point a
// client at its AptlyURL, AthenaURL or RoyaltiURL.
package onboard
