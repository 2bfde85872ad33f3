// Package onboardtest provides an in-memory fake of the Aptly, AthenaHQ and
// Royalti invite and user-creation APIs, in the spirit of net/http/httptest.
//
// A Server listens on a loopback address and serves the five documented
// endpoints, each service under its own path prefix:
//
//	POST {AptlyURL}/v1/user/create
//	POST {AptlyURL}/v1/user/bulk-invite
//	POST {AptlyURL}/v1/tenants/access-key/exchange
//	POST {AthenaURL}/api/v1/invites/bulk
//	POST {RoyaltiURL}/user/bulk
//	POST {RoyaltiURL}/auth/invite?workspaceId=&userId=
//
// and the invite and user lifecycle. Where the documents are silent the
// fake assumes what is noted here; each handler's comment says more, and
// the paging limits are exported constants:
//
//	GET    {AptlyURL}/v1/user?page=&limit=            page from 1; limit 10 by default, at most 100; every tenant, oldest first
//	POST   {AptlyURL}/v1/user/bulk-resend-invite      only INVITED users are resent; HTTP 201, "statusCode": 200
//	PATCH  {AptlyURL}/v1/user/bulk-status-update      counts only; an unknown id counts as failed
//	DELETE {AptlyURL}/v1/user/bulk-delete             JSON body; users are removed; deletedCount counts removals
//	PATCH  {AptlyURL}/v1/user/update-entities/{id}    {id} is the user's uuid; absent fields stay; arrays replace
//	POST   {AthenaURL}/api/v1/invites                 organization and group invites need the global key
//	PATCH  {AthenaURL}/api/v1/organizations/members/{user_id}              global key; owner, key's user, last admin: 403
//	DELETE {AthenaURL}/api/v1/organizations/members/{user_id}              the same rules; website and group rows go too
//	GET    {AthenaURL}/api/v1/websites/{website_id}/members                any uuid is a website; no paging
//	PATCH  {AthenaURL}/api/v1/websites/{website_id}/members/{user_id}      answers {"success": true} only
//	DELETE {AthenaURL}/api/v1/websites/{website_id}/members/{user_id}      access through the organization: 409
//	GET    {AthenaURL}/api/v1/groups/{group_id}/members?access_type=       global key; no paging
//	GET    {RoyaltiURL}/user/invites?status=&page=&size=    newest first; paged only when size is sent (at most 100)
//	POST   {RoyaltiURL}/user/invites/{inviteId}/resend      only invited invites (409 otherwise); body optional
//	POST   {RoyaltiURL}/user/invites/{id}/cancel            no body; 200 {"message"}; a joined invite is 409
//	GET    {RoyaltiURL}/user/?q=&page=&size=&sort=&order=&role=   size 10 by default, at most 100; updatedAt desc
//	GET    {RoyaltiURL}/user/{id}                           invite is the latest invite, or null
//	DELETE {RoyaltiURL}/user/{id}                           200 {"message"}; the user's invites go too
//	PUT    {RoyaltiURL}/user/{id}/aut                       joins, re-invites or resends; 200 {}
//	POST   {RoyaltiURL}/user/bulk/delete                    unknown ids are listed in failedDeletions
//
// List endpoints refuse query parameters the documents do not name, and
// endpoints without a documented body refuse one. The people the v0.1
// endpoints invite or create show in these lists (AthenaHQ's email invites
// once accepted: no endpoint lists pending ones). An invite stays pending
// until a test accepts it with AcceptAptlyInvite, AcceptRoyaltiInvite or
// AcceptAthenaInvite, and State returns a copy of everything held.
//
// It speaks the wire format of the services' documents with its own types:
// exact JSON names, each service's success and error shapes (Aptly's
// envelope answered with HTTP 201 and "statusCode": 200, AthenaHQ's
// {"error"}, Royalti's structured and plain errors), authentication with
// the credentials exported as constants, and per-item outcomes of bulk
// calls. Unknown JSON fields, and names that differ from the documents' only
// in letter case, are refused with a 400 naming the field, so a client that
// misspells a field fails against the fake.
//
// State (users, memberships, pending invites) is kept in memory and can be
// read and seeded through Server methods. Every request is counted and the
// most recent ones are recorded. Tests can inject faults (error statuses
// with Retry-After, dropped or truncated connections, bodies that are not
// JSON, latency, or answers lost after the work was done) and impose a
// per-credential rate limit. WithClock sets the time the fake dates the
// users and invites it stores with, as well as its answers.
//
// A client that paces itself is as slow against the fake as against the
// service: the onboard SDK's AthenaHQ client sends at most one request
// every 1.1 s by default, so a test inviting 300 people one call each
// takes five and a half minutes. Turn pacing off in tests
// (onboard.WithoutPacing), or test it with a fast limiter of the client's
// and SetRateLimit.
//
// NewServerOn serves the same fake on a listener of the caller's choosing,
// for a fake that outlives a test, and WithInspection adds two read-only
// endpoints, GET /_fake/state and GET /_fake/requests (credentials
// redacted), for tests written in other languages. The onboard command's
// "onboard fake" serves both.
//
// A short example, with plain net/http:
//
//	srv := onboardtest.NewServer()
//	defer srv.Close()
//
//	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//	defer cancel()
//	body := strings.NewReader(`{"email":"ada@example.com","firstName":"Ada"}`)
//	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.RoyaltiURL()+"/auth/invite", body)
//	req.Header.Set("Authorization", "Bearer "+onboardtest.RoyaltiToken)
//	req.Header.Set("Content-Type", "application/json")
//	resp, err := srv.Client().Do(req) // 201 Created
//	// ...
//	users := srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID) // holds ada@example.com
//
// And to see how a client copes when the server did the work but answered
// as if it had not: a 503 with Retry-After says "not done, try again later",
// and clients retry it; the retry then meets the first attempt's work, and
// Aptly answers "Email already exists" for every person:
//
//	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1,
//		Status: http.StatusServiceUnavailable, RetryAfter: "2", Process: true})
//
// Every recorded request holds the status it was answered with
// (RecordedRequest.Status), 0 for one that got no answer.
//
// The package does not import the onboard SDK: it is the independent
// reference the SDK is tested against.
package onboardtest
