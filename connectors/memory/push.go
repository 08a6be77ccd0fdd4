package memory

import (
	"context"
	"fmt"
	"strconv"

	"github.com/tandem-crm/tandem/connectors"
)

// Push applies changes in batches of BatchSize, one remote call each. When the first call
// fails the whole Push fails and nothing was applied. When a later call fails, the changes of
// the batches already applied keep their results, the rest carry that call's error (not
// permanent, so the engine retries them) and a *connectors.PartialError is returned, as a
// careful HTTP connector would report it: the engine must not re-create records the remote
// already holds.
func (c *Conn) Push(ctx context.Context, object string, changes []connectors.Change) ([]connectors.Result, error) {
	batch := c.remote.batch
	results := make([]connectors.Result, len(changes))
	for start := 0; start < len(changes); start += batch {
		end := min(start+batch, len(changes))
		err := c.pushBatch(ctx, object, changes[start:end], results[start:end])
		if err == nil {
			continue
		}
		err = fmt.Errorf("push %s batch %d: %w", object, start/batch+1, err)
		if start == 0 {
			return nil, err
		}
		for i := start; i < len(changes); i++ {
			results[i] = connectors.Result{Ref: changes[i].Ref, ID: changes[i].ID, Err: err}
		}
		break
	}
	failed := 0
	for _, res := range results {
		if res.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		return results, &connectors.PartialError{Failed: failed, Total: len(changes)}
	}
	return results, nil
}

// pushBatch applies one batch as one remote call, writing one result per change.
func (c *Conn) pushBatch(ctx context.Context, object string, changes []connectors.Change, results []connectors.Result) error {
	r := c.remote
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.enter(ctx, "push", object); err != nil {
		return err
	}
	for i, ch := range changes {
		results[i] = r.apply(object, ch)
	}
	return nil
}

// apply performs one pushed change. The caller holds r.mu.
func (r *Remote) apply(name string, ch connectors.Change) connectors.Result {
	res := connectors.Result{Ref: ch.Ref, ID: ch.ID}
	var rec *record
	switch ch.Kind {
	case connectors.OpCreate:
		rec, res.Err = r.pushCreate(name, ch)
	case connectors.OpUpdate:
		rec, res.Err = r.pushUpdate(name, ch)
	case connectors.OpDelete:
		rec, res.Err = r.pushDelete(name, ch)
	default:
		res.Err = &connectors.PermanentError{Code: "VALIDATION_ERROR", Reason: fmt.Sprintf("change %q: unknown kind %d", ch.Ref, int(ch.Kind))}
	}
	if rec != nil {
		res.ID = rec.id
		res.Version = strconv.FormatInt(rec.version, 10)
		res.ModifiedAt = rec.modifiedAt
	}
	return res
}

func (r *Remote) pushCreate(name string, ch connectors.Change) (*record, error) {
	if ch.ID != "" {
		return nil, &connectors.PermanentError{Code: "VALIDATION_ERROR", Reason: fmt.Sprintf("create of %q carries remote id %q", ch.Ref, ch.ID)}
	}
	if err := r.validate(name, "", ch.Fields); err != nil {
		return nil, err
	}
	return r.create(name, ch.Fields), nil
}

func (r *Remote) pushUpdate(name string, ch connectors.Change) (*record, error) {
	o, rec, err := r.live(name, ch.ID)
	if err != nil {
		return nil, &connectors.PermanentError{Code: "NOT_FOUND", Reason: err.Error()}
	}
	if err := r.validate(name, rec.id, ch.Fields); err != nil {
		return nil, err
	}
	r.modify(name, o, rec, ch.Fields, false)
	return rec, nil
}

// pushDelete archives a record. Deleting a record that is already deleted or unknown
// succeeds, as HubSpot's batch archive does, so a retried delete is harmless.
func (r *Remote) pushDelete(name string, ch connectors.Change) (*record, error) {
	if ch.ID == "" {
		return nil, &connectors.PermanentError{Code: "VALIDATION_ERROR", Reason: fmt.Sprintf("delete of %q has no remote id", ch.Ref)}
	}
	o, rec, err := r.live(name, ch.ID)
	if err != nil {
		return nil, nil
	}
	r.remove(name, o, rec)
	return rec, nil
}

// validate applies the Reject rules and the Unique field to fields written to the record id
// of object (empty id: a create).
func (r *Remote) validate(name, id string, fields map[string]string) error {
	for _, rule := range r.rules {
		if rule.matches(name, fields) {
			return &connectors.PermanentError{
				Code:   "VALIDATION_ERROR",
				Reason: fmt.Sprintf("property %s: value %q is invalid", rule.Field, fields[rule.Field]),
			}
		}
	}
	field, ok := r.uniqueBy[name]
	if !ok {
		return nil
	}
	v, written := fields[field]
	k := uniqueKey(v)
	if !written || k == "" {
		return nil
	}
	if holder, taken := r.obj(name).unique[k]; taken && holder != id {
		return &connectors.PermanentError{
			Code:   "CONFLICT",
			Reason: fmt.Sprintf("a %s record with %s %q already exists (id %s)", name, field, v, holder),
		}
	}
	return nil
}
