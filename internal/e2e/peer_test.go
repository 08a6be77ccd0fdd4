package e2e_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/api"
	"github.com/tandem-crm/tandem/syncengine"
)

// peerName is the connector's name in the two-Tandem tests; the engine's writes carry source
// INTEGRATION:peer.
const peerName = "peer"

// fakeClock is the tests' one time source: both stores and the engine read it, so the
// most_recent policy compares times from a single clock, and Sleep (engine backoff) advances
// it instead of waiting.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// callCounter is a RoundTripper under the connector's retrying client, so it sees every
// attempt, retries included, keyed "METHOD last-path-element" ("GET contacts" for a listing,
// "POST search", "POST create"), property definitions as "GET properties". onRequest, when set, runs before each request is sent.
type callCounter struct {
	base http.RoundTripper

	mu        sync.Mutex
	byRoute   map[string]int
	onRequest func(route string, n int)
}

func newCallCounter() *callCounter {
	return &callCounter{base: http.DefaultTransport, byRoute: map[string]int{}}
}

func (c *callCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	route := req.Method + " " + parts[len(parts)-1]
	if len(parts) > 2 && parts[2] == "properties" {
		route = req.Method + " properties"
	}
	c.mu.Lock()
	c.byRoute[route]++
	n, hook := c.byRoute[route], c.onRequest
	c.mu.Unlock()
	if hook != nil {
		hook(route, n)
	}
	return c.base.RoundTrip(req)
}

// total is the number of requests sent since the last reset.
func (c *callCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.byRoute {
		n += v
	}
	return n
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byRoute))
	for k, v := range c.byRoute {
		out[k] = v
	}
	return out
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byRoute = map[string]int{}
}

func (c *callCounter) setHook(f func(route string, n int)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onRequest = f
}

// openStore opens a store in dir on the clock (nil: the real clock).
func openStore(t testing.TB, dir string, clk *fakeClock) *crmstore.Store {
	t.Helper()
	opts := crmstore.Options{}
	if clk != nil {
		opts.Now = clk.Now
	}
	st, err := crmstore.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// remoteTandem is Tandem B: a store on a temporary SQLite file served by internal/api on
// loopback, as another site's Tandem would be.
type remoteTandem struct {
	store *crmstore.Store
	url   string
	token string
}

// newRemoteTandem starts Tandem B; wrap, when set, wraps its HTTP handler (to inject failures).
func newRemoteTandem(t testing.TB, clk *fakeClock, wrap func(http.Handler) http.Handler) *remoteTandem {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "remote"), clk)
	t.Cleanup(func() { st.Close() })
	token, _, err := st.CreateToken(context.Background(), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	var h = api.New(st, api.Options{}).Handler()
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return &remoteTandem{store: st, url: hs.URL, token: token}
}

// newConnector builds the HubSpot connector for baseURL, at its highest request budget, whose
// requests pass through calls.
func newConnector(t testing.TB, baseURL, token string, calls *callCounter) *hubspot.Connector {
	t.Helper()
	return connectTo(t, baseURL, token, 1000, calls)
}

