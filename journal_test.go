package onboard_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/internal/journal"
	"github.com/onboardkit/onboard/onboardtest"
)

// The tests of journals, caller keys and repeats build their clients
// straight on onboardtest, with helpers named jn... of their own.

const jnTenant = "0b9f6b0e-6d1f-4c7e-9a57-2f1e0c3d4b5a"

func jnAptly(t testing.TB, srv *onboardtest.Server, opts ...onboard.Option) *onboard.AptlyClient {
	t.Helper()
	opts = append([]onboard.Option{onboard.WithHTTPClient(srv.Client()), onboard.WithRetryWait(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), opts...)
	require.NoError(t, err)
	return c
}

func jnReq() *onboard.AptlyBulkInviteRequest {
	return &onboard.AptlyBulkInviteRequest{TenantID: jnTenant}
}

// jnPeople returns n people whose emails start with prefix.
func jnPeople(prefix string, n int) []onboard.AptlyInvitee {
	out := make([]onboard.AptlyInvitee, n)
	for i := range out {
		out[i] = onboard.AptlyInvitee{Email: fmt.Sprintf("%s%d@example.com", prefix, i), FirstName: "Pat", LastName: fmt.Sprint(i)}
	}
	return out
}

// jnOpen opens the journal at path, closing it when the test ends. The
// Journal opened at path before, whose run is over, is closed first: a
// journal has one holder at a time.
func jnOpen(t testing.TB, path string) *onboard.Journal {
	t.Helper()
	if old, ok := jnOpened.LoadAndDelete(path); ok {
		_ = old.(*onboard.Journal).Close()
	}
	j, err := onboard.OpenJournal(path)
	require.NoError(t, err)
	jnOpened.Store(path, j)
	t.Cleanup(func() {
		jnOpened.CompareAndDelete(path, j)
		_ = j.Close()
	})
	return j
}

// jnOpened holds the Journal jnOpen last opened at each path.
var jnOpened sync.Map

// jnSent returns, for each email, how many bulk-invite requests srv
// recorded with it.
func jnSent(t testing.TB, srv *onboardtest.Server) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, r := range srv.Requests() {
		if !strings.HasSuffix(r.Path, "/v1/user/bulk-invite") {
			continue
		}
		var body struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		for _, u := range body.Users {
			n[u.Email]++
		}
	}
	return n
}

// jnCrashAfter runs people with a journal at path and concurrency 1, and
// makes the journal at snap what it held when the process died just after
// batch k's request went out: k's batch record is in it, not its answer.
// The run itself stops once batch k is answered, so that the server holds
// no more than that journal knows of.
func jnCrashAfter(t *testing.T, c *onboard.AptlyClient, people []onboard.AptlyInvitee, path, snap string, k int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j := jnOpen(t, path)
	events := func(e onboard.BatchEvent) {
		switch {
		case e.Kind == onboard.BatchSent && e.Batch == k:
			data, err := os.ReadFile(path)
			if err == nil {
				err = os.WriteFile(snap, data, 0o600)
			}
			assert.NoError(t, err)
		case e.Kind == onboard.BatchAnswered && e.Batch == k:
			cancel()
		}
	}
	_, err := c.Invites.SendBulkAll(ctx, jnReq(), people, onboard.WithJournal(j), onboard.WithBatchSize(10),
		onboard.WithConcurrency(1), onboard.WithBatchEvents(events))
	require.ErrorIs(t, err, context.Canceled)
}

