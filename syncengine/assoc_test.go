package syncengine

import (
	"slices"
	"testing"

	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
)

// contactsAndCompanies maps contacts and companies both ways.
func contactsAndCompanies() ConnectorSpec {
	spec := contactsSpec(nil)
	spec.Objects = append(spec.Objects, ObjectSpec{Object: "companies", Conflict: PreferRemote, MaxDeletePercent: 10,
		Fields: []FieldSpec{{Local: "domain", Remote: "domain"}, {Local: "name", Remote: "name"}}})
	return spec
}

// localID returns the local record linked to a remote one.
func (h *harness) localID(object, remoteID string) int64 {
	h.t.Helper()
	links, err := h.store.SyncLinksByRemote(h.ctx, testConnector, object, []string{remoteID})
	if err != nil || links[remoteID].LocalID == 0 {
		h.t.Fatalf("%s %s is not linked: %v", object, remoteID, err)
	}
	return links[remoteID].LocalID
}

// remoteID returns the remote record linked to a local one.
func (h *harness) remoteID(object string, localID int64) string {
	h.t.Helper()
	links, err := h.store.SyncLinksByLocal(h.ctx, testConnector, object, []int64{localID})
	if err != nil || links[localID].RemoteID == "" {
		h.t.Fatalf("%s %d is not linked: %v", object, localID, err)
	}
	return links[localID].RemoteID
}

// companiesOf lists the local companies associated with a local contact.
func (h *harness) companiesOf(contact int64) []int64 {
	h.t.Helper()
	recs, _, err := h.store.Associations(h.ctx, "contacts", contact, "companies", 0, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []int64
	for _, r := range recs {
		out = append(out, r.ToObjectID)
	}
	return out
}

func TestAssociationsSyncBothWays(t *testing.T) {
	h := newHarnessOpts(t, contactsAndCompanies(), memory.Options{Unique: map[string]string{"contacts": "email", "companies": "domain"}}, nil)
	// Remote: a contact at a company, linked before the first sync.
	rc := h.putRemote(map[string]string{"email": "ann@x.example"})
	rco := h.putRemote2("companies", map[string]string{"domain": "x.example", "name": "X"})
	if err := h.remote.Link("contacts", rc, "companies", rco); err != nil {
		t.Fatal(err)
	}
	h.run(false)
	ann, x := h.localID("contacts", rc), h.localID("companies", rco)
	if got := h.companiesOf(ann); !slices.Equal(got, []int64{x}) {
		t.Fatalf("local companies of ann = %v, want [%d]", got, x)
	}
	if n := h.remote.Calls().ByMethod["associate"]; n != 0 {
		t.Errorf("pushed %d association calls back: the pulled association echoed", n)
	}
	changes, err := h.store.Changes(h.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		if ch.Op == crmstore.OpAssociate && (ch.Source.Type != crmstore.SourceIntegration || ch.Source.ID != testConnector) {
			t.Errorf("pulled association logged with source %+v, want INTEGRATION:%s", ch.Source, testConnector)
		}
	}

	// Local: a new contact and company, associated; the run creates both
	// remotely and links them there.
	bob := h.createLocal(map[string]string{"email": "bob@y.example"})
	y, err := h.store.CreateRecord(h.ctx, "companies", map[string]string{"domain": "y.example", "name": "Y"}, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.AssociateDefault(h.ctx, "contacts", bob, "companies", y.ID, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	h.run(false)
	if got, want := h.remote.Linked("contacts", h.remoteID("contacts", bob), "companies"), []string{h.remoteID("companies", y.ID)}; !slices.Equal(got, want) {
		t.Fatalf("remote companies of bob = %v, want %v", got, want)
	}

	// Nothing changed: no association calls either way.
	h.remote.ResetCalls()
	h.run(false)
	if c := h.remote.Calls().ByMethod; c["associations"]+c["associate"] != 0 {
		t.Errorf("steady-state run made association calls: %v", c)
	}

	// A remote association added to a linked contact arrives with the
	// contact's next change.
	rz := h.putRemote2("companies", map[string]string{"domain": "z.example", "name": "Z"})
	if err := h.remote.Link("contacts", rc, "companies", rz); err != nil {
		t.Fatal(err)
	}
	h.updateRemote(rc, map[string]string{"firstname": "Ann"})
	h.run(false)
	want := []int64{x, h.localID("companies", rz)}
	slices.Sort(want)
	if got := h.companiesOf(ann); !slices.Equal(got, want) {
		t.Fatalf("local companies of ann = %v, want %v", got, want)
	}
	if got := h.remote.Linked("contacts", rc, "companies"); len(got) != 2 {
		t.Errorf("remote companies of ann = %v, want the two", got)
	}

	// An association made remotely without changing either record is not
	// seen by incremental pulls; a full reconciliation heals it.
	if err := h.remote.Link("contacts", h.remoteID("contacts", bob), "companies", rz); err != nil {
		t.Fatal(err)
	}
	h.run(false)
	if got := h.companiesOf(bob); len(got) != 1 {
		t.Fatalf("local companies of bob after an incremental run = %v, want only y", got)
	}
	h.run(true)
	if got := h.companiesOf(bob); len(got) != 2 {
		t.Errorf("local companies of bob after a full run = %v, want y and z", got)
	}
}

func (h *harness) putRemote2(object string, fields map[string]string) string {
	id := h.remote.Put(object, fields)
	h.tick()
	return id
}
