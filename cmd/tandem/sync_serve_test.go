package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/syncengine"
)

// TestSyncServe_HubSpot runs `tandem serve` as a real process with a hubspot connector pointed
// at an in-process fake HubSpot, and follows it through its admin endpoint, its REST API, its
// log and its discovery file: a scheduled run pulls the remote contact, a reload slows the
// schedule down, a local edit reaches the remote through push on change within 5 seconds, an
// operator's run answers with its report, and a clean stop removes daemon.json.
func TestSyncServe_HubSpot(t *testing.T) {
	bin := buildTandem(t)
	dir := t.TempDir()

	fake := hubspotfake.New(hubspotfake.Options{})
	t.Cleanup(fake.Close)
	if _, err := fake.Put("contacts", map[string]string{"email": "ada@example.com", "firstname": "Ada"}); err != nil {
		t.Fatal(err)
	}

	data := filepath.Join(dir, "data")
	cfgFile := filepath.Join(dir, "tandem.yaml")
	connectorCfg := func(schedule string) string {
		return fmt.Sprintf(`connectors:
  - name: hubspot-main
    type: hubspot
    schedule: %q
    push_on_change: true
    options: {base_url: %q, token: %q}
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
          - {local: firstname, remote: firstname}
`, schedule, fake.URL, fake.Token())
	}
	writeFile(t, cfgFile, testConfig(data, "info", "10s", connectorCfg("@every 1s")))
	tokCmd := exec.CommandContext(t.Context(), bin, "tokens", "create", "--name", "test", "--config", cfgFile)
	tokCmd.Env = append(os.Environ(), "TANDEM_TEST_ADMIN_TOKEN="+testAdminToken)
	tokOut, err := tokCmd.Output()
	if err != nil {
		t.Fatalf("tokens create: %v", err)
	}
	apiToken := strings.TrimSpace(string(tokOut))

	p := startDaemon(t, bin, cfgFile)
	admin := &adminClient{t: t, base: "http://" + p.adminAddr}

	// The discovery file names this process and its bound admin address.
	info, ok, err := readDaemonFile(data)
	if err != nil || !ok || info.PID != p.cmd.Process.Pid || info.Admin != p.adminAddr {
		t.Fatalf("daemon.json = %+v, %v, %v; want pid %d, admin %s", info, ok, err, p.cmd.Process.Pid, p.adminAddr)
	}

	// The schedule runs the connector and pulls Ada.
	waitUntil(t, "a scheduled run that pulled the remote contact", func() bool {
		for _, r := range admin.runs() {
			if r.Trigger == syncengine.TriggerSchedule && r.Status == syncengine.RunSucceeded && r.CreatedLocal == 1 {
				return true
			}
		}
		return false
	})
	if n := localContacts(t, p.apiAddr, apiToken); n != 1 {
		t.Fatalf("%d local contacts after the scheduled run, want 1", n)
	}

	// Reload onto an hourly schedule: from now on only push on change and operators run it.
	writeFile(t, cfgFile, testConfig(data, "info", "10s", connectorCfg("@hourly")))
	p.signal(syscall.SIGHUP)
	p.waitLog("connector changed", func(e map[string]any) bool { return e["connector"] == "hubspot-main" })
	p.waitLog("configuration reloaded", nil)

	// A local edit reaches the remote within 5 seconds.
	created := time.Now()
	body := `{"properties":{"email":"bo@example.com","firstname":"Bo"}}`
	if code, raw := apiCall(t, http.MethodPost, "http://"+p.apiAddr+"/crm/v3/objects/contacts", apiToken, body); code != http.StatusCreated {
		t.Fatalf("create contact: %d %s", code, raw)
	}
	waitUntil(t, "the new contact on the remote", func() bool { return fake.Len("contacts") == 2 })
	took := time.Since(created)
	t.Logf("local edit reached the remote after %s", took)
	if took > 5*time.Second {
		t.Errorf("the local edit reached the remote after %s, want within 5s", took)
	}
	runs := admin.runs()
	if len(runs) == 0 || runs[0].Trigger != syncengine.TriggerChange || runs[0].CreatedRemote != 1 {
		t.Errorf("newest run %+v, want the change-triggered run that created Bo remotely", runs[0])
	}

	// An operator's run answers with its report; with nothing changed it writes nothing.
	var rep syncengine.RunReport
	if code := admin.do(http.MethodPost, "/sync/connectors/hubspot-main/run", &rep); code != http.StatusOK {
		t.Fatalf("POST run = %d", code)
	}
	if rep.Trigger != syncengine.TriggerManual || rep.Status != syncengine.RunSucceeded ||
		rep.CreatedLocal+rep.CreatedRemote+rep.UpdatedLocal+rep.UpdatedRemote != 0 {
		t.Errorf("manual run %+v, want a succeeded run with no writes", rep)
	}
	var status struct {
		Connectors []connectorStatus `json:"connectors"`
	}
	if code := admin.do(http.MethodGet, "/admin/status", &status); code != http.StatusOK || len(status.Connectors) != 1 ||
		status.Connectors[0].LastRun == nil || status.Connectors[0].LastRun.ID != rep.ID {
		t.Errorf("/admin/status connectors %+v, want hubspot-main with the manual run as last run", status.Connectors)
	}

	p.signal(syscall.SIGTERM)
	code := p.waitExit(waitLimit)
	if os.Getenv("TANDEM_TEST_SHOWLOG") != "" {
		t.Log(p.logText())
	}
	if code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	if _, err := os.Stat(filepath.Join(data, daemonFileName)); !os.IsNotExist(err) {
		t.Errorf("daemon.json after a clean stop: %v, want it removed", err)
	}
}

// adminClient calls the daemon's admin endpoint with the test token.
type adminClient struct {
	t    *testing.T
	base string
}

func (c *adminClient) do(method, path string, out any) int {
	c.t.Helper()
	code, raw := apiCall(c.t, method, c.base+path, testAdminToken, "")
	if code == http.StatusOK && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return code
}

func (c *adminClient) runs() []syncengine.RunReport {
	c.t.Helper()
	var body struct {
		Runs []syncengine.RunReport `json:"runs"`
	}
	if code := c.do(http.MethodGet, "/sync/connectors/hubspot-main/runs?limit=50", &body); code != http.StatusOK {
		c.t.Fatalf("GET runs = %d", code)
	}
	return body.Runs
}

// apiCall sends one request with a bearer token and returns the status and body.
func apiCall(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// localContacts counts the contacts the daemon's REST API lists.
func localContacts(t *testing.T, apiAddr, token string) int {
	t.Helper()
	code, raw := apiCall(t, http.MethodGet, "http://"+apiAddr+"/crm/v3/objects/contacts?limit=100", token, "")
	if code != http.StatusOK {
		t.Fatalf("list contacts: %d %s", code, raw)
	}
	var body struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	return len(body.Results)
}

// waitUntil polls cond every 20ms until it holds, failing after waitLimit.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitLimit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
