package syncengine

// Dry runs: what a run would change on each side, written nowhere.

import (
	"context"

	"github.com/tandem-crm/tandem/crmstore"
)

// plan runs pull, push and the delete check without writing anything.
func (e *Engine) plan(ctx context.Context, r *registered) (Plan, error) {
	rn := e.newRunner(r)
	rn.dry = true
	rn.plan = &Plan{Connector: r.spec.Name, Objects: make([]ObjectPlan, 0, len(r.spec.Objects))}
	st, err := e.store.GetSyncConnectorState(ctx, r.spec.Name)
	if err != nil {
		return Plan{}, err
	}
	rn.approveDeletes = st.ApproveDeletes
	for _, spec := range r.spec.Objects {
		if err := rn.syncObject(ctx, spec); err != nil {
			return Plan{}, err
		}
	}
	return *rn.plan, nil
}

func (s *PlanSide) add(item PlanItem) {
	if len(s.Items) < MaxPlanItems {
		s.Items = append(s.Items, item)
	}
}

// planPull adds what a pulled page would do to the plan.
func (or *objectRun) planPull(p *crmstore.SyncPullPage) {
	op := or.op
	for _, w := range p.Writes {
		switch {
		case w.Create:
			op.Local.Create++
			op.Local.add(PlanItem{Op: "create", RemoteID: w.RemoteID, Fields: w.Props})
		case w.Archive:
			op.Local.Delete++
			op.Local.add(PlanItem{Op: "delete", LocalID: w.LocalID, RemoteID: w.RemoteID})
		case len(w.Props) > 0 || w.Restore:
			op.Local.Update++
			op.Local.add(PlanItem{Op: "update", LocalID: w.LocalID, RemoteID: w.RemoteID, Fields: w.Props})
		}
	}
	for _, l := range p.Links {
		if l.State == crmstore.LinkPendingLocalDelete {
			op.Local.Delete++
			op.Local.add(PlanItem{Op: "delete", LocalID: l.LocalID, RemoteID: l.RemoteID})
		}
	}
	op.ConflictCount += len(p.Conflicts)
	for _, c := range p.Conflicts {
		if len(op.Conflicts) < MaxPlanItems {
			c.Connector, c.Object = or.name, or.spec.Object
			op.Conflicts = append(op.Conflicts, c)
		}
	}
}

// planPush adds what pushing would do to the plan.
func (or *objectRun) planPush(out []outgoing, page crmstore.SyncPushPage) {
	op := or.op
	for _, o := range out {
		item := PlanItem{Op: o.change.Kind.String(), LocalID: o.localID, RemoteID: o.change.ID, Fields: o.change.Fields}
		if o.change.ID == "" {
			op.Remote.Create++
		} else {
			op.Remote.Update++
		}
		op.Remote.add(item)
	}
	for _, l := range page.Links {
		if l.State == crmstore.LinkPendingRemoteDelete {
			op.Remote.Delete++
			op.Remote.add(PlanItem{Op: "delete", LocalID: l.LocalID, RemoteID: l.RemoteID})
		}
	}
}
