package syncengine

import (
	"context"
	"sync"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
)

// hookedConn runs a hook inside the first Associations call of contacts
// after it is armed: that call sits between the pull reading the local
// records and committing the page, where an API edit can land.
type hookedConn struct {
	*memory.Conn
	mu   sync.Mutex
	hook func()
}

func (c *hookedConn) arm(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hook = f
}

func (c *hookedConn) Associations(ctx context.Context, from, to string, ids []string) (map[string][]string, error) {
	c.mu.Lock()
	f := c.hook
	if from == "contacts" {
		c.hook = nil
	}
	c.mu.Unlock()
	if f != nil && from == "contacts" {
		f()
	}
	return c.Conn.Associations(ctx, from, to, ids)
}

// A local edit committed while a pulled page is being merged must not be
// overwritten by a merge that never saw it: the page is merged again, so
// the edit meets the remote change as a conflict under the policy.
func TestPullDoesNotOverwriteLocalEditMadeDuringMerge(t *testing.T) {
	spec := contactsAndCompanies()
	spec.Objects[0].Conflict = PreferLocal
	var hc *hookedConn
	h := newHarnessOpts(t, spec, memory.Options{Unique: map[string]string{"contacts": "email", "companies": "domain"}},
		func(c connectors.Connector) connectors.Connector {
			hc = &hookedConn{Conn: c.(*memory.Conn)}
			return hc
		})
	id := h.createLocal(map[string]string{"email": "ann@x.example", "firstname": "Ann"})
	h.run(false)
	rid := h.remoteID("contacts", id)
	h.updateRemote(rid, map[string]string{"firstname": "Remote"})
	hc.arm(func() { h.updateLocal(id, map[string]string{"firstname": "Local"}) })
	rep := h.run(false)

	got := h.local()["ann@x.example"].Properties["firstname"]
	remote, _ := h.remote.Get("contacts", rid)
	if got != "Local" || remote.Fields["firstname"] != "Local" {
		t.Errorf("after the run local firstname = %q, remote = %q; want the concurrent local edit %q kept on both (prefer_local)",
			got, remote.Fields["firstname"], "Local")
	}
	if rep.Counts.Conflicts != 1 {
		t.Errorf("conflicts = %d, want 1 (local edit against remote edit)", rep.Counts.Conflicts)
	}
	cs, err := h.engine.Conflicts(h.ctx, testConnector, ConflictQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Local != "Local" || cs[0].Remote != "Remote" || cs[0].Winner != "local" {
		t.Errorf("conflicts = %+v, want one recording local %q against remote %q, won by local", cs, "Local", "Remote")
	}
}
