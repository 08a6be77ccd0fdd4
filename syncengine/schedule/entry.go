package schedule

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/syncengine"
)

// entry is one scheduled connector: its spec and the goroutine (loop) that owns its timers.
type entry struct {
	s               *Scheduler
	spec            Spec
	every, reconcil cron.Schedule
	objects         map[string]bool // nil: every object

	quit     chan struct{} // closed by stop
	stopOnce sync.Once
	wakeCh   chan struct{} // a run ended or the gate opened; capacity 1
	changeCh chan struct{} // the watcher saw a change for this connector; capacity 1

	mu       sync.Mutex
	outcomes []outcome // runs started by the loop that have ended, not yet seen by it

	// pendingFull and pendingChange say that the connector has work not yet started: a due
	// reconciliation, or local changes not yet pushed. Set reads them when a reload replaces
	// the entry, so the new entry takes that work over: the watcher has already passed the
	// changes, and the reconcile cron would fire again only a period later.
	pendingFull, pendingChange atomic.Bool
}

// pending is the work an entry had not started, handed to the entry that replaces it.
type pending struct{ full, change bool }

// outcome is how a run the loop started ended.
type outcome struct {
	opts syncengine.RunOptions
	err  error
}

// newEntry builds the entry of c, taking over the work inherit its predecessor had not
// started, as far as c still schedules it.
func newEntry(s *Scheduler, c compiled, inherit pending) *entry {
	e := &entry{
		s: s, spec: c.spec, every: c.every, reconcil: c.reconcil,
		quit: make(chan struct{}), wakeCh: make(chan struct{}, 1), changeCh: make(chan struct{}, 1),
	}
	e.pendingFull.Store(inherit.full && c.reconcil != nil)
	e.pendingChange.Store(inherit.change && c.spec.PushOnChange)
	if len(c.spec.Objects) > 0 {
		e.objects = map[string]bool{}
		for _, o := range c.spec.Objects {
			e.objects[o] = true
		}
	}
	return e
}

// stop ends the loop; a run in flight is not interrupted.
func (e *entry) stop() { e.stopOnce.Do(func() { close(e.quit) }) }

// unstarted is the work the entry has not started, for the entry that replaces it.
func (e *entry) unstarted() pending {
	return pending{full: e.pendingFull.Load(), change: e.pendingChange.Load()}
}

