package crmstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Import states, as HubSpot's imports API names them.
const (
	ImportStarted    = "STARTED"
	ImportProcessing = "PROCESSING"
	ImportDone       = "DONE"
	ImportFailed     = "FAILED"
	ImportCanceled   = "CANCELED"
	ImportReverted   = "REVERTED"
)

// Import operations per object.
const (
	ImportCreate = "CREATE"
	ImportUpdate = "UPDATE"
	ImportUpsert = "UPSERT"
)

// Import page sizes.
const (
	defaultImportLimit = 100
	maxImportLimit     = 1000
)

// ImportCounters are the running totals of an import.
type ImportCounters struct {
	Rows         int64 `json:"rows"`
	Created      int64 `json:"created"`
	Updated      int64 `json:"updated"`
	Unchanged    int64 `json:"unchanged"`
	Merged       int64 `json:"merged"`
	Failed       int64 `json:"failed"`
	Associations int64 `json:"associations"`
	BytesRead    int64 `json:"bytesRead"`
	BytesTotal   int64 `json:"bytesTotal"`
}

// Add adds d to c.
func (c *ImportCounters) Add(d ImportCounters) {
	c.Rows += d.Rows
	c.Created += d.Created
	c.Updated += d.Updated
	c.Unchanged += d.Unchanged
	c.Merged += d.Merged
	c.Failed += d.Failed
	c.Associations += d.Associations
	c.BytesRead += d.BytesRead
	c.BytesTotal += d.BytesTotal
}

// Import is the record of one import: what was asked, how far it got.
type Import struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	State      string            `json:"state"`
	Source     string            `json:"source"`
	Objects    []string          `json:"objects"`    // object type ids
	Operations map[string]string `json:"operations"` // object type id → CREATE | UPDATE | UPSERT
	Files      []string          `json:"files"`
	Request    json.RawMessage   `json:"request,omitempty"`
	Counters   ImportCounters    `json:"counters"`
	ErrorCount int64             `json:"errorCount"`
	ErrorFile  string            `json:"errorFile,omitempty"`
	Message    string            `json:"message,omitempty"`
	Reverted   int64             `json:"reverted,omitempty"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
	FinishedAt *time.Time        `json:"finishedAt,omitempty"`
}

// Running reports whether the import has not reached an end state.
func (im Import) Running() bool {
	return im.State == ImportStarted || im.State == ImportProcessing
}

// ImportInput starts the record of an import.
type ImportInput struct {
	Name       string
	Source     string // CLI or API
	Objects    []string
	Operations map[string]string
	Files      []string
	Request    json.RawMessage
	BytesTotal int64
}

// ImportError is one problem with one row of an import, in the shape of
// HubSpot's import error rows.
type ImportError struct {
	Seq          int64     `json:"seq"`
	CreatedAt    time.Time `json:"createdAt"`
	ErrorType    string    `json:"errorType"`
	Message      string    `json:"message"`
	InvalidValue string    `json:"invalidValue,omitempty"`
	Column       string    `json:"column,omitempty"`
	ObjectTypeID string    `json:"objectTypeId,omitempty"`
	FileName     string    `json:"fileName,omitempty"`
	LineNumber   int64     `json:"lineNumber"`
	RowData      []string  `json:"rowData"`
}

// ImportListOptions selects a page of imports, newest first.
type ImportListOptions struct {
	// Before is the id the page starts before (exclusive); 0 starts at the newest.
	Before int64
	// Limit defaults to 100 and is at most 1000.
	Limit int
}

type importRow struct {
	ID           int64  `db:"id"`
	Name         string `db:"name"`
	State        string `db:"state"`
	Source       string `db:"source"`
	Objects      string `db:"objects"`
	Operations   string `db:"operations"`
	Files        string `db:"files"`
	Request      string `db:"request"`
	Rows         int64  `db:"rows"`
	Created      int64  `db:"created"`
	Updated      int64  `db:"updated"`
	Unchanged    int64  `db:"unchanged"`
	Merged       int64  `db:"merged"`
	Failed       int64  `db:"failed"`
	Associations int64  `db:"associations"`
	BytesRead    int64  `db:"bytes_read"`
	BytesTotal   int64  `db:"bytes_total"`
	ErrorCount   int64  `db:"error_count"`
	ErrorFile    string `db:"error_file"`
	Message      string `db:"message"`
	Reverted     int64  `db:"reverted"`
	CreatedAt    int64  `db:"created_at"`
	UpdatedAt    int64  `db:"updated_at"`
	FinishedAt   *int64 `db:"finished_at"`
}

func (r importRow) toImport() Import {
	im := Import{
		ID: r.ID, Name: r.Name, State: r.State, Source: r.Source,
		Objects: jsonStrings(r.Objects), Files: jsonStrings(r.Files),
		Counters: ImportCounters{Rows: r.Rows, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged,
			Merged: r.Merged, Failed: r.Failed, Associations: r.Associations, BytesRead: r.BytesRead, BytesTotal: r.BytesTotal},
		ErrorCount: r.ErrorCount, ErrorFile: r.ErrorFile, Message: r.Message, Reverted: r.Reverted,
		CreatedAt: msTime(r.CreatedAt), UpdatedAt: msTime(r.UpdatedAt), FinishedAt: msTimePtr(r.FinishedAt),
	}
	_ = json.Unmarshal([]byte(r.Operations), &im.Operations)
	if im.Operations == nil {
		im.Operations = map[string]string{}
	}
	if r.Request != "" && json.Valid([]byte(r.Request)) {
		im.Request = json.RawMessage(r.Request)
	}
	return im
}

// CreateImport records a new import in state STARTED.
func (s *Store) CreateImport(ctx context.Context, in ImportInput) (Import, error) {
	if in.Name == "" {
		return Import{}, invalidf("an import needs a name")
	}
	if in.Source == "" {
		in.Source = SourceCLI
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	if in.Objects == nil {
		in.Objects = []string{}
	}
	if in.Files == nil {
		in.Files = []string{}
	}
	req := "{}"
	if len(in.Request) > 0 {
		if !json.Valid(in.Request) {
			return Import{}, invalidf("the import request is not valid JSON")
		}
		req = string(in.Request)
	}
	var id int64
	err := s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(t.ctx, `INSERT INTO imports (name, state, source, objects, operations, files, request, bytes_total, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Name, ImportStarted, in.Source, enc(in.Objects), enc(in.Operations), enc(in.Files), req, in.BytesTotal, t.ms, t.ms)
		if err != nil {
			return fmt.Errorf("insert import: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Import{}, fmt.Errorf("create import: %w", err)
	}
	return s.Import(ctx, id)
}

