package onboard_test

import (
	"context"
	"fmt"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

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
