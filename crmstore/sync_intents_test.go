package crmstore

import (
	"testing"
	"time"
)

func TestSyncCreateIntents(t *testing.T) {
	s, ctx := openSyncStore(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	err := s.RecordSyncCreateIntents(ctx, "hub", "contacts", []SyncCreateIntent{
		{LocalID: 1, Keys: map[string]string{"email": " Ann@Example.COM "}, Base: map[string]string{"email": "Ann@Example.COM", "firstname": "Ann"}, At: at},
		{LocalID: 2, Keys: map[string]string{}, Base: map[string]string{"firstname": "Keyless"}, At: at},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Found by the key in any spelling, in match form.
	found, err := s.SyncCreateIntentsByKey(ctx, "hub", "contacts", "email", []string{"ann@example.com", "other@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if got := found["ann@example.com"]; len(got) != 1 || got[0].LocalID != 1 || got[0].Base["firstname"] != "Ann" || !got[0].At.Equal(at) {
		t.Fatalf("intents by key = %+v, want record 1 with its base and time", found)
	}
	if len(found["other@example.com"]) != 0 {
		t.Errorf("an unknown key found %+v", found["other@example.com"])
	}
	list, err := s.ListSyncCreateIntents(ctx, "hub", "contacts", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].LocalID != 1 || list[0].Keys["email"] != "ann@example.com" || list[1].LocalID != 2 || len(list[1].Keys) != 0 {
		t.Fatalf("list = %+v, want both, the keyless one without keys", list)
	}
	if page, _ := s.ListSyncCreateIntents(ctx, "hub", "contacts", 1, 10); len(page) != 1 || page[0].LocalID != 2 {
		t.Errorf("page after 1 = %+v, want record 2", page)
	}
	// Recording again replaces the intent (a new attempt, a new key).
	later := at.Add(time.Hour)
	if err := s.RecordSyncCreateIntents(ctx, "hub", "contacts", []SyncCreateIntent{
		{LocalID: 1, Keys: map[string]string{"email": "ann@new.example.com"}, At: later}}); err != nil {
		t.Fatal(err)
	}
	byID, err := s.SyncCreateIntents(ctx, "hub", "contacts", []int64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) != 2 || byID[1].Keys["email"] != "ann@new.example.com" || !byID[1].At.Equal(later) {
		t.Fatalf("intents by id = %+v, want record 1 replaced", byID)
	}
	if old, _ := s.SyncCreateIntentsByKey(ctx, "hub", "contacts", "email", []string{"ann@example.com"}); len(old) != 0 {
		t.Errorf("the replaced key still finds %+v", old)
	}
	// Another connector's intents are apart.
	if other, _ := s.SyncCreateIntents(ctx, "other", "contacts", []int64{1, 2}); len(other) != 0 {
		t.Errorf("connector other sees %+v", other)
	}
}

func TestLinkingOrRefusingDropsTheCreateIntent(t *testing.T) {
	s, ctx := openSyncStore(t)
	a, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "a@example.com"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "b@example.com"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.RecordSyncCreateIntents(ctx, "hub", "contacts", []SyncCreateIntent{{LocalID: a.ID, At: now}, {LocalID: b.ID, At: now}}); err != nil {
		t.Fatal(err)
	}
	err = s.ApplyPush(ctx, SyncPushPage{Connector: "hub", Object: "contacts",
		Links:       []SyncLinkWrite{{LocalID: a.ID, RemoteID: "r1"}},
		Quarantine:  []SyncQuarantine{{LocalID: b.ID, Op: "create", Reason: "refused"}},
		DropIntents: []int64{b.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := s.SyncCreateIntents(ctx, "hub", "contacts", []int64{a.ID, b.ID}); len(left) != 0 {
		t.Errorf("intents left = %+v, want none", left)
	}
}

func TestSyncAssociate(t *testing.T) {
	s, ctx := openSyncStore(t)
	mk := func(object string, props map[string]string) int64 {
		r, err := s.CreateRecord(ctx, object, props, Source{})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	ann, bob := mk("contacts", map[string]string{"email": "ann@example.com"}), mk("contacts", map[string]string{"email": "bob@example.com"})
	x, y := mk("companies", map[string]string{"domain": "x.example"}), mk("companies", map[string]string{"domain": "y.example"})
	if err := s.AssociateDefault(ctx, "contacts", ann, "companies", x, Source{}); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveRecord(ctx, "companies", y, Source{}); err != nil {
		t.Fatal(err)
	}
	pairs := []SyncAssociationPair{{ann, x}, {bob, x}, {bob, x}, {ann, y}}
	missing, err := s.MissingAssociations(ctx, "contacts", "companies", pairs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []SyncAssociationPair{{bob, x}, {ann, y}}; len(missing) != 2 || missing[0] != want[0] || missing[1] != want[1] {
		t.Fatalf("missing = %v, want %v", missing, want)
	}
	seq, _ := s.LastChangeSeq(ctx)
	failed, err := s.SyncAssociate(ctx, "contacts", "companies", missing, syncSrc)
	if err != nil || len(failed) != 0 {
		t.Fatalf("associate = %v, %v; want the archived pair skipped, nothing failed", failed, err)
	}
	changes, _ := s.Changes(ctx, seq, 100)
	if len(changes) != 2 || changes[0].Source != syncSrc || changes[0].Op != OpAssociate {
		t.Fatalf("changes = %+v, want the association logged both ways with the integration source", changes)
	}
	if again, _ := s.MissingAssociations(ctx, "contacts", "companies", []SyncAssociationPair{{bob, x}}); len(again) != 0 {
		t.Errorf("bob-x still missing: %v", again)
	}
	// Associating a pair twice writes nothing.
	seq, _ = s.LastChangeSeq(ctx)
	if _, err := s.SyncAssociate(ctx, "contacts", "companies", []SyncAssociationPair{{bob, x}}, syncSrc); err != nil {
		t.Fatal(err)
	}
	if now, _ := s.LastChangeSeq(ctx); now != seq {
		t.Errorf("associating again logged %d changes", now-seq)
	}
}

func TestSyncAssocCursor(t *testing.T) {
	s, ctx := openSyncStore(t)
	if seq, err := s.GetSyncAssocCursor(ctx, "hub", "contacts", "companies"); err != nil || seq != 0 {
		t.Fatalf("fresh cursor = %d, %v", seq, err)
	}
	for _, seq := range []int64{7, 3} {
		if err := s.SetSyncAssocCursor(ctx, "hub", "contacts", "companies", seq); err != nil {
			t.Fatal(err)
		}
	}
	if seq, _ := s.GetSyncAssocCursor(ctx, "hub", "contacts", "companies"); seq != 7 {
		t.Errorf("cursor = %d, want 7: it never moves back", seq)
	}
	if seq, _ := s.GetSyncAssocCursor(ctx, "hub", "companies", "contacts"); seq != 0 {
		t.Errorf("the reverse pair's cursor = %d, want its own 0", seq)
	}
}
