package onboard_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/internal/errbody"
)

// Benchmarks of the pipeline's per-call overhead and of the batch engine.
// Each compares against a baseline measured in the same run and reports the
// ratio with b.ReportMetric; BENCHMARKS.md has the command and the figures.

// engineRawServer is a loopback HTTP/1.1 server that answers every request
// with the same canned response, reading each request fully and allocating
// next to nothing, so that its own cost barely dilutes a comparison of two
// clients calling it.
type engineRawServer struct {
	URL  string
	ln   net.Listener
	resp []byte
	wg   sync.WaitGroup
	mu   sync.Mutex
	conn map[net.Conn]bool
}

func newEngineRawServer(tb testing.TB, status int, body []byte) *engineRawServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &engineRawServer{URL: "http://" + ln.Addr().String(), ln: ln, conn: map[net.Conn]bool{}}
	s.resp = fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		status, http.StatusText(status), len(body))
	s.resp = append(s.resp, body...)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conn[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go s.serve(c)
		}
	}()
	tb.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for c := range s.conn {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *engineRawServer) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() { _ = c.Close() }()
	br := bufio.NewReaderSize(c, 64<<10)
	for {
		length := -1
		for first := true; ; first = false {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimSpace(line)) == 0 {
				if first {
					continue
				}
				break
			}
			const cl = "content-length:"
			if len(line) > len(cl) && bytes.EqualFold(line[:len(cl)], []byte(cl)) {
				n, err := strconv.Atoi(string(bytes.TrimSpace(line[len(cl):])))
				if err != nil {
					return
				}
				length = n
			}
		}
		if length < 0 {
			return // no chunked bodies here
		}
		if _, err := br.Discard(length); err != nil {
			return
		}
		if _, err := c.Write(s.resp); err != nil {
			return
		}
	}
}

// BenchmarkEngineRawServer is the server-only run: one raw request and its
// answer over a kept connection, with nothing on the client side that
// allocates, so allocs/op is the server's own share of every comparison
// that uses it. It is 0: their allocation counts are the clients' alone.
func BenchmarkEngineRawServer(b *testing.B) {
	srv := newEngineRawServer(b, http.StatusCreated, []byte(docAptlyCreateUser))
	c, err := new(net.Dialer).DialContext(b.Context(), "tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	req := []byte("POST /v1/user/create HTTP/1.1\r\nHost: onboard\r\nContent-Length: 2\r\n\r\n{}")
	answer := make([]byte, len(srv.resp))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, answer); err != nil {
			b.Fatal(err)
		}
	}
}

// engineBenchTransport is a fresh transport, the same for the SDK and the
// baseline, with enough idle connections for the concurrent benchmarks.
func engineBenchTransport(b *testing.B) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

// engineBenchClient is an Aptly client of the server at url that sends
// through tr.
func engineBenchClient(b *testing.B, url string, tr *http.Transport) *onboard.AptlyClient {
	return newAptly(b, site(url), onboard.WithHTTPClient(&http.Client{Transport: tr}))
}

// engineBenchURL is the URL of the Aptly endpoint at path of the server at
// url, as engineBenchClient calls it.
func engineBenchURL(url, path string) string { return site(url).baseURL(aptlyAPI) + path }

// engineCallStats is one measured loop: time and allocations per call.
type engineCallStats struct {
	ns, allocs, bytes float64
}

// engineMeasure runs fn b.N times, timed, and returns what each call cost.
// The allocation counts are process-wide, as b.ReportAllocs's are.
func engineMeasure(b *testing.B, fn func() error) engineCallStats {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	return engineCallStats{
		ns:     float64(b.Elapsed().Nanoseconds()) / n,
		allocs: float64(after.Mallocs-before.Mallocs) / n,
		bytes:  float64(after.TotalAlloc-before.TotalAlloc) / n,
	}
}

