// API published for the imports REST handlers.

// Package importer is Tandem's streaming CSV import engine. It reads CSV
// files row by row, maps columns to properties, turns HubSpot's import
// conventions (owner emails, date formats, multi-checkbox values) into
// store values and writes the rows in batches of one transaction each
// through crmstore.WriteImportBatch. Bad rows fail alone and whole (a row
// holding a contact and its company writes both or neither) and are
// reported once, with every reason, in an error file and in the store; the import's record
// (crmstore.Import) is kept up to date with every batch.
//
// Both the CLI (tandem import) and the imports API translate their
// requests into a Spec; Run imports in the foreground, Start in the
// background.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// DateFormat says how the day, month and year of date values are ordered.
type DateFormat string

// Date formats, as HubSpot's importRequest names them.
const (
	DayMonthYear DateFormat = "DAY_MONTH_YEAR"
	MonthDayYear DateFormat = "MONTH_DAY_YEAR"
	YearMonthDay DateFormat = "YEAR_MONTH_DAY"
)

// Import sources (crmstore.Import.Source).
const (
	SourceCLI = "CLI"
	SourceAPI = "API"
)

// Spec is one import request. The CLI flags and HubSpot's importRequest
// both translate into it.
type Spec struct {
	// Name names the import in listings; defaults to the first file's name.
	Name string
	// Source is SourceCLI or SourceAPI.
	Source string
	// Objects holds per-object behaviour. An object whose columns appear in
	// a file but that is not listed gets the defaults (UPSERT, matched by
	// its default key: contacts by email, companies by domain, others by
	// record id).
	Objects []ObjectSpec
	// Files are imported in order, except that a file whose object other
	// files link to is imported before them.
	Files []FileSpec
	// DateFormat orders day, month and year of dates such as 03/04/2024.
	// ISO dates (2024-04-03) and epoch milliseconds are always accepted.
	// Defaults to YearMonthDay.
	DateFormat DateFormat
	// AssociateRows associates the records that one row creates or matches
	// for different objects (a contact and its company on one row).
	AssociateRows bool
	// Request is the request as given (HubSpot importRequest JSON or the
	// CLI's flags as JSON), kept with the import's record.
	Request json.RawMessage
}

// ObjectSpec is how one object's rows are written.
type ObjectSpec struct {
	// Object is an object name ("contacts") or type id ("0-1").
	Object string
	// Operation is crmstore.ImportCreate, ImportUpdate or ImportUpsert
	// (the default).
	Operation string
	// Match is the property that finds existing records: "hs_object_id"
	// (also "id") or a unique property such as email or domain. Defaults
	// by object as described at Spec.Objects.
	Match string
	// NoOverwrite lists properties whose existing non-empty values are kept.
	NoOverwrite []string
}

// FileSpec is one CSV file of an import.
type FileSpec struct {
	// Name is the file's name as shown in listings and errors.
	Name string
	// Path is where the file is read from.
	Path string
	// RemoveAfter hands the file to the import, which deletes it when it
	// ends or is refused (uploaded copies).
	RemoveAfter bool
	// Object is the object of the columns that Columns does not map: they
	// map automatically to its properties by internal name or label, case
	// and spacing ignored. Empty maps only the listed Columns.
	Object string
	// Columns maps columns explicitly; they override automatic mapping.
	Columns []ColumnSpec
}

// ColumnSpec maps one column, named by its header.
type ColumnSpec struct {
	// Name is the column's header, matched case and spacing insensitively.
	Name string
	// Object is the object the column's values belong to; defaults to the
	// file's Object.
	Object string
	// Property is the property the column fills. With ToObject set it is
	// the property of ToObject the value identifies a record by
	// (hs_object_id or a unique property; defaults to ToObject's key).
	Property string
	// ToObject makes the column an association column: its value names a
	// record of ToObject that the row's Object record is associated with
	// (several files joined on a common column).
	ToObject string
	// Ignore skips the column without reporting it as unmapped.
	Ignore bool
}

