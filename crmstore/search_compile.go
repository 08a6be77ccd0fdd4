package crmstore

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Compiling a search: the request is checked against the catalogue and
// turned into a SQL condition on records whose values are all bound
// parameters (numbered, ?1, ?2, ...). Column names come from property ids
// and the JSON paths of generated columns from catalogue property names,
// checked against searchPropertyName; no request text is ever part of the
// SQL.

// searchPropertyName is what a property name must look like to appear in
// the definition of a generated column.
var searchPropertyName = regexp.MustCompile(`^[a-z0-9_]+$`)

// searchKind is how a property's values are compared.
type searchKind int

const (
	kindText     searchKind = iota // string-like: folded, case-insensitive
	kindEnum                       // single-select enumeration: exact, case-sensitive
	kindMulti                      // multi-select enumeration: ;-joined options
	kindBool                       // "true" / "false"
	kindNumber                     // compared as numbers
	kindDate                       // YYYY-MM-DD
	kindDateTime                   // ISO-8601 UTC with milliseconds
	kindTime                       // createdate / hs_lastmodifieddate: the row's epoch ms
	kindID                         // hs_object_id: the row id
)

// searchField is a property as search sees it.
type searchField struct {
	name string
	prop *Property // the catalogue property; nil for hs_object_id without one
	kind searchKind
	col  string // the column operators compare
}

// Column kinds of generated columns (the suffix of their names).
const (
	colRaw     = "v"  // the stored text
	colFold    = "lc" // the text folded to lower case
	colReverse = "rv" // the folded text reversed
	colNumber  = "n"  // the value as a REAL
)

// searchColumn is a generated column of records.
type searchColumn struct {
	name, typ, expr string
}

// searchIndex is a partial index on the live records of one object.
type searchIndex struct {
	name      string
	cols      []string
	oid       int64
	composite bool
}

// searchPlan is a compiled search.
type searchPlan struct {
	where    string // the condition on records, liveness included
	live     string // the liveness condition of the object's records
	filtered bool   // where holds more than liveness
	orBlocks bool   // where holds OR blocks (answered by MULTI-INDEX OR)
	// eqOrdered: an index of an EQ filter holds the matches in sort order.
	eqOrdered bool
	// scanIndex, if set, is the index to scan for the matches: no index
	// range answers the condition.
	scanIndex string
	args      []any
	sort      searchOrder
	cursor    *searchCursor
	offset    int // matches to skip before the page (after as an offset)
	limit     int
	want      map[string]bool
	columns   []searchColumn
	indexes   []searchIndex
}

// searchBuilder accumulates a plan's parameters, columns and indexes.
type searchBuilder struct {
	c       *catalog
	o       *ObjectType
	args    []any
	columns map[string]searchColumn
	indexes map[string]searchIndex
}

// live is the condition selecting the object's live records, the WHERE
// clause of every search index. Its terms carry a unary "+" so that SQLite
// cannot answer them from records_by_object (object_oid, archived_at, id):
// its two equalities look more selective to the planner than the property
// indexes, which would make it scan every record of the object. A partial
// index stays usable, since the query repeats its WHERE clause exactly.
func (b *searchBuilder) live() string {
	return "+object_oid = " + strconv.FormatInt(b.o.oid, 10) + " AND +archived_at IS NULL"
}

// orBlock ORs alternatives, each with the liveness condition.
func (b *searchBuilder) orBlock(alts []string) string {
	return "(" + b.live() + " AND " + strings.Join(alts, ") OR ("+b.live()+" AND ") + ")"
}

// sortIndex asks for an index of the object's live records on a records
// column, named records_o<oid>_<name>.
func (b *searchBuilder) sortIndex(name string, cols ...string) string {
	ix := "records_o" + strconv.FormatInt(b.o.oid, 10) + "_" + name
	b.indexes[ix] = searchIndex{name: ix, cols: cols, oid: b.o.oid}
	return ix
}

// arg binds v and returns its numbered placeholder.
func (b *searchBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "?" + strconv.Itoa(len(b.args))
}

