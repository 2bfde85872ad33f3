package match

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func people(names ...string) []Person {
	out := make([]Person, 0, len(names)/2)
	for i := 0; i+1 < len(names); i += 2 {
		out = append(out, Person{Name: names[i], Email: names[i+1]})
	}
	return out
}

func verdicts(rs []Result) []Verdict {
	out := make([]Verdict, len(rs))
	for i, r := range rs {
		out[i] = r.Verdict
	}
	return out
}

func TestRoyalti(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		people  []Person
		created []string
		errs    []string
		want    []Verdict
		reasons []string // exact reasons of Failed results, in order; unknowns checked non-empty
	}{
		{
			name: "the document's example",
			people: people("John Doe", "john@example.com", "Jericho Doe", "jericho@example.com", "Jane Doe", "jane@example.com",
				"Jacob Doe", "jacob@example.com", "Jake Doe", "jake@example.com"),
			created: []string{"John Doe", "Jericho Doe"},
			errs: []string{"User Jane Doe already associated with workspace!", "Invalid email format for Jacob Doe",
				"Invalid email format for Jake Doe"},
			want: []Verdict{Created, Created, Failed, Failed, Failed},
			reasons: []string{"User Jane Doe already associated with workspace!", "Invalid email format for Jacob Doe",
				"Invalid email format for Jake Doe"},
		},
		{
			name:    "errors in any order",
			people:  people("Ada Lovelace", "ada@example.com", "Alan Turing", "alan@example.com"),
			errs:    []string{"Invalid email format for Alan Turing", "User Ada Lovelace already associated with workspace"},
			want:    []Verdict{Failed, Failed},
			reasons: []string{"User Ada Lovelace already associated with workspace", "Invalid email format for Alan Turing"},
		},
		{
			name:    "same name, one created and one refused: unknown",
			people:  people("John Doe", "a@example.com", "John Doe", "b@example.com"),
			created: []string{"John Doe"}, errs: []string{"User John Doe already associated with workspace!"},
			want: []Verdict{Unknown, Unknown},
		},
		{
			name:    "same name, both created",
			people:  people("John Doe", "a@example.com", "John Doe", "b@example.com"),
			created: []string{"John Doe", "john doe"},
			want:    []Verdict{Created, Created},
		},
		{
			name:    "same name, both refused",
			people:  people("John Doe", "a@example.com", "John Doe", "b@example.com"),
			errs:    []string{"User John Doe already associated with workspace!", "Invalid email format for John Doe"},
			want:    []Verdict{Failed, Failed},
			reasons: []string{"User John Doe already associated with workspace!", "Invalid email format for John Doe"},
		},
		{
			name:    "same name, one created, other not mentioned: unknown",
			people:  people("John Doe", "a@example.com", "John Doe", "b@example.com"),
			created: []string{"John Doe"},
			want:    []Verdict{Unknown, Unknown},
		},
		{
			name:    "an email in the error settles that person",
			people:  people("John Doe", "a@example.com", "John Doe", "b@example.com"),
			created: []string{"John Doe"},
			errs:    []string{"Invalid email format for b@example.com"},
			want:    []Verdict{Created, Failed},
			reasons: []string{"Invalid email format for b@example.com"},
		},
		{
			name:    "an email anywhere in free text",
			people:  people("Ada Lovelace", "ada@example.com"),
			errs:    []string{"Could not send the invite to ada@example.com: mailbox full"},
			want:    []Verdict{Failed},
			reasons: []string{"Could not send the invite to ada@example.com: mailbox full"},
		},
		{
			name:    "a name inside another name is not a match",
			people:  people("Jo Doe", "jo@example.com", "Jo Doerr", "jod@example.com"),
			created: []string{"Jo Doe"},
			errs:    []string{"Something failed for user Jo Doerr."},
			want:    []Verdict{Created, Failed},
			reasons: []string{"Something failed for user Jo Doerr."},
		},
		{
			name:   "neither created nor in errors",
			people: people("Ada Lovelace", "ada@example.com"),
			want:   []Verdict{Unknown},
		},
		{
			name:    "no name",
			people:  people("", "anon@example.com", "Ada Lovelace", "ada@example.com"),
			created: []string{"Ada Lovelace"},
			want:    []Verdict{Unknown, Created},
		},
		{
			name:    "an error about nobody submitted changes nothing",
			people:  people("Ada Lovelace", "ada@example.com"),
			created: []string{"Ada Lovelace"},
			errs:    []string{"Workspace quota almost reached", "User Zed Zero already associated with workspace!"},
			want:    []Verdict{Created},
		},
		{
			name:    "more created than submitted under a name: unknown",
			people:  people("Ada Lovelace", "ada@example.com"),
			created: []string{"Ada Lovelace", "Ada Lovelace"},
			want:    []Verdict{Unknown},
		},
		{
			name:    "case and spacing are folded",
			people:  people("  Ada   Lovelace ", "ADA@Example.com"),
			errs:    []string{"invalid email for ada@example.com"},
			want:    []Verdict{Failed},
			reasons: []string{"invalid email for ada@example.com"},
		},
		{
			name:    "created and refused by email: the answer contradicts itself",
			people:  people("Ada Lovelace", "ada@example.com"),
			created: []string{"Ada Lovelace"},
			errs:    []string{"Could not send the invite to ada@example.com: mailbox full"},
			want:    []Verdict{Unknown},
		},
		{
			name:    "created and refused by name: the answer contradicts itself",
			people:  people("Ada Lovelace", "ada@example.com"),
			created: []string{"Ada Lovelace"},
			errs:    []string{"User Ada Lovelace already associated with workspace!"},
			want:    []Verdict{Unknown},
		},
		{
			name:    "namesakes both created, one also refused by email",
			people:  people("John Doe", "a@example.com", "John Doe", "b@example.com"),
			created: []string{"John Doe", "John Doe"},
			errs:    []string{"Invalid email format for b@example.com"},
			want:    []Verdict{Unknown, Unknown},
		},
		{name: "nobody", want: []Verdict{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Royalti(tt.people, tt.created, tt.errs)
			require.Len(t, got, len(tt.people))
			assert.Equal(t, tt.want, verdicts(got))
			var reasons []string
			for i, r := range got {
				switch r.Verdict {
				case Failed:
					reasons = append(reasons, r.Reason)
				case Unknown:
					assert.NotEmpty(t, r.Reason, "result %d: an unknown says why", i)
				case Created:
					assert.Empty(t, r.Reason, "result %d", i)
				}
			}
			assert.Equal(t, tt.reasons, reasons)
		})
	}
}

