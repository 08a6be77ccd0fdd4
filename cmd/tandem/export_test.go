package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/importer"
)

// exportFixtureProps are custom contact properties of every value type.
var exportFixtureProps = []crmstore.PropertyInput{
	{Name: "interests", Label: "Interests", GroupName: "contactinformation", Type: crmstore.TypeEnumeration, FieldType: "checkbox",
		Options: []crmstore.Option{{Label: "Golf", Value: "golf"}, {Label: "Tennis", Value: "tennis", DisplayOrder: 1},
			{Label: "Chess", Value: "chess", DisplayOrder: 2}}},
	{Name: "signup_date", Label: "Signup date", GroupName: "contactinformation", Type: crmstore.TypeDate, FieldType: "date"},
	{Name: "last_seen", Label: "Last seen", GroupName: "contactinformation", Type: crmstore.TypeDateTime, FieldType: "date"},
	{Name: "score", Label: "Score", GroupName: "contactinformation", Type: crmstore.TypeNumber, FieldType: "number"},
	{Name: "vip", Label: "VIP", GroupName: "contactinformation", Type: crmstore.TypeBool, FieldType: "booleancheckbox",
		Options: []crmstore.Option{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false", DisplayOrder: 1}}},
}

// exportFixtureContacts hold values that CSV must quote or keep exactly.
var exportFixtureContacts = []map[string]string{
	{"email": "ann@example.com", "firstname": "Ann", "lastname": "O'Brien, Jr.", "lifecyclestage": "lead",
		"interests": "golf;tennis", "signup_date": "2024-01-10", "last_seen": "2024-01-10T10:00:00.250Z", "score": "10.5", "vip": "true",
		"address": "1 Main St\nApt \"B\"", "city": "Zürich"},
	{"email": "bob@example.org", "firstname": "Bob", "lastname": "=SUM(A1)", "lifecyclestage": "customer",
		"interests": "chess", "signup_date": "2023-12-31", "score": "-3", "vip": "false", "phone": "+1 (555) 010-0000"},
	{"email": "carla@example.com", "firstname": "Carla", "lifecyclestage": "lead", "signup_date": "2024-06-30"},
}

// newExportCLI returns a CLI on a store holding the fixture contacts.
func newExportCLI(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	seedExportStore(t, c.dataDir, exportFixtureContacts)
	return c
}

func seedExportStore(t *testing.T, dir string, contacts []map[string]string) {
	t.Helper()
	ctx := context.Background()
	st, err := crmstore.Open(ctx, dir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, in := range exportFixtureProps {
		if _, err := st.CreateProperty(ctx, "contacts", in); err != nil {
			t.Fatalf("create property %s: %v", in.Name, err)
		}
	}
	if len(contacts) == 0 {
		return
	}
	res, err := st.CreateRecords(ctx, "contacts", contacts, cliSource)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("create contact %d: %v", r.Index, r.Err)
		}
	}
}

// readCSV parses CSV text into its rows.
func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, s)
	}
	return rows
}

