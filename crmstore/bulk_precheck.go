package crmstore

import (
	"context"
	"fmt"
)

// Re-running an import finds every row unchanged, and the write
// transaction spent most of its time looking the rows' records up and
// comparing them. PrecheckImportBatch does that on a read connection
// beside the writer, in the importer's preparing goroutine. Its findings
// hold when nothing was written in between: every write to records
// appends to the change log, so the transaction compares the change log's
// last sequence number with the one the precheck read in the same
// snapshot as the records, and looks the rows up itself when they differ
// or the catalogue changed.

// batchPrecheck is the snapshot a precheck read.
type batchPrecheck struct {
	seq int64
	cat *catalog
}

// PrecheckImportBatch finds the rows of a prepared batch (PrepareImportBatch)
// whose records already hold every value, so that WriteImportBatch can
// skip them without a lookup while nothing else was written. Only rows
// matched by a unique property, in parts that may update, whose key is
// unique in the batch are checked. Use it when most rows are expected to
// exist unchanged (a re-run import); an error leaves the batch as it was.
func (s *Store) PrecheckImportBatch(ctx context.Context, b *ImportBatch) error {
	c := s.catalog()
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("precheck import batch: %w", err)
	}
	defer tx.Rollback()
	var seq int64
	if err := tx.GetContext(ctx, &seq, "SELECT COALESCE(MAX(seq), 0) FROM change_log"); err != nil {
		return fmt.Errorf("precheck import batch: %w", err)
	}
	scratch := &sameScratch{values: map[string]string{}}
	for i := range b.Parts {
		if err := precheckPart(ctx, tx, c, &b.Parts[i], scratch); err != nil {
			return err
		}
	}
	b.pre = &batchPrecheck{seq: seq, cat: c}
	return nil
}

// precheckPart marks the rows of part whose records hold their values.
func precheckPart(ctx context.Context, q queryer, c *catalog, part *ImportPart, scratch *sameScratch) error {
	o, err := c.object(part.Object)
	if err != nil || part.Operation == ImportCreate {
		return nil
	}
	match, err := bulkMatch(c, o, part.MatchProperty)
	if err != nil || match == nil {
		return nil
	}
	count := make(map[string]int, len(part.Rows))
	for _, r := range part.Rows {
		if pr := r.prep; pr != nil && pr.key != "" {
			count[pr.key]++
		}
	}
	var keys []string
	for _, r := range part.Rows {
		pr := r.prep
		if pr != nil && pr.cat == c && pr.key != "" && pr.keyErr == nil && len(pr.errs) == 0 && count[pr.key] == 1 {
			keys = append(keys, pr.key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	found, err := lookupKeys(ctx, q, match, keys)
	if err != nil {
		return fmt.Errorf("precheck %s: %w", o.Name, err)
	}
	for _, r := range part.Rows {
		pr := r.prep
		if pr == nil || pr.cat != c || count[pr.key] != 1 || pr.keyErr != nil || len(pr.errs) > 0 {
			continue
		}
		if rec := found[pr.key]; rec != nil && rec.ObjectOID == o.oid && sameValues(rec.Props, pr.list, scratch) {
			pr.unchangedIn = rec.ID
		}
	}
	return nil
}

// precheckHolds reports whether a batch's precheck still describes the
// records: same catalogue, nothing logged since.
func (t *tx) precheckHolds(c *catalog, pre *batchPrecheck) (bool, error) {
	if pre == nil || pre.cat != c {
		return false, nil
	}
	var seq int64
	if err := t.GetContext(t.ctx, &seq, "SELECT COALESCE(MAX(seq), 0) FROM change_log"); err != nil {
		return false, fmt.Errorf("check import precheck: %w", err)
	}
	return seq == pre.seq, nil
}
