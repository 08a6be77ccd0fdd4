package syncengine

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
)

func propagate(max int) ConnectorSpec {
	return contactsSpec(func(o *ObjectSpec) { o.Deletes, o.MaxDeletePercent = DeletesPropagate, max })
}

func TestMassDeleteGuardPausesTheConnector(t *testing.T) {
	h := newHarness(t, propagate(10))
	for i := range 10 {
		h.createLocal(map[string]string{"email": fmt.Sprintf("c%d@example.com", i)})
	}
	h.run(false)
	for i, r := range h.remote.All("contacts") {
		if i%2 == 0 {
			if err := h.remote.Delete("contacts", r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.tick()
	rep := h.run(false)
	if rep.Status != RunPaused || rep.DeletedLocal != 0 {
		t.Fatalf("run = %+v, want paused with nothing deleted", rep)
	}
	if n := len(h.local()); n != 10 {
		t.Errorf("%d local records left, want all 10", n)
	}
	st, err := h.engine.Status(h.ctx, testConnector)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StatePaused || st.PendingDelete != 5 || st.Reason == "" {
		t.Fatalf("status = %+v, want paused with 5 pending deletes and a reason", st)
	}
	if _, err := h.engine.Run(h.ctx, testConnector, RunOptions{}); !errors.Is(err, ErrPaused) {
		t.Fatalf("run while paused: %v, want ErrPaused", err)
	}
	if err := h.engine.Resume(h.ctx, testConnector, true); err != nil {
		t.Fatal(err)
	}
	if rep := h.run(false); rep.DeletedLocal != 5 || rep.Status != RunSucceeded {
		t.Fatalf("run after approving = %+v, want 5 archived", rep)
	}
	if n := len(h.local()); n != 5 {
		t.Errorf("%d local records left, want 5", n)
	}
}

func TestResumeWithoutApprovalDropsTheDeletions(t *testing.T) {
	h := newHarness(t, propagate(10))
	for i := range 4 {
		h.createLocal(map[string]string{"email": fmt.Sprintf("c%d@example.com", i)})
	}
	h.run(false)
	if err := h.remote.Delete("contacts", h.remote.All("contacts")[0].ID); err != nil {
		t.Fatal(err)
	}
	h.tick()
	if rep := h.run(false); rep.Status != RunPaused {
		t.Fatalf("run = %+v, want paused (1 of 4 is above 10%%)", rep)
	}
	if err := h.engine.Resume(h.ctx, testConnector, false); err != nil {
		t.Fatal(err)
	}
	h.run(false)
	st, _ := h.engine.Status(h.ctx, testConnector)
	if len(h.local()) != 4 || st.Excluded != 1 || st.PendingDelete != 0 {
		t.Errorf("after resume without approval: %d local, status %+v; want 4 kept and 1 excluded", len(h.local()), st)
	}
}

func TestDeleteOnOneSideEditOnTheOther(t *testing.T) {
	h := newHarness(t, propagate(100))
	keep := h.createLocal(map[string]string{"email": "edited@example.com", "firstname": "A"})
	h.createLocal(map[string]string{"email": "gone@example.com", "firstname": "B"})
	restored := h.createLocal(map[string]string{"email": "restored@example.com", "firstname": "C"})
	archived := h.createLocal(map[string]string{"email": "archived@example.com", "firstname": "D"})
	h.run(false)
	remote := h.remoteByEmail()

	// Remote deleted first, local edited after: the edit wins.
	if err := h.remote.Delete("contacts", remote["edited@example.com"].ID); err != nil {
		t.Fatal(err)
	}
	h.tick()
	h.updateLocal(keep, map[string]string{"firstname": "A2"})
	// Remote deleted, no local edit: the delete wins.
	if err := h.remote.Delete("contacts", remote["gone@example.com"].ID); err != nil {
		t.Fatal(err)
	}
	// Local archived first, remote edited after: the edit wins.
	if err := h.store.ArchiveRecord(h.ctx, "contacts", restored, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	h.tick()
	h.updateRemote(remote["restored@example.com"].ID, map[string]string{"firstname": "C2"})
	// Local archived, no remote edit: the delete propagates.
	if err := h.store.ArchiveRecord(h.ctx, "contacts", archived, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	h.tick()
	h.run(false)

	local, remote := h.local(), h.remoteByEmail()
	if l, r := local["edited@example.com"], remote["edited@example.com"]; l == nil || l.Properties["firstname"] != "A2" || r.Fields["firstname"] != "A2" {
		t.Errorf("edited-after-remote-delete: local %v remote %v, want kept and re-created with A2", l, r)
	}
	if _, ok := local["gone@example.com"]; ok {
		t.Error("record deleted remotely without local edit is still live locally")
	}
	if l := local["restored@example.com"]; l == nil || l.Properties["firstname"] != "C2" {
		t.Errorf("archived locally then edited remotely: local %v, want restored with C2", l)
	}
	if _, ok := remote["archived@example.com"]; ok {
		t.Error("record archived locally is still live remotely")
	}
	if _, ok := remote["restored@example.com"]; !ok {
		t.Error("the restored record was deleted remotely")
	}
}

// noTombstones hides tombstones from pulls, like a platform that reports
// none: only a full listing reveals deletions.
type noTombstones struct{ connectors.Connector }

func (c noTombstones) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	p, err := c.Connector.Pull(ctx, req)
	live := p.Records[:0]
	for _, r := range p.Records {
		if !r.Deleted {
			live = append(live, r)
		}
	}
	p.Records = live
	return p, err
}

func (c noTombstones) List(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	return c.Connector.(connectors.Lister).List(ctx, req)
}

func TestDeletesAreInferredOnlyFromACompleteListing(t *testing.T) {
	h := newHarnessConn(t, propagate(100), func(c connectors.Connector) connectors.Connector { return noTombstones{c} })
	for i := range 120 {
		h.createLocal(map[string]string{"email": fmt.Sprintf("c%d@example.com", i)})
	}
	h.run(false)
	if err := h.remote.Delete("contacts", h.remote.All("contacts")[0].ID); err != nil {
		t.Fatal(err)
	}
	h.tick()
	if rep := h.run(false); rep.DeletedLocal != 0 {
		t.Fatalf("incremental run inferred %d deletions", rep.DeletedLocal)
	}
	// A listing that fails part way infers nothing.
	// (calls of a full run: describe fields, list page 1, list page 2, ...)
	h.remote.FailNext(memory.Fault{}, 2)
	h.remote.FailNext(memory.Fault{Kind: memory.FaultUnauthorized}, 1)
	if _, err := h.engine.Run(h.ctx, testConnector, RunOptions{Full: true}); err == nil {
		t.Fatal("full run with a failing listing succeeded")
	}
	h.tick()
	if n := len(h.local()); n != 120 {
		t.Fatalf("a failed listing deleted records: %d left", n)
	}
	rep := h.run(true)
	if rep.DeletedLocal != 1 || len(h.local()) != 119 {
		t.Fatalf("full run = %+v with %d local left, want 1 deletion inferred", rep, len(h.local()))
	}
}

// hideFromPull drops one remote record from pulls, like a change a cursor
// missed; only a full reconciliation sees it.
type hideFromPull struct {
	noTombstones
	id *string
}

func (c hideFromPull) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	p, err := c.noTombstones.Pull(ctx, req)
	kept := p.Records[:0]
	for _, r := range p.Records {
		if r.ID != *c.id {
			kept = append(kept, r)
		}
	}
	p.Records = kept
	return p, err
}

func TestFullReconciliationHealsDrift(t *testing.T) {
	hidden := ""
	h := newHarnessConn(t, contactsSpec(nil), func(c connectors.Connector) connectors.Connector {
		return hideFromPull{noTombstones{c}, &hidden}
	})
	h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	h.run(false)
	hidden = h.remoteByEmail()["ann@example.com"].ID
	h.updateRemote(hidden, map[string]string{"firstname": "Missed"})
	h.run(false)
	if got := h.local()["ann@example.com"].Properties["firstname"]; got != "Ann" {
		t.Fatalf("the hidden change arrived incrementally (%q): the test proves nothing", got)
	}
	rep := h.run(true)
	if !rep.Full || rep.UpdatedLocal != 1 {
		t.Errorf("full run = %+v, want one local update", rep)
	}
	if got := h.local()["ann@example.com"].Properties["firstname"]; got != "Missed" {
		t.Errorf("after full reconciliation firstname = %q, want Missed", got)
	}
}

func TestFullReconciliationEvery(t *testing.T) {
	spec := contactsSpec(nil)
	spec.FullEvery = 3
	h := newHarness(t, spec)
	var full []bool
	for range 6 {
		full = append(full, h.run(false).Full)
	}
	want := []bool{false, false, true, false, false, true}
	for i := range want {
		if full[i] != want[i] {
			t.Fatalf("runs full = %v, want %v", full, want)
		}
	}
}
