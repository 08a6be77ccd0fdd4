package crmstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// searchOrder is the order of a search's results: the sorted column, then
// created_at and id to break ties, so that every record has its own place
// and a cursor can resume right after it. A property's order has two
// segments: the records with a value, then those without one (last in
// either direction, as HubSpot sorts them).
type searchOrder struct {
	keys     []string // ORDER BY columns; the last is always id
	nullable bool     // keys[0] is a property column that may be NULL
	desc     bool
	index    string // the index that holds the records in this order
	inIndex  bool   // every search index holds the keys (created_at, id)
	sig      string // identifies the order inside cursors
}

// order compiles the sorts: none (oldest first, as HubSpot) or one.
func (b *searchBuilder) order(sorts []SearchSort) (searchOrder, error) {
	if len(sorts) == 0 {
		return searchOrder{keys: []string{"created_at", "id"}, index: b.sortIndex("created", "created_at", "id"),
			inIndex: true, sig: "created_at:a"}, nil
	}
	if len(sorts) > 1 {
		return searchOrder{}, invalidf("only one sort is supported; %d were given", len(sorts))
	}
	s := sorts[0]
	name := strings.TrimSpace(s.PropertyName)
	if name == "" {
		return searchOrder{}, invalidf("sorts[0]: propertyName is required")
	}
	var desc bool
	switch strings.ToUpper(strings.TrimSpace(s.Direction)) {
	case "", SortAscending, "ASC":
	case SortDescending, "DESC":
		desc = true
	default:
		return searchOrder{}, invalidf("sorts[0]: direction %q is not ASCENDING or DESCENDING", s.Direction)
	}
	if strings.HasPrefix(name, "associations.") {
		return searchOrder{}, invalidf("sorts[0]: cannot sort by %q", name)
	}
	f, err := b.field("sorts[0]", name)
	if err != nil {
		return searchOrder{}, err
	}
	ord := searchOrder{desc: desc}
	switch {
	case f.kind == kindID:
		ord.keys, ord.index, ord.inIndex = []string{"id"}, b.sortIndex("id", "id"), true
	case f.col == "created_at":
		ord.keys, ord.index, ord.inIndex = []string{f.col, "id"}, b.sortIndex("created", f.col, "id"), true
	case f.col == "updated_at":
		ord.keys, ord.index = []string{f.col, "id"}, b.sortIndex("updated", f.col, "id")
	default:
		ord.keys, ord.index, ord.nullable = []string{f.col, "created_at", "id"}, "records_"+f.col, true
	}
	ord.sig = f.col + map[bool]string{false: ":a", true: ":d"}[desc]
	return ord, nil
}

// segmentKeys returns the ORDER BY columns of segment seg and the
// condition selecting it.
func (ord searchOrder) segmentKeys(seg int) ([]string, string) {
	if !ord.nullable {
		return ord.keys, ""
	}
	if seg == 0 {
		return ord.keys, ord.keys[0] + " IS NOT NULL"
	}
	return ord.keys[1:], ord.keys[0] + " IS NULL"
}

func (ord searchOrder) segments() int {
	if ord.nullable {
		return 2
	}
	return 1
}

// searchCursor is a decoded after cursor: the segment and sort key of the
// last record of the previous page.
type searchCursor struct {
	seg  int
	vals []any
}

// cursorJSON is the cursor's encoded form, before base64: the order it
// belongs to, the segment and the order keys of the last record.
type cursorJSON struct {
	Order string            `json:"o"`
	Seg   int               `json:"s,omitempty"`
	Keys  []json.RawMessage `json:"k"`
}

func encodeCursor(ord searchOrder, seg int, vals []any) (string, error) {
	cj := cursorJSON{Order: ord.sig, Seg: seg, Keys: make([]json.RawMessage, len(vals))}
	for i, v := range vals {
		switch v.(type) {
		case string, int64, float64:
		default:
			return "", fmt.Errorf("search cursor: unexpected %T order key", v)
		}
		k, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("search cursor: %w", err)
		}
		cj.Keys[i] = k
	}
	raw, err := json.Marshal(cj)
	if err != nil {
		return "", fmt.Errorf("search cursor: %w", err)
	}
	// raw is a JSON object, so the cursor starts with "eyJ" (base64 of
	// `{"`): it is never all digits, which parseAfter reads as an offset.
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// isTextKey reports whether an order column holds text.
func isTextKey(col string) bool {
	return strings.HasSuffix(col, "_"+colRaw) || strings.HasSuffix(col, "_"+colFold) || strings.HasSuffix(col, "_"+colReverse)
}