func TestJournal_resumeAfterCrash(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("crash", 60)
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap.journal")
	jnCrashAfter(t, c, people, filepath.Join(dir, "run.journal"), snap, 2)
	require.Len(t, srv.AptlyUsers(jnTenant), 30, "batches 0, 1 and 2 were done")
	// Batches 0 and 1 are answered; 2 was on the wire, and 3 may have
	// been handed to be sent next.
	answered, inFlight := crashRecords(t, snap)
	require.Len(t, answered, 20)
	require.Contains(t, []int{10, 20}, len(inFlight))
	for i := 20; i < 20+len(inFlight); i++ {
		require.True(t, inFlight[i])
	}

	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, snap)), onboard.WithBatchSize(10))
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, 60)
	for i, o := range rep.Outcomes {
		require.Equal(t, i, o.Index)
		switch {
		case answered[i]:
			assert.True(t, o.Replayed, "item %d", i)
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
			assert.Equal(t, "User invited successfully", o.Message)
			assert.Equal(t, 1, o.Attempts)
		case inFlight[i]:
			assert.True(t, o.Replayed, "item %d", i)
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", i)
			assert.Contains(t, o.Message, "ended before the answer came")
			require.ErrorIs(t, o.Err, onboard.ErrInFlight, "item %d", i)
			assert.Contains(t, o.Err.Error(), "WithResendInFlight", "the error says how to send it again")
		default:
			assert.False(t, o.Replayed, "item %d", i)
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
		}
	}
	assert.Equal(t, (40-len(inFlight))/10, srv.RequestCount("/v1/user/bulk-invite")-before, "only the items after those in flight are sent")

	// Resumed again, sending the in-flight items: the server did batch 2,
	// so its "already exists" is the crashed run's work: unknown.
	before = srv.RequestCount("/v1/user/bulk-invite")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, snap)),
		onboard.WithBatchSize(10), onboard.WithResendInFlight())
	require.NoError(t, err)
	assert.Equal(t, len(inFlight)/10, srv.RequestCount("/v1/user/bulk-invite")-before)
	for i, o := range rep.Outcomes {
		assert.Equal(t, !inFlight[i], o.Replayed, "item %d", i)
		if i >= 20 && i < 30 {
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", i)
			assert.Contains(t, o.Message, "Email already exists (an earlier run sent it")
		} else {
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
		}
	}

	// And once more: everything is in the journal; nothing is sent.
	before = srv.RequestCount("/v1/user/bulk-invite")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, snap)), onboard.WithResendInFlight())
	require.NoError(t, err)
	assert.Zero(t, srv.RequestCount("/v1/user/bulk-invite")-before)
	assert.Equal(t, 50, rep.Counts().Succeeded)
	assert.Equal(t, 10, rep.Counts().Unknown)
	for email, n := range jnSent(t, srv) {
		want := 1
		if slices.ContainsFunc(people[20:30], func(p onboard.AptlyInvitee) bool { return p.Email == email }) {
			want = 2
		}
		assert.Equal(t, want, n, "%s was sent %d times", email, n)
	}
}

func TestJournal_seqResumesAll(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("seq", 45)
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap.journal")
	jnCrashAfter(t, c, people, filepath.Join(dir, "run.journal"), snap, 1)

	before := srv.RequestCount("/v1/user/bulk-invite")
	var got []onboard.Outcome[onboard.AptlyInvitee]
	for o := range c.Invites.SendBulkSeq(context.Background(), jnReq(), slices.Values(people),
		onboard.WithJournal(jnOpen(t, snap)), onboard.WithBatchSize(10), onboard.WithResendInFlight()) {
		got = append(got, o)
	}
	require.Len(t, got, 45)
	assert.Equal(t, 4, srv.RequestCount("/v1/user/bulk-invite")-before, "batch 1 again, then 20-29, 30-39, 40-44")
	for i, o := range got {
		assert.Equal(t, i < 10, o.Replayed, "item %d", i)
	}
	assert.Len(t, srv.AptlyUsers(jnTenant), 45)
}

func TestJournal_refusesAnotherRun(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("mismatch", 30)
	dir := t.TempDir()
	path := filepath.Join(dir, "run.journal")
	_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
	require.NoError(t, err)

	changed := slices.Clone(people)
	changed[17].FirstName = "Sam"
	other := jnPeople("other", 30)
	otherTenant := &onboard.AptlyBulkInviteRequest{TenantID: "5d1c1f3e-8b6a-4a59-9a3e-1f0e2d3c4b5a"}
	athena, err := onboard.NewAthenaClient(srv.AthenaURL(), onboard.APIKey(onboardtest.AthenaAPIKey), onboard.WithHTTPClient(srv.Client()))
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		run   func(j *onboard.Journal) error
		index int
		says  string
	}{
		{"an item changed", func(j *onboard.Journal) error {
			_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), changed, onboard.WithJournal(j))
			return err
		}, 17, "input item 17 differs from the item the journal recorded"},
		{"another input", func(j *onboard.Journal) error {
			_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), other, onboard.WithJournal(j))
			return err
		}, 0, "input item 0 differs"},
		{"a shorter input, streamed", func(j *onboard.Journal) error {
			for range c.Invites.SendBulkSeq(context.Background(), jnReq(), slices.Values(people[:25]), onboard.WithJournal(j)) {
			}
			return j.Close() // the Seq form returns no error; see the next case
		}, -2, ""},
		{"a shorter input", func(j *onboard.Journal) error {
			_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people[:25], onboard.WithJournal(j))
			return err
		}, 25, "the input ends after 25 items, but the journal records item 29"},
		{"another tenant", func(j *onboard.Journal) error {
			_, err := c.Invites.SendBulkAll(context.Background(), otherTenant, people, onboard.WithJournal(j))
			return err
		}, -1, "shared fields"},
		{"another endpoint", func(j *onboard.Journal) error {
			_, err := athena.Invites.SendToTargetsAll(context.Background(), &onboard.AthenaTargetInviteRequest{
				InviteMethod: onboard.AthenaInviteDirect, Email: "ada@example.com",
			}, []onboard.AthenaTarget{onboard.AthenaWebsite("123e4567-e89b-12d3-a456-426614174000")}, onboard.WithJournal(j))
			return err
		}, -1, "it is for Invites.SendBulk at POST " + srv.AptlyURL() + "/v1/user/bulk-invite, and this run is Invites.SendToTargets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A copy, so that each case sees the journal of the first run.
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			cp := filepath.Join(t.TempDir(), "copy.journal")
			require.NoError(t, os.WriteFile(cp, data, 0o600))
			before := srv.RequestCount("")
			err = tc.run(jnOpen(t, cp))
			assert.Equal(t, before, srv.RequestCount(""), "nothing is sent")
			if tc.index == -2 {
				return
			}
			require.ErrorIs(t, err, onboard.ErrJournalMismatch)
			var me *onboard.JournalMismatchError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.index, me.Index)
			assert.Contains(t, err.Error(), tc.says)
			assert.NotContains(t, err.Error(), "@example.com")
		})
	}
}

