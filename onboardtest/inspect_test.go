package onboardtest_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// TestNewServerOn checks that a server serves on the listener it is given,
// names it in URL, and closes it on Close.
func TestNewServerOn(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := onboardtest.NewServerOn(l)
	t.Cleanup(srv.Close)
	assert.Equal(t, "http://"+l.Addr().String(), srv.URL)

	r := post(t, srv.RoyaltiURL()+"/auth/invite", royaltiOK, map[string]any{"email": "ada@example.com"})
	assert.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	assert.Equal(t, 1, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))

	srv.Close()
	_, err = trySend(http.MethodGet, srv.URL+"/", nil, "", nil)
	require.Error(t, err, "the listener is closed with the server")
}

// TestInspectionState checks GET /_fake/state: it answers State as JSON,
// and the inspection requests themselves are not counted.
func TestInspectionState(t *testing.T) {
	t.Parallel()
	srv := newServer(t, onboardtest.WithInspection())
	srv.AddAptlyUser(tenantA, "ada@example.com", "Ada", "Lovelace")
	r := post(t, srv.RoyaltiURL()+"/auth/invite", royaltiOK, map[string]any{"email": "grace@example.com"})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	before := srv.RequestCount("")

	r = send(t, http.MethodGet, srv.URL+onboardtest.InspectStatePath, nil, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
	assert.True(t, bytes.HasSuffix(r.Body, []byte("}\n")), "ends with a newline, for a terminal: %q", r.Body)
	var got onboardtest.Snapshot
	require.NoError(t, json.Unmarshal(r.Body, &got))
	assert.Equal(t, srv.State(), got)
	require.Len(t, got.Aptly.Tenants[tenantA], 1)
	assert.Equal(t, "ada@example.com", got.Aptly.Tenants[tenantA][0].Email)
	require.Len(t, got.Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID].Invites, 1)

	send(t, http.MethodGet, srv.URL+onboardtest.InspectRequestsPath, nil, nil)
	assert.Equal(t, before, srv.RequestCount(""), "inspection requests are not counted")
	last, ok := srv.LastRequest()
	require.True(t, ok)
	assert.Equal(t, onboardtest.RoyaltiPathPrefix+"/auth/invite", last.Path, "nor recorded")
}

// inspected is one request as GET /_fake/requests shows it.
type inspected struct {
	ID     string              `json:"id"`
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Query  map[string][]string `json:"query"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
	Status int                 `json:"status"`
}

// TestInspectionRequests checks GET /_fake/requests: every recorded request
// with the status it got, and no credential anywhere in the answer.
func TestInspectionRequests(t *testing.T) {
	t.Parallel()
	srv := newServer(t, onboardtest.WithInspection())
	const leaked = "a-real-looking-secret-token"
	post(t, srv.AptlyURL()+"/v1/tenants/access-key/exchange", nil,
		map[string]any{"accessKey": onboardtest.AptlyAccessKey})
	post(t, srv.AthenaURL()+"/api/v1/invites/bulk", athenaOK, map[string]any{})
	post(t, srv.RoyaltiURL()+"/auth/invite?workspaceId="+leaked, royaltiAuth(leaked),
		map[string]any{"email": "ada@example.com", "note": "token " + leaked})
	send(t, http.MethodGet, srv.AptlyURL()+"/v1/user", auth{"Cookie": "session=" + leaked}, nil)

	r := send(t, http.MethodGet, srv.URL+onboardtest.InspectRequestsPath, nil, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	for _, secret := range []string{onboardtest.AptlyAccessKey, onboardtest.AthenaAPIKey, leaked} {
		assert.NotContains(t, string(r.Body), secret)
	}
	var got struct {
		Total    int         `json:"total"`
		Requests []inspected `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &got))
	assert.Equal(t, 4, got.Total)
	require.Len(t, got.Requests, 4)

	exchange, athena, royalti, list := got.Requests[0], got.Requests[1], got.Requests[2], got.Requests[3]
	assert.Equal(t, http.MethodPost, exchange.Method)
	assert.Equal(t, onboardtest.AptlyPathPrefix+"/v1/tenants/access-key/exchange", exchange.Path)
	assert.JSONEq(t, `{"accessKey":"[redacted]"}`, exchange.Body)
	assert.Equal(t, http.StatusCreated, exchange.Status)
	assert.NotEmpty(t, exchange.ID)

	assert.Equal(t, []string{"[redacted]"}, athena.Header["X-Api-Key"])
	assert.Equal(t, []string{"application/json"}, athena.Header["Content-Type"], "other headers stay")
	assert.Equal(t, http.StatusBadRequest, athena.Status)

	assert.Equal(t, []string{"Bearer [redacted]"}, royalti.Header["Authorization"])
	assert.Equal(t, []string{"[redacted]"}, royalti.Query["workspaceId"])
	assert.JSONEq(t, `{"email":"ada@example.com","note":"token [redacted]"}`, royalti.Body)
	assert.Equal(t, http.StatusUnauthorized, royalti.Status)

	assert.Equal(t, []string{"[redacted]"}, list.Header["Cookie"])
	assert.Equal(t, http.StatusUnauthorized, list.Status)

	kept, ok := srv.LastRequest()
	require.True(t, ok)
	assert.Equal(t, "session="+leaked, kept.Header.Get("Cookie"), "Requests still holds what was sent")
}

