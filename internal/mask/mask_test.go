package mask

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no address", "onboard: POST /auth/invite: 500 Internal Server Error", "onboard: POST /auth/invite: 500 Internal Server Error"},
		{"bare", "ada@example.com", "a***@example.com"},
		{"in a sentence", "User x.y@example.com already associated with workspace!", "User x***@example.com already associated with workspace!"},
		{"in double quotes", `"ada@example.com" is not a UUID`, `"a***@example.com" is not a UUID`},
		{"in single quotes", `'ada@example.com'`, `'***@example.com'`},
		{"in angle brackets", `"Ada <ada@example.com>" is not a valid email address`, `"Ada <a***@example.com>" is not a valid email address`},
		{"plus tag", "ada+news@example.com", "a***@example.com"},
		{"subdomain", "ada@mail.eu.example.co.uk", "a***@mail.eu.example.co.uk"},
		{"unicode", "jöran@exämple.de, 用户@例子.广告", "j***@exämple.de, 用***@例子.广告"},
		{"typographic quotes", "“ada@example.com”", "“a***@example.com”"},
		{"several", "a@x.io;bob@y.io,carol@z.io", "a***@x.io;b***@y.io,c***@z.io"},
		{"at the start and end", "ada@example.com is taken by bob@example.com", "a***@example.com is taken by b***@example.com"},
		{"cut after the at sign", "… contact ada@", "… contact a***@"},
		{"quoted local part", `"ada lovelace"@example.com`, `"a***"@example.com`},
		{"percent-encoded", "GET /users?email=ada%40example.com", "GET /***%40example.com"},
		{"percent-encoded then at", "x%40y@z.io", "x***%40y***@z.io"},
		{"a lone at sign", "@ mentions @channel", "@ mentions @channel"},
		{"already masked", "a***@example.com", "a***@example.com"},
		{"one letter", "a@example.com", "a***@example.com"},
		{"not UTF-8", "\xffada@example.com", "\xff***@example.com"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := String(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, String(got), "masking again changes nothing")
		})
	}
}

// Text without an address is returned as it is, without a copy.
func TestString_noAllocationWithoutAnAddress(t *testing.T) {
	for _, s := range []string{
		"onboard: POST /royalti/user/bulk: 409 Conflict: User already associated with workspace!",
		"a***@example.com is already masked",
		"@ lone at signs @",
	} {
		allocs := testing.AllocsPerRun(100, func() { _ = String(s) })
		assert.Zero(t, allocs, "%q", s)
	}
}

func TestCutStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, head, tail string
		want             int
	}{
		{"an address cut before its at sign", "write to ada.lov", "elace@example.com", len("write to ")},
		{"cut right before the at sign", "write to ada", "@example.com", len("write to ")},
		{"percent-encoded", "email: ada", "%40example.com", len("email: ")},
		{"a word, not an address", "upstream conn", "ect error", len("upstream conn")}, //nolint:misspell // "conn" + "ect": the word "connect" cut in two
		{"the at sign already shown", "ada@exa", "mple.com", len("ada@exa")},
		{"the head ends between words", "write to ", "ada@example.com", len("write to ")},
		{"the at sign too far on", "x", strings.Repeat("y", 300) + "@z.io", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, CutStart(tt.head, []byte(tt.tail)))
		})
	}
}