// wake tells the loop that the gate opened or a run ended.
func (e *entry) wake() {
	select {
	case e.wakeCh <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// changed tells the loop about a local change to push.
func (e *entry) changed() {
	e.pendingChange.Store(true)
	select {
	case e.changeCh <- struct{}{}:
	default:
	}
}

// finished records how a run the loop started ended, for the loop to act on.
func (e *entry) finished(opts syncengine.RunOptions, err error) {
	e.mu.Lock()
	e.outcomes = append(e.outcomes, outcome{opts, err})
	e.mu.Unlock()
	e.wake()
}

func (e *entry) takeOutcomes() []outcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.outcomes
	e.outcomes = nil
	return out
}

// loopState is what one connector's loop is waiting for. Zero times mean "nothing".
type loopState struct {
	nextTick, nextFull time.Time // the next cron firings
	changeAt           time.Time // when the debounced change run is due
	firstChange        time.Time // the first change of the pending burst

	fullDue, changeDue     bool      // due, waiting for the gate (or for the retry time)
	fullAfter, changeAfter time.Time // not before: another process held the lease
}

// loop owns the connector's timers until stop.
func (e *entry) loop() {
	clock := e.s.opts.Clock
	now := clock.Now()
	st := loopState{nextTick: next(e.every, now), nextFull: next(e.reconcil, now),
		fullDue: e.pendingFull.Load(), changeDue: e.pendingChange.Load()}
	if st.fullDue || st.changeDue {
		e.fire(&st, now) // inherited work; while the gate is closed its release wakes the loop
	}
	for {
		var timerC <-chan time.Time
		var t Timer
		if at := st.wakeAt(now); !at.IsZero() {
			t = clock.TimerAt(at)
			timerC = t.C()
		}
		select {
		case <-e.quit:
			if t != nil {
				t.Stop()
			}
			return
		case <-e.changeCh:
			now = clock.Now()
			e.pendingChange.Store(true) // again: a run started since changed() may have cleared it
			if st.firstChange.IsZero() {
				st.firstChange = now
			}
			st.changeAt = minTime(now.Add(e.s.opts.Quiet), st.firstChange.Add(e.s.opts.MaxWait))
		case <-e.wakeCh:
			now = clock.Now()
			e.noteOutcomes(&st, now)
		case <-timerC:
			now = clock.Now()
		}
		if t != nil {
			t.Stop()
		}
		e.fire(&st, now)
	}
}

// noteOutcomes keeps due the work whose run found the lease held by another process, to try
// again later.
func (e *entry) noteOutcomes(st *loopState, now time.Time) {
	for _, o := range e.takeOutcomes() {
		if !errors.Is(o.err, syncengine.ErrBusy) {
			continue
		}
		switch {
		case o.opts.Full:
			st.fullDue, st.fullAfter = true, now.Add(e.s.opts.BusyRetry)
			e.pendingFull.Store(true)
		case o.opts.Trigger == syncengine.TriggerChange:
			st.changeDue, st.changeAfter = true, now.Add(e.s.opts.MaxWait)
			e.pendingChange.Store(true)
		}
	}
}

// fire starts what is due at now: a reconciliation first (it also pushes), then a change
// run, then a scheduled tick. A tick that finds the connector running is skipped; the other
// two stay due until the gate opens.
func (e *entry) fire(st *loopState, now time.Time) {
	tick := !st.nextTick.IsZero() && !now.Before(st.nextTick)
	if tick {
		st.nextTick = next(e.every, now)
	}
	if !st.nextFull.IsZero() && !now.Before(st.nextFull) {
		st.fullDue, st.fullAfter = true, time.Time{}
		st.nextFull = next(e.reconcil, now)
		e.pendingFull.Store(true)
	}
	if !st.changeAt.IsZero() && !now.Before(st.changeAt) {
		st.changeDue, st.changeAfter = true, time.Time{}
		st.changeAt, st.firstChange = time.Time{}, time.Time{}
	}

	switch {
	case st.fullDue && !now.Before(st.fullAfter):
		if e.s.tryStart(e, syncengine.RunOptions{Full: true, Trigger: syncengine.TriggerSchedule}) {
			st.fullDue, st.changeDue, tick = false, false, false
			e.pendingFull.Store(false)
			e.pendingChange.Store(!st.changeAt.IsZero())
		}
	case st.changeDue && !now.Before(st.changeAfter):
		if e.s.tryStart(e, syncengine.RunOptions{Trigger: syncengine.TriggerChange}) {
			st.changeDue, tick = false, false
			e.pendingChange.Store(!st.changeAt.IsZero())
		}
	}
	if !tick {
		return
	}
	if e.s.tryStart(e, syncengine.RunOptions{Trigger: syncengine.TriggerSchedule}) {
		return
	}
	e.s.log.Debug("scheduled sync run skipped: the previous run is still running", zap.String("connector", e.spec.Name))
	if e.s.opts.Skipped != nil {
		e.s.opts.Skipped(e.spec.Name)
	}
}

// wakeAt is when the loop must next look at the time: the earliest timer, or a retry time
// still ahead. Work waiting only for the gate needs no timer: the gate's release wakes the
// loop.
func (st *loopState) wakeAt(now time.Time) time.Time {
	at := minTime(minTime(st.nextTick, st.nextFull), st.changeAt)
	if st.fullDue && st.fullAfter.After(now) {
		at = minTime(at, st.fullAfter)
	}
	if st.changeDue && st.changeAfter.After(now) {
		at = minTime(at, st.changeAfter)
	}
	return at
}

// next is the schedule's next firing after now, zero without a schedule.
func next(s cron.Schedule, now time.Time) time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.Next(now)
}

// minTime is the earlier of a and b, where zero means "never".
func minTime(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}
