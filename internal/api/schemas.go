package api

// HubSpot's custom object schemas API, served under both
// /crm/v3/schemas (the docs) and /crm-object-schemas/v3/schemas (the Node
// SDK).

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// portalPrefix is the prefix of HubSpot's fully qualified object names,
// "p<portalId>_<name>"; Tandem is portal 0.
const portalPrefix = "p0_"

func (s *Server) routesSchemas() {
	for _, base := range []string{"/crm/v3/schemas", "/crm-object-schemas/v3/schemas"} {
		s.handle("GET "+base, s.handleSchemaList)
		s.handle("POST "+base, s.handleSchemaCreate)
		s.handle("GET "+base+"/{objectType}", s.handleSchemaGet)
		s.handle("PATCH "+base+"/{objectType}", s.handleSchemaUpdate)
		s.handle("DELETE "+base+"/{objectType}", s.handleSchemaArchive)
		s.handle("POST "+base+"/{objectType}/associations", s.handleSchemaAssociationCreate)
	}
}

// lookupObject resolves an object named in a path: a name, a type id
// ("2-1"), "p_<name>", or the fully qualified "p0_<name>" HubSpot returns,
// which is tried without its prefix only when the store does not know it
// as given. Archived objects are not found.
func (s *Server) lookupObject(ctx context.Context, ref string) (*crmstore.ObjectType, error) {
	o, err := s.store.Schema(ctx, ref)
	if err == nil {
		return o, nil
	}
	if errors.Is(err, crmstore.ErrNotFound) && len(ref) > len(portalPrefix) && strings.EqualFold(ref[:len(portalPrefix)], portalPrefix) {
		if o, err2 := s.store.Schema(ctx, ref[len(portalPrefix):]); err2 == nil {
			return o, nil
		}
	}
	return nil, err
}

// legacyObjectNames are the singular upper-case object names HubSpot's
// schema docs use in associatedObjects ("CONTACT").
var legacyObjectNames = map[string]string{
	"CONTACT": "contacts", "COMPANY": "companies", "DEAL": "deals", "TICKET": "tickets", "PRODUCT": "products",
	"LINE_ITEM": "line_items", "TASK": "tasks", "NOTE": "notes", "MEETING": "meetings", "CALL": "calls", "EMAIL": "emails",
}

// associatedObject resolves an object a schema is associated with: as
// lookupObject does, or by its legacy singular name ("CONTACT").
func (s *Server) associatedObject(ctx context.Context, ref string) (*crmstore.ObjectType, error) {
	o, err := s.lookupObject(ctx, ref)
	if errors.Is(err, crmstore.ErrNotFound) {
		if name, ok := legacyObjectNames[strings.ToUpper(strings.TrimSpace(ref))]; ok {
			return s.lookupObject(ctx, name)
		}
	}
	return o, err
}

