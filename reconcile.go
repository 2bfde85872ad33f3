package onboard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/onboardkit/onboard/internal/journal"
	"github.com/onboardkit/onboard/internal/readback"
	"github.com/onboardkit/onboard/internal/retry"
)

// WithReconcile settles the run's unknown outcomes by reading the service
// back, at most maxPages pages of each list (0: no cap), each list once for
// all of a pass's items; a run with no unknown reads nothing. Resuming from
// a journal, the items it left unknown are settled before anything is sent
// (WithResendInFlight sends those not there). Those that end unknown are
// settled after the input is done: a ...Seq run holds them back (memory:
// one Outcome each) and yields them then, in input order. A settled outcome
// has ReadBack and a nil Err: found as the call leaves it, StateSucceeded;
// contradicting it, StateFailed; not there, StateNotSent (safe to send):
//
//   - Aptly invite (users, by email): invited or active succeeded; inactive or deleted failed.
//   - Aptly resend: invited succeeded (whether the email went again cannot be read); else failed.
//   - Aptly status update: the status set succeeded; another not sent; no user failed.
//   - Aptly and Royalti delete: no user, or deleted, succeeded; present not sent.
//   - Royalti create: users by email, newest first (the q search for up to 3); found succeeded.
//   - AthenaHQ targets: the target's members; found succeeded; not found is not sent
//     (direct) or stays unknown (email: AthenaHQ lists no pending invites).
func WithReconcile(maxPages int) BulkOption {
	return func(s *bulkSettings) {
		if maxPages < 0 {
			s.problems.Add("WithReconcile", "maxPages is %d; want 0 (no cap) or more", maxPages)
			return
		}
		s.reconcile, s.maxPages = true, maxPages
	}
}

// Reconcile settles the report's unknown outcomes in place by reading the
// service back, as WithReconcile does; it never sends. The error is a read
// that failed; the outcomes it leaves unknown say so.
func (r *BulkReport[T]) Reconcile(ctx context.Context, maxPages int) error {
	if r.readBack == nil {
		return errors.New("onboard: BulkReport.Reconcile: this report did not come from an ...All method, so it names no service to read; call Reconcile on the report the ...All method returned")
	}
	return readBackAll(ctx, r.readBack, max(maxPages, 0), r.Outcomes, nil)
}

// readBackAll settles the unknown outcomes of outs, in input order, and
// their repeats, calling noted with each item settled.
func readBackAll[T any](ctx context.Context, read readback.Reader[T], maxPages int, outs []Outcome[T], noted func(*Outcome[T])) error {
	var at []int
	var items []T
	for i, o := range outs {
		if o.State == StateUnknown && o.DuplicateOf == nil {
			at, items = append(at, i), append(items, o.Item)
		}
	}
	if len(items) == 0 {
		return nil
	}
	res, err := read(ctx, maxPages, items)
	for k, i := range at {
		if settleRead(&outs[i], res[k]) && noted != nil {
			noted(&outs[i])
		}
	}
	for i := range outs {
		if o := &outs[i]; o.State == StateUnknown && o.DuplicateOf != nil {
			k, ok := slices.BinarySearchFunc(outs, *o.DuplicateOf, func(a Outcome[T], n int) int { return a.Index - n })
			if ok && outs[k].ReadBack != "" {
				o.State, o.ReadBack, o.Err = outs[k].State, outs[k].ReadBack, nil
			}
		}
	}
	return err
}

// settleRead settles o from what reading back found, reporting whether it did.
func settleRead[T any](o *Outcome[T], rr readback.Outcome) bool {
	if o.Message = rr.Message; rr.Verdict == readback.Unknown {
		return false
	}
	o.State, o.ReadBack, o.Err, o.Replayed, o.UserID = State(rr.Verdict), rr.Read, nil, false, cmp.Or(rr.UserID, o.UserID)
	return true
}

// deliver emits o, or under WithReconcile holds it back to settle at the end.
func (r *batchRun[T]) deliver(o *Outcome[T]) bool {
	if r.readsBack() && o.State == StateUnknown && !o.Replayed {
		r.later = append(r.later, *o)
		return true
	}
	r.progress.add(o.State)
	return r.emit(*o)
}

func (r *batchRun[T]) readsBack() bool { return r.set.reconcile && r.spec.readBack != nil }

