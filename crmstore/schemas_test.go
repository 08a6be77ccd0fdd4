package crmstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"testing"
)

func carsSchema() SchemaInput {
	return SchemaInput{
		Name:        "cars",
		Labels:      SchemaLabels{Singular: "Car", Plural: "Cars"},
		Description: "Vehicles",
		Properties: []PropertyInput{
			{Name: "model", Label: "Model", Type: TypeString, FieldType: "text"},
			{Name: "vin", Label: "VIN", Type: TypeString, FieldType: "text", HasUniqueValue: true},
			{Name: "color", Label: "Color", Type: TypeEnumeration, FieldType: "select", Options: propOpts("red", "blue")},
			{Name: "year", Label: "Year", GroupName: "cars_information", Type: TypeNumber, FieldType: "number"},
		},
		RequiredProperties:         []string{"model"},
		SearchableProperties:       []string{"model", "vin"},
		SecondaryDisplayProperties: []string{"color"},
		AssociatedObjects:          []string{"contacts", "0-2"},
	}
}

func schemaMustCreate(t *testing.T, s *Store, in SchemaInput) *ObjectType {
	t.Helper()
	o, err := s.CreateSchema(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateSchema(%s): %v", in.Name, err)
	}
	return o
}

// schemaAssocRow is a row of association_types as the tests read it.
type schemaAssocRow struct {
	TypeID    int64          `db:"type_id"`
	From      string         `db:"from_name"`
	To        string         `db:"to_name"`
	Category  string         `db:"category"`
	Name      string         `db:"name"`
	Label     sql.NullString `db:"label"`
	InverseID int64          `db:"inverse_id"`
	Archived  bool           `db:"archived"`
}

