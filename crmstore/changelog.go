package crmstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Source types of a write, as HubSpot names them in property history.
const (
	SourceCRMUI       = "CRM_UI"
	SourceAPI         = "API"
	SourceImport      = "IMPORT"
	SourceIntegration = "INTEGRATION"
	SourceBatchUpdate = "BATCH_UPDATE"
	SourceCalculated  = "CALCULATED"
	SourceMerge       = "MERGE"
	SourceCLI         = "CLI"
)

// Source says who made a write. It is stored with the change-log row and is
// how the sync engine recognises its own writes (Type INTEGRATION, ID the
// connector name) and does not echo them back.
type Source struct {
	Type   string `json:"sourceType"`
	ID     string `json:"sourceId,omitempty"`
	Label  string `json:"sourceLabel,omitempty"`
	UserID string `json:"updatedByUserId,omitempty"`
}

func (s Source) orDefault() Source {
	if s.Type == "" {
		s.Type = SourceAPI
	}
	return s
}

// Change-log operations.
const (
	OpCreate     = "create"
	OpUpdate     = "update"
	OpArchive    = "archive"
	OpRestore    = "restore"
	OpDelete     = "delete"
	OpMerge      = "merge"
	OpAssociate  = "associate"
	OpDissociate = "dissociate"
)

// ValueChange is one property's old and new value; nil means "no value".
type ValueChange struct {
	Old *string `json:"old"`
	New *string `json:"new"`
}

// AssociationChange describes an association added or removed.
type AssociationChange struct {
	ToObjectTypeID string `json:"toObjectTypeId"`
	ToID           int64  `json:"toId"`
	TypeID         int64  `json:"typeId"`
	Label          string `json:"label,omitempty"`
}

// changeBody is the JSON kept in change_log.changes.
type changeBody struct {
	Properties  map[string]ValueChange `json:"properties,omitempty"`
	Association *AssociationChange     `json:"association,omitempty"`
	MergedID    int64                  `json:"mergedId,omitempty"`
	PrimaryID   int64                  `json:"primaryId,omitempty"`
}

// Change is one row of the change log.
type Change struct {
	Seq          int64                  `json:"seq"`
	At           time.Time              `json:"at"`
	ObjectTypeID string                 `json:"objectTypeId"`
	Object       string                 `json:"object"`
	RecordID     int64                  `json:"recordId"`
	Op           string                 `json:"op"`
	Properties   map[string]ValueChange `json:"properties,omitempty"`
	Association  *AssociationChange     `json:"association,omitempty"`
	MergedID     int64                  `json:"mergedId,omitempty"`
	PrimaryID    int64                  `json:"primaryId,omitempty"`
	Source       Source                 `json:"source"`
}

// pendingChange is a change-log row about to be written.
type pendingChange struct {
	objectOID int64
	recordID  int64
	op        string
	body      changeBody
	encoded   string // the body already encoded, when set
	src       Source
}

func (c pendingChange) bodyJSON() string {
	if c.encoded != "" {
		return c.encoded
	}
	return encodeChangeBody(c.body)
}

// logChanges appends change-log rows in the current transaction, so a change
// is logged exactly when its mutation commits.
func (t *tx) logChanges(cs ...pendingChange) error {
	if len(cs) == 0 {
		return nil
	}
	// A batch's rows usually share everything but the record and its body.
	first := cs[0]
	uniform := true
	for _, c := range cs[1:] {
		if c.objectOID != first.objectOID || c.op != first.op || c.src != first.src {
			uniform = false
			break
		}
	}
	if uniform {
		src := first.src.orDefault()
		flat := make([]any, 0, 2*len(cs))
		for _, c := range cs {
			flat = append(flat, c.recordID, c.bodyJSON())
		}
		return t.insertBatch("change_log", []column{{"at", t.ms}, {"object_oid", first.objectOID}, {"op", first.op},
			{"source_type", src.Type}, {"source_id", src.ID}, {"source_label", src.Label}, {"user_id", src.UserID}},
			[]string{"record_id", "changes"}, flat, "")
	}
	rows := make([][]any, len(cs))
	for i, c := range cs {
		src := c.src.orDefault()
		rows[i] = []any{t.ms, c.objectOID, c.recordID, c.op, c.bodyJSON(), src.Type, src.ID, src.Label, src.UserID}
	}
	return t.insertRows("change_log",
		[]string{"at", "object_oid", "record_id", "op", "changes", "source_type", "source_id", "source_label", "user_id"}, rows, "")
}

