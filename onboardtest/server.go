package onboardtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Path prefixes under which the server mounts each service. A client must
// keep its base URL's path: one that builds absolute paths from the host
// gets 404.
const (
	// AptlyPathPrefix is the path of AptlyURL; it mirrors the "/auth"
	// service path of Aptly's real base URLs.
	AptlyPathPrefix = "/aptly/auth"
	// AthenaPathPrefix is the path of AthenaURL.
	AthenaPathPrefix = "/athena"
	// RoyaltiPathPrefix is the path of RoyaltiURL.
	RoyaltiPathPrefix = "/royalti"
)

// Server is an in-memory fake of the Aptly, AthenaHQ and Royalti endpoints,
// listening on a loopback address. Create one with NewServer (or
// NewServerOn) and Close it when done. All methods are safe for concurrent
// use.
type Server struct {
	// URL is the root URL of the server, "http://127.0.0.1:port", with no
	// trailing slash. Use AptlyURL, AthenaURL and RoyaltiURL as base URLs.
	URL string

	ts        *httptest.Server
	cfg       config
	latency   atomic.Int64 // time.Duration
	closing   chan struct{}
	closeOnce sync.Once
	reqSeq    atomic.Uint64
	reqPrefix string

	recMu sync.Mutex
	rec   recorder

	faultMu sync.Mutex
	faults  []*faultEntry

	rlMu sync.Mutex
	rl   rateLimiter

	mu sync.Mutex // guards st
	st state
}

// NewServer starts a fake on a loopback address and returns it. The caller
// must call Close when finished with it.
func NewServer(opts ...Option) *Server {
	s := newServer(opts)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL
	return s
}

// NewServerOn starts a fake that serves on l and returns it; URL is
// "http://" + l.Addr(). The server owns l from then on: Close closes it.
// It is for a fake that outlives a test, such as one started from the
// command line; a test wants NewServer. The address of l is not checked:
// the fake accepts fixed, public credentials, so anyone who can reach l can
// use it.
func NewServerOn(l net.Listener, opts ...Option) *Server {
	s := newServer(opts)
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	_ = s.ts.Listener.Close() // the loopback listener httptest opened, replaced by l
	s.ts.Listener = l
	// A client that never finishes its headers must not hold a connection
	// of a long-running fake for ever.
	s.ts.Config.ReadHeaderTimeout = readHeaderTimeout
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// readHeaderTimeout bounds how long a server from NewServerOn waits for a
// request's headers.
const readHeaderTimeout = 30 * time.Second

func newServer(opts []Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:       cfg,
		closing:   make(chan struct{}),
		reqPrefix: "req-" + strings.ToLower(rand.Text()[:8]) + "-",
	}
	s.latency.Store(int64(cfg.latency))
	s.rec.init(cfg.recordLimit, cfg.recordBytes)
	s.rl.set(cfg.rateN, cfg.ratePer)
	s.st.init()
	return s
}

// Close stops the server: requests still waiting on a latency are abandoned
// without an answer, and Close returns once every handler has finished.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.ts.Close()
}

// Client returns an HTTP client configured for the server, whose idle
// connections Close also closes.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AptlyURL returns the Aptly base URL, URL + "/aptly/auth". It serves
// POST /v1/user/create, POST /v1/user/bulk-invite,
// POST /v1/tenants/access-key/exchange, and the user lifecycle listed in the
// package documentation.
func (s *Server) AptlyURL() string { return s.URL + AptlyPathPrefix }

// AthenaURL returns the AthenaHQ base URL, URL + "/athena". It serves
// POST /api/v1/invites/bulk, and the invites and members listed in the
// package documentation.
func (s *Server) AthenaURL() string { return s.URL + AthenaPathPrefix }

// RoyaltiURL returns the Royalti base URL, URL + "/royalti". It serves
// POST /user/bulk, POST /auth/invite, and the user and invite lifecycle
// listed in the package documentation.
func (s *Server) RoyaltiURL() string { return s.URL + RoyaltiPathPrefix }

// SetLatency changes the delay applied to every request, as WithLatency
// does; 0 removes it.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

func (s *Server) now() time.Time { return s.cfg.clock() }

// service names which API a request is for.
type service uint8

const (
	serviceNone service = iota
	serviceAptly
	serviceAthena
	serviceRoyalti
)

