package syncengine

// Deletions: the mass-delete guard and applying pending deletes on either side.

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// deletePhase applies the deletions pending for the object, or trips the
// mass-delete guard: when they exceed max_delete_percent of the object's
// linked records (and the operator did not approve them on resume), the
// connector is paused with the reason and nothing is deleted.
func (or *objectRun) deletePhase(ctx context.Context) error {
	if or.spec.Deletes == DeletesIgnore {
		return nil
	}
	n, err := or.e.store.CountSyncLinks(ctx, or.name, or.spec.Object)
	if err != nil {
		return err
	}
	local, remote := n[crmstore.LinkPendingLocalDelete], n[crmstore.LinkPendingRemoteDelete]
	if or.dry {
		local += int64(or.op.Local.Delete)
		remote += int64(or.op.Remote.Delete)
	}
	pending := local + remote
	if pending == 0 {
		return nil
	}
	// Links a dry run would mark pending are still counted as linked.
	total := n[crmstore.LinkLinked] + n[crmstore.LinkPendingLocalDelete] + n[crmstore.LinkPendingRemoteDelete]
	if !or.approveDeletes && pending*100 > int64(or.spec.MaxDeletePercent)*total {
		reason := fmt.Sprintf("object %s: the run would delete %d of %d linked records (%d local, %d remote), more than max_delete_percent %d%%; check the remote, then resume approving or dropping the deletions",
			or.spec.Object, pending, total, local, remote, or.spec.MaxDeletePercent)
		if or.dry {
			or.op.DeleteGuard = reason
		} else {
			or.guard = reason
		}
		return nil
	}
	if or.dry {
		or.op.Local.Delete, or.op.Remote.Delete = int(local), int(remote)
		return nil
	}
	if err := or.archivePending(ctx); err != nil {
		return err
	}
	return or.deletePendingRemote(ctx)
}

// archivePending archives local records whose remote record was deleted.
// Deletion wins unless the local record was edited after the deletion was
// seen (the link marked pending, as the guard may have held it for long):
// such a record is kept and unlinked, as remoteGone does, and pushed so the
// remote gets it back. The pending state is never read again once the
// page commits, so the records unlinked are pushed here, not by the next
// push phase (their edits are behind its cursor already).
func (or *objectRun) archivePending(ctx context.Context) error {
	for after := int64(0); ; {
		links, err := or.e.store.SyncLinks(ctx, or.name, or.spec.Object, crmstore.SyncLinkQuery{
			States: []string{crmstore.LinkPendingLocalDelete}, AfterLocalID: after, Limit: crmstore.MaxBatch})
		if err != nil || len(links) == 0 {
			return err
		}
		kept, err := or.archivePendingPage(ctx, links)
		if err != nil {
			return err
		}
		if len(kept) > 0 && or.spec.Direction.pushes() {
			if err := or.pushRecords(ctx, kept, nil); err != nil {
				return fmt.Errorf("push %d records kept against a remote deletion: %w", len(kept), err)
			}
		}
		after = links[len(links)-1].LocalID
	}
}

// archivePendingPage decides and commits one page of pending local
// deletes, merged again when a local edit lands before the commit. It
// returns the local ids kept and unlinked.
func (or *objectRun) archivePendingPage(ctx context.Context, links []crmstore.SyncLink) ([]int64, error) {
	for attempt := 1; ; attempt++ {
		kept, err := or.archivePendingOnce(ctx, links)
		if errors.Is(err, crmstore.ErrSyncStale) && attempt < maxMergeAttempts {
			continue // a local edit landed: decide this page again
		}
		return kept, err
	}
}

// archivePendingOnce reads the local records of links as they are now,
// archives the unedited ones and unlinks the edited ones, in one page
// refused as stale if one of them changes meanwhile.
func (or *objectRun) archivePendingOnce(ctx context.Context, links []crmstore.SyncLink) ([]int64, error) {
	pb, locals, err := or.linkedLocals(ctx, links)
	if err != nil {
		return nil, err
	}
	var kept []int64
	for _, l := range links {
		// The link was last written when it was marked pending: that is
		// when the deletion was seen.
		if local := locals[l.LocalID]; local != nil && !local.Archived && or.editedSince(l, local, l.SyncedAt) {
			pb.page.Links = append(pb.page.Links, crmstore.SyncLinkWrite{LocalID: l.LocalID, Delete: true})
			kept = append(kept, l.LocalID)
			continue
		}
		w := relink(l, crmstore.LinkRemoteDeleted)
		pb.page.Writes = append(pb.page.Writes, crmstore.SyncRecordWrite{RemoteID: l.RemoteID, LocalID: l.LocalID, Archive: true, Link: &w})
	}
	if err := or.commitPage(ctx, pb); err != nil {
		return nil, err
	}
	return kept, nil
}

// deletePendingRemote deletes remote records whose local record was
// deleted (propagate policy).
func (or *objectRun) deletePendingRemote(ctx context.Context) error {
	for after := int64(0); ; {
		links, err := or.e.store.SyncLinks(ctx, or.name, or.spec.Object, crmstore.SyncLinkQuery{
			States: []string{crmstore.LinkPendingRemoteDelete}, AfterLocalID: after, Limit: pushBatch})
		if err != nil || len(links) == 0 {
			return err
		}
		batch := make([]outgoing, len(links))
		for i, l := range links {
			batch[i] = outgoing{change: connectors.Change{Kind: connectors.OpDelete, Ref: fmt.Sprint(l.LocalID), ID: l.RemoteID}, localID: l.LocalID, link: l}
		}
		results, err := or.send(ctx, batch)
		if err != nil {
			return err
		}
		page := crmstore.SyncPushPage{Connector: or.name, Object: or.spec.Object}
		_, transient := or.settle(&page, batch, results)
		if err := or.e.store.ApplyPush(ctx, page); err != nil {
			return err
		}
		if transient != nil {
			return transient
		}
		after = links[len(links)-1].LocalID
	}
}
