package onboard

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/onboardkit/onboard/internal/match"
	"github.com/onboardkit/onboard/internal/validate"
)

// AptlyBulkInviteResult is Aptly's answer to a bulk invite: counts and one result
// per email, in the order sent.
type AptlyBulkInviteResult struct {
	// Total, SuccessfulCount and FailedCount are the server's counts.
	Total           int `json:"total"`
	SuccessfulCount int `json:"successful"`
	FailedCount     int `json:"failed"`
	// Results holds one entry per email.
	Results []AptlyEmailResult `json:"results"`
}

// AptlyEmailResult is the outcome of inviting one email in an Aptly bulk invite.
type AptlyEmailResult struct {
	Email   string `json:"email"`
	Success bool   `json:"success"`
	// Message is the server's word, such as "Email already exists".
	Message string `json:"message"`
}

// Succeeded returns the results of the emails that were invited.
func (r *AptlyBulkInviteResult) Succeeded() []AptlyEmailResult {
	return filter(r.Results, func(e AptlyEmailResult) bool { return e.Success })
}

// Failed returns the results of the emails the server refused.
func (r *AptlyBulkInviteResult) Failed() []AptlyEmailResult {
	return filter(r.Results, func(e AptlyEmailResult) bool { return !e.Success })
}

// AthenaTargetInviteResult is AthenaHQ's answer to a bulk invite: one result per
// website or group, in the order sent.
type AthenaTargetInviteResult struct {
	// Success is true whenever the request was valid, even if every
	// target failed; look at Results.
	Success bool `json:"success"`
	// Results holds one entry per target.
	Results []AthenaTargetResult `json:"results"`
}

// AthenaTargetResult is the outcome of inviting the person to one website or group.
type AthenaTargetResult struct {
	// WebsiteID or GroupID names the target, whichever kind was sent.
	WebsiteID string `json:"website_id,omitempty"`
	GroupID   string `json:"group_id,omitempty"`
	Success   bool   `json:"success"`
	// Message is the server's words: what was done, such as "User added
	// to website", or, for a failure, its reason (sent as "error"), such
	// as "User is already a member of this website".
	Message string `json:"message,omitempty"`
	// UserID is the person's AthenaHQ user id, on success.
	UserID string `json:"user_id,omitempty"`
}

// UnmarshalJSON reads a result as AthenaHQ sends it, taking a failure's
// "error" into Message.
func (t *AthenaTargetResult) UnmarshalJSON(data []byte) error {
	var wire targetResultWire
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*t = wire.result()
	return nil
}

// targetInviteWire is a TargetInviteResult as AthenaHQ sends it. The
// client decodes answers into it, in one pass; decoding into
// TargetInviteResult would decode each result a second time, through
// TargetResult's UnmarshalJSON.
type targetInviteWire struct {
	Success bool               `json:"success"`
	Results []targetResultWire `json:"results"`
}

// result is w as a TargetInviteResult.
func (w *targetInviteWire) result() *AthenaTargetInviteResult {
	res := &AthenaTargetInviteResult{Success: w.Success}
	if w.Results != nil {
		res.Results = make([]AthenaTargetResult, len(w.Results))
		for i := range w.Results {
			res.Results[i] = w.Results[i].result()
		}
	}
	return res
}

// targetResultWire is a result as AthenaHQ sends it: a failure's reason
// comes as "error".
type targetResultWire struct {
	WebsiteID string `json:"website_id"`
	GroupID   string `json:"group_id"`
	Success   bool   `json:"success"`
	Message   string `json:"message"`
	Error     string `json:"error"`
	UserID    string `json:"user_id"`
}

// result is w as a TargetResult, the "error" in Message when there is one.
func (w *targetResultWire) result() AthenaTargetResult {
	msg := w.Message
	if w.Error != "" {
		msg = w.Error
	}
	return AthenaTargetResult{WebsiteID: w.WebsiteID, GroupID: w.GroupID, Success: w.Success, Message: msg, UserID: w.UserID}
}

// TargetID returns the website or group id the result is about.
func (t AthenaTargetResult) TargetID() string {
	if t.WebsiteID != "" {
		return t.WebsiteID
	}
	return t.GroupID
}

// Succeeded returns the results of the targets the person was added or
// invited to.
func (r *AthenaTargetInviteResult) Succeeded() []AthenaTargetResult {
	return filter(r.Results, func(t AthenaTargetResult) bool { return t.Success })
}

// Failed returns the results of the targets that refused the person.
func (r *AthenaTargetInviteResult) Failed() []AthenaTargetResult {
	return filter(r.Results, func(t AthenaTargetResult) bool { return !t.Success })
}

