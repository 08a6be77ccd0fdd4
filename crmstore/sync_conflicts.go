package crmstore

// The sync conflict log.

import (
	"context"
	"fmt"
	"time"
)

// Conflict winners.
const (
	WinnerLocal  = "local"
	WinnerRemote = "remote"
)

// SyncConflict is one field that both sides changed to different values,
// kept with every value so no losing value is dropped silently.
type SyncConflict struct {
	ID        int64  `json:"id"`
	Connector string `json:"connector"`
	Object    string `json:"object"`
	LocalID   int64  `json:"localId"`
	RemoteID  string `json:"remoteId"`
	Field     string `json:"field"`
	Base      string `json:"base"`
	Local     string `json:"local"`
	Remote    string `json:"remote"`
	Policy    string `json:"policy"`
	// Winner is local or remote; empty while a manual conflict is open.
	Winner     string    `json:"winner,omitempty"`
	Resolved   bool      `json:"resolved"`
	CreatedAt  time.Time `json:"createdAt"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
}

type syncConflictRow struct {
	ID         int64  `db:"id"`
	Connector  string `db:"connector"`
	Object     string `db:"object"`
	LocalID    int64  `db:"local_id"`
	RemoteID   string `db:"remote_id"`
	Field      string `db:"field"`
	Base       string `db:"base_value"`
	Local      string `db:"local_value"`
	Remote     string `db:"remote_value"`
	Policy     string `db:"policy"`
	Winner     string `db:"winner"`
	Resolved   bool   `db:"resolved"`
	CreatedAt  int64  `db:"created_at"`
	ResolvedAt *int64 `db:"resolved_at"`
}

func (r syncConflictRow) conflict() SyncConflict {
	c := SyncConflict{ID: r.ID, Connector: r.Connector, Object: r.Object, LocalID: r.LocalID, RemoteID: r.RemoteID, Field: r.Field,
		Base: r.Base, Local: r.Local, Remote: r.Remote, Policy: r.Policy, Winner: r.Winner, Resolved: r.Resolved, CreatedAt: msTime(r.CreatedAt)}
	if r.ResolvedAt != nil {
		c.ResolvedAt = msTime(*r.ResolvedAt)
	}
	return c
}

// SyncConflictQuery filters SyncConflicts.
type SyncConflictQuery struct {
	// Open keeps only unresolved (manual) conflicts.
	Open bool
	// Object keeps one object's conflicts ("" for all).
	Object string
	// BeforeID is the exclusive cursor for paging back in time (0: newest).
	BeforeID int64
	// Limit defaults to 100, at most 1000.
	Limit int
}

// SyncConflicts lists a connector's conflicts, newest first.
func (s *Store) SyncConflicts(ctx context.Context, connector string, q SyncConflictQuery) ([]SyncConflict, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	where, args := "connector = ?", []any{connector}
	if q.Open {
		where += " AND resolved = 0"
	}
	if q.Object != "" {
		where += " AND object = ?"
		args = append(args, q.Object)
	}
	if q.BeforeID > 0 {
		where += " AND id < ?"
		args = append(args, q.BeforeID)
	}
	var rows []syncConflictRow
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM sync_conflicts WHERE "+where+" ORDER BY id DESC LIMIT ?", append(args, q.Limit)...); err != nil {
		return nil, fmt.Errorf("list conflicts of %s: %w", connector, err)
	}
	out := make([]SyncConflict, len(rows))
	for i, r := range rows {
		out[i] = r.conflict()
	}
	return out, nil
}

// OpenSyncConflicts returns the open conflicts of the given local records,
// by local id and field: the fields the engine must leave parked.
func (s *Store) OpenSyncConflicts(ctx context.Context, connector, object string, localIDs []int64) (map[int64]map[string]SyncConflict, error) {
	out := map[int64]map[string]SyncConflict{}
	if len(localIDs) == 0 {
		return out, nil
	}
	var rows []syncConflictRow
	args := append([]any{connector, object}, int64Args(localIDs)...)
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM sync_conflicts WHERE connector = ? AND object = ? AND resolved = 0 AND local_id IN ("+placeholders(len(localIDs))+")", args...); err != nil {
		return nil, fmt.Errorf("load open conflicts of %s %s: %w", connector, object, err)
	}
	for _, r := range rows {
		if out[r.LocalID] == nil {
			out[r.LocalID] = map[string]SyncConflict{}
		}
		out[r.LocalID][r.Field] = r.conflict()
	}
	return out, nil
}

// CountOpenSyncConflicts counts a connector's unresolved conflicts.
func (s *Store) CountOpenSyncConflicts(ctx context.Context, connector string) (int64, error) {
	var n int64
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM sync_conflicts WHERE connector = ? AND resolved = 0", connector); err != nil {
		return 0, fmt.Errorf("count conflicts of %s: %w", connector, err)
	}
	return n, nil
}

// insertConflicts records conflicts; those with a winner are resolved at once.
func (t *tx) insertConflicts(connector, object string, cs []SyncConflict) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([][]any, len(cs))
	for i, c := range cs {
		var resolvedAt any
		if c.Winner != "" {
			resolvedAt = t.ms
		}
		rows[i] = []any{connector, object, c.LocalID, c.RemoteID, c.Field, c.Base, c.Local, c.Remote, c.Policy, c.Winner, c.Winner != "", t.ms, resolvedAt}
	}
	return t.insertRows("sync_conflicts", []string{"connector", "object", "local_id", "remote_id", "field", "base_value", "local_value",
		"remote_value", "policy", "winner", "resolved", "created_at", "resolved_at"}, rows, "")
}

// resolveConflicts marks open conflicts settled (both sides now agree).
func (t *tx) resolveConflicts(ids []int64) error {
	for _, id := range ids {
		if _, err := t.ExecContext(t.ctx, "UPDATE sync_conflicts SET resolved = 1, resolved_at = ? WHERE id = ? AND resolved = 0", t.ms, id); err != nil {
			return fmt.Errorf("resolve conflict %d: %w", id, err)
		}
	}
	return nil
}
