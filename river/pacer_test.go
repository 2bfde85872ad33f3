package onboardriver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	onboardriver "github.com/onboardkit/onboard/river"
)

// A credential's pacer hands out one slot an interval; another credential
// has slots of its own; the table holds a fingerprint, never the credential.
func TestPacer(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	const secret = "s3cret-token-value"
	a := onboardriver.NewPacer(pool, onboardriver.Aptly, secret, time.Hour)
	require.NoError(t, a.Wait(ctx), "the first slot is free")

	tests := []struct {
		name    string
		pacer   *onboardriver.Pacer
		waitErr error
	}{
		{"same credential, another pacer: the next slot is an hour away", onboardriver.NewPacer(pool, onboardriver.Aptly, secret, time.Hour), context.DeadlineExceeded},
		{"another credential", onboardriver.NewPacer(pool, onboardriver.Aptly, "other", time.Hour), nil},
		{"another service", onboardriver.NewPacer(pool, onboardriver.Royalti, secret, time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			assert.ErrorIs(t, tt.pacer.Wait(ctx), tt.waitErr)
		})
	}
	var leaked int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM onboard_pacer WHERE fingerprint LIKE '%' || $1 || '%'`, secret).Scan(&leaked))
	assert.Zero(t, leaked, "the credential is stored")
}
