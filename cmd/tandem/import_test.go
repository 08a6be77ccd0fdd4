package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// csvFile writes content to a file in a temporary directory.
func csvFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportCLI_ImportShowListRevert(t *testing.T) {
	c := newCLI(t)
	file := csvFile(t, "leads.csv", "E-mail address,First Name,Colour,Signup\n"+
		"jane@example.com,Jane,blue,31/01/2024\n"+
		"bad,Bad,red,01/02/2024\n"+
		"JANE@example.com,Janet,green,\n")
	c.ok("properties", "create", "contacts", "--name", "signup", "--label", "Signup", "--type", "date", "--field-type", "date", "--group", "contactinformation")
	stdout, stderr, code := c.run("import", "contacts", file, "--map", "E-mail address=email", "--date-format", "day_month_year", "--no-overwrite", "lastname")
	if code != exitError || !strings.Contains(stderr, "1 row(s) failed") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"import 1 DONE: 3 rows", "created 1, updated 0, unchanged 0, merged 1, failed 1",
		"error file: " + filepath.Join(c.dataDir, "imports", "1-errors.csv"), "unmapped columns in leads.csv (not imported): Colour"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	r := c.record("records", "get", "contacts", "jane@example.com", "--id-property", "email")
	if r.Properties["firstname"] != "Janet" || r.Properties["signup"] != "2024-01-31" {
		t.Errorf("record %v", r.Properties)
	}

	var shown struct {
		Import crmstore.Import        `json:"import"`
		Errors []crmstore.ImportError `json:"errors"`
	}
	if err := json.Unmarshal([]byte(c.ok("import", "show", "1", "--errors")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Import.State != crmstore.ImportDone || len(shown.Errors) != 1 || shown.Errors[0].LineNumber != 3 || shown.Errors[0].Column != "E-mail address" {
		t.Fatalf("show %+v", shown)
	}
	var list struct {
		Results []crmstore.Import `json:"results"`
	}
	if err := json.Unmarshal([]byte(c.ok("import", "list")), &list); err != nil || len(list.Results) != 1 || list.Results[0].Name != "leads.csv" {
		t.Fatalf("list %+v, %v", list, err)
	}
	if out := c.ok("import", "revert", "1"); !strings.Contains(out, "import 1 REVERTED: archived 1 record(s)") {
		t.Errorf("revert: %s", out)
	}
	c.fail(exitError, "records", "get", "contacts", "jane@example.com", "--id-property", "email")
}

func TestImportCLI_OneFileTwoObjectsAndMultiFiles(t *testing.T) {
	c := newCLI(t)
	file := csvFile(t, "people.csv", "Email,Company Name,Company Domain\na@acme.com,Acme,acme.com\n")
	out := c.ok("import", "contacts", file, "--map", "Company Name=companies.name", "--map", "Company Domain=companies.domain")
	if !strings.Contains(out, "created 2,") || !strings.Contains(out, "associations 1") {
		t.Fatalf("summary:\n%s", out)
	}
	companies := csvFile(t, "companies.csv", "Works At,Company\nbeta.com,Beta\n")
	contacts := csvFile(t, "contacts.csv", "Email,Works At\nb@beta.com,beta.com\n")
	out = c.ok("import", "multi", "contacts="+contacts, "companies="+companies, "--join", "Works At=companies.domain",
		"--map", "companies:Company=name")
	if !strings.Contains(out, "import 2 DONE: 2 rows") || !strings.Contains(out, "associations 1") {
		t.Fatalf("multi summary:\n%s", out)
	}
	if r := c.record("records", "get", "companies", "beta.com", "--id-property", "domain"); r.Properties["name"] != "Beta" {
		t.Errorf("company %v", r.Properties)
	}
}

func TestImportCLI_UsageAndFileErrors(t *testing.T) {
	c := newCLI(t)
	good := csvFile(t, "a.csv", "Email\na@x.com\n")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "contacts"}, exitUsage, "needs 2 arguments"},
		{[]string{"import", "contacts", good, "--mode", "merge"}, exitUsage, "invalid --mode"},
		{[]string{"import", "contacts", good, "--date-format", "DMY"}, exitUsage, "invalid --date-format"},
		{[]string{"import", "contacts", good, "--map", "nothing"}, exitUsage, "invalid --map"},
		{[]string{"import", "multi", "contacts=" + good}, exitUsage, "at least 2"},
		{[]string{"import", "contacts", csvFile(t, "empty.csv", "")}, exitError, "the file is empty"},
		{[]string{"import", "contacts", csvFile(t, "head.csv", "Email\n")}, exitError, "header but no data rows"},
		{[]string{"import", "contacts", good, "--match", "firstname"}, exitError, "does not hold unique values"},
		{[]string{"import", "nosuch", good}, exitError, `object "nosuch" does not exist`},
		{[]string{"import", "show", "42"}, exitError, "not found"},
	} {
		if stderr := c.fail(tc.code, tc.args...); !strings.Contains(stderr, tc.want) {
			t.Errorf("tandem %s: stderr %q lacks %q", strings.Join(tc.args, " "), stderr, tc.want)
		}
	}
}
