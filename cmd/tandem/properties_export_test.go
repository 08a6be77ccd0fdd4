package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPropertiesExport(t *testing.T) {
	c := newExportCLI(t)
	c.ok("properties", "create", "contacts", "--name", "tier", "--label", "Tier; level", "--type", "enumeration",
		"--field-type", "select", "--group", "contactinformation", "--description", "Service tier, \"gold\" first",
		"--option", "gold=Gold", "--option", "silver")
	rows := readCSV(t, c.ok("properties", "export", "contacts"))
	if !slices.Equal(rows[0], propertiesExportHeader) {
		t.Fatalf("header %q, want %q", rows[0], propertiesExportHeader)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) != len(propertiesExportHeader) {
			t.Fatalf("row %q has %d fields", r, len(r))
		}
		byName[r[0]] = r
	}
	want := map[string][]string{
		"tier":        {"tier", "Tier; level", "enumeration", "select", "contactinformation", "gold=Gold;silver", `Service tier, "gold" first`},
		"interests":   {"interests", "Interests", "enumeration", "checkbox", "contactinformation", "golf=Golf;tennis=Tennis;chess=Chess", ""},
		"signup_date": {"signup_date", "Signup date", "date", "date", "contactinformation", "", ""},
		"email":       {"email", "Email", "string", "text", "contactinformation", "", byName["email"][6]},
	}
	for name, w := range want {
		if !slices.Equal(byName[name], w) {
			t.Errorf("%s: %q, want %q", name, byName[name], w)
		}
	}
	if len(rows)-1 < 30 {
		t.Errorf("%d properties exported; contacts have more than 30", len(rows)-1)
	}

	// Archived properties are left out.
	c.ok("properties", "archive", "contacts", "tier")
	if out := c.ok("properties", "export", "contacts"); strings.Contains(out, "\ntier,") {
		t.Errorf("an archived property was exported")
	}

	out := filepath.Join(t.TempDir(), "props.csv")
	if got := c.ok("properties", "export", "contacts", "-o", out); !strings.HasPrefix(got, "exported ") || !strings.HasSuffix(got, " contacts properties to "+out+"\n") {
		t.Errorf("summary %q", got)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("output file: %v %v", st, err)
	}
	c.fail(exitError, "properties", "export", "nosuch")
	c.fail(exitUsage, "properties", "export")
}

// TestExportProgressBar draws the bar into a buffer, as on a terminal.
func TestExportProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &exportProgress{w: &buf, what: "contacts"}
	p.start(2500)
	for range 2500 {
		p.add()
	}
	p.finish()
	if !strings.Contains(buf.String(), "exporting contacts") {
		t.Errorf("progress output %q", buf.String())
	}
	// Off a terminal nothing is drawn.
	var none bytes.Buffer
	q := newExportProgress(&none, "contacts")
	q.start(10)
	q.add()
	q.finish()
	if none.Len() != 0 {
		t.Errorf("progress off a terminal wrote %q", none.String())
	}
}
