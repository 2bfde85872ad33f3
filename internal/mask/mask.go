// Package mask hides email addresses in text meant for people, such as error
// messages, which callers log. An address keeps the first character of its
// local part and its domain: "ada.lovelace+news@example.com" becomes
// "a***@example.com".
//
// An address is found by its "@" (or "%40", the "@" of a URL): the local part
// is the run of characters before it that an address may hold (ASCII atext
// and dots, and any character beyond ASCII that is not a space or
// punctuation), or the text between double quotes right before it. The rule errs on the side of
// masking: text such as "key=ada@example.com" is masked as a whole
// ("k***@example.com").
package mask

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Stars replaces all but the first character of a masked local part.
const Stars = "***"

// String returns s with the local part of every email address in it
// masked. It returns s itself, without allocating, when there is nothing to
// mask. Masking is idempotent: String(String(s)) == String(s).
func String(s string) string {
	if strings.IndexByte(s, '@') < 0 && !strings.Contains(s, "%40") {
		return s
	}
	var out []byte // nil until the first change
	copied := 0    // s[:copied] is in out
	floor := 0     // a local part starts at or after the end of the last separator
	for i := 0; i < len(s); {
		n := separator(s, i)
		if n == 0 {
			i++
			continue
		}
		start, end := Local(s, floor, i)
		if start < end && !masked(s[start:end]) {
			if out == nil {
				out = make([]byte, 0, len(s))
			}
			out = append(out, s[copied:start]...)
			out = appendMasked(out, s[start:end])
			copied = end
		}
		i += n
		floor = i
	}
	if out == nil {
		return s
	}
	return string(append(out, s[copied:]...))
}

// separator returns the length of the "@" or "%40" at s[i], or 0.
func separator(s string, i int) int {
	switch {
	case s[i] == '@':
		return 1
	case s[i] == '%' && strings.HasPrefix(s[i+1:], "40"):
		return 3
	}
	return 0
}

// Local returns the bounds of the local part that ends at s[at], the start
// of a separator, looking no further back than floor. start == end when
// there is none. A local part in double quotes is the text inside them.
func Local(s string, floor, at int) (start, end int) {
	if at > floor && s[at-1] == '"' {
		q := strings.LastIndexByte(s[floor:at-1], '"')
		if q < 0 {
			return at, at
		}
		return floor + q + 1, at - 1
	}
	start = at
	for start > floor {
		r, size := utf8.DecodeLastRuneInString(s[floor:start])
		if !IsLocal(r) {
			break
		}
		start -= size
	}
	return start, at
}

// IsLocal reports whether r may be part of the local part of an address:
// an ASCII letter, digit, dot or one of !#$%&'*+-/=?^_`{|}~, or any
// character beyond ASCII that is not a space or punctuation (so quotes and
// brackets such as “ ” « » end a local part). utf8.RuneError, which stands
// for a byte that is not UTF-8, counts as part of it.
func IsLocal(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", r)
	}
	return !unicode.IsSpace(r) && !unicode.IsPunct(r)
}

// masked reports whether local is already in the masked form: one character
// followed by Stars.
func masked(local string) bool {
	_, size := utf8.DecodeRuneInString(local)
	return local[size:] == Stars
}

func appendMasked(out []byte, local string) []byte {
	_, size := utf8.DecodeRuneInString(local)
	return append(append(out, local[:size]...), Stars...)
}

// CutStart returns where to cut head, text about to be shown followed by
// more that will not be, so that the shown part does not end in the start
// of an address whose "@" lies in tail: the start of that local part, or
// len(head) when there is none. It looks at most 256 bytes into tail.
func CutStart(head string, tail []byte) int {
	start, _ := Local(head, 0, len(head))
	if start == len(head) {
		return start
	}
	tail = tail[:min(len(tail), 256)]
	for i := 0; i < len(tail); {
		if tail[i] == '@' || tail[i] == '%' && bytes.HasPrefix(tail[i+1:], []byte("40")) {
			return start
		}
		r, size := utf8.DecodeRune(tail[i:])
		if !IsLocal(r) {
			break
		}
		i += size
	}
	return len(head)
}
