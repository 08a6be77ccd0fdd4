package syncengine

// The pull phase: remote pages merged and applied with their cursor.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// pullPhase brings remote changes into the store. A full run first lists
// every remote record (healing drift and, from a complete listing only,
// inferring deletions), then every run pulls incrementally from the cursor.
func (or *objectRun) pullPhase(ctx context.Context) error {
	if err := or.noteIntents(ctx); err != nil {
		return err
	}
	lister, canList := or.reg.conn.(connectors.Lister)
	if or.full && canList {
		if err := or.pullPages(ctx, lister.List, true); err != nil {
			return err
		}
		if !or.dry {
			if err := or.inferMissing(ctx); err != nil {
				return err
			}
		}
	}
	if !or.spec.Direction.pulls() {
		return nil
	}
	return or.pullPages(ctx, or.reg.conn.Pull, false)
}

// pullPages reads pages until the remote says it caught up. A listing
// starts from the beginning and moves no cursor; a pull starts from the
// stored cursor and commits the next one with each page.
func (or *objectRun) pullPages(ctx context.Context, read func(context.Context, connectors.PullRequest) (connectors.Page, error), listing bool) error {
	cursor := ""
	if !listing {
		c, err := or.e.store.GetSyncCursor(ctx, or.name, or.spec.Object)
		if err != nil {
			return err
		}
		cursor = c.Remote
	}
	verb := map[bool]string{true: "list", false: "pull"}[listing]
	started := or.e.clock.Now()
	for n := 1; ; n++ {
		if err := or.renewLease(ctx); err != nil {
			return err
		}
		req := connectors.PullRequest{Object: or.spec.Remote, Cursor: cursor, Fields: or.m.remoteFields, PageSize: or.e.pageSize}
		var page connectors.Page
		err := or.call(ctx, fmt.Sprintf("%s %s page %d", verb, or.spec.Remote, n), func(ctx context.Context) error {
			var err error
			page, err = read(ctx, req)
			return err
		})
		if err != nil {
			return err
		}
		pb := or.newPage()
		if listing {
			pb.page.SeenRun = or.runID
		} else {
			next := page.Cursor
			pb.page.RemoteCursor = &next
		}
		if err := or.applyRecords(ctx, pb, page.Records); err != nil {
			return fmt.Errorf("%s %s page %d: %w", verb, or.spec.Remote, n, err)
		}
		cursor = page.Cursor
		if !page.More {
			if started.After(or.observedFrom) {
				or.observedFrom = started
			}
			return nil
		}
	}
}

// pageBuilder collects what one page does before it is applied.
type pageBuilder struct {
	page crmstore.SyncPullPage
}

func (or *objectRun) newPage() *pageBuilder {
	return &pageBuilder{page: crmstore.SyncPullPage{Connector: or.name, Object: or.spec.Object, Source: or.src}}
}

func (pb *pageBuilder) quarantine(q crmstore.SyncQuarantine) {
	q.Direction = crmstore.SyncPull
	pb.page.Quarantine = append(pb.page.Quarantine, q)
}

// maxMergeAttempts bounds how often one page is merged again because local
// records changed between reading them and committing the page.
const maxMergeAttempts = 5

// applyRecords merges a page of remote records and applies the result in
// one transaction (or adds it to the plan in a dry run). A page the store
// refuses as stale (a local edit landed during the merge) is merged again
// from the records as they are now, so that edit is never overwritten.
func (or *objectRun) applyRecords(ctx context.Context, pb *pageBuilder, records []connectors.Record) error {
	recs := dedupe(records)
	or.counts.Pulled += int64(len(recs))
	if pb.page.SeenRun != 0 {
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.ID
		}
		pb.page.SeenIDs = ids
	}
	init := pb.page
	mp := &mergedPage{recs: recs}
	for attempt := 1; ; attempt++ {
		// A refused attempt wrote nothing: its tallies and drift go too.
		counts, drifted := or.counts, len(or.drifted)
		pb.page = init
		err := or.mergePage(ctx, pb, mp)
		if errors.Is(err, crmstore.ErrSyncStale) && attempt < maxMergeAttempts {
			or.counts, or.drifted = counts, or.drifted[:drifted]
			continue
		}
		if err != nil {
			return err
		}
		return or.applyAssociations(ctx, mp.assoc)
	}
}

