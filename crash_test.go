package onboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onboardkit/onboard"
	"github.com/onboardkit/onboard/internal/journal"
	"github.com/onboardkit/onboard/onboardtest"
)

// The crash test: a child process (this test binary, running
// TestCrashChild) imports a few thousand people with a journal into an
// onboardtest server that lives in the parent, and is killed with SIGKILL
// at a random moment, once or several times; the parent then resumes the
// run to the end, twice: as is, then sending again what was in flight, and
// then reads back what that left unknown. In odd trials the child reads
// back too, and the parent resumes reading back instead, twice: what is
// found not there is sent by the second run.
// Every kill point is checked against the journal as it was then. The
// moment is drawn in the child's progress, read from its journal (after
// its k'th answer, or its start, and up to one and a half latencies
// more), so that it falls mid-run however long the child takes to start.
//
//	go test -run '^TestCrashResume$' -v .                   # a new seed
//	ONBOARD_CRASH_SEED=42 go test -run '^TestCrashResume$' -v .

const (
	crashPeople  = 2500
	crashBatch   = 50
	crashConc    = 4
	crashLatency = 15 * time.Millisecond
	crashTrials  = 24
	crashTenant  = jnTenant

	crashChildEnv = "ONBOARD_CRASH_CHILD" // "url journal seed trial mode"
)

// crashInput returns the people of one trial: mostly new, with a few
// invalid emails and a few repeats of earlier rows.
func crashInput(seed uint64, trial int) []onboard.AptlyInvitee {
	rng := rand.New(rand.NewPCG(seed, uint64(trial)+1))
	people := make([]onboard.AptlyInvitee, crashPeople)
	for i := range people {
		p := onboard.AptlyInvitee{Email: fmt.Sprintf("t%d-p%d@example.com", trial, i), FirstName: "Pat", LastName: strconv.Itoa(i)}
		switch r := rng.IntN(100); {
		case r == 0:
			p.Email = fmt.Sprintf("t%d-p%d-not-an-email", trial, i)
		case r == 1 && i > 0:
			p = people[rng.IntN(i)]
		}
		people[i] = p
	}
	return people
}

func crashKey(i int, _ onboard.AptlyInvitee) string { return "row " + strconv.Itoa(i+2) }

// TestCrashChild is the child's run; it runs only when TestCrashResume
// starts it.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashChildEnv)
	if spec == "" {
		t.Skip("run by TestCrashResume in a child process")
	}
	var url, path, mode string
	var seed uint64
	var trial int
	_, err := fmt.Sscan(spec, &url, &path, &seed, &trial, &mode)
	require.NoError(t, err)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := onboard.NewAptlyClient(url, onboard.BearerToken(onboardtest.AptlyToken), onboard.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	j, err := onboard.OpenJournal(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, j.Close()) }()
	people := crashInput(seed, trial)
	opts := []onboard.BulkOption{onboard.WithJournal(j), onboard.WithKeys(crashKey),
		onboard.WithBatchSize(crashBatch), onboard.WithConcurrency(crashConc)}
	if trial%2 == 1 {
		opts = append(opts, onboard.WithReconcile(0))
	}
	if mode == "seq" {
		for range c.Invites.SendBulkSeq(context.Background(), &onboard.AptlyBulkInviteRequest{TenantID: crashTenant}, slices.Values(people), opts...) {
		}
		return
	}
	_, err = c.Invites.SendBulkAll(context.Background(), &onboard.AptlyBulkInviteRequest{TenantID: crashTenant}, people, opts...)
	require.NoError(t, err)
}

// crashStats adds up what the trials saw, for the log.
type crashStats struct {
	kills, midRun, finished, inFlight, answered int
}

