package renew

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// jwt returns an unsigned JWT with the given claims.
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(claims)) + ".sig"
}

func TestAt(t *testing.T) {
	t.Parallel()
	received := time.Unix(1_767_225_600, 0)
	tests := []struct {
		name  string
		token string
		want  time.Time
	}{
		{name: "an hour's token: renewed a minute early", token: jwt(`{"iat":1767225600,"exp":1767229200}`), want: received.Add(59 * time.Minute)},
		{name: "a short token: renewed a quarter early", token: jwt(`{"iat":1767225600,"exp":1767225640}`), want: received.Add(30 * time.Second)},
		{name: "no iat: the lifetime from receipt", token: jwt(`{"exp":1767225640}`), want: received.Add(30 * time.Second)},
		{name: "the server's clock, not ours", token: jwt(`{"iat":1000,"exp":1040}`), want: received.Add(30 * time.Second)},
		{name: "no exp", token: jwt(`{"iat":1767225600}`)},
		{name: "expired at issue", token: jwt(`{"iat":1767225600,"exp":1767225600}`)},
		{name: "an absurd exp", token: jwt(`{"exp":1e20}`)},
		{name: "not a JWT", token: "opaque-token"},
		{name: "a payload that is not JSON", token: "a.bm90IGpzb24.c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, At(tt.token, received))
		})
	}
}
