package api

// Associations: HubSpot's v4 associations API (per-record reads and writes,
// batch calls, labels, limits) and the v3 batch API with its type names.
// The store keeps both directions of every association; these handlers
// only translate shapes. Object references in paths may be names, object
// type ids, p_<name>, or the singular names HubSpot's association docs use
// (contact, company, line_item).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// Association input limits.
const (
	// assocMaxBatchRead is how many records one batch read takes, as in HubSpot.
	assocMaxBatchRead = 1000
	// assocMaxBatchWrite is how many inputs one batch write takes.
	assocMaxBatchWrite = 2000
	// assocPageSize is the default and largest page of a v4 read; a batch
	// read gives each record at most this many associations, with paging.
	assocPageSize = 500
)

func (s *Server) routesAssociations() {
	// v4 per record. The default-association path is longer than the
	// labelled one, so the two patterns never compete.
	s.handle("GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}", s.assocList)
	s.handle("PUT /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}", s.assocCreate)
	s.handle("DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}", s.assocArchive)
	s.handle("PUT /crm/v4/objects/{objectType}/{objectId}/associations/default/{toObjectType}/{toObjectId}", s.assocCreateDefault)

	// v4 batch.
	s.handle("POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read", s.assocBatchRead)
	s.handle("POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create", s.assocBatchCreate)
	s.handle("POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default", s.assocBatchCreateDefault)
	s.handle("POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive", s.assocBatchArchive)
	s.handle("POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/labels/archive", s.assocBatchArchiveLabels)

	// v4 labels.
	s.handle("GET /crm/v4/associations/{fromObjectType}/{toObjectType}/labels", s.assocLabels)
	s.handle("POST /crm/v4/associations/{fromObjectType}/{toObjectType}/labels", s.assocLabelCreate)
	s.handle("PUT /crm/v4/associations/{fromObjectType}/{toObjectType}/labels", s.assocLabelUpdate)
	s.handle("DELETE /crm/v4/associations/{fromObjectType}/{toObjectType}/labels/{associationTypeId}", s.assocLabelDelete)

	// v4 limits ("definition configurations").
	s.handle("GET /crm/v4/associations/definitions/configurations/{fromObjectType}/{toObjectType}", s.assocLimits)
	s.handle("POST /crm/v4/associations/definitions/configurations/{fromObjectType}/{toObjectType}/batch/create", s.assocLimitsCreate)
	s.handle("POST /crm/v4/associations/definitions/configurations/{fromObjectType}/{toObjectType}/batch/update", s.assocLimitsUpdate)
	s.handle("POST /crm/v4/associations/definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge", s.assocLimitsPurge)

	// v3.
	s.handle("POST /crm/v3/associations/{fromObjectType}/{toObjectType}/batch/read", s.assocV3BatchRead)
	s.handle("POST /crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create", s.assocV3BatchCreate)
	s.handle("POST /crm/v3/associations/{fromObjectType}/{toObjectType}/batch/archive", s.assocV3BatchArchive)
	s.handle("GET /crm/v3/associations/{fromObjectType}/{toObjectType}/types", s.assocV3Types)
}

// ---------------------------------------------------------------------------
// JSON shapes

// assocID is a record id in a request body: HubSpot documents strings,
// clients also send numbers.
type assocID string

func (i *assocID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*i = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*i = assocID(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id must be a string or a number, not %s", b)
		}
		*i = assocID(n.String())
	}
	return nil
}

// assocTypeID is an association type id in a request body, a number or a
// numeric string.
type assocTypeID int64

func (t *assocTypeID) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(strings.Trim(string(bytes.TrimSpace(b)), `"`))
	if s == "null" || s == "" {
		*t = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("association type id %s is not a whole number", b)
	}
	*t = assocTypeID(n)
	return nil
}

// assocObjectID is HubSpot's PublicObjectId, {"id": "1"}.
type assocObjectID struct {
	ID assocID `json:"id"`
}

// assocSpecInput is an AssociationSpec in a request.
type assocSpecInput struct {
	Category string      `json:"associationCategory"`
	TypeID   assocTypeID `json:"associationTypeId"`
}

// assocReadInput is an input of a v4 batch read: a record and, for a page
// after the first, the paging cursor.
type assocReadInput struct {
	ID    assocID `json:"id"`
	After string  `json:"after"`
}

// assocArchiveInput is an input of a v4 batch archive: a record and the
// records whose associations with it go.
type assocArchiveInput struct {
	From assocObjectID   `json:"from"`
	To   []assocObjectID `json:"to"`
}

// assocPairInput is a batch input naming two records.
type assocPairInput struct {
	From assocObjectID `json:"from"`
	To   assocObjectID `json:"to"`
}

// assocTypedPairInput is a batch input naming two records and association
// types.
type assocTypedPairInput struct {
	From  assocObjectID    `json:"from"`
	To    assocObjectID    `json:"to"`
	Types []assocSpecInput `json:"types"`
}

// assocSpecJSON is an AssociationSpec in a response.
type assocSpecJSON struct {
	Category string `json:"associationCategory"`
	TypeID   int64  `json:"associationTypeId"`
}

