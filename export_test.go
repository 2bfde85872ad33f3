package onboard

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/onboardkit/onboard/internal/readcap"
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
	data, _, err := readcap.Read(body, limit, size, errorReadBytes)
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
	p := new(AptlyUserPage) // a nil opts encodes as no query
	return result(p, s.client.call(ctx, listUsers, opts, nil, p, callOpts))
}

// RoyaltiUsersListPage fetches the one page of Royalti's users that List would.
func RoyaltiUsersListPage(ctx context.Context, s *RoyaltiUsers, opts *RoyaltiListUsersOptions, callOpts ...CallOption) (*RoyaltiUserPage, error) {
	p := new(RoyaltiUserPage)
	return result(p, s.listPage(ctx, opts, p, callOpts...))
}

// RoyaltiInvitesListPage fetches the one page of Royalti's invites that List would.
func RoyaltiInvitesListPage(ctx context.Context, s *RoyaltiInvites, opts *RoyaltiListInvitesOptions, callOpts ...CallOption) (*RoyaltiInvitePage, error) {
	p := new(RoyaltiInvitePage)
	return result(p, s.listPage(ctx, opts, p, callOpts...))
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

// WithBatchEvents makes the run call fn at each step of each batch, in
// order for a batch but concurrently across batches; the batch waits for fn.
func WithBatchEvents(fn func(BatchEvent)) BulkOption {
	return func(s *bulkSettings) { s.events = fn }
}

// String names the step, for test messages.
func (k batchEventKind) String() string {
	return [...]string{"?", "cut", "sent", "answered"}[k]
}

// Check runs the validation v's method runs before anything is sent.
func Check(v interface{ validate() error }) error { return v.validate() }

// WithRetryWait sets the first back-off and the longest wait between
// attempts; the latter also caps a server's Retry-After.
func WithRetryWait(first, longest time.Duration) Option {
	return clientOption(func(s *settings) error {
		if first < 0 || longest < first {
			return fmt.Errorf("WithRetryWait: want 0 <= first <= longest, got %s and %s", first, longest)
		}
		s.waitFirst, s.waitLongest = first, longest
		return nil
	})
}

// WithMaxResponseBytes caps how much of a response body is read: a success
// body past it is an error, an error body is cut.
func WithMaxResponseBytes(n int64) Option {
	return clientOption(func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d is not positive", n)
		}
		s.maxBody = n
		return nil
	})
}

// WithStopOnBatchFailure stops the run after the first batch that got no
// per-item answer (rejected whole, failed in transport, unreadable);
// batches in flight finish.
func WithStopOnBatchFailure() BulkOption {
	return func(s *bulkSettings) { s.stopOnFail = true }
}

// RoyaltiAppspotURL is the Royalti server its documents show.
const RoyaltiAppspotURL = "https://server26-dot-royalti-project.uc.r.appspot.com"

// AthenaOrganizationMembership is AthenaMemberResult.Member's type.
type AthenaOrganizationMembership = struct {
	UserID string     `json:"user_id"`
	OrgID  string     `json:"org_id"`
	Role   AthenaRole `json:"role"`
}