// mergedPage is a page of remote records across merge attempts; the remote
// associations are read once.
type mergedPage struct {
	recs      []connectors.Record
	assoc     []remoteAssoc
	assocRead bool
}

// mergePage reads the local side of the page's records, merges them and
// commits the page.
func (or *objectRun) mergePage(ctx context.Context, pb *pageBuilder, mp *mergedPage) error {
	recs := mp.recs
	// Taken before any local record is read: a change after it is one the
	// merge may not have seen.
	readSeq, err := or.e.store.LastChangeSeq(ctx)
	if err != nil {
		return fmt.Errorf("read change log position: %w", err)
	}
	pb.page.ReadSeq = readSeq
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	links, err := or.e.store.SyncLinksByRemote(ctx, or.name, or.spec.Object, ids)
	if err != nil {
		return err
	}
	var localIDs []int64
	for _, l := range links {
		localIDs = append(localIDs, l.LocalID)
	}
	locals, err := or.e.store.SyncRecords(ctx, or.spec.Object, localIDs)
	if err != nil {
		return err
	}
	parked, err := or.e.store.OpenSyncConflicts(ctx, or.name, or.spec.Object, localIDs)
	if err != nil {
		return err
	}
	var unlinked []connectors.Record
	for _, r := range recs {
		l, ok := links[r.ID]
		if !ok {
			if !r.Deleted {
				unlinked = append(unlinked, r)
			}
			continue
		}
		or.mergeLinked(pb, r, l, locals[l.LocalID], parked[l.LocalID])
	}
	if err := or.matchUnlinked(ctx, pb, unlinked); err != nil {
		return err
	}
	// Associations are read before the page commits, so a failed read
	// leaves the cursor before the page and the next run reads it again.
	// A full reconciliation reads them for every record, healing drift.
	if !mp.assocRead {
		assocRecs := recs
		if pb.page.SeenRun == 0 {
			assocRecs = changedSince(recs, links)
		}
		if mp.assoc, err = or.readAssociations(ctx, assocRecs); err != nil {
			return err
		}
		mp.assocRead = true
	}
	return or.commitPage(ctx, pb)
}

