package crmstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"
)

// exportProps are the values the fixture's exports read.
var exportProps = []string{"hs_object_id", "email", "firstname", "lastname", "company", "lifecyclestage", "score",
	"signup_date", "last_seen", "vip", "interests", "createdate", "hs_lastmodifieddate", "lastmodifieddate"}

// export runs an export of contacts that reads the ids of at most
// idListMax matches up front (exportProps unless req names properties),
// and returns the names of the records in order, their values by
// property, and the total passed to Start.
func (f *searchFixture) export(t *testing.T, req ExportRequest, idListMax int) ([]string, []map[string]string, int) {
	t.Helper()
	if req.Properties == nil {
		req.Properties = exportProps
	}
	var names []string
	var recs []map[string]string
	total := -1
	req.Start = func(n int) { total = n }
	err := f.s.exportRecords(context.Background(), "contacts", req, func(values []string) error {
		if len(values) != len(req.Properties) {
			t.Fatalf("%d values for %d properties", len(values), len(req.Properties))
		}
		rec := map[string]string{}
		for i, v := range values {
			rec[req.Properties[i]] = v
		}
		id, err := strconv.ParseInt(rec["hs_object_id"], 10, 64)
		if err != nil {
			t.Fatalf("hs_object_id %q: %v", rec["hs_object_id"], err)
		}
		names = append(names, f.names[id])
		recs = append(recs, rec)
		return nil
	}, idListMax)
	if err != nil {
		t.Fatalf("export %+v: %v", req, err)
	}
	return names, recs, total
}

// TestExportSelectsWhatSearchFinds checks that an export selects exactly
// the records a search with the same filters finds, in id order, whichever
// way it reads them and whatever its page size.
func TestExportSelectsWhatSearchFinds(t *testing.T) {
	f := newSearchFixture(t)
	filter := func(prop, op, value string, values ...string) []SearchFilterGroup {
		return one(prop, op, value, values...).FilterGroups
	}
	cases := []struct {
		name   string
		groups []SearchFilterGroup
		query  string
		want   []string
	}{
		{name: "no filter", want: []string{"ann", "bob", "carla", "dan"}},
		{name: "enumeration EQ", groups: filter("lifecyclestage", FilterEQ, "lead"), want: []string{"ann", "carla"}},
		{name: "text EQ ignores case", groups: filter("firstname", FilterEQ, "ANN"), want: []string{"ann"}},
		{name: "NEQ matches records without a value", groups: filter("lifecyclestage", FilterNEQ, "lead"), want: []string{"bob", "dan"}},
		{name: "date BETWEEN", groups: between("signup_date", "2024-01-01", "2024-12-31").FilterGroups, want: []string{"ann", "bob"}},
		{name: "datetime GTE", groups: filter("last_seen", FilterGTE, "2024-01-15T00:00:00Z"), want: []string{"bob"}},
		{name: "number LT", groups: filter("score", FilterLT, "5"), want: []string{"bob", "carla"}},
		{name: "multi-select IN", groups: filter("interests", FilterIn, "", "tennis", "chess"), want: []string{"ann", "bob", "carla"}},
		{name: "HAS_PROPERTY", groups: filter("company", FilterHasProperty, ""), want: []string{"ann", "bob", "dan"}},
		{name: "NOT_HAS_PROPERTY", groups: filter("company", FilterNotHasProperty, ""), want: []string{"carla"}},
		{name: "CONTAINS_TOKEN", groups: filter("email", FilterContainsToken, "*@example.com"), want: []string{"ann", "dan"}},
		{name: "boolean", groups: filter("vip", FilterEQ, "yes"), want: []string{"ann"}},
		{name: "createdate", groups: filter("createdate", FilterGT, "2026-03-01T12:01:00Z"), want: []string{"bob", "carla", "dan"}},
		{name: "association", groups: filter("associations.companies", FilterEQ, strconv.FormatInt(f.company, 10)), want: []string{"ann", "bob"}},
		{name: "groups are ORed", groups: append(filter("lifecyclestage", FilterEQ, "customer"), filter("firstname", FilterEQ, "anna")...),
			want: []string{"bob", "dan"}},
		{name: "filters of a group are ANDed", groups: []SearchFilterGroup{{Filters: []SearchFilter{
			{PropertyName: "lifecyclestage", Operator: FilterEQ, Value: "lead"},
			{PropertyName: "score", Operator: FilterGTE, Value: "0"}}}}, want: []string{"ann"}},
		{name: "query", query: "ann", want: []string{"ann", "dan"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			found, _ := f.search(t, SearchRequest{Query: tc.query, FilterGroups: tc.groups, Limit: 100,
				Sorts: []SearchSort{{PropertyName: "hs_object_id"}}})
			if !slices.Equal(found, tc.want) {
				t.Fatalf("search finds %v, want %v", found, tc.want)
			}
			for _, idListMax := range []int{0, exportIDListMax} {
				for _, pageSize := range []int{1, 2, 0} {
					got, _, total := f.export(t, ExportRequest{Query: tc.query, FilterGroups: tc.groups, PageSize: pageSize}, idListMax)
					if !slices.Equal(got, tc.want) {
						t.Errorf("idListMax %d, page size %d: export %v, want %v", idListMax, pageSize, got, tc.want)
					}
					if total != len(tc.want) {
						t.Errorf("idListMax %d, page size %d: Start(%d), want %d", idListMax, pageSize, total, len(tc.want))
					}
				}
			}
		})
	}
}

