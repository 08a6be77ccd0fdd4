package syncengine

import (
	"testing"
)

func TestPlanWritesNothing(t *testing.T) {
	h := newHarness(t, contactsSpec(func(o *ObjectSpec) { o.Conflict = Manual }))
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	h.run(false)
	rid := h.remoteByEmail()["ann@example.com"].ID
	h.updateLocal(id, map[string]string{"firstname": "Local"})
	h.updateRemote(rid, map[string]string{"firstname": "Remote"})
	h.createLocal(map[string]string{"email": "new-local@example.com"})
	h.putRemote(map[string]string{"email": "new-remote@example.com"})

	seq := h.lastSeq()
	remoteBefore := h.remoteByEmail()
	cursor, err := h.store.GetSyncCursor(h.ctx, testConnector, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := h.engine.Runs(h.ctx, testConnector, 10)
	h.remote.ResetCalls()

	plan, err := h.engine.Plan(h.ctx, testConnector)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Objects) != 1 {
		t.Fatalf("plan = %+v", plan)
	}
	op := plan.Objects[0]
	if op.Local.Create != 1 || op.Remote.Create != 1 || op.ConflictCount != 1 || len(op.Conflicts) != 1 || op.Conflicts[0].Field != "firstname" {
		t.Errorf("plan = %+v, want one create each side and the firstname conflict", op)
	}
	if calls := h.remote.Calls(); calls.ByMethod["push"] != 0 {
		t.Errorf("plan pushed: %+v", calls)
	}
	if got := h.lastSeq(); got != seq {
		t.Errorf("plan wrote %d local changes", got-seq)
	}
	after, _ := h.store.GetSyncCursor(h.ctx, testConnector, "contacts")
	if after != cursor {
		t.Errorf("plan moved the cursor from %+v to %+v", cursor, after)
	}
	if got, _ := h.engine.Runs(h.ctx, testConnector, 10); len(got) != len(runs) {
		t.Errorf("plan recorded a run")
	}
	if cs, _ := h.engine.Conflicts(h.ctx, testConnector, ConflictQuery{}); len(cs) != 0 {
		t.Errorf("plan recorded conflicts: %+v", cs)
	}
	for email, r := range h.remoteByEmail() {
		if r.Version != remoteBefore[email].Version {
			t.Errorf("plan changed remote %s", email)
		}
	}
}
