package crmstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// propErrFields returns field → code of a *ValidationError, failing the
// test for any other error.
func propErrFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *ValidationError", err, err)
	}
	out := map[string]string{}
	for _, pe := range ve.Errors {
		if _, dup := out[pe.Property]; !dup {
			out[pe.Property] = pe.Code
		}
	}
	return out
}

// propWantInvalid fails unless err is an *InvalidError containing contains.
func propWantInvalid(t *testing.T, err error, contains string) {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want *InvalidError containing %q", err, err, contains)
	}
	if !strings.Contains(ie.Message, contains) {
		t.Fatalf("err = %q, want it to contain %q", ie.Message, contains)
	}
}

func propWantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v (%T), want not found", err, err)
	}
}

func propMustCreate(t *testing.T, s *Store, object string, in PropertyInput) *Property {
	t.Helper()
	p, err := s.CreateProperty(context.Background(), object, in)
	if err != nil {
		t.Fatalf("CreateProperty(%s, %s): %v", object, in.Name, err)
	}
	return p
}

func propOpts(values ...string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Label: strings.ToUpper(v), Value: v, DisplayOrder: i}
	}
	return out
}

func textProp(name string) PropertyInput {
	return PropertyInput{Name: name, Label: "L " + name, GroupName: "contactinformation", Type: TypeString, FieldType: "text"}
}