func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes for 10 to 40 seconds; not under -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ONBOARD_CRASH_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (ONBOARD_CRASH_SEED=%d repeats this test)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	start := time.Now()

	var st crashStats
	for trial := range crashTrials {
		crashTrial(t, rng, seed, trial, &st)
		if t.Failed() {
			t.Fatalf("trial %d failed; seed %d", trial, seed)
		}
	}
	t.Logf("%d trials, %d kills: %d while batches were in flight or to be sent, %d after the child had finished; after the kills, %d items were in flight and %d answered, all trials together",
		crashTrials, st.kills, st.midRun, st.finished, st.inFlight, st.answered)
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}

// crashKill says when to kill a child: once its run has written after
// answer records to the journal (-1: once its run record is there), and
// then after jitter more.
type crashKill struct {
	after  int
	jitter time.Duration
}

// crashChild runs a child until it ends, or until the kill's moment comes
// (it reads the journal every millisecond) and kills it with SIGKILL; it
// reports whether it killed it. Following the child's progress in its
// journal puts the kills in the middle of the run whatever the child
// takes to start, which is long under the race detector.
func crashChild(t *testing.T, srv *onboardtest.Server, path string, seed uint64, trial int, mode string, kill crashKill) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runs, answers := crashProgress(path)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d %d %s", crashChildEnv, srv.AptlyURL(), path, seed, trial, mode))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for due := false; !due; {
		select {
		case err := <-done:
			require.NoError(t, err, "the child failed:\n%s", out.String())
			return false
		case <-tick.C:
			r, a := crashProgress(path)
			due = r > runs && (kill.after < 0 || a-answers >= kill.after)
		}
	}
	select {
	case err := <-done:
		require.NoError(t, err, "the child failed:\n%s", out.String())
		return false
	case <-time.After(kill.jitter):
	}
	if err := cmd.Process.Kill(); !errors.Is(err, os.ErrProcessDone) { // SIGKILL
		require.NoError(t, err)
	}
	err := <-done
	if ps := cmd.ProcessState; ps != nil && ps.Exited() {
		require.NoError(t, err, "the child failed:\n%s", out.String())
		return false // it ended as the kill came
	}
	return true
}

// crashProgress counts the run and answer records of the journal at path.
func crashProgress(path string) (runs, answers int) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	return bytes.Count(data, []byte(`{"t":"run",`)), bytes.Count(data, []byte(`{"t":"answer",`))
}

// crashRecords reads the journal at path as it is: which items have an
// answer and which were in flight (repeats and invalid items, skipped,
// are neither).
func crashRecords(t *testing.T, path string) (answered, inFlight map[int]bool) {
	answered, inFlight = map[int]bool{}, map[int]bool{}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return answered, inFlight
	}
	require.NoError(t, err)
	l, err := journal.Read(bytes.NewReader(data))
	require.NoError(t, err, "the journal reads after a kill")
	for i := range l.Len() {
		if it, ok := l.Item(i); ok && it.State != journal.Repeat && it.State != journal.Invalid {
			if it.State == journal.InFlight || it.State == journal.NotSent && !l.NotDone(it) {
				inFlight[i] = true
			} else if it.State != journal.NotSent {
				answered[i] = true
			}
		}
	}
	return answered, inFlight
}

// crashSent returns the emails of the bulk-invite requests srv received
// from the from'th on, each with the number of requests that carried it.
func crashSent(t *testing.T, srv *onboardtest.Server, from int) map[string]int {
	reqs := srv.Requests()
	require.Len(t, reqs, srv.RequestCount(""), "every request is still recorded")
	n := map[string]int{}
	for _, r := range reqs[from:] {
		if !strings.HasSuffix(r.Path, "/bulk-invite") {
			continue // reading the users back
		}
		var body struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		for _, u := range body.Users {
			n[strings.ToLower(u.Email)]++
		}
	}
	return n
}

