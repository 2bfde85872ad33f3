package onboardtest

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RecordedRequest is one request as the server received it.
type RecordedRequest struct {
	// ID is the x-request-id the server answered this request with.
	ID string
	// Method is the HTTP method.
	Method string
	// Path is the full URL path as received, service prefix included.
	Path string
	// Query holds the parsed query parameters.
	Query url.Values
	// Header is a copy of the request headers.
	Header http.Header
	// Body is a copy of the request body.
	Body []byte
	// Time is when the request arrived, by the server's clock.
	Time time.Time
	// Status is the HTTP status the server answered with, injected faults
	// included (a truncated answer records the status it began with). It
	// is 0 while the request is unanswered and stays 0 for a request that
	// got no answer: a dropped connection, or a client that gave up during
	// a latency. It is set before the answer leaves the server, so a client
	// that has its answer finds it recorded.
	Status int
}

// recorder keeps the most recent requests within a count and byte budget,
// and counts every request by path.
type recorder struct {
	limit    int
	maxBytes int64
	buf      []RecordedRequest
	start    int
	bytes    int64
	counts   map[string]int
	// added numbers the entries: the next one added is entry added. Entry
	// n, while kept, is buf[n-shifted].
	added, shifted int
}

func (rc *recorder) init(limit int, maxBytes int64) {
	rc.limit, rc.maxBytes = limit, maxBytes
	rc.reset()
}

func (rc *recorder) reset() {
	rc.buf, rc.start, rc.bytes = nil, 0, 0
	rc.shifted = rc.added
	rc.counts = make(map[string]int)
}

// add keeps req, dropping the oldest entries beyond the budget, and
// returns req's entry number.
func (rc *recorder) add(req RecordedRequest) int {
	n := rc.added
	rc.added++
	rc.buf = append(rc.buf, req)
	rc.bytes += int64(len(req.Body))
	for n := len(rc.buf) - rc.start; n > 1 && (n > rc.limit || rc.bytes > rc.maxBytes); n-- {
		rc.bytes -= int64(len(rc.buf[rc.start].Body))
		rc.buf[rc.start] = RecordedRequest{}
		rc.start++
	}
	if rc.start > 1024 && rc.start > len(rc.buf)/2 {
		kept := copy(rc.buf, rc.buf[rc.start:])
		clear(rc.buf[kept:])
		rc.shifted += rc.start
		rc.buf, rc.start = rc.buf[:kept], 0
	}
	return n
}

// setStatus sets the status of entry n, if it is still kept.
func (rc *recorder) setStatus(n, status int) {
	if i := n - rc.shifted; n >= 0 && i >= rc.start && i < len(rc.buf) {
		rc.buf[i].Status = status
	}
}

// record counts and keeps one request, and returns its entry number, or -1
// when requests are not kept.
func (s *Server) record(r *http.Request, body []byte, id string) int {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.rec.counts[r.URL.Path]++
	if s.rec.limit <= 0 {
		return -1
	}
	return s.rec.add(RecordedRequest{
		ID:     id,
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   body, // owned by the server and never modified
		Time:   s.now(),
	})
}

// statusWriter notes in the record the status a handler answers with, as
// the handler writes it, before anything reaches the client.
type statusWriter struct {
	http.ResponseWriter
	s     *Server
	entry int // the request's record entry, or -1
	wrote bool
}

// WriteHeader records code, unless an answer's status was already
// written, and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		w.s.recMu.Lock()
		w.s.rec.setStatus(w.entry, code)
		w.s.recMu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write writes b, with an implicit 200 status if none was written.
func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends what is buffered, with an implicit 200 status if none was
// written.
func (w *statusWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack takes over the connection; the request then records no status.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the writer underneath, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Requests returns copies of the recorded requests, oldest first. Only the
// most recent ones are kept (see WithRecordLimit and DefaultRecordBytes).
func (s *Server) Requests() []RecordedRequest {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	kept := s.rec.buf[s.rec.start:]
	out := make([]RecordedRequest, len(kept))
	for i, r := range kept {
		out[i] = copyRequest(r)
	}
	return out
}

// LastRequest returns a copy of the most recent recorded request, and false
// if none is recorded.
func (s *Server) LastRequest() (RecordedRequest, bool) {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	if len(s.rec.buf) == s.rec.start {
		return RecordedRequest{}, false
	}
	return copyRequest(s.rec.buf[len(s.rec.buf)-1]), true
}

func copyRequest(r RecordedRequest) RecordedRequest {
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	q := make(url.Values, len(r.Query))
	for k, v := range r.Query {
		q[k] = append([]string(nil), v...)
	}
	r.Query = q
	return r
}

// RequestCount returns how many requests have arrived whose path ends with
// pathSuffix; "" counts all. Every request counts, recorded or not, faulted
// or not, until Reset.
func (s *Server) RequestCount(pathSuffix string) int {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	n := 0
	for p, c := range s.rec.counts {
		if strings.HasSuffix(p, pathSuffix) {
			n += c
		}
	}
	return n
}
