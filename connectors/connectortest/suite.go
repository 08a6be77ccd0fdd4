package connectortest

import (
	"testing"

	"github.com/tandem-crm/tandem/connectors"
)

// Run runs the conformance suite against the connector h describes, one subtest per rule of
// the contract. Each subtest builds a fresh connector with h.New.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil || h.Object == "" || len(h.Fields) < 2 {
		t.Fatalf("connectortest: Harness needs New, Object and at least two Fields (got Object %q, Fields %q)", h.Object, h.Fields)
	}
	for _, st := range []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Paging", testPaging},
		{"CursorResume", testCursorResume},
		{"ChangeWhilePaging", testChangeWhilePaging},
		{"Fetch", testFetch},
		{"PushRoundTrip", testPushRoundTrip},
		{"PartialFailure", testPartialFailure},
		{"RateLimit", testRateLimit},
		{"Unauthorized", testUnauthorized},
		{"TransientServerError", testServerError},
		{"ContextCancelled", testCancelled},
		{"Lister", testLister},
		{"Test", testConnection},
	} {
		t.Run(st.name, func(t *testing.T) { st.fn(t, h) })
	}
}

// testPaging: a pull from the beginning returns every record exactly once, in pages of at
// most PageSize, and ends with More false.
func testPaging(t *testing.T, h Harness) {
	e := open(t, h)
	ids, want := e.seed(250)
	recs, _ := e.pullAll("")
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.ID]++
		if r.Version == "" {
			t.Errorf("record %s has an empty Version", r.ID)
		}
		if r.Deleted {
			t.Errorf("record %s is a tombstone; nothing was deleted", r.ID)
		}
		if w, ok := want[r.ID]; ok {
			checkFields(t, "record "+r.ID, r.Fields, w)
		} else {
			t.Errorf("Pull returned record %s, which was never created", r.ID)
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("record %s seen %d times; want exactly once", id, seen[id])
		}
	}
}

// testCursorResume: after pulling to the end, remote updates and creates come back from the
// saved cursor with their new values and a new Version. Already-seen versions may repeat.
func testCursorResume(t *testing.T, h Harness) {
	e := open(t, h)
	ids, _ := e.seed(5)
	first, cursor := e.pullAll("")
	before := latest(first)
	updated := map[string]string{ids[1]: "updated 1", ids[3]: "updated 3"}
	for id, v := range updated {
		e.r.Update(t, h.Object, id, map[string]string{h.Fields[1]: v})
	}
	created := e.values("created")
	newID := e.r.Put(t, h.Object, created)

	after := latest(mustPullAll(e, cursor))
	for id, v := range updated {
		r, ok := after[id]
		if !ok {
			t.Errorf("record %s, updated after the cursor, is missing from the pull that resumed from it", id)
			continue
		}
		checkFields(t, "updated record "+id, r.Fields, map[string]string{h.Fields[1]: v})
		if r.Version == before[id].Version {
			t.Errorf("record %s: Version %q did not change on update", id, r.Version)
		}
	}
	if r, ok := after[newID]; !ok {
		t.Errorf("record %s, created after the cursor, is missing from the pull that resumed from it", newID)
	} else {
		checkFields(t, "created record "+newID, r.Fields, created)
	}
}

// mustPullAll pulls from cursor to the end and returns the records.
func mustPullAll(e *env, cursor string) []connectors.Record {
	e.t.Helper()
	recs, _ := e.pullAll(cursor)
	return recs
}

// testChangeWhilePaging: records changed or created between two pages of one pull are not
// lost, whether the changed record was already read or not.
func testChangeWhilePaging(t *testing.T, h Harness) {
	e := open(t, h)
	ids, _ := e.seed(250)
	p1 := e.page(e.c.Pull, "Pull", "")
	if !p1.More || len(p1.Records) == 0 {
		t.Fatalf("first page of 250 records: %d records, More %v; want some records and More", len(p1.Records), p1.More)
	}
	read := map[string]bool{}
	for _, r := range p1.Records {
		read[r.ID] = true
	}
	unread := ""
	for i := len(ids) - 1; i >= 0 && unread == ""; i-- {
		if !read[ids[i]] {
			unread = ids[i]
		}
	}
	changed := map[string]string{p1.Records[0].ID: "changed after read", unread: "changed before read"}
	for id, v := range changed {
		e.r.Update(t, h.Object, id, map[string]string{h.Fields[1]: v})
	}
	newID := e.r.Put(t, h.Object, e.values("while paging"))

	rest := mustPullAll(e, p1.Cursor)
	final := latest(rest)
	for id, v := range changed {
		r, ok := final[id]
		if !ok {
			t.Errorf("record %s, changed while paging, is missing from the later pages", id)
			continue
		}
		checkFields(t, "record "+id+" changed while paging", r.Fields, map[string]string{h.Fields[1]: v})
	}
	if _, ok := final[newID]; !ok {
		t.Errorf("record %s, created while paging, is missing from the later pages", newID)
	}
	for _, id := range ids {
		if !read[id] {
			if _, ok := final[id]; !ok {
				t.Errorf("record %s was never returned", id)
			}
		}
	}
}

// testFetch: Fetch returns existing records with the requested fields and leaves out ids the
// remote does not hold.
func testFetch(t *testing.T, h Harness) {
	e := open(t, h)
	ids, want := e.seed(3)
	const missing = "987654321098"
	recs, err := e.c.Fetch(e.ctx, h.Object, []string{ids[0], missing, ids[2]}, h.Fields)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	got := latest(recs)
	if len(recs) != 2 || len(got) != 2 {
		t.Errorf("Fetch of 2 existing and 1 missing id returned %d records (%d distinct); want 2", len(recs), len(got))
	}
	for _, id := range []string{ids[0], ids[2]} {
		r, ok := got[id]
		if !ok {
			t.Errorf("Fetch left out existing record %s", id)
			continue
		}
		checkFields(t, "fetched record "+id, r.Fields, want[id])
		if r.Version == "" {
			t.Errorf("fetched record %s has an empty Version", id)
		}
	}
	if _, ok := got[missing]; ok {
		t.Errorf("Fetch returned id %s, which does not exist", missing)
	}
}

// testLister: a complete listing holds every live record exactly once and no deleted one.
func testLister(t *testing.T, h Harness) {
	e := open(t, h)
	l, ok := e.c.(connectors.Lister)
	if !ok {
		t.Skip("connector does not implement connectors.Lister")
	}
	ids, want := e.seed(5)
	e.r.Delete(t, h.Object, ids[1])
	recs, _ := e.readAll(l.List, "List", "")
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.ID]++
		if r.Deleted {
			t.Errorf("List returned tombstone %s; a listing holds live records only", r.ID)
		}
		if r.ID == ids[1] {
			t.Errorf("List returned deleted record %s", r.ID)
		} else if w, ok := want[r.ID]; ok {
			checkFields(t, "listed record "+r.ID, r.Fields, w)
		} else {
			t.Errorf("List returned record %s, which was never created", r.ID)
		}
	}
	for _, id := range ids {
		if id != ids[1] && seen[id] != 1 {
			t.Errorf("live record %s listed %d times; want exactly once", id, seen[id])
		}
	}
}

// testConnection: Test succeeds against a healthy remote.
func testConnection(t *testing.T, h Harness) {
	e := open(t, h)
	if err := e.c.Test(e.ctx); err != nil {
		t.Errorf("Test: %v", err)
	}
}
