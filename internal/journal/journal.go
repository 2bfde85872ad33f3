// Package journal reads and writes the journal of a bulk run: an
// append-only file of JSON lines that lets a run killed at any instant be
// resumed without losing an item or sending an answered one again.
//
// # Format, version 3
//
// Each line is one JSON object whose "t" names the record. A journal starts
// with a header; then each run that used the journal adds a run record and
// its batch, skipped and answer records, in the order they happened:
//
//	{"t":"journal","v":2,"op":"Invites.SendBulk","endpoint":"POST https://api.us.aptlydone.com/auth/v1/user/bulk-invite","shared":"8c1f0e7a52d3b6e4"}
//	{"t":"run","run":1}
//	{"t":"batch","run":1,"batch":0,"index":[0,1,2],"hash":["…","…","…"],"key":["row 2","row 3","row 4"]}
//	{"t":"skipped","run":1,"index":[3,4],"hash":["…","…"],"state":"DI"}
//	{"t":"answer","run":1,"batch":0,"attempts":1,"status":201,"request_id":"req-7","state":"SSF","message":[0,0,1],"messages":["User invited successfully","Email already exists"]}
//	{"t":"settled","run":2,"index":[5],"state":"S","message":[0],"messages":["found invited on Aptly"],"read_back":["aptly users: invited"]}
//
// journal, the header: "v" is the format's version (a reader reads 2 and 3,
// which adds the settled record, and refuses version 1, which kept no record
// of the items a run did not send); "op" the bulk operation, without its All or Seq suffix;
// "endpoint" the method and URL its batches go to; "shared" a hash of the
// request fields every batch shares (such as the tenant). A run is resumed
// only with a journal whose header matches it.
//
// run: "run" numbers the runs that used the journal, from 1; "resend" is
// true when the run sends again the items an earlier run left without an
// answer.
//
// batch: the items of one request, written as the batch is handed to be
// sent and synced before its request goes out. "index" holds each item's
// position in the run's input; "hash" the FNV-1a 64-bit hash, in hex, of
// the item's JSON as sent (AthenaHQ targets: the kind's byte, then the
// JSON); "key" the caller's key of each item, when the run has keys. A
// resumed run hashes its input again and refuses a journal whose items
// differ.
//
// skipped: items the run did not send, each for good (those among a
// batch's items are in its batch record instead, as "skipped": an object
// of the same "index", "hash" and "state"): "index" and "hash"
// as in a batch record (an invalid item's JSON, and its hash, are those of
// kind 0; one that cannot be encoded hashes as empty), and "state" one
// letter per item: D a repeat of an earlier item, I invalid. With the
// batch records, they give every position before the journal's end a
// record, so that a resumed run can check each of them.
//
// answer: what became of the batch "batch" of run "run", written when the
// request has ended, or when the run stopped before sending it.
// "attempts", "status" and "request_id" describe the last attempt (status
// 0: no answer came). "state" has one letter per item of the batch, in the
// batch's order: S succeeded, F failed, U unknown, N not sent. "message"
// gives each item's message as an index into "messages"; "user_id", when
// present, each item's user id. A batch that got no per-item answer has
// "err", the error's text, and "not_done" when the server did nothing (a
// 4xx status on the request's only attempt, or the run stopped before
// sending it), so that its items may be sent again.
//
// settled: items whose outcome was unknown, settled by reading the service
// back; "state", "message" and "user_id" as in an answer record, with
// "read_back", what was read, per item. It replaces the items' earlier
// state; N (not there) means the item may be sent again.
//
// A batch record with no answer record is a batch that was in flight when
// the run ended, on the wire or about to be: the server may or may not
// have done it. A crash can cut the line being written short; a reader
// ignores it, and the next run to write starts a new line and then its
// run record (or the header, if the journal has none yet). So lines that
// cannot be read are allowed only last, or just before a run record (or
// the first header). A batch record is written whole and synced before
// its request is sent, so a cut one was never sent. An item in several
// batch records (sent again by a later run) takes the latest.
//
// Within a run, batch and skipped records follow the input's order, and
// answer records come as the requests end. A run that stops writes no
// batch or skipped record after the stop, so the positions a journal has no
// record of are all past its end.
//
// Journals hold hashes of the items, not the items; but the messages and
// the caller's keys can name people, so a journal is to be kept like its
// input.
package journal

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
)

