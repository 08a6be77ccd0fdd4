package crmstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ArchiveRecord archives (soft-deletes) one record.
func (s *Store) ArchiveRecord(ctx context.Context, object string, id int64, src Source) error {
	_, err := oneResult(s.ArchiveRecords(ctx, object, []int64{id}, src))
	return err
}

// ArchiveRecords archives up to MaxBatch records in one transaction. Their
// unique values are released; their associations vanish from reads until
// they are restored.
func (s *Store) ArchiveRecords(ctx context.Context, object string, ids []int64, src Source) ([]BatchResult, error) {
	return s.lifecycle(ctx, object, ids, OpArchive, src)
}

// RestoreRecord brings back an archived record.
func (s *Store) RestoreRecord(ctx context.Context, object string, id int64, src Source) error {
	_, err := oneResult(s.RestoreRecords(ctx, object, []int64{id}, src))
	return err
}

// RestoreRecords restores up to MaxBatch archived records. A record whose
// unique value was taken meanwhile stays archived with a ConflictError.
func (s *Store) RestoreRecords(ctx context.Context, object string, ids []int64, src Source) ([]BatchResult, error) {
	return s.lifecycle(ctx, object, ids, OpRestore, src)
}

// DeleteRecord permanently deletes a record (GDPR): its values, unique keys
// and associations go, and the values in its change-log rows are erased.
func (s *Store) DeleteRecord(ctx context.Context, object string, id int64, src Source) error {
	_, err := oneResult(s.DeleteRecords(ctx, object, []int64{id}, src))
	return err
}

// DeleteRecords permanently deletes up to MaxBatch records.
func (s *Store) DeleteRecords(ctx context.Context, object string, ids []int64, src Source) ([]BatchResult, error) {
	return s.lifecycle(ctx, object, ids, OpDelete, src)
}

// lifecycle runs archive, restore or delete over a batch of records.
func (s *Store) lifecycle(ctx context.Context, object string, ids []int64, op string, src Source) ([]BatchResult, error) {
	if err := checkBatchSize(len(ids)); err != nil {
		return nil, err
	}
	src = src.orDefault()
	results := make([]BatchResult, len(ids))
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		rows, err := selectRows(t.ctx, t.Tx, o, ids)
		if err != nil {
			return err
		}
		byID := map[int64]recordRow{}
		for _, r := range rows {
			byID[r.ID] = r
		}
		var changes []pendingChange
		for i, id := range ids {
			results[i].Index = i
			r, ok := byID[id]
			if !ok || (op == OpArchive && r.ArchivedAt != nil) || (op == OpRestore && (r.ArchivedAt == nil || r.MergedInto != nil)) {
				results[i].Err = notFound("record", strconv.FormatInt(id, 10))
				continue
			}
			delete(byID, id) // a second mention of the same id fails as not found
			var err error
			switch op {
			case OpArchive:
				err = t.archiveRecord(c, o, id, c.decodeProps(o, r.Props), nil)
			case OpRestore:
				err = t.restoreRecord(c, o, r)
			case OpDelete:
				err = t.deleteRecord(c, o, r)
			}
			if err != nil {
				if _, conflict := err.(*ConflictError); conflict {
					results[i].Err = err
					continue
				}
				return err
			}
			changes = append(changes, pendingChange{objectOID: o.oid, recordID: id, op: op, src: src})
		}
		return t.logChanges(changes...)
	})
	return results, err
}

// archiveRecord archives a live record with values vals; mergedInto marks
// a merge.
func (t *tx) archiveRecord(c *catalog, o *ObjectType, id int64, vals map[int64]string, mergedInto *int64) error {
	if _, err := t.ExecContext(t.ctx, "UPDATE records SET archived_at = ?, updated_at = ?, merged_into = ? WHERE id = ?", t.ms, t.ms, mergedInto, id); err != nil {
		return fmt.Errorf("archive record %d: %w", id, err)
	}
	return t.releaseUnique(c, o, id, vals)
}

// releaseUnique frees the unique values a record holds.
func (t *tx) releaseUnique(c *catalog, o *ObjectType, id int64, vals map[int64]string) error {
	for _, p := range c.unique[o.oid] {
		if v := vals[p.id]; v != "" {
			if _, err := t.ExecContext(t.ctx, "DELETE FROM unique_values WHERE property_id = ? AND value = ? AND record_id = ?", p.id, uniqueKey(p, v), id); err != nil {
				return fmt.Errorf("release unique %s of %d: %w", p.Name, id, err)
			}
		}
	}
	return nil
}

