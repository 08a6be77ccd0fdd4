package crmstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Export: the values of every record of an object matching a search's
// filters, in id order, a page at a time, so that memory stays flat however
// many records there are.
//
// The filters are compiled by the search compiler (compileSearch), so an
// export selects exactly what a search with the same filter groups and
// query finds. Records are read in one of two ways:
//
//   - by walking records_by_object (object_oid, archived_at, id) from the
//     last id returned, checking the filters on each record: every page
//     costs the records it passes over, and the whole export one pass over
//     the object's live records however many match;
//   - when the filters match at most exportIDListMax records, by reading
//     their ids from the filters' indexes first (as a search's count does)
//     and then their rows by id: a selective filter on a large object then
//     reads only its matches.
//
// Each page is read in its own read transaction, so a long export never
// holds a snapshot that stops the WAL from being checkpointed: a record
// written while the export runs appears with the values it had when its
// page was read, and one created after the export passed its id is left
// out. Reading the next page overlaps with handing out the current one
// (one goroutine reads, the caller's goroutine decodes and calls fn), so
// at most three pages are in memory.

// DefaultExportPageSize is the number of records an export reads per page.
const DefaultExportPageSize = 1000

// exportIDListMax is the most matches whose ids an export reads up front.
const exportIDListMax = 20 * DefaultExportPageSize

// ExportRequest selects the records and values of an export.
type ExportRequest struct {
	// Query is a search's free-text query (see SearchRequest.Query).
	Query string
	// FilterGroups are a search's filter groups: filters of a group are
	// ANDed, groups ORed, with the search's limits and semantics.
	FilterGroups []SearchFilterGroup
	// Properties are the values to export, in order: names of live
	// properties of the object, system properties (hs_object_id,
	// createdate, hs_lastmodifieddate) included. At least one is needed.
	Properties []string
	// PageSize is the number of records read per page:
	// DefaultExportPageSize when 0.
	PageSize int
	// Start, when set, is called once before the first record with the
	// number of records that match, for progress reports.
	Start func(total int)
}

// ExportRecords calls fn once for every live record of object matching
// req, in id order, with the record's canonical values of req.Properties
// ("" where a record has no value). The values slice is reused from call
// to call: fn must copy what it keeps. ExportRecords stops at the first
// error fn returns and returns it. Problems with the request (an unknown
// property, a bad filter) are *InvalidErrors naming the property or filter,
// as from Search.
func (s *Store) ExportRecords(ctx context.Context, object string, req ExportRequest, fn func(values []string) error) error {
	return s.exportRecords(ctx, object, req, fn, exportIDListMax)
}

// exportRecords is ExportRecords reading the ids of at most idListMax
// matches up front; tests vary it to take either way of reading.
func (s *Store) exportRecords(ctx context.Context, object string, req ExportRequest, fn func([]string) error, idListMax int) error {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return err
	}
	if req.PageSize <= 0 {
		req.PageSize = DefaultExportPageSize
	}
	x := &exporter{s: s, c: c, o: o, req: req, fn: fn}
	if err := x.checkProperties(); err != nil {
		return err
	}
	if strings.TrimSpace(req.Query) != "" || len(req.FilterGroups) > 0 {
		// Limit 1: the limit only matters to a search's page, and
		// compileSearch refuses a page size above MaxSearchLimit.
		plan, err := compileSearch(c, o, SearchRequest{Query: req.Query, FilterGroups: req.FilterGroups, Limit: 1})
		if err != nil {
			return err
		}
		if err := s.ensureSearchIndexes(ctx, plan.columns, plan.indexes); err != nil {
			return err
		}
		x.plan = plan
	}
	total, err := x.count(ctx)
	if err != nil {
		return err
	}
	if req.Start != nil {
		req.Start(total)
	}
	if total == 0 {
		return nil
	}
	read := x.walk
	if x.plan != nil && total <= idListMax {
		read = x.byIDList
	}
	return x.run(ctx, read)
}

// exporter is one running export.
type exporter struct {
	s     *Store
	c     *catalog
	o     *ObjectType
	req   ExportRequest
	plan  *searchPlan // nil without filters
	kinds []int       // per property, where its value comes from
	fn    func([]string) error
}

// Where an exported value comes from: props, or the records row (see
// Record.setSystemProperties).
const (
	exportStored = iota
	exportID
	exportCreated
	exportUpdated
)

// checkProperties works out where each property's value comes from, and
// refuses an export without properties or with a name that is not a live
// property of the object.
func (x *exporter) checkProperties() error {
	if len(x.req.Properties) == 0 {
		return invalidf("an export of %s needs at least one property", x.o.Name)
	}
	x.kinds = make([]int, len(x.req.Properties))
	for i, name := range x.req.Properties {
		switch {
		case name == "hs_object_id":
			x.kinds[i] = exportID
		case name == "createdate":
			x.kinds[i] = exportCreated
		case name == "hs_lastmodifieddate" || (name == "lastmodifieddate" && x.o.Name == "contacts"):
			x.kinds[i] = exportUpdated
		default:
			if p := x.c.props[x.o.oid][name]; p == nil || p.Archived {
				return invalidf("property %q does not exist on %s", name, x.o.Name)
			}
		}
	}
	return nil
}

