package syncengine

// Replaying quarantined records.

import (
	"context"
	"fmt"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// maxReplay bounds the entries one replay takes on.
const maxReplay = 10000

// replay retries quarantined records: pulled ones are fetched again and
// applied, pushed ones pushed again. Entries of records that now sync, or
// whose remote record no longer exists, leave the quarantine.
func (rn *runner) replay(ctx context.Context, ids []int64) error {
	var entries []crmstore.SyncQuarantine
	var err error
	if len(ids) == 0 {
		entries, err = rn.e.store.SyncQuarantine(ctx, rn.name, maxReplay)
	} else {
		entries, err = rn.e.store.SyncQuarantineByID(ctx, rn.name, ids)
	}
	if err != nil {
		return err
	}
	for _, spec := range rn.reg.spec.Objects {
		var pull []string
		var push []int64
		for _, q := range entries {
			switch {
			case q.Object != spec.Object:
			case q.Direction == crmstore.SyncPull:
				pull = append(pull, q.RemoteID)
			default:
				push = append(push, q.LocalID)
			}
		}
		if len(pull)+len(push) == 0 {
			continue
		}
		if err := rn.replayObject(ctx, spec, pull, push); err != nil {
			return fmt.Errorf("replay %s: %w", spec.Object, err)
		}
	}
	return nil
}

func (rn *runner) replayObject(ctx context.Context, spec ObjectSpec, pull []string, push []int64) error {
	m, err := rn.compile(ctx, spec)
	if err != nil {
		return err
	}
	or := &objectRun{runner: rn, m: m, spec: spec}
	for start := 0; start < len(pull); start += pushBatch {
		chunk := pull[start:min(start+pushBatch, len(pull))]
		var recs []connectors.Record
		err := or.call(ctx, fmt.Sprintf("fetch %d %s", len(chunk), spec.Remote), func(ctx context.Context) error {
			var err error
			recs, err = rn.reg.conn.Fetch(ctx, spec.Remote, chunk, m.remoteFields)
			return err
		})
		if err != nil {
			return err
		}
		pb := or.newPage()
		found := map[string]bool{}
		for _, r := range recs {
			found[r.ID] = true
		}
		for _, id := range chunk {
			if !found[id] {
				pb.page.Cleared = append(pb.page.Cleared, id)
			}
		}
		if err := or.applyRecords(ctx, pb, recs); err != nil {
			return err
		}
	}
	for start := 0; start < len(push); start += changePage {
		if err := or.pushRecords(ctx, push[start:min(start+changePage, len(push))], nil); err != nil {
			return err
		}
	}
	return nil
}
