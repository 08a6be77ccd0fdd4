package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/internal/api"
	"github.com/tandem-crm/tandem/internal/metrics"
)

const adminTestToken = "admin-secret-for-tests"

// monitored is an API server wired with the metrics observer, and a real admin server on a
// loopback port with /metrics and /admin/status mounted, over one store.
type monitored struct {
	t        *testing.T
	store    *crmstore.Store
	reg      *metrics.Registry
	api      *httptest.Server
	apiToken string
	admin    string // base URL
	loadedAt time.Time
}

func newMonitored(t *testing.T) *monitored {
	t.Helper()
	ctx := context.Background()
	st, err := crmstore.Open(ctx, filepath.Join(t.TempDir(), "data"), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	apiToken, _, err := st.CreateToken(ctx, "metrics-test")
	if err != nil {
		t.Fatal(err)
	}
	// No caching of store statistics, so every scrape sees the latest writes.
	reg := metrics.New(metrics.Options{Version: "v9.9.9-test", StoreStatsTTL: -1})
	hs := httptest.NewServer(api.New(st, api.Options{Observer: reg.ObserveAPIRequest}).Handler())
	t.Cleanup(hs.Close)

	adm := admin.New(admin.Options{Listen: "127.0.0.1:0", Token: adminTestToken})
	if err := adm.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = adm.Stop(sctx)
	})
	cfg := config.Default()
	cfg.Connectors = []config.Connector{
		{Name: "hubspot-main", Type: "hubspot", Schedule: "*/5 * * * *"},
		{Name: "csv-drop", Type: "csv"},
	}
	m := &monitored{t: t, store: st, reg: reg, api: hs, apiToken: apiToken, admin: "http://" + adm.Addr(), loadedAt: time.Now().Add(-30 * time.Second)}
	mountAdmin(adm, st, reg, StatusInfo{
		Version: "v9.9.9-test",
		Started: time.Now().Add(-time.Minute),
		Config: func() (*config.Config, string, time.Time) {
			return cfg, "/etc/tandem/tandem.yaml", m.loadedAt
		},
	})
	return m
}

