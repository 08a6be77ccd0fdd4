package importer

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tandem-crm/tandem/crmstore"
)

// Error types of import error rows (HubSpot's names where it has one).
const (
	errIncorrectColumns = problemColumns
	errUnbalancedQuote  = problemQuote
	errEncoding         = problemEncoding
	errTooLong          = problemTooLong
	errInvalidDate      = "INVALID_DATE"
	errInvalidOwner     = "INVALID_OWNER"
	errNoValues         = "NO_VALUES"
)

// rowProblem is one reason a row fails.
type rowProblem struct {
	errType string
	message string
	column  string
	value   string
	object  string // type id of the object the problem is with, when known
}

// partRow is one row's values for one object of its file.
type partRow struct {
	present bool
	key     string
	// values holds a value per property column of the part
	// (filePlan.partColumns); "" where the cell is empty.
	values []string
}

// linkCell is an association column's value on one row.
type linkCell struct {
	part   int
	column int
	value  string
}

// rowItem is one row read and converted, ready for a batch.
type rowItem struct {
	line     int64
	fields   []string
	problems []rowProblem
	parts    []partRow
	links    []linkCell
}

// convert turns a read record into a rowItem: the fields' values per
// object, converted to store values, or the problems that fail the row.
func (p *plan) convert(ctx context.Context, fp *filePlan, rec csvRecord) (*rowItem, error) {
	item := &rowItem{line: rec.line, fields: rec.fields}
	if rec.problem != "" {
		col := ""
		if rec.column >= 0 && rec.column < len(fp.header) {
			col = fp.header[rec.column]
		}
		msg := rec.message
		if col != "" {
			msg = fmt.Sprintf("%s (column %q)", rec.message, col)
		}
		item.fields = []string{rec.raw}
		item.problems = append(item.problems, rowProblem{errType: rec.problem, message: msg, column: col})
		return item, nil
	}
	if len(rec.fields) != len(fp.header) {
		item.problems = append(item.problems, rowProblem{errType: errIncorrectColumns,
			message: fmt.Sprintf("the row has %d fields but the header has %d columns", len(rec.fields), len(fp.header))})
		return item, nil
	}
	if bad := invalidUTF8Field(rec.fields); bad >= 0 {
		item.problems = append(item.problems, rowProblem{errType: errEncoding, column: fp.header[bad],
			message: fmt.Sprintf("column %q holds text that is not valid UTF-8; save the file as UTF-8", fp.header[bad])})
		return item, nil
	}
	item.parts = make([]partRow, len(fp.parts))
	// One array holds the values of every part of the row.
	cells := make([]string, fp.slots)
	for pi, cols := range fp.partColumns {
		item.parts[pi].values, cells = cells[:len(cols):len(cols)], cells[len(cols):]
	}
	for ci, cp := range fp.columns {
		v := strings.TrimSpace(rec.fields[ci])
		if v == "" {
			continue
		}
		switch cp.kind {
		case colID:
			item.parts[cp.part].present = true
			item.parts[cp.part].key = v
		case colLink:
			item.links = append(item.links, linkCell{part: cp.part, column: ci, value: v})
		case colProperty:
			val, prob, err := p.value(ctx, cp.prop, rec.fields[ci])
			if err != nil {
				return nil, err
			}
			if prob != nil {
				prob.column, prob.value, prob.object = cp.header, rec.fields[ci], fp.parts[cp.part].typeID
				prob.message = fmt.Sprintf("column %q: %s", cp.header, prob.message)
				item.problems = append(item.problems, *prob)
				continue
			}
			pr := &item.parts[cp.part]
			pr.present = true
			pr.values[cp.slot] = val
			if cp.isKey {
				pr.key = val
			}
		}
	}
	if len(item.problems) == 0 && !item.anyPart() {
		item.problems = append(item.problems, rowProblem{errType: errNoValues, message: "the row has no value in any imported column"})
	}
	return item, nil
}

func (r *rowItem) anyPart() bool {
	for _, pr := range r.parts {
		if pr.present {
			return true
		}
	}
	return false
}

// invalidUTF8Field returns the index of the first field that is not valid
// UTF-8, or -1.
func invalidUTF8Field(fields []string) int {
	for i, f := range fields {
		if !utf8.ValidString(f) {
			return i
		}
	}
	return -1
}

