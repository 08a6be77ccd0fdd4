package e2e_test

import (
	"fmt"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// seedOverlap gives A contacts 0..119 with a first name and B contacts 60..179 with a last
// name (B's emails upper-cased), so 60 contacts exist on both sides, spread over several pages.
func seedOverlap(p *pair) {
	for i := range 120 {
		p.create(p.local, map[string]string{"email": fmt.Sprintf("c%d@example.com", i), "firstname": fmt.Sprintf("F%d", i)})
	}
	for i := 60; i < 180; i++ {
		p.create(p.remote.store, map[string]string{"email": fmt.Sprintf("C%d@Example.com", i), "lastname": fmt.Sprintf("L%d", i)})
	}
}

func TestFirstSyncWithOverlapMakesNoDuplicates(t *testing.T) {
	p := newPair(t, contactsSpec(nil))
	seedOverlap(p)

	rep := p.run(false)
	if rep.Status != syncengine.RunSucceeded || rep.CreatedLocal != 60 || rep.CreatedRemote != 60 {
		t.Fatalf("first run = %+v, want succeeded with 60 records created on each side", rep)
	}
	local, remote := contacts(t, p.local), contacts(t, p.remote.store)
	if len(local) != 180 || len(remote) != 180 {
		t.Fatalf("after the first sync A holds %d and B %d contacts, want 180 each", len(local), len(remote))
	}
	sameContacts(t, local, remote)
	for i := range 180 {
		c := local[fmt.Sprintf("c%d@example.com", i)]
		wantFirst, wantLast := fmt.Sprintf("F%d", i), fmt.Sprintf("L%d", i)
		if i >= 120 {
			wantFirst = ""
		}
		if i < 60 {
			wantLast = ""
		}
		if c.Properties["firstname"] != wantFirst || c.Properties["lastname"] != wantLast {
			t.Errorf("contact %d holds %q %q, want %q %q", i, c.Properties["firstname"], c.Properties["lastname"], wantFirst, wantLast)
		}
	}
	st, err := p.engine.Status(p.ctx, peerName)
	if err != nil {
		t.Fatal(err)
	}
	if st.InSync != 180 || st.State != syncengine.StateIdle {
		t.Errorf("status = %+v, want idle with 180 in sync", st)
	}
}

func TestRunWithNothingChangedWritesNothing(t *testing.T) {
	p := newPair(t, contactsSpec(nil))
	seedOverlap(p)
	first := p.run(false)

	// The second run reads back what the first one pushed (the remote cannot tell the engine's
	// writes from others'): it must recognise them and write nothing, paying only the search
	// pages that echo takes. From then on a run with nothing changed costs at most 2 calls.
	for run := 2; run <= 3; run++ {
		localSeq, remoteSeq := lastSeq(t, p.local), lastSeq(t, p.remote.store)
		p.calls.reset()
		rep := p.run(false)
		calls := p.calls.snapshot()
		t.Logf("run %d with nothing changed: %d remote calls %v", run, p.calls.total(), calls)
		if got := lastSeq(t, p.local); got != localSeq {
			t.Errorf("run %d wrote %d changes locally", run, got-localSeq)
		}
		if got := lastSeq(t, p.remote.store); got != remoteSeq {
			t.Errorf("run %d wrote %d changes on the remote", run, got-remoteSeq)
		}
		if rep.Pushed != 0 || rep.CreatedLocal != 0 || rep.UpdatedLocal != 0 || rep.Conflicts != 0 {
			t.Errorf("run %d report = %+v, want no writes", run, rep)
		}
		// Echo pages: one search per 50 records, and one more per page whose records share
		// one timestamp (the fake clock stands still during a run), plus the final one.
		limit := 2
		if run == 2 {
			limit = 2*int((first.Pushed+49)/50) + 1
		}
		if n := p.calls.total(); n > limit || calls["POST search"] != n {
			t.Errorf("run %d made %d remote calls for one object, want at most %d searches: %v", run, n, limit, calls)
		}
	}
}

func TestEditsToDifferentFieldsMerge(t *testing.T) {
	p := newPair(t, contactsSpec(nil))
	id := p.create(p.local, map[string]string{"email": "ann@example.com", "firstname": "Ann", "lastname": "Old"})
	p.run(false)
	rid := contacts(t, p.remote.store)["ann@example.com"].ID

	p.update(p.local, id, map[string]string{"firstname": "Annie"})
	p.update(p.remote.store, rid, map[string]string{"lastname": "New"})
	if rep := p.run(false); rep.Conflicts != 0 {
		t.Errorf("edits to different fields recorded %d conflicts", rep.Conflicts)
	}
	local, remote := contacts(t, p.local), contacts(t, p.remote.store)
	sameContacts(t, local, remote)
	if got := local["ann@example.com"].Properties; got["firstname"] != "Annie" || got["lastname"] != "New" {
		t.Errorf("merged contact holds %q %q, want Annie New", got["firstname"], got["lastname"])
	}
	if remote["ann@example.com"].ID != rid || local["ann@example.com"].ID != id {
		t.Errorf("the merge replaced a record: ids %d/%d, want %d/%d", local["ann@example.com"].ID, remote["ann@example.com"].ID, id, rid)
	}
}

func TestSameFieldConflictAppliesPolicy(t *testing.T) {
	tests := []struct {
		name       string
		policy     syncengine.ConflictPolicy
		remoteLast bool // B's edit comes after A's
		// localWant and remoteWant are the first names each side ends with.
		localWant, remoteWant string
		winner                string
	}{
		{name: "prefer_local", policy: syncengine.PreferLocal, remoteLast: true, localWant: "Local", remoteWant: "Local", winner: crmstore.WinnerLocal},
		{name: "prefer_remote", policy: syncengine.PreferRemote, localWant: "Remote", remoteWant: "Remote", winner: crmstore.WinnerRemote},
		{name: "most_recent remote last", policy: syncengine.MostRecent, remoteLast: true, localWant: "Remote", remoteWant: "Remote", winner: crmstore.WinnerRemote},
		{name: "most_recent local last", policy: syncengine.MostRecent, localWant: "Local", remoteWant: "Local", winner: crmstore.WinnerLocal},
		{name: "manual", policy: syncengine.Manual, localWant: "Local", remoteWant: "Remote"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, contactsSpec(func(o *syncengine.ObjectSpec) { o.Conflict = tc.policy }))
			id := p.create(p.local, map[string]string{"email": "ann@example.com", "firstname": "Ann"})
			p.run(false)
			rid := contacts(t, p.remote.store)["ann@example.com"].ID
			if tc.remoteLast {
				p.update(p.local, id, map[string]string{"firstname": "Local"})
				p.update(p.remote.store, rid, map[string]string{"firstname": "Remote"})
			} else {
				p.update(p.remote.store, rid, map[string]string{"firstname": "Remote"})
				p.update(p.local, id, map[string]string{"firstname": "Local"})
			}
			if rep := p.run(false); rep.Conflicts != 1 {
				t.Errorf("run recorded %d conflicts, want 1", rep.Conflicts)
			}
			// A second run must neither move values nor record the conflict again.
			if rep := p.run(false); rep.Conflicts != 0 || rep.Pushed != 0 || rep.UpdatedLocal != 0 {
				t.Errorf("run after the conflict = %+v, want no writes", rep)
			}
			if got := contacts(t, p.local)["ann@example.com"].Properties["firstname"]; got != tc.localWant {
				t.Errorf("A's firstname = %q, want %q", got, tc.localWant)
			}
			if got := contacts(t, p.remote.store)["ann@example.com"].Properties["firstname"]; got != tc.remoteWant {
				t.Errorf("B's firstname = %q, want %q", got, tc.remoteWant)
			}
			cs, err := p.engine.Conflicts(p.ctx, peerName, syncengine.ConflictQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 {
				t.Fatalf("conflicts = %+v, want 1", cs)
			}
			c := cs[0]
			if c.Field != "firstname" || c.Base != "Ann" || c.Local != "Local" || c.Remote != "Remote" || c.Winner != tc.winner ||
				c.Policy != string(tc.policy) || c.Resolved != (tc.winner != "") {
				t.Errorf("conflict = %+v, want firstname Ann→Local/Remote, winner %q", c, tc.winner)
			}
		})
	}
}

