package memory_test

import (
	"fmt"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
)

// BenchmarkPullAll measures a full pull of 100,000 records in pages of 100, the shape of an
// engine benchmark's initial sync, so the double is never the bottleneck it measures.
func BenchmarkPullAll(b *testing.B) {
	r := memory.New(memory.Options{})
	const n = 100_000
	for i := range n {
		r.Put("contacts", map[string]string{"email": fmt.Sprintf("c%d@example.com", i), "firstname": "x"})
	}
	c := r.Connector()
	fields := []string{"email", "firstname"}
	b.ReportAllocs()
	for b.Loop() {
		cursor, got := "", 0
		for {
			p, err := c.Pull(b.Context(), connectors.PullRequest{Object: "contacts", Cursor: cursor, Fields: fields, PageSize: 100})
			if err != nil {
				b.Fatal(err)
			}
			got += len(p.Records)
			cursor = p.Cursor
			if !p.More {
				break
			}
		}
		if got != n {
			b.Fatalf("pulled %d records, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPushCreate measures pushing creates in batches of 100.
func BenchmarkPushCreate(b *testing.B) {
	r := memory.New(memory.Options{Unique: map[string]string{"contacts": "email"}})
	c := r.Connector()
	i := 0
	changes := make([]connectors.Change, 100)
	b.ReportAllocs()
	for b.Loop() {
		for j := range changes {
			i++
			changes[j] = connectors.Change{Kind: connectors.OpCreate, Ref: fmt.Sprint(i), Fields: map[string]string{"email": fmt.Sprintf("c%d@example.com", i)}}
		}
		if _, err := c.Push(b.Context(), "contacts", changes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "records/s")
}
