package crmstore

import (
	"errors"
	"fmt"
)

// One input row can fill several parts of a batch (a CSV row holding a
// contact and its company). Such a row fails alone and whole: when any of
// its parts fails, none is written. Parts used to be written one after
// the other, so a row whose contact failed kept its company; bulkTied
// instead plans every part before writing any:
//
//  1. Rows that fail on their own (bad key, invalid values) are known
//     before any planning; their input rows are left out of every part.
//  2. Every part is planned without those rows. A write that fails
//     (not found, create-only conflict, missing required value, unique
//     conflict, unknown owner or stage) fails the rows merged into it.
//  3. The input rows of those failures are left out of the parts where
//     they had not failed, and those parts are planned again, so that a
//     record that a failed row merged into with later rows is written
//     with the later rows' values only. This repeats until no new row
//     fails; each round fails at least one more input row, so it ends.
//
// Only then are the parts written. Batches whose rows stand alone (one
// part, or no Lines) take bulkParts and pay nothing for this.

// ErrRowNotWritten is the error of a row that was valid but not written
// because another part of its input row (ImportRow.Line) failed. The
// other part's error says why.
var ErrRowNotWritten = errors.New("not written: another part of the row failed")

// tiedRows reports whether b has rows of different parts tied by a Line.
func tiedRows(b ImportBatch) bool {
	if len(b.Parts) < 2 {
		return false
	}
	for _, p := range b.Parts {
		for _, r := range p.Rows {
			if r.Line != 0 {
				return true
			}
		}
	}
	return false
}

// bulkTied writes a batch whose parts' rows are tied by their Line, all
// or none of each input row (see above).
func (t *tx) bulkTied(c *catalog, b ImportBatch, res *ImportBatchResult, trusted bool) error {
	plans := make([]*partPlan, len(b.Parts))
	byObject := map[*ObjectType]int{}
	for i, part := range b.Parts {
		pp, err := preparePart(c, part)
		if err != nil {
			return fmt.Errorf("write %s: %w", part.Object, err)
		}
		// Parts are planned before any is written, so a part could not
		// see the records an earlier part of the same object creates.
		if j, dup := byObject[pp.o]; dup {
			return fmt.Errorf("parts %d and %d both write %s: rows tied by line need one part per object", j, i, pp.o.Name)
		}
		byObject[pp.o] = i
		plans[i] = pp
	}
	failed := map[int64]bool{}
	for _, pp := range plans {
		for i, r := range pp.local {
			if line := pp.part.Rows[i].Line; r.Err != nil && line != 0 {
				failed[line] = true
			}
		}
	}
	if err := t.planTied(c, plans, failed, trusted); err != nil {
		return err
	}
	src := b.Source.orDefault()
	for i, pp := range plans {
		var err error
		if res.Parts[i], err = t.applyPart(c, pp, src); err != nil {
			return fmt.Errorf("write %s: %w", pp.part.Object, err)
		}
	}
	return nil
}

// planTied plans the parts, leaving out the rows of failed lines, until
// no part fails a line that is not in failed yet.
func (t *tx) planTied(c *catalog, plans []*partPlan, failed map[int64]bool, trusted bool) error {
	dirty := make([]bool, len(plans))
	for i := range dirty {
		dirty[i] = true
	}
	for {
		for i, pp := range plans {
			if !dirty[i] {
				continue
			}
			skip := func(row int) error {
				if line := pp.part.Rows[row].Line; line != 0 && failed[line] {
					return ErrRowNotWritten
				}
				return nil
			}
			if err := t.planPart(c, pp, trusted, skip); err != nil {
				return fmt.Errorf("write %s: %w", pp.part.Object, err)
			}
		}
		newly := map[int64]bool{}
		for _, pp := range plans {
			for _, row := range pp.failedRows() {
				if line := pp.part.Rows[row].Line; line != 0 && !failed[line] {
					newly[line] = true
				}
			}
		}
		if len(newly) == 0 {
			return nil
		}
		for line := range newly {
			failed[line] = true
		}
		for i, pp := range plans {
			dirty[i] = pp.holdsLive(newly)
		}
	}
}

// holdsLive reports whether a planned part would write a row of one of
// lines: such a part must be planned again without them.
func (pp *partPlan) holdsLive(lines map[int64]bool) bool {
	failing := map[int]bool{}
	for _, row := range pp.failedRows() {
		failing[row] = true
	}
	for i, r := range pp.part.Rows {
		if r.Line != 0 && lines[r.Line] && !failing[i] {
			return true
		}
	}
	return false
}
