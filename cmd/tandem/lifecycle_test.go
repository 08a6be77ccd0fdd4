package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// The lifecycle tests run `tandem serve` as a real process, built with the test hooks
// (-tags tandem_testhooks), and follow it through its JSON log and a fake $NOTIFY_SOCKET.
// They wait for log lines and notifications with bounded polling, never fixed sleeps.

const (
	testAdminToken = "admin-token-for-lifecycle-tests"
	waitLimit      = 30 * time.Second // for anything that should take well under a second
)

func TestLifecycle(t *testing.T) {
	bin := buildTandem(t, "tandem_testhooks")

	t.Run("NotifyAndReload", func(t *testing.T) { t.Parallel(); testNotifyAndReload(t, bin) })
	t.Run("ReloadInvalidConfig", func(t *testing.T) { t.Parallel(); testReloadInvalid(t, bin) })
	t.Run("ShutdownWaitsForWork", func(t *testing.T) { t.Parallel(); testShutdownWaits(t, bin) })
	t.Run("ShutdownBudgetExceeded", func(t *testing.T) { t.Parallel(); testShutdownBudgetExceeded(t, bin) })
	t.Run("SecondSignal", func(t *testing.T) { t.Parallel(); testSecondSignal(t, bin) })
	t.Run("LockedStore", func(t *testing.T) { t.Parallel(); testLockedStore(t, bin) })
}

// testConfig is a configuration on free loopback ports with JSON logs; extra is appended.
func testConfig(dataDir, level, shutdown, extra string) string {
	return fmt.Sprintf(`data_dir: %s
api: {listen: "127.0.0.1:0"}
admin: {listen: "127.0.0.1:0", token: "${TANDEM_TEST_ADMIN_TOKEN}"}
log: {level: %s, format: json}
shutdown_timeout: %s
%s`, dataDir, level, shutdown, extra)
}

// daemonProc is a running `tandem serve` and what it has logged.
type daemonProc struct {
	t   *testing.T
	cmd *exec.Cmd

	mu      sync.Mutex
	entries []map[string]any
	text    strings.Builder
	grew    chan struct{} // signalled (non-blocking) on every new line

	exited   chan struct{} // closed once the process has exited and its log is read
	exitCode int

	apiAddr, adminAddr string
}

// startDaemon runs `tandem serve --config cfg` with the test hooks enabled and extra
// environment variables, and waits for "tandem started" unless the process exits first.
func startDaemon(t *testing.T, bin, cfg string, env ...string) *daemonProc {
	t.Helper()
	p := launch(t, bin, cfg, env...)
	e := p.waitLog("tandem started", nil)
	p.apiAddr, _ = e["api_addr"].(string)
	p.adminAddr, _ = e["admin_addr"].(string)
	if p.apiAddr == "" || p.adminAddr == "" {
		t.Fatalf("tandem started entry without addresses: %v", e)
	}
	return p
}

// launch starts `tandem serve` without waiting for anything.
func launch(t *testing.T, bin, cfg string, env ...string) *daemonProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Env = append(os.Environ(), "TANDEM_TESTHOOKS=1", "TANDEM_TEST_ADMIN_TOKEN="+testAdminToken,
		"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &daemonProc{t: t, cmd: cmd, grew: make(chan struct{}, 1), exited: make(chan struct{})}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // no-op once it has exited
		<-p.exited
		if t.Failed() {
			t.Logf("tandem serve log:\n%s", p.logText())
		}
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e map[string]any
			_ = json.Unmarshal(sc.Bytes(), &e)
			p.mu.Lock()
			p.text.WriteString(sc.Text() + "\n")
			if e != nil {
				p.entries = append(p.entries, e)
			}
			p.mu.Unlock()
			select {
			case p.grew <- struct{}{}:
			default:
			}
		}
		err := cmd.Wait()
		var exitErr *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exitErr):
			p.exitCode = exitErr.ExitCode()
		default:
			p.exitCode = -1
		}
		close(p.exited)
	}()
	return p
}

