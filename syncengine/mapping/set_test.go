package mapping

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func contactSet(t *testing.T) *Set {
	t.Helper()
	s, err := CompileSet([]FieldSpec{
		{Local: "email", Remote: "email", Transform: "trim|lower"},
		{Local: "firstname", Remote: "first_name"},
		{Local: "phone", Remote: "phone", Transform: "e164", Direction: Push},
		{Local: "hs_lead_status", Remote: "status", Direction: Pull, Values: map[string]string{"New": "NEW", "Open": "OPEN"}},
		{Local: "numberofemployees", Remote: "employees"},
		{Local: "birthday", Remote: "dob", Transform: "date:DAY_MONTH_YEAR"},
	}, map[string]string{
		"hs_lead_status":    TypeEnumeration,
		"numberofemployees": TypeNumber,
		"birthday":          TypeDate,
	}, map[string]string{
		"status":    TypeString,
		"employees": TypeNumber,
	})
	if err != nil {
		t.Fatalf("CompileSet: %v", err)
	}
	return s
}

func TestSetNames(t *testing.T) {
	s := contactSet(t)
	if got, want := s.LocalFields(), []string{"email", "firstname", "phone", "hs_lead_status", "numberofemployees", "birthday"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LocalFields() = %v; want %v", got, want)
	}
	if got, want := s.RemoteFields(), []string{"email", "first_name", "phone", "status", "employees", "dob"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RemoteFields() = %v; want %v", got, want)
	}
	if f := s.ByLocal("firstname"); f == nil || f.Remote != "first_name" {
		t.Errorf("ByLocal(firstname) = %+v", f)
	}
	if f := s.ByRemote("dob"); f == nil || f.Local != "birthday" {
		t.Errorf("ByRemote(dob) = %+v", f)
	}
	if s.ByLocal("nope") != nil || s.ByRemote("first_name_x") != nil {
		t.Error("ByLocal/ByRemote found an unmapped name")
	}
}

func TestSetToLocal(t *testing.T) {
	s := contactSet(t)
	got, errs := s.ToLocal(map[string]string{
		"email":      " Anna@Example.com",
		"first_name": "Anna",
		"phone":      "(555) 234-5678", // push-only: ignored
		"status":     "Lost",           // not in the value map
		"employees":  "12.0",
		"dob":        "31/02/1990", // no such day
		"unmapped":   "x",
	})
	want := map[string]string{"email": "anna@example.com", "firstname": "Anna", "numberofemployees": "12"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToLocal = %v; want %v", got, want)
	}
	if len(errs) != 2 {
		t.Fatalf("ToLocal errors = %v; want 2", errs)
	}
	if !errors.Is(errs[0], ErrNotMapped) || !strings.Contains(errs[0].Error(), `"hs_lead_status" (remote "status")`) {
		t.Errorf("errs[0] = %v; want an ErrNotMapped naming hs_lead_status", errs[0])
	}
	if !strings.Contains(errs[1].Error(), `field "birthday" (remote "dob") value "31/02/1990"`) {
		t.Errorf("errs[1] = %v; want one naming birthday and its value", errs[1])
	}
}

func TestSetToRemote(t *testing.T) {
	s := contactSet(t)
	got, errs := s.ToRemote(map[string]string{
		"email":             "bob@example.org",
		"phone":             "(555) 234-5678",
		"hs_lead_status":    "NEW", // pull-only: ignored
		"numberofemployees": "",    // cleared stays cleared
		"birthday":          "1990-02-28",
		"firstname":         "\xff", // invalid UTF-8
	})
	want := map[string]string{"email": "bob@example.org", "phone": "+15552345678", "employees": "", "dob": "28/02/1990"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToRemote = %v; want %v", got, want)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `push field "firstname" (remote "first_name")`) {
		t.Errorf("ToRemote errors = %v; want one naming firstname", errs)
	}
	if got, errs := s.ToRemote(nil); len(got) != 0 || errs != nil {
		t.Errorf("ToRemote(nil) = %v, %v; want empty", got, errs)
	}
}

func TestCompileSetErrors(t *testing.T) {
	_, err := CompileSet([]FieldSpec{
		{Local: "email", Remote: "email"},
		{Local: "email", Remote: "email2"},
		{Local: "name", Remote: "email"},
		{Local: "phone", Remote: "phone", Transform: "e164:abc|nope"},
		{Local: "size", Remote: "size"},
	}, map[string]string{"size": TypeNumber}, map[string]string{"size": TypeDate})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, w := range []string{
		`fields[1] (local "email", remote "email2"): local field "email" is already mapped by fields[0]`,
		`fields[2] (local "name", remote "email"): remote field "email" is already mapped by fields[0]`,
		`fields[3] (local "phone", remote "phone"): transform "e164:abc|nope" (step 1)`,
		`fields[3] (local "phone", remote "phone"): transform "e164:abc|nope" (step 2): unknown transform "nope"`,
		`fields[4] (local "size", remote "size"): local type number cannot be converted to or from remote type date`,
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not contain %q:\n%s", w, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 5 {
		t.Errorf("got %d joined errors; want 5:\n%s", n, msg)
	}
}

func TestCompileSetEmpty(t *testing.T) {
	s, err := CompileSet(nil, nil, nil)
	if err != nil || len(s.Fields) != 0 || len(s.RemoteFields()) != 0 {
		t.Fatalf("CompileSet(nil) = %+v, %v", s, err)
	}
	got, errs := s.ToLocal(map[string]string{"a": "b"})
	if len(got) != 0 || errs != nil {
		t.Errorf("ToLocal on an empty set = %v, %v", got, errs)
	}
}
