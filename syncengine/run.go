package syncengine

// One run of a connector: lease, phases per object, outcome.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// runner is one run (or plan) of one connector.
type runner struct {
	e     *Engine
	reg   *registered
	name  string
	runID int64
	full  bool
	// dry plans instead of writing; plan collects what would happen.
	dry  bool
	plan *Plan
	src  crmstore.Source

	counts         Counts
	approveDeletes bool
	// guard is set when the mass-delete guard tripped, with the reason.
	guard     string
	renewedAt time.Time
	// started is when the run began.
	started time.Time
	// assocOff names object pairs whose associations the remote refused to
	// read this run, with the reason, so they are not asked for again.
	assocOff map[string]string
}

func (e *Engine) newRunner(r *registered) *runner {
	name := r.spec.Name
	return &runner{e: e, reg: r, name: name, started: e.clock.Now(), assocOff: map[string]string{},
		src: crmstore.Source{Type: crmstore.SourceIntegration, ID: name, Label: name}}
}

// run executes a run, or a replay when replay is non-nil.
func (e *Engine) run(ctx context.Context, r *registered, opts RunOptions, replay []int64) (RunReport, error) {
	name := r.spec.Name
	if !e.claim(name) {
		return RunReport{}, fmt.Errorf("connector %s: %w", name, ErrBusy)
	}
	defer e.release(name)
	st, err := e.store.GetSyncConnectorState(ctx, name)
	if err != nil {
		return RunReport{}, err
	}
	if st.Paused {
		return RunReport{}, fmt.Errorf("connector %s: %w: %s", name, ErrPaused, st.PauseReason)
	}
	now := e.clock.Now()
	ok, err := e.store.AcquireSyncLease(ctx, name, e.holder, now, e.leaseTTL)
	if err != nil {
		return RunReport{}, err
	}
	if !ok {
		return RunReport{}, fmt.Errorf("connector %s: %w", name, ErrBusy)
	}
	defer func() {
		// Release even when ctx was cancelled: the lease must not outlive the run.
		if err := e.store.ReleaseSyncLease(context.WithoutCancel(ctx), name, e.holder); err != nil {
			e.log.Error("release connector lease", zap.String("connector", name), zap.Error(err))
		}
	}()
	rn := e.newRunner(r)
	rn.renewedAt, rn.started = now, now
	rn.approveDeletes = st.ApproveDeletes
	rn.full = replay == nil && (opts.Full || e.fullDue(r.spec, st, now))
	if opts.Trigger == "" {
		opts.Trigger = TriggerManual
	}
	if rn.runID, err = e.store.StartSyncRun(ctx, name, opts.Trigger, rn.full, now); err != nil {
		return RunReport{}, err
	}
	if replay != nil {
		err = rn.replay(ctx, replay)
	} else {
		err = rn.syncAll(ctx)
	}
	return e.finish(ctx, rn, opts.Trigger, now, err)
}

// fullDue reports whether the spec's periodic full reconciliation is due.
func (e *Engine) fullDue(spec ConnectorSpec, st crmstore.SyncConnectorState, now time.Time) bool {
	if spec.FullEvery > 0 && st.RunsSinceFull+1 >= spec.FullEvery {
		return true
	}
	return spec.FullInterval > 0 && now.Sub(st.LastFullAt) >= spec.FullInterval
}

// syncAll syncs every object in order, stopping at the first error or when
// the mass-delete guard trips, then pushes the local associations between
// them (once both ends of each are linked).
func (rn *runner) syncAll(ctx context.Context) error {
	for _, spec := range rn.reg.spec.Objects {
		if err := rn.syncObject(ctx, spec); err != nil {
			return fmt.Errorf("object %s: %w", spec.Object, err)
		}
		if rn.guard != "" {
			return nil
		}
	}
	return rn.pushAssociations(ctx)
}