func (p *daemonProc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.text.String()
}

// find returns the log entries with message msg that match.
func (p *daemonProc) find(msg string, match func(map[string]any) bool) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, e := range p.entries {
		if e["msg"] == msg && (match == nil || match(e)) {
			out = append(out, e)
		}
	}
	return out
}

// waitLog waits for a log entry with message msg that matches, and returns it.
func (p *daemonProc) waitLog(msg string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.After(waitLimit)
	for {
		if found := p.find(msg, match); len(found) > 0 {
			return found[0]
		}
		select {
		case <-p.grew:
		case <-p.exited:
			if found := p.find(msg, match); len(found) > 0 {
				return found[0]
			}
			p.t.Fatalf("tandem serve exited (code %d) without logging %q", p.exitCode, msg)
		case <-deadline:
			p.t.Fatalf("no %q log entry within %s", msg, waitLimit)
		}
	}
}

func (p *daemonProc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// waitExit waits up to limit for the process to exit and returns its exit code.
func (p *daemonProc) waitExit(limit time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.exitCode
	case <-time.After(limit):
		p.t.Fatalf("tandem serve still running %s after being told to stop", limit)
		return 0
	}
}

// notifySocket is a fake $NOTIFY_SOCKET: it collects the datagrams the daemon sends.
type notifySocket struct {
	path      string
	msgs      chan string
	watchdogs atomic.Int32
}

func listenNotify(t *testing.T) *notifySocket {
	t.Helper()
	// sun_path holds 108 bytes; t.TempDir() can be longer.
	dir, err := os.MkdirTemp("", "tdm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	n := &notifySocket{path: filepath.Join(dir, "notify"), msgs: make(chan string, 1000)}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: n.path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				return
			}
			m := string(buf[:k])
			if m == "WATCHDOG=1" {
				n.watchdogs.Add(1)
				continue
			}
			n.msgs <- m
		}
	}()
	return n
}

// next returns the next notification other than a watchdog ping or a lone STATUS= line.
func (n *notifySocket) next(t *testing.T) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case m := <-n.msgs:
			if strings.HasPrefix(m, "STATUS=") && !strings.Contains(m, "\n") {
				continue
			}
			return m
		case <-deadline:
			t.Fatal("no notification in time")
			return ""
		}
	}
}

// expect reads the next notification and checks its first line.
func (n *notifySocket) expect(t *testing.T, first string) []string {
	t.Helper()
	lines := strings.Split(n.next(t), "\n")
	if lines[0] != first {
		t.Fatalf("notification %q, want %s first", lines, first)
	}
	return lines
}

// adminRequest sends a request to the admin endpoint with bearer token tok ("" for none).
func adminRequest(t *testing.T, p *daemonProc, method, path, tok string) int {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+p.adminAddr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// startSleep holds an admin request open as registered work for dur, and waits until the
// daemon has logged that it started. The returned channel gets the response status, or 0
// when the request failed (the process exited under it).
func startSleep(t *testing.T, p *daemonProc, dur string) <-chan int {
	t.Helper()
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+p.adminAddr+"/debug/sleep?for="+dur, nil)
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	p.waitLog("debug sleep started", nil)
	return status
}

