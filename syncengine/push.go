package syncengine

// The push phase: local changes sent to the remote in batches, outcomes recorded.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// pushBatch is the most changes one Push call carries.
const pushBatch = 100

// changePage is how many change-log rows the push reads at a time.
const changePage = 1000

// pushPhase sends local changes: the change log since the object's local
// cursor (echoes of this connector's own writes skipped), then, in a full
// reconciliation, records found drifted and live records never linked.
func (or *objectRun) pushPhase(ctx context.Context) error {
	if !or.spec.Direction.pushes() {
		return nil
	}
	if err := or.retryUnknownCreates(ctx); err != nil {
		return err
	}
	cur, err := or.e.store.GetSyncCursor(ctx, or.name, or.spec.Object)
	if err != nil {
		return err
	}
	end, err := or.e.store.LastChangeSeq(ctx)
	if err != nil {
		return fmt.Errorf("read change log position: %w", err)
	}
	for seq := cur.LocalSeq; seq < end; {
		if err := or.renewLease(ctx); err != nil {
			return err
		}
		changes, err := or.e.store.Changes(ctx, seq, changePage)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			break
		}
		ids := or.changedRecords(changes)
		last := changes[len(changes)-1].Seq
		if err := or.pushRecords(ctx, ids, &last); err != nil {
			return fmt.Errorf("push changes after %d: %w", seq, err)
		}
		seq = last
	}
	if or.full {
		return or.pushUnsynced(ctx)
	}
	return nil
}

// changedRecords lists, once each, the records of the object that changes
// touched, leaving out this connector's echoes (counted).
func (or *objectRun) changedRecords(changes []crmstore.Change) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, ch := range changes {
		if ch.Object != or.spec.Object || ch.Op == crmstore.OpAssociate || ch.Op == crmstore.OpDissociate {
			continue
		}
		if or.isEcho(ch.Source) {
			or.counts.SkippedEcho++
			continue
		}
		if !seen[ch.RecordID] {
			seen[ch.RecordID] = true
			ids = append(ids, ch.RecordID)
		}
	}
	return ids
}

