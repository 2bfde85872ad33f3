package onboard

import (
	"net/http"
	"slices"

	"github.com/onboardkit/onboard/internal/scrub"
)

// appendSecrets appends to s the call's credentials: those in its body or
// query, the Authenticator's, and the header values it set, with their
// tokens and passwords, each also as JSON escapes it.
func (l *callLoop) appendSecrets(s scrub.List) scrub.List {
	s = append(s, l.cs.secrets...)
	if h, ok := l.c.auth.(secretHolder); ok {
		s = append(s, h.heldSecrets()...)
	}
	for name, values := range l.authed {
		if slices.Equal(l.plain[name], values) {
			continue
		}
		for _, v := range values {
			s = scrub.AppendParts(s, v)
		}
	}
	return scrub.Finish(s)
}

// scrubResponse fills a failed call's r with the scrubbed body, header and message.
func scrubResponse(s scrub.List, r *Response, body []byte, header http.Header, withheld bool) {
	r.Body, r.Header = body, header
	if r.Envelope == nil {
		return
	}
	env := *r.Envelope // a copy: the call's own metadata keeps its message
	env.Message = s.Text(env.Message)
	if withheld {
		env.Message = ""
	}
	r.Envelope = &env
}