func TestCreatePropertyRules(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	many := make([]Option, MaxPropertyOptions+1)
	for i := range many {
		many[i] = Option{Label: "o", Value: "v" + strconv.Itoa(i)}
	}
	tests := []struct {
		name string
		mod  func(*PropertyInput)
		want map[string]string // field → code; nil means accepted
	}{
		{"ok text", func(in *PropertyInput) {}, nil},
		{"empty name", func(in *PropertyInput) { in.Name = "" }, map[string]string{"name": CodeMissingField}},
		{"upper-case name", func(in *PropertyInput) { in.Name = "Bad" }, map[string]string{"name": CodeInvalidName}},
		{"dash in name", func(in *PropertyInput) { in.Name = "bad-name" }, map[string]string{"name": CodeInvalidName}},
		{"leading digit", func(in *PropertyInput) { in.Name = "1abc" }, map[string]string{"name": CodeInvalidName}},
		{"name too long", func(in *PropertyInput) { in.Name = strings.Repeat("a", 101) }, map[string]string{"name": CodeInvalidName}},
		{"name 100 chars", func(in *PropertyInput) { in.Name = strings.Repeat("b", 100) }, nil},
		{"reserved hs_", func(in *PropertyInput) { in.Name = "hs_mine" }, map[string]string{"name": CodeReservedName}},
		{"no label", func(in *PropertyInput) { in.Label = "  " }, map[string]string{"label": CodeMissingField}},
		{"no group", func(in *PropertyInput) { in.GroupName = "" }, map[string]string{"groupName": CodeMissingField}},
		{"no type", func(in *PropertyInput) { in.Type = "" }, map[string]string{"type": CodeMissingField}},
		{"unknown type", func(in *PropertyInput) { in.Type = "blob" }, map[string]string{"type": CodeInvalidType}},
		{"json type", func(in *PropertyInput) { in.Type = TypeJSON }, map[string]string{"type": CodeInvalidType}},
		{"coordinates type", func(in *PropertyInput) { in.Type = TypeObjectCoordinates }, map[string]string{"type": CodeInvalidType}},
		{"no fieldType", func(in *PropertyInput) { in.FieldType = "" }, map[string]string{"fieldType": CodeMissingField}},
		{"bad pair", func(in *PropertyInput) { in.FieldType = "select" }, map[string]string{"fieldType": CodeInvalidFieldType}},
		{"date with text", func(in *PropertyInput) { in.Type, in.FieldType = TypeDate, "text" }, map[string]string{"fieldType": CodeInvalidFieldType}},
		{"number ok", func(in *PropertyInput) { in.Type, in.FieldType = TypeNumber, "number" }, nil},
		{"datetime ok", func(in *PropertyInput) { in.Type, in.FieldType = TypeDateTime, "date" }, nil},
		{"enumeration without options", func(in *PropertyInput) { in.Type, in.FieldType = TypeEnumeration, "select" },
			map[string]string{"options": CodeInvalidOptions}},
		{"enumeration with external options", func(in *PropertyInput) {
			in.Type, in.FieldType, in.ExternalOptions = TypeEnumeration, "select", true
		}, nil},
		{"enumeration ok", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options = TypeEnumeration, "radio", propOpts("a", "b")
		}, nil},
		{"empty option value", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options = TypeEnumeration, "select", propOpts("a", " ")
		}, map[string]string{"options": CodeInvalidOptions}},
		{"duplicate option value", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options = TypeEnumeration, "select", propOpts("a", "b", "a")
		}, map[string]string{"options": CodeInvalidOptions}},
		{"semicolon in option", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options = TypeEnumeration, "checkbox", propOpts("a;b")
		}, map[string]string{"options": CodeInvalidOptions}},
		{"too many options", func(in *PropertyInput) { in.Type, in.FieldType, in.Options = TypeEnumeration, "select", many },
			map[string]string{"options": CodeInvalidOptions}},
		{"booleancheckbox enumeration needs true/false", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options = TypeEnumeration, "booleancheckbox", propOpts("yes", "no")
		}, map[string]string{"options": CodeInvalidOptions}},
		{"booleancheckbox enumeration ok", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options = TypeEnumeration, "booleancheckbox", propOpts("true", "false")
		}, nil},
		{"bool ok", func(in *PropertyInput) { in.Type, in.FieldType = TypeBool, "booleancheckbox" }, nil},
		{"options on string", func(in *PropertyInput) { in.Options = propOpts("a") }, map[string]string{"options": CodeInvalidOptions}},
		{"unique enumeration", func(in *PropertyInput) {
			in.Type, in.FieldType, in.Options, in.HasUniqueValue = TypeEnumeration, "select", propOpts("a"), true
		}, map[string]string{"hasUniqueValue": CodeInvalidPropertyDefinition}},
		{"unique date", func(in *PropertyInput) { in.Type, in.FieldType, in.HasUniqueValue = TypeDate, "date", true },
			map[string]string{"hasUniqueValue": CodeInvalidPropertyDefinition}},
		{"unique number ok", func(in *PropertyInput) { in.Type, in.FieldType, in.HasUniqueValue = TypeNumber, "number", true }, nil},
		{"calculation without formula", func(in *PropertyInput) { in.Type, in.FieldType = TypeNumber, "calculation_equation" },
			map[string]string{"calculationFormula": CodeMissingField}},
		{"formula without calculation", func(in *PropertyInput) { in.CalculationFormula = "1 + 1" },
			map[string]string{"calculationFormula": CodeInvalidPropertyDefinition}},
		{"external options on string", func(in *PropertyInput) { in.ExternalOptions = true },
			map[string]string{"externalOptions": CodeInvalidPropertyDefinition}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := textProp(fmt.Sprintf("rule_%d", i))
			tc.mod(&in)
			p, err := s.CreateProperty(ctx, "contacts", in)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CreateProperty: %v", err)
				}
				if p.Name != in.Name || p.Type != in.Type || p.FieldType != in.FieldType || p.HubspotDefined || p.Archived {
					t.Fatalf("created %+v from %+v", p, in)
				}
				got, err := s.Property(ctx, "contacts", in.Name, false)
				if err != nil || got.Label != in.Label {
					t.Fatalf("Property after create = %+v, %v", got, err)
				}
				return
			}
			got := propErrFields(t, err)
			if len(got) != len(tc.want) {
				t.Errorf("errors = %v, want %v (%v)", got, tc.want, err)
			}
			for f, code := range tc.want {
				if got[f] != code {
					t.Errorf("field %s: code %q, want %q (%v)", f, got[f], code, err)
				}
			}
			if _, err := s.Property(ctx, "contacts", in.Name, true); err == nil && in.Name != "" {
				t.Errorf("refused property %q exists", in.Name)
			}
		})
	}
}

