package onboard_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// pageID is the id of the i-th item a test server lists.
func pageID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// TestListAll_endsWhenAPageBringsNothingNew serves every list method pages
// that come round again (alternating, or reordered), with no total or a
// false one: the list ends with ErrPageRepeated at the first page that
// holds no item not already listed, rather than run for ever.
func TestListAll_endsWhenAPageBringsNothingNew(t *testing.T) {
	t.Parallel()
	a, b, c, d := pageID(1), pageID(2), pageID(3), pageID(4)
	type pattern struct {
		name  string
		pages [][]string // page n (from 1) is pages[(n-1) % len]
		total int        // the total the answers claim; 0 for none
		want  []string   // the ids listed before the error
		asked int        // pages fetched
	}
	patterns := []pattern{
		{"alternating, no total", [][]string{{a, b}, {c, d}}, 0, []string{a, b, c, d}, 3},
		{"alternating, false total", [][]string{{a, b}, {c, d}}, 1000, []string{a, b, c, d}, 3},
		{"reordered, no total", [][]string{{a, b}, {c, d}, {b, a}, {d, c}}, 0, []string{a, b, c, d}, 3},
		{"reordered and mixed, false total", [][]string{{a, b}, {c, d}, {d, b}, {a, c}}, 50, []string{a, b, c, d}, 3},
		{"one page repeated, false total", [][]string{{a, b}}, 9, []string{a, b}, 2},
	}
	lists := []struct {
		name string
		path string
		// answer is the body of a page holding ids, claiming total.
		answer func(ids []string, total int) string
		list   func(t *testing.T, srv *server, ctx context.Context) func(yield func(string, error) bool)
	}{
		{"Aptly Users.List", aptlyPrefix + "/v1/user", func(ids []string, total int) string {
			return envelope(200, "Success", fmt.Sprintf(`{"page":1,"limit":2,"total":%d,"data":%s}`, total, pageItems(ids)))
		}, func(t *testing.T, srv *server, ctx context.Context) func(yield func(string, error) bool) {
			return ids(newAptly(t, srv).Users.List(ctx, &onboard.AptlyListUsersOptions{Limit: 2}), func(u onboard.AptlyUser) string { return u.ID })
		}},
		{"Royalti Users.List", royaltiPrefix + "/user/", func(ids []string, total int) string {
			return fmt.Sprintf(`{"message":"success","Users":%s,"count":%d,"totalUsers":%d}`, pageItems(ids), len(ids), total)
		}, func(t *testing.T, srv *server, ctx context.Context) func(yield func(string, error) bool) {
			return ids(newRoyalti(t, srv).Users.List(ctx, &onboard.RoyaltiListUsersOptions{Size: 2}), func(u onboard.RoyaltiUser) string { return u.ID })
		}},
		{"Royalti Invites.List", royaltiPrefix + "/user/invites", func(ids []string, total int) string {
			return fmt.Sprintf(`{"totalItems":%d,"filteredItems":%d,"invites":%s}`, total, total, pageItems(ids))
		}, func(t *testing.T, srv *server, ctx context.Context) func(yield func(string, error) bool) {
			return ids(newRoyalti(t, srv).Invites.List(ctx, &onboard.RoyaltiListInvitesOptions{Size: 2}), func(i onboard.RoyaltiInvite) string { return i.ID })
		}},
	}
	for _, l := range lists {
		for _, p := range patterns {
			t.Run(l.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t)
				srv.handle(l.path, func(w http.ResponseWriter, r *http.Request) {
					n, err := strconv.Atoi(r.URL.Query().Get("page"))
					if !assert.NoError(t, err, "page %q", r.URL.Query().Get("page")) || !assert.Positive(t, n) {
						http.Error(w, "bad page", http.StatusBadRequest)
						return
					}
					reply(w, http.StatusOK, l.answer(p.pages[(n-1)%len(p.pages)], p.total))
				})
				// A regression lists for ever: the deadline and the item
				// bound make it fail instead.
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				var got []string
				var last error
				for id, err := range l.list(t, srv, ctx) {
					if err != nil {
						last = err
						break
					}
					got = append(got, id)
					require.Less(t, len(got), 1000, "the list does not end")
				}
				require.ErrorIs(t, last, onboard.ErrPageRepeated)
				assert.Contains(t, last.Error(), "page "+strconv.Itoa(p.asked))
				assert.Equal(t, p.want, got)
				assert.Equal(t, p.asked, srv.count(), "pages fetched")
			})
		}
	}
}

// TestListAll_overlappingPagesGoOn checks that a page that overlaps the
// ones before but brings something new does not end the list.
func TestListAll_overlappingPagesGoOn(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	pages := [][]string{{pageID(1), pageID(2)}, {pageID(2), pageID(3)}, {pageID(1), pageID(4)}, {}}
	srv.handle(royaltiPrefix+"/user/invites", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		reply(w, http.StatusOK, fmt.Sprintf(`{"invites":%s}`, pageItems(pages[min(max(n, 1), len(pages))-1])))
	})
	var got []string
	for id, err := range ids(newRoyalti(t, srv).Invites.List(testCtx(t), &onboard.RoyaltiListInvitesOptions{Size: 2}), func(i onboard.RoyaltiInvite) string { return i.ID }) {
		require.NoError(t, err)
		got = append(got, id)
	}
	assert.Equal(t, []string{pageID(1), pageID(2), pageID(2), pageID(3), pageID(1), pageID(4)}, got)
}

// pageItems returns a JSON list of objects with the given ids.
func pageItems(ids []string) string {
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = `{"id":"` + id + `"}`
	}
	return "[" + strings.Join(items, ",") + "]"
}

// ids maps a list iterator to the ids of its items.
func ids[T any](seq func(yield func(T, error) bool), id func(T) string) func(yield func(string, error) bool) {
	return func(yield func(string, error) bool) {
		for it, err := range seq {
			if !yield(id(it), err) {
				return
			}
		}
	}
}

// TestListDocs_collectFirst checks that every list iterator says that a
// list changed while it is read skips items, pointing to ErrPageRepeated,
// which says to collect the list first; and that no loop over a list in the
// README resends or cancels inside it.
func TestListDocs_collectFirst(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	lists, whole := 0, 0
	for _, file := range []string{"aptly_users.go", "royalti_users.go", "aptly_invites.go", "athena_invites.go", "royalti_invites.go", "athena_members.go"} {
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() || fn.Recv == nil || fn.Type.Results == nil {
				continue
			}
			ret, ok := fn.Type.Results.List[0].Type.(*ast.IndexListExpr)
			if !ok || !strings.Contains(fmt.Sprint(ret.X), "Seq2") {
				continue
			}
			lists++
			doc := strings.Join(strings.Fields(fn.Doc.Text()), " ")
			if file == "athena_members.go" {
				// AthenaHQ's lists are not paged: one request, nothing shifts.
				whole++
				assert.Contains(t, doc, "one request", "%s: %s", file, fn.Name.Name)
				continue
			}
			assert.Contains(t, doc, "then act (see ErrPageRepeated)", "%s: %s", file, fn.Name.Name)
		}
	}
	assert.Equal(t, 5, lists, "list iterators found")
	assert.Equal(t, 2, whole, "unpaged list iterators found")

	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	loop := regexp.MustCompile(`(?s)for [^\n]*range [^\n]*\.List\(.*?\n}`)
	for _, l := range loop.FindAllString(string(readme), -1) {
		assert.NotRegexp(t, `\.(Resend|Cancel|Delete|Remove)`, l, "the README acts inside a list loop")
	}
}
