package hubspot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

// Pull returns the next page of records of req.Object changed since req.Cursor.
//
// Every search page is a fresh query from the cursor, (time > T) OR (time = T AND id > ID),
// sorted by time, never a deeper page of an earlier query: HubSpot refuses to page past 10,000
// results and its offsets shift when records change while paging, while a query from the last
// record seen cannot skip anything and re-reads at most the records at the boundary. HubSpot
// sorts by one property only, so records sharing the last timestamp of a full page may be
// missing from it in any order; they are left to the next query, which starts at the
// timestamp before them. Each search asks for one record more than the page, when HubSpot
// allows it: a later timestamp on that record proves the page's last timestamp complete, so a
// pull of distinct timestamps costs one search per full page. When a whole page shares one
// timestamp (a bulk update), that timestamp is paged on its own by id, and the cursor remembers
// it is doing so, so each further page of it costs one search too.
//
// Search never returns archived records, so Pull reports no tombstones; deletions are found by
// the engine's full reconciliation through List. Timestamps have millisecond precision, so one
// window stays: a record listed during a first pull and modified again within the very
// millisecond of the mark (see newestModification) is not read again. HubSpot's search index
// also lags writes by moments; both are healed by the periodic reconciliation.
func (c *Connector) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	if req.Object == "" {
		return connectors.Page{}, errors.New("pull: object is required")
	}
	cur, err := decodeCursor(req.Cursor)
	if err != nil {
		return connectors.Page{}, err
	}
	switch {
	case req.Cursor == "":
		mark, err := c.newestModification(ctx, req.Object)
		if err != nil {
			return connectors.Page{}, fmt.Errorf("pull %s: %w", req.Object, err)
		}
		return c.pullListing(ctx, req, pullCursor{Phase: phaseList, Mark: mark})
	case cur.Phase == phaseList:
		return c.pullListing(ctx, req, cur)
	case cur.Phase == phaseTie:
		return c.resumeTie(ctx, req, cur)
	default:
		return c.pullSearch(ctx, req, cur)
	}
}

// pullListing reads one listing page of a first pull; after the last one, the cursor moves to
// the search phase at the mark.
func (c *Connector) pullListing(ctx context.Context, req connectors.PullRequest, cur pullCursor) (connectors.Page, error) {
	recs, next, err := c.listPage(ctx, req.Object, cur.After, c.withTimestamp(req.Object, req.Fields), req.PageSize)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("pull %s listing after %q: %w", req.Object, cur.After, err)
	}
	atMark := cur.ID
	for _, r := range recs {
		if r.ModifiedAt.UnixMilli() == cur.Mark && compareIDs(r.ID, atMark) > 0 {
			atMark = r.ID
		}
	}
	if next != "" {
		return connectors.Page{Records: recs, Cursor: pullCursor{Phase: phaseList, After: next, Mark: cur.Mark, ID: atMark}.encode(), More: true}, nil
	}
	// More stays true: changes made while listing are read by the first search.
	return connectors.Page{Records: recs, Cursor: pullCursor{Phase: phaseSearch, TS: cur.Mark, ID: atMark}.encode(), More: true}, nil
}

// newestModification is where the search after a first listing starts, in epoch ms: the
// remote's newest modification time of object before the listing (0 when it has no records),
// read on the remote's clock so that clock skew cannot open a gap. When that millisecond is
// already closed (see openMillis), every record modified in it is either listed unchanged or
// modified again later, so the search can start just after it instead of reading it again,
// which matters after a bulk update gave thousands of records one timestamp.
func (c *Connector) newestModification(ctx context.Context, object string) (int64, error) {
	ts := lastModifiedProperty(object)
	req := searchRequest{Sorts: []searchSort{{ts, "DESCENDING"}}, Properties: []string{ts}, Limit: 1}
	out, err := c.search(ctx, object, req)
	if err != nil {
		return 0, fmt.Errorf("read newest modification: %w", err)
	}
	if len(out.Results) == 0 {
		return 0, nil
	}
	ms := modifiedAt(out.Results[0], ts).UnixMilli()
	if !out.date.IsZero() && ms <= out.date.UnixMilli()-openMillis {
		ms++
	}
	return ms, nil
}

