package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/onboardkit/onboard/internal/validate"
)

// rateLimit is the value of --rate-limit: n requests per period, per
// credential. The zero value is no limit.
type rateLimit struct {
	n   int
	per time.Duration
}

// String formats r as Set reads it, or "" for no limit.
func (r *rateLimit) String() string {
	if r.n == 0 {
		return ""
	}
	return strconv.Itoa(r.n) + "/" + r.per.String()
}

// Set parses s, as parseRateLimit does.
func (r *rateLimit) Set(s string) error {
	v, err := parseRateLimit(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type names the value's form in help text.
func (r *rateLimit) Type() string { return "N/period" }

// parseRateLimit reads "N/period": N requests, a whole number above zero,
// in each period, a Go duration above zero such as 1m, 30s or 1h30m. A
// period of a bare unit means one of it: "60/m" is "60/1m".
func parseRateLimit(s string) (rateLimit, error) {
	count, period, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return rateLimit{}, errors.New("want N/period: a number of requests, a slash and a period, such as 60/1m")
	}
	count, period = strings.TrimSpace(count), strings.TrimSpace(period)
	n, err := strconv.Atoi(count)
	if err != nil || n <= 0 {
		return rateLimit{}, fmt.Errorf("the number of requests %q is not a whole number above 0; write N/period, such as 60/1m", count)
	}
	if period != "" && unicode.IsLetter(rune(period[0])) {
		period = "1" + period
	}
	per, err := time.ParseDuration(period)
	if err != nil {
		return rateLimit{}, fmt.Errorf("the period %q is not a duration such as 1s, 1m or 1h; write N/period, such as 60/1m", period)
	}
	if per <= 0 {
		return rateLimit{}, fmt.Errorf("the period %q is not above zero; write N/period, such as 60/1m", period)
	}
	return rateLimit{n: n, per: per}, nil
}

// checkAddr checks the value of --addr before anything listens on it: a
// host:port whose host is loopback, unless allowAny.
func checkAddr(addr string, allowAny bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q is not host:port; write, for example, 127.0.0.1:8080", addr)
	}
	if allowAny || validate.IsLoopbackHost(host) {
		return nil
	}
	return usageErrorf("--addr %q is not a loopback address: the fake accepts fixed, public credentials, "+
		"so anyone who can reach it could use it; listen on 127.0.0.1, [::1] or localhost, "+
		"or pass --allow-non-loopback to serve beyond this machine anyway", addr)
}
