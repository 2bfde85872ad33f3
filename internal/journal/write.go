package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// Writer appends records to a journal, each with one Write call. It is
// safe for concurrent use. After a write or a sync fails, it writes
// nothing more and every call returns that error: a record cut short must
// stay the journal's last line.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	newline bool // the journal ends inside a line: start a new one first
	written int64
	err     error

	// syncMu lets one sync run at a time; the callers that wait for it
	// find their records made durable by it (group commit).
	syncMu sync.Mutex
	sync   func() error
	synced atomic.Int64 // bytes known to be durable
}

// NewWriter returns a Writer that appends to w and makes what it wrote
// durable with sync. torn says the journal ends inside a line (Log.Torn).
func NewWriter(w io.Writer, sync func() error, torn bool) *Writer {
	return &Writer{w: w, sync: sync, newline: torn}
}

// Header writes the header record.
func (w *Writer) Header(h Header) error {
	line, err := json.Marshal(&wire{T: "journal", V: Version, Op: h.Op, Endpoint: h.Endpoint, Shared: hash64(h.Shared)})
	if err != nil {
		return err
	}
	_, err = w.append(line)
	return err
}

// Run writes a run record.
func (w *Writer) Run(run int, resend bool) error {
	line, err := json.Marshal(&wire{T: "run", Run: run, Resend: resend})
	if err != nil {
		return err
	}
	_, err = w.append(line)
	return err
}

// Batch writes a batch record and returns the journal's length after it,
// for SyncTo.
func (w *Writer) Batch(b *Batch) (int64, error) {
	line, err := encodeBatch(b)
	if err != nil {
		return 0, err
	}
	return w.append(line)
}

// Skipped writes a skipped record.
func (w *Writer) Skipped(s *Skipped) error {
	line, err := encodeSkipped(s)
	if err != nil {
		return err
	}
	_, err = w.append(line)
	return err
}

// Answer writes an answer record.
func (w *Writer) Answer(a *Answer) error {
	line, err := encodeAnswer(a)
	if err != nil {
		return err
	}
	_, err = w.append(line)
	return err
}

// Settled writes a settled record.
func (w *Writer) Settled(s *Settled) error {
	line, err := encodeSettled(s)
	if err != nil {
		return err
	}
	_, err = w.append(line)
	return err
}

// append writes line and a newline in one call, and returns the journal's
// length after them.
func (w *Writer) append(line []byte) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	buf := line
	if w.newline {
		buf = append([]byte{'\n'}, line...)
	}
	buf = append(buf, '\n')
	n, err := w.w.Write(buf)
	w.written += int64(n)
	if err == nil && n < len(buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = fmt.Errorf("writing the journal: %w", err)
		return 0, w.err
	}
	w.newline = false
	return w.written, nil
}

// SyncTo makes the journal durable at least up to its first end bytes
// written, syncing only if no sync since covered them. Callers waiting at
// once share one sync.
func (w *Writer) SyncTo(end int64) error {
	if w.synced.Load() >= end {
		return w.failed()
	}
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.synced.Load() >= end {
		return w.failed()
	}
	w.mu.Lock()
	upTo, err := w.written, w.err
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if err := w.sync(); err != nil {
		w.mu.Lock()
		if w.err == nil {
			w.err = fmt.Errorf("syncing the journal: %w", err)
		}
		err = w.err
		w.mu.Unlock()
		return err
	}
	w.synced.Store(upTo)
	return nil
}

// Sync makes everything written so far durable.
func (w *Writer) Sync() error {
	w.mu.Lock()
	end := w.written
	w.mu.Unlock()
	return w.SyncTo(end)
}

// failed returns the error that stopped the writer, if any.
func (w *Writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
