package api

// The CRM v3 objects API: list, read, create, update, archive, merge and
// GDPR delete of the records of any object, addressed by name ("contacts"),
// object type id ("0-1", "2-7") or "p_<name>". Batch endpoints are in batch.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// apiSource marks every write made through the API.
var apiSource = crmstore.Source{Type: crmstore.SourceAPI}

// maxHistoryPage is the largest list page when propertiesWithHistory is
// asked for, as HubSpot (and its SDKs' fetch-all loops) have it.
const maxHistoryPage = 50

func (s *Server) routesObjects() {
	s.handle("GET /crm/v3/objects/{objectType}", s.listObjects)
	s.handle("POST /crm/v3/objects/{objectType}", s.createObject)
	s.handle("GET /crm/v3/objects/{objectType}/{objectId}", s.getObject)
	s.handle("PATCH /crm/v3/objects/{objectType}/{objectId}", s.updateObject)
	s.handle("DELETE /crm/v3/objects/{objectType}/{objectId}", s.archiveObject)
	s.handle("POST /crm/v3/objects/{objectType}/merge", s.mergeObjects)
	s.handle("POST /crm/v3/objects/{objectType}/gdpr-delete", s.gdprDelete)
	s.routesBatch()
}

// object resolves the {objectType} of the path; an unknown object is a 404.
func (s *Server) object(r *http.Request) (*crmstore.ObjectType, error) {
	return s.store.Schema(r.Context(), r.PathValue("objectType"))
}

// objectID is a record id in a request body. HubSpot documents strings;
// clients also send numbers.
type objectID string

func (id *objectID) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*id = objectID(str)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("an id must be a string or a number")
	}
	*id = objectID(n.String())
	return nil
}

// recordID parses a record id; ok is false for anything but a positive integer.
func recordID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return id, err == nil && id > 0
}

// readOptions is what a read asks to have rendered.
type readOptions struct {
	props    []string // properties (see requestedProperties)
	history  []string // propertiesWithHistory
	assocs   []string // objects whose associations are embedded, as requested
	archived bool
}

func readOptionsFrom(r *http.Request, obj *crmstore.ObjectType) (readOptions, error) {
	archived, err := boolParam(r, "archived")
	if err != nil {
		return readOptions{}, err
	}
	return readOptions{
		props:    requestedProperties(obj.Name, listParam(r, "properties")),
		history:  listParam(r, "propertiesWithHistory"),
		assocs:   listParam(r, "associations"),
		archived: archived,
	}, nil
}