// engineOverhead benchmarks sdk against baseline, two ways of making the
// same call to the same server: sub-benchmarks "baseline" and "sdk", the
// latter reporting its time and allocations as multiples of the baseline's
// ("x-time", "x-allocs"), and "paired", which alternates the two calls in
// one loop so that load from outside the benchmark hits both alike, and
// reports the time ratio ("x-time-paired").
func engineOverhead(b *testing.B, baseline, sdk func() error) {
	var base engineCallStats
	b.Run("baseline", func(b *testing.B) { base = engineMeasure(b, baseline) })
	b.Run("sdk", func(b *testing.B) {
		s := engineMeasure(b, sdk)
		if base.ns > 0 && base.allocs > 0 {
			b.ReportMetric(s.ns/base.ns, "x-time")
			b.ReportMetric(s.allocs/base.allocs, "x-allocs")
		}
	})
	b.Run("paired", func(b *testing.B) {
		var tBase, tSDK time.Duration
		for i := range b.N {
			// Each goes first every other time, so that neither always
			// meets the connection or the caches as the other left them.
			for k := range 2 {
				t0 := time.Now()
				if (i+k)%2 == 0 {
					if err := baseline(); err != nil {
						b.Fatal(err)
					}
					tBase += time.Since(t0)
				} else {
					if err := sdk(); err != nil {
						b.Fatal(err)
					}
					tSDK += time.Since(t0)
				}
			}
		}
		b.ReportMetric(float64(tBase.Nanoseconds())/float64(b.N), "base-ns/call")
		b.ReportMetric(float64(tSDK.Nanoseconds())/float64(b.N), "sdk-ns/call")
		b.ReportMetric(float64(tSDK)/float64(tBase), "x-time-paired")
	})
}

