// Package errbody reads the error bodies of the three services into one
// shape. It knows Aptly's envelope ({"statusCode","message","error"}, where
// message may be a list), Royalti's {"success":false,"error":{code,message,
// details}} and {"message"}, and AthenaHQ's {"error":"..."}.
package errbody

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/onboardkit/onboard/internal/mask"
)

// Parsed is what could be read from an error body. Any field may be empty.
type Parsed struct {
	Message string
	Code    string
	Details []string
	// EnvelopeStatus is the "statusCode" field of an Aptly envelope, or 0,
	// and Timestamp its "timestamp" field as sent.
	EnvelopeStatus int
	Timestamp      string
}

// raw accepts every documented error shape; fields whose type varies between
// services are read as raw JSON and sorted out afterwards.
type raw struct {
	Message    json.RawMessage `json:"message"`
	Error      json.RawMessage `json:"error"`
	Code       json.RawMessage `json:"code"`
	StatusCode json.RawMessage `json:"statusCode"`
	Details    json.RawMessage `json:"details"`
	Timestamp  json.RawMessage `json:"timestamp"`
}

type nested struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
	Details json.RawMessage `json:"details"`
}

// Parse reads body as any of the known error shapes. It never fails: a body
// that is not JSON yields a Message made from its first line of text, so the
// caller can still say what came back.
func Parse(body []byte) Parsed {
	var p Parsed
	var r raw
	if err := json.Unmarshal(body, &r); err != nil {
		p.Message = Snippet(body, 200)
		return p
	}
	p.Message = text(r.Message)
	p.Code = text(r.Code)
	p.Details = list(r.Details)
	p.Timestamp = text(r.Timestamp)
	var n float64
	if json.Unmarshal(r.StatusCode, &n) == nil && n >= 100 && n < 1000 {
		p.EnvelopeStatus = int(n)
	}
	if len(r.Error) > 0 {
		var obj nested
		if r.Error[0] == '{' && json.Unmarshal(r.Error, &obj) == nil {
			if m := text(obj.Message); m != "" {
				p.Message = m
			}
			if c := text(obj.Code); c != "" {
				p.Code = c
			}
			if d := list(obj.Details); len(d) > 0 {
				p.Details = d
			}
		} else if s := text(r.Error); s != "" {
			// AthenaHQ puts its message here; Aptly puts the status text
			// ("Bad Request") here beside a real message.
			if p.Message == "" {
				p.Message = s
			} else if p.Code == "" {
				p.Code = s
			}
		}
	}
	return p
}

// text renders a JSON string, number or list of strings as one line.
func text(m json.RawMessage) string {
	if len(m) == 0 || string(m) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	if items := list(m); len(items) > 0 {
		return strings.Join(items, "; ")
	}
	var n json.Number
	if json.Unmarshal(m, &n) == nil {
		return n.String()
	}
	return ""
}

// list renders a JSON list as strings: strings as they are, objects with a
// "message" by that message, anything else as compact JSON.
func list(m json.RawMessage) []string {
	var items []json.RawMessage
	if len(m) == 0 || json.Unmarshal(m, &items) != nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			out = append(out, s)
			continue
		}
		var obj struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		}
		if json.Unmarshal(it, &obj) == nil && obj.Message != "" {
			if obj.Field != "" {
				out = append(out, obj.Field+": "+obj.Message)
			} else {
				out = append(out, obj.Message)
			}
			continue
		}
		out = append(out, string(it))
	}
	return out
}

// Snippet returns at most n bytes of body as printable one-line text, cut at a
// rune boundary and marked when cut, for error messages about bodies that are
// not what the documents describe. Runs of white space become one space. It
// reads only as much of body as it shows, so a large body costs no more than
// a small one. A cut never ends the text in the first part of an email
// address whose "@" lies past it, which masking could not then recognise.
func Snippet(body []byte, n int) string {
	var b strings.Builder
	b.Grow(max(min(len(body), n), 0) + len("…"))
	space := false // white space seen since the last word
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Sprintf("%d bytes of non-text data", len(body))
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			i += size
			continue
		}
		if space && b.Len() < n {
			b.WriteByte(' ')
		}
		space = false
		if b.Len()+size > n {
			shown := b.String()
			return shown[:mask.CutStart(shown, body[i:])] + "…"
		}
		b.Write(body[i : i+size])
		i += size
	}
	return b.String()
}
