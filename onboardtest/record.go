package onboardtest

import (
	"bytes"
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
}

func (rc *recorder) init(limit int, maxBytes int64) {
	rc.limit, rc.maxBytes = limit, maxBytes
	rc.reset()
}

func (rc *recorder) reset() {
	rc.buf, rc.start, rc.bytes = nil, 0, 0
	rc.counts = make(map[string]int)
}

func (rc *recorder) add(req RecordedRequest) {
	rc.buf = append(rc.buf, req)
	rc.bytes += int64(len(req.Body))
	for n := len(rc.buf) - rc.start; n > 1 && (n > rc.limit || rc.bytes > rc.maxBytes); n-- {
		rc.bytes -= int64(len(rc.buf[rc.start].Body))
		rc.buf[rc.start] = RecordedRequest{}
		rc.start++
	}
	if rc.start > 1024 && rc.start > len(rc.buf)/2 {
		n := copy(rc.buf, rc.buf[rc.start:])
		clear(rc.buf[n:])
		rc.buf, rc.start = rc.buf[:n], 0
	}
}

func (s *Server) record(r *http.Request, body []byte, id string) {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.rec.counts[r.URL.Path]++
	if s.rec.limit <= 0 {
		return
	}
	s.rec.add(RecordedRequest{
		ID:     id,
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   body, // owned by the server and never modified
		Time:   s.now(),
	})
}

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