// objectTypeDefinitionJSON is HubSpot's ObjectTypeDefinition (the PATCH
// answer): a schema without its properties and associations.
type objectTypeDefinitionJSON struct {
	ID                         string                `json:"id"`
	ObjectTypeID               string                `json:"objectTypeId"`
	Name                       string                `json:"name"`
	FullyQualifiedName         string                `json:"fullyQualifiedName"`
	Labels                     crmstore.SchemaLabels `json:"labels"`
	Description                string                `json:"description,omitempty"`
	RequiredProperties         []string              `json:"requiredProperties"`
	SearchableProperties       []string              `json:"searchableProperties"`
	PrimaryDisplayProperty     string                `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string              `json:"secondaryDisplayProperties"`
	CreatedAt                  string                `json:"createdAt"`
	UpdatedAt                  string                `json:"updatedAt"`
	Archived                   bool                  `json:"archived"`
}

// schemaJSON is HubSpot's ObjectSchema.
type schemaJSON struct {
	objectTypeDefinitionJSON
	Properties   []propertyJSON          `json:"properties"`
	Associations []schemaAssociationJSON `json:"associations"`
}

// schemaAssociationJSON is HubSpot's AssociationDefinition. The store
// keeps no timestamps for association types, so createdAt and updatedAt
// are left out.
type schemaAssociationJSON struct {
	ID               string `json:"id"`
	FromObjectTypeID string `json:"fromObjectTypeId"`
	ToObjectTypeID   string `json:"toObjectTypeId"`
	Name             string `json:"name"`
}

// renderObjectTypeDefinition shapes an object's definition.
func renderObjectTypeDefinition(o *crmstore.ObjectType) objectTypeDefinitionJSON {
	id := o.TypeID
	if _, n, ok := strings.Cut(o.TypeID, "-"); ok {
		id = n
	}
	fqn := o.Name
	if o.Custom {
		fqn = portalPrefix + o.Name
	}
	nonNil := func(v []string) []string {
		if v == nil {
			return []string{}
		}
		return v
	}
	return objectTypeDefinitionJSON{
		ID: id, ObjectTypeID: o.TypeID, Name: o.Name, FullyQualifiedName: fqn,
		Labels:      crmstore.SchemaLabels{Singular: o.SingularLabel, Plural: o.PluralLabel},
		Description: o.Description, RequiredProperties: nonNil(o.RequiredProperties),
		SearchableProperties: nonNil(o.SearchableProperties), PrimaryDisplayProperty: o.PrimaryDisplayProperty,
		SecondaryDisplayProperties: nonNil(o.SecondaryDisplayProperties),
		CreatedAt:                  crmstore.FormatTime(o.CreatedAt), UpdatedAt: crmstore.FormatTime(o.UpdatedAt),
		Archived: o.Archived,
	}
}

// renderSchema shapes a whole schema: definition, live properties and the
// unlabeled association types from the object. An archived object has
// neither properties nor associations the store can list.
func (s *Server) renderSchema(ctx context.Context, o *crmstore.ObjectType) (schemaJSON, error) {
	out := schemaJSON{objectTypeDefinitionJSON: renderObjectTypeDefinition(o),
		Properties: []propertyJSON{}, Associations: []schemaAssociationJSON{}}
	if o.Archived {
		return out, nil
	}
	props, err := s.store.Properties(ctx, o.TypeID, false)
	if err != nil {
		return out, err
	}
	for i := range props {
		out.Properties = append(out.Properties, renderProperty(o, &props[i]))
	}
	for _, other := range s.store.ObjectTypes() {
		types, err := s.store.AssociationTypes(ctx, o.TypeID, other.TypeID)
		if errors.Is(err, crmstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return out, err
		}
		for _, t := range types {
			if t.Label == "" {
				out.Associations = append(out.Associations, renderSchemaAssociation(t))
			}
		}
	}
	return out, nil
}

func renderSchemaAssociation(t crmstore.AssociationType) schemaAssociationJSON {
	return schemaAssociationJSON{ID: strconv.FormatInt(t.TypeID, 10), FromObjectTypeID: t.FromObjectTypeID,
		ToObjectTypeID: t.ToObjectTypeID, Name: t.Name}
}

func (s *Server) handleSchemaList(w http.ResponseWriter, r *http.Request) error {
	archived, err := boolParam(r, "archived")
	if err != nil {
		return err
	}
	objects, err := s.store.Schemas(r.Context(), archived)
	if err != nil {
		return err
	}
	out := make([]schemaJSON, 0, len(objects))
	for i := range objects {
		sch, err := s.renderSchema(r.Context(), &objects[i])
		if err != nil {
			return err
		}
		out = append(out, sch)
	}
	writeResults(w, out)
	return nil
}

// archivedSchema finds an archived custom object by name, type id,
// "p_<name>" or "p0_<name>".
func (s *Server) archivedSchema(ctx context.Context, ref string) (*crmstore.ObjectType, error) {
	objects, err := s.store.Schemas(ctx, true)
	if err != nil {
		return nil, err
	}
	ref = strings.ToLower(strings.TrimSpace(ref))
	for i := range objects {
		o := &objects[i]
		name := strings.ToLower(o.Name)
		if ref == name || ref == o.TypeID || ref == "p_"+name || ref == portalPrefix+name {
			return o, nil
		}
	}
	return nil, nil
}

func (s *Server) handleSchemaGet(w http.ResponseWriter, r *http.Request) error {
	archived, err := boolParam(r, "archived")
	if err != nil {
		return err
	}
	ref := r.PathValue("objectType")
	o, err := s.lookupObject(r.Context(), ref)
	if err != nil && archived && errors.Is(err, crmstore.ErrNotFound) {
		if a, aerr := s.archivedSchema(r.Context(), ref); aerr != nil {
			return aerr
		} else if a != nil {
			o, err = a, nil
		}
	}
	if err != nil {
		return err
	}
	out, err := s.renderSchema(r.Context(), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleSchemaCreate(w http.ResponseWriter, r *http.Request) error {
	var in crmstore.SchemaInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if name := strings.TrimSpace(in.Name); name != "" {
		taken, err := s.archivedSchema(r.Context(), name)
		if err != nil {
			return err
		}
		if _, lerr := s.store.Schema(r.Context(), name); lerr == nil || taken != nil {
			return errNameTaken("Object type with name %q already exists.", name)
		}
	}
	for i, ref := range in.AssociatedObjects {
		if o, err := s.associatedObject(r.Context(), ref); err == nil {
			in.AssociatedObjects[i] = o.TypeID
		}
	}
	o, err := s.store.CreateSchema(r.Context(), in)
	if err != nil {
		return definitionError("object schema", err)
	}
	out, err := s.renderSchema(r.Context(), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleSchemaUpdate(w http.ResponseWriter, r *http.Request) error {
	var in crmstore.SchemaUpdate
	o, err := s.pathObjectBody(r, &in)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateSchema(r.Context(), o.TypeID, in)
	if err != nil {
		return definitionError("object schema update", err)
	}
	writeJSON(w, http.StatusOK, renderObjectTypeDefinition(updated))
	return nil
}

func (s *Server) handleSchemaArchive(w http.ResponseWriter, r *http.Request) error {
	hard, err := boolParam(r, "archived")
	if err != nil {
		return err
	}
	if hard {
		return errBadRequest("archived=true (permanently deleting a schema) is not supported; " +
			"DELETE without archived=true archives the schema, which keeps its name taken")
	}
	o, err := s.pathObject(r)
	if err != nil {
		return err
	}
	return noContentUnless(w, s.store.ArchiveSchema(r.Context(), o.TypeID))
}

func (s *Server) handleSchemaAssociationCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		FromObjectTypeID string `json:"fromObjectTypeId"`
		ToObjectTypeID   string `json:"toObjectTypeId"`
		Name             string `json:"name"`
	}
	o, err := s.pathObjectBody(r, &body)
	if err != nil {
		return err
	}
	if f := strings.TrimSpace(body.FromObjectTypeID); f != "" {
		from, err := s.lookupObject(r.Context(), f)
		if errors.Is(err, crmstore.ErrNotFound) {
			return errBadRequest("fromObjectTypeId: object %q does not exist", f)
		}
		if err != nil {
			return err
		}
		if from.TypeID != o.TypeID {
			return errBadRequest("fromObjectTypeId %q must be the schema's own object type %s", f, o.TypeID)
		}
	}
	toRef := strings.TrimSpace(body.ToObjectTypeID)
	if toRef == "" {
		return errBadRequest("toObjectTypeId is required")
	}
	to, err := s.associatedObject(r.Context(), toRef)
	if errors.Is(err, crmstore.ErrNotFound) {
		return errBadRequest("toObjectTypeId: object %q does not exist", toRef)
	}
	if err != nil {
		return err
	}
	id, err := s.store.AddSchemaAssociation(r.Context(), o.TypeID, to.TypeID)
	if err != nil {
		return err
	}
	out := schemaAssociationJSON{ID: strconv.FormatInt(id, 10), FromObjectTypeID: o.TypeID, ToObjectTypeID: to.TypeID}
	types, err := s.store.AssociationTypes(r.Context(), o.TypeID, to.TypeID)
	if err != nil {
		return err
	}
	for _, t := range types {
		if t.TypeID == id {
			out = renderSchemaAssociation(t)
		}
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
