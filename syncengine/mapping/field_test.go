package mapping

import (
	"errors"
	"strings"
	"testing"
)

func mustCompile(t *testing.T, spec FieldSpec, lt, rt string) *Field {
	t.Helper()
	f, err := Compile(spec, lt, rt)
	if err != nil {
		t.Fatalf("Compile(%+v, %s, %s): %v", spec, lt, rt, err)
	}
	return f
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name   string
		spec   FieldSpec
		lt, rt string
		want   []string
	}{
		{"no names", FieldSpec{}, "", "", []string{"local field name is empty", "remote field name is empty"}},
		{"direction", FieldSpec{Local: "a", Remote: "b", Direction: "in"}, "", "", []string{`field "a" (remote "b")`, `unknown direction "in"`}},
		{"types", FieldSpec{Local: "a", Remote: "b"}, "int", "text", []string{`unknown type "int"`, `unknown type "text"`}},
		{"bad transform", FieldSpec{Local: "phone", Remote: "tel", Transform: "e165"}, "", "", []string{`field "phone" (remote "tel")`, `unknown transform "e165"`}},
		{"incompatible", FieldSpec{Local: "n", Remote: "d"}, TypeNumber, TypeDate, []string{"local type number cannot be converted to or from remote type date"}},
		{"lower on number", FieldSpec{Local: "n", Remote: "n", Transform: "trim|lower"}, TypeNumber, TypeNumber, []string{"transform lower applies to text"}},
		{"e164 on enum", FieldSpec{Local: "p", Remote: "p", Transform: "e164"}, TypeEnumeration, TypeString, []string{"transform e164 applies to string fields"}},
		{"date on bool", FieldSpec{Local: "d", Remote: "d", Transform: "date:ISO"}, TypeBool, TypeString, []string{"needs a date, datetime or string local type, not bool"}},
		{"date from number", FieldSpec{Local: "d", Remote: "d", Transform: "date:DAY_MONTH_YEAR"}, TypeDate, TypeNumber, []string{"cannot read remote type number"}},
		{"map not injective", FieldSpec{Local: "s", Remote: "s", Values: map[string]string{"A": "x", "B": "x"}}, TypeEnumeration, TypeEnumeration,
			[]string{`field "s"`, `remote values "A" and "B" both map to local value "x"`}},
		{"map empty remote", FieldSpec{Local: "s", Remote: "s", Values: map[string]string{" ": "x"}}, TypeEnumeration, TypeEnumeration, []string{"a remote value is empty"}},
		{"map empty local", FieldSpec{Local: "s", Remote: "s", Values: map[string]string{"A": ""}}, TypeEnumeration, TypeEnumeration, []string{`remote value "A" maps to an empty value`}},
		{"map bad local", FieldSpec{Local: "b", Remote: "b", Values: map[string]string{"Y": "si"}}, TypeBool, TypeEnumeration, []string{`local value "si" for remote value "Y": not a valid boolean`}},
		{"map bad remote", FieldSpec{Local: "b", Remote: "b", Values: map[string]string{"one": "true"}}, TypeBool, TypeNumber, []string{`remote value "one": not a valid number`}},
		{"map keys collide after transform", FieldSpec{Local: "s", Remote: "s", Transform: "lower", Values: map[string]string{"Gold": "g", "GOLD": "h"}}, TypeEnumeration, TypeEnumeration,
			[]string{`remote values "GOLD" and "Gold" are the same value after transforms`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Compile(tc.spec, tc.lt, tc.rt)
			if err == nil {
				t.Fatalf("Compile = %+v; want an error", f)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCompileAcceptsHubSpotShapes(t *testing.T) {
	specs := []struct {
		spec   FieldSpec
		lt, rt string
	}{
		{FieldSpec{Local: "email", Remote: "email", Transform: "trim|lower"}, TypeString, TypeString},
		{FieldSpec{Local: "phone", Remote: "phone", Transform: "e164", Direction: Push}, "", ""},
		{FieldSpec{Local: "mobilephone", Remote: "mobile", Transform: "e164:49"}, "phone_number", TypeString},
		{FieldSpec{Local: "closedate", Remote: "closedate"}, TypeDateTime, TypeDate},
		{FieldSpec{Local: "birthday", Remote: "dob", Transform: "date:EPOCH_MS"}, TypeDate, TypeNumber},
		{FieldSpec{Local: "optin", Remote: "optin", Values: map[string]string{"Y": "true", "N": "false"}}, TypeBool, TypeEnumeration},
		{FieldSpec{Local: "tier", Remote: "tier", Transform: "upper", Values: map[string]string{"gold": "gold_tier"}}, TypeEnumeration, TypeString},
	}
	for _, s := range specs {
		f := mustCompile(t, s.spec, s.lt, s.rt)
		if f.Direction == "" {
			t.Errorf("%s: direction not resolved", f.Local)
		}
	}
}

func TestFieldConvert(t *testing.T) {
	tests := []struct {
		name         string
		spec         FieldSpec
		lt, rt       string
		remote, loc  string // ToLocal(remote) == loc
		push, pushed string // ToRemote(push) == pushed
	}{
		{"string as is", FieldSpec{Transform: ""}, "", "", " Anna ", " Anna ", " Anna ", " Anna "},
		{"trim lower email", FieldSpec{Transform: "trim|lower"}, "", "", " Anna@Example.COM ", "anna@example.com", "Bob@X.org", "bob@x.org"},
		{"number", FieldSpec{}, TypeNumber, TypeNumber, "1.50", "1.5", "2.0", "2"},
		{"number to text", FieldSpec{}, TypeString, TypeNumber, "1.50", "1.5", "3e2", "300"},
		{"bool", FieldSpec{}, TypeBool, TypeBool, "TRUE", "true", "no", "false"},
		{"bool from enum", FieldSpec{}, TypeBool, TypeEnumeration, "true", "true", "false", "false"},
		{"date from epoch", FieldSpec{}, TypeDate, TypeDate, "1705449600000", "2024-01-17", "2024-01-17", "2024-01-17"},
		{"date local datetime remote", FieldSpec{}, TypeDate, TypeDateTime, "2024-01-17T19:55:04Z", "2024-01-17", "2024-01-17", "2024-01-17T00:00:00.000Z"},
		{"datetime local date remote", FieldSpec{}, TypeDateTime, TypeDate, "2024-01-17", "2024-01-17T00:00:00.000Z", "2024-01-17T19:55:04.281Z", "2024-01-17"},
		{"datetime", FieldSpec{}, TypeDateTime, TypeDateTime, "1705521304281", "2024-01-17T19:55:04.281Z", "2024-01-17T21:55:04.281+02:00", "2024-01-17T19:55:04.281Z"},
		{"multi enum", FieldSpec{}, TypeEnumeration, TypeEnumeration, "a; b;a", "a;b", "c;;d", "c;d"},
		{"e164 push", FieldSpec{Transform: "e164:44"}, "", "", "020 7946 0018", "+442079460018", "07700 900123", "+447700900123"},
		{"dmy", FieldSpec{Transform: "date:DAY_MONTH_YEAR"}, TypeDate, TypeString, "17.01.2024", "2024-01-17", "2024-02-29", "29/02/2024"},
		{"dmy datetime local", FieldSpec{Transform: "trim|date:DAY_MONTH_YEAR:-"}, TypeDateTime, TypeString, " 17/01/2024 ", "2024-01-17T00:00:00.000Z", "2024-02-29T10:00:00.000Z", "29-02-2024"},
		{"epoch ms number", FieldSpec{Transform: "date:EPOCH_MS"}, TypeDate, TypeNumber, "1705449600000", "2024-01-17", "2024-01-17", "1705449600000"},
		{"iso to datetime", FieldSpec{Transform: "date:ISO"}, TypeDateTime, TypeDateTime, "2024-01-17T20:55:04+01:00", "2024-01-17T19:55:04.000Z", "2024-01-17T19:55:04.000Z", "2024-01-17T19:55:04.000Z"},
		{"value map", FieldSpec{Values: map[string]string{"Gold": "gold", "Silver": "silver"}}, TypeEnumeration, TypeEnumeration, "Gold", "gold", "silver", "Silver"},
		{"value map multi", FieldSpec{Values: map[string]string{"Gold": "gold", "Silver": "silver"}}, TypeEnumeration, TypeEnumeration, "Silver;Gold;Silver", "silver;gold", "gold;silver", "Gold;Silver"},
		{"value map after upper", FieldSpec{Transform: "trim|upper", Values: map[string]string{"gold": "g1"}}, TypeEnumeration, TypeString, " Gold ", "g1", "g1", "GOLD"},
		{"value map to bool", FieldSpec{Values: map[string]string{"Y": "yes", "N": "0"}}, TypeBool, TypeEnumeration, "Y", "true", "false", "N"},
		{"value map bool to number", FieldSpec{Values: map[string]string{"1": "true", "0": "false"}}, TypeBool, TypeNumber, "1.0", "true", "false", "0"},
		{"value map numbers", FieldSpec{Values: map[string]string{"1.0": "low", "2": "high"}}, TypeEnumeration, TypeNumber, "1.00", "low", "high", "2"},
		{"empty stays empty", FieldSpec{Transform: "trim|e164", Values: map[string]string{"+15552345678": "main"}}, TypeString, TypeString, "", "", "", ""},
		{"blank typed is empty", FieldSpec{}, TypeNumber, TypeNumber, "  ", "", " ", ""},
		{"trim to empty", FieldSpec{Transform: "trim|date:MONTH_DAY_YEAR"}, TypeDate, TypeString, "   ", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Local, tc.spec.Remote = "l", "r"
			f := mustCompile(t, tc.spec, tc.lt, tc.rt)
			if got, err := f.ToLocal(tc.remote); err != nil || got != tc.loc {
				t.Errorf("ToLocal(%q) = %q, %v; want %q", tc.remote, got, err, tc.loc)
			}
			if got, err := f.ToRemote(tc.push); err != nil || got != tc.pushed {
				t.Errorf("ToRemote(%q) = %q, %v; want %q", tc.push, got, err, tc.pushed)
			}
		})
	}
}

func TestFieldConvertErrors(t *testing.T) {
	tests := []struct {
		name   string
		spec   FieldSpec
		lt, rt string
		pull   bool
		in     string
		want   string
		notMap bool
	}{
		{"bad remote number", FieldSpec{}, TypeNumber, TypeNumber, true, "12abc", "not a valid number", false},
		{"text into number", FieldSpec{}, TypeNumber, TypeString, true, "twelve", "not a valid number", false},
		{"text to remote number", FieldSpec{}, TypeString, TypeNumber, false, "twelve", "not a valid number", false},
		{"bad bool", FieldSpec{}, TypeBool, TypeBool, true, "perhaps", "not a valid boolean", false},
		{"bad phone", FieldSpec{Transform: "e164"}, "", "", true, "n/a", "not a phone number", false},
		{"bad local phone", FieldSpec{Transform: "e164"}, "", "", false, "555-0100 ext 3", "extension", false},
		{"bad dmy", FieldSpec{Transform: "date:DAY_MONTH_YEAR"}, TypeDate, TypeString, true, "2024-01-17", "4 digits", false},
		{"bad local date", FieldSpec{Transform: "date:DAY_MONTH_YEAR"}, TypeString, TypeString, false, "soon", "not a valid date", false},
		{"unknown remote value", FieldSpec{Values: map[string]string{"A": "a"}}, TypeEnumeration, TypeEnumeration, true, "B", `value not in the value map: "B"; known values: "A"`, true},
		{"unknown remote part", FieldSpec{Values: map[string]string{"A": "a"}}, TypeEnumeration, TypeEnumeration, true, "A;C", `"C"`, true},
		{"unknown local value", FieldSpec{Values: map[string]string{"A": "a"}}, TypeEnumeration, TypeEnumeration, false, "z", `"z"; known values: "a"`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Local, tc.spec.Remote = "loc", "rem"
			f := mustCompile(t, tc.spec, tc.lt, tc.rt)
			var got string
			var err error
			op := "push"
			if tc.pull {
				op = "pull"
				got, err = f.ToLocal(tc.in)
			} else {
				got, err = f.ToRemote(tc.in)
			}
			if err == nil {
				t.Fatalf("got %q; want an error", got)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Op != op || fe.Local != "loc" || fe.Remote != "rem" || fe.Value != tc.in {
				t.Fatalf("error %#v is not a *FieldError for %s of loc/rem value %q", err, op, tc.in)
			}
			msg := err.Error()
			for _, w := range []string{op + ` field "loc" (remote "rem")`, tc.want} {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if errors.Is(err, ErrNotMapped) != tc.notMap {
				t.Errorf("errors.Is(err, ErrNotMapped) = %v; want %v", !tc.notMap, tc.notMap)
			}
		})
	}
}

func TestNotMappedListsAtMostSomeValues(t *testing.T) {
	values := map[string]string{}
	for i := range 30 {
		k := string(rune('A' + i))
		values[k] = strings.ToLower(k) + "x"
	}
	f := mustCompile(t, FieldSpec{Local: "l", Remote: "r", Values: values}, TypeEnumeration, TypeEnumeration)
	_, err := f.ToLocal("zzz")
	if err == nil || !strings.HasSuffix(err.Error(), ", ...") || strings.Count(err.Error(), `", "`) != maxListedValues-1 {
		t.Fatalf("error = %v; want %d listed values and an ellipsis", err, maxListedValues)
	}
}

func TestDirections(t *testing.T) {
	tests := []struct {
		dir          Direction
		want         Direction
		pulls, pushs bool
	}{
		{"", Both, true, true},
		{Both, Both, true, true},
		{Pull, Pull, true, false},
		{Push, Push, false, true},
	}
	for _, tc := range tests {
		f := mustCompile(t, FieldSpec{Local: "a", Remote: "b", Direction: tc.dir}, "", "")
		if f.Direction != tc.want || f.Pulls() != tc.pulls || f.Pushes() != tc.pushs {
			t.Errorf("direction %q: got %q pulls=%v pushes=%v; want %q %v %v", tc.dir, f.Direction, f.Pulls(), f.Pushes(), tc.want, tc.pulls, tc.pushs)
		}
	}
}

func TestFieldTypes(t *testing.T) {
	f := mustCompile(t, FieldSpec{Local: "a", Remote: "b"}, "", TypeNumber)
	if f.LocalType() != TypeString || f.RemoteType() != TypeNumber {
		t.Errorf("types = %s, %s; want string, number", f.LocalType(), f.RemoteType())
	}
}

func TestFieldEqual(t *testing.T) {
	tests := []struct {
		name   string
		spec   FieldSpec
		lt, rt string
		local  bool
		a, b   string
		want   bool
	}{
		{"local number", FieldSpec{}, TypeNumber, TypeString, true, "1.0", "1", true},
		{"remote text", FieldSpec{}, TypeNumber, TypeString, false, "1.0", "1", false},
		{"local bool", FieldSpec{}, TypeBool, TypeBool, true, "TRUE", "true", true},
		{"local datetime", FieldSpec{}, TypeDateTime, TypeDateTime, true, "2024-01-17T19:55:04Z", "2024-01-17T14:55:04-05:00", true},
		{"local multi", FieldSpec{}, TypeEnumeration, TypeEnumeration, true, "a;b", "b;a", true},
		{"remote multi", FieldSpec{}, TypeEnumeration, TypeEnumeration, false, "a;b", "b;a", true},
		{"remote date vs midnight", FieldSpec{}, TypeDateTime, TypeDate, false, "2024-01-17", "1705449600000", true},
		{"remote dmy", FieldSpec{Transform: "date:DAY_MONTH_YEAR"}, TypeDate, TypeString, false, "7/1/2024", "07-01-2024", true},
		{"remote dmy differ", FieldSpec{Transform: "date:DAY_MONTH_YEAR"}, TypeDate, TypeString, false, "7/1/2024", "1/7/2024", false},
		{"remote dmy invalid", FieldSpec{Transform: "date:DAY_MONTH_YEAR"}, TypeDate, TypeString, false, "7/1/2024", "junk", false},
		{"remote iso date", FieldSpec{Transform: "date:ISO"}, TypeDate, TypeDate, false, "2024-01-17", "2024-01-17T12:00:00Z", true},
		{"remote iso datetime", FieldSpec{Transform: "date:ISO"}, TypeDateTime, TypeString, false, "2024-01-17T00:00:00Z", "2024-01-17", true},
		{"local string exact", FieldSpec{}, TypeString, TypeString, true, "Anna", "anna", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Local, tc.spec.Remote = "l", "r"
			f := mustCompile(t, tc.spec, tc.lt, tc.rt)
			eq := f.EqualRemote
			if tc.local {
				eq = f.EqualLocal
			}
			if got := eq(tc.a, tc.b); got != tc.want {
				t.Errorf("equal(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
			}
			if got := eq(tc.b, tc.a); got != tc.want {
				t.Errorf("equal is not symmetric for %q, %q", tc.b, tc.a)
			}
		})
	}
}