func schemaAssocTypes(t *testing.T, s *Store, object string) []schemaAssocRow {
	t.Helper()
	var rows []schemaAssocRow
	if err := s.r.SelectContext(context.Background(), &rows, `SELECT a.type_id, f.name AS from_name, o.name AS to_name,
		a.category, a.name, a.label, a.inverse_id, a.archived_at IS NOT NULL AS archived
		FROM association_types a JOIN object_types f ON f.oid = a.from_oid JOIN object_types o ON o.oid = a.to_oid
		WHERE f.name = ? OR o.name = ? ORDER BY a.type_id`, object, object); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCreateSchemaAddressableWithProperties(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	o := schemaMustCreate(t, s, carsSchema())
	if o.TypeID != "2-1" || o.Name != "cars" || !o.Custom || o.Archived || o.SingularLabel != "Car" || o.PluralLabel != "Cars" ||
		o.Description != "Vehicles" || o.PrimaryDisplayProperty != "model" {
		t.Fatalf("created = %+v", o)
	}
	if !slices.Equal(o.RequiredProperties, []string{"model"}) || !slices.Equal(o.SearchableProperties, []string{"model", "vin"}) ||
		!slices.Equal(o.SecondaryDisplayProperties, []string{"color"}) {
		t.Errorf("lists = %v %v %v", o.RequiredProperties, o.SearchableProperties, o.SecondaryDisplayProperties)
	}
	for _, ref := range []string{"cars", "2-1", "p_cars", "CARS"} {
		got, err := s.Schema(ctx, ref)
		if err != nil || got.TypeID != "2-1" {
			t.Errorf("Schema(%q) = %+v, %v", ref, got, err)
		}
	}
	if got, err := s.Schema(ctx, "contacts"); err != nil || got.TypeID != "0-1" || got.Custom {
		t.Errorf("Schema(contacts) = %+v, %v", got, err)
	}
	if _, err := s.Schema(ctx, "2-2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Schema(2-2): %v", err)
	}
	all := s.ObjectTypes()
	if last := all[len(all)-1]; last.Name != "cars" || all[0].Custom {
		t.Errorf("ObjectTypes order: first %s, last %s", all[0].Name, last.Name)
	}
	schemas, err := s.Schemas(ctx, false)
	if err != nil || len(schemas) != 1 || schemas[0].Name != "cars" {
		t.Errorf("Schemas = %v, %v", schemas, err)
	}

	groups, err := s.PropertyGroups(ctx, "p_cars", false)
	if err != nil || len(groups) != 1 || groups[0].Name != "cars_information" || groups[0].Label != "Car information" {
		t.Errorf("groups = %+v, %v", groups, err)
	}
	props, err := s.Properties(ctx, "2-1", false)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Property{}
	for _, p := range props {
		byName[p.Name] = p
		if p.GroupName != "cars_information" {
			t.Errorf("%s in group %q", p.Name, p.GroupName)
		}
	}
	for _, name := range commonPropertyNames {
		p, ok := byName[name]
		if !ok {
			t.Errorf("system property %s missing", name)
			continue
		}
		if !p.HubspotDefined {
			t.Errorf("system property %s not HubSpot-defined", name)
		}
	}
	if byName["hubspot_owner_id"].ReferencedObjectType != "OWNER" || !byName["hs_object_id"].ReadOnlyValue {
		t.Errorf("system properties not copied: %+v", byName["hubspot_owner_id"])
	}
	if p := byName["vin"]; !p.HasUniqueValue || p.HubspotDefined {
		t.Errorf("vin = %+v", p)
	}
	if len(props) != len(commonPropertyNames)+4 {
		t.Errorf("%d properties, want %d", len(props), len(commonPropertyNames)+4)
	}

	// Records: required model, unique vin, readable through every reference.
	_, err = s.CreateRecord(ctx, "cars", map[string]string{"color": "red"}, Source{Type: SourceAPI})
	if got := propErrFields(t, err); got["model"] != CodeRequired {
		t.Errorf("missing model: %v", got)
	}
	r := mustCreate(t, s, "p_cars", map[string]string{"model": "T", "vin": "V1", "color": "Red"})
	if r.ObjectTypeID != "2-1" || r.Properties["color"] != "red" || r.Properties["hs_object_source"] != SourceAPI {
		t.Errorf("record = %+v", r)
	}
	got, err := s.GetRecord(ctx, "2-1", strconv.FormatInt(r.ID, 10), GetOptions{})
	if err != nil || got.Properties["model"] != "T" {
		t.Errorf("GetRecord = %+v, %v", got, err)
	}
	_, err = s.CreateRecord(ctx, "cars", map[string]string{"model": "S", "vin": "V1"}, Source{Type: SourceAPI})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Property != "vin" || ce.ExistingID != r.ID {
		t.Errorf("duplicate vin: %v", err)
	}

	// CreateProperty works on the new object.
	propMustCreate(t, s, "cars", PropertyInput{Name: "doors", Label: "Doors", GroupName: "cars_information", Type: TypeNumber, FieldType: "number"})

	// The name is taken, whatever the case of the request.
	_, err = s.CreateSchema(ctx, carsSchema())
	propWantInvalid(t, err, "already exists")
	in := carsSchema()
	in.Name = "contacts"
	_, err = s.CreateSchema(ctx, in)
	propWantInvalid(t, err, "already exists")

	// The next custom object gets the next id.
	next := schemaMustCreate(t, s, SchemaInput{Name: "boats", Labels: SchemaLabels{Singular: "Boat", Plural: "Boats"}})
	if next.TypeID != "2-2" || next.PrimaryDisplayProperty != "hs_object_id" {
		t.Errorf("second schema = %+v", next)
	}
}

