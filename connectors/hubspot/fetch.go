package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/tandem-crm/tandem/connectors"
)

// Fetch reads records by id, 100 per call; ids the remote does not have (or has archived) are
// absent from the result.
func (c *Connector) Fetch(ctx context.Context, object string, ids []string, fields []string) ([]connectors.Record, error) {
	if object == "" {
		return nil, errors.New("fetch: object is required")
	}
	ts := lastModifiedProperty(object)
	want := c.withTimestamp(object, fields)
	out := make([]connectors.Record, 0, len(ids))
	for start := 0; start < len(ids); start += maxBatch {
		chunk := ids[start:min(start+maxBatch, len(ids))]
		body := map[string]any{"properties": want, "inputs": idInputs(chunk)}
		if want == nil {
			delete(body, "properties")
		}
		var resp batchResponse
		if _, err := c.api.call(ctx, http.MethodPost, objectPath(object)+"/batch/read", nil, body, &resp); err != nil {
			return nil, fmt.Errorf("fetch %s ids %d..%d of %d: %w", object, start+1, start+len(chunk), len(ids), err)
		}
		// A 207 lists the missing ids as OBJECT_NOT_FOUND errors: absent, as the contract says.
		out = append(out, toRecords(resp.Results, fields, ts)...)
	}
	return out, nil
}

type idInput struct {
	ID string `json:"id"`
}

func idInputs(ids []string) []idInput {
	out := make([]idInput, len(ids))
	for i, id := range ids {
		out[i] = idInput{ID: id}
	}
	return out
}