func hasString(e map[string]any, key, want string) bool {
	list, _ := e[key].([]any)
	for _, v := range list {
		if s, _ := v.(string); strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// testNotifyAndReload: READY only once both listeners accept, watchdog pings, SIGHUP with a
// valid file applies the log level, the admin token and connector changes while API
// requests keep being answered, and SIGTERM sends STOPPING=1 and exits 0.
func testNotifyAndReload(t *testing.T, bin string) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgPath, testConfig(filepath.Join(dir, "data"), "info", "10s", `connectors:
  - name: crm
    type: hubspot
    schedule: "@hourly"
    options: {token: "${TANDEM_TEST_HUBSPOT_TOKEN}"}
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
  - name: old
    type: csv
    objects: [{object: deals, fields: [{local: amount, remote: Amount}]}]
`))
	ns := listenNotify(t)
	const hubspotToken = "hubspot-token-never-logged"
	p := startDaemon(t, bin, cfgPath, "NOTIFY_SOCKET="+ns.path, "WATCHDOG_USEC=200000",
		"TANDEM_TEST_HUBSPOT_TOKEN="+hubspotToken)

	// READY=1 comes once the store is open and both listeners accept; its status names them.
	ready := ns.expect(t, "READY=1")
	status := strings.TrimPrefix(ready[1], "STATUS=")
	if want := fmt.Sprintf("serving API on %s, admin on %s", p.apiAddr, p.adminAddr); status != want {
		t.Errorf("ready status %q, want %q", status, want)
	}
	for _, addr := range []string{p.apiAddr, p.adminAddr} {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("READY=1 sent but %s does not accept: %v", addr, err)
		}
		c.Close()
	}
	deadline := time.Now().Add(waitLimit)
	for ns.watchdogs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if ns.watchdogs.Load() == 0 {
		t.Error("no WATCHDOG=1 with WATCHDOG_USEC set")
	}

	// At level info the admin server's debug line for a refused request is not logged.
	if code := adminRequest(t, p, http.MethodGet, "/nope", ""); code != http.StatusUnauthorized {
		t.Fatalf("admin without token: %d", code)
	}

	// API requests run throughout the reload; every one must get an answer.
	var answered, dropped atomic.Int32
	var dropErr atomic.Value
	stopLoad := make(chan struct{})
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		client := &http.Client{Timeout: 10 * time.Second}
		for {
			select {
			case <-stopLoad:
				return
			default:
			}
			resp, err := client.Get("http://" + p.apiAddr + "/crm/v3/objects/contacts")
			if err != nil {
				dropped.Add(1)
				dropErr.Store(err.Error())
				continue
			}
			resp.Body.Close()
			answered.Add(1)
		}
	}()

	const newAdminToken = "rotated-admin-token-for-lifecycle-tests"
	writeFile(t, cfgPath, fmt.Sprintf(`data_dir: %s
api: {listen: "127.0.0.1:1"}
admin: {listen: "127.0.0.1:0", token: %s}
log: {level: debug, format: json}
shutdown_timeout: 10s
connectors:
  - name: crm
    type: hubspot
    schedule: "*/5 * * * *"
    options: {token: "${TANDEM_TEST_HUBSPOT_TOKEN}"}
    objects: [{object: contacts, fields: [{local: email, remote: email}, {local: phone, remote: phone}]}]
  - name: cards
    type: carddav
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
`, filepath.Join(dir, "data"), newAdminToken))
	p.signal(syscall.SIGHUP)

	reloading := ns.expect(t, "RELOADING=1")
	if !slices.Contains(reloading, "STATUS=reloading configuration") || !slices.ContainsFunc(reloading, func(s string) bool {
		return strings.HasPrefix(s, "MONOTONIC_USEC=")
	}) {
		t.Errorf("reloading notification %q", reloading)
	}
	ns.expect(t, "READY=1")

	p.waitLog("signal received", func(e map[string]any) bool { return e["signal"] == "SIGHUP" })
	reloaded := p.waitLog("configuration reloaded", nil)
	for _, k := range []string{"log.level", "admin.token", "connectors"} {
		if !hasString(reloaded, "applied", k) {
			t.Errorf("configuration reloaded: %s not applied: %v", k, reloaded)
		}
	}
	if !hasString(reloaded, "needs_restart", "api.listen") {
		t.Errorf("configuration reloaded: api.listen not listed as needing a restart: %v", reloaded)
	}
	p.waitLog("configuration change needs a restart; not applied", func(e map[string]any) bool {
		return e["key"] == "api.listen" && e["file"] == "127.0.0.1:1" && e["running"] == "127.0.0.1:0"
	})
	p.waitLog("connector added", func(e map[string]any) bool { return e["connector"] == "cards" })
	p.waitLog("connector removed", func(e map[string]any) bool { return e["connector"] == "old" })
	p.waitLog("connector changed", func(e map[string]any) bool {
		return e["connector"] == "crm" && hasString(e, "changes", "rescheduled") && hasString(e, "changes", "object contacts remapped")
	})

	// The level is now debug: a refused admin request is logged. The token is rotated.
	if code := adminRequest(t, p, http.MethodGet, "/nope", ""); code != http.StatusUnauthorized {
		t.Fatalf("admin without token: %d", code)
	}
	p.waitLog("admin request refused", nil)
	if code := adminRequest(t, p, http.MethodGet, "/nope", testAdminToken); code != http.StatusUnauthorized {
		t.Errorf("old admin token after reload: %d, want 401", code)
	}
	if code := adminRequest(t, p, http.MethodGet, "/nope", newAdminToken); code != http.StatusNotFound {
		t.Errorf("new admin token after reload: %d, want 404", code)
	}
	// The API still answers on its original address.
	before := answered.Load()
	deadline = time.Now().Add(waitLimit)
	for answered.Load() < before+5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	close(stopLoad)
	<-loadDone
	if dropped.Load() > 0 || answered.Load() < before+5 {
		t.Errorf("API during reload: %d answered, %d dropped (%v)", answered.Load(), dropped.Load(), dropErr.Load())
	}

	p.signal(syscall.SIGTERM)
	stopping := ns.expect(t, "STOPPING=1")
	if !slices.Contains(stopping, "STATUS=shutting down: received SIGTERM") {
		t.Errorf("stopping notification %q", stopping)
	}
	if code := p.waitExit(waitLimit); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	p.waitLog("tandem stopped", nil)
	// Three admin requests were refused: one before the reload (level info: not logged), and
	// two after it (level debug): without a token and with the rotated-out one.
	if n := len(p.find("admin request refused", nil)); n != 2 {
		t.Errorf("%d debug lines for refused admin requests, want 2 (after the reload only)", n)
	}
	if n := len(p.find("signal received", nil)); n != 2 {
		t.Errorf("%d signal log lines, want 2 (SIGHUP, SIGTERM)", n)
	}
	if n := len(p.find("configuration reloaded", nil)); n != 1 {
		t.Errorf("%d reload log lines, want 1", n)
	}
	log := p.logText()
	for _, secret := range []string{testAdminToken, newAdminToken, hubspotToken} {
		if strings.Contains(log, secret) {
			t.Errorf("a token (%.8s...) appears in the log", secret)
		}
	}
}

