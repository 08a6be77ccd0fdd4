package crmstore

// Sync links: local record ⇄ remote record, with the base of the merge.

import (
	"context"
	"fmt"
	"time"
)

// Link states.
const (
	// LinkLinked: both records live and syncing.
	LinkLinked = "linked"
	// LinkRemoteDeleted: the remote record is gone; the link is kept so the
	// pair never syncs again (nor is re-created by a later match).
	LinkRemoteDeleted = "remote_deleted"
	// LinkLocalDeleted: the local record is gone, the same the other way.
	LinkLocalDeleted = "local_deleted"
	// LinkPendingLocalDelete: the remote record was deleted and archiving
	// the local one waits for the mass-delete guard.
	LinkPendingLocalDelete = "pending_local_delete"
	// LinkPendingRemoteDelete: the local record was deleted and deleting
	// the remote one waits for the mass-delete guard.
	LinkPendingRemoteDelete = "pending_remote_delete"
)

// SyncLink binds a local record to a remote one for a connector and object.
type SyncLink struct {
	Connector string
	Object    string
	LocalID   int64
	RemoteID  string
	// Base is the last synced value of each mapped field, by local property
	// name, in the store's canonical form.
	Base             map[string]string
	RemoteVersion    string
	RemoteModifiedAt time.Time // zero when the remote has none
	State            string
	SeenRun          int64
	SyncedAt         time.Time
}

type syncLinkRow struct {
	Connector        string `db:"connector"`
	Object           string `db:"object"`
	LocalID          int64  `db:"local_id"`
	RemoteID         string `db:"remote_id"`
	Base             string `db:"base"`
	RemoteVersion    string `db:"remote_version"`
	RemoteModifiedAt int64  `db:"remote_modified_at"`
	State            string `db:"state"`
	SeenRun          int64  `db:"seen_run"`
	SyncedAt         int64  `db:"synced_at"`
}

func (r syncLinkRow) link() SyncLink {
	base := make(map[string]string, 8)
	_ = decodeStringMap(r.Base, base)
	return SyncLink{Connector: r.Connector, Object: r.Object, LocalID: r.LocalID, RemoteID: r.RemoteID, Base: base,
		RemoteVersion: r.RemoteVersion, RemoteModifiedAt: optionalTime(r.RemoteModifiedAt), State: r.State,
		SeenRun: r.SeenRun, SyncedAt: msTime(r.SyncedAt)}
}

// SyncLinksByRemote loads the links of the given remote ids in one query,
// keyed by remote id.
func (s *Store) SyncLinksByRemote(ctx context.Context, connector, object string, remoteIDs []string) (map[string]SyncLink, error) {
	out := make(map[string]SyncLink, len(remoteIDs))
	if len(remoteIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(remoteIDs)+2)
	args = append(args, connector, object)
	for _, id := range remoteIDs {
		args = append(args, id)
	}
	var rows []syncLinkRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM sync_links WHERE connector = ? AND object = ? AND remote_id IN ("+placeholders(len(remoteIDs))+")", args...); err != nil {
		return nil, fmt.Errorf("load links of %s %s: %w", connector, object, err)
	}
	for _, r := range rows {
		out[r.RemoteID] = r.link()
	}
	return out, nil
}

// SyncLinksByLocal loads the links of the given local record ids in one
// query, keyed by local id.
func (s *Store) SyncLinksByLocal(ctx context.Context, connector, object string, localIDs []int64) (map[int64]SyncLink, error) {
	out := make(map[int64]SyncLink, len(localIDs))
	if len(localIDs) == 0 {
		return out, nil
	}
	args := append([]any{connector, object}, int64Args(localIDs)...)
	var rows []syncLinkRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM sync_links WHERE connector = ? AND object = ? AND local_id IN ("+placeholders(len(localIDs))+")", args...); err != nil {
		return nil, fmt.Errorf("load links of %s %s: %w", connector, object, err)
	}
	for _, r := range rows {
		out[r.LocalID] = r.link()
	}
	return out, nil
}

// SyncLinkQuery pages through a connector object's links in local id order.
type SyncLinkQuery struct {
	// States limits the links to these states; empty means all.
	States []string
	// NotSeenIn keeps only links whose seen_run differs (the full
	// reconciliation's run id); 0 disables the filter.
	NotSeenIn int64
	// AfterLocalID is the exclusive cursor.
	AfterLocalID int64
	Limit        int
}

