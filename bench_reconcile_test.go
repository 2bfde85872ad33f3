package onboard_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
)

// BenchmarkReconcile measures what reading back costs: BulkReport.Reconcile
// settling 10, 100 and 1,000 unknown items against a tenant of 10,000 users
// on a fake that answers each request after 20 ms. The unknown items are
// the tenant's newest users: last in Aptly's list, which has no order to
// ask for, so that every page is read; first in Royalti's, read newest
// first (up to 3 with the q search). It reports the items settled per
// second and the list requests spent per Reconcile.
//
//	go test -run '^$' -bench 'Reconcile' -benchtime=3x -count=3 .
func BenchmarkReconcile(b *testing.B) {
	const tenantUsers, latency = 10_000, 20 * time.Millisecond
	for _, svc := range []string{"aptly", "royalti"} {
		for _, unknown := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s/%d", svc, unknown), func(b *testing.B) {
				srv := onboardtest.NewServer(onboardtest.WithLatency(latency))
				b.Cleanup(srv.Close)
				reconcile, listPath := rbReport(b, srv, svc, tenantUsers, unknown)
				before := srv.RequestCount(listPath)
				b.ResetTimer()
				for range b.N {
					reconcile()
				}
				b.StopTimer()
				b.ReportMetric(float64(unknown*b.N)/b.Elapsed().Seconds(), "settled/s")
				b.ReportMetric(float64(srv.RequestCount(listPath)-before)/float64(b.N), "requests/op")
			})
		}
	}
}

// rbReport seeds srv's tenant with users, the last unknown of them sent in
// one bulk call whose answer is lost after the work, and returns a function
// that settles a fresh copy of that call's report, and the list's path.
func rbReport(b *testing.B, srv *onboardtest.Server, svc string, users, unknown int) (func(), string) {
	ctx := context.Background()
	lost := onboardtest.Fault{Times: 1, Status: http.StatusInternalServerError, Process: true}
	opts := []onboard.BulkOption{onboard.WithBatchSize(unknown)}
	if svc == "aptly" {
		for i := range users - unknown {
			srv.AddAptlyUser(jnTenant, fmt.Sprintf("seed%d@example.com", i), "S", fmt.Sprint(i))
		}
		lost.Path = "/v1/user/bulk-invite"
		srv.InjectFault(lost)
		rep, err := jnAptly(b, srv).Invites.SendBulkAll(ctx, jnReq(), rcAptlyPeople(unknown), opts...)
		require.NoError(b, err)
		require.Equal(b, unknown, rep.Counts().Unknown)
		return rbSettle(b, rep, unknown), "/v1/user"
	}
	for i := range users - unknown {
		srv.AddRoyaltiUser(onboardtest.RoyaltiWorkspaceID, fmt.Sprintf("seed%d@example.com", i), "S", fmt.Sprint(i))
	}
	lost.Path = "/user/bulk"
	srv.InjectFault(lost)
	c, err := onboard.NewRoyaltiClient(srv.RoyaltiURL(), onboard.BearerToken(onboardtest.RoyaltiToken), onboard.WithHTTPClient(srv.Client()))
	require.NoError(b, err)
	rep, err := c.Users.CreateBulkAll(ctx, &onboard.RoyaltiCreateUsersRequest{}, rcRoyaltiPeople(unknown), opts...)
	require.NoError(b, err)
	require.Equal(b, unknown, rep.Counts().Unknown)
	return rbSettle(b, rep, unknown), "/user/"
}

// rbSettle returns a function that settles a fresh copy of rep's outcomes
// and checks that every one was found.
func rbSettle[T any](b *testing.B, rep *onboard.BulkReport[T], unknown int) func() {
	pristine := slices.Clone(rep.Outcomes)
	return func() {
		rep.Outcomes = slices.Clone(pristine)
		require.NoError(b, rep.Reconcile(context.Background(), 0))
		require.Equal(b, unknown, rep.Counts().Succeeded)
	}
}
