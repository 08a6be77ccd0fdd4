package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// cli runs the tandem command line in-process against one data directory.
type cli struct {
	t       *testing.T
	dataDir string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	t.Parallel()
	return &cli{t: t, dataDir: t.TempDir()}
}

// run runs tandem with args and --data-dir, returning stdout, stderr and the exit code.
func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code = run(append(args, "--data-dir", c.dataDir), &out, &errOut)
	return out.String(), errOut.String(), code
}

// ok runs tandem and fails the test unless it exits 0 with nothing on stderr.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 0 || stderr != "" {
		c.t.Fatalf("tandem %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// fail runs tandem and fails the test unless it exits with code and prints nothing on stdout.
func (c *cli) fail(code int, args ...string) string {
	c.t.Helper()
	stdout, stderr, got := c.run(args...)
	if got != code {
		c.t.Fatalf("tandem %s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, stdout, stderr)
	}
	if stdout != "" {
		c.t.Errorf("tandem %s: stdout should be empty on failure, got:\n%s", strings.Join(args, " "), stdout)
	}
	return stderr
}

// record runs tandem and decodes the record it prints.
func (c *cli) record(args ...string) recordJSON {
	c.t.Helper()
	var r recordJSON
	decode(c.t, c.ok(args...), &r)
	return r
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, s)
	}
}

func TestRecords_CreateGetUpdateArchiveRestore(t *testing.T) {
	c := newCLI(t)

	created := c.record("records", "create", "contacts", "email=Jane@Example.com", "firstname=Jane", "website=https://example.com/?a=b")
	if created.ID != "1" || created.Archived {
		t.Fatalf("created record: %+v", created)
	}
	if got := created.Properties["email"]; got != "jane@example.com" {
		t.Errorf("email = %q, want it normalised to jane@example.com", got)
	}
	if got := created.Properties["website"]; got != "https://example.com/?a=b" {
		t.Errorf("website = %q: a value is everything after the first '='", got)
	}
	if created.CreatedAt == "" || created.UpdatedAt == "" {
		t.Errorf("timestamps missing: %+v", created)
	}

	byID := c.record("records", "get", "contacts", "1")
	if byID.Properties["firstname"] != "Jane" {
		t.Errorf("get by id: %+v", byID)
	}
	byEmail := c.record("records", "get", "contacts", "jane@example.com", "--id-property", "email", "--properties", "email,firstname")
	if byEmail.ID != "1" || len(byEmail.Properties) != 2 {
		t.Errorf("get by email with --properties: %+v", byEmail)
	}

	updated := c.record("records", "update", "contacts", "1", "lastname=Doe", "firstname=Janet")
	if updated.Properties["lastname"] != "Doe" || updated.Properties["firstname"] != "Janet" {
		t.Errorf("update: %+v", updated)
	}
	if got := c.record("records", "get", "contacts", "1").Properties["lastname"]; got != "Doe" {
		t.Errorf("lastname after update = %q", got)
	}

	archived := c.record("records", "archive", "contacts", "1")
	if !archived.Archived || archived.ArchivedAt == "" {
		t.Errorf("archive printed %+v", archived)
	}
	if stderr := c.fail(exitError, "records", "get", "contacts", "1"); !strings.Contains(stderr, "not found") {
		t.Errorf("get of an archived record: stderr %q", stderr)
	}
	if r := c.record("records", "get", "contacts", "1", "--archived"); !r.Archived {
		t.Errorf("get --archived: %+v", r)
	}

	restored := c.record("records", "restore", "contacts", "1")
	if restored.Archived || restored.Properties["lastname"] != "Doe" {
		t.Errorf("restore printed %+v", restored)
	}
	c.record("records", "get", "contacts", "jane@example.com", "--id-property", "email")

	var hist historyJSON
	decode(t, c.ok("records", "history", "contacts", "1", "--properties", "firstname"), &hist)
	fn := hist.PropertiesWithHistory["firstname"]
	if len(hist.PropertiesWithHistory) != 1 || len(fn) != 2 || fn[0].Value != "Janet" || fn[1].Value != "Jane" {
		t.Errorf("history: %+v", hist)
	} else if fn[0].Type != "CLI" || fn[0].Label != "tandem CLI" {
		t.Errorf("history source = %+v, want CLI / tandem CLI", fn[0].Source)
	}

	c.ok("records", "delete", "contacts", "1")
	c.fail(exitError, "records", "get", "contacts", "1")
	c.fail(exitError, "records", "get", "contacts", "1", "--archived")
}

