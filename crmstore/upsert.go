package crmstore

import (
	"context"
	"errors"
	"maps"
)

// UpsertResult is the outcome of one upsert input; Created tells whether
// the record was created (true) or an existing one updated.
type UpsertResult struct {
	BatchResult
	Created bool
}

// UpsertRecords creates or updates up to MaxBatch records in one
// transaction, matching each input's ID against the unique property
// idProperty (e.g. email): a match is updated, no match creates a record
// holding that value. Upsert by a key never creates a duplicate, also when
// two inputs of the batch carry the same key (the second is refused).
func (s *Store) UpsertRecords(ctx context.Context, object string, inputs []RecordUpdate, idProperty string, src Source) ([]UpsertResult, error) {
	if err := checkBatchSize(len(inputs)); err != nil {
		return nil, err
	}
	if idProperty == "" || idProperty == "hs_object_id" {
		return nil, invalidf("upsert needs idProperty, a unique property such as email: records cannot be created with a given id")
	}
	src = src.orDefault()
	var out []UpsertResult
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		if _, err := uniqueProperty(c, o, idProperty); err != nil {
			return err
		}
		writes, err := t.loadWrites(c, o, inputs, idProperty)
		if err != nil {
			return err
		}
		var creates, updates []*recordWrite
		for i, w := range writes {
			if errors.Is(w.err, ErrNotFound) {
				props := maps.Clone(inputs[i].Properties)
				if props == nil {
					props = map[string]string{}
				}
				props[idProperty] = inputs[i].ID
				cw := &recordWrite{index: i, row: recordRow{ObjectOID: o.oid, CreatedAt: t.ms, UpdatedAt: t.ms}}
				c.prepareWrite(o, cw, props, true)
				writes[i] = cw
				creates = append(creates, cw)
				continue
			}
			if w.err == nil {
				c.prepareWrite(o, w, inputs[i].Properties, false)
				updates = append(updates, w)
			}
		}
		if err := t.checkWrites(c, o, creates); err != nil {
			return err
		}
		if err := t.checkWrites(c, o, updates); err != nil {
			return err
		}
		if err := t.insertRecords(c, o, creates, src); err != nil {
			return err
		}
		if err := t.applyUpdates(c, o, updates, src); err != nil {
			return err
		}
		created := map[int]bool{}
		for _, w := range creates {
			created[w.index] = true
		}
		for _, r := range t.results(c, o, writes) {
			out = append(out, UpsertResult{BatchResult: r, Created: created[r.Index]})
		}
		return nil
	})
	return out, err
}

// prepareWrite validates the properties of one create or update input into
// w.values, recording every problem in w.err.
func (c *catalog) prepareWrite(o *ObjectType, w *recordWrite, props map[string]string, creating bool) {
	vals, errs := c.prepare(o, props, creating)
	w.values = vals
	c.fillPipeline(o, w.current, vals)
	errs = append(errs, c.checkRequired(o, w.current, vals)...)
	if len(errs) > 0 {
		sortPropertyErrors(errs)
		w.err = &ValidationError{Errors: errs}
	}
}