// Import reads the record of one import.
func (s *Store) Import(ctx context.Context, id int64) (Import, error) {
	var r importRow
	err := s.r.GetContext(ctx, &r, "SELECT * FROM imports WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return Import{}, notFound("import", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return Import{}, fmt.Errorf("read import %d: %w", id, err)
	}
	return r.toImport(), nil
}

// Imports returns a page of imports, newest first, and the Before of the
// next page (0 on the last one).
func (s *Store) Imports(ctx context.Context, opts ImportListOptions) ([]Import, int64, error) {
	limit := pageLimit(opts.Limit, defaultImportLimit, maxImportLimit)
	before := opts.Before
	if before <= 0 {
		before = int64(^uint64(0) >> 1)
	}
	var rows []importRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM imports WHERE id < ? ORDER BY id DESC LIMIT ?", before, limit+1); err != nil {
		return nil, 0, fmt.Errorf("list imports: %w", err)
	}
	rows, next := cutPage(rows, limit, func(r importRow) int64 { return r.ID })
	out := make([]Import, len(rows))
	for i, r := range rows {
		out[i] = r.toImport()
	}
	return out, next, nil
}

// importTransitions lists the states an import may move to from each state.
var importTransitions = map[string][]string{
	ImportStarted:    {ImportProcessing, ImportDone, ImportFailed, ImportCanceled},
	ImportProcessing: {ImportDone, ImportFailed, ImportCanceled},
	ImportDone:       {ImportReverted},
	ImportFailed:     {ImportReverted},
	ImportCanceled:   {ImportReverted},
}

func canMove(from, to string) bool {
	for _, s := range importTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// SetImportState moves an import to state, with message saying why when it
// failed or was canceled. End states record the finishing time. A move the
// state machine does not allow (a finished import cannot run again) is an
// InvalidError.
func (s *Store) SetImportState(ctx context.Context, id int64, state, message string) (Import, error) {
	err := s.update(ctx, func(t *tx) error {
		return t.setImportState(id, state, message)
	})
	if err != nil {
		return Import{}, err
	}
	return s.Import(ctx, id)
}

func (t *tx) setImportState(id int64, state, message string) error {
	var cur string
	err := t.GetContext(t.ctx, &cur, "SELECT state FROM imports WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("import", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return fmt.Errorf("read import %d: %w", id, err)
	}
	if cur == state {
		return nil
	}
	if !canMove(cur, state) {
		return invalidf("import %d is %s and cannot become %s", id, cur, state)
	}
	var finished any
	if state != ImportProcessing {
		finished = t.ms
	}
	if _, err := t.ExecContext(t.ctx, "UPDATE imports SET state = ?, message = ?, updated_at = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?",
		state, message, t.ms, finished, id); err != nil {
		return fmt.Errorf("set import %d state: %w", id, err)
	}
	return nil
}

// SetImportErrorFile records where the import's error file is.
func (s *Store) SetImportErrorFile(ctx context.Context, id int64, path string) error {
	return s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(t.ctx, "UPDATE imports SET error_file = ? WHERE id = ?", path, id); err != nil {
			return fmt.Errorf("set import %d error file: %w", id, err)
		}
		return nil
	})
}

