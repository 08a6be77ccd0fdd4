package crmstore

import (
	"context"
	"fmt"
	"maps"
	"testing"
)

func TestSameValues(t *testing.T) {
	email := &Property{Name: "email"}
	city := &Property{Name: "city"}
	hsCity := &Property{Name: "hs_city"}
	vals := func(kv ...any) []preparedValue {
		var l []preparedValue
		for i := 0; i < len(kv); i += 2 {
			l = append(l, preparedValue{prop: kv[i].(*Property), value: kv[i+1].(string)})
		}
		return l
	}
	cases := []struct {
		name   string
		props  string
		values []preparedValue
		fast   bool // whether the props are read without the general decoder
		same   bool // what sameValues answers
	}{
		{"all present", `{"email":"a@b.co","city":"Oslo"}`, vals(email, "a@b.co", city, "Oslo"), true, true},
		{"no values", `{"email":"a@b.co"}`, vals(), true, true},
		{"value differs", `{"email":"a@b.co","city":"Lyon"}`, vals(city, "Oslo"), true, false},
		{"value is a prefix", `{"city":"Oslo2"}`, vals(city, "Oslo"), true, false},
		{"missing", `{"email":"a@b.co"}`, vals(city, "Oslo"), true, false},
		{"name is a suffix of another", `{"hs_city":"Oslo"}`, vals(city, "Oslo"), true, false},
		{"both names present", `{"hs_city":"Oslo","city":"Oslo"}`, vals(hsCity, "Oslo", city, "Oslo"), true, true},
		{"member text inside a value", `{"x":"a\",\"city\":\"Oslo\",\"y","city":"Lyon"}`, vals(city, "Oslo"), false, false},
		{"escaped value", `{"city":"O\"slo"}`, vals(city, `O"slo`), false, true},
		{"non-ASCII value", `{"city":"Tromsø"}`, vals(city, "Tromsø"), true, true},
		{"unicode escape", `{"city":"\u004fslo"}`, vals(city, "Oslo"), false, true},
		{"white space", `{ "city" : "Oslo" }`, vals(city, "Oslo"), true, true},
		{"duplicate member, last wins", `{"city":"Oslo","city":"Lyon"}`, vals(city, "Lyon"), true, true},
		{"duplicate member, first lost", `{"city":"Oslo","city":"Lyon"}`, vals(city, "Oslo"), true, false},
		{"empty object", `{}`, vals(city, "Oslo"), true, false},
		{"text after the object is ignored, as decodeStringMap does", `{"city":"Oslo"}x`, vals(city, "Oslo"), true, true},
		{"number member", `{"city":"Oslo","n":1}`, vals(city, "Oslo"), false, false},
		{"not an object", `[]`, vals(city, "Oslo"), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := appendStringPairs(nil, tc.props); got != tc.fast {
				t.Errorf("fast path %v, want %v", got, tc.fast)
			}
			if got := sameValues(tc.props, tc.values, &sameScratch{values: map[string]string{}}); got != tc.same {
				t.Errorf("sameValues = %v, want %v", got, tc.same)
			}
		})
	}
}

// contactRows are import rows for the encoded-create comparison: new
// records, a row in need of JSON escapes, rows that merge, and a row for a
// record that exists already.
func contactRows() []ImportRow {
	return []ImportRow{
		{Key: "a@x.com", Properties: map[string]string{"email": "a@x.com", "firstname": "A", "lifecyclestage": "lead"}},
		{Key: "b@x.com", Properties: map[string]string{"email": "b@x.com", "firstname": "Bø \"Q\"", "city": "<Oslo>\n"}},
		{Key: "c@x.com", Properties: map[string]string{"email": "c@x.com", "firstname": "C1"}},
		{Key: "C@x.com", Properties: map[string]string{"email": "C@x.com", "lastname": "C2"}},
		{Key: "old@x.com", Properties: map[string]string{"email": "old@x.com", "jobtitle": "Cook"}},
		{Key: "", Properties: map[string]string{"firstname": "Keyless"}},
	}
}

// importSnapshot writes contactRows into a fresh store and returns each
// record's values and change-log bodies by email (or first name).
func importSnapshot(t *testing.T, encode bool) (map[string]map[string]string, map[string]string, []string) {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	src := Source{Type: SourceImport, ID: "9", Label: "people.csv"}
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "old@x.com", "jobtitle": "Chef"}, Source{Type: "API"}); err != nil {
		t.Fatal(err)
	}
	b := ImportBatch{Source: src, EncodeCreates: encode, Parts: []ImportPart{{Object: "contacts", Operation: ImportUpsert,
		MatchProperty: "email", Rows: contactRows()}}}
	s.PrepareImportBatch(&b)
	if encode && b.Parts[0].Rows[0].prep.create == nil {
		t.Fatal("EncodeCreates did not encode the rows")
	}
	res, err := s.WriteImportBatch(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, r := range res.Parts[0] {
		outcomes = append(outcomes, r.Outcome)
	}
	records := map[string]map[string]string{}
	bodies := map[string]string{}
	changes, err := s.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		rec, err := s.GetRecord(ctx, "contacts", fmt.Sprint(ch.RecordID), GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		key := rec.Properties["email"] + rec.Properties["firstname"]
		props := maps.Clone(rec.Properties)
		for _, sys := range []string{"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"} {
			delete(props, sys)
		}
		records[key] = props
		bodies[key+" "+ch.Op+" "+ch.Source.Type] = changeText(ch.Properties)
	}
	return records, bodies, outcomes
}

