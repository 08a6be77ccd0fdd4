package memory

import (
	"fmt"
	"strconv"

	"github.com/tandem-crm/tandem/connectors"
)

// The accessors below change and read the remote directly, as a user of the remote platform
// would: they bypass the connector, are not counted as calls, never fail by injection and
// ignore Reject rules and Unique fields.

// Put creates a live record of object with fields and returns its id. Ids are decimal numbers
// unique across all objects of the remote.
func (r *Remote) Put(object string, fields map[string]string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.create(object, fields).id
}

// Update merges fields into the live record id of object (an empty value clears a field). It
// always records a change and bumps the version, even when no value differs, as a remote
// "touch" does.
func (r *Remote) Update(object, id string, fields map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, rec, err := r.live(object, id)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	r.modify(object, o, rec, fields, true)
	return nil
}

// Delete turns the live record id of object into a tombstone, which the next Pull reports.
func (r *Remote) Delete(object, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, rec, err := r.live(object, id)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	r.remove(object, o, rec)
	return nil
}

// Get returns the live record id of object; false when it does not exist or was deleted.
func (r *Remote) Get(object, id string) (connectors.Record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, rec, err := r.live(object, id)
	if err != nil {
		return connectors.Record{}, false
	}
	return toRecord(rec, nil), true
}

// All returns every live record of object in creation order.
func (r *Remote) All(object string) []connectors.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.objects[object]
	if !ok {
		return nil
	}
	out := make([]connectors.Record, 0, len(o.order))
	for _, rec := range o.order {
		if !rec.deleted {
			out = append(out, toRecord(rec, nil))
		}
	}
	return out
}

// Count returns the number of live records of object.
func (r *Remote) Count(object string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.objects[object]
	if !ok {
		return 0
	}
	n := 0
	for _, rec := range o.order {
		if !rec.deleted {
			n++
		}
	}
	return n
}

// errNotFound is what the accessors and the connector report for an id the remote does not
// hold alive.
type errNotFound struct{ object, id string }

func (e errNotFound) Error() string {
	return fmt.Sprintf("%s record %s not found", e.object, strconv.Quote(e.id))
}

// live finds the live record id of object. The caller holds r.mu.
func (r *Remote) live(object, id string) (*table, *record, error) {
	o, ok := r.objects[object]
	if !ok {
		return nil, nil, errNotFound{object, id}
	}
	rec, ok := o.records[id]
	if !ok || rec.deleted {
		return nil, nil, errNotFound{object, id}
	}
	return o, rec, nil
}
