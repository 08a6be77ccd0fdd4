package crmstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file is the bulk write path of imports: one transaction per batch of
// a few hundred to a few thousand rows, one lookup query per batch for the
// match keys, no Record built for the caller, and rows that change nothing
// skipped without a write or a change-log row. Validation, unique keys,
// owners, stages and the change log are the ones every other write uses.

// Outcomes of one import row.
const (
	OutcomeCreated   = "CREATED"
	OutcomeUpdated   = "UPDATED"
	OutcomeUnchanged = "UNCHANGED"
	OutcomeMerged    = "MERGED" // folded into an earlier row of the batch with the same key
	OutcomeFailed    = "FAILED"
)

// ImportBatch is one transaction of an import: rows of one or more objects
// (parts, written in order) and the associations between them.
type ImportBatch struct {
	ImportID int64
	// Source is written on every change-log row; normally Type IMPORT and
	// ID the import's id.
	Source Source
	Parts  []ImportPart
	Links  []ImportLink
	// EncodeCreates has PrepareImportBatch also encode every valid row as
	// a new record, so that work is done before the transaction. Set it
	// when most rows are expected to be new (the previous batch created
	// most of its rows); rows that turn out to exist waste the encoding.
	EncodeCreates bool

	pre *batchPrecheck // set by PrecheckImportBatch
}

// ImportPart is the rows of one object in a batch.
type ImportPart struct {
	Object string
	// Operation is ImportCreate, ImportUpdate or ImportUpsert.
	Operation string
	// MatchProperty is "hs_object_id" (match by record id) or a unique
	// property such as email or domain.
	MatchProperty string
	// NoOverwrite lists properties whose existing non-empty values the
	// import keeps.
	NoOverwrite []string
	// ForwardOnly lists enumeration properties that only move forward in
	// their option order (HubSpot: an import never moves lifecyclestage back).
	ForwardOnly []string
	// Columns, when set, names the property of each of a row's Values:
	// rows then carry Values instead of Properties, which spares a map
	// per row and resolves each name once per batch.
	Columns []string
	Rows    []ImportRow
}

// ImportRow is one row's values for one object. Empty values are not
// written (an empty cell never clears a value).
type ImportRow struct {
	// Key is the value of the match property that finds the record; empty
	// creates a record (CREATE, UPSERT) without matching.
	Key        string
	Properties map[string]string
	// Values holds the row's value for each of ImportPart.Columns, when
	// the part has Columns.
	Values []string
	// Line names the input row (a CSV file's line) this row came from
	// when one input row fills several parts: the rows of a batch's parts
	// that share a non-zero Line are written all or none. Zero leaves the
	// row on its own.
	Line int64

	prep *preparedRow // set by PrepareImportBatch
}

// ImportLink associates the record of row Row of part Part with another
// record: the record of row ToRow of part ToPart, or when ToPart is
// negative the record of ToObject whose ToProperty (hs_object_id or a
// unique property) equals ToValue.
type ImportLink struct {
	Part, Row  int
	ToPart     int
	ToRow      int
	ToObject   string
	ToProperty string
	ToValue    string
}

// ImportRowResult is the outcome of one row of one part.
type ImportRowResult struct {
	RecordID int64
	Outcome  string
	// MergedInto is the index of the row this one was folded into (Outcome MERGED).
	MergedInto int
	Err        error
}

// ImportBatchResult is the outcome of a batch: per part and row, and per link.
type ImportBatchResult struct {
	Parts [][]ImportRowResult
	// Links holds an error per link; nil when the link was made or skipped
	// because one of its rows failed.
	Links        []error
	Associations int64
}

