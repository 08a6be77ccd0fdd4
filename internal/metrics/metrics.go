// Package metrics holds the daemon's Prometheus metrics, on a private registry (never the
// global one), and serves them in the Prometheus text format with prometheus/client_golang,
// the library DESIGN.md names for metrics.
//
// Every Tandem metric is named tandem_*: API requests ([Registry.ObserveAPIRequest], fed by
// the API server's observer hook), the store (read at scrape time through
// [Registry.SetStoreStats]), the build, and per-connector series the sync engine updates
// through the [Registry.ConnectorRun] family of methods. The Go runtime (go_*) and process
// (process_*) collectors keep their standard names, which dashboards expect.
//
// The methods the sync engine calls take only strings, numbers and durations, so the engine,
// which may import only crmstore and connectors, declares its own interface with them
// (see [ConnectorMetrics]) and cmd/tandem hands it the *Registry. They are safe on a nil
// *Registry, where they do nothing.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

// Namespace prefixes every Tandem metric.
const Namespace = "tandem"

// Defaults for the zero values of [Options].
const (
	DefaultStoreStatsTTL     = 5 * time.Second
	DefaultStoreStatsTimeout = 5 * time.Second
)

// Outcomes of a connector run, the values of the outcome label of
// tandem_connector_runs_total. Other values are counted as "other".
const (
	OutcomeSuccess = "success" // the run finished and every record went through
	OutcomePartial = "partial" // the run finished, but some records were quarantined
	OutcomeFailure = "failure" // the run failed (the remote was unreachable, say)
	OutcomeAborted = "aborted" // the run was stopped: the mass-delete guard, a shutdown
	OutcomeSkipped = "skipped" // the run did not start: the previous one was still running
	outcomeOther   = "other"
)

var outcomes = []string{OutcomeSuccess, OutcomePartial, OutcomeFailure, OutcomeAborted, OutcomeSkipped}

// durationBuckets are the latency buckets of the API histogram, in seconds: a request on
// the local store takes about a millisecond, a batch or a search up to seconds.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// runBuckets are the buckets of connector run durations, in seconds.
var runBuckets = []float64{.1, .5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600}

// ConnectorMetrics is what the sync engine reports; *Registry implements it. The engine may
// not import this package, so it declares the same interface itself.
type ConnectorMetrics interface {
	ConnectorRun(connector, outcome string, d time.Duration)
	RecordsPulled(connector string, n int)
	RecordsPushed(connector string, n int)
	Conflicts(connector string, n int)
	SetQuarantined(connector string, n int)
	SetLag(connector string, lag time.Duration)
	RateLimitWait(connector string, d time.Duration)
}

var _ ConnectorMetrics = (*Registry)(nil)

// StoreStats is what the store metrics report; see [Registry.SetStoreStats].
type StoreStats struct {
	// RecordsByObject counts live records by object name.
	RecordsByObject map[string]int64
	// SizeBytes is the size of the database files.
	SizeBytes int64
	// LastChangeSeq is the change-log position.
	LastChangeSeq int64
	// MigrationVersion is the schema version.
	MigrationVersion int
}

// Options configures a [Registry].
type Options struct {
	// Version is the build's version, reported by tandem_build_info.
	Version string
	// Logger receives errors of collecting and serving metrics. Defaults to a no-op logger.
	Logger *zap.Logger
	// StoreStatsTTL is how long store statistics are reused between scrapes; counting
	// records grows with the store. Defaults to 5 seconds; negative means never reuse.
	StoreStatsTTL time.Duration
	// StoreStatsTimeout bounds one read of the store statistics. Defaults to 5 seconds.
	StoreStatsTimeout time.Duration
}

// Registry is the daemon's metrics. Create it with [New]; it is safe for concurrent use.
type Registry struct {
	reg *prometheus.Registry
	log *zap.Logger

	apiRequests *prometheus.CounterVec
	apiDuration *prometheus.HistogramVec

	runs          *prometheus.CounterVec
	runDuration   *prometheus.HistogramVec
	pulled        *prometheus.CounterVec
	pushed        *prometheus.CounterVec
	conflicts     *prometheus.CounterVec
	quarantined   *prometheus.GaugeVec
	lag           *prometheus.GaugeVec
	rateWaits     *prometheus.CounterVec
	rateWaitTotal *prometheus.CounterVec

	store *storeCollector
}

