package onboard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/onboardkit/onboard/internal/journal"
)

// A Journal makes a bulk run resumable after a crash. Given to a run with
// WithJournal, it records each batch as the batch is handed to be sent,
// synced to storage before its request goes out, and each answer when it
// comes. A run started again with the same journal and the same input
// (after a crash, a kill, or a run that stopped early) then:
//
//   - reports the items the journal has an answer for with the recorded
//     outcome (Outcome.Replayed), without sending them;
//   - reports the items that may have been sent without an answer that
//     settles them as StateUnknown, with a Message that says so, since
//     the server may or may not have done them: those in flight when the
//     process died (on the wire, or handed to be sent next: up to twice
//     WithConcurrency batches), and those of a batch that failed after it
//     went out (a 5xx, a broken connection). WithResendInFlight sends
//     them again instead;
//   - sends the rest: items never handed to be sent, items of batches the
//     run did not send after all because it stopped, and items of batches
//     the server refused whole on their only attempt with a 4xx status,
//     which it did not do.
//
// So a process killed at any instant loses no item, and the run never
// sends an item the journal holds an answer for. A journal belongs to one
// input, one endpoint (method and URL) and one set of shared request
// fields (such as the tenant): a run given a journal of another refuses it
// before sending anything, with an error matching ErrJournalMismatch that
// names the first item that differs. The journal cannot tell credentials
// apart: resume with the credential the journal was started with (for
// Royalti, whose workspace comes from the credential, this matters).
//
// An input may grow between runs: items past the journal's last are sent
// as new. Items are matched by position: the journal records every item it
// covers, repeats and invalid items too, and a resumed run checks each of
// them before it sends anything, so an input with rows inserted, removed
// or changed anywhere before the last item the journal holds is refused
// with nothing sent.
//
// A Journal serves one run; to resume again, open the journal again. A
// journal file has one holder at a time (see OpenJournal). A
// resumed run holds the journal's record of each item it has not reached
// yet, 24 bytes an item, and lets them go as it reads its input; until it
// has read to the journal's end, it also holds the items it is to send
// again there, and those after them.
//
// The format is JSON lines, versioned (see package
// github.com/onboardkit/onboard/internal/journal for every field). It
// holds a hash of each item, not the item; but the servers' messages and
// the keys given with WithKeys can name people, so keep a journal as you
// keep its input.
type Journal struct {
	name  string // for errors: the path, or "the journal"
	store JournalStore
	log   *journal.Log
	w     *journal.Writer
	used  atomic.Bool
}

// A JournalStore holds a journal where OpenJournal's file will not do:
// Read reads what earlier runs wrote, once, when the Journal is made;
// Write appends, each record in one call; Sync makes what was written
// durable (what fsync does for a file). Two Writes never run at once, nor
// two Syncs, but a Write may run while a Sync does, from another
// goroutine. A batch is sent only once a Sync that began after its record
// was written has returned. An *os.File opened for reading and appending
// is a JournalStore.
type JournalStore interface {
	io.Reader
	io.Writer
	Sync() error
}

// OpenJournal opens the journal at path, creating it (mode 0600) if it
// does not exist, and reads what it holds. Close it when the run is done.
//
// The journal has one holder at a time: OpenJournal takes an exclusive
// lock on the file (on Linux, macOS and the BSDs; elsewhere nothing keeps
// two holders apart), held until Close or the process ends, and a journal
// that another Journal holds, in this process or another, is refused with
// an error matching ErrJournalBusy before anything is read or sent.
func OpenJournal(path string) (*Journal, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600) //nolint:gosec // G304: opening the file the caller names is the point
	if err != nil {
		return nil, fmt.Errorf("onboard: OpenJournal: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		syncDir(filepath.Dir(path))
	}
	j, err := newJournal("OpenJournal", path, f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return j, nil
}

// syncDir makes a new file's name in dir durable, as its records will be,
// where the system can sync a directory (not Windows): best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil { //nolint:gosec // G304: the directory of the caller's journal
		_ = d.Sync()
		_ = d.Close()
	}
}

// NewJournal makes a Journal on store, reading what it holds. Close syncs
// the store, and closes it if it is an io.Closer. A store that is an
// *os.File is locked as OpenJournal locks its file; any other store must
// be kept from two Journals at once by its owner.
func NewJournal(store JournalStore) (*Journal, error) {
	if store == nil {
		return nil, errors.New("onboard: NewJournal: the store is nil; pass a JournalStore, or use OpenJournal for a file")
	}
	return newJournal("NewJournal", "the journal", store)
}

func newJournal(op, name string, store JournalStore) (*Journal, error) {
	if f, ok := store.(*os.File); ok {
		if err := lockFile(f); err != nil {
			if errors.Is(err, errLocked) {
				return nil, fmt.Errorf("onboard: %s: %s: %w, in this process or another; let that run end first, or give this run a journal of its own", op, name, ErrJournalBusy)
			}
			return nil, fmt.Errorf("onboard: %s: %s: locking the journal: %w", op, name, err)
		}
	}
	log, err := journal.Read(store)
	if err != nil {
		if journal.IsDamaged(err) {
			return nil, fmt.Errorf("onboard: %s: %s: %w; it was not written by this SDK, or was changed since", op, name, err)
		}
		return nil, fmt.Errorf("onboard: %s: %s: %w", op, name, err)
	}
	return &Journal{name: name, store: store, log: log, w: journal.NewWriter(store, store.Sync, log.Torn)}, nil
}

