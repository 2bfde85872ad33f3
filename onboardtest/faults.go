package onboardtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes the server misbehave on matching requests. Faults are kept in
// the order they were injected; each request takes the first one whose Path
// matches. The zero value of every field means "not this kind of fault".
//
// What a matching request gets:
//
//   - DropConnection: the connection is closed with no answer at all.
//   - Truncate: a Content-Length is announced, half the body is sent, and the
//     connection is closed.
//   - Malformed: a 2xx answer (Status, or the endpoint's success status)
//     whose body is not JSON.
//   - Status or Body: that answer; Status defaults to 500, and Body to the
//     service's own error shape for the status (a stub success body for a
//     2xx status).
//   - none of these: the request is answered normally, after Latency and
//     with RetryAfter and Header added. Such a fault is a way to slow down
//     or decorate chosen requests.
//
// Latency applies before the answer in every case and ends early, with no
// answer, when the client gives up or the server closes.
type Fault struct {
	// Path selects requests whose URL path ends with it, such as
	// "/v1/user/bulk-invite". Empty matches every request.
	Path string

	// Times is how many matching requests the fault applies to; 0 means
	// every matching request until ClearFaults.
	Times int

	// Status is the HTTP status to answer with.
	Status int

	// RetryAfter, if not empty, is sent verbatim as the Retry-After header:
	// a number of seconds or an HTTP date. On a 429 or a 503 it asks the
	// client to come back later, which by convention says the request was
	// not done, so clients retry such answers (the onboard SDK does by
	// default). With Process the server did the work anyway.
	RetryAfter string

	// Header holds extra headers for the answer.
	Header http.Header

	// Body, if not empty, is sent verbatim as the answer's body.
	Body string

	// Latency delays the answer.
	Latency time.Duration

	// DropConnection closes the connection without answering.
	DropConnection bool

	// Truncate announces the full Content-Length, sends half of the body,
	// then closes the connection.
	Truncate bool

	// Malformed answers 2xx with a body that is not JSON (Body overrides
	// it).
	Malformed bool

	// Process, if true, has the request processed normally first, so state
	// changes as it would, before the fault's answer replaces the real one:
	// the server did the work but the answer got lost. If false the request
	// is not processed at all.
	//
	// With Status 503 and RetryAfter, the server says "not done, try again
	// later" after doing the work, as a gateway in front of a busy service
	// can: a client that retries meets its own first attempt's work, such
	// as Aptly's "Email already exists" for every person it invited. With
	// a 500, or a 503 without RetryAfter, a careful client does not retry
	// at all and must find out what was done.
	Process bool
}

type faultEntry struct {
	f    Fault
	left int // answers left; 0 means unlimited
}

// InjectFault adds f behind the faults already pending.
func (s *Server) InjectFault(f Fault) {
	f.Header = f.Header.Clone()
	s.faultMu.Lock()
	s.faults = append(s.faults, &faultEntry{f: f, left: f.Times})
	s.faultMu.Unlock()
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	s.faults = nil
	s.faultMu.Unlock()
}

// PendingFaults returns how many injected faults have not been used up.
func (s *Server) PendingFaults() int {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return len(s.faults)
}

// takeFault returns the first pending fault matching path, using up one of
// its Times.
func (s *Server) takeFault(path string) (Fault, bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, e := range s.faults {
		if !strings.HasSuffix(path, e.f.Path) {
			continue
		}
		if e.left > 0 {
			e.left--
			if e.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return e.f, true
	}
	return Fault{}, false
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, body []byte, tooLarge bool, f Fault) {
	var actual *reply
	if f.Process {
		rep := s.process(r, body, tooLarge)
		actual = &rep
	}
	if !s.wait(r.Context(), f.Latency) {
		abort()
	}
	if f.DropConnection {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		abort()
	}
	h := w.Header()
	if f.RetryAfter != "" {
		h.Set("Retry-After", f.RetryAfter)
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	if f.Status == 0 && f.Body == "" && !f.Truncate && !f.Malformed {
		if actual == nil {
			rep := s.process(r, body, tooLarge)
			actual = &rep
		}
		actual.write(w)
		return
	}

	svc := serviceOf(r.URL.Path)
	success := http.StatusOK
	if ep := endpoints[r.URL.Path]; ep != nil {
		success = ep.success
	}
	now := s.now()
	status := f.Status
	var out []byte
	switch {
	case f.Malformed:
		if status == 0 {
			status = success
		}
		out = []byte(f.Body)
		if f.Body == "" {
			out = []byte("<html><body><h1>Gateway says hello</h1>this is not JSON</body></html>")
		}
	case f.Truncate:
		if status == 0 {
			status = success
			if actual != nil {
				status = actual.status
			}
		}
		switch {
		case f.Body != "":
			out = []byte(f.Body)
		case actual != nil && actual.status == status:
			out = actual.body
		default:
			out = s.faultBody(svc, status, now)
		}
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(status)
		_, _ = w.Write(out[:len(out)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		// Returning having written less than Content-Length makes net/http
		// close the connection: the client sees an unexpected EOF.
		return
	default:
		if status == 0 {
			status = http.StatusInternalServerError
		}
		out = []byte(f.Body)
		if f.Body == "" {
			out = s.faultBody(svc, status, now)
		}
	}
	reply{status: status, body: out}.write(w)
}

// faultBody is the body a fault answers with when it names no Body.
func (s *Server) faultBody(svc service, status int, now time.Time) []byte {
	if status >= 200 && status < 300 {
		return s.successStub(svc, now)
	}
	return s.errorReply(svc, status, http.StatusText(status), now).body
}
