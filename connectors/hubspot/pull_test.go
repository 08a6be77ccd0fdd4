package hubspot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
)

func TestPullFirstListsThenSearchesChanges(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now}, nil)
	ids := seed(t, fake, "c", 250)

	recs, cursor, pages := pullAll(t, c, "contacts", "", []string{"email", "firstname"}, 50)
	got := latest(recs)
	if len(got) != 250 {
		t.Fatalf("first pull: %d distinct records, want 250", len(got))
	}
	// 5 list pages and the search that follows the listing; every record shares the mark's
	// millisecond, long past, so none is read twice.
	if pages != 6 || fake.Count("GET list") != 5 || len(recs) != 250 {
		t.Errorf("first pull: %d pages, %d list calls, %d records; want 6, 5, 250", pages, fake.Count("GET list"), len(recs))
	}
	r := got[ids[7]]
	if r.Fields["email"] != "c7@example.com" || r.Fields["firstname"] != "C7" || r.Version == "" || !r.ModifiedAt.Equal(clock.Now()) {
		t.Errorf("record = %+v", r)
	}

	// Nothing changed: one search call, no records.
	fake.ResetCounters()
	recs, cursor2, _ := pullAll(t, c, "contacts", cursor, []string{"email"}, 50)
	if fake.Requests() != 1 {
		t.Errorf("idle pull made %d requests, want 1", fake.Requests())
	}
	for _, r := range recs {
		if !r.ModifiedAt.Equal(clock.Now()) {
			t.Errorf("idle pull re-read %s modified at %s, before the cursor", r.ID, r.ModifiedAt)
		}
	}

	// Changes later on come back, and only they (plus boundary re-reads, which are harmless).
	clock.Advance(time.Minute)
	for _, id := range []string{ids[3], ids[200]} {
		if err := fake.Update("contacts", id, map[string]string{"firstname": "Changed"}); err != nil {
			t.Fatal(err)
		}
	}
	newID, err := fake.Put("contacts", map[string]string{"email": "new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	recs, _, _ = pullAll(t, c, "contacts", cursor2, []string{"email", "firstname"}, 50)
	got = latest(recs)
	if len(got) != 3 || got[ids[3]].Fields["firstname"] != "Changed" || got[ids[200]].Fields["firstname"] != "Changed" || got[newID].ID == "" {
		t.Errorf("incremental pull = %v", got)
	}
}

// A record changed while the first listing runs is read again by the search that follows.
func TestPullChangeDuringListingIsNotMissed(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now}, nil)
	ids := seed(t, fake, "c", 30)

	p, err := c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", PageSize: 10})
	if err != nil || !p.More {
		t.Fatalf("first page: %v more=%v", err, p.More)
	}
	clock.Advance(time.Second)
	// ids[0] was already listed; its change must still arrive.
	if err := fake.Update("contacts", ids[0], map[string]string{"firstname": "During"}); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := pullAll(t, c, "contacts", p.Cursor, []string{"firstname"}, 10)
	if got := latest(recs)[ids[0]]; got.Fields["firstname"] != "During" {
		t.Errorf("change made during the listing was missed: %+v", got)
	}
}

