package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// listedUser is a user as the Aptly test server lists it.
type listedUser struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	Status         string `json:"status"`
	ActiveTenantID string `json:"activeTenantId,omitempty"`
}

// aptlyLister is an Aptly server that lists fixed pages of users, the
// paging parameters ignored, and records the ids bulk delete is asked to
// delete. Any other request fails the test.
type aptlyLister struct {
	pages [][]listedUser

	mu      sync.Mutex
	deleted []string
	other   []string // requests it does not serve
}

func (l *aptlyLister) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	envelope := func(data any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 200, "message": "Success", "data": data})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/user":
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		users := []listedUser{}
		if n >= 1 && n <= len(l.pages) {
			users = l.pages[n-1]
		}
		envelope(map[string]any{"page": n, "limit": 2, "data": users}) // no total
	case r.Method == http.MethodDelete && r.URL.Path == "/v1/user/bulk-delete":
		var body struct {
			UserIDs []string `json:"userIds"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		l.mu.Lock()
		l.deleted = append(l.deleted, body.UserIDs...)
		l.mu.Unlock()
		envelope(map[string]any{"deletedCount": len(body.UserIDs)})
	default:
		l.mu.Lock()
		l.other = append(l.other, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		http.Error(w, "not served here", http.StatusNotFound)
	}
}

// runAptlySync runs onboard sync aptly against a server listing pages, and
// returns the exit status, stdout, stderr and the ids it deleted.
func runAptlySync(t *testing.T, pages [][]listedUser, roster string, args ...string) (int, string, string, []string) {
	t.Helper()
	l := &aptlyLister{pages: pages}
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	p := &inProcess{env: map[string]string{
		envAptlyURL:    srv.URL,
		envAptlyToken:  onboardtest.AptlyToken,
		envAptlyTenant: scriptTenant,
	}}
	file := writeFile(t, "roster.csv", roster)
	code, stdout, stderr := p.run(t, append([]string{"sync", "aptly", "--roster", file}, args...)...)
	l.mu.Lock()
	defer l.mu.Unlock()
	assert.Empty(t, l.other, "requests sync should not make")
	return code, stdout, stderr, slices.Clone(l.deleted)
}

// Ids of the users the tests list.
const (
	idAda   = "aaaaaaaa-0000-4000-8000-000000000001"
	idExtra = "aaaaaaaa-0000-4000-8000-000000000002"
	idBob   = "aaaaaaaa-0000-4000-8000-000000000003"
	idNone  = "aaaaaaaa-0000-4000-8000-000000000004"
	idOther = "aaaaaaaa-0000-4000-8000-000000000005"
)

// TestSyncRepeatedListing checks that a person the service lists twice,
// as overlapping pages may, is matched in every copy: a roster person is
// never removed for it, and an extra person is removed once.
func TestSyncRepeatedListing(t *testing.T) {
	t.Parallel()
	ada := listedUser{ID: idAda, Email: "ada@example.com", Status: "ACTIVE", ActiveTenantID: scriptTenant}
	adaUpper := ada
	adaUpper.Email = "ADA@example.com"
	extra := listedUser{ID: idExtra, Email: "extra@example.com", Status: "ACTIVE", ActiveTenantID: scriptTenant}
	bob := listedUser{ID: idBob, Email: "bob@example.com", Status: "ACTIVE", ActiveTenantID: scriptTenant}
	zed := listedUser{ID: idNone, Email: "zed@example.com", Status: "ACTIVE", ActiveTenantID: scriptTenant}
	// Each page brings someone new, and repeats someone of a page before.
	pages := [][]listedUser{{ada, extra}, {adaUpper, bob}, {extra, zed}}

	roster := "email\nada@example.com\nbob@example.com\nzed@example.com\n"
	code, stdout, stderr, deleted := runAptlySync(t, pages, roster, "--apply", "--remove-extra")
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{idExtra}, deleted, "only the extra person, once")
	assert.Contains(t, stderr, "plan: 3 present, 1 remove\n")
	assert.Equal(t, 1, strings.Count(stdout, "extra@example.com"), stdout)
	assert.NotContains(t, stdout, "ADA@example.com")
}

// TestSyncAptlyRemovesOnlyTenantUsers checks that sync removes only the
// Aptly users whose activeTenantId is the tenant: bulk delete takes no
// tenant and removes the whole account, so a user listed without a tenant
// is kept, and one of another tenant is not in the plan at all.
func TestSyncAptlyRemovesOnlyTenantUsers(t *testing.T) {
	t.Parallel()
	pages := [][]listedUser{{
		{ID: idAda, Email: "ada@example.com", Status: "ACTIVE"}, // on the roster, no tenant
		{ID: idExtra, Email: "extra@example.com", Status: "ACTIVE", ActiveTenantID: scriptTenant},
		{ID: idNone, Email: "none@example.com", Status: "ACTIVE"},
		{ID: idOther, Email: "other@example.com", Status: "ACTIVE", ActiveTenantID: "99999999-9999-4999-8999-999999999999"},
	}}

	code, stdout, stderr, deleted := runAptlySync(t, pages, "email\nada@example.com\n", "--apply", "--remove-extra")
	assert.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{idExtra}, deleted)
	assert.Regexp(t, `(?m)^2 +ada@example.com +present `, stdout, "listed without a tenant, but not invited again")
	assert.Regexp(t, `(?m)^ +none@example.com +extra +ACTIVE +Aptly does not show this user in the tenant; kept`, stdout)
	assert.NotContains(t, stdout, "other@example.com")
	assert.Contains(t, stderr, "plan: 1 present, 1 extra, 1 remove\n")
}

// TestSyncNeverRemovesARosterAddress checks that a person whose address
// is on a roster row that cannot be read is never removed: the plan keeps
// them, and --apply --remove-extra refuses a roster with rows that cannot
// be read before sending anything.
func TestSyncNeverRemovesARosterAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, roster string
		kept               []string // extra people kept for their roster line
	}{
		{"a stray comma in a name", "roster.csv",
			"email,firstName,lastName\nada@example.com,Ada,Lovelace\nbob@example.com,Bob,Smith, Jr.\n",
			[]string{"bob@example.com +extra +ACTIVE +.*line 3"}},
		{"a misspelt key", "roster.jsonl",
			`{"email":"ada@example.com"}` + "\n" + `{"emial":"bob@example.com"}` + "\n",
			[]string{"bob@example.com +extra +ACTIVE +.*line 2"}},
		{"a bad field, another letter case", "roster.jsonl",
			`{"email":"ada@example.com"}` + "\n" + `{"email":"Bob@Example.COM","startDate":"soon"}` + "\n",
			[]string{"bob@example.com +extra +ACTIVE +.*line 2"}},
		{"every row broken", "roster.csv",
			"email,firstName,lastName\nada@example.com,Ada,Love, lace\nBob <bob@example.com>,,,\n",
			[]string{"ada@example.com +extra +ACTIVE +.*line 2", "bob@example.com +extra +ACTIVE +.*line 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newInProcess(t)
			for _, e := range []string{"ada@example.com", "bob@example.com", "extra@example.com", "bob@example.com.au", "xbob@example.com"} {
				p.srv.AddAptlyUser(scriptTenant, e, "", "")
			}
			roster := writeFile(t, tc.file, tc.roster)

			code, stdout, stderr := p.run(t, "sync", "aptly", "--roster", roster, "--remove-extra")
			assert.Equal(t, exitIncomplete, code, stderr)
			for _, k := range tc.kept {
				assert.Regexp(t, `(?m)^ +`+k+`.*; kept$`, stdout)
			}
			for _, gone := range []string{"extra@example.com", "bob@example.com.au", "xbob@example.com"} {
				assert.Regexp(t, `(?m)^ +`+regexpQuote(gone)+` +remove +ACTIVE +not on the roster$`, stdout)
			}

			code, stdout, stderr = p.run(t, "sync", "aptly", "--roster", roster, "--remove-extra", "--apply")
			assert.Equal(t, exitError, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "could not be read")
			assert.Contains(t, stderr, "nothing was changed")
			assert.NotContains(t, stderr, "bob@", "no address in the error")
			assert.Zero(t, p.srv.RequestCount("/v1/user/bulk-delete"))
			assert.Zero(t, p.srv.RequestCount("/v1/user/bulk-invite"))
			state, err := json.Marshal(p.srv.State())
			require.NoError(t, err)
			assert.Contains(t, string(state), `"bob@example.com"`)
		})
	}
}

// TestSyncKeepsAnAddressAnywhereInTheRoster checks that a clean roster's
// addresses in other columns than email are never removed either.
func TestSyncKeepsAnAddressAnywhereInTheRoster(t *testing.T) {
	t.Parallel()
	p := newInProcess(t)
	for _, e := range []string{"ada@example.com", "boss@example.com", "extra@example.com"} {
		p.srv.AddAptlyUser(scriptTenant, e, "", "")
	}
	roster := writeFile(t, "roster.csv", "email,customAttributes.manager\nada@example.com,BOSS@example.com\n")

	code, stdout, stderr := p.run(t, "sync", "aptly", "--roster", roster, "--remove-extra", "--apply")
	assert.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^ +boss@example.com +extra +ACTIVE +.*line 2.*; kept\s*$`, stdout)
	assert.Regexp(t, `(?m)^ +extra@example.com +remove +ACTIVE +not on the roster +succeeded`, stdout)
	state, err := json.Marshal(p.srv.State())
	require.NoError(t, err)
	assert.Contains(t, string(state), `"boss@example.com"`)
	assert.NotContains(t, string(state), `"extra@example.com"`)
}