func serviceOf(path string) service {
	switch {
	case hasPrefixPath(path, AptlyPathPrefix):
		return serviceAptly
	case hasPrefixPath(path, AthenaPathPrefix):
		return serviceAthena
	case hasPrefixPath(path, RoyaltiPathPrefix):
		return serviceRoyalti
	}
	return serviceNone
}

func hasPrefixPath(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// authKind is how an endpoint authenticates its caller.
type authKind uint8

const (
	authNone authKind = iota
	authAptlyBearer
	authAthenaKey
	authRoyaltiBearer
)

// bodyKind is what an endpoint accepts as a request body.
type bodyKind uint8

const (
	// bodyJSON: a JSON object is required, sent as application/json.
	bodyJSON bodyKind = iota
	// bodyOptional: no body, or a JSON object sent as application/json.
	bodyOptional
	// bodyNone: the documents show no body; one that is sent is refused.
	bodyNone
)

// endpoint is one route of the fake.
type endpoint struct {
	method  string
	auth    authKind
	success int // HTTP status of a successful answer
	body    bodyKind
	handle  func(*Server, *call) reply
}

// endpoints holds the routes whose path has no parameter, by full path;
// each serves one method. Routes with parameters are in paramRoutes.
var endpoints = map[string]*endpoint{
	AptlyPathPrefix + "/v1/user/create":                 {http.MethodPost, authAptlyBearer, http.StatusCreated, bodyJSON, (*Server).aptlyCreateUser},
	AptlyPathPrefix + "/v1/user/bulk-invite":            {http.MethodPost, authAptlyBearer, http.StatusCreated, bodyJSON, (*Server).aptlyBulkInvite},
	AptlyPathPrefix + "/v1/tenants/access-key/exchange": {http.MethodPost, authNone, http.StatusCreated, bodyJSON, (*Server).aptlyExchange},
	AthenaPathPrefix + "/api/v1/invites/bulk":           {http.MethodPost, authAthenaKey, http.StatusOK, bodyJSON, (*Server).athenaBulkInvite},
	RoyaltiPathPrefix + "/user/bulk":                    {http.MethodPost, authRoyaltiBearer, http.StatusCreated, bodyJSON, (*Server).royaltiBulkUsers},
	RoyaltiPathPrefix + "/auth/invite":                  {http.MethodPost, authRoyaltiBearer, http.StatusCreated, bodyJSON, (*Server).royaltiInvite},

	AptlyPathPrefix + "/v1/user":                    {http.MethodGet, authAptlyBearer, http.StatusOK, bodyNone, (*Server).aptlyListUsers},
	AptlyPathPrefix + "/v1/user/bulk-resend-invite": {http.MethodPost, authAptlyBearer, http.StatusCreated, bodyJSON, (*Server).aptlyBulkResend},
	AptlyPathPrefix + "/v1/user/bulk-status-update": {http.MethodPatch, authAptlyBearer, http.StatusOK, bodyJSON, (*Server).aptlyBulkStatus},
	AptlyPathPrefix + "/v1/user/bulk-delete":        {http.MethodDelete, authAptlyBearer, http.StatusOK, bodyJSON, (*Server).aptlyBulkDelete},
	AthenaPathPrefix + "/api/v1/invites":            {http.MethodPost, authAthenaKey, http.StatusOK, bodyJSON, (*Server).athenaCreateInvite},
	RoyaltiPathPrefix + "/user/invites":             {http.MethodGet, authRoyaltiBearer, http.StatusOK, bodyNone, (*Server).royaltiListInvites},
	RoyaltiPathPrefix + "/user/":                    {http.MethodGet, authRoyaltiBearer, http.StatusOK, bodyNone, (*Server).royaltiListUsers},
	RoyaltiPathPrefix + "/user":                     {http.MethodGet, authRoyaltiBearer, http.StatusOK, bodyNone, (*Server).royaltiListUsers},
	RoyaltiPathPrefix + "/user/bulk/delete":         {http.MethodPost, authRoyaltiBearer, http.StatusOK, bodyJSON, (*Server).royaltiBulkDelete},
}

// paramRoutes holds the routes whose path has parameters, written {name}.
// A path that matches no fixed route is tried against each in turn.
var paramRoutes = []paramRoute{
	{AptlyPathPrefix + "/v1/user/update-entities/{id}", &endpoint{http.MethodPatch, authAptlyBearer, http.StatusOK, bodyJSON, (*Server).aptlyUpdateEntities}},
	{RoyaltiPathPrefix + "/user/invites/{inviteId}/resend", &endpoint{http.MethodPost, authRoyaltiBearer, http.StatusOK, bodyOptional, (*Server).royaltiResendInvite}},
	{RoyaltiPathPrefix + "/user/invites/{id}/cancel", &endpoint{http.MethodPost, authRoyaltiBearer, http.StatusOK, bodyNone, (*Server).royaltiCancelInvite}},
	{RoyaltiPathPrefix + "/user/{id}", &endpoint{http.MethodGet, authRoyaltiBearer, http.StatusOK, bodyNone, (*Server).royaltiGetUser}},
	{RoyaltiPathPrefix + "/user/{id}", &endpoint{http.MethodDelete, authRoyaltiBearer, http.StatusOK, bodyNone, (*Server).royaltiDeleteUser}},
	{RoyaltiPathPrefix + "/user/{id}/aut", &endpoint{http.MethodPut, authRoyaltiBearer, http.StatusOK, bodyOptional, (*Server).royaltiAddToTenant}},
	{AthenaPathPrefix + "/api/v1/organizations/members/{user_id}", &endpoint{http.MethodPatch, authAthenaKey, http.StatusOK, bodyJSON, (*Server).athenaUpdateOrgMember}},
	{AthenaPathPrefix + "/api/v1/organizations/members/{user_id}", &endpoint{http.MethodDelete, authAthenaKey, http.StatusOK, bodyNone, (*Server).athenaRemoveOrgMember}},
	{AthenaPathPrefix + "/api/v1/websites/{website_id}/members", &endpoint{http.MethodGet, authAthenaKey, http.StatusOK, bodyNone, (*Server).athenaListWebsiteMembers}},
	{AthenaPathPrefix + "/api/v1/websites/{website_id}/members/{user_id}", &endpoint{http.MethodPatch, authAthenaKey, http.StatusOK, bodyJSON, (*Server).athenaUpdateWebsiteMember}},
	{AthenaPathPrefix + "/api/v1/websites/{website_id}/members/{user_id}", &endpoint{http.MethodDelete, authAthenaKey, http.StatusOK, bodyNone, (*Server).athenaRemoveWebsiteMember}},
	{AthenaPathPrefix + "/api/v1/groups/{group_id}/members", &endpoint{http.MethodGet, authAthenaKey, http.StatusOK, bodyNone, (*Server).athenaListGroupMembers}},
}

// call is one request on its way through an endpoint.
type call struct {
	r      *http.Request
	body   []byte
	params map[string]string // path parameters, by the names in the route
	cred   string            // the accepted token or API key
	global bool              // AthenaHQ: the key is the global key
	now    time.Time

	workspace string // Royalti: the token's default workspace
}

// reply is an answer not yet written, so that a fault can replace it after
// the request was processed.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (rep reply) write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range rep.header {
		h[k] = append(h[k], vs...)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (rep *reply) setHeader(k, v string) {
	if rep.header == nil {
		rep.header = make(http.Header)
	}
	rep.header.Set(k, v)
}

// jsonReply encodes v; every type handed to it is one of the fake's own wire
// types, which always encode.
func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic("onboardtest: encoding response: " + err.Error())
	}
	return reply{status: status, body: b}
}

