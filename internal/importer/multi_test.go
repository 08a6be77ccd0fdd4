package importer

import (
	"context"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// companyOf returns the ids of the companies a contact is associated with.
func (e *env) companiesOf(contactID int64) []int64 {
	e.t.Helper()
	assoc, _, err := e.store.Associations(context.Background(), "contacts", contactID, "companies", 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, a := range assoc {
		ids = append(ids, a.ToObjectID)
	}
	return ids
}

func TestImport_TwoObjectsInOneFileAreAssociated(t *testing.T) {
	e := newEnv(t)
	spec := e.spec("contacts", "Email,First Name,Company Name,Company Domain\n"+
		"a@acme.com,Ann,Acme,acme.com\n"+
		"b@acme.com,Bob,Acme Inc,https://www.acme.com/\n"+ // same company by normalised domain
		"c@solo.com,Cy,,\n") // no company columns: no company
	spec.Files[0].Columns = []ColumnSpec{
		{Name: "Company Name", Object: "companies", Property: "name"},
		{Name: "Company Domain", Object: "companies", Property: "domain"},
	}
	spec.AssociateRows = true
	sum := e.run(spec)
	if c := sum.Import.Counters; c.Created != 4 || c.Merged != 1 || c.Associations != 2 || c.Failed != 0 {
		t.Fatalf("counters %+v", c)
	}
	if n := e.count("companies"); n != 1 {
		t.Fatalf("companies = %d", n)
	}
	acme := e.get("companies", "domain", "acme.com")
	if acme.Properties["name"] != "Acme Inc" {
		t.Errorf("company name = %q: the later row wins", acme.Properties["name"])
	}
	for _, email := range []string{"a@acme.com", "b@acme.com"} {
		if got := e.companiesOf(e.get("contacts", "email", email).ID); len(got) != 1 || got[0] != acme.ID {
			t.Errorf("%s companies = %v, want [%d]", email, got, acme.ID)
		}
	}
	if got := e.companiesOf(e.get("contacts", "email", "c@solo.com").ID); len(got) != 0 {
		t.Errorf("c companies = %v", got)
	}
	// The import recorded both objects.
	if len(sum.Import.Objects) != 2 {
		t.Errorf("objects %v", sum.Import.Objects)
	}
}

func TestImport_FilesJoinedOnACommonColumn(t *testing.T) {
	e := newEnv(t)
	spec := Spec{Files: []FileSpec{
		// Given first, imported second: it links to the companies file.
		{Name: "contacts.csv", Path: e.file("contacts.csv", "Email,First Name,Company Domain\na@acme.com,Ann,acme.com\nb@x.com,Bob,nowhere.com\n"),
			Object: "contacts", Columns: []ColumnSpec{{Name: "Company Domain", ToObject: "companies", Property: "domain"}}},
		{Name: "companies.csv", Path: e.file("companies.csv", "Company Domain,Name\nacme.com,Acme\n"),
			Object: "companies", Columns: []ColumnSpec{{Name: "Company Domain", Property: "domain"}}},
	}}
	sum := e.run(spec)
	if c := sum.Import.Counters; c.Created != 3 || c.Associations != 1 || c.Failed != 1 {
		t.Fatalf("counters %+v", c)
	}
	acme := e.get("companies", "domain", "acme.com")
	if got := e.companiesOf(e.get("contacts", "email", "a@acme.com").ID); len(got) != 1 || got[0] != acme.ID {
		t.Errorf("a companies = %v", got)
	}
	errs := e.errors(sum.Import.ID)
	if len(errs) != 1 || errs[0].ErrorType != "UNKNOWN_ASSOCIATION_RECORD" || errs[0].FileName != "contacts.csv" || errs[0].LineNumber != 3 || errs[0].Column != "Company Domain" {
		t.Fatalf("errors %+v", errs)
	}
}

func TestImport_UnchangedRowsWriteNothing(t *testing.T) {
	e := newEnv(t)
	content := "Email,First Name,Phone Number\na@x.com,Ann,+1 555\nb@x.com,Bob,\n"
	first := e.run(e.spec("contacts", content))
	seq, err := e.store.LastChangeSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again := e.run(e.spec("contacts", content))
	if c := again.Import.Counters; c.Unchanged != 2 || c.Updated != 0 || c.Created != 0 {
		t.Fatalf("rerun counters %+v", c)
	}
	if after, _ := e.store.LastChangeSeq(context.Background()); after != seq {
		t.Errorf("rerun appended change-log rows: %d -> %d", seq, after)
	}
	// History carries the import as its source.
	changes, err := e.store.Changes(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		if ch.Op == crmstore.OpCreate && (ch.Source.Type != crmstore.SourceImport || ch.Source.ID != itoa(first.Import.ID)) {
			t.Errorf("change %d source %+v", ch.Seq, ch.Source)
		}
	}
}
