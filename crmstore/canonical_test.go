package crmstore

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCanonicalValue(t *testing.T) {
	tests := []struct {
		typ, in, want, err string
	}{
		{TypeString, "  Keep As Is ", "  Keep As Is ", ""},
		{TypeString, " ", " ", ""},
		{TypeJSON, `{"a": 1}`, `{"a": 1}`, ""},
		{TypeString, "\xff", "", "not valid UTF-8 text"},
		{TypePhoneNumber, strings.Repeat("1", maxValueLength+1), "", "too long"},
		// Rules of named properties do not apply to an anonymous value.
		{TypeString, " Ann@Example.COM ", " Ann@Example.COM ", ""},
		{TypeNumber, "1.50", "1.5", ""},
		{TypeNumber, " -1.5e-3 ", "-0.0015", ""},
		{TypeNumber, "2.5", "2.5", ""},
		{TypeNumber, "   ", "", ""},
		{TypeNumber, "1,000", "", "not a valid number"},
		{TypeNumber, "1e999", "", "out of range for a number"},
		{TypeBool, " Yes ", "true", ""},
		{TypeBool, "off", "false", ""},
		{TypeBool, "maybe", "", "not a valid boolean"},
		{TypeDate, "2024-01-17T23:30:00-05:00", "2024-01-18", ""},
		{TypeDate, "1705449600000", "2024-01-17", ""},
		{TypeDate, "17/01/2024", "", "not a valid date"},
		{TypeDateTime, "2024-01-17t19:55:04.2819z", "2024-01-17T19:55:04.281Z", ""},
		{TypeDateTime, "253402300800000", "", "the year must be between 0001 and 9999"},
		{TypeEnumeration, "a; b;;a ;c", "a;b;c", ""},
		{TypeEnumeration, " gold ", "gold", ""},
		{TypeEnumeration, " ; ", "", ""},
		{"unknown", "x", "", `unknown type "unknown"`},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+shown(tc.in), func(t *testing.T) {
			got, err := CanonicalValue(tc.typ, tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("CanonicalValue(%s, %q) = %q, %v; want error containing %q", tc.typ, tc.in, got, err, tc.err)
				}
				// The caller names its field; the reason does not name a property.
				if strings.HasPrefix(err.Error(), "Property") {
					t.Errorf("error %q still carries the store's property prefix", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CanonicalValue(%s, %q) = %q, %v; want %q", tc.typ, tc.in, got, err, tc.want)
			}
		})
	}
}

// TestCanonicalValue_IsTheStoreForm checks that a value written to the store reads back
// as CanonicalValue's form, so converted values never differ from stored ones.
func TestCanonicalValue_IsTheStoreForm(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	if _, err := s.CreateProperty(ctx, "contacts", PropertyInput{Name: "score", Label: "Score", Type: TypeNumber, FieldType: "number", GroupName: "contactinformation"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ prop, typ, in string }{
		{"score", TypeNumber, "+007.10"},
		{"firstname", TypeString, " Ann "},
		{"hs_lead_status", TypeEnumeration, " NEW "},
	} {
		want, err := CanonicalValue(tc.typ, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.CreateRecords(ctx, "contacts", []map[string]string{{tc.prop: tc.in}}, Source{Type: "API"})
		if err != nil || res[0].Err != nil {
			t.Fatalf("create %s=%q: %v %v", tc.prop, tc.in, err, res)
		}
		got, err := s.GetRecord(ctx, "contacts", strconv.FormatInt(res[0].Record.ID, 10), GetOptions{Properties: []string{tc.prop}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Properties[tc.prop] != want {
			t.Errorf("%s %q is stored as %q, CanonicalValue says %q", tc.prop, tc.in, got.Properties[tc.prop], want)
		}
	}
}

func TestParseInstant(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2024-01-17", time.Date(2024, 1, 17, 0, 0, 0, 0, time.UTC), ""},
		{"2024-01-17 21:55:04+02:00", time.Date(2024, 1, 17, 19, 55, 4, 0, time.UTC), ""},
		{"1705521304281", time.Date(2024, 1, 17, 19, 55, 4, 281e6, time.UTC), ""},
		{"yesterday", time.Time{}, "not a valid date or datetime"},
		{"0000-01-01", time.Time{}, "the year must be between"},
	}
	for _, tc := range tests {
		got, err := ParseInstant(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseInstant(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseInstant(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
