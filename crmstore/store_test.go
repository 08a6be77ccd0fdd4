package crmstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is an injected clock that tests advance by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func openTestStore(t testing.TB) (*Store, *testClock) {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "data"), Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

func TestOpenCreatesPrivateFilesAndMigrates(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, want 0700", st.Mode().Perm())
	}
	fst, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fst.Mode().Perm() != 0o600 {
		t.Errorf("database mode = %v, want 0600", fst.Mode().Perm())
	}
	var mode string
	if err := s.r.Get(&mode, "PRAGMA journal_mode"); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var fk int
	if err := s.w.Get(&fk, "PRAGMA foreign_keys"); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
	v, err := s.MigrationVersion(ctx)
	if err != nil || v != latestMigration() || v == 0 {
		t.Errorf("migration version = %d (%v), want %d", v, err, latestMigration())
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	if first, err := s.Migrate(ctx); err != nil || len(first) != latestMigration() {
		t.Errorf("new store reports applied %v (%v), want every migration", first, err)
	}
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "a@example.com"}, Source{}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Reopening applies nothing new and keeps the data and the catalogue as it was.
	s2, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	applied, err := s2.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Errorf("second migrate applied %v (%v), want nothing", applied, err)
	}
	if _, err := s2.GetRecord(ctx, "contacts", "a@example.com", GetOptions{IDProperty: "email"}); err != nil {
		t.Errorf("record lost on reopen: %v", err)
	}
	var props int
	if err := s2.r.Get(&props, "SELECT COUNT(*) FROM properties WHERE name = 'email'"); err != nil || props != 1 {
		t.Errorf("email property rows = %d (%v), want 1 (seeding must be idempotent)", props, err)
	}
}

func TestOpenRefusesCorruptDatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, DatabaseFile), []byte("this is not a database, just text that is long enough"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	if err == nil {
		t.Fatal("open of a corrupt file succeeded")
	}
}

func TestObjectsAddressableByNameAndID(t *testing.T) {
	s, _ := openTestStore(t)
	c := s.catalog()
	for _, tc := range []struct{ ref, name string }{
		{"contacts", "contacts"}, {"0-1", "contacts"}, {"COMPANIES", "companies"}, {"0-2", "companies"},
		{"0-3", "deals"}, {"0-5", "tickets"}, {"0-7", "products"}, {"0-8", "line_items"},
		{"0-27", "tasks"}, {"0-46", "notes"}, {"0-47", "meetings"}, {"0-48", "calls"}, {"0-49", "emails"},
	} {
		o, err := c.object(tc.ref)
		if err != nil || o.Name != tc.name {
			t.Errorf("object(%q) = %v, %v; want %s", tc.ref, o, err, tc.name)
		}
	}
	if _, err := c.object("widgets"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown object: err = %v, want not found", err)
	}
}

func TestChangeLogRollsBackWithItsTransaction(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com"})
	before, _ := s.LastChangeSeq(ctx)
	boom := errors.New("boom")
	err := s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(t.ctx, "UPDATE records SET updated_at = updated_at + 1 WHERE id = ?", a.ID); err != nil {
			return err
		}
		if err := t.logChanges(pendingChange{objectOID: 1, recordID: a.ID, op: OpUpdate}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update returned %v", err)
	}
	if after, _ := s.LastChangeSeq(ctx); after != before {
		t.Errorf("a rolled-back transaction left change-log rows (seq %d -> %d)", before, after)
	}
	// A merge that fails part-way (unknown record) logs nothing either.
	if _, err := s.MergeRecords(ctx, "contacts", a.ID, 999999, Source{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("merge with a missing record: %v", err)
	}
	if after, _ := s.LastChangeSeq(ctx); after != before {
		t.Errorf("a failed merge logged changes")
	}
}

// TestSkipQuickCheck: a store whose records b-tree is damaged is refused at Open by the quick
// check, and opens with SkipQuickCheck (the damage is then met only where it is read).
func TestSkipQuickCheck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	inputs := make([]map[string]string, 100)
	for batch := 0; batch < 20; batch++ {
		for i := range inputs {
			inputs[i] = map[string]string{"email": fmt.Sprintf("c%d-%d@example.com", batch, i), "firstname": strings.Repeat("x", 200)}
		}
		if _, err := s.CreateRecords(ctx, "contacts", inputs, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	var root, pageSize int64
	if err := s.r.Get(&root, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'records'"); err != nil {
		t.Fatal(err)
	}
	if err := s.r.Get(&pageSize, "PRAGMA page_size"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, DatabaseFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, pageSize), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	if s, err := Open(ctx, dir, Options{}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		if err != nil {
			t.Fatalf("open with the quick check: %v, want the store reported corrupt", err)
		}
		s.Close()
		t.Fatal("open with the quick check accepted a damaged store")
	}
	s, err = Open(ctx, dir, Options{SkipQuickCheck: true})
	if err != nil {
		t.Fatalf("open without the quick check: %v", err)
	}
	s.Close()
}
