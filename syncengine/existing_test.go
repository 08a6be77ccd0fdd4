package syncengine

import (
	"context"
	"sync"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
)

// fetchHooked refuses creates as duplicates, hides one remote record from
// pulls (so only the refusal can link it) and runs a hook inside the first
// Fetch after it is armed: that call sits between linkExisting reading the
// local records and committing the links, where an API edit can land.
type fetchHooked struct {
	*refuseAsDuplicate
	hidden string
	mu     sync.Mutex
	hook   func()
}

func (c *fetchHooked) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	p, err := c.refuseAsDuplicate.Pull(ctx, req)
	kept := p.Records[:0]
	for _, r := range p.Records {
		if r.ID != c.hidden {
			kept = append(kept, r)
		}
	}
	p.Records = kept
	return p, err
}

func (c *fetchHooked) Fetch(ctx context.Context, object string, ids []string, fields []string) ([]connectors.Record, error) {
	c.mu.Lock()
	f := c.hook
	c.hook = nil
	c.mu.Unlock()
	if f != nil {
		f()
	}
	return c.refuseAsDuplicate.Fetch(ctx, object, ids, fields)
}

// A local edit committed while a create refused as a duplicate is being
// linked to the remote record named must not be overwritten by a merge
// that never saw it: the link step is done again, the edit meets the
// remote value as a conflict under the policy, and the run's tallies
// count the step once.
func TestLinkExistingDoesNotOverwriteLocalEditMadeDuringFetch(t *testing.T) {
	spec := contactsSpec(func(o *ObjectSpec) { o.Conflict = PreferLocal })
	hc := &fetchHooked{refuseAsDuplicate: &refuseAsDuplicate{existing: map[string]string{}}}
	h := newHarnessConn(t, spec, func(c connectors.Connector) connectors.Connector {
		hc.Connector = c
		return hc
	})
	rid := h.putRemote(map[string]string{"email": "ann@example.com", "firstname": "Old", "lastname": "Remote"})
	hc.hidden, hc.existing["ann@example.com"] = rid, rid
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	hc.mu.Lock()
	hc.hook = func() { h.updateLocal(id, map[string]string{"lastname": "Edited"}) }
	hc.mu.Unlock()
	rep := h.run(false)

	if hc.hook != nil {
		t.Fatal("the fetch hook never ran: the test proves nothing")
	}
	local := h.local()["ann@example.com"].Properties
	remote, _ := h.remote.Get("contacts", rid)
	if local["lastname"] != "Edited" || remote.Fields["lastname"] != "Edited" {
		t.Errorf("lastname local %q, remote %q; want the concurrent local edit %q kept on both (prefer_local)",
			local["lastname"], remote.Fields["lastname"], "Edited")
	}
	if local["firstname"] != "Ann" || remote.Fields["firstname"] != "Ann" || h.remote.Count("contacts") != 1 {
		t.Errorf("firstname local %q, remote %q (%d remote records); want Ann on the one record",
			local["firstname"], remote.Fields["firstname"], h.remote.Count("contacts"))
	}
	if rep.Counts.Conflicts != 2 || rep.Failed != 0 || rep.UpdatedRemote != 1 || rep.CreatedRemote != 0 {
		t.Errorf("run = %+v, want 2 conflicts (firstname, lastname) counted once, 1 remote update, nothing failed", rep.Counts)
	}
	cs, err := h.engine.Conflicts(h.ctx, testConnector, ConflictQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byField := map[string]Conflict{}
	for _, c := range cs {
		byField[c.Field] = c
	}
	if c := byField["lastname"]; len(cs) != 2 || c.Local != "Edited" || c.Remote != "Remote" || c.Winner != "local" {
		t.Errorf("conflicts = %+v, want two, lastname recording local %q against remote %q, won by local", cs, "Edited", "Remote")
	}
}