// value converts a cell for property pr: dates in the import's date
// format, owners given by email. Other values go to the store as they are;
// it validates them (multi-checkbox values are ;-separated there too).
func (p *plan) value(ctx context.Context, pr *crmstore.Property, raw string) (string, *rowProblem, error) {
	switch {
	case pr.Type == crmstore.TypeDate || pr.Type == crmstore.TypeDateTime:
		v, err := convertDate(raw, p.spec.DateFormat, pr.Type == crmstore.TypeDateTime)
		if err != nil {
			return "", &rowProblem{errType: errInvalidDate, message: err.Error()}, nil
		}
		return v, nil, nil
	case pr.ReferencedObjectType == "OWNER" && strings.Contains(raw, "@"):
		id, ok, err := p.owners.lookup(ctx, raw)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			return "", &rowProblem{errType: errInvalidOwner, message: fmt.Sprintf("no owner has the email %q", strings.TrimSpace(raw))}, nil
		}
		return id, nil, nil
	}
	return raw, nil, nil
}

// ownerCache maps owner emails to owner ids, loaded on first use: imports
// name owners by email (as HubSpot's do) and there are few owners.
type ownerCache struct {
	store *crmstore.Store
	once  sync.Once
	err   error
	ids   map[string]string
}

func (c *ownerCache) lookup(ctx context.Context, email string) (string, bool, error) {
	c.once.Do(func() { c.err = c.load(ctx) })
	if c.err != nil {
		return "", false, c.err
	}
	id, ok := c.ids[crmstore.NormalizeEmail(email)]
	return id, ok, nil
}

func (c *ownerCache) load(ctx context.Context) error {
	c.ids = map[string]string{}
	var after int64
	for {
		owners, next, err := c.store.ListOwners(ctx, crmstore.OwnerListOptions{After: after, Limit: 500})
		if err != nil {
			return fmt.Errorf("load owners: %w", err)
		}
		for _, o := range owners {
			c.ids[crmstore.NormalizeEmail(o.Email)] = strconv.FormatInt(o.ID, 10)
		}
		if next == 0 {
			return nil
		}
		after = next
	}
}

// isoPrefix matches values the store reads as they are: ISO dates and
// datetimes, and epoch milliseconds.
var isoPrefix = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}([T ].*)?|-?\d{9,})$`)

// dateTimePattern splits a date in any order with / - . or space between
// its parts, and an optional time.
var dateTimePattern = regexp.MustCompile(`^([0-9A-Za-z]+)[/\-. ]+([0-9A-Za-z]+)[/\-. ,]+([0-9]+)(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$`)

// convertDate reads a date or datetime cell in format and returns the ISO
// form the store takes.
func convertDate(raw string, format DateFormat, withTime bool) (string, error) {
	s := strings.TrimSpace(raw)
	if isoPrefix.MatchString(s) {
		return s, nil
	}
	if format == "" {
		format = YearMonthDay
	}
	m := dateTimePattern.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("%q is not a date in the %s format (e.g. %s)", raw, format, example(format))
	}
	var ys, ms, ds string
	switch format {
	case DayMonthYear:
		ds, ms, ys = m[1], m[2], m[3]
	case MonthDayYear:
		ms, ds, ys = m[1], m[2], m[3]
	default:
		ys, ms, ds = m[1], m[2], m[3]
	}
	y, errY := strconv.Atoi(ys)
	d, errD := strconv.Atoi(ds)
	mon, okM := monthOf(ms)
	if errY != nil || errD != nil || !okM || len(ys) != 4 {
		return "", fmt.Errorf("%q is not a date in the %s format (e.g. %s) with a four-digit year", raw, format, example(format))
	}
	t := time.Date(y, mon, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != mon {
		return "", fmt.Errorf("%q is not a date in the %s format: there is no day %d in month %d", raw, format, d, mon)
	}
	if m[4] == "" {
		return t.Format("2006-01-02"), nil
	}
	h, _ := strconv.Atoi(m[4])
	mi, _ := strconv.Atoi(m[5])
	sec, _ := strconv.Atoi(m[6])
	switch strings.ToUpper(m[7]) {
	case "PM":
		if h < 12 {
			h += 12
		}
	case "AM":
		if h == 12 {
			h = 0
		}
	}
	if h > 23 || mi > 59 || sec > 59 {
		return "", fmt.Errorf("%q has an invalid time of day", raw)
	}
	if !withTime {
		return t.Format("2006-01-02"), nil
	}
	return t.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second).Format("2006-01-02T15:04:05Z"), nil
}

func example(f DateFormat) string {
	switch f {
	case DayMonthYear:
		return "31/01/2024"
	case MonthDayYear:
		return "01/31/2024"
	}
	return "2024/01/31"
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthOf reads a month as a number (1-12), a three-letter abbreviation or
// an English name.
func monthOf(s string) (time.Month, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Month(n), n >= 1 && n <= 12
	}
	l := strings.ToLower(s)
	for i, name := range monthNames {
		if len(l) >= 3 && strings.HasPrefix(strings.ToLower(time.Month(i+1).String()), l) && strings.HasPrefix(l, name) {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}
