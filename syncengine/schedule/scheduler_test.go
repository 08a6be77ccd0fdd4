package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// The engine is what the daemon schedules.
var _ Runner = (*syncengine.Engine)(nil)

// call is one run the fake runner received.
type call struct {
	name string
	opts syncengine.RunOptions
	at   time.Time
}

// fakeRunner records runs. While hold is set, runs block until release or their context
// ends; errs queues the errors of the next runs of a connector.
type fakeRunner struct {
	clock   *fakeClock
	started chan call

	mu        sync.Mutex
	hold      bool
	release   chan struct{}
	errs      map[string][]error
	active    map[string]int
	maxActive int
	ctxErrs   []error // the context errors blocked runs returned with
}

func newFakeRunner(clock *fakeClock) *fakeRunner {
	return &fakeRunner{clock: clock, started: make(chan call, 100), release: make(chan struct{}),
		errs: map[string][]error{}, active: map[string]int{}}
}

func (r *fakeRunner) Run(ctx context.Context, name string, opts syncengine.RunOptions) (syncengine.RunReport, error) {
	r.mu.Lock()
	r.active[name]++
	r.maxActive = max(r.maxActive, r.active[name])
	hold := r.hold
	var err error
	if q := r.errs[name]; len(q) > 0 {
		err, r.errs[name] = q[0], q[1:]
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.active[name]--
		r.mu.Unlock()
	}()
	r.started <- call{name, opts, r.clock.Now()}
	if hold {
		select {
		case <-r.release:
		case <-ctx.Done():
			r.mu.Lock()
			r.ctxErrs = append(r.ctxErrs, ctx.Err())
			r.mu.Unlock()
			return syncengine.RunReport{ID: 1, Status: syncengine.RunFailed}, ctx.Err()
		}
	}
	if err != nil {
		return syncengine.RunReport{}, err
	}
	return syncengine.RunReport{ID: 1, Connector: name, Trigger: opts.Trigger, Full: opts.Full, Status: syncengine.RunSucceeded}, nil
}

func (r *fakeRunner) Replay(ctx context.Context, name string, _ []int64) (syncengine.RunReport, error) {
	return r.Run(ctx, name, syncengine.RunOptions{Trigger: syncengine.TriggerReplay})
}

func (r *fakeRunner) setHold(h bool) {
	r.mu.Lock()
	r.hold = h
	r.mu.Unlock()
}

func (r *fakeRunner) failNext(name string, err error) {
	r.mu.Lock()
	r.errs[name] = append(r.errs[name], err)
	r.mu.Unlock()
}

// next waits for the next run to start.
func (r *fakeRunner) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-r.started:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no run started")
		return call{}
	}
}

// none checks that no run has started. Runs start synchronously with the timer that fires
// them, so callers first wait for the loop to have re-armed (waitTimerAt).
func (r *fakeRunner) none(t *testing.T) {
	t.Helper()
	select {
	case c := <-r.started:
		t.Fatalf("unexpected run of %s (%+v)", c.name, c.opts)
	default:
	}
}

type harness struct {
	clock   *fakeClock
	runner  *fakeRunner
	sched   *Scheduler
	skipped chan string
}

func newHarness(t *testing.T, changes ChangeLog, join func(string) (func(), bool)) *harness {
	t.Helper()
	h := &harness{clock: newFakeClock(), skipped: make(chan string, 100)}
	h.runner = newFakeRunner(h.clock)
	s, err := New(Options{Runner: h.runner, Changes: changes, Logger: zaptest.NewLogger(t), Clock: h.clock, Join: join,
		Skipped: func(name string) { h.skipped <- name }})
	if err != nil {
		t.Fatal(err)
	}
	h.sched = s
	t.Cleanup(func() {
		h.runner.setHold(false)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // runs still blocked are cancelled at once
		_ = s.Stop(ctx)
	})
	return h
}

func (h *harness) set(t *testing.T, specs ...Spec) {
	t.Helper()
	if err := h.sched.Set(specs); err != nil {
		t.Fatal(err)
	}
}

