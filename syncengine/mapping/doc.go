// Package mapping turns one object mapping's configured fields into compiled
// converters between a remote platform's field values and Tandem's local
// canonical values: per-field direction, named transforms (trim, lower,
// upper, e164, date layouts), enumeration value maps, and type coercion.
//
// Every value is text on both sides, as connectors.Record and the CRM store
// hold it. The empty string means "no value" and passes through every
// conversion unchanged, so clearing a field on one side clears it on the
// other.
//
// Pull (remote to local) runs, in order: the remote type's canonical form
// (skipped when a date transform owns the remote spelling), the transform
// chain left to right, the value map, and the local type's canonical form.
// Push runs the exact inverse: local canonical form, inverse value map, the
// transform chain right to left, and the remote type's canonical form. The
// local canonical forms are those of crmstore (numbers as plain decimals,
// bools "true"/"false", dates "2006-01-02", datetimes
// "2006-01-02T15:04:05.000Z" in UTC), so that a pulled value written to the
// store is stored exactly as ToLocal returned it.
//
// The package imports nothing of the project but crmstore, whose canonical
// value forms it reuses, so that the sync engine and configuration checks can
// both use it without pulling in the engine.
package mapping