func TestRecords_ListPaging(t *testing.T) {
	c := newCLI(t)
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		c.ok("records", "create", "contacts", "email="+email)
	}

	var page recordPageJSON
	decode(t, c.ok("records", "list", "contacts", "--limit", "2", "--properties", "email"), &page)
	if len(page.Results) != 2 || page.Results[0].Properties["email"] != "a@example.com" {
		t.Fatalf("first page: %+v", page)
	}
	if page.Paging == nil || page.Paging.Next.After != page.Results[1].ID {
		t.Fatalf("first page paging = %+v, want next.after = %s", page.Paging, page.Results[1].ID)
	}

	out := c.ok("records", "list", "contacts", "--limit", "2", "--after", page.Paging.Next.After)
	if strings.Contains(out, `"paging"`) {
		t.Errorf("the last page should have no paging:\n%s", out)
	}
	var last recordPageJSON
	decode(t, out, &last)
	if len(last.Results) != 1 || last.Results[0].Properties["email"] != "c@example.com" {
		t.Errorf("last page: %+v", last)
	}

	var archived recordPageJSON
	decode(t, c.ok("records", "list", "contacts", "--archived"), &archived)
	if archived.Results == nil || len(archived.Results) != 0 {
		t.Errorf("archived list should be an empty array: %+v", archived)
	}

	c.fail(exitUsage, "records", "list", "contacts", "--limit", "0")
	c.fail(exitUsage, "records", "list", "contacts", "--after", "x")
}

func TestRecords_ValidationError(t *testing.T) {
	c := newCLI(t)
	stderr := c.fail(exitError, "records", "create", "contacts", "email=bad")
	want := `error: Property "email" value "bad" is not a valid email address (INVALID_EMAIL)` + "\n"
	if stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	c.fail(exitError, "records", "create", "contacts", "nosuchproperty=1")
}

func TestRecords_DuplicateEmailConflict(t *testing.T) {
	c := newCLI(t)
	first := c.record("records", "create", "contacts", "email=jane@example.com")
	stderr := c.fail(exitError, "records", "create", "contacts", "email=JANE@example.com")
	if !strings.HasPrefix(stderr, "error: ") || !strings.Contains(stderr, "Existing ID: "+first.ID) {
		t.Errorf("conflict stderr = %q, want it to name existing id %s", stderr, first.ID)
	}
	second := c.record("records", "create", "contacts", "email=john@example.com")
	stderr = c.fail(exitError, "records", "update", "contacts", second.ID, "email=jane@example.com")
	if !strings.Contains(stderr, "Existing ID: "+first.ID) {
		t.Errorf("update conflict stderr = %q", stderr)
	}
}

func TestRecords_Merge(t *testing.T) {
	c := newCLI(t)
	c.ok("records", "create", "contacts", "email=jane@example.com", "firstname=Jane")
	c.ok("records", "create", "contacts", "email=jane.doe@example.com", "lastname=Doe")
	merged := c.record("records", "merge", "contacts", "1", "2")
	if merged.ID != "1" || merged.Properties["lastname"] != "Doe" || merged.Properties["email"] != "jane@example.com" {
		t.Errorf("merge: %+v", merged)
	}
	if r := c.record("records", "get", "contacts", "2"); r.ID != "1" {
		t.Errorf("get of the merged id answered with %s, want 1", r.ID)
	}
	c.fail(exitError, "records", "merge", "contacts", "1", "1")
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"records", "create", "contacts", "email"}, `"email"`},
		{[]string{"records", "update", "contacts", "1", "=x"}, `"=x"`},
		{[]string{"records", "update", "contacts", "1"}, "name=value"},
		{[]string{"records", "get", "contacts"}, "OBJECT ID"},
		{[]string{"records", "archive", "contacts", "abc"}, `"abc"`},
		{[]string{"records", "bogus"}, `"bogus"`},
		{[]string{"bogus"}, `"bogus"`},
		{[]string{"records", "list", "contacts", "--nope"}, "--nope"},
		{[]string{"serve", "--log-level", "loud"}, "loud"},
	} {
		stderr := c.fail(exitUsage, tc.args...)
		if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "--help") {
			t.Errorf("tandem %s: stderr %q should name %s and point to --help", strings.Join(tc.args, " "), stderr, tc.want)
		}
	}
}

