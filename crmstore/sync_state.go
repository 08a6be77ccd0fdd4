package crmstore

// Sync run history, connector state and lease, and cursors.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Sync run statuses.
const (
	SyncRunRunning   = "running"
	SyncRunSucceeded = "succeeded"
	SyncRunPartial   = "partial"
	SyncRunFailed    = "failed"
	SyncRunPaused    = "paused"
)

// SyncCounts are the tallies of a sync run.
type SyncCounts struct {
	Pulled        int64 `json:"pulled" db:"pulled"`
	Pushed        int64 `json:"pushed" db:"pushed"`
	CreatedLocal  int64 `json:"createdLocal" db:"created_local"`
	CreatedRemote int64 `json:"createdRemote" db:"created_remote"`
	UpdatedLocal  int64 `json:"updatedLocal" db:"updated_local"`
	UpdatedRemote int64 `json:"updatedRemote" db:"updated_remote"`
	DeletedLocal  int64 `json:"deletedLocal" db:"deleted_local"`
	DeletedRemote int64 `json:"deletedRemote" db:"deleted_remote"`
	Conflicts     int64 `json:"conflicts" db:"conflicts"`
	Failed        int64 `json:"failed" db:"failed"`
	Ambiguous     int64 `json:"ambiguous" db:"ambiguous"`
	SkippedEcho   int64 `json:"skippedEcho" db:"skipped_echo"`
}

// Add adds o's tallies to c.
func (c *SyncCounts) Add(o SyncCounts) {
	c.Pulled += o.Pulled
	c.Pushed += o.Pushed
	c.CreatedLocal += o.CreatedLocal
	c.CreatedRemote += o.CreatedRemote
	c.UpdatedLocal += o.UpdatedLocal
	c.UpdatedRemote += o.UpdatedRemote
	c.DeletedLocal += o.DeletedLocal
	c.DeletedRemote += o.DeletedRemote
	c.Conflicts += o.Conflicts
	c.Failed += o.Failed
	c.Ambiguous += o.Ambiguous
	c.SkippedEcho += o.SkippedEcho
}

// SyncRun is one run of a connector in the history.
type SyncRun struct {
	ID         int64
	Connector  string
	Trigger    string
	Full       bool
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Status     string
	Counts     SyncCounts
	Error      string
}

type syncRunRow struct {
	ID         int64  `db:"id"`
	Connector  string `db:"connector"`
	Trigger    string `db:"trigger_name"`
	Full       bool   `db:"full_run"`
	StartedAt  int64  `db:"started_at"`
	FinishedAt *int64 `db:"finished_at"`
	Status     string `db:"status"`
	Error      string `db:"error"`
	SyncCounts
}

func (r syncRunRow) run() SyncRun {
	out := SyncRun{ID: r.ID, Connector: r.Connector, Trigger: r.Trigger, Full: r.Full, StartedAt: msTime(r.StartedAt),
		Status: r.Status, Counts: r.SyncCounts, Error: r.Error}
	if r.FinishedAt != nil {
		out.FinishedAt = msTime(*r.FinishedAt)
	}
	return out
}

// StartSyncRun records the start of a run and returns its id.
func (s *Store) StartSyncRun(ctx context.Context, connector, trigger string, full bool, at time.Time) (int64, error) {
	return updateValue(ctx, s, func(t *tx) (int64, error) {
		res, err := t.ExecContext(t.ctx, "INSERT INTO sync_runs(connector, trigger_name, full_run, started_at, status) VALUES (?, ?, ?, ?, ?)",
			connector, trigger, full, at.UnixMilli(), SyncRunRunning)
		if err != nil {
			return 0, fmt.Errorf("start sync run of %s: %w", connector, err)
		}
		return res.LastInsertId()
	})
}

