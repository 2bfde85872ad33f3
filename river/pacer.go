package onboardriver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// A Pacer spaces the requests of every worker, in any process, that sends
// with one credential: each Wait takes the next free slot, interval after
// the one before, by the database's clock. It is keyed by the service and
// a fingerprint of the credential (SHA-256), never the credential itself.
// Give it to the client with onboard.WithRateLimiter.
type Pacer struct {
	pool        *pgxpool.Pool
	service     Service
	fingerprint string
	interval    time.Duration
}

// NewPacer returns the pacer of service's credential, letting one request
// go every interval. Against a limit of n requests in each fixed window w,
// choose an interval of at least w/(n-1): a window can hold one request
// more than w/interval.
func NewPacer(pool *pgxpool.Pool, service Service, credential string, interval time.Duration) *Pacer {
	sum := sha256.Sum256([]byte("onboard pacer\x00" + credential))
	return &Pacer{pool: pool, service: service, fingerprint: hex.EncodeToString(sum[:16]), interval: interval}
}

// Wait returns when the caller's slot comes, or with ctx's error; a slot
// taken is spent even if ctx ends before it.
func (p *Pacer) Wait(ctx context.Context) error {
	var secs float64
	err := p.pool.QueryRow(ctx, `INSERT INTO onboard_pacer AS p (service, fingerprint, next_at)
		VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))
		ON CONFLICT (service, fingerprint) DO UPDATE
		SET next_at = greatest(p.next_at, clock_timestamp()) + make_interval(secs => $3)
		RETURNING extract(epoch FROM p.next_at - make_interval(secs => $3) - clock_timestamp())::float8`,
		p.service, p.fingerprint, p.interval.Seconds()).Scan(&secs)
	if err != nil {
		return fmt.Errorf("onboardriver: pacer of %s: %w", p.service, err)
	}
	wait := time.Duration(secs * float64(time.Second))
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
