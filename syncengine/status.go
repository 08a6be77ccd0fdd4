package syncengine

// Connector status for the admin endpoint and the CLI.

import (
	"context"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// status gathers a connector's state and counts from the store.
func (e *Engine) status(ctx context.Context, r *registered) (Status, error) {
	name := r.spec.Name
	now := e.clock.Now()
	st, err := e.store.GetSyncConnectorState(ctx, name)
	if err != nil {
		return Status{}, err
	}
	out := Status{Connector: name, State: StateIdle}
	runs, err := e.store.SyncRuns(ctx, name, 1)
	if err != nil {
		return Status{}, err
	}
	if len(runs) > 0 {
		rep := reportOf(runs[0])
		out.LastRun = &rep
	}
	switch {
	case st.Paused:
		out.State, out.Reason, out.PausedAt = StatePaused, st.PauseReason, st.PausedAt
	case st.LeaseHolder != "" && st.LeaseExpires.After(now):
		out.State = StateRunning
	case out.LastRun != nil && out.LastRun.Status == RunFailed:
		out.State, out.Reason = StateFailing, out.LastRun.Error
	}
	ok, err := e.store.LastSuccessfulSyncRun(ctx, name)
	if err != nil {
		return Status{}, err
	}
	if ok != nil {
		out.LastSuccessAt = ok.FinishedAt
		out.LagSeconds = max(now.Sub(ok.FinishedAt).Seconds(), 0)
	}
	if err := e.countLinks(ctx, r, &out); err != nil {
		return Status{}, err
	}
	if out.Quarantined, err = e.store.CountSyncQuarantine(ctx, name, time.Time{}); err != nil {
		return Status{}, err
	}
	if out.LastRun != nil {
		if out.Failing, err = e.store.CountSyncQuarantine(ctx, name, out.LastRun.StartedAt); err != nil {
			return Status{}, err
		}
	}
	if out.OpenConflicts, err = e.store.CountOpenSyncConflicts(ctx, name); err != nil {
		return Status{}, err
	}
	return out, nil
}

// countLinks fills the link counts and the pending local changes (past the
// slowest object's cursor).
func (e *Engine) countLinks(ctx context.Context, r *registered, out *Status) error {
	n, err := e.store.CountSyncLinks(ctx, r.spec.Name, "")
	if err != nil {
		return err
	}
	out.InSync = n[crmstore.LinkLinked]
	out.Excluded = n[crmstore.LinkRemoteDeleted] + n[crmstore.LinkLocalDeleted]
	out.PendingDelete = n[crmstore.LinkPendingLocalDelete] + n[crmstore.LinkPendingRemoteDelete]
	last, err := e.store.LastChangeSeq(ctx)
	if err != nil {
		return err
	}
	for _, o := range r.spec.Objects {
		if !o.Direction.pushes() {
			continue
		}
		c, err := e.store.GetSyncCursor(ctx, r.spec.Name, o.Object)
		if err != nil {
			return err
		}
		out.PendingChanges = max(out.PendingChanges, last-c.LocalSeq)
	}
	return nil
}