// WriteImportBatch writes one batch of an import in one transaction. Bad
// rows are reported in the result and the rest are written. Rows tied by
// their Line fail together: when one of them fails, the others get
// ErrRowNotWritten, none is written and none of their links is made;
// rows of the batch that merge into the same records are then written
// without the failed rows' values. report, called
// inside the transaction with the result, returns the progress to add to
// the import's record, so the record and the data always agree.
func (s *Store) WriteImportBatch(ctx context.Context, b ImportBatch, report func(*ImportBatchResult) ImportProgress) (*ImportBatchResult, error) {
	var res *ImportBatchResult
	bl := s.activeBulkLoad()
	bl.beforeBulkWrite(ctx)
	err := s.update(ctx, func(t *tx) error {
		res = &ImportBatchResult{Parts: make([][]ImportRowResult, len(b.Parts)), Links: make([]error, len(b.Links))}
		c, err := t.catalog()
		if err != nil {
			return err
		}
		trusted, err := t.precheckHolds(c, b.pre)
		if err != nil {
			return err
		}
		if tiedRows(b) {
			err = t.bulkTied(c, b, res, trusted)
		} else {
			err = t.bulkParts(c, b, res, trusted)
		}
		if err != nil {
			return err
		}
		if err := t.bulkLinks(c, b, res, b.Source.orDefault()); err != nil {
			return err
		}
		if report == nil {
			return nil
		}
		return t.recordImportProgress(b.ImportID, report(res))
	})
	if err != nil {
		return nil, err
	}
	bl.afterBulkWrite()
	return res, nil
}

// bulkParts writes the parts of a batch whose rows stand alone, one part
// after the other.
func (t *tx) bulkParts(c *catalog, b ImportBatch, res *ImportBatchResult, trusted bool) error {
	for i, part := range b.Parts {
		var err error
		if res.Parts[i], err = t.bulkPart(c, part, b.Source.orDefault(), trusted); err != nil {
			return fmt.Errorf("write %s: %w", part.Object, err)
		}
	}
	return nil
}

// bulkGroup is the rows of a part that name the same record: the same
// existing record, or the same new key.
type bulkGroup struct {
	rows      []int
	existing  *recordRow
	w         *recordWrite
	unchanged bool
}

// preparedRow is a row validated and normalised against one catalogue
// snapshot: PrepareImportBatch does it outside the write transaction, so
// the CPU work overlaps the previous batch's writes.
type preparedRow struct {
	cat *catalog
	// list holds the row's valid values, one per property; values is
	// the same as a map, built when a write needs it (valueMap): a row
	// that changes nothing never needs it.
	list   []preparedValue
	values map[int64]preparedValue
	errs   []PropertyError
	key    string
	keyErr error
	// create is the row encoded as a new record (EncodeCreates), or nil.
	create *encodedCreate
	// unchangedIn is the record PrecheckImportBatch found holding the
	// row's values already, 0 when it found none.
	unchangedIn int64
}

// PrepareImportBatch validates and normalises the rows of b ahead of
// WriteImportBatch, which then only checks what needs the database. It may
// run concurrently with writes; rows prepared against a catalogue that has
// changed since are prepared again in the transaction.
func (s *Store) PrepareImportBatch(b *ImportBatch) {
	c := s.catalog()
	for i := range b.Parts {
		part := &b.Parts[i]
		o, err := c.object(part.Object)
		if err != nil {
			continue // reported by WriteImportBatch
		}
		match, err := bulkMatch(c, o, part.MatchProperty)
		if err != nil {
			continue
		}
		var enc *createEncoder
		if b.EncodeCreates && part.Operation != ImportUpdate {
			enc = newCreateEncoder(c, o, b.Source.orDefault())
		}
		cols := c.importColumns(o, match, part.Columns)
		for j := range part.Rows {
			pr := c.prepareRow(o, match, cols, part.Rows[j])
			if enc != nil && pr.keyErr == nil && len(pr.errs) == 0 {
				pr.create = enc.encode(pr.list)
			}
			part.Rows[j].prep = pr
		}
	}
}

