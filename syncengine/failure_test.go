package syncengine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
	"github.com/tandem-crm/tandem/crmstore"
)

// seed fills both sides with n contacts each, overlapping by half.
func seed(h *harness, n int) {
	for i := range n {
		if _, err := h.store.CreateRecord(h.ctx, "contacts", map[string]string{"email": fmt.Sprintf("l%d@example.com", i), "firstname": "L"},
			crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
			h.t.Fatal(err)
		}
		email := fmt.Sprintf("r%d@example.com", i)
		if i%2 == 0 {
			email = fmt.Sprintf("l%d@example.com", i)
		}
		h.remote.Put("contacts", map[string]string{"email": email, "lastname": "R"})
	}
	h.tick()
}

// checkConverged asserts both sides hold the same contacts, each once.
func checkConverged(t *testing.T, h *harness, want int) {
	t.Helper()
	local, remote := h.local(), h.remoteByEmail()
	if len(local) != want || len(remote) != want || h.remote.Count("contacts") != want {
		t.Fatalf("local %d, remote %d (%d stored) contacts, want %d each", len(local), len(remote), h.remote.Count("contacts"), want)
	}
	for email, l := range local {
		r, ok := remote[email]
		if !ok {
			t.Fatalf("%s is missing remotely", email)
		}
		if l.Properties["firstname"] != r.Fields["firstname"] || l.Properties["lastname"] != r.Fields["lastname"] {
			t.Errorf("%s differs: local %v, remote %v", email, l.Properties, r.Fields)
		}
	}
}

// cancelOnPull cancels the run's context on the n-th Pull call.
type cancelOnPull struct {
	connectors.Connector
	n, calls int
	cancel   context.CancelFunc
}

func (c *cancelOnPull) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	c.calls++
	if c.calls == c.n {
		c.cancel()
		return connectors.Page{}, ctx.Err()
	}
	return c.Connector.Pull(ctx, req)
}

func TestRunCancelledMidwayLosesAndDuplicatesNothing(t *testing.T) {
	var wrapper *cancelOnPull
	h := newHarnessConn(t, contactsSpec(nil), func(c connectors.Connector) connectors.Connector {
		wrapper = &cancelOnPull{Connector: c, n: 3}
		return wrapper
	})
	seed(h, 200)
	ctx, cancel := context.WithCancel(h.ctx)
	wrapper.cancel = cancel
	rep, err := h.engine.Run(ctx, testConnector, RunOptions{})
	if !errors.Is(err, context.Canceled) || rep.Status != RunFailed {
		t.Fatalf("cancelled run = %+v, %v; want failed with context.Canceled", rep, err)
	}
	if rep.Pulled != 100 {
		t.Errorf("cancelled run pulled %d, want the 2 pages before the cancel", rep.Pulled)
	}
	h.tick()
	h.run(false)
	checkConverged(t, h, 300)
}

func TestTenPercentFailingCallsConverge(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	seed(h, 150)
	h.remote.FailEvery(0.1, 42)
	var last RunReport
	for i := 0; i < 30; i++ {
		rep, err := h.engine.Run(h.ctx, testConnector, RunOptions{})
		h.tick()
		if err == nil && rep.Status == RunSucceeded {
			last = rep
			break
		}
	}
	if last.ID == 0 {
		t.Fatal("no run succeeded in 30 tries at a 10% failure rate")
	}
	if h.clock.Slept() == 0 {
		t.Error("no backoff happened: the failures were not retried")
	}
	h.remote.ClearFaults()
	h.run(false)
	checkConverged(t, h, 225)
}

func TestRateLimitWaitsRetryAfter(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	h.putRemote(map[string]string{"email": "cid@example.com"})
	h.remote.FailNext(memory.Fault{Kind: memory.FaultRateLimit, RetryAfter: 7 * time.Second}, 2)
	rep := h.run(false)
	if rep.CreatedLocal != 1 {
		t.Errorf("run = %+v, want the record pulled after the waits", rep)
	}
	if got := h.clock.Slept(); got < 14*time.Second {
		t.Errorf("waited %s, want at least twice the 7s Retry-After", got)
	}
}

func TestUnauthorizedStopsTheRunAndReportsFailing(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	h.putRemote(map[string]string{"email": "cid@example.com"})
	h.remote.FailNext(memory.Fault{Kind: memory.FaultUnauthorized}, 1)
	rep, err := h.engine.Run(h.ctx, testConnector, RunOptions{})
	if !errors.Is(err, errUnauthorized) || rep.Status != RunFailed {
		t.Fatalf("run = %+v, %v; want failed as unauthorized", rep, err)
	}
	if calls := h.remote.Calls().Total; calls != 1 {
		t.Errorf("made %d calls after the credentials were refused, want 1", calls)
	}
	st, err := h.engine.Status(h.ctx, testConnector)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StateFailing || st.Reason == "" {
		t.Errorf("status = %+v, want failing with the reason", st)
	}
	h.tick()
	if rep := h.run(false); rep.Status != RunSucceeded {
		t.Errorf("run after the credentials work again = %+v", rep)
	}
}

