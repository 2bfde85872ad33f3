package onboard

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// redaction is what a scrubbed credential is replaced by.
const redaction = "[redacted]"

// scrubber holds every credential a call knows, longest first.
type scrubber []string

// scrubber collects the call's credentials: those in its body or query, the
// Authenticator's, and the header values it set, with their tokens and
// passwords, each also as JSON escapes it.
func (l *callLoop) scrubber() scrubber {
	return l.appendSecrets(make(scrubber, 0, len(l.cs.secrets)+8))
}

// appendSecrets appends what scrubber collects, allocating nothing if s has room.
func (l *callLoop) appendSecrets(s scrubber) scrubber {
	s = append(s, l.cs.secrets...)
	if h, ok := l.c.auth.(secretHolder); ok {
		s = append(s, h.heldSecrets()...)
	}
	for name, values := range l.authed {
		if slices.Equal(l.plain[name], values) {
			continue
		}
		for _, v := range values {
			s = appendSecretParts(s, v)
		}
	}
	s = withEscaped(s)
	// Longest first, so that no secret holding another is left half shown.
	slices.SortFunc(s, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return s
}

// body returns b with every credential redacted; b itself if it holds none.
func (s scrubber) body(b []byte) []byte {
	for _, secret := range s {
		if scrubbable(secret) && bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(redaction))
		}
	}
	return b
}

// text returns v with every credential replaced by "[redacted]".
func (s scrubber) text(v string) string {
	for _, secret := range s {
		if scrubbable(secret) && strings.Contains(v, secret) {
			v = strings.ReplaceAll(v, secret, redaction)
		}
	}
	return v
}

// header returns h with every credential redacted; a copy if it held one.
func (s scrubber) header(h http.Header) http.Header {
	if !s.inHeader(h) {
		return h
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		scrubbed := make([]string, len(values))
		for i, v := range values {
			scrubbed[i] = s.text(v)
		}
		out[name] = scrubbed
	}
	return out
}

func (s scrubber) inHeader(h http.Header) bool {
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

// response fills a failed call's r with the scrubbed body, header and message.
func (s scrubber) response(r *Response, body []byte, header http.Header, withheld bool) {
	r.Body, r.Header = body, header
	if r.Envelope == nil {
		return
	}
	env := *r.Envelope // a copy: the call's own metadata keeps its message
	env.Message = s.text(env.Message)
	if withheld {
		env.Message = ""
	}
	r.Envelope = &env
}

// scrubbable reports whether secret is long enough not to match by chance.
func scrubbable(secret string) bool { return len(secret) >= 4 }

// appendSecretParts appends a header value with its token or Basic password.
func appendSecretParts(s scrubber, v string) scrubber {
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

// withEscaped adds each secret's JSON-escaped form, which an answer may echo.
func withEscaped(s scrubber) scrubber {
	for _, secret := range s {
		if !needsJSONEscape(secret) {
			continue
		}
		if b, err := json.Marshal(secret); err == nil {
			s = append(s, string(b[1:len(b)-1]))
		}
	}
	return s
}

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