// prepareRow validates one row's values and works out its match key.
// cols is the part's resolved Columns, nil when rows carry Properties.
func (c *catalog) prepareRow(o *ObjectType, match *Property, cols *importColumns, r ImportRow) *preparedRow {
	pr := &preparedRow{cat: c}
	var matchRaw string
	var matchGiven bool
	if cols != nil {
		pr.list, pr.errs = cols.prepare(r.Values)
		if cols.match >= 0 && cols.match < len(r.Values) {
			matchRaw, matchGiven = r.Values[cols.match], true
		}
	} else {
		props := nonEmpty(r.Properties)
		pr.values, pr.errs = c.prepare(o, props, true)
		pr.list = make([]preparedValue, 0, len(pr.values))
		for _, v := range pr.values {
			pr.list = append(pr.list, v)
		}
		if match != nil {
			matchRaw, matchGiven = props[match.Name]
		}
	}
	key := strings.TrimSpace(r.Key)
	switch {
	case key == "":
	case match == nil:
		if id, err := strconv.ParseInt(key, 10, 64); err != nil || id <= 0 {
			pr.keyErr = &ValidationError{Errors: []PropertyError{{Property: "hs_object_id", Code: CodeInvalidInteger,
				Message: fmt.Sprintf("Record ID %q is not a valid record id", shown(key))}}}
		}
		pr.key = key
	default:
		if v, ok := pr.value(match); ok && matchGiven && matchRaw == r.Key {
			pr.key = uniqueKey(match, v.value) // already validated with the row's values
			break
		}
		canon, _, perr := normalizeValue(match, key)
		if perr != nil {
			pr.keyErr = &ValidationError{Errors: []PropertyError{*perr}}
			break
		}
		pr.key = uniqueKey(match, canon)
	}
	return pr
}

// partPlan is one part of a batch on its way to the database: its rows
// validated, grouped by record and checked, ready to write.
type partPlan struct {
	part  ImportPart
	o     *ObjectType
	match *Property
	preps []*preparedRow
	// local holds the failures of rows on their own (bad key, invalid
	// values); out starts from it at every planning.
	local  []ImportRowResult
	out    []ImportRowResult
	groups []*bulkGroup
	// creates and updates are the groups' writes that passed the checks
	// the database makes (their err is set otherwise).
	creates []*bulkGroup
	updates []*recordWrite
}

// bulkPart writes the rows of one part.
// trusted says the rows' prechecks still hold.
func (t *tx) bulkPart(c *catalog, part ImportPart, src Source, trusted bool) ([]ImportRowResult, error) {
	pp, err := preparePart(c, part)
	if err != nil {
		return nil, err
	}
	if err := t.planPart(c, pp, trusted, nil); err != nil {
		return nil, err
	}
	return t.applyPart(c, pp, src)
}

// preparePart resolves a part's object and match property and validates
// its rows, taking the work PrepareImportBatch did when it still holds.
func preparePart(c *catalog, part ImportPart) (*partPlan, error) {
	o, err := c.object(part.Object)
	if err != nil {
		return nil, err
	}
	match, err := bulkMatch(c, o, part.MatchProperty)
	if err != nil {
		return nil, err
	}
	pp := &partPlan{part: part, o: o, match: match, preps: make([]*preparedRow, len(part.Rows)),
		local: make([]ImportRowResult, len(part.Rows))}
	var cols *importColumns
	for i, r := range part.Rows {
		pr := r.prep
		if pr == nil || pr.cat != c {
			if cols == nil {
				cols = c.importColumns(o, match, part.Columns)
			}
			pr = c.prepareRow(o, match, cols, r)
		}
		pp.preps[i] = pr
		switch {
		case pr.keyErr != nil:
			pp.local[i] = ImportRowResult{Outcome: OutcomeFailed, Err: pr.keyErr}
		case len(pr.errs) > 0:
			pp.local[i] = ImportRowResult{Outcome: OutcomeFailed, Err: &ValidationError{Errors: pr.errs}}
		}
	}
	return pp, nil
}

