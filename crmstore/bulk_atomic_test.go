package crmstore

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// tiedBatch is a batch of contacts (part 0) and companies (part 1) where
// each of lines 2 to 4 fills both parts and associates them. lines
// without Line leave the rows untied.
func tiedBatch(s *Store, tied bool, contacts, companies [3]map[string]string) ImportBatch {
	b := ImportBatch{Source: Source{Type: SourceImport, ID: "9"}, Parts: []ImportPart{
		{Object: "contacts", Operation: ImportUpsert, MatchProperty: "email"},
		{Object: "companies", Operation: ImportUpsert, MatchProperty: "domain"},
	}}
	for i := range 3 {
		var line int64
		if tied {
			line = int64(i + 2)
		}
		b.Parts[0].Rows = append(b.Parts[0].Rows, ImportRow{Key: contacts[i]["email"], Properties: contacts[i], Line: line})
		b.Parts[1].Rows = append(b.Parts[1].Rows, ImportRow{Key: companies[i]["domain"], Properties: companies[i], Line: line})
		b.Links = append(b.Links, ImportLink{Part: 0, Row: i, ToPart: 1, ToRow: i})
	}
	s.PrepareImportBatch(&b)
	return b
}

// TestWriteImportBatch_TiedRowsFailWhole fails line 3 in one part in
// several ways. Nothing of line 3 may be written or associated, and the
// records line 3 merged into with line 4 must hold line 4's values only.
func TestWriteImportBatch_TiedRowsFailWhole(t *testing.T) {
	const unknownOwner = "987654321"
	cases := []struct {
		name             string
		contact, company map[string]string
		// failing is the part whose error says why line 3 failed; the
		// other part's row gets ErrRowNotWritten.
		failing int
		code    string
	}{
		{name: "contact value invalid (before planning)",
			contact: map[string]string{"email": "not-an-email", "firstname": "Bad"},
			company: map[string]string{"domain": "globex.com", "name": "Globex Bad", "city": "Springfield"},
			failing: 0, code: CodeInvalidEmail},
		{name: "contact owner unknown (database check), company merges with line 4",
			contact: map[string]string{"email": "b@x.com", "hubspot_owner_id": unknownOwner},
			company: map[string]string{"domain": "globex.com", "name": "Globex Bad", "city": "Springfield"},
			failing: 0, code: CodeInvalidOwner},
		{name: "company owner unknown, contact merges with line 4",
			contact: map[string]string{"email": "c@x.com", "firstname": "Bad", "jobtitle": "Spy"},
			company: map[string]string{"domain": "nowhere.com", "hubspot_owner_id": unknownOwner},
			failing: 1, code: CodeInvalidOwner},
		{name: "company value invalid, contact merges with line 4",
			contact: map[string]string{"email": "c@x.com", "firstname": "Bad", "jobtitle": "Spy"},
			company: map[string]string{"domain": "nowhere.com", "numberofemployees": "many"},
			failing: 1, code: CodeInvalidInteger},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := context.Background()
			b := tiedBatch(s, true,
				[3]map[string]string{{"email": "a@x.com"}, tc.contact, {"email": "c@x.com", "firstname": "Cy"}},
				[3]map[string]string{{"domain": "acme.com", "name": "Acme"}, tc.company, {"domain": "globex.com", "name": "Globex"}})
			res, err := s.WriteImportBatch(ctx, b, nil)
			if err != nil {
				t.Fatal(err)
			}
			for part, rows := range res.Parts {
				line3 := rows[1]
				if line3.Outcome != OutcomeFailed || line3.RecordID != 0 {
					t.Errorf("part %d line 3 = %+v, want failed without a record", part, line3)
				}
				if notWritten := errors.Is(line3.Err, ErrRowNotWritten); notWritten == (part == tc.failing) {
					t.Errorf("part %d line 3 error %v: the failing part is %d", part, line3.Err, tc.failing)
				}
				for _, i := range []int{0, 2} {
					if rows[i].Outcome != OutcomeCreated {
						t.Errorf("part %d row %d = %+v, want created", part, i, rows[i])
					}
				}
			}
			var ve *ValidationError
			if !errors.As(res.Parts[tc.failing][1].Err, &ve) || ve.Errors[0].Code != tc.code {
				t.Errorf("line 3 error %v, want %s", res.Parts[tc.failing][1].Err, tc.code)
			}
			if res.Associations != 2 {
				t.Errorf("associations = %d, want 2 (lines 2 and 4)", res.Associations)
			}
			checkOnlyLines2And4(t, s)
		})
	}
}