// renderRecords shapes recs, in order, with the properties, history and
// associations opts asks for. Associations cost one query per requested
// object for the whole page; history one query per record.
func (s *Server) renderRecords(ctx context.Context, object string, recs []*crmstore.Record, opts readOptions) ([]apiRecord, error) {
	out := make([]apiRecord, len(recs))
	for i, rec := range recs {
		out[i] = renderRecord(rec, opts.props)
	}
	if len(opts.history) > 0 {
		for i, rec := range recs {
			h, err := s.store.PropertyHistory(ctx, object, rec.ID, opts.history)
			if err != nil {
				return nil, err
			}
			out[i].PropertiesWithHistory = renderHistory(h)
		}
	}
	if len(recs) == 0 {
		return out, nil
	}
	for _, to := range opts.assocs {
		if err := s.embedAssociations(ctx, object, to, recs, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// embedAssociations adds the associations of recs with records of object to
// in the v3 shape: one {id, type} entry per association type (label), under
// the key to as requested. An unknown object is ignored, as HubSpot ignores
// unknown names.
func (s *Server) embedAssociations(ctx context.Context, from, to string, recs []*crmstore.Record, out []apiRecord) error {
	types, err := s.store.AssociationTypes(ctx, from, to)
	if errors.Is(err, crmstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	names := assocV3Names(types) // the same v3 names the v3 association endpoints use
	ids := make([]int64, len(recs))
	for i, rec := range recs {
		ids[i] = rec.ID
	}
	assoc, err := s.store.AssociationsBatch(ctx, from, ids, to)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		list := assoc[rec.ID]
		if len(list) == 0 {
			continue
		}
		var refs []assocRef
		for _, a := range list {
			id := strconv.FormatInt(a.ToObjectID, 10)
			for _, t := range a.Types {
				name := names[t.TypeID]
				if name == "" {
					name = strconv.FormatInt(t.TypeID, 10)
				}
				refs = append(refs, assocRef{ID: id, Type: name})
			}
		}
		if out[i].Associations == nil {
			out[i].Associations = map[string]*assocPage{}
		}
		out[i].Associations[to] = &assocPage{Results: refs}
	}
	return nil
}

// renderWritten shapes a record a write returned, with every property it has.
func renderWritten(rec *crmstore.Record) apiRecord {
	props := make([]string, 0, len(rec.Properties))
	for name := range rec.Properties {
		props = append(props, name)
	}
	return renderRecord(rec, props)
}

// listResponse is HubSpot's CollectionResponse…WithTotalForwardPaging.
type listResponse struct {
	Results []apiRecord `json:"results"`
	Paging  *paging     `json:"paging,omitempty"`
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 10, 1, 100)
	if err != nil {
		return err
	}
	opts, err := readOptionsFrom(r, obj)
	if err != nil {
		return err
	}
	if len(opts.history) > 0 {
		limit = min(limit, maxHistoryPage)
	}
	var after int64
	if a := r.URL.Query().Get("after"); a != "" {
		id, ok := recordID(a)
		if !ok {
			return errBadRequest("query parameter after=%q is not a paging cursor this API returned", a)
		}
		after = id
	}
	page, err := s.store.ListRecords(r.Context(), obj.Name, crmstore.ListOptions{
		Limit: limit, After: after, Archived: opts.archived, Properties: opts.props,
	})
	if err != nil {
		return err
	}
	results, err := s.renderRecords(r.Context(), obj.Name, page.Records, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listResponse{Results: results, Paging: newPaging(strconv.FormatInt(page.Next, 10))})
	return nil
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	opts, err := readOptionsFrom(r, obj)
	if err != nil {
		return err
	}
	rec, err := s.store.GetRecord(r.Context(), obj.Name, r.PathValue("objectId"), crmstore.GetOptions{
		IDProperty: r.URL.Query().Get("idProperty"), Archived: opts.archived, Properties: opts.props,
	})
	if err != nil {
		return err
	}
	out, err := s.renderRecords(r.Context(), obj.Name, []*crmstore.Record{rec}, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out[0])
	return nil
}

// createInput is HubSpot's SimplePublicObjectInputForCreate (plus the
// trace id batch inputs may carry).
type createInput struct {
	Properties         propertyValues     `json:"properties"`
	Associations       []associationInput `json:"associations"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId"`
}

// associationInput is one association of a create input.
type associationInput struct {
	To struct {
		ID objectID `json:"id"`
	} `json:"to"`
	Types []crmstore.AssociationSpec `json:"types"`
}

func (s *Server) createObject(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	var in createInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	plans, refused, err := s.planAssociations(r.Context(), obj.Name, [][]associationInput{in.Associations})
	if err != nil {
		return err
	}
	if refused[0] != nil {
		return refused[0]
	}
	props := map[string]string(in.Properties)
	if props == nil {
		props = map[string]string{}
	}
	rec, err := s.store.CreateRecord(r.Context(), obj.Name, props, apiSource)
	if err != nil {
		return err
	}
	if err := s.associate(r.Context(), obj.Name, rec.ID, plans[0]); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, renderWritten(rec))
	return nil
}

// updateInput is HubSpot's SimplePublicObjectInput.
type updateInput struct {
	Properties propertyValues `json:"properties"`
}

func (s *Server) updateObject(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	var in updateInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rec, err := s.store.UpdateRecord(r.Context(), obj.Name, r.PathValue("objectId"), in.Properties,
		r.URL.Query().Get("idProperty"), apiSource)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderWritten(rec))
	return nil
}