func TestCreatePropertyReportsEveryProblem(t *testing.T) {
	s := newTestStore(t)
	_, err := s.CreateProperty(context.Background(), "contacts", PropertyInput{
		Name: "hs_Bad", Type: TypeString, FieldType: "select", Options: propOpts("a"), HasUniqueValue: false,
	})
	got := propErrFields(t, err)
	want := map[string]string{
		"name": CodeInvalidName, "label": CodeMissingField, "groupName": CodeMissingField,
		"fieldType": CodeInvalidFieldType, "options": CodeInvalidOptions,
	}
	for f, code := range want {
		if got[f] != code {
			t.Errorf("field %s: code %q, want %q (all: %v)", f, got[f], code, got)
		}
	}
	var ve *ValidationError
	errors.As(err, &ve)
	reserved := false
	for _, pe := range ve.Errors {
		reserved = reserved || pe.Code == CodeReservedName
	}
	if !reserved {
		t.Errorf("no RESERVED_NAME error in %v", err)
	}
}

func TestCreatePropertyStateChecks(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	propMustCreate(t, s, "contacts", textProp("myprop"))

	_, err := s.CreateProperty(ctx, "contacts", textProp("myprop"))
	propWantInvalid(t, err, "already exists")
	_, err = s.CreateProperty(ctx, "contacts", textProp("email"))
	propWantInvalid(t, err, "already exists")

	in := textProp("other")
	in.GroupName = "nosuchgroup"
	_, err = s.CreateProperty(ctx, "contacts", in)
	propWantInvalid(t, err, `"nosuchgroup"`)

	// The same name on another object is fine.
	in = textProp("myprop")
	in.GroupName = "companyinformation"
	propMustCreate(t, s, "companies", in)

	if err := s.ArchiveProperty(ctx, "contacts", "myprop"); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateProperty(ctx, "contacts", textProp("myprop"))
	propWantInvalid(t, err, "restore")

	_, err = s.CreateProperty(ctx, "nosuchobject", textProp("x"))
	propWantNotFound(t, err)

	in = PropertyInput{Name: "score_calc", Label: "Score", GroupName: "contactinformation",
		Type: TypeNumber, FieldType: "calculation_equation", CalculationFormula: "1 + 2"}
	p := propMustCreate(t, s, "contacts", in)
	if !p.Calculated || !p.ReadOnlyValue || p.CalculationFormula != "1 + 2" {
		t.Errorf("calculated property = %+v", p)
	}
	_, err = s.CreateRecord(ctx, "contacts", map[string]string{"email": "c@x.com", "score_calc": "3"}, Source{Type: SourceAPI})
	if got := propErrFields(t, err); got["score_calc"] != CodeReadOnlyValue {
		t.Errorf("write to calculated property: %v", err)
	}
}

func TestPropertiesListingAndSorting(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.CreatePropertyGroup(ctx, "contacts", PropertyGroup{Name: "aaa_group", Label: "First"}); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"zeta", "alpha", "mid"} {
		in := textProp(name)
		in.GroupName = "aaa_group"
		in.DisplayOrder = []int{1, -1, 0}[i]
		propMustCreate(t, s, "contacts", in)
	}
	ps, err := s.Properties(ctx, "0-1", false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps[:3] {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "mid,zeta,alpha" {
		t.Errorf("first properties = %v, want mid,zeta,alpha", names)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i-1].GroupName > ps[i].GroupName {
			t.Fatalf("not sorted by group: %s before %s", ps[i-1].GroupName, ps[i].GroupName)
		}
	}
	// The returned slice is a copy.
	ps[0].Options = append(ps[0].Options, Option{Value: "x"})
	ps[0].Label = "changed"
	again, _ := s.Property(ctx, "contacts", "mid", false)
	if again.Label == "changed" || len(again.Options) != 0 {
		t.Errorf("catalogue changed through a returned property: %+v", again)
	}
	archived, err := s.Properties(ctx, "contacts", true)
	if err != nil || len(archived) != 0 {
		t.Errorf("archived = %v, %v", archived, err)
	}
	if _, err := s.Properties(ctx, "nosuch", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown object: %v", err)
	}
}

