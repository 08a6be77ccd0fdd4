package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/syncengine"
)

// A reload that changes a connector's schedule while a change run or a reconciliation waits
// for the gate keeps that work: the watcher has already passed the change, and the reconcile
// cron would not fire again until its next period.
func TestSetKeepsWorkWaitingForTheGate(t *testing.T) {
	h, st := pushHarness(t, Spec{Name: "crm", PushOnChange: true, Reconcile: "@every 1h"})
	t0 := h.clock.Now()
	h.runner.setHold(true)
	manual := make(chan error, 1)
	go func() {
		_, err := h.sched.Run(context.Background(), "crm", syncengine.RunOptions{Trigger: syncengine.TriggerManual})
		manual <- err
	}()
	h.runner.next(t)

	// A local change and the reconcile both come due while the manual run holds the gate.
	writeContact(t, st, "late@example.com", crmstore.Source{Type: crmstore.SourceAPI})
	poll := t0.Add(DefaultPollInterval)
	h.advanceTo(t, poll)
	h.advanceTo(t, poll.Add(DefaultQuiet))
	h.advanceTo(t, t0.Truncate(time.Second).Add(time.Hour))
	h.clock.waitTimerAt(t, t0.Truncate(time.Second).Add(2*time.Hour)) // the loop saw the reconcile
	h.runner.none(t)

	// Reload: the connector gets a schedule, so its entry is replaced.
	h.set(t, Spec{Name: "crm", PushOnChange: true, Reconcile: "@every 1h", Schedule: "@every 24h"})
	nextFull := h.clock.Now().Truncate(time.Second).Add(time.Hour) // @every rounds to the second
	h.clock.waitTimerAt(t, nextFull)

	h.runner.setHold(false)
	h.runner.release <- struct{}{}
	if err := <-manual; err != nil {
		t.Fatal(err)
	}
	// The kept work starts as soon as the gate opens: the full run, which also pushes.
	if c := h.runner.next(t); !c.opts.Full {
		t.Errorf("after the reload: %+v, want the pending full run", c.opts)
	}
	h.waitIdle(t, "crm")
	h.clock.waitTimerAt(t, nextFull)
	h.runner.none(t) // the full run covered the change: no second run
}

// A change notified to a connector just before a reload replaces it still starts a change run.
func TestSetKeepsDebouncedChange(t *testing.T) {
	h, st := pushHarness(t, Spec{Name: "crm", PushOnChange: true})
	t0 := h.clock.Now()
	writeContact(t, st, "soon@example.com", crmstore.Source{Type: crmstore.SourceAPI})
	poll := t0.Add(DefaultPollInterval)
	h.advanceTo(t, poll)
	h.clock.waitTimerAt(t, poll.Add(DefaultQuiet)) // debouncing

	h.set(t, Spec{Name: "crm", PushOnChange: true, Schedule: "@every 24h"})
	if c := h.runner.next(t); c.opts.Trigger != syncengine.TriggerChange {
		t.Errorf("after the reload: %+v, want the pending change run", c.opts)
	}
}

// stuckLog is a change log whose reads block until their context ends, like a store that is
// locked by a long write. Closing release ends them too, so a failing test does not hang.
type stuckLog struct{ entered, release chan struct{} }

func (l stuckLog) LastChangeSeq(ctx context.Context) (int64, error) {
	select {
	case l.entered <- struct{}{}:
	default:
	}
	return 0, l.wait(ctx)
}

func (l stuckLog) Changes(ctx context.Context, _ int64, _ int) ([]crmstore.Change, error) {
	return nil, l.wait(ctx)
}

func (l stuckLog) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-l.release:
		return context.Canceled
	}
}

func TestStopEndsAStuckChangeLogPoll(t *testing.T) {
	log := stuckLog{entered: make(chan struct{}, 1), release: make(chan struct{})}
	h := newHarness(t, log, nil)
	t.Cleanup(func() { close(log.release) }) // runs before the harness's Stop
	h.set(t, Spec{Name: "crm", PushOnChange: true})
	h.advanceTo(t, h.clock.Now().Add(DefaultPollInterval))
	<-log.entered

	stopped := make(chan error, 1)
	go func() { stopped <- h.sched.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Stop = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop waited for a change-log poll that never ends")
	}
}