func (s *Server) newRequestID() string {
	return s.reqPrefix + strconv.FormatUint(s.reqSeq.Add(1), 10)
}

// abort ends the handler without an answer; the connection is closed.
func abort() { panic(http.ErrAbortHandler) }

// wait sleeps for d, returning false if the request's context ends or the
// server closes first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.inspection && hasPrefixPath(r.URL.Path, inspectPrefix) {
		s.serveInspection(w, r)
		return
	}
	w.Header().Set("X-Request-Id", s.newRequestID())
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		abort() // the client went away mid-body
	}
	tooLarge := len(body) > maxBodyBytes
	if tooLarge {
		body = body[:maxBodyBytes]
	}
	w = &statusWriter{ResponseWriter: w, s: s, entry: s.record(r, body, w.Header().Get("X-Request-Id"))}
	if !s.wait(r.Context(), time.Duration(s.latency.Load())) {
		abort()
	}
	if f, ok := s.takeFault(r.URL.Path); ok {
		s.serveFault(w, r, body, tooLarge, f)
		return
	}
	s.process(r, body, tooLarge).write(w)
}

// process answers a request as the real service would: routing, rate limit,
// method, authentication, content type, then the endpoint's own handler.
func (s *Server) process(r *http.Request, body []byte, tooLarge bool) reply {
	svc := serviceOf(r.URL.Path)
	if svc == serviceNone {
		return jsonReply(http.StatusNotFound, map[string]string{
			"error": "onboardtest: no endpoint at " + r.URL.Path + "; the services live under " +
				AptlyPathPrefix + ", " + AthenaPathPrefix + " and " + RoyaltiPathPrefix,
		})
	}
	now := s.now()
	rlHeader, retryAfter, limited := s.rateCheck(svc, r, now)
	var rep reply
	if limited {
		rep = s.rateLimited(svc, retryAfter, now)
	} else {
		rep = s.route(svc, r, body, tooLarge, now)
	}
	if rlHeader != nil {
		if rep.header == nil {
			rep.header = rlHeader
		} else {
			for k, v := range rlHeader {
				rep.header[k] = v
			}
		}
	}
	return rep
}