// engineHandWritten is the baseline: the call as a careful user writes it
// with net/http and encoding/json, decoding the envelope's data into out.
func engineHandWritten(ctx context.Context, hc *http.Client, url string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	env := struct {
		StatusCode int    `json:"statusCode"`
		Message    string `json:"message"`
		Data       any    `json:"data"`
	}{Data: out}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// BenchmarkUsersCreate compares Users.Create with a hand-written call, both
// decoding the seed's full user object, against the allocation-free
// engineRawServer. Target: x-allocs <= 1.15, time not significantly above
// the baseline's.
func BenchmarkUsersCreate(b *testing.B) {
	srv := newEngineRawServer(b, http.StatusCreated, []byte(docAptlyCreateUser))
	tr := engineBenchTransport(b)
	c := engineBenchClient(b, srv.URL, tr)
	hc := &http.Client{Transport: tr}
	ctx := context.Background()
	req := &onboard.AptlyCreateUserRequest{
		TenantID: engineTenant, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
		MobilePhone: "+1 555 123 4567", RoleIDs: []string{"476412b3-b02e-42be-acb8-8fc2b846d16f"},
		Groups:    []onboard.AptlyGroupAssignment{{GroupID: "1b73b9b9-1ba6-4a3a-8b69-62be5bdba90f", IsPrimaryOrg: onboard.Ptr(true)}},
		ManagerID: "517779ff-e242-40a2-8d27-bc2bd5eb3b1c", InviteViaEmail: onboard.Ptr(false),
	}
	engineOverhead(b,
		func() error {
			return engineHandWritten(ctx, hc, engineBenchURL(srv.URL, "/v1/user/create"), req, new(onboard.AptlyUser))
		},
		func() error {
			_, err := c.Users.Create(ctx, req)
			return err
		})
}

// engineBulkPeople returns n invitees shaped like the document's example.
func engineBulkPeople(n int) []onboard.AptlyInvitee {
	start := time.Date(2025, 4, 19, 23, 48, 44, 0, time.UTC)
	out := make([]onboard.AptlyInvitee, n)
	for i := range out {
		out[i] = onboard.AptlyInvitee{
			Email: "person" + strconv.Itoa(i) + "@example.com", FirstName: "Rowan", LastName: "Kihn",
			DisplayName: "Rowan Kihn", RoleIDs: []string{"476412b3-b02e-42be-acb8-8fc2b846d16f"},
			Groups:     []onboard.AptlyGroupAssignment{{GroupID: "1b73b9b9-1ba6-4a3a-8b69-62be5bdba90f", IsPrimaryOrg: onboard.Ptr(true)}},
			EmployeeID: "E" + strconv.Itoa(i), EmployeeType: "Full-time", StartDate: start,
			CustomAttributes: map[string]string{"department": "Engineering"},
		}
	}
	return out
}

// engineBulkAnswer is Aptly's envelope answering a bulk invite of people.
func engineBulkAnswer(people []onboard.AptlyInvitee) []byte {
	out := []byte(`{"statusCode":200,"timestamp":"2026-01-12T09:10:12.337Z","message":"Success","data":{"total":`)
	out = strconv.AppendInt(out, int64(len(people)), 10)
	out = append(out, `,"successful":`...)
	out = strconv.AppendInt(out, int64(len(people)), 10)
	out = append(out, `,"failed":0,"results":[`...)
	for i, p := range people {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"email":"`...)
		out = append(out, p.Email...)
		out = append(out, `","success":true,"message":"User invited successfully"}`...)
	}
	return append(out, "]}}"...)
}

// BenchmarkInvitesSendBulk compares Invites.SendBulk of 100 people with a
// hand-written call, against the allocation-free engineRawServer. Target:
// x-allocs <= 1.2, time not significantly above the baseline's.
func BenchmarkInvitesSendBulk(b *testing.B) {
	people := engineBulkPeople(100)
	srv := newEngineRawServer(b, http.StatusCreated, engineBulkAnswer(people))
	tr := engineBenchTransport(b)
	c := engineBenchClient(b, srv.URL, tr)
	hc := &http.Client{Transport: tr}
	ctx := context.Background()
	req := &onboard.AptlyBulkInviteRequest{TenantID: engineTenant, Users: people}
	engineOverhead(b,
		func() error {
			return engineHandWritten(ctx, hc, engineBenchURL(srv.URL, "/v1/user/bulk-invite"), req, new(onboard.AptlyBulkInviteResult))
		},
		func() error {
			_, err := c.Invites.SendBulk(ctx, req)
			return err
		})
}

// engineEmailsIn finds the emails in a bulk-invite body without decoding
// it, so a benchmark's server spends little of the CPU it shares.
func engineEmailsIn(body []byte, each func(email []byte)) {
	key := []byte(`"email":"`)
	for {
		i := bytes.Index(body, key)
		if i < 0 {
			return
		}
		body = body[i+len(key):]
		j := bytes.IndexByte(body, '"')
		if j < 0 {
			return
		}
		each(body[:j])
		body = body[j:]
	}
}

// engineServerClock adds up how long a server took over its requests, from
// the handler's start to its answer, since a sleep on a busy machine
// overshoots.
type engineServerClock struct{ ns, n atomic.Int64 }

// since returns the requests and mean time per request since a mark.
func (c *engineServerClock) since(ns, n int64) (int64, time.Duration) {
	dn := c.n.Load() - n
	if dn == 0 {
		return 0, 0
	}
	return dn, time.Duration((c.ns.Load() - ns) / dn)
}

func (c *engineServerClock) mark() (int64, int64) { return c.ns.Load(), c.n.Load() }

// newEngineBulkServer serves Aptly's bulk invite, answering every email
// with success, each request taking latency in all.
func newEngineBulkServer(b *testing.B, latency time.Duration) (*httptest.Server, *engineServerClock) {
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	clock := new(engineServerClock)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() {
			clock.ns.Add(int64(time.Since(start)))
			clock.n.Add(1)
		}()
		in := pool.Get().(*bytes.Buffer)
		out := pool.Get().(*bytes.Buffer)
		defer pool.Put(in)
		defer pool.Put(out)
		in.Reset()
		out.Reset()
		if _, err := in.ReadFrom(r.Body); err != nil {
			return
		}
		out.WriteString(`{"statusCode":200,"timestamp":"2026-01-12T09:10:12.337Z","message":"Success","data":{"results":[`)
		n := 0
		engineEmailsIn(in.Bytes(), func(email []byte) {
			if n > 0 {
				out.WriteByte(',')
			}
			n++
			out.WriteString(`{"email":"`)
			out.Write(email)
			out.WriteString(`","success":true,"message":"User invited successfully"}`)
		})
		out.WriteString("]}}")
		if latency > 0 {
			time.Sleep(time.Until(start.Add(latency)))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(out.Len()))
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(out.Bytes())
	}))
	b.Cleanup(srv.Close)
	return srv, clock
}