func TestEmailChangedAfterLinkingKeepsTheLink(t *testing.T) {
	for _, side := range []string{"remote", "local"} {
		t.Run(side, func(t *testing.T) {
			p := newPair(t, contactsSpec(nil))
			id := p.create(p.local, map[string]string{"email": "ann@example.com", "firstname": "Ann"})
			p.create(p.local, map[string]string{"email": "bob@example.com", "firstname": "Bob"})
			p.run(false)
			rid := contacts(t, p.remote.store)["ann@example.com"].ID
			if side == "remote" {
				p.update(p.remote.store, rid, map[string]string{"email": "ann@new.example.com"})
			} else {
				p.update(p.local, id, map[string]string{"email": "ann@new.example.com"})
			}
			rep := p.run(false)
			if rep.CreatedLocal != 0 || rep.CreatedRemote != 0 {
				t.Errorf("email change created records: %+v", rep)
			}
			local, remote := contacts(t, p.local), contacts(t, p.remote.store)
			sameContacts(t, local, remote)
			l, r := local["ann@new.example.com"], remote["ann@new.example.com"]
			if l == nil || r == nil || l.ID != id || r.ID != rid {
				t.Fatalf("after the email change A holds %v and B %v, want records %d and %d under the new email", l, r, id, rid)
			}
			if len(local) != 2 {
				t.Errorf("A holds %d contacts, want 2", len(local))
			}
		})
	}
}