// Close makes what the run wrote durable and closes the journal's file (or
// store, if it is an io.Closer).
func (j *Journal) Close() error {
	err := j.w.Sync()
	if c, ok := j.store.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	if err != nil {
		return fmt.Errorf("onboard: closing %s: %w", j.name, err)
	}
	return nil
}

// WithJournal makes the run record itself in j, and resume from what j
// holds: see Journal.
func WithJournal(j *Journal) BulkOption {
	return func(s *bulkSettings) {
		if j == nil {
			s.problems.Add("WithJournal", "the journal is nil; pass one from OpenJournal or NewJournal")
			return
		}
		s.journal = j
	}
}

// WithResendInFlight makes a run that resumes from a journal send again
// the items an earlier run may have sent without getting an answer that
// settles them: in flight when it died, or in a batch that failed after
// it went out. The server may have done some of them: one it refuses as
// already there ("Email already exists") is then StateUnknown, not
// StateFailed. Without it such items are StateUnknown and not sent.
func WithResendInFlight() BulkOption {
	return func(s *bulkSettings) { s.resendInFlight = true }
}

// ErrJournalBusy matches the error of OpenJournal (or NewJournal on a
// file) given a journal that another Journal holds: two runs on one
// journal would send the same items twice.
var ErrJournalBusy = errors.New("the journal is in use by another run")

// ErrJournalMismatch matches the error of a run given a journal of another
// run: another endpoint, other shared request fields, or other items.
var ErrJournalMismatch = errors.New("onboard: the journal belongs to another run")

// JournalMismatchError says how a journal differs from the run it was
// given to. It matches ErrJournalMismatch.
type JournalMismatchError struct {
	// Op is the bulk method.
	Op string
	// Index is the first input item that differs from the journal's
	// record of it, or -1 when the journal is for another endpoint or
	// other shared fields.
	Index int
	// Reason says what differs.
	Reason string
}

// Error says what differs and what to do.
func (e *JournalMismatchError) Error() string {
	return fmt.Sprintf("onboard: %s: the journal belongs to another run: %s; resume with the input, client and request the journal was started with, or start a new journal", e.Op, e.Reason)
}

// Is reports whether target is ErrJournalMismatch.
func (e *JournalMismatchError) Is(target error) bool { return target == ErrJournalMismatch }

// journalRun is a run's use of its journal.
type journalRun struct {
	log      *journal.Log
	w        *journal.Writer
	run      int
	resend   bool
	keys     bool
	frontier int // items at or past it are not in the journal
	// kick asks the syncing goroutine for a sync; done closes when it
	// has returned.
	kick chan struct{}
	done chan struct{}
}

// startSyncing starts the goroutine that syncs the batch records written
// as batches are handed to the workers, while the workers are busy with
// the batches before them.
func (jr *journalRun) startSyncing() {
	jr.kick, jr.done = make(chan struct{}, 1), make(chan struct{})
	go func() {
		defer close(jr.done)
		for range jr.kick {
			_ = jr.w.Sync() // an error stays in w; the worker about to send sees it
		}
	}()
}

// syncSoon asks for a sync of what was written, unless one is asked for.
func (jr *journalRun) syncSoon() {
	select {
	case jr.kick <- struct{}{}:
	default:
	}
}

// stopSyncing ends the syncing goroutine; jr may be nil.
func (jr *journalRun) stopSyncing() {
	if jr != nil && jr.kick != nil {
		close(jr.kick)
		<-jr.done
	}
}

// begin starts a run on j: it checks j's header against the run's, or
// writes it to a new journal, and writes the run's record.
func (j *Journal) begin(op string, h journal.Header, resend, keys bool) (*journalRun, error) {
	if !j.used.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("onboard: %s: this Journal was already given to a run; a Journal serves one run: open %s again to resume", op, j.name)
	}
	switch have := j.log.Header; {
	case have == nil:
		if err := j.w.Header(h); err != nil {
			return nil, fmt.Errorf("onboard: %s: %w", op, err)
		}
	case have.Op != h.Op || have.Endpoint != h.Endpoint:
		return nil, &JournalMismatchError{Op: op, Index: -1, Reason: fmt.Sprintf("it is for %s at %s, and this run is %s at %s", have.Op, have.Endpoint, h.Op, h.Endpoint)}
	case have.Shared != h.Shared:
		return nil, &JournalMismatchError{Op: op, Index: -1, Reason: "the request's shared fields (such as the tenant or the message) differ from the journal's"}
	}
	jr := &journalRun{log: j.log, w: j.w, run: j.log.Runs + 1, resend: resend, keys: keys, frontier: j.log.Len()}
	if err := j.w.Run(jr.run, resend); err != nil {
		return nil, fmt.Errorf("onboard: %s: %w", op, err)
	}
	return jr, nil
}

// journalOp is the name a journal's header gives a bulk method: the same
// for its All and Seq forms, so that either can resume the other, and
// without the service (the endpoint names it), as v0.2 wrote it.
func journalOp(op string) string {
	if _, m, ok := strings.Cut(op, ": "); ok {
		op = m
	}
	if s, ok := strings.CutSuffix(op, "All"); ok {
		return s
	}
	return strings.TrimSuffix(op, "Seq")
}

// batchTarget names the endpoint a bulk spec sends to, for its journal.
func batchTarget(c *client, ep endpoint) string {
	return ep.method + " " + c.base.Redacted() + ep.path
}

// errLocked is lockFile's error for a file another holder has locked.
var errLocked = errors.New("locked")
