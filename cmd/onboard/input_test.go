package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// writeFile writes content to name in a new temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// readAll reads every row of the file at path as T.
func readAll[T any](t *testing.T, path string, s *schema) ([]row[T], error) {
	t.Helper()
	r, err := openRows[T](path, s)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	var out []row[T]
	for x := range r.all() {
		out = append(out, x)
	}
	return out, r.err
}

func TestCSVRowsFields(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "people.csv", "\ufeffemail, firstName,roleIds,startDate,customAttributes.department,groups,existingUser\n"+
		"ada@example.com,Ada,11111111-1111-4111-8111-111111111111; 22222222-2222-4222-8222-222222222222,2025-10-14,Engineering,"+
		`"[{""groupId"":""33333333-3333-4333-8333-333333333333"",""isPrimaryOrg"":true}]","{""id"":7}"`+"\n"+
		"grace@example.com,,,2025-10-14T09:30:00Z,,,\n")
	rows, err := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
	require.NoError(t, err)
	require.Len(t, rows, 2)

	ada := rows[0]
	assert.Equal(t, 2, ada.line)
	assert.Empty(t, ada.problems)
	assert.Equal(t, "ada@example.com", ada.item.Email)
	assert.Equal(t, "Ada", ada.item.FirstName)
	assert.Equal(t, []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}, ada.item.RoleIDs)
	assert.Equal(t, time.Date(2025, 10, 14, 0, 0, 0, 0, time.UTC), ada.item.StartDate)
	assert.Equal(t, map[string]string{"department": "Engineering"}, ada.item.CustomAttributes)
	require.Len(t, ada.item.Groups, 1)
	assert.Equal(t, "33333333-3333-4333-8333-333333333333", ada.item.Groups[0].GroupID)
	assert.Equal(t, onboard.Ptr(true), ada.item.Groups[0].IsPrimaryOrg)
	assert.Equal(t, map[string]any{"id": float64(7)}, ada.item.ExistingUser)

	grace := rows[1]
	assert.Equal(t, 3, grace.line)
	assert.Empty(t, grace.problems)
	assert.Empty(t, grace.item.FirstName, "an empty cell leaves the field unset")
	assert.Nil(t, grace.item.CustomAttributes)
	assert.Equal(t, time.Date(2025, 10, 14, 9, 30, 0, 0, time.UTC), grace.item.StartDate)
}

// TestCSVRowProblems checks that a bad row is reported with its line and
// field, and that the rows after it are read.
func TestCSVRowProblems(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "people.csv", "email,startDate,groups\n"+
		"ada@example.com,14/10/2025,\n"+
		"\"grace\n@example.com\",,not json\n"+ // a quoted cell across two lines: the row starts on line 3
		"alan@example.com,,,too many\n"+
		"kat@example.com,,\n")
	rows, err := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, []fieldProblem{{"startDate", `"14/10/2025" is not a date such as 2025-10-14 or a date-time such as 2025-10-14T09:00:00Z`}}, rows[0].problems)
	assert.Equal(t, 3, rows[1].line)
	assert.Equal(t, []fieldProblem{{"groups", "is not valid JSON for a JSON array"}}, rows[1].problems)
	assert.Equal(t, 5, rows[2].line)
	assert.Equal(t, []fieldProblem{{"", "the row has 4 fields; the header has 3"}}, rows[2].problems)
	assert.Equal(t, "alan@example.com", rows[2].item.Email, "what fits is read, to name the row")
	assert.Equal(t, 6, rows[3].line)
	assert.Empty(t, rows[3].problems)
}

