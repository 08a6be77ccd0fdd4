package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// batch is rows of one file on their way to one transaction.
type batch struct {
	items []*rowItem
	// bytes is how much of the file the batch's rows took, for progress.
	bytes int64

	// The store batch built from items (by build), and where each item's
	// parts and links went in it.
	store    crmstore.ImportBatch
	slots    [][]int // per item, per part: row index in the part, or -1
	linkRefs []linkRef
}

// linkRef ties a store link back to its row.
type linkRef struct {
	item *rowItem
	cell *linkCell // nil for the association of two parts of the row
}

// run is the state of one import while it runs.
type run struct {
	im       *Importer
	p        *plan
	id       int64
	src      crmstore.Source
	errs     *errorFile
	progress func(Progress)
	start    time.Time
	lastSent time.Time
	file     string
	counters crmstore.ImportCounters
	// mostlyNew is set while the last written batch created most of its
	// rows: the next batches then have their rows encoded as creates
	// before their transaction (crmstore.ImportBatch.EncodeCreates).
	mostlyNew atomic.Bool
}

// record creates the import's record.
func (im *Importer) record(ctx context.Context, p *plan) (crmstore.Import, error) {
	in := crmstore.ImportInput{Name: p.spec.Name, Source: p.spec.Source, Operations: map[string]string{}, Request: p.spec.Request}
	if in.Source == "" {
		in.Source = SourceCLI
	}
	for _, fp := range p.files {
		in.Files = append(in.Files, fp.spec.Name)
		in.BytesTotal += fp.size
		for _, o := range fp.parts {
			if _, seen := in.Operations[o.typeID]; !seen {
				in.Objects = append(in.Objects, o.typeID)
				in.Operations[o.typeID] = o.op
			}
		}
	}
	if in.Name == "" {
		in.Name = p.files[0].spec.Name
	}
	if len(in.Request) == 0 {
		b, err := json.Marshal(p.spec)
		if err != nil {
			return crmstore.Import{}, fmt.Errorf("encode import request: %w", err)
		}
		in.Request = b
	}
	rec, err := im.store.CreateImport(ctx, in)
	if err != nil {
		return crmstore.Import{}, fmt.Errorf("record import: %w", err)
	}
	return rec, nil
}

// execute records the import and runs it.
func (im *Importer) execute(ctx context.Context, p *plan, progress func(Progress)) (crmstore.Import, error) {
	rec, err := im.record(ctx, p)
	if err != nil {
		p.close()
		removeUploads(p.spec)
		return crmstore.Import{}, err
	}
	return im.process(ctx, p, rec, progress)
}

// process runs a recorded import to its end and records how it ended.
func (im *Importer) process(ctx context.Context, p *plan, rec crmstore.Import, progress func(Progress)) (crmstore.Import, error) {
	defer p.close()
	defer removeUploads(p.spec)
	r := &run{im: im, p: p, id: rec.ID, errs: newErrorFile(im.dir, rec.ID), progress: progress, start: im.now(),
		src: crmstore.Source{Type: crmstore.SourceImport, ID: strconv.FormatInt(rec.ID, 10), Label: rec.Name}}
	r.lastSent = r.start
	r.counters.BytesTotal = rec.Counters.BytesTotal
	r.mostlyNew.Store(true)
	err := r.bulkFiles(ctx)
	// The end is recorded even when ctx was canceled.
	endCtx := context.WithoutCancel(ctx)
	path, ferr := r.errs.close()
	if ferr != nil && err == nil {
		err = ferr
	}
	if path != "" {
		if serr := im.store.SetImportErrorFile(endCtx, rec.ID, path); serr != nil && err == nil {
			err = serr
		}
	}
	state, msg := crmstore.ImportDone, ""
	switch {
	case err != nil && ctx.Err() != nil:
		state, msg = crmstore.ImportCanceled, "canceled before the end of the file; committed batches were kept"
	case err != nil:
		state, msg = crmstore.ImportFailed, err.Error()
	}
	final, serr := im.store.SetImportState(endCtx, rec.ID, state, msg)
	if serr != nil {
		return rec, errors.Join(err, fmt.Errorf("record end of import %d: %w", rec.ID, serr))
	}
	im.log.Info("import ended", zap.Int64("import", rec.ID), zap.String("state", final.State),
		zap.Int64("rows", final.Counters.Rows), zap.Int64("created", final.Counters.Created),
		zap.Int64("updated", final.Counters.Updated), zap.Int64("unchanged", final.Counters.Unchanged),
		zap.Int64("failed", final.Counters.Failed), zap.Duration("elapsed", im.now().Sub(r.start)))
	r.counters = final.Counters
	r.report(true)
	if err != nil && state == crmstore.ImportCanceled {
		err = fmt.Errorf("import %d canceled: %w", rec.ID, context.Cause(ctx))
	}
	return final, err
}