// TestInspectionRequestsEscapedSecrets checks that credentials holding
// "& < >", which a JSON body carries escaped (\u0026, \u003c, \u003e), are
// redacted from GET /_fake/requests in both forms.
func TestInspectionRequestsEscapedSecrets(t *testing.T) {
	t.Parallel()
	srv := newServer(t, onboardtest.WithInspection())
	const key, token = "ak_<ESC&APED>_0123456789", "tok_<ESC&APED>_9876543210"
	post(t, srv.AptlyURL()+"/v1/tenants/access-key/exchange", nil, map[string]any{"accessKey": key})
	post(t, srv.RoyaltiURL()+"/auth/invite", royaltiAuth(token),
		map[string]any{"email": "ada@example.com", "note": "token " + token})

	r := send(t, http.MethodGet, srv.URL+onboardtest.InspectRequestsPath, nil, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got struct {
		Requests []inspected `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &got))
	require.Len(t, got.Requests, 2)
	for _, secret := range []string{key, token} {
		escaped, err := json.Marshal(secret)
		require.NoError(t, err)
		for _, form := range []string{secret, strings.Trim(string(escaped), `"`)} {
			assert.NotContains(t, string(r.Body), form)
			for _, req := range got.Requests {
				assert.NotContains(t, req.Body, form)
			}
		}
	}
	assert.JSONEq(t, `{"accessKey":"[redacted]"}`, got.Requests[0].Body)
	assert.JSONEq(t, `{"email":"ada@example.com","note":"token [redacted]"}`, got.Requests[1].Body)
}

// TestInspectionRouting checks the inspection endpoints' refusals, and that
// without WithInspection the paths are not served.
func TestInspectionRouting(t *testing.T) {
	t.Parallel()
	srv := newServer(t, onboardtest.WithInspection())
	r := send(t, http.MethodPost, srv.URL+onboardtest.InspectStatePath, nil, map[string]any{})
	assert.Equal(t, http.StatusMethodNotAllowed, r.Status)
	assert.Equal(t, "GET, HEAD", r.Header.Get("Allow"))
	r = send(t, http.MethodGet, srv.URL+"/_fake/nothing", nil, nil)
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Contains(t, r.JSON(t)["error"], onboardtest.InspectRequestsPath)
	r = send(t, http.MethodHead, srv.URL+onboardtest.InspectRequestsPath, nil, nil)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Zero(t, srv.RequestCount(""))

	plain := newServer(t)
	r = send(t, http.MethodGet, plain.URL+onboardtest.InspectStatePath, nil, nil)
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Equal(t, 1, plain.RequestCount(""), "an ordinary request to an unknown path")
}