func compileSearch(c *catalog, o *ObjectType, req SearchRequest) (*searchPlan, error) {
	b := &searchBuilder{c: c, o: o, columns: map[string]searchColumn{}, indexes: map[string]searchIndex{}}
	plan := &searchPlan{limit: req.Limit, want: wantSet(req.Properties)}
	switch {
	case plan.limit == 0:
		plan.limit = DefaultSearchLimit
	case plan.limit < 0 || plan.limit > MaxSearchLimit:
		return nil, invalidf("limit must be between 1 and %d, not %d", MaxSearchLimit, req.Limit)
	}
	if err := checkSearchLimits(req.FilterGroups); err != nil {
		return nil, err
	}
	// The condition is a conjunction of plain conditions and OR blocks.
	// Each branch of an OR block repeats the liveness condition, so that
	// SQLite can answer every branch from a partial index (a MULTI-INDEX
	// OR); the liveness condition stands on its own only beside a plain
	// condition, whose index needs it too.
	var conds, blocks []string
	words, err := b.query(req.Query)
	if err != nil {
		return nil, err
	}
	for _, alts := range words {
		if len(alts) == 1 {
			conds = append(conds, alts[0])
		} else {
			blocks = append(blocks, b.orBlock(alts))
		}
	}
	var groups []string
	var last groupInfo
	for gi, g := range req.FilterGroups {
		info, err := b.group(gi, g)
		if err != nil {
			return nil, err
		}
		groups = append(groups, info.cond)
		last = info
	}
	switch len(groups) {
	case 0:
	case 1:
		conds = append(conds, groups[0])
	default:
		blocks = append(blocks, b.orBlock(groups))
	}
	plan.live = b.live()
	all := blocks
	if len(conds) > 0 || len(blocks) == 0 {
		all = append([]string{plan.live}, conds...)
		all = append(all, blocks...)
	}
	plan.where = "(" + strings.Join(all, ") AND (") + ")"
	plan.filtered = len(conds) > 0 || len(blocks) > 0
	plan.orBlocks = len(blocks) > 0
	b.sortIndex("created", "created_at", "id") // the default order, and walks
	if plan.sort, err = b.order(req.Sorts); err != nil {
		return nil, err
	}
	// An EQ on a column with its own index, (column, created_at, id),
	// yields its records in creation order: SQLite reads a page of them
	// in order without sorting, so walking another index cannot be better.
	plan.eqOrdered = len(groups) == 1 && len(blocks) == 0 && last.eq && plan.sort.keys[0] == "created_at"
	// A lone group that no index range answers is read by scanning the
	// index of one of its columns, whose entries hold the column's value:
	// cheaper than computing the value from props for every record.
	if len(groups) == 1 && len(words) == 0 && !last.indexed && last.scanCol != "" {
		plan.scanIndex = "records_" + last.scanCol
	}
	if plan.cursor, plan.offset, err = parseAfter(req.After, plan.sort); err != nil {
		return nil, err
	}
	plan.args = b.args
	for _, col := range b.columns {
		plan.columns = append(plan.columns, col)
	}
	for _, ix := range b.indexes {
		plan.indexes = append(plan.indexes, ix)
	}
	// Deterministic DDL order: columns before the indexes that use them.
	slices.SortFunc(plan.columns, func(a, b searchColumn) int { return strings.Compare(a.name, b.name) })
	slices.SortFunc(plan.indexes, func(a, b searchIndex) int { return strings.Compare(a.name, b.name) })
	return plan, nil
}

// checkSearchLimits enforces HubSpot's 5 groups, 6 filters per group and
// 18 filters in all.
func checkSearchLimits(groups []SearchFilterGroup) error {
	if len(groups) > MaxSearchFilterGroups {
		return invalidf("too many filter groups: %d given, at most %d are allowed", len(groups), MaxSearchFilterGroups)
	}
	total := 0
	for gi, g := range groups {
		if len(g.Filters) == 0 {
			return invalidf("filterGroups[%d] has no filters; a filter group needs at least one", gi)
		}
		if len(g.Filters) > MaxSearchFiltersPerGroup {
			return invalidf("too many filters in filterGroups[%d]: %d given, at most %d are allowed in one group",
				gi, len(g.Filters), MaxSearchFiltersPerGroup)
		}
		total += len(g.Filters)
	}
	if total > MaxSearchFilters {
		return invalidf("too many filters: %d given across the filter groups, at most %d are allowed", total, MaxSearchFilters)
	}
	return nil
}

