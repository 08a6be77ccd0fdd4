package syncengine

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
)

// fakeClock is a manual clock: Sleep advances it instead of waiting.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
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
	c.mu.Lock()
	c.slept += d
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

const testConnector = "mem"

// harness is a real store in a temporary directory, an in-memory remote
// and an engine syncing contacts between them.
type harness struct {
	t      *testing.T
	ctx    context.Context
	clock  *fakeClock
	store  *crmstore.Store
	remote *memory.Remote
	engine *Engine
}

// contactsSpec maps email, firstname and lastname both ways.
func contactsSpec(edit func(*ObjectSpec)) ConnectorSpec {
	o := ObjectSpec{Object: "contacts", Conflict: PreferRemote, Deletes: DeletesIgnore, MaxDeletePercent: 10,
		Fields: []FieldSpec{{Local: "email", Remote: "email"}, {Local: "firstname", Remote: "firstname"}, {Local: "lastname", Remote: "lastname"}}}
	if edit != nil {
		edit(&o)
	}
	return ConnectorSpec{Name: testConnector, Objects: []ObjectSpec{o}}
}

func newHarness(t *testing.T, spec ConnectorSpec) *harness {
	t.Helper()
	return newHarnessConn(t, spec, nil)
}

// newHarnessConn builds a harness whose connector may be wrapped.
func newHarnessConn(t *testing.T, spec ConnectorSpec, wrap func(connectors.Connector) connectors.Connector) *harness {
	t.Helper()
	return newHarnessOpts(t, spec, memory.Options{Unique: map[string]string{"contacts": "email"}}, wrap)
}

// newHarnessOpts builds a harness over a remote configured by opts (its
// clock and page size are the harness's).
func newHarnessOpts(t *testing.T, spec ConnectorSpec, opts memory.Options, wrap func(connectors.Connector) connectors.Connector) *harness {
	t.Helper()
	ctx := context.Background()
	clock := newFakeClock()
	store, err := crmstore.Open(ctx, t.TempDir(), crmstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	opts.Clock, opts.PageSize = clock.Now, 50
	remote := memory.New(opts)
	eng, err := New(Options{Store: store, Clock: clock, Holder: "test", PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	var conn connectors.Connector = remote.Connector()
	if wrap != nil {
		conn = wrap(conn)
	}
	if err := eng.Add(spec, conn); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, ctx: ctx, clock: clock, store: store, remote: remote, engine: eng}
}

// tick moves time on so edits get distinct times.
func (h *harness) tick() { h.clock.Advance(time.Second) }

func (h *harness) run(full bool) RunReport {
	h.t.Helper()
	rep, err := h.engine.Run(h.ctx, testConnector, RunOptions{Full: full})
	if err != nil {
		h.t.Fatalf("run: %v", err)
	}
	h.tick()
	return rep
}

func (h *harness) createLocal(props map[string]string) int64 {
	h.t.Helper()
	rec, err := h.store.CreateRecord(h.ctx, "contacts", props, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil {
		h.t.Fatal(err)
	}
	h.tick()
	return rec.ID
}

func (h *harness) updateLocal(id int64, props map[string]string) {
	h.t.Helper()
	if _, err := h.store.UpdateRecord(h.ctx, "contacts", itoa(id), props, "", crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		h.t.Fatal(err)
	}
	h.tick()
}

func (h *harness) putRemote(fields map[string]string) string {
	id := h.remote.Put("contacts", fields)
	h.tick()
	return id
}

func (h *harness) updateRemote(id string, fields map[string]string) {
	h.t.Helper()
	if err := h.remote.Update("contacts", id, fields); err != nil {
		h.t.Fatal(err)
	}
	h.tick()
}

// local returns live local contacts by email.
func (h *harness) local() map[string]*crmstore.Record {
	h.t.Helper()
	out := map[string]*crmstore.Record{}
	var after int64
	for {
		page, err := h.store.ListRecords(h.ctx, "contacts", crmstore.ListOptions{Limit: 100, After: after})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, r := range page.Records {
			if _, dup := out[r.Properties["email"]]; dup {
				h.t.Errorf("local duplicate of %s", r.Properties["email"])
			}
			out[r.Properties["email"]] = r
		}
		if page.Next == 0 {
			return out
		}
		after = page.Next
	}
}

// remoteByEmail returns live remote contacts by email.
func (h *harness) remoteByEmail() map[string]connectors.Record {
	out := map[string]connectors.Record{}
	for _, r := range h.remote.All("contacts") {
		if r.Deleted {
			continue
		}
		if _, dup := out[r.Fields["email"]]; dup {
			h.t.Errorf("remote duplicate of %s", r.Fields["email"])
		}
		out[r.Fields["email"]] = r
	}
	return out
}

func (h *harness) lastSeq() int64 {
	h.t.Helper()
	seq, err := h.store.LastChangeSeq(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return seq
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