func crashTrial(t *testing.T, rng *rand.Rand, seed uint64, trial int, st *crashStats) {
	srv := onboardtest.NewServer(onboardtest.WithLatency(crashLatency))
	defer srv.Close()
	people := crashInput(seed, trial)
	path := filepath.Join(t.TempDir(), fmt.Sprintf("trial%d.journal", trial))

	// answeredAt[k] is what the journal held answered at kill k, and
	// marks[k] the server's request count then: no request after it may
	// carry one of those items.
	sendable := 0 // valid, and no repeat
	for i, p := range people {
		if strings.Contains(p.Email, "@") && slices.IndexFunc(people, func(q onboard.AptlyInvitee) bool { return q.Email == p.Email }) == i {
			sendable++
		}
	}
	var answeredAt []map[int]bool
	var marks []int
	everInFlight := map[int]int{} // how many kills found an item in flight
	kills := 1 + rng.IntN(3)
	batches := sendable/crashBatch + 1 // batches left to answer, roughly
	for k := range kills {
		mode := []string{"all", "seq"}[rng.IntN(2)]
		// Kill once the run has started, or once some of its batches are
		// answered, then within one latency and a half: some answers are
		// on their way then, some requests are, and some batches are
		// recorded but not sent.
		kill := crashKill{after: rng.IntN(batches+1) - 1, jitter: time.Duration(rng.Int64N(int64(crashLatency) * 3 / 2))}
		killed := crashChild(t, srv, path, seed, trial, mode, kill)
		answered, inFlight := crashRecords(t, path)
		t.Logf("trial %d kill %d: %s run, SIGKILL %v after answer %d: killed %v, %d answered, %d in flight",
			trial, k, mode, kill.jitter.Round(100*time.Microsecond), kill.after, killed, len(answered), len(inFlight))
		st.kills++
		switch {
		case !killed:
			st.finished++
		case len(inFlight) > 0 || len(answered) < sendable:
			st.midRun++
		}
		for i := range inFlight {
			everInFlight[i]++
		}
		batches = (sendable-len(answered)-len(inFlight))/crashBatch + 1
		answeredAt = append(answeredAt, answered)
		marks = append(marks, srv.RequestCount(""))
	}
	answered, inFlight := crashRecords(t, path)
	st.answered += len(answered)
	st.inFlight += len(inFlight)
	if trial%2 == 1 {
		crashReconcile(t, srv, people, path, answered, inFlight, trial)
		crashSentOnce(t, srv, people, answeredAt, marks, everInFlight, trial)
		return
	}

	// Resumed as is: the answered items replayed, the in-flight ones
	// unknown; only the rest are sent.
	j, err := onboard.OpenJournal(path)
	require.NoError(t, err)
	mark := srv.RequestCount("")
	rep, err := jnAptly(t, srv).Invites.SendBulkAll(context.Background(), &onboard.AptlyBulkInviteRequest{TenantID: crashTenant}, people,
		onboard.WithJournal(j), onboard.WithKeys(crashKey), onboard.WithBatchSize(crashBatch), onboard.WithConcurrency(crashConc))
	require.NoError(t, err)
	require.NoError(t, j.Close())
	require.Len(t, rep.Outcomes, len(people))
	for e := range crashSent(t, srv, mark) {
		i := slices.IndexFunc(people, func(p onboard.AptlyInvitee) bool { return strings.EqualFold(p.Email, e) })
		assert.False(t, answered[i] || inFlight[i], "trial %d: item %d was sent again", trial, i)
	}
	for i, o := range rep.Outcomes {
		require.Equal(t, i, o.Index)
		assert.Equal(t, crashKey(i, o.Item), o.Key)
		switch {
		case answered[i]:
			assert.True(t, o.Replayed, "trial %d item %d", trial, i)
		case inFlight[i]:
			assert.True(t, o.Replayed, "trial %d item %d", trial, i)
			assert.Equal(t, onboard.StateUnknown, o.State, "trial %d item %d", trial, i)
		default:
			assert.False(t, o.Replayed, "trial %d item %d", trial, i)
		}
	}

	// Resumed again, sending the in-flight items: every row ends with one
	// outcome, and every valid person exists once.
	j, err = onboard.OpenJournal(path)
	require.NoError(t, err)
	mark = srv.RequestCount("")
	rep, err = jnAptly(t, srv).Invites.SendBulkAll(context.Background(), &onboard.AptlyBulkInviteRequest{TenantID: crashTenant}, people,
		onboard.WithJournal(j), onboard.WithKeys(crashKey), onboard.WithResendInFlight())
	require.NoError(t, err)
	require.NoError(t, j.Close())
	for e := range crashSent(t, srv, mark) {
		i := slices.IndexFunc(people, func(p onboard.AptlyInvitee) bool { return strings.EqualFold(p.Email, e) })
		assert.True(t, inFlight[i], "trial %d: item %d, not in flight, was sent again", trial, i)
	}
	crashFinal(t, srv, people, rep, everInFlight, trial)

	// Read back, what the resend left unknown succeeded; nothing is sent.
	mark = srv.RequestCount("/v1/user/bulk-invite")
	rep = crashResume(t, srv, people, path, onboard.WithReconcile(0))
	assert.Equal(t, mark, srv.RequestCount("/v1/user/bulk-invite"), "trial %d", trial)
	crashSettled(t, srv, people, rep, trial)
	crashSentOnce(t, srv, people, answeredAt, marks, everInFlight, trial)
}

