package crmstore

import (
	"context"
	"fmt"
	"testing"
)

// writerAutoCheckpoint reads the writer connection's checkpoint interval.
func writerAutoCheckpoint(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.w.QueryRow("PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// importRows writes n new contacts as one import batch.
func importRows(t *testing.T, s *Store, from, n int) {
	t.Helper()
	rows := make([]ImportRow, n)
	for i := range rows {
		email := fmt.Sprintf("bulk%d@example.com", from+i)
		rows[i] = ImportRow{Key: email, Properties: map[string]string{"email": email, "firstname": "Bulk"}}
	}
	b := ImportBatch{Source: Source{Type: SourceImport, ID: "1"}, Parts: []ImportPart{{Object: "contacts",
		Operation: ImportUpsert, MatchProperty: "email", Rows: rows}}}
	s.PrepareImportBatch(&b)
	res, err := s.WriteImportBatch(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Parts[0] {
		if r.Outcome != OutcomeCreated {
			t.Fatalf("row %d: %s %v", i, r.Outcome, r.Err)
		}
	}
}

func TestBulkLoad_CheckpointsBesideTheWriter(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if n := writerAutoCheckpoint(t, s); n != 8000 {
		t.Fatalf("writer checkpoints every %d pages before a bulk load, want 8000", n)
	}
	endA, err := s.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	endB, err := s.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := writerAutoCheckpoint(t, s); n != 0 {
		t.Fatalf("writer checkpoints every %d pages during a bulk load, want 0 (off)", n)
	}
	bl := s.activeBulkLoad()
	for i := range 3 {
		importRows(t, s, i*300, 300)
	}
	bl.checkpointNow(ctx)
	if pages := bl.walPages.Load(); pages <= 0 {
		t.Fatalf("the checkpointer saw a WAL of %d pages after writes", pages)
	}
	if p := bl.err.Load(); p != nil {
		t.Fatalf("checkpoint failed: %v", *p)
	}
	if err := endA(); err != nil {
		t.Fatal(err)
	}
	if err := endA(); err != nil { // a second call is a no-op
		t.Fatal(err)
	}
	if n := writerAutoCheckpoint(t, s); n != 0 {
		t.Fatalf("one of two bulk loads ended: writer checkpoints every %d pages, want still 0", n)
	}
	if err := endB(); err != nil {
		t.Fatal(err)
	}
	if n := writerAutoCheckpoint(t, s); n != 8000 {
		t.Fatalf("after the bulk loads the writer checkpoints every %d pages, want 8000 again", n)
	}
	if s.activeBulkLoad() != nil {
		t.Fatal("checkpointer still registered after the last bulk load ended")
	}
	n, err := s.ListRecords(ctx, "contacts", ListOptions{Limit: 1})
	if err != nil || len(n.Records) != 1 {
		t.Fatalf("records after the bulk load: %v %v", n, err)
	}
}

func TestBulkLoad_WritesOutsideOneAreUnaffected(t *testing.T) {
	s := newTestStore(t)
	var bl *bulkLoad // no bulk load: both hooks do nothing
	bl.beforeBulkWrite(context.Background())
	bl.afterBulkWrite()
	importRows(t, s, 0, 10)
	if n := writerAutoCheckpoint(t, s); n != 8000 {
		t.Fatalf("writer checkpoints every %d pages, want 8000", n)
	}
}

func TestBulkLoad_WaitsForAFullCheckpointPastTheLimit(t *testing.T) {
	bl := &bulkLoad{walLimit: 10, full: make(chan chan struct{}), done: make(chan struct{})}
	requests := make(chan int)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		n := 0
		for {
			select {
			case reply := <-bl.full:
				n++
				close(reply)
			case requests <- n:
			case <-stop:
				return
			}
		}
	}()
	ctx := context.Background()
	for _, tc := range []struct {
		pages int64
		want  int
	}{{0, 0}, {9, 0}, {10, 1}, {5000, 2}, {3, 2}} {
		bl.walPages.Store(tc.pages)
		bl.beforeBulkWrite(ctx)
		if got := <-requests; got != tc.want {
			t.Errorf("WAL of %d pages (limit 10): %d full checkpoints so far, want %d", tc.pages, got, tc.want)
		}
	}
	// A canceled write does not wait for the checkpointer.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	idle := &bulkLoad{walLimit: 1, full: make(chan chan struct{}), done: make(chan struct{})}
	idle.walPages.Store(2)
	idle.beforeBulkWrite(canceled)
}

func TestBulkLoad_CloseStopsTheCheckpointer(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	end, err := s.BeginBulkLoad(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	importRows(t, s, 0, 50)
	if err := s.Close(); err != nil {
		t.Fatalf("close during a bulk load: %v", err)
	}
	if err := end(); err != nil {
		t.Fatalf("ending a bulk load after close: %v", err)
	}
	// The rows written during the bulk load are in the database.
	s2, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	page, err := s2.ListRecords(context.Background(), "contacts", ListOptions{Limit: 100})
	if err != nil || len(page.Records) != 50 {
		t.Fatalf("after reopening: %d records, %v; want 50", len(page.Records), err)
	}
}