// restoreRecord takes back the record's unique values, failing with a
// ConflictError when another live record holds one of them.
func (t *tx) restoreRecord(c *catalog, o *ObjectType, r recordRow) error {
	id := r.ID
	vals := c.decodeProps(o, r.Props)
	// Check every value before taking any, so a conflict leaves nothing
	// reserved for a record that stays archived.
	var ins [][]any
	for _, p := range c.unique[o.oid] {
		v := vals[p.id]
		if v == "" {
			continue
		}
		key := uniqueKey(p, v)
		var holder []int64
		if err := t.SelectContext(t.ctx, &holder, "SELECT record_id FROM unique_values WHERE property_id = ? AND value = ?", p.id, key); err != nil {
			return fmt.Errorf("restore record %d: check unique %s: %w", id, p.Name, err)
		}
		if len(holder) > 0 {
			return &ConflictError{Property: p.Name, Value: v, ExistingID: holder[0]}
		}
		ins = append(ins, []any{p.id, key, id})
	}
	if len(ins) > 0 {
		if err := t.insertRows("unique_values", []string{"property_id", "value", "record_id"}, ins, ""); err != nil {
			return fmt.Errorf("restore record %d: %w", id, err)
		}
	}
	if _, err := t.ExecContext(t.ctx, "UPDATE records SET archived_at = NULL, updated_at = ? WHERE id = ?", t.ms, id); err != nil {
		return fmt.Errorf("restore record %d: %w", id, err)
	}
	return nil
}

// deleteRecord removes a record for good and erases the values its
// change-log rows carried, keeping the rows themselves so sync sees the delete.
func (t *tx) deleteRecord(c *catalog, o *ObjectType, r recordRow) error {
	id := r.ID
	if r.ArchivedAt == nil {
		if err := t.releaseUnique(c, o, id, c.decodeProps(o, r.Props)); err != nil {
			return err
		}
	}
	for _, st := range []struct {
		q    string
		args []any
	}{
		{"UPDATE change_log SET changes = '{}' WHERE record_id = ?", []any{id}},
		{"DELETE FROM merged_ids WHERE merged_id = ? OR primary_id = ?", []any{id, id}},
		{"DELETE FROM records WHERE id = ?", []any{id}},
	} {
		if _, err := t.ExecContext(t.ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("delete record %d: %w", id, err)
		}
	}
	return nil
}

// MergeRecords merges mergedID into primaryID (same object). The primary
// keeps its id and its values; properties it lacks take the merged record's
// values; associations move to it; the merged record is archived, its id
// remembered so reads of it answer with the primary.
func (s *Store) MergeRecords(ctx context.Context, object string, primaryID, mergedID int64, src Source) (*Record, error) {
	if primaryID == mergedID {
		return nil, invalidf("cannot merge record %d into itself", primaryID)
	}
	src = src.orDefault()
	var out *Record
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		writes, err := t.loadWrites(c, o, []RecordUpdate{{ID: strconv.FormatInt(primaryID, 10)}, {ID: strconv.FormatInt(mergedID, 10)}}, "")
		if err != nil {
			return err
		}
		for _, w := range writes {
			if w.err != nil {
				return w.err
			}
		}
		primary, merged := writes[0], writes[1]
		if primary.row.ID == merged.row.ID {
			return invalidf("record %d was already merged into %d", mergedID, primaryID)
		}
		// The merged record gives up its unique values first so the
		// primary may take them.
		if err := t.archiveRecord(c, o, merged.row.ID, merged.current, &primary.row.ID); err != nil {
			return err
		}
		primary.values = map[int64]preparedValue{}
		for pid, v := range merged.current {
			p := c.propByID[pid]
			if p == nil || p.ReadOnlyValue || primary.current[pid] != "" {
				continue
			}
			primary.values[pid] = preparedValue{prop: p, value: v}
		}
		if p := c.property(o, "hs_merged_object_ids"); p != nil {
			ids := mergedIDList(primary.current[p.id], merged.current[p.id], merged.row.ID)
			primary.values[p.id] = preparedValue{prop: p, value: ids}
		}
		if err := t.checkUnique(c, o, []*recordWrite{primary}); err != nil {
			return err
		}
		if primary.err != nil {
			return primary.err
		}
		if err := t.moveAssociations(merged.row.ID, primary.row.ID); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE merged_ids SET primary_id = ? WHERE primary_id = ?", primary.row.ID, merged.row.ID); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, "INSERT INTO merged_ids (merged_id, primary_id) VALUES (?, ?)", merged.row.ID, primary.row.ID); err != nil {
			return err
		}
		if err := t.applyUpdates(c, o, []*recordWrite{primary}, src); err != nil {
			return err
		}
		// applyUpdates logged an update; the merge itself is logged on both records.
		if err := t.logChanges(
			pendingChange{objectOID: o.oid, recordID: primary.row.ID, op: OpMerge, body: changeBody{MergedID: merged.row.ID}, src: src},
			pendingChange{objectOID: o.oid, recordID: merged.row.ID, op: OpMerge, body: changeBody{PrimaryID: primary.row.ID}, src: src},
		); err != nil {
			return err
		}
		out = t.results(c, o, []*recordWrite{primary})[0].Record
		return nil
	})
	return out, err
}

// mergedIDList joins the merged-id lists of both records plus the merged id.
func mergedIDList(a, b string, merged int64) string {
	set := map[string]bool{}
	var out []string
	for _, part := range strings.Split(a+";"+b+";"+strconv.FormatInt(merged, 10), ";") {
		if part != "" && !set[part] {
			set[part] = true
			out = append(out, part)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ";")
}