// removeUploads deletes the files marked RemoveAfter.
func removeUploads(spec Spec) {
	for _, fs := range spec.Files {
		if fs.RemoveAfter {
			os.Remove(fs.Path)
		}
	}
}

// bulkFiles imports the files with the store in bulk-load mode.
func (r *run) bulkFiles(ctx context.Context) error {
	end, err := r.im.store.BeginBulkLoad(ctx)
	if err != nil {
		// Bulk-load mode only makes the import faster.
		r.im.log.Warn("import runs without bulk-load mode", zap.Int64("import", r.id), zap.Error(err))
		return r.files(ctx)
	}
	err = r.files(ctx)
	if eerr := end(); eerr != nil {
		// The rows are committed; only the WAL's copy into the
		// database was held up, and SQLite finishes it later.
		r.im.log.Warn("import bulk load ended with a checkpoint problem", zap.Int64("import", r.id), zap.Error(eerr))
	}
	return err
}

// files imports every file in order.
func (r *run) files(ctx context.Context) error {
	for _, fp := range r.p.files {
		r.file = fp.spec.Name
		if err := r.importFile(ctx, fp); err != nil {
			return fmt.Errorf("file %s: %w", fp.spec.Name, err)
		}
	}
	return nil
}

// importFile runs a pipeline: one goroutine reads and converts rows into
// batches, one builds and validates each batch for the store, one has the
// store precheck re-imported rows, and this one writes. On two cores the
// writer then rarely waits for the CPU work, and at most a few batches are
// in memory.
func (r *run) importFile(ctx context.Context, fp *filePlan) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := make(chan *batch, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(read)
		readErr <- r.read(ctx, fp, read)
	}()
	var stopped atomic.Bool
	built := stage(ctx, read, &stopped, func(b *batch) { r.build(fp, b) })
	checked := stage(ctx, built, &stopped, func(b *batch) { r.precheck(ctx, b) })
	for b := range checked {
		if err := r.write(ctx, fp, b); err != nil {
			cancel()
			for range checked {
			}
			<-readErr
			return err
		}
	}
	if err := <-readErr; err != nil {
		return err
	}
	if stopped.Load() {
		// A stage gave up on batches because ctx ended.
		return ctx.Err()
	}
	return nil
}

// stage runs fn on each batch from in, in a goroutine, and passes the
// batches on in order. When ctx ends it drops what remains, sets stopped
// and drains in so that the stage before it ends too.
func stage(ctx context.Context, in <-chan *batch, stopped *atomic.Bool, fn func(*batch)) <-chan *batch {
	out := make(chan *batch, 1)
	go func() {
		defer close(out)
		for b := range in {
			fn(b)
			select {
			case out <- b:
			case <-ctx.Done():
				stopped.Store(true)
				for range in {
				}
				return
			}
		}
	}()
	return out
}

// read parses the file into batches.
func (r *run) read(ctx context.Context, fp *filePlan, out chan<- *batch) error {
	size := r.im.batchSize
	b := &batch{items: make([]*rowItem, 0, size)}
	var sent int64
	send := func() error {
		b.bytes = fp.rd.bytesRead - sent
		sent = fp.rd.bytesRead
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = &batch{items: make([]*rowItem, 0, size)}
		return nil
	}
	rec := *fp.first
	for {
		item, err := r.p.convert(ctx, fp, rec)
		if err != nil {
			return err
		}
		b.items = append(b.items, item)
		if len(b.items) == size {
			if err := send(); err != nil {
				return err
			}
		}
		rec, err = fp.rd.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", fp.rd.lineNo+1, err)
		}
	}
	if len(b.items) > 0 || fp.rd.bytesRead > sent {
		return send()
	}
	return nil
}

