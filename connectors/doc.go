// Package connectors is the contract between the sync engine and the external platforms it
// keeps in step with the CRM store.
//
// A connector only translates: it pulls changed records page by page from an opaque cursor,
// fetches records by id, pushes creates, updates and deletes in batches with a result per
// record, and tests its connection. It knows nothing of the store, of links, of conflicts or of
// schedules; the engine (package syncengine) owns all of that, the same for every connector.
//
// The package is a leaf: standard library only, so a connector can be written and tested
// without the rest of Tandem. Optional capabilities are separate small interfaces (Lister,
// FieldDescriber, Associator) that the engine discovers with a type assertion.
//
// Errors a connector returns are classified with the types in errors.go so the engine can act
// on them: Unauthorized stops the run, RateLimitError waits, PermanentError quarantines one
// record, anything else is treated as transient and retried with backoff.
//
// Every connector passes the shared conformance suite in connectors/connectortest. See
// README.md in this directory for how to add one.
package connectors
