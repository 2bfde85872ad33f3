// Package renew tells when a bearer token is due for renewal, from the
// "iat" and "exp" claims of a JWT, read unverified.
package renew

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// MaxLeeway is the most a token is renewed before it expires.
const MaxLeeway = time.Minute

// At returns when a token received at received is due for renewal: a
// quarter of a JWT's lifetime before it expires, at most MaxLeeway. It is
// the zero time when the lifetime is unknown.
func At(token string, received time.Time) time.Time {
	iat, exp := jwtTimes(token)
	if exp.IsZero() {
		return time.Time{}
	}
	start := iat
	if start.IsZero() {
		start = received
	}
	life := exp.Sub(start)
	if life <= 0 {
		return time.Time{}
	}
	return received.Add(life - min(MaxLeeway, life/4))
}

// jwtTimes reads a JWT's "iat" and "exp" unverified; zero when absent.
func jwtTimes(token string) (iat, exp time.Time) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, time.Time{}
	}
	var claims struct {
		Iat float64 `json:"iat"`
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, time.Time{}
	}
	return unixClaim(claims.Iat), unixClaim(claims.Exp)
}

// unixClaim turns a NumericDate into a time; zero if missing or absurd.
func unixClaim(secs float64) time.Time {
	if secs <= 0 || secs > 253402300799 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0)
}
