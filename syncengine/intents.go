package syncengine

// Creates whose outcome is unknown: recorded before they are sent, looked
// for in the pulls, sent again only once the remote shows it lacks them.

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// recordIntents durably notes the creates of a batch before it is sent, so
// that a create the remote applied but whose answer was lost (a dropped
// connection, a 5xx after the write) is not sent a second time.
func (or *objectRun) recordIntents(ctx context.Context, batch []outgoing) error {
	var intents []crmstore.SyncCreateIntent
	now := or.e.clock.Now()
	for _, o := range batch {
		if o.change.Kind == connectors.OpCreate {
			intents = append(intents, crmstore.SyncCreateIntent{LocalID: o.localID, Keys: o.keys, Base: o.base, At: now})
		}
	}
	if err := or.e.store.RecordSyncCreateIntents(ctx, or.name, or.spec.Object, intents); err != nil {
		return fmt.Errorf("record %d create intents: %w", len(intents), err)
	}
	return nil
}

// mayRecreate reports whether a create with an unknown outcome may be sent
// again. With match keys, only once a pull (or listing) that started at
// least CreateCheckDelay after the attempt completed in this run: had the
// create landed, that pull would have returned the record and linked it by
// its keys. Without keys, or when the engine cannot read the object back
// (push only, no listing), nothing can find the record: it is sent again
// from the next run on, which may duplicate it (see doc.go).
func (or *objectRun) mayRecreate(in crmstore.SyncCreateIntent) bool {
	if len(in.Keys) == 0 || !or.canReadBack() {
		return in.At.Before(or.started)
	}
	return !or.observedFrom.IsZero() && !or.observedFrom.Before(in.At.Add(or.e.createCheckDelay))
}

// canReadBack reports whether the engine sees the remote's records of the
// object: by pulling them, or by listing them in full reconciliations.
func (or *objectRun) canReadBack() bool {
	_, lists := or.reg.conn.(connectors.Lister)
	return or.spec.Direction.pulls() || lists
}

// retryUnknownCreates sends again the creates whose outcome was unknown and
// that mayRecreate now allows. It does not depend on the change-log cursor,
// which moved past them when they were first sent.
func (or *objectRun) retryUnknownCreates(ctx context.Context) error {
	if !or.spec.Create.pushes() {
		return nil
	}
	for after := int64(0); ; {
		intents, err := or.e.store.ListSyncCreateIntents(ctx, or.name, or.spec.Object, after, changePage)
		if err != nil || len(intents) == 0 {
			return err
		}
		var ids []int64
		for _, in := range intents {
			if or.mayRecreate(in) {
				ids = append(ids, in.LocalID)
			}
		}
		if len(ids) > 0 {
			or.e.log.Info("sending creates with an unknown outcome again", zap.String("connector", or.name),
				zap.String("object", or.spec.Object), zap.Int("records", len(ids)))
		}
		if err := or.pushRecords(ctx, ids, nil); err != nil {
			return fmt.Errorf("send unknown creates again: %w", err)
		}
		after = intents[len(intents)-1].LocalID
	}
}

// noteIntents reads whether the object has any create intents, so pulls of
// a connector without any skip looking for them.
func (or *objectRun) noteIntents(ctx context.Context) error {
	intents, err := or.e.store.ListSyncCreateIntents(ctx, or.name, or.spec.Object, 0, 1)
	if err != nil {
		return err
	}
	or.hasIntents = len(intents) > 0
	return nil
}

// matchIntents links unlinked remote records to local records whose create
// had an unknown outcome, by the match-key values that create sent (the
// local values may have changed since): such a remote record is that
// create, acknowledged too late. Its link starts from the values sent.
func (or *objectRun) matchIntents(ctx context.Context, pb *pageBuilder, cands []*candidate) error {
	if !or.hasIntents {
		return nil
	}
	for _, key := range or.spec.Match {
		values := openKeyValues(cands, key)
		if len(values) == 0 {
			continue
		}
		found, err := or.e.store.SyncCreateIntentsByKey(ctx, or.name, or.spec.Object, key, values)
		if err != nil {
			return err
		}
		for c, v := range openByKey(cands, key) {
			switch ins := found[v]; len(ins) {
			case 0:
			case 1:
				c.localID, c.base = ins[0].LocalID, ins[0].Base
			default:
				ids := make([]int64, len(ins))
				for i, in := range ins {
					ids[i] = in.LocalID
				}
				or.ambiguous(pb, c, fmt.Sprintf("%s %q matches the unacknowledged creates of local records %s", key, v, joinIDs(ids)))
			}
		}
	}
	return nil
}