// pushUnsynced pushes, in a full reconciliation, the records whose values
// drifted from their base and the live records that have no link.
func (or *objectRun) pushUnsynced(ctx context.Context) error {
	for start := 0; start < len(or.drifted); start += changePage {
		if err := or.pushRecords(ctx, or.drifted[start:min(start+changePage, len(or.drifted))], nil); err != nil {
			return err
		}
	}
	if !or.spec.Create.pushes() {
		return nil
	}
	for after := int64(0); ; {
		ids, err := or.e.store.UnlinkedRecordIDs(ctx, or.name, or.spec.Object, after, pushBatch*5)
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := or.pushRecords(ctx, ids, nil); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// outgoing is one change on its way to the remote with what to record
// when it succeeds.
type outgoing struct {
	change  connectors.Change
	localID int64
	link    crmstore.SyncLink // zero for creates
	base    map[string]string // the base after success
	// keys are a create's match-key values, by local property, kept with
	// its intent so the record can be found on the remote.
	keys map[string]string
}

// pushRecords pushes the given local records and records the outcome,
// with the local cursor moved to seq when every change was settled (a
// transient failure keeps it, so the changes are read again next run).
// Creates are recorded as intents before they are sent, so one whose
// answer is lost is looked for on the remote rather than sent twice.
func (or *objectRun) pushRecords(ctx context.Context, ids []int64, seq *int64) error {
	out, page, err := or.prepareOutgoing(ctx, ids)
	if err != nil {
		return err
	}
	if or.dry {
		or.planPush(out, page)
		return nil
	}
	var transient error
	var existing []existingLink
	for start := 0; start < len(out); start += pushBatch {
		batch := out[start:min(start+pushBatch, len(out))]
		err := or.recordIntents(ctx, batch)
		var results []connectors.Result
		if err == nil {
			results, err = or.send(ctx, batch)
		}
		if err != nil {
			// Record what earlier batches achieved before failing the run.
			page.LocalSeq = nil
			return errors.Join(err, or.e.store.ApplyPush(context.WithoutCancel(ctx), page))
		}
		found, err := or.settle(&page, batch, results)
		existing = append(existing, found...)
		if err != nil && transient == nil {
			transient = err
		}
	}
	relinked, err := or.linkExisting(ctx, &page, existing)
	if err != nil && transient == nil {
		transient = err
	}
	if transient == nil {
		page.LocalSeq = seq
	}
	if err := or.e.store.ApplyPush(ctx, page); err != nil {
		return err
	}
	if transient != nil || len(relinked) == 0 {
		return transient
	}
	// Records just linked to existing remote ones push what the remote
	// lacks now: their change-log rows are behind the cursor.
	return or.pushRecords(ctx, relinked, nil)
}

// prepareOutgoing computes the changes for the records: fields whose local
// value differs from the base for linked records, every value for records
// to create, and link state changes for local deletions.
func (or *objectRun) prepareOutgoing(ctx context.Context, ids []int64) ([]outgoing, crmstore.SyncPushPage, error) {
	page := crmstore.SyncPushPage{Connector: or.name, Object: or.spec.Object}
	if len(ids) == 0 {
		return nil, page, nil
	}
	recs, err := or.e.store.SyncRecords(ctx, or.spec.Object, ids)
	if err != nil {
		return nil, page, err
	}
	links, err := or.e.store.SyncLinksByLocal(ctx, or.name, or.spec.Object, ids)
	if err != nil {
		return nil, page, err
	}
	parked, err := or.e.store.OpenSyncConflicts(ctx, or.name, or.spec.Object, ids)
	if err != nil {
		return nil, page, err
	}
	intents, err := or.e.store.SyncCreateIntents(ctx, or.name, or.spec.Object, ids)
	if err != nil {
		return nil, page, err
	}
	var out []outgoing
	for _, id := range ids {
		rec := recs[id]
		gone := rec == nil || rec.Archived
		l, linked := links[id]
		var o *outgoing
		var err error
		switch {
		case linked && l.State != crmstore.LinkLinked:
			page.Cleared = append(page.Cleared, id)
		case linked && gone:
			state := crmstore.LinkLocalDeleted
			if or.spec.Deletes == DeletesPropagate {
				state = crmstore.LinkPendingRemoteDelete
			}
			page.Links = append(page.Links, relink(l, state))
		case linked:
			if o, err = or.update(&page, rec, l, parked[id]); err == nil && o == nil {
				page.Cleared = append(page.Cleared, id)
			}
		case !gone && or.spec.Create.pushes():
			if in, unknown := intents[id]; unknown && !or.mayRecreate(in) {
				continue // the earlier create may have landed: wait for the pulls to tell
			}
			o, err = or.create(rec)
		case gone:
			// A deleted record is not created; once its earlier create is
			// known not to have landed (or can never be found), the intent
			// has nothing left to guard.
			if in, unknown := intents[id]; unknown && or.mayRecreate(in) {
				page.DropIntents = append(page.DropIntents, id)
			}
		}
		if err != nil {
			page.Quarantine = append(page.Quarantine, crmstore.SyncQuarantine{LocalID: id, RemoteID: l.RemoteID, Op: "map", Code: "MAPPING_ERROR", Reason: err.Error()})
			or.counts.Failed++
			continue
		}
		if o != nil {
			out = append(out, *o)
		}
	}
	return out, page, nil
}

// update is the change for a linked record, nil when nothing differs.
// Parked fields are not pushed; one whose local value now equals the
// conflict's remote value settles the conflict.
func (or *objectRun) update(page *crmstore.SyncPushPage, rec *crmstore.Record, l crmstore.SyncLink, parked map[string]crmstore.SyncConflict) (*outgoing, error) {
	fields := map[string]string{}
	base := maps.Clone(l.Base)
	if base == nil {
		base = map[string]string{}
	}
	settled := false
	for _, f := range or.m.fields {
		if !f.pushes {
			continue
		}
		local, b := rec.Properties[f.f.Local], l.Base[f.f.Local]
		if pc, p := parked[f.f.Local]; p {
			if f.equal(local, pc.Remote) {
				page.ResolvedConflicts = append(page.ResolvedConflicts, pc.ID)
				base[f.f.Local] = local
				settled = true
			}
			continue
		}
		if f.equal(local, b) || (local == "" && !f.spec.OverwriteWithEmpty) {
			continue
		}
		if err := f.put(fields, base, local); err != nil {
			return nil, err
		}
	}
	if len(fields) == 0 {
		if settled {
			w := relink(l, crmstore.LinkLinked)
			w.Base = base
			page.Links = append(page.Links, w)
		}
		return nil, nil
	}
	return &outgoing{change: connectors.Change{Kind: connectors.OpUpdate, Ref: strconv.FormatInt(rec.ID, 10), ID: l.RemoteID, Fields: fields},
		localID: rec.ID, link: l, base: base}, nil
}

// put adds the field's local value to a change: converted for the remote in fields, as the
// base the push will record in base.
func (f *fieldMap) put(fields, base map[string]string, local string) error {
	v, err := f.f.ToRemote(local)
	if err != nil {
		return fmt.Errorf("local property %s: %w", f.f.Local, err)
	}
	fields[f.f.Remote] = v
	base[f.f.Local] = local
	return nil
}

// create is the change creating a local record on the remote, nil when it
// has no value to send.
func (or *objectRun) create(rec *crmstore.Record) (*outgoing, error) {
	fields := map[string]string{}
	base := map[string]string{}
	for _, f := range or.m.fields {
		local := rec.Properties[f.f.Local]
		if !f.pushes || local == "" {
			continue
		}
		if err := f.put(fields, base, local); err != nil {
			return nil, err
		}
	}
	if len(fields) == 0 {
		return nil, nil
	}
	keys := map[string]string{}
	for _, k := range or.spec.Match {
		if v := strings.TrimSpace(rec.Properties[k]); v != "" && or.m.byLocal[k] != nil && or.m.byLocal[k].pushes {
			keys[k] = v
		}
	}
	return &outgoing{change: connectors.Change{Kind: connectors.OpCreate, Ref: strconv.FormatInt(rec.ID, 10), Fields: fields},
		localID: rec.ID, base: base, keys: keys}, nil
}

// send pushes one batch: creates in calls of their own, never repeated
// after a failure that may have been applied (see callOnce), then the
// updates and deletes, which are safe to repeat. A whole-call failure of
// the first call sent fails the batch; a later one fails its changes only,
// so the results of what was applied are kept.
func (or *objectRun) send(ctx context.Context, batch []outgoing) ([]connectors.Result, error) {
	var creates, others []int
	for i, o := range batch {
		if o.change.Kind == connectors.OpCreate {
			creates = append(creates, i)
		} else {
			others = append(others, i)
		}
	}
	results := make([]connectors.Result, len(batch))
	sent := false
	for _, part := range []struct {
		idx    []int
		repeat bool
	}{{creates, false}, {others, true}} {
		if len(part.idx) == 0 {
			continue
		}
		res, err := or.sendPart(ctx, batch, part.idx, part.repeat)
		if err != nil && !sent {
			return nil, err
		}
		for j, i := range part.idx {
			if err != nil {
				results[i] = connectors.Result{Ref: batch[i].change.Ref, ID: batch[i].change.ID, Err: err}
			} else {
				results[i] = res[j]
			}
		}
		sent = true
	}
	return results, nil
}

// sendPart pushes the changes batch[idx...] and returns their results in
// that order. When repeat, changes failing transiently are pushed again
// with backoff within the retry policy; what still fails is in the results.
func (or *objectRun) sendPart(ctx context.Context, batch []outgoing, idx []int, repeat bool) ([]connectors.Result, error) {
	results := make([]connectors.Result, len(idx))
	pending := make([]int, len(idx))
	for j := range idx {
		pending[j] = j
	}
	callFn := or.call
	if !repeat {
		callFn = or.callOnce
	}
	for attempt := 1; ; attempt++ {
		changes := make([]connectors.Change, len(pending))
		for j, k := range pending {
			changes[j] = batch[idx[k]].change
		}
		res, err := or.pushCall(ctx, callFn, changes)
		if err != nil {
			return nil, err
		}
		var again []int
		for j, k := range pending {
			results[k] = res[j]
			if e := res[j].Err; e != nil && !connectors.IsPermanent(e) {
				again = append(again, k)
			}
		}
		if !repeat || len(again) == 0 || attempt >= or.e.retry.MaxAttempts {
			return results, nil
		}
		if err := or.e.clock.Sleep(ctx, or.e.retry.backoff(attempt)); err != nil {
			return nil, err
		}
		pending = again
	}
}

// pushCall makes one Push call through callFn and returns one result per
// change; a permanent error of the whole call becomes every change's.
func (or *objectRun) pushCall(ctx context.Context, callFn func(context.Context, string, func(context.Context) error) error,
	changes []connectors.Change) ([]connectors.Result, error) {
	var res []connectors.Result
	err := callFn(ctx, fmt.Sprintf("push %d %s", len(changes), or.spec.Remote), func(ctx context.Context) error {
		var err error
		res, err = or.reg.conn.Push(ctx, or.spec.Remote, changes)
		return err
	})
	var partial *connectors.PartialError
	switch {
	case err == nil, errors.As(err, &partial):
	case connectors.IsPermanent(err):
		res = make([]connectors.Result, len(changes))
		for j := range res {
			res[j] = connectors.Result{Ref: changes[j].Ref, ID: changes[j].ID, Err: err}
		}
	default:
		return nil, err
	}
	if len(res) != len(changes) {
		return nil, fmt.Errorf("push %s: connector returned %d results for %d changes", or.spec.Remote, len(res), len(changes))
	}
	return res, nil
}

// settle records a batch's results on the page: links for successes,
// quarantine for permanent failures. Creates the remote refused as
// duplicates of a record it names are returned, to be linked to it. The
// error is set when a change failed transiently, so the cursor stays
// before it.
func (or *objectRun) settle(page *crmstore.SyncPushPage, batch []outgoing, results []connectors.Result) ([]existingLink, error) {
	var transient error
	var existing []existingLink
	for i, o := range batch {
		r := results[i]
		if r.Err != nil {
			if id, dup := existingID(r.Err); dup && o.change.Kind == connectors.OpCreate {
				existing = append(existing, existingLink{o: o, remoteID: id, err: r.Err})
				continue
			}
			if connectors.IsPermanent(r.Err) {
				or.quarantinePush(page, o, r.Err)
				if o.change.Kind == connectors.OpCreate {
					page.DropIntents = append(page.DropIntents, o.localID)
				}
				continue
			}
			if transient == nil {
				transient = fmt.Errorf("push %s record %d: %w", o.change.Kind, o.localID, r.Err)
			}
			continue
		}
		or.counts.Pushed++
		page.Cleared = append(page.Cleared, o.localID)
		switch o.change.Kind {
		case connectors.OpCreate:
			if r.ID == "" {
				or.quarantinePush(page, o, &connectors.PermanentError{Reason: "the remote returned no id for the created record"})
				continue
			}
			or.counts.CreatedRemote++
			page.Links = append(page.Links, crmstore.SyncLinkWrite{LocalID: o.localID, RemoteID: r.ID, Base: o.base,
				RemoteVersion: r.Version, RemoteModifiedAt: r.ModifiedAt})
		case connectors.OpUpdate:
			or.counts.UpdatedRemote++
			w := relink(o.link, crmstore.LinkLinked)
			w.Base = o.base
			if r.Version != "" || !r.ModifiedAt.IsZero() {
				w.RemoteVersion, w.RemoteModifiedAt = r.Version, r.ModifiedAt
			}
			page.Links = append(page.Links, w)
		case connectors.OpDelete:
			or.counts.DeletedRemote++
			page.Links = append(page.Links, relink(o.link, crmstore.LinkLocalDeleted))
		}
	}
	return existing, transient
}

func (or *objectRun) quarantinePush(page *crmstore.SyncPushPage, o outgoing, err error) {
	q := crmstore.SyncQuarantine{LocalID: o.localID, RemoteID: o.change.ID, Op: o.change.Kind.String(), Reason: err.Error()}
	var pe *connectors.PermanentError
	if errors.As(err, &pe) {
		q.Reason, q.Code = pe.Reason, pe.Code
	}
	page.Quarantine = append(page.Quarantine, q)
	or.counts.Failed++
}