// archiveObject archives a record. As in HubSpot, archiving a record that
// does not exist (or is archived already) answers 204 too: afterwards it is
// not there, which is what the caller asked for.
func (s *Server) archiveObject(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	if id, ok := recordID(r.PathValue("objectId")); ok {
		if err := s.store.ArchiveRecord(r.Context(), obj.Name, id, apiSource); err != nil && !errors.Is(err, crmstore.ErrNotFound) {
			return err
		}
	}
	noContent(w)
	return nil
}

// mergeInput is HubSpot's PublicMergeInput.
type mergeInput struct {
	PrimaryObjectID objectID `json:"primaryObjectId"`
	ObjectIDToMerge objectID `json:"objectIdToMerge"`
}

func (s *Server) mergeObjects(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	var in mergeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	primary, ok := recordID(string(in.PrimaryObjectID))
	if !ok {
		return errBadRequest("primaryObjectId %q is not a record id", in.PrimaryObjectID)
	}
	merged, ok := recordID(string(in.ObjectIDToMerge))
	if !ok {
		return errBadRequest("objectIdToMerge %q is not a record id", in.ObjectIDToMerge)
	}
	rec, err := s.store.MergeRecords(r.Context(), obj.Name, primary, merged, apiSource)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderWritten(rec))
	return nil
}

// gdprInput is HubSpot's PublicGdprDeleteInput.
type gdprInput struct {
	ObjectID   objectID `json:"objectId"`
	IDProperty string   `json:"idProperty"`
}

