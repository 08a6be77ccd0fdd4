package connectortest

import (
	"errors"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
)

// testPushRoundTrip: creates, updates, clears and deletes pushed through the connector land
// on the remote, with one Result per Change echoing its Ref.
func testPushRoundTrip(t *testing.T, h Harness) {
	e := open(t, h)
	va, vb := e.values("a"), e.values("b")
	created := e.push([]connectors.Change{
		{Kind: connectors.OpCreate, Ref: "a", Fields: va},
		{Kind: connectors.OpCreate, Ref: "b", Fields: vb},
	})
	idA, idB := created[0].ID, created[1].ID
	if idA == "" || idB == "" || idA == idB {
		t.Fatalf("created ids %q and %q; want two distinct non-empty ids", idA, idB)
	}
	e.checkRemote(idA, va)
	e.checkRemote(idB, vb)

	updated := e.push([]connectors.Change{
		{Kind: connectors.OpUpdate, Ref: "a", ID: idA, Fields: map[string]string{h.Fields[1]: "pushed update"}},
		{Kind: connectors.OpDelete, Ref: "b", ID: idB},
	})
	for i, id := range []string{idA, idB} {
		if updated[i].ID != id {
			t.Errorf("result %d of update/delete: ID %q, want %q", i, updated[i].ID, id)
		}
	}
	e.checkRemote(idA, map[string]string{h.Fields[0]: va[h.Fields[0]], h.Fields[1]: "pushed update"})
	if _, ok := e.r.Get(t, h.Object, idB); ok {
		t.Errorf("record %s is still live on the remote after a pushed delete", idB)
	}
	if v0, v1 := created[0].Version, updated[0].Version; v0 != "" && v1 != "" && v0 == v1 {
		t.Errorf("record %s: push results report Version %q before and after an update", idA, v0)
	}
	e.checkPulledVersion(idA, updated[0].Version)

	e.push([]connectors.Change{{Kind: connectors.OpUpdate, Ref: "a", ID: idA, Fields: map[string]string{h.Fields[1]: ""}}})
	e.checkRemote(idA, map[string]string{h.Fields[1]: ""})
}

// push pushes changes that must all succeed and returns their results.
func (e *env) push(changes []connectors.Change) []connectors.Result {
	e.t.Helper()
	res, err := e.c.Push(e.ctx, e.h.Object, changes)
	if err != nil {
		e.t.Fatalf("Push of %d changes: %v", len(changes), err)
	}
	if len(res) != len(changes) {
		e.t.Fatalf("Push of %d changes returned %d results", len(changes), len(res))
	}
	for i, r := range res {
		if r.Err != nil {
			e.t.Fatalf("Push result %d (%s %s): %v", i, changes[i].Kind, changes[i].Ref, r.Err)
		}
		if r.Ref != changes[i].Ref {
			e.t.Errorf("Push result %d: Ref %q, want %q (results must be in the order of the changes)", i, r.Ref, changes[i].Ref)
		}
	}
	return res
}

// checkRemote compares the remote's record id with want, reading the remote directly.
func (e *env) checkRemote(id string, want map[string]string) {
	e.t.Helper()
	got, ok := e.r.Get(e.t, e.h.Object, id)
	if !ok {
		e.t.Errorf("record %s is not on the remote", id)
		return
	}
	checkFields(e.t, "remote record "+id, got, want)
}

// checkPulledVersion: when a push reports a Version, a pull reports the same one for the
// unchanged record, so the engine recognises its own write.
func (e *env) checkPulledVersion(id, version string) {
	e.t.Helper()
	if version == "" {
		return
	}
	r, ok := latest(mustPullAll(e, ""))[id]
	if !ok {
		e.t.Errorf("record %s, pushed, is missing from a full pull", id)
		return
	}
	if r.Version != version {
		e.t.Errorf("record %s: Push reported Version %q, Pull reports %q for the same state", id, version, r.Version)
	}
}

// testPartialFailure: one record the remote refuses fails alone with a permanent error; the
// others of the batch succeed.
func testPartialFailure(t *testing.T, h Harness) {
	if len(h.Invalid) == 0 {
		t.Skip("Harness.Invalid is empty: no value the remote refuses")
	}
	e := open(t, h)
	bad := e.values("bad")
	for k, v := range h.Invalid {
		bad[k] = v
	}
	good1, good2 := e.values("good1"), e.values("good2")
	changes := []connectors.Change{
		{Kind: connectors.OpCreate, Ref: "good1", Fields: good1},
		{Kind: connectors.OpCreate, Ref: "bad", Fields: bad},
		{Kind: connectors.OpCreate, Ref: "good2", Fields: good2},
	}
	res, err := e.c.Push(e.ctx, h.Object, changes)
	var pe *connectors.PartialError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("Push with one invalid record: error %v; want nil or a *connectors.PartialError", err)
	}
	if pe != nil && (pe.Failed != 1 || pe.Total != 3) {
		t.Errorf("PartialError reports %d of %d failed; want 1 of 3", pe.Failed, pe.Total)
	}
	if len(res) != 3 {
		t.Fatalf("Push of 3 changes returned %d results", len(res))
	}
	for i, want := range []map[string]string{good1, nil, good2} {
		r := res[i]
		if r.Ref != changes[i].Ref {
			t.Errorf("result %d: Ref %q, want %q", i, r.Ref, changes[i].Ref)
		}
		if want == nil {
			if !connectors.IsPermanent(r.Err) {
				t.Errorf("invalid record's result error %v; want a *connectors.PermanentError", r.Err)
			}
			continue
		}
		if r.Err != nil || r.ID == "" {
			t.Errorf("valid record %s: error %v, id %q; want success with an id", r.Ref, r.Err, r.ID)
			continue
		}
		e.checkRemote(r.ID, want)
	}
}