// column returns the values of the column headed h, or fails.
func column(t *testing.T, rows [][]string, h string) []string {
	t.Helper()
	i := slices.Index(rows[0], h)
	if i < 0 {
		t.Fatalf("no column %q in %q", h, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

func TestExport_DefaultColumnsAndValues(t *testing.T) {
	c := newExportCLI(t)
	rows := readCSV(t, c.ok("export", "contacts"))
	if len(rows) != 4 {
		t.Fatalf("%d rows, want a header and 3 records", len(rows))
	}
	if rows[0][0] != "Record ID" || rows[0][1] != "Email" {
		t.Errorf("header starts %q, want Record ID, then Email (the display property)", rows[0][:2])
	}
	for _, h := range []string{"First Name", "Last Name", "Lifecycle Stage", "Interests", "Signup date", "Last seen", "Score", "VIP", "Street Address"} {
		column(t, rows, h)
	}
	for _, h := range []string{"Create Date", "Last Modified Date", "createdate"} {
		if slices.Contains(rows[0], h) {
			t.Errorf("read-only column %q in the default export", h)
		}
	}
	checks := map[string][]string{
		"Record ID":      {"1", "2", "3"},
		"Email":          {"ann@example.com", "bob@example.org", "carla@example.com"},
		"Last Name":      {"O'Brien, Jr.", "=SUM(A1)", ""},
		"Interests":      {"golf;tennis", "chess", ""},
		"Signup date":    {"2024-01-10", "2023-12-31", "2024-06-30"},
		"Last seen":      {"2024-01-10T10:00:00.250Z", "", ""},
		"Score":          {"10.5", "-3", ""},
		"VIP":            {"true", "false", ""},
		"Street Address": {"1 Main St\nApt \"B\"", "", ""},
		"City":           {"Zürich", "", ""},
	}
	for h, want := range checks {
		if got := column(t, rows, h); !slices.Equal(got, want) {
			t.Errorf("column %s = %q, want %q", h, got, want)
		}
	}
}

func TestExport_PropertiesHeaderAndAll(t *testing.T) {
	c := newExportCLI(t)
	rows := readCSV(t, c.ok("export", "contacts", "--properties", "email, interests", "--header", "names"))
	if want := []string{"hs_object_id", "email", "interests"}; !slices.Equal(rows[0], want) {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	if !slices.Equal(rows[1], []string{"1", "ann@example.com", "golf;tennis"}) {
		t.Errorf("first row %q", rows[1])
	}

	// hs_object_id placed by --properties stays where it is put.
	rows = readCSV(t, c.ok("export", "contacts", "--properties", "email,hs_object_id,createdate"))
	if want := []string{"Email", "Record ID", "Create Date"}; !slices.Equal(rows[0], want) {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	if !strings.HasSuffix(rows[1][2], "Z") || len(rows[1][2]) != len("2024-01-10T10:00:00.000Z") {
		t.Errorf("createdate %q is not an ISO-8601 UTC datetime", rows[1][2])
	}

	rows = readCSV(t, c.ok("export", "contacts", "--all-properties"))
	for _, h := range []string{"Record ID", "Create Date", "Last Modified Date", "Email"} {
		column(t, rows, h)
	}

	stderr := c.fail(exitUsage, "export", "contacts", "--properties", "email,nosuch")
	if !strings.Contains(stderr, `"nosuch" is not a property of contacts`) {
		t.Errorf("unknown property: %s", stderr)
	}
	c.fail(exitUsage, "export", "contacts", "--properties", "email", "--all-properties")
	c.fail(exitUsage, "export", "contacts", "--header", "ids")
	if stderr := c.fail(exitError, "export", "nosuch"); !strings.Contains(stderr, "nosuch") {
		t.Errorf("unknown object: %s", stderr)
	}
}

func TestExport_Filters(t *testing.T) {
	c := newExportCLI(t)
	emails := func(args ...string) []string {
		t.Helper()
		return column(t, readCSV(t, c.ok(append([]string{"export", "contacts", "--properties", "email"}, args...)...)), "Email")
	}
	cases := []struct {
		filters []string
		want    []string
	}{
		{[]string{"lifecyclestage EQ lead"}, []string{"ann@example.com", "carla@example.com"}},
		{[]string{"lifecyclestage = lead", "signup_date BETWEEN 2024-01-01 2024-03-31"}, []string{"ann@example.com"}},
		{[]string{"signup_date BETWEEN 2024-01-01 AND 2024-12-31"}, []string{"ann@example.com", "carla@example.com"}},
		{[]string{"signup_date between 2023-01-01,2023-12-31"}, []string{"bob@example.org"}},
		{[]string{"lastname EQ O'Brien, Jr."}, []string{"ann@example.com"}},
		{[]string{`lastname IN "O'Brien, Jr.",nobody`}, []string{"ann@example.com"}},
		{[]string{"interests IN tennis,chess"}, []string{"ann@example.com", "bob@example.org"}},
		{[]string{"score < 0"}, []string{"bob@example.org"}},
		{[]string{"last_seen HAS_PROPERTY"}, []string{"ann@example.com"}},
		{[]string{"lifecyclestage NEQ lead"}, []string{"bob@example.org"}},
		{[]string{"email CONTAINS_TOKEN *@example.com"}, []string{"ann@example.com", "carla@example.com"}},
		{[]string{"createdate GT 2000-01-01T00:00:00Z", "hs_object_id GTE 3"}, []string{"carla@example.com"}},
		{[]string{"firstname EQ nobody"}, nil},
	}
	for _, tc := range cases {
		var args []string
		for _, f := range tc.filters {
			args = append(args, "--filter", f)
		}
		if got := emails(args...); !slices.Equal(got, tc.want) {
			t.Errorf("filters %q: %q, want %q", tc.filters, got, tc.want)
		}
	}
	if got := emails("--query", "car"); !slices.Equal(got, []string{"carla@example.com"}) {
		t.Errorf("--query car: %q", got)
	}
}

func TestExport_FilterErrors(t *testing.T) {
	c := newExportCLI(t)
	cases := []struct {
		filter, want string
	}{
		{"nosuch EQ 1", `error: --filter "nosuch EQ 1": property "nosuch" does not exist on contacts`},
		{"score EQ ten", `--filter "score EQ ten": "ten" is not a valid number for property "score"`},
		{"lifecyclestage LIKE lead", `invalid --filter "lifecyclestage LIKE lead": unknown operator "LIKE"`},
		{"lifecyclestage", `invalid --filter "lifecyclestage": want PROPERTY OPERATOR [VALUE]`},
		{"lifecyclestage EQ", `invalid --filter "lifecyclestage EQ": EQ needs a value`},
		{"createdate BETWEEN 2024-01-01", `BETWEEN needs two values`},
		{"email HAS_PROPERTY x", `HAS_PROPERTY takes no value`},
		{"email IN a,,b", `value 2 is empty`},
	}
	for _, tc := range cases {
		stderr := c.fail(exitUsage, "export", "contacts", "--filter", tc.filter)
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("--filter %q: stderr %q, want it to contain %q", tc.filter, stderr, tc.want)
		}
	}
	args := []string{"export", "contacts"}
	for range crmstore.MaxSearchFiltersPerGroup + 1 {
		args = append(args, "--filter", "email HAS_PROPERTY")
	}
	if stderr := c.fail(exitUsage, args...); !strings.Contains(stderr, "too many --filter flags: 7 given, at most 6") {
		t.Errorf("too many filters: %s", stderr)
	}
}

func TestExport_OutputFile(t *testing.T) {
	c := newExportCLI(t)
	out := filepath.Join(t.TempDir(), "contacts.csv")
	if got := c.ok("export", "contacts", "--properties", "email", "-o", out); got != "exported 3 contacts to "+out+"\n" {
		t.Errorf("summary %q", got)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Record ID,Email\n1,ann@example.com\n2,bob@example.org\n3,carla@example.com\n"; string(data) != want {
		t.Errorf("file holds %q, want %q", data, want)
	}

	// A failed export leaves neither the file nor a temporary one.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	c.fail(exitUsage, "export", "contacts", "--filter", "nosuch EQ 1", "-o", bad)
	if entries, _ := os.ReadDir(filepath.Dir(bad)); len(entries) != 0 {
		t.Errorf("a failed export left %v", entries)
	}
	// An existing file is replaced only by a complete export.
	c.fail(exitUsage, "export", "contacts", "--filter", "nosuch EQ 1", "-o", out)
	if again, _ := os.ReadFile(out); string(again) != string(data) {
		t.Errorf("a failed export changed the existing file: %q", again)
	}
	if stderr := c.fail(exitError, "export", "contacts", "-o", t.TempDir()); !strings.Contains(stderr, "is a directory") {
		t.Errorf("-o DIR: %s", stderr)
	}
}

// TestExport_HeaderLabelCollisions checks that a label another property
// could claim is replaced by the property's name.
func TestExport_HeaderLabelCollisions(t *testing.T) {
	c := newExportCLI(t)
	ctx := context.Background()
	st, err := crmstore.Open(ctx, c.dataDir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []crmstore.PropertyInput{
		// Shares the label of the built-in city.
		{Name: "home_city", Label: "City", GroupName: "contactinformation", Type: crmstore.TypeString, FieldType: "text"},
		// Its label is the name of another property and the label of
		// that property: both get their names.
		{Name: "nickname", Label: "First name", GroupName: "contactinformation", Type: crmstore.TypeString, FieldType: "text"},
	} {
		if _, err := st.CreateProperty(ctx, "contacts", in); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	rows := readCSV(t, c.ok("export", "contacts", "--properties", "city,home_city,nickname,firstname,lastname"))
	if want := []string{"Record ID", "city", "home_city", "nickname", "firstname", "Last Name"}; !slices.Equal(rows[0], want) {
		t.Errorf("header %q, want %q", rows[0], want)
	}
}

// TestExport_RoundTrip exports the fixture, imports the file into an empty
// store with the same property definitions, and checks that every record
// comes back with the same values.
func TestExport_RoundTrip(t *testing.T) {
	c := newExportCLI(t)
	file := filepath.Join(t.TempDir(), "contacts.csv")
	c.ok("export", "contacts", "-o", file)

	ctx := context.Background()
	dstDir := t.TempDir()
	seedExportStore(t, dstDir, nil)
	dst, err := crmstore.Open(ctx, dstDir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	im := importer.New(dst, t.TempDir(), nil)
	sum, err := im.Run(ctx, importer.Spec{Source: importer.SourceCLI,
		Files: []importer.FileSpec{{Name: "contacts.csv", Path: file, Object: "contacts"}}}, nil)
	if err != nil {
		t.Fatalf("import the export: %v", err)
	}
	if got := sum.Import.Counters; got.Created != 3 || got.Failed != 0 {
		t.Fatalf("import counters %+v, want 3 created, none failed", got)
	}

	src, err := crmstore.Open(ctx, c.dataDir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	props, err := src.Properties(ctx, "contacts", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range exportFixtureContacts {
		a, err := src.GetRecord(ctx, "contacts", want["email"], crmstore.GetOptions{IDProperty: "email"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.GetRecord(ctx, "contacts", want["email"], crmstore.GetOptions{IDProperty: "email"})
		if err != nil {
			t.Fatalf("%s after the round trip: %v", want["email"], err)
		}
		for _, p := range props {
			if p.ReadOnlyValue || p.Calculated {
				continue
			}
			if a.Properties[p.Name] != b.Properties[p.Name] {
				t.Errorf("%s: %s = %q after the round trip, was %q", want["email"], p.Name, b.Properties[p.Name], a.Properties[p.Name])
			}
		}
	}
}
