package hubspotfake

import (
	"fmt"
	"net/http"
	"time"
)

// maxBatch is HubSpot's limit on the inputs of one object batch call.
const maxBatch = 100

// Bodies of the object batch endpoints. size says how many inputs a body holds, for the
// batch limit.
type (
	readBody struct {
		Properties []string  `json:"properties"`
		Inputs     []idInput `json:"inputs"`
	}
	writeBody struct {
		Inputs []writeInput `json:"inputs"`
	}
	idsBody struct {
		Inputs []idInput `json:"inputs"`
	}
)

func (b readBody) size() int  { return len(b.Inputs) }
func (b writeBody) size() int { return len(b.Inputs) }
func (b idsBody) size() int   { return len(b.Inputs) }

// serveBatch is the common start of the batch endpoints on {object}: it decodes the body,
// refuses more than maxBatch inputs and resolves the object, answering the errors itself, and
// runs fn with s.mu held. started is when the batch began, for the answer's startedAt.
func serveBatch[B interface{ size() int }](s *Server, w http.ResponseWriter, r *http.Request,
	fn func(in B, o *object, started time.Time)) {
	var in B
	if !decode(w, r, &in) || !checkBatchSize(w, in.size()) {
		return
	}
	started := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	fn(in, o, started)
}

// servePairBatch is serveBatch for the association endpoints on {from}/{to}.
func servePairBatch[B any](s *Server, w http.ResponseWriter, r *http.Request,
	fn func(in B, from, to *object, started time.Time)) {
	var in B
	if !decode(w, r, &in) {
		return
	}
	started := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	from, to, ok := s.pair(w, r)
	if !ok {
		return
	}
	fn(in, from, to, started)
}

func checkBatchSize(w http.ResponseWriter, n int) bool {
	if n > maxBatch {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Batch input is limited to %d inputs, %d were given", maxBatch, n))
		return false
	}
	return true
}

// writeBatch answers a batch call: ok when every input succeeded, 207 when some failed.
func writeBatch(w http.ResponseWriter, ok int, started, completed time.Time, results []any, errs []batchError) {
	status := ok
	if len(errs) > 0 {
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, batchResponse{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: isoMillis(started.UnixMilli()), CompletedAt: isoMillis(completed.UnixMilli())})
}

// newBatchError is one entry of a batch answer's errors, with the empty errors and links
// HubSpot always sends.
func newBatchError(category, message string, context map[string][]string) batchError {
	return batchError{Status: "error", Category: category, Message: message, Context: context, Errors: []any{}, Links: map[string]string{}}
}

// notFoundErrors is HubSpot's one error for the ids of a batch that name no live record of
// o; none when every id did.
func notFoundErrors(o *object, missing []string) []batchError {
	if len(missing) == 0 {
		return nil
	}
	return []batchError{newBatchError("OBJECT_NOT_FOUND",
		fmt.Sprintf("Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.", singular(o.name)),
		map[string][]string{"ids": missing})}
}
