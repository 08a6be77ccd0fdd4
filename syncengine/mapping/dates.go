package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The date layouts of the date transform ("date:LAYOUT").
const (
	LayoutDayMonthYear = "DAY_MONTH_YEAR"
	LayoutMonthDayYear = "MONTH_DAY_YEAR"
	LayoutYearMonthDay = "YEAR_MONTH_DAY"
	LayoutISO          = "ISO"
	LayoutEpochMillis  = "EPOCH_MS"
)

// dateLayouts lists the date transform layouts in documentation order.
var dateLayouts = []string{LayoutDayMonthYear, LayoutMonthDayYear, LayoutYearMonthDay, LayoutISO, LayoutEpochMillis}

// dateSeparators are the separators accepted between the parts of a
// day/month/year date.
const dateSeparators = "/-."

// epochMillisPattern is an epoch-milliseconds timestamp.
var epochMillisPattern = regexp.MustCompile(`^-?[0-9]+$`)

// isoLayouts are the ISO-8601 forms accepted for date and datetime values,
// the store's list, tried in order. time.Parse accepts fractional seconds
// after the seconds of any layout; layouts without a zone are read as UTC.
var isoLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04Z07",
	"2006-01-02T15:04",
	"2006-01-02",
}

// Earliest and latest instants a date or datetime may hold: the years the
// canonical four-digit forms can write.
var (
	minInstant = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	maxInstant = time.Date(9999, time.December, 31, 23, 59, 59, 999999999, time.UTC)
)

// Canonical layouts of local date and datetime values (the store's).
const (
	dateCanonical     = "2006-01-02"
	dateTimeCanonical = "2006-01-02T15:04:05.000Z"
)

// errBadInstant is the message for a value that is neither ISO 8601 nor
// epoch milliseconds.
var errBadInstant = errors.New("not a valid date or datetime: use an ISO-8601 date such as 2024-01-17, a datetime such as 2024-01-17T19:55:04.281Z, or epoch milliseconds")

// parseInstant reads what the store accepts for a date or datetime: an
// ISO-8601 form or epoch milliseconds. The result is in UTC.
func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if epochMillisPattern.MatchString(s) {
		return parseEpochMillis(s)
	}
	return parseISO(s)
}

// parseEpochMillis reads an epoch-milliseconds timestamp.
func parseEpochMillis(s string) (time.Time, error) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("not valid epoch milliseconds: out of range")
	}
	return inRange(time.UnixMilli(ms).UTC())
}

// parseISO reads an ISO-8601 date or datetime (upper or lower case "T" and
// "Z", or a space between date and time).
func parseISO(s string) (time.Time, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return inRange(t.UTC())
		}
	}
	return time.Time{}, errBadInstant
}

// inRange refuses instants whose year the canonical forms cannot write.
func inRange(t time.Time) (time.Time, error) {
	if t.Before(minInstant) || t.After(maxInstant) {
		return time.Time{}, errors.New("not a valid date: the year must be between 0001 and 9999")
	}
	return t, nil
}

// formatDate writes the UTC day of t in the local canonical date form.
func formatDate(t time.Time) string { return t.UTC().Format(dateCanonical) }

// formatDateTime writes t in the local canonical datetime form, truncated to
// the millisecond as the store does.
func formatDateTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(dateTimeCanonical)
}

// dateStep is the date transform: on pull it reads the remote spelling of a
// date and emits a local canonical date or datetime; on push it writes the
// local value in the remote spelling. A field with a dateStep skips the
// remote type's canonical form, since the layout is the remote's form.
type dateStep struct {
	layout string
	// sep is written between day, month and year on push.
	sep byte
	// remoteType decides whether ISO and EPOCH_MS push a day or an instant.
	remoteType string
}

// newDateStep parses the argument of "date:LAYOUT[:SEP]".
func newDateStep(arg, remoteType string) (*dateStep, error) {
	layout, sep, hasSep := strings.Cut(arg, ":")
	layout = strings.ToUpper(strings.TrimSpace(layout))
	d := &dateStep{layout: layout, remoteType: remoteType, sep: '/'}
	switch layout {
	case LayoutDayMonthYear, LayoutMonthDayYear:
	case LayoutYearMonthDay:
		d.sep = '-'
	case LayoutISO, LayoutEpochMillis:
		if hasSep {
			return nil, fmt.Errorf("date layout %s takes no separator", layout)
		}
	case "":
		return nil, fmt.Errorf("date transform needs a layout: one of %s", strings.Join(dateLayouts, ", "))
	default:
		return nil, fmt.Errorf("unknown date layout %q; use one of %s", layout, strings.Join(dateLayouts, ", "))
	}
	if hasSep {
		if len(sep) != 1 || !strings.Contains(dateSeparators, sep) {
			return nil, fmt.Errorf(`date separator %q must be one of "/", "-" or "."`, sep)
		}
		d.sep = sep[0]
	}
	return d, nil
}