// parseAfter reads a search's after. All digits is an offset into the
// results in their order (HubSpot documents after as an integer formatted
// as a string, and its clients compute it as page*limit); an offset too
// large for an int is past every result. Anything else is "" (the first
// page) or a cursor of ours.
func parseAfter(after string, ord searchOrder) (*searchCursor, int, error) {
	after = strings.TrimSpace(after)
	if isOffset(after) {
		n, err := strconv.Atoi(after)
		if err != nil { // all digits: only out of range
			n = math.MaxInt
		}
		return nil, n, nil
	}
	cur, err := decodeCursor(after, ord)
	return cur, 0, err
}

// isOffset reports whether after is all ASCII digits.
func isOffset(after string) bool {
	if after == "" {
		return false
	}
	for i := 0; i < len(after); i++ {
		if after[i] < '0' || after[i] > '9' {
			return false
		}
	}
	return true
}

func decodeCursor(after string, ord searchOrder) (*searchCursor, error) {
	after = strings.TrimSpace(after)
	if after == "" {
		return nil, nil
	}
	bad := invalidf("after %q is not a paging cursor of this search: pass paging.next.after of the previous page", after)
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return nil, bad
	}
	var cj cursorJSON
	if err := json.Unmarshal(raw, &cj); err != nil || cj.Order != ord.sig || cj.Seg < 0 || cj.Seg >= ord.segments() {
		return nil, bad
	}
	keys, _ := ord.segmentKeys(cj.Seg)
	if len(cj.Keys) != len(keys) {
		return nil, bad
	}
	cur := &searchCursor{seg: cj.Seg, vals: make([]any, len(keys))}
	for i, k := range cj.Keys {
		var err error
		switch {
		case isTextKey(keys[i]):
			var s string
			err = json.Unmarshal(k, &s)
			cur.vals[i] = s
		case strings.HasSuffix(keys[i], "_"+colNumber):
			var f float64
			err = json.Unmarshal(k, &f)
			cur.vals[i] = f
		default:
			var n int64
			err = json.Unmarshal(k, &n)
			cur.vals[i] = n
		}
		if err != nil {
			return nil, bad
		}
	}
	return cur, nil
}

// searchHit is a matching record's place in the order.
type searchHit struct {
	seg  int
	vals []any // the segment's order keys; the last is the id
}

// runSearch runs a compiled search in one read transaction, so the total,
// the page and the records agree. It counts the matches first, then reads
// the page whichever way is cheaper: from the filters' indexes, sorting the
// matches, or walking the sort index and checking each record (walkCost).
func (s *Store) runSearch(ctx context.Context, c *catalog, o *ObjectType, plan *searchPlan) (SearchResult, error) {
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return SearchResult{}, fmt.Errorf("begin search: %w", err)
	}
	defer tx.Rollback()

	var res SearchResult
	scan := "records"
	if plan.scanIndex != "" {
		scan = "records INDEXED BY " + plan.scanIndex
	}
	if err := tx.GetContext(ctx, &res.Total, "SELECT COUNT(*) FROM "+scan+" WHERE "+plan.where, plan.args...); err != nil {
		return SearchResult{}, fmt.Errorf("count %s: %w", o.Name, err)
	}
	if !plan.filtered {
		s.setLiveCount(o.oid, res.Total)
	}
	if plan.offset >= res.Total {
		return res, nil // no match, or an offset past the last one
	}
	// The page ends reach matches into the order: reading it costs what
	// reading a page of that size from the start does.
	reach := plan.offset + plan.limit
	walk := !plan.filtered
	if !walk && !plan.eqOrdered {
		keyInIndex := plan.sort.inIndex && !plan.orBlocks
		if plan.scanIndex != "" || walkMayBeCheaper(res.Total, reach, keyInIndex) {
			r, err := s.liveCount(ctx, tx, o.oid, plan.sort.index)
			if err != nil {
				return SearchResult{}, err
			}
			cost := sortCost(res.Total, keyInIndex)
			if plan.scanIndex != "" {
				cost += float64(r) // the scan reads every entry of the index
			}
			walk = walkCost(res.Total, r, reach) < cost
		}
	}

	ord := plan.sort
	dir, cmp := "", ">"
	if ord.desc {
		dir, cmp = " DESC", "<"
	}
	from, where := scan, plan.where
	if walk {
		// Read the records in order from the sort index, checking the
		// condition on each: the liveness condition must stand on its
		// own for SQLite to use that partial index.
		from = "records INDEXED BY " + ord.index
		if plan.filtered {
			where = "(" + plan.live + ") AND " + plan.where
		}
	}
	var hits []searchHit
	start := 0
	if plan.cursor != nil {
		start = plan.cursor.seg
	}
	skip := plan.offset // matches still to skip, from the start of seg
	for seg := start; seg < ord.segments() && len(hits) <= plan.limit; seg++ {
		keys, cond := ord.segmentKeys(seg)
		q := "SELECT " + strings.Join(keys, ", ") + " FROM " + from + " WHERE " + where
		if cond != "" {
			q += " AND " + cond
		}
		args := slices.Clone(plan.args)
		if plan.cursor != nil && seg == plan.cursor.seg {
			ph := make([]string, len(keys))
			for i := range keys {
				args = append(args, plan.cursor.vals[i])
				ph[i] = "?" + strconv.Itoa(len(args))
			}
			q += " AND (" + strings.Join(keys, ", ") + ") " + cmp + " (" + strings.Join(ph, ", ") + ")"
		}
		args = append(args, plan.limit+1-len(hits))
		q += " ORDER BY " + strings.Join(keys, dir+", ") + dir + " LIMIT ?" + strconv.Itoa(len(args))
		if skip > 0 {
			args = append(args, skip)
			q += " OFFSET ?" + strconv.Itoa(len(args))
		}
		more, err := scanHits(ctx, tx, q, args, seg, len(keys))
		if err != nil {
			return SearchResult{}, fmt.Errorf("search %s: %w", o.Name, err)
		}
		hits = append(hits, more...)
		if skip > 0 && len(more) == 0 && seg+1 < ord.segments() {
			// The segment holds at most skip matches: skip the rest of
			// them in the next one.
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+scan+" WHERE "+plan.where+" AND "+cond, plan.args...); err != nil {
				return SearchResult{}, fmt.Errorf("count %s: %w", o.Name, err)
			}
			skip -= n
		} else {
			skip = 0
		}
	}
	next := len(hits) > plan.limit
	if next {
		hits = hits[:plan.limit]
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.vals[len(h.vals)-1].(int64)
	}
	rows, err := selectRows(ctx, tx, o, ids)
	if err != nil {
		return SearchResult{}, err
	}
	byID := make(map[int64]recordRow, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	res.Records = make([]*Record, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			res.Records = append(res.Records, c.newRecord(o, r, c.decodeProps(o, r.Props), plan.want))
		}
	}
	if next {
		last := hits[len(hits)-1]
		if res.After, err = encodeCursor(ord, last.seg, last.vals); err != nil {
			return SearchResult{}, err
		}
	}
	return res, nil
}