func TestJournal_tornLastLine(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("torn", 30)
	path := filepath.Join(t.TempDir(), "run.journal")
	_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people[:20], onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
	require.NoError(t, err)
	// A crash in the middle of writing a record leaves part of a line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"t":"batch","run":2,"batch":0,"index":[20,21`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	for range 2 { // the second time reads the line the first one started
		before := srv.RequestCount("/v1/user/bulk-invite")
		rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
		require.NoError(t, err)
		assert.Equal(t, 30, rep.Counts().Succeeded)
		assert.LessOrEqual(t, srv.RequestCount("/v1/user/bulk-invite")-before, 1)
	}
	assert.Len(t, srv.AptlyUsers(jnTenant), 30)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), "\"index\":[20,21\n{\"t\":\"run\",\"run\":2}\n", "the torn line ends, a run record follows")
}

// jnStore is a JournalStore in memory that can be made to fail.
type jnStore struct {
	mu        sync.Mutex
	data      bytes.Buffer
	read      io.Reader
	failWrite func(line []byte) bool
	failSync  bool
	synced    int // bytes
}

func (s *jnStore) Read(p []byte) (int, error) {
	if s.read == nil {
		s.read = bytes.NewReader(slices.Clone(s.data.Bytes()))
	}
	return s.read.Read(p)
}

func (s *jnStore) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWrite != nil && s.failWrite(p) {
		return 0, errors.New("disk full")
	}
	return s.data.Write(p)
}

// Sync takes a while, as a disk's does, so that a batch sent before its
// record is synced is caught.
func (s *jnStore) Sync() error {
	if s.failSync {
		return errors.New("cannot sync")
	}
	s.mu.Lock()
	n := s.data.Len()
	s.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.synced = max(s.synced, n)
	return nil
}

// durable reports whether what the store had synced holds text.
func (s *jnStore) durable(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.data.Bytes()[:s.synced], []byte(text))
}