// pullSearch reads one page of changes after cur.
func (c *Connector) pullSearch(ctx context.Context, req connectors.PullRequest, cur pullCursor) (connectors.Page, error) {
	ts := lastModifiedProperty(req.Object)
	fields := c.withTimestamp(req.Object, req.Fields)
	limit := c.opts.limit(req.PageSize, maxSearchLimit)
	ask := min(limit+1, maxSearchLimit) // the record past the page shows where its last timestamp ends

	q := searchRequest{FilterGroups: afterFilters(ts, cur), Sorts: []searchSort{{ts, "ASCENDING"}}, Properties: fields, Limit: ask}
	out, err := c.search(ctx, req.Object, q)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("pull %s changes after %d/%s: %w", req.Object, cur.TS, cur.ID, err)
	}
	recs := toRecords(out.Results, req.Fields, ts)
	sortByTimeAndID(recs)
	if len(recs) <= limit && (len(recs) < ask || out.Total <= len(recs)) {
		return c.caughtUp(recs, cur, out.date), nil
	}
	page, ahead := recs[:min(limit, len(recs))], recs[min(limit, len(recs)):]
	last := page[len(page)-1].ModifiedAt.UnixMilli()
	if len(ahead) > 0 && ahead[0].ModifiedAt.UnixMilli() > last {
		// HubSpot sorted by time, so every record at the page's last timestamp is in it.
		return c.page(page, cur, true), nil
	}
	// The records at the page's last timestamp may be incomplete.
	i := slices.IndexFunc(page, func(r connectors.Record) bool { return r.ModifiedAt.UnixMilli() == last })
	if i > 0 {
		return c.page(page[:i], cur, true), nil
	}
	return c.startTie(ctx, req, cur, last, limit)
}

// startTie reads the first page, by id, of the records modified at ms after cur, when a search
// found more of them than a page.
func (c *Connector) startTie(ctx context.Context, req connectors.PullRequest, cur pullCursor, ms int64, limit int) (connectors.Page, error) {
	after := "0"
	if cur.TS == ms && cur.ID != "" {
		after = cur.ID
	}
	recs, more, err := c.searchTie(ctx, req, ms, after, limit)
	if err != nil {
		return connectors.Page{}, err
	}
	if len(recs) == 0 {
		// Every record at ms was modified again meanwhile; restart just past it.
		return connectors.Page{Cursor: pullCursor{Phase: phaseSearch, TS: ms + 1}.encode(), More: true}, nil
	}
	return tiePage(recs, ms, more), nil
}

// resumeTie reads the next page of a millisecond shared by more records than a page, by id.
func (c *Connector) resumeTie(ctx context.Context, req connectors.PullRequest, cur pullCursor) (connectors.Page, error) {
	recs, more, err := c.searchTie(ctx, req, cur.TS, cur.ID, c.opts.limit(req.PageSize, maxSearchLimit))
	if err != nil {
		return connectors.Page{}, err
	}
	if len(recs) == 0 {
		// The rest of the millisecond was modified again meanwhile; an ordinary search from
		// the cursor reads those records at their new timestamps.
		return c.pullSearch(ctx, req, pullCursor{Phase: phaseSearch, TS: cur.TS, ID: cur.ID})
	}
	return tiePage(recs, cur.TS, more), nil
}

// searchTie reads up to limit records modified at exactly ms with ids after after, in id order;
// more reports that HubSpot has further records at ms.
func (c *Connector) searchTie(ctx context.Context, req connectors.PullRequest, ms int64, after string, limit int) ([]connectors.Record, bool, error) {
	ts := lastModifiedProperty(req.Object)
	q := searchRequest{
		FilterGroups: []filterGroup{{Filters: []searchFilter{
			{PropertyName: ts, Operator: "EQ", Value: strconv.FormatInt(ms, 10)},
			{PropertyName: "hs_object_id", Operator: "GT", Value: after},
		}}},
		Sorts:      []searchSort{{"hs_object_id", "ASCENDING"}},
		Properties: c.withTimestamp(req.Object, req.Fields),
		Limit:      limit,
	}
	out, err := c.search(ctx, req.Object, q)
	if err != nil {
		return nil, false, fmt.Errorf("pull %s changes at %d after id %s: %w", req.Object, ms, after, err)
	}
	recs := toRecords(out.Results, req.Fields, ts)
	sortByTimeAndID(recs)
	return recs, len(out.Results) == limit && out.Total > len(out.Results), nil
}

