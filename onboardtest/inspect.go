package onboardtest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The endpoints WithInspection adds, outside the services' path prefixes.
const (
	// InspectStatePath answers GET with State as JSON: the Snapshot under
	// its JSON names, {"aptly": …, "athena": …, "royalti": …}.
	InspectStatePath = "/_fake/state"

	// InspectRequestsPath answers GET with the recorded requests, oldest
	// first, as {"total": n, "requests": [...]}. total counts every request
	// since NewServer or Reset, recorded or not; each request has the
	// fields of RecordedRequest under lower-case names: id, method, path,
	// query, header, body (a string), time and status (0 while
	// unanswered). Credentials are redacted: the values of Authorization,
	// Proxy-Authorization, X-Api-Key and Cookie read "[redacted]" (an
	// Authorization scheme is kept, "Bearer [redacted]"), and so does every
	// occurrence of those values, and of the access key sent to the Aptly
	// exchange, in bodies and query values, as they are and as JSON
	// escapes them.
	InspectRequestsPath = "/_fake/requests"
)

// inspectPrefix is the path under which the inspection endpoints live.
const inspectPrefix = "/_fake"

// redacted replaces a credential in the output of InspectRequestsPath.
const redacted = "[redacted]"

// credentialHeaders are the request headers whose values are credentials.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Cookie"}

// inspectedRequests is the answer of InspectRequestsPath.
type inspectedRequests struct {
	Total    int                `json:"total"`
	Requests []inspectedRequest `json:"requests"`
}

// inspectedRequest is a RecordedRequest, redacted, as InspectRequestsPath
// shows it.
type inspectedRequest struct {
	ID     string      `json:"id"`
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  url.Values  `json:"query"`
	Header http.Header `json:"header"`
	Body   string      `json:"body"`
	Time   time.Time   `json:"time"`
	Status int         `json:"status"`
}

// serveInspection answers the endpoints of WithInspection.
func (s *Server) serveInspection(w http.ResponseWriter, r *http.Request) {
	var rep reply
	switch {
	case r.URL.Path != InspectStatePath && r.URL.Path != InspectRequestsPath:
		rep = jsonReply(http.StatusNotFound, map[string]string{
			"error": "onboardtest: no endpoint at " + r.URL.Path + "; the fake's own endpoints are GET " +
				InspectStatePath + " and GET " + InspectRequestsPath,
		})
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		rep = jsonReply(http.StatusMethodNotAllowed, map[string]string{
			"error": "onboardtest: " + r.URL.Path + " is read-only; use GET",
		})
		rep.setHeader("Allow", "GET, HEAD")
	case r.URL.Path == InspectStatePath:
		rep = jsonReply(http.StatusOK, s.State())
	default:
		rep = jsonReply(http.StatusOK, s.inspectRequests())
	}
	rep.body = append(rep.body, '\n') // for a terminal: curl prints no newline of its own
	rep.write(w)
}

func (s *Server) inspectRequests() inspectedRequests {
	reqs := s.Requests()
	out := inspectedRequests{Total: s.RequestCount(""), Requests: make([]inspectedRequest, len(reqs))}
	for i, r := range reqs {
		r = redactRequest(r)
		out.Requests[i] = inspectedRequest{
			ID: r.ID, Method: r.Method, Path: r.Path, Query: r.Query, Header: r.Header,
			Body: string(r.Body), Time: r.Time, Status: r.Status,
		}
	}
	return out
}

// redactRequest replaces the credentials r carries, in its headers, body
// and query, with "[redacted]". r must be a copy the caller owns.
func redactRequest(r RecordedRequest) RecordedRequest {
	var secrets []string
	for _, name := range credentialHeaders {
		values := r.Header[http.CanonicalHeaderKey(name)] // edited in place: r is a copy
		for i, v := range values {
			scheme, rest, ok := strings.Cut(v, " ")
			rest = strings.TrimSpace(rest)
			if ok && rest != "" && strings.HasSuffix(name, "Authorization") {
				values[i] = scheme + " " + redacted
				secrets = append(secrets, rest)
			} else {
				values[i] = redacted
			}
			secrets = append(secrets, v)
		}
	}
	if r.Path == AptlyPathPrefix+"/v1/tenants/access-key/exchange" {
		var body struct {
			AccessKey any `json:"accessKey"`
		}
		if json.Unmarshal(r.Body, &body) == nil {
			if key, ok := body.AccessKey.(string); ok {
				secrets = append(secrets, key)
			}
		}
	}
	// A JSON body carries a secret escaped ("&", "<", ">" as \u0026,
	// \u003c, \u003e, and so on), and a body may hold either form.
	for _, secret := range secrets {
		if b, err := json.Marshal(secret); err == nil && string(b[1:len(b)-1]) != secret {
			secrets = append(secrets, string(b[1:len(b)-1]))
		}
	}
	// Longest first, so that a whole value goes before a part of it.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, secret := range secrets {
		if len(secret) < 4 { // shorter values would match by chance
			continue
		}
		r.Body = bytes.ReplaceAll(r.Body, []byte(secret), []byte(redacted))
		for _, vs := range r.Query {
			for i := range vs {
				vs[i] = strings.ReplaceAll(vs[i], secret, redacted)
			}
		}
	}
	return r
}
