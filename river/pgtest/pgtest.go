// Package pgtest gives the tests of other modules of this repository (the
// command's, in cmd/onboard) the PostgreSQL the river module's tests use:
// the one ONBOARD_TEST_DATABASE_URL names (its user needs CREATEDB), or a
// throwaway cluster started with the initdb and pg_ctl it finds. Without
// either, tests skip, saying how to run them; under CI=true, Main fails.
// It is for tests only.
package pgtest

import (
	"context"
	"testing"

	"github.com/onboardkit/onboard/river/internal/pgtest"
)

// Main runs m against a PostgreSQL, first preparing a template database with
// prepare (given its URL), and returns the exit code for os.Exit.
func Main(m *testing.M, prepare func(ctx context.Context, url string) error) int {
	return pgtest.Main(m, prepare)
}

// URL returns the URL of a new database for t, a copy of the template
// Main prepared, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}
