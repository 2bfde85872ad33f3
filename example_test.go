package onboard_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// exampleAPI stands in for the three services so that the examples run with
// no credentials and no network: Aptly under /auth, as in its real base URL,
// and AthenaHQ and Royalti at the root. In your code, pass the base-URL
// constants instead (onboard.AptlyStagingURL, onboard.AthenaHQURL,
// onboard.RoyaltiURL) and your real credentials.
func exampleAPI() *httptest.Server {
	mux := http.NewServeMux()
	write := func(w http.ResponseWriter, status int, v any, header ...string) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	envelope := func(status int, message string, data any) map[string]any {
		return map[string]any{"statusCode": status, "timestamp": "2026-01-12T09:10:12.337Z", "message": message, "data": data}
	}
	authorized := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") == "" && r.Header.Get("x-api-key") == "" {
			write(w, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"})
			return false
		}
		return true
	}

	// Aptly: create one user.
	mux.HandleFunc("POST /auth/v1/user/create", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ FirstName, LastName, Email string }
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
		write(w, http.StatusCreated, envelope(200, "Success", map[string]any{
			"id": "6a7d8103-8d39-4fb4-a45e-f4607b5b8476", "email": req.Email, "firstName": req.FirstName,
			"lastName": req.LastName, "status": "ACTIVE", "createdOn": "2026-01-12T09:10:12.337Z",
		}), "X-Request-Id", "req-aptly-1")
	})

	// Aptly: invite many by email; an address already known fails alone.
	// Each answer has its own request id, numbered in the order received.
	var bulkInvites atomic.Int64
	mux.HandleFunc("POST /auth/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Users []struct{ Email string } }
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
		id := "req-aptly-bulk-" + strconv.FormatInt(bulkInvites.Add(1), 10)
		results, ok := []map[string]any{}, 0
		for _, u := range req.Users {
			if strings.HasPrefix(u.Email, "grace") {
				results = append(results, map[string]any{"email": u.Email, "success": false, "message": "Email already exists"})
				continue
			}
			ok++
			results = append(results, map[string]any{"email": u.Email, "success": true, "message": "Invitation sent"})
		}
		write(w, http.StatusCreated, envelope(200, "Success", map[string]any{
			"total": len(req.Users), "successful": ok, "failed": len(req.Users) - ok, "results": results,
		}), "X-Request-Id", id)
	})

	// AthenaHQ: one person to several websites or groups, each on its own;
	// the person is already a member of website 987e6543-....
	mux.HandleFunc("POST /api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			WebsiteIDs []string `json:"website_ids"`
			GroupIDs   []string `json:"group_ids"`
		}
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
		results := []map[string]any{}
		for _, t := range []struct {
			key, kind string
			ids       []string
		}{
			{"website_id", "website", req.WebsiteIDs}, {"group_id", "group", req.GroupIDs},
		} {
			for _, id := range t.ids {
				if strings.HasPrefix(id, "987e6543") {
					results = append(results, map[string]any{t.key: id, "success": false, "error": "User is already a member of this " + t.kind})
					continue
				}
				results = append(results, map[string]any{t.key: id, "success": true, "message": "User added to " + t.kind,
					"user_id": "abc12345-e89b-12d3-a456-426614174000"})
			}
		}
		write(w, http.StatusOK, map[string]any{"success": true, "results": results},
			"X-Request-Id", "req-athena-7", "X-Rate-Limit-Limit", "60", "X-Rate-Limit-Remaining", "59", "X-Rate-Limit-Reset", "1767225600")
	})

	// Royalti: create many users; answers by name.
	mux.HandleFunc("POST /user/bulk", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Users []struct{ FirstName, LastName string }
		}
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
		created, failed := []string{}, []string{}
		for _, u := range req.Users {
			name := u.FirstName + " " + u.LastName
			if u.FirstName == "Jane" {
				failed = append(failed, "User "+name+" already associated with workspace!")
				continue
			}
			created = append(created, name)
		}
		write(w, http.StatusCreated, map[string]any{"message": "Done.", "createdUsers": created,
			"processedCount": len(req.Users), "errors": failed})
	})

	// Royalti: invite one person; someone already in the workspace is a 409.
	mux.HandleFunc("POST /auth/invite", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Email string }
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
		if req.Email == "grace@example.com" {
			write(w, http.StatusConflict, map[string]any{"success": false, "error": map[string]any{
				"code": "USER_EXISTS", "message": "User already associated with workspace"}}, "X-Request-Id", "req-royalti-9")
			return
		}
		write(w, http.StatusCreated, map[string]string{
			"message": "Successful, Email verification Instructions have been sent to your email"})
	})
	return httptest.NewServer(mux)
}

