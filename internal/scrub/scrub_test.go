package scrub

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestList(t *testing.T) {
	t.Parallel()
	// "Basic dXNlcjpzM2NyZXQ=" is user:s3cret.
	s := Finish(AppendParts(List{"k\"ey-1234", "abc"}, "Basic dXNlcjpzM2NyZXQ="))
	tests := []struct {
		name, in, want string
	}{
		{name: "the header value", in: "sent Basic dXNlcjpzM2NyZXQ=", want: "sent [redacted]"},
		{name: "the token alone", in: "token dXNlcjpzM2NyZXQ=", want: "token [redacted]"},
		{name: "the Basic password", in: `{"password":"s3cret"}`, want: `{"password":"[redacted]"}`},
		{name: "a secret as JSON escapes it", in: `{"key":"k\"ey-1234"}`, want: `{"key":"[redacted]"}`},
		{name: "too short to scrub", in: "abc", want: "abc"},
		{name: "nothing to scrub", in: "hello", want: "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, s.Text(tt.in))
			assert.Equal(t, tt.want, string(s.Body([]byte(tt.in))))
		})
	}
}

func TestList_Header(t *testing.T) {
	t.Parallel()
	s := Finish(List{"tok-secret"})
	clean := http.Header{"X-Request-Id": {"r1"}}
	assert.Equal(t, clean, s.Header(clean))
	echoed := http.Header{"X-Echo": {"Bearer tok-secret"}, "X-Request-Id": {"r1"}}
	got := s.Header(echoed)
	assert.Equal(t, http.Header{"X-Echo": {"Bearer [redacted]"}, "X-Request-Id": {"r1"}}, got)
	assert.Equal(t, "Bearer tok-secret", echoed.Get("X-Echo"), "the header given is left as it was")
}
