// Package syncengine keeps the CRM store and external platforms in step,
// both ways, for every connector alike.
//
// A run of one connector takes a lease in the store (so it never runs twice
// at once, even across processes), then for each configured object:
//
//  1. Pull: pages of remote records changed since the remote cursor. Each
//     page is merged against the links' bases (the last synced value of
//     every mapped field) and applied in one store transaction together with
//     the link updates and the cursor advance, so the cursor is never ahead
//     of durable data. The store refuses a page whose local records changed
//     after the engine read them (an API edit during the merge), and the
//     page is merged again, so such an edit is never overwritten unseen.
//     Unlinked records are matched (contacts by email,
//     companies by domain, others by the configured keys) before anything is
//     created; ambiguous matches are quarantined, never guessed.
//  2. Push: the change log since the local cursor. Changes the engine wrote
//     for this connector (source INTEGRATION:<name>) are echoes and are
//     skipped; for the others, fields whose local value differs from the base
//     are pushed in batches, and the results, link updates and the local
//     cursor commit in one transaction.
//  3. Deletes: tombstones, local archives and (in a full reconciliation only)
//     records missing from a complete listing become pending deletes; the
//     mass-delete guard pauses the connector instead of applying them when
//     they exceed the object's max_delete_percent. A remote deletion held
//     that way and approved later still loses to a local edit made while
//     it waited: the record is kept and created on the remote again.
//
// Conflicts are settled per field by a three-way merge (see merge.go) and
// every one is recorded with both values. Values are compared as the local
// type has them, except for fields whose remote cannot hold every local
// value (a local datetime kept as a remote date, a transform such as lower
// or e164): those compare as the remote holds them, so the detail the
// remote drops never looks like a change. Transient remote errors are
// retried with backoff that honours Retry-After; records the remote refuses
// for good are quarantined with the remote's reason and can be replayed.
//
// # Creates with an unknown outcome
//
// A create is the one write that must not be repeated blindly: when its
// answer is lost (a dropped connection, a 5xx after the remote wrote), the
// remote may hold the record already. So creates are sent in calls of
// their own that are never retried after such a failure (rate limits,
// answered before anything is written, are waited out), and each is
// recorded as an intent (local id, the match-key values sent, the time)
// before it is sent. An intent lasts until the record is linked or the
// remote refuses the create for good. While it lasts:
//
//   - a pulled remote record whose match key holds a value an intent sent
//     links to that intent's local record, even if the local value changed
//     since, with the values sent as the link's base;
//   - the create is not sent again until a pull (or full listing) that
//     started at least Options.CreateCheckDelay after the attempt completed
//     without returning it; the delay covers remotes whose change feeds lag
//     their writes, as HubSpot's search index does.
//
// A create refused as a duplicate with HubSpot's 409 answer ("... Existing
// ID: 123") links the record to the one named instead of quarantining it,
// unless that remote record is gone or linked to another local record.
//
// Residual risk: a record with no match-key value (an object without match
// keys, or an empty key), or of an object the engine never reads back (push
// only, on a connector that cannot list), cannot be found on the remote. Its
// create is sent again from the next run on, and duplicates the record when
// the lost answer hid a create that landed.
//
// # Associations
//
// When the connector implements connectors.Associator, associations between
// the records of every two objects it maps sync both ways, as unlabeled
// default associations:
//
//   - Pull: for the records of each pulled page that changed since their
//     last sync (every listed record in a full reconciliation), the remote
//     associations with the other object are read before the page commits,
//     and the ones between linked records that the store lacks are created
//     with source INTEGRATION:<name>. Reading from both objects' pages means
//     an association is seen whichever of its records changed. The remote
//     is read only when records changed, so a steady-state run makes no
//     association calls; an association made remotely without a record
//     change is seen by the next full reconciliation.
//   - Push: after every object synced, the change log's associate rows since
//     the object pair's own cursor (echoes skipped) are pushed with
//     Associate, for associations that still hold and whose records are
//     both linked by then. Associating is idempotent, so a page that failed
//     is pushed again whole.
//
// A dry run (Plan) reads and plans records only, not associations.
// Associations are only added by sync, never removed: the contract has no
// way to remove one remotely, and an association missing on one side cannot
// be told from one not yet synced. An association whose records become
// linked only after its change-log row was pushed past (a record that was
// quarantined at the time) is not pushed.
package syncengine
