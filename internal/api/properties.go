package api

// HubSpot's properties API: /crm/v3/properties/{objectType}, property
// definitions and property groups.

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// routesProperties registers the properties API. The literal "groups" and
// "batch" segments are more specific than {propertyName}, so the mux sends
// them to the group and batch handlers.
func (s *Server) routesProperties() {
	const base = "/crm/v3/properties/{objectType}"
	s.handle("GET "+base, s.handlePropertyList)
	s.handle("POST "+base, s.handlePropertyCreate)
	s.handle("GET "+base+"/{propertyName}", s.handlePropertyGet)
	s.handle("PATCH "+base+"/{propertyName}", s.handlePropertyUpdate)
	s.handle("DELETE "+base+"/{propertyName}", s.handlePropertyArchive)
	s.handle("POST "+base+"/batch/read", s.handlePropertyBatchRead)
	s.handle("POST "+base+"/batch/create", s.handlePropertyBatchCreate)
	s.handle("POST "+base+"/batch/archive", s.handlePropertyBatchArchive)
	s.handle("GET "+base+"/groups", s.handlePropertyGroupList)
	s.handle("POST "+base+"/groups", s.handlePropertyGroupCreate)
	s.handle("GET "+base+"/groups/{groupName}", s.handlePropertyGroupGet)
	s.handle("PATCH "+base+"/groups/{groupName}", s.handlePropertyGroupUpdate)
	s.handle("DELETE "+base+"/groups/{groupName}", s.handlePropertyGroupArchive)
}

// propertyJSON is HubSpot's Property.
type propertyJSON struct {
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`
	FieldType            string               `json:"fieldType"`
	Description          string               `json:"description"`
	GroupName            string               `json:"groupName"`
	Options              []propertyOptionJSON `json:"options"`
	DisplayOrder         int                  `json:"displayOrder"`
	Hidden               bool                 `json:"hidden"`
	FormField            bool                 `json:"formField"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"`
	Calculated           bool                 `json:"calculated"`
	ExternalOptions      bool                 `json:"externalOptions"`
	HubspotDefined       bool                 `json:"hubspotDefined"`
	ModificationMetadata propertyModification `json:"modificationMetadata"`
	ReferencedObjectType string               `json:"referencedObjectType,omitempty"`
	CalculationFormula   string               `json:"calculationFormula,omitempty"`
	CreatedAt            string               `json:"createdAt"`
	UpdatedAt            string               `json:"updatedAt"`
	Archived             bool                 `json:"archived"`
	ArchivedAt           string               `json:"archivedAt,omitempty"`
}

