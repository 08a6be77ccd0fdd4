-- Sync state: links between local and remote records with the last synced
-- value of every mapped field (the base of the three-way merge), cursors,
-- conflicts, quarantine, run history and per-connector state and lease.

-- One row per linked record pair, unique both ways within a connector and
-- object. base is a JSON object {local property: last synced value}, in the
-- store's canonical form. state: linked, remote_deleted, local_deleted,
-- pending_local_delete (the remote was deleted; archiving the local record
-- waits for the mass-delete guard), pending_remote_delete (the reverse).
-- seen_run is the last full reconciliation that listed the remote record.
CREATE TABLE sync_links (
    connector          TEXT    NOT NULL,
    object             TEXT    NOT NULL,
    local_id           INTEGER NOT NULL,
    remote_id          TEXT    NOT NULL,
    base               TEXT    NOT NULL DEFAULT '{}',
    remote_version     TEXT    NOT NULL DEFAULT '',
    remote_modified_at INTEGER NOT NULL DEFAULT 0,  -- epoch ms, 0 unknown
    state              TEXT    NOT NULL DEFAULT 'linked',
    seen_run           INTEGER NOT NULL DEFAULT 0,
    synced_at          INTEGER NOT NULL,
    PRIMARY KEY (connector, object, local_id),
    UNIQUE (connector, object, remote_id)
);
CREATE INDEX sync_links_by_state ON sync_links(connector, object, state);

-- Cursors per connector and object: the remote's opaque cursor and the
-- change-log position pushed up to, each committed with the data it covers.
CREATE TABLE sync_cursors (
    connector     TEXT    NOT NULL,
    object        TEXT    NOT NULL,
    remote_cursor TEXT    NOT NULL DEFAULT '',
    local_seq     INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (connector, object)
);

-- Every field conflict, with both values: none is ever dropped silently.
-- winner: local, remote, or '' while a manual conflict is open.
CREATE TABLE sync_conflicts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    connector    TEXT    NOT NULL,
    object       TEXT    NOT NULL,
    local_id     INTEGER NOT NULL,
    remote_id    TEXT    NOT NULL,
    field        TEXT    NOT NULL,
    base_value   TEXT    NOT NULL,
    local_value  TEXT    NOT NULL,
    remote_value TEXT    NOT NULL,
    policy       TEXT    NOT NULL,
    winner       TEXT    NOT NULL DEFAULT '',
    resolved     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER
);
CREATE INDEX sync_conflicts_by_connector ON sync_conflicts(connector, resolved, id);
CREATE INDEX sync_conflicts_open ON sync_conflicts(connector, object, local_id) WHERE resolved = 0;

-- Records that failed for good, with the reason; replayable. direction is
-- pull (remote_id set) or push (local_id set).
CREATE TABLE sync_quarantine (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    connector  TEXT    NOT NULL,
    object     TEXT    NOT NULL,
    direction  TEXT    NOT NULL,
    local_id   INTEGER NOT NULL DEFAULT 0,
    remote_id  TEXT    NOT NULL DEFAULT '',
    op         TEXT    NOT NULL DEFAULT '',
    code       TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    first_at   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    UNIQUE (connector, object, direction, local_id, remote_id)
);
CREATE INDEX sync_quarantine_by_remote ON sync_quarantine(connector, object, direction, remote_id);

-- Run history with counts.
CREATE TABLE sync_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    connector      TEXT    NOT NULL,
    trigger_name   TEXT    NOT NULL,
    full_run       INTEGER NOT NULL DEFAULT 0,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    status         TEXT    NOT NULL,
    pulled         INTEGER NOT NULL DEFAULT 0,
    pushed         INTEGER NOT NULL DEFAULT 0,
    created_local  INTEGER NOT NULL DEFAULT 0,
    created_remote INTEGER NOT NULL DEFAULT 0,
    updated_local  INTEGER NOT NULL DEFAULT 0,
    updated_remote INTEGER NOT NULL DEFAULT 0,
    deleted_local  INTEGER NOT NULL DEFAULT 0,
    deleted_remote INTEGER NOT NULL DEFAULT 0,
    conflicts      INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    ambiguous      INTEGER NOT NULL DEFAULT 0,
    skipped_echo   INTEGER NOT NULL DEFAULT 0,
    error          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_by_connector ON sync_runs(connector, id);

-- Per-connector state: pause (with the reason), the lease that keeps one
-- connector from running twice at once across processes, and bookkeeping
-- for periodic full reconciliations.
CREATE TABLE sync_connectors (
    connector        TEXT    PRIMARY KEY,
    paused           INTEGER NOT NULL DEFAULT 0,
    pause_reason     TEXT    NOT NULL DEFAULT '',
    paused_at        INTEGER NOT NULL DEFAULT 0,
    approve_deletes  INTEGER NOT NULL DEFAULT 0,
    lease_holder     TEXT    NOT NULL DEFAULT '',
    lease_expires    INTEGER NOT NULL DEFAULT 0,
    runs_since_full  INTEGER NOT NULL DEFAULT 0,
    last_full_at     INTEGER NOT NULL DEFAULT 0
);

-- Creates pushed to a remote whose outcome is unknown (the call failed after
-- it may have been applied). A row is written before the create is sent and
-- removed once the record is linked or the remote refused it for good; while
-- it lasts the engine does not create the record again but looks for it in
-- the pulls, by the match keys sent (key_field '' for a record with none).
-- base is the JSON the link would have started from.
CREATE TABLE sync_create_intents (
    connector    TEXT    NOT NULL,
    object       TEXT    NOT NULL,
    local_id     INTEGER NOT NULL,
    key_field    TEXT    NOT NULL DEFAULT '',
    key_value    TEXT    NOT NULL DEFAULT '',
    base         TEXT    NOT NULL DEFAULT '{}',
    attempted_at INTEGER NOT NULL,
    PRIMARY KEY (connector, object, local_id, key_field)
);
CREATE INDEX sync_create_intents_by_key ON sync_create_intents(connector, object, key_field, key_value);

-- Change-log position up to which local association changes between two
-- objects were pushed, per connector.
CREATE TABLE sync_assoc_cursors (
    connector   TEXT    NOT NULL,
    from_object TEXT    NOT NULL,
    to_object   TEXT    NOT NULL,
    local_seq   INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (connector, from_object, to_object)
);
