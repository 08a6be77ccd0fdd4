package syncengine

import (
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine/mapping"
)

// A local datetime synced to a remote date: the remote keeps the day only,
// and reading it back must not look like a remote change that overwrites
// the local time of day.
func TestLossyFieldIsComparedAsTheRemoteHoldsIt(t *testing.T) {
	spec := contactsSpec(func(o *ObjectSpec) {
		o.Fields = append(o.Fields, FieldSpec{Local: "last_seen", Remote: "last_seen"})
	})
	h := newHarnessOpts(t, spec, memory.Options{Fields: map[string][]connectors.Field{"contacts": {
		{Name: "email"}, {Name: "firstname"}, {Name: "lastname"}, {Name: "last_seen", Type: "date"},
	}}}, nil)
	if _, err := h.store.CreateProperty(h.ctx, "contacts", crmstore.PropertyInput{Name: "last_seen", Label: "Last seen",
		GroupName: "contactinformation", Type: crmstore.TypeDateTime, FieldType: "date"}); err != nil {
		t.Fatal(err)
	}
	const seen = "2026-02-10T13:45:00.000Z"
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann", "last_seen": seen})
	if rep := h.run(false); rep.CreatedRemote != 1 {
		t.Fatalf("first run = %+v, want the contact created remotely", rep)
	}
	rid := h.remoteByEmail()["ann@example.com"].ID
	if got := h.remoteByEmail()["ann@example.com"].Fields["last_seen"]; got != "2026-02-10" {
		t.Fatalf("remote last_seen = %q, want the day 2026-02-10", got)
	}

	// An unrelated remote edit brings the record back with its date.
	h.updateRemote(rid, map[string]string{"firstname": "Anne"})
	rep := h.run(false)
	if rep.UpdatedLocal != 1 || rep.Conflicts != 0 || rep.Pushed != 0 {
		t.Fatalf("run after a remote edit = %+v, want one local update (firstname), no conflict, nothing pushed", rep)
	}
	local := h.local()["ann@example.com"]
	if local.Properties["last_seen"] != seen || local.Properties["firstname"] != "Anne" {
		t.Fatalf("local = %v, want firstname Anne and last_seen still %s", local.Properties, seen)
	}
	if rep := h.run(false); rep.Pushed != 0 || rep.UpdatedLocal != 0 || rep.Conflicts != 0 {
		t.Fatalf("run with nothing changed = %+v, want no writes", rep)
	}

	// A real change of the day on the remote is taken.
	h.updateRemote(rid, map[string]string{"last_seen": "2026-02-12"})
	h.run(false)
	if got := h.local()["ann@example.com"].Properties["last_seen"]; got != "2026-02-12T00:00:00.000Z" {
		t.Errorf("local last_seen after a remote day change = %q, want 2026-02-12T00:00:00.000Z", got)
	}
	// And a local change of the day is pushed.
	h.updateLocal(id, map[string]string{"last_seen": "2026-02-20T08:00:00Z"})
	h.run(false)
	if got := h.remote.All("contacts")[0].Fields["last_seen"]; got != "2026-02-20" {
		t.Errorf("remote last_seen after a local day change = %q, want 2026-02-20", got)
	}
}

func TestLosesDetail(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		local, remote, transf string
		want                  bool
	}{
		{"datetime to date", "datetime", "date", "", true},
		{"datetime to datetime", "datetime", "datetime", "", false},
		{"date to datetime", "date", "datetime", "", false},
		{"plain text", "string", "string", "", false},
		{"lower-cased text", "string", "string", "lower", true},
		{"phone to E.164", "string", "string", "e164", true},
		{"number", "number", "number", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := compileOne(tc.local, tc.remote, tc.transf)
			if err != nil {
				t.Fatal(err)
			}
			if got := losesDetail(set); got != tc.want {
				t.Errorf("losesDetail = %v, want %v", got, tc.want)
			}
		})
	}
}

func compileOne(local, remote, transform string) (*mapping.Field, error) {
	return mapping.Compile(mapping.FieldSpec{Local: "f", Remote: "f", Transform: transform}, local, remote)
}