// drain waits for the batches in flight, then settles and emits the
// outcomes held back. It returns false once the consumer has stopped.
func (r *batchRun[T]) drain() bool {
	for len(r.queue) > 0 {
		if !r.awaitOne() {
			return false
		}
	}
	if len(r.later) == 0 {
		return true
	}
	var settled []*Outcome[T]
	if r.ctx.Err() == nil {
		_ = readBackAll(r.ctx, r.spec.readBack, r.set.maxPages, r.later, func(o *Outcome[T]) { settled = append(settled, o) })
	}
	r.writeSettled(settled)
	for i := range r.later {
		if r.progress.add(r.later[i].State); !r.emit(r.later[i]) {
			return false
		}
	}
	r.report()
	return true
}

// readJournalBack settles, before anything is sent, the items the journal
// left unknown in the held chunks and c: found ones leave their batch, and
// under WithResendInFlight those not there stay in it, to be sent.
func (r *batchRun[T]) readJournalBack(c *chunk[T]) {
	chunks := r.held
	if c != nil {
		chunks = append(chunks[:len(chunks):len(chunks)], c)
	}
	var items []T
	for _, ch := range chunks {
		for _, p := range ch.unsettled {
			items = append(items, ch.outs[p].Item)
		}
	}
	if len(items) == 0 || r.stopped.Load() != nil {
		return
	}
	res, _ := r.spec.readBack(r.ctx, r.set.maxPages, items)
	var settled []*Outcome[T]
	k := 0
	for _, ch := range chunks {
		drop := make([]bool, len(ch.pos))
		for _, p := range ch.unsettled {
			v := res[k].Verdict
			if b := slices.Index(ch.pos, p); b >= 0 { // sent again, unless found
				if drop[b], ch.prior[b] = v == readback.Done || v == readback.Refused, v == readback.Unknown; !drop[b] {
					k++
					continue
				}
			}
			if settleRead(&ch.outs[p], res[k]) {
				settled = append(settled, &ch.outs[p])
			}
			k++
		}
		ch.unsettled = nil
		if slices.Contains(drop, true) {
			r.prune(ch, drop)
		}
	}
	r.writeSettled(settled)
}

// prune takes the dropped items out of c's batch, encoding its body again.
func (r *batchRun[T]) prune(c *chunk[T], drop []bool) {
	kind := 0
	if r.spec.kind != nil {
		kind = r.spec.kind(c.item(0))
	}
	f := r.spec.frames[kind]
	c.body = append(c.body[:0], f.head...)
	n := 0
	for i := range c.pos {
		if drop[i] {
			continue
		}
		if data, err := r.encode(c.item(i)); err == nil {
			if n > 0 {
				c.body = append(c.body, ',')
			}
			c.body = append(c.body, data...)
		}
		c.pos[n], c.hashes[n], c.prior[n] = c.pos[i], c.hashes[i], c.prior[i]
		n++
	}
	c.pos, c.hashes, c.prior = c.pos[:n], c.hashes[:n], c.prior[:n]
	c.body = append(c.body, f.tail...)
}

// allReadBack settles c when reading back took every item out of its batch.
func (r *batchRun[T]) allReadBack(c *chunk[T]) bool {
	if len(c.pos) > 0 {
		return false
	}
	if c.done = true; r.stopped.Load() == nil {
		if err := r.recordSkipped(c); err != nil {
			r.stop(err)
		}
	}
	return true
}

// writeSettled records in the journal the outcomes reading back settled.
func (r *batchRun[T]) writeSettled(outs []*Outcome[T]) {
	if r.jr == nil || len(outs) == 0 {
		return
	}
	rec := journal.Settled{Run: r.jr.run}
	for _, o := range outs {
		rec.Index, rec.State = append(rec.Index, o.Index), append(rec.State, letterOf(o.State))
		rec.Message, rec.ReadBack, rec.UserID = append(rec.Message, o.Message), append(rec.ReadBack, o.ReadBack), append(rec.UserID, o.UserID)
	}
	if err := r.jr.w.Settled(&rec); err != nil {
		r.stop(fmt.Errorf("onboard: %s: %w; what reading back settled is not in the journal, so a resumed run reads it again", r.spec.op, err))
	}
}

// failedState is the state of the items of a batch that got no answer of
// its own: unknown when the server may have done it (an unreadable 2xx, a
// 5xx but a 503 asking to come back later, a connection that was opened,
// or the run stopping meanwhile), else not sent.
func failedState(err error, stopping bool) (State, string) {
	var ae *APIError
	var re *RequestError
	switch {
	case errors.Is(err, ErrUnexpectedResponse):
		return StateUnknown, "the server answered with success but its answer could not be read, so this item may or may not have been done"
	case errors.As(err, &re) && stopping:
		return StateUnknown, "the run stopped while this item's request was on its way, so it may or may not have been done; check it before sending it again"
	case errors.As(err, &ae) && ae.StatusCode >= 500 && (ae.StatusCode != 503 || ae.Header.Get("Retry-After") == ""),
		errors.As(err, &re) && !retry.NeverConnected(re.Err):
		return StateUnknown, "the request failed after it reached the server (a 5xx, or the connection broke), so this item may or may not have been done"
	}
	return StateNotSent, ""
}