// syncObject runs pull, push and deletes for one object.
func (rn *runner) syncObject(ctx context.Context, spec ObjectSpec) error {
	m, err := rn.compile(ctx, spec)
	if err != nil {
		return err
	}
	or := &objectRun{runner: rn, m: m, spec: spec}
	if rn.dry {
		rn.plan.Objects = append(rn.plan.Objects, ObjectPlan{Object: spec.Object})
		or.op = &rn.plan.Objects[len(rn.plan.Objects)-1]
	}
	steps := []func(context.Context) error{or.pullPhase, or.pushPhase, or.deletePhase}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// finish records the run's outcome and returns its report.
func (e *Engine) finish(ctx context.Context, rn *runner, trigger string, started time.Time, runErr error) (RunReport, error) {
	end := e.clock.Now()
	status := RunSucceeded
	msg := ""
	switch {
	case runErr != nil:
		status, msg = RunFailed, runErr.Error()
	case rn.guard != "":
		status, msg = RunPaused, rn.guard
	case rn.counts.Failed > 0 || rn.counts.Ambiguous > 0:
		status = RunPartial
	}
	bg := context.WithoutCancel(ctx)
	if rn.guard != "" {
		if err := e.store.PauseSyncConnector(bg, rn.name, rn.guard, end); err != nil {
			runErr = errors.Join(runErr, err)
		}
		e.log.Warn("mass-delete guard paused connector", zap.String("connector", rn.name), zap.String("reason", rn.guard))
	}
	if err := e.store.FinishSyncRun(bg, rn.runID, status, rn.counts, msg, end); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if status != RunFailed {
		if err := e.store.NoteSyncRunDone(bg, rn.name, rn.full, end); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	rep := RunReport{ID: rn.runID, Connector: rn.name, Trigger: trigger, Full: rn.full, StartedAt: started.UTC(),
		FinishedAt: end.UTC(), Status: status, Counts: rn.counts, Error: msg}
	if e.observer != nil {
		e.observer.RunFinished(rn.name, rep)
	}
	fields := []zap.Field{zap.String("connector", rn.name), zap.Int64("run", rn.runID), zap.String("status", status),
		zap.Int64("pulled", rn.counts.Pulled), zap.Int64("pushed", rn.counts.Pushed), zap.Int64("conflicts", rn.counts.Conflicts),
		zap.Int64("failed", rn.counts.Failed), zap.Duration("took", end.Sub(started))}
	if runErr != nil {
		e.log.Error("sync run failed", append(fields, zap.Error(runErr))...)
		return rep, runErr
	}
	e.log.Info("sync run finished", fields...)
	return rep, nil
}

// renewLease extends the run's lease once a third of its time has passed;
// a lost lease stops the run so two processes never sync one connector.
func (rn *runner) renewLease(ctx context.Context) error {
	if rn.dry {
		return nil
	}
	now := rn.e.clock.Now()
	if now.Sub(rn.renewedAt) < rn.e.leaseTTL/3 {
		return nil
	}
	ok, err := rn.e.store.RenewSyncLease(ctx, rn.name, rn.e.holder, now, rn.e.leaseTTL)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("lease of connector %s was lost: %w", rn.name, ErrBusy)
	}
	rn.renewedAt = now
	return nil
}

// objectRun is the part of a run about one object mapping.
type objectRun struct {
	*runner
	m    *objectMap
	spec ObjectSpec
	// op is the object's plan in a dry run.
	op *ObjectPlan
	// drifted are local records a full reconciliation found changed
	// against their base without a pending change-log row.
	drifted []int64
	// observedFrom is the start of the latest pull or listing of the object
	// that completed in this run: every remote record created before it was
	// returned (see mayRecreate).
	observedFrom time.Time
	// hasIntents is set when the object had unacknowledged creates as the
	// pull began.
	hasIntents bool
}

// isEcho reports whether a change was written by this connector's own
// sync, so it must not be pushed back to it.
func (rn *runner) isEcho(src crmstore.Source) bool {
	return src.Type == crmstore.SourceIntegration && src.ID == rn.name
}