// write writes one batch in one transaction. When the transaction fails
// for a reason other than cancellation, the rows are written one by one so
// a row the store cannot take fails alone.
func (r *run) write(ctx context.Context, fp *filePlan, b *batch) error {
	failed, counters, err := r.writeBatch(ctx, fp, b)
	if err != nil && ctx.Err() == nil && len(b.items) > 1 {
		r.im.log.Warn("import batch failed, writing its rows one by one", zap.Int64("import", r.id), zap.Error(err))
		for i, item := range b.items {
			one := &batch{items: []*rowItem{item}}
			if i == 0 {
				one.bytes = b.bytes
			}
			r.build(fp, one)
			if err := r.write(ctx, fp, one); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil && ctx.Err() == nil && len(b.items) == 1 {
		// The store refused even this single row as a whole: record it
		// as failed and go on. A batch without rows (the bytes after the
		// last row) has no row to blame: its error ends the import.
		item := b.items[0]
		failed = map[*rowItem][]rowProblem{item: {{errType: "WRITE_FAILED", message: fmt.Sprintf("the row could not be written: %v", err)}}}
		counters = crmstore.ImportCounters{Rows: 1, Failed: 1, BytesRead: b.bytes}
		if err = r.im.store.RecordImportProgress(ctx, r.id, crmstore.ImportProgress{
			Counters: counters, Errors: r.storeErrors(fp, failed, b.items)}); err != nil {
			return fmt.Errorf("record failed row: %w", err)
		}
	}
	if err != nil {
		return err
	}
	r.mostlyNew.Store(2*counters.Created > counters.Rows-counters.Failed)
	for _, item := range b.items {
		if probs, ok := failed[item]; ok {
			if err := r.errs.write(fp.header, item.line, item.fields, probs); err != nil {
				return err
			}
		}
	}
	if err := r.errs.flush(); err != nil {
		return err
	}
	r.counters.Add(counters)
	r.report(false)
	return nil
}

// build turns the batch's rows into the store batch and has the store
// validate it, in the reading goroutine, so that work overlaps the writes.
func (r *run) build(fp *filePlan, b *batch) {
	ib := crmstore.ImportBatch{ImportID: r.id, Source: r.src, Parts: make([]crmstore.ImportPart, len(fp.parts)),
		EncodeCreates: r.mostlyNew.Load()}
	for i, o := range fp.parts {
		ib.Parts[i] = crmstore.ImportPart{Object: o.name, Operation: o.op, MatchProperty: o.match,
			NoOverwrite: o.noOverwrite, ForwardOnly: o.forwardOnly, Columns: fp.partColumns[i], Rows: make([]crmstore.ImportRow, 0, len(b.items))}
	}
	b.slots = make([][]int, len(b.items))
	b.linkRefs = nil
	for n, item := range b.items {
		if len(item.problems) > 0 {
			continue
		}
		slots := make([]int, len(fp.parts))
		b.slots[n] = slots
		// The line ties the row's parts: the store writes them all or none.
		var line int64
		if len(fp.parts) > 1 {
			line = item.line
		}
		for pi, pr := range item.parts {
			slots[pi] = -1
			if pr.present {
				slots[pi] = len(ib.Parts[pi].Rows)
				ib.Parts[pi].Rows = append(ib.Parts[pi].Rows, crmstore.ImportRow{Key: pr.key, Values: pr.values, Line: line})
			}
		}
		if r.p.spec.AssociateRows {
			for a := range fp.parts {
				for c := a + 1; c < len(fp.parts); c++ {
					if slots[a] >= 0 && slots[c] >= 0 {
						ib.Links = append(ib.Links, crmstore.ImportLink{Part: a, Row: slots[a], ToPart: c, ToRow: slots[c]})
						b.linkRefs = append(b.linkRefs, linkRef{item: item})
					}
				}
			}
		}
		for ci := range item.links {
			cell := &item.links[ci]
			if slots[cell.part] < 0 {
				continue
			}
			col := fp.columns[cell.column]
			ib.Links = append(ib.Links, crmstore.ImportLink{Part: cell.part, Row: slots[cell.part], ToPart: -1,
				ToObject: col.toObj.name, ToProperty: col.toProp, ToValue: cell.value})
			b.linkRefs = append(b.linkRefs, linkRef{item: item, cell: cell})
		}
	}
	b.store = ib
	r.im.store.PrepareImportBatch(&b.store)
}

// precheck has the store find the batch's unchanged rows outside the
// write transaction when the last batches created few rows (a re-run).
func (r *run) precheck(ctx context.Context, b *batch) {
	if b.store.EncodeCreates {
		return
	}
	if err := r.im.store.PrecheckImportBatch(ctx, &b.store); err != nil && ctx.Err() == nil {
		// The transaction then looks the rows up itself.
		r.im.log.Debug("import precheck failed", zap.Int64("import", r.id), zap.Error(err))
	}
}

// writeBatch writes the built batch and returns the failed rows with their
// problems and the counters the batch added.
func (r *run) writeBatch(ctx context.Context, fp *filePlan, b *batch) (map[*rowItem][]rowProblem, crmstore.ImportCounters, error) {
	slots, linkRefs := b.slots, b.linkRefs
	var failed map[*rowItem][]rowProblem
	var counters crmstore.ImportCounters
	_, err := r.im.store.WriteImportBatch(ctx, b.store, func(res *crmstore.ImportBatchResult) crmstore.ImportProgress {
		failed = map[*rowItem][]rowProblem{}
		counters = crmstore.ImportCounters{Rows: int64(len(b.items)), BytesRead: b.bytes}
		for n, item := range b.items {
			if len(item.problems) > 0 {
				failed[item] = item.problems
				continue
			}
			if probs := countParts(fp, item, slots[n], res, &counters); len(probs) > 0 {
				failed[item] = probs
			}
		}
		for i, lerr := range res.Links {
			if lerr != nil {
				ref := linkRefs[i]
				failed[ref.item] = append(failed[ref.item], linkProblem(fp, ref.cell, lerr))
			}
		}
		counters.Failed = int64(len(failed))
		counters.Associations = res.Associations
		return crmstore.ImportProgress{Counters: counters, Errors: r.storeErrors(fp, failed, b.items)}
	})
	return failed, counters, err
}

// countParts adds the outcomes of one row's parts to counters and returns
// the row's problems. A part the store left out because another part of
// the row failed adds no problem of its own: the failing part says why.
func countParts(fp *filePlan, item *rowItem, slots []int, res *crmstore.ImportBatchResult, counters *crmstore.ImportCounters) []rowProblem {
	var probs []rowProblem
	notWritten := false
	for pi, row := range slots {
		if row < 0 {
			continue
		}
		out := res.Parts[pi][row]
		switch out.Outcome {
		case crmstore.OutcomeCreated:
			counters.Created++
		case crmstore.OutcomeUpdated:
			counters.Updated++
		case crmstore.OutcomeUnchanged:
			counters.Unchanged++
		case crmstore.OutcomeMerged:
			counters.Merged++
		}
		switch {
		case errors.Is(out.Err, crmstore.ErrRowNotWritten):
			notWritten = true
		case out.Err != nil:
			probs = append(probs, storeProblems(fp, pi, item, out.Err)...)
		}
	}
	if notWritten && len(probs) == 0 {
		// The store names the failing part; this keeps the row counted as
		// failed should a part be left out without one.
		probs = append(probs, rowProblem{errType: "WRITE_FAILED", message: "the row was not written: " + crmstore.ErrRowNotWritten.Error()})
	}
	return probs
}

// storeErrors lists the problems of the failed rows, in row order, as the
// store keeps them.
func (r *run) storeErrors(fp *filePlan, failed map[*rowItem][]rowProblem, items []*rowItem) []crmstore.ImportError {
	var out []crmstore.ImportError
	for _, item := range items {
		for _, pr := range failed[item] {
			out = append(out, crmstore.ImportError{ErrorType: pr.errType, Message: pr.message, InvalidValue: pr.value,
				Column: pr.column, ObjectTypeID: pr.object, FileName: fp.spec.Name, LineNumber: item.line, RowData: item.fields})
		}
	}
	return out
}

// report sends progress when the interval has passed, or at the end.
func (r *run) report(done bool) {
	if r.progress == nil {
		return
	}
	now := r.im.now()
	if !done && now.Sub(r.lastSent) < r.im.progressEvery {
		return
	}
	r.lastSent = now
	r.progress(Progress{ImportID: r.id, File: r.file, Counters: r.counters, Elapsed: now.Sub(r.start), Done: done})
}
