package syncengine

import (
	"testing"
)

func TestFirstSyncWithOverlapMakesNoDuplicates(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	h.createLocal(map[string]string{"email": "bob@example.com", "firstname": "Bob"})
	h.putRemote(map[string]string{"email": " ANN@example.com", "firstname": "Ann", "lastname": "Smith"})
	h.putRemote(map[string]string{"email": "cid@example.com", "firstname": "Cid"})

	rep := h.run(false)
	if rep.Status != RunSucceeded || rep.CreatedLocal != 1 || rep.CreatedRemote != 1 {
		t.Fatalf("first run = %+v, want succeeded with one record created on each side", rep)
	}
	local, remote := h.local(), h.remoteByEmail()
	if len(local) != 3 || h.remote.Count("contacts") != 3 {
		t.Fatalf("after first sync: %d local, %d remote records, want 3 each", len(local), h.remote.Count("contacts"))
	}
	if got := local["ann@example.com"].Properties["lastname"]; got != "Smith" {
		t.Errorf("matched record's lastname = %q, want the remote's Smith", got)
	}
	if got := remote["bob@example.com"].Fields["firstname"]; got != "Bob" {
		t.Errorf("remote copy of bob has firstname %q", got)
	}
	st, err := h.engine.Status(h.ctx, testConnector)
	if err != nil {
		t.Fatal(err)
	}
	if st.InSync != 3 || st.State != StateIdle {
		t.Errorf("status = %+v, want idle with 3 in sync", st)
	}
}

func TestSecondRunWithNothingChangedWritesNothing(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	h.putRemote(map[string]string{"email": "cid@example.com", "firstname": "Cid"})
	h.run(false)
	// The first run's own pushes come back on the next pull: still no writes.
	h.run(false)

	seq := h.lastSeq()
	before := h.remoteByEmail()
	h.remote.ResetCalls()
	rep := h.run(false)
	if calls := h.remote.Calls(); calls.ByObject["contacts"] > 2 || calls.ByMethod["push"] != 0 {
		t.Errorf("steady-state run made %+v remote calls, want at most 2 and no push", calls)
	}
	if got := h.lastSeq(); got != seq {
		t.Errorf("steady-state run wrote %d local changes", got-seq)
	}
	for email, r := range h.remoteByEmail() {
		if r.Version != before[email].Version {
			t.Errorf("steady-state run changed remote %s", email)
		}
	}
	if rep.Pushed != 0 || rep.UpdatedLocal != 0 || rep.CreatedLocal != 0 {
		t.Errorf("steady-state report = %+v", rep)
	}
}

func TestEditsToDifferentFieldsMerge(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann", "lastname": "Old"})
	h.run(false)
	rid := h.remoteByEmail()["ann@example.com"].ID

	h.updateLocal(id, map[string]string{"firstname": "Annie"})
	h.updateRemote(rid, map[string]string{"lastname": "New"})
	rep := h.run(false)
	if rep.Conflicts != 0 {
		t.Errorf("different fields made %d conflicts", rep.Conflicts)
	}
	l, r := h.local()["ann@example.com"], h.remoteByEmail()["ann@example.com"]
	for _, side := range []map[string]string{l.Properties, r.Fields} {
		if side["firstname"] != "Annie" || side["lastname"] != "New" {
			t.Errorf("after merge a side holds firstname %q lastname %q, want Annie New", side["firstname"], side["lastname"])
		}
	}
}

