package syncengine

// Pushing local associations to the remote.

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// pushAssociations pushes, for every object pair both pushing, the local
// associations made since the pair's cursor: the change log's associate
// rows, echoes of this connector's own writes left out. It runs after every
// object synced, so records created on either side in this run are linked.
// An association whose records are not both linked by then is not pushed.
func (rn *runner) pushAssociations(ctx context.Context) error {
	a, ok := rn.reg.conn.(connectors.Associator)
	if !ok || rn.dry {
		return nil
	}
	types := map[string]string{}
	for _, o := range rn.e.store.ObjectTypes() {
		types[o.Name] = o.TypeID
	}
	for _, p := range rn.assocPairs() {
		if !p.from.Direction.pushes() || !p.to.Direction.pushes() {
			continue
		}
		ap := &assocPush{runner: rn, a: a, pair: p, fromType: types[p.from.Object], toType: types[p.to.Object]}
		if err := ap.run(ctx); err != nil {
			return fmt.Errorf("associations %s: %w", p.key(), err)
		}
	}
	return nil
}

// assocPush pushes the local associations of one object pair.
type assocPush struct {
	*runner
	a                connectors.Associator
	pair             assocPair
	fromType, toType string
}

// run reads the change log from the pair's cursor and pushes it page by
// page, moving the cursor after each page the remote took in full.
func (ap *assocPush) run(ctx context.Context) error {
	p := ap.pair
	cur, err := ap.e.store.GetSyncAssocCursor(ctx, ap.name, p.from.Object, p.to.Object)
	if err != nil {
		return err
	}
	end, err := ap.e.store.LastChangeSeq(ctx)
	if err != nil {
		return fmt.Errorf("read change log position: %w", err)
	}
	for seq := cur; seq < end; {
		if err := ap.renewLease(ctx); err != nil {
			return err
		}
		changes, err := ap.e.store.Changes(ctx, seq, changePage)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		last := changes[len(changes)-1].Seq
		if err := ap.send(ctx, ap.changed(changes)); err != nil {
			return fmt.Errorf("push associations after %d: %w", seq, err)
		}
		if err := ap.e.store.SetSyncAssocCursor(ctx, ap.name, p.from.Object, p.to.Object, last); err != nil {
			return err
		}
		seq = last
	}
	return nil
}

// changed lists, once each and oriented from the pair's first object, the
// associations the changes added between records of the pair's objects.
// Each association is logged from both of its records; either row will do.
func (ap *assocPush) changed(changes []crmstore.Change) []crmstore.SyncAssociationPair {
	seen := map[crmstore.SyncAssociationPair]bool{}
	var out []crmstore.SyncAssociationPair
	for _, ch := range changes {
		if ch.Op != crmstore.OpAssociate || ch.Association == nil || ap.isEcho(ch.Source) {
			continue
		}
		var pr crmstore.SyncAssociationPair
		switch {
		case ch.Object == ap.pair.from.Object && ch.Association.ToObjectTypeID == ap.toType:
			pr = crmstore.SyncAssociationPair{FromID: ch.RecordID, ToID: ch.Association.ToID}
		case ch.Object == ap.pair.to.Object && ch.Association.ToObjectTypeID == ap.fromType:
			pr = crmstore.SyncAssociationPair{FromID: ch.Association.ToID, ToID: ch.RecordID}
		default:
			continue
		}
		if !seen[pr] {
			seen[pr] = true
			out = append(out, pr)
		}
	}
	return out
}

// send pushes the pairs that still hold locally and whose records are both
// linked. A pair the remote refuses for good is logged and counted as
// failed; any other failure is returned, so the cursor stays and the page
// is pushed again (associating is idempotent).
func (ap *assocPush) send(ctx context.Context, pairs []crmstore.SyncAssociationPair) error {
	remote, err := ap.remotePairs(ctx, pairs)
	if err != nil || len(remote) == 0 {
		return err
	}
	p := ap.pair
	for start := 0; start < len(remote); start += pushBatch {
		chunk := remote[start:min(start+pushBatch, len(remote))]
		var errs []error
		err := ap.call(ctx, fmt.Sprintf("associate %d %s→%s", len(chunk), p.from.Remote, p.to.Remote), func(ctx context.Context) error {
			var err error
			errs, err = ap.a.Associate(ctx, p.from.Remote, p.to.Remote, chunk)
			return err
		})
		if err != nil {
			return err
		}
		if len(errs) != len(chunk) {
			return fmt.Errorf("connector returned %d results for %d associations", len(errs), len(chunk))
		}
		if err := ap.settle(chunk, errs); err != nil {
			return err
		}
	}
	return nil
}

// settle logs and counts the pairs the remote refused for good and returns
// the first transient failure.
func (ap *assocPush) settle(chunk []connectors.Association, errs []error) error {
	var transient error
	for i, e := range errs {
		switch {
		case e == nil:
		case connectors.IsPermanent(e):
			ap.counts.Failed++
			ap.e.log.Warn("remote refused an association", zap.String("connector", ap.name), zap.String("pair", ap.pair.key()),
				zap.String("from", chunk[i].FromID), zap.String("to", chunk[i].ToID), zap.Error(e))
		case transient == nil:
			transient = fmt.Errorf("associate remote %s with %s: %w", chunk[i].FromID, chunk[i].ToID, e)
		}
	}
	return transient
}

// remotePairs maps local pairs that are still associated to remote ids,
// leaving out pairs whose records are not both linked.
func (ap *assocPush) remotePairs(ctx context.Context, pairs []crmstore.SyncAssociationPair) ([]connectors.Association, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	p := ap.pair
	gone, err := ap.e.store.MissingAssociations(ctx, p.from.Object, p.to.Object, pairs)
	if err != nil {
		return nil, err
	}
	removed := make(map[crmstore.SyncAssociationPair]bool, len(gone))
	for _, g := range gone {
		removed[g] = true
	}
	var fromIDs, toIDs []int64
	for _, pr := range pairs {
		fromIDs, toIDs = append(fromIDs, pr.FromID), append(toIDs, pr.ToID)
	}
	fromLinks, err := ap.e.store.SyncLinksByLocal(ctx, ap.name, p.from.Object, fromIDs)
	if err != nil {
		return nil, err
	}
	toLinks, err := ap.e.store.SyncLinksByLocal(ctx, ap.name, p.to.Object, toIDs)
	if err != nil {
		return nil, err
	}
	var out []connectors.Association
	for _, pr := range pairs {
		f, okF := fromLinks[pr.FromID]
		t, okT := toLinks[pr.ToID]
		if removed[pr] || !okF || !okT || f.State != crmstore.LinkLinked || t.State != crmstore.LinkLinked {
			continue
		}
		out = append(out, connectors.Association{FromID: f.RemoteID, ToID: t.RemoteID})
	}
	return out, nil
}
