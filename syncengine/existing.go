package syncengine

// Creates the remote refused as duplicates of a record it names.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// existingIDPattern is how HubSpot names the record a create duplicates in
// its 409 answer: "Contact already exists. Existing ID: 12345". Tandem's
// API answers the same. The id must end the message.
var existingIDPattern = regexp.MustCompile(`(?:^|[\s.;:,])Existing ID: ([1-9][0-9]{0,18})\.?$`)

// existingID reads the remote id from a permanent error refusing a create
// as a duplicate. It is conservative: the code, when the remote gives one,
// must be CONFLICT, and the message must name exactly one existing id, at
// its end; anything else is an ordinary refusal.
func existingID(err error) (string, bool) {
	var pe *connectors.PermanentError
	if !errors.As(err, &pe) {
		return "", false
	}
	if pe.Code != "" && !strings.EqualFold(pe.Code, "CONFLICT") {
		return "", false
	}
	reason := strings.TrimSpace(pe.Reason)
	if strings.Count(reason, "Existing ID") != 1 {
		return "", false
	}
	m := existingIDPattern.FindStringSubmatch(reason)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// existingLink is a create refused as a duplicate of remote record remoteID.
type existingLink struct {
	o        outgoing
	remoteID string
	err      error
}

// linkExisting links records whose create the remote refused as duplicates
// to the remote records it named, as a first-contact match would (values
// merged, conflicts recorded): typically a create whose first answer was
// lost and that was sent again. A named record that is gone, or is linked
// to another local record already, is a real duplicate: the create is
// quarantined with the remote's reason. It returns the local ids linked.
//
// The local records are read before the named remote records are fetched,
// so an edit can land before the links commit; the store then refuses the
// page as stale and the step is done again from the records as they are
// (the remote records are fetched once), so that edit is never overwritten.
func (or *objectRun) linkExisting(ctx context.Context, page *crmstore.SyncPushPage, found []existingLink) ([]int64, error) {
	if len(found) == 0 {
		return nil, nil
	}
	ex := &existingState{}
	for attempt := 1; ; attempt++ {
		// A refused attempt wrote nothing: its tallies, drift and the
		// quarantine entries it added to the push page go too.
		counts, drifted := or.counts, len(or.drifted)
		quarantined, dropped := len(page.Quarantine), len(page.DropIntents)
		linked, err := or.linkExistingOnce(ctx, page, found, ex)
		if errors.Is(err, crmstore.ErrSyncStale) && attempt < maxMergeAttempts {
			or.counts, or.drifted = counts, or.drifted[:drifted]
			page.Quarantine, page.DropIntents = page.Quarantine[:quarantined], page.DropIntents[:dropped]
			continue
		}
		return linked, err
	}
}

// linkExistingOnce is one attempt of linkExisting: it reads both sides,
// merges them and commits the links with the change-log position read
// first, so the store refuses them if a local record changed meanwhile.
func (or *objectRun) linkExistingOnce(ctx context.Context, page *crmstore.SyncPushPage, found []existingLink, ex *existingState) ([]int64, error) {
	readSeq, err := or.e.store.LastChangeSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("read change log position: %w", err)
	}
	if err := or.loadExisting(ctx, found, ex); err != nil {
		return nil, err
	}
	pb := or.newPage()
	pb.page.ReadSeq = readSeq
	claimed := map[string]bool{}
	for _, x := range found {
		r, ok := ex.remote[x.remoteID]
		if l, taken := ex.links[x.remoteID]; taken || claimed[x.remoteID] || !ok || r.Deleted {
			var pe *connectors.PermanentError
			errors.As(x.err, &pe)
			or.quarantinePush(page, x.o, &connectors.PermanentError{Code: pe.Code,
				Reason: fmt.Sprintf("%s (remote record %s is gone or linked to another local record%s)", pe.Reason, x.remoteID, linkedTo(l, taken))})
			page.DropIntents = append(page.DropIntents, x.o.localID)
			continue
		}
		vals, err := or.m.toLocal(r.Fields)
		if err != nil {
			or.quarantinePush(page, x.o, &connectors.PermanentError{Code: "MAPPING_ERROR", Reason: err.Error()})
			continue
		}
		claimed[x.remoteID] = true
		or.link(pb, &candidate{rec: r, vals: vals, localID: x.o.localID}, ex.locals[x.o.localID])
	}
	if err := or.commitPage(ctx, pb); err != nil {
		return nil, err
	}
	return or.linkedNow(ctx, pb)
}

// existingState is what linkExisting needs to know of both sides.
type existingState struct {
	// links are the links the named remote records have already.
	links map[string]crmstore.SyncLink
	// remote are the named remote records as fetched, by id; nil until
	// the first attempt fetched them.
	remote map[string]connectors.Record
	locals map[int64]*crmstore.Record
}

// loadExisting reads the links of the named remote records and the local
// records refused, then fetches the named remote records unless an earlier
// attempt did.
func (or *objectRun) loadExisting(ctx context.Context, found []existingLink, ex *existingState) error {
	ids := make([]string, len(found))
	localIDs := make([]int64, len(found))
	for i, x := range found {
		ids[i], localIDs[i] = x.remoteID, x.o.localID
	}
	var err error
	if ex.links, err = or.e.store.SyncLinksByRemote(ctx, or.name, or.spec.Object, ids); err != nil {
		return err
	}
	if ex.locals, err = or.e.store.SyncRecords(ctx, or.spec.Object, localIDs); err != nil {
		return err
	}
	if ex.remote != nil {
		return nil
	}
	var recs []connectors.Record
	err = or.call(ctx, fmt.Sprintf("fetch %d existing %s", len(ids), or.spec.Remote), func(ctx context.Context) error {
		var err error
		recs, err = or.reg.conn.Fetch(ctx, or.spec.Remote, ids, or.m.remoteFields)
		return err
	})
	if err != nil {
		return fmt.Errorf("link creates refused as duplicates: %w", err)
	}
	ex.remote = make(map[string]connectors.Record, len(recs))
	for _, r := range recs {
		ex.remote[r.ID] = r
	}
	return nil
}

// linkedNow returns the local records of a committed page that are linked:
// a write the store refused was quarantined instead, so pushing the linked
// ones again cannot come back to linkExisting.
func (or *objectRun) linkedNow(ctx context.Context, pb *pageBuilder) ([]int64, error) {
	if or.dry || len(pb.page.Writes) == 0 {
		return nil, nil
	}
	written := make([]int64, len(pb.page.Writes))
	for i, w := range pb.page.Writes {
		written[i] = w.LocalID
	}
	now, err := or.e.store.SyncLinksByLocal(ctx, or.name, or.spec.Object, written)
	if err != nil {
		return nil, err
	}
	var linked []int64
	for _, id := range written {
		if _, ok := now[id]; ok {
			linked = append(linked, id)
		}
	}
	return linked, nil
}

// linkedTo names the local record a taken remote record is linked to.
func linkedTo(l crmstore.SyncLink, taken bool) string {
	if !taken {
		return ""
	}
	return fmt.Sprintf(": %d", l.LocalID)
}
