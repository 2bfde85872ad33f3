package journal

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testHeader = Header{Op: "Invites.SendBulk", Endpoint: "POST https://example.com/v1/user/bulk-invite", Shared: 0x8c1f0e7a52d3b6e4}

// store is a journal in memory, counting its syncs.
type store struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	syncs int
	fail  error
}

func (s *store) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	return s.buf.Write(p)
}

func (s *store) sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncs++
	return nil
}

func TestRoundTrip(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	require.NoError(t, w.Header(testHeader))
	require.NoError(t, w.Run(1, false))
	_, err := w.Batch(&Batch{Run: 1, Batch: 0, Index: []int{0, 1, 3}, Hash: []uint64{1, 2, 3}, Key: []string{"a", "b", "d"}})
	require.NoError(t, err)
	_, err = w.Batch(&Batch{Run: 1, Batch: 1, Index: []int{4, 5}, Hash: []uint64{4, 5}})
	require.NoError(t, err)
	_, err = w.Batch(&Batch{Run: 1, Batch: 2, Index: []int{6}, Hash: []uint64{6}})
	require.NoError(t, err)
	require.NoError(t, w.Answer(&Answer{Run: 1, Batch: 0, Attempts: 2, Status: 201, RequestID: "req-1",
		State: []byte("SFU"), Message: []string{"ok", "Email already exists", "ok"}, UserID: []string{"u1", "", "u3"}}))
	require.NoError(t, w.Answer(&Answer{Run: 1, Batch: 1, Attempts: 1, Status: 400, Err: "bad request", NotDone: true,
		State: []byte("NN"), Message: []string{"", ""}}))
	// Batch 2 has no answer: in flight. Item 5 is sent again by run 2.
	require.NoError(t, w.Run(2, true))
	_, err = w.Batch(&Batch{Run: 2, Batch: 0, Index: []int{5}, Hash: []uint64{5}})
	require.NoError(t, err)
	require.NoError(t, w.Answer(&Answer{Run: 2, Batch: 0, Attempts: 1, Status: 201, State: []byte("S"), Message: []string{"ok"}}))

	assert.Contains(t, s.buf.String(), `"message":[0,1,0],"messages":["ok","Email already exists"]`, "each message once")
	assert.Contains(t, s.buf.String(), `"hash":["0000000000000001","0000000000000002","0000000000000003"],"key":["a","b","d"]`)

	l, err := Read(bytes.NewReader(s.buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, &testHeader, l.Header)
	assert.Equal(t, 2, l.Runs)
	assert.False(t, l.Torn)
	assert.Equal(t, 7, l.Len())

	it, ok := l.Item(0)
	require.True(t, ok)
	assert.Equal(t, uint64(1), it.Hash)
	assert.Equal(t, Succeeded, it.State)
	assert.Equal(t, 2, l.Attempts(it))
	run, batch := l.Batch(it)
	assert.Equal(t, [2]int{1, 0}, [2]int{run, batch})
	assert.Equal(t, "ok", l.Message(it))
	assert.Equal(t, "u1", l.UserID(it))
	it, _ = l.Item(1)
	assert.Equal(t, Failed, it.State)
	assert.Equal(t, "Email already exists", l.Message(it))
	_, ok = l.Item(2)
	assert.False(t, ok, "no batch named item 2")
	it, _ = l.Item(4)
	assert.Equal(t, NotSent, it.State)
	assert.True(t, l.NotDone(it))
	assert.Equal(t, "bad request", l.Err(it))
	it, _ = l.Item(5)
	assert.Equal(t, Succeeded, it.State, "the latest record wins")
	run, _ = l.Batch(it)
	assert.Equal(t, 2, run)
	it, _ = l.Item(6)
	assert.Equal(t, InFlight, it.State)
	_, ok = l.Item(7)
	assert.False(t, ok)
}

func TestRelease(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	require.NoError(t, w.Header(testHeader))
	far := 3*itemPage + 5
	_, err := w.Batch(&Batch{Run: 1, Index: []int{0, itemPage, far}, Hash: []uint64{1, 2, 3}})
	require.NoError(t, err)
	l, err := Read(bytes.NewReader(s.buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, far+1, l.Len())
	l.Release(itemPage + 1) // the first page only
	_, ok := l.Item(0)
	assert.False(t, ok, "let go")
	it, ok := l.Item(itemPage)
	assert.True(t, ok)
	assert.Equal(t, uint64(2), it.Hash)
	l.Release(far)
	it, ok = l.Item(far)
	assert.True(t, ok, "its page is not behind the position")
	assert.Equal(t, uint64(3), it.Hash)
	assert.Nil(t, l.pages[1])
	assert.Nil(t, l.pages[2])
}

func TestTornLastLine(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	require.NoError(t, w.Header(testHeader))
	require.NoError(t, w.Run(1, false))
	_, err := w.Batch(&Batch{Run: 1, Batch: 0, Index: []int{0}, Hash: []uint64{9}})
	require.NoError(t, err)
	whole := s.buf.Len()
	require.NoError(t, w.Answer(&Answer{Run: 1, Batch: 0, Attempts: 1, State: []byte("S"), Message: []string{"ok"}}))

	for cut := whole + 1; cut < s.buf.Len(); cut++ {
		data := bytes.Clone(s.buf.Bytes()[:cut])
		l, err := Read(bytes.NewReader(data))
		require.NoError(t, err, "cut at %d", cut)
		complete := cut == s.buf.Len()-1 // all but the newline
		assert.True(t, l.Torn, "cut at %d", cut)
		it, _ := l.Item(0)
		if complete {
			assert.Equal(t, Succeeded, it.State)
		} else {
			assert.Equal(t, InFlight, it.State, "cut at %d: the answer is lost", cut)
		}

		// The next run starts a new line, then its run record; the
		// journal reads again, the torn line ignored.
		more := &store{}
		more.buf.Write(data)
		w2 := NewWriter(more, more.sync, l.Torn)
		require.NoError(t, w2.Run(2, false))
		_, err = w2.Batch(&Batch{Run: 2, Batch: 0, Index: []int{1}, Hash: []uint64{8}})
		require.NoError(t, err)
		l2, err := Read(bytes.NewReader(more.buf.Bytes()))
		require.NoError(t, err, "cut at %d:\n%s", cut, more.buf.String())
		assert.False(t, l2.Torn)
		assert.Equal(t, 2, l2.Runs)
		it, _ = l2.Item(1)
		assert.Equal(t, InFlight, it.State)
	}
}

func TestDamaged(t *testing.T) {
	head := `{"t":"journal","v":2,"op":"Invites.SendBulk","endpoint":"POST x","shared":"0000000000000001"}` + "\n"
	batch := `{"t":"batch","run":1,"batch":0,"index":[0,1],"hash":["0000000000000001","0000000000000002"]}` + "\n"
	for name, text := range map[string]string{
		"not a journal":             "email,name\nada@example.com,Ada\n",
		"a bad line inside":         head + "garbage\n" + batch,
		"two bad lines":             head + "garbage\ngarbage\n" + batch,
		"a second header":           head + head,
		"an unknown record":         head + `{"t":"note"}` + "\n",
		"an answer with no batch":   head + `{"t":"answer","run":1,"batch":0,"state":"S","message":[0],"messages":["ok"]}` + "\n",
		"an answer of another size": head + batch + `{"t":"answer","run":1,"batch":0,"state":"S","message":[0],"messages":["ok"]}` + "\n",
		"a bad state":               head + batch + `{"t":"answer","run":1,"batch":0,"state":"SX","message":[0,0],"messages":["ok"]}` + "\n",
		"a bad message index":       head + batch + `{"t":"answer","run":1,"batch":0,"state":"SS","message":[0,1],"messages":["ok"]}` + "\n",
		"a batch twice":             head + batch + batch,
		"hashes and indexes differ": head + `{"t":"batch","run":1,"batch":0,"index":[0,1],"hash":["0000000000000001"]}` + "\n",
		"a bad hash":                head + `{"t":"batch","run":1,"batch":0,"index":[0],"hash":["xyz"]}` + "\n" + batch,
		"an index far away":         head + `{"t":"batch","run":1,"batch":0,"index":[99999999999],"hash":["0000000000000001"]}` + "\n" + batch,
		"a negative index":          head + `{"t":"batch","run":1,"batch":0,"index":[-1],"hash":["0000000000000001"]}` + "\n" + batch,
		"version 0":                 `{"t":"journal","v":0}` + "\n",
	} {
		_, err := Read(strings.NewReader(text))
		require.Error(t, err, name)
		assert.True(t, IsDamaged(err), "%s: %v", name, err)
		assert.NotContains(t, err.Error(), "ada@", name)
	}

	_, err := Read(strings.NewReader(`{"t":"journal","v":4}` + "\n"))
	assert.ErrorIs(t, err, ErrNewer)
	assert.False(t, IsDamaged(err))

	l, err := Read(strings.NewReader(head + "garbage\n\n" + `{"t":"run","run":2}` + "\n" + batch))
	require.NoError(t, err, "a bad line just before a run record is a torn line another run ended")
	assert.Equal(t, 2, l.Len())
	l, err = Read(strings.NewReader(head + "torn\n" + `{"t":"run","ru` + "\n" + `{"t":"run","run":3}` + "\n" + batch))
	require.NoError(t, err, "two runs in a row were cut short")
	assert.Equal(t, 3, l.Runs)
	l, err = Read(strings.NewReader(`{"t":"journal","v":2,"op":"Invi` + "\n" + head + batch))
	require.NoError(t, err, "a header cut short, then written whole by the next run")
	assert.Equal(t, "Invites.SendBulk", l.Header.Op)

	l, err = Read(strings.NewReader(""))
	require.NoError(t, err)
	assert.Nil(t, l.Header)
}

func TestWriterStopsAfterAFailure(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	require.NoError(t, w.Header(testHeader))
	s.fail = errors.New("disk full")
	_, err := w.Batch(&Batch{Run: 1, Index: []int{0}, Hash: []uint64{1}})
	require.ErrorContains(t, err, "writing the journal: disk full")
	s.fail = nil
	require.ErrorContains(t, w.Run(2, false), "disk full", "nothing is written after a failure")
	require.ErrorContains(t, w.Sync(), "disk full")
	l, err := Read(bytes.NewReader(s.buf.Bytes()))
	require.NoError(t, err)
	assert.Zero(t, l.Runs)
}

func TestSyncToSharesSyncs(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	end, err := w.Batch(&Batch{Run: 1, Index: []int{0}, Hash: []uint64{1}})
	require.NoError(t, err)
	require.NoError(t, w.SyncTo(end))
	require.NoError(t, w.SyncTo(end))
	assert.Equal(t, 1, s.syncs, "what a sync covered is not synced again")

	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			end, err := w.Batch(&Batch{Run: 1, Batch: i + 1, Index: []int{i + 1}, Hash: []uint64{1}})
			assert.NoError(t, err)
			assert.NoError(t, w.SyncTo(end))
			assert.GreaterOrEqual(t, w.synced.Load(), end)
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, s.syncs, 17)
	assert.Equal(t, int64(s.buf.Len()), w.synced.Load())
}

func TestHashItem(t *testing.T) {
	// FNV-1a 64 of "a" is af63dc4c8601ec8c.
	assert.Equal(t, uint64(0xaf63dc4c8601ec8c), HashItem(0, []byte("a")))
	assert.NotEqual(t, HashItem(1, []byte(`"x"`)), HashItem(2, []byte(`"x"`)), "the kind counts")
	assert.NotEqual(t, HashShared([]byte("ab"), []byte("c")), HashShared([]byte("a"), []byte("bc")))
}

// FuzzRead reads anything: no panic, and every record read is whole.
//
//	go test -run '^$' -fuzz '^FuzzRead$' -fuzztime 30s ./internal/journal
func FuzzRead(f *testing.F) {
	head := `{"t":"journal","v":2,"op":"Invites.SendBulk","endpoint":"POST x","shared":"0000000000000001"}` + "\n"
	f.Add(head + `{"t":"run","run":1}` + "\n" + `{"t":"batch","run":1,"batch":0,"index":[0,2],"hash":["0000000000000001","0000000000000002"],"key":["a","b"]}` + "\n" +
		`{"t":"answer","run":1,"batch":0,"attempts":1,"status":201,"state":"SF","message":[0,1],"messages":["ok","no"],"user_id":["u",""]}` + "\n")
	f.Add(head + `{"t":"batch","run":1,"batch":0,"index":[3],"hash":["0000000000000001"]}` + "\n" + `{"t":"answ`)
	f.Add(head + `{"t":"batch","run":1,"batch":0,"index":[0],"hash":["0000000000000001"]}` + "\n" +
		`{"t":"settled","run":2,"index":[0],"state":"S","message":[0],"messages":["m"],"read_back":["r"]}` + "\n")
	f.Add("")
	f.Add("\n\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		l, err := Read(strings.NewReader(text))
		if err != nil {
			return
		}
		for i := range l.Len() + 1 {
			if it, ok := l.Item(i); ok {
				_, _, _, _, _, _ = l.Message(it), l.UserID(it), l.Err(it), l.Attempts(it), l.NotDone(it), l.ReadBack(it)
				if !strings.ContainsRune(states+string(InFlight), rune(it.State)) {
					t.Fatalf("item %d has state %q", i, it.State)
				}
			}
		}
	})
}

