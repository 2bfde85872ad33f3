package onboard

import (
	"context"
	"fmt"
	"io"
	"time"
)

// What the tests of package onboard_test need of the package's insides.

// RetryLoggerOf returns the logger a call of a client of any service hands
// to go-retryablehttp. It must be nil: that library's default logger writes
// every request line to stderr.
func RetryLoggerOf(c any) any {
	var core *client
	switch c := c.(type) {
	case *AptlyClient:
		core = c.client
	case *AthenaClient:
		core = c.client
	case *RoyaltiClient:
		core = c.client
	default:
		panic(fmt.Sprintf("RetryLoggerOf: %T is not a client", c))
	}
	l, err := core.newCallLoop(endpoint{op: "RetryLoggerOf"}, nil)
	if err != nil {
		panic(err)
	}
	return l.retry.Logger
}

// ReadAndKeep reads body as a call reads a failure's body, through a cap
// of limit bytes with size the announced length (-1 for none), and returns
// the copy of it an *APIError keeps.
func ReadAndKeep(body io.Reader, limit, size int64) ([]byte, error) {
	data, _, err := readCapped(body, limit, size)
	kept, _ := errorBody(data, nil)
	return kept, err
}

// SetAccessKeyClock makes auth, an AptlyAccessKey, read the time from now,
// so that tests of token renewal need not wait. Call it before
// NewAptlyClient.
func SetAccessKeyClock(auth Authenticator, now func() time.Time) { auth.(*aptlyAccessKey).now = now }

// The defaults and bounds the tests assert against.
const (
	DefaultBatchSize        = defaultBatchSize
	MaxBatchSize            = maxBatchSize
	DefaultConcurrency      = defaultConcurrency
	MaxConcurrency          = maxConcurrency
	AthenaHQRequestInterval = athenaRequestInterval
	RoyaltiMaxPageSize      = royaltiMaxPageSize
	AthenaMaxTargets        = athenaMaxTargets
	DefaultRetries          = defaultRetries
	DefaultTimeout          = defaultTimeout
	DefaultMaxResponseBytes = defaultMaxResponseBytes
	MaxErrorBodyBytes       = maxErrorBodyBytes
)

// The pages the list iterators fetch, for the tests of one request.
type (
	AptlyUserPage     = aptlyUserPage
	RoyaltiUserPage   = royaltiUserPage
	RoyaltiInvitePage = royaltiInvitePage
)

// AptlyListPage fetches the one page of Aptly's users that List would.
func AptlyListPage(ctx context.Context, s *AptlyUsers, opts *AptlyListUsersOptions, callOpts ...CallOption) (*AptlyUserPage, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return s.listPage(ctx, listUsers, opts, callOpts)
}

// RoyaltiUsersListPage fetches the one page of Royalti's users that List would.
func RoyaltiUsersListPage(ctx context.Context, s *RoyaltiUsers, opts *RoyaltiListUsersOptions, callOpts ...CallOption) (*RoyaltiUserPage, error) {
	return s.listPage(ctx, opts, callOpts...)
}

// RoyaltiInvitesListPage fetches the one page of Royalti's invites that List would.
func RoyaltiInvitesListPage(ctx context.Context, s *RoyaltiInvites, opts *RoyaltiListInvitesOptions, callOpts ...CallOption) (*RoyaltiInvitePage, error) {
	return s.listPage(ctx, opts, callOpts...)
}

// The engine's hook on each step of each batch.
type (
	BatchEvent     = batchEvent
	BatchEventKind = batchEventKind
)

const (
	BatchCut      = batchCut
	BatchSent     = batchSent
	BatchAnswered = batchAnswered
)

var WithBatchEvents = withBatchEvents

// String names the step, for test messages.
func (k batchEventKind) String() string {
	return [...]string{"?", "cut", "sent", "answered"}[k]
}

// Check runs the validation v's method runs before anything is sent.
func Check(v interface{ validate() error }) error { return v.validate() }

// The knobs no program sets, which the tests turn.
var (
	WithRetryWait          = withRetryWait
	WithMaxResponseBytes   = withMaxResponseBytes
	WithStopOnBatchFailure = withStopOnBatchFailure
)

// RoyaltiAppspotURL is the Royalti server its documents show.
const RoyaltiAppspotURL = "https://server26-dot-royalti-project.uc.r.appspot.com"

// AthenaOrganizationMembership is AthenaMemberResult.Member's type.
type AthenaOrganizationMembership = struct {
	UserID string     `json:"user_id"`
	OrgID  string     `json:"org_id"`
	Role   AthenaRole `json:"role"`
}
