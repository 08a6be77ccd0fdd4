package api

// Helpers shared by the handlers of the definition APIs (properties,
// pipelines, schemas, owners) and the associations API: the path's object,
// common answers, and HubSpot's batch response for any error entry shape.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// pathObject resolves the {objectType} of the path with lookupObject.
func (s *Server) pathObject(r *http.Request) (*crmstore.ObjectType, error) {
	return s.lookupObject(r.Context(), r.PathValue("objectType"))
}

// pathObjectArchived resolves the path's object (see pathObject), then
// reads the archived query parameter.
func (s *Server) pathObjectArchived(r *http.Request) (*crmstore.ObjectType, bool, error) {
	o, err := s.pathObject(r)
	if err != nil {
		return nil, false, err
	}
	archived, err := boolParam(r, "archived")
	if err != nil {
		return nil, false, err
	}
	return o, archived, nil
}

// pathObjectBody resolves the path's object (see pathObject), then decodes
// the request body into body.
func (s *Server) pathObjectBody(r *http.Request, body any) (*crmstore.ObjectType, error) {
	o, err := s.pathObject(r)
	if err != nil {
		return nil, err
	}
	if err := decodeJSON(r, body); err != nil {
		return nil, err
	}
	return o, nil
}

// noContentUnless answers 204 when err is nil and returns err otherwise
// (the end of DELETE and archive handlers).
func noContentUnless(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	noContent(w)
	return nil
}

// writeResults answers 200 with {"results": results}.
func writeResults(w http.ResponseWriter, results any) {
	writeJSON(w, http.StatusOK, struct {
		Results any `json:"results"`
	}{results})
}

// afterParam reads the numeric paging cursor of the after query parameter;
// absent is 0. A bad one is a 400 saying it is not a paging cursor
// source ("this API gave out").
func afterParam(r *http.Request, source string) (int64, error) {
	v := r.URL.Query().Get("after")
	if v == "" {
		return 0, nil
	}
	after, err := strconv.ParseInt(v, 10, 64)
	if err != nil || after < 0 {
		return 0, errBadRequest("query parameter after=%q is not a paging cursor %s", v, source)
	}
	return after, nil
}

// nextPaging is the paging of a list whose next page starts after next,
// or nil on the last page (next 0).
func nextPaging(next int64) *paging {
	if next == 0 {
		return nil
	}
	return newPaging(strconv.FormatInt(next, 10))
}

// batchReply is HubSpot's BatchResponse… (…WithErrors when errors is set)
// with error entries of type E. status is always COMPLETE: batches run
// synchronously.
type batchReply[E any] struct {
	Status      string `json:"status"`
	Results     any    `json:"results"`
	NumErrors   int    `json:"numErrors,omitempty"`
	Errors      []E    `json:"errors,omitempty"`
	StartedAt   string `json:"startedAt"`
	CompletedAt string `json:"completedAt"`
}

// writeBatchReply answers a batch call: status ok when no input failed,
// 207 otherwise.
func writeBatchReply[E any](w http.ResponseWriter, ok int, started, completed time.Time, results any, errs []E) {
	status := ok
	if len(errs) > 0 {
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, batchReply[E]{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: crmstore.FormatTime(started), CompletedAt: crmstore.FormatTime(completed)})
}

// batchErrorParts is what a batch error entry (HubSpot's StandardError)
// takes from err: its API error, its context with extra added, and its
// details, never nil (the clients require errors).
func batchErrorParts(err error, extra map[string][]string) (*apiError, map[string][]string, []errorDetail) {
	ae := toAPIError(err)
	ctx := make(map[string][]string, len(ae.body.Context)+len(extra))
	for k, v := range ae.body.Context {
		ctx[k] = v
	}
	for k, v := range extra {
		ctx[k] = v
	}
	details := ae.body.Errors
	if details == nil {
		details = []errorDetail{}
	}
	return ae, ctx, details
}