func TestCreateSchemaAssociationTypes(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	schemaMustCreate(t, s, carsSchema())
	rows := schemaAssocTypes(t, s, "cars")
	if len(rows) != 4 {
		t.Fatalf("association types of cars = %+v", rows)
	}
	byID := map[int64]schemaAssocRow{}
	pairs := map[string]schemaAssocRow{}
	for _, r := range rows {
		byID[r.TypeID] = r
		pairs[r.From+">"+r.To] = r
		if r.Category != "USER_DEFINED" || r.Label.Valid || r.TypeID < 1000 || r.Archived {
			t.Errorf("type %+v", r)
		}
	}
	for _, want := range []struct{ pair, name string }{
		{"cars>contacts", "car_to_contact"}, {"contacts>cars", "contact_to_car"},
		{"cars>companies", "car_to_company"}, {"companies>cars", "company_to_car"},
	} {
		r, ok := pairs[want.pair]
		if !ok {
			t.Errorf("no type %s", want.pair)
			continue
		}
		if r.Name != want.name {
			t.Errorf("%s name = %q, want %q", want.pair, r.Name, want.name)
		}
		inv := byID[r.InverseID]
		if inv.InverseID != r.TypeID || inv.From != r.To || inv.To != r.From {
			t.Errorf("%s inverse = %+v", want.pair, inv)
		}
	}

	// AddSchemaAssociation: existing pair → its id; new pair → created once.
	id, err := s.AddSchemaAssociation(ctx, "cars", "contacts")
	if err != nil || id != pairs["cars>contacts"].TypeID {
		t.Errorf("existing pair = %d, %v; want %d", id, err, pairs["cars>contacts"].TypeID)
	}
	id, err = s.AddSchemaAssociation(ctx, "2-1", "deals")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.AddSchemaAssociation(ctx, "p_cars", "0-3")
	if err != nil || again != id {
		t.Errorf("second add = %d, %v; want %d", again, err, id)
	}
	self, err := s.AddSchemaAssociation(ctx, "cars", "cars")
	if err != nil {
		t.Fatal(err)
	}
	rows = schemaAssocTypes(t, s, "cars")
	if len(rows) != 7 {
		t.Errorf("types after adds = %+v", rows)
	}
	for _, r := range rows {
		if r.TypeID == self && (r.InverseID != self || r.Name != "car_to_car") {
			t.Errorf("self type = %+v", r)
		}
	}
	_, err = s.AddSchemaAssociation(ctx, "contacts", "cars")
	propWantInvalid(t, err, "built-in")
	if _, err := s.AddSchemaAssociation(ctx, "cars", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown target: %v", err)
	}

	// A schema with an unknown associated object is refused as a whole.
	in := SchemaInput{Name: "boats", Labels: SchemaLabels{Singular: "Boat", Plural: "Boats"}, AssociatedObjects: []string{"nosuch"}}
	_, err = s.CreateSchema(ctx, in)
	propWantInvalid(t, err, `"nosuch"`)
	if _, err := s.Schema(ctx, "boats"); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused schema exists: %v", err)
	}
}

func TestCreateSchemaInvalid(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	_, err := s.CreateSchema(ctx, SchemaInput{
		Name:   "Bad Name",
		Labels: SchemaLabels{Singular: " "},
		Properties: []PropertyInput{
			{Name: "model", Label: "Model", Type: TypeString, FieldType: "select"},
			{Name: "model", Label: "Model again", Type: TypeString, FieldType: "text"},
			{Name: "hs_thing", Label: "Thing", Type: TypeString, FieldType: "text"},
			{Name: "owner", Label: "Owner", GroupName: "elsewhere", Type: TypeString, FieldType: "text"},
			{Name: "createdate", Label: "Clash", Type: TypeString, FieldType: "text"},
			{Name: "kind", Label: "", Type: TypeEnumeration, FieldType: "radio"},
		},
	})
	got := propErrFields(t, err)
	want := map[string]string{
		"name":                    CodeInvalidName,
		"labels.singular":         CodeMissingField,
		"labels.plural":           CodeMissingField,
		"properties[0].fieldType": CodeInvalidFieldType,
		"properties[1].name":      CodeDuplicateName,
		"properties[2].name":      CodeReservedName,
		"properties[3].groupName": CodeGroupNotFound,
		"properties[4].name":      CodeDuplicateName,
		"properties[5].label":     CodeMissingField,
		"properties[5].options":   CodeInvalidOptions,
	}
	for f, code := range want {
		if got[f] != code {
			t.Errorf("field %s: code %q, want %q", f, got[f], code)
		}
	}
	if len(got) != len(want) {
		t.Errorf("errors = %v", got)
	}

	in := SchemaInput{Name: "p_cars", Labels: SchemaLabels{Singular: "Car", Plural: "Cars"}}
	if got := propErrFields(t, schemaErr(s.CreateSchema(ctx, in))); got["name"] != CodeReservedName {
		t.Errorf("p_ name: %v", got)
	}
	in = carsSchema()
	in.RequiredProperties = []string{"model", "wheels"}
	propWantInvalid(t, schemaErr(s.CreateSchema(ctx, in)), `"wheels"`)
	in = carsSchema()
	in.PrimaryDisplayProperty = "nope"
	propWantInvalid(t, schemaErr(s.CreateSchema(ctx, in)), "primaryDisplayProperty")
	in = carsSchema()
	in.SearchableProperties = []string{"hs_object_id", "nope2"}
	propWantInvalid(t, schemaErr(s.CreateSchema(ctx, in)), `"nope2"`)

	// Eleven unique properties in one schema.
	in = SchemaInput{Name: "many", Labels: SchemaLabels{Singular: "M", Plural: "Ms"}}
	for i := range MaxUniqueProperties + 1 {
		in.Properties = append(in.Properties, PropertyInput{Name: "u" + strconv.Itoa(i), Label: "U", Type: TypeString, FieldType: "text", HasUniqueValue: true})
	}
	if got := propErrFields(t, schemaErr(s.CreateSchema(ctx, in))); got["properties[10].hasUniqueValue"] != CodeTooManyUnique || len(got) != 1 {
		t.Errorf("eleven unique: %v", got)
	}

	// Nothing was created, and no type id was spent.
	if schemas, _ := s.Schemas(ctx, false); len(schemas) != 0 {
		t.Errorf("schemas after refusals = %v", schemas)
	}
	if o := schemaMustCreate(t, s, carsSchema()); o.TypeID != "2-1" {
		t.Errorf("first accepted schema = %s", o.TypeID)
	}
}

