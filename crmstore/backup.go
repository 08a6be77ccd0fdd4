package crmstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Errors of Backup and Restore, for errors.Is.
var (
	// ErrBackupExists: the backup file exists and overwriting was not asked for.
	ErrBackupExists = errors.New("backup file already exists")
	// ErrStoreInUse: another connection (a running daemon, a CLI command) has the store open.
	ErrStoreInUse = errors.New("the store is in use")
	// ErrNotAStore: the file to restore is not a Tandem store this binary can open.
	ErrNotAStore = errors.New("not a Tandem store")
)

// Tuning of the online backup. Variables so tests can make the steps small.
var (
	// backupStepPages is how many pages one backup step copies (4 MiB at SQLite's default
	// 4 KiB page).
	backupStepPages = 1024
	// backupMaxRestarts is how many times the stepwise copy may restart because a writer
	// changed the database between steps before the rest is copied in one step.
	backupMaxRestarts = 3
	// busyPause is the pause after a step that could not proceed because of a lock.
	busyPause = 10 * time.Millisecond
	// restoreBusyTimeout is how long Restore waits for other connections to let go of the
	// store before it reports ErrStoreInUse.
	restoreBusyTimeout = time.Second
)

// BackupOptions tunes Backup. The zero value is valid.
type BackupOptions struct {
	// Overwrite replaces an existing file at the destination. Without it Backup refuses
	// with ErrBackupExists.
	Overwrite bool
}

// BackupInfo describes a backup copy written by Backup, or a store put in place by Restore.
type BackupInfo struct {
	// Path is the absolute path of the copy.
	Path string `json:"path"`
	// SizeBytes is its size on disk.
	SizeBytes int64 `json:"sizeBytes"`
	// LastChangeSeq is the change-log position the copy holds: every change up to and
	// including it, none after it.
	LastChangeSeq int64 `json:"lastChangeSeq"`
	// MigrationVersion is the copy's schema version.
	MigrationVersion int `json:"migrationVersion"`
	// Duration is how long the copy took, verification included.
	Duration time.Duration `json:"duration"`
}

// Backup writes a consistent copy of the store to path while the store stays in use, with
// SQLite's online backup API, and verifies it with PRAGMA integrity_check. The copy is one
// self-contained file (rollback-journal mode, no -wal file to go with it) created with mode
// 0600; it is written to a temporary file next to path and moved into place only once
// verified, so a failed backup never leaves a partial file at path.
//
// The copy is a snapshot of one committed state of the database: it holds every
// transaction committed before the final copy step began and none of those committed after.
// In WAL mode readers never block the writer, so writes go on while the copy is made. The
// copy is made in steps of a few megabytes, checking ctx between steps; if writers change
// the database between steps, SQLite restarts the copy, and after a few restarts the rest
// is copied in one step (one read snapshot), so a busy store is still backed up.
func (s *Store) Backup(ctx context.Context, path string, opts BackupOptions) (info BackupInfo, err error) {
	start := time.Now()
	if path, err = filepath.Abs(path); err != nil {
		return info, err
	}
	if fi, err := os.Stat(path); err == nil {
		if !opts.Overwrite {
			return info, fmt.Errorf("%s: %w (pass --force to overwrite it)", path, ErrBackupExists)
		}
		if !fi.Mode().IsRegular() {
			return info, fmt.Errorf("%s is not a regular file", path)
		}
		if self, err := os.Stat(s.path); err == nil && os.SameFile(fi, self) {
			return info, fmt.Errorf("%s is the store's own database file", path)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return info, err
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return info, fmt.Errorf("create backup file: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			removeDatabaseFiles(tmpPath)
		}
	}()

	if err = s.copyTo(ctx, tmpPath); err != nil {
		return info, err
	}
	if info, err = verifyStore(ctx, tmpPath, false); err != nil {
		return info, fmt.Errorf("verify backup: %w", err)
	}
	if err = syncFile(tmpPath); err != nil {
		return info, err
	}
	if err = placeFile(tmpPath, path, opts.Overwrite); err != nil {
		return info, err
	}
	_ = syncDir(dir) // best effort: the data itself is synced
	info.Path = path
	info.Duration = time.Since(start)
	return info, nil
}

// copyTo copies the database into the empty file dst with the online backup API.
func (s *Store) copyTo(ctx context.Context, dst string) error {
	dstDB, err := sql.Open(sqliteDriver, sqliteURI(dst, "_busy_timeout=5000"))
	if err != nil {
		return fmt.Errorf("open backup file: %w", err)
	}
	defer dstDB.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open backup file: %w", err)
	}
	defer dstConn.Close()
	// A reader of the pool is the source: in WAL mode it never blocks the writer.
	srcConn, err := s.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open store for backup: %w", err)
	}
	defer srcConn.Close()

	return dstConn.Raw(func(dc any) error {
		d, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("backup: unexpected driver connection %T", dc)
		}
		return srcConn.Raw(func(sc any) error {
			src, ok := sc.(*sqlite3.SQLiteConn)
			if !ok {
				return fmt.Errorf("backup: unexpected driver connection %T", sc)
			}
			b, err := d.Backup("main", src, "main")
			if err != nil {
				return fmt.Errorf("start backup: %w", err)
			}
			if err := stepBackup(ctx, b); err != nil {
				_ = b.Finish()
				return err
			}
			if err := b.Finish(); err != nil {
				return fmt.Errorf("finish backup: %w", err)
			}
			return nil
		})
	})
}

