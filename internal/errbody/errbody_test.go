package errbody

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want Parsed
	}{
		{
			name: "Aptly envelope",
			body: `{"statusCode":409,"timestamp":"2026-01-12T09:10:12.337Z","message":"Email already exists","error":"Conflict"}`,
			want: Parsed{Message: "Email already exists", Code: "Conflict", EnvelopeStatus: 409, Timestamp: "2026-01-12T09:10:12.337Z"},
		},
		{
			name: "Aptly envelope with a list of messages",
			body: `{"statusCode":400,"message":["email must be an email","tenantId must be a UUID"],"error":"Bad Request"}`,
			want: Parsed{Message: "email must be an email; tenantId must be a UUID", Code: "Bad Request", EnvelopeStatus: 400},
		},
		{
			name: "Aptly success envelope reporting failure",
			body: `{"statusCode":404,"timestamp":"2026-01-12T09:10:12.337Z","message":"Tenant not found","data":null}`,
			want: Parsed{Message: "Tenant not found", EnvelopeStatus: 404, Timestamp: "2026-01-12T09:10:12.337Z"},
		},
		{
			name: "Royalti structured",
			body: `{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Validation failed","details":[{"field":"email","message":"Invalid email"},{"message":"second"},"third",{"x":1}]}}`,
			want: Parsed{Message: "Validation failed", Code: "VALIDATION_ERROR", Details: []string{"email: Invalid email", "second", "third", `{"x":1}`}},
		},
		{
			name: "Royalti structured with a numeric code",
			body: `{"success":false,"error":{"code":1042,"message":"Workspace not found"}}`,
			want: Parsed{Message: "Workspace not found", Code: "1042"},
		},
		{
			name: "Royalti plain",
			body: `{"message":"User already exists"}`,
			want: Parsed{Message: "User already exists"},
		},
		{
			name: "AthenaHQ",
			body: `{"error":"Invalid API key"}`,
			want: Parsed{Message: "Invalid API key"},
		},
		{
			name: "top-level details",
			body: `{"message":"Bad input","details":["a","b"]}`,
			want: Parsed{Message: "Bad input", Details: []string{"a", "b"}},
		},
		{
			name: "statusCode out of range is not an envelope status",
			body: `{"statusCode":42,"message":"odd"}`,
			want: Parsed{Message: "odd"},
		},
		{
			name: "statusCode as a string is ignored",
			body: `{"statusCode":"400","message":"odd"}`,
			want: Parsed{Message: "odd"},
		},
		{
			name: "nulls",
			body: `{"message":null,"error":null,"code":null}`,
			want: Parsed{},
		},
		{name: "empty object", body: `{}`, want: Parsed{}},
		{name: "JSON null", body: `null`, want: Parsed{}},
		{name: "empty", body: ``, want: Parsed{}},
		{
			name: "HTML",
			body: "<html>\n  <body>\n    <h1>502 Bad Gateway</h1>\n  </body>\n</html>\n",
			want: Parsed{Message: "<html> <body> <h1>502 Bad Gateway</h1> </body> </html>"},
		},
		{name: "plain text", body: "upstream connect error", want: Parsed{Message: "upstream connect error"}},
		{name: "JSON list", body: `["a"]`, want: Parsed{Message: `["a"]`}},
		{name: "truncated JSON", body: `{"message":"Do`, want: Parsed{Message: `{"message":"Do`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Parse([]byte(tt.body)))
		})
	}
}

// Parse never panics, whatever the bytes.
func TestParse_neverPanics(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error":`, `{"error":{`, `{"error":[]}`, `{"error":""}`, `{"error":{"message":["a",1,null]}}`,
		`{"message":{"nested":true}}`, `{"details":{"a":1}}`, "\xff\xfe\x00", `{"statusCode":1e400}`,
		`{"error":"` + strings.Repeat("é", 10000) + `"}`,
	} {
		assert.NotPanics(t, func() { Parse([]byte(body)) }, "%q", body)
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		n    int
		want string
	}{
		{"short", "hello", 10, "hello"},
		{"exact", "hello", 5, "hello"},
		{"cut", "hello world", 5, "hello…"},
		{"whitespace folded", "  a\n\tb   c \r\n", 20, "a b c"},
		{"cut at a rune boundary", "ééé", 3, "é…"},
		{"not text", "\xff\xfe\xfd", 10, "3 bytes of non-text data"},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Snippet([]byte(tt.body), tt.n))
		})
	}
}

// An error message made from a long HTML page stays short.
func TestParse_longTextIsCut(t *testing.T) {
	t.Parallel()
	p := Parse([]byte("<html>" + strings.Repeat("x", 5000) + "</html>"))
	assert.LessOrEqual(t, len(p.Message), 200+len("…"))
	assert.True(t, strings.HasSuffix(p.Message, "…"))
}

// A snippet costs what it shows, not what the body holds: 200 bytes of a
// 4 MiB body of one-letter words allocate a few hundred bytes, where
// splitting the whole body into words took over 60 MiB. Not parallel, so
// that the process-wide count is this test's.
func TestSnippet_costsWhatItShows(t *testing.T) {
	body := []byte(strings.Repeat("a ", 2<<20))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := Snippet(body, 200)
	runtime.ReadMemStats(&after)
	assert.Len(t, s, 200+len("…"))
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<10), "bytes allocated")
}

// A snippet does not end in the first part of an address it cuts.
func TestSnippet_doesNotCutAnAddress(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x ", 95) + "ada.lovelace@example.com is down"
	assert.Equal(t, strings.Repeat("x ", 95)+"…", Snippet([]byte(body), 200))
	body = strings.Repeat("x ", 95) + "upstream-timeout after 30s"
	assert.Equal(t, strings.Repeat("x ", 95)+"upstream-t…", Snippet([]byte(body), 200))
}