// MarkStaleImports fails the imports still STARTED or PROCESSING that have
// not written anything since before: the process running them stopped
// (killed, crashed, lost power). Their committed batches stay; the message
// says the import was interrupted. It returns how many it marked.
func (s *Store) MarkStaleImports(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(t.ctx, `UPDATE imports SET state = ?, message = ?, updated_at = ?, finished_at = ?
			WHERE state IN (?, ?) AND updated_at < ?`,
			ImportFailed, "interrupted: the process running the import stopped; run it again to complete it", t.ms, t.ms,
			ImportStarted, ImportProcessing, before.UnixMilli())
		if err != nil {
			return fmt.Errorf("mark stale imports: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// importErrorRow is one row of import_errors as ImportErrors reads it.
type importErrorRow struct {
	Seq          int64  `db:"seq"`
	CreatedAt    int64  `db:"created_at"`
	ErrorType    string `db:"error_type"`
	Message      string `db:"message"`
	InvalidValue string `db:"invalid_value"`
	Column       string `db:"column_name"`
	ObjectType   string `db:"object_type"`
	FileName     string `db:"file_name"`
	LineNumber   int64  `db:"line_number"`
	RowData      string `db:"row_data"`
}

// ImportErrors returns up to limit error rows of an import with a sequence
// number greater than after, and the after of the next page (0 on the last).
func (s *Store) ImportErrors(ctx context.Context, id, after int64, limit int) ([]ImportError, int64, error) {
	limit = pageLimit(limit, defaultImportLimit, maxImportLimit)
	if _, err := s.Import(ctx, id); err != nil {
		return nil, 0, err
	}
	var rows []importErrorRow
	if err := s.r.SelectContext(ctx, &rows, `SELECT seq, created_at, error_type, message, invalid_value, column_name, object_type, file_name, line_number, row_data
		FROM import_errors WHERE import_id = ? AND seq > ? ORDER BY seq LIMIT ?`, id, after, limit+1); err != nil {
		return nil, 0, fmt.Errorf("read import %d errors: %w", id, err)
	}
	rows, next := cutPage(rows, limit, func(r importErrorRow) int64 { return r.Seq })
	out := make([]ImportError, len(rows))
	for i, r := range rows {
		out[i] = ImportError{Seq: r.Seq, CreatedAt: msTime(r.CreatedAt), ErrorType: r.ErrorType, Message: r.Message,
			InvalidValue: r.InvalidValue, Column: r.Column, ObjectTypeID: r.ObjectType, FileName: r.FileName,
			LineNumber: r.LineNumber, RowData: jsonStrings(r.RowData)}
	}
	return out, next, nil
}

// ImportProgress is what one batch adds to an import's record: counter
// deltas and the errors of its rows.
type ImportProgress struct {
	Counters ImportCounters
	Errors   []ImportError
}

// RecordImportProgress adds progress to an import outside a batch write
// (rows that failed before reaching the store, the final byte count).
func (s *Store) RecordImportProgress(ctx context.Context, id int64, p ImportProgress) error {
	return s.update(ctx, func(t *tx) error { return t.recordImportProgress(id, p) })
}

// recordImportProgress adds counters and error rows to an import and
// refreshes its heartbeat (updated_at). Only a running import takes
// progress, so a batch that commits after a cancel cannot revive it.
func (t *tx) recordImportProgress(id int64, p ImportProgress) error {
	c := p.Counters
	res, err := t.ExecContext(t.ctx, `UPDATE imports SET rows = rows + ?, created = created + ?, updated = updated + ?,
		unchanged = unchanged + ?, merged = merged + ?, failed = failed + ?, associations = associations + ?,
		bytes_read = bytes_read + ?, bytes_total = bytes_total + ?, error_count = error_count + ?, updated_at = ?,
		state = CASE WHEN state = ? THEN ? ELSE state END
		WHERE id = ? AND state IN (?, ?)`,
		c.Rows, c.Created, c.Updated, c.Unchanged, c.Merged, c.Failed, c.Associations, c.BytesRead, c.BytesTotal,
		len(p.Errors), t.ms, ImportStarted, ImportProcessing, id, ImportStarted, ImportProcessing)
	if err != nil {
		return fmt.Errorf("record import %d progress: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invalidf("import %d is not running", id)
	}
	if len(p.Errors) == 0 {
		return nil
	}
	var last int64
	if err := t.GetContext(t.ctx, &last, "SELECT COALESCE(MAX(seq), 0) FROM import_errors WHERE import_id = ?", id); err != nil {
		return fmt.Errorf("number import %d errors: %w", id, err)
	}
	flat := make([]any, 0, 9*len(p.Errors))
	for _, e := range p.Errors {
		last++
		data, _ := json.Marshal(e.RowData)
		if e.RowData == nil {
			data = []byte("[]")
		}
		flat = append(flat, last, e.ErrorType, e.Message, e.InvalidValue, e.Column, e.ObjectTypeID, e.FileName, e.LineNumber, string(data))
	}
	return t.insertBatch("import_errors", []column{{"import_id", id}, {"created_at", t.ms}},
		[]string{"seq", "error_type", "message", "invalid_value", "column_name", "object_type", "file_name", "line_number", "row_data"}, flat, "")
}
