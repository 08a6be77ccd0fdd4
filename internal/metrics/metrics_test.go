package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// value is the value of the counter or gauge c.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("%v is neither a counter nor a gauge", c.Desc())
	return 0
}

// count is the number of series c collects.
func count(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric)
	go func() { c.Collect(ch); close(ch) }()
	n := 0
	for range ch {
		n++
	}
	return n
}

func scrape(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestAPIRequests(t *testing.T) {
	r := New(Options{Version: "v1"})
	r.ObserveAPIRequest("GET /crm/v3/objects/{objectType}", 200, 3*time.Millisecond)
	r.ObserveAPIRequest("GET /crm/v3/objects/{objectType}", 200, 30*time.Millisecond)
	r.ObserveAPIRequest("GET /crm/v3/objects/{objectType}", 404, time.Millisecond)
	if got := value(t, r.apiRequests.WithLabelValues("GET /crm/v3/objects/{objectType}", "200")); got != 2 {
		t.Errorf("requests 200 = %v", got)
	}
	if got := count(r.apiDuration); got != 1 {
		t.Errorf("histograms = %d, want one per route", got)
	}
	_, body := scrape(t, r.Handler())
	for _, line := range []string{
		"# TYPE tandem_api_requests_total counter",
		`tandem_api_requests_total{route="GET /crm/v3/objects/{objectType}",status="200"} 2`,
		`tandem_api_requests_total{route="GET /crm/v3/objects/{objectType}",status="404"} 1`,
		"# TYPE tandem_api_request_duration_seconds histogram",
		`tandem_api_request_duration_seconds_bucket{route="GET /crm/v3/objects/{objectType}",le="0.005"} 2`,
		`tandem_api_request_duration_seconds_count{route="GET /crm/v3/objects/{objectType}"} 3`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("missing %q in\n%s", line, body)
		}
	}
}

func TestStoreStats_CachedAndErrors(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	r := New(Options{Logger: zap.New(core), StoreStatsTTL: time.Hour})

	// No source yet: no store series, the rest is served.
	code, body := scrape(t, r.Handler())
	if code != http.StatusOK || strings.Contains(body, "tandem_store_") || !strings.Contains(body, "tandem_build_info") {
		t.Fatalf("before SetStoreStats: %d\n%s", code, body)
	}

	var calls atomic.Int32
	fail := atomic.Bool{}
	r.SetStoreStats(func(context.Context) (StoreStats, error) {
		calls.Add(1)
		if fail.Load() {
			return StoreStats{}, errors.New("disk on fire")
		}
		return StoreStats{RecordsByObject: map[string]int64{"contacts": 7}, SizeBytes: 4096, LastChangeSeq: 42, MigrationVersion: 2}, nil
	})
	for range 3 {
		_, body = scrape(t, r.Handler())
	}
	for _, line := range []string{`tandem_store_records{object="contacts"} 7`, "tandem_store_size_bytes 4096", "tandem_store_changelog_seq 42", "tandem_store_migration_version 2"} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("missing %q in\n%s", line, body)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("store read %d times in three scrapes within the TTL, want 1", n)
	}

	// A failing store is logged and left out; the scrape still succeeds.
	r2 := New(Options{Logger: zap.New(core), StoreStatsTTL: -1})
	fail.Store(true)
	r2.SetStoreStats(func(ctx context.Context) (StoreStats, error) { return StoreStats{}, errors.New("disk on fire") })
	code, body = scrape(t, r2.Handler())
	if code != http.StatusOK || strings.Contains(body, "tandem_store_") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("with a failing store: %d\n%s", code, body)
	}
	if logs.FilterMessageSnippet("disk on fire").Len() == 0 {
		t.Error("the store error was not logged")
	}
}

func TestConnectors(t *testing.T) {
	r := New(Options{})
	r.InitConnector("a")
	r.InitConnector("b")
	if got := count(r.runs); got != 2*len(outcomes) {
		t.Errorf("runs series after init = %d", got)
	}
	r.ConnectorRun("a", OutcomePartial, time.Second)
	r.ConnectorRun("a", "weird", time.Second)
	r.RecordsPulled("a", 3)
	r.RecordsPulled("a", -1) // ignored: counters only go up
	if got := value(t, r.runs.WithLabelValues("a", OutcomePartial)); got != 1 {
		t.Errorf("partial runs = %v", got)
	}
	if got := value(t, r.runs.WithLabelValues("a", outcomeOther)); got != 1 {
		t.Errorf("other runs = %v", got)
	}
	if got := value(t, r.pulled.WithLabelValues("a")); got != 3 {
		t.Errorf("pulled = %v", got)
	}
	r.RemoveConnector("a")
	if got := count(r.runs); got != len(outcomes) {
		t.Errorf("runs series after removing a = %d", got)
	}
	if got := count(r.pulled); got != 1 {
		t.Errorf("pulled series after removing a = %d", got)
	}

	// The engine may run without metrics.
	var none *Registry
	none.ConnectorRun("x", OutcomeSuccess, time.Second)
	none.RecordsPulled("x", 1)
	none.RecordsPushed("x", 1)
	none.Conflicts("x", 1)
	none.SetQuarantined("x", 1)
	none.SetLag("x", time.Second)
	none.RateLimitWait("x", time.Second)
	none.ObserveAPIRequest("GET /", 200, time.Millisecond)
	none.InitConnector("x")
	none.RemoveConnector("x")
}

// Every metric is on the private registry and named tandem_, go_ or process_.
func TestNames(t *testing.T) {
	r := New(Options{})
	r.InitConnector("c")
	r.ObserveAPIRequest("GET /x", 200, time.Millisecond)
	mfs, err := r.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		n := mf.GetName()
		if !strings.HasPrefix(n, "tandem_") && !strings.HasPrefix(n, "go_") && !strings.HasPrefix(n, "process_") {
			t.Errorf("metric %s", n)
		}
	}
	// Nothing went to the global registry.
	global, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range global {
		if strings.HasPrefix(mf.GetName(), "tandem_") {
			t.Errorf("%s is on the global registry", mf.GetName())
		}
	}
}
