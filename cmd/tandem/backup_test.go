package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

func TestBackupRestore_CLI(t *testing.T) {
	c := newCLI(t)
	kept := c.record("records", "create", "contacts", "email=kept@example.com")
	dir := t.TempDir()
	file := filepath.Join(dir, "tandem-backup.db")

	// The store is open, as the running daemon's is: backup works, restore refuses.
	st, err := crmstore.Open(context.Background(), c.dataDir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := c.ok("backup", file)
	for _, want := range []string{"backup: " + file + "\n", "change-log seq: 1\n", "size: "} {
		if !strings.Contains(out, want) {
			t.Errorf("backup printed %q, want %q in it", out, want)
		}
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", fi, err)
	}
	if stderr := c.fail(exitError, "backup", file); !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("backup over an existing file: %s", stderr)
	}
	c.ok("backup", "--force", file)

	lost, err := st.CreateRecord(context.Background(), "contacts", map[string]string{"email": "lost@example.com"}, crmstore.Source{})
	if err != nil {
		t.Fatal(err)
	}
	if stderr := c.fail(exitError, "restore", file); !strings.Contains(stderr, "in use") || !strings.Contains(stderr, "stop tandem serve") {
		t.Errorf("restore while the store is open: %s", stderr)
	}
	st.Close() // the daemon stops

	notStore := filepath.Join(dir, "notes.txt")
	writeFile(t, notStore, "hello\n")
	if stderr := c.fail(exitError, "restore", notStore); !strings.Contains(stderr, "not a Tandem store") {
		t.Errorf("restore of a text file: %s", stderr)
	}

	out = c.ok("restore", file)
	if !strings.Contains(out, "previous store moved to: "+filepath.Join(c.dataDir, crmstore.DatabaseFile)+".pre-restore-") ||
		!strings.Contains(out, "change-log seq: 1\n") {
		t.Errorf("restore printed %q", out)
	}
	c.ok("records", "get", "contacts", kept.ID)
	if stderr := c.fail(exitError, "records", "get", "contacts", strconv.FormatInt(lost.ID, 10)); !strings.Contains(stderr, "not found") {
		t.Errorf("record created after the backup: %s", stderr)
	}

	if stderr := c.fail(exitUsage, "backup"); !strings.Contains(stderr, "FILE") {
		t.Errorf("backup without FILE: %s", stderr)
	}
	empty := t.TempDir()
	var outb, errb strings.Builder
	if code := run([]string{"backup", filepath.Join(dir, "x.db"), "--data-dir", empty}, &outb, &errb); code != exitError || !strings.Contains(errb.String(), "no store") {
		t.Errorf("backup of a missing store: exit %d, %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(empty, crmstore.DatabaseFile)); err == nil {
		t.Error("backup of a missing store created one")
	}
}
