package onboardriver

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// journalStore keeps one shard's journal in onboard_journal, a row per
// record: the SDK's JournalStore. Write buffers a record; Sync inserts the
// buffered records in one transaction.
type journalStore struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	id     string
	shard  int
	r      io.Reader // what earlier runs wrote, read on the first Read
	mu     sync.Mutex
	queued [][]byte
	failed error  // the first Sync that failed: the run's record is incomplete
	onSync func() // testing: called before a Sync commits
}

func (s *journalStore) Read(p []byte) (int, error) {
	if s.r == nil {
		rows, err := s.pool.Query(s.ctx, `SELECT record FROM onboard_journal WHERE import_id = $1 AND shard = $2 ORDER BY seq`, s.id, s.shard)
		if err != nil {
			return 0, fmt.Errorf("reading the journal of %s shard %d: %w", s.id, s.shard, err)
		}
		recs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return 0, fmt.Errorf("reading the journal of %s shard %d: %w", s.id, s.shard, err)
		}
		s.r = bytes.NewReader(bytes.Join(recs, nil))
	}
	return s.r.Read(p)
}

func (s *journalStore) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.queued = append(s.queued, bytes.Clone(p))
	s.mu.Unlock()
	return len(p), nil
}

func (s *journalStore) Sync() error {
	s.mu.Lock()
	recs := s.queued
	s.queued = nil
	s.mu.Unlock()
	if len(recs) == 0 {
		return nil
	}
	err := pgx.BeginFunc(s.ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(s.ctx, `INSERT INTO onboard_journal (import_id, shard, record) SELECT $1, $2, unnest($3::bytea[])`, s.id, s.shard, recs); err != nil {
			return err
		}
		if s.onSync != nil {
			s.onSync()
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("writing the journal of %s shard %d: %w", s.id, s.shard, err)
		s.mu.Lock()
		s.failed = cmp.Or(s.failed, err)
		s.mu.Unlock()
	}
	return err
}

// failure returns the error of the first Sync that failed, if any.
func (s *journalStore) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}
