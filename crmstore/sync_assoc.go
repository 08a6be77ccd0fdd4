package crmstore

// Associations written by the sync engine, and its association push cursors.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SyncAssociationPair names two local records to associate: FromID of the
// from object and ToID of the to object.
type SyncAssociationPair struct {
	FromID int64
	ToID   int64
}

// SyncAssociationFailure is a pair the store refused, with the reason.
type SyncAssociationFailure struct {
	Pair SyncAssociationPair
	Err  error
}

// SyncAssociate associates each pair with the default unlabeled type of the
// object pair (as AssociateDefault does), in one transaction, logging each
// new association with src. Pairs already associated are left alone, and so
// are pairs with a record archived or gone (there is nothing to associate);
// a pair the store refuses (a limit reached) is returned as a failure and
// does not stop the others.
func (s *Store) SyncAssociate(ctx context.Context, from, to string, pairs []SyncAssociationPair, src Source) ([]SyncAssociationFailure, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	return updateValue(ctx, s, func(t *tx) ([]SyncAssociationFailure, error) {
		c, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return nil, err
		}
		d, err := t.defaultType(fo, too)
		if err != nil {
			return nil, err
		}
		src = src.orDefault()
		var failed []SyncAssociationFailure
		for _, p := range pairs {
			err := t.checkPair(fo, p.FromID, too, p.ToID)
			if err == nil {
				// The checks of associate come before its writes for an
				// unlabeled type, so a refusal leaves nothing half done.
				err = t.associate(c, p.FromID, p.ToID, []*assocType{d}, src)
			}
			if err == nil {
				continue
			}
			var inv *InvalidError
			var ve *ValidationError
			var nf *NotFoundError
			if errors.As(err, &nf) {
				continue
			}
			if !errors.As(err, &inv) && !errors.As(err, &ve) {
				return nil, fmt.Errorf("associate %s %d with %s %d: %w", fo.Name, p.FromID, too.Name, p.ToID, err)
			}
			failed = append(failed, SyncAssociationFailure{Pair: p, Err: err})
		}
		return failed, nil
	})
}

// GetSyncAssocCursor returns the change-log position up to which a
// connector pushed the associations between two objects (0 before the
// first push).
func (s *Store) GetSyncAssocCursor(ctx context.Context, connector, from, to string) (int64, error) {
	var seq int64
	err := s.r.GetContext(ctx, &seq, "SELECT local_seq FROM sync_assoc_cursors WHERE connector = ? AND from_object = ? AND to_object = ?",
		connector, from, to)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read association cursor of %s %s→%s: %w", connector, from, to, err)
	}
	return seq, nil
}

// SetSyncAssocCursor moves the association push cursor forward to seq (it
// never moves back).
func (s *Store) SetSyncAssocCursor(ctx context.Context, connector, from, to string, seq int64) error {
	return s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(t.ctx, `INSERT INTO sync_assoc_cursors(connector, from_object, to_object, local_seq, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(connector, from_object, to_object) DO UPDATE SET local_seq = MAX(local_seq, excluded.local_seq), updated_at = excluded.updated_at`,
			connector, from, to, seq, t.ms); err != nil {
			return fmt.Errorf("move association cursor of %s %s→%s: %w", connector, from, to, err)
		}
		return nil
	})
}

// MissingAssociations returns, each once and in input order, the pairs of
// live records of from and to that no association type links yet.
func (s *Store) MissingAssociations(ctx context.Context, from, to string, pairs []SyncAssociationPair) ([]SyncAssociationPair, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	seen := make(map[int64]bool, len(pairs))
	var ids []int64
	for _, p := range pairs {
		if !seen[p.FromID] {
			seen[p.FromID] = true
			ids = append(ids, p.FromID)
		}
	}
	have, err := s.AssociationsBatch(ctx, from, ids, to)
	if err != nil {
		return nil, err
	}
	done := map[SyncAssociationPair]bool{}
	for fromID, recs := range have {
		for _, r := range recs {
			done[SyncAssociationPair{FromID: fromID, ToID: r.ToObjectID}] = true
		}
	}
	var out []SyncAssociationPair
	for _, p := range pairs {
		if !done[p] {
			done[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}
