package schedule

import (
	"context"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// Change-log reading bounds per poll: a bulk write of many changes is read over several polls
// rather than in one long pass. Reading stops early once every push connector is triggered.
const (
	changePage      = 1000
	maxPagesPerPoll = 10
)

// watch polls the change log every PollInterval and tells each push_on_change connector
// about changes it did not write itself, until Stop.
func (s *Scheduler) watch() {
	// Stop waits for this goroutine before it cancels the runs, so a poll stuck on a busy
	// store must end with stopCh, not with the runs' context.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.stopCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	w := watcher{s: s, last: -1}
	for {
		t := s.opts.Clock.TimerAt(s.opts.Clock.Now().Add(s.opts.PollInterval))
		select {
		case <-s.stopCh:
			t.Stop()
			return
		case <-t.C():
		}
		w.poll(ctx)
	}
}

// watcher is the change watcher's state.
type watcher struct {
	s *Scheduler
	// last is the newest change-log sequence number looked at; -1 until the first poll, which
	// starts where the connectors' pushes stopped (see startAt).
	last    int64
	failing bool // the last poll failed; logged once per streak
	// pushed holds, from the first poll on, how far each connector had pushed then: the
	// changes up to it are not news to that connector.
	pushed map[string]int64
}

// poll reads the changes since the last poll and triggers the connectors they concern.
func (w *watcher) poll(ctx context.Context) {
	targets := w.s.pushEntries()
	if len(targets) == 0 {
		w.last = -1 // nothing to push: start again from the pushed positions when a connector needs it
		return
	}
	head, err := w.s.opts.Changes.LastChangeSeq(ctx)
	if err != nil {
		w.fail(err)
		return
	}
	if w.last < 0 {
		// First poll: start where the connectors' pushes stopped, so changes made while the
		// daemon was down, or just before this poll, trigger a push now rather than at the
		// next scheduled run.
		w.last = w.startAt(ctx, targets, head)
	}
	if head < w.last {
		w.last = head // the store was replaced (a restore): start afresh
		w.recovered()
		return
	}
	for page := 0; page < maxPagesPerPoll && w.last < head && len(targets) > 0; page++ {
		changes, err := w.s.opts.Changes.Changes(ctx, w.last, changePage)
		if err != nil {
			w.fail(err)
			return
		}
		if len(changes) == 0 {
			break
		}
		for _, c := range changes {
			targets = w.triggerFor(targets, c)
		}
		w.last = changes[len(changes)-1].Seq
	}
	if len(targets) == 0 {
		w.last = max(w.last, head) // everyone is triggered: the rest changes nothing
	}
	w.recovered()
}

// PushPositions is an optional capability of the ChangeLog (*crmstore.Store has it): the
// change-log position up to which a connector has pushed the given objects (all of them when
// objects is empty).
type PushPositions interface {
	SyncPushedUpTo(ctx context.Context, connector string, objects []string) (int64, error)
}

// startAt is where the watcher's first poll starts reading: the lowest position the targets
// have pushed up to, or head when the change log cannot tell (changes before the start are
// then left to the scheduled runs).
func (w *watcher) startAt(ctx context.Context, targets []*entry, head int64) int64 {
	pp, ok := w.s.opts.Changes.(PushPositions)
	if !ok {
		return head
	}
	start := head
	pushed := map[string]int64{}
	for _, e := range targets {
		seq, err := pp.SyncPushedUpTo(ctx, e.spec.Name, e.spec.Objects)
		if err != nil {
			w.s.log.Warn("cannot read how far a connector has pushed; watching from the head",
				zap.String("connector", e.spec.Name), zap.Error(err))
			return head
		}
		pushed[e.spec.Name] = seq
		start = min(start, seq)
	}
	w.pushed = pushed
	return start
}

// triggerFor triggers the entries change c concerns and returns the others.
func (w *watcher) triggerFor(targets []*entry, c crmstore.Change) []*entry {
	rest := targets[:0]
	for _, e := range targets {
		if c.Seq > w.pushed[e.spec.Name] && e.concerns(c) {
			w.s.notifyChanged(e)
			continue
		}
		rest = append(rest, e)
	}
	return rest
}

// concerns reports whether change c is one for e's connector to push: made by anyone but the
// connector itself, to an object it syncs.
func (e *entry) concerns(c crmstore.Change) bool {
	if c.Source.Type == crmstore.SourceIntegration && c.Source.ID == e.spec.Name {
		return false // the connector's own write: pushing it back would echo
	}
	return e.objects == nil || e.objects[c.Object]
}

func (w *watcher) fail(err error) {
	if w.failing || w.s.isStopped() {
		return
	}
	w.failing = true
	w.s.log.Warn("cannot read the change log for push on change; retrying", zap.Error(err))
}

func (w *watcher) recovered() {
	if w.failing {
		w.failing = false
		w.s.log.Info("change log readable again; push on change resumed")
	}
}

// notifyChanged tells e's connector about a change: e, or the entry a reload (Set) put in its
// place since the poll listed it, which would otherwise never hear of the change.
func (s *Scheduler) notifyChanged(e *entry) {
	s.mu.Lock()
	cur := s.entries[e.spec.Name]
	s.mu.Unlock()
	if cur != nil && cur.spec.PushOnChange {
		cur.changed()
	}
}

// pushEntries lists the entries with push_on_change.
func (s *Scheduler) pushEntries() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*entry
	for _, e := range s.entries {
		if e.spec.PushOnChange {
			out = append(out, e)
		}
	}
	return out
}

func (s *Scheduler) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}
