-- Catalogue: object types, property groups and property definitions.
CREATE TABLE object_types (
    oid                        INTEGER PRIMARY KEY,
    type_id                    TEXT    NOT NULL UNIQUE,  -- '0-1', '2-1'
    name                       TEXT    NOT NULL UNIQUE,  -- 'contacts', 'cars'
    singular_label             TEXT    NOT NULL,
    plural_label               TEXT    NOT NULL,
    description                TEXT    NOT NULL DEFAULT '',
    primary_display_property   TEXT    NOT NULL DEFAULT '',
    secondary_display_properties TEXT  NOT NULL DEFAULT '[]',
    required_properties        TEXT    NOT NULL DEFAULT '[]',
    searchable_properties      TEXT    NOT NULL DEFAULT '[]',
    custom                     INTEGER NOT NULL DEFAULT 0,
    archived_at                INTEGER,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
);

CREATE TABLE property_groups (
    object_oid    INTEGER NOT NULL REFERENCES object_types(oid),
    name          TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    display_order INTEGER NOT NULL DEFAULT -1,
    archived_at   INTEGER,
    PRIMARY KEY (object_oid, name)
);

CREATE TABLE properties (
    id                     INTEGER PRIMARY KEY,
    object_oid             INTEGER NOT NULL REFERENCES object_types(oid),
    name                   TEXT    NOT NULL,
    label                  TEXT    NOT NULL,
    description            TEXT    NOT NULL DEFAULT '',
    group_name             TEXT    NOT NULL,
    type                   TEXT    NOT NULL,
    field_type             TEXT    NOT NULL,
    options                TEXT    NOT NULL DEFAULT '[]', -- JSON array of Option
    display_order          INTEGER NOT NULL DEFAULT -1,
    hidden                 INTEGER NOT NULL DEFAULT 0,
    form_field             INTEGER NOT NULL DEFAULT 0,
    has_unique_value       INTEGER NOT NULL DEFAULT 0,
    hubspot_defined        INTEGER NOT NULL DEFAULT 0,
    calculated             INTEGER NOT NULL DEFAULT 0,
    read_only_value        INTEGER NOT NULL DEFAULT 0,
    read_only_definition   INTEGER NOT NULL DEFAULT 0,
    external_options       INTEGER NOT NULL DEFAULT 0,
    referenced_object_type TEXT    NOT NULL DEFAULT '',
    calculation_formula    TEXT    NOT NULL DEFAULT '',
    archived_at            INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    UNIQUE (object_oid, name)
);

-- Records: one row per record, its property values in props as a JSON
-- object {property name: canonical string}. One row per record keeps bulk
-- writes and reads by id cheap; filters and sorts on a property use
-- expression indexes on props ->> '$.name', created per property as needed
-- (see the package doc).
CREATE TABLE records (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, even after a hard delete
    object_oid  INTEGER NOT NULL REFERENCES object_types(oid),
    created_at  INTEGER NOT NULL,  -- epoch ms
    updated_at  INTEGER NOT NULL,  -- epoch ms
    archived_at INTEGER,           -- epoch ms; NULL while live
    merged_into INTEGER,           -- id of the record this one was merged into
    props       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX records_by_object ON records(object_oid, archived_at, id);


-- Normalised values of unique properties of live records. Rows are removed
-- by key (the store knows a record's values when it archives or deletes
-- it), so no index on record_id is kept: one index insert less per record.
CREATE TABLE unique_values (
    property_id INTEGER NOT NULL,
    value       TEXT    NOT NULL,
    record_id   INTEGER NOT NULL,
    PRIMARY KEY (property_id, value)
) WITHOUT ROWID;

-- Ids of records merged into another, so reads by an old id still resolve.
CREATE TABLE merged_ids (
    merged_id  INTEGER PRIMARY KEY,
    primary_id INTEGER NOT NULL
);
CREATE INDEX merged_ids_by_primary ON merged_ids(primary_id);

-- The change log: one row per mutation, written in the mutation's transaction.
-- changes is a JSON object {property: {"old": ..., "new": ...}} for record
-- writes, or an operation-specific JSON document for other operations.
CREATE TABLE change_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,  -- epoch ms
    object_oid   INTEGER NOT NULL,
    record_id    INTEGER NOT NULL,
    op           TEXT    NOT NULL,
    changes      TEXT    NOT NULL DEFAULT '{}',
    source_type  TEXT    NOT NULL,
    source_id    TEXT    NOT NULL DEFAULT '',
    source_label TEXT    NOT NULL DEFAULT '',
    user_id      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX change_log_by_record ON change_log(record_id, seq);

-- Associations (HubSpot v4): type definitions, then one row per direction.
CREATE TABLE association_types (
    type_id      INTEGER PRIMARY KEY,
    from_oid     INTEGER NOT NULL REFERENCES object_types(oid),
    to_oid       INTEGER NOT NULL REFERENCES object_types(oid),
    category     TEXT    NOT NULL,           -- HUBSPOT_DEFINED | USER_DEFINED
    name         TEXT    NOT NULL DEFAULT '',
    label        TEXT,                       -- NULL for unlabeled types
    inverse_id   INTEGER NOT NULL,           -- the type of the reverse direction (itself when symmetric)
    primary_flag INTEGER NOT NULL DEFAULT 0, -- 'Primary' company types
    max_per_from INTEGER NOT NULL DEFAULT 0, -- 0 = no limit
    archived_at  INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX association_types_by_pair ON association_types(from_oid, to_oid);

CREATE TABLE associations (
    from_id    INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    type_id    INTEGER NOT NULL REFERENCES association_types(type_id),
    to_id      INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (from_id, type_id, to_id)
) WITHOUT ROWID;
CREATE INDEX associations_by_to ON associations(to_id, type_id, from_id);

-- Pipelines and stages (deals, tickets, custom objects).
CREATE TABLE pipelines (
    pid           INTEGER PRIMARY KEY,
    object_oid    INTEGER NOT NULL REFERENCES object_types(oid),
    id            TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    display_order INTEGER NOT NULL DEFAULT 0,
    archived_at   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (object_oid, id)
);

CREATE TABLE pipeline_stages (
    pid           INTEGER NOT NULL REFERENCES pipelines(pid) ON DELETE CASCADE,
    object_oid    INTEGER NOT NULL REFERENCES object_types(oid),
    id            TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    display_order INTEGER NOT NULL DEFAULT 0,
    metadata      TEXT    NOT NULL DEFAULT '{}',
    archived_at   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (object_oid, id)
);
CREATE INDEX pipeline_stages_by_pipeline ON pipeline_stages(pid, display_order);

-- Owners: the users records are assigned to.
CREATE TABLE owners (
    id          INTEGER PRIMARY KEY,
    email       TEXT    NOT NULL,
    first_name  TEXT    NOT NULL DEFAULT '',
    last_name   TEXT    NOT NULL DEFAULT '',
    user_id     INTEGER,
    type        TEXT    NOT NULL DEFAULT 'PERSON',
    teams       TEXT    NOT NULL DEFAULT '[]',
    archived_at INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX owners_by_email ON owners(email) WHERE archived_at IS NULL;

-- Counters for ids the store allocates itself (custom object type ids,
-- user-defined association type ids), so an id is never handed out twice.
CREATE TABLE sequences (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
