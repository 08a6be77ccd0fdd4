package crmstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Stats is a snapshot of the store's size and contents, for metrics and the admin status.
type Stats struct {
	// RecordsByObject counts the live (not archived) records of every object of the catalogue,
	// by object name; objects without records count 0.
	RecordsByObject map[string]int64 `json:"recordsByObject"`
	// SizeBytes is the size of the database file plus its write-ahead log.
	SizeBytes int64 `json:"sizeBytes"`
	// LastChangeSeq is the sequence number of the newest change-log row (0 when empty).
	LastChangeSeq int64 `json:"lastChangeSeq"`
	// MigrationVersion is the highest migration applied to the database.
	MigrationVersion int `json:"migrationVersion"`
}

// Stats returns the store's statistics. Counting records is one GROUP BY over the
// records_by_object index, so it reads the index, not the records; it still grows with the
// number of records, so callers that poll (a metrics scrape) should cache the result.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	counts, err := s.RecordCounts(ctx)
	if err != nil {
		return Stats{}, err
	}
	size, err := s.SizeBytes()
	if err != nil {
		return Stats{}, err
	}
	seq, err := s.LastChangeSeq(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("read change-log position: %w", err)
	}
	ver, err := s.MigrationVersion(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("read migration version: %w", err)
	}
	return Stats{RecordsByObject: counts, SizeBytes: size, LastChangeSeq: seq, MigrationVersion: ver}, nil
}

// RecordCounts returns the number of live (not archived) records of every object, by object
// name. Objects of the catalogue without records count 0; archived objects are left out
// unless they still have live records.
func (s *Store) RecordCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		OID   int64 `db:"object_oid"`
		Count int64 `db:"n"`
	}
	// The records_by_object index (object_oid, archived_at, id) covers this query.
	if err := s.r.SelectContext(ctx, &rows,
		"SELECT object_oid, COUNT(*) AS n FROM records WHERE archived_at IS NULL GROUP BY object_oid"); err != nil {
		return nil, fmt.Errorf("count records: %w", err)
	}
	c := s.catalog()
	out := make(map[string]int64, len(c.objects))
	for _, o := range c.objects {
		if !o.Archived {
			out[o.Name] = 0
		}
	}
	for _, r := range rows {
		// An object created after this catalogue snapshot has no name here yet; it is
		// counted at the next call.
		if o, ok := c.byOID[r.OID]; ok {
			out[o.Name] = r.Count
		}
	}
	return out, nil
}

// SizeBytes is the size on disk of the database file plus its write-ahead log (the -wal
// file), which holds committed pages not yet copied back into the database file.
func (s *Store) SizeBytes() (int64, error) {
	var total int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != s.path {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("store size: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}
