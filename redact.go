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

// scrubber holds every credential a call knows of, longest first, so that
// an error built from a server's answer that echoes one does not carry it.
type scrubber []string

// scrubber collects every credential of the call l makes: those its
// request carries in the body or query, those the Authenticator holds (an
// access key, the token in use and the one before it), and the header
// values the Authenticator set on the last attempt (whatever differs
// between plain, before it ran, and authed, after), with their parts: the
// token of "Bearer <token>" and the password of "Basic <base64>". Each is
// looked for as it is and as a JSON body escapes it.
func (l *callLoop) scrubber() scrubber {
	return l.appendSecrets(make(scrubber, 0, len(l.cs.secrets)+8))
}

// appendSecrets appends to s what scrubber collects. Given a buffer on the
// caller's stack with room for them, it allocates nothing.
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
	// Longest first, so that a whole value is replaced before its parts,
	// and a secret that holds another is not left half shown.
	slices.SortFunc(s, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return s
}

// body returns b with every credential replaced by "[redacted]". b itself
// is returned, without a copy, when it holds none.
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

// header returns h with every credential in its values replaced by
// "[redacted]". h itself is returned when no value holds one; otherwise a
// copy, so the response's own header is left as it came.
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

// response fills r, the metadata of a failed call, with the scrubbed body
// and header, and scrubs the envelope's message (which withheld drops).
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

// scrubbable reports whether secret is long enough to look for: values
// shorter than four bytes would match by chance.
func scrubbable(secret string) bool { return len(secret) >= 4 }

// appendSecretParts appends to s a credential header value and the secrets
// inside it: the token of "Bearer <token>", the password of "Basic <base64>".
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

// withEscaped adds to s the form in which a JSON body carries each secret
// that encoding/json escapes: "&", "<" and ">" as \u0026, \u003c and
// \u003e, quotes, backslashes, control characters and the like. A
// server's answer may echo either form.
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

// needsJSONEscape reports whether encoding/json writes v other than as it
// is: it escapes the bytes below, and may rewrite those past ASCII
// (U+2028, U+2029, invalid UTF-8).
func needsJSONEscape(v string) bool {
	for i := range len(v) {
		switch b := v[i]; {
		case b < 0x20, b >= 0x80, b == '"', b == '\\', b == '<', b == '>', b == '&':
			return true
		}
	}
	return false
}
