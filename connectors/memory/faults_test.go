package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
)

func TestFailNext_ClassifiedErrorsInOrder(t *testing.T) {
	r := memory.New(memory.Options{})
	c := r.Connector()
	r.FailNext(memory.Fault{Kind: memory.FaultRateLimit, RetryAfter: 3 * time.Second}, 1)
	r.FailNext(memory.Fault{Kind: memory.FaultUnauthorized}, 1)
	r.FailNext(memory.Fault{Kind: memory.FaultServerError}, 2)

	err := c.Test(t.Context())
	if d, ok := connectors.RetryAfter(err); !ok || d != 3*time.Second {
		t.Errorf("call 1: %v, want a rate limit of 3s", err)
	}
	if err := c.Test(t.Context()); !connectors.IsUnauthorized(err) {
		t.Errorf("call 2: %v, want unauthorized", err)
	}
	for i := 3; i <= 4; i++ {
		err := c.Test(t.Context())
		if !errors.Is(err, memory.ErrServerError) || connectors.IsPermanent(err) {
			t.Errorf("call %d: %v, want the transient server error", i, err)
		}
	}
	mustOK(t, c.Test(t.Context()))

	r.FailNext(memory.Fault{Kind: memory.FaultServerError}, 5)
	r.ClearFaults()
	mustOK(t, c.Test(t.Context()))
}

// failures returns which of n calls failed under FailEvery(fraction, seed).
func failures(t *testing.T, fraction float64, seed uint64, n int) []bool {
	r := memory.New(memory.Options{})
	r.FailEvery(fraction, seed)
	c := r.Connector()
	out := make([]bool, n)
	for i := range out {
		err := c.Test(t.Context())
		if err != nil && !errors.Is(err, memory.ErrServerError) {
			t.Fatalf("call %d: %v, want the transient server error", i, err)
		}
		out[i] = err != nil
	}
	return out
}

func TestFailEvery_SeededShare(t *testing.T) {
	const n = 2000
	a, b := failures(t, 0.1, 42, n), failures(t, 0.1, 42, n)
	other := failures(t, 0.1, 43, n)
	failed, differs := 0, false
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d: the same seed gave different outcomes", i)
		}
		if a[i] {
			failed++
		}
		differs = differs || a[i] != other[i]
	}
	if failed < n/20 || failed > n*3/20 {
		t.Errorf("%d of %d calls failed at fraction 0.1", failed, n)
	}
	if !differs {
		t.Error("seeds 42 and 43 gave the same failure pattern")
	}
	for _, f := range failures(t, 0, 42, 100) {
		if f {
			t.Fatal("fraction 0 failed a call")
		}
	}
}

func TestCalls_CountsPerMethodAndObject(t *testing.T) {
	r := memory.New(memory.Options{BatchSize: 100})
	c := r.Connector()
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = r.Put("contacts", map[string]string{"n": "x"})
	}
	ctx := t.Context()
	_, err := c.Pull(ctx, connectors.PullRequest{Object: "contacts"})
	mustOK(t, err)
	_, err = c.Pull(ctx, connectors.PullRequest{Object: "companies"})
	mustOK(t, err)
	recs, err := c.Fetch(ctx, "contacts", ids, nil)
	mustOK(t, err)
	if len(recs) != 250 {
		t.Errorf("Fetch of 250 ids returned %d", len(recs))
	}
	r.FailNext(memory.Fault{Kind: memory.FaultServerError}, 1)
	_ = c.Test(ctx) // a failed call still counts
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Pull(cancelled, connectors.PullRequest{Object: "contacts"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Pull with a cancelled context: %v", err)
	}

	got := r.Calls()
	want := memory.Calls{
		Total:    6,
		ByMethod: map[string]int{"pull": 2, "fetch": 3, "test": 1},
		ByObject: map[string]int{"contacts": 4, "companies": 1, "": 1},
	}
	if got.Total != want.Total || len(got.ByMethod) != len(want.ByMethod) || len(got.ByObject) != len(want.ByObject) {
		t.Fatalf("calls %+v, want %+v", got, want)
	}
	for k, v := range want.ByMethod {
		if got.ByMethod[k] != v {
			t.Errorf("ByMethod[%s] = %d, want %d", k, got.ByMethod[k], v)
		}
	}
	for k, v := range want.ByObject {
		if got.ByObject[k] != v {
			t.Errorf("ByObject[%q] = %d, want %d", k, got.ByObject[k], v)
		}
	}
	r.ResetCalls()
	if got := r.Calls(); got.Total != 0 || len(got.ByMethod) != 0 {
		t.Errorf("after ResetCalls: %+v", got)
	}
}