func TestSameFieldConflictPolicies(t *testing.T) {
	tests := []struct {
		policy      ConflictPolicy
		remoteLast  bool // the remote edit happens after the local one
		want        string
		winner      string
		stillOpen   bool
		localAfter  string
		remoteAfter string
	}{
		{policy: PreferLocal, want: "Local", winner: "local"},
		{policy: PreferRemote, want: "Remote", winner: "remote"},
		{policy: MostRecent, remoteLast: true, want: "Remote", winner: "remote"},
		{policy: MostRecent, remoteLast: false, want: "Local", winner: "local"},
		{policy: Manual, stillOpen: true, localAfter: "Local", remoteAfter: "Remote"},
	}
	for _, tc := range tests {
		name := string(tc.policy)
		if tc.policy == MostRecent {
			name += map[bool]string{true: " remote last", false: " local last"}[tc.remoteLast]
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, contactsSpec(func(o *ObjectSpec) { o.Conflict = tc.policy }))
			id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
			h.run(false)
			rid := h.remoteByEmail()["ann@example.com"].ID
			if tc.remoteLast {
				h.updateLocal(id, map[string]string{"firstname": "Local"})
				h.updateRemote(rid, map[string]string{"firstname": "Remote"})
			} else {
				h.updateRemote(rid, map[string]string{"firstname": "Remote"})
				h.updateLocal(id, map[string]string{"firstname": "Local"})
			}
			rep := h.run(false)
			if rep.Conflicts != 1 {
				t.Fatalf("run recorded %d conflicts, want 1", rep.Conflicts)
			}
			localAfter, remoteAfter := tc.want, tc.want
			if tc.stillOpen {
				localAfter, remoteAfter = tc.localAfter, tc.remoteAfter
			}
			if got := h.local()["ann@example.com"].Properties["firstname"]; got != localAfter {
				t.Errorf("local firstname = %q, want %q", got, localAfter)
			}
			if got := h.remoteByEmail()["ann@example.com"].Fields["firstname"]; got != remoteAfter {
				t.Errorf("remote firstname = %q, want %q", got, remoteAfter)
			}
			cs, err := h.engine.Conflicts(h.ctx, testConnector, ConflictQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || cs[0].Local != "Local" || cs[0].Remote != "Remote" || cs[0].Base != "Ann" || cs[0].Winner != tc.winner || cs[0].Resolved == tc.stillOpen {
				t.Fatalf("conflicts = %+v, want one with both values, winner %q", cs, tc.winner)
			}
			// Nothing moves on the next run, and no conflict is recorded twice.
			if rep := h.run(false); rep.Conflicts != 0 || rep.Pushed != 0 || rep.UpdatedLocal != 0 {
				t.Errorf("run after the conflict = %+v, want no writes", rep)
			}
			if !tc.stillOpen {
				return
			}
			// A manual conflict settles once both sides agree.
			h.updateLocal(id, map[string]string{"firstname": "Remote"})
			h.run(false)
			if cs, _ := h.engine.Conflicts(h.ctx, testConnector, ConflictQuery{Open: true}); len(cs) != 0 {
				t.Errorf("open conflicts after both sides agree: %+v", cs)
			}
		})
	}
}

func TestEmailChangedAfterLinkingKeepsTheLink(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	h.run(false)
	rid := h.remoteByEmail()["ann@example.com"].ID
	h.updateRemote(rid, map[string]string{"email": "ann@new.example.com"})
	h.run(false)
	local := h.local()
	if len(local) != 1 || local["ann@new.example.com"] == nil || local["ann@new.example.com"].ID != id {
		t.Fatalf("local after email change = %v, want record %d with the new email", local, id)
	}
	if h.remote.Count("contacts") != 1 {
		t.Errorf("remote holds %d contacts, want 1", h.remote.Count("contacts"))
	}
}

func TestEchoSuppression(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	h.putRemote(map[string]string{"email": "cid@example.com", "firstname": "Cid"})
	h.putRemote(map[string]string{"email": "dan@example.com", "firstname": "Dan"})
	h.remote.ResetCalls()
	rep := h.run(false)
	if rep.SkippedEcho != 2 {
		t.Errorf("skipped echo = %d, want the 2 records the pull created", rep.SkippedEcho)
	}
	if n := h.remote.Calls().ByMethod["push"]; n != 0 {
		t.Errorf("the engine pushed its own writes back (%d push calls)", n)
	}
}
