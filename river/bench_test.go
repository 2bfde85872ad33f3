package onboardriver_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
	onboardriver "github.com/onboardkit/onboard/river"
)

// BenchmarkWorkers sends imports through 1 and 4 workers in one process,
// each worker one request at a time, against a fake that answers in 50 ms
// and limits no credential (as with a credential per worker).
//
//	go test -run '^$' -bench '^BenchmarkWorkers$' -benchtime 1x ./river/
func BenchmarkWorkers(b *testing.B) {
	const rows, shard = 32_000, 1000
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			pool := newPool(b)
			srv := onboardtest.NewServer(onboardtest.WithLatency(50*time.Millisecond), onboardtest.WithoutRecording())
			b.Cleanup(srv.Close)
			q, err := onboardriver.NewQueue(pool)
			require.NoError(b, err)
			cfg := onboardriver.WorkerConfig{
				Aptly: func(ctx context.Context, tenant string) (*onboard.AptlyClient, error) {
					return onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), onboard.WithoutPacing())
				},
				Workers: workers,
				Bulk:    []onboard.BulkOption{onboard.WithConcurrency(1)},
			}
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- onboardriver.RunWorkers(ctx, pool, cfg) }()
			i := 0
			for b.Loop() {
				id := fmt.Sprintf("bench-%d", i)
				i++
				_, err := onboardriver.Enqueue(context.Background(), q, onboardriver.Import[onboard.AptlyInvitee]{ID: id, Tenant: tenantA, Rows: aptlyRows(id, rows), ShardSize: shard})
				require.NoError(b, err)
				waitDoneB(b, q, id)
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			stop()
			require.NoError(b, <-done)
		})
	}
}

func waitDoneB(b *testing.B, q *onboardriver.Queue, id string) {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		p, err := q.Progress(context.Background(), id)
		require.NoError(b, err)
		if p.ShardsDone == p.Shards {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("import %s not done in 5 minutes", id)
}

// BenchmarkEnqueue stores an import of 1,000,000 rows, and reports the
// size of the tables it fills.
//
//	go test -run '^$' -bench '^BenchmarkEnqueue$' -benchtime 1x ./river/
func BenchmarkEnqueue(b *testing.B) {
	const rows = 1_000_000
	pool := newPool(b)
	q, err := onboardriver.NewQueue(pool)
	require.NoError(b, err)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("big-%d", i)
		i++
		_, err := onboardriver.Enqueue(context.Background(), q, onboardriver.Import[onboard.AptlyInvitee]{ID: id, Tenant: tenantA, Rows: aptlyRows(id, rows)})
		require.NoError(b, err)
	}
	var size int64
	require.NoError(b, pool.QueryRow(context.Background(),
		`SELECT pg_total_relation_size('onboard_row') + pg_total_relation_size('onboard_import') + pg_total_relation_size('river_job')`).Scan(&size))
	b.ReportMetric(float64(size)/float64(b.N)/(1<<20), "MiB/import")
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPacer has 8 workers, each with a Pacer of its own on one
// credential, take 400 slots 10 ms apart, and reports, as the workers saw
// the slots: the closest two came, how many gaps were under the interval,
// and the most slots in any span of 10 intervals (11 at most by the
// database's clock).
//
//	go test -run '^$' -bench '^BenchmarkPacer$' -benchtime 1x ./river/
func BenchmarkPacer(b *testing.B) {
	const workers, each, interval = 8, 50, 10 * time.Millisecond
	pool := newPool(b)
	minGap := time.Duration(math.MaxInt64)
	closer, most := 0, 0 // gaps under the interval; most slots in any 10 intervals
	for b.Loop() {
		var mu sync.Mutex
		var at []time.Time
		var wg sync.WaitGroup
		for range workers {
			p := onboardriver.NewPacer(pool, onboardriver.Aptly, "bench-credential", interval)
			wg.Go(func() {
				for range each {
					if err := p.Wait(context.Background()); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					at = append(at, time.Now())
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.SortFunc(at, func(x, y time.Time) int { return x.Compare(y) })
		for i := 1; i < len(at); i++ {
			minGap = min(minGap, at[i].Sub(at[i-1]))
			if at[i].Sub(at[i-1]) < interval {
				closer++
			}
		}
		for i := range at {
			j, _ := slices.BinarySearchFunc(at, at[i].Add(10*interval), func(x, t time.Time) int { return x.Compare(t) })
			most = max(most, j-i)
		}
	}
	b.ReportMetric(float64(minGap)/float64(time.Millisecond), "min-spacing-ms")
	b.ReportMetric(float64(closer)/float64(b.N), "gaps-under-interval")
	b.ReportMetric(float64(most), "max-in-10-intervals")
}
