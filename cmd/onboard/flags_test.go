package main

import (
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want rateLimit
	}{
		{"60/1m", rateLimit{60, time.Minute}},
		{"60/m", rateLimit{60, time.Minute}},
		{"5/2s", rateLimit{5, 2 * time.Second}},
		{" 10 / 1h30m ", rateLimit{10, 90 * time.Minute}}, // spaces around the parts are dropped
		{"1/500ms", rateLimit{1, 500 * time.Millisecond}},
		{"100/h", rateLimit{100, time.Hour}},
	} {
		got, err := parseRateLimit(c.in)
		if assert.NoError(t, err, c.in) {
			assert.Equal(t, c.want, got, c.in)
		}
	}
}

func TestParseRateLimitRefuses(t *testing.T) {
	t.Parallel()
	for in, msg := range map[string]string{
		"":                        "want N/period",
		"60":                      "want N/period",
		"60 per minute":           "want N/period",
		"/1m":                     `the number of requests "" is not a whole number above 0`,
		"0/1m":                    `the number of requests "0" is not a whole number above 0`,
		"-5/1m":                   `the number of requests "-5" is not a whole number above 0`,
		"1.5/1m":                  `the number of requests "1.5" is not a whole number above 0`,
		"99999999999999999999/1m": "is not a whole number above 0",
		"60/":                     `the period "" is not a duration`,
		"60/1parsec":              `the period "1parsec" is not a duration`,
		"60/1m/2":                 `the period "1m/2" is not a duration`,
		"60/0s":                   `the period "0s" is not above zero`,
		"60/-1m":                  `the period "-1m" is not above zero`,
	} {
		_, err := parseRateLimit(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), msg, in)
		}
	}
}

// TestRateLimitFlag checks the pflag.Value: what Set reads, String writes
// back, and a refused value leaves the flag as it was.
func TestRateLimitFlag(t *testing.T) {
	t.Parallel()
	var r rateLimit
	assert.Empty(t, r.String(), "no limit shows no default in help")
	assert.Equal(t, "N/period", r.Type())
	require.NoError(t, r.Set("60/m"))
	assert.Equal(t, "60/1m0s", r.String())
	require.Error(t, r.Set("60"))
	assert.Equal(t, rateLimit{60, time.Minute}, r)
}

func FuzzParseRateLimit(f *testing.F) {
	for _, s := range []string{"60/1m", "60/m", " 1 / 1h30m ", "0/1m", "60/", "/", "60/-1s", "9/µs", "1/1e3s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRateLimit(s)
		if err != nil {
			return
		}
		assert.Positive(t, r.n)
		assert.Positive(t, r.per)
		again, err := parseRateLimit(r.String())
		require.NoError(t, err, "String must read back: %q", r.String())
		assert.Equal(t, r, again)
	})
}

func TestCheckAddr(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.1:8080", "127.9.9.9:80", "[::1]:0", "localhost:0", "LOCALHOST:1"} {
		assert.NoError(t, checkAddr(addr, false), addr)
	}
	for _, addr := range []string{"0.0.0.0:0", ":8080", "[::]:0", "192.168.1.10:80", "example.com:80", "[::ffff:10.0.0.1]:0"} {
		err := checkAddr(addr, false)
		if assert.Error(t, err, addr) {
			assert.Contains(t, err.Error(), "is not a loopback address", addr)
			assert.Contains(t, err.Error(), "--allow-non-loopback", addr)
			assert.ErrorAs(t, err, new(*usageError))
		}
		assert.NoError(t, checkAddr(addr, true), "%s with --allow-non-loopback", addr)
	}
	for _, addr := range []string{"127.0.0.1", "nonsense", "", "[::1"} {
		err := checkAddr(addr, true)
		if assert.Error(t, err, addr) {
			assert.Contains(t, err.Error(), "is not host:port", addr)
		}
	}
}

// TestEveryCommandHasExample checks that each command's --help shows an
// Examples section, help included.
func TestEveryCommandHasExample(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		assert.NotEmpty(t, c.Example, c.CommandPath())
		assert.NotEmpty(t, c.Short, c.CommandPath())
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root := newRootCmd(&app{getenv: func(string) string { return "" }, now: time.Now})
	walk(root)
	var names []string
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	assert.ElementsMatch(t, []string{"aptly", "athena", "fake", "help", "royalti", "status", "sync", "version", "worker"}, names)
}
