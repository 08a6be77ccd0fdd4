package crmstore

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)

	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.RecordsByObject["contacts"] != 0 || st.RecordsByObject["companies"] != 0 || len(st.RecordsByObject) < 4 {
		t.Errorf("empty store: RecordsByObject = %v, want every object with 0", st.RecordsByObject)
	}
	if st.SizeBytes <= 0 || st.LastChangeSeq != 0 || st.MigrationVersion != latestMigration() {
		t.Errorf("empty store: %+v", st)
	}

	var ids []int64
	for _, name := range []string{"a", "b", "c"} {
		r, err := s.CreateRecord(ctx, "contacts", map[string]string{"firstname": name}, Source{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if _, err := s.CreateRecord(ctx, "companies", map[string]string{"name": "Acme"}, Source{}); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveRecord(ctx, "contacts", ids[0], Source{}); err != nil {
		t.Fatal(err)
	}

	st, err = s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.RecordsByObject["contacts"] != 2 || st.RecordsByObject["companies"] != 1 || st.RecordsByObject["deals"] != 0 {
		t.Errorf("RecordsByObject = %v, want contacts 2 (one archived), companies 1, deals 0", st.RecordsByObject)
	}
	seq, _ := s.LastChangeSeq(ctx)
	if st.LastChangeSeq != seq || seq < 5 {
		t.Errorf("LastChangeSeq = %d, store says %d", st.LastChangeSeq, seq)
	}
	var want int64
	for _, p := range []string{s.Path(), s.Path() + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			want += fi.Size()
		}
	}
	if st.SizeBytes != want {
		t.Errorf("SizeBytes = %d, files hold %d", st.SizeBytes, want)
	}
}

// The count reads the records_by_object index, never the table.
func TestRecordCountsUsesTheIndex(t *testing.T) {
	s := newTestStore(t)
	var plan []struct {
		ID      int    `db:"id"`
		Parent  int    `db:"parent"`
		NotUsed int    `db:"notused"`
		Detail  string `db:"detail"`
	}
	if err := s.r.Select(&plan, "EXPLAIN QUERY PLAN SELECT object_oid, COUNT(*) AS n FROM records WHERE archived_at IS NULL GROUP BY object_oid"); err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, p := range plan {
		details = append(details, p.Detail)
	}
	got := strings.Join(details, "; ")
	if !strings.Contains(got, "USING COVERING INDEX records_by_object") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("query plan: %s", got)
	}
}
