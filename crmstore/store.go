package crmstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver; search_sqlite.go registers it with Tandem's functions
)

// DatabaseFile is the name of the SQLite file inside the data directory.
const DatabaseFile = "tandem.db"

//go:embed migrations/*.sql
var migrationFiles embed.FS

// autoCheckpointPragma is the writer's checkpoint interval in pages (see
// Open); bulk loads turn it off and restore it.
const autoCheckpointPragma = "PRAGMA wal_autocheckpoint = 8000"

// Options tunes a Store. The zero value is valid.
type Options struct {
	// Now is the clock; tests inject a fixed one. Defaults to time.Now.
	Now func() time.Time
	// ReadConns is the size of the read pool. Defaults to 4.
	ReadConns int
	// BusyTimeout is how long a connection waits on a lock. Defaults to 5s.
	BusyTimeout time.Duration
	// SkipQuickCheck leaves out PRAGMA quick_check at Open, which reads the whole file (about
	// 0.6 s on a store of a million contacts). The daemon, migrations and backups keep it;
	// short-lived commands skip it, and SQLite still reports a corrupt page it reads.
	SkipQuickCheck bool
}

// Store is the CRM database. It is safe for concurrent use: writes go through
// one writer connection (SQLite allows one writer at a time anyway), reads
// use a pool that runs beside it thanks to WAL mode.
type Store struct {
	path string
	// skipCheck: Options.SkipQuickCheck.
	skipCheck bool
	w         *sqlx.DB
	r         *sqlx.DB
	now       func() time.Time

	// writeMu serialises write transactions so catalogue reloads happen
	// in commit order.
	writeMu sync.Mutex
	cat     atomic.Pointer[catalog]
	// applied lists the migrations this Store applied, at Open or later.
	applied []int
	// dsn opens another read-write connection to the database (the bulk
	// load checkpointer's); extra settings are appended to it.
	dsn func(extra string) string
	// bulkMu guards bulk, the checkpointer of running bulk loads (bulkload.go).
	bulkMu sync.Mutex
	bulk   *bulkLoad
}

// Open opens (creating if needed) the store in dataDir, applies pending
// migrations and seeds the built-in catalogue.
func Open(ctx context.Context, dataDir string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dataDir, DatabaseFile)
	// Create the file ourselves so it gets 0600; SQLite gives the -wal and
	// -shm files the permissions of the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database file: %w", err)
	}
	f.Close()

	dsn := func(extra string) string {
		return fmt.Sprintf("file:%s?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=%d&_synchronous=NORMAL&_stmt_cache_size=64%s",
			path, opts.BusyTimeout.Milliseconds(), extra)
	}
	s := &Store{path: path, now: opts.Now, dsn: dsn, skipCheck: opts.SkipQuickCheck}
	if s.w, err = sqlx.Open(sqliteDriver, dsn("&_txlock=immediate&_cache_size=-65536")); err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetConnMaxLifetime(0)
	// Checkpoint every ~32 MB of WAL instead of SQLite's 4 MB: a bulk write
	// dirties a hundred random index pages per batch, and each checkpoint
	// syncs the database, so the default checkpointed every few batches.
	if _, err := s.w.Exec(autoCheckpointPragma); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("configure writer: %w", err)
	}
	if s.r, err = sqlx.Open(sqliteDriver, dsn("&_query_only=true")); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open readers: %w", err)
	}
	s.r.SetMaxOpenConns(opts.ReadConns)
	s.r.SetMaxIdleConns(opts.ReadConns)

	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if !s.skipCheck {
		var check string
		if err := s.w.GetContext(ctx, &check, "PRAGMA quick_check"); err != nil {
			return fmt.Errorf("check database %s: %w", s.path, err)
		}
		if check != "ok" {
			return fmt.Errorf("database %s is corrupt: %s", s.path, check)
		}
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if err := s.update(ctx, func(t *tx) error { return t.seedBuiltins() }); err != nil {
		return fmt.Errorf("seed built-in catalogue: %w", err)
	}
	return nil
}

