package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// The kill tests prove "the daemon killed mid-run and restarted: no loss, no duplicates" with
// the real binary. The remote is an in-process fake HubSpot behind a proxy that SIGKILLs the
// daemon while it answers a chosen request: the fake has applied that request, the daemon
// never sees the answer. That is the worst moment for a pull (a page read, not yet committed)
// and for a push (a batch created remotely whose ids the daemon never learns).

const (
	killRemote    = 3000 // contacts on the remote before the first run
	killOverlap   = 200  // of which also exist locally, same email, before the first run
	killLocalOnly = 250  // contacts only the local store has: three create batches
)

func TestSyncServe_KillMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "tandem")
	if out, err := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []killCase{
		// The first run is a full one: it lists every remote contact before it pulls changes.
		// Five listing pages in, about 500 remote contacts are committed locally.
		{name: "DuringList", route: "GET contacts", nth: 5},
		// After a first complete run, 1,000 remote contacts change; the incremental pull by
		// search from the stored cursor dies on the sixth answer carrying those changes.
		{name: "DuringPull", route: "POST search", containing: `"firstname":"Changed`, nth: 6, remoteEdits: killRemoteEdits},
		// The second create batch of local-only contacts lands on the remote; its answer is lost.
		{name: "DuringPush", route: "POST create", nth: 2},
	} {
		t.Run(tc.name, func(t *testing.T) { testKillMidRun(t, bin, tc) })
	}
}

// killRemoteEdits is how many remote contacts change between the runs of the DuringPull case.
const killRemoteEdits = 1000

// killCase is where a run is killed: while the proxy answers the nth request of route counted
// from the killed run's start (only answers containing the string, when set). With
// remoteEdits, a complete run comes first and then that many remote contacts get a new
// firstname, so the killed run is an incremental one.
type killCase struct {
	name        string
	route       string
	containing  string
	nth         int
	remoteEdits int
}