// Version is the version of the format this package writes; it also reads
// version 2.
const Version = 3

// The letters of an answer's "state".
const (
	Succeeded byte = 'S'
	Failed    byte = 'F'
	Unknown   byte = 'U'
	NotSent   byte = 'N'
)

// The letters of a skipped record's "state".
const (
	Repeat  byte = 'D'
	Invalid byte = 'I'
)

// Header is what a journal is for.
type Header struct {
	// Op is the bulk operation, such as "Invites.SendBulk".
	Op string
	// Endpoint is the method and URL of its batches.
	Endpoint string
	// Shared is a hash of the request fields every batch shares.
	Shared uint64
}

// Batch is a batch record: the items of one request.
type Batch struct {
	Run, Batch int
	// Index holds the items' positions in the input, in the order sent.
	Index []int
	// Hash holds each item's hash (see HashItem).
	Hash []uint64
	// Key holds the caller's key of each item, or is nil.
	Key []string
	// Skipped, when not nil, holds the items among the batch's that the
	// run does not send, written on the batch record's line so that the
	// two cannot be parted by a crash; its Run is ignored.
	Skipped *Skipped
}

// Skipped is a skipped record: items a run did not send, for good.
type Skipped struct {
	Run int
	// Index holds the items' positions in the input.
	Index []int
	// Hash holds each item's hash (see HashItem).
	Hash []uint64
	// State holds each item's letter: Repeat or Invalid.
	State []byte
}

// Answer is an answer record: what became of one batch.
type Answer struct {
	Run, Batch int
	// Attempts, Status and RequestID describe the request's last attempt.
	Attempts  int
	Status    int
	RequestID string
	// Err is the batch's failure when it got no per-item answer.
	Err string
	// NotDone says the failure means the server did nothing.
	NotDone bool
	// State, Message and UserID hold one entry per item of the batch;
	// UserID may be nil when no item has one.
	State   []byte
	Message []string
	UserID  []string
}

// Settled is a settled record: unknown items settled by reading back.
type Settled struct {
	Run int
	// Index, State, Message, ReadBack and UserID hold one entry per item.
	Index             []int
	State             []byte
	Message, ReadBack []string
	UserID            []string
}

