package crmstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestImports_RecordStatesAndErrors(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	im, err := s.CreateImport(ctx, ImportInput{Name: "leads", Objects: []string{"0-1"}, Operations: map[string]string{"0-1": ImportUpsert},
		Files: []string{"leads.csv"}, Request: []byte(`{"name":"leads"}`), BytesTotal: 100})
	if err != nil {
		t.Fatal(err)
	}
	if im.State != ImportStarted || im.Source != SourceCLI || im.Counters.BytesTotal != 100 || string(im.Request) != `{"name":"leads"}` {
		t.Fatalf("created %+v", im)
	}
	var errs []ImportError
	for i := 1; i <= 5; i++ {
		errs = append(errs, ImportError{ErrorType: "INVALID_EMAIL", Message: fmt.Sprintf("row %d", i), LineNumber: int64(i + 1), RowData: []string{"x", "y"}})
	}
	if err := s.RecordImportProgress(ctx, im.ID, ImportProgress{Counters: ImportCounters{Rows: 10, Created: 5, Failed: 5}, Errors: errs}); err != nil {
		t.Fatal(err)
	}
	page, next, err := s.ImportErrors(ctx, im.ID, 0, 3)
	if err != nil || len(page) != 3 || next != 3 || page[0].LineNumber != 2 || page[2].Message != "row 3" || len(page[0].RowData) != 2 {
		t.Fatalf("first page %+v next %d, %v", page, next, err)
	}
	page, next, err = s.ImportErrors(ctx, im.ID, next, 3)
	if err != nil || len(page) != 2 || next != 0 || page[1].LineNumber != 6 {
		t.Fatalf("second page %+v next %d, %v", page, next, err)
	}
	got, err := s.Import(ctx, im.ID)
	if err != nil || got.State != ImportProcessing || got.Counters.Rows != 10 || got.ErrorCount != 5 {
		t.Fatalf("after progress %+v, %v", got, err)
	}
	for _, step := range []struct {
		state string
		ok    bool
	}{{ImportStarted, false}, {ImportDone, true}, {ImportProcessing, false}, {ImportCanceled, false}, {ImportReverted, true}, {ImportDone, false}} {
		_, err := s.SetImportState(ctx, im.ID, step.state, "")
		var inv *InvalidError
		if step.ok != (err == nil) || (err != nil && !errors.As(err, &inv)) {
			t.Errorf("move to %s: %v", step.state, err)
		}
	}
	if err := s.RecordImportProgress(ctx, im.ID, ImportProgress{Counters: ImportCounters{Rows: 1}}); err == nil {
		t.Error("a finished import took progress")
	}
	if _, _, err := s.ImportErrors(ctx, 999, 0, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("errors of a missing import: %v", err)
	}
}

func TestImports_ListNewestFirst(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := s.CreateImport(ctx, ImportInput{Name: fmt.Sprintf("i%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	list, next, err := s.Imports(ctx, ImportListOptions{Limit: 2})
	if err != nil || len(list) != 2 || list[0].Name != "i4" || next != list[1].ID {
		t.Fatalf("page 1 %+v next %d, %v", list, next, err)
	}
	list, _, err = s.Imports(ctx, ImportListOptions{Before: next, Limit: 10})
	if err != nil || len(list) != 3 || list[2].Name != "i0" {
		t.Fatalf("page 2 %+v, %v", list, err)
	}
}

// TestImports_RevertUsesThePartialIndex checks that finding an import's
// created records reads the partial index, not the whole change log.
func TestImports_RevertUsesThePartialIndex(t *testing.T) {
	s := newTestStore(t)
	var plan []struct {
		ID     int    `db:"id"`
		Parent int    `db:"parent"`
		NotUse int    `db:"notused"`
		Detail string `db:"detail"`
	}
	if err := s.r.Select(&plan, `EXPLAIN QUERY PLAN SELECT record_id FROM change_log
		WHERE source_type = 'IMPORT' AND op = 'create' AND source_id = ? AND record_id > ? ORDER BY record_id LIMIT ?`, "1", 0, 10); err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, p := range plan {
		details = append(details, p.Detail)
	}
	if joined := strings.Join(details, "; "); !strings.Contains(joined, "change_log_import_creates") || strings.Contains(joined, "TEMP B-TREE") {
		t.Fatalf("plan: %s", joined)
	}
}

func TestWriteImportBatch_GroupsMergesAndRules(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	src := Source{Type: SourceImport, ID: "7"}
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "old@x.com", "lifecyclestage": "customer", "jobtitle": "Chef"}, src); err != nil {
		t.Fatal(err)
	}
	b := ImportBatch{Source: src, Parts: []ImportPart{{Object: "contacts", Operation: ImportUpsert, MatchProperty: "email",
		NoOverwrite: []string{"jobtitle"}, ForwardOnly: []string{"lifecyclestage"}, Rows: []ImportRow{
			{Key: "new@x.com", Properties: map[string]string{"email": "new@x.com", "firstname": "A"}},
			{Key: "OLD@x.com", Properties: map[string]string{"email": "OLD@x.com", "lifecyclestage": "lead", "jobtitle": "Cook", "firstname": "O"}},
			{Key: "New@X.com", Properties: map[string]string{"email": "New@X.com", "lastname": "B", "firstname": ""}},
			{Key: "bad", Properties: map[string]string{"email": "bad"}},
			{Key: "", Properties: map[string]string{"firstname": "Keyless"}},
		}}}}
	s.PrepareImportBatch(&b)
	res, err := s.WriteImportBatch(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := res.Parts[0]
	want := []string{OutcomeCreated, OutcomeUpdated, OutcomeMerged, OutcomeFailed, OutcomeCreated}
	for i, w := range want {
		if out[i].Outcome != w {
			t.Errorf("row %d outcome %s, want %s (%v)", i, out[i].Outcome, w, out[i].Err)
		}
	}
	if out[2].RecordID != out[0].RecordID || out[2].MergedInto != 0 {
		t.Errorf("merged row %+v", out[2])
	}
	n, _ := s.GetRecord(ctx, "contacts", "new@x.com", GetOptions{IDProperty: "email"})
	if n.Properties["firstname"] != "A" || n.Properties["lastname"] != "B" {
		t.Errorf("merged record %v: an empty value clears nothing, later rows add", n.Properties)
	}
	o, _ := s.GetRecord(ctx, "contacts", "old@x.com", GetOptions{IDProperty: "email"})
	if o.Properties["lifecyclestage"] != "customer" || o.Properties["jobtitle"] != "Chef" || o.Properties["firstname"] != "O" {
		t.Errorf("updated record %v", o.Properties)
	}
}