// live is the condition on the object's live records that
// records_by_object answers.
func (x *exporter) live() string {
	return "object_oid = " + strconv.FormatInt(x.o.oid, 10) + " AND archived_at IS NULL"
}

// count returns the number of matching records.
func (x *exporter) count(ctx context.Context) (int, error) {
	var n int
	q, args := "SELECT COUNT(*) FROM records WHERE "+x.live(), []any(nil)
	if x.plan != nil {
		q, args = "SELECT COUNT(*) FROM "+x.scan()+" WHERE "+x.plan.where, x.plan.args
	}
	if err := x.s.r.GetContext(ctx, &n, q, args...); err != nil {
		return 0, fmt.Errorf("count %s to export: %w", x.o.Name, err)
	}
	return n, nil
}

// scan is the FROM clause that reads the filters' matches, as runSearch
// reads them.
func (x *exporter) scan() string {
	if x.plan.scanIndex != "" {
		return "records INDEXED BY " + x.plan.scanIndex
	}
	return "records"
}

// run reads pages with read in a goroutine while this one hands the
// records of the previous page to fn.
func (x *exporter) run(ctx context.Context, read func(context.Context, func([]recordRow) error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []recordRow, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(pages)
		readErr <- read(ctx, func(page []recordRow) error {
			select {
			case pages <- page:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var emitErr error
	for page := range pages {
		if emitErr != nil {
			continue // drain, so the reader ends
		}
		if emitErr = x.emit(page); emitErr != nil {
			cancel()
		}
	}
	if err := <-readErr; emitErr == nil {
		return err
	}
	return emitErr
}

// walk reads the matches page by page along records_by_object.
func (x *exporter) walk(ctx context.Context, send func([]recordRow) error) error {
	where, args := x.live(), []any(nil)
	if x.plan != nil {
		where += " AND (" + x.plan.where + ")"
		args = slices.Clone(x.plan.args)
	}
	n := len(args)
	q := "SELECT " + recordColumns + " FROM records INDEXED BY records_by_object WHERE " + where +
		" AND id > ?" + strconv.Itoa(n+1) + " ORDER BY id LIMIT ?" + strconv.Itoa(n+2)
	args = append(args, int64(0), x.req.PageSize)
	for page := 1; ; page++ {
		rows, err := x.readPage(ctx, q, args)
		if err != nil {
			return fmt.Errorf("export %s page %d: %w", x.o.Name, page, err)
		}
		if len(rows) > 0 {
			if err := send(rows); err != nil {
				return err
			}
		}
		if len(rows) < x.req.PageSize {
			return nil
		}
		args[n] = rows[len(rows)-1].ID
	}
}

// byIDList reads the ids of the matches, then their records by id.
func (x *exporter) byIDList(ctx context.Context, send func([]recordRow) error) error {
	var ids []int64
	if err := x.s.r.SelectContext(ctx, &ids, "SELECT id FROM "+x.scan()+" WHERE "+x.plan.where, x.plan.args...); err != nil {
		return fmt.Errorf("export %s: find matches: %w", x.o.Name, err)
	}
	slices.Sort(ids)
	for page := 1; len(ids) > 0; page++ {
		chunk := ids[:min(len(ids), x.req.PageSize)]
		ids = ids[len(chunk):]
		rows, err := selectRows(ctx, x.s.r, x.o, chunk)
		if err != nil {
			return fmt.Errorf("export %s page %d: %w", x.o.Name, page, err)
		}
		// A record archived since its id was read is no longer exported.
		rows = slices.DeleteFunc(rows, func(r recordRow) bool { return r.ArchivedAt != nil })
		slices.SortFunc(rows, func(a, b recordRow) int { return cmp.Compare(a.ID, b.ID) })
		if err := send(rows); err != nil {
			return err
		}
	}
	return nil
}

// readPage runs one page query in its own read transaction.
func (x *exporter) readPage(ctx context.Context, q string, args []any) ([]recordRow, error) {
	tx, err := x.s.r.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out, err := scanRecordRows(rows, x.req.PageSize)
	if err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// emit hands the values of a page's records to fn. The props of each
// record are decoded into one reused map, and the values into one reused
// slice: an export allocates little more than the rows it reads.
func (x *exporter) emit(rows []recordRow) error {
	values := make([]string, len(x.req.Properties))
	props := make(map[string]string, 32)
	for _, r := range rows {
		clear(props)
		if err := decodeStringMap(r.Props, props); err != nil {
			return fmt.Errorf("export %s: record %d: decode values: %w", x.o.Name, r.ID, err)
		}
		for i, name := range x.req.Properties {
			switch x.kinds[i] {
			case exportStored:
				values[i] = props[name]
			case exportID:
				values[i] = strconv.FormatInt(r.ID, 10)
			case exportCreated:
				values[i] = FormatTime(msTime(r.CreatedAt))
			case exportUpdated:
				values[i] = FormatTime(msTime(r.UpdatedAt))
			}
		}
		if err := x.fn(values); err != nil {
			return err
		}
	}
	return nil
}