// Many records sharing one timestamp (a bulk update), in any tie order, across pages.
func TestPullPagesThroughOneTimestampByID(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
	seed(t, fake, "c", 5)
	_, cursor, _ := pullAll(t, c, "contacts", "", nil, 0)

	clock.Advance(time.Minute)
	ids := seed(t, fake, "tie", 230) // all at the same millisecond
	clock.Advance(time.Minute)
	later, err := fake.Put("contacts", map[string]string{"email": "later@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	recs, _, _ := pullAll(t, c, "contacts", cursor, []string{"email"}, 50)
	got := latest(recs)
	for _, id := range append(ids, later) {
		if _, ok := got[id]; !ok {
			t.Errorf("record %s was skipped", id)
		}
	}
	if len(recs) > 2*len(got) {
		t.Errorf("%d records read for %d distinct: re-reads should be boundary records only", len(recs), len(got))
	}
}

// HubSpot refuses search paging past 10,000 results; a pull of more changes than that must
// not need it.
func TestPullMoreThanTenThousandChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,500 records")
	}
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now}, nil)
	_, cursor, _ := pullAll(t, c, "contacts", "", nil, 0)
	const n = 10500
	if err := fake.PutMany("contacts", n, func(i int) map[string]string {
		if i%100 == 0 {
			clock.Advance(time.Millisecond) // runs of 100 records share a timestamp
		}
		return map[string]string{"email": fmt.Sprintf("bulk%d@example.com", i)}
	}); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := pullAll(t, c, "contacts", cursor, []string{"email"}, 0)
	if got := len(latest(recs)); got != n {
		t.Errorf("pulled %d distinct records, want %d", got, n)
	}
}

func TestFakeRefusesSearchPastTenThousand(t *testing.T) {
	c, _ := setup(t, hubspotfake.Options{}, nil)
	var out searchResponse
	_, err := c.api.call(t.Context(), "POST", "/crm/v3/objects/contacts/search", nil,
		map[string]any{"limit": 100, "after": "9950"}, &out)
	ae, ok := asAPIError(err)
	if !ok || ae.Status != 400 || !strings.Contains(ae.Message, "10000") {
		t.Fatalf("err = %v", err)
	}
}

func TestPullRejectsForeignCursor(t *testing.T) {
	c, _ := setup(t, hubspotfake.Options{}, nil)
	tieWithoutID := pullCursor{Phase: phaseTie, TS: 1700000000000}.encode()
	for _, cur := range []string{"123", "hs1.!!", "hs1." + "e30", tieWithoutID} {
		if _, err := c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cur}); err == nil ||
			!strings.Contains(err.Error(), "pull cursor") {
			t.Errorf("cursor %q: err = %v", cur, err)
		}
	}
}

func TestListCoversEveryLiveRecordOnce(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, nil)
	ids := seed(t, fake, "c", 120)
	if err := fake.Delete("contacts", ids[5]); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	cursor := ""
	for {
		p, err := c.List(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cursor, Fields: []string{"email"}, PageSize: 25})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			seen[r.ID]++
		}
		cursor = p.Cursor
		if !p.More {
			break
		}
	}
	if len(seen) != 119 || seen[ids[5]] != 0 {
		t.Errorf("listed %d records (archived one %d times)", len(seen), seen[ids[5]])
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("record %s listed %d times", id, n)
		}
	}
}

// A record modified in the same millisecond as the last one pulled, after the pull, may have a
// lower id; the id tiebreak must not skip it.
func TestPullSeesALaterChangeInTheSameMillisecond(t *testing.T) {
	clock := &fakeClock{now: time.Now().Add(-time.Millisecond)} // near the fake's Date header
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now}, nil)
	low := seed(t, fake, "low", 1)[0]
	clock.Advance(time.Millisecond) // and standing still from here on
	seed(t, fake, "ms", 3)
	_, cursor, _ := pullAll(t, c, "contacts", "", []string{"firstname"}, 0)
	// The fake moves a write at least a millisecond past the record's previous one; low's
	// previous write is a millisecond older, so this one lands in the cursor's millisecond.
	if err := fake.Update("contacts", low, map[string]string{"firstname": "Same ms"}); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := pullAll(t, c, "contacts", cursor, []string{"firstname"}, 0)
	got := latest(recs)[low]
	if got.Fields["firstname"] != "Same ms" {
		t.Errorf("change in the cursor's millisecond was skipped: %+v", got)
	}
	if got.ID != "" && got.ModifiedAt.UnixMilli() != clock.Now().UnixMilli() {
		t.Fatalf("update landed at %s, not in the cursor's millisecond (the test lost its setup)", got.ModifiedAt)
	}
}
