package crmstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// recordWrite is one input of a create or update batch as it moves through
// validation and writing.
type recordWrite struct {
	index   int
	row     recordRow        // the record (id 0 until allocated on create)
	current map[int64]string // values before the write (update only)
	values  map[int64]preparedValue
	err     error
}

func (w *recordWrite) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// failProperty adds a property error to the write's validation error.
func (w *recordWrite) failProperty(pe PropertyError) {
	var ve *ValidationError
	if errors.As(w.err, &ve) {
		ve.Errors = append(ve.Errors, pe)
		return
	}
	if w.err == nil {
		w.err = &ValidationError{Errors: []PropertyError{pe}}
	}
}

// effective is the value a property will have after the write.
func (w *recordWrite) effective(p *Property) string {
	if p == nil {
		return ""
	}
	if v, ok := w.values[p.id]; ok {
		if v.clear {
			return ""
		}
		return v.value
	}
	return w.current[p.id]
}

// changed reports whether the write gives p a new value.
func (w *recordWrite) changed(p *Property) bool {
	v, ok := w.values[p.id]
	if !ok {
		return false
	}
	old, had := w.current[p.id]
	if v.clear {
		return had
	}
	return !had || old != v.value
}

// CreateRecord creates one record.
func (s *Store) CreateRecord(ctx context.Context, object string, props map[string]string, src Source) (*Record, error) {
	return oneResult(s.CreateRecords(ctx, object, []map[string]string{props}, src))
}

// oneResult unpacks the outcome of a batch call made with one input.
func oneResult(res []BatchResult, err error) (*Record, error) {
	if err != nil {
		return nil, err
	}
	return res[0].Record, res[0].Err
}

// CreateRecords creates up to MaxBatch records in one transaction. Inputs
// that fail validation or uniqueness are reported in their BatchResult and
// the rest are created; the returned error is for the batch as a whole.
func (s *Store) CreateRecords(ctx context.Context, object string, inputs []map[string]string, src Source) ([]BatchResult, error) {
	return s.createRecords(ctx, object, inputs, src, false)
}

// CreateRecordsAtomic creates up to MaxBatch records all or nothing: when
// any input is refused, none is created and the results carry the refusals
// (HubSpot's batch create without objectWriteTraceIds).
func (s *Store) CreateRecordsAtomic(ctx context.Context, object string, inputs []map[string]string, src Source) ([]BatchResult, error) {
	return s.createRecords(ctx, object, inputs, src, true)
}

// errBatchRefused rolls back an atomic batch that had a refused input.
var errBatchRefused = errors.New("batch refused")

func (s *Store) createRecords(ctx context.Context, object string, inputs []map[string]string, src Source, atomic bool) ([]BatchResult, error) {
	if err := checkBatchSize(len(inputs)); err != nil {
		return nil, err
	}
	var results []BatchResult
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		writes := make([]*recordWrite, len(inputs))
		for i, in := range inputs {
			w := &recordWrite{index: i, row: recordRow{ObjectOID: o.oid, CreatedAt: t.ms, UpdatedAt: t.ms}}
			c.prepareWrite(o, w, in, true)
			writes[i] = w
		}
		if err := t.checkWrites(c, o, writes); err != nil {
			return err
		}
		if atomic {
			for _, w := range writes {
				if w.err != nil {
					results = make([]BatchResult, len(writes))
					for i, w := range writes {
						results[i] = BatchResult{Index: i, Err: w.err}
					}
					return errBatchRefused
				}
			}
		}
		if err := t.insertRecords(c, o, writes, src.orDefault()); err != nil {
			return err
		}
		results = t.results(c, o, writes)
		return nil
	})
	if errors.Is(err, errBatchRefused) {
		return results, nil
	}
	return results, err
}

func checkBatchSize(n int) error {
	if n == 0 {
		return invalidf("a batch needs at least one input")
	}
	if n > MaxBatch {
		return invalidf("a batch takes at most %d inputs, got %d", MaxBatch, n)
	}
	return nil
}

// results turns writes into BatchResults, building each record from the
// values just written so nothing is read back.
func (t *tx) results(c *catalog, o *ObjectType, writes []*recordWrite) []BatchResult {
	out := make([]BatchResult, len(writes))
	for i, w := range writes {
		out[i] = BatchResult{Index: w.index, Err: w.err}
		if w.err != nil {
			continue
		}
		out[i].Record = c.newRecordFromWrite(o, w)
	}
	return out
}