func TestUpdatePropertyRules(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	str := func(v string) *string { return &v }
	b := func(v bool) *bool { return &v }

	// Read-only definitions refuse every change.
	_, err := s.UpdateProperty(ctx, "contacts", "email", PropertyUpdate{Label: str("E-mail")})
	propWantInvalid(t, err, "read-only")
	_, err = s.UpdateProperty(ctx, "contacts", "createdate", PropertyUpdate{Hidden: b(true)})
	propWantInvalid(t, err, "read-only")
	// HubSpot-defined but editable: label yes, type no.
	p, err := s.UpdateProperty(ctx, "contacts", "hs_lead_status", PropertyUpdate{Label: str("Status")})
	if err != nil || p.Label != "Status" {
		t.Fatalf("relabel hs_lead_status = %+v, %v", p, err)
	}
	_, err = s.UpdateProperty(ctx, "contacts", "hs_lead_status", PropertyUpdate{Type: str(TypeString), FieldType: str("text")})
	if got := propErrFields(t, err); got["type"] == "" || got["fieldType"] == "" {
		t.Errorf("type change of HubSpot property: %v", got)
	}
	_, err = s.UpdateProperty(ctx, "contacts", "nosuch", PropertyUpdate{Label: str("x")})
	propWantNotFound(t, err)

	propMustCreate(t, s, "contacts", textProp("myprop"))
	// Type change while no value exists.
	p, err = s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{Type: str(TypeNumber), FieldType: str("number")})
	if err != nil || p.Type != TypeNumber {
		t.Fatalf("type change without values = %+v, %v", p, err)
	}
	p, err = s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{Type: str(TypeString), FieldType: str("text"),
		Description: str("d"), DisplayOrder: new(7), FormField: b(true)})
	if err != nil || p.Type != TypeString || p.Description != "d" || p.DisplayOrder != 7 || !p.FormField {
		t.Fatalf("type change back = %+v, %v", p, err)
	}
	// An invalid pair, a changed hasUniqueValue, an empty label: all reported.
	_, err = s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{FieldType: str("select"), HasUniqueValue: b(true), Label: str("")})
	got := propErrFields(t, err)
	if got["fieldType"] != CodeInvalidFieldType || got["hasUniqueValue"] == "" || got["label"] != CodeMissingField {
		t.Errorf("bad update errors = %v", got)
	}
	// hasUniqueValue equal to the current value is accepted.
	if _, err := s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{HasUniqueValue: b(false)}); err != nil {
		t.Errorf("unchanged hasUniqueValue: %v", err)
	}
	_, err = s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{GroupName: str("nosuchgroup")})
	propWantInvalid(t, err, "nosuchgroup")

	// With a value, the type is fixed.
	mustCreate(t, s, "contacts", map[string]string{"email": "a@x.com", "myprop": "x"})
	_, err = s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{Type: str(TypeNumber), FieldType: str("number")})
	propWantInvalid(t, err, "1 records")
	// Other changes still work.
	p, err = s.UpdateProperty(ctx, "contacts", "myprop", PropertyUpdate{Label: str("Mine"), FieldType: str("textarea")})
	if err != nil || p.Label != "Mine" || p.FieldType != "textarea" {
		t.Fatalf("update = %+v, %v", p, err)
	}
	// Calculated: becoming and stopping being one.
	propMustCreate(t, s, "contacts", PropertyInput{Name: "num", Label: "N", GroupName: "contactinformation", Type: TypeNumber, FieldType: "number"})
	_, err = s.UpdateProperty(ctx, "contacts", "num", PropertyUpdate{FieldType: str("calculation_equation")})
	if got := propErrFields(t, err); got["calculationFormula"] != CodeMissingField {
		t.Errorf("calculation without formula: %v", got)
	}
	p, err = s.UpdateProperty(ctx, "contacts", "num", PropertyUpdate{FieldType: str("calculation_equation"), CalculationFormula: str("2*2")})
	if err != nil || !p.Calculated || !p.ReadOnlyValue {
		t.Fatalf("to calculation = %+v, %v", p, err)
	}
	p, err = s.UpdateProperty(ctx, "contacts", "num", PropertyUpdate{FieldType: str("number")})
	if err != nil || p.Calculated || p.ReadOnlyValue || p.CalculationFormula != "" {
		t.Fatalf("from calculation = %+v, %v", p, err)
	}
}

