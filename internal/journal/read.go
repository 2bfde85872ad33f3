package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// maxLine bounds a record's line; a longer one is damage.
const maxLine = 64 << 20

// maxGap bounds how far past the highest index so far a batch record may
// name an item, so that a damaged index cannot make a reader allocate
// without bound.
const maxGap = 1 << 22

// states are the letters an answer's state may hold.
const states = string(Succeeded) + string(Failed) + string(Unknown) + string(NotSent)

// ErrNewer is wrapped by the error of a journal written in a newer format.
var ErrNewer = errors.New("the journal was written by a newer version of the format")

// ErrOlder is wrapped by the error of a journal written in an older format.
var ErrOlder = errors.New("the journal was written in an older version of the format")

// Log is what a journal holds: its header and the latest record of each
// input position.
type Log struct {
	// Header is nil for an empty journal.
	Header *Header
	// Runs is the highest run number recorded.
	Runs int
	// Torn says the journal ends inside a line, cut short by a crash and
	// ignored: the next write must start a new line (NewWriter's torn).
	Torn bool

	// pages hold the items' records, itemPage positions each, so that
	// growing copies nothing and Release can free what was read.
	pages    [][]Item
	released int // pages let go
	n        int // one past the highest position named
	batches  []batchInfo
	strs     []string // interned texts; strs[0] is ""
	index    map[string]int32
}

// Item is the latest record of one input position, 32 bytes.
type Item struct {
	// Hash is the item's hash as the batch record holds it.
	Hash uint64
	// State is 0 for a position no record names, InFlight for one whose
	// latest batch has no answer, the answer's letter, or the skipped
	// record's (Repeat, Invalid) for one the latest record skipped.
	State byte

	batch           int32 // in Log.batches
	msg, user, read int32 // in Log.strs
}

// batchInfo is what a Log keeps of one batch: its name and its answer's
// account of the whole batch.
type batchInfo struct {
	run, batch, attempts, err int32
	notDone                   bool
}

// InFlight is the State of an item whose latest batch has no answer.
const InFlight byte = 'B'

// itemPage is how many positions a page of records holds.
const itemPage = 1 << 12

// Len returns one more than the highest position any record names.
func (l *Log) Len() int { return l.n }

// Item returns the record of position i, and false when there is none or
// Release let it go.
func (l *Log) Item(i int) (Item, bool) {
	if i < 0 || i >= l.n {
		return Item{}, false
	}
	page := l.pages[i/itemPage] // nil once let go, else itemPage long
	if len(page) == 0 || page[i%itemPage].State == 0 {
		return Item{}, false
	}
	return page[i%itemPage], true
}

// Release lets the records of the positions before i go, so that a run
// that reads them in order holds less as it goes.
func (l *Log) Release(i int) {
	for ; l.released < len(l.pages) && (l.released+1)*itemPage <= i; l.released++ {
		l.pages[l.released] = nil
	}
}

// slot returns the record of position i, making room for it.
func (l *Log) slot(i int) *Item {
	for len(l.pages)*itemPage <= i {
		l.pages = append(l.pages, make([]Item, itemPage))
	}
	l.n = max(l.n, i+1)
	return &l.pages[i/itemPage][i%itemPage]
}

// Message returns the item's message.
func (l *Log) Message(it Item) string { return l.strs[it.msg] }

// ReadBack returns what reading the service back found of the item, if it did.
func (l *Log) ReadBack(it Item) string { return l.strs[it.read] }

// UserID returns the item's user id.
func (l *Log) UserID(it Item) string { return l.strs[it.user] }

// Err returns the text of the error of the item's batch.
func (l *Log) Err(it Item) string { return l.strs[l.batches[it.batch].err] }

// Attempts returns the attempts of the request of the item's batch.
func (l *Log) Attempts(it Item) int { return int(l.batches[it.batch].attempts) }

// NotDone reports whether the item's batch failed in a way that says the
// server did nothing, so that it may be sent again.
func (l *Log) NotDone(it Item) bool { return l.batches[it.batch].notDone }

// Batch returns the run and the batch number of the item's batch record.
func (l *Log) Batch(it Item) (run, batch int) {
	b := &l.batches[it.batch]
	return int(b.run), int(b.batch)
}