// Every answer text is used at most once: no two people fail with one
// error unless it was repeated.
func TestRoyalti_errorUsedOnce(t *testing.T) {
	t.Parallel()
	got := Royalti(people("Ada Lovelace", "a@example.com", "Ada Lovelace", "b@example.com", "Ada Lovelace", "c@example.com"),
		nil, []string{"User Ada Lovelace already associated with workspace!", "User Ada Lovelace already associated with workspace!"})
	assert.Equal(t, []Verdict{Unknown, Unknown, Unknown}, verdicts(got), "two errors for three people named alike")
}

func TestKey(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "ada lovelace", Key("  Ada \t LOVELACE \n"))
	assert.Empty(t, Key("   "))
	assert.Equal(t, "ada@example.com", Key("Ada@Example.COM"))
}

func TestContainsWord(t *testing.T) {
	t.Parallel()
	assert.True(t, containsWord("user jo doe already", "jo doe"))
	assert.True(t, containsWord("jo doe", "jo doe"))
	assert.True(t, containsWord("for jo doe.", "jo doe"))
	assert.False(t, containsWord("user jo doerr already", "jo doe"))
	assert.False(t, containsWord("user ajo doe", "jo doe"))
	assert.True(t, containsWord("ajo doe, then jo doe!", "jo doe"), "a later whole-word match counts")
	assert.False(t, containsWord("", "jo doe"))
}