// New returns a registry with every Tandem metric and the Go runtime and process collectors.
func New(opts Options) *Registry {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.StoreStatsTTL == 0 {
		opts.StoreStatsTTL = DefaultStoreStatsTTL
	}
	if opts.StoreStatsTimeout <= 0 {
		opts.StoreStatsTimeout = DefaultStoreStatsTimeout
	}
	connector := []string{"connector"}
	r := &Registry{
		reg: prometheus.NewRegistry(),
		log: opts.Logger,
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "api", Name: "requests_total",
			Help: "API requests served, by route pattern and HTTP status.",
		}, []string{"route", "status"}),
		apiDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "api", Name: "request_duration_seconds",
			Help:    "Time to serve an API request, by route pattern.",
			Buckets: durationBuckets,
		}, []string{"route"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "runs_total",
			Help: "Connector sync runs, by connector and outcome (success, partial, failure, aborted, skipped).",
		}, []string{"connector", "outcome"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "run_duration_seconds",
			Help:    "Duration of connector sync runs.",
			Buckets: runBuckets,
		}, connector),
		pulled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "records_pulled_total",
			Help: "Records pulled from the remote and written to the store.",
		}, connector),
		pushed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "records_pushed_total",
			Help: "Records pushed to the remote.",
		}, connector),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "conflicts_total",
			Help: "Fields changed on both sides, resolved by the conflict policy or left for review.",
		}, connector),
		quarantined: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "quarantined_records",
			Help: "Records currently in quarantine after failing permanently.",
		}, connector),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "lag_seconds",
			Help: "Age of the oldest change not yet synced, as of the last run.",
		}, connector),
		rateWaits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "rate_limit_waits_total",
			Help: "Times a connector waited for the remote's rate limit (429, Retry-After).",
		}, connector),
		rateWaitTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "connector", Name: "rate_limit_wait_seconds_total",
			Help: "Time connectors spent waiting for the remote's rate limit.",
		}, connector),
	}
	r.store = newStoreCollector(opts.StoreStatsTTL, opts.StoreStatsTimeout)

	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "build_info",
		Help: "Always 1; the labels give the version of tandem and of Go.",
	}, []string{"version", "goversion"})
	buildInfo.WithLabelValues(opts.Version, runtime.Version()).Set(1)

	r.reg.MustRegister(
		r.apiRequests, r.apiDuration,
		r.runs, r.runDuration, r.pulled, r.pushed, r.conflicts, r.quarantined, r.lag, r.rateWaits, r.rateWaitTotal,
		r.store, buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return r
}

// Handler serves the metrics in the Prometheus exposition format. A collector that fails
// (the store, say) is logged and left out; the other metrics are still served.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{
		ErrorLog:            zapLogger{r.log},
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             20 * time.Second,
	})
}

// Registerer is where other packages register their own collectors.
func (r *Registry) Registerer() prometheus.Registerer { return r.reg }

// Gatherer reads the metrics, for tests.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// ObserveAPIRequest counts one API request and its duration. route is the ServeMux pattern
// that served it (such as "GET /crm/v3/objects/{objectType}"), never the raw path, so the
// number of series stays bounded. Its signature matches the API server's Observer option.
func (r *Registry) ObserveAPIRequest(route string, status int, d time.Duration) {
	if r == nil {
		return
	}
	r.apiRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	r.apiDuration.WithLabelValues(route).Observe(d.Seconds())
}

// SetStoreStats sets the function the store metrics are read from at scrape time; until it
// is set they are left out. Results are reused for StoreStatsTTL.
func (r *Registry) SetStoreStats(fn func(context.Context) (StoreStats, error)) {
	r.store.set(fn)
}

// InitConnector creates the series of connector name at zero, so they are scraped before
// its first run.
func (r *Registry) InitConnector(name string) {
	if r == nil {
		return
	}
	for _, o := range outcomes {
		r.runs.WithLabelValues(name, o)
	}
	r.runDuration.WithLabelValues(name)
	r.pulled.WithLabelValues(name)
	r.pushed.WithLabelValues(name)
	r.conflicts.WithLabelValues(name)
	r.quarantined.WithLabelValues(name)
	r.lag.WithLabelValues(name)
	r.rateWaits.WithLabelValues(name)
	r.rateWaitTotal.WithLabelValues(name)
}

// RemoveConnector deletes every series of connector name, when it leaves the configuration.
func (r *Registry) RemoveConnector(name string) {
	if r == nil {
		return
	}
	l := prometheus.Labels{"connector": name}
	r.runs.DeletePartialMatch(l)
	r.runDuration.DeletePartialMatch(l)
	r.pulled.DeletePartialMatch(l)
	r.pushed.DeletePartialMatch(l)
	r.conflicts.DeletePartialMatch(l)
	r.quarantined.DeletePartialMatch(l)
	r.lag.DeletePartialMatch(l)
	r.rateWaits.DeletePartialMatch(l)
	r.rateWaitTotal.DeletePartialMatch(l)
}

