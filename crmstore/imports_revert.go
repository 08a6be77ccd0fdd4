package crmstore

import (
	"context"
	"fmt"
	"strconv"
)

// revertChunk is how many records one revert transaction archives.
const revertChunk = 500

// RevertImport archives the records an import created (HubSpot has no undo
// for imports; users ask for one). It finds them through the import's
// create rows in the change log, archives those still live in chunks of
// one transaction each, and marks the import REVERTED. Records the import
// only updated are left as they are. An interrupted revert is completed by
// running it again. It returns the import and how many records it archived.
func (s *Store) RevertImport(ctx context.Context, id int64) (Import, int64, error) {
	im, err := s.Import(ctx, id)
	if err != nil {
		return Import{}, 0, err
	}
	if !canMove(im.State, ImportReverted) {
		return Import{}, 0, invalidf("import %d is %s and cannot be reverted", id, im.State)
	}
	src := Source{Type: SourceImport, ID: strconv.FormatInt(id, 10), Label: "revert"}
	var total int64
	var after int64
	for {
		var n int
		var archived int64
		err := s.update(ctx, func(t *tx) error {
			var err error
			n, after, archived, err = t.revertChunk(id, after, src)
			return err
		})
		if err != nil {
			return Import{}, total, fmt.Errorf("revert import %d: %w", id, err)
		}
		total += archived // counted once committed: a failed chunk rolled back
		if n < revertChunk {
			break
		}
	}
	err = s.update(ctx, func(t *tx) error {
		if err := t.setImportState(id, ImportReverted, ""); err != nil {
			return err
		}
		_, err := t.ExecContext(t.ctx, "UPDATE imports SET reverted = reverted + ? WHERE id = ?", total, id)
		return err
	})
	if err != nil {
		return Import{}, total, fmt.Errorf("revert import %d: %w", id, err)
	}
	im, err = s.Import(ctx, id)
	return im, total, err
}

// revertChunk archives the live records among the next revertChunk records
// the import created after record id after. It returns how many created
// records it read, the last id read and how many it archived.
func (t *tx) revertChunk(importID, after int64, src Source) (int, int64, int64, error) {
	var ids []int64
	if err := t.SelectContext(t.ctx, &ids, `SELECT record_id FROM change_log
		WHERE source_type = 'IMPORT' AND op = 'create' AND source_id = ? AND record_id > ?
		ORDER BY record_id LIMIT ?`, strconv.FormatInt(importID, 10), after, revertChunk); err != nil {
		return 0, after, 0, fmt.Errorf("find created records: %w", err)
	}
	if len(ids) == 0 {
		return 0, after, 0, nil
	}
	last := ids[len(ids)-1]
	c, err := t.catalog()
	if err != nil {
		return 0, after, 0, err
	}
	rows, err := t.QueryContext(t.ctx, "SELECT "+recordColumns+" FROM records WHERE archived_at IS NULL AND id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return 0, after, 0, fmt.Errorf("read created records: %w", err)
	}
	live, err := scanRecordRows(rows, len(ids))
	if err != nil {
		return 0, after, 0, fmt.Errorf("read created records: %w", err)
	}
	changes := make([]pendingChange, 0, len(live))
	for _, r := range live {
		o := c.byOID[r.ObjectOID]
		if o == nil {
			continue
		}
		if err := t.archiveRecord(c, o, r.ID, c.decodeProps(o, r.Props), nil); err != nil {
			return 0, after, 0, err
		}
		changes = append(changes, pendingChange{objectOID: o.oid, recordID: r.ID, op: OpArchive, src: src})
	}
	return len(ids), last, int64(len(changes)), t.logChanges(changes...)
}