// waitIdle waits until no run of connector name is in flight: the run has returned and the
// scheduler has opened the gate again.
func (h *harness) waitIdle(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.sched.Running(name) {
		if time.Now().After(deadline) {
			t.Fatalf("%s still running", name)
		}
		runtime.Gosched()
	}
}

// advanceTo moves the clock to at once the loop has armed a timer for it.
func (h *harness) advanceTo(t *testing.T, at time.Time) {
	t.Helper()
	h.clock.waitTimerAt(t, at)
	h.clock.Advance(at.Sub(h.clock.Now()))
}

func TestScheduledTickRunsAndRearms(t *testing.T) {
	h := newHarness(t, nil, nil)
	t0 := h.clock.Now()
	h.set(t, Spec{Name: "crm", Schedule: "@every 1m"})

	for i := 1; i <= 3; i++ {
		h.advanceTo(t, t0.Add(time.Duration(i)*time.Minute))
		c := h.runner.next(t)
		h.waitIdle(t, "crm")
		if c.name != "crm" || c.opts.Full || c.opts.Trigger != syncengine.TriggerSchedule {
			t.Fatalf("tick %d ran %+v", i, c)
		}
		if !c.at.Equal(t0.Add(time.Duration(i) * time.Minute)) {
			t.Errorf("tick %d ran at %s", i, c.at)
		}
	}
}

func TestNoOverlappingRuns(t *testing.T) {
	h := newHarness(t, nil, nil)
	t0 := h.clock.Now()
	h.set(t, Spec{Name: "crm", Schedule: "@every 1m"})
	h.runner.setHold(true)

	h.advanceTo(t, t0.Add(time.Minute))
	h.runner.next(t)

	// The next tick finds the run still going: skipped, and counted as such.
	h.advanceTo(t, t0.Add(2*time.Minute))
	h.clock.waitTimerAt(t, t0.Add(3*time.Minute))
	h.runner.none(t)
	select {
	case name := <-h.skipped:
		if name != "crm" {
			t.Errorf("skipped %q", name)
		}
	default:
		t.Error("the skipped tick was not reported")
	}

	// An operator's run meets the same gate.
	if _, err := h.sched.Run(t.Context(), "crm", syncengine.RunOptions{}); !errors.Is(err, syncengine.ErrBusy) {
		t.Errorf("Run while running: %v, want ErrBusy", err)
	}
	if _, err := h.sched.Replay(t.Context(), "crm", nil); !errors.Is(err, syncengine.ErrBusy) {
		t.Errorf("Replay while running: %v, want ErrBusy", err)
	}
	if !h.sched.Running("crm") {
		t.Error("Running(crm) = false during a run")
	}

	// Finishing the run does not start a make-up run for the skipped tick.
	h.runner.setHold(false)
	h.runner.release <- struct{}{}
	h.waitIdle(t, "crm")
	h.advanceTo(t, t0.Add(3*time.Minute))
	h.runner.next(t)
	h.clock.waitTimerAt(t, t0.Add(4*time.Minute))
	h.runner.none(t)
	if h.runner.maxActive != 1 {
		t.Errorf("at most %d runs of crm at once, want 1", h.runner.maxActive)
	}
}

