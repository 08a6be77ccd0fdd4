package api

// Batch endpoints of the objects API: read, create, update, upsert and
// archive up to crmstore.MaxBatch records per request. An input that fails
// leaves the others alone; the answer is then 207 with the failures in
// errors[], each carrying the input's objectWriteTraceId when it had one.

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

func (s *Server) routesBatch() {
	s.handle("POST /crm/v3/objects/{objectType}/batch/read", s.batchRead)
	s.handle("POST /crm/v3/objects/{objectType}/batch/create", s.batchCreate)
	s.handle("POST /crm/v3/objects/{objectType}/batch/update", s.batchUpdate)
	s.handle("POST /crm/v3/objects/{objectType}/batch/upsert", s.batchUpsert)
	s.handle("POST /crm/v3/objects/{objectType}/batch/archive", s.batchArchive)
}

// batchError is HubSpot's StandardError. The SDK models require context,
// errors and links, so they are sent empty rather than left out.
type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
	Errors      []errorDetail       `json:"errors"`
	Links       map[string]string   `json:"links"`
}

// batchErrorOf shapes the error that refused one input. id is the record
// the input named (for OBJECT_NOT_FOUND's context ids); traceID the input's
// objectWriteTraceId.
func batchErrorOf(err error, id, traceID string) batchError {
	extra := map[string][]string{}
	if id != "" && toAPIError(err).body.Category == categoryNotFound {
		extra["ids"] = []string{id}
	}
	if traceID != "" {
		extra["objectWriteTraceId"] = []string{traceID}
	}
	ae, ctx, details := batchErrorParts(err, extra)
	return batchError{Status: "error", Category: ae.body.Category, SubCategory: ae.body.SubCategory, Message: ae.body.Message,
		Context: ctx, Errors: details, Links: map[string]string{}}
}

// writeBatch answers a batch call: status ok when every input succeeded,
// 207 otherwise.
func writeBatch[T any](w http.ResponseWriter, ok int, started, completed time.Time, results []T, errs []batchError) {
	if results == nil {
		results = []T{}
	}
	writeBatchReply(w, ok, started, completed, results, errs)
}

// checkInputs enforces HubSpot's limits on the number of batch inputs.
func checkInputs(n int) error {
	if n == 0 {
		return errBadRequest("inputs is empty: a batch needs at least one input")
	}
	if n > crmstore.MaxBatch {
		return errBadRequest("too many inputs: a batch takes at most %d inputs, got %d", crmstore.MaxBatch, n)
	}
	return nil
}

// idInput is an input that names a record.
type idInput struct {
	ID objectID `json:"id"`
}

// batchBody is the body of a batch call: its inputs can be counted.
type batchBody interface{ count() int }

func (in *batchReadInput) count() int    { return len(in.Inputs) }
func (in *batchCreateInput) count() int  { return len(in.Inputs) }
func (in *batchWriteInput) count() int   { return len(in.Inputs) }
func (in *batchArchiveInput) count() int { return len(in.Inputs) }

// batchArchiveInput is HubSpot's BatchInputSimplePublicObjectId.
type batchArchiveInput struct {
	Inputs []idInput `json:"inputs"`
}

// batchRequest resolves the object of a batch call, decodes its body into
// in and checks the number of inputs.
func (s *Server) batchRequest(r *http.Request, in batchBody) (*crmstore.ObjectType, error) {
	obj, err := s.object(r)
	if err != nil {
		return nil, err
	}
	if err := decodeJSON(r, in); err != nil {
		return nil, err
	}
	if err := checkInputs(in.count()); err != nil {
		return nil, err
	}
	return obj, nil
}

// batchReadInput is HubSpot's BatchReadInputSimplePublicObjectId.
type batchReadInput struct {
	Properties            []string  `json:"properties"`
	PropertiesWithHistory []string  `json:"propertiesWithHistory"`
	IDProperty            string    `json:"idProperty"`
	Inputs                []idInput `json:"inputs"`
}

// objectLabel names an object in HubSpot's batch messages ("CONTACT").
func objectLabel(obj *crmstore.ObjectType) string {
	if obj.SingularLabel == "" {
		return strings.ToUpper(obj.Name)
	}
	return strings.ToUpper(strings.ReplaceAll(obj.SingularLabel, " ", "_"))
}