// tiePage makes a page of recs, all modified at ms and sorted; while more records share ms,
// its cursor stays in the tie phase.
func tiePage(recs []connectors.Record, ms int64, more bool) connectors.Page {
	next := pullCursor{Phase: phaseSearch, TS: ms, ID: recs[len(recs)-1].ID}
	if more {
		next.Phase = phaseTie
	}
	return connectors.Page{Records: recs, Cursor: next.encode(), More: true}
}

// afterFilters selects the records after cur in (time, id) order.
func afterFilters(ts string, cur pullCursor) []filterGroup {
	t := strconv.FormatInt(cur.TS, 10)
	switch {
	case cur.TS == 0 && cur.ID == "":
		return nil // everything
	case cur.ID == "":
		return []filterGroup{{Filters: []searchFilter{{PropertyName: ts, Operator: "GTE", Value: t}}}}
	}
	return []filterGroup{
		{Filters: []searchFilter{{PropertyName: ts, Operator: "GT", Value: t}}},
		{Filters: []searchFilter{
			{PropertyName: ts, Operator: "EQ", Value: t},
			{PropertyName: "hs_object_id", Operator: "GT", Value: cur.ID},
		}},
	}
}

// page makes a page of recs (sorted), whose cursor is the last record's position, or cur
// unchanged when recs is empty.
func (c *Connector) page(recs []connectors.Record, cur pullCursor, more bool) connectors.Page {
	next := pullCursor{Phase: phaseSearch, TS: cur.TS, ID: cur.ID}
	if n := len(recs); n > 0 {
		next.TS, next.ID = recs[n-1].ModifiedAt.UnixMilli(), recs[n-1].ID
	}
	return connectors.Page{Records: recs, Cursor: next.encode(), More: more}
}

// openMillis is how close to the remote's clock a timestamp must be for more records to still
// be modified at it: the Date header has whole seconds, so one second of its own and one of
// margin.
const openMillis = 2000

// caughtUp is the page that ends a pull. Its cursor keeps the id tiebreak only when the last
// timestamp is safely in the past: a record modified later in that same millisecond could have
// a lower id than the last one returned and be skipped. Otherwise the next pull starts at the
// timestamp itself (GTE) and re-reads its few records, which the engine ignores by version.
func (c *Connector) caughtUp(recs []connectors.Record, cur pullCursor, remoteNow time.Time) connectors.Page {
	p := c.page(recs, cur, false)
	next, _ := decodeCursor(p.Cursor)
	if next.ID != "" && (remoteNow.IsZero() || next.TS > remoteNow.UnixMilli()-openMillis) {
		next.ID = ""
		p.Cursor = next.encode()
	}
	return p
}

func (c *Connector) search(ctx context.Context, object string, q searchRequest) (*searchResponse, error) {
	var out searchResponse
	rep, err := c.api.call(ctx, http.MethodPost, objectPath(object)+"/search", nil, q, &out)
	if err != nil {
		return nil, err
	}
	out.date = rep.date
	for _, r := range out.Results {
		if !isID(r.ID) {
			return nil, fmt.Errorf("search answered a record with id %q, not a HubSpot id", r.ID)
		}
	}
	return &out, nil
}

// withTimestamp adds the last-modified property to the requested fields (none means the
// remote's defaults, which include it).
func (c *Connector) withTimestamp(object string, fields []string) []string {
	if len(fields) == 0 {
		return nil
	}
	ts := lastModifiedProperty(object)
	if slices.Contains(fields, ts) {
		return fields
	}
	return append(slices.Clip(fields), ts)
}

func toRecords(in []apiRecord, want []string, ts string) []connectors.Record {
	out := make([]connectors.Record, len(in))
	for i, r := range in {
		out[i] = toRecord(r, want, ts)
	}
	return out
}

func sortByTimeAndID(recs []connectors.Record) {
	slices.SortFunc(recs, func(a, b connectors.Record) int {
		return cmp.Or(cmp.Compare(a.ModifiedAt.UnixMilli(), b.ModifiedAt.UnixMilli()), compareIDs(a.ID, b.ID))
	})
}
