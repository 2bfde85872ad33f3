package validate

import (
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"
)

// slowIsEmail is IsEmail without its fast path: the reference it must
// agree with.
func slowIsEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at >= 1 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// TestPlainAddressAgreesWithParseAddress checks that every address the
// fast path accepts, the full parser accepts too, over hand-picked cases
// and random strings built from the characters that matter.
func TestPlainAddressAgreesWithParseAddress(t *testing.T) {
	cases := []string{
		"ada@example.com", "Ollie.Kling@yahoo.com", "a@b.c", "a.b.c@d-e.f.g", "x+tag@example.co.uk",
		"!#$%&'*+-/=?^_`{|}~@example.com", "a@-b.com", "a@b-.com", "1@2.3",
		".a@example.com", "a.@example.com", "a..b@example.com", "a@example", "a@.example.com",
		"a@example.com.", "a@example..com", "@example.com", "a@@example.com", "a@b@example.com",
		`"a b"@example.com`, "a@[127.0.0.1]", "ä@example.com", "a@exämple.com", "a(b)@example.com",
	}
	for _, c := range cases {
		if isPlainAddress(c) && !slowIsEmail(c) {
			t.Errorf("fast path accepts %q, ParseAddress does not", c)
		}
		if IsEmail(c) != slowIsEmail(c) {
			t.Errorf("IsEmail(%q) = %v, reference says %v", c, IsEmail(c), slowIsEmail(c))
		}
	}
	// Address-shaped strings, then mutated, so that both sides of the
	// fast path's edge are exercised.
	const (
		atext  = "abZ09!#$%&'*+-/=?^_`{|}~"
		domain = "abZ09-"
		weird  = ".@\"(),:;[]\\ä \t<>"
	)
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[r.IntN(len(set))]
		}
		return string(b)
	}
	dotted := func(set string) string {
		parts := make([]string, 1+r.IntN(3))
		for i := range parts {
			parts[i] = pick(set, 1+r.IntN(4))
		}
		return strings.Join(parts, ".")
	}
	all := atext + domain + weird
	accepted := 0
	for range 50_000 {
		b := []byte(dotted(atext) + "@" + dotted(domain))
		for range r.IntN(3) {
			i := r.IntN(len(b) + 1)
			c := all[r.IntN(len(all))]
			switch r.IntN(3) {
			case 0:
				b = append(b[:i], append([]byte{c}, b[i:]...)...)
			case 1:
				if i < len(b) {
					b[i] = c
				}
			default:
				if i < len(b) {
					b = append(b[:i], b[i+1:]...)
				}
			}
		}
		s := string(b)
		if isPlainAddress(s) {
			accepted++
			if !slowIsEmail(s) {
				t.Fatalf("fast path accepts %q, ParseAddress does not", s)
			}
		}
		if IsEmail(s) != slowIsEmail(s) {
			t.Fatalf("IsEmail(%q) = %v, reference says %v", s, IsEmail(s), slowIsEmail(s))
		}
	}
	if accepted < 2_500 {
		t.Fatalf("only %d of the strings took the fast path; the test is not exercising it", accepted)
	}
}