func TestExportValues(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	f.clock.Advance(time.Hour)
	if _, err := f.s.UpdateRecord(ctx, "contacts", strconv.FormatInt(f.ids["ann"], 10), map[string]string{"lastname": "Lee-Smith"}, "", Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	_, recs, _ := f.export(t, ExportRequest{FilterGroups: one("email", FilterEQ, "ann@example.com").FilterGroups}, exportIDListMax)
	if len(recs) != 1 {
		t.Fatalf("exported %d records, want 1", len(recs))
	}
	want := map[string]string{
		"hs_object_id": strconv.FormatInt(f.ids["ann"], 10), "email": "ann@example.com", "firstname": "Ann",
		"lastname": "Lee-Smith", "company": "Acme Corp", "lifecyclestage": "lead", "score": "10",
		"signup_date": "2024-01-10", "last_seen": "2024-01-10T10:00:00.000Z", "vip": "true", "interests": "golf;tennis",
		"createdate": "2026-03-01T12:01:00.000Z", "hs_lastmodifieddate": "2026-03-01T13:04:00.000Z",
		"lastmodifieddate": "2026-03-01T13:04:00.000Z",
	}
	if !maps.Equal(recs[0], want) {
		t.Errorf("exported values\n%v\nwant\n%v", recs[0], want)
	}
	// A record never updated was last modified when created; one without
	// a value exports "".
	_, recs, _ = f.export(t, ExportRequest{FilterGroups: one("email", FilterEQ, "dan@example.com").FilterGroups}, exportIDListMax)
	if len(recs) != 1 || recs[0]["hs_lastmodifieddate"] != "2026-03-01T12:03:00.000Z" || recs[0]["lastname"] != "" {
		t.Errorf("dan: %v", recs)
	}
}

func TestExportErrors(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	never := func([]string) error { t.Error("fn called"); return nil }
	for _, props := range [][]string{nil, {"email", "nosuch"}, {"name"}} {
		err := f.s.ExportRecords(ctx, "contacts", ExportRequest{Properties: props}, never)
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("properties %q: %v, want an InvalidError", props, err)
		}
	}
	if err := f.s.ArchiveProperty(ctx, "contacts", "score"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ExportRecords(ctx, "contacts", ExportRequest{Properties: []string{"score"}}, never); err == nil ||
		err.Error() != `property "score" does not exist on contacts` {
		t.Errorf("archived property: %v", err)
	}
	props := []string{"email"}

	err := f.s.ExportRecords(ctx, "contacts", ExportRequest{Properties: props, FilterGroups: one("nosuch", FilterEQ, "x").FilterGroups}, never)
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Message != `filterGroups[0].filters[0]: property "nosuch" does not exist on contacts` {
		t.Errorf("unknown property: %v", err)
	}
	err = f.s.ExportRecords(ctx, "contacts", ExportRequest{Properties: props, FilterGroups: one("vip", FilterEQ, "maybe").FilterGroups}, never)
	if !errors.As(err, &ie) {
		t.Errorf("bad number: %v", err)
	}
	if err := f.s.ExportRecords(ctx, "nosuch", ExportRequest{Properties: props}, never); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown object: %v", err)
	}

	// An error from fn stops the export and is returned as is.
	stop := errors.New("disk full")
	calls := 0
	err = f.s.ExportRecords(ctx, "contacts", ExportRequest{Properties: props, PageSize: 1}, func([]string) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("fn error: %v after %d calls", err, calls)
	}
	err = f.s.exportRecords(ctx, "contacts", ExportRequest{Properties: props, FilterGroups: one("lifecyclestage", FilterEQ, "lead").FilterGroups}, func([]string) error {
		return stop
	}, exportIDListMax)
	if !errors.Is(err, stop) {
		t.Errorf("fn error reading by id: %v", err)
	}

	// A cancelled context stops the export.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := f.s.ExportRecords(cctx, "contacts", ExportRequest{Properties: props}, func([]string) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
}

// TestExportAcrossPagesWhileWriting checks keyset paging: the reader is at
// most a few pages ahead of fn, so records created or archived further
// ahead during an export are included or left out, and no record is read
// twice.
func TestExportAcrossPagesWhileWriting(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	var batch []map[string]string
	for i := range 45 {
		batch = append(batch, map[string]string{"email": "c" + strconv.Itoa(i) + "@example.com"})
	}
	if _, err := s.CreateRecords(ctx, "contacts", batch, Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err := s.ExportRecords(ctx, "contacts", ExportRequest{Properties: []string{"hs_object_id"}, PageSize: 10}, func(values []string) error {
		id, err := strconv.ParseInt(values[0], 10, 64)
		if err != nil {
			return err
		}
		ids = append(ids, id)
		if len(ids) == 5 {
			if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "late@example.com"}, Source{Type: SourceAPI}); err != nil {
				return err
			}
			if err := s.ArchiveRecord(ctx, "contacts", 40, Source{Type: SourceAPI}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for id := int64(1); id <= 46; id++ {
		if id != 40 {
			want = append(want, id)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("exported ids %v, want %v", ids, want)
	}
}
