package onboard_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
)

// specLine is the last line of an endpoint method's doc comment: the
// service and the endpoint it calls, "Aptly: POST /v1/user/create." An
// engine-backed method adds ", in batches".
var specLine = regexp.MustCompile(`^(Aptly|AthenaHQ|Royalti): (GET|POST|PUT|PATCH|DELETE) (/\S*?)(, in batches)?\.$`)

// serviceTypes are the types whose exported methods call endpoints.
var serviceTypes = regexp.MustCompile(`^(Aptly|Athena|Royalti)(Users|Invites|Members)$`)

// specCall calls one endpoint method with valid input, on the client of
// its service.
type specCall func(ctx context.Context, c *specClients) error

type specClients struct {
	aptly   *onboard.AptlyClient
	athena  *onboard.AthenaClient
	royalti *onboard.RoyaltiClient
}

// specPrefix is where each service's client points on the recording
// server, so that a path names its service.
var specPrefix = map[string]string{"Aptly": "/aptly", "AthenaHQ": "/athena", "Royalti": "/royalti"}

const specTenant = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

// specCalls lists every endpoint method, by "Type.Method".
var specCalls = map[string]specCall{
	"AptlyUsers.Create": func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Users.Create(ctx, &onboard.AptlyCreateUserRequest{TenantID: specTenant, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"})
		return err
	},
	"AptlyInvites.SendBulk": func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{TenantID: specTenant, Users: []onboard.AptlyInvitee{{Email: "ada@example.com"}}})
		return err
	},
	"AptlyInvites.SendBulkAll": func(ctx context.Context, c *specClients) error {
		_, err := c.aptly.Invites.SendBulkAll(ctx, &onboard.AptlyBulkInviteRequest{TenantID: specTenant}, []onboard.AptlyInvitee{{Email: "ada@example.com"}})
		return err
	},
	"AptlyInvites.SendBulkSeq": func(ctx context.Context, c *specClients) error {
		for range c.aptly.Invites.SendBulkSeq(ctx, &onboard.AptlyBulkInviteRequest{TenantID: specTenant}, slices.Values([]onboard.AptlyInvitee{{Email: "ada@example.com"}})) {
		}
		return nil
	},
	"AthenaInvites.SendToTargets": func(ctx context.Context, c *specClients) error {
		_, err := c.athena.Invites.SendToTargets(ctx, athenaInvite())
		return err
	},
	"AthenaInvites.SendToTargetsAll": func(ctx context.Context, c *specClients) error {
		_, err := c.athena.Invites.SendToTargetsAll(ctx, &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com"},
			[]onboard.AthenaTarget{onboard.AthenaWebsite(testWebsite)})
		return err
	},
	"AthenaInvites.SendToTargetsSeq": func(ctx context.Context, c *specClients) error {
		for range c.athena.Invites.SendToTargetsSeq(ctx, &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com"},
			slices.Values([]onboard.AthenaTarget{onboard.AthenaWebsite(testWebsite)})) {
		}
		return nil
	},
	"RoyaltiUsers.CreateBulk": func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Users.CreateBulk(ctx, &onboard.RoyaltiCreateUsersRequest{Users: []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}}})
		return err
	},
	"RoyaltiUsers.CreateBulkAll": func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Users.CreateBulkAll(ctx, &onboard.RoyaltiCreateUsersRequest{}, []onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}})
		return err
	},
	"RoyaltiUsers.CreateBulkSeq": func(ctx context.Context, c *specClients) error {
		for range c.royalti.Users.CreateBulkSeq(ctx, &onboard.RoyaltiCreateUsersRequest{}, slices.Values([]onboard.RoyaltiWorkspaceUser{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}})) {
		}
		return nil
	},
	"RoyaltiInvites.Send": func(ctx context.Context, c *specClients) error {
		_, err := c.royalti.Invites.Send(ctx, &onboard.RoyaltiInviteRequest{Email: "ada@example.com"})
		return err
	},
}

// documentedEndpoints reads the package's source and returns the spec line
// of every exported method of a service type, by "Type.Method". A method
// without one fails the test.
func documentedEndpoints(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	out := map[string][]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			recv := receiverName(fn.Recv.List[0].Type)
			if !serviceTypes.MatchString(recv) {
				continue
			}
			key := recv + "." + fn.Name.Name
			lines := strings.Split(strings.TrimSpace(fn.Doc.Text()), "\n")
			m := specLine.FindStringSubmatch(lines[len(lines)-1])
			if !assert.NotNil(t, m, "%s: the doc comment must end with a line like \"Aptly: POST /v1/user/create.\"; it ends %q", key, lines[len(lines)-1]) {
				continue
			}
			out[key] = m[1:4]
		}
	}
	return out
}

func receiverName(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// TestSpecLines checks the last line of every endpoint method's doc
// comment against the request the method really sends.
func TestSpecLines(t *testing.T) {
	documented := documentedEndpoints(t)
	for key := range specCalls {
		assert.Contains(t, documented, key, "a call is listed for a method that has no spec line")
	}

	var mu sync.Mutex
	var last *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = r
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"recorded"}`))
	}))
	defer srv.Close()
	clients := &specClients{}
	var err error
	clients.aptly, err = onboard.NewAptlyClient(srv.URL+specPrefix["Aptly"], onboard.BearerToken("token-123456"))
	require.NoError(t, err)
	clients.athena, err = onboard.NewAthenaClient(srv.URL+specPrefix["AthenaHQ"], onboard.APIKey("key-123456"), onboard.WithoutPacing())
	require.NoError(t, err)
	clients.royalti, err = onboard.NewRoyaltiClient(srv.URL+specPrefix["Royalti"], onboard.BearerToken("token-123456"))
	require.NoError(t, err)

	for key, spec := range documented {
		t.Run(key, func(t *testing.T) {
			call, ok := specCalls[key]
			require.True(t, ok, "no call listed for %s in specCalls", key)
			mu.Lock()
			last = nil
			mu.Unlock()
			_ = call(t.Context(), clients) // the server refuses everything; only the request counts
			mu.Lock()
			got := last
			mu.Unlock()
			require.NotNil(t, got, "%s sent nothing", key)
			service, method, path := spec[0], spec[1], spec[2]
			assert.Equal(t, method, got.Method)
			assert.Regexp(t, "^"+pathPattern(specPrefix[service]+path)+"$", got.URL.Path)
		})
	}
}

// pathPattern turns a documented path into a pattern: each {param} stands
// for one path segment.
func pathPattern(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			parts[i] = "[^/]+"
		} else {
			parts[i] = regexp.QuoteMeta(s)
		}
	}
	return strings.Join(parts, "/")
}
