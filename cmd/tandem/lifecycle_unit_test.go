package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/config"
	"github.com/tandem-crm/tandem/internal/admin"
)

func TestWorkGroup(t *testing.T) {
	t.Parallel()
	g := newWorkGroup()
	if r := g.Wait(context.Background()); r != nil {
		t.Fatalf("idle group: Wait = %v", r)
	}
	doneA, ok := g.Join("sync a")
	if !ok {
		t.Fatal("Join refused before Close")
	}
	doneB, _ := g.Join("import b.csv")
	if got := g.Running(); len(got) != 2 || got[0].Name != "sync a" || got[1].Name != "import b.csv" {
		t.Fatalf("Running = %+v", got)
	}

	g.Close()
	g.Close() // twice is fine
	select {
	case <-g.Stopping():
	default:
		t.Fatal("Stopping not closed by Close")
	}
	if _, ok := g.Join("late"); ok {
		t.Error("Join accepted after Close")
	}

	// Wait returns what is still running when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	doneA()
	doneA() // twice is fine
	left := g.Wait(ctx)
	if len(left) != 1 || left[0].Name != "import b.csv" {
		t.Fatalf("Wait after the deadline = %+v", left)
	}
	if d := left[0].describe(left[0].Started.Add(1500 * time.Millisecond)); d != "import b.csv (running for 1.5s)" {
		t.Errorf("describe = %q", d)
	}

	// And nil as soon as the last work ends.
	waited := make(chan []workItem)
	go func() { waited <- g.Wait(context.Background()) }()
	doneB()
	select {
	case r := <-waited:
		if r != nil {
			t.Errorf("Wait = %+v, want nil", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return when the group became idle")
	}
}

func mustParse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestPlanReload(t *testing.T) {
	t.Parallel()
	cur := mustParse(t, `data_dir: /var/lib/tandem
api: {listen: 127.0.0.1:8080, rate_limit: {enabled: true, requests_per_10s: 100}}
admin: {listen: 127.0.0.1:9090, token: old-secret}
log: {level: info, format: json}
connectors:
  - name: crm
    type: hubspot
    schedule: "@hourly"
    options: {token: a}
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
  - name: same
    type: csv
    objects: [{object: deals, fields: [{local: amount, remote: Amount}]}]
  - name: gone
    type: csv
    objects: [{object: deals, fields: [{local: amount, remote: Amount}]}]
`)
	next := mustParse(t, `data_dir: /srv/tandem
api: {listen: 0.0.0.0:8080, rate_limit: {enabled: true, requests_per_10s: 50}}
admin: {listen: 127.0.0.1:9090, token: new-secret}
log: {level: debug, format: json}
shutdown_timeout: 45s
connectors:
  - name: crm
    type: hubspot
    schedule: "*/5 * * * *"
    options: {token: b}
    objects:
      - {object: contacts, fields: [{local: email, remote: email}, {local: phone, remote: phone}]}
      - {object: companies, fields: [{local: domain, remote: domain}]}
  - name: same
    type: csv
    objects: [{object: deals, fields: [{local: amount, remote: Amount}]}]
  - name: new
    type: carddav
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
`)

	p := planReload(cur, next)
	var restart []string
	for _, k := range p.restart {
		restart = append(restart, k.key)
		if strings.Contains(k.running+k.file, "secret") {
			t.Errorf("restart entry %+v holds a secret", k)
		}
	}
	if want := []string{"data_dir", "api.listen", "shutdown_timeout"}; !slices.Equal(restart, want) {
		t.Errorf("needs restart %v, want %v", restart, want)
	}
	if want := []string{"api.rate_limit", "log.level", "admin.token", "connectors"}; !slices.Equal(p.applied, want) {
		t.Errorf("applied %v, want %v", p.applied, want)
	}
	e := p.effective
	if e.DataDir != "/var/lib/tandem" || e.API.Listen != "127.0.0.1:8080" || e.ShutdownTimeout != 20*time.Second {
		t.Errorf("keys that need a restart changed in the effective config: %+v", e)
	}
	if e.Log.Level != "debug" || e.Admin.Token != "new-secret" || len(e.Connectors) != 3 {
		t.Errorf("applied keys missing from the effective config: %+v", e)
	}
	if next.DataDir != "/srv/tandem" {
		t.Error("planReload modified its input")
	}
	if len(p.added) != 1 || p.added[0].Name != "new" || !slices.Equal(p.removed, []string{"gone"}) {
		t.Errorf("added %+v removed %v", p.added, p.removed)
	}
	if len(p.changed) != 1 || p.changed[0].name != "crm" {
		t.Fatalf("changed %+v", p.changed)
	}
	want := []string{`rescheduled "@hourly" → "*/5 * * * *"`, "options", "object contacts remapped", "object companies added"}
	if !slices.Equal(p.changed[0].changes, want) {
		t.Errorf("crm changes %q, want %q", p.changed[0].changes, want)
	}

	// The rate limit is applied while serving.
	if !p.rateChanged || p.effective.API.RateLimit.RequestsPer10s != 50 {
		t.Errorf("rate limit not applied: %+v", p)
	}

	// Nothing changed: nothing applied, nothing to restart.
	p = planReload(cur, cur)
	if len(p.applied)+len(p.restart)+len(p.added)+len(p.removed)+len(p.changed) != 0 || p.levelChanged || p.tokenChanged {
		t.Errorf("identical configs: %+v", p)
	}
}

func TestDaemonLoggerLevelChanges(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	cfg := config.Default()
	cfg.Log.Format = "json"
	log, level, err := newDaemonLogger(cfg, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	level.SetLevel(zap.DebugLevel)
	log.Debug("shown", zap.String("token", "s3cret"))
	out := buf.String()
	if strings.Contains(out, "hidden") || !strings.Contains(out, "shown") {
		t.Errorf("log:\n%s", out)
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("redaction lost by the level wrapper:\n%s", out)
	}
}

// Release binaries (built without -tags tandem_testhooks) have no test hooks, whatever the
// environment says.
func TestNoTestHooksInReleaseBuild(t *testing.T) {
	if testHooksCompiled {
		t.Skip("built with -tags tandem_testhooks")
	}
	t.Setenv("TANDEM_TESTHOOKS", "1")
	adm := admin.New(admin.Options{Listen: "127.0.0.1:0", Token: "t"})
	d := newDaemon("", config.Default(), func(*config.Config) {}, zap.NewNop(), zap.NewAtomicLevel())
	d.mountTestHooks(adm)
	if err := adm.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = adm.Stop(context.Background()) }()
	req, _ := http.NewRequest(http.MethodPost, "http://"+adm.Addr()+"/debug/sleep?for=1ms", nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /debug/sleep in a release build: %d, want 404", resp.StatusCode)
	}
}