// Progress reports a running import.
type Progress struct {
	ImportID int64
	// File is the file being read.
	File     string
	Counters crmstore.ImportCounters
	Elapsed  time.Duration
	// Done is set on the last report.
	Done bool
}

// Summary is the outcome of a finished import, for printing.
type Summary struct {
	Import crmstore.Import
	// Unmapped lists, per file, the columns no property took.
	Unmapped map[string][]string
}

// SpecError is a request that cannot be imported as a whole: an unknown
// object or property, a missing file, an empty file, a header-only file,
// duplicate column headers. Nothing was recorded or written.
type SpecError struct {
	Problems []string
}

func (e *SpecError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0]
	}
	msg := fmt.Sprintf("%d problems with the import:", len(e.Problems))
	for _, p := range e.Problems {
		msg += "\n  " + p
	}
	return msg
}

// ErrNotRunning is returned by Cancel and Wait for an import this process
// is not running.
var ErrNotRunning = errors.New("import is not running in this process")

// ErrClosed is returned by Start once Close has begun: the process is shutting down.
var ErrClosed = errors.New("the importer is shutting down")

// Option tunes an Importer.
type Option func(*Importer)

// WithBatchSize sets how many rows one transaction writes (default 1000).
func WithBatchSize(n int) Option {
	return func(im *Importer) {
		if n > 0 {
			im.batchSize = n
		}
	}
}

// WithClock sets the clock used for elapsed times and staleness.
func WithClock(now func() time.Time) Option {
	return func(im *Importer) { im.now = now }
}

// WithProgressInterval sets how often Run reports progress (default 1s).
func WithProgressInterval(d time.Duration) Option {
	return func(im *Importer) {
		if d > 0 {
			im.progressEvery = d
		}
	}
}

// staleAfter is how long a running import may go without a batch before
// another process takes it for interrupted.
const staleAfter = 10 * time.Minute

// Importer runs imports against one store. Error files go to
// DIR/<id>-errors.csv. It is safe for concurrent use.
type Importer struct {
	store         *crmstore.Store
	dir           string
	log           *zap.Logger
	now           func() time.Time
	batchSize     int
	progressEvery time.Duration

	mu      sync.Mutex
	running map[int64]*job
	closed  bool // Close has begun: Start refuses, so wg.Add never races wg.Wait
	wg      sync.WaitGroup
}

// job is an import running in the background.
type job struct {
	cancel context.CancelFunc
	done   chan struct{}
	result crmstore.Import
	err    error
}

// New returns an Importer writing to store, with error files and uploads
// under dir (created 0700 on first use).
func New(store *crmstore.Store, dir string, log *zap.Logger, opts ...Option) *Importer {
	if log == nil {
		log = zap.NewNop()
	}
	im := &Importer{store: store, dir: dir, log: log, now: time.Now, batchSize: 1000,
		progressEvery: time.Second, running: map[int64]*job{}}
	for _, o := range opts {
		o(im)
	}
	return im
}

// Recover marks imports that stopped without finishing (their process was
// killed) as FAILED with an "interrupted" message. Imports that wrote a
// batch within the last ten minutes are left alone, as another process may
// be running them. It returns how many it marked.
func (im *Importer) Recover(ctx context.Context) (int64, error) {
	n, err := im.store.MarkStaleImports(ctx, im.now().Add(-staleAfter))
	if err != nil {
		return 0, fmt.Errorf("recover interrupted imports: %w", err)
	}
	if n > 0 {
		im.log.Warn("interrupted imports marked failed", zap.Int64("count", n))
	}
	return n, nil
}

// Run imports spec in the foreground and returns the import's final
// record. progress, when not nil, is called periodically and once at the
// end. Canceling ctx stops after the batch being written is rolled back;
// the import is then CANCELED and running the same upsert import again
// completes it without duplicates. An import that started and then failed
// returns its record together with the error.
func (im *Importer) Run(ctx context.Context, spec Spec, progress func(Progress)) (Summary, error) {
	p, err := im.prepare(ctx, spec)
	if err != nil {
		removeUploads(spec)
		return Summary{}, err
	}
	rec, err := im.execute(ctx, p, progress)
	return Summary{Import: rec, Unmapped: p.unmapped()}, err
}