// The rules of the Aptly and Royalti endpoints (see WithReconcile).
var (
	aptlyInvited   = readback.Rule{Service: "Aptly", List: "aptly users", Done: []string{"invited", "active"}, Other: readback.Refused, Absent: readback.NotDone}
	aptlyResent    = readback.Rule{Service: "Aptly", List: "aptly users", Done: []string{"invited"}, Other: readback.Refused, Absent: readback.Refused}
	aptlyDeleted   = readback.Rule{Service: "Aptly", List: "aptly users", Done: []string{"deleted"}, Other: readback.NotDone, Absent: readback.Done}
	royaltiCreated = readback.Rule{Service: "Royalti", List: "royalti users", Done: []string{"listed"}, Absent: readback.NotDone}
	royaltiDeleted = readback.Rule{Service: "Royalti", List: "royalti users", Other: readback.NotDone, Absent: readback.Done}
)

func aptlyStatusRule(st AptlyUserStatus) readback.Rule {
	return readback.Rule{Service: "Aptly", List: "aptly users", Done: []string{strings.ToLower(string(st))}, Other: readback.NotDone, Absent: readback.Refused}
}

// aptlyRead reads Aptly's user list, 100 a page.
func aptlyRead[T any](c *client, rule readback.Rule, key func(*T) string, entry func(*AptlyUser) string) readback.Reader[T] {
	word := func(u *AptlyUser) string {
		if u.IsDeleted {
			return "deleted"
		}
		return strings.ToLower(string(u.Status))
	}
	return readback.List(rule, key, entry, word, 0, func(ctx context.Context, _ string, n int) ([]AptlyUser, int, error) {
		var p aptlyUserPage
		err := c.call(ctx, listUsers, &AptlyListUsersOptions{Page: n, Limit: 100}, nil, &p, nil)
		return p.Users, p.Total, err
	})
}

// royaltiRead reads a Royalti workspace's users, newest first (the unknown
// are recent); up to search emails are looked up with the q search.
func royaltiRead[T any](c *client, rule readback.Rule, key func(*T) string, entry func(*RoyaltiUser) string, search int) readback.Reader[T] {
	return readback.List(rule, key, entry, func(*RoyaltiUser) string { return "listed" }, search, func(ctx context.Context, q string, n int) ([]RoyaltiUser, int, error) {
		var p royaltiUserPage
		err := (*RoyaltiUsers)(&service{client: c}).listPage(ctx, &RoyaltiListUsersOptions{Query: q, Page: n, Sort: "createdAt", Order: "desc"}, &p)
		return p.Users, p.TotalUsers, err
	})
}

// athenaRead reads each target's members, one request a target, for req's person.
func athenaRead(c *client, req AthenaTargetInviteRequest) readback.Reader[AthenaTarget] {
	absent, why := readback.NotDone, ""
	if req.InviteMethod != AthenaInviteDirect {
		absent, why = readback.Unknown, "not a member on AthenaHQ, which lists no pending email invites, so whether this invite was sent cannot be read back"
	}
	return func(ctx context.Context, _ int, targets []AthenaTarget) ([]readback.Outcome, error) {
		var out []readback.Outcome
		var errs []error
		for _, t := range targets {
			ep, path := listSiteMembers, "websites"
			if t.Kind == AthenaScopeGroup {
				ep, path = listGroupMembers, "groups"
			}
			fetch := func(ctx context.Context, _ int) (readback.Page[AthenaMember], error) {
				var res athenaMemberList
				err := c.call(ctx, athenaMembersAt(ep, path, t.ID, ""), nil, nil, &res, nil)
				return readback.Page[AthenaMember]{Items: res.Members, Total: len(res.Members)}, err
			}
			rule := readback.Rule{Service: "AthenaHQ", List: "athenahq " + string(t.Kind) + " members", Done: []string{"a member"}, Absent: absent, AbsentWhy: why}
			res, err := readback.Lookup(ctx, 1, []string{req.Email}, rule, fetch, func(u *AthenaMember) string { return u.Email },
				func(*AthenaMember) string { return "a member" }, func(u *AthenaMember) string { return u.UserID })
			out, errs = append(out, res...), append(errs, err)
		}
		return out, errors.Join(errs...)
	}
}
