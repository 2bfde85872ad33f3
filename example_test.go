package onboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/onboardkit/onboard"
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
	mux.HandleFunc("POST /auth/v1/user/bulk-invite", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Users []struct{ Email string } }
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
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
		}))
	})

	// AthenaHQ: one person to several websites, each on its own.
	mux.HandleFunc("POST /api/v1/invites/bulk", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			WebsiteIDs []string `json:"website_ids"`
		}
		if !authorized(w, r) || json.NewDecoder(r.Body).Decode(&req) != nil {
			return
		}
		var results []map[string]any
		for i, id := range req.WebsiteIDs {
			if i == 1 {
				results = append(results, map[string]any{"website_id": id, "success": false, "error": "User is already a member of this website"})
				continue
			}
			results = append(results, map[string]any{"website_id": id, "success": true, "message": "User added to website",
				"user_id": "abc12345-e89b-12d3-a456-426614174000"})
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

func ExampleNewAptlyClient() {
	aptly, err := onboard.NewAptlyClient(onboard.AptlyStagingURL, onboard.BearerToken("aptly-token"))
	if err != nil {
		log.Fatal(err)
	}
	// Printing a client never shows its credential.
	fmt.Println(aptly)

	_, err = onboard.NewAptlyClient("http://api.example.com", onboard.BearerToken("t"))
	fmt.Println(err)
	// Output:
	// onboard.AptlyClient{base: https://staging.api.us.aptlydone.com/auth, auth: BearerToken(redacted)}
	// onboard: NewAptlyClient: base URL "http://api.example.com" is plain http on a host that is not loopback; use https, or WithInsecureHTTP if you must
}

func ExampleNewAthenaClient() {
	athena, err := onboard.NewAthenaClient(onboard.AthenaHQURL, onboard.APIKey("athena-key"), onboard.WithRetry(3))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(athena)

	// An Aptly access key is exchanged at Aptly's own endpoint: the other
	// services' clients refuse it.
	_, err = onboard.NewAthenaClient(onboard.AthenaHQURL, onboard.AptlyAccessKey("ak_..."))
	fmt.Println(err)
	// Output:
	// onboard.AthenaClient{base: https://api.athenahq.ai, auth: APIKey(redacted)}
	// onboard: NewAthenaClient: AptlyAccessKey works only with NewAptlyClient; pass this service's own credential
}

func ExampleNewRoyaltiClient() {
	royalti, err := onboard.NewRoyaltiClient(onboard.RoyaltiURL, onboard.BearerToken("royalti-api-key"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(royalti)
	// Output:
	// onboard.RoyaltiClient{base: https://api.royalti.io, auth: BearerToken(redacted)}
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
	user, err := client.Users.Create(context.Background(), &onboard.CreateUserRequest{
		TenantID:       "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52",
		FirstName:      "Ada",
		LastName:       "Lovelace",
		Email:          "ada@example.com",
		Groups:         []onboard.GroupAssignment{{GroupID: "953061c2-c35d-4c11-be4c-6e1124c6eeec", IsPrimaryOrg: onboard.Ptr(true)}},
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
	res, err := client.Invites.SendBulk(context.Background(), &onboard.BulkInviteRequest{
		TenantID: "887fd99a-e3ab-44ac-8253-31f269599f2b",
		Users: []onboard.Invitee{
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
	for _, r := range res.Failed() { // a refused person is a failed item, not an error
		fmt.Printf("%s: %s\n", r.Email, r.Message)
	}
	// Output:
	// 2 of 3 invited
	// grace@example.com: Email already exists
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
	res, err := client.Invites.SendToTargets(context.Background(), &onboard.TargetInviteRequest{
		InviteMethod: onboard.InviteDirect,
		Email:        "user@example.com",
		Role:         onboard.RoleViewer,
		WebsiteIDs:   []string{"123e4567-e89b-12d3-a456-426614174000", "987e6543-e21b-12d3-a456-426614174000"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Results {
		if r.Success {
			fmt.Printf("%s: %s\n", r.TargetID(), r.Message)
		} else {
			fmt.Printf("%s: failed: %s\n", r.TargetID(), r.Message)
		}
	}
	// Output:
	// 123e4567-e89b-12d3-a456-426614174000: User added to website
	// 987e6543-e21b-12d3-a456-426614174000: failed: User is already a member of this website
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
	res, err := client.Users.CreateBulk(context.Background(), &onboard.CreateUsersRequest{
		Users: []onboard.WorkspaceUser{
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

func ExampleRoyaltiInvites_Send() {
	srv := exampleAPI()
	defer srv.Close()

	client, err := onboard.NewRoyaltiClient(srv.URL, onboard.BearerToken("royalti-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := client.Invites.Send(context.Background(), &onboard.InviteRequest{
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
	_, err = client.Invites.Send(context.Background(), &onboard.InviteRequest{Email: "grace@example.com"})

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
	_, err = client.Invites.SendToTargets(context.Background(), &onboard.TargetInviteRequest{
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
	_, err = athena.Invites.SendToTargets(context.Background(), &onboard.TargetInviteRequest{
		InviteMethod: onboard.InviteByEmail,
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
	_, err = aptly.Users.Create(context.Background(), &onboard.CreateUserRequest{
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