// insertRecords writes the valid creates: records rows with ids allocated
// here, values, unique keys and one change-log row each, all as multi-row
// statements.
func (t *tx) insertRecords(c *catalog, o *ObjectType, writes []*recordWrite, src Source) error {
	var live []*recordWrite
	for _, w := range writes {
		if w.err == nil {
			live = append(live, w)
		}
	}
	return t.insertCreates(c, o, live, src, nil)
}

// insertCreates writes creates that passed every check (see insertRecords).
// prepared, when not nil, returns the i-th record's props and change body if
// they were encoded before the transaction and still hold (ok false: encode
// them here, after the write's side effects are staged).
func (t *tx) insertCreates(c *catalog, o *ObjectType, live []*recordWrite, src Source, prepared func(i int) (props, body string, ok bool)) error {
	if len(live) == 0 {
		return nil
	}
	var last sql.NullInt64
	if err := t.GetContext(t.ctx, &last, "SELECT seq FROM sqlite_sequence WHERE name = 'records'"); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("allocate record ids: %w", err)
	}
	next := last.Int64
	provenance := bulkProvenance(c, o, src)
	var buf []byte // scratch space for encoding, reused across the batch
	recVals := make([]any, 0, 2*len(live))
	uniqVals := make([]any, 0, 3*len(live)*len(c.unique[o.oid]))
	changes := make([]pendingChange, 0, len(live))
	for i, w := range live {
		next++
		w.row.ID = next
		var props, body string
		ok := false
		if prepared != nil {
			props, body, ok = prepared(i)
		}
		if !ok {
			t.stageSideEffects(c, o, w)
			props, buf = c.encodeProps(buf, provenance, w.values)
			body, buf = encodeCreateBody(buf, maps.Values(w.values))
		}
		w.current = provenance
		recVals = append(recVals, w.row.ID, props)
		for _, p := range c.unique[o.oid] {
			if v := w.effective(p); v != "" {
				uniqVals = append(uniqVals, p.id, uniqueKey(p, v), w.row.ID)
			}
		}
		changes = append(changes, pendingChange{objectOID: o.oid, recordID: w.row.ID, op: OpCreate, encoded: body, src: src})
	}
	if err := t.insertBatch("records", []column{{"object_oid", o.oid}, {"created_at", t.ms}, {"updated_at", t.ms}},
		[]string{"id", "props"}, recVals, ""); err != nil {
		return err
	}
	if err := t.insertBatch("unique_values", nil, []string{"property_id", "value", "record_id"}, uniqVals, ""); err != nil {
		return err
	}
	return t.logChanges(changes...)
}

// checkWrites runs the checks that need the database: owners exist,
// stages belong to their pipelines, unique values are free.
func (t *tx) checkWrites(c *catalog, o *ObjectType, writes []*recordWrite) error {
	if err := t.checkOwners(c, o, writes); err != nil {
		return err
	}
	t.checkStages(c, o, writes)
	return t.checkUnique(c, o, writes)
}