func (s *Server) route(svc service, r *http.Request, body []byte, tooLarge bool, now time.Time) reply {
	ep, params, allow := lookup(r.URL.Path, r.Method)
	if len(allow) == 0 {
		return s.errorReply(svc, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path, now)
	}
	if ep == nil {
		list := strings.Join(allow, ", ")
		rep := s.errorReply(svc, http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed; use "+list, now)
		rep.setHeader("Allow", list)
		return rep
	}
	c := &call{r: r, body: body, params: params, now: now}
	if rep, ok := s.authenticate(ep, c); !ok {
		return rep
	}
	if tooLarge {
		return s.errorReply(svc, http.StatusRequestEntityTooLarge,
			"request body is larger than "+strconv.Itoa(maxBodyBytes)+" bytes", now)
	}
	if rep, ok := s.checkBody(svc, ep.body, c); !ok {
		return rep
	}
	return ep.handle(s, c)
}

// checkBody applies an endpoint's body rule: a body it takes must be sent as
// application/json, and one it does not take is refused.
func (s *Server) checkBody(svc service, kind bodyKind, c *call) (reply, bool) {
	empty := len(bytes.TrimSpace(c.body)) == 0
	switch {
	case kind == bodyNone && !empty:
		return s.errorReply(svc, http.StatusBadRequest,
			"this endpoint takes no request body; send none", c.now), false
	case kind == bodyNone, kind == bodyOptional && empty:
		return reply{}, true
	}
	ct := c.r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return s.errorReply(svc, http.StatusUnsupportedMediaType,
			"Content-Type must be application/json, got "+strconv.Quote(ct), c.now), false
	}
	return reply{}, true
}

// authenticate checks the credential an endpoint needs and stores it in c.
func (s *Server) authenticate(ep *endpoint, c *call) (reply, bool) {
	switch ep.auth {
	case authAptlyBearer:
		tok, ok := bearer(c.r)
		if !ok {
			return s.unauthorized(serviceAptly, "Missing bearer token", c.now), false
		}
		if !s.aptlyTokenValid(tok) {
			return s.unauthorized(serviceAptly, "Invalid or expired token", c.now), false
		}
		c.cred = tok
	case authRoyaltiBearer:
		tok, ok := bearer(c.r)
		if !ok {
			return s.unauthorized(serviceRoyalti, "Unauthorized: no token provided", c.now), false
		}
		c.workspace = s.RoyaltiWorkspace(tok)
		if c.workspace == "" {
			return s.unauthorized(serviceRoyalti, "Unauthorized: invalid token", c.now), false
		}
		c.cred = tok
	case authAthenaKey:
		key := c.r.Header.Get("X-Api-Key")
		switch {
		case key == "":
			return s.unauthorized(serviceAthena, "Missing API key", c.now), false
		case key == s.cfg.athenaGlobalKey:
			c.global = true
		case key != s.cfg.athenaKey:
			return s.unauthorized(serviceAthena, "Invalid API key", c.now), false
		}
		c.cred = key
	}
	return reply{}, true
}