func testKillMidRun(t *testing.T, bin string, tc killCase) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	fake := hubspotfake.New(hubspotfake.Options{})
	t.Cleanup(fake.Close)
	if err := fake.PutMany("contacts", killRemote, func(i int) map[string]string {
		return map[string]string{"email": fmt.Sprintf("remote%d@example.com", i), "firstname": fmt.Sprintf("Remote%d", i)}
	}); err != nil {
		t.Fatal(err)
	}
	seedKillLocal(t, data)
	proxy := newKillProxy(t, fake.URL)

	cfgFile := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfgFile, testConfig(data, "info", "10s", fmt.Sprintf(`connectors:
  - name: hubspot-main
    type: hubspot
    schedule: "@yearly"
    options: {base_url: %q, token: %q, requests_per_10s: "1000", search_per_second: "50"}
    objects:
      - object: contacts
        match: [email]
        conflict: prefer_local
        fields:
          - {local: email, remote: email}
          - {local: firstname, remote: firstname}
          - {local: lastname, remote: lastname}
`, proxy.url, fake.Token())))

	// First life: an operator's run, killed while the proxy answers the chosen request.
	p := startDaemon(t, bin, cfgFile)
	if tc.remoteEdits > 0 {
		completeRun(t, "http://"+p.adminAddr)
		for i := range tc.remoteEdits {
			if err := fake.Update("contacts", strconv.Itoa(i+1), map[string]string{"firstname": fmt.Sprintf("Changed%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	route, nth := tc.route, tc.nth
	proxy.arm(route, tc.containing, nth, func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	runErr := make(chan error, 1)
	go func() { runErr <- postRun(context.Background(), "http://"+p.adminAddr) }()
	select {
	case err := <-runErr:
		// The kill cuts the run's answer; a run that answered was not killed.
		if err == nil || !proxy.killing() {
			t.Fatalf("the run ended (%v) before the daemon was killed during %s #%d", err, route, nth)
		}
	case <-time.After(waitLimit):
		t.Fatalf("no answer to the run, and no %s #%d, within %s", route, nth, waitLimit)
	}
	<-proxy.fired
	t.Logf("requests before the kill: %v", proxy.snapshot())
	assertMidRun(t, data, fake, tc)

	// Second life on the same data directory: the operator runs it again and it completes.
	p = startDaemon(t, bin, cfgFile)
	admin := &adminClient{t: t, base: "http://" + p.adminAddr}
	var rep syncengine.RunReport
	if code := admin.do(http.MethodPost, "/sync/connectors/hubspot-main/run", &rep); code != http.StatusOK {
		t.Fatalf("POST run after the restart = %d", code)
	}
	if rep.Status != syncengine.RunSucceeded || rep.Failed != 0 || rep.Ambiguous != 0 {
		t.Fatalf("run after the restart %+v, want a clean success", rep)
	}
	var quarantine struct {
		Entries []syncengine.QuarantineEntry `json:"quarantine"`
	}
	if code := admin.do(http.MethodGet, "/sync/connectors/hubspot-main/quarantine", &quarantine); code != http.StatusOK || len(quarantine.Entries) != 0 {
		t.Fatalf("quarantine after the restart: %d %+v, want none", code, quarantine.Entries)
	}
	// The killed run is history, recorded as interrupted, not a run that never ends.
	interrupted := 0
	for _, r := range admin.runs() {
		if r.Status == syncengine.RunRunning {
			t.Errorf("run %d is still %q after the restart; the process running it was killed", r.ID, r.Status)
		}
		if r.Status == syncengine.RunFailed && r.Error == interruptedRunError {
			interrupted++
		}
	}
	if interrupted != 1 {
		t.Errorf("%d runs recorded as interrupted, want the killed one", interrupted)
	}
	p.waitLog("connector run interrupted by a process that died; lease released", nil)

	// A further run finds nothing to do either way.
	creates := proxy.count("POST create")
	if code := admin.do(http.MethodPost, "/sync/connectors/hubspot-main/run", &rep); code != http.StatusOK {
		t.Fatalf("POST run = %d", code)
	}
	if rep.Status != syncengine.RunSucceeded || rep.CreatedLocal+rep.CreatedRemote+rep.UpdatedLocal+rep.UpdatedRemote+rep.Pushed != 0 {
		t.Errorf("run after convergence %+v, want a succeeded run with no writes", rep)
	}
	if n := proxy.count("POST create") - creates; n != 0 {
		t.Errorf("the quiet run sent %d creates", n)
	}
	p.signal(syscall.SIGTERM)
	if code := p.waitExit(waitLimit); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}

	assertKillConverged(t, data, fake)
	if bad := proxy.failures(); len(bad) > 0 {
		// A create sent twice would be refused as a duplicate (409) by the fake.
		t.Errorf("the remote refused requests: %v", bad)
	}
}

// seedKillLocal creates the local contacts before the daemon first starts: killOverlap that
// the remote also has (with a lastname the remote lacks) and killLocalOnly of its own.
func seedKillLocal(t *testing.T, data string) {
	t.Helper()
	st, err := crmstore.Open(t.Context(), data, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var inputs []map[string]string
	for i := range killOverlap {
		inputs = append(inputs, map[string]string{"email": fmt.Sprintf("remote%d@example.com", i), "firstname": fmt.Sprintf("Remote%d", i),
			"lastname": fmt.Sprintf("Local%d", i)})
	}
	for i := range killLocalOnly {
		inputs = append(inputs, map[string]string{"email": fmt.Sprintf("local%d@example.com", i), "firstname": fmt.Sprintf("Local%d", i)})
	}
	src := crmstore.Source{Type: crmstore.SourceAPI}
	for len(inputs) > 0 {
		n := min(len(inputs), 100)
		res, err := st.CreateRecords(t.Context(), "contacts", inputs[:n], src)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatalf("seed %v: %v", inputs[r.Index], r.Err)
			}
		}
		inputs = inputs[n:]
	}
}

// assertMidRun checks that the kill really interrupted the run: part of its work is durable,
// part is not.
func assertMidRun(t *testing.T, data string, fake *hubspotfake.Server, tc killCase) {
	t.Helper()
	local := storeContacts(t, data)
	remote := fake.Len("contacts")
	changed := 0
	for _, c := range local {
		if strings.HasPrefix(c["firstname"], "Changed") {
			changed++
		}
	}
	t.Logf("killed during %s #%d: %d local contacts (%d with a changed firstname), %d remote", tc.route, tc.nth, len(local), changed, remote)
	all := killRemote + killLocalOnly
	var partial bool
	switch tc.route {
	case "GET contacts": // some remote contacts are local, none pushed yet
		partial = len(local) > killOverlap+killLocalOnly && len(local) < all && remote == killRemote
	case "POST search": // some remote edits are local, not all
		partial = len(local) == all && remote == all && changed > 0 && changed < tc.remoteEdits
	case "POST create": // everything pulled, some local-only contacts created remotely
		partial = len(local) == all && remote > killRemote && remote < all
	}
	if !partial {
		t.Fatalf("the kill during %s #%d did not interrupt the run halfway", tc.route, tc.nth)
	}
}

// assertKillConverged checks the final state of both sides: each holds every contact exactly
// once, with the merged values.
func assertKillConverged(t *testing.T, data string, fake *hubspotfake.Server) {
	t.Helper()
	want := killRemote + killLocalOnly
	local := storeContacts(t, data)
	if len(local) != want {
		t.Errorf("%d local contacts, want %d", len(local), want)
	}
	remote := fakeContacts(t, fake)
	if len(remote) != want {
		t.Errorf("%d remote contacts, want %d", len(remote), want)
	}
	for email, l := range local {
		r, ok := remote[email]
		if !ok {
			t.Errorf("contact %s is missing on the remote", email)
			continue
		}
		for _, f := range []string{"firstname", "lastname"} {
			if l[f] != r[f] {
				t.Errorf("contact %s: %s is %q locally and %q on the remote", email, f, l[f], r[f])
			}
		}
	}
	for i := range killOverlap {
		email := fmt.Sprintf("remote%d@example.com", i)
		if got := remote[email]["lastname"]; got != fmt.Sprintf("Local%d", i) {
			t.Errorf("contact %s: remote lastname %q, want the local value Local%d", email, got, i)
		}
	}
	for i := range killLocalOnly {
		if _, ok := remote[fmt.Sprintf("local%d@example.com", i)]; !ok {
			t.Errorf("local-only contact local%d@example.com is missing on the remote", i)
		}
	}
}

// storeContacts reads the live contacts of the store in data by lower-cased email, failing
// the test on a duplicate email.
func storeContacts(t *testing.T, data string) map[string]map[string]string {
	t.Helper()
	st, err := crmstore.Open(t.Context(), data, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]map[string]string{}
	for after := int64(0); ; {
		page, err := st.ListRecords(t.Context(), "contacts", crmstore.ListOptions{Limit: 100, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			email := strings.ToLower(r.Properties["email"])
			if _, dup := out[email]; dup {
				t.Errorf("duplicate local contact %q (record %d)", email, r.ID)
			}
			out[email] = r.Properties
		}
		if page.Next == 0 {
			return out
		}
		after = page.Next
	}
}

// fakeContacts reads the fake's live contacts by lower-cased email, failing the test on a
// duplicate email. The fake numbers records from 1 and this test archives none, so the live
// contacts are ids 1..Len; a few ids past that prove nothing hides beyond.
func fakeContacts(t *testing.T, fake *hubspotfake.Server) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	n := fake.Len("contacts")
	for id := 1; id <= n+10; id++ {
		rec, ok := fake.Get("contacts", strconv.Itoa(id))
		if !ok {
			if id <= n {
				t.Errorf("remote contact %d missing among %d live contacts", id, n)
			}
			continue
		}
		email := strings.ToLower(rec["email"])
		if _, dup := out[email]; dup {
			t.Errorf("duplicate remote contact %q (id %d)", email, id)
		}
		out[email] = rec
	}
	return out
}

// postRun asks the daemon's admin endpoint for a run; an error means no answer came.
func postRun(ctx context.Context, admin string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, admin+"/sync/connectors/hubspot-main/run", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := (&http.Client{Timeout: waitLimit}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST run: %s", resp.Status)
	}
	return nil
}

// completeRun runs the connector through the admin endpoint and fails the test unless the run
// succeeded.
func completeRun(t *testing.T, admin string) {
	t.Helper()
	var rep syncengine.RunReport
	if code := (&adminClient{t: t, base: admin}).do(http.MethodPost, "/sync/connectors/hubspot-main/run", &rep); code != http.StatusOK ||
		rep.Status != syncengine.RunSucceeded {
		t.Fatalf("POST run = %d, %+v; want a succeeded run", code, rep)
	}
}

// killProxy forwards to the fake HubSpot and counts requests by route ("POST search", "POST
// create"). Once armed, it calls kill while it holds the answer to the nth request of its
// route, after the fake has applied it, so the daemon dies without that answer.
type killProxy struct {
	url   string
	fired chan struct{}

	mu     sync.Mutex
	counts map[string]int
	route  string
	substr string // only answers containing it count towards at
	seen   int    // answers of route (containing substr) since arm
	at     int    // the answer at which to kill
	kill   func()
	killed bool // set before kill is called
	failed []string
}

func newKillProxy(t *testing.T, target string) *killProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	kp := &killProxy{fired: make(chan struct{}), counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = kp.answer
	// The proxy cannot deliver the answer it holds while the daemon dies; that is the point.
	rp.ErrorLog = log.New(io.Discard, "", 0)
	hs := httptest.NewServer(rp)
	t.Cleanup(hs.Close)
	kp.url = hs.URL
	return kp
}

// arm makes the proxy call kill during the nth answer to a request of route from now on,
// counting only answers that contain substr when it is set.
func (kp *killProxy) arm(route, substr string, nth int, kill func()) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	kp.route, kp.substr, kp.seen, kp.at, kp.kill = route, substr, 0, nth, kill
}

// answer sees every answer of the fake before the daemon does. It reads the body (the fake's
// answers are small) so that the kill can wait for a particular content.
func (kp *killProxy) answer(resp *http.Response) error {
	parts := strings.Split(strings.Trim(resp.Request.URL.Path, "/"), "/")
	route := resp.Request.Method + " " + parts[len(parts)-1]
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read the fake's answer to %s: %w", route, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	kp.mu.Lock()
	kp.counts[route]++
	if resp.StatusCode >= 300 || resp.StatusCode == http.StatusMultiStatus {
		kp.failed = append(kp.failed, fmt.Sprintf("%s: %s", route, resp.Status))
	}
	var kill func()
	if kp.kill != nil && route == kp.route && bytes.Contains(body, []byte(kp.substr)) {
		kp.seen++
		if kp.seen == kp.at {
			kill, kp.kill = kp.kill, nil
			kp.killed = true
		}
	}
	kp.mu.Unlock()
	if kill != nil {
		kill()
		close(kp.fired)
	}
	return nil
}

func (kp *killProxy) snapshot() map[string]int {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return maps.Clone(kp.counts)
}

// killing reports whether the proxy has started killing the daemon.
func (kp *killProxy) killing() bool {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.killed
}

func (kp *killProxy) count(route string) int {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.counts[route]
}

func (kp *killProxy) failures() []string {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return append([]string(nil), kp.failed...)
}