// assocTypeJSON is one association type of a read (AssociationSpecWithLabel);
// label is null for unlabeled types.
type assocTypeJSON struct {
	Category string  `json:"category"`
	TypeID   int64   `json:"typeId"`
	Label    *string `json:"label"`
}

// assocTargetJSON is one associated record of a v4 read
// (MultiAssociatedObjectWithLabel); toObjectId is a number, as HubSpot sends it.
type assocTargetJSON struct {
	ToObjectID       int64           `json:"toObjectId"`
	AssociationTypes []assocTypeJSON `json:"associationTypes"`
}

// assocLabelsJSON is LabelsBetweenObjectPair, the answer of a v4 create.
type assocLabelsJSON struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     int64    `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       int64    `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

// assocDefaultJSON is PublicDefaultAssociation.
type assocDefaultJSON struct {
	From assocObjectID `json:"from"`
	To   assocObjectID `json:"to"`
	Spec assocSpecJSON `json:"associationSpec"`
}

// assocBatchError is HubSpot's StandardError, one per failed input.
type assocBatchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
	Links       map[string]string   `json:"links"`
	Errors      []errorDetail       `json:"errors"`
}

// assocBatch collects the outcome of a batch call.
type assocBatch struct {
	s       *Server
	started time.Time
	errors  []assocBatchError
}

func (s *Server) newAssocBatch() *assocBatch {
	return &assocBatch{s: s, started: s.opts.Now()}
}

// fail records err as the error of one input, with context. Errors that
// are not about the input (5xx) are returned for the whole call to fail.
func (b *assocBatch) fail(err error, context map[string][]string) error {
	ae, ctx, details := batchErrorParts(err, context)
	if ae.status >= 500 {
		return err
	}
	b.errors = append(b.errors, assocBatchError{Status: "error", Category: ae.body.Category, SubCategory: ae.body.SubCategory,
		Message: ae.body.Message, Context: ctx, Links: map[string]string{}, Errors: details})
	return nil
}

// write answers with results: okStatus when no input failed, else 207.
func (b *assocBatch) write(w http.ResponseWriter, okStatus int, results any) {
	writeBatchReply(w, okStatus, b.started, b.s.opts.Now(), results, b.errors)
}

// pair runs op on the record ids of one input. An input whose ids or op
// fail is an error of its own, with both ids as context; the error
// returned fails the whole call (see fail).
func (b *assocBatch) pair(rawFrom, rawTo assocID, op func(fromID, toID int64) error) error {
	fromID, toID, err := assocIDs(rawFrom, rawTo)
	if err == nil {
		err = op(fromID, toID)
	}
	if err != nil {
		return b.fail(err, map[string][]string{"fromObjectId": {string(rawFrom)}, "toObjectId": {string(rawTo)}})
	}
	return nil
}

// ---------------------------------------------------------------------------
// Resolution helpers

// assocSource is the change-log source of writes made through this API.
func assocSource() crmstore.Source { return crmstore.Source{Type: crmstore.SourceAPI} }

// assocSingular is the singular of an object name: companies → company.
func assocSingular(name string) string {
	name = strings.ToLower(name)
	switch {
	case strings.HasSuffix(name, "ies"):
		return strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "s"):
		return strings.TrimSuffix(name, "s")
	}
	return name
}

// assocObject resolves an object reference: a name, object type id or
// p_<name> as everywhere, or a singular name (contact, company, line_item)
// as HubSpot's association docs write them.
func (s *Server) assocObject(r *http.Request, ref string) (*crmstore.ObjectType, error) {
	o, err := s.store.Schema(r.Context(), ref)
	if err == nil || !errors.Is(err, crmstore.ErrNotFound) {
		return o, err
	}
	want := strings.ToLower(strings.TrimSpace(ref))
	for _, ot := range s.store.ObjectTypes() {
		if assocSingular(ot.Name) == want {
			return &ot, nil
		}
	}
	return nil, err
}

// assocPair resolves the two objects named by path values.
func (s *Server) assocPair(r *http.Request, fromKey, toKey string) (*crmstore.ObjectType, *crmstore.ObjectType, error) {
	from, err := s.assocObject(r, r.PathValue(fromKey))
	if err != nil {
		return nil, nil, err
	}
	to, err := s.assocObject(r, r.PathValue(toKey))
	if err != nil {
		return nil, nil, err
	}
	return from, to, nil
}

// assocPairTypes lists the association types of the pair of a path
// (fromObjectType, toObjectType).
func (s *Server) assocPairTypes(r *http.Request) ([]crmstore.AssociationType, error) {
	from, to, err := s.assocPair(r, "fromObjectType", "toObjectType")
	if err != nil {
		return nil, err
	}
	return s.store.AssociationTypes(r.Context(), from.Name, to.Name)
}

// assocRecordPair resolves the objects and record ids of a per-record v4
// path (objectType, objectId, toObjectType, toObjectId).
func (s *Server) assocRecordPair(r *http.Request) (from, to *crmstore.ObjectType, fromID, toID int64, err error) {
	if from, to, err = s.assocPair(r, "objectType", "toObjectType"); err != nil {
		return nil, nil, 0, 0, err
	}
	if fromID, err = assocRecordID(r.PathValue("objectId")); err != nil {
		return nil, nil, 0, 0, err
	}
	if toID, err = assocRecordID(r.PathValue("toObjectId")); err != nil {
		return nil, nil, 0, 0, err
	}
	return from, to, fromID, toID, nil
}

