package crmstore

import (
	"errors"
	"strconv"
	"testing"
)

// A page merged against records that changed since ReadSeq is refused
// whole: no record write, no link, no cursor move.
func TestApplyPullRefusesPageStaleAgainstLocalEdit(t *testing.T) {
	s, ctx := openSyncStore(t)
	rec, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "a@example.com", "firstname": "A"}, Source{Type: SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	readSeq, err := s.LastChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRecord(ctx, "contacts", strconv.FormatInt(rec.ID, 10), map[string]string{"firstname": "Edited"}, "", Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	cursor := "c1"
	page := func(seq int64) SyncPullPage {
		return SyncPullPage{Connector: "hub", Object: "contacts", Source: syncSrc, RemoteCursor: &cursor, ReadSeq: seq,
			Writes: []SyncRecordWrite{{RemoteID: "r1", LocalID: rec.ID, Props: map[string]string{"firstname": "Remote"},
				Link: &SyncLinkWrite{RemoteID: "r1", Base: map[string]string{"firstname": "Remote"}}}}}
	}
	if _, err := s.ApplyPull(ctx, page(readSeq)); !errors.Is(err, ErrSyncStale) {
		t.Fatalf("ApplyPull of a stale page: err = %v, want ErrSyncStale", err)
	}
	got, err := s.GetRecord(ctx, "contacts", strconv.FormatInt(rec.ID, 10), GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Properties["firstname"] != "Edited" {
		t.Errorf("firstname = %q after a refused page, want the local edit kept", got.Properties["firstname"])
	}
	if c, _ := s.GetSyncCursor(ctx, "hub", "contacts"); c.Remote != "" {
		t.Errorf("cursor = %+v after a refused page, want it not moved", c)
	}
	if links, _ := s.SyncLinksByRemote(ctx, "hub", "contacts", []string{"r1"}); len(links) != 0 {
		t.Errorf("links = %+v after a refused page, want none", links)
	}
	fresh, err := s.LastChangeSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPull(ctx, page(fresh)); err != nil {
		t.Fatalf("ApplyPull of a fresh page: %v", err)
	}
}
