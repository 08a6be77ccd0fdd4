package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tandem-crm/tandem/connectors"
)

// maxAssocBatch keeps association batches at the object batch size; HubSpot accepts up to
// 1,000 reads, but Tandem and older portals take 100.
const maxAssocBatch = 100

func assocPath(from, to string) string {
	return "/crm/v4/associations/" + url.PathEscape(from) + "/" + url.PathEscape(to)
}

type assocReadResult struct {
	From struct {
		ID flexID `json:"id"`
	} `json:"from"`
	To []struct {
		ToObjectID flexID `json:"toObjectId"`
	} `json:"to"`
	Paging *paging `json:"paging"`
}

type assocReadInput struct {
	ID    string `json:"id"`
	After string `json:"after,omitempty"`
}

// Associations reads the links of fromIDs to records of object to, with HubSpot's v4 batch
// read, following each record's paging when it has more links than fit one answer.
func (c *Connector) Associations(ctx context.Context, from, to string, fromIDs []string) (map[string][]string, error) {
	if from == "" || to == "" {
		return nil, errors.New("associations: both objects are required")
	}
	out := map[string][]string{}
	pending := make([]assocReadInput, len(fromIDs))
	for i, id := range fromIDs {
		pending[i] = assocReadInput{ID: id}
	}
	for len(pending) > 0 {
		chunk := pending[:min(maxAssocBatch, len(pending))]
		pending = pending[len(chunk):]
		var resp struct {
			Results []assocReadResult `json:"results"`
		}
		// A 207 lists records without links as NO_ASSOCIATIONS_FOUND errors: nothing to add.
		if _, err := c.api.call(ctx, http.MethodPost, assocPath(from, to)+"/batch/read", nil,
			map[string]any{"inputs": chunk}, &resp); err != nil {
			return nil, fmt.Errorf("read %s→%s associations: %w", from, to, err)
		}
		for _, r := range resp.Results {
			id := string(r.From.ID)
			for _, t := range r.To {
				out[id] = append(out[id], string(t.ToObjectID))
			}
			if after := r.Paging.nextAfter(); after != "" {
				pending = append(pending, assocReadInput{ID: id, After: after})
			}
		}
	}
	return out, nil
}

type assocPair struct {
	From idInput `json:"from"`
	To   idInput `json:"to"`
}

// Associate creates default (unlabeled) links with HubSpot's v4 batch associate default, and
// returns one error per pair: nil when linked, HubSpot's refusal as a PermanentError otherwise.
func (c *Connector) Associate(ctx context.Context, from, to string, pairs []connectors.Association) ([]error, error) {
	if from == "" || to == "" {
		return nil, errors.New("associate: both objects are required")
	}
	errs := make([]error, len(pairs))
	for start := 0; start < len(pairs); start += maxAssocBatch {
		chunk := pairs[start:min(start+maxAssocBatch, len(pairs))]
		inputs := make([]assocPair, len(chunk))
		for i, p := range chunk {
			inputs[i] = assocPair{From: idInput{p.FromID}, To: idInput{p.ToID}}
		}
		var resp struct {
			Results []struct {
				From struct {
					ID flexID `json:"id"`
				} `json:"from"`
				To struct {
					ID flexID `json:"id"`
				} `json:"to"`
			} `json:"results"`
			Errors []batchError `json:"errors"`
		}
		if _, err := c.api.call(ctx, http.MethodPost, assocPath(from, to)+"/batch/associate/default", nil,
			map[string]any{"inputs": inputs}, &resp); err != nil {
			return nil, fmt.Errorf("associate %s→%s pairs %d..%d: %w", from, to, start+1, start+len(chunk), err)
		}
		linked := map[[2]string]bool{}
		for _, r := range resp.Results {
			linked[[2]string{string(r.From.ID), string(r.To.ID)}] = true
		}
		for i, p := range chunk {
			if !linked[[2]string{p.FromID, p.ToID}] {
				errs[start+i] = pairRefusal(resp.Errors, p)
			}
		}
	}
	return errs, nil
}

// pairRefusal finds the error naming pair p, or says the pair is missing from the answer.
func pairRefusal(errs []batchError, p connectors.Association) error {
	for _, e := range errs {
		for _, id := range e.Context["fromObjectId"] {
			if id == p.FromID {
				return &connectors.PermanentError{Reason: e.Message, Code: e.Category}
			}
		}
		for _, id := range e.Context["toObjectId"] {
			if id == p.ToID {
				return &connectors.PermanentError{Reason: e.Message, Code: e.Category}
			}
		}
	}
	return fmt.Errorf("association %s→%s is missing from the batch answer", p.FromID, p.ToID)
}
