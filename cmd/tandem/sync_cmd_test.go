package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// syncCLI is a data directory and a config with one HubSpot connector, crm-a, pointed at an
// in-process fake HubSpot; no daemon runs, so the commands build the engine themselves.
type syncCLI struct {
	*cli
	fake *hubspotfake.Server
	cfg  string
}

func newSyncCLI(t *testing.T) *syncCLI {
	c := newCLI(t)
	fake := hubspotfake.New(hubspotfake.Options{})
	t.Cleanup(fake.Close)
	cfg := filepath.Join(t.TempDir(), "tandem.yaml")
	writeFile(t, cfg, fmt.Sprintf(`data_dir: %s
connectors:
  - name: crm-a
    type: hubspot
    options:
      base_url: %s
      token: %s
    objects:
      - object: contacts
        conflict: manual
        deletes: propagate
        max_delete_percent: 10
        fields:
          - {local: email, remote: email}
          - {local: firstname, remote: firstname}
`, c.dataDir, fake.URL, fake.Token()))
	return &syncCLI{cli: c, fake: fake, cfg: cfg}
}

// sync runs `tandem sync ARGS --config CFG` and wants success.
func (s *syncCLI) sync(args ...string) string {
	s.t.Helper()
	return s.ok(append(append([]string{"sync"}, args...), "--config", s.cfg)...)
}