// SyncLinks returns one page of links.
func (s *Store) SyncLinks(ctx context.Context, connector, object string, q SyncLinkQuery) ([]SyncLink, error) {
	if q.Limit <= 0 {
		q.Limit = 500
	}
	where, args := "connector = ? AND object = ? AND local_id > ?", []any{connector, object, q.AfterLocalID}
	if len(q.States) > 0 {
		where += " AND state IN (" + placeholders(len(q.States)) + ")"
		for _, st := range q.States {
			args = append(args, st)
		}
	}
	if q.NotSeenIn != 0 {
		where += " AND seen_run <> ?"
		args = append(args, q.NotSeenIn)
	}
	var rows []syncLinkRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM sync_links WHERE "+where+" ORDER BY local_id LIMIT ?", append(args, q.Limit)...); err != nil {
		return nil, fmt.Errorf("list links of %s %s: %w", connector, object, err)
	}
	out := make([]SyncLink, len(rows))
	for i, r := range rows {
		out[i] = r.link()
	}
	return out, nil
}

// CountSyncLinks counts a connector's links by state (object "" counts every
// object).
func (s *Store) CountSyncLinks(ctx context.Context, connector, object string) (map[string]int64, error) {
	q, args := "SELECT state, COUNT(*) AS n FROM sync_links WHERE connector = ?", []any{connector}
	if object != "" {
		q += " AND object = ?"
		args = append(args, object)
	}
	var rows []struct {
		State string `db:"state"`
		N     int64  `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &rows, q+" GROUP BY state", args...); err != nil {
		return nil, fmt.Errorf("count links of %s: %w", connector, err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// MarkSyncLinksSeen records that a full reconciliation (run) listed these
// remote records, so the ones it did not list can be found afterwards.
func (s *Store) MarkSyncLinksSeen(ctx context.Context, connector, object string, run int64, remoteIDs []string) error {
	return s.update(ctx, func(t *tx) error { return t.markSeen(connector, object, run, remoteIDs) })
}

func (t *tx) markSeen(connector, object string, run int64, remoteIDs []string) error {
	for start := 0; start < len(remoteIDs); start += 500 {
		chunk := remoteIDs[start:min(start+500, len(remoteIDs))]
		args := []any{run, connector, object}
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE sync_links SET seen_run = ? WHERE connector = ? AND object = ? AND remote_id IN ("+placeholders(len(chunk))+")", args...); err != nil {
			return fmt.Errorf("mark links seen: %w", err)
		}
	}
	return nil
}

// DropPendingSyncDeletes gives up the deletions the mass-delete guard held
// back: both records stay, and the link is marked so the pair stops
// syncing (as with the ignore policy).
func (s *Store) DropPendingSyncDeletes(ctx context.Context, connector, object string) error {
	return s.update(ctx, func(t *tx) error {
		for _, st := range [][2]string{{LinkPendingLocalDelete, LinkRemoteDeleted}, {LinkPendingRemoteDelete, LinkLocalDeleted}} {
			if _, err := t.ExecContext(t.ctx, "UPDATE sync_links SET state = ?, synced_at = ? WHERE connector = ? AND object = ? AND state = ?",
				st[1], t.ms, connector, object, st[0]); err != nil {
				return fmt.Errorf("drop pending deletes of %s %s: %w", connector, object, err)
			}
		}
		return nil
	})
}

// UnlinkedRecordIDs pages through the live records of object that have no
// link for connector, in id order after afterID: the candidates a full
// reconciliation creates on the remote.
func (s *Store) UnlinkedRecordIDs(ctx context.Context, connector, object string, afterID int64, limit int) ([]int64, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	var ids []int64
	if err := s.r.SelectContext(ctx, &ids, `SELECT r.id FROM records r WHERE r.object_oid = ? AND r.archived_at IS NULL AND r.id > ?
		AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.connector = ? AND l.object = ? AND l.local_id = r.id)
		ORDER BY r.id LIMIT ?`, o.oid, afterID, connector, o.Name, limit); err != nil {
		return nil, fmt.Errorf("list unlinked %s of %s: %w", o.Name, connector, err)
	}
	return ids, nil
}
