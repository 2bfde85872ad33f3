package errbody

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds Parse any bytes an error answer could hold. It must not
// panic, must be deterministic, must keep EnvelopeStatus to an HTTP-like
// status, and must turn a body that is not a JSON object into a short
// one-line Message and nothing else. The seeds are the error shapes of the
// three services and bodies that are not JSON; they run in every go test.
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 30s ./internal/errbody
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		// Aptly (NestJS): message a string or a list, error the status text.
		`{"statusCode":400,"message":["email must be an email","tenantId must be a UUID"],"error":"Bad Request"}`,
		`{"statusCode":401,"message":"Unauthorized"}`,
		`{"statusCode":409,"timestamp":"2026-01-12T09:10:12.337Z","message":"Email already exists","data":null}`,
		// AthenaHQ.
		`{"error":"User is already a member of this website"}`,
		`{"success":false,"error":"Group invites require a global API key"}`,
		// Royalti: structured and plain.
		`{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid input","details":[{"field":"email","message":"must be a valid email"},"users is required",42]}}`,
		`{"message":"User Jane Doe already associated with workspace!"}`,
		`{"success":false,"error":{"code":404,"message":["Workspace","not found"]}}`,
		// Odd but JSON.
		`{"message":12.5,"code":null,"statusCode":99999,"details":"not a list"}`,
		`{"error":{}}`, `{"error":[]}`, `{"error":""}`, `null`, `[]`, `"text"`, `0`,
		// Not JSON.
		"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>",
		"upstream connect error or disconnect/reset before headers",
		"", "   \n\t ", "\xff\xfe\xfd", strings.Repeat("é", 150),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p := Parse(body)
		if again := Parse(body); !reflect.DeepEqual(p, again) {
			t.Fatalf("Parse is not deterministic: %#v then %#v", p, again)
		}
		if p.EnvelopeStatus != 0 && (p.EnvelopeStatus < 100 || p.EnvelopeStatus > 999) {
			t.Errorf("EnvelopeStatus %d is not a status", p.EnvelopeStatus)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) == nil {
			return
		}
		// Not a JSON object: only a snippet of the text.
		if p.Code != "" || p.Details != nil || p.EnvelopeStatus != 0 {
			t.Errorf("a body that is not a JSON object gave more than a message: %#v", p)
		}
		if want := Snippet(body, 200); p.Message != want {
			t.Errorf("Message = %q, want the snippet %q", p.Message, want)
		}
	})
}

// FuzzSnippet checks that Snippet always gives short, printable, one-line
// text, whatever the body and limit.
func FuzzSnippet(f *testing.F) {
	f.Add([]byte("<html>\n<body>\tBad   Gateway</body></html>"), uint8(10))
	f.Add([]byte(strings.Repeat("日本語", 40)), uint8(7))
	f.Add([]byte("\xff\xfe"), uint8(0))
	f.Add([]byte(""), uint8(200))
	f.Fuzz(func(t *testing.T, body []byte, n uint8) {
		s := Snippet(body, int(n))
		if !utf8.ValidString(s) {
			t.Errorf("Snippet(%q, %d) = %q is not UTF-8", body, n, s)
		}
		if strings.ContainsAny(s, "\n\r\t") {
			t.Errorf("Snippet(%q, %d) = %q is not one line", body, n, s)
		}
		if !utf8.Valid(body) {
			return // a fixed "N bytes of non-text data"
		}
		if limit := int(n) + len("…"); len(s) > limit {
			t.Errorf("Snippet(%q, %d) = %q is %d bytes, over %d", body, n, s, len(s), limit)
		}
	})
}