// Read reads a journal. An empty journal gives a Log with no Header. Lines
// cut short by a crash are ignored: last (Torn), or just before a run
// record, which the next run writes first (or the header, in a journal
// that has none yet). Any other line that cannot be read is an error
// matching IsDamaged.
func Read(r io.Reader) (*Log, error) {
	l := &Log{strs: []string{""}, index: map[string]int32{"": 0}}
	br := bufio.NewReaderSize(r, 64<<10)
	pending := make(map[[2]int]pendingBatch)
	bad := 0 // a line that could not be read, waiting for what follows it
	for n := 1; ; n++ {
		line, whole, err := readLine(br)
		if err != nil {
			return nil, fmt.Errorf("reading the journal: %w", err)
		}
		if line == nil {
			break
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue // a torn line's end, or the newline a writer put after it
		}
		var rec wire
		if json.Unmarshal(line, &rec) != nil || rec.T == "" {
			if l.Header == nil && !headerStart(line) {
				return nil, fmt.Errorf("%w: line %d is not a journal's header; is this file a journal?", errDamaged, n)
			}
			if bad == 0 {
				bad = n
			}
			continue
		}
		// Only a run's first record, its run record (or the header of a
		// journal that has none yet), follows the lines torn by the
		// crashes of the runs before it.
		if bad != 0 && rec.T != "run" && (rec.T != "journal" || l.Header != nil) {
			return nil, fmt.Errorf("%w: line %d cannot be read", errDamaged, bad)
		}
		bad = 0
		if err := l.apply(&rec, pending); err != nil {
			if errors.Is(err, ErrNewer) || errors.Is(err, ErrOlder) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: line %d: %w", errDamaged, n, err)
		}
		l.Torn = !whole
	}
	if bad != 0 {
		l.Torn = true
	}
	l.index = nil
	return l, nil
}

// headerStart reports whether line could be a header cut short: the only
// line a journal without a header may hold.
func headerStart(line []byte) bool {
	const start = `{"t":"journal"`
	return bytes.HasPrefix(line, []byte(start)) || bytes.HasPrefix([]byte(start), line)
}

// readLine returns the next line without its newline, whether it had one,
// and nil at the end.
func readLine(br *bufio.Reader) ([]byte, bool, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(line) > maxLine {
				return nil, false, fmt.Errorf("%w: a line is longer than %d bytes", errDamaged, maxLine)
			}
		case errors.Is(err, io.EOF):
			if len(line) == 0 {
				return nil, false, nil
			}
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}

// pendingBatch is a batch record with no answer yet: its items, and its
// entry in Log.batches.
type pendingBatch struct {
	index []int
	info  int32
}

func (l *Log) apply(rec *wire, pending map[[2]int]pendingBatch) error {
	if l.Header == nil && rec.T != "journal" {
		return errors.New("the first record is not the journal's header; is this file a journal?")
	}
	switch rec.T {
	case "journal":
		if l.Header != nil {
			return errors.New("a second header")
		}
		if rec.V > Version {
			return fmt.Errorf("%w (%d; this program reads up to %d): resume with a newer version of the program", ErrNewer, rec.V, Version)
		}
		if rec.V < 1 {
			return fmt.Errorf("version %d", rec.V)
		}
		if rec.V < 2 {
			return fmt.Errorf("%w (%d; this program reads %d), which kept no record of the repeated and invalid items: finish that run with the program that started it, or start a new journal", ErrOlder, rec.V, Version)
		}
		l.Header = &Header{Op: rec.Op, Endpoint: rec.Endpoint, Shared: uint64(rec.Shared)}
	case "run":
		l.Runs = max(l.Runs, rec.Run)
	case "batch":
		return l.batch(rec, pending)
	case "skipped":
		return l.skip(rec.Run, rec.Index, rec.Hash, rec.State)
	case "answer":
		return l.answer(rec, pending)
	case "settled":
		return l.settled(rec)
	default:
		return fmt.Errorf("a record of unknown type %q", rec.T)
	}
	return nil
}

func (l *Log) batch(rec *wire, pending map[[2]int]pendingBatch) error {
	if rec.Batch == nil || len(rec.Index) == 0 || len(rec.Hash) != len(rec.Index) || rec.Key != nil && len(rec.Key) != len(rec.Index) {
		return errors.New("a batch record without its number, or whose indexes, hashes and keys differ in number")
	}
	id := [2]int{rec.Run, *rec.Batch}
	if _, dup := pending[id]; dup {
		return fmt.Errorf("run %d has two records of batch %d", rec.Run, *rec.Batch)
	}
	info := clamp32(len(l.batches))
	l.batches = append(l.batches, batchInfo{run: clamp32(rec.Run), batch: clamp32(*rec.Batch)})
	for i, idx := range rec.Index {
		if idx < 0 || idx >= l.n+maxGap {
			return fmt.Errorf("batch %d names item %d", *rec.Batch, idx)
		}
		*l.slot(idx) = Item{Hash: uint64(rec.Hash[i]), State: InFlight, batch: info}
	}
	pending[id] = pendingBatch{index: rec.Index, info: info}
	if rec.Skip != nil {
		return l.skip(rec.Run, rec.Skip.Index, rec.Skip.Hash, rec.Skip.State)
	}
	return nil
}