// field resolves a property name of the object for search.
func (b *searchBuilder) field(where, name string) (*searchField, error) {
	switch name {
	case "createdate":
		return &searchField{name: name, prop: b.c.property(b.o, name), kind: kindTime, col: "created_at"}, nil
	case "hs_lastmodifieddate", "lastmodifieddate":
		if name == "lastmodifieddate" && b.o.Name != "contacts" {
			break
		}
		return &searchField{name: name, prop: b.c.property(b.o, name), kind: kindTime, col: "updated_at"}, nil
	case "hs_object_id":
		return &searchField{name: name, prop: b.c.property(b.o, name), kind: kindID, col: "id"}, nil
	}
	p := b.c.property(b.o, name)
	if p == nil {
		return nil, invalidf("%s: property %q does not exist on %s", where, name, b.o.Name)
	}
	f := &searchField{name: name, prop: p}
	switch p.Type {
	case TypeNumber:
		f.kind = kindNumber
	case TypeDate:
		f.kind = kindDate
	case TypeDateTime:
		f.kind = kindDateTime
	case TypeBool:
		f.kind = kindBool
	case TypeEnumeration:
		f.kind = kindEnum
		if p.IsMultiValue() {
			f.kind = kindMulti
		}
	default:
		f.kind = kindText
	}
	var err error
	switch f.kind {
	case kindText:
		f.col, err = b.column(p, colFold)
	case kindNumber:
		f.col, err = b.column(p, colNumber)
	default:
		f.col, err = b.column(p, colRaw)
	}
	return f, err
}

// column names the generated column of kind for p, and asks for it and its
// index.
func (b *searchBuilder) column(p *Property, kind string) (string, error) {
	if !searchPropertyName.MatchString(p.Name) {
		return "", invalidf("property %q cannot be searched: its name has characters other than a-z, 0-9 and _", p.Name)
	}
	name := "p" + strconv.FormatInt(p.id, 10) + "_" + kind
	raw := `(props ->> '$."` + p.Name + `"')`
	fold := "CASE WHEN " + raw + " GLOB '*[^ -~]*' THEN tandem_fold(" + raw + ") ELSE lower(" + raw + ") END"
	col := searchColumn{name: name, typ: "TEXT"}
	switch kind {
	case colRaw:
		col.expr = raw
	case colFold:
		col.expr = fold
	case colReverse:
		col.expr = "tandem_reverse(" + fold + ")"
	case colNumber:
		col.typ, col.expr = "REAL", "CAST("+raw+" AS REAL)"
	}
	b.columns[name] = col
	ix := "records_" + name
	b.indexes[ix] = searchIndex{name: ix, cols: []string{name, "created_at", "id"}, oid: b.o.oid}
	return name, nil
}

// groupInfo is a compiled filter group.
type groupInfo struct {
	cond string
	// eq: an EQ filter on a column with a single-column index.
	eq bool
	// indexed: a filter SQLite can answer from an index range (or from
	// record ids, for associations).
	indexed bool
	// scanCol is a property column that a filter without an index range
	// (NEQ, NOT_IN, CONTAINS_TOKEN of a word, ...) compares.
	scanCol string
}

// group compiles the ANDed filters of one group.
func (b *searchBuilder) group(gi int, g SearchFilterGroup) (groupInfo, error) {
	var info groupInfo
	conds := make([]string, 0, len(g.Filters))
	var uses []columnUse
	for fi, f := range g.Filters {
		where := fmt.Sprintf("filterGroups[%d].filters[%d]", gi, fi)
		cond, use, err := b.filter(where, f)
		if err != nil {
			return groupInfo{}, err
		}
		conds = append(conds, cond)
		if use.col == "" { // associations: SQLite reads the ids they give
			info.indexed = true
			continue
		}
		uses = append(uses, use)
		property := strings.HasPrefix(use.col, "p")
		info.eq = info.eq || (use.single && property)
		info.indexed = info.indexed || use.ranged
		if !use.ranged && property && info.scanCol == "" {
			info.scanCol = use.col
		}
	}
	b.composite(uses)
	info.cond = strings.Join(conds, " AND ")
	return info, nil
}