// crashSentOnce checks that no request after a kill carried an item
// answered by then, and that an item was carried again only once for each
// kill that found it in flight: the fake drops a request whose client
// died while it waited, so such a request may have done nothing.
func crashSentOnce(t *testing.T, srv *onboardtest.Server, people []onboard.AptlyInvitee, answeredAt []map[int]bool, marks []int, everInFlight map[int]int, trial int) {
	email := func(i int) string { return strings.ToLower(people[i].Email) }
	sent := crashSent(t, srv, 0)
	for k, mark := range marks {
		for e := range crashSent(t, srv, mark) {
			i := slices.IndexFunc(people, func(p onboard.AptlyInvitee) bool { return strings.EqualFold(p.Email, e) })
			assert.False(t, answeredAt[k][i], "trial %d: item %d, answered at kill %d, was sent after it", trial, i, k)
		}
	}
	for i := range people {
		if n := sent[email(i)]; n > 1 {
			first := slices.IndexFunc(people, func(p onboard.AptlyInvitee) bool { return strings.EqualFold(p.Email, people[i].Email) })
			assert.LessOrEqual(t, n, 1+everInFlight[first], "trial %d: item %d was sent %d times, in flight at %d kills", trial, first, n, everInFlight[first])
		}
	}
}

// crashResume resumes the trial's run on its journal with opts.
func crashResume(t *testing.T, srv *onboardtest.Server, people []onboard.AptlyInvitee, path string, opts ...onboard.BulkOption) *onboard.BulkReport[onboard.AptlyInvitee] {
	j, err := onboard.OpenJournal(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, j.Close()) }()
	opts = append(opts, onboard.WithJournal(j), onboard.WithKeys(crashKey), onboard.WithBatchSize(crashBatch), onboard.WithConcurrency(crashConc))
	rep, err := jnAptly(t, srv).Invites.SendBulkAll(context.Background(), &onboard.AptlyBulkInviteRequest{TenantID: crashTenant}, people, opts...)
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, len(people))
	return rep
}

