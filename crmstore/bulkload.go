package crmstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
)

// A bulk load (an import) commits hundreds of large transactions in a row.
// With SQLite's automatic checkpoints the committing connection copies the
// WAL into the database itself, so every few batches the writer stopped to
// copy and sync tens of megabytes. During a bulk load the writer's automatic
// checkpoints are off and a checkpointer goroutine, on its own connection,
// copies the WAL after each commit while the writer goes on with the next
// batch. Durability is unchanged: commits still go to the WAL exactly as
// before (WAL mode, synchronous=NORMAL), only the copy moved.

// bulkWALPages is how large (in pages) the WAL may grow during a bulk load
// before the writer waits for a complete checkpoint, so that its next
// transaction starts the WAL over instead of growing it without bound.
const bulkWALPages = 16384 // 64 MB of 4 KB pages

// bulkCheckpointEvery is how many bulk commits one background checkpoint
// covers. Each checkpoint syncs the WAL and the database; once per commit
// synced hundreds of times in a million-row import.
const bulkCheckpointEvery = 4

// bulkLoad is the checkpointer shared by the bulk loads running at a time.
type bulkLoad struct {
	refs int
	db   *sql.DB
	// kick asks for a checkpoint after a commit; full asks for one and
	// is answered when it is done.
	kick chan struct{}
	full chan chan struct{}
	stop chan struct{}
	done chan struct{}
	// walPages is the WAL's size in pages as the last checkpoint saw it;
	// past walLimit (bulkWALPages) the writer waits for a full checkpoint.
	walPages atomic.Int64
	walLimit int64
	// err is the last checkpoint error, reported when the load ends.
	err atomic.Pointer[error]
}

// BeginBulkLoad prepares the store for a long series of large write
// transactions, such as an import, and returns the function that ends it.
// Bulk loads may overlap; the store goes back to its normal settings when
// the last one ends. Ending returns the first checkpoint problem seen, which
// costs only speed: the data is safe in the WAL either way.
func (s *Store) BeginBulkLoad(ctx context.Context) (end func() error, err error) {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	if s.bulk == nil {
		bl, err := s.startBulkLoad(ctx)
		if err != nil {
			return nil, err
		}
		s.bulk = bl
	}
	s.bulk.refs++
	var once atomic.Bool
	return func() error {
		if !once.CompareAndSwap(false, true) {
			return nil
		}
		return s.endBulkLoad()
	}, nil
}

// startBulkLoad opens the checkpointer's connection and turns the writer's
// automatic checkpoints off.
func (s *Store) startBulkLoad(ctx context.Context) (*bulkLoad, error) {
	db, err := sql.Open(sqliteDriver, s.dsn(""))
	if err != nil {
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	if err := s.writerPragma(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		db.Close()
		return nil, err
	}
	bl := &bulkLoad{db: db, walLimit: bulkWALPages, kick: make(chan struct{}, 1), full: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
	go bl.run()
	return bl, nil
}

// endBulkLoad drops one reference; the last one checkpoints what is left,
// stops the checkpointer and restores the writer's settings.
func (s *Store) endBulkLoad() error {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	bl := s.bulk
	if bl == nil {
		return nil
	}
	if bl.refs--; bl.refs > 0 {
		return nil
	}
	s.bulk = nil
	close(bl.stop)
	<-bl.done
	var errs []error
	if p := bl.err.Load(); p != nil {
		errs = append(errs, *p)
	}
	errs = append(errs, bl.db.Close())
	errs = append(errs, s.writerPragma(context.Background(), autoCheckpointPragma))
	return errors.Join(errs...)
}

// writerPragma runs a connection setting on the writer between transactions.
func (s *Store) writerPragma(ctx context.Context, pragma string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.w.ExecContext(ctx, pragma); err != nil {
		return fmt.Errorf("configure writer (%s): %w", pragma, err)
	}
	return nil
}

// activeBulkLoad returns the running checkpointer, nil outside bulk loads.
func (s *Store) activeBulkLoad() *bulkLoad {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	return s.bulk
}

// beforeBulkWrite is called before a bulk write transaction: when the WAL
// has grown past walLimit it waits for a complete checkpoint, so the
// transaction restarts the WAL from its beginning.
func (bl *bulkLoad) beforeBulkWrite(ctx context.Context) {
	if bl == nil || bl.walPages.Load() < bl.walLimit {
		return
	}
	bl.checkpointNow(ctx)
}

// checkpointNow has the checkpointer run once more and waits until it has.
func (bl *bulkLoad) checkpointNow(ctx context.Context) {
	reply := make(chan struct{})
	select {
	case bl.full <- reply:
	case <-bl.done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-reply:
	case <-ctx.Done():
	}
}

// afterBulkWrite asks for a checkpoint of what the write just committed.
func (bl *bulkLoad) afterBulkWrite() {
	if bl == nil {
		return
	}
	select {
	case bl.kick <- struct{}{}:
	default: // one is pending already
	}
}

// run checkpoints on request until stopped, then once more.
func (bl *bulkLoad) run() {
	defer close(bl.done)
	commits := 0
	for {
		select {
		case <-bl.stop:
			bl.checkpoint()
			return
		case <-bl.kick:
			if commits++; commits%bulkCheckpointEvery == 0 {
				bl.checkpoint()
			}
		case reply := <-bl.full:
			bl.checkpoint()
			close(reply)
		}
	}
}

// checkpoint copies the committed WAL into the database without waiting
// for readers or the writer (PASSIVE) and notes the WAL's size.
func (bl *bulkLoad) checkpoint() {
	var busy, logPages, copied int64
	err := bl.db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &copied)
	if err != nil {
		err = fmt.Errorf("checkpoint during bulk load: %w", err)
		bl.err.CompareAndSwap(nil, &err)
		return
	}
	bl.walPages.Store(logPages)
}
