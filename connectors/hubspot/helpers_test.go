package hubspot

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/internal/httpclient"
)

func TestMain(m *testing.M) {
	// Retried faults should cost milliseconds, not seconds, in tests.
	retryTuning = httpclient.Options{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
	os.Exit(m.Run())
}

// fakeClock is a settable clock for the fake's record timestamps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// setup starts a fake with opts and a connector pointed at it with extra options.
func setup(t testing.TB, opts hubspotfake.Options, extra map[string]string) (*Connector, *hubspotfake.Server) {
	t.Helper()
	fake := hubspotfake.New(opts)
	t.Cleanup(fake.Close)
	o := map[string]string{OptBaseURL: fake.URL, OptToken: fake.Token(), OptRequestsPer10s: "1000", OptSearchPerSecond: "50"}
	for k, v := range extra {
		o[k] = v
	}
	c, err := New(connectors.Config{Name: "hubspot-test", Options: o})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, fake
}

// connectorsConfig points a connector at fake with extra options.
func connectorsConfig(fake *hubspotfake.Server, extra map[string]string) connectors.Config {
	o := map[string]string{OptBaseURL: fake.URL, OptToken: fake.Token()}
	for k, v := range extra {
		o[k] = v
	}
	return connectors.Config{Name: "hubspot-bench", Options: o}
}

// seed creates n contacts on the fake (emails prefix<i>@example.com) and returns their ids.
func seed(t testing.TB, fake *hubspotfake.Server, prefix string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		id, err := fake.Put("contacts", map[string]string{"email": fmt.Sprintf("%s%d@example.com", prefix, i), "firstname": fmt.Sprintf("C%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// pullAll pulls from cursor until More is false, failing on any error; it returns every
// record, the final cursor and the number of pages.
func pullAll(t testing.TB, c *Connector, object, cursor string, fields []string, pageSize int) ([]connectors.Record, string, int) {
	t.Helper()
	var out []connectors.Record
	for pages := 1; ; pages++ {
		if pages > 100000 {
			t.Fatal("pull does not end")
		}
		p, err := c.Pull(t.Context(), connectors.PullRequest{Object: object, Cursor: cursor, Fields: fields, PageSize: pageSize})
		if err != nil {
			t.Fatalf("pull page %d: %v", pages, err)
		}
		out = append(out, p.Records...)
		cursor = p.Cursor
		if !p.More {
			return out, cursor, pages
		}
	}
}

// latest keeps the last version of each record id, as the engine's dedupe does.
func latest(recs []connectors.Record) map[string]connectors.Record {
	m := map[string]connectors.Record{}
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}