// TestAddressesIn checks what the roster search takes for an address.
func TestAddressesIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text      string
		want, not []string
	}{
		{`{"emial":"Ada@Example.com"}`, []string{"ada@example.com"}, nil},
		{"ada@example.com,Ada,Love, lace", []string{"ada@example.com"}, nil},
		{"Bob <bob@example.com>,,,", []string{"bob@example.com"}, nil},
		{"{'email':'ada@example.com'}", []string{"ada@example.com"}, nil},
		{"o'brien@example.com", []string{"o'brien@example.com"}, nil},
		{"see ada@example.com.", []string{"ada@example.com"}, nil},
		{"x.bob@example.com", []string{"x.bob@example.com"}, []string{"bob@example.com"}},
		{"bob@example.com.au", []string{"bob@example.com.au"}, []string{"bob@example.com"}},
		{"a@b.com;c@d.com", []string{"a@b.com", "c@d.com"}, nil},
		{"no address @ here", nil, []string{"@"}},
	} {
		got := addressesIn([]byte(tc.text))
		for _, w := range tc.want {
			assert.Contains(t, got, w, tc.text)
		}
		for _, n := range tc.not {
			assert.NotContains(t, got, n, tc.text)
		}
	}
}

func regexpQuote(s string) string { return strings.ReplaceAll(s, ".", `\.`) }
