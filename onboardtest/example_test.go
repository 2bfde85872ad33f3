package onboardtest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/onboardkit/onboard/onboardtest"
)

func ExampleNewServer() {
	srv := onboardtest.NewServer()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := strings.NewReader(`{"email":"ada@example.com","firstName":"Ada","lastName":"Lovelace"}`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.RoyaltiURL()+"/auth/invite", body)
	req.Header.Set("Authorization", "Bearer "+onboardtest.RoyaltiToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)

	fmt.Println(resp.Status)
	fmt.Println(string(answer))
	for _, u := range srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID) {
		fmt.Println(u.Email, u.FirstName, u.Invited)
	}
	// Output:
	// 201 Created
	// {"message":"Successful, Email verification Instructions have been sent to your email"}
	// ada@example.com Ada true
}

func ExampleServer_InjectFault() {
	srv := onboardtest.NewServer()
	defer srv.Close()

	// The next bulk invite is processed, but its answer is lost as a 503.
	srv.InjectFault(onboardtest.Fault{
		Path:       "/v1/user/bulk-invite",
		Times:      1,
		Status:     http.StatusServiceUnavailable,
		RetryAfter: "2",
		Process:    true,
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := strings.NewReader(`{"tenantId":"887fd99a-e3ab-44ac-8253-31f269599f2b","users":[{"email":"ada@example.com"}]}`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.AptlyURL()+"/v1/user/bulk-invite", body)
	req.Header.Set("Authorization", "Bearer "+onboardtest.AptlyToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))
	fmt.Println(srv.AptlyUserCount("887fd99a-e3ab-44ac-8253-31f269599f2b"))
	// Output:
	// 503 2
	// 1
}