// propertyOptionJSON is HubSpot's Option.
type propertyOptionJSON struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// propertyModification is HubSpot's PropertyModificationMetadata.
type propertyModification struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyOptions    bool `json:"readOnlyOptions"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

// renderProperty shapes a property of object o for the API.
func renderProperty(o *crmstore.ObjectType, p *crmstore.Property) propertyJSON {
	out := propertyJSON{
		Name: p.Name, Label: p.Label, Type: p.Type, FieldType: p.FieldType, Description: p.Description,
		GroupName: p.GroupName, Options: make([]propertyOptionJSON, len(p.Options)), DisplayOrder: p.DisplayOrder,
		Hidden: p.Hidden, FormField: p.FormField, HasUniqueValue: p.HasUniqueValue, Calculated: p.Calculated,
		ExternalOptions: p.ExternalOptions, HubspotDefined: p.HubspotDefined,
		ModificationMetadata: propertyModification{
			Archivable:         !p.HubspotDefined && !schemaUsesProperty(o, p.Name),
			ReadOnlyDefinition: p.ReadOnlyDefinition,
			ReadOnlyOptions:    p.ReadOnlyDefinition || p.ExternalOptions || (p.HubspotDefined && isPipelineProperty(o, p.Name)),
			ReadOnlyValue:      p.ReadOnlyValue,
		},
		ReferencedObjectType: p.ReferencedObjectType,
		CalculationFormula:   p.CalculationFormula,
		CreatedAt:            crmstore.FormatTime(p.CreatedAt),
		UpdatedAt:            crmstore.FormatTime(p.UpdatedAt),
		Archived:             p.Archived,
	}
	for i, opt := range p.Options {
		out.Options[i] = propertyOptionJSON{Label: opt.Label, Value: opt.Value, Description: opt.Description,
			DisplayOrder: opt.DisplayOrder, Hidden: opt.Hidden}
	}
	if p.Archived && p.ArchivedAt != nil {
		out.ArchivedAt = crmstore.FormatTime(*p.ArchivedAt)
	}
	return out
}

// schemaUsesProperty reports whether o's schema names the property (the
// store refuses to archive such a property).
func schemaUsesProperty(o *crmstore.ObjectType, name string) bool {
	return o.PrimaryDisplayProperty == name || slices.Contains(o.RequiredProperties, name) ||
		slices.Contains(o.SearchableProperties, name) || slices.Contains(o.SecondaryDisplayProperties, name)
}

// isPipelineProperty reports whether name is o's pipeline or stage
// property, whose options follow the pipelines.
func isPipelineProperty(o *crmstore.ObjectType, name string) bool {
	if o.Name == "deals" {
		return name == "pipeline" || name == "dealstage"
	}
	return name == "hs_pipeline" || name == "hs_pipeline_stage"
}

// propertyCreateBody is HubSpot's PropertyCreate; displayOrder defaults
// to -1 ("after the ordered ones") as in HubSpot.
type propertyCreateBody struct {
	crmstore.PropertyInput
	DisplayOrder *int `json:"displayOrder"`
}

func (b propertyCreateBody) input() crmstore.PropertyInput {
	in := b.PropertyInput
	in.DisplayOrder = -1
	if b.DisplayOrder != nil {
		in.DisplayOrder = *b.DisplayOrder
	}
	return in
}

// propertyNameInput is one {"name": ...} of a batch read or archive.
type propertyNameInput struct {
	Name string `json:"name"`
}

// propertyBatchError is HubSpot's StandardError, one entry of a 207's
// errors; the clients require status, category, message, errors, context
// and links.
type propertyBatchError struct {
	Status      string              `json:"status"`
	ID          string              `json:"id,omitempty"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Errors      []errorDetail       `json:"errors"`
	Context     map[string][]string `json:"context"`
	Links       map[string]string   `json:"links"`
}

// newPropertyBatchError turns err into a batch error entry whose context names the
// input (key: values).
func newPropertyBatchError(err error, key string, values ...string) propertyBatchError {
	ae, ctx, details := batchErrorParts(err, map[string][]string{key: values})
	return propertyBatchError{Status: "error", Category: ae.body.Category, SubCategory: ae.body.SubCategory,
		Message: ae.body.Message, Errors: details, Context: ctx, Links: map[string]string{}}
}

// definitionError turns the store's *ValidationError about a definition
// (property, group, schema) into a 400 that names each offending input
// field; other errors pass through.
func definitionError(what string, err error) error {
	var ve *crmstore.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	msgs := make([]string, len(ve.Errors))
	details := make([]errorDetail, len(ve.Errors))
	for i, pe := range ve.Errors {
		msgs[i] = pe.Property + ": " + pe.Message
		details[i] = errorDetail{Message: pe.Message, Code: pe.Code, In: pe.Property,
			Context: map[string][]string{"field": {pe.Property}}}
	}
	e := errBadRequest("Invalid %s: %s", what, strings.Join(msgs, "; "))
	e.body.Errors = details
	return e
}

// errNameTaken is HubSpot's 409 for a definition whose name is taken.
func errNameTaken(format string, args ...any) *apiError {
	return newAPIError(http.StatusConflict, categoryConflict, format, args...)
}

// checkPropertyBatchSize refuses an empty batch or one over crmstore.MaxBatch.
func checkPropertyBatchSize(n int) error {
	if n == 0 {
		return errBadRequest("inputs is required: give at least one input")
	}
	if n > crmstore.MaxBatch {
		return errBadRequest("inputs: at most %d inputs per batch, got %d", crmstore.MaxBatch, n)
	}
	return nil
}

