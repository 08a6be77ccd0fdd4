package crmstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// catalog is an immutable in-memory snapshot of the catalogue (objects,
// properties, groups, pipeline stages). Writes that change the catalogue
// publish a new snapshot on commit, so record reads and writes never query
// definitions.
type catalog struct {
	objects  []*ObjectType
	byRef    map[string]*ObjectType // lower-cased name, type id, p_name
	byOID    map[int64]*ObjectType
	props    map[int64]map[string]*Property // object oid → name → property (archived too)
	propByID map[int64]*Property
	groups   map[int64][]PropertyGroup
	unique   map[int64][]*Property // live unique properties per object
	stages   map[int64]map[string]*stageRef
}

// stageRef places a pipeline stage.
type stageRef struct {
	PipelineID string
	Metadata   map[string]string
	Archived   bool
}

// queryer is what catalogue loading needs; both *sqlx.DB and *sqlx.Tx have it.
type queryer interface {
	sqlx.QueryerContext
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

type objectRow struct {
	OID        int64  `db:"oid"`
	TypeID     string `db:"type_id"`
	Name       string `db:"name"`
	Singular   string `db:"singular_label"`
	Plural     string `db:"plural_label"`
	Desc       string `db:"description"`
	Primary    string `db:"primary_display_property"`
	Secondary  string `db:"secondary_display_properties"`
	Required   string `db:"required_properties"`
	Searchable string `db:"searchable_properties"`
	Custom     bool   `db:"custom"`
	ArchivedAt *int64 `db:"archived_at"`
	CreatedAt  int64  `db:"created_at"`
	UpdatedAt  int64  `db:"updated_at"`
}

type propertyRow struct {
	ID                   int64  `db:"id"`
	ObjectOID            int64  `db:"object_oid"`
	Name                 string `db:"name"`
	Label                string `db:"label"`
	Description          string `db:"description"`
	GroupName            string `db:"group_name"`
	Type                 string `db:"type"`
	FieldType            string `db:"field_type"`
	Options              string `db:"options"`
	DisplayOrder         int    `db:"display_order"`
	Hidden               bool   `db:"hidden"`
	FormField            bool   `db:"form_field"`
	HasUniqueValue       bool   `db:"has_unique_value"`
	HubspotDefined       bool   `db:"hubspot_defined"`
	Calculated           bool   `db:"calculated"`
	ReadOnlyValue        bool   `db:"read_only_value"`
	ReadOnlyDefinition   bool   `db:"read_only_definition"`
	ExternalOptions      bool   `db:"external_options"`
	ReferencedObjectType string `db:"referenced_object_type"`
	CalculationFormula   string `db:"calculation_formula"`
	ArchivedAt           *int64 `db:"archived_at"`
	CreatedAt            int64  `db:"created_at"`
	UpdatedAt            int64  `db:"updated_at"`
}

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func msTimePtr(ms *int64) *time.Time {
	if ms == nil {
		return nil
	}
	t := msTime(*ms)
	return &t
}

func jsonStrings(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	if out == nil {
		out = []string{}
	}
	return out
}

func (r propertyRow) property() *Property {
	p := &Property{
		id: r.ID, objectOID: r.ObjectOID, Name: r.Name, Label: r.Label, Description: r.Description,
		GroupName: r.GroupName, Type: r.Type, FieldType: r.FieldType, DisplayOrder: r.DisplayOrder,
		Hidden: r.Hidden, FormField: r.FormField, HasUniqueValue: r.HasUniqueValue,
		HubspotDefined: r.HubspotDefined, Calculated: r.Calculated, ReadOnlyValue: r.ReadOnlyValue,
		ReadOnlyDefinition: r.ReadOnlyDefinition, ExternalOptions: r.ExternalOptions,
		ReferencedObjectType: r.ReferencedObjectType, CalculationFormula: r.CalculationFormula,
		Archived: r.ArchivedAt != nil, ArchivedAt: msTimePtr(r.ArchivedAt),
		CreatedAt: msTime(r.CreatedAt), UpdatedAt: msTime(r.UpdatedAt),
	}
	_ = json.Unmarshal([]byte(r.Options), &p.Options)
	if p.Options == nil {
		p.Options = []Option{}
	}
	return p
}

func loadCatalog(ctx context.Context, q queryer) (*catalog, error) {
	c := &catalog{
		byRef: map[string]*ObjectType{}, byOID: map[int64]*ObjectType{},
		props: map[int64]map[string]*Property{}, propByID: map[int64]*Property{},
		groups: map[int64][]PropertyGroup{}, unique: map[int64][]*Property{},
		stages: map[int64]map[string]*stageRef{},
	}
	var objs []objectRow
	if err := q.SelectContext(ctx, &objs, "SELECT * FROM object_types ORDER BY oid"); err != nil {
		return nil, fmt.Errorf("load objects: %w", err)
	}
	for _, r := range objs {
		o := &ObjectType{
			oid: r.OID, TypeID: r.TypeID, Name: r.Name, SingularLabel: r.Singular, PluralLabel: r.Plural,
			Description: r.Desc, PrimaryDisplayProperty: r.Primary,
			SecondaryDisplayProperties: jsonStrings(r.Secondary), RequiredProperties: jsonStrings(r.Required),
			SearchableProperties: jsonStrings(r.Searchable), Custom: r.Custom, Archived: r.ArchivedAt != nil,
			CreatedAt: msTime(r.CreatedAt), UpdatedAt: msTime(r.UpdatedAt),
		}
		c.objects = append(c.objects, o)
		c.byOID[o.oid] = o
		c.props[o.oid] = map[string]*Property{}
		c.stages[o.oid] = map[string]*stageRef{}
		c.byRef[strings.ToLower(o.Name)] = o
		c.byRef[o.TypeID] = o
		if o.Custom {
			c.byRef["p_"+strings.ToLower(o.Name)] = o
		}
	}
	var props []propertyRow
	if err := q.SelectContext(ctx, &props, "SELECT * FROM properties ORDER BY object_oid, display_order, name"); err != nil {
		return nil, fmt.Errorf("load properties: %w", err)
	}
	for _, r := range props {
		p := r.property()
		c.props[p.objectOID][p.Name] = p
		c.propByID[p.id] = p
	}
	for oid, ps := range c.props {
		o := c.byOID[oid]
		for _, p := range ps {
			if !p.Archived && (p.HasUniqueValue || builtinUniqueProperties[o.Name] == p.Name) {
				c.unique[oid] = append(c.unique[oid], p)
			}
		}
		sort.Slice(c.unique[oid], func(i, j int) bool { return c.unique[oid][i].Name < c.unique[oid][j].Name })
	}
	var groups []struct {
		ObjectOID    int64  `db:"object_oid"`
		Name         string `db:"name"`
		Label        string `db:"label"`
		DisplayOrder int    `db:"display_order"`
		ArchivedAt   *int64 `db:"archived_at"`
	}
	if err := q.SelectContext(ctx, &groups, "SELECT object_oid, name, label, display_order, archived_at FROM property_groups ORDER BY object_oid, display_order, name"); err != nil {
		return nil, fmt.Errorf("load property groups: %w", err)
	}
	for _, g := range groups {
		c.groups[g.ObjectOID] = append(c.groups[g.ObjectOID], PropertyGroup{
			Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder, Archived: g.ArchivedAt != nil})
	}
	var stages []struct {
		ObjectOID  int64  `db:"object_oid"`
		ID         string `db:"id"`
		Pipeline   string `db:"pipeline_id"`
		Metadata   string `db:"metadata"`
		ArchivedAt *int64 `db:"archived_at"`
	}
	if err := q.SelectContext(ctx, &stages, `SELECT s.object_oid, s.id, p.id AS pipeline_id, s.metadata, COALESCE(s.archived_at, p.archived_at) AS archived_at
		FROM pipeline_stages s JOIN pipelines p ON p.pid = s.pid`); err != nil {
		return nil, fmt.Errorf("load pipeline stages: %w", err)
	}
	for _, st := range stages {
		ref := &stageRef{PipelineID: st.Pipeline, Archived: st.ArchivedAt != nil}
		_ = json.Unmarshal([]byte(st.Metadata), &ref.Metadata)
		c.stages[st.ObjectOID][st.ID] = ref
	}
	return c, nil
}

// object resolves an object by name, type id ("0-1", "2-7") or "p_name",
// case-insensitively. Archived custom objects are not found.
func (c *catalog) object(ref string) (*ObjectType, error) {
	o := c.byRef[strings.ToLower(strings.TrimSpace(ref))]
	if o == nil || o.Archived {
		return nil, notFound("object", ref)
	}
	return o, nil
}

// property returns a live property of an object.
func (c *catalog) property(o *ObjectType, name string) *Property {
	p := c.props[o.oid][name]
	if p == nil || p.Archived {
		return nil
	}
	return p
}

// pipelineProperties names the pipeline and stage properties of an object.
func pipelineProperties(objectName string) (pipeline, stage string) {
	if objectName == "deals" {
		return "pipeline", "dealstage"
	}
	return "hs_pipeline", "hs_pipeline_stage"
}
