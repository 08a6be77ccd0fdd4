// Package memory is an in-memory remote platform and a connector over it, for tests of the
// sync engine and for embedding one Tandem process's remote in another's tests.
//
// A Remote holds objects of records (id, text fields, a version counter, a modification time
// from an injectable clock, a tombstone flag). Tests change it directly through Put, Update and
// Delete, which bypass the connector exactly as a user editing the remote platform would, and
// read it back with Get, All and Count. The connector returned by Remote.Connector implements
// connectors.Connector and the optional Lister, Associator and FieldDescriber capabilities.
//
// Every remote call the connector makes is counted (Remote.Calls), so tests can bound how many
// calls a run makes, and can be made to fail: FailNext queues faults for the next calls
// (rate limit with Retry-After, refused credentials, server error), FailEvery fails a seeded
// random share of calls transiently, and Reject rules make the remote refuse individual
// records on push with a connectors.PermanentError.
//
// The package is not registered in the global connector registry: it is a test double. Factory
// adapts a Remote to a connectors.Factory for code that builds connectors by type name.
package memory