// FinishSyncRun records the end of a run with its status, counts and error.
func (s *Store) FinishSyncRun(ctx context.Context, id int64, status string, c SyncCounts, errMsg string, at time.Time) error {
	return s.update(ctx, func(t *tx) error {
		_, err := t.ExecContext(t.ctx, `UPDATE sync_runs SET finished_at = ?, status = ?, error = ?, pulled = ?, pushed = ?,
			created_local = ?, created_remote = ?, updated_local = ?, updated_remote = ?, deleted_local = ?, deleted_remote = ?,
			conflicts = ?, failed = ?, ambiguous = ?, skipped_echo = ? WHERE id = ?`,
			at.UnixMilli(), status, errMsg, c.Pulled, c.Pushed, c.CreatedLocal, c.CreatedRemote, c.UpdatedLocal, c.UpdatedRemote,
			c.DeletedLocal, c.DeletedRemote, c.Conflicts, c.Failed, c.Ambiguous, c.SkippedEcho, id)
		if err != nil {
			return fmt.Errorf("finish sync run %d: %w", id, err)
		}
		return nil
	})
}

// SyncRuns returns a connector's newest runs first (limit defaults to 20).
func (s *Store) SyncRuns(ctx context.Context, connector string, limit int) ([]SyncRun, error) {
	if limit <= 0 {
		limit = 20
	}
	return s.syncRuns(ctx, "SELECT * FROM sync_runs WHERE connector = ? ORDER BY id DESC LIMIT ?", connector, limit)
}

// LastSuccessfulSyncRun returns the newest finished run that did not fail,
// or nil.
func (s *Store) LastSuccessfulSyncRun(ctx context.Context, connector string) (*SyncRun, error) {
	runs, err := s.syncRuns(ctx, "SELECT * FROM sync_runs WHERE connector = ? AND status IN (?, ?) ORDER BY id DESC LIMIT 1",
		connector, SyncRunSucceeded, SyncRunPartial)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

func (s *Store) syncRuns(ctx context.Context, q string, args ...any) ([]SyncRun, error) {
	var rows []syncRunRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("read sync runs: %w", err)
	}
	out := make([]SyncRun, len(rows))
	for i, r := range rows {
		out[i] = r.run()
	}
	return out, nil
}

// SyncConnectorState is a connector's stored state.
type SyncConnectorState struct {
	Connector   string
	Paused      bool
	PauseReason string
	PausedAt    time.Time
	// ApproveDeletes lets the next run apply deletions past the guard.
	ApproveDeletes bool
	LeaseHolder    string
	LeaseExpires   time.Time
	RunsSinceFull  int
	LastFullAt     time.Time
}

type syncConnectorRow struct {
	Connector      string `db:"connector"`
	Paused         bool   `db:"paused"`
	PauseReason    string `db:"pause_reason"`
	PausedAt       int64  `db:"paused_at"`
	ApproveDeletes bool   `db:"approve_deletes"`
	LeaseHolder    string `db:"lease_holder"`
	LeaseExpires   int64  `db:"lease_expires"`
	RunsSinceFull  int    `db:"runs_since_full"`
	LastFullAt     int64  `db:"last_full_at"`
}

func optionalTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return msTime(ms)
}

// GetSyncConnectorState reads a connector's state; a connector never seen
// before has the zero state.
func (s *Store) GetSyncConnectorState(ctx context.Context, connector string) (SyncConnectorState, error) {
	var r syncConnectorRow
	err := s.r.GetContext(ctx, &r, "SELECT * FROM sync_connectors WHERE connector = ?", connector)
	if errors.Is(err, sql.ErrNoRows) {
		return SyncConnectorState{Connector: connector}, nil
	}
	if err != nil {
		return SyncConnectorState{}, fmt.Errorf("read state of connector %s: %w", connector, err)
	}
	return SyncConnectorState{Connector: r.Connector, Paused: r.Paused, PauseReason: r.PauseReason, PausedAt: optionalTime(r.PausedAt),
		ApproveDeletes: r.ApproveDeletes, LeaseHolder: r.LeaseHolder, LeaseExpires: optionalTime(r.LeaseExpires),
		RunsSinceFull: r.RunsSinceFull, LastFullAt: optionalTime(r.LastFullAt)}, nil
}

