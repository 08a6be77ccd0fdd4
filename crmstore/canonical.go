package crmstore

// The store's value normalisation for callers that know a value's type but not its
// property (the sync engine's field mapping compares and converts values by type), so that
// they use the very forms the store writes rather than a copy that could drift.

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// CanonicalValue returns v in the canonical text form the store writes for a property of
// type propType (TypeString, TypeNumber, ...): numbers as the shortest plain decimal, bools
// as true or false, dates as 2006-01-02, datetimes as 2006-01-02T15:04:05.000Z in UTC,
// enumerations as their ;-separated options trimmed and without repeats. Text types are
// kept as given, only checked for UTF-8 and length.
//
// The property is anonymous, so rules tied to a property's name (email, domain,
// integer-only numbers) and options do not apply: an enumeration is read as a free
// multi-select. A value blank once trimmed is "" (no value) for every type but the text
// types, where white space is a value; so is an enumeration of only separators (" ; "),
// which names no option. The error says what is wrong with v, without naming
// a property, for the caller to name its field.
func CanonicalValue(propType, v string) (string, error) {
	switch propType {
	case TypeString, TypePhoneNumber, TypeObjectCoordinates, TypeJSON:
	case TypeEnumeration:
		if strings.TrimFunc(v, isBlankOrSemicolon) == "" {
			return "", nil
		}
	case TypeNumber, TypeBool, TypeDate, TypeDateTime:
		if strings.TrimSpace(v) == "" {
			return "", nil
		}
	default:
		return "", fmt.Errorf("unknown type %q", propType)
	}
	canonical, _, perr := normalizeValue(anonymousProperty(propType), v)
	if perr != nil {
		return "", valueReason(perr, v)
	}
	return canonical, nil
}

// ParseInstant reads a date or datetime value as the store does: an ISO-8601 date or
// datetime (upper or lower case "T" and "Z", or a space between date and time) or epoch
// milliseconds, with a year from 0001 to 9999. The result is in UTC.
func ParseInstant(v string) (time.Time, error) {
	t, perr := parseDateTime(anonymousProperty(TypeDateTime), v, CodeInvalidDateTime, "date or datetime")
	if perr != nil {
		return time.Time{}, valueReason(perr, v)
	}
	return t, nil
}

// isBlankOrSemicolon reports whether r is white space or the separator of multi-select
// options.
func isBlankOrSemicolon(r rune) bool { return r == ';' || unicode.IsSpace(r) }

// anonymousProperty is a property of type typ with no name and no rules beyond its type.
// Its enumerations are multi-selects whose options are not checked.
func anonymousProperty(typ string) *Property {
	p := &Property{Type: typ}
	if typ == TypeEnumeration {
		p.FieldType = "checkbox"
		p.ExternalOptions = true
	}
	return p
}

// valueReason turns the store's message about an anonymous property's value v ("Property ""
// value "x" is not a valid number") into what is wrong with it ("not a valid number").
func valueReason(perr *PropertyError, v string) error {
	prefix := fmt.Sprintf("Property %q value %q is ", perr.Property, shown(v))
	return errors.New(strings.TrimPrefix(perr.Message, prefix))
}
