package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// benchEnv gates the long benchmarks: each iteration syncs 100,000 records and the
// rate-limited one takes about a minute.
const benchEnv = "TANDEM_E2E_BENCH"

// benchRecords is how many contacts the initial-sync benchmarks sync.
const benchRecords = 100_000

func requireEnv(tb testing.TB, name string) {
	tb.Helper()
	if os.Getenv(name) == "" {
		tb.Skipf("set %s=1 to run this long measurement", name)
	}
}

// benchContact is the i-th seeded contact.
func benchContact(i int) map[string]string {
	return map[string]string{"email": fmt.Sprintf("bench%d@example.com", i), "firstname": fmt.Sprintf("First%d", i), "lastname": "Benchmark"}
}

// initialSync runs the engine from an empty store against the remote at baseURL and returns
// how long the run took.
func initialSync(b *testing.B, baseURL, token string, requestsPer10s int) time.Duration {
	b.Helper()
	ctx := context.Background()
	local := openStore(b, filepath.Join(b.TempDir(), "local"), nil)
	defer local.Close()
	conn := connectTo(b, baseURL, token, requestsPer10s, nil)
	defer conn.Close()
	eng, err := syncengine.New(syncengine.Options{Store: local, PageSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.Add(contactsSpec(nil), conn); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	rep, err := eng.Run(ctx, peerName, syncengine.RunOptions{Trigger: syncengine.TriggerManual})
	took := time.Since(start)
	if err != nil || rep.CreatedLocal != benchRecords {
		b.Fatalf("initial sync = %+v, %v; want %d records created", rep, err, benchRecords)
	}
	return took
}

// BenchmarkInitialSyncRateLimited syncs 100,000 contacts from a fake HubSpot that allows 190
// requests per rolling 10 s (429 beyond), the connector configured with the same budget, and
// reports the throughput as a share of the ceiling that limit allows: 190 requests × 100
// records per 10 s = 1,900 records/s.
func BenchmarkInitialSyncRateLimited(b *testing.B) {
	requireEnv(b, benchEnv)
	const per10s = 190
	ceiling := float64(per10s*100) / 10
	var total time.Duration
	var limited int64
	for range b.N {
		b.StopTimer()
		fake := hubspotfake.New(hubspotfake.Options{RequestsPer10s: per10s})
		if err := fake.PutMany("contacts", benchRecords, benchContact); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		total += initialSync(b, fake.URL, fake.Token(), per10s)
		b.StopTimer()
		limited += fake.RateLimited()
		b.Logf("%d requests, %d answered 429", fake.Requests(), fake.RateLimited())
		fake.Close()
	}
	rate := float64(benchRecords*b.N) / total.Seconds()
	b.ReportMetric(rate, "records/s")
	b.ReportMetric(100*rate/ceiling, "%ceiling")
	b.ReportMetric(float64(limited)/float64(b.N), "429s/op")
}

// BenchmarkInitialSyncTandemToTandem syncs 100,000 contacts from another Tandem (its API on
// loopback over a real store) into an empty store and reports records per second. The
// connector runs at its highest budget (1,000 requests per 10 s).
func BenchmarkInitialSyncTandemToTandem(b *testing.B) {
	requireEnv(b, benchEnv)
	remote := newRemoteTandem(b, nil, nil)
	seedStart := time.Now()
	seedStore(b, remote.store, benchRecords)
	b.Logf("seeded %d contacts in %v", benchRecords, time.Since(seedStart).Round(time.Millisecond))
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		total += initialSync(b, remote.url, remote.token, 1000)
	}
	b.ReportMetric(float64(benchRecords*b.N)/total.Seconds(), "records/s")
}

// seedStore creates n benchmark contacts in st, a batch at a time.
func seedStore(tb testing.TB, st *crmstore.Store, n int) {
	tb.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += crmstore.MaxBatch {
		batch := make([]map[string]string, 0, crmstore.MaxBatch)
		for i := start; i < min(start+crmstore.MaxBatch, n); i++ {
			batch = append(batch, benchContact(i))
		}
		res, err := st.CreateRecordsAtomic(ctx, "contacts", batch, crmstore.Source{Type: crmstore.SourceAPI})
		if err != nil {
			tb.Fatalf("seed contacts %d..%d: %v", start, start+len(batch), err)
		}
		for _, r := range res {
			if r.Err != nil {
				tb.Fatalf("seed contact %d: %v", start+r.Index, r.Err)
			}
		}
	}
}
