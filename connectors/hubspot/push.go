package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/internal/httpclient"
)

// Push applies changes with HubSpot's batch endpoints, 100 per call, creates first, then
// updates, then deletes. See pusher for how refusals are isolated.
func (c *Connector) Push(ctx context.Context, object string, changes []connectors.Change) ([]connectors.Result, error) {
	if object == "" {
		return nil, errors.New("push: object is required")
	}
	p := &pusher{c: c, object: object, ts: lastModifiedProperty(object), changes: changes,
		results: make([]connectors.Result, len(changes)), done: make([]bool, len(changes))}
	byKind := map[connectors.OpKind][]int{}
	for i, ch := range changes {
		p.results[i] = connectors.Result{Ref: ch.Ref, ID: ch.ID}
		switch {
		case ch.Kind != connectors.OpCreate && ch.Kind != connectors.OpUpdate && ch.Kind != connectors.OpDelete:
			p.fail(i, &connectors.PermanentError{Reason: fmt.Sprintf("change %d (ref %q) has unknown kind %d", i, ch.Ref, ch.Kind)})
		case ch.Kind != connectors.OpCreate && !isID(ch.ID):
			p.fail(i, &connectors.PermanentError{Reason: fmt.Sprintf("%s of ref %q needs the remote id, got %q", ch.Kind, ch.Ref, ch.ID)})
		default:
			byKind[ch.Kind] = append(byKind[ch.Kind], i)
		}
	}
	if err := p.run(ctx, byKind); err != nil {
		if p.succeeded == 0 {
			return nil, fmt.Errorf("push %s: %w", object, err)
		}
		// Some changes took effect; their results must reach the engine, so the failure is
		// reported per change instead of for the whole push.
		for i := range p.done {
			if !p.done[i] {
				p.fail(i, err)
			}
		}
	}
	failed := 0
	for _, r := range p.results {
		if r.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		return p.results, &connectors.PartialError{Failed: failed, Total: len(changes)}
	}
	return p.results, nil
}

// pusher holds one Push's state. HubSpot refuses a whole batch create or update when one input
// is bad (400 or 409 naming it), unless it honours objectWriteTraceIds and answers 207 per
// input. A refused batch is split in halves until the refused record stands alone and gets a
// PermanentError with HubSpot's message, so the good records of the batch still land: a
// single bad record in 100 costs about 14 extra calls.
type pusher struct {
	c       *Connector
	object  string
	ts      string
	changes []connectors.Change
	results []connectors.Result
	done    []bool // the change has its final result
	// succeeded counts changes the remote applied.
	succeeded int
}

func (p *pusher) run(ctx context.Context, byKind map[connectors.OpKind][]int) error {
	for _, kind := range []connectors.OpKind{connectors.OpCreate, connectors.OpUpdate, connectors.OpDelete} {
		idx := byKind[kind]
		for start := 0; start < len(idx); start += maxBatch {
			if err := p.batch(ctx, kind, idx[start:min(start+maxBatch, len(idx))]); err != nil {
				return err
			}
		}
	}
	return nil
}

// batch sends one batch, splitting it while the remote refuses it as a whole. A returned error
// is not about any one record (transport, auth, rate limit, server) and stops the push.
func (p *pusher) batch(ctx context.Context, kind connectors.OpKind, idx []int) error {
	var err error
	switch kind {
	case connectors.OpCreate:
		err = p.create(ctx, idx)
	case connectors.OpUpdate:
		err = p.update(ctx, idx)
	default:
		err = p.archive(ctx, idx)
	}
	apiErr, refused := asAPIError(err)
	switch {
	case err == nil:
		return nil
	case !refused:
		return err
	case len(idx) == 1:
		p.fail(idx[0], &connectors.PermanentError{Reason: apiErr.Message, Code: apiErr.Category})
		return nil
	}
	half := len(idx) / 2
	if err := p.batch(ctx, kind, idx[:half]); err != nil {
		return err
	}
	return p.batch(ctx, kind, idx[half:])
}

