package hubspot

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
)

// benchContacts is the number of contacts the rate-limited pull benchmark reads; the issue's
// target is 100,000 (about a minute at 190 requests per 10 s). TANDEM_BENCH_CONTACTS lowers it
// while developing.
func benchContacts(b *testing.B) int {
	if v := os.Getenv("TANDEM_BENCH_CONTACTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("TANDEM_BENCH_CONTACTS=%q is not a positive number", v)
		}
		return n
	}
	return 100_000
}

// tickClock advances one millisecond per reading, so seeded records have distinct timestamps
// in the past.
type tickClock struct{ ms atomic.Int64 }

func (c *tickClock) Now() time.Time { return time.UnixMilli(c.ms.Add(1)) }

// BenchmarkPullRateLimited is a first pull of every contact from a remote that allows 190
// requests per 10 s (HubSpot Professional/Enterprise), as a share of the ceiling that limit
// allows: 190 requests × 100 records per 10 s = 1,900 records/s.
func BenchmarkPullRateLimited(b *testing.B) {
	const per10s = 190
	n := benchContacts(b)
	clock := &tickClock{}
	clock.ms.Store(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	fake := hubspotfake.New(hubspotfake.Options{Now: clock.Now, RequestsPer10s: per10s, SearchPerSecond: 5})
	defer fake.Close()
	if err := fake.PutMany("contacts", n, func(i int) map[string]string {
		return map[string]string{"email": fmt.Sprintf("b%d@example.com", i), "firstname": "Bench", "lastname": strconv.Itoa(i)}
	}); err != nil {
		b.Fatal(err)
	}
	c, fake := benchConnector(b, fake, per10s)
	fields := []string{"email", "firstname", "lastname"}
	for b.Loop() {
		// The connector's budget carries over between iterations, so a later iteration does
		// not find the fake's window full; the first one gains at most the budget's small burst.
		fake.ResetCounters()
		start := time.Now()
		recs, _, _ := pullAll(b, c, "contacts", "", fields, 0)
		elapsed := time.Since(start)
		if got := len(latest(recs)); got != n {
			b.Fatalf("pulled %d distinct contacts, want %d", got, n)
		}
		perSec := float64(n) / elapsed.Seconds()
		b.ReportMetric(perSec, "records/s")
		b.ReportMetric(100*perSec/(per10s*100/10), "%ceiling")
		b.ReportMetric(float64(fake.RateLimited()), "429s")
		b.ReportMetric(float64(fake.Requests()), "requests")
	}
}

func benchConnector(b *testing.B, fake *hubspotfake.Server, per10s int) (*Connector, *hubspotfake.Server) {
	b.Helper()
	c, err := New(connectorsConfig(fake, map[string]string{OptRequestsPer10s: strconv.Itoa(per10s), OptSearchPerSecond: "4"}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c, fake
}
