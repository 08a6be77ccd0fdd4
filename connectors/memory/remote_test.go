package memory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
)

// pullAll pulls object from cursor to the end and returns the records and the final cursor.
func pullAll(t *testing.T, c connectors.Connector, object, cursor string) ([]connectors.Record, string) {
	t.Helper()
	var out []connectors.Record
	for range 1000 {
		p, err := c.Pull(t.Context(), connectors.PullRequest{Object: object, Cursor: cursor})
		if err != nil {
			t.Fatalf("Pull from %q: %v", cursor, err)
		}
		out = append(out, p.Records...)
		cursor = p.Cursor
		if !p.More {
			return out, cursor
		}
	}
	t.Fatal("Pull never caught up")
	return nil, ""
}

func byID(recs []connectors.Record) map[string]connectors.Record {
	m := map[string]connectors.Record{}
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

func TestPull_ReturnsEachRecordOnceAtItsLatestState(t *testing.T) {
	r := memory.New(memory.Options{})
	a := r.Put("contacts", map[string]string{"name": "a"})
	b := r.Put("contacts", map[string]string{"name": "b"})
	c := r.Put("contacts", map[string]string{"name": "c"})
	r.Put("companies", map[string]string{"name": "other object"})
	mustOK(t, r.Update("contacts", a, map[string]string{"name": "a2"}))
	mustOK(t, r.Update("contacts", a, map[string]string{"name": "a3"}))
	mustOK(t, r.Delete("contacts", b))

	recs, _ := pullAll(t, r.Connector(), "contacts", "")
	var order []string
	for _, rec := range recs {
		order = append(order, rec.ID)
	}
	if want := []string{c, a, b}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("pull order %v, want %v (by latest change, each once)", order, want)
	}
	got := byID(recs)
	if got[a].Fields["name"] != "a3" || got[a].Version != "3" {
		t.Errorf("record a: name %q version %q, want a3 at version 3", got[a].Fields["name"], got[a].Version)
	}
	if !got[b].Deleted {
		t.Errorf("record b: Deleted false; it was deleted")
	}
	if got[c].Deleted || got[c].Version != "1" {
		t.Errorf("record c: Deleted %v version %q, want live at version 1", got[c].Deleted, got[c].Version)
	}
}

func TestPull_CursorStaysValidAcrossFeedCompaction(t *testing.T) {
	r := memory.New(memory.Options{PageSize: 7})
	c := r.Connector()
	var ids []string
	for i := range 10 {
		ids = append(ids, r.Put("contacts", map[string]string{"n": fmt.Sprint(i)}))
	}
	_, cursor := pullAll(t, c, "contacts", "")
	// Enough superseded changes to compact the feed several times.
	for round := range 500 {
		for _, id := range ids {
			mustOK(t, r.Update("contacts", id, map[string]string{"n": fmt.Sprint(round)}))
		}
	}
	recs, _ := pullAll(t, c, "contacts", cursor)
	if len(recs) != len(ids) {
		t.Fatalf("pull after 5000 updates returned %d records, want %d", len(recs), len(ids))
	}
	for _, rec := range recs {
		if rec.Fields["n"] != "499" || rec.Version != "501" {
			t.Errorf("record %s: n %q version %q, want 499 at version 501", rec.ID, rec.Fields["n"], rec.Version)
		}
	}
}

func TestPull_RefusesForeignCursors(t *testing.T) {
	c := memory.New(memory.Options{}).Connector()
	for _, cur := range []string{"l3", "sabc", "x", "s-1"} {
		_, err := c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cur})
		if err == nil || !strings.Contains(err.Error(), cur) {
			t.Errorf("Pull with cursor %q: error %v, want one naming the cursor", cur, err)
		}
	}
	if _, err := c.List(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: "s1"}); err == nil {
		t.Error("List accepted a Pull cursor")
	}
}