// Each service has its own client type, offering what that service offers:
// an *AptlyClient has Users and Invites.
func ExampleNewAptlyClient() {
	client, err := onboard.NewAptlyClient(onboard.AptlyStagingURL, onboard.BearerToken("aptly-token"))
	if err != nil {
		log.Fatal(err)
	}
	// A machine key is exchanged for a bearer token on the first call.
	machine, err := onboard.NewAptlyClient(onboard.AptlyUSURL, onboard.AptlyAccessKey("aptly-access-key"), onboard.WithRetry(3))
	if err != nil {
		log.Fatal(err)
	}
	// Printing a client never shows its credential.
	fmt.Println(client)
	fmt.Println(machine)

	// Making a client sends nothing; a base URL that would send the
	// credential in the clear is refused at once.
	_, err = onboard.NewAptlyClient("http://api.example.com", onboard.BearerToken("t"))
	fmt.Println(err)
	// Output:
	// onboard.AptlyClient{base: https://staging.api.us.aptlydone.com/auth, auth: BearerToken(redacted)}
	// onboard.AptlyClient{base: https://api.us.aptlydone.com/auth, auth: AptlyAccessKey(redacted)}
	// onboard: NewAptlyClient: base URL "http://api.example.com" is plain http on a host that is not loopback; use https, or WithInsecureHTTP if you must
}

