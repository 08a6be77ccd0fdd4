package syncengine

// First contact: matching unlinked remote records to local ones, or creating them.

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/crmstore"
)

// codeAmbiguous marks quarantine entries of ambiguous matches, which are
// counted apart from failures.
const codeAmbiguous = "AMBIGUOUS_MATCH"

// candidate is an unlinked remote record on its way to a match or create.
type candidate struct {
	rec  connectors.Record
	vals map[string]string // local representation
	// localID is the matched local record; 0 while unmatched.
	localID int64
	done    bool // decided (matched, ambiguous or failed)
	// base is the link's starting base when the record was matched to an
	// unacknowledged create (the values it sent); nil for a first contact.
	base map[string]string
}

// open reports whether the candidate is still unmatched and undecided.
func (c *candidate) open() bool { return !c.done && c.localID == 0 }

// matchUnlinked matches unlinked remote records to local ones by the
// object's match keys, tried in order: a key whose value matches exactly
// one local record links the pair; several records make the match
// ambiguous, reported in the quarantine and never guessed. Records left
// unmatched are created locally when the create direction allows it.
func (or *objectRun) matchUnlinked(ctx context.Context, pb *pageBuilder, recs []connectors.Record) error {
	if len(recs) == 0 {
		return nil
	}
	cands := make([]*candidate, 0, len(recs))
	for _, r := range recs {
		vals, err := or.m.toLocal(r.Fields)
		if err != nil {
			pb.quarantine(crmstore.SyncQuarantine{RemoteID: r.ID, Op: "map", Code: "MAPPING_ERROR", Reason: err.Error()})
			continue
		}
		cands = append(cands, &candidate{rec: r, vals: vals})
	}
	if err := or.matchIntents(ctx, pb, cands); err != nil {
		return err
	}
	for _, key := range or.spec.Match {
		if err := or.matchKey(ctx, pb, cands, key); err != nil {
			return err
		}
	}
	if err := or.checkTaken(ctx, pb, cands); err != nil {
		return err
	}
	var matchedIDs []int64
	for _, c := range cands {
		if c.localID != 0 && !c.done {
			matchedIDs = append(matchedIDs, c.localID)
		}
	}
	locals, err := or.e.store.SyncRecords(ctx, or.spec.Object, matchedIDs)
	if err != nil {
		return err
	}
	for _, c := range cands {
		switch {
		case c.done:
		case c.localID != 0:
			or.link(pb, c, locals[c.localID])
		case or.spec.Create.pulls():
			or.createLocal(pb, c)
		}
	}
	return nil
}

// matchKey looks up one match key for the candidates still undecided.
func (or *objectRun) matchKey(ctx context.Context, pb *pageBuilder, cands []*candidate, key string) error {
	values := openKeyValues(cands, key)
	if len(values) == 0 {
		return nil
	}
	found, err := or.e.store.SyncMatch(ctx, or.spec.Object, key, values)
	if err != nil {
		return err
	}
	for c, v := range openByKey(cands, key) {
		switch ids := found[v]; len(ids) {
		case 0:
		case 1:
			c.localID = ids[0]
		default:
			or.ambiguous(pb, c, fmt.Sprintf("%s %q matches local records %s", key, v, joinIDs(ids)))
		}
	}
	return nil
}

// openByKey yields the candidates still undecided that have a value for the match key
// key, with that value trimmed: the ones a lookup by key is for. A candidate decided while
// the loop runs is skipped from then on.
func openByKey(cands []*candidate, key string) iter.Seq2[*candidate, string] {
	return func(yield func(*candidate, string) bool) {
		for _, c := range cands {
			if v := strings.TrimSpace(c.vals[key]); c.open() && v != "" && !yield(c, v) {
				return
			}
		}
	}
}

// openKeyValues lists the values openByKey yields, to look them up in one query.
func openKeyValues(cands []*candidate, key string) []string {
	var values []string
	for _, v := range openByKey(cands, key) {
		values = append(values, v)
	}
	return values
}

// checkTaken refuses matches to local records that are linked to another
// remote record already, or that two remote records of the page matched.
func (or *objectRun) checkTaken(ctx context.Context, pb *pageBuilder, cands []*candidate) error {
	var ids []int64
	for _, c := range cands {
		if c.localID != 0 && !c.done {
			ids = append(ids, c.localID)
		}
	}
	links, err := or.e.store.SyncLinksByLocal(ctx, or.name, or.spec.Object, ids)
	if err != nil {
		return err
	}
	claimed := map[int64]string{}
	for _, c := range cands {
		if c.localID == 0 || c.done {
			continue
		}
		if l, ok := links[c.localID]; ok {
			or.ambiguous(pb, c, fmt.Sprintf("matches local record %d, which is already linked to remote record %s", c.localID, l.RemoteID))
			continue
		}
		if other, ok := claimed[c.localID]; ok {
			or.ambiguous(pb, c, fmt.Sprintf("matches local record %d, which remote record %s matched too", c.localID, other))
			continue
		}
		claimed[c.localID] = c.rec.ID
	}
	return nil
}

func (or *objectRun) ambiguous(pb *pageBuilder, c *candidate, reason string) {
	c.done = true
	or.counts.Ambiguous++
	if or.op != nil {
		or.op.Ambiguous++
	}
	pb.quarantine(crmstore.SyncQuarantine{RemoteID: c.rec.ID, Op: "match", Code: codeAmbiguous, Reason: reason})
}

// link links a matched pair, merging their values with an empty base (or
// the values an unacknowledged create sent): a value only one side has is
// taken, and different values are conflicts settled by the policy (and
// recorded).
func (or *objectRun) link(pb *pageBuilder, c *candidate, local *crmstore.Record) {
	if local == nil || local.Archived {
		return // archived meanwhile: leave the remote record for the next run
	}
	props, base, _ := or.mergeRecord(pb, c.rec, local.ID, local, c.base, c.vals, nil)
	pb.page.Writes = append(pb.page.Writes, crmstore.SyncRecordWrite{RemoteID: c.rec.ID, LocalID: local.ID, Props: props,
		Link: &crmstore.SyncLinkWrite{RemoteID: c.rec.ID, Base: base, RemoteVersion: c.rec.Version, RemoteModifiedAt: c.rec.ModifiedAt}})
}

// createLocal creates a local record from an unmatched remote one.
func (or *objectRun) createLocal(pb *pageBuilder, c *candidate) {
	props := map[string]string{}
	base := map[string]string{}
	for _, f := range or.m.fields {
		v, ok := c.vals[f.f.Local]
		if !ok {
			continue
		}
		base[f.f.Local] = v
		if f.pulls && v != "" {
			props[f.f.Local] = v
		}
	}
	pb.page.Writes = append(pb.page.Writes, crmstore.SyncRecordWrite{RemoteID: c.rec.ID, Create: true, Props: props,
		Link: &crmstore.SyncLinkWrite{RemoteID: c.rec.ID, Base: base, RemoteVersion: c.rec.Version, RemoteModifiedAt: c.rec.ModifiedAt}})
}

func joinIDs(ids []int64) string {
	sorted := append([]int64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	parts := make([]string, len(sorted))
	for i, id := range sorted {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}
