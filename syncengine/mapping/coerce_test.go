package mapping

import (
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		typ, in, want, err string
	}{
		{TypeString, "  Keep As Is ", "  Keep As Is ", ""},
		{TypeString, "", "", ""},
		{TypeString, "\xff", "", "UTF-8"},
		{TypeString, strings.Repeat("a", 1<<16+1), "", "too long"},
		{TypeNumber, "1.50", "1.5", ""},
		{TypeNumber, " 42 ", "42", ""},
		{TypeNumber, "1e3", "1000", ""},
		{TypeNumber, "-0", "0", ""},
		{TypeNumber, "0.000", "0", ""},
		{TypeNumber, "+007.10", "7.1", ""},
		{TypeNumber, "-1.5e-3", "-0.0015", ""},
		{TypeNumber, ".5", "0.5", ""},
		{TypeNumber, "5.", "5", ""},
		{TypeNumber, "12345678901234567890.123", "12345678901234567890.123", ""},
		{TypeNumber, "   ", "", ""},
		{TypeNumber, "1,000", "", "not a valid number"},
		{TypeNumber, "NaN", "", "not a valid number"},
		{TypeNumber, "0x10", "", "not a valid number"},
		{TypeNumber, ".", "", "not a valid number"},
		{TypeNumber, "1e999", "", "out of range"},
		{TypeNumber, "1e-999", "", "out of range"},
		{TypeBool, "TRUE", "true", ""},
		{TypeBool, "yes", "true", ""},
		{TypeBool, "On", "true", ""},
		{TypeBool, "1", "true", ""},
		{TypeBool, "False", "false", ""},
		{TypeBool, "no", "false", ""},
		{TypeBool, "0", "false", ""},
		{TypeBool, "off", "false", ""},
		{TypeBool, "maybe", "", "not a valid boolean"},
		{TypeDate, "2024-01-17", "2024-01-17", ""},
		{TypeDate, "2024-01-17T19:55:04.281Z", "2024-01-17", ""},
		{TypeDate, "2024-01-17T23:30:00-05:00", "2024-01-18", ""},
		{TypeDate, "1705449600000", "2024-01-17", ""},
		{TypeDate, "17/01/2024", "", "not a valid date"},
		{TypeDate, "0000-01-01", "", "not a valid date"},
		{TypeDateTime, "2024-01-17T19:55:04.281Z", "2024-01-17T19:55:04.281Z", ""},
		{TypeDateTime, "2024-01-17t19:55:04.2819z", "2024-01-17T19:55:04.281Z", ""},
		{TypeDateTime, "2024-01-17 19:55", "2024-01-17T19:55:00.000Z", ""},
		{TypeDateTime, "2024-01-17T21:55:04+02:00", "2024-01-17T19:55:04.000Z", ""},
		{TypeDateTime, "2024-01-17", "2024-01-17T00:00:00.000Z", ""},
		{TypeDateTime, "1705521304281", "2024-01-17T19:55:04.281Z", ""},
		{TypeDateTime, "-1000", "1969-12-31T23:59:59.000Z", ""},
		{TypeDateTime, "99999999999999999999", "", "not a valid datetime"},
		{TypeDateTime, "253402300800000", "", "year must be between"},
		{TypeDateTime, "yesterday", "", "not a valid date"},
		{TypeEnumeration, " gold ", "gold", ""},
		{TypeEnumeration, "a; b;;a ;c", "a;b;c", ""},
		{TypeEnumeration, " ; ", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+shown(tc.in), func(t *testing.T) {
			got, err := canonical(tc.typ, tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("canonical(%s, %q) = %q, %v; want error containing %q", tc.typ, tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("canonical(%s, %q) = %q, %v; want %q", tc.typ, tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormalizeType(t *testing.T) {
	for _, typ := range []string{TypeString, TypeNumber, TypeBool, TypeDate, TypeDateTime, TypeEnumeration} {
		if got, err := normalizeType(typ); err != nil || got != typ {
			t.Errorf("normalizeType(%q) = %q, %v", typ, got, err)
		}
	}
	for _, typ := range []string{"", "phone_number", "object_coordinates", "json"} {
		if got, err := normalizeType(typ); err != nil || got != TypeString {
			t.Errorf("normalizeType(%q) = %q, %v; want string", typ, got, err)
		}
	}
	if _, err := normalizeType("phone"); err == nil || !strings.Contains(err.Error(), `"phone"`) {
		t.Errorf("normalizeType(phone) error = %v; want one naming the type", err)
	}
}

func TestEqualAs(t *testing.T) {
	tests := []struct {
		typ, a, b string
		want      bool
	}{
		{TypeNumber, "1.0", "1", true},
		{TypeNumber, "1e2", "100", true},
		{TypeNumber, "1.01", "1.1", false},
		{TypeNumber, "abc", "abc", true},
		{TypeNumber, "abc", "1", false},
		{TypeBool, "TRUE", "true", true},
		{TypeBool, "yes", "1", true},
		{TypeBool, "true", "false", false},
		{TypeDateTime, "2024-01-17T19:55:04Z", "2024-01-17T21:55:04.000+02:00", true},
		{TypeDateTime, "1705521304281", "2024-01-17T19:55:04.281Z", true},
		{TypeDateTime, "2024-01-17T19:55:04Z", "2024-01-17T19:55:05Z", false},
		{TypeDate, "2024-01-17", "1705449600000", true},
		{TypeDate, "2024-01-17", "2024-01-18", false},
		{TypeEnumeration, "a;b;c", "c;a;b", true},
		{TypeEnumeration, "a;b", "a; b ;a", true},
		{TypeEnumeration, "a;b", "a;b;c", false},
		{TypeEnumeration, "a;b;b", "a;c;b", false},
		{TypeString, "Anna", "anna", false},
		{TypeString, "x", "x", true},
		{TypeString, "", " ", false},
		{TypeNumber, "", " ", true},
	}
	for _, tc := range tests {
		if got := equalAs(tc.typ, tc.a, tc.b); got != tc.want {
			t.Errorf("equalAs(%s, %q, %q) = %v; want %v", tc.typ, tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCompatible(t *testing.T) {
	tests := []struct {
		l, r string
		want bool
	}{
		{TypeNumber, TypeNumber, true},
		{TypeNumber, TypeString, true},
		{TypeString, TypeDateTime, true},
		{TypeDate, TypeDateTime, true},
		{TypeDateTime, TypeDate, true},
		{TypeEnumeration, TypeBool, true},
		{TypeNumber, TypeEnumeration, true},
		{TypeNumber, TypeDate, false},
		{TypeBool, TypeNumber, false},
		{TypeDateTime, TypeEnumeration, false},
		{TypeBool, TypeDate, false},
	}
	for _, tc := range tests {
		if got := compatible(tc.l, tc.r); got != tc.want {
			t.Errorf("compatible(%s, %s) = %v; want %v", tc.l, tc.r, got, tc.want)
		}
	}
}

func TestShown(t *testing.T) {
	long := strings.Repeat("é", maxShownValue+5)
	got := shown(long)
	if want := strings.Repeat("é", maxShownValue) + "..."; got != want {
		t.Errorf("shown(long) = %q; want %q", got, want)
	}
	if got := shown("short"); got != "short" {
		t.Errorf("shown(short) = %q", got)
	}
}
