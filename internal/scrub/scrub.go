// Package scrub redacts credentials from the bodies, texts and headers a
// call hands on, such as the parts of an error.
package scrub

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Redaction is what a scrubbed credential is replaced by.
const Redaction = "[redacted]"

// List holds credentials; Finish readies it for use.
type List []string

// Finish adds each credential's JSON-escaped form, which an answer may echo,
// and sorts s longest first, so that no credential holding another is left
// half shown.
func Finish(s List) List {
	for _, secret := range s {
		if !needsJSONEscape(secret) {
			continue
		}
		if b, err := json.Marshal(secret); err == nil {
			s = append(s, string(b[1:len(b)-1]))
		}
	}
	slices.SortFunc(s, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return s
}

// AppendParts appends a header value with its token or Basic password.
func AppendParts(s List, v string) List {
	s = append(s, v)
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		return s
	}
	s = append(s, rest)
	if strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(rest); err == nil {
			if _, password, ok := strings.Cut(string(raw), ":"); ok {
				s = append(s, password)
			}
		}
	}
	return s
}

// Body returns b with every credential redacted; b itself if it holds none.
func (s List) Body(b []byte) []byte {
	for _, secret := range s {
		if scrubbable(secret) && bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(Redaction))
		}
	}
	return b
}

// Text returns v with every credential redacted.
func (s List) Text(v string) string {
	for _, secret := range s {
		if scrubbable(secret) && strings.Contains(v, secret) {
			v = strings.ReplaceAll(v, secret, Redaction)
		}
	}
	return v
}

// Header returns h with every credential redacted; a copy if it held one.
func (s List) Header(h http.Header) http.Header {
	if !s.inHeader(h) {
		return h
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		scrubbed := make([]string, len(values))
		for i, v := range values {
			scrubbed[i] = s.Text(v)
		}
		out[name] = scrubbed
	}
	return out
}

func (s List) inHeader(h http.Header) bool {
	for _, values := range h {
		for _, v := range values {
			for _, secret := range s {
				if scrubbable(secret) && strings.Contains(v, secret) {
					return true
				}
			}
		}
	}
	return false
}

// scrubbable reports whether secret is long enough not to match by chance.
func scrubbable(secret string) bool { return len(secret) >= 4 }

// needsJSONEscape reports whether encoding/json writes v otherwise.
func needsJSONEscape(v string) bool {
	for i := range len(v) {
		switch b := v[i]; {
		case b < 0x20, b >= 0x80, b == '"', b == '\\', b == '<', b == '>', b == '&':
			return true
		}
	}
	return false
}
