package hubspot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
)

// changeRun describes remote changes made after a pull caught up: before records with distinct
// timestamps, then bulk records sharing one millisecond, then after records with distinct
// timestamps again.
type changeRun struct{ before, bulk, after int }

func (r changeRun) total() int { return r.before + r.bulk + r.after }

// seedRun creates r's records on fake, each with the email "<run><i>@example.com", and returns
// those emails. HubSpot's search budget is a few requests a second, so the tests below count
// search calls exactly.
func seedRun(t *testing.T, fake *hubspotfake.Server, clock *fakeClock, r changeRun) map[string]bool {
	t.Helper()
	emails := map[string]bool{}
	put := func(prefix string, n int, tick bool) {
		if n == 0 {
			return
		}
		clock.Advance(time.Millisecond) // a run never shares the previous run's millisecond
		err := fake.PutMany("contacts", n, func(i int) map[string]string {
			if tick && i > 0 {
				clock.Advance(time.Millisecond)
			}
			email := fmt.Sprintf("%s%d@example.com", prefix, i)
			emails[email] = true
			return map[string]string{"email": email}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("before", r.before, true)
	put("bulk", r.bulk, false)
	put("after", r.after, true)
	return emails
}

// checkOnce fails unless recs holds every email of want exactly once and nothing else.
func checkOnce(t *testing.T, recs []connectors.Record, want map[string]bool) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.Fields["email"]]++
	}
	for email := range want {
		if seen[email] != 1 {
			t.Errorf("%s returned %d times, want once", email, seen[email])
		}
	}
	if len(recs) != len(want) {
		t.Errorf("pull returned %d records, want %d", len(recs), len(want))
	}
}

// An incremental pull costs one search per page of records, plus one search that finds a
// timestamp shared by more records than a page and one more to see that nothing follows a run
// of such records; a pull with nothing changed costs one search.
func TestPullSearchCallsAreTheMinimum(t *testing.T) {
	tests := []struct {
		name string
		run  changeRun
		page int
		// want is the exact number of search calls, as pages + tie probes + final probe.
		want int
	}{
		// 10 pages, all full and each one the last of its timestamp: no call is wasted.
		{"distinct timestamps", changeRun{after: 1000}, 100, 10},
		// 3 pages; the last one is short and ends the pull.
		{"distinct, last page short", changeRun{after: 250}, 100, 3},
		// 1 probe finds the shared millisecond, 10 pages read it by id, 1 finds nothing after.
		{"one shared millisecond", changeRun{bulk: 1000}, 100, 1 + 10 + 1},
		{"one shared millisecond, last page short", changeRun{bulk: 1050}, 100, 1 + 11 + 1},
		// Page 1 holds the 30 distinct records (the bulk ones in it may be incomplete), 1 probe,
		// 10 pages by id, and a short last page with the 50 later records.
		{"distinct, shared, distinct", changeRun{before: 30, bulk: 1000, after: 50}, 100, 1 + 1 + 10 + 1},
		// A shared millisecond that fits a page whole needs no paging by id.
		{"shared millisecond of exactly a page", changeRun{before: 30, bulk: 100, after: 50}, 100, 3},
		// The largest page HubSpot allows leaves no room to look one record ahead.
		{"largest page", changeRun{before: 10, bulk: 1000, after: 500}, maxSearchLimit, 1 + 1 + 5 + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
			seed(t, fake, "old", 5)
			_, cursor, _ := pullAll(t, c, "contacts", "", []string{"email"}, 0)

			clock.Advance(time.Minute)
			want := seedRun(t, fake, clock, tt.run)
			fake.ResetCounters()
			recs, cursor, _ := pullAll(t, c, "contacts", cursor, []string{"email"}, tt.page)
			checkOnce(t, recs, want)
			if got := fake.Count("POST search"); got != int64(tt.want) || fake.Requests() != got {
				t.Errorf("pull of %d changes made %d searches (%d requests), want %d", tt.run.total(), got, fake.Requests(), tt.want)
			}

			fake.ResetCounters()
			recs, _, _ = pullAll(t, c, "contacts", cursor, []string{"email"}, tt.page)
			if len(recs) != 0 || fake.Requests() != 1 {
				t.Errorf("idle pull: %d records, %d requests; want 0, 1", len(recs), fake.Requests())
			}
		})
	}
}

// A first pull lists everything once and searches twice: the newest modification before the
// listing, and the changes made while listing (none here).
func TestFirstPullOfASharedMillisecondSearchesTwice(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
	want := seedRun(t, fake, clock, changeRun{before: 20, bulk: 1000, after: 30})

	recs, cursor, _ := pullAll(t, c, "contacts", "", []string{"email"}, 100)
	checkOnce(t, recs, want)
	if s, l := fake.Count("POST search"), fake.Count("GET list"); s != 2 || l != 11 {
		t.Errorf("first pull: %d searches, %d list calls; want 2, 11", s, l)
	}
	fake.ResetCounters()
	if recs, _, _ := pullAll(t, c, "contacts", cursor, []string{"email"}, 100); len(recs) != 0 || fake.Requests() != 1 {
		t.Errorf("idle pull: %d records, %d requests; want 0, 1", len(recs), fake.Requests())
	}
}