func schemaErr(_ *ObjectType, err error) error { return err }

func TestUpdateAndArchiveSchema(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	schemaMustCreate(t, s, carsSchema())
	desc := "Motor vehicles"
	req := []string{"model", "year"}
	primary := "vin"
	o, err := s.UpdateSchema(ctx, "p_cars", SchemaUpdate{
		Labels: &SchemaLabels{Plural: "Automobiles"}, Description: &desc, RequiredProperties: &req, PrimaryDisplayProperty: &primary,
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.SingularLabel != "Car" || o.PluralLabel != "Automobiles" || o.Description != desc || o.PrimaryDisplayProperty != "vin" ||
		!slices.Equal(o.RequiredProperties, req) || !slices.Equal(o.SearchableProperties, []string{"model", "vin"}) {
		t.Errorf("updated = %+v", o)
	}
	_, err = s.CreateRecord(ctx, "cars", map[string]string{"model": "T"}, Source{Type: SourceAPI})
	if got := propErrFields(t, err); got["year"] != CodeRequired {
		t.Errorf("new required property: %v", got)
	}
	bad := []string{"nope"}
	_, err = s.UpdateSchema(ctx, "cars", SchemaUpdate{SearchableProperties: &bad})
	propWantInvalid(t, err, `"nope"`)
	_, err = s.UpdateSchema(ctx, "contacts", SchemaUpdate{Description: &desc})
	propWantInvalid(t, err, "built-in")
	if _, err := s.UpdateSchema(ctx, "nosuch", SchemaUpdate{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	// A property the schema refers to cannot be archived.
	propWantInvalid(t, s.ArchiveProperty(ctx, "cars", "year"), "requiredProperties")
	propWantInvalid(t, s.ArchiveProperty(ctx, "cars", "color"), "secondaryDisplayProperties")

	r := mustCreate(t, s, "cars", map[string]string{"model": "T", "year": "2020"})
	propWantInvalid(t, s.ArchiveSchema(ctx, "cars"), "1 live records")
	propWantInvalid(t, s.ArchiveSchema(ctx, "contacts"), "built-in")
	if err := s.ArchiveRecord(ctx, "cars", r.ID, Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveSchema(ctx, "2-1"); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"cars", "2-1", "p_cars"} {
		if _, err := s.Schema(ctx, ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("Schema(%s) after archive: %v", ref, err)
		}
	}
	if live, _ := s.Schemas(ctx, false); len(live) != 0 {
		t.Errorf("live schemas = %v", live)
	}
	archived, _ := s.Schemas(ctx, true)
	if len(archived) != 1 || !archived[0].Archived || archived[0].Name != "cars" {
		t.Errorf("archived schemas = %+v", archived)
	}
	for _, ot := range s.ObjectTypes() {
		if ot.Name == "cars" {
			t.Error("archived object in ObjectTypes")
		}
	}
	for _, a := range schemaAssocTypes(t, s, "cars") {
		if !a.Archived {
			t.Errorf("association type %d of archived object is live", a.TypeID)
		}
	}
	if _, err := s.CreateRecord(ctx, "cars", map[string]string{"model": "T"}, Source{Type: SourceAPI}); !errors.Is(err, ErrNotFound) {
		t.Errorf("record of archived object: %v", err)
	}
	_, err = s.CreateSchema(ctx, carsSchema())
	propWantInvalid(t, err, "already exists")
	if err := s.ArchiveSchema(ctx, "cars"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second archive: %v", err)
	}
}