// propertyBatchRequest resolves the path's object, decodes a batch body
// into body and checks its number of inputs (count, once decoded).
func (s *Server) propertyBatchRequest(r *http.Request, body any, count func() int) (*crmstore.ObjectType, error) {
	o, err := s.pathObjectBody(r, body)
	if err != nil {
		return nil, err
	}
	if err := checkPropertyBatchSize(count()); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Server) handlePropertyList(w http.ResponseWriter, r *http.Request) error {
	o, archived, err := s.pathObjectArchived(r)
	if err != nil {
		return err
	}
	props, err := s.store.Properties(r.Context(), o.Name, archived)
	if err != nil {
		return err
	}
	out := make([]propertyJSON, len(props))
	for i := range props {
		out[i] = renderProperty(o, &props[i])
	}
	writeResults(w, out)
	return nil
}

func (s *Server) handlePropertyGet(w http.ResponseWriter, r *http.Request) error {
	o, archived, err := s.pathObjectArchived(r)
	if err != nil {
		return err
	}
	p, err := s.store.Property(r.Context(), o.Name, r.PathValue("propertyName"), archived)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderProperty(o, p))
	return nil
}

// createProperty creates one property; a name a live property has is a 409.
func (s *Server) createProperty(r *http.Request, o *crmstore.ObjectType, in crmstore.PropertyInput) (*crmstore.Property, error) {
	if in.Name != "" {
		if old, err := s.store.Property(r.Context(), o.Name, in.Name, false); err == nil && old != nil {
			return nil, errNameTaken("Property named %q already exists on %s.", in.Name, o.Name)
		}
	}
	p, err := s.store.CreateProperty(r.Context(), o.Name, in)
	if err != nil {
		return nil, definitionError("property definition", err)
	}
	return p, nil
}

func (s *Server) handlePropertyCreate(w http.ResponseWriter, r *http.Request) error {
	var body propertyCreateBody
	o, err := s.pathObjectBody(r, &body)
	if err != nil {
		return err
	}
	p, err := s.createProperty(r, o, body.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, renderProperty(o, p))
	return nil
}

func (s *Server) handlePropertyUpdate(w http.ResponseWriter, r *http.Request) error {
	var in crmstore.PropertyUpdate
	o, err := s.pathObjectBody(r, &in)
	if err != nil {
		return err
	}
	p, err := s.store.UpdateProperty(r.Context(), o.Name, r.PathValue("propertyName"), in)
	if err != nil {
		return definitionError("property update", err)
	}
	writeJSON(w, http.StatusOK, renderProperty(o, p))
	return nil
}

func (s *Server) handlePropertyArchive(w http.ResponseWriter, r *http.Request) error {
	o, err := s.pathObject(r)
	if err != nil {
		return err
	}
	return noContentUnless(w, s.store.ArchiveProperty(r.Context(), o.Name, r.PathValue("propertyName")))
}

func (s *Server) handlePropertyBatchRead(w http.ResponseWriter, r *http.Request) error {
	started := s.opts.Now()
	var body struct {
		Archived bool                `json:"archived"`
		Inputs   []propertyNameInput `json:"inputs"`
	}
	o, err := s.propertyBatchRequest(r, &body, func() int { return len(body.Inputs) })
	if err != nil {
		return err
	}
	results := []propertyJSON{}
	var errs []propertyBatchError
	var missing []string
	seen := map[string]bool{}
	for _, in := range body.Inputs {
		if seen[in.Name] {
			continue
		}
		seen[in.Name] = true
		p, err := s.store.Property(r.Context(), o.Name, in.Name, body.Archived)
		if errors.Is(err, crmstore.ErrNotFound) {
			missing = append(missing, in.Name)
			continue
		}
		if err != nil {
			return err
		}
		results = append(results, renderProperty(o, p))
	}
	if len(missing) > 0 {
		errs = append(errs, newPropertyBatchError(errNotFound("Could not get some %s properties, they may be archived or not exist: %s",
			o.Name, strings.Join(missing, ", ")), "name", missing...))
	}
	writeBatchReply(w, http.StatusOK, started, s.opts.Now(), results, errs)
	return nil
}

