package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/syncengine"
)

// fakeAdminToken is the admin token of the fake daemon's config.
const fakeAdminToken = "admin-secret-for-tests"

// adminCall is one request the fake daemon received.
type adminCall struct {
	Method, Path, Query, Auth string
	Body                      map[string]any
}

// fakeDaemon is an httptest server that implements the daemon's sync admin endpoints with
// canned syncengine values, and records what it was asked.
type fakeDaemon struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	calls []adminCall
	// status answers for a run, by connector; 0 means 200 with runReport.
	runStatus map[string]int
	runReport syncengine.RunReport
}

var (
	fakeStarted = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	fakeStatus  = syncengine.Status{Connector: "crm-a", State: syncengine.StatePaused, Reason: "remote maintenance",
		LastRun: &syncengine.RunReport{ID: 7, Connector: "crm-a", Trigger: "schedule", StartedAt: fakeStarted,
			FinishedAt: fakeStarted.Add(2 * time.Second), Status: syncengine.RunSucceeded,
			Counts: syncengine.Counts{Pulled: 12, Pushed: 3, Conflicts: 1}},
		LagSeconds: 90, PendingChanges: 4, InSync: 40, Excluded: 2, Failing: 1, Quarantined: 3, PendingDelete: 5, OpenConflicts: 6}
	fakeStatusB = syncengine.Status{Connector: "crm-b", State: syncengine.StateIdle}
	// fakeStatusC is a configured connector the daemon could not start.
	fakeStatusC = syncengine.Status{Connector: "crm-c", State: connectorStateUnavailable, Reason: `option "bogus" is unknown`}
)

func newFakeDaemon(t *testing.T) *fakeDaemon {
	d := &fakeDaemon{t: t, runStatus: map[string]int{},
		runReport: syncengine.RunReport{ID: 8, Connector: "crm-a", Trigger: "manual", StartedAt: fakeStarted,
			FinishedAt: fakeStarted.Add(time.Second), Status: syncengine.RunSucceeded, Counts: syncengine.Counts{Pulled: 2, CreatedLocal: 2}}}
	mux := http.NewServeMux()
	p := syncAdminPrefix
	mux.HandleFunc("GET "+p, func(w http.ResponseWriter, _ *http.Request) {
		writeTestJSON(w, 200, map[string]any{"connectors": []syncengine.Status{fakeStatus, fakeStatusB, fakeStatusC}})
	})
	mux.HandleFunc("GET "+p+"/{name}", d.known(func(w http.ResponseWriter, r *http.Request) {
		writeTestJSON(w, 200, d.statusOf(r.PathValue("name")))
	}))
	mux.HandleFunc("GET "+p+"/{name}/runs", d.known(func(w http.ResponseWriter, _ *http.Request) {
		writeTestJSON(w, 200, map[string]any{"runs": []syncengine.RunReport{d.runReport, *fakeStatus.LastRun}})
	}))
	mux.HandleFunc("POST "+p+"/{name}/run", d.known(d.run))
	mux.HandleFunc("POST "+p+"/{name}/quarantine/replay", d.known(d.run))
	mux.HandleFunc("POST "+p+"/{name}/plan", d.known(func(w http.ResponseWriter, _ *http.Request) {
		writeTestJSON(w, 200, syncengine.Plan{Connector: "crm-a", Objects: []syncengine.ObjectPlan{{Object: "contacts",
			Local: syncengine.PlanSide{Create: 1, Items: []syncengine.PlanItem{{Op: "create", RemoteID: "501",
				Fields: map[string]string{"email": "ann@example.com", "firstname": "Ann Marie"}}}}}}})
	}))
	mux.HandleFunc("POST "+p+"/{name}/pause", d.known(func(w http.ResponseWriter, r *http.Request) {
		st := d.statusOf(r.PathValue("name"))
		st.State, st.Reason = syncengine.StatePaused, "by test"
		writeTestJSON(w, 200, st)
	}))
	mux.HandleFunc("POST "+p+"/{name}/resume", d.known(func(w http.ResponseWriter, r *http.Request) {
		st := d.statusOf(r.PathValue("name"))
		st.State, st.Reason = syncengine.StateIdle, ""
		writeTestJSON(w, 200, st)
	}))
	mux.HandleFunc("GET "+p+"/{name}/conflicts", d.known(func(w http.ResponseWriter, _ *http.Request) {
		writeTestJSON(w, 200, map[string]any{"conflicts": []syncengine.Conflict{{ID: 3, Connector: "crm-a", Object: "contacts",
			LocalID: 11, RemoteID: "611", Field: "phone", Base: "1", Local: "2", Remote: "3\tthree", Policy: "manual", CreatedAt: fakeStarted}}})
	}))
	mux.HandleFunc("GET "+p+"/{name}/quarantine", d.known(func(w http.ResponseWriter, _ *http.Request) {
		writeTestJSON(w, 200, map[string]any{"quarantine": []syncengine.QuarantineEntry{{ID: 9, Connector: "crm-a", Object: "contacts",
			Direction: "push", LocalID: 12, Op: "create", Code: "VALIDATION_ERROR", Reason: "Property values were not valid", Attempts: 2,
			FirstAt: fakeStarted, LastAt: fakeStarted}}})
	}))
	d.srv = httptest.NewServer(d.record(mux))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *fakeDaemon) statusOf(name string) syncengine.Status {
	if name == "crm-b" {
		return fakeStatusB
	}
	return fakeStatus
}