// planPart groups the part's valid rows by record, works out each
// group's write and runs the checks that need the database. skip, when
// not nil, returns the error of rows to leave out although they are
// valid (another part of their input row failed); a part planned with a
// skip may be planned again with more rows to leave out, one planned
// without may not.
func (t *tx) planPart(c *catalog, pp *partPlan, trusted bool, skip func(i int) error) error {
	pp.out = pp.local
	if skip != nil {
		pp.out = slices.Clone(pp.local)
		for i := range pp.out {
			if pp.out[i].Err != nil {
				continue
			}
			if err := skip(i); err != nil {
				pp.out[i] = ImportRowResult{Outcome: OutcomeFailed, Err: err}
			}
			// A write of an earlier planning may have changed the
			// row's value map (pipelines, kept values); it is rebuilt
			// from the row's values on use.
			pp.preps[i].values = nil
		}
	}
	groups, err := t.bulkGroups(c, pp.o, pp.match, pp.preps, pp.out, trusted)
	if err != nil {
		return err
	}
	pp.groups, pp.creates, pp.updates = groups, nil, nil
	var writes []*recordWrite
	scratch := &sameScratch{values: map[string]string{}}
	for _, g := range groups {
		if g.unchanged {
			continue // decided by the precheck
		}
		g.w = t.bulkWrite(c, pp.o, pp.match, pp.part, pp.preps, g, pp.out, scratch)
		if g.w == nil {
			continue
		}
		writes = append(writes, g.w)
		if g.existing == nil {
			pp.creates = append(pp.creates, g)
		} else {
			pp.updates = append(pp.updates, g.w)
		}
	}
	return t.checkWrites(c, pp.o, writes)
}

// failedRows lists the rows of a planned part that fail: on their own, in
// their group's write, or in the checks of that write.
func (pp *partPlan) failedRows() []int {
	var rows []int
	for i := range pp.out {
		if pp.out[i].Err != nil {
			rows = append(rows, i)
		}
	}
	for _, g := range pp.groups {
		if g.w != nil && g.w.err != nil {
			rows = append(rows, g.rows...)
		}
	}
	return rows
}

// applyPart writes a planned part and returns the outcome of its rows.
func (t *tx) applyPart(c *catalog, pp *partPlan, src Source) ([]ImportRowResult, error) {
	if err := t.bulkInsert(c, pp.o, pp.creates, pp.preps, src); err != nil {
		return nil, err
	}
	if err := t.applyUpdates(c, pp.o, pp.updates, src); err != nil {
		return nil, err
	}
	for _, g := range pp.groups {
		bulkOutcome(g, pp.out)
	}
	return pp.out, nil
}

// value returns the row's value of p.
func (pr *preparedRow) value(p *Property) (preparedValue, bool) {
	for _, v := range pr.list {
		if v.prop == p {
			return v, true
		}
	}
	return preparedValue{}, false
}

// valueMap returns the row's values by property id, built on first use.
func (pr *preparedRow) valueMap() map[int64]preparedValue {
	if pr.values == nil {
		pr.values = make(map[int64]preparedValue, len(pr.list))
		for _, v := range pr.list {
			pr.values[v.prop.id] = v
		}
	}
	return pr.values
}

// bulkMatch resolves the match property of a part: nil means record id.
func bulkMatch(c *catalog, o *ObjectType, name string) (*Property, error) {
	if name == "" || name == "hs_object_id" {
		return nil, nil
	}
	return uniqueProperty(c, o, name)
}

// bulkGroups looks the keys up in one query and groups the valid rows by
// the record they name, in file order.
// Rows a precheck found unchanged (when trusted) form groups of their own
// without a lookup.
func (t *tx) bulkGroups(c *catalog, o *ObjectType, match *Property, preps []*preparedRow, out []ImportRowResult, trusted bool) ([]*bulkGroup, error) {
	var lookup []string
	seen := map[string]bool{}
	for i, pr := range preps {
		if trusted && pr.unchangedIn != 0 && out[i].Err == nil {
			continue
		}
		if pr.key != "" && out[i].Err == nil && !seen[pr.key] {
			seen[pr.key] = true
			lookup = append(lookup, pr.key)
		}
	}
	var found map[string]*recordRow
	var err error
	if match == nil {
		var byID map[string]recordRow
		byID, err = lookupRows(t.ctx, t.Tx, c, o, lookup, "hs_object_id", false)
		found = make(map[string]*recordRow, len(byID))
		for k, r := range byID {
			found[k] = &r
		}
	} else {
		found, err = lookupKeys(t.ctx, t.Tx, match, lookup)
	}
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", o.Name, err)
	}
	groups := make([]*bulkGroup, 0, len(preps))
	byRecord := make(map[int64]*bulkGroup, len(found))
	byKey := make(map[string]*bulkGroup, len(lookup))
	for i, pr := range preps {
		if out[i].Err != nil {
			continue
		}
		var g *bulkGroup
		if trusted && pr.unchangedIn != 0 {
			g = &bulkGroup{existing: &recordRow{ID: pr.unchangedIn, ObjectOID: o.oid}, unchanged: true}
			groups = append(groups, g)
		} else if r, ok := found[pr.key]; ok && pr.key != "" {
			if g = byRecord[r.ID]; g == nil {
				g = &bulkGroup{existing: r}
				byRecord[r.ID] = g
				groups = append(groups, g)
			}
		} else if pr.key != "" {
			if g = byKey[pr.key]; g == nil {
				g = &bulkGroup{}
				byKey[pr.key] = g
				groups = append(groups, g)
			}
		} else {
			g = &bulkGroup{} // no key: a record of its own
			groups = append(groups, g)
		}
		g.rows = append(g.rows, i)
	}
	return groups, nil
}