// columnUse describes how a filter constrains a column, to choose
// composite indexes.
type columnUse struct {
	col      string
	lowCard  bool // an enumeration or boolean column
	equality bool // EQ or IN on a single value column
	single   bool // EQ on a single value column
	ranged   bool // a condition an index range answers
}

// composite asks for an index on two columns of a group when one is an
// equality on a column of few distinct values (an enumeration or a
// boolean) and the other is answered by an index range: a single-column
// index on the first would match too many records to count them quickly.
func (b *searchBuilder) composite(uses []columnUse) {
	for _, first := range uses {
		if !first.lowCard || !first.equality {
			continue
		}
		for _, second := range uses {
			// The single-column index of the first column already
			// orders each of its values by created_at, then id.
			if second.col == first.col || !second.ranged || second.col == "created_at" || second.col == "id" {
				continue
			}
			name := "records_c" + strconv.FormatInt(b.o.oid, 10) + "_" + first.col + "__" + second.col
			b.indexes[name] = searchIndex{name: name, cols: []string{first.col, second.col, "created_at", "id"},
				oid: b.o.oid, composite: true}
			return
		}
	}
}

// filter compiles one filter.
func (b *searchBuilder) filter(where string, f SearchFilter) (string, columnUse, error) {
	op := strings.ToUpper(strings.TrimSpace(f.Operator))
	if !slices.Contains(searchOperators, op) {
		return "", columnUse{}, invalidf("%s: operator %q is not one of %s", where, f.Operator, strings.Join(searchOperators, ", "))
	}
	name := strings.TrimSpace(f.PropertyName)
	if name == "" {
		return "", columnUse{}, invalidf("%s: propertyName is required", where)
	}
	if ref, ok := strings.CutPrefix(name, "associations."); ok {
		cond, err := b.association(where, ref, op, f)
		return cond, columnUse{}, err
	}
	fd, err := b.field(where, name)
	if err != nil {
		return "", columnUse{}, err
	}
	use := columnUse{col: fd.col, lowCard: fd.kind == kindEnum || fd.kind == kindBool}
	needValue := func() (string, error) {
		if strings.TrimSpace(f.Value) == "" {
			return "", invalidf("%s: operator %s on %q needs a value", where, op, name)
		}
		return f.Value, nil
	}
	var cond string
	switch op {
	case FilterEQ, FilterLT, FilterLTE, FilterGT, FilterGTE:
		v, err := needValue()
		if err != nil {
			return "", use, err
		}
		cond, err = b.compare(where, fd, op, v)
		if err != nil {
			return "", use, err
		}
		use.equality = op == FilterEQ && fd.kind != kindMulti
		use.single = use.equality && !strings.HasPrefix(cond, "0")
		use.ranged = fd.kind != kindMulti || op != FilterEQ
	case FilterNEQ:
		v, err := needValue()
		if err != nil {
			return "", use, err
		}
		eq, err := b.compare(where, fd, FilterEQ, v)
		if err != nil {
			return "", use, err
		}
		cond = b.negate(fd, eq)
	case FilterBetween:
		lo, err := needValue()
		if err != nil {
			return "", use, err
		}
		if strings.TrimSpace(f.HighValue) == "" {
			return "", use, invalidf("%s: operator BETWEEN on %q needs a value and a highValue", where, name)
		}
		lc, err := b.compare(where, fd, FilterGTE, lo)
		if err != nil {
			return "", use, err
		}
		hc, err := b.compare(where, fd, FilterLTE, f.HighValue)
		if err != nil {
			return "", use, err
		}
		cond = lc + " AND " + hc
		use.ranged = true
	case FilterIn, FilterNotIn:
		if len(f.Values) == 0 {
			return "", use, invalidf("%s: operator %s on %q needs values", where, op, name)
		}
		if len(f.Values) > maxSearchValues {
			return "", use, invalidf("%s: operator %s on %q takes at most %d values, not %d", where, op, name, maxSearchValues, len(f.Values))
		}
		in, err := b.in(where, fd, f.Values)
		if err != nil {
			return "", use, err
		}
		if op == FilterIn {
			cond = in
			use.equality = fd.kind != kindMulti
			use.ranged = use.equality
		} else {
			cond = b.negate(fd, in)
		}
	case FilterHasProperty, FilterNotHasProperty:
		has := op == FilterHasProperty
		switch {
		case fd.kind == kindTime || fd.kind == kindID:
			cond = map[bool]string{true: "1", false: "0"}[has]
		case has:
			cond = fd.col + " IS NOT NULL"
		default:
			cond = fd.col + " IS NULL"
		}
		use.ranged = true
	case FilterContainsToken, FilterNotContainsToken:
		v, err := needValue()
		if err != nil {
			return "", use, err
		}
		contains, ranged, err := b.containsToken(where, fd, v)
		if err != nil {
			return "", use, err
		}
		if op == FilterContainsToken {
			cond = contains
			use.ranged = ranged
		} else {
			cond = b.negate(fd, contains)
		}
	}
	return "(" + cond + ")", use, nil
}