// record checks the token and keeps every request.
func (d *fakeDaemon) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := adminCall{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}
		if raw, _ := io.ReadAll(r.Body); len(raw) > 0 {
			if err := json.Unmarshal(raw, &c.Body); err != nil {
				d.t.Errorf("%s %s: body %q is not JSON: %v", r.Method, r.URL.Path, raw, err)
			}
		}
		d.mu.Lock()
		d.calls = append(d.calls, c)
		d.mu.Unlock()
		if c.Auth != "Bearer "+fakeAdminToken {
			writeTestJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or invalid admin token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// known answers 404 for connectors other than crm-a and crm-b, as the daemon does for one
// that is not configured and for one that is but could not start.
func (d *fakeDaemon) known(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch n := r.PathValue("name"); n {
		case "crm-a", "crm-b":
		case "crm-c":
			writeTestJSON(w, http.StatusNotFound, map[string]string{"error": `connector "crm-c" is configured but not running: ` + fakeStatusC.Reason})
			return
		default:
			writeTestJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no connector named %q", n)})
			return
		}
		h(w, r)
	}
}

func (d *fakeDaemon) run(w http.ResponseWriter, r *http.Request) {
	switch d.runStatus[r.PathValue("name")] {
	case http.StatusConflict:
		writeTestJSON(w, http.StatusConflict, map[string]string{"error": "connector is already running"})
	case http.StatusLocked:
		writeTestJSON(w, http.StatusLocked, map[string]string{"error": "connector is paused"})
	default:
		writeTestJSON(w, 200, d.runReport)
	}
}

func (d *fakeDaemon) takeCalls() []adminCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.calls
	d.calls = nil
	return c
}

func writeTestJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// daemonCLI is a data directory whose daemon.json names this (live) test process and the
// fake daemon's address, with a config carrying the admin token.
func daemonCLI(t *testing.T, token string) (*cli, *fakeDaemon, string) {
	c := newCLI(t)
	d := newFakeDaemon(t)
	if err := writeDaemonFile(c.dataDir, daemonInfo{PID: os.Getpid(), Admin: d.srv.Listener.Addr().String(), StartedAt: fakeStarted}); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "tandem.yaml")
	writeFile(t, cfg, "admin: {listen: \"127.0.0.1:0\", token: \""+token+"\"}\n")
	return c, d, cfg
}

