package onboardtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard/onboardtest"
)

// inviteOne sends a Royalti invite for email and returns the answer or the
// transport error.
func inviteOne(srv *onboardtest.Server, email string) (*response, error) {
	return trySend(http.MethodPost, srv.RoyaltiURL()+"/auth/invite", royaltiOK, "application/json",
		map[string]any{"email": email})
}

func royaltiEmails(srv *onboardtest.Server) []string {
	var out []string
	for _, u := range srv.RoyaltiUsers(onboardtest.RoyaltiWorkspaceID) {
		out = append(out, u.Email)
	}
	return out
}

func TestFaultStatusRetryAfterAndTimes(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 2, Status: http.StatusServiceUnavailable, RetryAfter: "3"})
	body := map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": "a@example.com"}}}

	// Other endpoints are not affected.
	assert.Equal(t, http.StatusCreated, royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"x@example.com"}]}`).Status)

	for range 2 {
		r := post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, body)
		assertAptlyError(t, r, http.StatusServiceUnavailable, "Service Unavailable")
		assert.Equal(t, "3", r.Header.Get("Retry-After"))
		assert.NotEmpty(t, r.Header.Get("X-Request-Id"))
	}
	assert.Zero(t, srv.AptlyUserCount(tenantA), "a fault without Process does not process the request")
	assert.Zero(t, srv.PendingFaults())

	r := post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, body)
	assert.Equal(t, http.StatusCreated, r.Status, "the fault is used up")
	assert.Empty(t, r.Header.Get("Retry-After"))
	assert.Equal(t, 3, srv.RequestCount("/v1/user/bulk-invite"))
}

func TestFaultShapesPerService(t *testing.T) {
	srv := newServer(t)
	date := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).Format(http.TimeFormat)

	srv.InjectFault(onboardtest.Fault{Path: "/api/v1/invites/bulk", Times: 1, Status: http.StatusTooManyRequests, RetryAfter: date})
	r := athenaInvite(t, srv, athenaOK, map[string]any{})
	assertAthenaError(t, r, http.StatusTooManyRequests, "Too Many Requests")
	assert.Equal(t, date, r.Header.Get("Retry-After"))

	srv.InjectFault(onboardtest.Fault{Path: "/user/bulk", Times: 1, Status: http.StatusTooManyRequests})
	assertRoyaltiStructured(t, royaltiBulk(t, srv, royaltiOK, `{}`), http.StatusTooManyRequests, "RATE_LIMIT_EXCEEDED", "Too Many Requests")

	srv.InjectFault(onboardtest.Fault{Path: "/user/bulk", Times: 1, Status: http.StatusInternalServerError})
	assertRoyaltiPlain(t, royaltiBulk(t, srv, royaltiOK, `{}`), http.StatusInternalServerError, "Internal Server Error")

	srv.InjectFault(onboardtest.Fault{Times: 1}) // names no failure
	r = royaltiBulk(t, srv, royaltiOK, `{"users":[{"email":"a@example.com"}]}`)
	assert.Equal(t, http.StatusCreated, r.Status, "a fault naming no failure answers normally")
	assert.Equal(t, 1, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))

	srv.InjectFault(onboardtest.Fault{Times: 1, Body: "upstream exploded"})
	r = royaltiBulk(t, srv, royaltiOK, `{}`)
	assert.Equal(t, http.StatusInternalServerError, r.Status, "Status defaults to 500")
	assert.Equal(t, "upstream exploded", string(r.Body))
}

func TestFaultHeaderAndBodyOverride(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{
		Times:  1,
		Status: http.StatusBadGateway,
		Header: http.Header{"X-Upstream": {"lb-7"}},
		Body:   `{"oops":true}`,
	})
	r := royaltiBulk(t, srv, royaltiOK, `{}`)
	assert.Equal(t, http.StatusBadGateway, r.Status)
	assert.Equal(t, "lb-7", r.Header.Get("X-Upstream"))
	assert.JSONEq(t, `{"oops":true}`, string(r.Body))
}

func TestFaultsAreFIFOAndPersistentUntilCleared(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Times: 1, Status: 500})
	srv.InjectFault(onboardtest.Fault{Times: 1, Status: 502})
	srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Status: 504}) // every time
	require.Equal(t, 3, srv.PendingFaults())

	var got []int
	for range 4 {
		r, err := inviteOne(srv, "a@example.com")
		require.NoError(t, err)
		got = append(got, r.Status)
	}
	assert.Equal(t, []int{500, 502, 504, 504}, got)
	assert.Equal(t, 1, srv.PendingFaults())

	srv.ClearFaults()
	r, err := inviteOne(srv, "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, r.Status)
}

func TestFaultDropConnection(t *testing.T) {
	for _, process := range []bool{false, true} {
		t.Run("process="+strconv.FormatBool(process), func(t *testing.T) {
			srv := newServer(t)
			srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Times: 1, DropConnection: true, Process: process})
			_, err := inviteOne(srv, "drop@example.com")
			require.Error(t, err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the connection is closed at once")
			if process {
				assert.Equal(t, []string{"drop@example.com"}, royaltiEmails(srv), "the work was done, the answer lost")
			} else {
				assert.Empty(t, royaltiEmails(srv))
			}
			assert.Equal(t, 1, srv.RequestCount("/auth/invite"), "the client did not retry the POST")
		})
	}
}

func TestFaultTruncate(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Times: 1, Truncate: true, Process: true})
	_, err := inviteOne(srv, "trunc@example.com")
	require.Error(t, err)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, []string{"trunc@example.com"}, royaltiEmails(srv))

	// Without Process: nothing stored; status and the announced length are
	// sent before the body breaks off.
	srv.InjectFault(onboardtest.Fault{Path: "/user/bulk", Times: 1, Truncate: true})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req, err := newRequest(ctx, http.MethodPost, srv.RoyaltiURL()+"/user/bulk", royaltiOK, "application/json",
		`{"users":[{"email":"t2@example.com"}]}`)
	require.NoError(t, err)
	res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusCreated, res.StatusCode)
	assert.Positive(t, res.ContentLength)
	b, err := io.ReadAll(res.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Less(t, int64(len(b)), res.ContentLength)
	assert.Equal(t, 1, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
}

func TestFaultMalformed(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/create", Times: 1, Malformed: true})
	r := post(t, srv.AptlyURL()+"/v1/user/create", aptlyOK, map[string]any{
		"firstName": "A", "lastName": "B", "tenantId": tenantA, "email": "m@example.com"})
	assert.Equal(t, http.StatusCreated, r.Status, "the endpoint's own success status")
	assert.False(t, json.Valid(r.Body), "body: %s", r.Body)
	assert.NotEmpty(t, r.Body)
	assert.Zero(t, srv.AptlyUserCount(tenantA))

	srv.InjectFault(onboardtest.Fault{Path: "/api/v1/invites/bulk", Times: 1, Malformed: true, Status: http.StatusAccepted, Process: true})
	r = athenaInvite(t, srv, athenaOK, map[string]any{"invite_method": "direct", "email": "m@example.com", "website_ids": []string{site1}})
	assert.Equal(t, http.StatusAccepted, r.Status)
	assert.False(t, json.Valid(r.Body))
	assert.Equal(t, []string{"m@example.com"}, srv.AthenaMembers(site1))
}

func TestFaultLatencyStopsOnCancel(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Times: 1, Latency: time.Minute, Status: 500})

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	req, err := newRequest(ctx, http.MethodPost, srv.RoyaltiURL()+"/auth/invite", royaltiOK, "application/json", `{"email":"slow@example.com"}`)
	require.NoError(t, err)
	start := time.Now()
	_, err = (&http.Client{Transport: &http.Transport{}}).Do(req)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)

	r, err := inviteOne(srv, "slow@example.com")
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, r.Status, "the fault was used by the cancelled request, which was not processed")
}

func TestFaultLatencyOnly(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Times: 1, Latency: 80 * time.Millisecond, RetryAfter: "1"})
	start := time.Now()
	r, err := inviteOne(srv, "late@example.com")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)
	assert.Equal(t, http.StatusCreated, r.Status, "delayed, then answered normally")
	assert.Equal(t, "1", r.Header.Get("Retry-After"))
	assert.Equal(t, []string{"late@example.com"}, royaltiEmails(srv))
}

func TestFaultProcessThenFail(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusGatewayTimeout, Process: true})
	body := map[string]any{"tenantId": tenantA, "users": []any{map[string]any{"email": "p@example.com"}}}
	r := post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, body)
	assertAptlyError(t, r, http.StatusGatewayTimeout, "")
	assert.Equal(t, 1, srv.AptlyUserCount(tenantA), "the invite happened although the answer was a 504")

	// The retry a client would make now finds the user already there.
	data := aptlyData(t, post(t, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, body))
	assert.Equal(t, "Email already exists", data["results"].([]any)[0].(map[string]any)["message"])
}

func TestCloseDoesNotWaitForLatency(t *testing.T) {
	srv := onboardtest.NewServer(onboardtest.WithLatency(time.Minute))
	done := make(chan error, 1)
	go func() {
		_, err := inviteOne(srv, "never@example.com")
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.RequestCount("") == 1 }, 5*time.Second, 5*time.Millisecond)

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a request waiting out its latency")
	}
	select {
	case err := <-done:
		assert.Error(t, err, "the waiting request gets no answer")
	case <-time.After(5 * time.Second):
		t.Fatal("the client was not released")
	}
	assert.Empty(t, royaltiEmails(srv))
}

func TestFaultConcurrentConsumption(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(onboardtest.Fault{Path: "/auth/invite", Times: 10, Status: 503})
	statuses := make(chan int, 40)
	for i := range 40 {
		go func() {
			r, err := inviteOne(srv, "c"+strconv.Itoa(i)+"@example.com")
			if assert.NoError(t, err) {
				statuses <- r.Status
			} else {
				statuses <- 0
			}
		}()
	}
	count := map[int]int{}
	for range 40 {
		select {
		case s := <-statuses:
			count[s]++
		case <-time.After(testTimeout):
			t.Fatal("timed out")
		}
	}
	assert.Equal(t, map[int]int{503: 10, 201: 30}, count)
	assert.Equal(t, 30, srv.RoyaltiUserCount(onboardtest.RoyaltiWorkspaceID))
}