// assocBatchRequest resolves the pair of a batch call's path
// (fromObjectType, toObjectType), decodes the inputs of its body and
// refuses more than max of them.
func assocBatchRequest[T any](s *Server, r *http.Request, max int) (from, to *crmstore.ObjectType, inputs []T, err error) {
	if from, to, err = s.assocPair(r, "fromObjectType", "toObjectType"); err != nil {
		return nil, nil, nil, err
	}
	var body struct {
		Inputs []T `json:"inputs"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return nil, nil, nil, err
	}
	if err := assocBatchSize(len(body.Inputs), max); err != nil {
		return nil, nil, nil, err
	}
	return from, to, body.Inputs, nil
}

// assocRecordID parses a record id; one that is not a number is a record
// that does not exist.
func assocRecordID(raw string) (int64, error) {
	id, ok := recordID(raw)
	if !ok {
		return 0, &crmstore.NotFoundError{Kind: "record", ID: raw}
	}
	return id, nil
}

// assocLabel is a label as reads show it: null when unlabeled.
func assocLabel(label string) *string {
	if label == "" {
		return nil
	}
	return &label
}

func assocRenderTypes(refs []crmstore.AssociationTypeRef) []assocTypeJSON {
	out := make([]assocTypeJSON, len(refs))
	for i, t := range refs {
		out[i] = assocTypeJSON{Category: t.Category, TypeID: t.TypeID, Label: assocLabel(t.Label)}
	}
	return out
}

func assocRenderTargets(recs []crmstore.AssociatedRecord) []assocTargetJSON {
	out := make([]assocTargetJSON, len(recs))
	for i, rec := range recs {
		out[i] = assocTargetJSON{ToObjectID: rec.ToObjectID, AssociationTypes: assocRenderTypes(rec.Types)}
	}
	return out
}

// assocCheckSpecs checks association specs of a batch input against the
// types of the pair, so a bad type fails the whole call with a 400.
func assocCheckSpecs(types []crmstore.AssociationType, from, to *crmstore.ObjectType, specs []assocSpecInput, where string) ([]crmstore.AssociationSpec, error) {
	if len(specs) == 0 {
		return nil, errBadRequest("%s: an association needs at least one association type", where)
	}
	out := make([]crmstore.AssociationSpec, len(specs))
	for i, sp := range specs {
		t, err := assocCheckType(types, from, to, int64(sp.TypeID), sp.Category, where)
		if err != nil {
			return nil, err
		}
		out[i] = crmstore.AssociationSpec{Category: t.Category, TypeID: t.TypeID}
	}
	return out, nil
}

// assocTypedBatchRequest reads a batch of typed pairs (see
// assocBatchRequest) and checks the types of every input against the
// pair's association types (see assocCheckInputSpecs).
func (s *Server) assocTypedBatchRequest(r *http.Request) (from, to *crmstore.ObjectType, inputs []assocTypedPairInput, specs [][]crmstore.AssociationSpec, err error) {
	from, to, inputs, err = assocBatchRequest[assocTypedPairInput](s, r, assocMaxBatchWrite)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	types, err := s.store.AssociationTypes(r.Context(), from.Name, to.Name)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if specs, err = assocCheckInputSpecs(types, from, to, inputs); err != nil {
		return nil, nil, nil, nil, err
	}
	return from, to, inputs, specs, nil
}

// assocCheckInputSpecs checks the types of every input (see
// assocCheckSpecs), input i named inputs[i] in errors.
func assocCheckInputSpecs(types []crmstore.AssociationType, from, to *crmstore.ObjectType, inputs []assocTypedPairInput) ([][]crmstore.AssociationSpec, error) {
	specs := make([][]crmstore.AssociationSpec, len(inputs))
	for i, in := range inputs {
		var err error
		if specs[i], err = assocCheckSpecs(types, from, to, in.Types, fmt.Sprintf("inputs[%d]", i)); err != nil {
			return nil, err
		}
	}
	return specs, nil
}

// assocCheckType finds type id among the types of the pair and checks the
// category a request gave for it (none: any); where names the input.
func assocCheckType(types []crmstore.AssociationType, from, to *crmstore.ObjectType, id int64, category, where string) (*crmstore.AssociationType, error) {
	t := assocFindType(types, id)
	if t == nil {
		return nil, errBadRequest("%s: association type %d does not go from %s to %s", where, id, from.Name, to.Name)
	}
	if category != "" && !strings.EqualFold(category, t.Category) {
		return nil, errBadRequest("%s: association type %d is %s, not %s", where, id, t.Category, category)
	}
	return t, nil
}

func assocFindType(types []crmstore.AssociationType, id int64) *crmstore.AssociationType {
	for i := range types {
		if types[i].TypeID == id {
			return &types[i]
		}
	}
	return nil
}

// assocDefaultType is the type AssociateDefault uses for a pair: the
// unlabeled HUBSPOT_DEFINED one, else the first unlabeled one.
func assocDefaultType(types []crmstore.AssociationType) *crmstore.AssociationType {
	var best *crmstore.AssociationType
	for i := range types {
		t := &types[i]
		if t.Label != "" {
			continue
		}
		if best == nil || t.Category == crmstore.CategoryHubSpotDefined && best.Category != crmstore.CategoryHubSpotDefined {
			best = t
		}
	}
	return best
}

// assocNoneFound is HubSpot's batch-read error for a record without
// associations: "No company is associated with deal 515690208449."
func assocNoneFound(from, to *crmstore.ObjectType, id string) assocBatchError {
	return assocBatchError{Status: "error", Category: categoryNotFound, SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
		Message: fmt.Sprintf("No %s is associated with %s %s.", assocNoun(to), assocNoun(from), id),
		Context: map[string][]string{"fromObjectId": {id}}, Links: map[string]string{}, Errors: []errorDetail{}}
}

func assocNoun(o *crmstore.ObjectType) string {
	if o.SingularLabel != "" {
		return strings.ToLower(o.SingularLabel)
	}
	return assocSingular(o.Name)
}

// assocBatchSize refuses a batch with too many inputs.
func assocBatchSize(n, max int) error {
	if n > max {
		return errBadRequest("a batch takes at most %d inputs, got %d", max, n)
	}
	return nil
}

// ---------------------------------------------------------------------------
// v4 per record

// assocList is GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}.
func (s *Server) assocList(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.assocPair(r, "objectType", "toObjectType")
	if err != nil {
		return err
	}
	id, err := assocRecordID(r.PathValue("objectId"))
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", assocPageSize, 1, assocPageSize)
	if err != nil {
		return err
	}
	after, err := afterParam(r, "this API gave out")
	if err != nil {
		return err
	}
	recs, next, err := s.store.Associations(r.Context(), from.Name, id, to.Name, after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Results []assocTargetJSON `json:"results"`
		Paging  *paging           `json:"paging,omitempty"`
	}{assocRenderTargets(recs), nextPaging(next)})
	return nil
}

// assocCreate is PUT /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}.
func (s *Server) assocCreate(w http.ResponseWriter, r *http.Request) error {
	from, to, fromID, toID, err := s.assocRecordPair(r)
	if err != nil {
		return err
	}
	var in []assocSpecInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	specs := make([]crmstore.AssociationSpec, len(in))
	for i, sp := range in {
		specs[i] = crmstore.AssociationSpec{Category: sp.Category, TypeID: int64(sp.TypeID)}
	}
	labels, err := s.store.Associate(r.Context(), from.Name, fromID, to.Name, toID, specs, assocSource())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, assocLabelsJSON{FromObjectTypeID: from.TypeID, FromObjectID: fromID,
		ToObjectTypeID: to.TypeID, ToObjectID: toID, Labels: assocLabelList(labels)})
	return nil
}

func assocLabelList(labels []string) []string {
	if labels == nil {
		return []string{}
	}
	return labels
}

// assocCreateDefault is PUT /crm/v4/objects/{objectType}/{objectId}/associations/default/{toObjectType}/{toObjectId}.
func (s *Server) assocCreateDefault(w http.ResponseWriter, r *http.Request) error {
	from, to, fromID, toID, err := s.assocRecordPair(r)
	if err != nil {
		return err
	}
	b := s.newAssocBatch()
	if err := s.store.AssociateDefault(r.Context(), from.Name, fromID, to.Name, toID, assocSource()); err != nil {
		return err
	}
	results, err := s.assocDefaultResults(r, from, to, [][2]int64{{fromID, toID}})
	if err != nil {
		return err
	}
	b.write(w, http.StatusOK, results)
	return nil
}

// assocDefaultResults describes default associations just made, both
// directions of each, as HubSpot does.
func (s *Server) assocDefaultResults(r *http.Request, from, to *crmstore.ObjectType, pairs [][2]int64) ([]assocDefaultJSON, error) {
	out := []assocDefaultJSON{}
	if len(pairs) == 0 {
		return out, nil
	}
	types, err := s.store.AssociationTypes(r.Context(), from.Name, to.Name)
	if err != nil {
		return nil, err
	}
	d := assocDefaultType(types)
	if d == nil {
		return nil, fmt.Errorf("no default association type from %s to %s after associating", from.Name, to.Name)
	}
	for _, p := range pairs {
		f, t := strconv.FormatInt(p[0], 10), strconv.FormatInt(p[1], 10)
		out = append(out,
			assocDefaultJSON{From: assocObjectID{assocID(f)}, To: assocObjectID{assocID(t)}, Spec: assocSpecJSON{d.Category, d.TypeID}},
			assocDefaultJSON{From: assocObjectID{assocID(t)}, To: assocObjectID{assocID(f)}, Spec: assocSpecJSON{d.Category, d.InverseTypeID}})
	}
	return out, nil
}

// assocArchive is DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}:
// every association between the two records goes, both directions.
func (s *Server) assocArchive(w http.ResponseWriter, r *http.Request) error {
	from, to, fromID, toID, err := s.assocRecordPair(r)
	if err != nil {
		return err
	}
	return noContentUnless(w, s.store.Dissociate(r.Context(), from.Name, fromID, to.Name, toID, nil, assocSource()))
}

// ---------------------------------------------------------------------------
// v4 batch

// assocBatchRead is POST /crm/v4/associations/{from}/{to}/batch/read. Each
// record gets at most assocPageSize associations, with paging for the rest;
// records without any are reported as errors (207), as HubSpot does.
func (s *Server) assocBatchRead(w http.ResponseWriter, r *http.Request) error {
	from, to, inputs, err := assocBatchRequest[assocReadInput](s, r, assocMaxBatchRead)
	if err != nil {
		return err
	}
	b := s.newAssocBatch()
	var ids []int64
	for _, in := range inputs {
		if id, err := assocRecordID(string(in.ID)); err == nil && in.After == "" {
			ids = append(ids, id)
		}
	}
	all, err := s.store.AssociationsBatch(r.Context(), from.Name, ids, to.Name)
	if err != nil {
		return err
	}
	type result struct {
		From   assocObjectID     `json:"from"`
		To     []assocTargetJSON `json:"to"`
		Paging *paging           `json:"paging,omitempty"`
	}
	results := []result{}
	seen := map[[2]string]bool{}
	for _, in := range inputs {
		key := [2]string{string(in.ID), in.After}
		if seen[key] {
			continue
		}
		seen[key] = true
		id, err := assocRecordID(string(in.ID))
		if err != nil {
			b.errors = append(b.errors, assocNoneFound(from, to, string(in.ID)))
			continue
		}
		var recs []crmstore.AssociatedRecord
		var next int64
		if in.After != "" {
			after, err := strconv.ParseInt(in.After, 10, 64)
			if err != nil || after < 0 {
				return errBadRequest("inputs: after=%q for id %s is not a paging cursor this API gave out", in.After, in.ID)
			}
			if recs, next, err = s.store.Associations(r.Context(), from.Name, id, to.Name, after, assocPageSize); err != nil {
				return err
			}
		} else {
			recs = all[id]
			if len(recs) == 0 {
				b.errors = append(b.errors, assocNoneFound(from, to, string(in.ID)))
				continue
			}
			if len(recs) > assocPageSize {
				recs = recs[:assocPageSize]
				next = recs[assocPageSize-1].ToObjectID
			}
		}
		results = append(results, result{From: assocObjectID{assocID(strconv.FormatInt(id, 10))}, To: assocRenderTargets(recs), Paging: nextPaging(next)})
	}
	b.write(w, http.StatusOK, results)
	return nil
}

// assocBatchCreate is POST /crm/v4/associations/{from}/{to}/batch/create.
// A type that is not one of the pair fails the call (400); a missing record
// or a limit fails only its input (207).
func (s *Server) assocBatchCreate(w http.ResponseWriter, r *http.Request) error {
	from, to, inputs, specs, err := s.assocTypedBatchRequest(r)
	if err != nil {
		return err
	}
	b := s.newAssocBatch()
	results := []assocLabelsJSON{}
	for i, in := range inputs {
		err := b.pair(in.From.ID, in.To.ID, func(fromID, toID int64) error {
			labels, err := s.store.Associate(r.Context(), from.Name, fromID, to.Name, toID, specs[i], assocSource())
			if err == nil {
				results = append(results, assocLabelsJSON{FromObjectTypeID: from.TypeID, FromObjectID: fromID,
					ToObjectTypeID: to.TypeID, ToObjectID: toID, Labels: assocLabelList(labels)})
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	b.write(w, http.StatusCreated, results)
	return nil
}

// assocIDs parses the two record ids of a batch input.
func assocIDs(rawFrom, rawTo assocID) (int64, int64, error) {
	fromID, err := assocRecordID(string(rawFrom))
	if err != nil {
		return 0, 0, err
	}
	toID, err := assocRecordID(string(rawTo))
	if err != nil {
		return 0, 0, err
	}
	return fromID, toID, nil
}

// assocBatchCreateDefault is POST /crm/v4/associations/{from}/{to}/batch/associate/default.
func (s *Server) assocBatchCreateDefault(w http.ResponseWriter, r *http.Request) error {
	from, to, inputs, err := assocBatchRequest[assocPairInput](s, r, assocMaxBatchWrite)
	if err != nil {
		return err
	}
	b := s.newAssocBatch()
	var done [][2]int64
	for _, in := range inputs {
		err := b.pair(in.From.ID, in.To.ID, func(fromID, toID int64) error {
			err := s.store.AssociateDefault(r.Context(), from.Name, fromID, to.Name, toID, assocSource())
			if err == nil {
				done = append(done, [2]int64{fromID, toID})
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	results, err := s.assocDefaultResults(r, from, to, done)
	if err != nil {
		return err
	}
	b.write(w, http.StatusOK, results)
	return nil
}

// assocBatchArchive is POST /crm/v4/associations/{from}/{to}/batch/archive:
// every association between each pair goes. Records that do not exist have
// nothing to remove, so they are not errors.
func (s *Server) assocBatchArchive(w http.ResponseWriter, r *http.Request) error {
	from, to, inputs, err := assocBatchRequest[assocArchiveInput](s, r, assocMaxBatchWrite)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		for _, t := range in.To {
			if err := s.assocDissociate(r, from, in.From.ID, to, t.ID, nil); err != nil {
				return err
			}
		}
	}
	noContent(w)
	return nil
}

// assocDissociate removes associations between two records, ignoring
// records that do not exist.
func (s *Server) assocDissociate(r *http.Request, from *crmstore.ObjectType, rawFrom assocID, to *crmstore.ObjectType, rawTo assocID, typeIDs []int64) error {
	fromID, toID, err := assocIDs(rawFrom, rawTo)
	if err == nil {
		err = s.store.Dissociate(r.Context(), from.Name, fromID, to.Name, toID, typeIDs, assocSource())
	}
	if errors.Is(err, crmstore.ErrNotFound) {
		return nil
	}
	return err
}

// assocBatchArchiveLabels is POST /crm/v4/associations/{from}/{to}/batch/labels/archive:
// only the named types go (removing the unlabeled type removes the labels too).
func (s *Server) assocBatchArchiveLabels(w http.ResponseWriter, r *http.Request) error {
	from, to, inputs, specs, err := s.assocTypedBatchRequest(r)
	if err != nil {
		return err
	}
	for i, in := range inputs {
		typeIDs := make([]int64, len(specs[i]))
		for j, sp := range specs[i] {
			typeIDs[j] = sp.TypeID
		}
		if err := s.assocDissociate(r, from, in.From.ID, to, in.To.ID, typeIDs); err != nil {
			return err
		}
	}
	noContent(w)
	return nil
}

// ---------------------------------------------------------------------------
// v4 labels

// assocLabels is GET /crm/v4/associations/{from}/{to}/labels: every type of
// the pair, unlabeled ones with label null.
func (s *Server) assocLabels(w http.ResponseWriter, r *http.Request) error {
	types, err := s.assocPairTypes(r)
	if err != nil {
		return err
	}
	out := make([]assocTypeJSON, len(types))
	for i, t := range types {
		out[i] = assocTypeJSON{Category: t.Category, TypeID: t.TypeID, Label: assocLabel(t.Label)}
	}
	writeResults(w, out)
	return nil
}

// assocLabelCreate is POST /crm/v4/associations/{from}/{to}/labels. It
// answers 200 (the SDK expects 200, not 201) with both directions.
func (s *Server) assocLabelCreate(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.assocPair(r, "fromObjectType", "toObjectType")
	if err != nil {
		return err
	}
	var in struct {
		Label        string `json:"label"`
		Name         string `json:"name"`
		InverseLabel string `json:"inverseLabel"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := s.store.CreateAssociationLabel(r.Context(), from.Name, to.Name,
		crmstore.LabelInput{Label: in.Label, Name: in.Name, InverseLabel: in.InverseLabel})
	if err != nil {
		return err
	}
	out := []assocTypeJSON{{Category: t.Category, TypeID: t.TypeID, Label: assocLabel(t.Label)}}
	if t.InverseTypeID != t.TypeID {
		out = append(out, assocTypeJSON{Category: t.Category, TypeID: t.InverseTypeID, Label: assocLabel(t.InverseLabel)})
	}
	writeResults(w, out)
	return nil
}

// assocLabelUpdate is PUT /crm/v4/associations/{from}/{to}/labels.
func (s *Server) assocLabelUpdate(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.assocPair(r, "fromObjectType", "toObjectType")
	if err != nil {
		return err
	}
	var in struct {
		TypeID       assocTypeID `json:"associationTypeId"`
		Label        string      `json:"label"`
		InverseLabel string      `json:"inverseLabel"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.TypeID == 0 {
		return errBadRequest("associationTypeId is required")
	}
	return noContentUnless(w, s.store.UpdateAssociationLabel(r.Context(), from.Name, to.Name, int64(in.TypeID), in.Label, in.InverseLabel))
}

// assocLabelDelete is DELETE /crm/v4/associations/{from}/{to}/labels/{associationTypeId}.
func (s *Server) assocLabelDelete(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.assocPair(r, "fromObjectType", "toObjectType")
	if err != nil {
		return err
	}
	raw := r.PathValue("associationTypeId")
	typeID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return errBadRequest("association type id %q is not a whole number", raw)
	}
	return noContentUnless(w, s.store.DeleteAssociationLabel(r.Context(), from.Name, to.Name, typeID))
}

// ---------------------------------------------------------------------------
// v4 limits

// assocLimitJSON is PublicAssociationDefinitionUserConfiguration.
type assocLimitJSON struct {
	Category string  `json:"category"`
	TypeID   int64   `json:"typeId"`
	Label    *string `json:"label,omitempty"`
	Max      int     `json:"userEnforcedMaxToObjectIds,omitempty"`
}

// assocLimits is GET /crm/v4/associations/definitions/configurations/{from}/{to}:
// the types of the pair with a limit users set (the fixed limits of
// HubSpot's own labelled types, such as one primary company, are not user
// configurations).
func (s *Server) assocLimits(w http.ResponseWriter, r *http.Request) error {
	types, err := s.assocPairTypes(r)
	if err != nil {
		return err
	}
	out := []assocLimitJSON{}
	for _, t := range types {
		if t.Limit > 0 && !(t.Category == crmstore.CategoryHubSpotDefined && t.Label != "") {
			out = append(out, assocLimitJSON{Category: t.Category, TypeID: t.TypeID, Label: assocLabel(t.Label), Max: t.Limit})
		}
	}
	writeResults(w, out)
	return nil
}

// assocLimitInput is one input of the limit batch calls.
type assocLimitInput struct {
	Category string      `json:"category"`
	TypeID   assocTypeID `json:"typeId"`
	Max      *int        `json:"maxToObjectIds"`
}

// assocSetLimits applies limit inputs one by one; purge sets no limit.
// Bad inputs are errors of their own (207), except for purge, which
// fails as a whole.
func (s *Server) assocSetLimits(w http.ResponseWriter, r *http.Request, okStatus int, purge bool) error {
	from, to, inputs, err := assocBatchRequest[assocLimitInput](s, r, assocMaxBatchWrite)
	if err != nil {
		return err
	}
	types, err := s.store.AssociationTypes(r.Context(), from.Name, to.Name)
	if err != nil {
		return err
	}
	b := s.newAssocBatch()
	results := []assocLimitJSON{}
	for i, in := range inputs {
		id := int64(in.TypeID)
		limit := 0
		err := func() error {
			t, err := assocCheckType(types, from, to, id, in.Category, fmt.Sprintf("inputs[%d]", i))
			if err != nil {
				return err
			}
			if !purge && in.Max == nil {
				return errBadRequest("inputs[%d]: maxToObjectIds is required", i)
			}
			if !purge {
				limit = *in.Max
			}
			if err := s.store.SetAssociationLimit(r.Context(), from.Name, to.Name, id, limit); err != nil {
				return err
			}
			results = append(results, assocLimitJSON{Category: t.Category, TypeID: id, Label: assocLabel(t.Label), Max: limit})
			return nil
		}()
		if err == nil {
			continue
		}
		if purge {
			return err
		}
		if err := b.fail(err, map[string][]string{"typeId": {strconv.FormatInt(id, 10)}}); err != nil {
			return err
		}
	}
	if purge {
		noContent(w)
		return nil
	}
	b.write(w, okStatus, results)
	return nil
}

// assocLimitsCreate is POST …/definitions/configurations/{from}/{to}/batch/create (201, as the SDK expects).
func (s *Server) assocLimitsCreate(w http.ResponseWriter, r *http.Request) error {
	return s.assocSetLimits(w, r, http.StatusCreated, false)
}

// assocLimitsUpdate is POST …/definitions/configurations/{from}/{to}/batch/update (200).
func (s *Server) assocLimitsUpdate(w http.ResponseWriter, r *http.Request) error {
	return s.assocSetLimits(w, r, http.StatusOK, false)
}

// assocLimitsPurge is POST …/definitions/configurations/{from}/{to}/batch/purge (204): limits removed.
func (s *Server) assocLimitsPurge(w http.ResponseWriter, r *http.Request) error {
	return s.assocSetLimits(w, r, http.StatusNoContent, true)
}

// ---------------------------------------------------------------------------
// v3

// assocV3Names maps each type of a pair to its v3 name: contact_to_company
// for the primary type and contact_to_company_unlabeled beside it, but
// deal_to_contact where the pair has no HubSpot-defined label; the company
// hierarchy is parent_to_child_company / child_to_parent_company.
// User-defined labels keep their internal name.
func assocV3Names(types []crmstore.AssociationType) map[int64]string {
	hubspotLabel := false
	for _, t := range types {
		if t.Category == crmstore.CategoryHubSpotDefined && t.Label != "" {
			hubspotLabel = true
		}
	}
	out := make(map[int64]string, len(types))
	for _, t := range types {
		name := t.Name
		switch {
		case t.Category == crmstore.CategoryHubSpotDefined && t.TypeID == 13:
			name = "parent_to_child_company"
		case t.Category == crmstore.CategoryHubSpotDefined && t.TypeID == 14:
			name = "child_to_parent_company"
		case t.Label == "" && !hubspotLabel:
			name = strings.TrimSuffix(name, "_unlabeled")
		}
		out[t.TypeID] = name
	}
	return out
}

// assocV3Type resolves a v3 type: a v3 name, an internal name or a type id.
func assocV3Type(types []crmstore.AssociationType, names map[int64]string, ref string) *crmstore.AssociationType {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return assocFindType(types, id)
	}
	for i := range types {
		if strings.EqualFold(names[types[i].TypeID], ref) {
			return &types[i]
		}
	}
	for i := range types {
		if strings.EqualFold(types[i].Name, ref) {
			return &types[i]
		}
	}
	return nil
}

// assocV3Ref is v3's AssociatedId, {"id": "2", "type": "contact_to_company"}.
type assocV3Ref struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// assocV3BatchRead is POST /crm/v3/associations/{from}/{to}/batch/read: every
// association of each record, one entry per type, without paging.
func (s *Server) assocV3BatchRead(w http.ResponseWriter, r *http.Request) error {
	from, to, inputs, err := assocBatchRequest[assocObjectID](s, r, assocMaxBatchRead)
	if err != nil {
		return err
	}
	types, err := s.store.AssociationTypes(r.Context(), from.Name, to.Name)
	if err != nil {
		return err
	}
	names := assocV3Names(types)
	var ids []int64
	for _, in := range inputs {
		if id, err := assocRecordID(string(in.ID)); err == nil {
			ids = append(ids, id)
		}
	}
	all, err := s.store.AssociationsBatch(r.Context(), from.Name, ids, to.Name)
	if err != nil {
		return err
	}
	type result struct {
		From assocObjectID `json:"from"`
		To   []assocV3Ref  `json:"to"`
	}
	b := s.newAssocBatch()
	results := []result{}
	seen := map[string]bool{}
	for _, in := range inputs {
		if seen[string(in.ID)] {
			continue
		}
		seen[string(in.ID)] = true
		id, err := assocRecordID(string(in.ID))
		recs := all[id]
		if err != nil || len(recs) == 0 {
			b.errors = append(b.errors, assocNoneFound(from, to, string(in.ID)))
			continue
		}
		res := result{From: assocObjectID{assocID(strconv.FormatInt(id, 10))}, To: []assocV3Ref{}}
		for _, rec := range recs {
			for _, t := range rec.Types {
				res.To = append(res.To, assocV3Ref{ID: strconv.FormatInt(rec.ToObjectID, 10), Type: names[t.TypeID]})
			}
		}
		results = append(results, res)
	}
	b.write(w, http.StatusOK, results)
	return nil
}

// assocV3Input is v3's PublicAssociation, in requests and answers.
type assocV3Input struct {
	From assocObjectID `json:"from"`
	To   assocObjectID `json:"to"`
	Type string        `json:"type"`
}

// assocV3Batch is a v3 create or archive call: the pair, the inputs and
// the type each names, and the v3 names of the pair's types.
type assocV3Batch struct {
	from, to *crmstore.ObjectType
	inputs   []assocV3Input
	types    []*crmstore.AssociationType
	names    map[int64]string
}

// assocV3Inputs reads a v3 create/archive call and resolves each input's
// type; an unknown type fails the call.
func (s *Server) assocV3Inputs(r *http.Request) (*assocV3Batch, error) {
	from, to, inputs, err := assocBatchRequest[assocV3Input](s, r, assocMaxBatchWrite)
	if err != nil {
		return nil, err
	}
	types, err := s.store.AssociationTypes(r.Context(), from.Name, to.Name)
	if err != nil {
		return nil, err
	}
	v3 := &assocV3Batch{from: from, to: to, inputs: inputs, types: make([]*crmstore.AssociationType, len(inputs)), names: assocV3Names(types)}
	for i, in := range inputs {
		if strings.TrimSpace(in.Type) == "" {
			return nil, errBadRequest("inputs[%d]: type is required", i)
		}
		if v3.types[i] = assocV3Type(types, v3.names, in.Type); v3.types[i] == nil {
			return nil, errBadRequest("inputs[%d]: association type %q does not go from %s to %s", i, in.Type, from.Name, to.Name)
		}
	}
	return v3, nil
}

// assocV3BatchCreate is POST /crm/v3/associations/{from}/{to}/batch/create (201/207).
func (s *Server) assocV3BatchCreate(w http.ResponseWriter, r *http.Request) error {
	v3, err := s.assocV3Inputs(r)
	if err != nil {
		return err
	}
	b := s.newAssocBatch()
	results := []assocV3Input{}
	for i, in := range v3.inputs {
		t := v3.types[i]
		err := b.pair(in.From.ID, in.To.ID, func(fromID, toID int64) error {
			_, err := s.store.Associate(r.Context(), v3.from.Name, fromID, v3.to.Name, toID,
				[]crmstore.AssociationSpec{{Category: t.Category, TypeID: t.TypeID}}, assocSource())
			if err == nil {
				results = append(results, assocV3Input{From: assocObjectID{assocID(strconv.FormatInt(fromID, 10))},
					To: assocObjectID{assocID(strconv.FormatInt(toID, 10))}, Type: v3.names[t.TypeID]})
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	b.write(w, http.StatusCreated, results)
	return nil
}

// assocV3BatchArchive is POST /crm/v3/associations/{from}/{to}/batch/archive
// (204): the named type goes; naming the unlabeled type removes them all.
func (s *Server) assocV3BatchArchive(w http.ResponseWriter, r *http.Request) error {
	v3, err := s.assocV3Inputs(r)
	if err != nil {
		return err
	}
	for i, in := range v3.inputs {
		if err := s.assocDissociate(r, v3.from, in.From.ID, v3.to, in.To.ID, []int64{v3.types[i].TypeID}); err != nil {
			return err
		}
	}
	noContent(w)
	return nil
}

// assocV3Types is GET /crm/v3/associations/{from}/{to}/types.
func (s *Server) assocV3Types(w http.ResponseWriter, r *http.Request) error {
	types, err := s.assocPairTypes(r)
	if err != nil {
		return err
	}
	names := assocV3Names(types)
	type definition struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	out := make([]definition, len(types))
	for i, t := range types {
		out[i] = definition{ID: strconv.FormatInt(t.TypeID, 10), Name: names[t.TypeID]}
	}
	writeResults(w, out)
	return nil
}
