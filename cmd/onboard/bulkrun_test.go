package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// TestImportPathsCheckedFirst checks that --report, --journal and --file
// naming one file, however spelt or linked, are refused before any file is
// created or truncated and before anything is sent: a crashed run's
// journal given as the report too survives.
func TestImportPathsCheckedFirst(t *testing.T) {
	t.Parallel()
	const journalText = "the journal of a run that crashed\n"
	// Each case gets a directory holding people.csv and journal.log, and
	// returns the flags to add, in that directory.
	for name, flags := range map[string]func(t *testing.T, dir string) []string{
		"report is the journal": func(*testing.T, string) []string {
			return []string{"--report", "journal.log", "--journal", "journal.log"}
		},
		"report is the journal, spelt otherwise": func(*testing.T, string) []string {
			return []string{"--report", "./sub/../journal.log", "--journal", "journal.log"}
		},
		"report links to the journal": func(t *testing.T, dir string) []string {
			require.NoError(t, os.Symlink("journal.log", filepath.Join(dir, "report.csv")))
			return []string{"--report", "report.csv", "--journal", "journal.log"}
		},
		"report is a hard link of the journal": func(t *testing.T, dir string) []string {
			require.NoError(t, os.Link(filepath.Join(dir, "journal.log"), filepath.Join(dir, "report.csv")))
			return []string{"--report", "report.csv", "--journal", "journal.log"}
		},
		"journal links to the report": func(t *testing.T, dir string) []string {
			require.NoError(t, os.Symlink("journal.log", filepath.Join(dir, "link.log")))
			return []string{"--report", "journal.log", "--journal", "link.log"}
		},
		"neither exists yet": func(*testing.T, string) []string {
			return []string{"--report", "new.log", "--journal", "./sub/../new.log"}
		},
		"report links to a journal not there yet": func(t *testing.T, dir string) []string {
			require.NoError(t, os.Symlink("new.log", filepath.Join(dir, "report.csv")))
			return []string{"--report", "report.csv", "--journal", "new.log"}
		},
		"journal is the input": func(*testing.T, string) []string {
			return []string{"--report", "new.log", "--journal", "./people.csv"}
		},
		"report is a hard link of the input": func(t *testing.T, dir string) []string {
			require.NoError(t, os.Link(filepath.Join(dir, "people.csv"), filepath.Join(dir, "report.csv")))
			return []string{"--report", "report.csv", "--journal", "new.log"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newInProcess(t)
			dir := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
			people := "email\nada@example.com\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "people.csv"), []byte(people), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "journal.log"), []byte(journalText), 0o600))
			args := flags(t, dir)
			for i, a := range args {
				if i%2 == 1 {
					args[i] = filepath.Join(dir, a)
				}
			}
			before := listDir(t, dir)

			code, stdout, stderr := p.run(t, append([]string{"aptly", "invite", "--file", filepath.Join(dir, "people.csv")}, args...)...)
			assert.Equal(t, exitError, code, stderr)
			assert.Empty(t, stdout)
			assert.Regexp(t, `^onboard: --(report \S+ would overwrite the input|journal \S+ is (the input|the --report file); give a file of its own)`, stderr)
			assert.Zero(t, p.srv.RequestCount(""), "nothing was sent, not even the credential check")
			assert.Equal(t, before, listDir(t, dir), "no file was created or changed")
		})
	}
}

// listDir returns the names and contents of the files in dir, following
// links.
func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			out[e.Name()] = "(" + e.Type().String() + ", unreadable)"
			continue
		}
		out[e.Name()] = string(b)
	}
	return out
}

// A row an earlier run sent without an answer names the command's flag,
// where the SDK's error names its option.
func TestRowVerdictNamesTheFlag(t *testing.T) {
	o := onboard.Outcome[string]{State: onboard.StateUnknown, Replayed: true, Err: onboard.ErrInFlight,
		Message: "sent in batch 2 of run 1 of the journal, which ended before the answer came; the server may or may not have done it"}
	v := rowVerdict(o, "", func(int) string { return "2" })
	assert.Contains(t, v.reason, "(--resend-in-flight sends it again)")
	assert.NotContains(t, v.reason, "WithResendInFlight")
}
