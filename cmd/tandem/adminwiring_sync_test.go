package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/admin"
	"github.com/tandem-crm/tandem/internal/metrics"
	"github.com/tandem-crm/tandem/syncengine"
)

const syncAdminToken = "sync-admin-test-token"

// syncFixture is a syncDaemon on a real store with memory remotes, behind a real admin
// server on loopback.
type syncFixture struct {
	t      *testing.T
	st     *crmstore.Store
	sd     *syncDaemon
	reg    *metrics.Registry
	work   *workGroup
	url    string
	remote *memory.Remote // behind connector crm
	block  chan struct{}  // holds the pulls of connector slow
}

// syncFixtureConfig has crm (memory remote), slow (pulls held until block closes) and broken
// (an unknown type).
func syncFixtureConfig(crmKey, slowKey string) string {
	return `
connectors:
  - name: crm
    type: memtest
    options: {remote: "` + crmKey + `"}
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
          - {local: firstname, remote: firstname}
  - name: slow
    type: memtest
    options: {remote: "` + slowKey + `"}
    objects:
      - object: companies
        fields:
          - {local: domain, remote: domain}
  - name: broken
    type: nosuchtype
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
`
}

func newSyncFixture(t *testing.T) *syncFixture {
	t.Helper()
	st, err := crmstore.Open(t.Context(), t.TempDir(), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &syncFixture{t: t, st: st, remote: memory.New(memory.Options{}), block: make(chan struct{}), work: newWorkGroup()}
	crmKey := addTestRemote(t, f.remote, nil)
	slowKey := addTestRemote(t, memory.New(memory.Options{}), f.block)
	log := zaptest.NewLogger(t)
	f.reg = metrics.New(metrics.Options{Version: "test", Logger: log})
	f.sd, err = newSyncDaemon(st, f.reg, f.work, log)
	if err != nil {
		t.Fatal(err)
	}
	adm := admin.New(admin.Options{Listen: "127.0.0.1:0", Token: syncAdminToken, Logger: log})
	mountSyncAdmin(adm, f.sd, log)
	srv := httptest.NewServer(adm)
	f.url = srv.URL
	f.sd.start(parseConfig(t, syncFixtureConfig(crmKey, slowKey)).Connectors)
	t.Cleanup(func() {
		select {
		case <-f.block:
		default:
			close(f.block)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		f.sd.stop(ctx)
		srv.Close()
		_ = st.Close()
	})
	return f
}

// call sends an admin request and decodes the JSON answer into out (when not nil).
func (f *syncFixture) call(method, path, body string, out any) int {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(f.t.Context(), method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+syncAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			f.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// callError sends a request that must fail with code and returns the error message.
func (f *syncFixture) callError(method, path, body string, code int) string {
	f.t.Helper()
	var e map[string]string
	if got := f.call(method, path, body, &e); got != code {
		f.t.Fatalf("%s %s = %d %v, want %d", method, path, got, e, code)
	}
	if e["error"] == "" || len(e) != 1 {
		f.t.Fatalf("%s %s: error body %v, want {\"error\": ...}", method, path, e)
	}
	return e["error"]
}

func TestSyncAdmin_StatusAndRuns(t *testing.T) {
	f := newSyncFixture(t)
	f.remote.Put("contacts", map[string]string{"email": "ada@example.com", "firstname": "Ada"})

	var list struct {
		Connectors []syncengine.Status `json:"connectors"`
	}
	if code := f.call("GET", "/sync/connectors", "", &list); code != 200 {
		t.Fatalf("list = %d", code)
	}
	states := map[string]syncengine.Status{}
	for _, s := range list.Connectors {
		states[s.Connector] = s
	}
	if len(list.Connectors) != 3 || list.Connectors[0].Connector != "broken" || states["crm"].State != syncengine.StateIdle {
		t.Fatalf("connectors %+v, want broken, crm (idle), slow sorted by name", list.Connectors)
	}
	if b := states["broken"]; b.State != connectorStateUnavailable || !strings.Contains(b.Reason, `unknown connector type "nosuchtype"`) {
		t.Errorf("broken = %+v, want unavailable with the build error", b)
	}

	var rep syncengine.RunReport
	if code := f.call("POST", "/sync/connectors/crm/run", "", &rep); code != 200 {
		t.Fatalf("run = %d", code)
	}
	if rep.Status != syncengine.RunSucceeded || rep.Trigger != syncengine.TriggerManual || rep.Pulled != 1 || rep.CreatedLocal != 1 || rep.ID == 0 {
		t.Errorf("run report %+v, want a succeeded manual run that created Ada", rep)
	}
	recs, err := f.st.Search(t.Context(), "contacts", crmstore.SearchRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Records) != 1 || recs.Records[0].Properties["email"] != "ada@example.com" {
		t.Errorf("local contacts after the run: %+v", recs.Records)
	}

	var full syncengine.RunReport
	if code := f.call("POST", "/sync/connectors/crm/run?full=true", "", &full); code != 200 || !full.Full {
		t.Errorf("full run = %d %+v", code, full)
	}
	var runs struct {
		Runs []syncengine.RunReport `json:"runs"`
	}
	if code := f.call("GET", "/sync/connectors/crm/runs?limit=1", "", &runs); code != 200 || len(runs.Runs) != 1 || runs.Runs[0].ID != full.ID {
		t.Errorf("runs?limit=1 = %d %+v, want the full run only", code, runs.Runs)
	}
	var st syncengine.Status
	if code := f.call("GET", "/sync/connectors/crm", "", &st); code != 200 || st.LastRun == nil || st.LastRun.ID != full.ID || st.InSync != 1 {
		t.Errorf("status = %d %+v, want the full run as last run and one linked record", code, st)
	}
	var plan syncengine.Plan
	if code := f.call("POST", "/sync/connectors/crm/plan", "", &plan); code != 200 || plan.Connector != "crm" || len(plan.Objects) != 1 {
		t.Errorf("plan = %d %+v", code, plan)
	}
	var empty map[string]json.RawMessage
	for _, path := range []string{"/sync/connectors/crm/conflicts?all=true", "/sync/connectors/crm/quarantine"} {
		if code := f.call("GET", path, "", &empty); code != 200 {
			t.Errorf("%s = %d", path, code)
		}
		for k, v := range empty {
			if string(v) != "[]" {
				t.Errorf("%s: %s = %s, want []", path, k, v)
			}
		}
	}
}

func TestSyncAdmin_PauseResume(t *testing.T) {
	f := newSyncFixture(t)
	var st syncengine.Status
	if code := f.call("POST", "/sync/connectors/crm/pause", `{"reason":"maintenance window"}`, &st); code != 200 ||
		st.State != syncengine.StatePaused || st.Reason != "maintenance window" {
		t.Fatalf("pause = %d %+v", code, st)
	}
	if msg := f.callError("POST", "/sync/connectors/crm/run", "", http.StatusLocked); !strings.Contains(msg, "maintenance window") {
		t.Errorf("run while paused: %q, want the reason", msg)
	}
	if code := f.call("POST", "/sync/connectors/crm/resume", `{"approveDeletes":false}`, &st); code != 200 || st.State != syncengine.StateIdle {
		t.Fatalf("resume = %d %+v", code, st)
	}
	if code := f.call("POST", "/sync/connectors/crm/run", "", nil); code != 200 {
		t.Errorf("run after resume = %d", code)
	}
	// A pause without a body gets the default reason.
	if code := f.call("POST", "/sync/connectors/crm/pause", "", &st); code != 200 || st.State != syncengine.StatePaused || st.Reason == "" {
		t.Errorf("pause without body = %d %+v", code, st)
	}
}

func TestSyncAdmin_QuarantineReplay(t *testing.T) {
	f := newSyncFixture(t)
	f.remote.Reject(memory.Rule{Object: "contacts", Field: "firstname", Contains: "REFUSED"})
	res, err := f.st.CreateRecords(t.Context(), "contacts", []map[string]string{
		{"email": "bob@example.com", "firstname": "REFUSED"},
		{"email": "cy@example.com", "firstname": "Cy"},
	}, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("create: %v %+v", err, res)
	}
	var rep syncengine.RunReport
	if code := f.call("POST", "/sync/connectors/crm/run", "", &rep); code != 200 || rep.Status != syncengine.RunPartial || rep.Failed != 1 {
		t.Fatalf("run = %d %+v, want a partial run with one failure", code, rep)
	}
	var q struct {
		Quarantine []syncengine.QuarantineEntry `json:"quarantine"`
	}
	if code := f.call("GET", "/sync/connectors/crm/quarantine?limit=10", "", &q); code != 200 || len(q.Quarantine) != 1 {
		t.Fatalf("quarantine = %d %+v", code, q.Quarantine)
	}
	var replay syncengine.RunReport
	body := `{"ids":[` + strconvI64(q.Quarantine[0].ID) + `]}`
	if code := f.call("POST", "/sync/connectors/crm/quarantine/replay", body, &replay); code != 200 || replay.Trigger != syncengine.TriggerReplay {
		t.Errorf("replay = %d %+v, want a replay run", code, replay)
	}
	if code := f.call("POST", "/sync/connectors/crm/quarantine/replay", "", &replay); code != 200 {
		t.Errorf("replay of all = %d", code)
	}
}

func strconvI64(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestSyncAdmin_Errors(t *testing.T) {
	f := newSyncFixture(t)
	for _, tc := range []struct {
		method, path, body string
		code               int
		msg                string
	}{
		{"GET", "/sync/connectors/nope", "", 404, `no connector named "nope"`},
		{"POST", "/sync/connectors/nope/run", "", 404, `no connector named "nope"`},
		{"POST", "/sync/connectors/broken/run", "", 404, `connector "broken" is configured but not running: `},
		{"GET", "/sync/connectors/crm/runs?limit=0", "", 400, "query parameter limit"},
		{"GET", "/sync/connectors/crm/runs?limit=many", "", 400, "query parameter limit"},
		{"GET", "/sync/connectors/crm/quarantine?limit=99999", "", 400, "between 1 and 10000"},
		{"POST", "/sync/connectors/crm/run?full=maybe", "", 400, `query parameter full: "maybe" is not true or false`},
		{"GET", "/sync/connectors/crm/conflicts?all=2", "", 400, "query parameter all"},
		{"POST", "/sync/connectors/crm/pause", `{"reason": 1}`, 400, "invalid JSON body"},
		{"POST", "/sync/connectors/crm/resume", `{"approve": true}`, 400, `unknown field "approve"`},
		{"POST", "/sync/connectors/crm/quarantine/replay", `{"ids": ["a"]}`, 400, "invalid JSON body"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			if msg := f.callError(tc.method, tc.path, tc.body, tc.code); !strings.Contains(msg, tc.msg) {
				t.Errorf("error %q, want it to contain %q", msg, tc.msg)
			}
		})
	}
	// Without the token nothing answers.
	resp, err := http.Get(f.url + "/sync/connectors")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
}

func TestSyncAdmin_BusyWhileRunning(t *testing.T) {
	f := newSyncFixture(t)
	first := make(chan int, 1)
	go func() { first <- f.call("POST", "/sync/connectors/slow/run", "", nil) }()
	f.waitRunRecorded("slow")

	if msg := f.callError("POST", "/sync/connectors/slow/run", "", http.StatusConflict); !strings.Contains(msg, "already running") {
		t.Errorf("second run: %q", msg)
	}
	if msg := f.callError("POST", "/sync/connectors/slow/quarantine/replay", "", http.StatusConflict); !strings.Contains(msg, "already running") {
		t.Errorf("replay while running: %q", msg)
	}
	var st syncengine.Status
	if f.call("GET", "/sync/connectors/slow", "", &st); st.State != syncengine.StateRunning {
		t.Errorf("state while running %q, want running", st.State)
	}
	if items := f.work.Running(); len(items) != 1 || items[0].Name != "sync slow" {
		t.Errorf("work group %+v, want the run registered as sync slow", items)
	}
	close(f.block)
	if code := <-first; code != 200 {
		t.Errorf("the first run = %d", code)
	}
}

func TestSyncAdmin_ShutdownCancelsRuns(t *testing.T) {
	f := newSyncFixture(t)
	first := make(chan syncengine.RunReport, 1)
	go func() {
		var rep syncengine.RunReport
		f.call("POST", "/sync/connectors/slow/run", "", &rep)
		first <- rep
	}()
	f.waitRunRecorded("slow")
	f.work.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the budget is spent: the run is cancelled at once
	f.sd.stop(ctx)
	if rep := <-first; rep.Status != syncengine.RunFailed || !strings.Contains(rep.Error, "context canceled") {
		t.Errorf("the cancelled run's report %+v, want failed with the cancellation", rep)
	}
	if items := f.work.Running(); len(items) != 0 {
		t.Errorf("work still registered after stop: %+v", items)
	}
	if msg := f.callError("POST", "/sync/connectors/crm/run", "", http.StatusServiceUnavailable); !strings.Contains(msg, "shutting down") {
		t.Errorf("run after shutdown: %q", msg)
	}
}

func TestSyncDaemon_ApplyReload(t *testing.T) {
	f := newSyncFixture(t)
	if got := strings.Join(f.sd.engine.Names(), ","); got != "crm,slow" {
		t.Fatalf("engine connectors %s, want crm,slow", got)
	}
	crmKey := addTestRemote(t, f.remote, nil)
	// crm remapped, slow removed, broken fixed, new added with a bad mapping.
	f.sd.apply(parseConfig(t, `
connectors:
  - name: crm
    type: memtest
    schedule: "@every 1h"
    options: {remote: "`+crmKey+`"}
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
  - name: broken
    type: memtest
    options: {remote: "`+crmKey+`"}
    objects:
      - object: companies
        fields:
          - {local: domain, remote: domain}
  - name: badmap
    type: memtest
    options: {remote: "`+crmKey+`"}
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email, transform: nope}
`).Connectors)
	if got := strings.Join(f.sd.engine.Names(), ","); got != "broken,crm" {
		t.Errorf("engine connectors after reload %s, want broken,crm", got)
	}
	if got := strings.Join(f.sd.sched.Names(), ","); got != "broken,crm" {
		t.Errorf("scheduled connectors after reload %s, want broken,crm", got)
	}
	if why := f.sd.notRunning("badmap"); !strings.Contains(why, `unknown transform "nope"`) {
		t.Errorf("badmap not running because %q, want the bad transform", why)
	}
	if why := f.sd.notRunning("broken"); why != "" {
		t.Errorf("broken still reported not running: %q", why)
	}
	state, reason, last := f.sd.connectorSummary(t.Context(), "badmap")
	if state != connectorStateUnavailable || reason == "" || last != nil {
		t.Errorf("badmap summary %q %q %v", state, reason, last)
	}
}

func TestAdminStatus_SyncSummary(t *testing.T) {
	f := newSyncFixture(t)
	if code := f.call("POST", "/sync/connectors/crm/run", "", nil); code != 200 {
		t.Fatal(code)
	}
	cfg := parseConfig(t, syncFixtureConfig("x", "y"))
	body, err := adminStatus(t.Context(), f.st, StatusInfo{
		Config:        func() (*config.Config, string, time.Time) { return cfg, "", time.Time{} },
		ConnectorSync: f.sd.connectorSummary,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]connectorStatus{}
	for _, c := range body.Connectors {
		got[c.Name] = c
	}
	if c := got["crm"]; c.State != syncengine.StateIdle || c.LastRun == nil || c.LastRun.Status != syncengine.RunSucceeded {
		t.Errorf("crm in /admin/status: %+v, want idle with its last run", c)
	}
	if c := got["broken"]; c.State != connectorStateUnavailable || c.Reason == "" {
		t.Errorf("broken in /admin/status: %+v, want unavailable with a reason", c)
	}
}

// waitFor polls cond until it holds, failing after a generous bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitRunRecorded waits until a run of connector name is recorded as running in the store:
// the scheduler's gate closes a little before the engine records the run, and a run cancelled
// in between never gets a record (or a report).
func (f *syncFixture) waitRunRecorded(name string) {
	f.t.Helper()
	waitFor(f.t, name+" to be recorded as running", func() bool {
		runs, err := f.st.SyncRuns(context.Background(), name, 1)
		return err == nil && len(runs) == 1 && runs[0].Status == crmstore.SyncRunRunning
	})
}
