package crmstore

import (
	"context"
	"encoding/json"
	"fmt"
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
	src       Source
}

// logChanges appends change-log rows in the current transaction, so a change
// is logged exactly when its mutation commits.
func (t *tx) logChanges(cs ...pendingChange) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([][]any, len(cs))
	for i, c := range cs {
		src := c.src.orDefault()
		rows[i] = []any{t.ms, c.objectOID, c.recordID, c.op, encodeChangeBody(c.body), src.Type, src.ID, src.Label, src.UserID}
	}
	return t.insertRows("change_log",
		[]string{"at", "object_oid", "record_id", "op", "changes", "source_type", "source_id", "source_label", "user_id"}, rows, "")
}

// maxVariables stays below SQLite's default limit of bound parameters.
const maxVariables = 30000

// insertRows inserts rows with multi-row INSERT statements. table, cols and
// suffix are constants of this package, never user input; values are bound.
func (t *tx) insertRows(table string, cols []string, rows [][]any, suffix string) error {
	per := maxVariables / len(cols)
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(tuple)
			args = append(args, rows[i]...)
		}
		b.WriteString(" " + suffix)
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