// gdprDelete permanently deletes a contact, live or archived, found by id or
// by a unique property. A contact that does not exist answers 204, as in
// HubSpot (which also blocklists an unknown email; Tandem does not).
func (s *Server) gdprDelete(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.object(r)
	if err != nil {
		return err
	}
	if obj.Name != "contacts" {
		return errNotFound("no such endpoint: GDPR delete is only available for contacts, not %s", obj.Name)
	}
	var in gdprInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.ObjectID == "" {
		return errBadRequest("objectId is required")
	}
	for _, archived := range []bool{false, true} {
		rec, err := s.store.GetRecord(r.Context(), obj.Name, string(in.ObjectID), crmstore.GetOptions{
			IDProperty: in.IDProperty, Archived: archived, Properties: []string{},
		})
		if errors.Is(err, crmstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := s.store.DeleteRecord(r.Context(), obj.Name, rec.ID, apiSource); err != nil && !errors.Is(err, crmstore.ErrNotFound) {
			return err
		}
		break
	}
	noContent(w)
	return nil
}

// assocPlan is one checked association of a create input: the target
// record and the types to write.
type assocPlan struct {
	to    string // target object name
	toID  int64
	specs []crmstore.AssociationSpec
}

// typeInfo is an association type going from the created object, with the
// name of the object it goes to.
type typeInfo struct {
	crmstore.AssociationType
	to string
}

// refuses reports whether the store refuses an association beyond the
// type's limit (user-set limits) rather than replacing the one held
// (HubSpot's labelled types: Primary company, parent company).
func refuses(t crmstore.AssociationType) bool {
	return t.Limit > 0 && !(t.Category == crmstore.CategoryHubSpotDefined && t.Label != "")
}

// planAssociations checks the associations of create inputs (records of
// object from) before any record is created, so that the associations
// written afterwards can fail only on a storage error or a concurrent
// change: each target record is live, each type id goes from the object to
// the target's object (with the category given, if one is), and no limit
// the store would refuse on is exceeded. It returns, per input, its plan or
// the error refusing that input; err is for the request as a whole.
func (s *Server) planAssociations(ctx context.Context, from string, inputs [][]associationInput) (plans [][]assocPlan, refused []error, err error) {
	plans = make([][]assocPlan, len(inputs))
	refused = make([]error, len(inputs))
	some := false
	for _, in := range inputs {
		some = some || len(in) > 0
	}
	if !some {
		return plans, refused, nil
	}
	// Every type from the object, by id; and per target object the type a
	// labelled association brings along (the store's default type).
	byID := map[int64]typeInfo{}
	defaults := map[string]crmstore.AssociationType{}
	for _, o := range s.store.ObjectTypes() {
		types, err := s.store.AssociationTypes(ctx, from, o.Name)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range types {
			byID[t.TypeID] = typeInfo{t, o.Name}
			if d, ok := defaults[o.Name]; t.Label == "" && (!ok || t.Category == crmstore.CategoryHubSpotDefined && d.Category != crmstore.CategoryHubSpotDefined) {
				defaults[o.Name] = t
			}
		}
	}
	targets := map[string]map[string]bool{} // object -> ids named
	for i, in := range inputs {
		for j, a := range in {
			p, err := planOne(byID, j, a)
			if err != nil {
				refused[i] = err
				break
			}
			plans[i] = append(plans[i], p)
		}
		if refused[i] != nil {
			plans[i] = nil
			continue
		}
		for _, p := range plans[i] {
			if targets[p.to] == nil {
				targets[p.to] = map[string]bool{}
			}
			targets[p.to][strconv.FormatInt(p.toID, 10)] = true
		}
	}
	// The targets exist and are live (a merged record's id leads to the
	// record it was merged into).
	live := map[string]map[string]int64{}
	for to, set := range targets {
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		recs, err := s.store.GetRecords(ctx, to, ids, crmstore.GetOptions{Properties: []string{}})
		if err != nil {
			return nil, nil, err
		}
		live[to] = map[string]int64{}
		for id, rec := range recs {
			live[to][id] = rec.ID
		}
	}
	for i := range plans {
		for j := range plans[i] {
			p := &plans[i][j]
			id, ok := live[p.to][strconv.FormatInt(p.toID, 10)]
			if !ok {
				refused[i] = errBadRequest("associations[%d]: %s record %d does not exist or is archived", j, p.to, p.toID)
				plans[i] = nil
				break
			}
			p.toID = id
		}
	}
	if err := s.checkLimits(ctx, from, byID, defaults, plans, refused); err != nil {
		return nil, nil, err
	}
	return plans, refused, nil
}

// planOne checks one association of a create input against the types of
// the object.
func planOne(byID map[int64]typeInfo, j int, a associationInput) (assocPlan, error) {
	toID, ok := recordID(string(a.To.ID))
	if !ok {
		return assocPlan{}, errBadRequest("associations[%d].to.id %q is not a record id", j, a.To.ID)
	}
	if len(a.Types) == 0 {
		return assocPlan{}, errBadRequest("associations[%d].types is empty: name at least one association type", j)
	}
	p := assocPlan{toID: toID, specs: a.Types}
	for _, sp := range a.Types {
		t, ok := byID[sp.TypeID]
		if !ok {
			return assocPlan{}, errBadRequest("associations[%d]: association type %d does not exist from this object", j, sp.TypeID)
		}
		if sp.Category != "" && !strings.EqualFold(sp.Category, t.Category) {
			return assocPlan{}, errBadRequest("associations[%d]: association type %d is %s, not %s", j, sp.TypeID, t.Category, sp.Category)
		}
		if p.to != "" && p.to != t.to {
			return assocPlan{}, errBadRequest("associations[%d]: association types %d and %d go to different objects", j, p.specs[0].TypeID, sp.TypeID)
		}
		p.to = t.to
	}
	return p, nil
}

// checkLimits refuses inputs whose associations would go over a limit the
// store refuses on: on the new record's side (more associations of a type
// than it allows) or on the target's side (its inverse type is full,
// counting earlier inputs of the batch). It reads only when such a limit
// exists.
func (s *Server) checkLimits(ctx context.Context, from string, byID map[int64]typeInfo, defaults map[string]crmstore.AssociationType, plans [][]assocPlan, refused []error) error {
	// The types each association writes: its own, plus the default type
	// when it is labelled.
	written := func(p assocPlan) []crmstore.AssociationType {
		var out []crmstore.AssociationType
		labelled := false
		for _, sp := range p.specs {
			t := byID[sp.TypeID].AssociationType
			labelled = labelled || t.Label != ""
			out = append(out, t)
		}
		if d, ok := defaults[p.to]; ok && labelled {
			out = append(out, d)
		}
		return out
	}
	inverse := map[string]map[int64]crmstore.AssociationType{} // target object -> limited inverse types
	for i := range plans {
		perType := map[int64]map[int64]bool{}
		for _, p := range plans[i] {
			for _, t := range written(p) {
				if perType[t.TypeID] == nil {
					perType[t.TypeID] = map[int64]bool{}
				}
				perType[t.TypeID][p.toID] = true
				if refuses(t) && len(perType[t.TypeID]) > t.Limit {
					refused[i] = errBadRequest("associations: a record may have at most %d associations of type %d (%s)", t.Limit, t.TypeID, t.Name)
				}
			}
			if _, ok := inverse[p.to]; !ok {
				inverse[p.to] = nil
			}
		}
		if refused[i] != nil {
			plans[i] = nil
		}
	}
	held := map[int64]map[int64]int{} // target id -> inverse type -> associations held
	for to := range inverse {
		types, err := s.store.AssociationTypes(ctx, to, from)
		if err != nil {
			return err
		}
		var limited []crmstore.AssociationType
		for _, t := range types {
			if refuses(t) {
				limited = append(limited, t)
			}
		}
		if len(limited) == 0 {
			continue
		}
		inverse[to] = map[int64]crmstore.AssociationType{}
		for _, t := range limited {
			inverse[to][t.TypeID] = t
		}
		var ids []int64
		for _, ps := range plans {
			for _, p := range ps {
				if p.to == to {
					ids = append(ids, p.toID)
				}
			}
		}
		assoc, err := s.store.AssociationsBatch(ctx, to, ids, from)
		if err != nil {
			return err
		}
		for id, list := range assoc {
			held[id] = map[int64]int{}
			for _, a := range list {
				for _, t := range a.Types {
					held[id][t.TypeID]++
				}
			}
		}
	}
	for i := range plans {
		var adds [][2]int64
		for _, p := range plans[i] {
			for _, t := range written(p) {
				inv, ok := inverse[p.to][t.InverseTypeID]
				if !ok {
					continue
				}
				if held[p.toID][inv.TypeID] >= inv.Limit {
					refused[i] = errBadRequest("associations: %s record %d already has the most associations of type %d (%s) it may have (%d)",
						p.to, p.toID, inv.TypeID, inv.Name, inv.Limit)
				}
				adds = append(adds, [2]int64{p.toID, inv.TypeID})
			}
		}
		if refused[i] != nil {
			plans[i] = nil
			continue
		}
		for _, a := range adds {
			if held[a[0]] == nil {
				held[a[0]] = map[int64]int{}
			}
			held[a[0]][a[1]]++
		}
	}
	return nil
}

// associate writes the planned associations of a record just created. The
// plan was checked, so a failure here is a storage error or a concurrent
// change; the error says that the record exists.
func (s *Server) associate(ctx context.Context, from string, id int64, plan []assocPlan) error {
	for _, p := range plan {
		if _, err := s.store.Associate(ctx, from, id, p.to, p.toID, p.specs, apiSource); err != nil {
			ae := *toAPIError(err)
			ae.body.Message = fmt.Sprintf("record %d was created, but associating it with %s %d failed: %s", id, p.to, p.toID, ae.body.Message)
			ae.body.Context = map[string][]string{"id": {strconv.FormatInt(id, 10)}}
			return causedError{&ae, err}
		}
	}
	return nil
}

// causedError is an API answer that keeps the error behind it for the log.
type causedError struct {
	*apiError
	cause error
}

func (e causedError) Error() string { return e.apiError.Error() + ": " + e.cause.Error() }

func (e causedError) Unwrap() error { return e.apiError }