func TestUpdatePropertyOptionsInUse(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	propMustCreate(t, s, "contacts", PropertyInput{Name: "color", Label: "Color", GroupName: "contactinformation",
		Type: TypeEnumeration, FieldType: "select", Options: propOpts("red", "green", "blue")})
	propMustCreate(t, s, "contacts", PropertyInput{Name: "tags", Label: "Tags", GroupName: "contactinformation",
		Type: TypeEnumeration, FieldType: "checkbox", Options: propOpts("a", "ab", "b", "c%", "d")})
	mustCreate(t, s, "contacts", map[string]string{"email": "a@x.com", "color": "red", "tags": "ab;b"})
	mustCreate(t, s, "contacts", map[string]string{"email": "b@x.com", "color": "red", "tags": "c%"})

	opts := func(vals ...string) *[]Option { o := propOpts(vals...); return &o }
	_, err := s.UpdateProperty(ctx, "contacts", "color", PropertyUpdate{Options: opts("green", "blue")})
	propWantInvalid(t, err, `"red" (2 records)`)
	p, err := s.UpdateProperty(ctx, "contacts", "color", PropertyUpdate{Options: opts("red", "green", "yellow")})
	if err != nil || len(p.Options) != 3 || p.Options[2].Value != "yellow" {
		t.Fatalf("drop unused option = %+v, %v", p, err)
	}
	_, err = s.UpdateProperty(ctx, "contacts", "color", PropertyUpdate{Options: opts()})
	if got := propErrFields(t, err); got["options"] != CodeInvalidOptions {
		t.Errorf("no options: %v", got)
	}

	// Multi-select: "b" is used inside "ab;b"; "a" is not ("ab" is another option).
	_, err = s.UpdateProperty(ctx, "contacts", "tags", PropertyUpdate{Options: opts("a", "ab", "c%", "d")})
	propWantInvalid(t, err, `"b" (1 records)`)
	_, err = s.UpdateProperty(ctx, "contacts", "tags", PropertyUpdate{Options: opts("a", "ab", "b", "d")})
	propWantInvalid(t, err, `"c%"`)
	if _, err := s.UpdateProperty(ctx, "contacts", "tags", PropertyUpdate{Options: opts("ab", "b", "c%")}); err != nil {
		t.Fatalf("drop unused a and d: %v", err)
	}
	// Several options held by a record: cannot become single-select.
	sel := "select"
	_, err = s.UpdateProperty(ctx, "contacts", "tags", PropertyUpdate{FieldType: &sel})
	propWantInvalid(t, err, "several options")
	radio := "radio"
	if p, err := s.UpdateProperty(ctx, "contacts", "color", PropertyUpdate{FieldType: &radio}); err != nil || p.FieldType != "radio" {
		t.Fatalf("select to radio = %+v, %v", p, err)
	}
}

func TestArchiveRestorePropertyRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	propMustCreate(t, s, "contacts", textProp("myprop"))
	r := mustCreate(t, s, "contacts", map[string]string{"email": "a@x.com", "myprop": "x"})

	if err := s.ArchiveProperty(ctx, "contacts", "email"); err == nil {
		t.Fatal("archived HubSpot-defined email")
	} else {
		propWantInvalid(t, err, "HubSpot-defined")
	}
	if err := s.ArchiveProperty(ctx, "contacts", "myprop"); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveProperty(ctx, "contacts", "myprop"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second archive: %v", err)
	}
	if _, err := s.Property(ctx, "contacts", "myprop", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("live read of archived property: %v", err)
	}
	p, err := s.Property(ctx, "contacts", "myprop", true)
	if err != nil || !p.Archived || p.ArchivedAt == nil {
		t.Fatalf("archived read = %+v, %v", p, err)
	}
	archived, _ := s.Properties(ctx, "contacts", true)
	if len(archived) != 1 || archived[0].Name != "myprop" {
		t.Errorf("archived list = %v", archived)
	}
	live, _ := s.Properties(ctx, "contacts", false)
	for _, p := range live {
		if p.Name == "myprop" {
			t.Error("archived property in live list")
		}
	}
	_, err = s.CreateRecord(ctx, "contacts", map[string]string{"email": "b@x.com", "myprop": "y"}, Source{Type: SourceAPI})
	if got := propErrFields(t, err); got["myprop"] != CodePropertyDoesntExist {
		t.Errorf("write to archived property: %v", got)
	}

	p, err = s.RestoreProperty(ctx, "contacts", "myprop")
	if err != nil || p.Archived || p.ArchivedAt != nil {
		t.Fatalf("restore = %+v, %v", p, err)
	}
	got, err := s.GetRecord(ctx, "contacts", strconv.FormatInt(r.ID, 10), GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties["myprop"] != "x" {
		t.Errorf("myprop after restore = %q, want x", got.Properties["myprop"])
	}
	// Restoring a live property is a no-op.
	if p, err := s.RestoreProperty(ctx, "contacts", "myprop"); err != nil || p.Archived {
		t.Errorf("restore live = %+v, %v", p, err)
	}
	if _, err := s.RestoreProperty(ctx, "contacts", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("restore unknown: %v", err)
	}
}

