package mapping

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// defaultCountryCode is the calling code given to national numbers when the
// e164 transform names none (North America, the NANP).
const defaultCountryCode = "1"

// E.164 allows at most 15 digits (country code included); the shortest
// numbers in service have 7 (for example Niue's +683 followed by 4 digits).
const (
	e164MaxDigits = 15
	e164MinDigits = 7
)

// keepsTrunkZero are calling codes whose national numbers keep their leading
// 0 in international form (Italy, San Marino, Vatican City), so it must not
// be dropped as a trunk prefix.
var keepsTrunkZero = map[string]bool{"39": true, "378": true, "379": true}

// phonePunctuation is what may appear between the digits of a written phone
// number and is dropped: separators, brackets and the Unicode dashes that
// word processors substitute for "-".
const phonePunctuation = "-./()\u2010\u2011\u2012\u2013\u2014\u2212"

// e164Step is the e164 transform. It normalises in both directions: a
// remote number pulled in any common spelling is stored in E.164, and a local
// number is pushed in E.164.
type e164Step struct {
	// cc is the calling code given to national numbers.
	cc string
}

// newE164Step parses the argument of "e164[:CC]".
func newE164Step(arg string, hasArg bool) (*e164Step, error) {
	if !hasArg {
		return &e164Step{cc: defaultCountryCode}, nil
	}
	cc := strings.TrimPrefix(strings.TrimSpace(arg), "+")
	if !allDigits(cc) || len(cc) > 3 || cc[0] == '0' {
		return nil, fmt.Errorf("e164 country calling code %q must be 1 to 3 digits not starting with 0, such as e164:44", arg)
	}
	return &e164Step{cc: cc}, nil
}

func (e *e164Step) pull(v string) (string, error) { return toE164(v, e.cc) }
func (e *e164Step) push(v string) (string, error) { return toE164(v, e.cc) }

// toE164 writes the phone number raw as "+" followed by its country calling
// code and national number. A number written with "+" or an international
// prefix (00, or 011 in the NANP) is taken as international; any other is
// national and gets the default calling code cc after dropping its trunk
// prefix. Anything that cannot be a phone number is refused with the reason.
func toE164(raw, cc string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	digits, plus, err := phoneDigits(s)
	if err != nil {
		return "", err
	}
	var full string
	switch {
	case plus:
		full = digits
	case strings.HasPrefix(digits, "00"):
		full = digits[2:]
	case cc == "1" && strings.HasPrefix(digits, "011"):
		full = digits[3:]
	default:
		full = nationalToFull(digits, cc)
	}
	if err := checkE164(full); err != nil {
		return "", err
	}
	return "+" + full, nil
}

// phoneDigits extracts the digits of a written phone number and whether it
// starts with "+". The "(0)" that European numbers insert after the country
// code ("+44 (0)20 ...") is dropped, since the trunk 0 is not dialled from
// abroad.
func phoneDigits(s string) (digits string, plus bool, err error) {
	lower := strings.ToLower(s)
	if strings.Contains(lower, "ext") || strings.ContainsAny(lower, "x#;,") {
		return "", false, errors.New("not a phone number for E.164: it has an extension or several numbers, which E.164 cannot hold")
	}
	if strings.HasPrefix(strings.TrimLeft(s, "( "), "+") {
		s = strings.Replace(s, "(0)", "", 1)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+':
			if plus || b.Len() > 0 {
				return "", false, errors.New("not a phone number: \"+\" may only start the number")
			}
			plus = true
		case unicode.IsSpace(r) || strings.ContainsRune(phonePunctuation, r):
		default:
			return "", false, fmt.Errorf("not a phone number: it holds %q", r)
		}
	}
	digits = b.String()
	if digits == "" {
		return "", false, errors.New("not a phone number: it holds no digits")
	}
	return digits, plus, nil
}

// nationalToFull prefixes a national number with the calling code cc. In the
// NANP a leading 1 before ten digits is the trunk prefix and calling code
// already; elsewhere a single leading 0 is the trunk prefix and is dropped.
func nationalToFull(digits, cc string) string {
	if cc == "1" {
		if len(digits) == 11 && digits[0] == '1' {
			return digits
		}
		return cc + digits
	}
	if digits[0] == '0' && !keepsTrunkZero[cc] {
		digits = digits[1:]
	}
	return cc + digits
}

// checkE164 refuses digit strings that cannot be an E.164 number: a calling
// code starting with 0, too few or too many digits, and NANP numbers that are
// not ten digits with an area code and exchange starting with 2-9.
func checkE164(full string) error {
	switch {
	case full == "" || full[0] == '0':
		return errors.New("not a phone number: a country calling code never starts with 0")
	case len(full) > e164MaxDigits:
		return fmt.Errorf("not a phone number: %d digits, E.164 allows at most %d", len(full), e164MaxDigits)
	case len(full) < e164MinDigits:
		return fmt.Errorf("not a phone number: only %d digits with the country code", len(full))
	}
	if full[0] != '1' {
		return nil
	}
	if len(full) != 11 {
		return fmt.Errorf("not a North American phone number: %d digits after +1, want 10", len(full)-1)
	}
	if full[1] < '2' || full[4] < '2' {
		return errors.New("not a North American phone number: the area code and exchange must start with 2-9")
	}
	return nil
}
