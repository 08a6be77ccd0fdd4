package syncengine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
)

// benchRecords is how many contacts the initial-sync benchmarks move.
const benchRecords = 5000

// BenchmarkInitialPull syncs benchRecords remote contacts into an empty
// store and reports records per second.
func BenchmarkInitialPull(b *testing.B) {
	benchFirstRun(b, func(context.Context, *crmstore.Store) *memory.Remote {
		remote := memory.New(memory.Options{PageSize: 100})
		for j := range benchRecords {
			remote.Put("contacts", map[string]string{"email": fmt.Sprintf("c%d@example.com", j), "firstname": "F", "lastname": "L"})
		}
		return remote
	}, func(rep RunReport) bool { return rep.CreatedLocal == benchRecords })
}

// BenchmarkInitialPush syncs benchRecords local contacts to an empty remote
// and reports records per second.
func BenchmarkInitialPush(b *testing.B) {
	benchFirstRun(b, func(ctx context.Context, store *crmstore.Store) *memory.Remote {
		for start := 0; start < benchRecords; start += crmstore.MaxBatch {
			batch := make([]map[string]string, crmstore.MaxBatch)
			for j := range batch {
				batch[j] = map[string]string{"email": fmt.Sprintf("c%d@example.com", start+j), "firstname": "F", "lastname": "L"}
			}
			if _, err := store.CreateRecords(ctx, "contacts", batch, crmstore.Source{}); err != nil {
				b.Fatal(err)
			}
		}
		return memory.New(memory.Options{})
	}, func(rep RunReport) bool { return rep.CreatedRemote == benchRecords })
}

// benchFirstRun times b.N first runs of the contacts connector, each on a fresh store and
// remote that setup fills (untimed), and reports benchRecords per second. synced says
// whether a run moved every record.
func benchFirstRun(b *testing.B, setup func(context.Context, *crmstore.Store) *memory.Remote, synced func(RunReport) bool) {
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store, err := crmstore.Open(ctx, b.TempDir(), crmstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		remote := setup(ctx, store)
		eng, err := New(Options{Store: store, PageSize: 100})
		if err != nil {
			b.Fatal(err)
		}
		if err := eng.Add(contactsSpec(nil), remote.Connector()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := eng.Run(ctx, testConnector, RunOptions{})
		total += time.Since(start)
		b.StopTimer()
		if err != nil || !synced(rep) {
			b.Fatalf("run = %+v, %v", rep, err)
		}
		store.Close()
	}
	b.ReportMetric(float64(benchRecords*b.N)/total.Seconds(), "records/s")
}
