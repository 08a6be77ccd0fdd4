package crmstore

// Sync pages applied in one transaction each: pulled records and pushed outcomes.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// SyncLinkWrite sets one link: its base, remote version and state. The
// base replaces the stored one whole.
type SyncLinkWrite struct {
	LocalID          int64
	RemoteID         string
	Base             map[string]string
	RemoteVersion    string
	RemoteModifiedAt time.Time
	// State defaults to LinkLinked.
	State string
	// Delete removes the link instead (the pair is unlinked).
	Delete bool
}

// SyncRecordWrite is what a pulled remote record does to the store.
type SyncRecordWrite struct {
	RemoteID string
	// LocalID is the linked or matched local record; 0 with Create.
	LocalID int64
	// Create makes a new local record from Props.
	Create bool
	// Restore brings the archived local record back before Props apply.
	Restore bool
	// Props are the property values to write (on update only the changed
	// ones; "" clears a value).
	Props map[string]string
	// Archive archives the local record.
	Archive bool
	// Link is the link to store once the record write succeeded (its LocalID
	// is filled in for creates); nil leaves the link alone.
	Link *SyncLinkWrite
}

// SyncPullPage is one pulled page, applied in one transaction: the local
// record writes (with Source), the links, conflicts, quarantine and the
// remote cursor advance, so the cursor is never ahead of durable data.
type SyncPullPage struct {
	Connector string
	Object    string
	Source    Source
	Writes    []SyncRecordWrite
	// Links are link-only updates (records whose values need no write).
	Links     []SyncLinkWrite
	Conflicts []SyncConflict
	// ResolvedConflicts are ids of open conflicts now settled.
	ResolvedConflicts []int64
	// Quarantine are records the engine could not take (ambiguous matches,
	// values it could not map); failed writes are added by the store.
	Quarantine []SyncQuarantine
	// Cleared are remote ids whose pull quarantine entries are cleared
	// (besides the records written successfully).
	Cleared []string
	// RemoteCursor, when set, is committed with the page.
	RemoteCursor *string
	// SeenRun, when set, marks SeenIDs as listed by that full
	// reconciliation.
	SeenRun int64
	SeenIDs []string
	// ReadSeq, when set, is the change-log position taken just before the
	// engine read the local records it merged the page against. A page that
	// writes or links a record changed after it is refused whole with
	// ErrSyncStale: the merge never saw that change and would overwrite it.
	ReadSeq int64
}

// ErrSyncStale refuses a pulled page whose local records changed after the
// engine read them (see SyncPullPage.ReadSeq); nothing of the page is
// applied, and the engine merges it again against the records as they are.
var ErrSyncStale = errors.New("local records changed while the pulled page was merged")

// SyncFailure is a record of a page the store refused; it was quarantined.
type SyncFailure struct {
	RemoteID string
	LocalID  int64
	Err      error
}

// SyncPullResult says what applying a page did.
type SyncPullResult struct {
	// Created maps remote ids to the local records created for them.
	Created map[string]int64
	// Updated and Archived count local records changed.
	Updated  int
	Archived int
	Failed   []SyncFailure
}

// ApplyPull applies a pulled page in one transaction.
func (s *Store) ApplyPull(ctx context.Context, p SyncPullPage) (SyncPullResult, error) {
	return updateValue(ctx, s, func(t *tx) (SyncPullResult, error) {
		c, o, err := t.objectOf(p.Object)
		if err != nil {
			return SyncPullResult{}, err
		}
		a := &pullApply{t: t, c: c, o: o, p: &p, src: p.Source.orDefault(), res: SyncPullResult{Created: map[string]int64{}}}
		return a.res, a.run()
	})
}

// pullApply is one ApplyPull in progress.
type pullApply struct {
	t      *tx
	c      *catalog
	o      *ObjectType
	p      *SyncPullPage
	src    Source
	res    SyncPullResult
	failed map[int]bool // indexes of p.Writes that failed
	links  []SyncLinkWrite
}

func (a *pullApply) run() error {
	a.failed = map[int]bool{}
	if err := a.checkFresh(); err != nil {
		return err
	}
	steps := []func() error{a.creates, a.restores, a.updates, a.archives}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	var okRemote []string
	for i, w := range a.p.Writes {
		if a.failed[i] {
			continue
		}
		okRemote = append(okRemote, w.RemoteID)
		if w.Link != nil {
			l := *w.Link
			l.LocalID = w.LocalID
			if w.Create {
				l.LocalID = a.res.Created[w.RemoteID]
			}
			a.links = append(a.links, l)
		}
	}
	t, p := a.t, a.p
	if err := t.writeLinks(a.c, a.o, p.Connector, append(a.links, p.Links...)); err != nil {
		return err
	}
	if err := t.insertConflicts(p.Connector, p.Object, p.Conflicts); err != nil {
		return err
	}
	if err := t.resolveConflicts(p.ResolvedConflicts); err != nil {
		return err
	}
	if err := t.clearQuarantine(p.Connector, p.Object, append(okRemote, p.Cleared...), nil); err != nil {
		return err
	}
	if err := t.quarantineRecords(p.Connector, p.Object, append(p.Quarantine, a.failures()...)); err != nil {
		return err
	}
	if p.SeenRun != 0 {
		if err := t.markSeen(p.Connector, p.Object, p.SeenRun, p.SeenIDs); err != nil {
			return err
		}
	}
	return t.setSyncCursor(p.Connector, p.Object, p.RemoteCursor, nil)
}

