package onboard

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboardkit/onboard/internal/retry"
	"github.com/onboardkit/onboard/internal/validate"
)

// Version is the version of this SDK, sent in the default User-Agent: the
// newest heading of CHANGELOG.md, with "-dev" while that is unreleased.
const Version = "0.3.0-dev"

// Base URLs of the services. Each client type talks to its own service's.
const (
	// AptlyStagingURL is Aptly's US staging API, the host of its documents.
	AptlyStagingURL = "https://staging.api.us.aptlydone.com/auth"
	// AptlyUSURL is Aptly's US production API.
	AptlyUSURL = "https://api.us.aptlydone.com/auth"
	// AptlyEUURL is Aptly's EU production API.
	AptlyEUURL = "https://api.eu.aptlydone.com/auth"
	// AthenaHQURL is AthenaHQ's API.
	AthenaHQURL = "https://api.athenahq.ai"
	// RoyaltiURL is Royalti's production API.
	RoyaltiURL = "https://api.royalti.io"
	// RoyaltiAppspotURL is the Royalti server its API documents show.
	RoyaltiAppspotURL = "https://server26-dot-royalti-project.uc.r.appspot.com"
)

// AptlyClient calls Aptly's API with one credential: Users manages users
// and Invites sends and resends invites. It is safe for concurrent use; make one per
// tenant credential and reuse it.
type AptlyClient struct {
	// Users creates, lists, updates and deletes Aptly users.
	Users *AptlyUsers
	// Invites invites people by email into an Aptly tenant, and resends.
	Invites *AptlyInvites

	core *client
}

// NewAptlyClient returns a client for Aptly's API at baseURL (AptlyUSURL,
// AptlyEUURL, AptlyStagingURL, or a test server's URL) that authenticates
// with auth: BearerToken, or AptlyAccessKey for a machine key. It makes no
// network call and reads no environment. An http:// baseURL is refused
// unless its host is loopback or WithInsecureHTTP is given.
func NewAptlyClient(baseURL string, auth Authenticator, opts ...Option) (*AptlyClient, error) {
	c, err := newClient("NewAptlyClient", baseURL, auth, nil, opts)
	if err != nil {
		return nil, err
	}
	return &AptlyClient{Users: &AptlyUsers{c}, Invites: &AptlyInvites{c}, core: c}, nil
}

// String describes the client without its credential.
func (c *AptlyClient) String() string { return c.core.describe("AptlyClient") }

// GoString is String, so that %#v shows no secret either.
func (c *AptlyClient) GoString() string { return c.String() }

// AthenaClient calls AthenaHQ's API with one API key: Invites invites a
// person to the organization, websites or groups, and Members manages who
// belongs where, with which role. It paces itself to AthenaHQ's documented
// 60 requests a minute (see WithRateLimiter). It is safe for concurrent use; make one per
// key and reuse it.
type AthenaClient struct {
	// Invites invites people to AthenaHQ websites and groups.
	Invites *AthenaInvites
	// Members lists and manages who has access to websites and groups.
	Members *AthenaMembers

	core *client
}

// NewAthenaClient returns a client for AthenaHQ's API at baseURL
// (AthenaHQURL, or a test server's URL) that authenticates with auth,
// normally APIKey. It makes no network call and reads no environment. An
// http:// baseURL is refused unless its host is loopback or
// WithInsecureHTTP is given.
func NewAthenaClient(baseURL string, auth Authenticator, opts ...Option) (*AthenaClient, error) {
	if err := notAptlyKey("NewAthenaClient", auth); err != nil {
		return nil, err
	}
	c, err := newClient("NewAthenaClient", baseURL, auth, athenaLimiter, opts)
	if err != nil {
		return nil, err
	}
	return &AthenaClient{Invites: &AthenaInvites{c}, Members: &AthenaMembers{c}, core: c}, nil
}

// String describes the client without its credential.
func (c *AthenaClient) String() string { return c.core.describe("AthenaClient") }

// GoString is String, so that %#v shows no secret either.
func (c *AthenaClient) GoString() string { return c.String() }

// RoyaltiClient calls Royalti's API with one credential: Users manages the
// users of the credential's workspace and Invites its invites. It is safe
// for concurrent use; make one per credential and reuse it.
type RoyaltiClient struct {
	// Users creates, lists, gets and deletes workspace users.
	Users *RoyaltiUsers
	// Invites sends, lists, resends and cancels workspace invites.
	Invites *RoyaltiInvites

	core *client
}