// pull reads a remote date in the step's layout. ISO and EPOCH_MS values
// are read as the remote type says: a day for a remote date (so that a stray
// time of day is not kept locally and then lost on push), an instant for a
// remote datetime, and otherwise as written.
func (d *dateStep) pull(v string) (string, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return "", nil
	}
	var t time.Time
	var err error
	day := d.remoteType == TypeDate
	switch d.layout {
	case LayoutISO:
		t, err = parseISO(s)
		day = day || (d.remoteType != TypeDateTime && len(s) == len(dateCanonical))
	case LayoutEpochMillis:
		if !epochMillisPattern.MatchString(s) {
			return "", errors.New("not epoch milliseconds")
		}
		t, err = parseEpochMillis(s)
	default:
		t, err = d.parseParts(s)
		day = true
	}
	if err != nil {
		return "", err
	}
	if day {
		return formatDate(t), nil
	}
	return formatDateTime(t), nil
}

// push writes a local date or datetime in the step's layout.
func (d *dateStep) push(v string) (string, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return "", nil
	}
	t, err := parseInstant(s)
	if err != nil {
		return "", err
	}
	day := d.remoteType == TypeDate || (d.remoteType != TypeDateTime && isDayValue(s, t))
	switch d.layout {
	case LayoutISO:
		if day {
			return formatDate(t), nil
		}
		return formatDateTime(t), nil
	case LayoutEpochMillis:
		if day {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		return strconv.FormatInt(t.UnixMilli(), 10), nil
	}
	y, m, dd := fmt.Sprintf("%04d", t.Year()), fmt.Sprintf("%02d", int(t.Month())), fmt.Sprintf("%02d", t.Day())
	parts := map[string][3]string{
		LayoutDayMonthYear: {dd, m, y},
		LayoutMonthDayYear: {m, dd, y},
		LayoutYearMonthDay: {y, m, dd},
	}[d.layout]
	sep := string(d.sep)
	return parts[0] + sep + parts[1] + sep + parts[2], nil
}

// isDayValue reports whether the local value s (parsed as t) stands for a
// day rather than an instant: written as a bare date.
func isDayValue(s string, t time.Time) bool {
	return len(s) == len(dateCanonical) && formatDate(t) == s
}

// parseParts reads a day/month/year date in the step's order, with one kind
// of separator from dateSeparators, a 1- or 2-digit day and month, and a
// 4-digit year (two-digit years are refused: their century is a guess).
func (d *dateStep) parseParts(s string) (time.Time, error) {
	i := strings.IndexAny(s, dateSeparators)
	if i < 0 {
		return time.Time{}, fmt.Errorf("not a %s date: no separator (use / - or .)", d.layout)
	}
	parts := strings.Split(s, s[i:i+1])
	if len(parts) != 3 {
		return time.Time{}, fmt.Errorf(`not a %s date: want 3 parts separated by "/", "-" or "."`, d.layout)
	}
	order := map[string][3]int{ // positions of year, month, day
		LayoutDayMonthYear: {2, 1, 0},
		LayoutMonthDayYear: {2, 0, 1},
		LayoutYearMonthDay: {0, 1, 2},
	}[d.layout]
	ys, ms, ds := parts[order[0]], parts[order[1]], parts[order[2]]
	if len(ys) != 4 {
		return time.Time{}, fmt.Errorf("not a %s date: the year must have 4 digits", d.layout)
	}
	y, errY := strconv.Atoi(ys)
	m, errM := dayOrMonth(ms)
	day, errD := dayOrMonth(ds)
	if !allDigits(ys) || errY != nil || errM != nil || errD != nil {
		return time.Time{}, fmt.Errorf("not a %s date: parts must be digits", d.layout)
	}
	t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	if y < 1 || m < 1 || m > 12 || t.Day() != day || t.Month() != time.Month(m) {
		return time.Time{}, fmt.Errorf("not a %s date: no such day", d.layout)
	}
	return t, nil
}

// dayOrMonth reads a 1- or 2-digit day or month number.
func dayOrMonth(s string) (int, error) {
	if len(s) < 1 || len(s) > 2 || !allDigits(s) {
		return 0, errors.New("not a day or month")
	}
	return strconv.Atoi(s)
}

// allDigits reports whether s is non-empty and holds only ASCII digits.
func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