// Start validates spec, records the import and runs it in the background.
// It returns the import's record in state STARTED; Wait or the store's
// Import follows its progress, Cancel stops it. The background import runs
// until it ends or Cancel or Close is called: ctx only bounds the
// preparation.
func (im *Importer) Start(ctx context.Context, spec Spec) (crmstore.Import, error) {
	p, err := im.prepare(ctx, spec)
	if err != nil {
		removeUploads(spec)
		return crmstore.Import{}, err
	}
	rec, err := im.record(ctx, p)
	if err != nil {
		p.close()
		removeUploads(spec)
		return crmstore.Import{}, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j := &job{cancel: cancel, done: make(chan struct{})}
	im.mu.Lock()
	if im.closed {
		im.mu.Unlock()
		cancel()
		p.close()
		removeUploads(spec)
		if _, err := im.store.SetImportState(context.WithoutCancel(ctx), rec.ID, crmstore.ImportCanceled, "the server was shutting down"); err != nil {
			im.log.Warn("cannot mark an import refused at shutdown", zap.Int64("import", rec.ID), zap.Error(err))
		}
		return crmstore.Import{}, ErrClosed
	}
	im.running[rec.ID] = j
	im.wg.Add(1)
	im.mu.Unlock()
	go func() {
		defer im.wg.Done()
		defer cancel()
		j.result, j.err = im.process(runCtx, p, rec, nil)
		if j.err != nil {
			im.log.Warn("background import failed", zap.Int64("import", rec.ID), zap.Error(j.err))
		}
		im.mu.Lock()
		delete(im.running, rec.ID)
		im.mu.Unlock()
		close(j.done)
	}()
	return rec, nil
}

// Cancel stops a background import of this process. It returns once the
// request is made; Wait returns when the import has stopped.
func (im *Importer) Cancel(id int64) error {
	im.mu.Lock()
	j := im.running[id]
	im.mu.Unlock()
	if j == nil {
		return ErrNotRunning
	}
	j.cancel()
	return nil
}

// Wait blocks until the background import id ends, or ctx is done, and
// returns its final record.
func (im *Importer) Wait(ctx context.Context, id int64) (crmstore.Import, error) {
	im.mu.Lock()
	j := im.running[id]
	im.mu.Unlock()
	if j == nil {
		rec, err := im.store.Import(ctx, id)
		if err != nil {
			return crmstore.Import{}, err
		}
		if rec.Running() {
			return rec, ErrNotRunning
		}
		return rec, nil
	}
	select {
	case <-j.done:
		return j.result, j.err
	case <-ctx.Done():
		return crmstore.Import{}, ctx.Err()
	}
}

// Close cancels the background imports and waits for them to stop; Start
// refuses new ones from then on (ErrClosed).
func (im *Importer) Close() {
	im.mu.Lock()
	im.closed = true
	for _, j := range im.running {
		j.cancel()
	}
	im.mu.Unlock()
	im.wg.Wait()
}

// Revert archives the records import id created and marks it REVERTED.
// It returns the import and the number of records archived.
func (im *Importer) Revert(ctx context.Context, id int64) (crmstore.Import, int64, error) {
	im.mu.Lock()
	_, running := im.running[id]
	im.mu.Unlock()
	if running {
		return crmstore.Import{}, 0, &SpecError{Problems: []string{fmt.Sprintf("import %d is still running; cancel it first", id)}}
	}
	return im.store.RevertImport(ctx, id)
}

// SaveUpload copies an uploaded file into DIR/uploads (0600) so a
// background import can read it after the request ends. The returned path
// goes into FileSpec.Path, with RemoveAfter set.
func (im *Importer) SaveUpload(name string, r io.Reader) (string, error) {
	dir := filepath.Join(im.dir, "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create upload directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "upload-*.csv")
	if err != nil {
		return "", fmt.Errorf("save upload %s: %w", name, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("save upload %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("save upload %s: %w", name, err)
	}
	return f.Name(), nil
}