func TestCSVHeaderProblems(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ content, msg string }{
		"empty":     {"", "is empty; it needs a header row naming its columns (email)"},
		"unknown":   {"email,first_name\n", `the header's column 2, "first_name", is not a field this command reads; the columns are email, firstName`},
		"missing":   {"firstName\nAda\n", "the header has no email column"},
		"twice":     {"email,email\n", `the header names column "email" twice`},
		"bad map":   {"email,firstName.x\n", `"firstName.x", is not a field`},
		"bad quote": {"email\n\"ada@example.com\n", "extraneous or missing \" in quoted-field"},
	} {
		path := writeFile(t, "f.csv", c.content)
		_, err := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.msg, name)
		}
	}
}

// TestCSVIgnoreUnknown checks a schema that picks one column of a roster.
func TestCSVIgnoreUnknown(t *testing.T) {
	t.Parallel()
	type pick struct {
		Email string `json:"email"`
	}
	s := schemaOf[pick]("email")
	s.ignoreUnknown = true
	path := writeFile(t, "roster.csv", "firstName,email,,department\nAda,ada@example.com,x,Eng\n")
	rows, err := readAll[pick](t, path, s)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, "ada@example.com", rows[0].item.Email)
	assert.Empty(t, rows[0].problems)
}

func TestJSONLinesRows(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "people.jsonl", `{"email":"ada@example.com","firstName":"Ada","customAttributes":{"department":"Eng"},"startDate":"2025-10-14"}`+"\n"+
		"\n"+
		`{"email":"grace@example.com","roleIds":"not a list","firstname":"Grace"}`+"\n"+
		"[1,2]\n"+
		"null\n"+
		`{"email":"alan@example.com","groups":[{"groupId":"33333333-3333-4333-8333-333333333333"}]}`)
	rows, err := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
	require.NoError(t, err)
	require.Len(t, rows, 5, "the blank line is skipped, and counted")

	assert.Equal(t, 1, rows[0].line)
	assert.Empty(t, rows[0].problems)
	assert.Equal(t, map[string]string{"department": "Eng"}, rows[0].item.CustomAttributes)
	assert.Equal(t, time.Date(2025, 10, 14, 0, 0, 0, 0, time.UTC), rows[0].item.StartDate)

	assert.Equal(t, 3, rows[1].line)
	assert.Equal(t, "grace@example.com", rows[1].item.Email)
	require.Len(t, rows[1].problems, 2, "keys are exact: firstname is not firstName")
	assert.Equal(t, "firstname", rows[1].problems[0].field)
	assert.Contains(t, rows[1].problems[0].message, "is not a field this command reads")
	assert.Equal(t, fieldProblem{"roleIds", "is a JSON string; want a list of text"}, rows[1].problems[1])

	assert.Equal(t, []fieldProblem{{"", "is not a JSON object"}}, rows[2].problems)
	assert.Equal(t, 5, rows[3].line)
	assert.Equal(t, []fieldProblem{{"", "is not a JSON object"}}, rows[3].problems)
	assert.Equal(t, 6, rows[4].line)
	assert.Empty(t, rows[4].problems)
}

func TestJSONLineTooLong(t *testing.T) {
	t.Parallel()
	long := make([]byte, maxLineBytes+10)
	for i := range long {
		long[i] = 'x'
	}
	path := writeFile(t, "big.jsonl", `{"email":"ada@example.com"}`+"\n"+string(long)+"\n")
	rows, err := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 2")
	assert.Len(t, rows, 1)
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	assert.Equal(t, formatCSV, detectFormat("a.csv", []byte(`{"email":1}`)), "the name wins")
	assert.Equal(t, formatJSONLines, detectFormat("a.JSONL", []byte("email\n")))
	assert.Equal(t, formatJSONLines, detectFormat("a.ndjson", nil))
	assert.Equal(t, formatJSONLines, detectFormat("a.json", nil))
	assert.Equal(t, formatJSONLines, detectFormat("people", []byte("\ufeff \n {\"email\":1}")))
	assert.Equal(t, formatCSV, detectFormat("people", []byte("email\n")))
	assert.Equal(t, formatCSV, detectFormat("people", nil))
}