// changedSince leaves out the records whose version is the one their link
// last synced: echoes of this engine's own writes, or a page read again.
func changedSince(recs []connectors.Record, links map[string]crmstore.SyncLink) []connectors.Record {
	var out []connectors.Record
	for _, r := range recs {
		if l, ok := links[r.ID]; ok && r.Version == l.RemoteVersion && sameMillis(r.ModifiedAt, l.RemoteModifiedAt) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// dedupe keeps the last occurrence of each remote id: a connector may
// repeat a record across a page boundary.
func dedupe(records []connectors.Record) []connectors.Record {
	pos := make(map[string]int, len(records))
	out := make([]connectors.Record, 0, len(records))
	for _, r := range records {
		if i, dup := pos[r.ID]; dup {
			out[i] = r
			continue
		}
		pos[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}

// commitPage applies the page and tallies it.
func (or *objectRun) commitPage(ctx context.Context, pb *pageBuilder) error {
	p := &pb.page
	or.counts.Conflicts += int64(len(p.Conflicts))
	if or.dry {
		or.planPull(p)
		return nil
	}
	res, err := or.e.store.ApplyPull(ctx, *p)
	if err != nil {
		return err
	}
	or.counts.CreatedLocal += int64(len(res.Created))
	or.counts.UpdatedLocal += int64(res.Updated)
	or.counts.DeletedLocal += int64(res.Archived)
	or.counts.Failed += int64(len(res.Failed))
	for _, q := range p.Quarantine {
		if q.Code != codeAmbiguous {
			or.counts.Failed++
		}
	}
	return nil
}

// mergeLinked decides what a remote record that is already linked does.
func (or *objectRun) mergeLinked(pb *pageBuilder, r connectors.Record, l crmstore.SyncLink, local *crmstore.Record, parked map[string]crmstore.SyncConflict) {
	if l.State != crmstore.LinkLinked {
		return // excluded: deleted on one side, or a deletion is pending
	}
	if r.Deleted {
		or.remoteGone(pb, l, local, r.ModifiedAt)
		return
	}
	vals, err := or.m.toLocal(r.Fields)
	if err != nil {
		pb.quarantine(crmstore.SyncQuarantine{LocalID: l.LocalID, RemoteID: r.ID, Op: "map", Code: "MAPPING_ERROR", Reason: err.Error()})
		return
	}
	if local == nil || local.Archived {
		or.localGone(pb, r, l, local, vals)
		return
	}
	props, base, changed := or.mergeRecord(pb, r, l.LocalID, local, l.Base, vals, parked)
	if !changed && r.Version == l.RemoteVersion && sameMillis(r.ModifiedAt, l.RemoteModifiedAt) {
		pb.page.Cleared = append(pb.page.Cleared, r.ID)
		return
	}
	link := &crmstore.SyncLinkWrite{LocalID: l.LocalID, RemoteID: r.ID, Base: base, RemoteVersion: r.Version, RemoteModifiedAt: r.ModifiedAt}
	if len(props) == 0 {
		pb.page.Links = append(pb.page.Links, *link)
		pb.page.Cleared = append(pb.page.Cleared, r.ID)
		return
	}
	pb.page.Writes = append(pb.page.Writes, crmstore.SyncRecordWrite{RemoteID: r.ID, LocalID: l.LocalID, Props: props, Link: link})
}

// mergeRecord runs the three-way merge over every mapped field the remote
// record carries. It returns the local values to write, the new base and
// whether the base changed; conflicts and settled conflicts go to the page.
func (or *objectRun) mergeRecord(pb *pageBuilder, r connectors.Record, localID int64, local *crmstore.Record, oldBase, vals map[string]string,
	parked map[string]crmstore.SyncConflict) (map[string]string, map[string]string, bool) {
	props := map[string]string{}
	base := maps.Clone(oldBase)
	if base == nil {
		base = map[string]string{}
	}
	changed, drifted := false, false
	newer := remoteNewer(r.ModifiedAt, local.UpdatedAt)
	for _, f := range or.m.fields {
		remote, read := vals[f.f.Local]
		if !read {
			continue
		}
		b, hadBase := base[f.f.Local]
		if !hadBase && !f.pulls {
			// A new link starts a push-only field from the remote's value,
			// so only a real difference is pushed.
			b = remote
		}
		pc, isParked := parked[f.f.Local]
		res := mergeField(mergeInput{Base: b, Local: local.Properties[f.f.Local], Remote: remote, Pulls: f.pulls, Pushes: f.pushes,
			Policy: or.spec.Conflict, RemoteNewer: newer, OverwriteEmpty: f.spec.OverwriteWithEmpty, Parked: isParked, Equal: f.equal})
		if res.SetLocal {
			props[f.f.Local] = res.Value
		}
		if !hadBase || res.Base != b {
			base[f.f.Local] = res.Base
			changed = true
		}
		if res.Resolved {
			pb.page.ResolvedConflicts = append(pb.page.ResolvedConflicts, pc.ID)
		}
		if res.Conflict {
			pb.page.Conflicts = append(pb.page.Conflicts, crmstore.SyncConflict{LocalID: localID, RemoteID: r.ID, Field: f.f.Local,
				Base: b, Local: local.Properties[f.f.Local], Remote: remote, Policy: string(or.spec.Conflict), Winner: res.Winner})
		}
		if or.full && f.pushes && !f.equal(local.Properties[f.f.Local], res.Base) && !res.SetLocal && !isParked {
			drifted = true
		}
	}
	if drifted {
		or.drifted = append(or.drifted, localID)
	}
	return props, base, changed
}

// sameMillis compares modification times as the store keeps them, to the
// millisecond.
func sameMillis(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	return a.UnixMilli() == b.UnixMilli()
}

// remoteGone handles a linked remote record that was deleted (a tombstone
// at time at, or missing from a complete listing with at zero). Deletion
// wins unless the local record was edited after it; the edit then wins and
// the pair is unlinked so the push can create the record again.
func (or *objectRun) remoteGone(pb *pageBuilder, l crmstore.SyncLink, local *crmstore.Record, at time.Time) {
	state := crmstore.LinkRemoteDeleted
	switch {
	case local == nil || local.Archived || or.spec.Deletes == DeletesIgnore:
	case or.editedSince(l, local, at):
		pb.page.Links = append(pb.page.Links, crmstore.SyncLinkWrite{LocalID: l.LocalID, Delete: true})
		return
	default:
		state = crmstore.LinkPendingLocalDelete
	}
	pb.page.Links = append(pb.page.Links, relink(l, state))
}

// editedSince reports whether the local record holds a mapped value that
// differs from its base and was written after at (any time when unknown).
func (or *objectRun) editedSince(l crmstore.SyncLink, local *crmstore.Record, at time.Time) bool {
	if !at.IsZero() && !local.UpdatedAt.After(at) {
		return false
	}
	for _, f := range or.m.fields {
		if f.pushes && !f.equal(local.Properties[f.f.Local], l.Base[f.f.Local]) {
			return true
		}
	}
	return false
}

// localGone handles a remote record edited while its local record is
// archived or deleted. Under propagate, a remote edit newer than the local
// archive wins and restores the record; otherwise the push side carries
// the deletion (or ignores it) as the policy says.
func (or *objectRun) localGone(pb *pageBuilder, r connectors.Record, l crmstore.SyncLink, local *crmstore.Record, vals map[string]string) {
	if or.spec.Deletes != DeletesPropagate || local == nil || local.ArchivedAt == nil || !remoteNewer(r.ModifiedAt, *local.ArchivedAt) {
		return
	}
	props, base, changed := or.mergeRecord(pb, r, l.LocalID, local, l.Base, vals, nil)
	if !changed && len(props) == 0 {
		return
	}
	pb.page.Writes = append(pb.page.Writes, crmstore.SyncRecordWrite{RemoteID: r.ID, LocalID: l.LocalID, Restore: true, Props: props,
		Link: &crmstore.SyncLinkWrite{RemoteID: r.ID, Base: base, RemoteVersion: r.Version, RemoteModifiedAt: r.ModifiedAt}})
}

// relink is l rewritten with a new state.
func relink(l crmstore.SyncLink, state string) crmstore.SyncLinkWrite {
	return crmstore.SyncLinkWrite{LocalID: l.LocalID, RemoteID: l.RemoteID, Base: l.Base, RemoteVersion: l.RemoteVersion,
		RemoteModifiedAt: l.RemoteModifiedAt, State: state}
}

// inferMissing runs after a complete listing: linked records it did not
// list were deleted on the remote.
func (or *objectRun) inferMissing(ctx context.Context) error {
	after := int64(0)
	for attempt := 1; ; attempt++ {
		links, err := or.e.store.SyncLinks(ctx, or.name, or.spec.Object, crmstore.SyncLinkQuery{
			States: []string{crmstore.LinkLinked}, NotSeenIn: or.runID, AfterLocalID: after, Limit: 500})
		if err != nil || len(links) == 0 {
			return err
		}
		err = or.inferMissingPage(ctx, links)
		if errors.Is(err, crmstore.ErrSyncStale) && attempt < maxMergeAttempts {
			continue // a local edit landed: decide this page again
		}
		if err != nil {
			return err
		}
		after, attempt = links[len(links)-1].LocalID, 0
	}
}

// inferMissingPage decides, from the local records as they are now, what
// the deletion of these links' remote records does, and commits it.
func (or *objectRun) inferMissingPage(ctx context.Context, links []crmstore.SyncLink) error {
	pb, locals, err := or.linkedLocals(ctx, links)
	if err != nil {
		return err
	}
	for _, l := range links {
		or.remoteGone(pb, l, locals[l.LocalID], time.Time{})
	}
	return or.commitPage(ctx, pb)
}

// linkedLocals reads the local records of links as they are now, and
// returns them with a page that carries the change-log position read
// first, so the store refuses the page as stale if one changes meanwhile.
func (or *objectRun) linkedLocals(ctx context.Context, links []crmstore.SyncLink) (*pageBuilder, map[int64]*crmstore.Record, error) {
	readSeq, err := or.e.store.LastChangeSeq(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read change log position: %w", err)
	}
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.LocalID
	}
	locals, err := or.e.store.SyncRecords(ctx, or.spec.Object, ids)
	if err != nil {
		return nil, nil, err
	}
	pb := or.newPage()
	pb.page.ReadSeq = readSeq
	return pb, locals, nil
}