func TestManualRunGoesThroughGate(t *testing.T) {
	var mu sync.Mutex
	var joined []string
	join := func(name string) (func(), bool) {
		mu.Lock()
		joined = append(joined, name)
		mu.Unlock()
		return func() {}, true
	}
	h := newHarness(t, nil, join)
	h.set(t, Spec{Name: "crm"})

	rep, err := h.sched.Run(t.Context(), "crm", syncengine.RunOptions{Full: true, Trigger: syncengine.TriggerManual})
	if err != nil || rep.Status != syncengine.RunSucceeded || !rep.Full {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	if c := h.runner.next(t); c.opts.Trigger != syncengine.TriggerManual || !c.opts.Full {
		t.Errorf("ran %+v", c.opts)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(joined) != 1 || joined[0] != "sync crm" {
		t.Errorf("joined work %q, want [sync crm]", joined)
	}
}

func TestReconcileRunsFull(t *testing.T) {
	h := newHarness(t, nil, nil)
	t0 := h.clock.Now()
	h.set(t, Spec{Name: "crm", Schedule: "@every 30m", Reconcile: "@every 1h"})

	h.advanceTo(t, t0.Add(30*time.Minute))
	if c := h.runner.next(t); c.opts.Full {
		t.Errorf("the 30m tick ran full: %+v", c.opts)
	}
	// At 1h both fire: one full run covers the tick.
	h.advanceTo(t, t0.Add(time.Hour))
	if c := h.runner.next(t); !c.opts.Full || c.opts.Trigger != syncengine.TriggerSchedule {
		t.Errorf("the reconcile ran %+v, want a full scheduled run", c.opts)
	}
	h.clock.waitTimerAt(t, t0.Add(90*time.Minute))
	h.runner.none(t)
}

func TestReconcileWaitsForRunningRun(t *testing.T) {
	h := newHarness(t, nil, nil)
	t0 := h.clock.Now()
	h.set(t, Spec{Name: "crm", Reconcile: "@every 1h"})

	h.runner.setHold(true)
	manual := make(chan error, 1)
	go func() {
		_, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{Trigger: syncengine.TriggerManual})
		manual <- err
	}()
	h.runner.next(t)

	h.advanceTo(t, t0.Add(time.Hour))
	h.clock.waitTimerAt(t, t0.Add(2*time.Hour))
	h.runner.none(t)

	// The reconcile was kept, not skipped: it starts as soon as the manual run ends.
	h.runner.setHold(false)
	h.runner.release <- struct{}{}
	if err := <-manual; err != nil {
		t.Fatal(err)
	}
	if c := h.runner.next(t); !c.opts.Full {
		t.Errorf("after the manual run: %+v, want the deferred full run", c.opts)
	}
	if len(h.skipped) != 0 {
		t.Error("a deferred reconcile was reported as skipped")
	}
}

func TestReconcileRetriesWhenAnotherProcessHoldsTheLease(t *testing.T) {
	h := newHarness(t, nil, nil)
	t0 := h.clock.Now()
	h.set(t, Spec{Name: "crm", Reconcile: "@every 1h"})
	h.runner.failNext("crm", fmt.Errorf("connector crm: %w", syncengine.ErrBusy))

	h.advanceTo(t, t0.Add(time.Hour))
	if c := h.runner.next(t); !c.opts.Full {
		t.Fatalf("ran %+v", c.opts)
	}
	// Retried after BusyRetry rather than at the next reconcile an hour later.
	h.advanceTo(t, t0.Add(time.Hour+DefaultBusyRetry))
	if c := h.runner.next(t); !c.opts.Full {
		t.Errorf("retry ran %+v", c.opts)
	}
}

// openStore opens a real store in a temporary directory.
func openStore(t *testing.T) *crmstore.Store {
	t.Helper()
	st, err := crmstore.Open(t.Context(), t.TempDir(), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// writeContact creates a contact in the store with source src.
func writeContact(t *testing.T, st *crmstore.Store, email string, src crmstore.Source) {
	t.Helper()
	res, err := st.CreateRecords(context.Background(), "contacts", []map[string]string{{"email": email}}, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
}

// pushHarness starts a scheduler with push_on_change over a real store and waits for the
// watcher's first poll (which only notes the head of the change log).
func pushHarness(t *testing.T, specs ...Spec) (*harness, *crmstore.Store) {
	t.Helper()
	st := openStore(t)
	h := newHarness(t, st, nil)
	h.set(t, specs...)
	h.advanceTo(t, h.clock.Now().Add(DefaultPollInterval))
	h.clock.waitTimerAt(t, h.clock.Now().Add(DefaultPollInterval))
	return h, st
}

func TestPushOnChangeLatency(t *testing.T) {
	h, st := pushHarness(t, Spec{Name: "crm", PushOnChange: true, Objects: []string{"contacts"}})
	changedAt := h.clock.Now()
	writeContact(t, st, "ada@example.com", crmstore.Source{Type: crmstore.SourceAPI})

	// The next poll sees it; the run starts after the quiet period.
	poll := changedAt.Add(DefaultPollInterval)
	h.advanceTo(t, poll)
	h.advanceTo(t, poll.Add(DefaultQuiet))
	c := h.runner.next(t)
	if c.opts.Trigger != syncengine.TriggerChange || c.opts.Full {
		t.Errorf("ran %+v, want a change run", c.opts)
	}
	if lat := c.at.Sub(changedAt); lat > 5*time.Second {
		t.Errorf("the change reached the run after %s, want within 5s", lat)
	}
}

func TestPushOnChangeDebouncesBursts(t *testing.T) {
	h, st := pushHarness(t, Spec{Name: "crm", PushOnChange: true})
	var first time.Time
	// A change on every poll for 4 seconds: one run, MaxWait after the first was seen.
	for i := 0; ; i++ {
		writeContact(t, st, fmt.Sprintf("c%d@example.com", i), crmstore.Source{Type: crmstore.SourceAPI})
		poll := h.clock.Now().Add(DefaultPollInterval)
		h.advanceTo(t, poll)
		if first.IsZero() {
			first = poll
		}
		due := first.Add(DefaultMaxWait)
		if poll.Add(DefaultQuiet).Before(due) {
			due = poll.Add(DefaultQuiet)
		}
		h.clock.waitTimerAt(t, due)
		if !poll.Add(DefaultPollInterval).Before(due) {
			break
		}
		h.runner.none(t)
	}
	h.advanceTo(t, first.Add(DefaultMaxWait))
	if c := h.runner.next(t); !c.at.Equal(first.Add(DefaultMaxWait)) {
		t.Errorf("run at %s, want MaxWait after the first change (%s)", c.at, first.Add(DefaultMaxWait))
	}
	h.runner.none(t)
}

func TestPushOnChangeIgnoresOwnWrites(t *testing.T) {
	h, st := pushHarness(t,
		Spec{Name: "crm", PushOnChange: true},
		Spec{Name: "mail", PushOnChange: true, Objects: []string{"companies"}},
	)
	// crm's own pull: no echo to crm; mail does not sync contacts.
	writeContact(t, st, "own@example.com", crmstore.Source{Type: crmstore.SourceIntegration, ID: "crm", Label: "crm"})
	start := h.clock.Now()
	for i := 1; i <= 20; i++ { // 5 seconds of polls
		h.advanceTo(t, start.Add(time.Duration(i)*DefaultPollInterval))
	}
	h.clock.waitTimerAt(t, start.Add(21*DefaultPollInterval))
	h.runner.none(t)

	// Another connector's pull is a change crm must push.
	writeContact(t, st, "other@example.com", crmstore.Source{Type: crmstore.SourceIntegration, ID: "mail", Label: "mail"})
	poll := start.Add(21 * DefaultPollInterval)
	h.advanceTo(t, poll)
	h.advanceTo(t, poll.Add(DefaultQuiet))
	if c := h.runner.next(t); c.name != "crm" || c.opts.Trigger != syncengine.TriggerChange {
		t.Errorf("ran %s %+v, want a change run of crm", c.name, c.opts)
	}
	// mail does not sync contacts: one more poll and still no run of it.
	h.clock.waitTimerAt(t, poll.Add(DefaultQuiet).Add(DefaultPollInterval))
	h.runner.none(t)
}

func TestPushOnChangeWhileRunningRunsAgainAfter(t *testing.T) {
	h, st := pushHarness(t, Spec{Name: "crm", PushOnChange: true})
	h.runner.setHold(true)
	manual := make(chan error, 1)
	go func() {
		_, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{})
		manual <- err
	}()
	h.runner.next(t)

	writeContact(t, st, "late@example.com", crmstore.Source{Type: crmstore.SourceAPI})
	poll := h.clock.Now().Add(DefaultPollInterval)
	h.advanceTo(t, poll)
	h.advanceTo(t, poll.Add(DefaultQuiet))
	h.runner.none(t)

	h.runner.setHold(false)
	h.runner.release <- struct{}{}
	if err := <-manual; err != nil {
		t.Fatal(err)
	}
	if c := h.runner.next(t); c.opts.Trigger != syncengine.TriggerChange {
		t.Errorf("after the running run: %+v, want the change run", c.opts)
	}
}

func TestSetReplacesOnlyChangedSchedules(t *testing.T) {
	h := newHarness(t, nil, nil)
	t0 := h.clock.Now()
	h.set(t,
		Spec{Name: "a", Schedule: "@every 1m"},
		Spec{Name: "b", Schedule: "@every 1m"},
		Spec{Name: "gone", Schedule: "@every 1m"},
	)
	h.clock.waitTimersAt(t, t0.Add(time.Minute), 3)
	h.clock.Advance(30 * time.Second)

	// Reload at 30s: a slows down, b is unchanged, gone is removed, c is new.
	h.set(t,
		Spec{Name: "a", Schedule: "@every 1h"},
		Spec{Name: "b", Schedule: "@every 1m"},
		Spec{Name: "c", Schedule: "@every 1m"},
	)
	if got := h.sched.Names(); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("Names() = %v", got)
	}
	// b keeps its timer (1m after start); c starts its own (1m after the reload), a too.
	h.clock.waitTimerAt(t, t0.Add(90*time.Second))
	h.clock.waitTimerAt(t, t0.Add(30*time.Second+time.Hour))
	h.advanceTo(t, t0.Add(time.Minute))
	if c := h.runner.next(t); c.name != "b" {
		t.Errorf("at 1m ran %s, want b", c.name)
	}
	h.waitIdle(t, "b")
	h.advanceTo(t, t0.Add(90*time.Second))
	if c := h.runner.next(t); c.name != "c" {
		t.Errorf("at 1m30s ran %s, want c", c.name)
	}
	h.waitIdle(t, "c")
	h.clock.waitTimerAt(t, t0.Add(2*time.Minute))
	h.runner.none(t) // neither a (now hourly) nor gone ran

	h.advanceTo(t, t0.Add(30*time.Second+time.Hour))
	ran := map[string]int{}
	for range 3 { // every due timer fires once per jump of the clock
		ran[h.runner.next(t).name]++
	}
	if ran["a"] != 1 || ran["b"] != 1 || ran["c"] != 1 {
		t.Errorf("runs after an hour: %v, want a, b and c once and gone never", ran)
	}
}

func TestSetRefusesBadSpecs(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.set(t, Spec{Name: "ok", Schedule: "@every 1m"})
	for _, tc := range []struct {
		name  string
		specs []Spec
		want  string
	}{
		{"bad schedule", []Spec{{Name: "x", Schedule: "every day"}}, `connector x: schedule "every day"`},
		{"bad reconcile", []Spec{{Name: "x", Reconcile: "* *"}}, `connector x: reconcile "* *"`},
		{"no name", []Spec{{Schedule: "@hourly"}}, "name is required"},
		{"twice", []Spec{{Name: "x"}, {Name: "x"}}, "listed twice"},
		{"push without change log", []Spec{{Name: "x", PushOnChange: true}}, "Options.Changes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.sched.Set(tc.specs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Set = %v, want an error containing %q", err, tc.want)
			}
			if got := h.sched.Names(); fmt.Sprint(got) != "[ok]" {
				t.Errorf("a refused Set changed the connectors: %v", got)
			}
		})
	}
}