// RoyaltiCreateUsersResult is Royalti's answer to a bulk user creation, with the
// answer matched back to each submitted user in Outcomes.
type RoyaltiCreateUsersResult struct {
	// Message is the server's summary, such as "Done.".
	Message string `json:"message"`
	// CreatedUsers holds the names ("First Last") of the users created.
	CreatedUsers []string `json:"createdUsers"`
	// ProcessedCount is the server's count of processed users.
	ProcessedCount int `json:"processedCount"`
	// Errors holds the server's error texts, one per refused user.
	Errors []string `json:"errors"`
	// Outcomes holds one entry per submitted user, in the order sent, with
	// Index its position in the request's Users and Message the server's
	// error text or why the answer could not be tied to the user. It is
	// not part of the server's answer. A user the answer refuses as
	// "already associated with workspace" is StateUnknown, not
	// StateFailed, when the request took more than one attempt: the
	// earlier attempt may have created them.
	Outcomes []Outcome[RoyaltiWorkspaceUser] `json:"-"`
}

// Succeeded returns the outcomes of the users created.
func (r *RoyaltiCreateUsersResult) Succeeded() []Outcome[RoyaltiWorkspaceUser] {
	return filter(r.Outcomes, func(o Outcome[RoyaltiWorkspaceUser]) bool { return o.State == StateSucceeded })
}

// Failed returns the outcomes of the users the server refused.
func (r *RoyaltiCreateUsersResult) Failed() []Outcome[RoyaltiWorkspaceUser] {
	return filter(r.Outcomes, func(o Outcome[RoyaltiWorkspaceUser]) bool { return o.State == StateFailed })
}

// Unknown returns the outcomes of the users the answer could not be tied to,
// such as two users with the same name of whom one was created.
func (r *RoyaltiCreateUsersResult) Unknown() []Outcome[RoyaltiWorkspaceUser] {
	return filter(r.Outcomes, func(o Outcome[RoyaltiWorkspaceUser]) bool { return o.State == StateUnknown })
}

// State is what became of one item of a bulk operation.
type State int

// The states of an item.
const (
	// StateUnknown means the item's request went out, but no answer ties
	// it to this item for certain: the answer was ambiguous or could not
	// be read, or the run stopped while the request was on its way. It
	// may or may not have been done.
	StateUnknown State = iota
	// StateSucceeded means the server did what was asked for this item.
	StateSucceeded
	// StateFailed means the server refused this item; the reason is the
	// server's.
	StateFailed
	// StateNotSent means the item got no answer of its own: it was never
	// sent, or its whole request failed. Outcome.Err says which; after a
	// 5xx or a connection that broke mid-request the server may still
	// have done the work, so a second submission may be told "already
	// exists". A request the run stopped while it was on its way (the
	// context ended) leaves its items StateUnknown, not StateNotSent.
	StateNotSent
)

// String names the state.
func (s State) String() string {
	switch s {
	case StateSucceeded:
		return "succeeded"
	case StateFailed:
		return "failed"
	case StateNotSent:
		return "not sent"
	default:
		return "unknown"
	}
}

// matchCreated ties Royalti's created names and error texts to the users.
func matchCreated(users []RoyaltiWorkspaceUser, created, errs []string) []Outcome[RoyaltiWorkspaceUser] {
	people := make([]match.Person, len(users))
	for i, u := range users {
		people[i] = match.Person{Name: fullName(u.FirstName, u.LastName), Email: u.Email}
	}
	results := match.Royalti(people, created, errs)
	out := make([]Outcome[RoyaltiWorkspaceUser], len(users))
	for i, r := range results {
		out[i] = Outcome[RoyaltiWorkspaceUser]{Index: i, Item: users[i], Message: r.Reason}
		switch r.Verdict {
		case match.Created:
			out[i].State = StateSucceeded
		case match.Failed:
			out[i].State = StateFailed
		default:
			out[i].State = StateUnknown
		}
	}
	return out
}

// markDoneEarlier makes unknown the users refused as already in the
// workspace by a request that took more than one attempt: an earlier
// attempt, whose answer was lost, may have created them.
func markDoneEarlier(outs []Outcome[RoyaltiWorkspaceUser], attempts int) {
	for i := range outs {
		o := &outs[i]
		o.Attempts = attempts
		if attempts > 1 && o.State == StateFailed && match.RoyaltiAlready(o.Message) {
			o.State, o.Message = StateUnknown, doneEarlier(o.Message, attempts)
		}
	}
}

// callResponse returns the Response a call with opts fills, adding a
// WithResponse to opts when they have none, so that the caller can read
// the call's attempts afterwards.
func callResponse(opts []CallOption) (*Response, []CallOption) {
	var cs callSettings
	for _, o := range opts {
		if o != nil {
			_ = o.applyCall(&cs) // a bad option fails the call itself
		}
	}
	if cs.response != nil {
		return cs.response, opts
	}
	r := new(Response)
	return r, append(opts[:len(opts):len(opts)], WithResponse(r))
}

func fullName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

// checkItem records the problems of users[i] in p. It checks the item
// with an empty path prefix first, so a valid item (the usual case) costs
// no path strings, and names it only when there is something to report.
func checkItem[T any](p *validate.Problems, item *T, i int, check func(*T, *validate.Problems, string)) {
	var q validate.Problems
	check(item, &q, "")
	if !q.Empty() {
		check(item, p, "users["+itoa(i)+"].")
	}
}

func filter[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