func (s *Server) batchRead(w http.ResponseWriter, r *http.Request) error {
	started := s.opts.Now()
	var in batchReadInput
	obj, err := s.batchRequest(r, &in)
	if err != nil {
		return err
	}
	archived, err := boolParam(r, "archived")
	if err != nil {
		return err
	}
	opts := readOptions{props: requestedProperties(obj.Name, in.Properties), history: in.PropertiesWithHistory, archived: archived}
	ids := make([]string, len(in.Inputs))
	for i, x := range in.Inputs {
		ids[i] = string(x.ID)
	}
	recs, err := s.store.GetRecords(r.Context(), obj.Name, ids, crmstore.GetOptions{
		IDProperty: in.IDProperty, Archived: archived, Properties: opts.props,
	})
	if err != nil {
		return err
	}
	// Each record once, in the order of the inputs naming it.
	var found []*crmstore.Record
	var missing []string
	seen := map[int64]bool{}
	seenMissing := map[string]bool{}
	for _, id := range ids {
		rec := recs[id]
		switch {
		case rec == nil && !seenMissing[id]:
			seenMissing[id] = true
			missing = append(missing, id)
		case rec != nil && !seen[rec.ID]:
			seen[rec.ID] = true
			found = append(found, rec)
		}
	}
	results, err := s.renderRecords(r.Context(), obj.Name, found, opts)
	if err != nil {
		return err
	}
	var errs []batchError
	if len(missing) > 0 {
		errs = append(errs, batchError{Status: "error", Category: categoryNotFound,
			Message: fmt.Sprintf("Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.", objectLabel(obj)),
			Context: map[string][]string{"ids": missing}, Errors: []errorDetail{}, Links: map[string]string{}})
	}
	writeBatch(w, http.StatusOK, started, s.opts.Now(), results, errs)
	return nil
}

// batchCreateInput is HubSpot's BatchInputSimplePublicObjectBatchInputForCreate.
type batchCreateInput struct {
	Inputs []createInput `json:"inputs"`
}

func (s *Server) batchCreate(w http.ResponseWriter, r *http.Request) error {
	started := s.opts.Now()
	var in batchCreateInput
	obj, err := s.batchRequest(r, &in)
	if err != nil {
		return err
	}
	assocs := make([][]associationInput, len(in.Inputs))
	for i, x := range in.Inputs {
		assocs[i] = x.Associations
	}
	plans, failed, err := s.planAssociations(r.Context(), obj.Name, assocs)
	if err != nil {
		return err
	}
	// HubSpot creates a batch all or nothing unless every input carries its
	// own objectWriteTraceId; then inputs fail one by one (207).
	atomic := !uniqueTraceIDs(in.Inputs)
	if atomic {
		for _, f := range failed {
			if f != nil {
				return f
			}
		}
	}
	var props []map[string]string
	var index []int // input of each element of props
	for i, x := range in.Inputs {
		if failed[i] != nil {
			continue
		}
		p := map[string]string(x.Properties)
		if p == nil {
			p = map[string]string{}
		}
		props = append(props, p)
		index = append(index, i)
	}
	created := make([]*crmstore.Record, len(in.Inputs))
	if len(props) > 0 {
		create := s.store.CreateRecords
		if atomic {
			create = s.store.CreateRecordsAtomic
		}
		res, err := create(r.Context(), obj.Name, props, apiSource)
		if err != nil {
			return err
		}
		if atomic {
			for _, br := range res {
				if br.Err != nil {
					return br.Err
				}
			}
		}
		for _, br := range res {
			i := index[br.Index]
			if br.Err != nil {
				failed[i] = br.Err
				continue
			}
			created[i] = br.Record
		}
	}
	var results []apiRecord
	var errs []batchError
	for i, x := range in.Inputs {
		if rec := created[i]; rec != nil {
			// A record whose associations then fail exists: it is both a
			// result and an error.
			failed[i] = s.associate(r.Context(), obj.Name, rec.ID, plans[i])
			out := renderWritten(rec)
			out.ObjectWriteTraceID = x.ObjectWriteTraceID
			results = append(results, out)
		}
		if failed[i] != nil {
			errs = append(errs, batchErrorOf(failed[i], "", x.ObjectWriteTraceID))
		}
	}
	writeBatch(w, http.StatusCreated, started, s.opts.Now(), results, errs)
	return nil
}

// uniqueTraceIDs reports whether every input carries an objectWriteTraceId
// and no two share one.
func uniqueTraceIDs(inputs []createInput) bool {
	seen := make(map[string]bool, len(inputs))
	for _, x := range inputs {
		if x.ObjectWriteTraceID == "" || seen[x.ObjectWriteTraceID] {
			return false
		}
		seen[x.ObjectWriteTraceID] = true
	}
	return true
}

