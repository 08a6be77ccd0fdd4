package crmstore

import (
	"context"
	"fmt"
	"testing"
)

// rerunBatch is the batch importRows wrote for from..from+n, prepared again.
func rerunBatch(s *Store, from, n int, extra ...ImportRow) ImportBatch {
	var rows []ImportRow
	for i := range n {
		email := fmt.Sprintf("bulk%d@example.com", from+i)
		rows = append(rows, ImportRow{Key: email, Properties: map[string]string{"email": email, "firstname": "Bulk"}})
	}
	rows = append(rows, extra...)
	b := ImportBatch{Source: Source{Type: SourceImport, ID: "2"}, Parts: []ImportPart{{Object: "contacts",
		Operation: ImportUpsert, MatchProperty: "email", Rows: rows}}}
	s.PrepareImportBatch(&b)
	return b
}

func TestPrecheckImportBatch_SkipsUnchangedRowsWhileNothingWasWritten(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	importRows(t, s, 0, 5)
	b := rerunBatch(s, 0, 5,
		ImportRow{Key: "bulk1@example.com", Properties: map[string]string{"email": "bulk1@example.com", "lastname": "Dup"}},
		ImportRow{Key: "new@example.com", Properties: map[string]string{"email": "new@example.com"}})
	if err := s.PrecheckImportBatch(ctx, &b); err != nil {
		t.Fatal(err)
	}
	var marked []int
	for i, r := range b.Parts[0].Rows {
		if r.prep.unchangedIn != 0 {
			marked = append(marked, i)
		}
	}
	// bulk1 appears twice in the batch, so it is left to the transaction.
	if fmt.Sprint(marked) != "[0 2 3 4]" {
		t.Fatalf("prechecked rows %v, want [0 2 3 4]", marked)
	}
	res, err := s.WriteImportBatch(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{OutcomeUnchanged, OutcomeUpdated, OutcomeUnchanged, OutcomeUnchanged, OutcomeUnchanged, OutcomeMerged, OutcomeCreated}
	for i, w := range want {
		if got := res.Parts[0][i]; got.Outcome != w {
			t.Errorf("row %d: %s (%v), want %s", i, got.Outcome, got.Err, w)
		}
	}
	rec, err := s.GetRecord(ctx, "contacts", "bulk0@example.com", GetOptions{IDProperty: "email"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Parts[0][0].RecordID; got != rec.ID {
		t.Errorf("unchanged row names record %d, want %d", got, rec.ID)
	}
}

func TestPrecheckImportBatch_AWriteInBetweenVoidsIt(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	importRows(t, s, 0, 3)
	b := rerunBatch(s, 0, 3)
	if err := s.PrecheckImportBatch(ctx, &b); err != nil {
		t.Fatal(err)
	}
	for i, r := range b.Parts[0].Rows {
		if r.prep.unchangedIn == 0 {
			t.Fatalf("row %d not found unchanged by the precheck", i)
		}
	}
	// Another writer changes a record after the precheck read it.
	if _, err := s.UpdateRecord(ctx, "contacts", "bulk2@example.com", map[string]string{"firstname": "Changed"}, "email", Source{Type: "API"}); err != nil {
		t.Fatal(err)
	}
	res, err := s.WriteImportBatch(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{OutcomeUnchanged, OutcomeUnchanged, OutcomeUpdated}
	for i, w := range want {
		if got := res.Parts[0][i]; got.Outcome != w {
			t.Errorf("row %d: %s (%v), want %s", i, got.Outcome, got.Err, w)
		}
	}
	rec, err := s.GetRecord(ctx, "contacts", "bulk2@example.com", GetOptions{IDProperty: "email"})
	if err != nil || rec.Properties["firstname"] != "Bulk" {
		t.Fatalf("record after the import: %v %v; the import's value must win", rec, err)
	}
}

func TestPrecheckImportBatch_LeavesCreateOnlyParts(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	importRows(t, s, 0, 2)
	b := rerunBatch(s, 0, 2)
	b.Parts[0].Operation = ImportCreate
	if err := s.PrecheckImportBatch(ctx, &b); err != nil {
		t.Fatal(err)
	}
	res, err := s.WriteImportBatch(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Parts[0] {
		if r.Outcome != OutcomeFailed {
			t.Errorf("row %d: %s, want FAILED: a create-only import refuses existing records", i, r.Outcome)
		}
	}
}