// negate turns a condition into its opposite that also matches records
// without a value, as HubSpot's negative operators do.
func (b *searchBuilder) negate(f *searchField, cond string) string {
	if f.kind == kindTime || f.kind == kindID {
		return "NOT (" + cond + ")"
	}
	return f.col + " IS NULL OR NOT (" + cond + ")"
}

var sqlComparison = map[string]string{FilterEQ: "=", FilterLT: "<", FilterLTE: "<=", FilterGT: ">", FilterGTE: ">="}

// compare compiles EQ, LT, LTE, GT or GTE against one value.
func (b *searchBuilder) compare(where string, f *searchField, op, v string) (string, error) {
	if f.kind == kindMulti && op == FilterEQ {
		return "instr(';' || " + f.col + " || ';', " + b.arg(";"+v+";") + ") > 0", nil
	}
	if f.kind == kindDate {
		day, exact, err := b.dateOperand(where, f, v)
		if err != nil {
			return "", err
		}
		// A date property holds midnights: an instant inside a day
		// compares with the day's midnight accordingly.
		if !exact {
			switch op {
			case FilterEQ:
				return "0", nil
			case FilterLT:
				op = FilterLTE
			case FilterGTE:
				op = FilterGT
			}
		}
		return f.col + " " + sqlComparison[op] + " " + b.arg(day), nil
	}
	x, err := b.operand(where, f, v)
	if err != nil {
		return "", err
	}
	return f.col + " " + sqlComparison[op] + " " + b.arg(x), nil
}

// in compiles IN over values.
func (b *searchBuilder) in(where string, f *searchField, values []string) (string, error) {
	if f.kind == kindMulti {
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = "instr(';' || " + f.col + " || ';', " + b.arg(";"+v+";") + ") > 0"
		}
		return strings.Join(parts, " OR "), nil
	}
	var ph []string
	seen := map[any]bool{}
	for _, v := range values {
		var x any
		if f.kind == kindDate {
			day, exact, err := b.dateOperand(where, f, v)
			if err != nil {
				return "", err
			}
			if !exact {
				continue
			}
			x = day
		} else {
			var err error
			if x, err = b.operand(where, f, v); err != nil {
				return "", err
			}
		}
		if !seen[x] {
			seen[x] = true
			ph = append(ph, b.arg(x))
		}
	}
	if len(ph) == 0 {
		return "0", nil
	}
	return f.col + " IN (" + strings.Join(ph, ", ") + ")", nil
}

// operand converts a filter value to what f's column holds: folded text,
// an exact option, "true"/"false", a number, a canonical datetime, epoch
// milliseconds or a record id.
func (b *searchBuilder) operand(where string, f *searchField, v string) (any, error) {
	switch f.kind {
	case kindText:
		return foldCase(v), nil
	case kindBool:
		s, perr := normalizeBool(f.prop, v)
		if perr != nil {
			return nil, invalidf("%s: %q is not a valid boolean for property %q: use true or false", where, v, f.name)
		}
		return s, nil
	case kindNumber:
		_, n, perr := normalizeNumber(f.prop, v)
		if perr != nil {
			return nil, invalidf("%s: %q is not a valid number for property %q", where, v, f.name)
		}
		return *n, nil
	case kindDateTime, kindTime:
		t, err := b.instant(where, f, v)
		if err != nil {
			return nil, err
		}
		if f.kind == kindTime {
			return t.UnixMilli(), nil
		}
		return t.Truncate(time.Millisecond).Format(dateTimeCanonical), nil
	case kindID:
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, invalidf("%s: %q is not a valid record id for property %q", where, v, f.name)
		}
		return id, nil
	}
	return v, nil // enumerations: exact and case-sensitive
}

