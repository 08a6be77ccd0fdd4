package crmstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

func openSyncStore(t *testing.T) (*Store, context.Context) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ctx
}

var syncSrc = Source{Type: SourceIntegration, ID: "hub", Label: "hub"}

func TestApplyPullIsOneTransactionPerPage(t *testing.T) {
	s, ctx := openSyncStore(t)
	cursor := "c1"
	res, err := s.ApplyPull(ctx, SyncPullPage{Connector: "hub", Object: "contacts", Source: syncSrc, RemoteCursor: &cursor,
		Writes: []SyncRecordWrite{
			{RemoteID: "r1", Create: true, Props: map[string]string{"email": "a@example.com", "firstname": "A"},
				Link: &SyncLinkWrite{RemoteID: "r1", Base: map[string]string{"email": "a@example.com", "firstname": "A"}, RemoteVersion: "1"}},
			{RemoteID: "r2", Create: true, Props: map[string]string{"email": "not an email"},
				Link: &SyncLinkWrite{RemoteID: "r2", Base: map[string]string{"email": "not an email"}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 1 || len(res.Failed) != 1 || res.Failed[0].RemoteID != "r2" {
		t.Fatalf("result = %+v, want r1 created and r2 refused", res)
	}
	links, err := s.SyncLinksByRemote(ctx, "hub", "contacts", []string{"r1", "r2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links["r1"].LocalID != res.Created["r1"] || links["r1"].RemoteVersion != "1" || links["r1"].State != LinkLinked {
		t.Fatalf("links = %+v, want only r1 linked", links)
	}
	q, err := s.SyncQuarantine(ctx, "hub", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].RemoteID != "r2" || q[0].Direction != SyncPull || q[0].Code != CodeInvalidEmail {
		t.Fatalf("quarantine = %+v, want r2 with the validation code", q)
	}
	if c, _ := s.GetSyncCursor(ctx, "hub", "contacts"); c.Remote != "c1" {
		t.Errorf("cursor = %+v, want c1 committed with the page", c)
	}
	changes, err := s.Changes(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Source != syncSrc {
		t.Errorf("change log = %+v, want one create with the integration source", changes)
	}

	// A page whose transaction fails leaves the cursor where it was.
	next := "c2"
	_, err = s.ApplyPull(ctx, SyncPullPage{Connector: "hub", Object: "contacts", Source: syncSrc, RemoteCursor: &next,
		Links: []SyncLinkWrite{{LocalID: 999, RemoteID: "r1"}}}) // r1 is linked to another record already
	if err == nil {
		t.Fatal("linking a remote id twice succeeded")
	}
	if c, _ := s.GetSyncCursor(ctx, "hub", "contacts"); c.Remote != "c1" {
		t.Errorf("cursor after a failed page = %+v, want c1", c)
	}
}

func TestSyncLinkBaseIsCanonical(t *testing.T) {
	s, ctx := openSyncStore(t)
	rec, err := s.CreateRecord(ctx, "companies", map[string]string{"domain": "example.com"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyPush(ctx, SyncPushPage{Connector: "hub", Object: "companies",
		Links: []SyncLinkWrite{{LocalID: rec.ID, RemoteID: "r1", Base: map[string]string{"annualrevenue": "1.50", "domain": "example.com"}}}}); err != nil {
		t.Fatal(err)
	}
	links, _ := s.SyncLinksByLocal(ctx, "hub", "companies", []int64{rec.ID})
	if got := links[rec.ID].Base["annualrevenue"]; got != "1.5" {
		t.Errorf("base annualrevenue = %q, want the canonical 1.5", got)
	}
}

func TestSyncLease(t *testing.T) {
	s, ctx := openSyncStore(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		holder string
		at     time.Duration
		want   bool
	}{
		{"a", 0, true},
		{"b", time.Second, false},       // a holds it
		{"a", 2 * time.Second, true},    // the holder may take it again
		{"b", 2 * time.Minute, true},    // a's lease expired
		{"a", 2*time.Minute + 1, false}, // now b holds it
	} {
		ok, err := s.AcquireSyncLease(ctx, "hub", step.holder, now.Add(step.at), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok != step.want {
			t.Errorf("%s at +%s: acquired %v, want %v", step.holder, step.at, ok, step.want)
		}
	}
	if ok, _ := s.RenewSyncLease(ctx, "hub", "a", now, time.Minute); ok {
		t.Error("a renewed a lease it lost")
	}
	if err := s.ReleaseSyncLease(ctx, "hub", "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.AcquireSyncLease(ctx, "hub", "a", now.Add(3*time.Minute), time.Minute); !ok {
		t.Error("lease not free after release")
	}
}

func TestSyncMatchNonUniqueProperty(t *testing.T) {
	s, ctx := openSyncStore(t)
	for _, n := range []string{"Ann", "Ann", "Bob"} {
		if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"firstname": n}, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.SyncMatch(ctx, "contacts", "firstname", []string{"Ann", "Bob", "Cid"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["Ann"]) != 2 || len(got["Bob"]) != 1 || len(got["Cid"]) != 0 {
		t.Errorf("matches = %v", got)
	}
	if _, err := s.SyncMatch(ctx, "contacts", "nosuch", []string{"x"}); err == nil {
		t.Error("matching on an unknown property succeeded")
	}
	var inv *InvalidError
	if _, err := s.SyncMatch(ctx, "contacts", "nosuch", nil); !errors.As(err, &inv) {
		t.Errorf("error = %v, want an InvalidError naming the property", err)
	}
}

func TestSyncRunsAndPause(t *testing.T) {
	s, ctx := openSyncStore(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, err := s.StartSyncRun(ctx, "hub", "manual", true, at)
	if err != nil {
		t.Fatal(err)
	}
	counts := SyncCounts{Pulled: 3, CreatedLocal: 2, SkippedEcho: 1}
	if err := s.FinishSyncRun(ctx, id, SyncRunSucceeded, counts, "", at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	runs, err := s.SyncRuns(ctx, "hub", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Counts != counts || !runs[0].Full || runs[0].FinishedAt.IsZero() {
		t.Fatalf("runs = %+v", runs)
	}
	if err := s.PauseSyncConnector(ctx, "hub", "guard", at); err != nil {
		t.Fatal(err)
	}
	st, _ := s.GetSyncConnectorState(ctx, "hub")
	if !st.Paused || st.PauseReason != "guard" {
		t.Errorf("state = %+v", st)
	}
	if err := s.ResumeSyncConnector(ctx, "hub", true); err != nil {
		t.Fatal(err)
	}
	st, _ = s.GetSyncConnectorState(ctx, "hub")
	if st.Paused || !st.ApproveDeletes {
		t.Errorf("state after resume = %+v", st)
	}
}