// Relative costs of reading a page, in index steps: a search index entry
// costs 1, a record read from the table to check or sort it (with its
// generated columns computed from props) costs about rowCost.
const rowCost = 15

// sortCost is the cost of reading all n matches from the filters' indexes
// and keeping the first ones in order: the sort keys come from the index
// entries when keyInIndex, from the table otherwise.
func sortCost(n int, keyInIndex bool) float64 {
	if keyInIndex {
		return float64(n)
	}
	return float64(n) * rowCost
}

// walkMayBeCheaper reports whether walking the sort index could beat
// sorting n matches at all: a walk reads at least a page of records.
func walkMayBeCheaper(n, limit int, keyInIndex bool) bool {
	return float64(limit+1)*rowCost < sortCost(n, keyInIndex)
}

// walkCost is the cost of reading the sort index in order, checking each
// of the object's r live records until a page of the n matches is found:
// about (limit+1)*r/n of them.
func walkCost(n, r, limit int) float64 {
	examined := float64(r)
	if n > 0 {
		examined = min(examined, float64(limit+1)*float64(r)/float64(n))
	}
	return examined * rowCost
}

// liveCounts caches how many live records each object has, per database,
// for choosing query plans; an estimate is good enough.
var liveCounts sync.Map // liveCountKey -> liveCount

type liveCountKey struct {
	path string
	oid  int64
}

type liveCount struct {
	n  int
	at time.Time
}

// liveCountTTL is how long a cached count of live records is used.
const liveCountTTL = 5 * time.Minute

func (s *Store) setLiveCount(oid int64, n int) {
	liveCounts.Store(liveCountKey{s.path, oid}, liveCount{n: n, at: time.Now()})
}

// liveCount returns the number of live records of an object, counted from
// one of its search indexes at most liveCountTTL ago.
func (s *Store) liveCount(ctx context.Context, q queryer, oid int64, index string) (int, error) {
	if v, ok := liveCounts.Load(liveCountKey{s.path, oid}); ok && time.Since(v.(liveCount).at) < liveCountTTL {
		return v.(liveCount).n, nil
	}
	var n int
	o := strconv.FormatInt(oid, 10)
	if err := sqlx.GetContext(ctx, q, &n, "SELECT COUNT(*) FROM records INDEXED BY "+index+
		" WHERE +object_oid = "+o+" AND +archived_at IS NULL"); err != nil {
		return 0, fmt.Errorf("count live records: %w", err)
	}
	s.setLiveCount(oid, n)
	return n, nil
}

// scanHits runs a page query whose columns are n order keys.
func scanHits(ctx context.Context, q queryer, query string, args []any, seg, n int) ([]searchHit, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []searchHit
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if _, ok := vals[n-1].(int64); !ok {
			return nil, fmt.Errorf("search: record id is %T", vals[n-1])
		}
		out = append(out, searchHit{seg: seg, vals: vals})
	}
	return out, rows.Err()
}