// ensureSyncConnector creates the connector's state row when missing.
func (t *tx) ensureSyncConnector(connector string) error {
	if _, err := t.ExecContext(t.ctx, "INSERT INTO sync_connectors(connector) VALUES (?) ON CONFLICT(connector) DO NOTHING", connector); err != nil {
		return fmt.Errorf("create state of connector %s: %w", connector, err)
	}
	return nil
}

// PauseSyncConnector pauses a connector with a reason.
func (s *Store) PauseSyncConnector(ctx context.Context, connector, reason string, at time.Time) error {
	return s.update(ctx, func(t *tx) error { return t.pauseSyncConnector(connector, reason, at) })
}

func (t *tx) pauseSyncConnector(connector, reason string, at time.Time) error {
	if err := t.ensureSyncConnector(connector); err != nil {
		return err
	}
	if _, err := t.ExecContext(t.ctx, "UPDATE sync_connectors SET paused = 1, pause_reason = ?, paused_at = ?, approve_deletes = 0 WHERE connector = ?",
		reason, at.UnixMilli(), connector); err != nil {
		return fmt.Errorf("pause connector %s: %w", connector, err)
	}
	return nil
}

// ResumeSyncConnector lifts a pause; approveDeletes lets the next run apply
// the deletions the mass-delete guard held back.
func (s *Store) ResumeSyncConnector(ctx context.Context, connector string, approveDeletes bool) error {
	return s.update(ctx, func(t *tx) error {
		if err := t.ensureSyncConnector(connector); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE sync_connectors SET paused = 0, pause_reason = '', paused_at = 0, approve_deletes = ? WHERE connector = ?",
			approveDeletes, connector); err != nil {
			return fmt.Errorf("resume connector %s: %w", connector, err)
		}
		return nil
	})
}

