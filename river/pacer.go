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

// Wait returns when the caller may send, or with ctx's error. It takes
// the credential's next slot once the database's clock has reached it, so
// that two slots are never closer than the interval by that clock; waiters
// are not served in order.
func (p *Pacer) Wait(ctx context.Context) error {
	for {
		wait, err := p.take(ctx)
		if err != nil {
			return fmt.Errorf("onboardriver: pacer of %s: %w", p.service, err)
		}
		if wait <= 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// take takes the slot if it has come, returning 0, or returns how long
// until it comes.
func (p *Pacer) take(ctx context.Context) (time.Duration, error) {
	tag, err := p.pool.Exec(ctx, `INSERT INTO onboard_pacer AS p (service, fingerprint, next_at)
		VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))
		ON CONFLICT (service, fingerprint) DO UPDATE
		SET next_at = clock_timestamp() + make_interval(secs => $3)
		WHERE p.next_at <= clock_timestamp()`,
		p.service, p.fingerprint, p.interval.Seconds())
	if err != nil || tag.RowsAffected() == 1 {
		return 0, err
	}
	var secs float64
	err = p.pool.QueryRow(ctx, `SELECT extract(epoch FROM next_at - clock_timestamp())::float8 FROM onboard_pacer
		WHERE service = $1 AND fingerprint = $2`, p.service, p.fingerprint).Scan(&secs)
	return max(time.Duration(secs*float64(time.Second)), time.Microsecond), err
}