func (s *Server) unauthorized(svc service, msg string, now time.Time) reply {
	rep := s.errorReply(svc, http.StatusUnauthorized, msg, now)
	if svc != serviceAthena {
		rep.setHeader("WWW-Authenticate", "Bearer")
	}
	return rep
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// credential is the raw credential a request presents, the key of its
// rate-limit window.
func credential(svc service, r *http.Request) string {
	if svc == serviceAthena {
		return r.Header.Get("X-Api-Key")
	}
	return r.Header.Get("Authorization")
}

// decode decodes c's body into v, or returns the 400 the service sends.
func (s *Server) decode(svc service, c *call, v any) (reply, bool) {
	f := decodeStrict(c.body, v)
	if f == nil {
		return reply{}, true
	}
	msg := f.message(svc == serviceAptly)
	var probs []problem
	if f.field != "" {
		probs = []problem{{Field: f.field, Message: msg}}
	}
	return s.errorReply(svc, http.StatusBadRequest, msg, c.now, probs...), false
}

// aptlyEnvelope is Aptly's response envelope, for answers and errors alike.
type aptlyEnvelope struct {
	StatusCode int    `json:"statusCode"`
	Timestamp  string `json:"timestamp"`
	Message    string `json:"message"`
	Data       any    `json:"data,omitempty"`
	Error      string `json:"error,omitempty"`
}

// athenaError is AthenaHQ's error body.
type athenaError struct {
	Error string `json:"error"`
}

// royaltiStructuredError is Royalti's structured error body.
type royaltiStructuredError struct {
	Success bool              `json:"success"`
	Error   royaltiErrorInner `json:"error"`
}

type royaltiErrorInner struct {
	Code    string    `json:"code"`
	Message string    `json:"message"`
	Details []problem `json:"details"`
}

// royaltiMessage is Royalti's plain body, for errors and for invite success.
type royaltiMessage struct {
	Message string `json:"message"`
}

// royaltiCode is the structured error code Royalti uses for a status, or ""
// for the statuses answered with a plain {"message"} body.
func royaltiCode(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "VALIDATION_ERROR"
	case http.StatusConflict:
		return "CONFLICT"
	case http.StatusTooManyRequests:
		return "RATE_LIMIT_EXCEEDED"
	case http.StatusRequestEntityTooLarge:
		return "PAYLOAD_TOO_LARGE"
	case http.StatusUnsupportedMediaType:
		return "UNSUPPORTED_MEDIA_TYPE"
	}
	return ""
}

// errorReply renders an error in svc's own shape.
func (s *Server) errorReply(svc service, status int, msg string, now time.Time, probs ...problem) reply {
	switch svc {
	case serviceAptly:
		return jsonReply(status, aptlyEnvelope{
			StatusCode: status,
			Timestamp:  formatTime(now),
			Message:    msg,
			Error:      http.StatusText(status),
		})
	case serviceAthena:
		return jsonReply(status, athenaError{Error: msg})
	case serviceRoyalti:
		code := royaltiCode(status)
		if code == "" {
			return jsonReply(status, royaltiMessage{Message: msg})
		}
		if probs == nil {
			probs = []problem{}
		}
		return jsonReply(status, royaltiStructuredError{
			Error: royaltiErrorInner{Code: code, Message: msg, Details: probs},
		})
	}
	return jsonReply(status, map[string]string{"error": msg})
}

// badRequest renders validation problems as svc's 400: every problem's
// message joined with "; ", and for Royalti each one in details.
func (s *Server) badRequest(svc service, now time.Time, probs []problem) reply {
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = p.Message
	}
	return s.errorReply(svc, http.StatusBadRequest, strings.Join(msgs, "; "), now, probs...)
}

// successStub is a plausible success body for a fault that must answer 2xx
// without having processed the request.
func (s *Server) successStub(svc service, now time.Time) []byte {
	switch svc {
	case serviceAptly:
		return jsonReply(0, aptlyEnvelope{StatusCode: 200, Timestamp: formatTime(now), Message: "Success", Data: struct{}{}}).body
	case serviceAthena:
		return []byte(`{"success":true,"results":[]}`)
	case serviceRoyalti:
		return []byte(`{"message":"Done.","createdUsers":[],"processedCount":0,"errors":[]}`)
	}
	return []byte(`{}`)
}
