package crmstore

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxValueLength is the longest value HubSpot accepts for a string
// property, in characters (runes). Numbers longer than this are refused too.
const maxValueLength = 65536

// maxAllowedInMessage is how many option values an INVALID_OPTION message lists.
const maxAllowedInMessage = 20

// maxShownValue is how many characters of a refused value a message quotes.
const maxShownValue = 100

// integerProperties are the built-in number properties that only hold whole
// numbers; every number property whose name ends in "_id" is one as well.
var integerProperties = map[string]bool{
	"hs_object_id":         true,
	"numberofemployees":    true,
	"hubspot_owner_id":     true,
	"associatedcompanyid":  true,
	"hs_parent_company_id": true,
}

// isIntegerProperty reports whether the number property p only holds integers.
func isIntegerProperty(p *Property) bool {
	return integerProperties[p.Name] || strings.HasSuffix(p.Name, "_id")
}

// numberPattern is the accepted number syntax once surrounding spaces are
// removed: optional sign, digits with an optional decimal point, optional
// exponent. It leaves out NaN, Inf, hexadecimal, digit grouping and "_".
var numberPattern = regexp.MustCompile(`^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$`)

// epochMillisPattern is an epoch-milliseconds timestamp.
var epochMillisPattern = regexp.MustCompile(`^-?[0-9]+$`)

