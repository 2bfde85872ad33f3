package onboardriver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/onboardtest"
	onboardriver "github.com/onboardkit/onboard/river"
	"github.com/onboardkit/onboard/river/internal/pgtest"
)

// The proof: four worker processes (this test binary, running
// TestWorkerChild) work Aptly and Royalti imports over three tenants from
// one queue, against a fake in this process whose per-credential rate limit
// all of them share; two are killed with SIGKILL, one while a journal
// commits, and replaced. Then every key has one outcome, none unknown, the
// fake saw each person once and answered no 429, and every job completed.
//
//	go test -run '^TestWorkerKill$' -v ./river/          # 100,000 rows
//	go test -short -run '^TestWorkerKill$' -v ./river/   # 10,000 rows

const (
	childEnv      = "ONBOARD_RIVER_CHILD" // "fakeURL hookAtSync"
	proofWorkers  = 4
	proofBatch    = 100
	proofShard    = 1000
	proofRate     = 100 // requests per credential per second, at the fake
	proofInterval = time.Second / (proofRate - 10)
	syncingLine   = "onboard-test: journal committing"
)

// proofImports are the imports of the proof: two Aptly tenants and a
// Royalti workspace, with these shares of the rows.
var proofImports = []struct {
	id, tenant string
	service    onboardriver.Service
	share      float64
}{
	{"aptly-a", tenantA, onboardriver.Aptly, 0.4},
	{"aptly-b", "5f0c2a7e-3b1d-4e8f-9c6a-7d2e1f0b3a4c", onboardriver.Aptly, 0.3},
	{"royalti", onboardtest.RoyaltiWorkspaceID, onboardriver.Royalti, 0.3},
}

// TestWorkerChild is a worker process; it runs only when TestWorkerKill starts it.
func TestWorkerChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("run by TestWorkerKill in a child process")
	}
	var url string
	var hookAt int64
	_, err := fmt.Sscan(spec, &url, &hookAt)
	require.NoError(t, err)
	if hookAt > 0 {
		var syncs atomic.Int64
		onboardriver.SetTestSyncHook(func() {
			if syncs.Add(1) == hookAt {
				fmt.Println(syncingLine)
				time.Sleep(time.Minute) // inside the transaction: the parent kills now
			}
		})
	}
	pool := newPool(t)
	cfg := testWorkerConfig(url, pool, proofInterval)
	// A resumed shard first reads back every user of its tenant's service
	// (Aptly's list has no filter: 700 pages at 100,000 rows), paced with
	// the other shards: its attempt must outlast that pass, also under -race
	// on a busy machine, or each attempt starts the pass again.
	cfg.JobTimeout, cfg.RescueAfter = 90*time.Second, 95*time.Second
	cfg.Bulk = []onboard.BulkOption{onboard.WithBatchSize(proofBatch)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	require.NoError(t, onboardriver.RunWorkers(ctx, pool, cfg))
}

// child is a worker process the proof started.
type child struct {
	cmd     *exec.Cmd
	syncing chan struct{} // closed when the child says a journal commits
	done    chan struct{} // closed when its output ends
}

func startChild(t *testing.T, fakeURL, dbURL string, hookAt int) *child {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestWorkerChild$", "-test.v")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d", childEnv, fakeURL, hookAt), pgtest.Child(dbURL))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	c := &child{cmd: cmd, syncing: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		var once sync.Once
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == syncingLine {
				once.Do(func() { close(c.syncing) })
			}
		}
	}()
	t.Cleanup(func() { c.kill(t) })
	return c
}

// kill ends the child with SIGKILL and waits for it, a bounded time.
func (c *child) kill(t *testing.T) {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Errorf("child %d: its output did not end after SIGKILL", c.cmd.Process.Pid)
	}
	_ = c.cmd.Wait()
}

func TestWorkerKill(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	rows := 100_000
	if testing.Short() {
		rows = 10_000
	}
	dbURL := pgtest.URL(t)
	pool := poolOn(t, dbURL)
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := onboardtest.NewServerOn(l, onboardtest.WithRateLimit(proofRate, time.Second), onboardtest.WithRecordLimit(1<<20))
	t.Cleanup(srv.Close)
	q, err := onboardriver.NewQueue(pool)
	require.NoError(t, err)
	for _, imp := range proofImports {
		n := int(float64(rows) * imp.share)
		if imp.service == onboardriver.Aptly {
			_, err = onboardriver.Enqueue(ctx, q, onboardriver.Import[onboard.AptlyInvitee]{ID: imp.id, Tenant: imp.tenant, Rows: aptlyRows(imp.id, n), ShardSize: proofShard})
		} else {
			_, err = onboardriver.Enqueue(ctx, q, onboardriver.Import[onboard.RoyaltiWorkspaceUser]{ID: imp.id, Tenant: imp.tenant, Rows: royaltiRows(imp.id, n), ShardSize: proofShard})
		}
		require.NoError(t, err)
	}
	start := time.Now()
	children := []*child{startChild(t, srv.URL, dbURL, 3)}
	for range proofWorkers - 1 {
		children = append(children, startChild(t, srv.URL, dbURL, 0))
	}
	killWhileSyncing(t, children[0], func() { children = append(children, startChild(t, srv.URL, dbURL, 0)) })
	killAtProgress(t, q, rows/3, children[1], func() { children = append(children, startChild(t, srv.URL, dbURL, 0)) })
	for _, imp := range proofImports {
		waitDone(t, q, 6*time.Minute, imp.id)
	}
	for _, c := range children {
		c.kill(t)
	}
	t.Logf("%d rows, %d workers, 2 killed and replaced: done in %s", rows, proofWorkers, time.Since(start).Round(time.Second))
	checkProof(t, pool, q, srv, rows)
}