// checkFresh refuses the page when a local record it writes or links has a
// change-log row after p.ReadSeq. It runs inside the page's transaction, so
// no edit can land between the check and the writes.
func (a *pullApply) checkFresh() error {
	if a.p.ReadSeq <= 0 {
		return nil
	}
	var ids []int64
	for _, w := range a.p.Writes {
		if !w.Create && w.LocalID != 0 {
			ids = append(ids, w.LocalID)
		}
	}
	for _, l := range a.p.Links {
		if l.LocalID != 0 {
			ids = append(ids, l.LocalID)
		}
	}
	var stale []int64
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var found []int64
		if err := a.t.SelectContext(a.t.ctx, &found, "SELECT DISTINCT record_id FROM change_log WHERE object_oid = ? AND seq > ? AND record_id IN ("+
			placeholders(len(chunk))+")", append([]any{a.o.oid, a.p.ReadSeq}, int64Args(chunk)...)...); err != nil {
			return fmt.Errorf("check %s records for changes after %d: %w", a.o.Name, a.p.ReadSeq, err)
		}
		stale = append(stale, found...)
	}
	if len(stale) > 0 {
		sort.Slice(stale, func(i, j int) bool { return stale[i] < stale[j] })
		return fmt.Errorf("%w: %s %v", ErrSyncStale, a.o.Name, stale)
	}
	return nil
}

// fail marks write i failed with err.
func (a *pullApply) fail(i int, err error) {
	a.failed[i] = true
	w := a.p.Writes[i]
	a.res.Failed = append(a.res.Failed, SyncFailure{RemoteID: w.RemoteID, LocalID: w.LocalID, Err: err})
}

func (a *pullApply) failures() []SyncQuarantine {
	out := make([]SyncQuarantine, len(a.res.Failed))
	for i, f := range a.res.Failed {
		code := ""
		var ve *ValidationError
		if errors.As(f.Err, &ve) && len(ve.Errors) > 0 {
			code = ve.Errors[0].Code
		}
		out[i] = SyncQuarantine{Direction: SyncPull, LocalID: f.LocalID, RemoteID: f.RemoteID, Op: "write", Code: code, Reason: f.Err.Error()}
	}
	return out
}

func (a *pullApply) creates() error {
	var writes []*recordWrite
	for i, w := range a.p.Writes {
		if !w.Create {
			continue
		}
		rw := &recordWrite{index: i, row: recordRow{ObjectOID: a.o.oid, CreatedAt: a.t.ms, UpdatedAt: a.t.ms}}
		a.c.prepareWrite(a.o, rw, w.Props, true)
		writes = append(writes, rw)
	}
	if len(writes) == 0 {
		return nil
	}
	if err := a.t.checkWrites(a.c, a.o, writes); err != nil {
		return err
	}
	if err := a.t.insertRecords(a.c, a.o, writes, a.src); err != nil {
		return err
	}
	for _, rw := range writes {
		if rw.err != nil {
			a.fail(rw.index, rw.err)
			continue
		}
		a.res.Created[a.p.Writes[rw.index].RemoteID] = rw.row.ID
	}
	return nil
}

// restoring reports whether write i restores an archived record that exists already.
func (a *pullApply) restoring(i int) bool {
	w := a.p.Writes[i]
	return w.Restore && !w.Create
}

// archiving reports whether write i archives its record and has not failed.
func (a *pullApply) archiving(i int) bool {
	return a.p.Writes[i].Archive && !a.failed[i]
}

// rowsOf reads the local records of the writes that pick selects.
func (a *pullApply) rowsOf(pick func(i int) bool) ([]recordRow, error) {
	var ids []int64
	for i, w := range a.p.Writes {
		if pick(i) {
			ids = append(ids, w.LocalID)
		}
	}
	return selectRows(a.t.ctx, a.t.Tx, a.o, ids)
}