func TestJournal_writeFailureStopsBeforeSending(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("full", 50)
	store := &jnStore{failWrite: func(line []byte) bool {
		return bytes.Contains(line, []byte(`"t":"batch","run":1,"batch":2,`))
	}}
	j, err := onboard.NewJournal(store)
	require.NoError(t, err)
	events := func(e onboard.BatchEvent) {
		if e.Kind == onboard.BatchSent {
			assert.True(t, store.durable(fmt.Sprintf(`{"t":"batch","run":1,"batch":%d,`, e.Batch)), "batch %d is sent before its record is synced", e.Batch)
		}
	}
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(j),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1), onboard.WithBatchEvents(events))
	require.ErrorContains(t, err, "disk full")
	// What stops the run first: batch 2's record, or batch 1's answer when
	// its worker got there first (the journal fails from then on).
	assert.Regexp(t, `batch 2 was not sent, nor any after it|batch 1 was answered, but its answer is not in the journal`, err.Error())
	// Batch 1 was handed to be sent before the failure; whether it went
	// depends on whether its worker saw the failure first.
	sent := srv.RequestCount("/v1/user/bulk-invite")
	assert.Contains(t, []int{1, 2}, sent, "batches 0 and perhaps 1, never 2")
	assert.Equal(t, 10*sent, rep.Counts().Succeeded)
	assert.Equal(t, 50-10*sent, rep.Counts().NotSent)
	for _, o := range rep.In(onboard.StateNotSent) {
		assert.ErrorIs(t, o.Err, onboard.ErrStopped)
	}
	l, err := journal.Read(bytes.NewReader(store.data.Bytes()))
	require.NoError(t, err)
	for i, p := range people {
		if jnSent(t, srv)[p.Email] > 0 {
			_, ok := l.Item(i)
			assert.True(t, ok, "item %d was sent unrecorded", i)
		}
	}

	// The store, writable again, resumes: batch 0 is replayed.
	store.failWrite, store.read = nil, nil
	j, err = onboard.NewJournal(store)
	require.NoError(t, err)
	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(j), onboard.WithBatchSize(10))
	require.NoError(t, err)
	// Batch 1 is replayed if its answer was recorded, unknown if it was
	// recorded without one (the safe side), or sent now if it was recorded
	// unsent; batches 2 to 4 are sent.
	unknown := rep.Counts().Unknown
	assert.Contains(t, []int{0, 10}, unknown)
	assert.Equal(t, 50-unknown, rep.Counts().Succeeded)
	requests := srv.RequestCount("/v1/user/bulk-invite") - before
	assert.Contains(t, []int{3, 4}, requests)
	if unknown > 0 || sent == 2 {
		assert.Equal(t, 3, requests, "batch 1 went out or may have: never sent again")
	}
	require.NoError(t, j.Close())
}

func TestJournal_refusedBatchIsSentAgain(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("refused", 30)
	path := filepath.Join(t.TempDir(), "run.journal")
	// Batch 0 is refused whole with a 400 on its only attempt: the server
	// did nothing. Batch 1 is done, then answered with a 500, which is not
	// retried: the server may have done it, and it did.
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusBadRequest})
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusInternalServerError, Process: true})
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1))
	require.NoError(t, err)
	assert.Equal(t, 10, rep.Counts().NotSent, "batch 0")
	assert.Equal(t, 10, rep.Counts().Unknown, "batch 1, after its 500")

	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("/v1/user/bulk-invite")-before, "batch 0 only")
	for i, o := range rep.Outcomes {
		switch {
		case i < 10:
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
			assert.False(t, o.Replayed)
		case i < 20:
			assert.Equal(t, onboard.StateUnknown, o.State, "item %d", i)
			assert.True(t, o.Replayed)
			assert.Contains(t, o.Message, "which failed after it went out (onboard: POST /aptly/auth/v1/user/bulk-invite: 500 Internal Server Error")
		default:
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", i)
			assert.True(t, o.Replayed)
		}
	}

	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithResendInFlight())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.RequestCount("/v1/user/bulk-invite")-before)
	for _, o := range rep.Outcomes[10:20] {
		assert.Equal(t, onboard.StateUnknown, o.State)
		assert.Contains(t, o.Message, "Email already exists (an earlier run sent it")
	}
	assert.Len(t, srv.AptlyUsers(jnTenant), 30)
}

func TestJournal_servesOneRun(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	j := jnOpen(t, filepath.Join(t.TempDir(), "run.journal"))
	_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), jnPeople("once", 3), onboard.WithJournal(j))
	require.NoError(t, err)
	before := srv.RequestCount("")
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), jnPeople("once", 3), onboard.WithJournal(j))
	require.ErrorContains(t, err, "this Journal was already given to a run")
	assert.Equal(t, 3, rep.Counts().NotSent)
	assert.Equal(t, before, srv.RequestCount(""))

	_, err = c.Invites.SendBulkAll(context.Background(), jnReq(), jnPeople("once", 3), onboard.WithJournal(nil))
	var ve *onboard.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "WithJournal")
}

func TestJournal_damaged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"not a journal":     "email,first_name\nada@example.com,Ada\n",
		"a bad line inside": `{"t":"journal","v":2,"op":"Invites.SendBulk","endpoint":"POST x","shared":"0000000000000001"}` + "\nnot json\n" + `{"t":"batch","run":1,"batch":0,"index":[0],"hash":["0000000000000001"]}` + "\n",
		"a newer format":    `{"t":"journal","v":4,"op":"Invites.SendBulk"}` + "\n",
		"an orphan answer":  `{"t":"journal","v":2,"op":"Invites.SendBulk","endpoint":"POST x","shared":"0000000000000001"}` + "\n" + `{"t":"answer","run":1,"batch":0,"state":"S","message":[0],"messages":["ok"]}` + "\n",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		_, err := onboard.OpenJournal(path)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "onboard: OpenJournal: "+path, name)
		assert.NotContains(t, err.Error(), "ada@", name)
		if name == "a newer format" {
			assert.ErrorIs(t, err, journal.ErrNewer)
		} else {
			assert.ErrorContains(t, err, "the journal is damaged", name)
		}
	}
}