// testReloadInvalid: SIGHUP with an invalid file logs every problem with file, line and
// path, keeps serving on the old configuration, and still answers RELOADING=1 with READY=1.
func testReloadInvalid(t *testing.T, bin string) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgPath, testConfig(filepath.Join(dir, "data"), "info", "10s", ""))
	ns := listenNotify(t)
	p := startDaemon(t, bin, cfgPath, "NOTIFY_SOCKET="+ns.path)
	ns.expect(t, "READY=1")

	writeFile(t, cfgPath, `data_dir: `+filepath.Join(dir, "data")+`
api: {listen: "127.0.0.1:0"}
admin: {listen: "127.0.0.1:0", token: "${TANDEM_TEST_ADMIN_TOKEN}"}
log: {level: loud, format: json}
shutdown_timeout: 10s
colour: blue
connectors:
  - name: crm
    type: hubspot
    schedule: "*/5 * *"
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
`)
	p.signal(syscall.SIGHUP)
	ns.expect(t, "RELOADING=1")
	ready := ns.expect(t, "READY=1")
	if !strings.Contains(ready[1], "last reload failed with 3 problem(s)") {
		t.Errorf("ready after a failed reload: %q", ready)
	}
	failed := p.waitLog("configuration reload failed; still running on the previous configuration", nil)
	if failed["problems"] != float64(3) {
		t.Errorf("reload failed entry: %v", failed)
	}
	problems := p.find("configuration problem", nil)
	want := []struct {
		path string
		line float64
	}{{"log.level", 4}, {"colour", 6}, {"connectors[0].schedule", 10}}
	if len(problems) != len(want) {
		t.Fatalf("%d problem lines, want %d: %v", len(problems), len(want), problems)
	}
	for i, w := range want {
		e := problems[i]
		if e["path"] != w.path || e["line"] != w.line || e["file"] != cfgPath || e["problem"] == "" || e["level"] != "error" {
			t.Errorf("problem %d: %v, want path %s line %v in %s", i, e, w.path, w.line, cfgPath)
		}
	}

	// Still serving, on the old configuration.
	if code := adminRequest(t, p, http.MethodGet, "/healthz", ""); code != http.StatusOK {
		t.Errorf("healthz after a failed reload: %d", code)
	}
	if code := adminRequest(t, p, http.MethodGet, "/nope", testAdminToken); code != http.StatusNotFound {
		t.Errorf("admin token after a failed reload: %d, want 404", code)
	}
	resp, err := http.Get("http://" + p.apiAddr + "/crm/v3/objects/contacts")
	if err != nil {
		t.Fatalf("API after a failed reload: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API without a token after a failed reload: %d, want 401", resp.StatusCode)
	}

	// A file that cannot be read fails the same way.
	if err := os.Remove(cfgPath); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGHUP)
	ns.expect(t, "RELOADING=1")
	ns.expect(t, "READY=1")
	deadline := time.Now().Add(waitLimit)
	for len(p.find("configuration reload failed; still running on the previous configuration", nil)) < 2 && time.Now().Before(deadline) {
		select {
		case <-p.grew:
		case <-time.After(50 * time.Millisecond):
		}
	}
	if second := p.find("configuration reload failed; still running on the previous configuration", nil); len(second) < 2 ||
		!strings.Contains(fmt.Sprint(second[1]["error"]), "no such file") {
		t.Errorf("reload of a missing file: %v", second)
	}

	p.signal(syscall.SIGTERM)
	ns.expect(t, "STOPPING=1")
	if code := p.waitExit(waitLimit); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
}