// ConnectorRun counts one run of connector with its outcome (one of the Outcome constants)
// and duration.
func (r *Registry) ConnectorRun(connector, outcome string, d time.Duration) {
	if r == nil {
		return
	}
	known := false
	for _, o := range outcomes {
		known = known || o == outcome
	}
	if !known {
		outcome = outcomeOther
	}
	r.runs.WithLabelValues(connector, outcome).Inc()
	r.runDuration.WithLabelValues(connector).Observe(d.Seconds())
}

// RecordsPulled counts n records pulled from connector's remote into the store.
func (r *Registry) RecordsPulled(connector string, n int) {
	if r != nil {
		add(r.pulled, connector, n)
	}
}

// RecordsPushed counts n records pushed to connector's remote.
func (r *Registry) RecordsPushed(connector string, n int) {
	if r != nil {
		add(r.pushed, connector, n)
	}
}

// Conflicts counts n field conflicts found by a run of connector.
func (r *Registry) Conflicts(connector string, n int) {
	if r != nil {
		add(r.conflicts, connector, n)
	}
}

// SetQuarantined sets the number of connector's records currently in quarantine.
func (r *Registry) SetQuarantined(connector string, n int) {
	if r == nil {
		return
	}
	r.quarantined.WithLabelValues(connector).Set(float64(n))
}

// SetLag sets how far connector is behind: the age of the oldest change it has not synced.
func (r *Registry) SetLag(connector string, lag time.Duration) {
	if r == nil {
		return
	}
	r.lag.WithLabelValues(connector).Set(lag.Seconds())
}

// RateLimitWait counts one wait of connector for the remote's rate limit, of duration d.
func (r *Registry) RateLimitWait(connector string, d time.Duration) {
	if r == nil {
		return
	}
	r.rateWaits.WithLabelValues(connector).Inc()
	r.rateWaitTotal.WithLabelValues(connector).Add(d.Seconds())
}

func add(v *prometheus.CounterVec, connector string, n int) {
	if n >= 0 { // a counter never goes down
		v.WithLabelValues(connector).Add(float64(n))
	}
}

// storeCollector reads the store statistics at scrape time, reusing them for ttl.
type storeCollector struct {
	ttl, timeout time.Duration

	records, size, seq, migration *prometheus.Desc

	mu      sync.Mutex // held while reading, so concurrent scrapes share one read
	fn      func(context.Context) (StoreStats, error)
	cached  StoreStats
	expires time.Time
}

func newStoreCollector(ttl, timeout time.Duration) *storeCollector {
	name := func(n string) string { return prometheus.BuildFQName(Namespace, "store", n) }
	return &storeCollector{
		ttl: ttl, timeout: timeout,
		records:   prometheus.NewDesc(name("records"), "Live (not archived) records, by object.", []string{"object"}, nil),
		size:      prometheus.NewDesc(name("size_bytes"), "Size of the database on disk: the database file and its write-ahead log.", nil, nil),
		seq:       prometheus.NewDesc(name("changelog_seq"), "Change-log position: the sequence number of the newest change.", nil, nil),
		migration: prometheus.NewDesc(name("migration_version"), "Schema version of the store: the highest migration applied.", nil, nil),
	}
}

func (c *storeCollector) set(fn func(context.Context) (StoreStats, error)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fn = fn
	c.expires = time.Time{}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.records
	ch <- c.size
	ch <- c.seq
	ch <- c.migration
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	st, ok, err := c.stats()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.size, fmt.Errorf("read store statistics: %w", err))
		return
	}
	if !ok {
		return
	}
	for object, n := range st.RecordsByObject {
		ch <- prometheus.MustNewConstMetric(c.records, prometheus.GaugeValue, float64(n), object)
	}
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(st.SizeBytes))
	ch <- prometheus.MustNewConstMetric(c.seq, prometheus.GaugeValue, float64(st.LastChangeSeq))
	ch <- prometheus.MustNewConstMetric(c.migration, prometheus.GaugeValue, float64(st.MigrationVersion))
}

// stats returns the cached statistics or reads them; ok is false while no source is set.
func (c *storeCollector) stats() (StoreStats, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fn == nil {
		return StoreStats{}, false, nil
	}
	if c.ttl > 0 && time.Now().Before(c.expires) {
		return c.cached, true, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.fn(ctx)
	if err != nil {
		return StoreStats{}, false, err
	}
	c.cached, c.expires = st, time.Now().Add(c.ttl)
	return st, true, nil
}

// zapLogger adapts zap to promhttp.Logger.
type zapLogger struct{ l *zap.Logger }

func (z zapLogger) Println(v ...any) { z.l.Error("metrics: " + fmt.Sprint(v...)) }