// skip applies the items of a skipped record, or of a batch record's
// "skipped".
func (l *Log) skip(run int, index []int, hash []hash64, state string) error {
	if len(index) == 0 || len(hash) != len(index) || len(state) != len(index) {
		return errors.New("skipped items whose indexes, hashes and states differ in number")
	}
	info := clamp32(len(l.batches))
	l.batches = append(l.batches, batchInfo{run: clamp32(run), batch: -1})
	for i, idx := range index {
		if idx < 0 || idx >= l.n+maxGap {
			return fmt.Errorf("skipped item %d", idx)
		}
		st := state[i]
		if st != Repeat && st != Invalid {
			return fmt.Errorf("skipped state %q", st)
		}
		*l.slot(idx) = Item{Hash: uint64(hash[i]), State: st, batch: info}
	}
	return nil
}

func (l *Log) answer(rec *wire, pending map[[2]int]pendingBatch) error {
	if rec.Batch == nil {
		return errors.New("an answer record without its batch number")
	}
	id := [2]int{rec.Run, *rec.Batch}
	p, ok := pending[id]
	if !ok {
		return fmt.Errorf("an answer to batch %d of run %d, which has no batch record before it", id[1], id[0])
	}
	delete(pending, id)
	if len(rec.State) != len(p.index) || len(rec.Message) != len(p.index) || rec.UserID != nil && len(rec.UserID) != len(p.index) {
		return fmt.Errorf("the answer to batch %d has %d states for %d items", id[1], len(rec.State), len(p.index))
	}
	b := &l.batches[p.info]
	b.attempts, b.err, b.notDone = clamp32(rec.Attempts), l.intern(rec.Err), rec.NotDone
	for i, idx := range p.index {
		st := rec.State[i]
		if strings.IndexByte(states, st) < 0 {
			return fmt.Errorf("state %q", st)
		}
		m := rec.Message[i]
		if m < 0 || m >= len(rec.Messages) {
			return fmt.Errorf("message %d of %d", m, len(rec.Messages))
		}
		it := l.slot(idx)
		if it.batch != p.info {
			continue // a later batch record took the item
		}
		it.State, it.msg = st, l.intern(rec.Messages[m])
		if rec.UserID != nil {
			it.user = l.intern(rec.UserID[i])
		}
	}
	return nil
}

// settled applies a settled record: its items take its states, and one not
// there may be sent again.
func (l *Log) settled(rec *wire) error {
	n := len(rec.Index)
	if n == 0 || len(rec.State) != n || len(rec.Message) != n || len(rec.ReadBack) != n || rec.UserID != nil && len(rec.UserID) != n {
		return errors.New("a settled record whose indexes, states, messages and read-backs differ in number")
	}
	info := clamp32(len(l.batches))
	l.batches = append(l.batches, batchInfo{run: clamp32(rec.Run), batch: -1, notDone: true})
	for i, idx := range rec.Index {
		it, ok := l.Item(idx)
		st, m := rec.State[i], rec.Message[i]
		switch {
		case !ok:
			return fmt.Errorf("a settled record names item %d, which no batch record holds", idx)
		case strings.IndexByte(states, st) < 0:
			return fmt.Errorf("state %q", st)
		case m < 0 || m >= len(rec.Messages):
			return fmt.Errorf("message %d of %d", m, len(rec.Messages))
		}
		it.State, it.batch, it.msg, it.read = st, info, l.intern(rec.Messages[m]), l.intern(rec.ReadBack[i])
		if it.user = 0; rec.UserID != nil {
			it.user = l.intern(rec.UserID[i])
		}
		*l.slot(idx) = it
	}
	return nil
}

// intern returns the id of s in l.strs, adding it once.
func (l *Log) intern(s string) int32 {
	if id, ok := l.index[s]; ok {
		return id
	}
	id := clamp32(len(l.strs))
	l.strs = append(l.strs, s)
	l.index[s] = id
	return id
}

func clamp32(n int) int32 { return int32(min(max(n, math.MinInt32), math.MaxInt32)) }