func (a *pullApply) restores() error {
	rows, err := a.rowsOf(a.restoring)
	if err != nil {
		return err
	}
	byID := make(map[int64]recordRow, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	var changes []pendingChange
	for i, w := range a.p.Writes {
		if !a.restoring(i) {
			continue
		}
		r, ok := byID[w.LocalID]
		if !ok || r.MergedInto != nil {
			a.fail(i, notFound("record", strconv.FormatInt(w.LocalID, 10)))
			continue
		}
		if r.ArchivedAt == nil {
			continue
		}
		if err := a.t.restoreRecord(a.c, a.o, r); err != nil {
			var ce *ConflictError
			if errors.As(err, &ce) {
				a.fail(i, err)
				continue
			}
			return err
		}
		changes = append(changes, pendingChange{objectOID: a.o.oid, recordID: r.ID, op: OpRestore, src: a.src})
	}
	return a.t.logChanges(changes...)
}

func (a *pullApply) updates() error {
	var inputs []RecordUpdate
	var index []int
	for i, w := range a.p.Writes {
		if w.Create || len(w.Props) == 0 || a.failed[i] {
			continue
		}
		inputs = append(inputs, RecordUpdate{ID: strconv.FormatInt(w.LocalID, 10), Properties: w.Props})
		index = append(index, i)
	}
	if len(inputs) == 0 {
		return nil
	}
	writes, err := a.t.loadWrites(a.c, a.o, inputs, "")
	if err != nil {
		return err
	}
	for _, w := range writes {
		if w.err == nil {
			a.c.prepareWrite(a.o, w, inputs[w.index].Properties, false)
		}
	}
	if err := a.t.checkWrites(a.c, a.o, writes); err != nil {
		return err
	}
	if err := a.t.applyUpdates(a.c, a.o, writes, a.src); err != nil {
		return err
	}
	for _, w := range writes {
		switch {
		case w.err != nil:
			a.fail(index[w.index], w.err)
		case len(w.values) > 0:
			a.res.Updated++
		}
	}
	return nil
}

func (a *pullApply) archives() error {
	rows, err := a.rowsOf(a.archiving)
	if err != nil {
		return err
	}
	var changes []pendingChange
	for _, r := range rows {
		if r.ArchivedAt != nil {
			continue // already gone: nothing to do, and not an error
		}
		if err := a.t.archiveRecord(a.c, a.o, r.ID, a.c.decodeProps(a.o, r.Props), nil); err != nil {
			return err
		}
		changes = append(changes, pendingChange{objectOID: a.o.oid, recordID: r.ID, op: OpArchive, src: a.src})
		a.res.Archived++
	}
	return a.t.logChanges(changes...)
}

// writeLinks upserts or deletes links. Base values are stored in the
// store's canonical form so later comparisons with record values are exact.
// A linked record's create intent is settled, so it is dropped.
func (t *tx) writeLinks(c *catalog, o *ObjectType, connector string, links []SyncLinkWrite) error {
	var buf []byte
	linked := make([]int64, 0, len(links))
	for _, l := range links {
		if !l.Delete {
			linked = append(linked, l.LocalID)
		}
	}
	if err := t.dropIntents(connector, o.Name, linked); err != nil {
		return err
	}
	for _, l := range links {
		if l.Delete {
			if _, err := t.ExecContext(t.ctx, "DELETE FROM sync_links WHERE connector = ? AND object = ? AND local_id = ?", connector, o.Name, l.LocalID); err != nil {
				return fmt.Errorf("unlink %s record %d: %w", o.Name, l.LocalID, err)
			}
			continue
		}
		if l.LocalID == 0 || l.RemoteID == "" {
			return fmt.Errorf("link of %s needs a local and a remote id (got %d, %q)", o.Name, l.LocalID, l.RemoteID)
		}
		state := l.State
		if state == "" {
			state = LinkLinked
		}
		var base string
		base, buf = encodeBase(buf, c.canonicalBase(o, l.Base))
		var mod int64
		if !l.RemoteModifiedAt.IsZero() {
			mod = l.RemoteModifiedAt.UnixMilli()
		}
		if _, err := t.ExecContext(t.ctx, `INSERT INTO sync_links(connector, object, local_id, remote_id, base, remote_version, remote_modified_at, state, synced_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(connector, object, local_id) DO UPDATE SET remote_id = excluded.remote_id, base = excluded.base,
			remote_version = excluded.remote_version, remote_modified_at = excluded.remote_modified_at, state = excluded.state,
			synced_at = excluded.synced_at`,
			connector, o.Name, l.LocalID, l.RemoteID, base, l.RemoteVersion, mod, state, t.ms); err != nil {
			return fmt.Errorf("link %s record %d to remote %s: %w", o.Name, l.LocalID, l.RemoteID, err)
		}
	}
	return nil
}

// canonicalBase puts base values in the form the store keeps values in, so
// a base compares equal to the record value it was written as.
func (c *catalog) canonicalBase(o *ObjectType, base map[string]string) map[string]string {
	out := make(map[string]string, len(base))
	for name, v := range base {
		if p := c.property(o, name); p != nil && v != "" {
			if canon, _, perr := normalizeValue(p, v); perr == nil {
				v = canon
			}
		}
		out[name] = v
	}
	return out
}

// encodeBase writes a base as a JSON object with sorted keys.
func encodeBase(buf []byte, base map[string]string) (string, []byte) {
	names := make([]string, 0, len(base))
	for n := range base {
		names = append(names, n)
	}
	sort.Strings(names)
	b := append(buf[:0], '{')
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, n)
		b = append(b, ':')
		b = appendJSONString(b, base[n])
	}
	b = append(b, '}')
	return string(b), b
}

