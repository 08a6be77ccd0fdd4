package e2e_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// listFake reads every live contact of the fake through a fresh connector, by lower-cased
// email, failing the test on a duplicate email.
func listFake(t *testing.T, fake *hubspotfake.Server) map[string]connectors.Record {
	t.Helper()
	c := newConnector(t, fake.URL, fake.Token(), newCallCounter())
	defer c.Close()
	out := map[string]connectors.Record{}
	for cur := ""; ; {
		page, err := c.List(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cur, Fields: []string{"email", "firstname", "lastname"}})
		if err != nil {
			t.Fatalf("list the fake: %v", err)
		}
		for _, r := range page.Records {
			email := strings.ToLower(r.Fields["email"])
			if _, dup := out[email]; dup {
				t.Errorf("duplicate contact %q on the remote", email)
			}
			out[email] = r
		}
		if cur = page.Cursor; !page.More {
			return out
		}
	}
}

// runUntilQuiet runs the connector until a run succeeds without writing anything, tolerating
// runs that fail on injected faults; it returns how many runs failed.
func runUntilQuiet(t *testing.T, eng *syncengine.Engine, clk *fakeClock, full bool, limit int) int {
	t.Helper()
	failed := 0
	for range limit {
		rep, err := eng.Run(t.Context(), peerName, syncengine.RunOptions{Full: full})
		clk.Advance(time.Second)
		if err != nil {
			failed++
			t.Logf("run failed on an injected fault: %v", err)
			continue
		}
		if rep.Status == syncengine.RunSucceeded && rep.Pushed == 0 && rep.CreatedLocal == 0 && rep.UpdatedLocal == 0 && rep.DeletedLocal == 0 {
			return failed
		}
	}
	t.Fatalf("no quiet run within %d runs", limit)
	return failed
}

func TestTenPercentRemoteFailuresConverge(t *testing.T) {
	clk := newFakeClock()
	fake := hubspotfake.New(hubspotfake.Options{Now: clk.Now, Seed: 7,
		RandomFaults: []hubspotfake.FaultKind{hubspotfake.FaultServerError, hubspotfake.FaultDrop, hubspotfake.FaultMalformed}})
	t.Cleanup(fake.Close)
	local := openStore(t, filepath.Join(t.TempDir(), "local"), clk)
	t.Cleanup(func() { local.Close() })
	conn := newConnector(t, fake.URL, fake.Token(), newCallCounter())
	t.Cleanup(func() { conn.Close() })
	// Small pages make many requests, so that faults hit every kind of call.
	eng, err := syncengine.New(syncengine.Options{Store: local, Clock: clk, Holder: "tandem-a", PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Add(contactsSpec(nil), conn); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	src := crmstore.Source{Type: crmstore.SourceAPI}

	// 200 contacts on A, 300 on the remote, 50 of them on both.
	for i := range 200 {
		if _, err := local.CreateRecord(ctx, "contacts", map[string]string{"email": fmt.Sprintf("f%d@example.com", i), "firstname": fmt.Sprintf("F%d", i)}, src); err != nil {
			t.Fatal(err)
		}
	}
	if err := fake.PutMany("contacts", 300, func(i int) map[string]string {
		return map[string]string{"email": fmt.Sprintf("f%d@example.com", i+150), "lastname": fmt.Sprintf("L%d", i+150)}
	}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)

	fake.SetFailureRate(0.1)
	failed := runUntilQuiet(t, eng, clk, false, 15)

	// Edits on both sides while the remote keeps failing.
	a := contacts(t, local)
	remote := listFakeWithoutFaults(t, fake)
	for i := range 20 {
		id := fmt.Sprint(a[fmt.Sprintf("f%d@example.com", i)].ID)
		if _, err := local.UpdateRecord(ctx, "contacts", id, map[string]string{"firstname": fmt.Sprintf("A%d", i)}, "", src); err != nil {
			t.Fatal(err)
		}
		if err := fake.Update("contacts", remote[fmt.Sprintf("f%d@example.com", 400+i)].ID, map[string]string{"lastname": fmt.Sprintf("B%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Second)
	failed += runUntilQuiet(t, eng, clk, false, 15)
	failed += runUntilQuiet(t, eng, clk, true, 15)
	t.Logf("%d of %d requests failed on injected faults; %d runs failed", fake.Injected(), fake.Requests(), failed)
	if fake.Injected() == 0 {
		t.Fatal("no fault was injected")
	}

	a, remote = contacts(t, local), listFakeWithoutFaults(t, fake)
	if len(a) != 450 || len(remote) != 450 {
		t.Fatalf("A holds %d and the remote %d contacts, want 450 each", len(a), len(remote))
	}
	for email, l := range a {
		r := remote[email]
		if l.Properties["firstname"] != r.Fields["firstname"] || l.Properties["lastname"] != r.Fields["lastname"] {
			t.Errorf("contact %s: A holds %q %q, the remote %q %q", email, l.Properties["firstname"], l.Properties["lastname"], r.Fields["firstname"], r.Fields["lastname"])
		}
	}
	for i := range 20 {
		if got := a[fmt.Sprintf("f%d@example.com", i)].Properties["firstname"]; got != fmt.Sprintf("A%d", i) {
			t.Errorf("A's edit of contact %d was lost: %q", i, got)
		}
		if got := a[fmt.Sprintf("f%d@example.com", 400+i)].Properties["lastname"]; got != fmt.Sprintf("B%d", i) {
			t.Errorf("the remote's edit of contact %d was lost: %q", 400+i, got)
		}
	}
	if q, err := eng.Quarantine(ctx, peerName, 10); err != nil || len(q) != 0 {
		t.Errorf("quarantine = %+v, %v; want empty", q, err)
	}
}

// listFakeWithoutFaults lists the fake with its failure rate off for the read.
func listFakeWithoutFaults(t *testing.T, fake *hubspotfake.Server) map[string]connectors.Record {
	t.Helper()
	fake.SetFailureRate(0)
	defer fake.SetFailureRate(0.1)
	return listFake(t, fake)
}