// HashItem returns the hash a batch record keeps of an item: FNV-1a, 64
// bits, over kind (omitted when 0) and the item's JSON.
func HashItem(kind byte, itemJSON []byte) uint64 {
	h := uint64(fnvOffset)
	if kind != 0 {
		h = (h ^ uint64(kind)) * fnvPrime
	}
	for _, c := range itemJSON {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// The parameters of 64-bit FNV-1a.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// HashShared returns the hash a header keeps of the shared request fields,
// given as the parts of the request body around the item list.
func HashShared(parts ...[]byte) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write(p)
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64()
}

// wire is every record's JSON; "t" says which fields it uses.
type wire struct {
	T string `json:"t"`

	V        int    `json:"v,omitempty"`
	Op       string `json:"op,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Shared   hash64 `json:"shared,omitempty"`

	Run    int  `json:"run,omitempty"`
	Resend bool `json:"resend,omitempty"`

	Batch *int      `json:"batch,omitempty"`
	Index []int     `json:"index,omitempty"`
	Hash  []hash64  `json:"hash,omitempty"`
	Key   []string  `json:"key,omitempty"`
	Skip  *wireSkip `json:"skipped,omitempty"`

	Attempts  int      `json:"attempts,omitempty"`
	Status    int      `json:"status,omitempty"`
	RequestID string   `json:"request_id,omitempty"`
	Err       string   `json:"err,omitempty"`
	NotDone   bool     `json:"not_done,omitempty"`
	State     string   `json:"state,omitempty"`
	Message   []int    `json:"message,omitempty"`
	Messages  []string `json:"messages,omitempty"`
	UserID    []string `json:"user_id,omitempty"`
	ReadBack  []string `json:"read_back,omitempty"`
}

// wireSkip is a batch record's "skipped": the fields of a skipped record.
type wireSkip struct {
	Index []int    `json:"index"`
	Hash  []hash64 `json:"hash"`
	State string   `json:"state"`
}

// hash64 is a hash, written as 16 hex digits.
type hash64 uint64

func (h hash64) MarshalText() ([]byte, error) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(h))
	return []byte(hex.EncodeToString(b[:])), nil
}

func (h *hash64) UnmarshalText(text []byte) error {
	var b [8]byte
	if len(text) != 16 {
		return fmt.Errorf("hash %q: want 16 hex digits", text)
	}
	if _, err := hex.Decode(b[:], text); err != nil {
		return fmt.Errorf("hash %q: %w", text, err)
	}
	*h = hash64(binary.BigEndian.Uint64(b[:]))
	return nil
}

// errDamaged is wrapped by the errors of a journal that cannot be read.
var errDamaged = errors.New("the journal is damaged")

// IsDamaged reports whether err says a journal could not be read.
func IsDamaged(err error) bool { return errors.Is(err, errDamaged) }

// encodeBatch returns the batch record's line, without its newline.
func encodeBatch(b *Batch) ([]byte, error) {
	if len(b.Hash) != len(b.Index) || b.Key != nil && len(b.Key) != len(b.Index) {
		return nil, fmt.Errorf("journal: batch %d has %d indexes, %d hashes and %d keys", b.Batch, len(b.Index), len(b.Hash), len(b.Key))
	}
	hs := make([]hash64, len(b.Hash))
	for i, h := range b.Hash {
		hs[i] = hash64(h)
	}
	n := b.Batch
	w := &wire{T: "batch", Run: b.Run, Batch: &n, Index: b.Index, Hash: hs, Key: b.Key}
	if s := b.Skipped; s != nil && len(s.Index) > 0 {
		if len(s.Hash) != len(s.Index) || len(s.State) != len(s.Index) {
			return nil, fmt.Errorf("journal: batch %d skips %d indexes, %d hashes and %d states", b.Batch, len(s.Index), len(s.Hash), len(s.State))
		}
		w.Skip = &wireSkip{Index: s.Index, Hash: hashes(s.Hash), State: string(s.State)}
	}
	return json.Marshal(w)
}

// encodeSkipped returns the skipped record's line, without its newline.
func encodeSkipped(s *Skipped) ([]byte, error) {
	if len(s.Hash) != len(s.Index) || len(s.State) != len(s.Index) {
		return nil, fmt.Errorf("journal: a skipped record has %d indexes, %d hashes and %d states", len(s.Index), len(s.Hash), len(s.State))
	}
	return json.Marshal(&wire{T: "skipped", Run: s.Run, Index: s.Index, Hash: hashes(s.Hash), State: string(s.State)})
}

func hashes(hs []uint64) []hash64 {
	out := make([]hash64, len(hs))
	for i, h := range hs {
		out[i] = hash64(h)
	}
	return out
}

// encodeAnswer returns the answer record's line, without its newline; each
// distinct message is written once.
func encodeAnswer(a *Answer) ([]byte, error) {
	if len(a.Message) != len(a.State) || a.UserID != nil && len(a.UserID) != len(a.State) {
		return nil, fmt.Errorf("journal: answer %d has %d states, %d messages and %d user ids", a.Batch, len(a.State), len(a.Message), len(a.UserID))
	}
	n := a.Batch
	w := &wire{T: "answer", Run: a.Run, Batch: &n, Attempts: a.Attempts, Status: a.Status,
		RequestID: a.RequestID, Err: a.Err, NotDone: a.NotDone, State: string(a.State), UserID: a.UserID}
	setMessages(w, a.Message)
	return json.Marshal(w)
}

// encodeSettled returns the settled record's line, without its newline.
func encodeSettled(s *Settled) ([]byte, error) {
	n := len(s.Index)
	if len(s.State) != n || len(s.Message) != n || len(s.ReadBack) != n || s.UserID != nil && len(s.UserID) != n {
		return nil, fmt.Errorf("journal: a settled record has %d indexes, %d states, %d messages, %d read-backs and %d user ids", n, len(s.State), len(s.Message), len(s.ReadBack), len(s.UserID))
	}
	w := &wire{T: "settled", Run: s.Run, Index: s.Index, State: string(s.State), UserID: s.UserID, ReadBack: s.ReadBack}
	setMessages(w, s.Message)
	return json.Marshal(w)
}

// setMessages sets w's "message" and "messages", each distinct one once.
func setMessages(w *wire, msgs []string) {
	seen := make(map[string]int)
	w.Message = make([]int, len(msgs))
	for i, m := range msgs {
		j, ok := seen[m]
		if !ok {
			j = len(w.Messages)
			seen[m] = j
			w.Messages = append(w.Messages, m)
		}
		w.Message[i] = j
	}
}
