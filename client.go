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

	"github.com/onboardkit/onboard/internal/pace"
	"github.com/onboardkit/onboard/internal/validate"
)

// Version is this SDK's version, sent in the default User-Agent.
const Version = "0.3.0-dev"

// Base URLs of the services. Each client type talks to its own service's.
const (
	AptlyStagingURL = "https://staging.api.us.aptlydone.com/auth"
	AptlyUSURL      = "https://api.us.aptlydone.com/auth"
	AptlyEUURL      = "https://api.eu.aptlydone.com/auth"
	AthenaHQURL     = "https://api.athenahq.ai"
	RoyaltiURL      = "https://api.royalti.io"
)

// AptlyClient calls Aptly's API with one credential.
type AptlyClient struct {
	Users   *AptlyUsers
	Invites *AptlyInvites

	*client
}

// NewAptlyClient returns a client for Aptly's API at baseURL that
// authenticates with BearerToken or AptlyAccessKey. An http:// baseURL
// needs a loopback host or WithInsecureHTTP.
func NewAptlyClient(baseURL string, auth Authenticator, opts ...Option) (*AptlyClient, error) {
	c, err := newClient("NewAptlyClient", baseURL, auth, nil, opts)
	if err != nil {
		return nil, err
	}
	return &AptlyClient{Users: &AptlyUsers{c}, Invites: &AptlyInvites{c}, client: c}, nil
}

// AthenaClient calls AthenaHQ's API with one API key. It paces itself to
// one request per 1.1 s: 55 in any minute, within AthenaHQ's 60 with a
// margin for the network.
type AthenaClient struct {
	Invites *AthenaInvites
	Members *AthenaMembers

	*client
}

// NewAthenaClient returns a client for AthenaHQ's API at baseURL that
// authenticates with auth, normally APIKey.
func NewAthenaClient(baseURL string, auth Authenticator, opts ...Option) (*AthenaClient, error) {
	if err := notAptlyKey("NewAthenaClient", auth); err != nil {
		return nil, err
	}
	c, err := newClient("NewAthenaClient", baseURL, auth, func() *rate.Limiter {
		return rate.NewLimiter(rate.Every(athenaRequestInterval), 1)
	}, opts)
	if err != nil {
		return nil, err
	}
	return &AthenaClient{Invites: &AthenaInvites{c}, Members: &AthenaMembers{c}, client: c}, nil
}

// RoyaltiClient calls Royalti's API with one credential, scoped to one
// workspace.
type RoyaltiClient struct {
	Users   *RoyaltiUsers
	Invites *RoyaltiInvites

	*client
}

// NewRoyaltiClient returns a client for Royalti's API at baseURL that
// authenticates with BearerToken (API keys too) or BasicAuth.
func NewRoyaltiClient(baseURL string, auth Authenticator, opts ...Option) (*RoyaltiClient, error) {
	if err := notAptlyKey("NewRoyaltiClient", auth); err != nil {
		return nil, err
	}
	c, err := newClient("NewRoyaltiClient", baseURL, auth, nil, opts)
	if err != nil {
		return nil, err
	}
	return &RoyaltiClient{Users: &RoyaltiUsers{c}, Invites: &RoyaltiInvites{c}, client: c}, nil
}

// notAptlyKey refuses an AptlyAccessKey for another service.
func notAptlyKey(op string, auth Authenticator) error {
	if _, ok := auth.(*aptlyAccessKey); ok {
		return fmt.Errorf("onboard: %s: AptlyAccessKey works only with NewAptlyClient; pass this service's own credential", op)
	}
	return nil
}

// client is the pipeline the three clients share. Each embeds it, so its
// String and GoString, which leave out the credential, are theirs.
type client struct {
	kind string
	base *url.URL
	auth Authenticator
	// httpClient is the template of each call's http.Client.
	httpClient  http.Client
	policy      retryPolicy
	retries     int           // each call makes at most retries+1 attempts
	waitFirst   time.Duration // the first back-off between attempts
	waitLongest time.Duration // the longest, which also caps Retry-After
	timeout     time.Duration // each attempt's, unless a call sets its own; 0: none
	pacer       *pace.Pacer   // nil: WithoutPacing
	logger      *slog.Logger  // nil: silent
	userAgent   string
	maxBody     int64
}

// service is what every service type holds: the client it calls through.
type service struct{ client *client }

// newClient builds one service's pipeline; limit, if not nil, is its default pacing.
func newClient(op, baseURL string, auth Authenticator, limit func() *rate.Limiter, opts []Option) (*client, error) {
	s := settings{userAgent: "onboard-go/" + Version, timeout: defaultTimeout, retries: defaultRetries,
		waitFirst: defaultRetryWaitFirst, waitLongest: defaultRetryWaitLongest, maxBody: defaultMaxResponseBytes}
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

	c := &client{kind: strings.TrimPrefix(op, "New"), base: base, auth: auth, userAgent: s.userAgent, maxBody: s.maxBody,
		retries: s.retries, waitFirst: s.waitFirst, waitLongest: s.waitLongest, logger: s.logger,
		policy: retryPolicy{serverErrors: s.serverErrors}}
	if !s.noPacing {
		c.pacer = &pace.Pacer{Limiter: s.limiter}
		if !s.limiterSet && limit != nil {
			c.pacer.Limiter = limit()
		}
	}
	if b, ok := auth.(binder); ok {
		c.auth = b.bind(c)
	}
	c.httpClient = c.newHTTPClient(&s)
	return c, nil
}

func parseBaseURL(op, raw string, insecure bool) (*url.URL, error) {
	// Errors show the URL only redacted: it may hold a password.
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

// String describes the client without its credential.
func (c *client) String() string {
	return fmt.Sprintf("onboard.%s{base: %s, auth: %v}", c.kind, c.base.Redacted(), c.auth)
}

// GoString is String.
func (c *client) GoString() string { return c.String() }

// Ptr returns a pointer to v, for optional fields: onboard.Ptr(false).
func Ptr[T any](v T) *T { return &v }