func (s *Server) handlePropertyBatchCreate(w http.ResponseWriter, r *http.Request) error {
	started := s.opts.Now()
	var body struct {
		Inputs []propertyCreateBody `json:"inputs"`
	}
	o, err := s.propertyBatchRequest(r, &body, func() int { return len(body.Inputs) })
	if err != nil {
		return err
	}
	results := []propertyJSON{}
	var errs []propertyBatchError
	for _, b := range body.Inputs {
		in := b.input()
		p, err := s.createProperty(r, o, in)
		if err != nil {
			if ae := toAPIError(err); ae.status >= 500 {
				return err
			}
			errs = append(errs, newPropertyBatchError(err, "name", in.Name))
			continue
		}
		results = append(results, renderProperty(o, p))
	}
	writeBatchReply(w, http.StatusCreated, started, s.opts.Now(), results, errs)
	return nil
}

// handlePropertyBatchArchive archives the named properties. Names that are
// not (or no longer) live properties are skipped, as archiving is
// idempotent; a property that cannot be archived refuses the whole batch
// before anything is archived.
func (s *Server) handlePropertyBatchArchive(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Inputs []propertyNameInput `json:"inputs"`
	}
	o, err := s.propertyBatchRequest(r, &body, func() int { return len(body.Inputs) })
	if err != nil {
		return err
	}
	var names []string
	for _, in := range body.Inputs {
		p, err := s.store.Property(r.Context(), o.Name, in.Name, false)
		if errors.Is(err, crmstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if p.HubspotDefined {
			return errBadRequest("property %q of %s is HubSpot-defined and cannot be archived; nothing was archived", p.Name, o.Name)
		}
		if schemaUsesProperty(o, p.Name) {
			return errBadRequest("property %q is used by the schema of %s; change the schema first; nothing was archived", p.Name, o.Name)
		}
		if !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	for _, name := range names {
		if err := s.store.ArchiveProperty(r.Context(), o.Name, name); err != nil && !errors.Is(err, crmstore.ErrNotFound) {
			return err
		}
	}
	noContent(w)
	return nil
}

// ---------------------------------------------------------------------------
// Groups (PropertyGroup's JSON is the store's: name, label, displayOrder,
// archived).

func (s *Server) handlePropertyGroupList(w http.ResponseWriter, r *http.Request) error {
	o, archived, err := s.pathObjectArchived(r)
	if err != nil {
		return err
	}
	groups, err := s.store.PropertyGroups(r.Context(), o.Name, archived)
	if err != nil {
		return err
	}
	writeResults(w, groups)
	return nil
}

func (s *Server) handlePropertyGroupGet(w http.ResponseWriter, r *http.Request) error {
	o, err := s.pathObject(r)
	if err != nil {
		return err
	}
	g, err := s.store.PropertyGroup(r.Context(), o.Name, r.PathValue("groupName"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) handlePropertyGroupCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name         string `json:"name"`
		Label        string `json:"label"`
		DisplayOrder *int   `json:"displayOrder"`
	}
	o, err := s.pathObjectBody(r, &body)
	if err != nil {
		return err
	}
	g := crmstore.PropertyGroup{Name: body.Name, Label: body.Label, DisplayOrder: -1}
	if body.DisplayOrder != nil {
		g.DisplayOrder = *body.DisplayOrder
	}
	if g.Name != "" {
		if _, err := s.store.PropertyGroup(r.Context(), o.Name, g.Name); err == nil {
			return errNameTaken("Property group named %q already exists on %s.", g.Name, o.Name)
		}
	}
	created, err := s.store.CreatePropertyGroup(r.Context(), o.Name, g)
	if err != nil {
		return definitionError("property group", err)
	}
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) handlePropertyGroupUpdate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Label        *string `json:"label"`
		DisplayOrder *int    `json:"displayOrder"`
	}
	o, err := s.pathObjectBody(r, &body)
	if err != nil {
		return err
	}
	g, err := s.store.UpdatePropertyGroup(r.Context(), o.Name, r.PathValue("groupName"), body.Label, body.DisplayOrder)
	if err != nil {
		return definitionError("property group update", err)
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) handlePropertyGroupArchive(w http.ResponseWriter, r *http.Request) error {
	o, err := s.pathObject(r)
	if err != nil {
		return err
	}
	return noContentUnless(w, s.store.ArchivePropertyGroup(r.Context(), o.Name, r.PathValue("groupName")))
}