// lookupKeys finds the live records holding normalised keys of the unique
// property p, with their rows, in one query.
func lookupKeys(ctx context.Context, q queryer, p *Property, keys []string) (map[string]*recordRow, error) {
	out := make(map[string]*recordRow, len(keys))
	// One array holds the rows: a re-run import finds every key.
	rows := make([]recordRow, 0, len(keys))
	for start := 0; start < len(keys); start += maxVariables - 1 {
		chunk := keys[start:min(start+maxVariables-1, len(keys))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, p.id)
		for _, k := range chunk {
			args = append(args, k)
		}
		res, err := q.QueryContext(ctx, `SELECT u.value, r.id, r.object_oid, r.created_at, r.updated_at, r.props
			FROM unique_values u JOIN records r ON r.id = u.record_id
			WHERE u.property_id = ? AND u.value IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("by %s: %w", p.Name, err)
		}
		for res.Next() {
			var k string
			rows = append(rows, recordRow{})
			r := &rows[len(rows)-1]
			if err := res.Scan(&k, &r.ID, &r.ObjectOID, &r.CreatedAt, &r.UpdatedAt, &r.Props); err != nil {
				res.Close()
				return nil, fmt.Errorf("by %s: %w", p.Name, err)
			}
			out[k] = r
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, fmt.Errorf("by %s: %w", p.Name, err)
		}
	}
	return out, nil
}

// bulkWrite prepares the write of one group, or returns nil when there is
// nothing to write (the row failed, or changes nothing). The rows of a
// multi-row group merge, later rows winning per property.
func (t *tx) bulkWrite(c *catalog, o *ObjectType, match *Property, part ImportPart, preps []*preparedRow, g *bulkGroup, out []ImportRowResult, scratch *sameScratch) *recordWrite {
	first := g.rows[0]
	var values map[int64]preparedValue
	list := preps[first].list
	if len(g.rows) > 1 {
		values = mergeValues(part, preps, g.rows)
		list = make([]preparedValue, 0, len(values))
		for _, v := range values {
			list = append(list, v)
		}
	}
	fail := func(err error) *recordWrite {
		for _, i := range g.rows {
			out[i] = ImportRowResult{Outcome: OutcomeFailed, Err: err}
		}
		return nil
	}
	key := strings.TrimSpace(part.Rows[first].Key)
	if g.existing == nil {
		if part.Operation == ImportUpdate || (match == nil && key != "") {
			return fail(notFound(o.Name+" record", key))
		}
		if values == nil {
			values = preps[first].valueMap()
		}
		w := &recordWrite{index: first, row: recordRow{ObjectOID: o.oid, CreatedAt: t.ms, UpdatedAt: t.ms}, values: values}
		c.fillPipeline(o, nil, values)
		if errs := c.checkRequired(o, nil, values); len(errs) > 0 {
			return fail(&ValidationError{Errors: errs})
		}
		return w
	}
	if part.Operation == ImportCreate {
		if match == nil {
			return fail(invalidf("record %d already exists; the import only creates records", g.existing.ID))
		}
		return fail(&ConflictError{Property: match.Name, Value: key, ExistingID: g.existing.ID})
	}
	if sameValues(g.existing.Props, list, scratch) {
		// Nothing to write: the common case of re-running an import,
		// decided without building the row's or the record's values by id.
		g.unchanged = true
		return nil
	}
	if values == nil {
		values = preps[first].valueMap()
	}
	w := &recordWrite{index: first, row: *g.existing, current: c.decodeProps(o, g.existing.Props), values: values}
	c.fillPipeline(o, w.current, values)
	if errs := c.checkRequired(o, w.current, values); len(errs) > 0 {
		return fail(&ValidationError{Errors: errs})
	}
	keepExisting(c, o, w, part)
	return w
}

// sameScratch is reused by sameValues across the rows of a batch.
type sameScratch struct {
	pairs  []stringPair
	values map[string]string
}

// sameValues reports whether the record's props already hold every value.
// It runs for every row of a re-run import, so the props are read into a
// reused slice of members rather than a map; props with escapes take the
// general decoder.
func sameValues(props string, values []preparedValue, scratch *sameScratch) bool {
	var ok bool
	if scratch.pairs, ok = appendStringPairs(scratch.pairs[:0], props); ok {
		for _, v := range values {
			if cur, found := lookupPair(scratch.pairs, v.prop.Name); !found || cur != v.value {
				return false
			}
		}
		return true
	}
	clear(scratch.values)
	if decodeStringMap(props, scratch.values) != nil {
		return false
	}
	for _, v := range values {
		if cur, ok := scratch.values[v.prop.Name]; !ok || cur != v.value {
			return false
		}
	}
	return true
}

// lookupPair returns the value of the last member named name, as a JSON
// decoder would.
func lookupPair(pairs []stringPair, name string) (string, bool) {
	for i := len(pairs) - 1; i >= 0; i-- {
		if pairs[i].key == name {
			return pairs[i].value, true
		}
	}
	return "", false
}

// mergeValues merges the prepared values of rows naming one record: later
// rows win per property, except that forward-only properties keep the
// furthest value.
func mergeValues(part ImportPart, preps []*preparedRow, rows []int) map[int64]preparedValue {
	merged := make(map[int64]preparedValue, len(preps[rows[0]].list))
	for _, i := range rows {
		for _, v := range preps[i].list {
			pid := v.prop.id
			if old, ok := merged[pid]; ok && isForwardOnly(part, v.prop.Name) && optionRank(v.prop, v.value) < optionRank(v.prop, old.value) {
				continue
			}
			merged[pid] = v
		}
	}
	return merged
}

func isForwardOnly(part ImportPart, name string) bool {
	for _, n := range part.ForwardOnly {
		if n == name {
			return true
		}
	}
	return false
}

// optionRank is the position of the option v stands for among p's options,
// -1 when it is none of them.
func optionRank(p *Property, v string) int {
	val, ok := matchOption(p, strings.TrimSpace(v))
	if !ok {
		return -1
	}
	for i, o := range p.Options {
		if o.Value == val {
			return i
		}
	}
	return -1
}

// keepExisting drops the values of an update that the part's rules keep:
// non-empty values of no-overwrite properties, and forward-only values
// that would move backwards.
func keepExisting(c *catalog, o *ObjectType, w *recordWrite, part ImportPart) {
	for _, name := range part.NoOverwrite {
		if p := c.property(o, name); p != nil && w.current[p.id] != "" {
			delete(w.values, p.id)
		}
	}
	for _, name := range part.ForwardOnly {
		p := c.property(o, name)
		if p == nil {
			continue
		}
		v, ok := w.values[p.id]
		cur := w.current[p.id]
		if ok && !v.clear && cur != "" && optionRank(p, v.value) < optionRank(p, cur) {
			delete(w.values, p.id)
		}
	}
}

// bulkOutcome records what happened to each row of a written group.
func bulkOutcome(g *bulkGroup, out []ImportRowResult) {
	first := g.rows[0]
	if g.unchanged {
		out[first] = ImportRowResult{RecordID: g.existing.ID, Outcome: OutcomeUnchanged}
		for _, i := range g.rows[1:] {
			out[i] = ImportRowResult{RecordID: g.existing.ID, Outcome: OutcomeMerged, MergedInto: first}
		}
		return
	}
	w := g.w
	if w == nil {
		return
	}
	if w.err != nil {
		for _, i := range g.rows {
			out[i] = ImportRowResult{Outcome: OutcomeFailed, Err: w.err}
		}
		return
	}
	outcome := OutcomeCreated
	if g.existing != nil {
		outcome = OutcomeUpdated
		if len(w.values) == 0 {
			outcome = OutcomeUnchanged
		}
	}
	out[first] = ImportRowResult{RecordID: w.row.ID, Outcome: outcome}
	for _, i := range g.rows[1:] {
		out[i] = ImportRowResult{RecordID: w.row.ID, Outcome: OutcomeMerged, MergedInto: first}
	}
}

// bulkLinks makes the associations of a batch, each pair once.
func (t *tx) bulkLinks(c *catalog, b ImportBatch, res *ImportBatchResult, src Source) error {
	targets, err := t.linkTargets(c, b, res)
	if err != nil {
		return err
	}
	type pair struct{ from, to int64 }
	done := map[pair]bool{}
	types := map[[2]int64]*assocType{}
	for i, l := range b.Links {
		if res.Links[i] != nil {
			continue
		}
		from := res.Parts[l.Part][l.Row]
		if from.Err != nil || from.RecordID == 0 {
			continue
		}
		fo, _ := c.object(b.Parts[l.Part].Object)
		var to int64
		var too *ObjectType
		if l.ToPart >= 0 {
			r := res.Parts[l.ToPart][l.ToRow]
			if r.Err != nil || r.RecordID == 0 {
				continue
			}
			to = r.RecordID
			too, _ = c.object(b.Parts[l.ToPart].Object)
		} else {
			to = targets[i]
			too, _ = c.object(l.ToObject)
		}
		if fo == nil || too == nil || to == from.RecordID || done[pair{from.RecordID, to}] {
			continue
		}
		done[pair{from.RecordID, to}] = true
		typ := types[[2]int64{fo.oid, too.oid}]
		if typ == nil {
			if typ, err = t.defaultType(fo, too); err != nil {
				return fmt.Errorf("association type %s to %s: %w", fo.Name, too.Name, err)
			}
			types[[2]int64{fo.oid, too.oid}] = typ
		}
		if err := t.associate(c, from.RecordID, to, []*assocType{typ}, src); err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				res.Links[i] = err
				continue
			}
			return fmt.Errorf("associate %s %d with %s %d: %w", fo.Name, from.RecordID, too.Name, to, err)
		}
		res.Associations++
	}
	return nil
}

// linkTargets resolves the links that name their target by a value, one
// query per target object and property. Unresolved links get an error.
func (t *tx) linkTargets(c *catalog, b ImportBatch, res *ImportBatchResult) (map[int]int64, error) {
	type target struct{ object, property string }
	byTarget := map[target][]int{}
	for i, l := range b.Links {
		if l.ToPart < 0 {
			tg := target{l.ToObject, l.ToProperty}
			byTarget[tg] = append(byTarget[tg], i)
		}
	}
	out := map[int]int64{}
	for tg, links := range byTarget {
		o, err := c.object(tg.object)
		if err != nil {
			return nil, err
		}
		var values []string
		for _, i := range links {
			values = append(values, strings.TrimSpace(b.Links[i].ToValue))
		}
		found, err := lookupRows(t.ctx, t.Tx, c, o, values, tg.property, false)
		if err != nil {
			return nil, fmt.Errorf("look up %s by %s: %w", o.Name, tg.property, err)
		}
		for _, i := range links {
			if r, ok := found[strings.TrimSpace(b.Links[i].ToValue)]; ok {
				out[i] = r.ID
				continue
			}
			res.Links[i] = notFound(o.Name+" record", b.Links[i].ToValue)
		}
	}
	return out, nil
}

// nonEmpty returns props without empty values, which an import never
// writes (an update would take them as "clear"); props itself when it has none.
func nonEmpty(props map[string]string) map[string]string {
	for _, v := range props {
		if v == "" {
			out := make(map[string]string, len(props))
			for n, v := range props {
				if v != "" {
					out[n] = v
				}
			}
			return out
		}
	}
	return props
}