func TestStopWaitsForRunsThenCancels(t *testing.T) {
	t.Run("finishes within the budget", func(t *testing.T) {
		h := newHarness(t, nil, nil)
		h.set(t, Spec{Name: "crm"})
		h.runner.setHold(true)
		done := make(chan error, 1)
		go func() {
			_, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{})
			done <- err
		}()
		h.runner.next(t)
		stopped := make(chan error, 1)
		go func() { stopped <- h.sched.Stop(context.Background()) }()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned %v while a run was going", err)
		case <-time.After(50 * time.Millisecond): // a negative check: Stop must still be waiting
		}
		h.runner.release <- struct{}{}
		if err := <-stopped; err != nil {
			t.Errorf("Stop = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("the run = %v", err)
		}
	})
	t.Run("cancelled past the budget", func(t *testing.T) {
		h := newHarness(t, nil, nil)
		h.set(t, Spec{Name: "crm"})
		h.runner.setHold(true)
		go func() { _, _ = h.sched.Run(context.Background(), "crm", syncengine.RunOptions{}) }()
		h.runner.next(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := h.sched.Stop(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Stop = %v, want context.Canceled", err)
		}
		h.runner.mu.Lock()
		defer h.runner.mu.Unlock()
		if len(h.runner.ctxErrs) != 1 {
			t.Errorf("the run saw %v, want its context cancelled", h.runner.ctxErrs)
		}
	})
	t.Run("refuses work after", func(t *testing.T) {
		h := newHarness(t, nil, nil)
		if err := h.sched.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{}); !errors.Is(err, ErrStopped) {
			t.Errorf("Run after Stop = %v", err)
		}
		if err := h.sched.Set([]Spec{{Name: "crm"}}); !errors.Is(err, ErrStopped) {
			t.Errorf("Set after Stop = %v", err)
		}
	})
	t.Run("work group closed", func(t *testing.T) {
		h := newHarness(t, nil, func(string) (func(), bool) { return func() {}, false })
		if _, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{}); !errors.Is(err, ErrStopped) {
			t.Errorf("Run with the work group closed = %v", err)
		}
		if h.sched.Running("crm") {
			t.Error("a refused run left the gate closed")
		}
	})
}