// SyncPushPage is the outcome of pushing one page of local changes,
// applied in one transaction: the links (new ones for remote creates, new
// bases for updates), quarantine for records the remote refused, and the
// local change-log cursor.
type SyncPushPage struct {
	Connector  string
	Object     string
	Links      []SyncLinkWrite
	Quarantine []SyncQuarantine
	// Cleared are local ids whose push quarantine entries are cleared.
	Cleared []int64
	// ResolvedConflicts are ids of open conflicts now settled.
	ResolvedConflicts []int64
	// DropIntents are local ids whose create intents are dropped: the
	// remote refused the create for good, so it holds no such record.
	DropIntents []int64
	// LocalSeq, when set, is the change-log position now pushed up to.
	LocalSeq *int64
}

// ApplyPush records a pushed page in one transaction.
func (s *Store) ApplyPush(ctx context.Context, p SyncPushPage) error {
	return s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(p.Object)
		if err != nil {
			return err
		}
		for i := range p.Quarantine {
			p.Quarantine[i].Direction = SyncPush
		}
		if err := t.writeLinks(c, o, p.Connector, p.Links); err != nil {
			return err
		}
		if err := t.resolveConflicts(p.ResolvedConflicts); err != nil {
			return err
		}
		if err := t.clearQuarantine(p.Connector, p.Object, nil, p.Cleared); err != nil {
			return err
		}
		if err := t.quarantineRecords(p.Connector, p.Object, p.Quarantine); err != nil {
			return err
		}
		if err := t.dropIntents(p.Connector, o.Name, p.DropIntents); err != nil {
			return err
		}
		return t.setSyncCursor(p.Connector, p.Object, nil, p.LocalSeq)
	})
}

// SyncRecords reads records of object by id, live and archived alike; ids
// of hard-deleted records are absent. The push side of sync needs both to
// tell an edit from a deletion.
func (s *Store) SyncRecords(ctx context.Context, object string, ids []int64) (map[int64]*Record, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	return s.loadRecords(ctx, c, o, ids, nil)
}

// SyncMatch finds live records of object whose property holds one of
// values, by the property's normalised form for unique properties (email,
// domain) and by exact value otherwise. It returns, per input value, the
// ids of the records holding it.
func (s *Store) SyncMatch(ctx context.Context, object, property string, values []string) (map[string][]int64, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	p := c.property(o, property)
	if p == nil {
		return nil, invalidf("match property %q is not a property of %s", property, o.Name)
	}
	out := map[string][]int64{}
	if len(values) == 0 {
		return out, nil
	}
	if isUnique(c, o, p) {
		byID := map[int64][]string{}
		if err := lookupUnique(ctx, s.r, o, p, values, false, byID); err != nil {
			return nil, err
		}
		for id, ins := range byID {
			for _, in := range ins {
				out[in] = append(out[in], id)
			}
		}
		return out, nil
	}
	canon := make(map[string][]string, len(values))
	args := []any{o.oid, jsonPath(p.Name)}
	for _, v := range values {
		cv := v
		if n, _, perr := normalizeValue(p, v); perr == nil {
			cv = n
		}
		if _, dup := canon[cv]; !dup {
			args = append(args, cv)
		}
		canon[cv] = append(canon[cv], v)
	}
	var rows []struct {
		ID    int64  `db:"id"`
		Value string `db:"v"`
	}
	if err := s.r.SelectContext(ctx, &rows, "SELECT id, props ->> ?2 AS v FROM records WHERE object_oid = ?1 AND archived_at IS NULL AND props ->> ?2 IN ("+placeholders(len(args)-2)+")",
		args...); err != nil {
		return nil, fmt.Errorf("match %s by %s: %w", o.Name, p.Name, err)
	}
	for _, r := range rows {
		for _, in := range canon[r.Value] {
			out[in] = append(out[in], r.ID)
		}
	}
	return out, nil
}
