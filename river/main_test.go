package onboardriver_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	onboardriver "github.com/onboardkit/onboard/river"
	"github.com/onboardkit/onboard/river/internal/pgtest"
)

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, func(ctx context.Context, url string) error {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			return err
		}
		defer pool.Close()
		return onboardriver.Migrate(ctx, pool)
	}))
}

// newPool returns a pool on a new, migrated database for t.
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return poolOn(t, pgtest.URL(t))
}

// poolOn returns a pool on the database at url.
func poolOn(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