func TestOneConnectorNeverRunsTwice(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	ok, err := h.store.AcquireSyncLease(h.ctx, testConnector, "other-process", h.clock.Now(), time.Minute)
	if err != nil || !ok {
		t.Fatalf("take lease: %v, %v", ok, err)
	}
	if _, err := h.engine.Run(h.ctx, testConnector, RunOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("run while another holds the lease: %v, want ErrBusy", err)
	}
	st, _ := h.engine.Status(h.ctx, testConnector)
	if st.State != StateRunning {
		t.Errorf("state = %q while leased, want running", st.State)
	}
	h.clock.Advance(2 * time.Minute)
	if _, err := h.engine.Run(h.ctx, testConnector, RunOptions{}); err != nil {
		t.Fatalf("run after the other lease expired: %v", err)
	}
}

// blockingPull is a connector whose first Pull waits until release is closed, so a
// test can hold a run in progress.
type blockingPull struct {
	connectors.Connector
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (b *blockingPull) Pull(ctx context.Context, req connectors.PullRequest) (connectors.Page, error) {
	if b.calls.Add(1) == 1 {
		close(b.entered)
		<-b.release
	}
	return b.Connector.Pull(ctx, req)
}

// TestSameProcessNeverRunsTwice: the store lease is per holder (host:pid), so it alone would
// let a second run of the same process in; the engine's own claim must refuse it.
func TestSameProcessNeverRunsTwice(t *testing.T) {
	block := &blockingPull{entered: make(chan struct{}), release: make(chan struct{})}
	h := newHarnessConn(t, contactsSpec(nil), func(c connectors.Connector) connectors.Connector {
		block.Connector = c
		return block
	})
	h.remote.Put("contacts", map[string]string{"email": "ann@example.com"})
	first := make(chan error, 1)
	go func() {
		_, err := h.engine.Run(h.ctx, testConnector, RunOptions{})
		first <- err
	}()
	<-block.entered
	if _, err := h.engine.Run(h.ctx, testConnector, RunOptions{}); !errors.Is(err, ErrBusy) {
		t.Errorf("second run while the first runs: %v, want ErrBusy", err)
	}
	if _, err := h.engine.Replay(h.ctx, testConnector, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("replay while a run runs: %v, want ErrBusy", err)
	}
	close(block.release)
	if err := <-first; err != nil {
		t.Fatalf("first run: %v", err)
	}
	if _, err := h.engine.Run(h.ctx, testConnector, RunOptions{}); err != nil {
		t.Errorf("run after the first ended: %v", err)
	}
}

func TestPermanentFailureQuarantinesOnlyThatRecord(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	h.remote.Reject(memory.Rule{Object: "contacts", Field: "firstname", Contains: "BAD"})
	bad := h.createLocal(map[string]string{"email": "bad@example.com", "firstname": "BAD"})
	h.createLocal(map[string]string{"email": "good@example.com", "firstname": "Good"})
	rep := h.run(false)
	if rep.Status != RunPartial || rep.Failed != 1 || rep.CreatedRemote != 1 {
		t.Fatalf("run = %+v, want partial with one failure and one created", rep)
	}
	q, err := h.engine.Quarantine(h.ctx, testConnector, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].LocalID != bad || q[0].Direction != crmstore.SyncPush || q[0].Reason == "" {
		t.Fatalf("quarantine = %+v, want record %d with the remote's reason", q, bad)
	}
	// Replaying unchanged fails again and counts the attempt.
	if rep, err := h.engine.Replay(h.ctx, testConnector, nil); err != nil || rep.Failed != 1 {
		t.Fatalf("replay = %+v, %v", rep, err)
	}
	q, _ = h.engine.Quarantine(h.ctx, testConnector, 0)
	if len(q) != 1 || q[0].Attempts != 2 {
		t.Fatalf("quarantine after replay = %+v, want 2 attempts", q)
	}
	// Fixed locally, the next run pushes it and the entry goes.
	h.updateLocal(bad, map[string]string{"firstname": "Fixed"})
	h.run(false)
	if q, _ := h.engine.Quarantine(h.ctx, testConnector, 0); len(q) != 0 {
		t.Errorf("quarantine after the fix = %+v", q)
	}
	checkConverged(t, h, 2)
}

func TestPullQuarantineAndReplay(t *testing.T) {
	h := newHarness(t, contactsSpec(nil))
	rid := h.putRemote(map[string]string{"email": "not an email", "firstname": "X"})
	h.putRemote(map[string]string{"email": "ok@example.com"})
	rep := h.run(false)
	if rep.Failed != 1 || rep.CreatedLocal != 1 {
		t.Fatalf("run = %+v, want one failure and one created", rep)
	}
	q, _ := h.engine.Quarantine(h.ctx, testConnector, 0)
	if len(q) != 1 || q[0].RemoteID != rid || q[0].Direction != crmstore.SyncPull {
		t.Fatalf("quarantine = %+v", q)
	}
	// Fixed on the remote behind the cursor's back: a replay fetches it.
	if err := h.remote.Update("contacts", rid, map[string]string{"email": "x@example.com"}); err != nil {
		t.Fatal(err)
	}
	rep, err := h.engine.Replay(h.ctx, testConnector, []int64{q[0].ID})
	if err != nil || rep.CreatedLocal != 1 || rep.Trigger != TriggerReplay {
		t.Fatalf("replay = %+v, %v", rep, err)
	}
	if q, _ := h.engine.Quarantine(h.ctx, testConnector, 0); len(q) != 0 {
		t.Errorf("quarantine after replay = %+v", q)
	}
}