// writeInput is one input of batch update or upsert
// (SimplePublicObjectBatchInput, SimplePublicObjectBatchInputUpsert).
type writeInput struct {
	ID                 objectID       `json:"id"`
	IDProperty         string         `json:"idProperty"`
	Properties         propertyValues `json:"properties"`
	ObjectWriteTraceID string         `json:"objectWriteTraceId"`
}

type batchWriteInput struct {
	Inputs []writeInput `json:"inputs"`
}

func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request) error {
	started := s.opts.Now()
	var in batchWriteInput
	obj, err := s.batchRequest(r, &in)
	if err != nil {
		return err
	}
	// The store updates a batch by one idProperty; inputs naming records
	// differently are updated in one store batch per idProperty.
	var keys []string
	groups := map[string][]int{}
	for i, x := range in.Inputs {
		k := x.IDProperty
		if k == "hs_object_id" {
			k = ""
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	updated := make([]*crmstore.Record, len(in.Inputs))
	failed := make([]error, len(in.Inputs))
	for _, k := range keys {
		group := groups[k]
		updates := make([]crmstore.RecordUpdate, len(group))
		for j, i := range group {
			updates[j] = crmstore.RecordUpdate{ID: string(in.Inputs[i].ID), Properties: in.Inputs[i].Properties}
		}
		res, err := s.store.UpdateRecords(r.Context(), obj.Name, updates, k, apiSource)
		if err != nil {
			if len(keys) == 1 {
				return err
			}
			for _, i := range group {
				failed[i] = err
			}
			continue
		}
		for _, br := range res {
			i := group[br.Index]
			updated[i], failed[i] = br.Record, br.Err
		}
	}
	var results []apiRecord
	var errs []batchError
	for i, x := range in.Inputs {
		if failed[i] != nil {
			errs = append(errs, batchErrorOf(failed[i], string(x.ID), x.ObjectWriteTraceID))
			continue
		}
		out := renderWritten(updated[i])
		out.ObjectWriteTraceID = x.ObjectWriteTraceID
		results = append(results, out)
	}
	writeBatch(w, http.StatusOK, started, s.opts.Now(), results, errs)
	return nil
}

// upsertRecord is HubSpot's SimplePublicUpsertObject: a record and whether
// the upsert created it.
type upsertRecord struct {
	apiRecord
	New bool `json:"new"`
}

func (s *Server) batchUpsert(w http.ResponseWriter, r *http.Request) error {
	started := s.opts.Now()
	var in batchWriteInput
	obj, err := s.batchRequest(r, &in)
	if err != nil {
		return err
	}
	idProperty := in.Inputs[0].IDProperty
	updates := make([]crmstore.RecordUpdate, len(in.Inputs))
	for i, x := range in.Inputs {
		if x.IDProperty != idProperty {
			return errBadRequest("all inputs of a batch upsert must share one idProperty: inputs[0] has %q, inputs[%d] has %q",
				idProperty, i, x.IDProperty)
		}
		updates[i] = crmstore.RecordUpdate{ID: string(x.ID), Properties: x.Properties}
	}
	res, err := s.store.UpsertRecords(r.Context(), obj.Name, updates, idProperty, apiSource)
	if err != nil {
		return err
	}
	results := []upsertRecord{}
	var errs []batchError
	for _, ur := range res {
		x := in.Inputs[ur.Index]
		if ur.Err != nil {
			errs = append(errs, batchErrorOf(ur.Err, string(x.ID), x.ObjectWriteTraceID))
			continue
		}
		out := upsertRecord{apiRecord: renderWritten(ur.Record), New: ur.Created}
		out.ObjectWriteTraceID = x.ObjectWriteTraceID
		results = append(results, out)
	}
	writeBatch(w, http.StatusOK, started, s.opts.Now(), results, errs)
	return nil
}

// batchArchive archives records by id. Ids that name no live record are
// ignored, as HubSpot ignores them: the answer is 204 all the same.
func (s *Server) batchArchive(w http.ResponseWriter, r *http.Request) error {
	var in batchArchiveInput
	obj, err := s.batchRequest(r, &in)
	if err != nil {
		return err
	}
	var ids []int64
	for _, x := range in.Inputs {
		if id, ok := recordID(string(x.ID)); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		res, err := s.store.ArchiveRecords(r.Context(), obj.Name, ids, apiSource)
		if err != nil {
			return err
		}
		for _, br := range res {
			if br.Err != nil && !errors.Is(br.Err, crmstore.ErrNotFound) {
				return br.Err
			}
		}
	}
	noContent(w)
	return nil
}
