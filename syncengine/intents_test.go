package syncengine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
)

// errDropped is a connection dropped after the request was sent: the remote
// may or may not have applied it.
var errDropped = errors.New("connection reset by peer")

// flakyCreates makes the first n Push calls carrying creates fail with
// errDropped, after applying them (lost answers) or before (lost requests).
type flakyCreates struct {
	connectors.Connector
	n       int
	applied bool
}

func (f *flakyCreates) Push(ctx context.Context, object string, changes []connectors.Change) ([]connectors.Result, error) {
	if f.n == 0 || len(changes) == 0 || changes[0].Kind != connectors.OpCreate {
		return f.Connector.Push(ctx, object, changes)
	}
	f.n--
	if f.applied {
		if _, err := f.Connector.Push(ctx, object, changes); err != nil {
			return nil, err
		}
	}
	return nil, errDropped
}

func (h *harness) intents() []crmstore.SyncCreateIntent {
	h.t.Helper()
	in, err := h.store.ListSyncCreateIntents(h.ctx, testConnector, "contacts", 0, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return in
}

func (h *harness) runErr() (RunReport, error) {
	rep, err := h.engine.Run(h.ctx, testConnector, RunOptions{})
	h.tick()
	return rep, err
}

// A create the remote applied but whose answer was lost is neither sent
// again in the run nor later: the next pull finds it by the email the
// create sent, though the local email changed since, and links it.
func TestLostCreateAnswerIsFoundByItsKeyNotSentTwice(t *testing.T) {
	h := newHarnessOpts(t, contactsSpec(nil), memory.Options{}, func(c connectors.Connector) connectors.Connector {
		return &flakyCreates{Connector: c, n: 1, applied: true}
	})
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	if _, err := h.runErr(); !errors.Is(err, errDropped) {
		t.Fatalf("run with a lost create answer: %v, want the dropped connection", err)
	}
	if n := h.remote.Count("contacts"); n != 1 {
		t.Fatalf("remote holds %d contacts after a lost answer, want 1: the create was sent again", n)
	}
	if in := h.intents(); len(in) != 1 || in[0].LocalID != id || in[0].Keys["email"] != "ann@example.com" {
		t.Fatalf("intents = %+v, want record %d's create by its email", in, id)
	}
	h.updateLocal(id, map[string]string{"email": "ann@new.example.com", "firstname": "Annie"})
	h.clock.Advance(2 * time.Minute)
	if rep, err := h.runErr(); err != nil || rep.CreatedRemote != 0 || rep.CreatedLocal != 0 || rep.Conflicts != 0 {
		t.Fatalf("next run = %+v, %v; want the remote record linked, nothing created, no conflict", rep, err)
	}
	all := h.remote.All("contacts")
	if len(all) != 1 || all[0].Fields["email"] != "ann@new.example.com" || all[0].Fields["firstname"] != "Annie" {
		t.Fatalf("remote = %+v, want the one record with the local edits pushed", all)
	}
	if local := h.local(); len(local) != 1 || local["ann@new.example.com"] == nil {
		t.Fatalf("local = %v, want only ann@new.example.com", local)
	}
	if in := h.intents(); len(in) != 0 {
		t.Errorf("intents after linking = %+v, want none", in)
	}
	if rep := h.run(false); rep.Pushed != 0 || rep.UpdatedLocal != 0 {
		t.Errorf("run with nothing changed = %+v, want no writes", rep)
	}
}

// A create whose request was lost waits until a pull that started
// CreateCheckDelay after it shows the remote lacks it, then goes again.
func TestUnknownCreateIsSentAgainOnlyAfterAPullProvesItMissing(t *testing.T) {
	h := newHarnessConn(t, contactsSpec(nil), func(c connectors.Connector) connectors.Connector {
		return &flakyCreates{Connector: c, n: 1}
	})
	h.createLocal(map[string]string{"email": "bob@example.com", "firstname": "Bob"})
	if _, err := h.runErr(); !errors.Is(err, errDropped) {
		t.Fatalf("run with a lost create: %v, want the dropped connection", err)
	}
	rep, err := h.runErr()
	if err != nil || rep.CreatedRemote != 0 || h.remote.Count("contacts") != 0 || len(h.intents()) != 1 {
		t.Fatalf("run soon after = %+v, %v, remote %d; want the create held", rep, err, h.remote.Count("contacts"))
	}
	h.clock.Advance(time.Minute)
	rep, err = h.runErr()
	if err != nil || rep.CreatedRemote != 1 || len(h.intents()) != 0 {
		t.Fatalf("run after the delay = %+v, %v; want the create sent again", rep, err)
	}
	checkConverged(t, h, 1)
}

// Without a match key nothing can find the record on the remote: the
// create goes again on the next run (the documented residual risk).
func TestUnknownCreateWithoutMatchKeyGoesAgainNextRun(t *testing.T) {
	spec := contactsSpec(func(o *ObjectSpec) { o.Fields = o.Fields[1:] }) // no email: no match key
	h := newHarnessConn(t, spec, func(c connectors.Connector) connectors.Connector {
		return &flakyCreates{Connector: c, n: 1}
	})
	h.createLocal(map[string]string{"firstname": "Cy"})
	if _, err := h.runErr(); !errors.Is(err, errDropped) {
		t.Fatalf("run with a lost create: %v, want the dropped connection", err)
	}
	if in := h.intents(); len(in) != 1 || len(in[0].Keys) != 0 {
		t.Fatalf("intents = %+v, want one without keys", in)
	}
	if rep, err := h.runErr(); err != nil || rep.CreatedRemote != 1 || h.remote.Count("contacts") != 1 {
		t.Fatalf("next run = %+v, %v; want the create sent again", rep, err)
	}
}

// refuseAsDuplicate answers creates of the given emails as HubSpot answers
// a duplicate: 409 CONFLICT naming the existing record.
type refuseAsDuplicate struct {
	connectors.Connector
	existing map[string]string // email -> remote id
}

func (r *refuseAsDuplicate) Push(ctx context.Context, object string, changes []connectors.Change) ([]connectors.Result, error) {
	results := make([]connectors.Result, len(changes))
	var pass []connectors.Change
	var at []int
	for i, ch := range changes {
		if id, dup := r.existing[ch.Fields["email"]]; dup && ch.Kind == connectors.OpCreate {
			results[i] = connectors.Result{Ref: ch.Ref, Err: &connectors.PermanentError{Code: "CONFLICT", Reason: "Contact already exists. Existing ID: " + id}}
			continue
		}
		pass, at = append(pass, ch), append(at, i)
	}
	if len(pass) > 0 {
		res, err := r.Connector.Push(ctx, object, pass)
		if err != nil {
			return nil, err
		}
		for j, i := range at {
			results[i] = res[j]
		}
	}
	return results, &connectors.PartialError{Failed: len(changes) - len(pass), Total: len(changes)}
}

func TestDuplicateRefusalLinksToTheExistingRecord(t *testing.T) {
	refuse := &refuseAsDuplicate{existing: map[string]string{}}
	spec := contactsSpec(func(o *ObjectSpec) { o.Direction = DirectionPush })
	h := newHarnessConn(t, spec, func(c connectors.Connector) connectors.Connector {
		refuse.Connector = c
		return refuse
	})
	rid := h.putRemote(map[string]string{"email": "ann@example.com", "firstname": "Old", "lastname": "Remote"})
	refuse.existing["ann@example.com"] = rid
	id := h.createLocal(map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	rep := h.run(false)
	if rep.Failed != 0 || rep.CreatedRemote != 0 || rep.UpdatedRemote != 1 {
		t.Fatalf("run = %+v, want the record linked to %s and its values pushed, nothing failed", rep, rid)
	}
	links, err := h.store.SyncLinksByLocal(h.ctx, testConnector, "contacts", []int64{id})
	if err != nil || links[id].RemoteID != rid {
		t.Fatalf("link of %d = %+v, %v; want remote %s", id, links[id], err, rid)
	}
	if r, _ := h.remote.Get("contacts", rid); r.Fields["firstname"] != "Ann" || r.Fields["lastname"] != "Remote" || h.remote.Count("contacts") != 1 {
		t.Fatalf("remote = %+v (%d records), want the local firstname on the one record", r.Fields, h.remote.Count("contacts"))
	}

	// A refusal naming a record linked to another local record is a real
	// duplicate: quarantined with the remote's reason.
	refuse.existing["bob@example.com"] = rid
	bob := h.createLocal(map[string]string{"email": "bob@example.com"})
	if rep := h.run(false); rep.Failed != 1 {
		t.Fatalf("run = %+v, want the duplicate failed", rep)
	}
	q, err := h.engine.Quarantine(h.ctx, testConnector, 0)
	if err != nil || len(q) != 1 || q[0].LocalID != bob || q[0].Code != "CONFLICT" {
		t.Fatalf("quarantine = %+v, %v; want record %d refused as a conflict", q, err, bob)
	}
	if len(h.intents()) != 0 {
		t.Errorf("intents = %+v, want none after a refusal", h.intents())
	}
}

func TestExistingID(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		id   string
		ok   bool
	}{
		{"hubspot 409", &connectors.PermanentError{Code: "CONFLICT", Reason: "Contact already exists. Existing ID: 12345"}, "12345", true},
		{"no code", &connectors.PermanentError{Reason: "Company already exists. Existing ID: 7"}, "7", true},
		{"wrapped", errors.Join(errors.New("push"), &connectors.PermanentError{Code: "CONFLICT", Reason: "Contact already exists. Existing ID: 9."}), "9", true},
		{"other code", &connectors.PermanentError{Code: "VALIDATION_ERROR", Reason: "Existing ID: 12"}, "", false},
		{"two ids", &connectors.PermanentError{Code: "CONFLICT", Reason: "Existing ID: 1. Existing ID: 2"}, "", false},
		{"not at the end", &connectors.PermanentError{Code: "CONFLICT", Reason: "Existing ID: 12 is archived"}, "", false},
		{"not a number", &connectors.PermanentError{Code: "CONFLICT", Reason: "Existing ID: abc"}, "", false},
		{"leading zero", &connectors.PermanentError{Code: "CONFLICT", Reason: "Existing ID: 012"}, "", false},
		{"glued to a word", &connectors.PermanentError{Code: "CONFLICT", Reason: "NonExisting ID: 12"}, "", false},
		{"transient", errors.New("Existing ID: 12"), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := existingID(tc.err)
			if id != tc.id || ok != tc.ok {
				t.Errorf("existingID = %q, %v; want %q, %v", id, ok, tc.id, tc.ok)
			}
		})
	}
}

// A record deleted locally after a lost create is not created; its intent
// goes once a pull shows the create did not land.
func TestUnknownCreateOfADeletedRecordIsDropped(t *testing.T) {
	h := newHarnessConn(t, contactsSpec(nil), func(c connectors.Connector) connectors.Connector {
		return &flakyCreates{Connector: c, n: 1}
	})
	id := h.createLocal(map[string]string{"email": "dee@example.com"})
	if _, err := h.runErr(); !errors.Is(err, errDropped) {
		t.Fatalf("run with a lost create: %v, want the dropped connection", err)
	}
	if err := h.store.ArchiveRecord(h.ctx, "contacts", id, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Minute)
	if rep, err := h.runErr(); err != nil || rep.CreatedRemote != 0 {
		t.Fatalf("run = %+v, %v; want nothing created", rep, err)
	}
	if in := h.intents(); len(in) != 0 || h.remote.Count("contacts") != 0 {
		t.Errorf("intents = %+v, remote %d; want none", in, h.remote.Count("contacts"))
	}
}
