package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// startedFake is an "onboard fake" running in the test's process.
type startedFake struct {
	url    string
	cancel context.CancelFunc
	done   chan int // the exit status, once run returns
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	ready  string // the --ready-file
}

// startFake runs "onboard fake args..." in-process, on a free loopback port
// with a ready file, and waits until it is listening. The test must stop it
// with stop.
func startFake(t *testing.T, args ...string) *startedFake {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &startedFake{
		cancel: cancel, done: make(chan int, 1),
		stdout: new(bytes.Buffer), stderr: new(bytes.Buffer),
		ready: filepath.Join(t.TempDir(), "ready"),
	}
	args = append([]string{"fake", "--addr", "127.0.0.1:0", "--ready-file", f.ready}, args...)
	go func() { f.done <- run(ctx, args, f.stdout, f.stderr) }()
	f.url = waitReady(t, f)
	return f
}

// waitReady waits, at most waitTimeout, for the ready file, and returns the
// URL it holds.
func waitReady(t *testing.T, f *startedFake) string {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(f.ready); err == nil && len(b) > 0 {
			require.True(t, bytes.HasSuffix(b, []byte("\n")), "the ready file is written whole: %q", b)
			return strings.TrimSuffix(string(b), "\n")
		}
		select {
		case code := <-f.done:
			require.Failf(t, "onboard fake exited early", "status %d", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
	f.cancel()
	require.FailNow(t, "the ready file was not written", "within %v", waitTimeout)
	return ""
}

// timeout fires after waitTimeout.
func timeout() <-chan time.Time { return time.After(waitTimeout) }

// stop cancels the fake's context and returns its exit status; its output
// may be read after.
func (f *startedFake) stop(t *testing.T) int {
	t.Helper()
	f.cancel()
	select {
	case code := <-f.done:
		return code
	case <-timeout():
		require.FailNow(t, "onboard fake did not stop", "within %v", waitTimeout)
		return 0
	}
}

// get sends one request with a bounded context and returns the status and
// body.
func get(t *testing.T, method, url string, header map[string]string, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// TestFakeServes runs the fake in-process: it serves the services, shows
// its state and the requests it got, and stops with status 0, removing the
// ready file, when its context ends.
func TestFakeServes(t *testing.T) {
	t.Parallel()
	f := startFake(t, "--rate-limit", "2/1h")
	royalti := map[string]string{"Authorization": "Bearer " + onboardtest.RoyaltiToken, "Content-Type": "application/json"}
	status, body := get(t, http.MethodPost, f.url+onboardtest.RoyaltiPathPrefix+"/auth/invite", royalti,
		`{"email":"ada@example.com","firstName":"Ada"}`)
	require.Equal(t, http.StatusCreated, status, "body: %s", body)
	aptly := map[string]string{"Authorization": "Bearer " + onboardtest.AptlyToken}
	for range 3 {
		get(t, http.MethodGet, f.url+onboardtest.AptlyPathPrefix+"/v1/user", aptly, "")
	}

	status, body = get(t, http.MethodGet, f.url+"/_fake/state", nil, "")
	require.Equal(t, http.StatusOK, status)
	var state onboardtest.Snapshot
	require.NoError(t, json.Unmarshal(body, &state))
	ws := state.Royalti.Workspaces[onboardtest.RoyaltiWorkspaceID]
	require.Len(t, ws.Users, 1)
	assert.Equal(t, "ada@example.com", ws.Users[0].Email)

	status, body = get(t, http.MethodGet, f.url+"/_fake/requests", nil, "")
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, string(body), onboardtest.RoyaltiToken)
	assert.NotContains(t, string(body), onboardtest.AptlyToken)
	var reqs struct {
		Total    int `json:"total"`
		Requests []struct {
			Path   string              `json:"path"`
			Header map[string][]string `json:"header"`
			Status int                 `json:"status"`
		} `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(body, &reqs))
	assert.Equal(t, 4, reqs.Total)
	require.Len(t, reqs.Requests, 4)
	assert.Equal(t, onboardtest.RoyaltiPathPrefix+"/auth/invite", reqs.Requests[0].Path)
	assert.Equal(t, []string{"Bearer [redacted]"}, reqs.Requests[0].Header["Authorization"])
	statuses := make([]int, len(reqs.Requests))
	for i, r := range reqs.Requests {
		statuses[i] = r.Status
	}
	assert.Equal(t, []int{http.StatusCreated, http.StatusOK, http.StatusOK, http.StatusTooManyRequests}, statuses,
		"--rate-limit 2/1h: the Aptly token's third request is refused")

	require.Equal(t, exitOK, f.stop(t), "stderr: %s", f.stderr)
	first, _, _ := strings.Cut(f.stdout.String(), "\n")
	assert.Equal(t, "onboard fake: listening on "+f.url, first)
	assert.Contains(t, f.stdout.String(), "Limit     2 requests per 1h0m0s per credential")
	assert.Contains(t, f.stdout.String(), "tenant: any UUID, such as "+fakeAptlyTenant)
	assert.Equal(t, "onboard fake: stopping\nonboard fake: stopped\n", f.stderr.String())
	assert.NoFileExists(t, f.ready)
}

// TestFakeAddrInUse checks that an address in use is an I/O error: status
// 2, a message naming the address, and nothing on stdout.
func TestFakeAddrInUse(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = l.Close() }()
	var stdout, stderr bytes.Buffer
	ready := filepath.Join(t.TempDir(), "ready")
	require.NoError(t, os.WriteFile(ready, []byte("http://stale\n"), 0o600))

	code := run(context.Background(), []string{"fake", "--addr", l.Addr().String(), "--ready-file", ready}, &stdout, &stderr)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr.String(), "onboard: cannot listen on "+l.Addr().String())
	assert.Contains(t, stderr.String(), "pick another --addr")
	assert.NotContains(t, stderr.String(), "--help", "not a usage error")
	assert.Empty(t, stdout.String())
	assert.NoFileExists(t, ready, "a stale ready file is removed")
}

// TestFakeShutdownBound checks that the fake stops within its bound even
// when a request in progress never finishes, and says so.
func TestFakeShutdownBound(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := filepath.Join(t.TempDir(), "ready")
	o := fakeOptions{addr: "127.0.0.1:0", readyFile: ready, shutdownTimeout: 100 * time.Millisecond}
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- runFake(ctx, o, &stdout, &stderr) }()
	url := waitReady(t, &startedFake{ready: ready, cancel: cancel, done: make(chan int)})

	// A request whose body never comes: the handler waits for it. Expect:
	// 100-continue makes the server say when the handler starts reading.
	dialCtx, dialCancel := context.WithTimeout(context.Background(), waitTimeout)
	defer dialCancel()
	var d net.Dialer
	conn, err := d.DialContext(dialCtx, "tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }() // closed below; this is for a failure before
	require.NoError(t, conn.SetDeadline(time.Now().Add(waitTimeout)))
	_, err = io.WriteString(conn, "POST /royalti/auth/invite HTTP/1.1\r\nHost: fake\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
	require.NoError(t, err)
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", line)

	cancel()
	select {
	case err = <-done:
	case <-time.After(waitTimeout):
		require.FailNow(t, "runFake did not return")
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "requests were still in progress 100ms after the fake was told to stop")
	assert.NoFileExists(t, ready)
	require.NoError(t, conn.Close(), "ends the request, and with it the server's Close")
}