// testShutdownWaits: work running at SIGTERM finishes within the budget, then the daemon
// exits 0.
func testShutdownWaits(t *testing.T, bin string) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgPath, testConfig(filepath.Join(dir, "data"), "info", "20s", ""))
	p := startDaemon(t, bin, cfgPath)

	status := startSleep(t, p, "1500ms")
	p.signal(syscall.SIGTERM)
	p.waitLog("shutting down", nil)
	select {
	case code := <-status:
		if code != http.StatusOK {
			t.Errorf("in-flight request during shutdown: status %d, want 200", code)
		}
	case <-time.After(waitLimit):
		t.Fatal("in-flight request did not finish")
	}
	if code := p.waitExit(waitLimit); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	p.mu.Lock()
	var order []string
	for _, e := range p.entries {
		if m := e["msg"].(string); m == "debug sleep finished" || m == "tandem stopped" || m == "shutting down" {
			order = append(order, m)
		}
	}
	p.mu.Unlock()
	if want := []string{"shutting down", "debug sleep finished", "tandem stopped"}; !slices.Equal(order, want) {
		t.Errorf("log order %q, want %q", order, want)
	}
	// New work is refused once shutdown has begun: the listener is closed.
	if _, err := net.DialTimeout("tcp", p.adminAddr, time.Second); err == nil {
		t.Error("admin listener still accepts after exit")
	}
}

