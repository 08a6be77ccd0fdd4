package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// wantProblem is one reason a row failed, as import_errors keeps it.
type wantProblem struct {
	errType, column, object string
}

// TestImport_RowWithTwoObjectsFailsWhole imports rows holding a contact
// and its company where line 3 fails in one of its parts, and a valid
// line 4 merges into line 3's company. Line 3 must write nothing (no
// contact, no company, no association) and be reported once with every
// reason; line 4 must land with its own values only.
func TestImport_RowWithTwoObjectsFailsWhole(t *testing.T) {
	const header = "Email,First Name,Company Name,Company Domain,Company City,Employees\n"
	cases := []struct {
		name    string
		objects []ObjectSpec
		// companiesExist creates acme.com and globex.com before the import.
		companiesExist bool
		// contactExists creates line 3's contact before the import.
		contactExists    bool
		line3            string
		created, updated int64
		// want lists the reasons in the file's part order: companies,
		// mapped by explicit columns, come first.
		want []wantProblem
	}{
		{name: "contact value invalid",
			line3: "bad-email,Bo,Globex Bad,globex.com,Springfield,", created: 4,
			want: []wantProblem{{"INVALID_EMAIL", "Email", "0-1"}}},
		{name: "company value invalid",
			line3: "b@x.com,Bo,Globex Bad,globex.com,Springfield,many", created: 4,
			want: []wantProblem{{"INVALID_NUMBER", "Employees", "0-2"}}},
		{name: "both parts invalid",
			line3: "bad-email,Bo,Globex Bad,globex.com,Springfield,many", created: 4,
			want: []wantProblem{{"INVALID_NUMBER", "Employees", "0-2"}, {"INVALID_EMAIL", "Email", "0-1"}}},
		{name: "contact exists in a create-only import",
			objects:       []ObjectSpec{{Object: "contacts", Operation: crmstore.ImportCreate}},
			contactExists: true,
			line3:         "b@x.com,Bo,Globex Bad,globex.com,Springfield,", created: 4,
			want: []wantProblem{{"CREATE_ONLY_IMPORT_EXISTING_OBJECT", "Email", "0-1"}}},
		{name: "company missing in an update-only import",
			objects:        []ObjectSpec{{Object: "companies", Operation: crmstore.ImportUpdate}},
			companiesExist: true,
			line3:          "b@x.com,Bo,Nowhere,nowhere.com,Springfield,", created: 2, updated: 2,
			want: []wantProblem{{"UPDATE_ONLY_IMPORT_NO_EXISTING_OBJECT", "Company Domain", "0-2"}}},
	}
	for _, tc := range cases {
		// Batches of 1000 hold every line; batches of 2 put line 4 in a
		// batch of its own, after line 3's.
		for _, size := range []int{1000, 2} {
			t.Run(fmt.Sprintf("%s/batch %d", tc.name, size), func(t *testing.T) {
				e := newEnv(t, WithBatchSize(size))
				ctx := context.Background()
				src := crmstore.Source{Type: crmstore.SourceAPI}
				if tc.companiesExist {
					for _, d := range []string{"acme.com", "globex.com"} {
						if _, err := e.store.CreateRecord(ctx, "companies", map[string]string{"domain": d, "name": "Old " + d}, src); err != nil {
							t.Fatal(err)
						}
					}
				}
				var existing int64
				if tc.contactExists {
					r, err := e.store.CreateRecord(ctx, "contacts", map[string]string{"email": "b@x.com", "firstname": "Old"}, src)
					if err != nil {
						t.Fatal(err)
					}
					existing = r.ID
				}
				spec := e.spec("contacts", header+
					"a@acme.com,Ann,Acme,acme.com,,\n"+
					tc.line3+"\n"+
					"c@globex.com,Cy,Globex,globex.com,,\n", tc.objects...)
				spec.Files[0].Columns = []ColumnSpec{
					{Name: "Company Name", Object: "companies", Property: "name"},
					{Name: "Company Domain", Object: "companies", Property: "domain"},
					{Name: "Company City", Object: "companies", Property: "city"},
					{Name: "Employees", Object: "companies", Property: "numberofemployees"},
				}
				spec.AssociateRows = true
				sum := e.run(spec)

				c := sum.Import.Counters
				if c.Rows != 3 || c.Failed != 1 || c.Created != tc.created || c.Updated != tc.updated || c.Merged != 0 || c.Associations != 2 {
					t.Errorf("counters %+v, want 3 rows, 1 failed, %d created, %d updated, 2 associations", c, tc.created, tc.updated)
				}
				checkLine3Errors(t, e, sum, tc.want)
				checkLine3WroteNothing(t, e, existing)
				// Line 4 landed with its own company values only.
				globex := e.get("companies", "domain", "globex.com")
				if globex.Properties["name"] != "Globex" || globex.Properties["city"] != "" {
					t.Errorf("globex = name %q city %q, want Globex without line 3's city", globex.Properties["name"], globex.Properties["city"])
				}
				if got := e.companiesOf(e.get("contacts", "email", "c@globex.com").ID); len(got) != 1 || got[0] != globex.ID {
					t.Errorf("c@globex.com companies = %v, want [%d]", got, globex.ID)
				}
				acme := e.get("companies", "domain", "acme.com")
				if got := e.companiesOf(e.get("contacts", "email", "a@acme.com").ID); len(got) != 1 || got[0] != acme.ID {
					t.Errorf("a@acme.com companies = %v, want [%d]", got, acme.ID)
				}
			})
		}
	}
}

// checkLine3Errors checks that line 3, and only it, is reported with every
// reason: in import_errors once per reason, in the error file once.
func checkLine3Errors(t *testing.T, e *env, sum Summary, want []wantProblem) {
	t.Helper()
	got := e.errors(sum.Import.ID)
	if len(got) != len(want) {
		t.Fatalf("errors %+v, want %d for line 3", got, len(want))
	}
	var types []string
	for i, w := range want {
		g := got[i]
		if g.LineNumber != 3 || g.ErrorType != w.errType || g.Column != w.column || g.ObjectTypeID != w.object ||
			!strings.Contains(g.Message, fmt.Sprintf("column %q", w.column)) {
			t.Errorf("error %d = %+v, want line 3 %+v", i, g, w)
		}
		types = append(types, w.errType)
	}
	f, err := os.Open(sum.Import.ErrorFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "3" || rows[1][1] != strings.Join(types, ";") {
		t.Errorf("error file rows %q, want the header and line 3 with %v", rows, types)
	}
}

// checkLine3WroteNothing checks that line 3 left no contact and no company
// behind, and that the contact it named (existing, when not 0) was not
// changed or associated.
func checkLine3WroteNothing(t *testing.T, e *env, existing int64) {
	t.Helper()
	ctx := context.Background()
	if n := e.count("companies"); n != 2 {
		t.Errorf("companies = %d, want acme and globex only", n)
	}
	if _, err := e.store.GetRecord(ctx, "companies", "nowhere.com", crmstore.GetOptions{IDProperty: "domain"}); !errors.Is(err, crmstore.ErrNotFound) {
		t.Errorf("nowhere.com: err %v, want not found", err)
	}
	if existing == 0 {
		if n := e.count("contacts"); n != 2 {
			t.Errorf("contacts = %d, want a and c only", n)
		}
		return
	}
	b := e.get("contacts", "email", "b@x.com")
	if b.Properties["firstname"] != "Old" {
		t.Errorf("existing contact firstname = %q, want Old", b.Properties["firstname"])
	}
	if got := e.companiesOf(existing); len(got) != 0 {
		t.Errorf("existing contact companies = %v, want none", got)
	}
}