// killWhileSyncing kills c once it says a journal commits, then calls replace.
func killWhileSyncing(t *testing.T, c *child, replace func()) {
	t.Helper()
	select {
	case <-c.syncing:
	case <-time.After(2 * time.Minute):
		t.Fatal("the first child never reached its journal commit")
	}
	c.kill(t)
	replace()
}

// killAtProgress kills c once the imports have n outcomes, then calls replace.
func killAtProgress(t *testing.T, q *onboardriver.Queue, n int, c *child, replace func()) {
	t.Helper()
	require.Eventually(t, func() bool {
		done := 0
		for _, imp := range proofImports {
			p, err := q.Progress(context.Background(), imp.id)
			require.NoError(t, err)
			done += p.Done
		}
		return done >= n
	}, 5*time.Minute, 20*time.Millisecond)
	c.kill(t)
	replace()
}

func checkProof(t *testing.T, pool *pgxpool.Pool, q *onboardriver.Queue, srv *onboardtest.Server, rows int) {
	ctx := context.Background()
	total := 0
	for _, imp := range proofImports {
		keys := map[string]int{}
		for o, err := range q.Outcomes(ctx, imp.id) {
			require.NoError(t, err)
			keys[o.Key]++
		}
		n := int(float64(rows) * imp.share)
		require.Len(t, keys, n, "%s: one outcome per key", imp.id)
		for k, c := range keys {
			require.Equal(t, 1, c, "%s: outcomes of key %s", imp.id, k)
		}
		total += n
	}
	var unfinished int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state <> 'completed'`).Scan(&unfinished))
	assert.Zero(t, unfinished, "jobs not completed")
	seen, status429 := seenByFake(t, srv)
	assert.Zero(t, status429, "the fake answered 429")
	twice := 0
	for _, c := range seen {
		if c > 1 {
			twice++
		}
	}
	assert.Zero(t, twice, "people the fake saw more than once")
	// A resumed shard reads back what the killed worker had in flight.
	unknown := 0
	for _, imp := range proofImports {
		counts, err := q.Counts(ctx, imp.id)
		require.NoError(t, err)
		unknown += counts[onboard.StateUnknown]
		t.Logf("%s: %v", imp.id, counts)
	}
	assert.Zero(t, unknown, "unknown outcomes")
	assert.Equal(t, total, len(seen), "people the fake saw") //nolint:testifylint // assert.Len would print 100,000 emails
}

// seenByFake counts how often the fake was sent each email, and its 429s.
func seenByFake(t *testing.T, srv *onboardtest.Server) (map[string]int, int) {
	seen := map[string]int{}
	n429 := 0
	for _, r := range srv.Requests() {
		if r.Status == 429 {
			n429++
			continue
		}
		var body struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
		}
		if r.Method != "POST" || json.Unmarshal(r.Body, &body) != nil {
			continue
		}
		for _, u := range body.Users {
			seen[strings.ToLower(u.Email)]++
		}
	}
	return seen, n429
}

// A shard another session holds is snoozed, not run, until the lock is let go.
func TestRunWorkers_lockedShardWaits(t *testing.T) {
	dbURL := pgtest.URL(t)
	pool := poolOn(t, dbURL)
	ctx := context.Background()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	q, err := onboardriver.NewQueue(pool)
	require.NoError(t, err)
	_, err = onboardriver.Enqueue(ctx, q, onboardriver.Import[onboard.AptlyInvitee]{ID: "held", Tenant: tenantA, Rows: aptlyRows("h", 5)})
	require.NoError(t, err)
	holder, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = holder.Close(context.Background()) })
	_, err = holder.Exec(ctx, `SELECT pg_advisory_lock(hashtext('held'), 0)`)
	require.NoError(t, err)

	cfg := testWorkerConfig(srv.URL, pool, testInterval)
	cfg.JobTimeout, cfg.RescueAfter = 2*time.Second, 3*time.Second // snoozes for 0.5 s
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- onboardriver.RunWorkers(wctx, pool, cfg) }()
	require.Eventually(t, func() bool {
		var snoozes int
		err := pool.QueryRow(ctx, `SELECT coalesce((metadata->>'snoozes')::int, 0) FROM river_job WHERE args->>'import' = 'held'`).Scan(&snoozes)
		return err == nil && snoozes >= 1
	}, time.Minute, 20*time.Millisecond, "the job was never snoozed")
	p, err := q.Progress(ctx, "held")
	require.NoError(t, err)
	assert.Zero(t, p.Done, "a held shard was sent")
	assert.Zero(t, srv.RequestCount(""), "requests while the shard was held")

	_, err = holder.Exec(ctx, `SELECT pg_advisory_unlock(hashtext('held'), 0)`)
	require.NoError(t, err)
	waitDone(t, q, 2*time.Minute, "held")
	stop()
	require.NoError(t, <-done)
}