// stepBackup runs the backup to completion: in steps of backupStepPages pages while that
// makes progress, then, after backupMaxRestarts restarts caused by writers, in one step.
func stepBackup(ctx context.Context, b *sqlite3.SQLiteBackup) error {
	restarts, last := 0, -1
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("backup cancelled: %w", err)
		}
		n := backupStepPages
		if restarts >= backupMaxRestarts {
			n = -1
		}
		done, err := b.Step(n)
		if err != nil {
			return fmt.Errorf("backup step: %w", err)
		}
		if done {
			return nil
		}
		rem := b.Remaining()
		if last >= 0 && rem >= last {
			// No progress: the copy restarted after a write, or a lock held it up.
			restarts++
			time.Sleep(busyPause)
		}
		last = rem
	}
}

// verifyStore checks that the database file at path is a Tandem store: an SQLite database
// that passes PRAGMA integrity_check and has the store's tables; forRestore also requires a
// migration version this binary knows, and wraps every failure in ErrNotAStore. It switches the file to rollback-journal mode so it is
// self-contained (no -wal or -shm file goes with it), which only a file no one else has open
// allows; path must be a private copy. It returns the copy's size, change-log position and
// migration version.
func verifyStore(ctx context.Context, path string, forRestore bool) (BackupInfo, error) {
	info := BackupInfo{Path: path}
	db, err := sql.Open(sqliteDriver, sqliteURI(path, "mode=rw&_busy_timeout=5000"))
	if err != nil {
		return info, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	notStore := func(format string, args ...any) error {
		if forRestore {
			return fmt.Errorf("%w: %s", ErrNotAStore, fmt.Sprintf(format, args...))
		}
		return fmt.Errorf(format, args...)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return info, notStore("%v", err)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return info, notStore("integrity check: %v", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return info, err
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return info, notStore("integrity check: %v", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		if len(problems) > 5 {
			problems = append(problems[:5], "...")
		}
		return info, notStore("integrity check failed: %s", strings.Join(problems, "; "))
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
		AND name IN ('schema_migrations', 'object_types', 'records', 'change_log')`).Scan(&tables); err != nil {
		return info, notStore("%v", err)
	}
	if tables != 4 {
		return info, notStore("the database has no Tandem schema")
	}
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&info.MigrationVersion); err != nil {
		return info, notStore("read migration version: %v", err)
	}
	// A backup copies whatever the store holds; only a restore must be able to open it.
	if latest := latestMigration(); forRestore && (info.MigrationVersion < 1 || info.MigrationVersion > latest) {
		return info, notStore("migration version %d, this binary knows versions 1 to %d", info.MigrationVersion, latest)
	}
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM change_log").Scan(&info.LastChangeSeq); err != nil {
		return info, notStore("read change-log position: %v", err)
	}
	if err := db.Close(); err != nil {
		return info, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return info, err
	}
	info.SizeBytes = fi.Size()
	return info, nil
}

// Restore replaces the store in dataDir with the store in the file from (a file written by
// Backup, or the database file of a cleanly stopped store). It must run with the daemon
// stopped: it refuses with ErrStoreInUse when any other connection has the store open. It
// checks from is a Tandem store with a migration version this binary knows (ErrNotAStore
// otherwise), moves the current database aside as tandem.db.pre-restore-<UTC timestamp>
// (its write-ahead log is folded into it first, so that one file holds every committed
// change) and puts a copy of from in its place with mode 0600. from itself is not changed.
// A store of an older migration version is migrated by the next Open.
func Restore(ctx context.Context, dataDir, from string) (info BackupInfo, aside string, err error) {
	start := time.Now()
	src, err := os.Stat(from)
	if err != nil {
		return info, "", err
	}
	if !src.Mode().IsRegular() {
		return info, "", fmt.Errorf("%s is not a regular file", from)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return info, "", fmt.Errorf("create data directory: %w", err)
	}
	dbPath, err := filepath.Abs(filepath.Join(dataDir, DatabaseFile))
	if err != nil {
		return info, "", err
	}
	if cur, err := os.Stat(dbPath); err == nil && os.SameFile(src, cur) {
		return info, "", fmt.Errorf("%s is the store's own database file", from)
	}

	tmp, err := os.CreateTemp(filepath.Dir(dbPath), "."+DatabaseFile+".restore-*") // mode 0600
	if err != nil {
		return info, "", fmt.Errorf("create restore file: %w", err)
	}
	tmpPath := tmp.Name()
	placed := false
	defer func() {
		if !placed {
			removeDatabaseFiles(tmpPath)
		}
	}()
	if err := copyFile(tmp, from); err != nil {
		return info, "", err
	}
	if info, err = verifyStore(ctx, tmpPath, true); err != nil {
		return info, "", fmt.Errorf("%s: %w", from, err)
	}
	if err := syncFile(tmpPath); err != nil {
		return info, "", err
	}

	// Only now touch the current store, once from is known to be good.
	if err := claimStore(ctx, dbPath); err != nil {
		return info, "", err
	}
	if aside, err = moveAside(dbPath, time.Now()); err != nil {
		return info, "", err
	}
	if err := os.Rename(tmpPath, dbPath); err != nil {
		return info, aside, fmt.Errorf("put the restored store in place: %w", err)
	}
	placed = true
	_ = syncDir(filepath.Dir(dbPath))
	info.Path = dbPath
	info.Duration = time.Since(start)
	return info, aside, nil
}

// claimStore checks that no other connection has the database at path open, and folds its
// write-ahead log into it. A connection to a database in WAL mode holds a shared lock on the
// database file for as long as it is open, so switching the database out of WAL mode, which
// needs an exclusive lock, fails while anyone else has it open, even idle. A missing
// database is fine.
func claimStore(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := sql.Open(sqliteDriver, sqliteURI(path, fmt.Sprintf("mode=rw&_busy_timeout=%d", restoreBusyTimeout.Milliseconds())))
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	err = db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode)
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return fmt.Errorf("%w: another process has %s open; stop tandem serve (systemctl stop tandem) and try again", ErrStoreInUse, path)
	}
	if err != nil {
		return fmt.Errorf("check that the store %s is not in use: %w", path, err)
	}
	if mode != "delete" {
		return fmt.Errorf("%w: could not take %s out of WAL mode (journal mode %q); another process may have it open", ErrStoreInUse, path, mode)
	}
	return db.Close()
}

// moveAside renames the database at path and any -wal, -shm or -journal file beside it to
// path.pre-restore-<timestamp>[-wal|-shm|-journal]. It returns the new name of the database, or
// "" when there was none.
func moveAside(path string, now time.Time) (string, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	base := path + ".pre-restore-" + now.UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.%d", base, i)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Rename(path+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("move %s aside: %w", path+suffix, err)
		}
	}
	if err := os.Rename(path, aside); err != nil {
		return "", fmt.Errorf("move %s aside: %w", path, err)
	}
	return aside, nil
}

// placeFile moves the finished file tmp to path: over an existing file when overwrite is set,
// else only if path does not exist (a hard link fails if it does; where links are not
// supported the existence check and the rename are not atomic).
func placeFile(tmp, path string, overwrite bool) error {
	if overwrite {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("move backup into place: %w", err)
		}
		return nil
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s: %w (pass --force to overwrite it)", path, ErrBackupExists)
	}
	if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%s: %w (pass --force to overwrite it)", path, ErrBackupExists)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("move backup into place: %w", err)
	}
	return nil
}

// copyFile copies the file at from into dst, syncs and closes dst.
func copyFile(dst *os.File, from string) error {
	in, err := os.Open(from)
	if err != nil {
		dst.Close()
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		dst.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// removeDatabaseFiles removes a database file and the files SQLite keeps beside it.
func removeDatabaseFiles(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// sqliteURI is a file: URI for path with the query params (SQLite's own and the driver's
// _-prefixed ones). The characters that would end or escape the path are percent-encoded.
func sqliteURI(path, params string) string {
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if params == "" {
		return "file:" + p
	}
	return "file:" + p + "?" + params
}
