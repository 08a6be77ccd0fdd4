package crmstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// openCopy opens the database file at path as the store of a fresh data directory.
func openCopy(t *testing.T, path string) *Store {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, DatabaseFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// integrityOK runs PRAGMA integrity_check on the store.
func integrityOK(t *testing.T, s *Store) {
	t.Helper()
	var res []string
	if err := s.r.Select(&res, "PRAGMA integrity_check"); err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0] != "ok" {
		t.Fatalf("integrity_check: %q", res)
	}
}

func TestBackup_WhileWritesAreInFlight(t *testing.T) {
	// Small steps, so the copy takes many steps and writers restart it.
	defer func(p int) { backupStepPages = p }(backupStepPages)
	backupStepPages = 4

	ctx := context.Background()
	s := newTestStore(t)
	const batch = 10
	var (
		mu        sync.Mutex
		committed []int64 // ids of records whose create returned
		batches   atomic.Int64
	)
	createBatch := func(w, n int) error {
		in := make([]map[string]string, batch)
		for i := range in {
			in[i] = map[string]string{"firstname": fmt.Sprintf("w%d-b%d-%d", w, n, i), "lastname": "Batch", "jobtitle": strings.Repeat("x", 200)}
		}
		res, err := s.CreateRecords(ctx, "contacts", in, Source{})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range res {
			if r.Err != nil {
				return r.Err
			}
			committed = append(committed, r.Record.ID)
		}
		batches.Add(1)
		return nil
	}
	// A few hundred pages to copy before the writers start.
	for n := range 30 {
		if err := createBatch(99, n); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := createBatch(w, n); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	// Let the writers get going.
	for batches.Load() < 40 {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := append([]int64(nil), committed...)
	mu.Unlock()

	path := filepath.Join(t.TempDir(), "backup.db")
	info, err := s.Backup(ctx, path, BackupOptions{})
	afterBackup := batches.Load()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("writer: %v", err)
	}
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	t.Logf("backup of %d bytes at seq %d in %v; %d batches committed by its end", info.SizeBytes, info.LastChangeSeq, info.Duration, afterBackup)

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if info.Path != path || info.SizeBytes != fi.Size() || info.LastChangeSeq == 0 || info.MigrationVersion != latestMigration() {
		t.Errorf("info = %+v", info)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("backup left %s beside the copy", path+suffix)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".backup.db.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	cp := openCopy(t, path)
	integrityOK(t, cp)
	seq, err := cp.LastChangeSeq(ctx)
	if err != nil || seq != info.LastChangeSeq {
		t.Errorf("copy's change-log seq = %d, %v; backup reported %d", seq, err, info.LastChangeSeq)
	}

	// Every record committed before the backup started is in the copy.
	ids := make([]string, 0, len(before))
	for _, id := range before {
		ids = append(ids, fmt.Sprint(id))
	}
	for len(ids) > 0 {
		n := min(len(ids), MaxBatch)
		got, err := cp.GetRecords(ctx, "contacts", ids[:n], GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids[:n] {
			if got[id] == nil {
				t.Errorf("record %s, committed before the backup started, is missing from the copy", id)
			}
		}
		ids = ids[n:]
	}

	// Every record in the copy is complete, and only whole batches are in it.
	total := 0
	for after := int64(0); ; {
		page, err := cp.ListRecords(ctx, "contacts", ListOptions{Limit: 100, After: after, Properties: []string{"firstname", "lastname", "jobtitle"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			if r.Properties["firstname"] == "" || r.Properties["lastname"] != "Batch" || len(r.Properties["jobtitle"]) != 200 {
				t.Errorf("record %d is incomplete: %v", r.ID, r.Properties)
			}
		}
		total += len(page.Records)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if total%batch != 0 || total < len(before) {
		t.Errorf("copy holds %d records: want a multiple of %d, at least %d", total, batch, len(before))
	}
	var creates int
	if err := cp.r.Get(&creates, "SELECT COUNT(*) FROM change_log WHERE op = ?", OpCreate); err != nil {
		t.Fatal(err)
	}
	if creates != total {
		t.Errorf("copy holds %d records but %d create rows in its change log", total, creates)
	}
	counts, err := cp.RecordCounts(ctx)
	if err != nil || counts["contacts"] != int64(total) {
		t.Errorf("RecordCounts = %v, %v; want contacts %d", counts, err, total)
	}
}

func TestBackup_RefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"firstname": "Ada"}, Source{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(ctx, path, BackupOptions{}); !errors.Is(err, ErrBackupExists) {
		t.Fatalf("backup over an existing file: %v, want ErrBackupExists", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "keep me" {
		t.Fatalf("existing file changed: %q", data)
	}
	info, err := s.Backup(ctx, path, BackupOptions{Overwrite: true})
	if err != nil {
		t.Fatalf("backup with Overwrite: %v", err)
	}
	if info.LastChangeSeq != 1 {
		t.Errorf("info = %+v", info)
	}
	integrityOK(t, openCopy(t, path))
	if _, err := s.Backup(ctx, s.Path(), BackupOptions{Overwrite: true}); err == nil {
		t.Error("backup onto the store's own file succeeded")
	}
	if _, err := s.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "b.db"), BackupOptions{}); err == nil {
		t.Error("backup into a missing directory succeeded")
	}
}

func TestBackup_Cancelled(t *testing.T) {
	s := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "backup.db")
	if _, err := s.Backup(ctx, path, BackupOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled backup: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Errorf("cancelled backup left files: %v", entries)
	}
}

func TestRestore_RoundTrip(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	s, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "kept@example.com"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	binfo, err := s.Backup(ctx, backup, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Changes after the backup, which the restore undoes.
	lost, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "lost@example.com"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	backupBytes, _ := os.ReadFile(backup)

	info, aside, err := Restore(ctx, dataDir, backup)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	dbPath := filepath.Join(dataDir, DatabaseFile)
	if info.Path != dbPath || info.LastChangeSeq != binfo.LastChangeSeq || info.MigrationVersion != latestMigration() {
		t.Errorf("info = %+v, backup was %+v", info, binfo)
	}
	if !strings.HasPrefix(aside, dbPath+".pre-restore-") {
		t.Errorf("moved aside to %q", aside)
	}
	fi, err := os.Stat(dbPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("restored database: %v, %v", fi, err)
	}
	if after, _ := os.ReadFile(backup); string(after) != string(backupBytes) {
		t.Error("restore changed the backup file")
	}
	entries, _ := os.ReadDir(dataDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 { // tandem.db and the one moved aside: no -wal, -shm or temporary file
		t.Errorf("data directory holds %v", names)
	}

	// The store moved aside holds everything, its WAL folded in.
	old := openCopy(t, aside)
	if _, err := old.GetRecord(ctx, "contacts", fmt.Sprint(lost.ID), GetOptions{}); err != nil {
		t.Errorf("the store moved aside lost a record: %v", err)
	}

	r, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatalf("open the restored store: %v", err)
	}
	defer r.Close()
	integrityOK(t, r)
	if _, err := r.GetRecord(ctx, "contacts", fmt.Sprint(kept.ID), GetOptions{}); err != nil {
		t.Errorf("record from before the backup: %v", err)
	}
	if _, err := r.GetRecord(ctx, "contacts", fmt.Sprint(lost.ID), GetOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("record from after the backup: %v, want not found", err)
	}
	// The restored store takes writes, and the unique email of the lost record is free again.
	if _, err := r.CreateRecord(ctx, "contacts", map[string]string{"email": "lost@example.com"}, Source{}); err != nil {
		t.Errorf("write to the restored store: %v", err)
	}
}

func TestRestore_IntoEmptyDataDir(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := s.Backup(ctx, backup, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "new")
	_, aside, err := Restore(ctx, dataDir, backup)
	if err != nil || aside != "" {
		t.Fatalf("restore into an empty data directory: %q, %v", aside, err)
	}
	r, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

func TestRestore_RefusedWhileTheStoreIsInUse(t *testing.T) {
	defer func(d time.Duration) { restoreBusyTimeout = d }(restoreBusyTimeout)
	restoreBusyTimeout = 50 * time.Millisecond

	ctx := context.Background()
	dataDir := t.TempDir()
	s, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"firstname": "Live"}, Source{}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := s.Backup(ctx, backup, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dataDir)

	// The store is open and idle, as a running daemon's is.
	_, _, err = Restore(ctx, dataDir, backup)
	if !errors.Is(err, ErrStoreInUse) {
		t.Fatalf("restore while the store is open: %v, want ErrStoreInUse", err)
	}
	after, _ := os.ReadDir(dataDir)
	if len(after) != len(before) {
		t.Errorf("refused restore changed the data directory: %v -> %v", before, after)
	}
	// The store still works.
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"firstname": "Still"}, Source{}); err != nil {
		t.Errorf("store after the refused restore: %v", err)
	}
}

func TestRestore_RefusesWhatIsNotATandemStore(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	s, err := Open(ctx, dataDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"firstname": "Keep"}, Source{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	dbBefore, _ := os.ReadFile(filepath.Join(dataDir, DatabaseFile))

	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	// An SQLite database, but not a Tandem store.
	other := filepath.Join(dir, "other.db")
	func() {
		db, err := Open(ctx, t.TempDir(), Options{}) // just for a handle on the driver
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.w.Exec("ATTACH DATABASE ? AS other", other); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.Exec("CREATE TABLE other.things (id INTEGER PRIMARY KEY, name TEXT)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.Exec("DETACH DATABASE other"); err != nil {
			t.Fatal(err)
		}
	}()
	// A Tandem store from a newer binary.
	newer := filepath.Join(dir, "newer.db")
	func() {
		d := t.TempDir()
		n, err := Open(ctx, d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.w.Exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, 'future.sql', 0)", latestMigration()+1); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Backup(ctx, newer, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		n.Close()
	}()

	for _, tc := range []struct{ name, path, want string }{
		{"text file", text, "not a database"},
		{"other SQLite database", other, "no Tandem schema"},
		{"newer store", newer, fmt.Sprintf("migration version %d", latestMigration()+1)},
	} {
		_, _, err := Restore(ctx, dataDir, tc.path)
		if !errors.Is(err, ErrNotAStore) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: restore = %v, want ErrNotAStore mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, _, err := Restore(ctx, dataDir, filepath.Join(dir, "missing.db")); err == nil {
		t.Error("restore of a missing file succeeded")
	}
	entries, _ := os.ReadDir(dataDir)
	if len(entries) != 1 {
		t.Errorf("refused restores left files in the data directory: %v", entries)
	}
	if dbAfter, _ := os.ReadFile(filepath.Join(dataDir, DatabaseFile)); string(dbAfter) != string(dbBefore) {
		t.Error("refused restores changed the store")
	}
}
