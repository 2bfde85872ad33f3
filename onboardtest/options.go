package onboardtest

import "time"

// Default credentials the fake accepts unless an Option replaces them.
const (
	// AptlyToken is the bearer token Aptly requests must carry
	// ("Authorization: Bearer " + AptlyToken).
	AptlyToken = "onboardtest-aptly-token"

	// AptlyAccessKey is the machine access key that POST
	// {AptlyURL}/v1/tenants/access-key/exchange exchanges for a bearer token.
	AptlyAccessKey = "onboardtest-aptly-access-key"

	// AthenaAPIKey is a website-scoped AthenaHQ API key, sent as x-api-key.
	// It can invite to websites but gets 403 for group invites.
	AthenaAPIKey = "onboardtest-athena-key"

	// AthenaGlobalAPIKey is a global AthenaHQ API key, sent as x-api-key. It
	// can invite to websites and to groups.
	AthenaGlobalAPIKey = "onboardtest-athena-global-key"

	// RoyaltiToken is the bearer token Royalti requests must carry. Its
	// default workspace is RoyaltiWorkspaceID.
	RoyaltiToken = "onboardtest-royalti-token"

	// RoyaltiWorkspaceID is the default workspace of the Royalti token.
	RoyaltiWorkspaceID = "onboardtest-workspace"
)

// DefaultRecordLimit is how many of the most recent requests a Server keeps
// for Requests unless WithRecordLimit or WithoutRecording says otherwise.
const DefaultRecordLimit = 10000

// DefaultRecordBytes caps the request bodies a Server keeps for Requests:
// once the kept bodies add up to more, the oldest records are dropped even
// under the count limit, so that pushing a million items through the fake
// does not hold every batch in memory. RequestCount is not affected.
const DefaultRecordBytes = 64 << 20

// maxBodyBytes is the largest request body the fake reads; larger bodies are
// answered with 413 in the service's error shape.
const maxBodyBytes = 32 << 20

// Option configures a Server created by NewServer.
type Option func(*config)

type config struct {
	aptlyToken       string
	aptlyAccessKey   string
	athenaKey        string
	athenaGlobalKey  string
	royaltiToken     string
	royaltiWorkspace string
	latency          time.Duration
	rateN            int
	ratePer          time.Duration
	clock            func() time.Time
	recordLimit      int
	recordBytes      int64
	inspection       bool
}

func defaultConfig() config {
	return config{
		aptlyToken:       AptlyToken,
		aptlyAccessKey:   AptlyAccessKey,
		athenaKey:        AthenaAPIKey,
		athenaGlobalKey:  AthenaGlobalAPIKey,
		royaltiToken:     RoyaltiToken,
		royaltiWorkspace: RoyaltiWorkspaceID,
		clock:            time.Now,
		recordLimit:      DefaultRecordLimit,
		recordBytes:      DefaultRecordBytes,
	}
}

// WithAptlyToken makes the server accept token, instead of AptlyToken, as
// the Aptly bearer token.
func WithAptlyToken(token string) Option { return func(c *config) { c.aptlyToken = token } }

// WithAptlyAccessKey makes the server accept key, instead of AptlyAccessKey,
// at the access-key exchange endpoint.
func WithAptlyAccessKey(key string) Option { return func(c *config) { c.aptlyAccessKey = key } }

// WithAthenaAPIKey makes the server accept key, instead of AthenaAPIKey, as
// the website-scoped AthenaHQ API key.
func WithAthenaAPIKey(key string) Option { return func(c *config) { c.athenaKey = key } }

// WithAthenaGlobalAPIKey makes the server accept key, instead of
// AthenaGlobalAPIKey, as the global AthenaHQ API key.
func WithAthenaGlobalAPIKey(key string) Option { return func(c *config) { c.athenaGlobalKey = key } }

// WithRoyaltiToken makes the server accept token, instead of RoyaltiToken,
// as the Royalti bearer token.
func WithRoyaltiToken(token string) Option { return func(c *config) { c.royaltiToken = token } }

// WithRoyaltiWorkspace sets the default workspace of the Royalti token,
// instead of RoyaltiWorkspaceID.
func WithRoyaltiWorkspace(id string) Option { return func(c *config) { c.royaltiWorkspace = id } }

// WithLatency delays every request by d before it is answered. The wait ends
// early, without an answer, when the client gives up or the server closes.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithRateLimit allows n requests per credential in each fixed window of
// length per (see Server.SetRateLimit). Without it there is no limit.
func WithRateLimit(n int, per time.Duration) Option {
	return func(c *config) { c.rateN, c.ratePer = n, per }
}

// WithClock makes the server read the time from now instead of time.Now. It
// also dates what the server stores: the creation of users, members and
// invites, and an invite's sending, resending, cancelling and acceptance,
// whether a request or a Server method (AddRoyaltiInvite,
// AcceptRoyaltiInvite, ...) does it. Those dates show in the answers
// (createdAt, updatedAt, meta.date, JoinedAt) and in State. It drives
// response timestamps, recorded request times and rate-limit windows too;
// latencies still use real timers.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithRecordLimit keeps the n most recent requests for Requests (bounded
// also by DefaultRecordBytes). n <= 0 records nothing, like WithoutRecording.
func WithRecordLimit(n int) Option { return func(c *config) { c.recordLimit = n } }

// WithoutRecording keeps no request for Requests or LastRequest, for
// benchmarks. RequestCount still counts.
func WithoutRecording() Option { return func(c *config) { c.recordLimit = 0 } }

// WithInspection serves two read-only endpoints beside the services, so
// that a test written in any language can see what the fake holds and what
// it was sent:
//
//	GET {URL}/_fake/state     State, as JSON
//	GET {URL}/_fake/requests  the recorded requests, credentials redacted
//
// See InspectStatePath and InspectRequestsPath for what they answer. Their
// own requests are not recorded, counted, delayed, rate limited or faulted.
func WithInspection() Option { return func(c *config) { c.inspection = true } }
