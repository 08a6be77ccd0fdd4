package crmstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// GetOptions selects how a record is read.
type GetOptions struct {
	// IDProperty names a unique property (e.g. email) whose value the id
	// argument holds; empty means the id is the record id.
	IDProperty string
	// Archived reads only archived records (HubSpot semantics).
	Archived bool
	// Properties limits the returned properties; nil returns all values.
	Properties []string
}

func wantSet(names []string) map[string]bool {
	if names == nil {
		return nil
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// GetRecord reads one record by id, by a merged record's id (answering with
// the record it was merged into), or by the value of a unique property.
func (s *Store) GetRecord(ctx context.Context, object, id string, opts GetOptions) (*Record, error) {
	recs, err := s.GetRecords(ctx, object, []string{id}, opts)
	if err != nil {
		return nil, err
	}
	r := recs[id]
	if r == nil {
		return nil, notFound("record", id)
	}
	return r, nil
}

// GetRecords reads several records in a few queries whatever their number;
// missing ones are absent from the map, which is keyed by the id arguments.
func (s *Store) GetRecords(ctx context.Context, object string, ids []string, opts GetOptions) (map[string]*Record, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	rows, err := lookupRows(ctx, s.r, c, o, ids, opts.IDProperty, opts.Archived)
	if err != nil {
		return nil, err
	}
	want := wantSet(opts.Properties)
	out := make(map[string]*Record, len(rows))
	for in, r := range rows {
		out[in] = c.recordFromRow(o, r, want)
	}
	return out, nil
}

// lookupRows finds the records that id arguments name: record ids (a
// merged record's id leads to the record it was merged into, unless
// archived records are asked for) or values of the unique property
// idProperty. Only live records are returned, or only archived ones.
// Inputs that name nothing are absent from the result.
func lookupRows(ctx context.Context, q queryer, c *catalog, o *ObjectType, inputs []string, idProperty string, archived bool) (map[string]recordRow, error) {
	out := make(map[string]recordRow, len(inputs))
	byID := map[int64][]string{} // record id -> the inputs naming it
	if idProperty == "" || idProperty == "hs_object_id" {
		for _, in := range inputs {
			if id, err := strconv.ParseInt(strings.TrimSpace(in), 10, 64); err == nil && id > 0 {
				byID[id] = append(byID[id], in)
			}
		}
	} else {
		p, err := uniqueProperty(c, o, idProperty)
		if err != nil {
			return nil, err
		}
		if err := lookupUnique(ctx, q, o, p, inputs, archived, byID); err != nil {
			return nil, err
		}
	}
	rows, err := selectRows(ctx, q, o, keys(byID))
	if err != nil {
		return nil, err
	}
	// Follow merges: a merged record is archived with merged_into set, and
	// merged_ids holds its final primary.
	merged := map[int64][]string{}
	for _, r := range rows {
		if r.MergedInto != nil && !archived {
			merged[r.ID] = byID[r.ID]
			delete(byID, r.ID)
		}
	}
	if len(merged) > 0 {
		var links []struct {
			Merged  int64 `db:"merged_id"`
			Primary int64 `db:"primary_id"`
		}
		mids := keys(merged)
		if err := sqlx.SelectContext(ctx, q, &links, "SELECT merged_id, primary_id FROM merged_ids WHERE merged_id IN ("+placeholders(len(mids))+")", int64Args(mids)...); err != nil {
			return nil, fmt.Errorf("follow merged ids: %w", err)
		}
		var primaries []int64
		for _, l := range links {
			byID[l.Primary] = append(byID[l.Primary], merged[l.Merged]...)
			primaries = append(primaries, l.Primary)
		}
		more, err := selectRows(ctx, q, o, primaries)
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
	for _, r := range rows {
		if (r.ArchivedAt != nil) != archived || (r.MergedInto != nil && !archived) {
			continue
		}
		for _, in := range byID[r.ID] {
			out[in] = r
		}
	}
	return out, nil
}

// lookupUnique maps unique-property values to record ids: through
// unique_values for live records, through the stored value for archived ones.
func lookupUnique(ctx context.Context, q queryer, o *ObjectType, p *Property, inputs []string, archived bool, byID map[int64][]string) error {
	byKey := map[string][]string{}
	for _, in := range inputs {
		canon, _, perr := normalizeValue(p, in)
		if perr != nil {
			continue
		}
		if archived {
			var ids []int64
			if err := sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM records WHERE object_oid = ? AND archived_at IS NOT NULL
				AND props ->> ? = ? ORDER BY archived_at DESC LIMIT 1`, o.oid, jsonPath(p.Name), canon); err != nil {
				return fmt.Errorf("find archived %s by %s: %w", o.Name, p.Name, err)
			}
			for _, id := range ids {
				byID[id] = append(byID[id], in)
			}
			continue
		}
		k := uniqueKey(p, canon)
		byKey[k] = append(byKey[k], in)
	}
	if len(byKey) == 0 {
		return nil
	}
	keys := make([]any, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	held, err := uniqueHolders(ctx, q, p, keys)
	if err != nil {
		return fmt.Errorf("find %s by %s: %w", o.Name, p.Name, err)
	}
	for _, h := range held {
		byID[h.RecordID] = append(byID[h.RecordID], byKey[h.Value]...)
	}
	return nil
}

// selectRows reads the records rows of o with the given ids. It scans by
// hand: this is the hot path of every read and sqlx's reflection showed.
func selectRows(ctx context.Context, q queryer, o *ObjectType, ids []int64) ([]recordRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+recordColumns+" FROM records WHERE +object_oid = ? AND id IN ("+placeholders(len(ids))+")",
		append([]any{o.oid}, int64Args(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("load %s records: %w", o.Name, err)
	}
	out, err := scanRecordRows(rows, len(ids))
	if err != nil {
		return nil, fmt.Errorf("load %s records: %w", o.Name, err)
	}
	return out, nil
}

// scanRecordRows reads and closes rows selected as recordColumns; size is
// the expected count. It scans by hand for the same reason as selectRows.
func scanRecordRows(rows *sql.Rows, size int) ([]recordRow, error) {
	defer rows.Close()
	out := make([]recordRow, 0, size)
	for rows.Next() {
		var r recordRow
		if err := rows.Scan(&r.ID, &r.ObjectOID, &r.CreatedAt, &r.UpdatedAt, &r.ArchivedAt, &r.MergedInto, &r.Props); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func keys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// uniqueProperty returns the live unique property named idProperty.
func uniqueProperty(c *catalog, o *ObjectType, idProperty string) (*Property, error) {
	p := c.property(o, idProperty)
	if p == nil {
		return nil, invalidf("idProperty %q is not a property of %s", idProperty, o.Name)
	}
	if !isUnique(c, o, p) {
		return nil, invalidf("idProperty %q is not a unique property of %s", idProperty, o.Name)
	}
	return p, nil
}

func isUnique(c *catalog, o *ObjectType, p *Property) bool {
	for _, u := range c.unique[o.oid] {
		if u == p {
			return true
		}
	}
	return false
}

// loadRecords reads records of o by id in one query.
func (s *Store) loadRecords(ctx context.Context, c *catalog, o *ObjectType, ids []int64, want map[string]bool) (map[int64]*Record, error) {
	rows, err := selectRows(ctx, s.r, o, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*Record, len(rows))
	for _, r := range rows {
		out[r.ID] = c.recordFromRow(o, r, want)
	}
	return out, nil
}

// jsonPath is the JSON path of a property inside props, always passed to
// SQL as a bound value.
func jsonPath(name string) string { return `$."` + name + `"` }

// ListOptions pages through an object's records in id order.
type ListOptions struct {
	Limit      int   // default 10, at most 100
	After      int64 // exclusive record id cursor
	Archived   bool  // only archived records
	Properties []string
}

// RecordPage is one page of records; Next is 0 on the last page.
type RecordPage struct {
	Records []*Record
	Next    int64
}

// ListRecords returns a page of records. The cursor is the last id, so
// every page costs the same however deep it is.
func (s *Store) ListRecords(ctx context.Context, object string, opts ListOptions) (RecordPage, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return RecordPage{}, err
	}
	opts.Limit = pageLimit(opts.Limit, 10, 100)
	cond := "archived_at IS NULL"
	if opts.Archived {
		cond = "archived_at IS NOT NULL"
	}
	var ids []int64
	if err := s.r.SelectContext(ctx, &ids, "SELECT id FROM records WHERE object_oid = ? AND "+cond+" AND id > ? ORDER BY id LIMIT ?",
		o.oid, opts.After, opts.Limit+1); err != nil {
		return RecordPage{}, fmt.Errorf("list %s: %w", o.Name, err)
	}
	var page RecordPage
	if len(ids) > opts.Limit {
		ids = ids[:opts.Limit]
		page.Next = ids[len(ids)-1]
	}
	recs, err := s.loadRecords(ctx, c, o, ids, wantSet(opts.Properties))
	if err != nil {
		return RecordPage{}, err
	}
	for _, id := range ids {
		if r := recs[id]; r != nil {
			page.Records = append(page.Records, r)
		}
	}
	return page, nil
}

// HistoryEntry is one value a property had, as HubSpot's
// propertiesWithHistory reports it.
type HistoryEntry struct {
	Value     string `json:"value"`
	Timestamp string `json:"timestamp"`
	Source
}

// PropertyHistory returns, per requested property (all when names is nil),
// every value it had on the record, newest first. It is read from the
// change log, including the history of records merged into this one.
func (s *Store) PropertyHistory(ctx context.Context, object string, id int64, names []string) (map[string][]HistoryEntry, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	ids := []any{id}
	var merged []int64
	if err := s.r.SelectContext(ctx, &merged, "SELECT merged_id FROM merged_ids WHERE primary_id = ?", id); err != nil {
		return nil, fmt.Errorf("find merged records: %w", err)
	}
	for _, m := range merged {
		ids = append(ids, m)
	}
	var rows []changeRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM change_log WHERE record_id IN ("+placeholders(len(ids))+") AND object_oid = ? AND op IN ('create', 'update', 'merge') ORDER BY seq DESC",
		append(ids, o.oid)...); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	want := wantSet(names)
	out := map[string][]HistoryEntry{}
	for _, r := range rows {
		ch := c.change(r)
		for name, vc := range ch.Properties {
			if want != nil && !want[name] {
				continue
			}
			v := ""
			if vc.New != nil {
				v = *vc.New
			}
			out[name] = append(out[name], HistoryEntry{Value: v, Timestamp: FormatTime(ch.At), Source: ch.Source})
		}
	}
	return out, nil
}
