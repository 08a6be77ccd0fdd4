package importer

import (
	"fmt"
	"strings"
	"testing"
)

// TestImport_MixedBatchesAcrossThePipeline imports, in batches of 4, a file
// whose first rows update existing records and whose later rows are new,
// with in-file duplicates spanning batches: rows are encoded as creates
// ahead of their transaction only while batches mostly create, and every
// row must land the same either way.
func TestImport_MixedBatchesAcrossThePipeline(t *testing.T) {
	e := newEnv(t, WithBatchSize(4))
	var seed strings.Builder
	seed.WriteString("Email,First Name\n")
	for i := range 12 {
		fmt.Fprintf(&seed, "u%d@x.com,Old%d\n", i, i)
	}
	e.run(e.spec("contacts", seed.String()))

	var in strings.Builder
	in.WriteString("Email,First Name,City\n")
	for i := range 12 { // existing: 6 changed, 6 unchanged
		name := fmt.Sprintf("Old%d", i)
		if i%2 == 0 {
			name = fmt.Sprintf("New%d", i)
		}
		fmt.Fprintf(&in, "u%d@x.com,%s,\n", i, name)
	}
	for i := range 20 { // new records
		fmt.Fprintf(&in, "n%d@x.com,N%d,Oslo\n", i, i)
	}
	in.WriteString("n3@x.com,,Lyon\n")          // merges into a record created batches ago
	in.WriteString("u1@x.com,Old1,Porto\n")     // existing, after batches that mostly created
	in.WriteString("bad-email,X,Oslo\n")        // fails alone
	in.WriteString("n30@x.com,Last,\"A, B\"\n") // new, in a batch with an update
	c := e.run(e.spec("contacts", in.String())).Import.Counters
	if c.Rows != 36 || c.Created != 21 || c.Failed != 1 || c.Unchanged != 6 || c.Updated != 8 {
		t.Fatalf("counters %+v, want 36 rows: 21 created, 8 updated, 6 unchanged, 1 failed", c)
	}
	checks := map[string]map[string]string{
		"u0@x.com":  {"firstname": "New0"},
		"u1@x.com":  {"firstname": "Old1", "city": "Porto"},
		"u3@x.com":  {"firstname": "Old3"},
		"n3@x.com":  {"firstname": "N3", "city": "Lyon"},
		"n19@x.com": {"firstname": "N19", "city": "Oslo", "hs_object_source": "IMPORT"},
		"n30@x.com": {"firstname": "Last", "city": "A, B"},
	}
	for email, want := range checks {
		got := e.get("contacts", "email", email).Properties
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s %s = %q, want %q", email, k, got[k], v)
			}
		}
	}
	if n := e.count("contacts"); n != 33 {
		t.Errorf("%d contacts, want 33", n)
	}
}
