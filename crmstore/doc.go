// Package crmstore is Tandem's CRM database: the catalogue of objects and
// typed properties, records and their values, property history,
// associations, pipelines, owners and the change log. It is the only code
// that writes SQL. It runs on SQLite (WAL mode, one writer connection, a
// read pool) and imports nothing else of the project.
//
// # Storage of property values
//
// Each record is one row of the records table; its property values are a
// JSON object in the row's props column, keyed by property name, holding
// the canonical string of each value (numbers as decimal strings, dates as
// YYYY-MM-DD, datetimes as ISO-8601 UTC with milliseconds, multi-select
// values ;-joined). The choice was made for the two loads the store must
// carry over millions of records:
//
//   - Bulk writes (imports, sync pulls) cost one row per record plus its
//     change-log row, instead of a row per value. A column per property
//     would cost the same but needs DDL on every property change; a row
//     per value (EAV) measured five times slower on batch create.
//   - Filters and sorts on any property use indexes: the first search that
//     filters or sorts on a property adds VIRTUAL generated columns on
//     records for it (its raw value, lower-cased, reversed for suffix
//     matches, and as a number), named by the property's numeric id, and
//     partial indexes on them (see search_index.go). Virtual columns cost
//     nothing to add on a million rows and nothing to store; building the
//     index takes seconds once. Because date and datetime values are
//     fixed-width ISO strings they sort in time order as text.
//   - A read by id is one primary-key lookup returning the whole record.
//
// Uniqueness (contacts' email, companies' domain, properties with
// hasUniqueValue) is enforced through the unique_values table, keyed by the
// normalised value (email lower-cased, domain without scheme, "www." and
// path) and holding live records only, so archiving frees a value and
// restoring takes it back.
//
// The generated columns call Go functions (tandem_fold, tandem_reverse,
// tandem_token) that the store registers on every connection through its
// own driver name, sqlite3_tandem. So the plain sqlite3 shell can read
// named columns of a Tandem database but not SELECT * from records or
// write to it: use the tandem CLI, the API or tandem backup instead.
//
// # Change log and history
//
// Every mutation appends change_log rows in its own transaction: record
// create/update (each changed property with old and new value), archive,
// restore, delete, merge, association added or removed. The log is the
// single source of "what changed": sync, history and metrics read it.
// Property history (HubSpot's propertiesWithHistory) is read from it, so
// the same fact is never written twice. A GDPR delete erases the values in
// the record's change-log rows and keeps the rows, so sync still sees the
// delete.
//
// # Catalogue
//
// Object and property definitions are held in memory as an immutable
// snapshot, republished when a transaction that changed them commits, so
// record reads and writes never query definitions. Built-in objects,
// default properties, HubSpot's association types and the default
// pipelines are seeded idempotently on Open.
//
// # Imports
//
// Imports (imports.go, bulk*.go) write through their own bulk path: a batch
// of rows, as value lists aligned with the batch's columns, is validated and
// matched (one lookup query per batch), unchanged rows are found before the
// transaction and write nothing, and each batch commits in one transaction
// with the import's counters and error rows (import_errors), so an
// interrupted import leaves consistent counts. The parts of a row that holds
// several objects are written all or none. During a bulk load the writer's
// automatic checkpoint is off and a separate connection checkpoints the WAL
// (bulkload.go). Records an import created are found for revert through a
// partial index on change_log.
//
// # Sync state
//
// The sync engine's state lives here too (sync*.go, migration 0004): links
// between local and remote records with the last synced value of each
// mapped field, cursors (remote and change-log position), conflicts,
// quarantine, create intents, runs and per-connector state with a lease.
// ApplyPull commits a pulled page's record writes, links and cursor in one
// transaction and refuses a page read before a local edit of one of its
// records (ErrSyncStale), so a pull never overwrites an edit it did not see.
package crmstore