// call sends a request and returns the status and body.
func (m *monitored) call(method, url, token, body string) (int, string) {
	m.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		m.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// scrape fetches /metrics and returns its series as "name{labels}" → value.
func (m *monitored) scrape() map[string]float64 {
	m.t.Helper()
	code, body := m.call(http.MethodGet, m.admin+"/metrics", adminTestToken, "")
	if code != http.StatusOK {
		m.t.Fatalf("GET /metrics = %d: %s", code, body)
	}
	series := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			m.t.Fatalf("metrics line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series
}

func TestAdmin_MetricsNamesAndLabels(t *testing.T) {
	m := newMonitored(t)
	api := m.api.URL
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if code, body := m.call(http.MethodPost, api+"/crm/v3/objects/contacts", m.apiToken, `{"properties":{"email":"`+email+`"}}`); code != http.StatusCreated {
			t.Fatalf("create contact: %d %s", code, body)
		}
	}
	if code, body := m.call(http.MethodPost, api+"/crm/v3/objects/companies", m.apiToken, `{"properties":{"name":"Acme"}}`); code != http.StatusCreated {
		t.Fatalf("create company: %d %s", code, body)
	}
	for _, path := range []string{
		"/crm/v3/objects/contacts",
		"/crm/v3/objects/contacts/",          // a trailing slash, as some SDKs send
		"/crm/objects/2026-03/contacts",      // the date-versioned spelling
		"/crm/v3/objects/contacts/1",         // by id
		"/crm/v3/objects/contacts/2",         // another id, same route
		"/crm/v3/objects/contacts/999999",    // not found, same route
		"/crm/v3/no/such/endpoint/at/all/12", // no route but the catch-all
	} {
		m.call(http.MethodGet, api+path, m.apiToken, "")
	}
	m.call(http.MethodGet, api+"/crm/v3/objects/contacts", "", "")          // no token
	m.call(http.MethodGet, api+"/crm/v3/objects/contacts", "tdm-pat-x", "") // bad token

	s := m.scrape()
	want := map[string]float64{
		`tandem_api_requests_total{route="POST /crm/v3/objects/{objectType}",status="201"}`:               4,
		`tandem_api_requests_total{route="GET /crm/v3/objects/{objectType}",status="200"}`:                3,
		`tandem_api_requests_total{route="GET /crm/v3/objects/{objectType}/{objectId}",status="200"}`:     2,
		`tandem_api_requests_total{route="GET /crm/v3/objects/{objectType}/{objectId}",status="404"}`:     1,
		`tandem_api_requests_total{route="/",status="404"}`:                                               1,
		`tandem_api_requests_total{route="unmatched",status="401"}`:                                       2,
		`tandem_api_request_duration_seconds_count{route="GET /crm/v3/objects/{objectType}/{objectId}"}`:  3,
		`tandem_api_request_duration_seconds_count{route="POST /crm/v3/objects/{objectType}"}`:            4,
		`tandem_api_request_duration_seconds_bucket{route="POST /crm/v3/objects/{objectType}",le="+Inf"}`: 4,
		`tandem_store_records{object="contacts"}`:                                                         3,
		`tandem_store_records{object="companies"}`:                                                        1,
		`tandem_store_records{object="deals"}`:                                                            0,
		`tandem_store_migration_version`:                                                                  mustMigration(t, m.store),
		`tandem_store_changelog_seq`:                                                                      mustSeq(t, m.store),
		`tandem_build_info{goversion="` + runtime.Version() + `",version="v9.9.9-test"}`:                  1,
		`tandem_connector_runs_total{connector="hubspot-main",outcome="success"}`:                         0,
		`tandem_connector_runs_total{connector="csv-drop",outcome="failure"}`:                             0,
		`tandem_connector_records_pulled_total{connector="hubspot-main"}`:                                 0,
		`tandem_connector_records_pushed_total{connector="hubspot-main"}`:                                 0,
		`tandem_connector_conflicts_total{connector="hubspot-main"}`:                                      0,
		`tandem_connector_quarantined_records{connector="hubspot-main"}`:                                  0,
		`tandem_connector_lag_seconds{connector="hubspot-main"}`:                                          0,
		`tandem_connector_rate_limit_waits_total{connector="hubspot-main"}`:                               0,
		`tandem_connector_rate_limit_wait_seconds_total{connector="hubspot-main"}`:                        0,
		`tandem_connector_run_duration_seconds_count{connector="hubspot-main"}`:                           0,
	}
	for series, v := range want {
		got, ok := s[series]
		if !ok {
			t.Errorf("missing series %s", series)
		} else if got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
	if s["tandem_store_changelog_seq"] < 4 {
		t.Errorf("tandem_store_changelog_seq = %v, want at least the 4 creates", s["tandem_store_changelog_seq"])
	}
	if s["tandem_store_size_bytes"] <= 0 {
		t.Errorf("tandem_store_size_bytes = %v", s["tandem_store_size_bytes"])
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if _, ok := s[name]; !ok && (runtime.GOOS == "linux" || strings.HasPrefix(name, "go_")) {
			t.Errorf("missing %s", name)
		}
	}
	for series := range s {
		if strings.HasPrefix(series, "tandem_api_") && (strings.Contains(series, "/contacts") || strings.Contains(series, "/999999") || strings.Contains(series, "2026-03")) {
			t.Errorf("a raw path became a label value: %s", series)
		}
		name, _, _ := strings.Cut(series, "{")
		if !strings.HasPrefix(name, "tandem_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("series %s is neither tandem_, go_ nor process_", series)
		}
	}

	// The sync engine's calls show in the next scrape; the store metrics follow writes.
	m.reg.ConnectorRun("hubspot-main", metrics.OutcomeSuccess, 3*time.Second)
	m.reg.ConnectorRun("hubspot-main", "exploded", time.Second)
	m.reg.RecordsPulled("hubspot-main", 40)
	m.reg.RecordsPushed("hubspot-main", 2)
	m.reg.Conflicts("hubspot-main", 1)
	m.reg.SetQuarantined("hubspot-main", 5)
	m.reg.SetLag("hubspot-main", 90*time.Second)
	m.reg.RateLimitWait("hubspot-main", 1500*time.Millisecond)
	if _, err := m.store.CreateRecord(context.Background(), "companies", map[string]string{"name": "Globex"}, crmstore.Source{}); err != nil {
		t.Fatal(err)
	}
	s = m.scrape()
	for series, v := range map[string]float64{
		`tandem_connector_runs_total{connector="hubspot-main",outcome="success"}`:  1,
		`tandem_connector_runs_total{connector="hubspot-main",outcome="other"}`:    1,
		`tandem_connector_run_duration_seconds_sum{connector="hubspot-main"}`:      4,
		`tandem_connector_records_pulled_total{connector="hubspot-main"}`:          40,
		`tandem_connector_records_pushed_total{connector="hubspot-main"}`:          2,
		`tandem_connector_conflicts_total{connector="hubspot-main"}`:               1,
		`tandem_connector_quarantined_records{connector="hubspot-main"}`:           5,
		`tandem_connector_lag_seconds{connector="hubspot-main"}`:                   90,
		`tandem_connector_rate_limit_waits_total{connector="hubspot-main"}`:        1,
		`tandem_connector_rate_limit_wait_seconds_total{connector="hubspot-main"}`: 1.5,
		`tandem_store_records{object="companies"}`:                                 2,
		`tandem_store_changelog_seq`:                                               mustSeq(t, m.store),
	} {
		if got, ok := s[series]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, v)
		}
	}
}