func TestWhenIdle(t *testing.T) {
	h := newHarness(t, nil, nil)
	called := make(chan string, 2)
	h.sched.WhenIdle("crm", func() { called <- "idle at once" })
	if got := <-called; got != "idle at once" {
		t.Fatal(got)
	}

	h.runner.setHold(true)
	done := make(chan error, 1)
	go func() {
		_, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{})
		done <- err
	}()
	h.runner.next(t)
	h.sched.WhenIdle("crm", func() { called <- "after the run" })
	select {
	case got := <-called:
		t.Fatalf("WhenIdle called (%s) while the run was going", got)
	default:
	}
	h.runner.setHold(false)
	h.runner.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-called:
		if got != "after the run" {
			t.Errorf("called %q", got)
		}
	default:
		t.Error("WhenIdle not called once the run ended") // Run returns after the gate opens
	}
}

// Changes made while the daemon was down (past the connector's pushed position) are pushed
// at start, not at the next scheduled run; a connector that has pushed everything is left
// alone.
func TestPushOnChangeCatchesUpAtStart(t *testing.T) {
	st := openStore(t)
	writeContact(t, st, "early@example.com", crmstore.Source{Type: crmstore.SourceAPI})
	head, err := st.LastChangeSeq(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyPush(t.Context(), crmstore.SyncPushPage{Connector: "done", Object: "contacts", LocalSeq: &head}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, nil)
	h.set(t,
		Spec{Name: "behind", PushOnChange: true, Objects: []string{"contacts"}},
		Spec{Name: "done", PushOnChange: true, Objects: []string{"contacts"}},
	)
	start := h.clock.Now()
	poll := start.Add(DefaultPollInterval)
	h.advanceTo(t, poll)
	h.advanceTo(t, poll.Add(DefaultQuiet))
	c := h.runner.next(t)
	if c.name != "behind" || c.opts.Trigger != syncengine.TriggerChange {
		t.Errorf("ran %s %+v, want a change run of the connector that is behind", c.name, c.opts)
	}
	h.clock.waitTimerAt(t, poll.Add(DefaultQuiet).Add(DefaultPollInterval))
	h.runner.none(t)
}
