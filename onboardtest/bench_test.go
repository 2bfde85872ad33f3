package onboardtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/onboardkit/onboard/onboardtest"
)

// benchBatches sends b.N batches of size items each to url and reports
// items per second.
func benchBatches(b *testing.B, srv *onboardtest.Server, url string, a auth, size int, body func(batch, size int) []byte) {
	b.Helper()
	client := srv.Client()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body(i, size)))
		if err != nil {
			b.Fatal(err)
		}
		for k, v := range a {
			req.Header.Set(k, v)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkAptlyBulkInvite1000(b *testing.B) {
	srv := onboardtest.NewServer(onboardtest.WithoutRecording())
	defer srv.Close()
	benchBatches(b, srv, srv.AptlyURL()+"/v1/user/bulk-invite", aptlyOK, 1000, func(batch, size int) []byte {
		users := make([]map[string]any, size)
		for i := range users {
			users[i] = map[string]any{"email": "u" + strconv.Itoa(batch*size+i) + "@example.com", "firstName": "F", "lastName": "L"}
		}
		out, _ := json.Marshal(map[string]any{"tenantId": tenantA, "users": users})
		return out
	})
}

func BenchmarkRoyaltiBulk1000(b *testing.B) {
	srv := onboardtest.NewServer() // default recording limits in force
	defer srv.Close()
	benchBatches(b, srv, srv.RoyaltiURL()+"/user/bulk", royaltiOK, 1000, func(batch, size int) []byte {
		users := make([]map[string]any, size)
		for i := range users {
			users[i] = map[string]any{"email": "u" + strconv.Itoa(batch*size+i) + "@example.com", "firstName": "F", "lastName": "L"}
		}
		out, _ := json.Marshal(map[string]any{"users": users})
		return out
	})
}