// syncFail runs `tandem sync ARGS --config CFG` and wants exit 1; it returns stdout and stderr.
func (s *syncCLI) syncFail(args ...string) (string, string) {
	s.t.Helper()
	out, errOut, code := s.run(append(append([]string{"sync"}, args...), "--config", s.cfg)...)
	if code != exitError {
		s.t.Fatalf("tandem sync %s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

func (s *syncCLI) status(name string) syncengine.Status {
	s.t.Helper()
	var st syncengine.Status
	decode(s.t, s.sync("status", name, "--json"), &st)
	return st
}

func (s *syncCLI) runJSON(args ...string) syncengine.RunReport {
	s.t.Helper()
	var rep syncengine.RunReport
	decode(s.t, s.sync(append(args, "--json")...), &rep)
	return rep
}

func (s *syncCLI) localCount() int {
	s.t.Helper()
	var page recordPageJSON
	decode(s.t, s.ok("records", "list", "contacts", "--limit", "100"), &page)
	return len(page.Results)
}

func (s *syncCLI) putRemote(email, first string) string {
	s.t.Helper()
	id, err := s.fake.Put("contacts", map[string]string{"email": email, "firstname": first})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func TestSyncCLI_LocalStatusPlanRunRuns(t *testing.T) {
	s := newSyncCLI(t)
	s.putRemote("ann@example.com", "Ann")
	s.putRemote("bob@example.com", "Bob")
	s.putRemote("cy@example.com", "Cy")
	s.record("records", "create", "contacts", "email=dee@example.com", "firstname=Dee")

	st := s.status("crm-a")
	if st.State != syncengine.StateIdle || st.LastRun != nil || st.InSync != 0 {
		t.Errorf("status before the first run: %+v", st)
	}
	out := s.sync("status")
	for _, want := range []string{"NAME", "crm-a", "idle", "never"} {
		if !strings.Contains(out, want) {
			t.Errorf("status table lacks %q:\n%s", want, out)
		}
	}

	// The plan lists the writes on both sides and writes nothing.
	var plan syncengine.Plan
	decode(t, s.sync("plan", "crm-a", "--json"), &plan)
	if len(plan.Objects) != 1 || plan.Objects[0].Local.Create != 3 || plan.Objects[0].Remote.Create != 1 {
		t.Fatalf("plan: %+v", plan)
	}
	out = s.sync("plan", "crm-a")
	for _, want := range []string{"plan for crm-a (dry run", "contacts", "local   3       0       0", "remote  1       0       0",
		"email=ann@example.com firstname=Ann", "email=dee@example.com firstname=Dee"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	if n := s.localCount(); n != 1 || s.fake.Len("contacts") != 3 {
		t.Fatalf("after the plan: %d local, %d remote records; the plan must write nothing", n, s.fake.Len("contacts"))
	}
	if out := s.sync("runs", "crm-a"); out != "no runs yet\n" {
		t.Errorf("runs after the plan: %q", out)
	}

	out = s.sync("run", "crm-a")
	for _, want := range []string{"run           1", "connector     crm-a", "status        succeeded", "trigger       manual",
		"created       local 3, remote 1", "pulled        3"} {
		if !strings.Contains(out, want) {
			t.Errorf("run output lacks %q:\n%s", want, out)
		}
	}
	if n := s.localCount(); n != 4 || s.fake.Len("contacts") != 4 {
		t.Errorf("after the run: %d local, %d remote records, want 4 and 4", n, s.fake.Len("contacts"))
	}

	rep := s.runJSON("run", "crm-a", "--full")
	if rep.ID != 2 || !rep.Full || rep.Status != syncengine.RunSucceeded || rep.CreatedLocal+rep.CreatedRemote != 0 {
		t.Errorf("second, full run: %+v", rep)
	}
	var runs struct {
		Runs []syncengine.RunReport `json:"runs"`
	}
	decode(t, s.sync("runs", "crm-a", "--json", "--limit", "1"), &runs)
	if len(runs.Runs) != 1 || runs.Runs[0].ID != 2 {
		t.Errorf("runs --limit 1: %+v", runs.Runs)
	}
	out = s.sync("runs", "crm-a")
	if !strings.Contains(out, "CREATED L/R") || !strings.Contains(out, "3/1") || strings.Count(out, "\n") != 3 {
		t.Errorf("runs table:\n%s", out)
	}
	if st := s.status("crm-a"); st.InSync != 4 || st.LastRun == nil || st.LastRun.ID != 2 || st.State != syncengine.StateIdle {
		t.Errorf("status after the runs: %+v", st)
	}
}

func TestSyncCLI_LocalConflicts(t *testing.T) {
	s := newSyncCLI(t)
	rid := s.putRemote("ann@example.com", "Ann")
	s.sync("run", "crm-a")
	if out := s.sync("conflicts", "crm-a"); out != "no open conflicts\n" {
		t.Errorf("conflicts before any: %q", out)
	}

	s.ok("records", "update", "contacts", "1", "firstname=Local Ann")
	if err := s.fake.Update("contacts", rid, map[string]string{"firstname": "Remote Ann"}); err != nil {
		t.Fatal(err)
	}
	var plan syncengine.Plan
	decode(t, s.sync("plan", "crm-a", "--json"), &plan)
	if plan.Objects[0].ConflictCount != 1 {
		t.Errorf("plan conflicts: %+v", plan.Objects[0])
	}
	if rep := s.runJSON("run", "crm-a"); rep.Conflicts != 1 {
		t.Errorf("run: %+v, want one conflict", rep)
	}
	var cs struct {
		Conflicts []syncengine.Conflict `json:"conflicts"`
	}
	decode(t, s.sync("conflicts", "crm-a", "--json"), &cs)
	if len(cs.Conflicts) != 1 || cs.Conflicts[0].Field != "firstname" || cs.Conflicts[0].Local != "Local Ann" ||
		cs.Conflicts[0].Remote != "Remote Ann" || cs.Conflicts[0].Resolved {
		t.Fatalf("conflicts: %+v", cs.Conflicts)
	}
	out := s.sync("conflicts", "crm-a", "--all")
	for _, want := range []string{"firstname", "Ann", "Local Ann", "Remote Ann", "manual", "open"} {
		if !strings.Contains(out, want) {
			t.Errorf("conflicts table lacks %q:\n%s", want, out)
		}
	}
	if st := s.status("crm-a"); st.OpenConflicts != 1 {
		t.Errorf("status: %+v, want one open conflict", st)
	}
}

func TestSyncCLI_LocalPauseResume(t *testing.T) {
	s := newSyncCLI(t)
	if out := s.sync("pause", "crm-a", "--reason", "remote maintenance"); out != "connector crm-a paused: remote maintenance\n" {
		t.Errorf("pause: %q", out)
	}
	if st := s.status("crm-a"); st.State != syncengine.StatePaused || st.Reason != "remote maintenance" {
		t.Errorf("status after pause: %+v", st)
	}
	_, errOut := s.syncFail("run", "crm-a")
	if want := `error: connector "crm-a" is paused (remote maintenance); resume it with "tandem sync resume crm-a"`; !strings.Contains(errOut, want) {
		t.Errorf("run while paused: stderr %q, want %q", errOut, want)
	}
	if out := s.sync("resume", "crm-a"); out != "connector crm-a resumed (state idle)\n" {
		t.Errorf("resume: %q", out)
	}
	if rep := s.runJSON("run", "crm-a"); rep.Status != syncengine.RunSucceeded {
		t.Errorf("run after resume: %+v", rep)
	}
	var st syncengine.Status
	decode(t, s.sync("pause", "crm-a", "--json"), &st)
	if st.State != syncengine.StatePaused || st.Reason != "paused by an operator" {
		t.Errorf("pause --json: %+v", st)
	}
}

// Deleting half the remote records trips the mass-delete guard: the run exits 1 saying so,
// and resume --approve-deletes lets the next run apply the deletions.
func TestSyncCLI_LocalDeleteGuard(t *testing.T) {
	s := newSyncCLI(t)
	var ids []string
	for i := range 4 {
		ids = append(ids, s.putRemote(fmt.Sprintf("p%d@example.com", i), "P"))
	}
	s.sync("run", "crm-a")
	for _, id := range ids[:2] {
		if err := s.fake.Delete("contacts", id); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut := s.syncFail("run", "crm-a", "--full")
	if !strings.Contains(out, "status        paused") || !strings.Contains(errOut, "stopped by the mass-delete guard") ||
		!strings.Contains(errOut, `"tandem sync resume crm-a --approve-deletes"`) {
		t.Errorf("guarded run:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	st := s.status("crm-a")
	if st.State != syncengine.StatePaused || st.PendingDelete != 2 {
		t.Fatalf("status after the guard: %+v", st)
	}
	if n := s.localCount(); n != 4 {
		t.Fatalf("the guard let %d local records go", 4-n)
	}
	if out := s.sync("resume", "crm-a", "--approve-deletes"); !strings.Contains(out, "2 held-back deletion(s) will be applied by the next run") {
		t.Errorf("resume: %q", out)
	}
	if rep := s.runJSON("run", "crm-a"); rep.DeletedLocal != 2 || rep.Status != syncengine.RunSucceeded {
		t.Errorf("run after approval: %+v", rep)
	}
	if n := s.localCount(); n != 2 {
		t.Errorf("after the approved deletions: %d local records, want 2", n)
	}
}

func TestSyncCLI_LocalQuarantineReplay(t *testing.T) {
	s := newSyncCLI(t)
	// HubSpot's UI can hold values its API (and Tandem) refuse; the fake's PutMany does not
	// validate, like such a record.
	if err := s.fake.PutMany("contacts", 1, func(int) map[string]string {
		return map[string]string{"email": "not an email", "firstname": "Bad"}
	}); err != nil {
		t.Fatal(err)
	}
	s.putRemote("ok@example.com", "Ok")
	out := s.sync("run", "crm-a")
	if !strings.Contains(out, "status        partial") || !strings.Contains(out, `see "tandem sync quarantine crm-a"`) {
		t.Errorf("partial run:\n%s", out)
	}
	var q struct {
		Quarantine []syncengine.QuarantineEntry `json:"quarantine"`
	}
	decode(t, s.sync("quarantine", "crm-a", "--json"), &q)
	if len(q.Quarantine) != 1 || q.Quarantine[0].Direction != crmstore.SyncPull || q.Quarantine[0].Reason == "" {
		t.Fatalf("quarantine: %+v", q.Quarantine)
	}
	entry := q.Quarantine[0]
	out = s.sync("quarantine", "crm-a")
	for _, want := range []string{"DIRECTION", "pull", entry.RemoteID, truncate(entry.Reason, reasonWidth)} {
		if !strings.Contains(out, want) {
			t.Errorf("quarantine table lacks %q:\n%s", want, out)
		}
	}

	// Fixed on the remote, a replay of that entry brings the record in and empties the list.
	if err := s.fake.Update("contacts", entry.RemoteID, map[string]string{"email": "fixed@example.com"}); err != nil {
		t.Fatal(err)
	}
	rep := s.runJSON("quarantine", "crm-a", "--replay", fmt.Sprint(entry.ID))
	if rep.Trigger != syncengine.TriggerReplay || rep.CreatedLocal != 1 || rep.Status != syncengine.RunSucceeded {
		t.Errorf("replay: %+v", rep)
	}
	if out := s.sync("quarantine", "crm-a"); out != "no quarantined records\n" {
		t.Errorf("quarantine after replay: %q", out)
	}
}

func TestSyncCLI_LocalFailedRun(t *testing.T) {
	s := newSyncCLI(t)
	s.fake.FailNext(hubspotfake.Fault{Kind: hubspotfake.FaultUnauthorized}, 100)
	out, errOut := s.syncFail("run", "crm-a")
	if !strings.Contains(out, "status        failed") || !strings.Contains(errOut, "error: run 1 of crm-a failed: ") {
		t.Errorf("failed run:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if st := s.status("crm-a"); st.State != syncengine.StateFailing || st.Reason == "" {
		t.Errorf("status after a failed run: %+v", st)
	}
}

// Another process holding the connector's lease makes run refuse rather than run twice.
func TestSyncCLI_LocalBusy(t *testing.T) {
	s := newSyncCLI(t)
	ctx := context.Background()
	st, err := crmstore.Open(ctx, s.dataDir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := st.AcquireSyncLease(ctx, "crm-a", "other-host:1", time.Now(), time.Hour)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil || !ok {
		t.Fatalf("take the lease: %v, %v", ok, err)
	}
	_, errOut := s.syncFail("run", "crm-a")
	if want := `error: connector "crm-a" is already running`; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if st := s.status("crm-a"); st.State != syncengine.StateRunning {
		t.Errorf("status while leased: %+v", st)
	}
}

func TestSyncCLI_LocalErrors(t *testing.T) {
	s := newSyncCLI(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "nope"}, exitError, `error: unknown connector "nope" (configured: crm-a)`},
		{[]string{"status", "nope"}, exitError, `error: unknown connector "nope" (configured: crm-a)`},
		{[]string{"quarantine", "nope"}, exitError, `error: unknown connector "nope" (configured: crm-a)`},
		{[]string{"run"}, exitUsage, "needs 1 argument(s): NAME"},
		{[]string{"runs", "crm-a", "--limit", "0"}, exitUsage, "--limit must be a positive number, got 0"},
		{[]string{"quarantine", "crm-a", "3"}, exitUsage, "only taken with --replay"},
		{[]string{"quarantine", "crm-a", "--replay", "x"}, exitUsage, `invalid quarantine id "x"`},
		{[]string{"bogus"}, exitUsage, `unknown command "bogus"`},
	}
	for _, tt := range tests {
		got := s.fail(tt.code, append(append([]string{"sync"}, tt.args...), "--config", s.cfg)...)
		if !strings.Contains(got, tt.want) {
			t.Errorf("sync %v: stderr %q, want %q", tt.args, got, tt.want)
		}
	}
	// Without connectors configured the list says so.
	c := &cli{t: t, dataDir: t.TempDir()}
	if got := c.fail(exitError, "sync", "run", "x"); !strings.Contains(got, `unknown connector "x" (configured: none)`) {
		t.Errorf("no connectors: %q", got)
	}
}

// A connector that cannot be built (here: an unknown option) is reported with the reason,
// and the other connectors keep working.
func TestSyncCLI_LocalUnavailableConnector(t *testing.T) {
	s := newSyncCLI(t)
	cfg, err := os.ReadFile(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, s.cfg, string(cfg)+`  - name: broken
    type: hubspot
    options: {token: x, bogus: "1"}
    objects:
      - object: contacts
        fields: [{local: email, remote: email}]
`)
	var all struct {
		Connectors []syncengine.Status `json:"connectors"`
	}
	decode(t, s.sync("status", "--json"), &all)
	if len(all.Connectors) != 2 || all.Connectors[0].Connector != "broken" || all.Connectors[0].State != connectorStateUnavailable ||
		!strings.Contains(all.Connectors[0].Reason, `"bogus"`) || all.Connectors[1].State != syncengine.StateIdle {
		t.Fatalf("status: %+v", all.Connectors)
	}
	_, errOut := s.syncFail("run", "broken")
	if want := `error: connector "broken" is configured but cannot start: `; !strings.Contains(errOut, want) || !strings.Contains(errOut, `"bogus"`) {
		t.Errorf("run broken: stderr %q, want %q and the option", errOut, want)
	}
	if rep := s.runJSON("run", "crm-a"); rep.Status != syncengine.RunSucceeded {
		t.Errorf("run crm-a next to a broken connector: %+v", rep)
	}
}
