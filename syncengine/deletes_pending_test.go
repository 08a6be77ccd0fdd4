package syncengine

import (
	"fmt"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// A remote deletion the mass-delete guard held back, approved later, still
// obeys "deletion wins unless the other side was edited after it": a local
// record edited while the deletion waited is kept, unlinked and created on
// the remote again; an unedited one is archived.
func TestApprovedDeletionKeepsRecordEditedWhileHeld(t *testing.T) {
	h := newHarness(t, propagate(10))
	for i := range 10 {
		h.createLocal(map[string]string{"email": fmt.Sprintf("c%d@example.com", i), "firstname": "F"})
	}
	h.run(false)
	remote := h.remoteByEmail()
	for _, email := range []string{"c0@example.com", "c1@example.com"} {
		if err := h.remote.Delete("contacts", remote[email].ID); err != nil {
			t.Fatal(err)
		}
	}
	h.tick()
	if rep := h.run(false); rep.Status != RunPaused {
		t.Fatalf("run = %+v, want paused by the guard (2 of 10 is above 10%%)", rep)
	}
	edited := h.local()["c0@example.com"].ID
	h.updateLocal(edited, map[string]string{"firstname": "Kept"})
	if err := h.engine.Resume(h.ctx, testConnector, true); err != nil {
		t.Fatal(err)
	}
	rep := h.run(false)

	if rep.Status != RunSucceeded || rep.DeletedLocal != 1 || rep.CreatedRemote != 1 || rep.Failed != 0 {
		t.Fatalf("run after approving = %+v, want 1 archived, 1 created remotely again, nothing failed", rep)
	}
	local, remoteNow := h.local(), h.remoteByEmail()
	if l := local["c0@example.com"]; l == nil || l.Properties["firstname"] != "Kept" {
		t.Errorf("record edited while its deletion was held: local %v, want kept with the edit", l)
	}
	r, ok := remoteNow["c0@example.com"]
	if !ok || r.Fields["firstname"] != "Kept" || r.ID == remote["c0@example.com"].ID {
		t.Errorf("record edited while its deletion was held: remote %+v (found %v), want created again with the edit", r, ok)
	}
	links, err := h.store.SyncLinksByLocal(h.ctx, testConnector, "contacts", []int64{edited})
	if err != nil || links[edited].RemoteID != r.ID || links[edited].State != crmstore.LinkLinked {
		t.Errorf("link of %d = %+v, %v; want linked to the new remote record %s", edited, links[edited], err, r.ID)
	}
	if _, ok := local["c1@example.com"]; ok {
		t.Error("record deleted remotely and not edited locally is still live")
	}
	if len(local) != 9 || len(remoteNow) != 9 {
		t.Errorf("%d local and %d remote records, want 9 on each side", len(local), len(remoteNow))
	}
}