// checkOnlyLines2And4 checks that the store holds lines 2 and 4 of a
// tiedBatch, line 4 with its own values, associated, and nothing else.
func checkOnlyLines2And4(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	for object, want := range map[string]int{"contacts": 2, "companies": 2} {
		page, err := s.ListRecords(ctx, object, ListOptions{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) != want {
			t.Errorf("%s = %d records, want %d", object, len(page.Records), want)
		}
	}
	globex, err := s.GetRecord(ctx, "companies", "globex.com", GetOptions{IDProperty: "domain"})
	if err != nil {
		t.Fatal(err)
	}
	if globex.Properties["name"] != "Globex" || globex.Properties["city"] != "" {
		t.Errorf("globex = name %q city %q, want line 4's values only", globex.Properties["name"], globex.Properties["city"])
	}
	c, err := s.GetRecord(ctx, "contacts", "c@x.com", GetOptions{IDProperty: "email"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Properties["firstname"] != "Cy" || c.Properties["jobtitle"] != "" || c.Properties["hubspot_owner_id"] != "" {
		t.Errorf("c@x.com = %v, want line 4's values only", c.Properties)
	}
	assoc, _, err := s.Associations(ctx, "contacts", c.ID, "companies", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(assoc) != 1 || assoc[0].ToObjectID != globex.ID {
		t.Errorf("c@x.com associations %+v, want globex %d", assoc, globex.ID)
	}
}

// TestWriteImportBatch_UntiedRowsStandAlone: without Lines each part's
// rows stand alone, as batches of one object always do.
func TestWriteImportBatch_UntiedRowsStandAlone(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	b := tiedBatch(s, false,
		[3]map[string]string{{"email": "a@x.com"}, {"email": "not-an-email"}, {"email": "c@x.com"}},
		[3]map[string]string{{"domain": "acme.com"}, {"domain": "initech.com"}, {"domain": "globex.com"}})
	res, err := s.WriteImportBatch(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Parts[0][1].Outcome != OutcomeFailed || res.Parts[1][1].Outcome != OutcomeCreated {
		t.Fatalf("line 3 = %+v / %+v, want the contact failed and the company created", res.Parts[0][1], res.Parts[1][1])
	}
	if _, err := s.GetRecord(ctx, "companies", "initech.com", GetOptions{IDProperty: "domain"}); err != nil {
		t.Errorf("initech.com: %v", err)
	}
}

func TestWriteImportBatch_TiedPartsNeedDistinctObjects(t *testing.T) {
	s := newTestStore(t)
	b := ImportBatch{Parts: []ImportPart{
		{Object: "contacts", Operation: ImportUpsert, MatchProperty: "email", Rows: []ImportRow{{Key: "a@x.com", Properties: map[string]string{"email": "a@x.com"}, Line: 2}}},
		{Object: "0-1", Operation: ImportUpsert, MatchProperty: "email", Rows: []ImportRow{{Key: "a@x.com", Properties: map[string]string{"firstname": "A"}, Line: 2}}},
	}}
	_, err := s.WriteImportBatch(context.Background(), b, nil)
	if err == nil || !strings.Contains(err.Error(), "parts 0 and 1 both write contacts") {
		t.Fatalf("err = %v, want the duplicated object named", err)
	}
}