// crashReconcile resumes a trial reading back: the first run settles every
// item the journal left unknown before sending anything, sends none of the
// items answered or in flight, and leaves nothing unknown; the second sends
// what the first found not there. Then every valid person is in the fake
// once, and every valid row succeeded.
func crashReconcile(t *testing.T, srv *onboardtest.Server, people []onboard.AptlyInvitee, path string, answered, inFlight map[int]bool, trial int) {
	mark := srv.RequestCount("")
	rep := crashResume(t, srv, people, path, onboard.WithReconcile(0))
	for e := range crashSent(t, srv, mark) {
		i := slices.IndexFunc(people, func(p onboard.AptlyInvitee) bool { return strings.EqualFold(p.Email, e) })
		assert.False(t, answered[i] || inFlight[i], "trial %d: item %d was sent again", trial, i)
	}
	assert.Zero(t, rep.Counts().Unknown, "trial %d", trial)
	for i := range inFlight {
		o := rep.Outcomes[i]
		assert.Contains(t, []onboard.State{onboard.StateSucceeded, onboard.StateNotSent}, o.State, "trial %d item %d: %s", trial, i, o.Message)
		assert.NotEmpty(t, o.ReadBack, "trial %d item %d: %s", trial, i, o.Message)
	}
	rep = crashResume(t, srv, people, path, onboard.WithReconcile(0))
	crashSettled(t, srv, people, rep, trial)
}

// crashSettled checks a trial's last report: every valid row succeeded (a
// repeat shares its first row's state), none unknown, and the fake holds
// every valid person once.
func crashSettled(t *testing.T, srv *onboardtest.Server, people []onboard.AptlyInvitee, rep *onboard.BulkReport[onboard.AptlyInvitee], trial int) {
	require.Len(t, rep.Outcomes, len(people))
	valid := map[string]bool{}
	for i, o := range rep.Outcomes {
		if e := strings.ToLower(people[i].Email); strings.Contains(e, "@") {
			valid[e] = true
			assert.Equal(t, onboard.StateSucceeded, o.State, "trial %d item %d: %s", trial, i, o.Message)
		} else {
			assert.Equal(t, onboard.StateNotSent, o.State, "trial %d item %d", trial, i)
		}
	}
	have := map[string]int{}
	for _, u := range srv.AptlyUsers(crashTenant) {
		have[strings.ToLower(u.Email)]++
	}
	assert.Len(t, have, len(valid), "trial %d: every valid person exists", trial)
	for e := range valid {
		assert.Equal(t, 1, have[e], "trial %d: a person exists %d times", trial, have[e])
	}
}

// crashFinal checks the end of a trial: one outcome per row, in order, and
// the server holding each valid person once.
func crashFinal(t *testing.T, srv *onboardtest.Server, people []onboard.AptlyInvitee, rep *onboard.BulkReport[onboard.AptlyInvitee], everInFlight map[int]int, trial int) {
	require.Len(t, rep.Outcomes, len(people))
	first := map[string]int{}
	valid := map[string]bool{}
	for i, o := range rep.Outcomes {
		require.Equal(t, i, o.Index)
		e := strings.ToLower(people[i].Email)
		if !strings.Contains(e, "@") {
			assert.Equal(t, onboard.StateNotSent, o.State)
			continue
		}
		valid[e] = true
		if f, ok := first[e]; ok {
			require.NotNil(t, o.DuplicateOf, "trial %d item %d", trial, i)
			assert.Equal(t, f, *o.DuplicateOf)
			assert.Equal(t, rep.Outcomes[f].State, o.State)
			continue
		}
		first[e] = i
		assert.Nil(t, o.DuplicateOf)
		if o.State != onboard.StateSucceeded {
			// Only an item in flight at a kill, which the server did
			// then, is refused as already there when sent again.
			assert.Positive(t, everInFlight[i], "trial %d item %d: %s %s", trial, i, o.State, o.Message)
			assert.Equal(t, onboard.StateUnknown, o.State)
		}
	}
	users := srv.AptlyUsers(crashTenant)
	have := map[string]int{}
	for _, u := range users {
		have[strings.ToLower(u.Email)]++
	}
	assert.Len(t, have, len(valid), "trial %d: every valid person exists", trial)
	for e := range valid {
		assert.Equal(t, 1, have[e], "trial %d: %s exists %d times", trial, e, have[e])
	}
}
