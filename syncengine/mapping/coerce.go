package mapping

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The value types a field may have on either side. They are the types of
// connectors.Field and of the CRM store's properties; "" means TypeString.
const (
	TypeString      = "string"
	TypeNumber      = "number"
	TypeBool        = "bool"
	TypeDate        = "date"
	TypeDateTime    = "datetime"
	TypeEnumeration = "enumeration"
)

// maxValueLength is the longest text value the store accepts, in characters;
// refusing longer values here names the field instead of failing the whole
// record at the store.
const maxValueLength = 65536

// maxShownValue is how many characters of a refused value an error quotes.
const maxShownValue = 100

// numberPattern is the accepted number syntax once surrounding spaces are
// removed, the same as the store's: optional sign, digits with an optional
// decimal point, optional exponent; no NaN, Inf, hex or digit grouping.
var numberPattern = regexp.MustCompile(`^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$`)

// textTypes are the store's other property types whose values are text
// kept as given (crmstore normalises them like strings), so a field of one of
// them converts as a string.
var textTypes = map[string]bool{"phone_number": true, "object_coordinates": true, "json": true}

// normalizeType checks a type name and resolves "" and the store's other text
// types to TypeString.
func normalizeType(t string) (string, error) {
	if t == "" || textTypes[t] {
		return TypeString, nil
	}
	switch t {
	case TypeString, TypeNumber, TypeBool, TypeDate, TypeDateTime, TypeEnumeration:
		return t, nil
	}
	return "", fmt.Errorf("unknown type %q; use one of string, number, bool, date, datetime, enumeration", t)
}

// canonical returns v in the canonical text form of type typ. Strings are
// kept as given (only checked for UTF-8 and length); for every other type a
// value that is blank once trimmed is "" (no value).
func canonical(typ, v string) (string, error) {
	if typ == TypeString {
		return checkText(v)
	}
	s := strings.TrimSpace(v)
	if s == "" {
		return "", nil
	}
	switch typ {
	case TypeNumber:
		return canonicalNumber(s)
	case TypeBool:
		return canonicalBool(s)
	case TypeDate:
		t, err := parseInstant(s)
		if err != nil {
			return "", err
		}
		return formatDate(t), nil
	case TypeDateTime:
		t, err := parseInstant(s)
		if err != nil {
			return "", err
		}
		return formatDateTime(t), nil
	case TypeEnumeration:
		if _, err := checkText(s); err != nil {
			return "", err
		}
		return strings.Join(enumParts(s), ";"), nil
	}
	return "", fmt.Errorf("unknown type %q", typ)
}

// checkText refuses text the store would refuse: invalid UTF-8, or longer
// than maxValueLength characters.
func checkText(v string) (string, error) {
	if !utf8.ValidString(v) {
		return "", errors.New("not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(v); n > maxValueLength {
		return "", fmt.Errorf("too long: %d characters, at most %d are allowed", n, maxValueLength)
	}
	return v, nil
}

// enumParts splits a ;-separated enumeration value into its trimmed,
// non-empty, distinct parts in their first-seen order (the store's form of a
// multi-checkbox value). A single-option value yields one part.
func enumParts(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ";") {
		p := strings.TrimSpace(part)
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// canonicalBool accepts what the store accepts: true/false, yes/no, 1/0 and
// on/off in any case.
func canonicalBool(s string) (string, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1", "on":
		return "true", nil
	case "false", "no", "0", "off":
		return "false", nil
	}
	return "", errors.New("not a valid boolean: use true or false")
}

// canonicalNumber returns the shortest plain decimal for s, worked out from
// its digits rather than a float64 so that no digit is lost ("1.50" -> "1.5",
// "1e3" -> "1000", "-0" -> "0"), exactly as the store writes numbers.
func canonicalNumber(s string) (string, error) {
	if len(s) > maxValueLength {
		return "", fmt.Errorf("too long: a number may have at most %d characters", maxValueLength)
	}
	m := numberPattern.FindStringSubmatch(s)
	if m == nil || m[2]+m[3] == "" {
		return "", errors.New("not a valid number")
	}
	f, err := strconv.ParseFloat(s, 64)
	digits := m[2] + m[3]
	zero := strings.Trim(digits, "0") == ""
	if err != nil || math.IsInf(f, 0) || (f == 0 && !zero) {
		return "", errors.New("number out of range")
	}
	if zero {
		return "0", nil
	}
	exp := 0
	if m[4] != "" {
		// The range check above bounds the exponent of a non-zero value.
		if exp, err = strconv.Atoi(m[4]); err != nil {
			return "", errors.New("number out of range")
		}
	}
	return plainDecimal(m[1] == "-", digits, len(m[2])+exp), nil
}

// plainDecimal writes the number whose digits are digits, with the decimal
// point after the first point digits, without leading or trailing zeros.
// digits must hold at least one non-zero digit.
func plainDecimal(negative bool, digits string, point int) string {
	lead := len(digits) - len(strings.TrimLeft(digits, "0"))
	digits = strings.TrimRight(digits[lead:], "0")
	point -= lead
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

// equalAs reports whether a and b are the same value of type typ: equal
// canonical forms, and for enumerations the same set of options in any
// order. Values that are not valid for typ are equal only when identical.
func equalAs(typ, a, b string) bool {
	if a == b {
		return true
	}
	ca, errA := canonical(typ, a)
	cb, errB := canonical(typ, b)
	if errA != nil || errB != nil {
		return false
	}
	if typ != TypeEnumeration {
		return ca == cb
	}
	pa, pb := enumParts(ca), enumParts(cb)
	if len(pa) != len(pb) {
		return false
	}
	for _, p := range pa {
		if !slices.Contains(pb, p) {
			return false
		}
	}
	return true
}

// compatible reports whether values of local type l can be converted to and
// from remote type r without a date transform: same types, text on either
// side, date with datetime, and enumerations with bools or numbers (HubSpot's
// booleancheckbox and numeric option values). Anything else is refused at
// compile time rather than failing on every record.
func compatible(l, r string) bool {
	switch {
	case l == r, l == TypeString, r == TypeString:
		return true
	case isDateType(l) && isDateType(r):
		return true
	case l == TypeEnumeration:
		return r == TypeBool || r == TypeNumber
	case r == TypeEnumeration:
		return l == TypeBool || l == TypeNumber
	}
	return false
}

// isDateType reports whether t is date or datetime.
func isDateType(t string) bool { return t == TypeDate || t == TypeDateTime }

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