// Close closes every connection. The WAL is checkpointed by SQLite when the
// last connection closes.
func (s *Store) Close() error {
	var errs []error
	s.bulkMu.Lock()
	if bl := s.bulk; bl != nil {
		// A bulk load still running loses its checkpointer; closing the
		// writer checkpoints what is left.
		s.bulk = nil
		close(bl.stop)
		<-bl.done
		errs = append(errs, bl.db.Close())
	}
	s.bulkMu.Unlock()
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Ping reports whether the store answers queries and is fully migrated.
func (s *Store) Ping(ctx context.Context) error {
	var v int
	if err := s.r.GetContext(ctx, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	if latest := latestMigration(); v < latest {
		return fmt.Errorf("store at migration %d, want %d", v, latest)
	}
	return nil
}

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must start with a number and _", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func latestMigration() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate applies pending migrations. Open applies them already, so it
// returns the versions this Store applied, at Open or now.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	err := s.migrate(ctx)
	return append([]int(nil), s.applied...), err
}

func (s *Store) migrate(ctx context.Context) error {
	applied, err := s.applyMigrations(ctx)
	s.applied = append(s.applied, applied...)
	return err
}

func (s *Store) applyMigrations(ctx context.Context) ([]int, error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range ms {
		var n int
		if err := s.w.GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version); err != nil {
			return applied, err
		}
		if n > 0 {
			continue
		}
		t, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := t.ExecContext(ctx, m.sql); err != nil {
			t.Rollback()
			return applied, fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		if _, err := t.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, s.now().UnixMilli()); err != nil {
			t.Rollback()
			return applied, err
		}
		if err := t.Commit(); err != nil {
			return applied, fmt.Errorf("commit migration %s: %w", m.name, err)
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}

// MigrationVersion is the highest migration applied to the database.
func (s *Store) MigrationVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.GetContext(ctx, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
	return v, err
}

// tx is one write transaction. Every mutation of the store runs in one, and
// appends its change-log rows through it before commit.
type tx struct {
	*sqlx.Tx
	ctx context.Context
	s   *Store
	now time.Time
	ms  int64
	// catDirty marks that the catalogue changed; it is reloaded from the
	// transaction before commit and published after.
	catDirty bool
	cat      *catalog
}

// update runs fn in a write transaction and commits it when fn returns nil.
func (s *Store) update(ctx context.Context, fn func(*tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	sqlTx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	t := &tx{Tx: sqlTx, ctx: ctx, s: s, now: now, ms: now.UnixMilli()}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	var fresh *catalog
	if t.catDirty || s.cat.Load() == nil {
		if fresh, err = loadCatalog(ctx, sqlTx); err != nil {
			sqlTx.Rollback()
			return fmt.Errorf("reload catalogue: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if fresh != nil {
		s.cat.Store(fresh)
	}
	return nil
}

// updateValue runs fn in a write transaction, as update does, and returns
// the value fn returned.
func updateValue[T any](ctx context.Context, s *Store, fn func(*tx) (T, error)) (T, error) {
	var out T
	err := s.update(ctx, func(t *tx) error {
		var err error
		out, err = fn(t)
		return err
	})
	return out, err
}

// catalog returns the current catalogue snapshot.
func (s *Store) catalog() *catalog { return s.cat.Load() }

// catalog returns the catalogue as this transaction sees it: reloaded from
// the transaction once it changed the catalogue, the published one before.
func (t *tx) catalog() (*catalog, error) {
	if t.cat != nil {
		return t.cat, nil
	}
	if !t.catDirty {
		if c := t.s.cat.Load(); c != nil {
			return c, nil
		}
	}
	c, err := loadCatalog(t.ctx, t.Tx)
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	t.cat = c
	return c, nil
}

// objectOf returns the catalogue as this transaction sees it and the live
// object ref names (by name, type id or "p_<name>").
func (t *tx) objectOf(ref string) (*catalog, *ObjectType, error) {
	c, err := t.catalog()
	if err != nil {
		return nil, nil, err
	}
	o, err := c.object(ref)
	if err != nil {
		return nil, nil, err
	}
	return c, o, nil
}

// catalogChanged marks the catalogue as changed by this transaction.
func (t *tx) catalogChanged() {
	t.catDirty = true
	t.cat = nil
}

// nextSequence returns the next value of a named counter, starting at start.
func (t *tx) nextSequence(name string, start int64) (int64, error) {
	var v int64
	err := t.GetContext(t.ctx, &v, "SELECT value FROM sequences WHERE name = ?", name)
	if errors.Is(err, sql.ErrNoRows) {
		v = start - 1
	} else if err != nil {
		return 0, err
	}
	v++
	_, err = t.ExecContext(t.ctx, "INSERT INTO sequences(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", name, v)
	return v, err
}
