-- CSV imports: one row per import with its request, state and counters,
-- updated in the same transaction as each batch the import writes.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    state         TEXT    NOT NULL,               -- STARTED | PROCESSING | DONE | FAILED | CANCELED | REVERTED
    source        TEXT    NOT NULL DEFAULT 'CLI', -- who started it: CLI | API
    objects       TEXT    NOT NULL DEFAULT '[]',  -- JSON array of object type ids
    operations    TEXT    NOT NULL DEFAULT '{}',  -- JSON {objectTypeId: CREATE | UPDATE | UPSERT}
    files         TEXT    NOT NULL DEFAULT '[]',  -- JSON array of file names
    request       TEXT    NOT NULL DEFAULT '{}',  -- the request as given (HubSpot importRequest or CLI flags)
    rows          INTEGER NOT NULL DEFAULT 0,     -- data rows read
    created       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    merged        INTEGER NOT NULL DEFAULT 0,     -- rows folded into an earlier row's record
    failed        INTEGER NOT NULL DEFAULT 0,     -- rows with at least one error
    associations  INTEGER NOT NULL DEFAULT 0,
    bytes_read    INTEGER NOT NULL DEFAULT 0,
    bytes_total   INTEGER NOT NULL DEFAULT 0,
    error_count   INTEGER NOT NULL DEFAULT 0,
    error_file    TEXT    NOT NULL DEFAULT '',
    message       TEXT    NOT NULL DEFAULT '',    -- why it failed or was canceled
    reverted      INTEGER NOT NULL DEFAULT 0,     -- records archived by a revert
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,               -- also the heartbeat of a running import
    finished_at   INTEGER
);
CREATE INDEX imports_by_state ON imports(state) WHERE state IN ('STARTED', 'PROCESSING');

-- Per-row errors of an import, in HubSpot's error-row shape, paged by seq.
CREATE TABLE import_errors (
    import_id     INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    error_type    TEXT    NOT NULL,
    message       TEXT    NOT NULL,
    invalid_value TEXT    NOT NULL DEFAULT '',
    column_name   TEXT    NOT NULL DEFAULT '',
    object_type   TEXT    NOT NULL DEFAULT '',
    file_name     TEXT    NOT NULL DEFAULT '',
    line_number   INTEGER NOT NULL,
    row_data      TEXT    NOT NULL DEFAULT '[]',  -- JSON array of the row's fields
    PRIMARY KEY (import_id, seq)
) WITHOUT ROWID;

-- Revert finds the records an import created through their create rows in
-- the change log. Partial, so the other sources' rows cost nothing.
CREATE INDEX change_log_import_creates ON change_log(source_id, record_id)
    WHERE source_type = 'IMPORT' AND op = 'create';
