package mask

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzString feeds String any text. No address may survive: every "@" or
// "%40" of the result follows nothing or a masked local part, and an
// address put into the text has its local part masked whatever surrounds
// it. Masking again changes nothing, and text without "@" or "%40" comes
// back as it was. The seeds run in every go test.
//
//	go test -run '^$' -fuzz '^FuzzString$' -fuzztime 30s ./internal/mask
func FuzzString(f *testing.F) {
	for _, seed := range []struct{ text, local string }{
		{`"Ada <ada@example.com>" is not a valid email address`, "ada"},
		{"User x@example.com already associated with workspace!", "x.y+tag"},
		{`{"message":"ada@example.com, bob@example.org"}`, "jöran"},
		{"“ada@example.com” «bob@x.io»", "用户"},
		{`"ada lovelace"@example.com`, "a"},
		{"GET /users?email=ada%40example.com", "b0b"},
		{"x%40y@z", "o'brien"},
		{"a***@example.com", "a**b"},
		{"@@@", "--"},
		{"\xe2\x80\xa6b@x \xff\xfe@y", "é"},
		{"", "a"},
	} {
		f.Add(seed.text, seed.local)
	}
	f.Fuzz(func(t *testing.T, text, local string) {
		out := String(text)
		if again := String(out); again != out {
			t.Fatalf("String is not idempotent: %q -> %q -> %q", text, out, again)
		}
		if !strings.Contains(text, "@") && !strings.Contains(text, "%40") && out != text {
			t.Fatalf("String(%q) = %q, changed text without an address", text, out)
		}
		assertMasked(t, text, out)

		// An address put anywhere into the text, "%" taken out so that "@"
		// is its only separator: no "@" of the result follows an unmasked
		// local character, so local+"@" cannot be in it.
		if !plainLocal(local) {
			return
		}
		ctx := strings.ReplaceAll(text, "%", "")
		in := ctx + local + "@example.com" + ctx
		if out := String(in); strings.Contains(out, local+"@") {
			t.Fatalf("String(%q) = %q keeps the local part %q", in, out, local)
		}
	})
}

// assertMasked fails unless every local part in out is empty or masked.
func assertMasked(t *testing.T, in, out string) {
	t.Helper()
	floor := 0
	for i := 0; i < len(out); {
		n := separator(out, i)
		if n == 0 {
			i++
			continue
		}
		if start, end := Local(out, floor, i); start < end && !masked(out[start:end]) {
			t.Fatalf("String(%q) = %q keeps the local part %q", in, out, out[start:end])
		}
		i += n
		floor = i
	}
}

// plainLocal reports whether local is a local part for the embedding
// check: characters IsLocal accepts, no "%", not ending in '*'.
func plainLocal(local string) bool {
	if local == "" || strings.ContainsRune(local, '%') || strings.HasSuffix(local, "*") || !utf8.ValidString(local) {
		return false
	}
	for _, r := range local {
		if !IsLocal(r) {
			return false
		}
	}
	return true
}