func TestSyncCLI_DaemonMode(t *testing.T) {
	c, d, cfg := daemonCLI(t, fakeAdminToken)
	tests := []struct {
		args     []string
		want     adminCall // Auth is always checked
		contains []string
	}{
		{[]string{"status"}, adminCall{Method: "GET", Path: "/sync/connectors"},
			[]string{"NAME", "OPEN-CONFLICTS", "crm-a", "paused", "remote maintenance", "#7 succeeded", "pulled 12, pushed 3, conflicts 1", "1m30s", "crm-b", "never"}},
		{[]string{"status", "crm-a"}, adminCall{Method: "GET", Path: "/sync/connectors/crm-a"}, []string{"crm-a", "remote maintenance"}},
		{[]string{"run", "crm-a", "--full"}, adminCall{Method: "POST", Path: "/sync/connectors/crm-a/run", Query: "full=true"},
			[]string{"run           8", "status        succeeded", "created       local 2, remote 0", "took 1s"}},
		{[]string{"run", "crm-a"}, adminCall{Method: "POST", Path: "/sync/connectors/crm-a/run"}, []string{"succeeded"}},
		{[]string{"plan", "crm-a"}, adminCall{Method: "POST", Path: "/sync/connectors/crm-a/plan"},
			[]string{"plan for crm-a (dry run", "contacts", "local   1       0       0", `local  create  -         501        email=ann@example.com firstname="Ann Marie"`}},
		{[]string{"runs", "crm-a", "--limit", "2"}, adminCall{Method: "GET", Path: "/sync/connectors/crm-a/runs", Query: "limit=2"},
			[]string{"CREATED L/R", "8   manual", "7   schedule"}},
		{[]string{"conflicts", "crm-a", "--all"}, adminCall{Method: "GET", Path: "/sync/connectors/crm-a/conflicts", Query: "all=true"},
			[]string{"phone", "3 three", "manual", "open"}},
		{[]string{"conflicts", "crm-a"}, adminCall{Method: "GET", Path: "/sync/connectors/crm-a/conflicts"}, []string{"phone"}},
		{[]string{"quarantine", "crm-a", "--limit", "5"}, adminCall{Method: "GET", Path: "/sync/connectors/crm-a/quarantine", Query: "limit=5"},
			[]string{"VALIDATION_ERROR", "Property values were not valid", "push"}},
		{[]string{"quarantine", "crm-a", "--replay", "9", "10"},
			adminCall{Method: "POST", Path: "/sync/connectors/crm-a/quarantine/replay", Body: map[string]any{"ids": []any{9.0, 10.0}}},
			[]string{"run           8"}},
		{[]string{"quarantine", "crm-a", "--replay"},
			adminCall{Method: "POST", Path: "/sync/connectors/crm-a/quarantine/replay", Body: map[string]any{"ids": []any{}}}, nil},
		{[]string{"pause", "crm-b", "--reason", "by test"},
			adminCall{Method: "POST", Path: "/sync/connectors/crm-b/pause", Body: map[string]any{"reason": "by test"}},
			[]string{"connector crm-b paused: by test"}},
		{[]string{"resume", "crm-b", "--approve-deletes"},
			adminCall{Method: "POST", Path: "/sync/connectors/crm-b/resume", Body: map[string]any{"approveDeletes": true}},
			[]string{"connector crm-b was not paused"}},
		{[]string{"resume", "crm-a"},
			adminCall{Method: "POST", Path: "/sync/connectors/crm-a/resume", Body: map[string]any{"approveDeletes": false}},
			[]string{"connector crm-a resumed (state idle)", "5 held-back deletion(s) dropped"}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		out := c.ok(append([]string{"sync", "--config", cfg}, tt.args...)...)
		for _, s := range tt.contains {
			if !strings.Contains(out, s) {
				t.Errorf("%s: output lacks %q:\n%s", name, s, out)
			}
		}
		calls := d.takeCalls()
		if len(calls) == 0 {
			t.Errorf("%s: the daemon was not asked", name)
			continue
		}
		got := calls[len(calls)-1] // resume asks for the status first
		for _, c := range calls {
			if c.Auth != "Bearer "+fakeAdminToken {
				t.Errorf("%s: %s %s sent Authorization %q", name, c.Method, c.Path, c.Auth)
			}
		}
		got.Auth = ""
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: request %+v, want %+v", name, got, tt.want)
		}
	}
}

func TestSyncCLI_DaemonModeJSON(t *testing.T) {
	c, _, cfg := daemonCLI(t, fakeAdminToken)
	var all struct {
		Connectors []syncengine.Status `json:"connectors"`
	}
	decode(t, c.ok("sync", "status", "--json", "--config", cfg), &all)
	if !reflect.DeepEqual(all.Connectors, []syncengine.Status{fakeStatus, fakeStatusB, fakeStatusC}) {
		t.Errorf("status --json: %+v", all.Connectors)
	}
	var rep syncengine.RunReport
	decode(t, c.ok("sync", "run", "crm-a", "--json", "--config", cfg), &rep)
	if rep.ID != 8 || rep.CreatedLocal != 2 || rep.Status != syncengine.RunSucceeded {
		t.Errorf("run --json: %+v", rep)
	}
	var q struct {
		Quarantine []syncengine.QuarantineEntry `json:"quarantine"`
	}
	decode(t, c.ok("sync", "quarantine", "crm-a", "--json", "--config", cfg), &q)
	if len(q.Quarantine) != 1 || q.Quarantine[0].Code != "VALIDATION_ERROR" {
		t.Errorf("quarantine --json: %+v", q.Quarantine)
	}
}