type createInput struct {
	Properties         map[string]string `json:"properties"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId"`
}

func (p *pusher) create(ctx context.Context, idx []int) error {
	inputs := make([]createInput, len(idx))
	for k, i := range idx {
		inputs[k] = createInput{Properties: nonNil(p.changes[i].Fields), ObjectWriteTraceID: strconv.Itoa(k)}
	}
	var resp batchResponse
	// A create must not be repeated after an ambiguous failure, or it would create twice.
	cctx := httpclient.NonIdempotent(ctx)
	if _, err := p.c.api.call(cctx, http.MethodPost, objectPath(p.object)+"/batch/create", nil,
		map[string]any{"inputs": inputs}, &resp); err != nil {
		return err
	}
	byTrace := map[string]apiRecord{}
	for _, r := range resp.Results {
		if r.ObjectWriteTraceID != "" {
			byTrace[r.ObjectWriteTraceID] = r
		}
	}
	// A remote that does not echo trace ids answers in input order, all or nothing.
	if len(byTrace) == 0 && len(resp.Errors) == 0 && len(resp.Results) == len(idx) {
		for k, r := range resp.Results {
			byTrace[strconv.Itoa(k)] = r
		}
	}
	refusals := refusalsBy(resp.Errors, "objectWriteTraceId")
	for k, i := range idx {
		key := strconv.Itoa(k)
		if r, ok := byTrace[key]; ok && isID(r.ID) {
			p.succeed(i, r)
		} else if e, ok := refusals[key]; ok {
			p.fail(i, e)
		} else {
			p.fail(i, fmt.Errorf("create of ref %q is missing from the batch answer", p.changes[i].Ref))
		}
	}
	return nil
}

type updateInput struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
}

func (p *pusher) update(ctx context.Context, idx []int) error {
	inputs := make([]updateInput, len(idx))
	for k, i := range idx {
		inputs[k] = updateInput{ID: p.changes[i].ID, Properties: nonNil(p.changes[i].Fields)}
	}
	var resp batchResponse
	if _, err := p.c.api.call(ctx, http.MethodPost, objectPath(p.object)+"/batch/update", nil,
		map[string]any{"inputs": inputs}, &resp); err != nil {
		return err
	}
	byID := map[string]apiRecord{}
	for _, r := range resp.Results {
		byID[r.ID] = r
	}
	refusals := refusalsBy(resp.Errors, "ids")
	for _, i := range idx {
		id := p.changes[i].ID
		if r, ok := byID[id]; ok {
			p.succeed(i, r)
		} else if e, ok := refusals[id]; ok {
			p.fail(i, e)
		} else {
			p.fail(i, fmt.Errorf("update of %s is missing from the batch answer", id))
		}
	}
	return nil
}

// archive deletes (archives) records; HubSpot answers 204 and treats missing ids as done.
func (p *pusher) archive(ctx context.Context, idx []int) error {
	ids := make([]string, len(idx))
	for k, i := range idx {
		ids[k] = p.changes[i].ID
	}
	if _, err := p.c.api.call(ctx, http.MethodPost, objectPath(p.object)+"/batch/archive", nil,
		map[string]any{"inputs": idInputs(ids)}, nil); err != nil {
		return err
	}
	for _, i := range idx {
		p.done[i] = true
		p.succeeded++
	}
	return nil
}

// refusalsBy indexes a 207's per-input errors by the context key naming the input.
func refusalsBy(errs []batchError, key string) map[string]error {
	out := map[string]error{}
	for _, e := range errs {
		for _, v := range e.Context[key] {
			out[v] = &connectors.PermanentError{Reason: e.Message, Code: e.Category}
		}
	}
	return out
}

func (p *pusher) succeed(i int, r apiRecord) {
	p.results[i].ID = r.ID
	p.results[i].Version = r.UpdatedAt
	p.results[i].ModifiedAt = modifiedAt(r, p.ts)
	p.done[i] = true
	p.succeeded++
}

func (p *pusher) fail(i int, err error) {
	p.results[i].Err = err
	p.done[i] = true
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