func TestPull_FieldsSelection(t *testing.T) {
	r := memory.New(memory.Options{})
	id := r.Put("contacts", map[string]string{"email": "a@example.com", "phone": "1"})
	p, err := r.Connector().Pull(t.Context(), connectors.PullRequest{Object: "contacts", Fields: []string{"email", "city"}})
	mustOK(t, err)
	got := p.Records[0].Fields
	if len(got) != 2 || got["email"] != "a@example.com" || got["city"] != "" {
		t.Errorf("record %s fields %v, want email and an empty city only", id, got)
	}
}

func TestRemote_ClockStampsChanges(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := memory.New(memory.Options{Clock: func() time.Time { return now }})
	id := r.Put("deals", map[string]string{"name": "x"})
	now = now.Add(time.Hour)
	mustOK(t, r.Update("deals", id, map[string]string{"name": "x"}))
	rec, _ := r.Get("deals", id)
	if !rec.ModifiedAt.Equal(now) || rec.Version != "2" {
		t.Errorf("after a touch: ModifiedAt %s version %q, want %s and version 2", rec.ModifiedAt, rec.Version, now)
	}
}

func TestAccessors(t *testing.T) {
	r := memory.New(memory.Options{})
	a := r.Put("contacts", map[string]string{"email": "a@example.com", "city": "Oslo"})
	b := r.Put("contacts", map[string]string{"email": "b@example.com"})
	mustOK(t, r.Update("contacts", a, map[string]string{"city": ""}))
	if rec, _ := r.Get("contacts", a); len(rec.Fields) != 1 {
		t.Errorf("after clearing city, fields %v, want email only", rec.Fields)
	}
	mustOK(t, r.Delete("contacts", b))
	if _, ok := r.Get("contacts", b); ok {
		t.Error("Get found a deleted record")
	}
	if n := r.Count("contacts"); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	if all := r.All("contacts"); len(all) != 1 || all[0].ID != a {
		t.Errorf("All = %v, want only %s", all, a)
	}
	for name, err := range map[string]error{
		"update deleted": r.Update("contacts", b, nil),
		"delete deleted": r.Delete("contacts", b),
		"update unknown": r.Update("tickets", "1", nil),
	} {
		if err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%s: error %v, want not found", name, err)
		}
	}
	if r.Count("tickets") != 0 || r.All("tickets") != nil {
		t.Error("an object never written has records")
	}
}

func TestClose(t *testing.T) {
	r := memory.New(memory.Options{})
	c := r.Connector()
	mustOK(t, c.Close())
	mustOK(t, c.Close())
	if err := c.Test(t.Context()); !errors.Is(err, memory.ErrClosed) {
		t.Errorf("Test after Close: %v, want ErrClosed", err)
	}
	if err := r.Connector().Test(t.Context()); err != nil {
		t.Errorf("a new connector over the same remote: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := memory.New(memory.Options{PageSize: 13})
	var wg sync.WaitGroup
	const writers, each = 4, 50
	for w := range writers {
		wg.Go(func() {
			c := r.Connector()
			for i := range each {
				_, err := c.Push(context.Background(), "contacts", []connectors.Change{{
					Kind: connectors.OpCreate, Ref: fmt.Sprint(i), Fields: map[string]string{"email": fmt.Sprintf("%d-%d@example.com", w, i)},
				}})
				if err != nil {
					t.Errorf("writer %d push %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		c := r.Connector()
		for range 20 {
			if _, err := c.Pull(context.Background(), connectors.PullRequest{Object: "contacts"}); err != nil {
				t.Errorf("concurrent pull: %v", err)
				return
			}
		}
	})
	wg.Wait()
	recs, _ := pullAll(t, r.Connector(), "contacts", "")
	if len(recs) != writers*each || len(byID(recs)) != writers*each {
		t.Errorf("pulled %d records (%d distinct), want %d", len(recs), len(byID(recs)), writers*each)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