func TestPrepareImportBatch_EncodedCreatesWriteTheSame(t *testing.T) {
	plainRecs, plainBodies, plainOut := importSnapshot(t, false)
	encRecs, encBodies, encOut := importSnapshot(t, true)
	if fmt.Sprint(plainOut) != fmt.Sprint(encOut) {
		t.Errorf("outcomes %v, encoded %v", plainOut, encOut)
	}
	want := []string{OutcomeCreated, OutcomeCreated, OutcomeCreated, OutcomeMerged, OutcomeUpdated, OutcomeCreated}
	if fmt.Sprint(encOut) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", encOut, want)
	}
	if !maps.EqualFunc(plainRecs, encRecs, maps.Equal) {
		t.Errorf("records differ:\nplain   %v\nencoded %v", plainRecs, encRecs)
	}
	if !maps.Equal(plainBodies, encBodies) {
		t.Errorf("change log differs:\nplain   %v\nencoded %v", plainBodies, encBodies)
	}
	if r := encRecs["b@x.comBø \"Q\""]; r["city"] != "<Oslo>\n" || r["hs_object_source_id"] != "9" {
		t.Errorf("escaped record %v", r)
	}
}

func TestNewCreateEncoder_SkipsObjectsWithStages(t *testing.T) {
	s := newTestStore(t)
	c := s.catalog()
	for object, want := range map[string]bool{"contacts": true, "companies": true, "deals": false, "tickets": false} {
		o, err := c.object(object)
		if err != nil {
			t.Fatal(err)
		}
		if got := newCreateEncoder(c, o, Source{Type: SourceImport}) != nil; got != want {
			t.Errorf("%s: encoder %v, want %v", object, got, want)
		}
	}
}

// changeText renders value changes with their strings, not pointers.
func changeText(m map[string]ValueChange) string {
	deref := func(p *string) string {
		if p == nil {
			return "<none>"
		}
		return *p
	}
	out := map[string]string{}
	for k, vc := range m {
		out[k] = deref(vc.Old) + " -> " + deref(vc.New)
	}
	return fmt.Sprint(out)
}

func TestPrepareImportBatch_ColumnsMatchProperties(t *testing.T) {
	s := newTestStore(t)
	columns := []string{"email", "firstname", "nosuchprop", "hs_object_id", "lifecyclestage", "numemployees"}
	rows := [][]string{
		{"a@x.com", "A", "", "", "lead", ""},
		{"B@X.com", "", "", "", "", ""},
		{"not-an-email", "C", "v", "", "nostage", ""},
		{"d@x.com", "D", "", "12", "", ""},
		{"", "E", "", "", "", ""},
		{" e@x.com ", "", "", "", "customer", ""},
	}
	keys := []string{"a@x.com", "b@x.com", "not-an-email", "d@x.com", "", " e@x.com "}
	asMaps := ImportPart{Object: "contacts", Operation: ImportUpsert, MatchProperty: "email"}
	asCols := asMaps
	asCols.Columns = columns
	for i, vals := range rows {
		props := map[string]string{}
		for j, v := range vals {
			if v != "" {
				props[columns[j]] = v
			}
		}
		asMaps.Rows = append(asMaps.Rows, ImportRow{Key: keys[i], Properties: props})
		asCols.Rows = append(asCols.Rows, ImportRow{Key: keys[i], Values: vals})
	}
	bm := ImportBatch{Parts: []ImportPart{asMaps}}
	bc := ImportBatch{Parts: []ImportPart{asCols}}
	s.PrepareImportBatch(&bm)
	s.PrepareImportBatch(&bc)
	failed := 0
	for i := range rows {
		m, c := bm.Parts[0].Rows[i].prep, bc.Parts[0].Rows[i].prep
		if fmt.Sprint(m.errs) != fmt.Sprint(c.errs) {
			t.Errorf("row %d errors:\nproperties %v\ncolumns    %v", i, m.errs, c.errs)
		}
		if fmt.Sprint(m.keyErr) != fmt.Sprint(c.keyErr) || m.key != c.key {
			t.Errorf("row %d key %q %v, columns %q %v", i, m.key, m.keyErr, c.key, c.keyErr)
		}
		mv, cv := m.valueMap(), c.valueMap()
		if len(mv) != len(cv) {
			t.Errorf("row %d: %d values, columns %d", i, len(mv), len(cv))
		}
		for pid, v := range mv {
			if cv[pid] != v {
				t.Errorf("row %d property %s: %+v, columns %+v", i, v.prop.Name, v, cv[pid])
			}
		}
		if len(m.errs) > 0 {
			failed++
		}
	}
	if failed < 2 || failed == len(rows) {
		t.Fatalf("%d of %d rows failed; the table needs good and bad rows", failed, len(rows))
	}
}