// AcquireSyncLease takes the connector's run lease for holder until
// now+ttl. It fails (false) while another holder's lease has not expired,
// so one connector never runs twice at once, even across processes
// sharing the database.
func (s *Store) AcquireSyncLease(ctx context.Context, connector, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return updateValue(ctx, s, func(t *tx) (bool, error) {
		if err := t.ensureSyncConnector(connector); err != nil {
			return false, err
		}
		res, err := t.ExecContext(t.ctx, `UPDATE sync_connectors SET lease_holder = ?, lease_expires = ?
			WHERE connector = ? AND (lease_holder = '' OR lease_holder = ? OR lease_expires < ?)`,
			holder, now.Add(ttl).UnixMilli(), connector, holder, now.UnixMilli())
		if err != nil {
			return false, fmt.Errorf("take lease of connector %s: %w", connector, err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	})
}

// RenewSyncLease extends a lease holder still holds; false when it was lost.
func (s *Store) RenewSyncLease(ctx context.Context, connector, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return updateValue(ctx, s, func(t *tx) (bool, error) {
		res, err := t.ExecContext(t.ctx, "UPDATE sync_connectors SET lease_expires = ? WHERE connector = ? AND lease_holder = ?",
			now.Add(ttl).UnixMilli(), connector, holder)
		if err != nil {
			return false, fmt.Errorf("renew lease of connector %s: %w", connector, err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	})
}

// ReleaseSyncLease gives up holder's lease.
func (s *Store) ReleaseSyncLease(ctx context.Context, connector, holder string) error {
	return s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(t.ctx, "UPDATE sync_connectors SET lease_holder = '', lease_expires = 0 WHERE connector = ? AND lease_holder = ?",
			connector, holder); err != nil {
			return fmt.Errorf("release lease of connector %s: %w", connector, err)
		}
		return nil
	})
}

// NoteSyncRunDone counts a finished run towards the next periodic full
// reconciliation (a full run resets the count) and consumes a delete
// approval.
func (s *Store) NoteSyncRunDone(ctx context.Context, connector string, full bool, at time.Time) error {
	return s.update(ctx, func(t *tx) error {
		if err := t.ensureSyncConnector(connector); err != nil {
			return err
		}
		q := "UPDATE sync_connectors SET runs_since_full = runs_since_full + 1, approve_deletes = 0 WHERE connector = ?"
		args := []any{connector}
		if full {
			q = "UPDATE sync_connectors SET runs_since_full = 0, last_full_at = ?, approve_deletes = 0 WHERE connector = ?"
			args = []any{at.UnixMilli(), connector}
		}
		if _, err := t.ExecContext(t.ctx, q, args...); err != nil {
			return fmt.Errorf("note run of connector %s: %w", connector, err)
		}
		return nil
	})
}

// SyncCursor is the position of a connector's object on both sides.
type SyncCursor struct {
	// Remote is the connector's opaque cursor ("" before the first pull).
	Remote string
	// LocalSeq is the change-log sequence number pushed up to.
	LocalSeq int64
}

// GetSyncCursor reads the cursors of a connector's object.
func (s *Store) GetSyncCursor(ctx context.Context, connector, object string) (SyncCursor, error) {
	var c struct {
		Remote   string `db:"remote_cursor"`
		LocalSeq int64  `db:"local_seq"`
	}
	err := s.r.GetContext(ctx, &c, "SELECT remote_cursor, local_seq FROM sync_cursors WHERE connector = ? AND object = ?", connector, object)
	if errors.Is(err, sql.ErrNoRows) {
		return SyncCursor{}, nil
	}
	if err != nil {
		return SyncCursor{}, fmt.Errorf("read cursor of %s %s: %w", connector, object, err)
	}
	return SyncCursor{Remote: c.Remote, LocalSeq: c.LocalSeq}, nil
}

// setSyncCursor moves the cursors that are non-nil, in the transaction of
// the data they cover.
func (t *tx) setSyncCursor(connector, object string, remote *string, localSeq *int64) error {
	if remote == nil && localSeq == nil {
		return nil
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO sync_cursors(connector, object, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(connector, object) DO NOTHING`, connector, object, t.ms); err != nil {
		return fmt.Errorf("create cursor of %s %s: %w", connector, object, err)
	}
	if remote != nil {
		if _, err := t.ExecContext(t.ctx, "UPDATE sync_cursors SET remote_cursor = ?, updated_at = ? WHERE connector = ? AND object = ?",
			*remote, t.ms, connector, object); err != nil {
			return fmt.Errorf("move remote cursor of %s %s: %w", connector, object, err)
		}
	}
	if localSeq != nil {
		if _, err := t.ExecContext(t.ctx, "UPDATE sync_cursors SET local_seq = MAX(local_seq, ?), updated_at = ? WHERE connector = ? AND object = ?",
			*localSeq, t.ms, connector, object); err != nil {
			return fmt.Errorf("move local cursor of %s %s: %w", connector, object, err)
		}
	}
	return nil
}

// ResetSyncCursor sets a connector object's remote cursor back to the
// start, so the next pull reads every record again (existing links keep
// that from duplicating anything).
func (s *Store) ResetSyncCursor(ctx context.Context, connector, object string) error {
	empty := ""
	return s.update(ctx, func(t *tx) error { return t.setSyncCursor(connector, object, &empty, nil) })
}

// SyncPushedUpTo is the change-log position up to which connector has pushed every one of
// objects (all of its objects when objects is empty): the smallest of their cursors, 0 for an
// object it never pushed. Changes after it may still have to go out.
func (s *Store) SyncPushedUpTo(ctx context.Context, connector string, objects []string) (int64, error) {
	var seqs []int64
	if len(objects) == 0 {
		if err := s.r.SelectContext(ctx, &seqs, "SELECT local_seq FROM sync_cursors WHERE connector = ?", connector); err != nil {
			return 0, fmt.Errorf("read cursors of %s: %w", connector, err)
		}
		if len(seqs) == 0 {
			return 0, nil
		}
		return slices.Min(seqs), nil
	}
	lowest := int64(-1)
	for _, o := range objects {
		c, err := s.GetSyncCursor(ctx, connector, o)
		if err != nil {
			return 0, err
		}
		if lowest < 0 || c.LocalSeq < lowest {
			lowest = c.LocalSeq
		}
	}
	return lowest, nil
}
