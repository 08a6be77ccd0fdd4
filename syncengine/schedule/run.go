package schedule

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/syncengine"
)

// Run runs connector name now and waits for it, through the same gate as the scheduled
// runs: it returns an error wrapping syncengine.ErrBusy when a run of the connector is in
// flight in this process, and ErrStopped once the scheduler is stopping. The run is
// cancelled when ctx ends or when Stop gives up waiting; pass context.WithoutCancel of a
// request's context to let a run outlive its caller. Otherwise it returns what the engine's
// Run returns.
func (s *Scheduler) Run(ctx context.Context, name string, opts syncengine.RunOptions) (syncengine.RunReport, error) {
	runCtx, release, err := s.acquire(ctx, name)
	if err != nil {
		return syncengine.RunReport{}, err
	}
	defer release()
	return s.opts.Runner.Run(runCtx, name, opts)
}

// Replay retries quarantined records of connector name (the given ids, all when empty)
// through the same gate as Run.
func (s *Scheduler) Replay(ctx context.Context, name string, ids []int64) (syncengine.RunReport, error) {
	runCtx, release, err := s.acquire(ctx, name)
	if err != nil {
		return syncengine.RunReport{}, err
	}
	defer release()
	return s.opts.Runner.Replay(runCtx, name, ids)
}

// Running reports whether a run of connector name is in flight in this process.
func (s *Scheduler) Running(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[name]
}

// acquire takes connector name's gate and joins the daemon's work group. The returned
// context ends with ctx or when Stop cancels the runs; release gives everything back and
// wakes the connector's loop, which may have work waiting for the gate.
func (s *Scheduler) acquire(ctx context.Context, name string) (context.Context, func(), error) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, nil, ErrStopped
	}
	if s.running[name] {
		s.mu.Unlock()
		return nil, nil, fmt.Errorf("connector %s: %w", name, syncengine.ErrBusy)
	}
	s.running[name] = true
	s.runs.Add(1)
	s.mu.Unlock()

	done, ok := s.opts.Join("sync " + name)
	if !ok {
		s.unmark(name)
		return nil, nil, ErrStopped
	}
	runCtx, cancel := context.WithCancel(ctx)
	stopAfter := context.AfterFunc(s.runCtx, cancel)
	release := func() {
		stopAfter()
		cancel()
		done()
		s.unmark(name)
	}
	return runCtx, release, nil
}

// WhenIdle calls f once no run of connector name is in flight in this process: at once when
// none is, otherwise when the running one ends. The daemon closes a replaced connector this
// way, after the run that still uses it.
func (s *Scheduler) WhenIdle(name string, f func()) {
	s.mu.Lock()
	if !s.running[name] {
		s.mu.Unlock()
		f()
		return
	}
	s.idle[name] = append(s.idle[name], f)
	s.mu.Unlock()
}

// unmark opens connector name's gate again, runs its WhenIdle funcs and wakes its loop.
func (s *Scheduler) unmark(name string) {
	s.mu.Lock()
	delete(s.running, name)
	e := s.entries[name]
	fns := s.idle[name]
	delete(s.idle, name)
	s.mu.Unlock()
	for _, f := range fns {
		f()
	}
	s.runs.Done()
	if e != nil {
		e.wake()
	}
}

// tryStart starts a run of e's connector in the background when its gate is free, and
// reports whether it did. The outcome goes back to e.
func (s *Scheduler) tryStart(e *entry, opts syncengine.RunOptions) bool {
	runCtx, release, err := s.acquire(context.Background(), e.spec.Name)
	if err != nil {
		return false
	}
	go func() {
		defer release()
		rep, err := s.opts.Runner.Run(runCtx, e.spec.Name, opts)
		s.logOutcome(e.spec.Name, opts, rep, err)
		e.finished(opts, err)
	}()
	return true
}

// logOutcome logs what the engine does not: runs that did not start. The engine logs every
// run it records (finished or failed) itself.
func (s *Scheduler) logOutcome(name string, opts syncengine.RunOptions, rep syncengine.RunReport, err error) {
	switch {
	case err == nil, rep.ID != 0:
		return
	case errors.Is(err, syncengine.ErrBusy):
		s.log.Debug("sync run not started: another process is running the connector",
			zap.String("connector", name), zap.String("trigger", opts.Trigger), zap.Bool("full", opts.Full))
	case errors.Is(err, syncengine.ErrPaused):
		s.log.Debug("sync run not started: connector paused",
			zap.String("connector", name), zap.String("trigger", opts.Trigger), zap.Error(err))
	case errors.Is(err, context.Canceled):
		s.log.Debug("sync run not started: shutting down", zap.String("connector", name))
	default:
		s.log.Error("sync run could not start",
			zap.String("connector", name), zap.String("trigger", opts.Trigger), zap.Bool("full", opts.Full), zap.Error(err))
	}
}