func (t *tx) checkOwners(c *catalog, o *ObjectType, writes []*recordWrite) error {
	p := c.property(o, "hubspot_owner_id")
	if p == nil {
		return nil
	}
	var ids []any
	for _, w := range writes {
		if v, ok := w.values[p.id]; ok && !v.clear && w.err == nil {
			ids = append(ids, v.value)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var found []string
	q := "SELECT CAST(id AS TEXT) FROM owners WHERE archived_at IS NULL AND CAST(id AS TEXT) IN (" + placeholders(len(ids)) + ")"
	if err := t.SelectContext(t.ctx, &found, q, ids...); err != nil {
		return fmt.Errorf("check owners: %w", err)
	}
	exists := map[string]bool{}
	for _, f := range found {
		exists[f] = true
	}
	for _, w := range writes {
		if v, ok := w.values[p.id]; ok && !v.clear && !exists[v.value] {
			w.failProperty(PropertyError{Property: p.Name, Code: CodeInvalidOwner,
				Message: fmt.Sprintf("Property %q value %q is not a valid owner id", p.Name, v.value)})
		}
	}
	return nil
}

// checkStages enforces that a stage belongs to the record's pipeline. A
// stage given without a pipeline brings its own pipeline along.
func (t *tx) checkStages(c *catalog, o *ObjectType, writes []*recordWrite) {
	pipeName, stageName := pipelineProperties(o.Name)
	pp, sp := c.property(o, pipeName), c.property(o, stageName)
	if pp == nil || sp == nil {
		return
	}
	for _, w := range writes {
		if w.err != nil || (!w.changed(pp) && !w.changed(sp)) {
			continue
		}
		pipeline, stage := w.effective(pp), w.effective(sp)
		if stage == "" {
			if pipeline != "" {
				w.failProperty(PropertyError{Property: sp.Name, Code: CodeRequired,
					Message: fmt.Sprintf("Property %q is required when %q is set", sp.Name, pp.Name)})
			}
			continue
		}
		ref := c.stages[o.oid][stage]
		switch {
		case ref == nil || ref.Archived:
			w.failProperty(PropertyError{Property: sp.Name, Code: CodeInvalidStage,
				Message: fmt.Sprintf("Property %q value %q is not a stage of any pipeline", sp.Name, stage)})
		case pipeline == "":
			w.values[pp.id] = preparedValue{prop: pp, value: ref.PipelineID}
		case ref.PipelineID != pipeline:
			w.failProperty(PropertyError{Property: sp.Name, Code: CodeInvalidStage,
				Message: fmt.Sprintf("Property %q value %q is not a stage of pipeline %q", sp.Name, stage, pipeline)})
		}
	}
}

// stageSideEffects records the time a record enters a stage and, for deals,
// the stage's probability and closed state.
func (t *tx) stageSideEffects(c *catalog, o *ObjectType, w *recordWrite) {
	_, stageName := pipelineProperties(o.Name)
	sp := c.property(o, stageName)
	if sp == nil || !w.changed(sp) {
		return
	}
	stage := w.effective(sp)
	if stage == "" {
		return
	}
	set := func(name, v string) {
		if p := c.property(o, name); p != nil {
			canon, _, perr := normalizeValue(p, v)
			if perr == nil {
				w.values[p.id] = preparedValue{prop: p, value: canon}
			}
		}
	}
	set(stageEnteredProperty(stage), strconv.FormatInt(t.ms, 10))
	if o.Name != "deals" {
		return
	}
	ref := c.stages[o.oid][stage]
	if ref == nil {
		return
	}
	if prob := ref.Metadata["probability"]; prob != "" {
		set("hs_deal_stage_probability", prob)
	}
	closed := ref.Metadata["isClosed"] == "true"
	set("hs_is_closed", strconv.FormatBool(closed))
	set("hs_is_closed_won", strconv.FormatBool(closed && ref.Metadata["probability"] != "" && strings.HasPrefix(ref.Metadata["probability"], "1")))
}

// stageEnteredProperty names the system property holding when a record
// entered a stage.
func stageEnteredProperty(stageID string) string {
	return "hs_date_entered_" + stageID
}

// checkUnique refuses values already held by another live record, or by an
// earlier input of the same batch.
func (t *tx) checkUnique(c *catalog, o *ObjectType, writes []*recordWrite) error {
	for _, p := range c.unique[o.oid] {
		keys := map[string]*recordWrite{}
		var args []any
		for _, w := range writes {
			if w.err != nil || !w.changed(p) {
				continue
			}
			v := w.effective(p)
			if v == "" {
				continue
			}
			k := uniqueKey(p, v)
			if prev, dup := keys[k]; dup {
				w.fail(&ConflictError{Property: p.Name, Value: v, ExistingID: prev.row.ID})
				continue
			}
			keys[k] = w
			args = append(args, k)
		}
		if len(args) == 0 {
			continue
		}
		held, err := uniqueHolders(t.ctx, t.Tx, p, args)
		if err != nil {
			return fmt.Errorf("check unique %s: %w", p.Name, err)
		}
		for _, h := range held {
			if w := keys[h.Value]; w != nil && w.row.ID != h.RecordID {
				w.fail(&ConflictError{Property: p.Name, Value: w.effective(p), ExistingID: h.RecordID})
			}
		}
	}
	return nil
}

// uniqueHolder is a unique_values row: the record holding a unique key.
type uniqueHolder struct {
	Value    string `db:"value"`
	RecordID int64  `db:"record_id"`
}

// uniqueHolders reads which records hold the unique keys of p.
func uniqueHolders(ctx context.Context, q queryer, p *Property, keys []any) ([]uniqueHolder, error) {
	var held []uniqueHolder
	err := q.SelectContext(ctx, &held, "SELECT value, record_id FROM unique_values WHERE property_id = ? AND value IN ("+placeholders(len(keys))+")",
		append([]any{p.id}, keys...)...)
	return held, err
}

// placeholders returns "?, ?, ..." for n bound values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
