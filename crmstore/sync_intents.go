package crmstore

// Create intents: creates pushed to a remote whose outcome is unknown.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// SyncCreateIntent is a create the sync engine sent (or is about to send)
// for a local record. It lasts until the record is linked or the remote
// refuses the create for good, so a create whose acknowledgement was lost is
// found on the remote by its keys instead of being sent twice.
type SyncCreateIntent struct {
	LocalID int64
	// Keys are the match-key values sent, by local property name, in the
	// store's match form (see SyncMatch); empty when the record has none.
	Keys map[string]string
	// Base is the base the link would have started from: the values sent.
	Base map[string]string
	// At is when the create was attempted.
	At time.Time
}

type syncIntentRow struct {
	LocalID  int64  `db:"local_id"`
	KeyField string `db:"key_field"`
	KeyValue string `db:"key_value"`
	Base     string `db:"base"`
	At       int64  `db:"attempted_at"`
}

// RecordSyncCreateIntents records intents in one transaction, replacing
// earlier intents of the same records. Key values are stored in match form
// so a pulled record's value finds them however it is spelled.
func (s *Store) RecordSyncCreateIntents(ctx context.Context, connector, object string, intents []SyncCreateIntent) error {
	if len(intents) == 0 {
		return nil
	}
	return s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		ids := make([]int64, len(intents))
		for i, in := range intents {
			ids[i] = in.LocalID
		}
		if err := t.dropIntents(connector, o.Name, ids); err != nil {
			return err
		}
		var buf []byte
		for _, in := range intents {
			var base string
			base, buf = encodeBase(buf, c.canonicalBase(o, in.Base))
			keys := c.intentKeys(o, in.Keys)
			if len(keys) == 0 {
				keys = map[string]string{"": ""}
			}
			for field, value := range keys {
				if _, err := t.ExecContext(t.ctx, `INSERT INTO sync_create_intents(connector, object, local_id, key_field, key_value, base, attempted_at)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, connector, o.Name, in.LocalID, field, value, base, in.At.UnixMilli()); err != nil {
					return fmt.Errorf("record create intent of %s record %d: %w", o.Name, in.LocalID, err)
				}
			}
		}
		return nil
	})
}

// intentKeys puts key values in match form, leaving out empty ones and
// properties the object does not have.
func (c *catalog) intentKeys(o *ObjectType, keys map[string]string) map[string]string {
	out := make(map[string]string, len(keys))
	for field, v := range keys {
		p := c.property(o, field)
		if p == nil || v == "" {
			continue
		}
		if k := matchForm(p, v); k != "" {
			out[field] = k
		}
	}
	return out
}

// matchForm is the form a value is compared in when matching records: the
// canonical value's uniqueness key (trimmed, and lower-cased for email and
// domain), or the trimmed raw value when it is not valid for the property.
func matchForm(p *Property, v string) string {
	canon, _, perr := normalizeValue(p, v)
	if perr != nil {
		return strings.TrimSpace(v)
	}
	return uniqueKey(p, canon)
}

// SyncCreateIntents returns the intents of the given local records, keyed
// by local id.
func (s *Store) SyncCreateIntents(ctx context.Context, connector, object string, localIDs []int64) (map[int64]SyncCreateIntent, error) {
	out := map[int64]SyncCreateIntent{}
	for start := 0; start < len(localIDs); start += 500 {
		chunk := localIDs[start:min(start+500, len(localIDs))]
		var rows []syncIntentRow
		if err := s.r.SelectContext(ctx, &rows, `SELECT local_id, key_field, key_value, base, attempted_at FROM sync_create_intents
			WHERE connector = ? AND object = ? AND local_id IN (`+placeholders(len(chunk))+`)`,
			append([]any{connector, object}, int64Args(chunk)...)...); err != nil {
			return nil, fmt.Errorf("read create intents of %s %s: %w", connector, object, err)
		}
		foldIntents(rows, out)
	}
	return out, nil
}

// ListSyncCreateIntents pages through a connector object's intents in local
// id order, after afterLocalID (exclusive).
func (s *Store) ListSyncCreateIntents(ctx context.Context, connector, object string, afterLocalID int64, limit int) ([]SyncCreateIntent, error) {
	if limit <= 0 {
		limit = 500
	}
	var rows []syncIntentRow
	if err := s.r.SelectContext(ctx, &rows, `SELECT local_id, key_field, key_value, base, attempted_at FROM sync_create_intents
		WHERE connector = ? AND object = ? AND local_id IN (SELECT DISTINCT local_id FROM sync_create_intents
			WHERE connector = ? AND object = ? AND local_id > ? ORDER BY local_id LIMIT ?)`,
		connector, object, connector, object, afterLocalID, limit); err != nil {
		return nil, fmt.Errorf("list create intents of %s %s: %w", connector, object, err)
	}
	byID := map[int64]SyncCreateIntent{}
	foldIntents(rows, byID)
	out := make([]SyncCreateIntent, 0, len(byID))
	for _, in := range byID {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LocalID < out[j].LocalID })
	return out, nil
}

// SyncCreateIntentsByKey finds the intents whose key field holds one of
// values (compared in match form), returning per input value the intents
// holding it.
func (s *Store) SyncCreateIntentsByKey(ctx context.Context, connector, object, field string, values []string) (map[string][]SyncCreateIntent, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	p := c.property(o, field)
	out := map[string][]SyncCreateIntent{}
	if p == nil || len(values) == 0 {
		return out, nil
	}
	byKey := map[string][]string{}
	for _, v := range values {
		if k := matchForm(p, v); k != "" {
			byKey[k] = append(byKey[k], v)
		}
	}
	keys := make([]any, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		var rows []syncIntentRow
		if err := s.r.SelectContext(ctx, &rows, `SELECT i.local_id, i.key_field, i.key_value, i.base, i.attempted_at FROM sync_create_intents i
			WHERE i.connector = ? AND i.object = ? AND i.local_id IN (SELECT local_id FROM sync_create_intents
				WHERE connector = ? AND object = ? AND key_field = ? AND key_value IN (`+placeholders(len(chunk))+`))`,
			append([]any{connector, o.Name, connector, o.Name, field}, chunk...)...); err != nil {
			return nil, fmt.Errorf("find create intents of %s %s by %s: %w", connector, o.Name, field, err)
		}
		found := map[int64]SyncCreateIntent{}
		foldIntents(rows, found)
		for _, in := range found {
			for _, v := range byKey[in.Keys[field]] {
				out[v] = append(out[v], in)
			}
		}
	}
	return out, nil
}

// foldIntents gathers intent rows (one per key) into intents by local id.
func foldIntents(rows []syncIntentRow, into map[int64]SyncCreateIntent) {
	for _, r := range rows {
		in, ok := into[r.LocalID]
		if !ok {
			base := map[string]string{}
			_ = decodeStringMap(r.Base, base)
			in = SyncCreateIntent{LocalID: r.LocalID, Keys: map[string]string{}, Base: base, At: msTime(r.At)}
		}
		if r.KeyField != "" {
			in.Keys[r.KeyField] = r.KeyValue
		}
		into[r.LocalID] = in
	}
}

// DropSyncCreateIntents removes the intents of the given local records.
func (s *Store) DropSyncCreateIntents(ctx context.Context, connector, object string, localIDs []int64) error {
	if len(localIDs) == 0 {
		return nil
	}
	return s.update(ctx, func(t *tx) error { return t.dropIntents(connector, object, localIDs) })
}

// dropIntents removes intents in the transaction: the record was linked,
// refused for good, or is about to get a fresh intent.
func (t *tx) dropIntents(connector, object string, localIDs []int64) error {
	for start := 0; start < len(localIDs); start += 500 {
		chunk := localIDs[start:min(start+500, len(localIDs))]
		if _, err := t.ExecContext(t.ctx, "DELETE FROM sync_create_intents WHERE connector = ? AND object = ? AND local_id IN ("+placeholders(len(chunk))+")",
			append([]any{connector, object}, int64Args(chunk)...)...); err != nil {
			return fmt.Errorf("drop create intents of %s %s: %w", connector, object, err)
		}
	}
	return nil
}