func TestProperties(t *testing.T) {
	c := newCLI(t)
	out := c.ok("properties", "create", "contacts", "--name", "favourite_colour", "--label", "Favourite colour",
		"--type", "enumeration", "--field-type", "select", "--group", "contactinformation",
		"--option", "red=Red", "--option", "green=Green")
	var p struct {
		Name    string `json:"name"`
		Label   string `json:"label"`
		Options []struct{ Value, Label string }
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Name != "favourite_colour" || len(p.Options) != 2 || p.Options[1].Label != "Green" {
		t.Fatalf("create printed %v %s", err, out)
	}
	c.record("records", "create", "contacts", "favourite_colour=red")
	c.fail(exitError, "records", "create", "contacts", "favourite_colour=blue")

	def := filepath.Join(t.TempDir(), "prop.json")
	writeFile(t, def, `{"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number", "groupName": "contactinformation"}`)
	c.ok("properties", "create", "contacts", "--json", def)
	c.fail(exitUsage, "properties", "create", "contacts", "--json", def, "--label", "x")

	var list propertiesJSON
	decode(t, c.ok("properties", "list", "contacts"), &list)
	names := map[string]bool{}
	for _, p := range list.Results {
		names[p.Name] = true
	}
	if !names["email"] || !names["favourite_colour"] || !names["shoe_size"] {
		t.Errorf("list lacks properties: %v", names)
	}

	if out := c.ok("properties", "update", "contacts", "shoe_size", "--label", "Shoe"); !strings.Contains(out, `"label": "Shoe"`) {
		t.Errorf("update printed:\n%s", out)
	}
	c.ok("properties", "archive", "contacts", "shoe_size")
	c.fail(exitError, "properties", "get", "contacts", "shoe_size")
	c.ok("properties", "restore", "contacts", "shoe_size")
	c.ok("properties", "get", "contacts", "shoe_size")

	stderr := c.fail(exitError, "properties", "create", "contacts", "--name", "Bad Name", "--label", "x",
		"--type", "string", "--field-type", "text", "--group", "contactinformation")
	if !strings.Contains(stderr, "INVALID_NAME") {
		t.Errorf("invalid property name: stderr %q", stderr)
	}
}

func TestSchemas(t *testing.T) {
	c := newCLI(t)
	file := filepath.Join(t.TempDir(), "cars.json")
	writeFile(t, file, `{
  "name": "cars",
  "labels": {"singular": "Car", "plural": "Cars"},
  "primaryDisplayProperty": "model",
  "requiredProperties": ["model"],
  "properties": [
    {"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
    {"name": "year", "label": "Year", "type": "number", "fieldType": "number"}
  ],
  "associatedObjects": ["contacts"]
}`)
	var created struct {
		ObjectTypeID string `json:"objectTypeId"`
		Name         string `json:"name"`
		Properties   []struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal([]byte(c.ok("schemas", "create", file)), &created); err != nil || created.Name != "cars" || len(created.Properties) < 2 {
		t.Fatalf("schemas create: %v %+v", err, created)
	}
	var list schemasJSON
	decode(t, c.ok("schemas", "list"), &list)
	if len(list.Results) != 1 || list.Results[0].Name != "cars" {
		t.Errorf("schemas list: %+v", list)
	}
	if r := c.record("records", "create", "cars", "model=Model T", "year=1908"); r.Properties["year"] != "1908" {
		t.Errorf("custom object record: %+v", r)
	}
	c.fail(exitError, "records", "create", created.ObjectTypeID, "year=1908") // model is required

	bad := filepath.Join(t.TempDir(), "bad.json")
	writeFile(t, bad, `{"name": "boats", "lables": {}}`)
	if stderr := c.fail(exitError, "schemas", "create", bad); !strings.Contains(stderr, "lables") {
		t.Errorf("unknown field: stderr %q", stderr)
	}
}

func TestCheckConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	valid := filepath.Join(dir, "tandem.yaml")
	writeFile(t, valid, "data_dir: /var/lib/tandem\nadmin:\n  listen: 127.0.0.1:9191\nconnectors: []\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"check-config", valid}, &out, &errOut); code != 0 || errOut.Len() != 0 {
		t.Fatalf("valid file: exit %d, stderr %s", code, errOut.String())
	}
	if got, want := out.String(), valid+": ok\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}

	invalid := filepath.Join(dir, "bad.yaml")
	writeFile(t, invalid, `data_dir: /var/lib/tandem
log:
  level: loud
connectors:
  - name: crm
    type: hubspot
    schedule: "*/5 * *"
    objects:
      - object: contacts
        fields: [{local: email, remote: email}]
`)
	out.Reset()
	errOut.Reset()
	if code := run([]string{"check-config", invalid}, &out, &errOut); code != exitError {
		t.Errorf("invalid file: exit %d, want %d", code, exitError)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per problem (2), got:\n%s", errOut.String())
	}
	if !strings.HasPrefix(lines[0], invalid+":3: log.level: ") {
		t.Errorf("first problem %q should start with %s:3: log.level:", lines[0], invalid)
	}
	if !strings.HasPrefix(lines[1], invalid+":7: connectors[0].schedule: ") {
		t.Errorf("second problem %q should start with %s:7: connectors[0].schedule:", lines[1], invalid)
	}
	if out.Len() != 0 {
		t.Errorf("stdout should be empty: %q", out.String())
	}

	errOut.Reset()
	if code := run([]string{"check-config", filepath.Join(dir, "missing.yaml")}, &out, &errOut); code != exitError || !strings.Contains(errOut.String(), "missing.yaml") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut.String())
	}
}

func TestConfigDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfg, "data_dir: "+filepath.Join(dir, "data")+"\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"records", "create", "contacts", "email=a@example.com", "--config", cfg}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "tandem.db")); err != nil {
		t.Errorf("the store should be in data_dir of the config: %v", err)
	}
}

func TestMigrate(t *testing.T) {
	c := newCLI(t)
	out := c.ok("migrate")
	if !strings.Contains(out, "(new database)\ncurrent version: ") {
		t.Errorf("first migrate printed:\n%s", out)
	}
	out = c.ok("migrate")
	if !strings.Contains(out, "applied: none\ncurrent version: ") {
		t.Errorf("second migrate printed:\n%s", out)
	}
}

func TestVersion(t *testing.T) {
	c := newCLI(t)
	out := c.ok("version")
	if !strings.HasPrefix(out, "tandem dev") || !strings.Contains(out, runtime.Version()) || !strings.HasSuffix(out, "\n") {
		t.Errorf("version printed %q", out)
	}
}

func TestServe_StartupErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "admin:\n  listen: nope\nshutdown_timeout: -1s\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "--config", bad}, &out, &errOut); code != exitError {
		t.Errorf("invalid config: exit %d, want 1", code)
	}
	if n := strings.Count(errOut.String(), bad+":"); n != 2 {
		t.Errorf("want both problems, each with the file name; stderr:\n%s", errOut.String())
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := filepath.Join(dir, "busy.yaml")
	writeFile(t, busy, "data_dir: "+filepath.Join(dir, "data")+"\nadmin:\n  listen: "+ln.Addr().String()+"\nlog: {format: json}\n")
	errOut.Reset()
	if code := run([]string{"serve", "--config", busy}, &out, &errOut); code != exitError {
		t.Errorf("port in use: exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "error: cannot listen on "+ln.Addr().String()) || !strings.Contains(errOut.String(), "already in use") {
		t.Errorf("port in use: stderr:\n%s", errOut.String())
	}

	corrupt := filepath.Join(dir, "corrupt")
	if err := os.MkdirAll(corrupt, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corrupt, "tandem.db"), strings.Repeat("not a database ", 1000))
	free := filepath.Join(dir, "free.yaml")
	writeFile(t, free, "api:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\nlog: {format: json}\n")
	errOut.Reset()
	if code := run([]string{"serve", "--config", free, "--data-dir", corrupt}, &out, &errOut); code != exitError {
		t.Errorf("corrupt store: exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "error: cannot open the store in "+corrupt) {
		t.Errorf("corrupt store: stderr:\n%s", errOut.String())
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
