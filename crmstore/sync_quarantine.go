package crmstore

// The sync quarantine: records that failed for good, with the reason.

import (
	"context"
	"fmt"
	"time"
)

// Sync directions of a quarantined record.
const (
	SyncPull = "pull"
	SyncPush = "push"
)

// SyncQuarantine is a record that failed for good in one direction, with
// the reason (the remote's own message for pushes). It stays listed until
// it syncs, by replay or by a later change.
type SyncQuarantine struct {
	ID        int64  `json:"id"`
	Connector string `json:"connector"`
	Object    string `json:"object"`
	// Direction is pull (RemoteID names the record) or push (LocalID does).
	Direction string    `json:"direction"`
	LocalID   int64     `json:"localId,omitempty"`
	RemoteID  string    `json:"remoteId,omitempty"`
	Op        string    `json:"op,omitempty"`
	Code      string    `json:"code,omitempty"`
	Reason    string    `json:"reason"`
	Attempts  int       `json:"attempts"`
	FirstAt   time.Time `json:"firstAt"`
	LastAt    time.Time `json:"lastAt"`
}

type syncQuarantineRow struct {
	ID        int64  `db:"id"`
	Connector string `db:"connector"`
	Object    string `db:"object"`
	Direction string `db:"direction"`
	LocalID   int64  `db:"local_id"`
	RemoteID  string `db:"remote_id"`
	Op        string `db:"op"`
	Code      string `db:"code"`
	Reason    string `db:"reason"`
	Attempts  int    `db:"attempts"`
	FirstAt   int64  `db:"first_at"`
	LastAt    int64  `db:"last_at"`
}

func (r syncQuarantineRow) entry() SyncQuarantine {
	return SyncQuarantine{ID: r.ID, Connector: r.Connector, Object: r.Object, Direction: r.Direction, LocalID: r.LocalID,
		RemoteID: r.RemoteID, Op: r.Op, Code: r.Code, Reason: r.Reason, Attempts: r.Attempts, FirstAt: msTime(r.FirstAt), LastAt: msTime(r.LastAt)}
}

// SyncQuarantine lists a connector's quarantined records, oldest first
// (limit defaults to 100, at most 10000).
func (s *Store) SyncQuarantine(ctx context.Context, connector string, limit int) ([]SyncQuarantine, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	return s.quarantine(ctx, "SELECT * FROM sync_quarantine WHERE connector = ? ORDER BY id LIMIT ?", connector, limit)
}

// SyncQuarantineByID reads the given quarantine entries of a connector.
func (s *Store) SyncQuarantineByID(ctx context.Context, connector string, ids []int64) ([]SyncQuarantine, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.quarantine(ctx, "SELECT * FROM sync_quarantine WHERE connector = ? AND id IN ("+placeholders(len(ids))+") ORDER BY id",
		append([]any{connector}, int64Args(ids)...)...)
}

func (s *Store) quarantine(ctx context.Context, q string, args ...any) ([]SyncQuarantine, error) {
	var rows []syncQuarantineRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("read quarantine: %w", err)
	}
	out := make([]SyncQuarantine, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// CountSyncQuarantine counts a connector's quarantine entries last tried
// at or after since (all of them when since is zero).
func (s *Store) CountSyncQuarantine(ctx context.Context, connector string, since time.Time) (int64, error) {
	var n int64
	var from int64
	if !since.IsZero() {
		from = since.UnixMilli()
	}
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM sync_quarantine WHERE connector = ? AND last_at >= ?", connector, from); err != nil {
		return 0, fmt.Errorf("count quarantine of %s: %w", connector, err)
	}
	return n, nil
}

// quarantineRecords adds entries, or counts another attempt of entries
// already there (keeping the newest reason).
func (t *tx) quarantineRecords(connector, object string, qs []SyncQuarantine) error {
	for _, q := range qs {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO sync_quarantine(connector, object, direction, local_id, remote_id, op, code, reason, attempts, first_at, last_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT(connector, object, direction, local_id, remote_id) DO UPDATE SET
			op = excluded.op, code = excluded.code, reason = excluded.reason, attempts = attempts + 1, last_at = excluded.last_at`,
			connector, object, q.Direction, q.LocalID, q.RemoteID, q.Op, q.Code, q.Reason, t.ms, t.ms); err != nil {
			return fmt.Errorf("quarantine %s %s record %d/%s: %w", connector, object, q.LocalID, q.RemoteID, err)
		}
	}
	return nil
}

// clearQuarantine removes the entries of records that synced: pulled ones
// by remote id, pushed ones by local id.
func (t *tx) clearQuarantine(connector, object string, remoteIDs []string, localIDs []int64) error {
	for start := 0; start < len(remoteIDs); start += 500 {
		chunk := remoteIDs[start:min(start+500, len(remoteIDs))]
		args := []any{connector, object, SyncPull}
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := t.ExecContext(t.ctx, "DELETE FROM sync_quarantine WHERE connector = ? AND object = ? AND direction = ? AND remote_id IN ("+placeholders(len(chunk))+")", args...); err != nil {
			return fmt.Errorf("clear quarantine: %w", err)
		}
	}
	for start := 0; start < len(localIDs); start += 500 {
		chunk := localIDs[start:min(start+500, len(localIDs))]
		args := append([]any{connector, object, SyncPush}, int64Args(chunk)...)
		if _, err := t.ExecContext(t.ctx, "DELETE FROM sync_quarantine WHERE connector = ? AND object = ? AND direction = ? AND local_id IN ("+placeholders(len(chunk))+")", args...); err != nil {
			return fmt.Errorf("clear quarantine: %w", err)
		}
	}
	return nil
}