func TestAdmin_Status(t *testing.T) {
	m := newMonitored(t)
	if _, err := m.store.CreateRecord(context.Background(), "contacts", map[string]string{"firstname": "Ada"}, crmstore.Source{}); err != nil {
		t.Fatal(err)
	}
	code, body := m.call(http.MethodGet, m.admin+"/admin/status", adminTestToken, "")
	if code != http.StatusOK {
		t.Fatalf("GET /admin/status = %d: %s", code, body)
	}
	var st struct {
		Version       string  `json:"version"`
		Build         string  `json:"build"`
		StartedAt     string  `json:"startedAt"`
		Uptime        string  `json:"uptime"`
		UptimeSeconds float64 `json:"uptimeSeconds"`
		Store         struct {
			Path             string `json:"path"`
			SizeBytes        int64  `json:"sizeBytes"`
			MigrationVersion int    `json:"migrationVersion"`
			LastChangeSeq    int64  `json:"lastChangeSeq"`
		} `json:"store"`
		Config struct {
			File     string    `json:"file"`
			Embedded bool      `json:"embedded"`
			LoadedAt time.Time `json:"loadedAt"`
		} `json:"config"`
		Connectors []struct {
			Name, Type, Schedule, State string
		} `json:"connectors"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if st.Version != "v9.9.9-test" || !strings.HasPrefix(st.Build, "tandem ") || st.UptimeSeconds < 60 || st.Uptime == "" || st.StartedAt == "" {
		t.Errorf("version and uptime: %s", body)
	}
	if st.Store.Path != m.store.Path() || st.Store.SizeBytes <= 0 || st.Store.MigrationVersion != int(mustMigration(t, m.store)) ||
		st.Store.LastChangeSeq != int64(mustSeq(t, m.store)) || st.Store.LastChangeSeq == 0 {
		t.Errorf("store: %+v", st.Store)
	}
	if st.Config.File != "/etc/tandem/tandem.yaml" || st.Config.Embedded || !st.Config.LoadedAt.Equal(m.loadedAt.UTC().Truncate(0)) {
		t.Errorf("config: %+v, loaded at %v", st.Config, m.loadedAt)
	}
	want := "[{hubspot-main hubspot */5 * * * * configured} {csv-drop csv  configured}]"
	if got := strings.TrimSpace(fmtConnectors(st.Connectors)); got != want {
		t.Errorf("connectors: %s, want %s", got, want)
	}
}

func fmtConnectors(cs []struct{ Name, Type, Schedule, State string }) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = "{" + c.Name + " " + c.Type + " " + c.Schedule + " " + c.State + "}"
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestAdmin_Auth(t *testing.T) {
	m := newMonitored(t)
	for _, path := range []string{"/metrics", "/admin/status"} {
		for _, tok := range []string{"", "wrong-token", m.apiToken} {
			if code, body := m.call(http.MethodGet, m.admin+path, tok, ""); code != http.StatusUnauthorized {
				t.Errorf("GET %s with token %q = %d, want 401: %s", path, tok, code, body)
			} else if strings.Contains(body, "tandem_") || strings.Contains(body, m.store.Path()) {
				t.Errorf("GET %s without the admin token leaked: %s", path, body)
			}
		}
		if code, _ := m.call(http.MethodGet, m.admin+path, adminTestToken, ""); code != http.StatusOK {
			t.Errorf("GET %s with the admin token = %d, want 200", path, code)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, _ := m.call(http.MethodGet, m.admin+path, "", ""); code != http.StatusOK {
			t.Errorf("GET %s without a token = %d, want 200", path, code)
		}
	}
}

func mustSeq(t *testing.T, st *crmstore.Store) float64 {
	t.Helper()
	seq, err := st.LastChangeSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return float64(seq)
}

func mustMigration(t *testing.T, st *crmstore.Store) float64 {
	t.Helper()
	v, err := st.MigrationVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return float64(v)
}