// dateTimeLayouts are the ISO-8601 forms accepted for date and datetime
// values, tried in order. Fractional seconds are accepted after the seconds
// of any layout (time.Parse allows them when parsing). Layouts without a
// zone are read as UTC.
var dateTimeLayouts = []string{
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

// Earliest and latest instants a date or datetime value may hold: the years
// that the canonical four-digit forms can write.
var (
	minDateTimeValue = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	maxDateTimeValue = time.Date(9999, time.December, 31, 23, 59, 59, 999999999, time.UTC)
)

// dateTimeCanonical is the canonical layout of datetime values (HubSpot's).
const dateTimeCanonical = "2006-01-02T15:04:05.000Z"

// dateCanonical is the canonical layout of date values.
const dateCanonical = "2006-01-02"

// normalizeValue validates raw for property p and returns its canonical
// string form, plus its numeric form for number/date/datetime (dates and
// datetimes as epoch milliseconds) so the store can index ranges.
// raw == "" means "clear the value" and is handled by the caller, never
// passed here.
//
// Calculated and read-only properties are not refused here; that is the
// caller's business. Owners of properties with ExternalOptions (such as
// hubspot_owner_id) are not checked either. A value that holds nothing once
// trimmed where trimming applies (a multi-select of only ";", a blank email
// or domain) is refused rather than turned into "".
func normalizeValue(p *Property, raw string) (canonical string, num *float64, perr *PropertyError) {
	switch p.Type {
	case TypeNumber:
		return normalizeNumber(p, raw)
	case TypeDate:
		t, perr := parseDateTime(p, raw, CodeInvalidDate, "date")
		if perr != nil {
			return "", nil, perr
		}
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		ms := float64(day.UnixMilli())
		return day.Format(dateCanonical), &ms, nil
	case TypeDateTime:
		t, perr := parseDateTime(p, raw, CodeInvalidDateTime, "datetime")
		if perr != nil {
			return "", nil, perr
		}
		t = t.Truncate(time.Millisecond)
		ms := float64(t.UnixMilli())
		return t.Format(dateTimeCanonical), &ms, nil
	case TypeBool:
		v, perr := normalizeBool(p, raw)
		return v, nil, perr
	case TypeEnumeration:
		v, perr := normalizeEnumeration(p, raw)
		return v, nil, perr
	case TypeString, TypePhoneNumber, TypeObjectCoordinates, TypeJSON:
		v, perr := normalizeString(p, raw)
		return v, nil, perr
	default:
		return "", nil, valueError(p, CodeInvalidValue,
			"Property %q value %q cannot be set: the property has the unsupported type %q", p.Name, shown(raw), p.Type)
	}
}

// uniqueKey returns the normalised form used to enforce uniqueness of a
// value of p: for email, trimmed and lower-cased (NormalizeEmail); for
// domain, NormalizeDomain; for other properties, the canonical value trimmed.
func uniqueKey(p *Property, canonical string) string {
	switch p.Name {
	case "email":
		return NormalizeEmail(canonical)
	case "domain":
		return NormalizeDomain(canonical)
	default:
		return strings.TrimSpace(canonical)
	}
}

// NormalizeEmail returns the form of an email address used to match records:
// surrounding white space removed and lower-cased.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// NormalizeDomain returns the form of a company domain (or website URL) used
// to match records: lower-cased, without scheme, user info, "www.", port,
// path, query, fragment and trailing dot. For example
// "https://www.Example.com:443/path?q=1" becomes "example.com".
func NormalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else {
		s = strings.TrimPrefix(s, "//")
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		// IPv6 literal: keep the brackets, drop the port.
		if i := strings.IndexByte(s, ']'); i >= 0 {
			s = s[:i+1]
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, ".")
	if rest, ok := strings.CutPrefix(s, "www."); ok && strings.Contains(rest, ".") {
		s = rest
	}
	return s
}

// valueError builds the PropertyError refusing a value of p.
func valueError(p *Property, code, format string, args ...any) *PropertyError {
	return &PropertyError{Property: p.Name, Code: code, Message: fmt.Sprintf(format, args...)}
}

// shown returns v cut to maxShownValue characters, for quoting in messages.
func shown(v string) string {
	n := 0
	for i := range v {
		if n == maxShownValue {
			return v[:i] + "..."
		}
		n++
	}
	return v
}

// normalizeNumber validates a number value. The canonical text is worked out
// from the digits, not from a float64, so that no digit is lost: the shortest
// plain decimal, without exponent, leading or trailing zeros ("1.50" -> "1.5",
// "1e3" -> "1000", "-0" -> "0").
func normalizeNumber(p *Property, raw string) (string, *float64, *PropertyError) {
	code, kind := CodeInvalidDecimal, "number"
	if isIntegerProperty(p) {
		code, kind = CodeInvalidInteger, "integer"
	}
	s := strings.TrimSpace(raw)
	if utf8.RuneCountInString(s) > maxValueLength {
		return "", nil, valueError(p, CodeValueTooLong,
			"Property %q value %q is too long: a number may have at most %d characters", p.Name, shown(raw), maxValueLength)
	}
	m := numberPattern.FindStringSubmatch(s)
	if m == nil || m[2]+m[3] == "" {
		return "", nil, valueError(p, code, "Property %q value %q is not a valid %s", p.Name, shown(raw), kind)
	}
	f, err := strconv.ParseFloat(s, 64)
	digits := m[2] + m[3]
	zero := strings.Trim(digits, "0") == ""
	if err != nil || math.IsInf(f, 0) || (f == 0 && !zero) {
		return "", nil, valueError(p, code, "Property %q value %q is out of range for a %s", p.Name, shown(raw), kind)
	}
	canonical := "0"
	if !zero {
		exp := 0
		if m[4] != "" {
			// The range check above bounds the exponent of a non-zero
			// value, so it fits an int unless the mantissa is absurdly long.
			exp, err = strconv.Atoi(m[4])
			if err != nil {
				return "", nil, valueError(p, code, "Property %q value %q is out of range for a %s", p.Name, shown(raw), kind)
			}
		}
		canonical = plainDecimal(m[1] == "-", digits, len(m[2])+exp)
	}
	if code == CodeInvalidInteger && strings.Contains(canonical, ".") {
		return "", nil, valueError(p, code, "Property %q value %q is not a valid integer", p.Name, shown(raw))
	}
	if zero {
		f = 0 // not -0
	}
	return canonical, &f, nil
}

// plainDecimal writes the number whose digits are digits, with the decimal
// point after the first point digits (point may be negative or beyond the
// digits), as a plain decimal without leading or trailing zeros.
// digits must hold at least one non-zero digit.
func plainDecimal(negative bool, digits string, point int) string {
	lead := len(digits) - len(strings.TrimLeft(digits, "0"))
	digits = digits[lead:]
	point -= lead
	digits = strings.TrimRight(digits, "0")
	var b strings.Builder
	if negative {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	case point >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
	default:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	}
	return b.String()
}

// parseDateTime reads a date or datetime value: one of dateTimeLayouts
// (upper or lower case "T" and "Z", or a space between date and time) or
// epoch milliseconds. The result is in UTC.
func parseDateTime(p *Property, raw, code, kind string) (time.Time, *PropertyError) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	var t time.Time
	ok := false
	if epochMillisPattern.MatchString(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			t, ok = time.UnixMilli(ms).UTC(), true
		}
	} else {
		if len(s) > 10 && s[10] == ' ' {
			s = s[:10] + "T" + s[11:]
		}
		for _, layout := range dateTimeLayouts {
			if pt, err := time.Parse(layout, s); err == nil {
				t, ok = pt.UTC(), true
				break
			}
		}
	}
	if !ok {
		return time.Time{}, valueError(p, code,
			"Property %q value %q is not a valid %s: use an ISO-8601 date such as 2024-01-17, a datetime such as 2024-01-17T19:55:04.281Z, or epoch milliseconds",
			p.Name, shown(raw), kind)
	}
	if t.Before(minDateTimeValue) || t.After(maxDateTimeValue) {
		return time.Time{}, valueError(p, code,
			"Property %q value %q is not a valid %s: the year must be between 0001 and 9999", p.Name, shown(raw), kind)
	}
	return t, nil
}

