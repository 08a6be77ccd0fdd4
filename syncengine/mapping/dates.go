package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
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

// Canonical layouts of local date and datetime values (the store's).
const (
	dateCanonical     = "2006-01-02"
	dateTimeCanonical = "2006-01-02T15:04:05.000Z"
)

// errNotISO refuses epoch milliseconds where the ISO layout is configured.
var errNotISO = errors.New("not a valid date: the ISO layout takes an ISO-8601 date such as 2024-01-17 or a datetime such as 2024-01-17T19:55:04.281Z")

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
		if epochMillisPattern.MatchString(s) {
			return "", errNotISO
		}
		t, err = crmstore.ParseInstant(s)
		day = day || (d.remoteType != TypeDateTime && len(s) == len(dateCanonical))
	case LayoutEpochMillis:
		if !epochMillisPattern.MatchString(s) {
			return "", errors.New("not epoch milliseconds")
		}
		t, err = crmstore.ParseInstant(s)
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
	t, err := crmstore.ParseInstant(s)
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