// TestSkipped reads back the record of items a run did not send, which a
// later batch record of the same position replaces.
func TestSkipped(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	require.NoError(t, w.Header(testHeader))
	require.NoError(t, w.Run(1, false))
	_, err := w.Batch(&Batch{Run: 1, Batch: 0, Index: []int{0, 2}, Hash: []uint64{1, 3},
		Skipped: &Skipped{Index: []int{1}, Hash: []uint64{1}, State: []byte{Repeat}}})
	require.NoError(t, err)
	require.NoError(t, w.Skipped(&Skipped{Run: 1, Index: []int{3}, Hash: []uint64{9}, State: []byte{Invalid}}))
	require.NoError(t, w.Answer(&Answer{Run: 1, Batch: 0, Attempts: 1, State: []byte("SS"), Message: []string{"ok", "ok"}}))
	require.NoError(t, w.Run(2, false))
	_, err = w.Batch(&Batch{Run: 2, Batch: 0, Index: []int{3}, Hash: []uint64{4}})
	require.NoError(t, err)
	assert.Contains(t, s.buf.String(), `"skipped":{"index":[1],"hash":["0000000000000001"],"state":"D"}}`+"\n")
	assert.Contains(t, s.buf.String(), `{"t":"skipped","run":1,"index":[3],"hash":["0000000000000009"],"state":"I"}`+"\n")

	l, err := Read(bytes.NewReader(s.buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, 4, l.Len())
	it, ok := l.Item(1)
	require.True(t, ok)
	assert.Equal(t, Item{Hash: 1, State: Repeat}, Item{Hash: it.Hash, State: it.State})
	it, ok = l.Item(3)
	require.True(t, ok)
	assert.Equal(t, Item{Hash: 4, State: InFlight}, Item{Hash: it.Hash, State: it.State}, "run 2 sent item 3")

	for name, text := range map[string]string{
		"states and indexes differ": `{"t":"skipped","run":1,"index":[0,1],"hash":["0000000000000001","0000000000000002"],"state":"D"}`,
		"an unknown state":          `{"t":"skipped","run":1,"index":[0],"hash":["0000000000000001"],"state":"S"}`,
		"a negative index":          `{"t":"skipped","run":1,"index":[-1],"hash":["0000000000000001"],"state":"D"}`,
	} {
		_, err := Read(strings.NewReader(`{"t":"journal","v":2}` + "\n" + text + "\n"))
		assert.True(t, IsDamaged(err), "%s: %v", name, err)
	}
}

// TestOlderVersion refuses a journal of version 1, which has no record of
// the items its runs skipped, with an error that says what to do.
func TestOlderVersion(t *testing.T) {
	_, err := Read(strings.NewReader(`{"t":"journal","v":1,"op":"Invites.SendBulk","endpoint":"POST x","shared":"0000000000000001"}` + "\n"))
	require.ErrorIs(t, err, ErrOlder)
	assert.False(t, IsDamaged(err))
	assert.Contains(t, err.Error(), "start a new journal")
}

// TestSettled reads back a settled record over an in-flight batch: its
// states, messages and read-backs replace the batch's, a not-there item may
// be sent again, and a version 2 journal is still read.
func TestSettled(t *testing.T) {
	s := &store{}
	w := NewWriter(s, s.sync, false)
	require.NoError(t, w.Header(testHeader))
	require.NoError(t, w.Run(1, false))
	_, err := w.Batch(&Batch{Run: 1, Batch: 0, Index: []int{0, 1, 2}, Hash: []uint64{1, 2, 3}})
	require.NoError(t, err)
	require.NoError(t, w.Run(2, false))
	require.NoError(t, w.Settled(&Settled{Run: 2, Index: []int{0, 2}, State: []byte("SN"),
		Message: []string{"found invited on Aptly", "not found on Aptly: safe to send"}, ReadBack: []string{"aptly users: invited", "aptly users: not found"}}))
	assert.Contains(t, s.buf.String(), `{"t":"settled","run":2,"index":[0,2],"state":"SN","message":[0,1],"messages":["found invited on Aptly","not found on Aptly: safe to send"],"read_back":["aptly users: invited","aptly users: not found"]}`)

	l, err := Read(bytes.NewReader(s.buf.Bytes()))
	require.NoError(t, err)
	it, ok := l.Item(0)
	require.True(t, ok)
	assert.Equal(t, []any{Succeeded, uint64(1), "found invited on Aptly", "aptly users: invited"}, []any{it.State, it.Hash, l.Message(it), l.ReadBack(it)})
	it, _ = l.Item(1)
	assert.Equal(t, InFlight, it.State, "not settled")
	it, _ = l.Item(2)
	assert.Equal(t, []any{NotSent, true}, []any{it.State, l.NotDone(it)})

	for name, text := range map[string]string{
		"an item no batch holds": `{"t":"settled","run":1,"index":[7],"state":"S","message":[0],"messages":["m"],"read_back":["r"]}`,
		"no read-backs":          `{"t":"settled","run":1,"index":[0],"state":"S","message":[0],"messages":["m"]}`,
		"a bad state":            `{"t":"settled","run":1,"index":[0],"state":"Q","message":[0],"messages":["m"],"read_back":["r"]}`,
	} {
		batch := `{"t":"batch","run":1,"batch":0,"index":[0],"hash":["0000000000000001"]}` + "\n"
		_, err := Read(strings.NewReader(`{"t":"journal","v":2}` + "\n" + batch + text + "\n"))
		assert.True(t, IsDamaged(err), "%s: %v", name, err)
	}
}