func TestSyncCLI_DaemonModeErrors(t *testing.T) {
	c, d, cfg := daemonCLI(t, fakeAdminToken)
	d.runReport.Status, d.runReport.Error = syncengine.RunFailed, "object contacts: remote said 401"
	d.runStatus["crm-b"] = http.StatusConflict
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "nope"}, `error: unknown connector "nope" (configured: crm-a, crm-b, crm-c)`},
		{[]string{"pause", "nope"}, `error: unknown connector "nope" (configured: crm-a, crm-b, crm-c)`},
		{[]string{"run", "crm-c"}, `error: connector "crm-c" is configured but not running: option "bogus" is unknown` + "\n"},
		{[]string{"run", "crm-b"}, `error: connector "crm-b" is already running`},
	}
	for _, tt := range tests {
		if got := c.fail(exitError, append([]string{"sync", "--config", cfg}, tt.args...)...); !strings.Contains(got, tt.want) {
			t.Errorf("%v: stderr %q, want %q", tt.args, got, tt.want)
		}
	}

	d.runStatus["crm-a"] = http.StatusLocked
	got := c.fail(exitError, "sync", "run", "crm-a", "--config", cfg)
	if want := `error: connector "crm-a" is paused (remote maintenance); resume it with "tandem sync resume crm-a"`; !strings.Contains(got, want) {
		t.Errorf("paused: stderr %q, want %q", got, want)
	}

	// A failed run prints its report and exits 1.
	d.runStatus["crm-a"] = 0
	out, errOut, code := c.run("sync", "run", "crm-a", "--config", cfg)
	if code != exitError || !strings.Contains(out, "status        failed") ||
		!strings.Contains(errOut, "error: run 8 of crm-a failed: object contacts: remote said 401") {
		t.Errorf("failed run: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestSyncCLI_DaemonModeWrongToken(t *testing.T) {
	c, _, cfg := daemonCLI(t, "not-the-token")
	got := c.fail(exitError, "sync", "status", "--config", cfg)
	if !strings.Contains(got, "refused the admin token") || strings.Contains(got, "not-the-token") {
		t.Errorf("stderr: %q", got)
	}
}

// A daemon file left by a daemon that is gone must not stop the commands: they run locally.
func TestSyncCLI_DeadDaemonRunsLocally(t *testing.T) {
	c, d, cfg := daemonCLI(t, fakeAdminToken)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	if err := writeDaemonFile(c.dataDir, daemonInfo{PID: dead.Process.Pid, Admin: d.srv.Listener.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("sync", "status", "--config", cfg); out != "no connectors configured\n" {
		t.Errorf("status: %q", out)
	}
	if calls := d.takeCalls(); len(calls) > 0 {
		t.Errorf("the dead daemon was asked: %+v", calls)
	}
}

// A live daemon whose admin endpoint has no token cannot be asked; the commands run here and
// say so (the engine's lease keeps the two processes from running one connector at once).
func TestSyncCLI_DaemonWithoutTokenRunsLocally(t *testing.T) {
	c, d, _ := daemonCLI(t, fakeAdminToken)
	cfg := filepath.Join(t.TempDir(), "tandem.yaml")
	writeFile(t, cfg, "admin: {listen: \"127.0.0.1:0\"}\n")
	stdout, stderr, code := c.run("sync", "status", "--config", cfg)
	if code != 0 || stdout != "no connectors configured\n" {
		t.Errorf("status: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "admin.token is not set") {
		t.Errorf("stderr does not say why it ran locally: %q", stderr)
	}
	if calls := d.takeCalls(); len(calls) > 0 {
		t.Errorf("the daemon was asked without a token: %+v", calls)
	}
}

func TestSyncCLI_CorruptDaemonFile(t *testing.T) {
	c := newCLI(t)
	writeFile(t, filepath.Join(c.dataDir, daemonFileName), "{not json")
	got := c.fail(exitError, "sync", "status")
	if !strings.Contains(got, "check for a running daemon") || !strings.Contains(got, daemonFileName) {
		t.Errorf("stderr: %q", got)
	}
}

func TestAdminBaseURL(t *testing.T) {
	tests := []struct{ addr, want, err string }{
		{"127.0.0.1:9090", "http://127.0.0.1:9090", ""},
		{"0.0.0.0:9090", "http://127.0.0.1:9090", ""},
		{":9090", "http://127.0.0.1:9090", ""},
		{"[::]:9090", "http://[::1]:9090", ""},
		{"[::1]:9091", "http://[::1]:9091", ""},
		{"https://admin.example:8443/", "https://admin.example:8443", ""},
		{"localhost", "", "not host:port"},
		{"ftp://x:1", "", "not host:port or an http(s) URL"},
	}
	for _, tt := range tests {
		got, err := adminBaseURL(tt.addr)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("adminBaseURL(%q): error %v, want %q", tt.addr, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("adminBaseURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
}

func TestConnectorPathEscapesName(t *testing.T) {
	if got := connectorPath("a/../b c", "/run"); got != "/sync/connectors/a%2F..%2Fb%20c/run" {
		t.Errorf("connectorPath = %q", got)
	}
}
