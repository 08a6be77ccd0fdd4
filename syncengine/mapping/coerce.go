package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
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

// maxShownValue is how many characters of a refused value an error quotes.
const maxShownValue = 100

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

// canonical returns v in the canonical text form of type typ, the store's own
// (crmstore.CanonicalValue), so that a value the engine writes is stored as
// converted and compares equal to what it reads back. Strings are kept as
// given (only checked for UTF-8 and length); for every other type a value
// that is blank once trimmed is "" (no value).
func canonical(typ, v string) (string, error) {
	return crmstore.CanonicalValue(typ, v)
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