// connectTo builds the HubSpot connector for baseURL with a budget of requestsPer10s (search
// at HubSpot's 5 per second, or 50 with the highest budget); calls may be nil.
func connectTo(t testing.TB, baseURL, token string, requestsPer10s int, calls *callCounter) *hubspot.Connector {
	t.Helper()
	search := 5
	if requestsPer10s >= 1000 {
		search = 50
	}
	cfg := connectors.Config{Name: peerName, Options: map[string]string{"base_url": baseURL, "token": token,
		"requests_per_10s": strconv.Itoa(requestsPer10s), "search_per_second": strconv.Itoa(search)}}
	if calls != nil {
		cfg.HTTPClient = &http.Client{Transport: calls}
	}
	c, err := hubspot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// contactsSpec syncs email, firstname and lastname both ways, matching on email, deletes
// propagated under a 10% guard. edit adjusts it per test.
func contactsSpec(edit func(*syncengine.ObjectSpec)) syncengine.ConnectorSpec {
	o := syncengine.ObjectSpec{Object: "contacts", Remote: "contacts", Conflict: syncengine.MostRecent,
		Deletes: syncengine.DeletesPropagate, MaxDeletePercent: 10,
		Fields: []syncengine.FieldSpec{{Local: "email", Remote: "email"}, {Local: "firstname", Remote: "firstname"}, {Local: "lastname", Remote: "lastname"}}}
	if edit != nil {
		edit(&o)
	}
	return syncengine.ConnectorSpec{Name: peerName, Objects: []syncengine.ObjectSpec{o}}
}

// pair is Tandem A (a store with the sync engine) connected to a remote through the HubSpot
// connector.
type pair struct {
	t      *testing.T
	ctx    context.Context
	clock  *fakeClock
	dir    string
	local  *crmstore.Store
	remote *remoteTandem
	calls  *callCounter
	conn   *hubspot.Connector
	engine *syncengine.Engine
	spec   syncengine.ConnectorSpec
}

// newPair builds Tandem A and Tandem B and connects them with spec.
func newPair(t *testing.T, spec syncengine.ConnectorSpec) *pair {
	t.Helper()
	return newPairWrapped(t, spec, nil)
}

// newPairWrapped is newPair with Tandem B's handler wrapped.
func newPairWrapped(t *testing.T, spec syncengine.ConnectorSpec, wrap func(http.Handler) http.Handler) *pair {
	t.Helper()
	clk := newFakeClock()
	p := &pair{t: t, ctx: t.Context(), clock: clk, dir: filepath.Join(t.TempDir(), "local"),
		remote: newRemoteTandem(t, clk, wrap), calls: newCallCounter(), spec: spec}
	p.start()
	t.Cleanup(p.stop)
	return p
}

// start opens Tandem A's store and builds its engine and connector, as the daemon does.
func (p *pair) start() {
	p.t.Helper()
	p.local = openStore(p.t, p.dir, p.clock)
	p.conn = newConnector(p.t, p.remote.url, p.remote.token, p.calls)
	eng, err := syncengine.New(syncengine.Options{Store: p.local, Clock: p.clock, Holder: "tandem-a", PageSize: 50})
	if err != nil {
		p.t.Fatal(err)
	}
	if err := eng.Add(p.spec, p.conn); err != nil {
		p.t.Fatal(err)
	}
	p.engine = eng
}

// stop closes what start opened.
func (p *pair) stop() {
	if p.local == nil {
		return
	}
	p.engine.Remove(peerName)
	p.conn.Close()
	p.local.Close()
	p.local = nil
}

// restart stops and starts Tandem A on the same data directory, as a daemon restart would.
func (p *pair) restart() {
	p.t.Helper()
	p.stop()
	p.start()
}

// tick moves time on so that edits and runs get distinct times.
func (p *pair) tick() { p.clock.Advance(time.Second) }

// run runs the connector and fails the test on error.
func (p *pair) run(full bool) syncengine.RunReport {
	p.t.Helper()
	rep, err := p.engine.Run(p.ctx, peerName, syncengine.RunOptions{Full: full})
	if err != nil {
		p.t.Fatalf("run (full %v): %v; report %+v", full, err, rep)
	}
	p.tick()
	return rep
}

// converge runs until a run changes nothing on either side, at most max times.
func (p *pair) converge(full bool, max int) {
	p.t.Helper()
	for range max {
		rep := p.run(full)
		if rep.Pushed == 0 && rep.CreatedLocal == 0 && rep.UpdatedLocal == 0 && rep.DeletedLocal == 0 {
			return
		}
	}
	p.t.Fatalf("no quiet run within %d runs", max)
}

var apiSource = crmstore.Source{Type: crmstore.SourceAPI}

// create makes a contact in st as an API user would and returns its id.
func (p *pair) create(st *crmstore.Store, props map[string]string) int64 {
	p.t.Helper()
	rec, err := st.CreateRecord(p.ctx, "contacts", props, apiSource)
	if err != nil {
		p.t.Fatalf("create %v: %v", props, err)
	}
	p.tick()
	return rec.ID
}

// update edits a contact in st as an API user would.
func (p *pair) update(st *crmstore.Store, id int64, props map[string]string) {
	p.t.Helper()
	if _, err := st.UpdateRecord(p.ctx, "contacts", strconv.FormatInt(id, 10), props, "", apiSource); err != nil {
		p.t.Fatalf("update %d: %v", id, err)
	}
	p.tick()
}

// archive deletes (archives) a contact in st as an API user would.
func (p *pair) archive(st *crmstore.Store, id int64) {
	p.t.Helper()
	if err := st.ArchiveRecord(p.ctx, "contacts", id, apiSource); err != nil {
		p.t.Fatalf("archive %d: %v", id, err)
	}
	p.tick()
}

// contacts returns the live contacts of st by lower-cased email, failing the test on a
// duplicate email.
func contacts(t testing.TB, st *crmstore.Store) map[string]*crmstore.Record {
	t.Helper()
	out := map[string]*crmstore.Record{}
	for after := int64(0); ; {
		page, err := st.ListRecords(context.Background(), "contacts", crmstore.ListOptions{Limit: 100, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			email := strings.ToLower(r.Properties["email"])
			if prev, dup := out[email]; dup {
				t.Errorf("duplicate contact %q: records %d and %d", email, prev.ID, r.ID)
			}
			out[email] = r
		}
		if page.Next == 0 {
			return out
		}
		after = page.Next
	}
}

// lastSeq is st's change-log position.
func lastSeq(t testing.TB, st *crmstore.Store) int64 {
	t.Helper()
	seq, err := st.LastChangeSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// sameContacts fails the test unless both sides hold the same emails with the same mapped
// values.
func sameContacts(t testing.TB, local, remote map[string]*crmstore.Record) {
	t.Helper()
	if len(local) != len(remote) {
		t.Errorf("local holds %d contacts, remote %d", len(local), len(remote))
	}
	for email, l := range local {
		r, ok := remote[email]
		if !ok {
			t.Errorf("contact %s is missing on the remote", email)
			continue
		}
		for _, f := range []string{"firstname", "lastname"} {
			if l.Properties[f] != r.Properties[f] {
				t.Errorf("contact %s: %s is %q locally and %q on the remote", email, f, l.Properties[f], r.Properties[f])
			}
		}
	}
	for email := range remote {
		if _, ok := local[email]; !ok {
			t.Errorf("contact %s is missing locally", email)
		}
	}
}