func TestSetCellKinds(t *testing.T) {
	t.Parallel()
	type all struct {
		S    string             `json:"s"`
		L    []string           `json:"l"`
		B    *bool              `json:"b"`
		N    int                `json:"n"`
		Role onboard.AthenaRole `json:"role"`
		M    map[string]any     `json:"m"`
	}
	path := writeFile(t, "x.csv", "s,l,b,n,role,m\n"+
		`text,"[""a"",""b""]",false,42,admin,"{""k"":1}"`+"\n"+
		",a;;b;,maybe,4.5,,{\n")
	rows, err := readAll[all](t, path, schemaOf[all]())
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, all{S: "text", L: []string{"a", "b"}, B: onboard.Ptr(false), N: 42, Role: onboard.AthenaRoleAdmin, M: map[string]any{"k": float64(1)}}, rows[0].item)
	assert.Empty(t, rows[0].problems)
	assert.Equal(t, []string{"a", "b"}, rows[1].item.L, "empty parts are dropped")
	assert.Equal(t, []fieldProblem{
		{"b", "is not true or false"}, {"n", "is not a whole number"}, {"m", "is not valid JSON for a JSON object"},
	}, rows[1].problems)
}

func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{
		"email\nada@example.com\n", "email,roleIds\nx,a;b\n", "\"email\nx", "email,startDate\n,2025-01-01\n",
		"email,customAttributes.k\na,b,c\n", "{\"email\":1}\n", "email\n\"a\"\"b\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(t.TempDir(), "f")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		rows, _ := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
		last := 0
		for _, r := range rows {
			assert.Greater(t, r.line, last, "lines grow")
			last = r.line
		}
	})
}

// TestInvalidUTF8Refused checks that a field holding bytes that are not
// UTF-8 makes its row invalid, in JSON lines (whose decoder would turn
// them into U+FFFD, another address) as in CSV, and that such a row is
// never sent.
func TestInvalidUTF8Refused(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ file, content, field string }{
		"jsonl email": {"people.jsonl", "{\"email\":\"ok@example.com\"}\n{\"email\":\"ad\xffa@example.com\"}\n", "email"},
		"jsonl name":  {"people.jsonl", "{\"email\":\"ok@example.com\"}\n{\"email\":\"ada@example.com\",\"firstName\":\"A\xc3\"}\n", "firstName"},
		"jsonl key":   {"people.jsonl", "{\"email\":\"ok@example.com\"}\n{\"email\":\"ada@example.com\",\"first\xffName\":\"Ada\"}\n", ""},
		"csv email":   {"people.csv", "email\nok@example.com\nad\xffa@example.com\n", "email"},
		"csv name":    {"people.csv", "email,firstName\nok@example.com,\nada@example.com,A\xc3\n", "firstName"},
	} {
		path := writeFile(t, c.file, c.content)
		rows, err := readAll[onboard.AptlyInvitee](t, path, schemaOf[onboard.AptlyInvitee]("email"))
		require.NoError(t, err, name)
		require.Len(t, rows, 2, name)
		assert.Empty(t, rows[0].problems, name)
		require.NotEmpty(t, rows[1].problems, name)
		assert.Equal(t, c.field, rows[1].problems[0].field, name)
		assert.Contains(t, rows[1].problems[0].message, "is not valid UTF-8", name)

		p := newInProcess(t)
		code, stdout, stderr := p.run(t, "aptly", "invite", "--file", path, "-o", "csv")
		assert.Equal(t, exitIncomplete, code, "%s: %s", name, stderr)
		assert.Contains(t, stdout, ",invalid,", name)
		assert.Contains(t, stdout, "is not valid UTF-8", name)
		assert.NotContains(t, stdout, "\ufffd", name)
		assert.Equal(t, 1, p.srv.RequestCount("/v1/user/bulk-invite"), "%s: one batch, of the valid row", name)
		assert.Contains(t, stderr, "2 rows: 1 succeeded, 1 invalid", name)
	}
}