// BenchmarkEngineThroughput invites 10,000 people in batches of 100 against
// a server that takes 5 ms a request: a sequential loop of SendBulk calls; a
// hand-written pool of 8 goroutines calling SendBulk, the best any engine
// can do here; and the engine with concurrency 8. The ideal time at
// concurrency 8 is batches ÷ concurrency × latency = 100 ÷ 8 × 5 ms =
// 62.5 ms; "efficiency-%" is ideal ÷ measured (target >= 90).
// "efficiency-measured-%" puts the server's measured mean time per request
// in place of the nominal 5 ms, "x-vs-pool" is the engine's throughput as a
// share of the pool's, and "x-vs-sequential" its speed-up.
//
// The same at 50 ms a request (pool and engine only) shows the engine's
// scheduling where the CPU each request costs client and server, which
// share this machine, is small beside the latency.
func BenchmarkEngineThroughput(b *testing.B) {
	for _, latency := range []time.Duration{5 * time.Millisecond, 50 * time.Millisecond} {
		b.Run(latency.String(), func(b *testing.B) {
			engineThroughput(b, latency, latency == 5*time.Millisecond)
		})
	}
}

func engineThroughput(b *testing.B, latency time.Duration, sequential bool) {
	const (
		people      = 10_000
		batch       = 100
		concurrency = 8
	)
	srv, clock := newEngineBulkServer(b, latency)
	tr := engineBenchTransport(b)
	c := engineBenchClient(b, srv.URL, tr)
	ctx := context.Background()
	all := engineBulkPeople(people)
	batches := people / batch
	sendBatch := func(i int) error {
		_, err := c.Invites.SendBulk(ctx, &onboard.AptlyBulkInviteRequest{TenantID: engineTenant, Users: all[i*batch : (i+1)*batch]})
		return err
	}
	// report adds the figures every variant shares and returns ns per run.
	report := func(b *testing.B, conc int, ns0, n0 int64) float64 {
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		_, served := clock.since(ns0, n0)
		rounds := float64(batches) / float64(conc)
		b.ReportMetric(ns/1e6, "ms/run")
		b.ReportMetric(100*rounds*float64(latency)/ns, "efficiency-%")
		b.ReportMetric(100*rounds*float64(served)/ns, "efficiency-measured-%")
		b.ReportMetric(float64(served)/1e6, "server-ms")
		return ns
	}

	var seqNs, poolNs float64
	b.Run("sequential", func(b *testing.B) {
		if !sequential {
			b.Skip("only at 5ms: it takes 100 × the latency")
		}
		b.ReportAllocs()
		ns0, n0 := clock.mark()
		for range b.N {
			for i := range batches {
				if err := sendBatch(i); err != nil {
					b.Fatal(err)
				}
			}
		}
		seqNs = report(b, 1, ns0, n0)
	})
	b.Run("pool-c8", func(b *testing.B) {
		b.ReportAllocs()
		ns0, n0 := clock.mark()
		for range b.N {
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, concurrency)
			for range concurrency {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := int(next.Add(1) - 1); i < batches; i = int(next.Add(1) - 1) {
						if err := sendBatch(i); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		poolNs = report(b, concurrency, ns0, n0)
	})
	b.Run("engine-c8", func(b *testing.B) {
		b.ReportAllocs()
		ns0, n0 := clock.mark()
		for range b.N {
			rep, err := c.Invites.SendBulkAll(ctx, inTenant(engineTenant), all, onboard.WithBatchSize(batch), onboard.WithConcurrency(concurrency))
			if err != nil {
				b.Fatal(err)
			}
			if n := rep.Counts().Succeeded; n != people {
				b.Fatalf("%d succeeded, want %d", n, people)
			}
		}
		ns := report(b, concurrency, ns0, n0)
		b.ReportMetric(people/(ns/1e9), "items/s")
		if poolNs > 0 {
			b.ReportMetric(poolNs/ns, "x-vs-pool")
		}
		if seqNs > 0 {
			b.ReportMetric(seqNs/ns, "x-vs-sequential")
		}
	})
}

// BenchmarkEngineStreamMillion streams 1,000,000 invitees from a generator
// through Invites.SendBulkSeq against a server with no latency, and samples
// the heap while it runs. Target: "peak-heap-MiB" (peak HeapInuse) < 64;
// "base-heap-MiB" is HeapInuse before the run, the baseline.
func BenchmarkEngineStreamMillion(b *testing.B) {
	const items = 1_000_000
	srv, _ := newEngineBulkServer(b, 0)
	tr := engineBenchTransport(b)
	c := engineBenchClient(b, srv.URL, tr)
	ctx := context.Background()
	gen := func(yield func(onboard.AptlyInvitee) bool) {
		for i := range items {
			if !yield(onboard.AptlyInvitee{Email: "p" + strconv.Itoa(i) + "@example.com", FirstName: "Pat", LastName: strconv.Itoa(i)}) {
				return
			}
		}
	}
	var people iter.Seq[onboard.AptlyInvitee] = gen

	b.ReportAllocs()
	var peak, base uint64
	for range b.N {
		b.StopTimer()
		var stop func() uint64
		base, stop = sampleHeap()
		b.StartTimer()

		n, ok := 0, 0
		for o := range c.Invites.SendBulkSeq(ctx, inTenant(engineTenant), people) {
			if o.Index != n {
				b.Fatalf("outcome %d has index %d", n, o.Index)
			}
			n++
			if o.State == onboard.StateSucceeded {
				ok++
			}
		}

		b.StopTimer()
		peak = max(peak, stop())
		if n != items || ok != items {
			b.Fatalf("%d outcomes, %d succeeded; want %d", n, ok, items)
		}
		b.StartTimer()
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(base)/(1<<20), "base-heap-MiB")
	b.ReportMetric(items/(ns/1e9), "items/s")
}

// BenchmarkReadCapped reads a body at and over DefaultMaxResponseBytes, with
// its length unknown or announced, and takes the copy an *APIError keeps of
// it: what a call pays for a body that large. B/op stays about the cap (it
// was over four times the cap), and "kept-B" is what the error holds on to.
func BenchmarkReadCapped(b *testing.B) {
	const limit = onboard.DefaultMaxResponseBytes
	body := bytes.Repeat([]byte("a "), limit) // one-letter words, twice the cap
	for _, bc := range []struct {
		name     string
		n        int
		announce bool
	}{
		{"at-cap", limit, false},
		{"over-cap", 2 * limit, false},
		{"over-cap-announced", 2 * limit, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			size := int64(-1)
			if bc.announce {
				size = int64(bc.n)
			}
			b.ReportAllocs()
			var kept []byte
			for range b.N {
				var err error
				if kept, err = onboard.ReadAndKeep(bytes.NewReader(body[:bc.n]), limit, size); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cap(kept)), "kept-B")
		})
	}
}