// TestJournal_checksBeforeSending resumes a journal whose batch 1 was
// refused whole, so is to be sent again, before recorded items: no item is
// sent until every recorded one has been read and checked.
func TestJournal_checksBeforeSending(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("hole", 30)
	path := filepath.Join(t.TempDir(), "run.journal")
	row := func(i int, _ onboard.AptlyInvitee) string { return fmt.Sprintf("row %d", i+2) }
	// Batch 1 is refused, not done: a resumed run sends it again.
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1})
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusBadRequest})
	_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1), onboard.WithKeys(row))
	require.NoError(t, err)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"key":["row 2","row 3",`)
	recorded := string(data)

	changed := slices.Clone(people)
	changed[25].LastName = "Changed"
	for _, tc := range []struct {
		name string
		run  func(j *onboard.Journal) []onboard.Outcome[onboard.AptlyInvitee]
	}{
		{"All", func(j *onboard.Journal) []onboard.Outcome[onboard.AptlyInvitee] {
			rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), changed, onboard.WithJournal(j), onboard.WithBatchSize(10))
			assert.ErrorIs(t, err, onboard.ErrJournalMismatch)
			return rep.Outcomes
		}},
		{"Seq", func(j *onboard.Journal) []onboard.Outcome[onboard.AptlyInvitee] {
			// Item 25 comes only once batch 1 is answered, or after a
			// while if it is not sent: a run that sent it before checking
			// item 25 is caught for certain.
			answered := make(chan struct{}, 1)
			events := func(e onboard.BatchEvent) {
				if e.Kind == onboard.BatchAnswered {
					answered <- struct{}{}
				}
			}
			input := func(yield func(onboard.AptlyInvitee) bool) {
				for i, p := range changed {
					if i == 25 {
						select {
						case <-answered:
						case <-time.After(300 * time.Millisecond):
						}
					}
					if !yield(p) {
						return
					}
				}
			}
			return slices.Collect(c.Invites.SendBulkSeq(context.Background(), jnReq(), input, onboard.WithJournal(j),
				onboard.WithBatchSize(10), onboard.WithBatchEvents(events)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "copy.journal")
			require.NoError(t, os.WriteFile(p, []byte(recorded), 0o600))
			before := srv.RequestCount("")
			outs := tc.run(jnOpen(t, p))
			assert.Equal(t, before, srv.RequestCount(""), "batch 1 waited for item 25, which differs")
			for _, o := range outs[10:20] {
				assert.ErrorIs(t, o.Err, onboard.ErrJournalMismatch)
			}
		})
	}

	p := filepath.Join(t.TempDir(), "copy.journal")
	require.NoError(t, os.WriteFile(p, []byte(recorded), 0o600))
	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, p)), onboard.WithBatchSize(10))
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("/v1/user/bulk-invite")-before)
	assert.Equal(t, 30, rep.Counts().Succeeded)
	for i, o := range rep.Outcomes {
		assert.Equal(t, i < 10 || i >= 20, o.Replayed, "item %d", i)
	}
	assert.Len(t, srv.AptlyUsers(jnTenant), 30)
}

// TestJournal_seqBreak leaves a streamed run early: the batches handed to
// the workers and not sent are recorded as not sent, those cancelled on
// the wire as failed after they went out, and a resumed run finishes the
// job.
func TestJournal_seqBreak(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer(onboardtest.WithLatency(20 * time.Millisecond))
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("break", 200)
	path := filepath.Join(t.TempDir(), "run.journal")
	j := jnOpen(t, path)
	n := 0
	for range c.Invites.SendBulkSeq(context.Background(), jnReq(), slices.Values(people), onboard.WithJournal(j),
		onboard.WithBatchSize(10), onboard.WithConcurrency(2)) {
		if n++; n == 15 {
			break
		}
	}
	require.NoError(t, j.Close())
	// A run that stops without a crash leaves no batch without an answer
	// record: answered, cancelled on the wire, or not sent.
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	l, err := journal.Read(bytes.NewReader(data))
	require.NoError(t, err)
	for i := range l.Len() {
		it, ok := l.Item(i)
		assert.True(t, !ok || it.State != journal.InFlight, "item %d has no answer record", i)
	}

	answered, inFlight := crashRecords(t, path)
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithResendInFlight())
	require.NoError(t, err)
	for i, o := range rep.Outcomes {
		assert.Equal(t, answered[i], o.Replayed, "item %d", i)
		if !inFlight[i] {
			assert.Equal(t, onboard.StateSucceeded, o.State, "item %d: %s", i, o.Message)
		}
	}
	assert.Len(t, srv.AptlyUsers(jnTenant), 200)
}

// TestJournal_stoppedRunSendsTheRestLater stops a run with a 401 while its
// next batch is recorded and waiting for the worker: the journal says the
// batch was not sent, and a resumed run sends both.
func TestJournal_stoppedRunSendsTheRestLater(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer(onboardtest.WithLatency(20 * time.Millisecond))
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("stopped", 30)
	path := filepath.Join(t.TempDir(), "run.journal")
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: http.StatusUnauthorized})
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1))
	require.ErrorIs(t, err, onboard.ErrUnauthorized)
	assert.Equal(t, 30, rep.Counts().NotSent)
	assert.Equal(t, 1, srv.RequestCount("/v1/user/bulk-invite"))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `{"t":"answer","run":1,"batch":1,"err":"not sent: the run stopped first","not_done":true,"state":"NNNNNNNNNN"`)

	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
	require.NoError(t, err)
	assert.Equal(t, 30, rep.Counts().Succeeded, "the 401's batch and the one not sent are sent")
	assert.Equal(t, 4, srv.RequestCount("/v1/user/bulk-invite"))
}

// TestWithKeys_unsentItemsCarryTheirKey checks that an item a stream run
// read after it had stopped, and so did not send, still carries its key.
func TestWithKeys_unsentItemsCarryTheirKey(t *testing.T) {
	srv := onboardtest.NewServer()
	defer srv.Close()
	c, err := onboard.NewAptlyClient(srv.AptlyURL(), onboard.BearerToken(onboardtest.AptlyToken), onboard.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	// An invalid tenant stops the run before anything is sent.
	people := slices.Values([]onboard.AptlyInvitee{{Email: "a@example.com"}, {Email: "b@example.com"}})
	var outs []onboard.Outcome[onboard.AptlyInvitee]
	for o := range c.Invites.SendBulkSeq(t.Context(), &onboard.AptlyBulkInviteRequest{TenantID: "not-a-uuid"}, people,
		onboard.WithKeys(func(i int, _ onboard.AptlyInvitee) string { return fmt.Sprintf("row %d", i+2) })) {
		outs = append(outs, o)
	}
	require.NotEmpty(t, outs)
	for i, o := range outs {
		assert.Equal(t, onboard.StateNotSent, o.State)
		assert.ErrorIs(t, o.Err, onboard.ErrStopped)
		assert.Equal(t, fmt.Sprintf("row %d", i+2), o.Key)
	}
}

// TestOpenJournal_oneHolderAtATime opens one journal twice in one process:
// the second open is refused before anything is sent, and the first
// holder's run goes on and leaves a journal that resumes.
func TestOpenJournal_oneHolderAtATime(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("holder", 30)
	path := filepath.Join(t.TempDir(), "run.journal")
	first := jnOpen(t, path)

	second, err := onboard.OpenJournal(path)
	if second != nil {
		_ = second.Close()
	}
	require.ErrorIs(t, err, onboard.ErrJournalBusy)
	assert.Contains(t, err.Error(), "in use by another run")
	assert.Zero(t, srv.RequestCount(""))

	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(first), onboard.WithBatchSize(10))
	require.NoError(t, err)
	require.Equal(t, 30, rep.Counts().Succeeded)
	require.NoError(t, first.Close())

	before := srv.RequestCount("")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
	require.NoError(t, err)
	assert.Equal(t, before, srv.RequestCount(""), "every item is replayed")
	for _, o := range rep.Outcomes {
		assert.True(t, o.Replayed, "item %d", o.Index)
		assert.Equal(t, onboard.StateSucceeded, o.State, "item %d", o.Index)
	}
}

const jnLockChildEnv = "ONBOARD_JOURNAL_LOCK_CHILD" // the journal's path

// TestJournalLockChild holds a journal open until its stdin closes; it runs
// only when TestOpenJournal_lockedByAnotherProcess starts it.
func TestJournalLockChild(t *testing.T) {
	path := os.Getenv(jnLockChildEnv)
	if path == "" {
		t.Skip("run by TestOpenJournal_lockedByAnotherProcess in a child process")
	}
	j, err := onboard.OpenJournal(path)
	require.NoError(t, err)
	fmt.Println("holding the journal")
	_, _ = io.Copy(io.Discard, os.Stdin)
	require.NoError(t, j.Close())
}

// TestOpenJournal_lockedByAnotherProcess has a child process (this test
// binary) hold a journal: opening it here is refused until the child lets
// it go.
func TestOpenJournal_lockedByAnotherProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run.journal")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestJournalLockChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), jnLockChildEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Wait() }()
	defer func() { _ = stdin.Close() }()
	held := false
	// The child writes its line, or exits (or is killed when ctx ends):
	// either ends the scan.
	for sc := bufio.NewScanner(stdout); !held && sc.Scan(); {
		held = sc.Text() == "holding the journal"
	}
	require.True(t, held, "the child did not open the journal")

	j, err := onboard.OpenJournal(path)
	if j != nil {
		_ = j.Close()
	}
	require.ErrorIs(t, err, onboard.ErrJournalBusy)

	require.NoError(t, stdin.Close())
	_, _ = io.Copy(io.Discard, stdout)
	require.NoError(t, cmd.Wait())
	j, err = onboard.OpenJournal(path)
	require.NoError(t, err, "the child let the journal go")
	require.NoError(t, j.Close())
}

// TestJournal_bindsEndpoint gives every bulk method's journal, written
// against one host, to a client of another host: each run is refused
// before anything is sent, whatever its answer holds.
func TestJournal_bindsEndpoint(t *testing.T) {
	t.Parallel()
	ids := []string{"6f1c1e0a-3c1d-4e57-9a3a-000000000001", "6f1c1e0a-3c1d-4e57-9a3a-000000000002"}
	type run func(ctx context.Context, h host, j *onboard.Journal) error
	for _, tc := range []struct {
		name string
		run  run
	}{
		{"Aptly Invites.SendBulkAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			_, err := newAptly(t, h).Invites.SendBulkAll(ctx, jnReq(), jnPeople("bind", 2), onboard.WithJournal(j))
			return err
		}},
		{"Aptly Invites.ResendBulkAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			_, err := newAptly(t, h).Invites.ResendBulkAll(ctx, &onboard.AptlyBulkResendRequest{TenantID: jnTenant}, ids, onboard.WithJournal(j))
			return err
		}},
		{"Aptly Users.UpdateStatusBulkAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			_, err := newAptly(t, h).Users.UpdateStatusBulkAll(ctx, &onboard.AptlyUpdateStatusRequest{Status: onboard.AptlyUserInactive}, ids, onboard.WithJournal(j))
			return err
		}},
		{"Aptly Users.DeleteBulkAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			_, err := newAptly(t, h).Users.DeleteBulkAll(ctx, &onboard.AptlyDeleteUsersRequest{}, ids, onboard.WithJournal(j))
			return err
		}},
		{"AthenaHQ Invites.SendToTargetsAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			req := validTargetInvite()
			req.WebsiteIDs = nil
			_, err := newAthena(t, h).Invites.SendToTargetsAll(ctx, req, []onboard.AthenaTarget{onboard.AthenaWebsite(websiteID1)}, onboard.WithJournal(j))
			return err
		}},
		{"Royalti Users.CreateBulkAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			_, err := newRoyalti(t, h).Users.CreateBulkAll(ctx, &onboard.RoyaltiCreateUsersRequest{}, validCreateUsers().Users, onboard.WithJournal(j))
			return err
		}},
		{"Royalti Users.DeleteBulkAll", func(ctx context.Context, h host, j *onboard.Journal) error {
			_, err := newRoyalti(t, h).Users.DeleteBulkAll(ctx, &onboard.RoyaltiDeleteUsersRequest{}, ids, onboard.WithJournal(j))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := newFake(t), newFake(t)
			path := filepath.Join(t.TempDir(), "run.journal")
			j := jnOpen(t, path)
			require.NoError(t, tc.run(t.Context(), a, j))
			require.NoError(t, j.Close())
			require.NotZero(t, a.RequestCount(""))

			err := tc.run(t.Context(), b, jnOpen(t, path))
			require.ErrorIs(t, err, onboard.ErrJournalMismatch)
			assert.Contains(t, err.Error(), strings.TrimPrefix(a.URL, "http://"))
			assert.Zero(t, b.RequestCount(""), "nothing was sent to the other host")
		})
	}
}

// jnCopy copies the journal at path to a new file and returns its path.
func jnCopy(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "copy.journal")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// TestJournal_checksTheWholeRangeFirst resumes a journal whose first batch
// was refused whole, so is to be sent again, with a row changed near the
// journal's end, many batches later: nothing is sent, whatever the
// concurrency's window holds.
func TestJournal_checksTheWholeRangeFirst(t *testing.T) {
	t.Parallel()
	srv := onboardtest.NewServer()
	t.Cleanup(srv.Close)
	c := jnAptly(t, srv)
	people := jnPeople("range", 300)
	path := filepath.Join(t.TempDir(), "run.journal")
	srv.InjectFault(onboardtest.Fault{Path: "/v1/user/bulk-invite", Times: 1, Status: 400})
	rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)),
		onboard.WithBatchSize(10), onboard.WithConcurrency(1))
	require.NoError(t, err)
	require.Equal(t, 10, rep.Counts().NotSent)

	changed := slices.Clone(people)
	changed[290].LastName = "Changed"
	opts := func(j *onboard.Journal) []onboard.BulkOption {
		return []onboard.BulkOption{onboard.WithJournal(j), onboard.WithBatchSize(10), onboard.WithConcurrency(1)}
	}
	for _, tc := range []struct {
		name string
		run  func(j *onboard.Journal) ([]onboard.Outcome[onboard.AptlyInvitee], error)
	}{
		{"All", func(j *onboard.Journal) ([]onboard.Outcome[onboard.AptlyInvitee], error) {
			rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), changed, opts(j)...)
			return rep.Outcomes, err
		}},
		{"Seq", func(j *onboard.Journal) ([]onboard.Outcome[onboard.AptlyInvitee], error) {
			return slices.Collect(c.Invites.SendBulkSeq(context.Background(), jnReq(), slices.Values(changed), opts(j)...)), nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.RequestCount("")
			outs, err := tc.run(jnOpen(t, jnCopy(t, path)))
			assert.Equal(t, before, srv.RequestCount(""), "a batch was sent before row 290 was checked")
			if tc.name == "All" {
				var me *onboard.JournalMismatchError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, 290, me.Index)
			}
			require.GreaterOrEqual(t, len(outs), 10)
			for _, o := range outs[:10] {
				assert.Equal(t, onboard.StateNotSent, o.State)
				assert.ErrorIs(t, o.Err, onboard.ErrJournalMismatch, "item %d", o.Index)
			}
		})
	}

	before := srv.RequestCount("/v1/user/bulk-invite")
	rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), people, opts(jnOpen(t, path))...)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount("/v1/user/bulk-invite")-before, "batch 0 only")
	assert.Equal(t, 300, rep.Counts().Succeeded)
	assert.Len(t, srv.AptlyUsers(jnTenant), 300)
}

// TestJournal_refusesAChangedRowWithoutAnAnswer edits a row the journal
// holds no answer for, a repeat or an invalid row, into a copy of a later
// row that was answered: the run is refused before anything is sent, and
// that person is not invited twice.
func TestJournal_refusesAChangedRowWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		row  int
		edit func(p *onboard.AptlyInvitee, all []onboard.AptlyInvitee)
	}{
		{"repeat", 5, func(p *onboard.AptlyInvitee, all []onboard.AptlyInvitee) { *p = all[2] }},
		{"invalid", 7, func(p *onboard.AptlyInvitee, _ []onboard.AptlyInvitee) { p.Email = "not-an-email" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := onboardtest.NewServer()
			t.Cleanup(srv.Close)
			c := jnAptly(t, srv)
			people := jnPeople(tc.name, 30)
			tc.edit(&people[tc.row], people)
			path := filepath.Join(t.TempDir(), "run.journal")
			_, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
			require.NoError(t, err)
			require.Equal(t, 1, jnSent(t, srv)[people[20].Email])

			// Unchanged, the run replays every row and sends nothing.
			before := srv.RequestCount("")
			rep, err := c.Invites.SendBulkAll(context.Background(), jnReq(), people, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
			require.NoError(t, err)
			assert.Equal(t, before, srv.RequestCount(""))
			assert.Equal(t, people[tc.row], rep.Outcomes[tc.row].Item)

			changed := slices.Clone(people)
			changed[tc.row] = people[20]
			rep, err = c.Invites.SendBulkAll(context.Background(), jnReq(), changed, onboard.WithJournal(jnOpen(t, path)), onboard.WithBatchSize(10))
			assert.Equal(t, before, srv.RequestCount(""), "nothing was sent")
			assert.Equal(t, 1, jnSent(t, srv)[people[20].Email], "row 20's person was invited twice")
			var me *onboard.JournalMismatchError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.row, me.Index)
			assert.ErrorIs(t, rep.Outcomes[tc.row].Err, onboard.ErrJournalMismatch)
		})
	}
}