// The service is in the type: an *AthenaClient has Invites, to websites
// and groups, and no Users, since AthenaHQ has no user API. A call the
// service does not have fails to compile rather than failing at run time,
// and a credential of another service is refused when the client is made.
func ExampleNewAthenaClient() {
	// AthenaHQ allows 60 requests a minute; this limiter keeps within it.
	limit := rate.NewLimiter(rate.Every(1100*time.Millisecond), 1)
	athena, err := onboard.NewAthenaClient(onboard.AthenaHQURL, onboard.APIKey("athena-key"), onboard.WithRateLimiter(limit))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(athena)
	fmt.Printf("%T\n", athena.Invites)
	// athena.Users.Create(...) does not compile.

	royalti, err := onboard.NewRoyaltiClient(onboard.RoyaltiURL, onboard.BearerToken("royalti-key"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T %T\n", royalti.Users, royalti.Invites)

	_, err = onboard.NewAthenaClient(onboard.AthenaHQURL, onboard.AptlyAccessKey("aptly-access-key"))
	fmt.Println(err)
	// Output:
	// onboard.AthenaClient{base: https://api.athenahq.ai, auth: APIKey(redacted)}
	// *onboard.AthenaInvites
	// *onboard.RoyaltiUsers *onboard.RoyaltiInvites
	// onboard: NewAthenaClient: AptlyAccessKey works only with NewAptlyClient; pass this service's own credential
}

func ExampleAptlyUsers_Create() {
	srv := exampleAPI()
	defer srv.Close()

	// In your code: onboard.NewAptlyClient(onboard.AptlyStagingURL, ...).
	client, err := onboard.NewAptlyClient(srv.URL+"/auth", onboard.BearerToken("aptly-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	user, err := client.Users.Create(context.Background(), &onboard.AptlyCreateUserRequest{
		TenantID:       "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52",
		FirstName:      "Ada",
		LastName:       "Lovelace",
		Email:          "ada@example.com",
		Groups:         []onboard.AptlyGroupAssignment{{GroupID: "953061c2-c35d-4c11-be4c-6e1124c6eeec", IsPrimaryOrg: onboard.Ptr(true)}},
		InviteViaEmail: onboard.Ptr(false), // false is sent, not left to the server's default
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(user.ID, user.Email, user.Status, user.CreatedOn.Format("2006-01-02"))
	// Output: 6a7d8103-8d39-4fb4-a45e-f4607b5b8476 ada@example.com ACTIVE 2026-01-12
}

func ExampleAptlyInvites_SendBulk() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewAptlyClient(srv.URL+"/auth", onboard.BearerToken("aptly-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Invites.SendBulk(context.Background(), &onboard.AptlyBulkInviteRequest{
		TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b",
		Users: []onboard.AptlyInvitee{
			{Email: "ada@example.com", FirstName: "Ada", CustomAttributes: map[string]string{"department": "Engineering"}},
			{Email: "grace@example.com", FirstName: "Grace"},
			{Email: "alan@example.com", FirstName: "Alan"},
		},
	})
	if err != nil {
		fmt.Println(err) // the whole request failed
		return
	}
	fmt.Printf("%d of %d invited\n", res.SuccessfulCount, res.Total)
	for _, r := range res.Results {
		if !r.Success { // a refused person is a failed item, not an error
			fmt.Printf("%s: %s\n", r.Email, r.Message)
		}
	}
	// Output:
	// 2 of 3 invited
	// grace@example.com: Email already exists
}

// SendBulkAll takes any number of people: the request gives what every
// batch shares, and the people are passed beside it. The report holds one
// outcome per person, in input order, even when the run stops early.
func ExampleAptlyInvites_SendBulkAll() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewAptlyClient(srv.URL+"/auth", onboard.BearerToken("aptly-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	people := []onboard.AptlyInvitee{
		{Email: "ada@example.com", FirstName: "Ada"},
		{Email: "grace@example.com", FirstName: "Grace"},
		{Email: "alan@example", FirstName: "Alan"}, // not valid: not sent
		{Email: "katherine@example.com", FirstName: "Katherine"},
		{Email: "margaret@example.com", FirstName: "Margaret"},
	}
	rep, err := client.Invites.SendBulkAll(context.Background(),
		&onboard.AptlyBulkInviteRequest{TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b"}, people,
		onboard.WithBatchSize(2))
	if err != nil {
		fmt.Println("stopped early:", err) // a 401, the context ending, ...
	}
	for _, o := range rep.Outcomes {
		switch o.State {
		case onboard.StateSucceeded:
			fmt.Printf("%d %s: invited\n", o.Index, o.Item.Email)
		case onboard.StateNotSent: // o.Err says why; error text masks addresses
			fmt.Printf("%d %s: not sent: %v\n", o.Index, o.Item.Email, o.Err)
		default: // failed, with the server's reason; or unknown: check before resending
			fmt.Printf("%d %s: %s: %s\n", o.Index, o.Item.Email, o.State, o.Message)
		}
	}
	c := rep.Counts()
	fmt.Printf("%d invited, %d failed, %d not sent\n", c.Succeeded, c.Failed, c.NotSent)
	fmt.Println(len(rep.Items(onboard.StateNotSent)), "to fix and send again")
	// Output:
	// 0 ada@example.com: invited
	// 1 grace@example.com: failed: Email already exists
	// 2 alan@example: not sent: onboard: aptly: Invites.SendBulkAll: invalid request, nothing was sent: users[2].email: "a***@example" is not a valid email address
	// 3 katherine@example.com: invited
	// 4 margaret@example.com: invited
	// 3 invited, 1 failed, 1 not sent
	// 1 to fix and send again
}

func ExampleAthenaInvites_SendToTargets() {
	srv := exampleAPI()
	defer srv.Close()

	// In your code: onboard.NewAthenaClient(onboard.AthenaHQURL, onboard.APIKey(key)).
	client, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("athena-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Invites.SendToTargets(context.Background(), &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteDirect,
		Email:        "user@example.com",
		Role:         onboard.AthenaRoleViewer,
		WebsiteIDs:   []string{"123e4567-e89b-12d3-a456-426614174000", "987e6543-e21b-12d3-a456-426614174000"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Results {
		if r.Success {
			fmt.Printf("%s: %s\n", r.WebsiteID, r.Message)
		} else {
			fmt.Printf("%s: failed: %s\n", r.WebsiteID, r.Message)
		}
	}
	// Output:
	// 123e4567-e89b-12d3-a456-426614174000: User added to website
	// 987e6543-e21b-12d3-a456-426614174000: failed: User is already a member of this website
}

// SendToTargetsAll invites one person to any number of websites and groups:
// the request says whom and how, and the targets are passed beside it. One
// request carries one kind of target, at most MaxTargets; the run sends as
// many as it needs.
func ExampleAthenaInvites_SendToTargetsAll() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("athena-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	targets := []onboard.AthenaTarget{
		onboard.AthenaWebsite("123e4567-e89b-12d3-a456-426614174000"),
		onboard.AthenaWebsite("987e6543-e21b-12d3-a456-426614174000"),
		onboard.AthenaGroup("456e7890-e89b-12d3-a456-426614174000"), // groups need a global API key
		onboard.AthenaGroup("789e0123-e89b-12d3-a456-426614174000"),
	}
	rep, err := client.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteDirect,
		Email:        "user@example.com",
		Role:         onboard.AthenaRoleViewer,
	}, targets)
	if err != nil {
		fmt.Println("stopped early:", err)
	}
	for _, o := range rep.Outcomes {
		kind := "website"
		if o.Item.Kind == onboard.AthenaScopeGroup {
			kind = "group"
		}
		fmt.Printf("%s %s: %s: %s\n", kind, o.Item.ID[:8], o.State, o.Message)
	}
	fmt.Println("user id:", rep.Outcomes[0].UserID)
	// Output:
	// website 123e4567: succeeded: User added to website
	// website 987e6543: failed: User is already a member of this website
	// group 456e7890: succeeded: User added to group
	// group 789e0123: succeeded: User added to group
	// user id: abc12345-e89b-12d3-a456-426614174000
}

func ExampleRoyaltiUsers_CreateBulk() {
	srv := exampleAPI()
	defer srv.Close()

	// In your code: onboard.NewRoyaltiClient(onboard.RoyaltiURL, onboard.BearerToken(apiKey)).
	client, err := onboard.NewRoyaltiClient(srv.URL, onboard.BearerToken("royalti-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Users.CreateBulk(context.Background(), &onboard.RoyaltiCreateUsersRequest{
		Users: []onboard.RoyaltiWorkspaceUser{
			{FirstName: "John", LastName: "Doe", Email: "john@example.com", Role: "admin"},
			{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		},
		SendEmail: onboard.Ptr(false),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message, res.CreatedUsers)
	// Royalti answers by name; Outcomes ties the answer to each input.
	for _, o := range res.Outcomes {
		switch o.State {
		case onboard.StateSucceeded:
			fmt.Printf("%d %s: created\n", o.Index, o.Item.Email)
		case onboard.StateFailed:
			fmt.Printf("%d %s: refused: %s\n", o.Index, o.Item.Email, o.Message)
		default: // the answer could not be tied to this user for certain
			fmt.Printf("%d %s: unknown: %s\n", o.Index, o.Item.Email, o.Message)
		}
	}
	// Output:
	// Done. [John Doe]
	// 0 john@example.com: created
	// 1 jane@example.com: refused: User Jane Doe already associated with workspace!
}

// CreateBulkSeq reads users from a sequence as it sends them, here rows of
// CSV, so that a file of any length is read once with bounded memory.
// Outcomes come in input order as the loop ranges.
func ExampleRoyaltiUsers_CreateBulkSeq() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewRoyaltiClient(srv.URL, onboard.BearerToken("royalti-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	const file = "first,last,email\nJohn,Doe,john@example.com\nJane,Doe,jane@example.com\nMary,Major,mary@example.com\n"
	var readErr error
	users := func(yield func(onboard.RoyaltiWorkspaceUser) bool) {
		r := csv.NewReader(strings.NewReader(file))
		for row := 0; ; row++ {
			rec, err := r.Read()
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
			if row > 0 && !yield(onboard.RoyaltiWorkspaceUser{FirstName: rec[0], LastName: rec[1], Email: rec[2]}) {
				return
			}
		}
	}
	req := &onboard.RoyaltiCreateUsersRequest{SendEmail: onboard.Ptr(false)}
	for o := range client.Users.CreateBulkSeq(context.Background(), req, users, onboard.WithBatchSize(2)) {
		if errors.Is(o.Err, onboard.ErrStopped) {
			fmt.Println("stopped:", o.Err) // the last outcome; the rest was not read
			break
		}
		line := fmt.Sprintf("%d %s: %s", o.Index, o.Item.Email, o.State)
		if o.Message != "" {
			line += ": " + o.Message
		}
		fmt.Println(line)
	}
	if readErr != nil {
		fmt.Println("reading the file:", readErr)
	}
	// Output:
	// 0 john@example.com: succeeded
	// 1 jane@example.com: failed: User Jane Doe already associated with workspace!
	// 2 mary@example.com: succeeded
}

func ExampleRoyaltiInvites_Send() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewRoyaltiClient(srv.URL, onboard.BearerToken("royalti-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Invites.Send(context.Background(), &onboard.RoyaltiInviteRequest{
		Email:       "jsmith@example.com",
		FirstName:   "Jo",
		Role:        "admin",
		SendEmail:   onboard.Ptr(true),
		WorkspaceID: "d1a9c2f0-workspace", // sent as ?workspaceId=
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message)
	// Output: Successful, Email verification Instructions have been sent to your email
}

// Errors from the server are *APIError values; errors.Is matches the kind of
// failure whatever the service's error shape.
func ExampleAPIError() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewRoyaltiClient(srv.URL, onboard.BearerToken("royalti-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.Invites.Send(context.Background(), &onboard.RoyaltiInviteRequest{Email: "grace@example.com"})

	switch {
	case errors.Is(err, onboard.ErrConflict):
		fmt.Println("already a member")
	case errors.Is(err, onboard.ErrUnauthorized):
		fmt.Println("check the API key")
	case errors.Is(err, onboard.ErrRateLimited), errors.Is(err, onboard.ErrServer):
		fmt.Println("try again later")
	}
	var apiErr *onboard.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID)
	}
	// Output:
	// already a member
	// 409 USER_EXISTS User already associated with workspace req-royalti-9
}

// Input is checked before anything is sent, and every problem is listed.
func ExampleValidationError() {
	client, err := onboard.NewAthenaClient(onboard.AthenaHQURL, onboard.APIKey("athena-key"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Invites.SendToTargets(context.Background(), &onboard.AthenaTargetInviteRequest{
		InviteMethod: "sms",
		Email:        "not-an-email",
		WebsiteIDs:   []string{"123e4567-e89b-12d3-a456-426614174000"},
		GroupIDs:     []string{"456e7890-e89b-12d3-a456-426614174000"},
	})
	fmt.Println(errors.Is(err, onboard.ErrInvalidRequest))
	var ve *onboard.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// true
	// invite_method: "sms" is not one of direct, email
	// email: "not-an-email" is not a valid email address
	// website_ids: and group_ids are mutually exclusive; send one invite per kind of target
}

// WithResponse gives the metadata of a call: status, request id, rate limit
// and, for Aptly, the envelope around the data.
func ExampleWithResponse() {
	srv := exampleAPI()
	defer srv.Close()

	athena, err := onboard.NewAthenaClient(srv.URL, onboard.APIKey("athena-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var meta onboard.Response
	_, err = athena.Invites.SendToTargets(context.Background(), &onboard.AthenaTargetInviteRequest{
		InviteMethod: onboard.AthenaInviteByEmail,
		Email:        "user@example.com",
		WebsiteIDs:   []string{"123e4567-e89b-12d3-a456-426614174000"},
	}, onboard.WithResponse(&meta))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(meta.StatusCode, meta.RequestID, meta.Attempts)
	fmt.Println(meta.RateLimit.Remaining, "of", meta.RateLimit.Limit, "left until", meta.RateLimit.Reset.UTC().Format("15:04 MST"))

	aptly, err := onboard.NewAptlyClient(srv.URL+"/auth", onboard.BearerToken("aptly-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = aptly.Users.Create(context.Background(), &onboard.AptlyCreateUserRequest{
		TenantID: "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
	}, onboard.WithResponse(&meta))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Aptly answers HTTP 201 with statusCode 200 in its envelope.
	fmt.Println(meta.StatusCode, meta.Envelope.StatusCode, meta.Envelope.Message, meta.RequestID)
	// Output:
	// 200 req-athena-7 1
	// 59 of 60 left until 00:00 UTC
	// 201 200 Success req-aptly-1
}

// List pages through every user, two to a request here; the loop's last
// value carries the error, if any.
func ExampleAptlyUsers_List() {
	srv := onboardtest.NewServer()
	defer srv.Close()
	tenant := "65704505-3bb2-4691-880f-5f31b26f4207"
	for _, email := range []string{"ada@example.com", "grace@example.com", "alan@example.com"} {
		srv.AddAptlyInvite(tenant, email, "", "")
	}
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), onboard.WithHTTPClient(srv.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}

	for u, err := range c.Users.List(context.Background(), &onboard.AptlyListUsersOptions{Limit: 2}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(u.Email, u.Status)
	}
	fmt.Println("requests:", srv.RequestCount("/v1/user"))
	// Output:
	// ada@example.com INVITED
	// grace@example.com INVITED
	// alan@example.com INVITED
	// requests: 2
}

// Bulk status updates answer with counts only: a batch whose users all
// succeeded or all failed is settled, a mixed one is unknown.
func ExampleAptlyUsers_UpdateStatusBulkAll() {
	srv := onboardtest.NewServer()
	defer srv.Close()
	tenant := "65704505-3bb2-4691-880f-5f31b26f4207"
	ada := srv.AddAptlyInvite(tenant, "ada@example.com", "Ada", "Lovelace")
	grace := srv.AddAptlyInvite(tenant, "grace@example.com", "Grace", "Hopper")
	unknown := "0f8fad5b-d9cb-469f-a165-70867728950e"
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), onboard.WithHTTPClient(srv.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}

	rep, err := c.Users.UpdateStatusBulkAll(context.Background(), &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserInactive},
		[]string{ada, grace, unknown, "not-a-uuid"}, onboard.WithBatchSize(2), onboard.WithConcurrency(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range rep.Outcomes {
		fmt.Println(o.Index, o.State)
	}
	// Output:
	// 0 succeeded
	// 1 succeeded
	// 2 failed
	// 3 not sent
}
