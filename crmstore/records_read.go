package crmstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

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
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	rid, err := s.resolveID(ctx, c, o, id, opts.IDProperty, opts.Archived)
	if err != nil {
		return nil, err
	}
	recs, err := s.loadRecords(ctx, c, o, []int64{rid}, wantSet(opts.Properties))
	if err != nil {
		return nil, err
	}
	r := recs[rid]
	if r == nil || r.Archived != opts.Archived {
		return nil, notFound("record", id)
	}
	return r, nil
}

// GetRecords reads several records; missing ones are absent from the map.
func (s *Store) GetRecords(ctx context.Context, object string, ids []string, opts GetOptions) (map[string]*Record, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	byInput := map[string]int64{}
	var rids []int64
	for _, id := range ids {
		rid, err := s.resolveID(ctx, c, o, id, opts.IDProperty, opts.Archived)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		byInput[id] = rid
		rids = append(rids, rid)
	}
	recs, err := s.loadRecords(ctx, c, o, rids, wantSet(opts.Properties))
	if err != nil {
		return nil, err
	}
	out := map[string]*Record{}
	for in, rid := range byInput {
		if r := recs[rid]; r != nil && r.Archived == opts.Archived {
			out[in] = r
		}
	}
	return out, nil
}

// resolveID turns an id argument into a record id of object o.
func (s *Store) resolveID(ctx context.Context, c *catalog, o *ObjectType, id, idProperty string, archived bool) (int64, error) {
	if archived && idProperty != "" && idProperty != "hs_object_id" {
		p, err := uniqueProperty(c, o, idProperty)
		if err != nil {
			return 0, err
		}
		canon, _, perr := normalizeValue(p, id)
		if perr != nil {
			return 0, notFound("record", id)
		}
		var rid int64
		err = s.r.GetContext(ctx, &rid, `SELECT id FROM records WHERE object_oid = ? AND archived_at IS NOT NULL
			AND props ->> ? = ? ORDER BY archived_at DESC LIMIT 1`, o.oid, jsonPath(p.Name), canon)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, notFound("record", id)
		}
		return rid, err
	}
	if archived {
		rid, err := strconv.ParseInt(id, 10, 64)
		if err != nil || rid <= 0 {
			return 0, notFound("record", id)
		}
		return rid, nil
	}
	return resolveLiveID(ctx, s.r, c, o, id, idProperty)
}

// resolveLiveID resolves an id argument to a live record id: a record id,
// the id of a record merged into another (giving the primary), or the value
// of a unique property.
func resolveLiveID(ctx context.Context, q queryer, c *catalog, o *ObjectType, id, idProperty string) (int64, error) {
	if idProperty == "" || idProperty == "hs_object_id" {
		rid, err := strconv.ParseInt(id, 10, 64)
		if err != nil || rid <= 0 {
			return 0, notFound("record", id)
		}
		var primary int64
		err = sqlx.GetContext(ctx, q, &primary, "SELECT primary_id FROM merged_ids WHERE merged_id = ?", rid)
		if err == nil {
			return primary, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("resolve merged id: %w", err)
		}
		return rid, nil
	}
	p, err := uniqueProperty(c, o, idProperty)
	if err != nil {
		return 0, err
	}
	canon, _, perr := normalizeValue(p, id)
	if perr != nil {
		return 0, notFound("record", id)
	}
	var rid int64
	err = sqlx.GetContext(ctx, q, &rid, "SELECT record_id FROM unique_values WHERE property_id = ? AND value = ?", p.id, uniqueKey(p, canon))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("record", id)
	}
	if err != nil {
		return 0, fmt.Errorf("find %s by %s: %w", o.Name, idProperty, err)
	}
	return rid, nil
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

// loadRecords reads records of o with their values in two queries.
func (s *Store) loadRecords(ctx context.Context, c *catalog, o *ObjectType, ids []int64, want map[string]bool) (map[int64]*Record, error) {
	return loadRecords(ctx, s.r, c, o, ids, want)
}

func loadRecords(ctx context.Context, q queryer, c *catalog, o *ObjectType, ids []int64, want map[string]bool) (map[int64]*Record, error) {
	out := make(map[int64]*Record, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, o.oid)
	for _, id := range ids {
		args = append(args, id)
	}
	var rows []recordRow
	if err := q.SelectContext(ctx, &rows, "SELECT "+recordColumns+" FROM records WHERE object_oid = ? AND id IN ("+placeholders(len(ids))+")", args...); err != nil {
		return nil, fmt.Errorf("load %s records: %w", o.Name, err)
	}
	for _, r := range rows {
		out[r.ID] = c.newRecord(o, r, c.decodeProps(o, r.Props), want)
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
	if opts.Limit <= 0 {
		opts.Limit = 10
	}
	if opts.Limit > 100 {
		opts.Limit = 100
	}
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
