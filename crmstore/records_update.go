package crmstore

import (
	"context"
	"fmt"
)

// RecordUpdate is one input of an update batch: the record (by id, or by
// the batch's idProperty) and the properties to change; "" clears a value.
type RecordUpdate struct {
	ID         string
	Properties map[string]string
}

// UpdateRecord updates one record.
func (s *Store) UpdateRecord(ctx context.Context, object, id string, props map[string]string, idProperty string, src Source) (*Record, error) {
	return oneResult(s.UpdateRecords(ctx, object, []RecordUpdate{{ID: id, Properties: props}}, idProperty, src))
}

// UpdateRecords updates up to MaxBatch live records in one transaction.
// Unchanged values write nothing; an input that changes nothing leaves the
// record (and the change log) untouched. Bad inputs are reported per input.
func (s *Store) UpdateRecords(ctx context.Context, object string, inputs []RecordUpdate, idProperty string, src Source) ([]BatchResult, error) {
	if err := checkBatchSize(len(inputs)); err != nil {
		return nil, err
	}
	var results []BatchResult
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		writes, err := t.loadWrites(c, o, inputs, idProperty)
		if err != nil {
			return err
		}
		for _, w := range writes {
			if w.err != nil {
				continue
			}
			c.prepareWrite(o, w, inputs[w.index].Properties, false)
		}
		if err := t.checkWrites(c, o, writes); err != nil {
			return err
		}
		if err := t.applyUpdates(c, o, writes, src.orDefault()); err != nil {
			return err
		}
		results = t.results(c, o, writes)
		return nil
	})
	return results, err
}

// loadWrites resolves update inputs to live records and their current
// values, in a few queries for the whole batch.
func (t *tx) loadWrites(c *catalog, o *ObjectType, inputs []RecordUpdate, idProperty string) ([]*recordWrite, error) {
	ids := make([]string, len(inputs))
	for i, in := range inputs {
		ids[i] = in.ID
	}
	rows, err := lookupRows(t.ctx, t.Tx, c, o, ids, idProperty, false)
	if err != nil {
		return nil, err
	}
	writes := make([]*recordWrite, len(inputs))
	seen := map[int64]bool{}
	for i, in := range inputs {
		w := &recordWrite{index: i}
		writes[i] = w
		r, ok := rows[in.ID]
		switch {
		case !ok:
			w.err = notFound("record", in.ID)
		case seen[r.ID]:
			w.err = invalidf("record %d appears twice in the batch", r.ID)
		default:
			seen[r.ID] = true
			w.row = r
			w.current = c.decodeProps(o, r.Props)
		}
	}
	return writes, nil
}

// applyUpdates writes the changed values of valid updates, their unique
// keys, the new modification time and one change-log row per record.
func (t *tx) applyUpdates(c *catalog, o *ObjectType, writes []*recordWrite, src Source) error {
	var uniqRows [][]any
	var changes []pendingChange
	for _, w := range writes {
		if w.err != nil {
			continue
		}
		// Drop values that do not change anything.
		for pid, v := range w.values {
			if !w.changed(v.prop) {
				delete(w.values, pid)
			}
		}
		if len(w.values) == 0 {
			continue
		}
		t.stageSideEffects(c, o, w)
		body := changeBody{Properties: map[string]ValueChange{}}
		for pid, v := range w.values {
			vc := ValueChange{}
			if old, ok := w.current[pid]; ok {
				vc.Old = &old
			}
			if !v.clear {
				nv := v.value
				vc.New = &nv
			}
			body.Properties[v.prop.Name] = vc
		}
		for _, p := range c.unique[o.oid] {
			if !w.changed(p) {
				continue
			}
			if old := w.current[p.id]; old != "" {
				if _, err := t.ExecContext(t.ctx, "DELETE FROM unique_values WHERE property_id = ? AND value = ? AND record_id = ?", p.id, uniqueKey(p, old), w.row.ID); err != nil {
					return fmt.Errorf("release unique value: %w", err)
				}
			}
			if v := w.effective(p); v != "" {
				uniqRows = append(uniqRows, []any{p.id, uniqueKey(p, v), w.row.ID})
			}
		}
		w.row.UpdatedAt = t.ms
		props, _ := c.encodeProps(nil, w.current, w.values)
		if _, err := t.ExecContext(t.ctx, "UPDATE records SET props = ?, updated_at = ? WHERE id = ?", props, t.ms, w.row.ID); err != nil {
			return fmt.Errorf("update record %d: %w", w.row.ID, err)
		}
		changes = append(changes, pendingChange{objectOID: o.oid, recordID: w.row.ID, op: OpUpdate, body: body, src: src})
	}
	if len(uniqRows) > 0 {
		if err := t.insertRows("unique_values", []string{"property_id", "value", "record_id"}, uniqRows, ""); err != nil {
			return err
		}
	}
	return t.logChanges(changes...)
}
