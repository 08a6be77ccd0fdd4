package mapping

import (
	"fmt"
	"testing"
)

// benchRecord is a typical contact as a remote sends it.
var benchRecord = map[string]string{
	"email":      " Anna.Smith@Example.com ",
	"first_name": "Anna",
	"phone":      "+1 (555) 234-5678",
	"status":     "Open",
	"employees":  "120",
	"dob":        "17/01/1990",
}

// BenchmarkSetToLocal measures converting one remote record of six mapped
// fields, the per-record mapping cost of a pull.
func BenchmarkSetToLocal(b *testing.B) {
	s := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := s.ToLocal(benchRecord); errs != nil {
			b.Fatal(errs)
		}
	}
}

// BenchmarkSetToRemote measures the push direction for the same record.
func BenchmarkSetToRemote(b *testing.B) {
	s := benchSet(b)
	local, errs := s.ToLocal(benchRecord)
	if errs != nil {
		b.Fatal(errs)
	}
	local["phone"] = "(555) 234-5678"
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := s.ToRemote(local); errs != nil {
			b.Fatal(errs)
		}
	}
}

func benchSet(b *testing.B) *Set {
	s, err := CompileSet([]FieldSpec{
		{Local: "email", Remote: "email", Transform: "trim|lower"},
		{Local: "firstname", Remote: "first_name"},
		{Local: "phone", Remote: "phone", Transform: "e164"},
		{Local: "hs_lead_status", Remote: "status", Values: map[string]string{"New": "NEW", "Open": "OPEN"}},
		{Local: "numberofemployees", Remote: "employees"},
		{Local: "birthday", Remote: "dob", Transform: "date:DAY_MONTH_YEAR"},
	}, map[string]string{"hs_lead_status": TypeEnumeration, "numberofemployees": TypeNumber, "birthday": TypeDate},
		map[string]string{"employees": TypeNumber})
	if err != nil {
		b.Fatal(fmt.Errorf("compile bench set: %w", err))
	}
	return s
}