// testShutdownBudgetExceeded: work still running when shutdown_timeout ends is named in the
// log and the daemon exits 1 without waiting for it.
func testShutdownBudgetExceeded(t *testing.T, bin string) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgPath, testConfig(filepath.Join(dir, "data"), "info", "1s", ""))
	p := startDaemon(t, bin, cfgPath)

	startSleep(t, p, "10m")
	start := time.Now()
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(waitLimit); code != exitError {
		t.Fatalf("exit code %d, want %d", code, exitError)
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("exited after %s, before the 1s budget", took)
	}
	e := p.waitLog("shutdown budget exceeded; exiting with work still running", nil)
	if !hasString(e, "still_running", "debug sleep 10m0s (running for") || !hasString(e, "still_running", "admin: requests in flight") {
		t.Errorf("budget exceeded entry does not name the running work: %v", e)
	}
	if len(p.find("tandem stopped", nil)) != 0 {
		t.Error(`"tandem stopped" logged after the budget was exceeded`)
	}
	if !strings.Contains(p.logText(), "error: shutdown budget exceeded (shutdown_timeout 1s); still running: debug sleep 10m0s") {
		t.Errorf("no error line on stderr")
	}
}

// testSecondSignal: a second signal during shutdown exits at once with 128+signal.
func testSecondSignal(t *testing.T, bin string) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgPath, testConfig(filepath.Join(dir, "data"), "info", "5m", ""))
	p := startDaemon(t, bin, cfgPath)

	startSleep(t, p, "10m")
	p.signal(syscall.SIGTERM)
	p.waitLog("shutting down", nil)
	p.signal(syscall.SIGINT)
	if code := p.waitExit(waitLimit); code != 128+int(syscall.SIGINT) {
		t.Fatalf("exit code %d, want %d", code, 128+int(syscall.SIGINT))
	}
	e := p.waitLog("signal received again; exiting at once without waiting for running work", nil)
	if e["signal"] != "SIGINT" || !hasString(e, "still_running", "debug sleep 10m0s") {
		t.Errorf("second signal entry: %v", e)
	}
}

// testLockedStore: a database locked by another process fails start-up within the busy
// timeout, naming the file.
func testLockedStore(t *testing.T, bin string) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	if out, err := exec.Command(bin, "migrate", "--data-dir", dataDir).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	dbFile := filepath.Join(dataDir, "tandem.db")
	db, err := sql.Open("sqlite3", "file:"+dbFile+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()

	cfgPath := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgPath, testConfig(dataDir, "info", "10s", ""))
	start := time.Now()
	p := launch(t, bin, cfgPath)
	if code := p.waitExit(storeBusyTimeout + waitLimit); code != exitError {
		t.Fatalf("exit code %d, want %d", code, exitError)
	}
	if took := time.Since(start); took > storeBusyTimeout+10*time.Second {
		t.Errorf("took %s to fail on a locked store", took)
	}
	want := "the database " + dbFile + " is locked by another process"
	if !strings.Contains(p.logText(), want) {
		t.Errorf("stderr does not say %q", want)
	}
}

// In-process start-up failures: the API port in use and an unreadable configuration file.
func TestServe_StartupFailsFast(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := filepath.Join(dir, "busy.yaml")
	writeFile(t, busy, "data_dir: "+filepath.Join(dir, "data")+"\napi:\n  listen: "+ln.Addr().String()+
		"\nadmin:\n  listen: 127.0.0.1:0\nlog: {format: json}\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "--config", busy}, &out, &errOut); code != exitError {
		t.Errorf("API port in use: exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "error: cannot listen on "+ln.Addr().String()+" for the API: the address is already in use") {
		t.Errorf("API port in use: stderr:\n%s", errOut.String())
	}

	for _, path := range []string{filepath.Join(dir, "missing.yaml"), dir} {
		errOut.Reset()
		if code := run([]string{"serve", "--config", path}, &out, &errOut); code != exitError {
			t.Errorf("config %s: exit %d, want 1", path, code)
		}
		if !strings.HasPrefix(errOut.String(), "error: cannot read the configuration file "+path+": ") {
			t.Errorf("config %s: stderr:\n%s", path, errOut.String())
		}
	}
}
