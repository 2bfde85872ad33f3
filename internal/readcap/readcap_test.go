package readcap

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        string
		limit, size int64
		want        string
		more        bool
	}{
		{name: "under the cap, length unknown", body: "hello", limit: 10, size: -1, want: "hello"},
		{name: "under the cap, length announced", body: "hello", limit: 10, size: 5, want: "hello"},
		{name: "at the cap", body: "0123456789", limit: 10, size: -1, want: "0123456789"},
		{name: "over the cap", body: "0123456789ab", limit: 10, size: -1, want: "0123456789", more: true},
		{name: "announced over the cap: read as far as keep", body: "0123456789ab", limit: 10, size: 12, want: "0123", more: true},
		{name: "announced short", body: "0123456789", limit: 20, size: 2, want: "0123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, more, err := Read(strings.NewReader(tt.body), tt.limit, tt.size, 4)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.more, more)
		})
	}
}

// stuck returns nothing, for ever.
type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }

func TestRead_noProgress(t *testing.T) {
	t.Parallel()
	_, _, err := Read(io.MultiReader(bytes.NewReader([]byte("ab")), stuck{}), 10, -1, 4)
	assert.ErrorIs(t, err, io.ErrNoProgress)
}
