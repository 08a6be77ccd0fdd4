package crmstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Search indexes. Every column a search compares or sorts on is a VIRTUAL
// generated column of records computed from props (so it takes no space in
// the table and is always up to date), with a partial index
//
//	CREATE INDEX records_p12_lc ON records(p12_lc, created_at, id)
//	    WHERE +object_oid = 1 AND +archived_at IS NULL
//
// over the live records of the property's object: an equality on the
// column yields its records in creation order, and every index holds the
// default sort key, so sorting the matches by createdate reads no table
// row. (The unary "+" is explained at searchBuilder.live.) Sorts on
// createdate, hs_lastmodifieddate and hs_object_id use records_o1_created
// (created_at, id), records_o1_updated and records_o1_id. A group that ANDs
// an equality on an enumeration or boolean with another condition also
// gets a composite index (records_c1_p12_v__p40_v) so that counting its
// matches is one index range; at most maxComposed of them per object.
//
// They are created the first time a search needs them, in a write
// transaction (over a million records an index takes a few seconds, during
// which other writes wait); the database remembers them (sqlite_master).
// Each one costs every later write of the object's records an index update.

// maxComposed caps the composite indexes of one object.
const maxComposed = 16

// ensureSearchIndexes creates the generated columns and indexes a search
// needs that do not exist yet.
func (s *Store) ensureSearchIndexes(ctx context.Context, cols []searchColumn, idx []searchIndex) error {
	if len(idx) == 0 {
		return nil
	}
	have, err := searchIndexNames(ctx, s.r)
	if err != nil {
		return err
	}
	if len(missingIndexes(idx, have)) == 0 {
		return nil
	}
	return s.update(ctx, func(t *tx) error {
		have, err := searchIndexNames(t.ctx, t)
		if err != nil {
			return err
		}
		missing := missingIndexes(idx, have)
		if len(missing) == 0 {
			return nil
		}
		var existing []string
		if err := t.SelectContext(t.ctx, &existing, "SELECT name FROM pragma_table_xinfo('records')"); err != nil {
			return fmt.Errorf("read records columns: %w", err)
		}
		exists := map[string]bool{}
		for _, n := range existing {
			exists[n] = true
		}
		for _, col := range cols {
			if exists[col.name] {
				continue
			}
			ddl := "ALTER TABLE records ADD COLUMN " + col.name + " " + col.typ + " GENERATED ALWAYS AS (" + col.expr + ") VIRTUAL"
			if _, err := t.ExecContext(t.ctx, ddl); err != nil {
				return fmt.Errorf("add search column %s: %w", col.name, err)
			}
		}
		for _, ix := range missing {
			ddl := "CREATE INDEX IF NOT EXISTS " + ix.name + " ON records(" + strings.Join(ix.cols, ", ") +
				") WHERE +object_oid = " + strconv.FormatInt(ix.oid, 10) + " AND +archived_at IS NULL"
			if _, err := t.ExecContext(t.ctx, ddl); err != nil {
				return fmt.Errorf("create search index %s: %w", ix.name, err)
			}
		}
		return nil
	})
}

// searchIndexNames lists the indexes on records.
func searchIndexNames(ctx context.Context, q queryer) (map[string]bool, error) {
	var names []string
	if err := q.SelectContext(ctx, &names, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"); err != nil {
		return nil, fmt.Errorf("list search indexes: %w", err)
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// missingIndexes returns the indexes of idx not in have, leaving out
// composite indexes of objects that have maxComposed of them already.
func missingIndexes(idx []searchIndex, have map[string]bool) []searchIndex {
	var out []searchIndex
	composed := map[int64]int{}
	for _, ix := range idx {
		if have[ix.name] {
			continue
		}
		if ix.composite {
			n, ok := composed[ix.oid]
			if !ok {
				prefix := "records_c" + strconv.FormatInt(ix.oid, 10) + "_"
				for name := range have {
					if strings.HasPrefix(name, prefix) {
						n++
					}
				}
			}
			if n >= maxComposed {
				continue
			}
			composed[ix.oid] = n + 1
		}
		out = append(out, ix)
	}
	return out
}