// maxVariables stays below SQLite's default limit of bound parameters.
const maxVariables = 30000

// column is a column whose value is the same for every inserted row.
type column struct {
	name  string
	value any
}

// insertRows inserts rows with multi-row INSERT statements. table, cols and
// suffix are constants of this package, never user input; values are bound.
func (t *tx) insertRows(table string, cols []string, rows [][]any, suffix string) error {
	flat := make([]any, 0, len(rows)*len(cols))
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return t.insertBatch(table, nil, cols, flat, suffix)
}

// insertBatch inserts rows, given flat (len(cols) values a row), whose
// shared columns take one bound value for the whole statement:
// INSERT ... SELECT ?1, ?2, column1, ... FROM (VALUES ...).
// Binding is a cgo call per value, so sharing the repeated ones (time,
// object, source) matters for bulk writes. The statement text depends only
// on the row count, so the connection's statement cache serves it.
func (t *tx) insertBatch(table string, shared []column, cols []string, flat []any, suffix string) error {
	n := len(flat) / len(cols)
	if n == 0 {
		return nil
	}
	var head strings.Builder
	head.WriteString("INSERT INTO " + table + " (")
	for _, c := range shared {
		head.WriteString(c.name + ", ")
	}
	head.WriteString(strings.Join(cols, ", ") + ") SELECT ")
	sharedArgs := make([]any, len(shared))
	for i, c := range shared {
		head.WriteString("?" + strconv.Itoa(i+1) + ", ")
		sharedArgs[i] = c.value
	}
	for i := range cols {
		if i > 0 {
			head.WriteString(", ")
		}
		head.WriteString("column" + strconv.Itoa(i+1))
	}
	head.WriteString(" FROM (VALUES ")
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	per := (maxVariables - len(shared)) / len(cols)
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		var b strings.Builder
		b.WriteString(head.String())
		args := make([]any, 0, len(shared)+(end-start)*len(cols))
		args = append(args, sharedArgs...)
		args = append(args, flat[start*len(cols):end*len(cols)]...)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
		}
		// "WHERE true" lets an ON CONFLICT suffix follow a SELECT unambiguously.
		b.WriteString(") WHERE true " + suffix)
		if _, err := t.ExecContext(t.ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

type changeRow struct {
	Seq         int64  `db:"seq"`
	At          int64  `db:"at"`
	ObjectOID   int64  `db:"object_oid"`
	RecordID    int64  `db:"record_id"`
	Op          string `db:"op"`
	Changes     string `db:"changes"`
	SourceType  string `db:"source_type"`
	SourceID    string `db:"source_id"`
	SourceLabel string `db:"source_label"`
	UserID      string `db:"user_id"`
}

func (c *catalog) change(r changeRow) Change {
	var body changeBody
	_ = json.Unmarshal([]byte(r.Changes), &body)
	ch := Change{
		Seq: r.Seq, At: msTime(r.At), RecordID: r.RecordID, Op: r.Op,
		Properties: body.Properties, Association: body.Association, MergedID: body.MergedID, PrimaryID: body.PrimaryID,
		Source: Source{Type: r.SourceType, ID: r.SourceID, Label: r.SourceLabel, UserID: r.UserID},
	}
	if o := c.byOID[r.ObjectOID]; o != nil {
		ch.ObjectTypeID, ch.Object = o.TypeID, o.Name
	}
	return ch
}

// Changes returns up to limit change-log rows with a sequence number greater
// than after, oldest first. It reads the primary key range, so reading from
// any position costs the same.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	var rows []changeRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?", after, limit); err != nil {
		return nil, fmt.Errorf("read change log after %d: %w", after, err)
	}
	c := s.catalog()
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = c.change(r)
	}
	return out, nil
}

// LastChangeSeq is the sequence number of the newest change-log row (0 when empty).
func (s *Store) LastChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.r.GetContext(ctx, &seq, "SELECT COALESCE(MAX(seq), 0) FROM change_log")
	return seq, err
}