// A pull stopped in the middle of a shared millisecond resumes from its cursor, with a new
// connector, at the same cost as one that was never stopped.
func TestPullResumesInsideASharedMillisecond(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
	seed(t, fake, "old", 5)
	_, cursor, _ := pullAll(t, c, "contacts", "", []string{"email"}, 0)
	clock.Advance(time.Minute)
	want := seedRun(t, fake, clock, changeRun{bulk: 500, after: 20})

	fake.ResetCounters()
	var recs []connectors.Record
	for range 3 {
		p, err := c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cursor, Fields: []string{"email"}, PageSize: 100})
		if err != nil || !p.More {
			t.Fatalf("page: more=%v err=%v", p.More, err)
		}
		recs, cursor = append(recs, p.Records...), p.Cursor
	}
	c2, err := New(connectorsConfig(fake, map[string]string{OptRequestsPer10s: "1000", OptSearchPerSecond: "50"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c2.Close() })
	rest, _, _ := pullAll(t, c2, "contacts", cursor, []string{"email"}, 100)
	checkOnce(t, append(recs, rest...), want)
	// 1 probe, 5 pages by id, 1 page of the 20 later records.
	if got := fake.Count("POST search"); got != 7 {
		t.Errorf("stopped pull made %d searches in all, want 7", got)
	}
}

// Records of a shared millisecond modified again while it is paged by id move to a later
// timestamp and are read there; none is skipped.
func TestPullSharedMillisecondChangedWhilePaging(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
	seed(t, fake, "old", 5)
	_, cursor, _ := pullAll(t, c, "contacts", "", []string{"email", "firstname"}, 0)
	clock.Advance(time.Minute)
	seedRun(t, fake, clock, changeRun{bulk: 300})

	p, err := c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cursor, Fields: []string{"email", "firstname"}, PageSize: 100})
	if err != nil || len(p.Records) != 100 {
		t.Fatalf("first page: %d records, err %v", len(p.Records), err)
	}
	// Every bulk record not yet read is modified again; so is one already read.
	clock.Advance(time.Second)
	read := latest(p.Records)
	changed := map[string]bool{p.Records[0].ID: true}
	all, _, _ := pullAll(t, c, "contacts", "", []string{"email"}, 0)
	for _, r := range all {
		if _, ok := read[r.ID]; !ok && strings.HasPrefix(r.Fields["email"], "bulk") {
			changed[r.ID] = true
		}
	}
	for id := range changed {
		if err := fake.Update("contacts", id, map[string]string{"firstname": "Again"}); err != nil {
			t.Fatal(err)
		}
	}
	recs, _, _ := pullAll(t, c, "contacts", p.Cursor, []string{"email", "firstname"}, 100)
	got := latest(recs)
	for id := range changed {
		if got[id].Fields["firstname"] != "Again" {
			t.Errorf("record %s changed while paging was skipped: %+v", id, got[id])
		}
	}
	if len(changed) != 201 {
		t.Fatalf("changed %d records, want 201 (the test lost its setup)", len(changed))
	}
}

// A record modified after a pull, in the still open millisecond a bulk update gave more records
// than a page, with a lower id than the last one read, is not skipped.
func TestPullSeesALaterChangeInASharedOpenMillisecond(t *testing.T) {
	clock := &fakeClock{now: time.Now().Add(-time.Millisecond)} // near the fake's Date header
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
	low := seed(t, fake, "low", 1)[0]
	clock.Advance(time.Millisecond) // and standing still from here on
	seed(t, fake, "bulk", 250)
	_, cursor, _ := pullAll(t, c, "contacts", "", []string{"firstname"}, 100)
	// The fake moves a write at least a millisecond past the record's previous one; low's
	// previous write is a millisecond older, so this one lands in the bulk's millisecond.
	if err := fake.Update("contacts", low, map[string]string{"firstname": "Same ms"}); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := pullAll(t, c, "contacts", cursor, []string{"firstname"}, 100)
	got := latest(recs)[low]
	if got.Fields["firstname"] != "Same ms" {
		t.Errorf("change in the cursor's millisecond was skipped: %+v", got)
	}
	if got.ID != "" && got.ModifiedAt.UnixMilli() != clock.Now().UnixMilli() {
		t.Fatalf("update landed at %s, not in the bulk's millisecond %s (the test lost its setup)", got.ModifiedAt, clock.Now())
	}
}

// A search cursor inside a shared millisecond (as the tie phase's fallback and earlier versions
// write) goes on from its id: nothing at or before it is read again, nothing after it skipped.
func TestPullFromASearchCursorInsideASharedMillisecond(t *testing.T) {
	clock := newFakeClock()
	c, fake := setup(t, hubspotfake.Options{Now: clock.Now, ShuffleTies: true}, nil)
	ids := seed(t, fake, "bulk", 500)
	slices.SortFunc(ids, compareIDs)
	ms := clock.Now().UnixMilli()
	cursor := pullCursor{Phase: phaseSearch, TS: ms, ID: ids[199]}.encode()

	recs, _, _ := pullAll(t, c, "contacts", cursor, []string{"email"}, 100)
	got := map[string]int{}
	for _, r := range recs {
		got[r.ID]++
	}
	for i, id := range ids {
		if want := map[bool]int{true: 1, false: 0}[i >= 200]; got[id] != want {
			t.Errorf("record %d (%s) returned %d times, want %d", i, id, got[id], want)
		}
	}
	// 1 probe, 3 pages by id, 1 finds nothing after.
	if n := fake.Count("POST search"); n != 5 {
		t.Errorf("pull made %d searches, want 5", n)
	}
}
