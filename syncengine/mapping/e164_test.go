package mapping

import (
	"strings"
	"testing"
)

func TestToE164(t *testing.T) {
	tests := []struct {
		in, cc, want, err string
	}{
		{"(555) 234-5678", "1", "+15552345678", ""},
		{"555.234.5678", "1", "+15552345678", ""},
		{"1 555 234 5678", "1", "+15552345678", ""},
		{"+1 (555) 234-5678", "1", "+15552345678", ""},
		{"011 44 20 7946 0018", "1", "+442079460018", ""},
		{"0044 20 7946 0018", "1", "+442079460018", ""},
		{"+44 (0)20 7946 0018", "1", "+442079460018", ""},
		{"(+44) 20 7946 0018", "1", "+442079460018", ""},
		{"020 7946 0018", "44", "+442079460018", ""},
		{"20 7946 0018", "44", "+442079460018", ""},
		{"06 1234 5678", "39", "+390612345678", ""},
		{"030\u201312345678", "49", "+493012345678", ""},
		{"\u00a0+33 1 23 45 67 89 ", "1", "+33123456789", ""},
		{"+15552345678", "44", "+15552345678", ""},
		{"(555) 123-4567", "1", "", "2-9"},
		{"", "1", "", ""},
		{"   ", "1", "", ""},
		{"+1 555 123 4567 ext. 89", "1", "", "extension"},
		{"555-1234 x12", "1", "", "extension"},
		{"555-123-4567 #3", "1", "", "extension"},
		{"555-123-4567; 555-765-4321", "1", "", "several numbers"},
		{"1-800-FLOWERS", "1", "", `holds 'F'`},
		{"call me", "1", "", "holds 'c'"},
		{"()-.", "1", "", "no digits"},
		{"55+5", "1", "", `"+" may only start`},
		{"++44 20 7946 0018", "1", "", `"+" may only start`},
		{"+0 123 4567", "1", "", "never starts with 0"},
		{"00", "1", "", "never starts with 0"},
		{"2345", "44", "", "only 6 digits"},
		{"+44 1234 5678 9012 3456", "1", "", "at most 15"},
		{"555-1234", "1", "", "want 10"},
		{"+1 055 123 4567", "1", "", "2-9"},
		{"(555) 023-4567", "1", "", "2-9"},
	}
	for _, tc := range tests {
		t.Run(tc.cc+"/"+tc.in, func(t *testing.T) {
			got, err := toE164(tc.in, tc.cc)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("toE164(%q, %s) = %q, %v; want error containing %q", tc.in, tc.cc, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("toE164(%q, %s) = %q, %v; want %q", tc.in, tc.cc, got, err, tc.want)
			}
			again, err := toE164(got, tc.cc)
			if err != nil || again != got {
				t.Fatalf("toE164 is not idempotent: %q -> %q, %v", got, again, err)
			}
		})
	}
}

func TestNewE164Step(t *testing.T) {
	tests := []struct {
		arg    string
		hasArg bool
		cc     string
		err    bool
	}{
		{"", false, "1", false},
		{"44", true, "44", false},
		{"+49", true, "49", false},
		{"358", true, "358", false},
		{"", true, "", true},
		{"0", true, "", true},
		{"1234", true, "", true},
		{"uk", true, "", true},
	}
	for _, tc := range tests {
		s, err := newE164Step(tc.arg, tc.hasArg)
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), "country calling code") {
				t.Errorf("newE164Step(%q) error = %v; want a country calling code error", tc.arg, err)
			}
			continue
		}
		if err != nil || s.cc != tc.cc {
			t.Errorf("newE164Step(%q) = %+v, %v; want cc %s", tc.arg, s, err, tc.cc)
		}
	}
}