// NewRoyaltiClient returns a client for Royalti's API at baseURL
// (RoyaltiURL, RoyaltiAppspotURL, or a test server's URL) that
// authenticates with auth: BearerToken (Royalti API keys are bearer tokens
// too) or BasicAuth. It makes no network call and reads no environment. An
// http:// baseURL is refused unless its host is loopback or
// WithInsecureHTTP is given.
func NewRoyaltiClient(baseURL string, auth Authenticator, opts ...Option) (*RoyaltiClient, error) {
	if err := notAptlyKey("NewRoyaltiClient", auth); err != nil {
		return nil, err
	}
	c, err := newClient("NewRoyaltiClient", baseURL, auth, nil, opts)
	if err != nil {
		return nil, err
	}
	return &RoyaltiClient{Users: &RoyaltiUsers{c}, Invites: &RoyaltiInvites{c}, core: c}, nil
}

// String describes the client without its credential.
func (c *RoyaltiClient) String() string { return c.core.describe("RoyaltiClient") }

// GoString is String, so that %#v shows no secret either.
func (c *RoyaltiClient) GoString() string { return c.String() }

// notAptlyKey refuses an AptlyAccessKey given to another service's
// constructor: the key is exchanged at Aptly's endpoint, which the other
// services do not have.
func notAptlyKey(op string, auth Authenticator) error {
	if _, ok := auth.(*aptlyAccessKey); ok {
		return fmt.Errorf("onboard: %s: AptlyAccessKey works only with NewAptlyClient; pass this service's own credential", op)
	}
	return nil
}

// client is the request pipeline the three client types share: one base
// URL, one credential, one http.Client with its retry policy.
type client struct {
	base *url.URL
	auth Authenticator
	// httpClient is the template of each call's http.Client: the
	// caller's, with the redirect rule; each call's loop sends through
	// its Transport.
	httpClient  http.Client
	policy      retry.Policy
	retries     int           // each call makes at most retries+1 attempts
	waitFirst   time.Duration // the first back-off between attempts
	waitLongest time.Duration // the longest, which also caps Retry-After
	timeout     time.Duration // each attempt's, unless a call sets its own; 0: none
	pacer       *pacer        // nil: WithoutPacing
	logger      *slog.Logger  // nil: silent
	userAgent   string
	maxBody     int64
}

// service is what every service type holds: the client it calls through.
type service struct{ client *client }

// newClient builds the pipeline for one service; op names the constructor
// in errors, and pace, when not nil, makes the pacing the service has by
// default. It makes no network call and reads no environment.
func newClient(op, baseURL string, auth Authenticator, pace func() *rate.Limiter, opts []Option) (*client, error) {
	s := settings{
		userAgent:   "onboard-go/" + Version,
		timeout:     DefaultTimeout,
		retries:     DefaultRetries,
		waitFirst:   DefaultRetryWaitFirst,
		waitLongest: DefaultRetryWaitLongest,
		maxBody:     DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.applyClient(&s); err != nil {
			return nil, fmt.Errorf("onboard: %s: %w", op, err)
		}
	}
	if auth == nil {
		return nil, fmt.Errorf("onboard: %s: no Authenticator; pass BearerToken, APIKey, BasicAuth, BearerTokenFunc or AptlyAccessKey", op)
	}
	base, err := parseBaseURL(op, baseURL, s.insecureHTTP)
	if err != nil {
		return nil, err
	}

	c := &client{
		base:        base,
		auth:        auth,
		userAgent:   s.userAgent,
		maxBody:     s.maxBody,
		retries:     s.retries,
		waitFirst:   s.waitFirst,
		waitLongest: s.waitLongest,
		logger:      s.logger,
		policy:      retry.Policy{ServerErrors: s.serverErrors},
	}
	if !s.noPacing {
		c.pacer = &pacer{limiter: s.limiter}
		if !s.limiterSet && pace != nil {
			c.pacer.limiter = pace()
		}
	}
	if b, ok := auth.(binder); ok {
		c.auth = b.bind(c)
	}
	c.httpClient = c.newHTTPClient(&s)
	return c, nil
}

func parseBaseURL(op, raw string, insecure bool) (*url.URL, error) {
	// Errors show the URL only as u.Redacted(), never raw: it may hold a
	// password.
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // ue.URL is raw
		}
		return nil, fmt.Errorf("onboard: %s: base URL: %w", op, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("onboard: %s: base URL must be absolute http(s), such as %s; got scheme %q and host %q", op, AptlyStagingURL, u.Scheme, u.Host)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("onboard: %s: base URL must not carry credentials, a query or a fragment; pass credentials as an Authenticator", op)
	}
	if u.Scheme == "http" && !insecure && !validate.IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("onboard: %s: base URL %q is plain http on a host that is not loopback; use https, or WithInsecureHTTP if you must", op, u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// describe renders a client of kind for String, without its credential.
func (c *client) describe(kind string) string {
	return fmt.Sprintf("onboard.%s{base: %s, auth: %v}", kind, c.base.Redacted(), c.auth)
}

// Ptr returns a pointer to v, for optional fields such as SendEmail:
// onboard.Ptr(false).
func Ptr[T any](v T) *T { return &v }
