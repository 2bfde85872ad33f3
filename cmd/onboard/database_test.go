package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDatabaseErrorsHideURL runs the commands that use the database with
// URLs that cannot be used, each holding a password, and checks that the
// error names ONBOARD_DATABASE_URL and holds neither the URL nor the
// password, however written.
func TestDatabaseErrorsHideURL(t *testing.T) {
	file := filepath.Join(t.TempDir(), "people.csv")
	require.NoError(t, os.WriteFile(file, []byte("email\nada@example.com\n"), 0o600))
	tests := []struct {
		name, url string
		secrets   []string
	}{
		{"refused", "postgres://onboard:Sw0rdfish-91@127.0.0.1:1/onboard?connect_timeout=2", []string{"Sw0rdfish-91"}},
		{"not a URL", "postgres://onboard:Sw0rdfish-92@127.0.0.1:notaport/onboard", []string{"Sw0rdfish-92"}},
		{"escaped", "postgres://onboard:p%40ss%2FSw0rd-93@127.0.0.1:1/onboard?connect_timeout=2", []string{"p@ss/Sw0rd-93", "p%40ss%2FSw0rd-93"}},
		{"keywords", "host=127.0.0.1 port=1 user=onboard password=Sw0rdfish-94 connect_timeout=2", []string{"Sw0rdfish-94"}},
		{"quoted keyword", "host=127.0.0.1 port=1 user=onboard password='Sw0rd fish-95' connect_timeout=2", []string{"Sw0rd fish-95"}},
	}
	commands := [][]string{
		{"status", "some-import"},
		{"aptly", "invite", "--file", file, "--queue"},
		{"worker"},
	}
	for _, tt := range tests {
		for _, args := range commands {
			t.Run(tt.name+"/"+args[0], func(t *testing.T) {
				p := newInProcess(t)
				p.env[envDatabaseURL] = tt.url
				code, stdout, stderr := p.run(t, args...)
				assert.Equal(t, exitError, code, stderr)
				assert.Contains(t, stderr, envDatabaseURL)
				for _, s := range append(tt.secrets, tt.url) {
					assert.NotContains(t, stdout+stderr, s)
				}
			})
		}
	}
}
