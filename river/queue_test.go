package onboardriver_test

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
	onboardriver "github.com/onboardkit/onboard/river"
)

const tenantA = "0b9f6b0e-6d1f-4c7e-9a57-2f1e0c3d4b5a"

func aptlyRows(prefix string, n int) iter.Seq2[string, onboard.AptlyInvitee] {
	return func(yield func(string, onboard.AptlyInvitee) bool) {
		for i := range n {
			if !yield(fmt.Sprintf("%s-%d", prefix, i), onboard.AptlyInvitee{Email: fmt.Sprintf("%s-%d@example.com", prefix, i)}) {
				return
			}
		}
	}
}

// Enqueueing an import twice stores it and its jobs once.
func TestEnqueue_twiceIsNoOp(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	q, err := onboardriver.NewQueue(pool)
	require.NoError(t, err)
	imp := onboardriver.Import[onboard.AptlyInvitee]{ID: "imp-1", Tenant: tenantA, Rows: aptlyRows("p", 25), ShardSize: 10}
	for i, want := range []bool{true, false} {
		isNew, err := onboardriver.Enqueue(ctx, q, imp)
		require.NoError(t, err)
		assert.Equal(t, want, isNew, "enqueue %d", i)
	}
	p, err := q.Progress(ctx, "imp-1")
	require.NoError(t, err)
	assert.Equal(t, onboardriver.Progress{Rows: 25, Shards: 3}, p)
	var jobs int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'onboard_shard'`).Scan(&jobs))
	assert.Equal(t, 3, jobs)
}

// Workers send every row once and write one outcome per row.
func TestRunWorkers(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	q, err := onboardriver.NewQueue(pool)
	require.NoError(t, err)
	_, err = onboardriver.Enqueue(ctx, q, onboardriver.Import[onboard.AptlyInvitee]{ID: "imp", Tenant: tenantA, Rows: aptlyRows("p", 250), ShardSize: 100})
	require.NoError(t, err)
	_, err = onboardriver.Enqueue(ctx, q, onboardriver.Import[onboard.RoyaltiWorkspaceUser]{ID: "roy", Tenant: onboardtest.RoyaltiWorkspaceID, Rows: royaltiRows("r", 30)})
	require.NoError(t, err)

	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- onboardriver.RunWorkers(wctx, pool, testWorkerConfig(srv.URL, pool, testInterval)) }()
	waitDone(t, q, 2*time.Minute, "imp", "roy")
	stop()
	require.NoError(t, <-done)

	counts, err := q.Counts(ctx, "imp")
	require.NoError(t, err)
	assert.Equal(t, map[onboard.State]int{onboard.StateSucceeded: 250}, counts)
	i := 0
	for o, err := range q.Outcomes(ctx, "imp") {
		require.NoError(t, err)
		assert.Equal(t, i, o.Index)
		assert.Equal(t, fmt.Sprintf("p-%d", i), o.Key)
		assert.Equal(t, fmt.Sprintf("p-%d@example.com", i), o.Email)
		i++
	}
	assert.Equal(t, 250, i)
	counts, err = q.Counts(ctx, "roy")
	require.NoError(t, err)
	assert.Equal(t, map[onboard.State]int{onboard.StateSucceeded: 30}, counts)
	assert.Len(t, srv.State().Aptly.Tenants[tenantA], 250)
}

func royaltiRows(prefix string, n int) iter.Seq2[string, onboard.RoyaltiWorkspaceUser] {
	return func(yield func(string, onboard.RoyaltiWorkspaceUser) bool) {
		for i := range n {
			u := onboard.RoyaltiWorkspaceUser{Email: fmt.Sprintf("%s-%d@example.com", prefix, i), FirstName: "Pat", LastName: fmt.Sprint(i)}
			if !yield(fmt.Sprintf("%s-%d", prefix, i), u) {
				return
			}
		}
	}
}

// testWorkerConfig sends to the fake at url, pacing each credential through the database.
func testWorkerConfig(url string, pool *pgxpool.Pool, interval time.Duration) onboardriver.WorkerConfig {
	return onboardriver.WorkerConfig{
		Aptly: func(ctx context.Context, tenant string) (*onboard.AptlyClient, error) {
			return onboard.NewAptlyClient(url+onboardtest.AptlyPathPrefix, onboard.BearerToken(onboardtest.AptlyToken),
				onboard.WithRateLimiter(onboardriver.NewPacer(pool, onboardriver.Aptly, onboardtest.AptlyToken, interval)))
		},
		Royalti: func(ctx context.Context, tenant string) (*onboard.RoyaltiClient, error) {
			return onboard.NewRoyaltiClient(url+onboardtest.RoyaltiPathPrefix, onboard.BearerToken(onboardtest.RoyaltiToken),
				onboard.WithRateLimiter(onboardriver.NewPacer(pool, onboardriver.Royalti, onboardtest.RoyaltiToken, interval)))
		},
		Workers:     4,
		JobTimeout:  20 * time.Second,
		RescueAfter: 25 * time.Second,
		Bulk:        []onboard.BulkOption{onboard.WithBatchSize(50)},
	}
}

const testInterval = 2 * time.Millisecond

// waitDone waits, at most within, until every shard of the imports has its outcomes.
func waitDone(t *testing.T, q *onboardriver.Queue, within time.Duration, ids ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, id := range ids {
			p, err := q.Progress(context.Background(), id)
			if err != nil || p.ShardsDone < p.Shards {
				return false
			}
		}
		return true
	}, within, 50*time.Millisecond)
}