func TestUniquePropertyLimitAndEnforcement(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	unique := func(name string) PropertyInput {
		in := textProp(name)
		in.HasUniqueValue = true
		return in
	}
	for i := range MaxUniqueProperties {
		p := propMustCreate(t, s, "contacts", unique(fmt.Sprintf("u%d", i)))
		if !p.HasUniqueValue {
			t.Fatalf("%s not unique", p.Name)
		}
	}
	_, err := s.CreateProperty(ctx, "contacts", unique("u_extra"))
	propWantInvalid(t, err, "at most 10 unique properties")
	// A non-unique one is still fine, and so is a unique one on another object.
	propMustCreate(t, s, "contacts", textProp("plain"))
	in := unique("u_extra")
	in.GroupName = "companyinformation"
	propMustCreate(t, s, "companies", in)

	// Values of a unique property are unique among live records.
	r1 := mustCreate(t, s, "contacts", map[string]string{"email": "a@x.com", "u0": "B-1"})
	_, err = s.CreateRecord(ctx, "contacts", map[string]string{"email": "b@x.com", "u0": "B-1"}, Source{Type: SourceAPI})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Property != "u0" || ce.ExistingID != r1.ID {
		t.Fatalf("duplicate unique value: %v (%T)", err, err)
	}
	r2 := mustCreate(t, s, "contacts", map[string]string{"email": "b@x.com", "u0": "B-2"})

	// Archiving frees a slot and the reserved values.
	if err := s.ArchiveProperty(ctx, "contacts", "u0"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM unique_values u JOIN properties p ON p.id = u.property_id WHERE p.name = 'u0'"); err != nil || n != 0 {
		t.Errorf("unique values of archived property = %d, %v", n, err)
	}
	propMustCreate(t, s, "contacts", unique("u_extra"))
	_, err = s.RestoreProperty(ctx, "contacts", "u0")
	propWantInvalid(t, err, "at most 10 unique properties")
	if err := s.ArchiveProperty(ctx, "contacts", "u_extra"); err != nil {
		t.Fatal(err)
	}

	// Two live records now share a value of u0 (written behind the store's
	// back, as a value could be after an import into an archived property).
	if _, err := s.w.ExecContext(ctx, `UPDATE records SET props = json_set(props, '$."u0"', 'B-1') WHERE id = ?`, r2.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.RestoreProperty(ctx, "contacts", "u0")
	propWantInvalid(t, err, `"B-1"`)
	// Once the clash is gone, restore re-reserves the values.
	if _, err := s.w.ExecContext(ctx, `UPDATE records SET props = json_set(props, '$."u0"', 'B-3') WHERE id = ?`, r2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RestoreProperty(ctx, "contacts", "u0"); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateRecord(ctx, "contacts", map[string]string{"email": "c@x.com", "u0": "B-3"}, Source{Type: SourceAPI})
	if !errors.As(err, &ce) || ce.ExistingID != r2.ID {
		t.Fatalf("value reserved on restore: %v", err)
	}
	// The restored property can be read by its unique value.
	got, err := s.GetRecord(ctx, "contacts", "B-1", GetOptions{IDProperty: "u0"})
	if err != nil || got.ID != r1.ID {
		t.Errorf("read by restored unique value = %v, %v", got, err)
	}
}

func TestPropertyGroups(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	g, err := s.CreatePropertyGroup(ctx, "contacts", PropertyGroup{Name: "billing", Label: " Billing ", DisplayOrder: 5})
	if err != nil || g.Name != "billing" || g.Label != "Billing" || g.DisplayOrder != 5 {
		t.Fatalf("create group = %+v, %v", g, err)
	}
	_, err = s.CreatePropertyGroup(ctx, "contacts", PropertyGroup{Name: "billing", Label: "Again"})
	propWantInvalid(t, err, "already exists")
	_, err = s.CreatePropertyGroup(ctx, "contacts", PropertyGroup{Name: "contactinformation", Label: "Again"})
	propWantInvalid(t, err, "already exists")
	_, err = s.CreatePropertyGroup(ctx, "contacts", PropertyGroup{Name: "Bad Name", Label: ""})
	if got := propErrFields(t, err); got["name"] != CodeInvalidName || got["label"] != CodeMissingField {
		t.Errorf("bad group: %v", got)
	}

	groups, err := s.PropertyGroups(ctx, "contacts", false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range groups {
		names = append(names, g.Name)
	}
	if !slices.Equal(names, []string{"contactinformation", "analyticsinformation", "billing"}) {
		t.Errorf("groups = %v", names)
	}

	label, order := "Billing details", 2
	g, err = s.UpdatePropertyGroup(ctx, "contacts", "billing", &label, &order)
	if err != nil || g.Label != label || g.DisplayOrder != 2 {
		t.Fatalf("update group = %+v, %v", g, err)
	}
	empty := ""
	_, err = s.UpdatePropertyGroup(ctx, "contacts", "billing", &empty, nil)
	if got := propErrFields(t, err); got["label"] != CodeMissingField {
		t.Errorf("empty label: %v", got)
	}
	if _, err := s.UpdatePropertyGroup(ctx, "contacts", "nosuch", &label, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("update unknown group: %v", err)
	}
	if g, err := s.PropertyGroup(ctx, "contacts", "billing"); err != nil || g.Label != label {
		t.Errorf("read group = %+v, %v", g, err)
	}

	in := textProp("iban")
	in.GroupName = "billing"
	propMustCreate(t, s, "contacts", in)
	propWantInvalid(t, s.ArchivePropertyGroup(ctx, "contacts", "billing"), "iban")
	if err := s.ArchiveProperty(ctx, "contacts", "iban"); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchivePropertyGroup(ctx, "contacts", "billing"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PropertyGroup(ctx, "contacts", "billing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived group read: %v", err)
	}
	archived, _ := s.PropertyGroups(ctx, "contacts", true)
	if len(archived) != 1 || archived[0].Name != "billing" || !archived[0].Archived {
		t.Errorf("archived groups = %+v", archived)
	}
	in = textProp("swift")
	in.GroupName = "billing"
	_, err = s.CreateProperty(ctx, "contacts", in)
	propWantInvalid(t, err, "archived")
	str := "billing"
	_, err = s.UpdateProperty(ctx, "contacts", "hs_lead_status", PropertyUpdate{GroupName: &str})
	propWantInvalid(t, err, "archived")

	// Restoring a property brings its group back.
	if _, err := s.RestoreProperty(ctx, "contacts", "iban"); err != nil {
		t.Fatal(err)
	}
	if g, err := s.PropertyGroup(ctx, "contacts", "billing"); err != nil || g.Archived {
		t.Errorf("group after property restore = %+v, %v", g, err)
	}
	// Re-creating an archived group restores it.
	if err := s.ArchiveProperty(ctx, "contacts", "iban"); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchivePropertyGroup(ctx, "contacts", "billing"); err != nil {
		t.Fatal(err)
	}
	if g, err := s.CreatePropertyGroup(ctx, "contacts", PropertyGroup{Name: "billing", Label: "Billing 2"}); err != nil || g.Label != "Billing 2" {
		t.Fatalf("re-create archived group = %+v, %v", g, err)
	}
	if groups, _ := s.PropertyGroups(ctx, "contacts", true); len(groups) != 0 {
		t.Errorf("archived groups after re-create = %v", groups)
	}
}
