package onboardtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// testTimeout bounds every request a test sends.
const testTimeout = 10 * time.Second

const (
	tenantA = "887fd99a-e3ab-44ac-8253-31f269599f2b"
	tenantB = "ce3e724e-c7c5-45c5-8c8e-12a9ffe0df52"
	site1   = "123e4567-e89b-12d3-a456-426614174000"
	site2   = "987e6543-e21b-12d3-a456-426614174000"
	group1  = "456e7890-e89b-12d3-a456-426614174000"
	group2  = "789e0123-e89b-12d3-a456-426614174000"
)

// response is an answer read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object. Only on the test's goroutine: in
// a handler or another goroutine, use decode and assert.
func (r *response) JSON(t *testing.T) map[string]any {
	t.Helper()
	m, err := r.decode()
	require.NoError(t, err, "body: %s", r.Body)
	return m
}

// decode decodes the body as a JSON object.
func (r *response) decode() (map[string]any, error) {
	var m map[string]any
	err := json.Unmarshal(r.Body, &m)
	return m, err
}

// auth is a set of request headers that authenticate to one service.
type auth map[string]string

func aptlyAuth(tok string) auth   { return auth{"Authorization": "Bearer " + tok} }
func athenaAuth(key string) auth  { return auth{"x-api-key": key} }
func royaltiAuth(tok string) auth { return auth{"Authorization": "Bearer " + tok} }

var (
	aptlyOK   = aptlyAuth(onboardtest.AptlyToken)
	athenaOK  = athenaAuth(onboardtest.AthenaAPIKey)
	athenaGlb = athenaAuth(onboardtest.AthenaGlobalAPIKey)
	royaltiOK = royaltiAuth(onboardtest.RoyaltiToken)
)

// send makes one request with a bounded context and reads the whole answer.
// body may be a string, []byte, or any value to encode as JSON.
func send(t *testing.T, method, url string, a auth, body any) *response {
	t.Helper()
	resp, err := trySend(method, url, a, "application/json", body)
	require.NoError(t, err)
	return resp
}

func post(t *testing.T, url string, a auth, body any) *response {
	t.Helper()
	return send(t, http.MethodPost, url, a, body)
}

// trySend is send returning the error instead of failing the test, so that
// goroutines other than the test's can use it (and assert on the error).
func trySend(method, url string, a auth, contentType string, body any) (*response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req, err := newRequest(ctx, method, url, a, contentType, body)
	if err != nil {
		return nil, err
	}
	// A fresh transport per request keeps one test's broken connections
	// (faults) from leaking into the next request.
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

func newRequest(ctx context.Context, method, url string, a auth, contentType string, body any) (*http.Request, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = strings.NewReader(string(b))
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		r = strings.NewReader(string(enc))
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, err
	}
	for k, v := range a {
		req.Header.Set(k, v)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// newServer starts a fake closed at the end of the test.
func newServer(t *testing.T, opts ...onboardtest.Option) *onboardtest.Server {
	t.Helper()
	srv := onboardtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// loadExample reads a documented example from testdata as a JSON object.
func loadExample(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// assertSameShape asserts that got has exactly the object keys of want at
// every level (arrays compared through their first elements) and the same
// JSON kind wherever both are non-null.
func assertSameShape(t *testing.T, path string, want, got any) {
	t.Helper()
	if want == nil || got == nil {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !assert.Truef(t, ok, "%s: want an object, got %T", path, got) {
			return
		}
		assert.ElementsMatchf(t, keys(w), keys(g), "%s: keys differ from the document", path)
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				assertSameShape(t, path+"."+k, wv, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !assert.Truef(t, ok, "%s: want an array, got %T", path, got) {
			return
		}
		if len(w) > 0 && len(g) > 0 {
			assertSameShape(t, path+"[0]", w[0], g[0])
		}
	default:
		assert.Equalf(t, fmt.Sprintf("%T", want), fmt.Sprintf("%T", got), "%s: JSON kind differs from the document", path)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// msTimestamp matches the services' timestamps: RFC 3339, milliseconds, UTC.
const msTimestamp = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`

// assertAptlyError checks Aptly's NestJS-style error envelope.
func assertAptlyError(t *testing.T, r *response, status int, msgContains string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.ElementsMatch(t, []string{"statusCode", "timestamp", "message", "error"}, keys(m))
	assert.EqualValues(t, status, m["statusCode"])
	assert.Regexp(t, msTimestamp, m["timestamp"])
	assert.Equal(t, http.StatusText(status), m["error"])
	assert.Contains(t, m["message"], msgContains)
}

// assertAthenaError checks AthenaHQ's {"error"} body.
func assertAthenaError(t *testing.T, r *response, status int, msgContains string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.Equal(t, []string{"error"}, keys(m))
	assert.Contains(t, m["error"], msgContains)
}

// assertRoyaltiStructured checks Royalti's structured error and returns its
// details.
func assertRoyaltiStructured(t *testing.T, r *response, status int, code, msgContains string) []any {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.ElementsMatch(t, []string{"success", "error"}, keys(m))
	assert.Equal(t, false, m["success"])
	e, ok := m["error"].(map[string]any)
	require.True(t, ok, "error must be an object: %s", r.Body)
	assert.ElementsMatch(t, []string{"code", "message", "details"}, keys(e))
	assert.Equal(t, code, e["code"])
	assert.Contains(t, e["message"], msgContains)
	details, ok := e["details"].([]any)
	require.True(t, ok, "details must be an array: %s", r.Body)
	return details
}

// assertRoyaltiPlain checks Royalti's plain {"message"} error.
func assertRoyaltiPlain(t *testing.T, r *response, status int, msgContains string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	assert.Equal(t, []string{"message"}, keys(m))
	assert.Contains(t, m["message"], msgContains)
}