// instant reads a date or datetime filter value: epoch milliseconds (as
// HubSpot's examples send) or ISO-8601.
func (b *searchBuilder) instant(where string, f *searchField, v string) (time.Time, error) {
	p := f.prop
	if p == nil {
		p = &Property{Name: f.name}
	}
	t, perr := parseDateTime(p, v, CodeInvalidDateTime, "datetime")
	if perr != nil {
		return time.Time{}, invalidf("%s: %q is not a valid date for property %q: use epoch milliseconds or an ISO-8601 date or datetime", where, v, f.name)
	}
	return t, nil
}

// dateOperand reads a value for a date property: its day, and whether the
// value is that day's midnight (UTC).
func (b *searchBuilder) dateOperand(where string, f *searchField, v string) (string, bool, error) {
	t, err := b.instant(where, f, v)
	if err != nil {
		return "", false, err
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.Format(dateCanonical), t.Equal(day), nil
}

// containsToken compiles CONTAINS_TOKEN (see tokenMatch). Patterns that
// only a whole value can match become index ranges: a prefix range on the
// folded value for "abc*", on the reversed folded value for "*abc".
// Others read the folded column from its index and check each value. It
// reports whether the condition is an index range.
func (b *searchBuilder) containsToken(where string, f *searchField, v string) (string, bool, error) {
	switch f.kind {
	case kindText, kindEnum, kindMulti, kindBool:
	default:
		return "", false, invalidf("%s: CONTAINS_TOKEN applies to text and enumeration properties; %q is not one", where, f.name)
	}
	pat := strings.TrimSpace(v)
	if f.kind == kindText {
		pat = foldCase(pat)
	}
	if strings.Trim(pat, "*") == "" {
		return f.col + " IS NOT NULL", true, nil
	}
	if f.kind == kindText && strings.Count(pat, "*") == 1 {
		if lit, ok := strings.CutSuffix(pat, "*"); ok && wholeValueOnly(f.prop, lit) {
			return prefixRange(b, f.col, lit), true, nil
		}
		if lit, ok := strings.CutPrefix(pat, "*"); ok && wholeValueOnly(f.prop, lit) {
			rv, err := b.column(f.prop, colReverse)
			if err != nil {
				return "", false, err
			}
			return prefixRange(b, rv, reverseRunes(lit)), true, nil
		}
	}
	pieces := strings.Split(pat, "*")
	if !strings.Contains(pat, "*") {
		if pieces = words(pat); len(pieces) == 0 {
			pieces = []string{pat}
		}
	}
	return f.col + " LIKE " + b.arg(likeContaining(pieces)) + " ESCAPE '\\' AND tandem_token(" + f.col + ", " + b.arg(pat) + ")", false, nil
}

// wholeValueOnly reports whether, among the tokens of a value of p, only
// the whole value can match lit with a "*" on one side: lit holds a chunk
// separator, or holds a character outside words while p's values have no
// chunk separators (email addresses).
func wholeValueOnly(p *Property, lit string) bool {
	if strings.ContainsFunc(lit, isChunkSeparator) {
		return true
	}
	return p.Name == "email" && strings.ContainsFunc(lit, func(r rune) bool { return !isWordRune(r) })
}

// prefixRange is the index range of the values of col starting with
// prefix. No UTF-8 text holds the byte 0xFF, so prefix+"\xff" is above
// every value starting with prefix.
func prefixRange(b *searchBuilder, col, prefix string) string {
	return col + " >= " + b.arg(prefix) + " AND " + col + " < " + b.arg(prefix+"\xff")
}

// query compiles the free-text query: each word must start the folded
// value of one of the object's searchable properties. It returns, per
// word, the alternatives (one index range per property), so that SQLite
// answers them from several indexes.
func (b *searchBuilder) query(q string) ([][]string, error) {
	ws := strings.Fields(foldCase(q))
	if len(ws) == 0 {
		return nil, nil
	}
	if len(ws) > maxQueryWords {
		return nil, invalidf("query has %d words; at most %d are allowed", len(ws), maxQueryWords)
	}
	names := b.o.SearchableProperties
	if len(names) == 0 && b.o.PrimaryDisplayProperty != "" {
		names = []string{b.o.PrimaryDisplayProperty}
	}
	var cols []string
	for _, n := range names {
		p := b.c.property(b.o, n)
		if p == nil {
			continue
		}
		col, err := b.column(p, colFold)
		if err != nil {
			return nil, err
		}
		cols = append(cols, col)
	}
	if len(cols) == 0 {
		return [][]string{{"0"}}, nil
	}
	out := make([][]string, len(ws))
	for i, w := range ws {
		for _, col := range cols {
			out[i] = append(out[i], prefixRange(b, col, w))
		}
	}
	return out, nil
}

// association compiles the associations.{object} pseudo-property: records
// associated (with any association type) with the given live records of
// that object.
func (b *searchBuilder) association(where, ref, op string, f SearchFilter) (string, error) {
	other := b.c.associationObject(ref)
	if other == nil {
		return "", invalidf("%s: property %q does not exist on %s: %q is not an object", where, "associations."+ref, b.o.Name, ref)
	}
	sub := "SELECT a.from_id FROM associations a JOIN association_types t ON t.type_id = a.type_id" +
		" JOIN records r ON r.id = a.to_id AND r.archived_at IS NULL" +
		" WHERE t.from_oid = " + b.arg(b.o.oid) + " AND t.to_oid = " + b.arg(other.oid)
	ids := func(values []string) ([]string, error) {
		var ph []string
		for _, v := range values {
			id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return nil, invalidf("%s: %q is not a record id of %s", where, v, other.Name)
			}
			ph = append(ph, b.arg(id))
		}
		return ph, nil
	}
	var values []string
	switch op {
	case FilterEQ, FilterNEQ:
		if strings.TrimSpace(f.Value) == "" {
			return "", invalidf("%s: operator %s on %q needs a value", where, op, f.PropertyName)
		}
		values = []string{f.Value}
	case FilterIn, FilterNotIn:
		if len(f.Values) == 0 || len(f.Values) > maxSearchValues {
			return "", invalidf("%s: operator %s on %q needs between 1 and %d values", where, op, f.PropertyName, maxSearchValues)
		}
		values = f.Values
	case FilterHasProperty:
		return "(id IN (" + sub + "))", nil
	case FilterNotHasProperty:
		return "(id NOT IN (" + sub + "))", nil
	default:
		return "", invalidf("%s: operator %s does not apply to %q; use EQ, NEQ, IN, NOT_IN, HAS_PROPERTY or NOT_HAS_PROPERTY", where, op, f.PropertyName)
	}
	ph, err := ids(values)
	if err != nil {
		return "", err
	}
	sub += " AND a.to_id IN (" + strings.Join(ph, ", ") + ")"
	if op == FilterNEQ || op == FilterNotIn {
		return "(id NOT IN (" + sub + "))", nil
	}
	return "(id IN (" + sub + "))", nil
}

// associationObject resolves the object of associations.{ref}: a name,
// type id or p_name as elsewhere, or the singular HubSpot uses there
// ("contact", "company", "line_item").
func (c *catalog) associationObject(ref string) *ObjectType {
	if o, err := c.object(ref); err == nil {
		return o
	}
	key := strings.ToLower(strings.TrimSpace(ref))
	for _, o := range c.objects {
		if o.Archived {
			continue
		}
		if strings.ReplaceAll(strings.ToLower(o.SingularLabel), " ", "_") == key {
			return o
		}
	}
	for _, plural := range []string{key + "s", key + "es", strings.TrimSuffix(key, "y") + "ies"} {
		if o, err := c.object(plural); err == nil {
			return o
		}
	}
	return nil
}