// normalizeBool accepts true/false, yes/no, 1/0 and on/off in any case.
func normalizeBool(p *Property, raw string) (string, *PropertyError) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "true", "yes", "1", "on":
		return "true", nil
	case "false", "no", "0", "off":
		return "false", nil
	}
	return "", valueError(p, CodeInvalidBoolean, "Property %q value %q is not a valid boolean: use true or false", p.Name, shown(raw))
}

// normalizeEnumeration maps a value, or each ;-separated value of a
// multi-select, to an option value of p.
func normalizeEnumeration(p *Property, raw string) (string, *PropertyError) {
	if !p.IsMultiValue() {
		v := strings.TrimSpace(raw)
		if v == "" {
			return "", valueError(p, CodeInvalidOption, "Property %q value %q is not a valid option: the value is blank", p.Name, shown(raw))
		}
		if p.ExternalOptions {
			return v, nil
		}
		if o, ok := matchOption(p, v); ok {
			return o, nil
		}
		return "", valueError(p, CodeInvalidOption, "Property %q value %q is not a valid option; allowed values: %s",
			p.Name, shown(raw), allowedValues(p))
	}
	var out []string
	seen := map[string]bool{}
	for part := range strings.SplitSeq(raw, ";") {
		v := strings.TrimSpace(part)
		if v == "" {
			continue
		}
		if !p.ExternalOptions {
			o, ok := matchOption(p, v)
			if !ok {
				return "", valueError(p, CodeInvalidOption, "Property %q value %q is not a valid option: %q is not allowed; allowed values: %s",
					p.Name, shown(raw), shown(v), allowedValues(p))
			}
			v = o
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return "", valueError(p, CodeInvalidOption, "Property %q value %q is not a valid option: it holds no value", p.Name, shown(raw))
	}
	return strings.Join(out, ";"), nil
}

// matchOption finds the option value v stands for: an exact option value, else
// the first option whose value, else whose label, matches v ignoring case.
// Hidden options count.
func matchOption(p *Property, v string) (string, bool) {
	if p.hasOption(v) {
		return v, true
	}
	for _, o := range p.Options {
		if strings.EqualFold(o.Value, v) {
			return o.Value, true
		}
	}
	for _, o := range p.Options {
		if strings.EqualFold(o.Label, v) {
			return o.Value, true
		}
	}
	return "", false
}

// allowedValues lists the option values of p for an error message, at most
// maxAllowedInMessage of them.
func allowedValues(p *Property) string {
	if len(p.Options) == 0 {
		return "(none)"
	}
	vals := make([]string, 0, maxAllowedInMessage+1)
	for i, o := range p.Options {
		if i == maxAllowedInMessage {
			vals = append(vals, "...")
			break
		}
		vals = append(vals, strconv.Quote(o.Value))
	}
	return strings.Join(vals, ", ")
}

// normalizeString checks a string-like value: valid UTF-8, at most
// maxValueLength characters, kept as given, except email addresses
// ("email", and the ;-separated list "hs_additional_emails") and "domain".
func normalizeString(p *Property, raw string) (string, *PropertyError) {
	if !utf8.ValidString(raw) {
		return "", valueError(p, CodeInvalidValue, "Property %q value %q is not valid UTF-8 text", p.Name, shown(raw))
	}
	if n := utf8.RuneCountInString(raw); n > maxValueLength {
		return "", valueError(p, CodeValueTooLong, "Property %q value %q is too long: %d characters, at most %d are allowed",
			p.Name, shown(raw), n, maxValueLength)
	}
	switch p.Name {
	case "email":
		v := NormalizeEmail(raw)
		if !validEmail(v) {
			return "", valueError(p, CodeInvalidEmail, "Property %q value %q is not a valid email address", p.Name, shown(raw))
		}
		return v, nil
	case "hs_additional_emails":
		var out []string
		seen := map[string]bool{}
		for part := range strings.SplitSeq(raw, ";") {
			v := NormalizeEmail(part)
			if v == "" {
				continue
			}
			if !validEmail(v) {
				return "", valueError(p, CodeInvalidEmail, "Property %q value %q is not valid: %q is not a valid email address",
					p.Name, shown(raw), shown(strings.TrimSpace(part)))
			}
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			return "", valueError(p, CodeInvalidEmail, "Property %q value %q is not valid: it holds no email address", p.Name, shown(raw))
		}
		return strings.Join(out, ";"), nil
	case "domain":
		v := strings.TrimSpace(raw)
		if v == "" {
			return "", valueError(p, CodeInvalidValue, "Property %q value %q is not a valid domain: the value is blank", p.Name, shown(raw))
		}
		return v, nil
	}
	return raw, nil
}

// validEmail reports whether s is a bare email address: what net/mail
// parses, with no display name, comment or angle brackets, exactly one "@",
// no white space, and a domain name (not an address literal) with a dot.
func validEmail(s string) bool {
	if simpleEmail(s) {
		return true
	}
	if strings.Count(s, "@") != 1 || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, "[")
}

// simpleEmail reports whether s is local@domain with both parts ASCII
// dot-atoms (atext characters, dots only between them) and a dot in the
// domain: the everyday address, which net/mail parses back to s with no
// name, so validEmail accepts it. Importing a million rows ran net/mail on
// each of them; this check decides the common case without allocating.
// It never refuses: anything else goes through net/mail.
func simpleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 0 {
		return false
	}
	domain := s[at+1:]
	return dotAtom(s[:at]) && dotAtom(domain) && strings.IndexByte(domain, '.') >= 0
}

// dotAtom reports whether s is an RFC 5322 dot-atom of ASCII atext, as
// net/mail reads one: at least one character, no leading, trailing or
// double dot.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i+1] == '.' {
				return false
			}
			continue
		}
		if !asciiAtext[c] {
			return false
		}
	}
	return true
}

// asciiAtext marks the ASCII atext characters of RFC 5322 (printable,
// without the specials); net/mail's isAtext without its multibyte runes.
var asciiAtext = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`()<>[]:;@\,".`, c)
	}
	return t
}()