// BenchmarkErrorSnippet reads the message of a cap-sized error body that is
// not JSON: a 200-byte snippet, which costs what it prints whatever the
// body's size (splitting a body of one-letter words into words cost
// thirteen times the body).
func BenchmarkErrorSnippet(b *testing.B) {
	body := bytes.Repeat([]byte("a "), onboard.DefaultMaxResponseBytes/2)
	b.ReportAllocs()
	for range b.N {
		if p := errbody.Parse(body); len(p.Message) > 200+len("…") {
			b.Fatalf("message of %d bytes", len(p.Message))
		}
	}
}

// sampleHeap collects garbage, then samples HeapInuse every 5 ms until
// the returned stop is called; it returns the HeapInuse it started from,
// and stop returns the peak seen.
func sampleHeap() (base uint64, stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	done, sampled := make(chan struct{}), make(chan uint64)
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-done:
				sampled <- top
				return
			case <-tick.C:
			}
		}
	}()
	return ms.HeapInuse, func() uint64 {
		close(done)
		return <-sampled
	}
}

// handWrittenCall is the baseline of the AthenaHQ and Royalti benchmarks:
// the call as a careful user writes it with net/http and encoding/json,
// with the credential in header, decoding the answer into out, a type of
// the user's own.
func handWrittenCall(ctx context.Context, hc *http.Client, url, header, credential string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set(header, credential)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// BenchmarkAthenaSendToTargets compares Invites.SendToTargets of one person
// to 50 websites with a hand-written call that decodes the answer into a
// struct of its own. The server answers every website in the document's
// shape, half of them with a failure's "error". Target: x-allocs <= 1.2,
// time not significantly above the baseline's.
func BenchmarkAthenaSendToTargets(b *testing.B) {
	websites := athenaTargetIDs(onboard.AthenaMaxTargets)
	srv := newEngineRawServer(b, http.StatusOK, athenaBulkAnswer(websites))
	tr := engineBenchTransport(b)
	c := newAthena(b, site(srv.URL), onboard.WithHTTPClient(&http.Client{Transport: tr}))
	hc := &http.Client{Transport: tr}
	ctx := context.Background()
	url := site(srv.URL).baseURL(athenaAPI) + "/api/v1/invites/bulk"
	req := &onboard.AthenaTargetInviteRequest{InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com", Role: onboard.AthenaRoleViewer,
		WebsiteIDs: websites, FirstName: "Ada", LastName: "Lovelace"}
	type result struct {
		WebsiteID string `json:"website_id"`
		GroupID   string `json:"group_id"`
		Success   bool   `json:"success"`
		Message   string `json:"message"`
		Error     string `json:"error"`
		UserID    string `json:"user_id"`
	}
	type answer struct {
		Success bool     `json:"success"`
		Results []result `json:"results"`
	}
	engineOverhead(b,
		func() error {
			return handWrittenCall(ctx, hc, url, "x-api-key", testAPIKey, req, new(answer))
		},
		func() error {
			_, err := c.Invites.SendToTargets(ctx, req)
			return err
		})
}

// BenchmarkRoyaltiCreateBulk compares Users.CreateBulk with a hand-written
// call, both sending the five people of the document's answer and
// decoding that answer; the SDK also ties each name back to its person.
// A comparison; no target.
func BenchmarkRoyaltiCreateBulk(b *testing.B) {
	srv := newEngineRawServer(b, http.StatusCreated, []byte(docRoyaltiBulkUsers))
	tr := engineBenchTransport(b)
	c := newRoyalti(b, site(srv.URL), onboard.WithHTTPClient(&http.Client{Transport: tr}))
	hc := &http.Client{Transport: tr}
	ctx := context.Background()
	url := site(srv.URL).baseURL(royaltiAPI) + "/user/bulk"
	var users []onboard.RoyaltiWorkspaceUser
	for _, first := range []string{"John", "Jane", "Jacob", "Jericho", "Jake"} {
		users = append(users, onboard.RoyaltiWorkspaceUser{FirstName: first, LastName: "Doe", Email: strings.ToLower(first) + "@example.com",
			Role: "user", Country: "NG"})
	}
	req := &onboard.RoyaltiCreateUsersRequest{Users: users, SendEmail: onboard.Ptr(true), Message: "Welcome"}
	type answer struct {
		Message        string   `json:"message"`
		CreatedUsers   []string `json:"createdUsers"`
		ProcessedCount int      `json:"processedCount"`
		Errors         []string `json:"errors"`
	}
	engineOverhead(b,
		func() error {
			return handWrittenCall(ctx, hc, url, "Authorization", "Bearer "+testToken, req, new(answer))
		},
		func() error {
			_, err := c.Users.CreateBulk(ctx, req)
			return err
		})
}

// BenchmarkRoyaltiInviteSend compares Invites.Send with a hand-written
// call, both decoding the document's answer. A comparison; no target.
func BenchmarkRoyaltiInviteSend(b *testing.B) {
	srv := newEngineRawServer(b, http.StatusCreated, []byte(docRoyaltiInvite))
	tr := engineBenchTransport(b)
	c := newRoyalti(b, site(srv.URL), onboard.WithHTTPClient(&http.Client{Transport: tr}))
	hc := &http.Client{Transport: tr}
	ctx := context.Background()
	url := site(srv.URL).baseURL(royaltiAPI) + "/auth/invite"
	req := &onboard.RoyaltiInviteRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: "user"}
	type answer struct {
		Message string `json:"message"`
	}
	engineOverhead(b,
		func() error {
			return handWrittenCall(ctx, hc, url, "Authorization", "Bearer "+testToken, req, new(answer))
		},
		func() error {
			_, err := c.Invites.Send(ctx, req)
			return err
		})
}
