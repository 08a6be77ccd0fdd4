package crmstore

// Custom objects (HubSpot's schemas API). A custom object gets the type id
// "2-<n>", a main property group "<name>_information" holding the common
// system properties every object has, the properties of its schema and
// unlabeled USER_DEFINED association types to its associated objects.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// SchemaLabels are the singular and plural labels of a custom object.
type SchemaLabels struct {
	Singular string `json:"singular"`
	Plural   string `json:"plural"`
}

// SchemaInput defines a custom object (HubSpot's ObjectSchemaEgg).
type SchemaInput struct {
	// Name is the object's immutable name, e.g. "cars"; it is addressable
	// by this name, its type id "2-<n>" and "p_<name>".
	Name        string       `json:"name"`
	Labels      SchemaLabels `json:"labels"`
	Description string       `json:"description"`
	// Properties are the object's own properties; their groupName defaults
	// to "<name>_information", the only group a new object has.
	Properties                 []PropertyInput `json:"properties"`
	RequiredProperties         []string        `json:"requiredProperties"`
	SearchableProperties       []string        `json:"searchableProperties"`
	SecondaryDisplayProperties []string        `json:"secondaryDisplayProperties"`
	// PrimaryDisplayProperty defaults to the first of Properties.
	PrimaryDisplayProperty string `json:"primaryDisplayProperty"`
	// AssociatedObjects are objects (by name or type id) that records of the
	// new object can be associated with.
	AssociatedObjects []string `json:"associatedObjects"`
}

// SchemaUpdate changes a custom object; nil fields are left alone. In
// Labels an empty label keeps the current one.
type SchemaUpdate struct {
	Labels                     *SchemaLabels `json:"labels,omitempty"`
	Description                *string       `json:"description,omitempty"`
	RequiredProperties         *[]string     `json:"requiredProperties,omitempty"`
	SearchableProperties       *[]string     `json:"searchableProperties,omitempty"`
	SecondaryDisplayProperties *[]string     `json:"secondaryDisplayProperties,omitempty"`
	PrimaryDisplayProperty     *string       `json:"primaryDisplayProperty,omitempty"`
}

// customObjectSequence and associationTypeSequence name the counters of
// custom object type ids and user-defined association type ids.
const (
	customObjectSequence    = "custom_object"
	associationTypeSequence = "association_type"
	firstUserAssociationID  = 1000
)

// commonPropertyNames are the system properties every object has, copied
// from the contacts definitions into each custom object.
var commonPropertyNames = []string{
	"hs_object_id", "createdate", "hs_lastmodifieddate", "hubspot_owner_id",
	"hs_object_source", "hs_object_source_label", "hs_object_source_id", "hs_object_source_user_id",
	"hs_created_by_user_id", "hs_updated_by_user_id", "hs_merged_object_ids",
}

// commonProperties returns the common system properties for a custom
// object, in group.
func commonProperties(group string) []Property {
	var contacts *builtinObject
	for i := range builtinObjects {
		if builtinObjects[i].Name == "contacts" {
			contacts = &builtinObjects[i]
		}
	}
	out := make([]Property, 0, len(commonPropertyNames))
	for _, name := range commonPropertyNames {
		for _, bp := range contacts.Properties {
			if bp.Name != name {
				continue
			}
			p := bp
			p.Options = append([]Option{}, bp.Options...)
			p.GroupName = group
			p.HubspotDefined = true
			if p.Name == "hubspot_owner_id" {
				p.Label = "Owner" // "Contact owner" on contacts
			}
			out = append(out, p)
		}
	}
	return out
}

// cloneObject copies a catalogue object so callers cannot change the
// shared snapshot.
func cloneObject(o *ObjectType) ObjectType {
	out := *o
	out.SecondaryDisplayProperties = append([]string{}, o.SecondaryDisplayProperties...)
	out.RequiredProperties = append([]string{}, o.RequiredProperties...)
	out.SearchableProperties = append([]string{}, o.SearchableProperties...)
	return out
}

// ObjectTypes lists every live object, built-in ones first, each group in
// creation order.
func (s *Store) ObjectTypes() []ObjectType {
	c := s.catalog()
	out := make([]ObjectType, 0, len(c.objects))
	for _, o := range c.objects {
		if !o.Archived {
			out = append(out, cloneObject(o))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Custom && out[j].Custom })
	return out
}

// Schemas lists the live custom objects, or only the archived ones when
// archived is true, in creation order.
func (s *Store) Schemas(ctx context.Context, archived bool) ([]ObjectType, error) {
	c := s.catalog()
	out := []ObjectType{}
	for _, o := range c.objects {
		if o.Custom && o.Archived == archived {
			out = append(out, cloneObject(o))
		}
	}
	return out, nil
}

// Schema returns a live object, built-in or custom, by name, type id or
// "p_<name>".
func (s *Store) Schema(ctx context.Context, ref string) (*ObjectType, error) {
	o, err := s.catalog().object(ref)
	if err != nil {
		return nil, err
	}
	out := cloneObject(o)
	return &out, nil
}

// CreateSchema defines a custom object with its properties and association
// types. Problems with the input (name, labels, properties) are reported
// together as a *ValidationError, the fields of a property prefixed with
// its index ("properties[2].fieldType"). A name already used by an object
// (live or archived; checked first), a required, searchable or display property that the object does not
// have, or an unknown associated object is an *InvalidError.
func (s *Store) CreateSchema(ctx context.Context, in SchemaInput) (*ObjectType, error) {
	return updateValue(ctx, s, func(t *tx) (*ObjectType, error) { return t.createSchema(in) })
}

func (t *tx) createSchema(in SchemaInput) (*ObjectType, error) {
	c, err := t.catalog()
	if err != nil {
		return nil, err
	}
	errs := definitionName("name", "object", in.Name)
	if len(errs) == 0 {
		// A name clash makes the rest of the input moot, as HubSpot's 409 does.
		var taken int
		if err := t.GetContext(t.ctx, &taken, "SELECT COUNT(*) FROM object_types WHERE name = ?", in.Name); err != nil {
			return nil, fmt.Errorf("check object name: %w", err)
		}
		if taken > 0 || c.byRef[in.Name] != nil {
			return nil, invalidf("an object named %q already exists", in.Name)
		}
	}
	if strings.HasPrefix(in.Name, "p_") {
		errs = append(errs, PropertyError{Property: "name", Code: CodeReservedName,
			Message: fmt.Sprintf("object name %q is reserved: p_<name> is how objects are addressed", in.Name)})
	}
	singular, plural := strings.TrimSpace(in.Labels.Singular), strings.TrimSpace(in.Labels.Plural)
	if singular == "" {
		errs = append(errs, PropertyError{Property: "labels.singular", Code: CodeMissingField, Message: "the singular label is required"})
	}
	if plural == "" {
		errs = append(errs, PropertyError{Property: "labels.plural", Code: CodeMissingField, Message: "the plural label is required"})
	}
	group := in.Name + "_information"
	system := commonProperties(group)
	names := map[string]bool{}
	for _, p := range system {
		names[p.Name] = true
	}
	props := make([]*Property, 0, len(in.Properties))
	unique := 0
	for i, pin := range in.Properties {
		prefix := fmt.Sprintf("properties[%d].", i)
		p, perrs := checkPropertyInput(pin, group)
		if p.Name != "" && names[p.Name] {
			perrs = append(perrs, PropertyError{Property: "name", Code: CodeDuplicateName,
				Message: fmt.Sprintf("property name %q is used twice (or by a system property)", p.Name)})
		}
		names[p.Name] = true
		if p.GroupName != group {
			perrs = append(perrs, PropertyError{Property: "groupName", Code: CodeGroupNotFound,
				Message: fmt.Sprintf("property group %q does not exist; a new object only has %q", p.GroupName, group)})
		}
		if p.HasUniqueValue {
			if unique++; unique > MaxUniqueProperties {
				perrs = append(perrs, PropertyError{Property: "hasUniqueValue", Code: CodeTooManyUnique,
					Message: fmt.Sprintf("an object can have at most %d unique properties", MaxUniqueProperties)})
			}
		}
		for _, pe := range perrs {
			pe.Property = prefix + pe.Property
			errs = append(errs, pe)
		}
		props = append(props, p)
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Errors: errs}
	}

	primary := in.PrimaryDisplayProperty
	if primary == "" {
		primary = "hs_object_id"
		if len(props) > 0 {
			primary = props[0].Name
		}
	}
	has := func(name string) bool { return names[name] }
	required, searchable, secondary := dedupe(in.RequiredProperties), dedupe(in.SearchableProperties), dedupe(in.SecondaryDisplayProperties)
	if err := checkSchemaReferences(in.Name, has, required, searchable, secondary, primary); err != nil {
		return nil, err
	}
	var assoc []*ObjectType
	for _, ref := range in.AssociatedObjects {
		other, err := c.object(ref)
		if err != nil {
			return nil, invalidf("associatedObjects: object %q does not exist", ref)
		}
		if !slices.Contains(assoc, other) {
			assoc = append(assoc, other)
		}
	}

	seq, err := t.nextSequence(customObjectSequence, 1)
	if err != nil {
		return nil, fmt.Errorf("allocate object type id: %w", err)
	}
	res, err := t.ExecContext(t.ctx, `INSERT INTO object_types
		(type_id, name, singular_label, plural_label, description, primary_display_property,
		 secondary_display_properties, required_properties, searchable_properties, custom, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		fmt.Sprintf("2-%d", seq), in.Name, singular, plural, in.Description, primary,
		jsonText(secondary), jsonText(required), jsonText(searchable), t.ms, t.ms)
	if err != nil {
		return nil, fmt.Errorf("insert object %s: %w", in.Name, err)
	}
	oid, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	o := &ObjectType{oid: oid, Name: in.Name, SingularLabel: singular, PluralLabel: plural, Custom: true}
	if err := t.insertGroup(o, PropertyGroup{Name: group, Label: singular + " information", DisplayOrder: 0}, false); err != nil {
		return nil, err
	}
	for i := range system {
		if err := t.insertProperty(o, &system[i], false); err != nil {
			return nil, err
		}
	}
	for _, p := range props {
		if err := t.insertProperty(o, p, false); err != nil {
			return nil, err
		}
	}
	for _, other := range assoc {
		if _, err := t.createUnlabeledPair(o, other); err != nil {
			return nil, err
		}
	}
	t.catalogChanged()
	c, err = t.catalog()
	if err != nil {
		return nil, err
	}
	created := c.byOID[oid]
	if created == nil {
		return nil, fmt.Errorf("read back object %s", in.Name)
	}
	out := cloneObject(created)
	return &out, nil
}

// dedupe drops empty and repeated names, keeping the first of each.
func dedupe(names []string) []string {
	out := []string{}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// checkSchemaReferences refuses required, searchable and display property
// names that are not properties of the object.
func checkSchemaReferences(object string, has func(string) bool, required, searchable, secondary []string, primary string) error {
	for _, ref := range []struct {
		field string
		names []string
	}{
		{"requiredProperties", required},
		{"searchableProperties", searchable},
		{"secondaryDisplayProperties", secondary},
		{"primaryDisplayProperty", []string{primary}},
	} {
		for _, n := range ref.names {
			if !has(n) {
				return invalidf("%s: %q is not a property of %s", ref.field, n, object)
			}
		}
	}
	return nil
}

// UpdateSchema changes the labels, description and property lists of a
// custom object. Names in the property lists must be live properties of the
// object (*InvalidError otherwise).
func (s *Store) UpdateSchema(ctx context.Context, ref string, in SchemaUpdate) (*ObjectType, error) {
	var out *ObjectType
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(ref)
		if err != nil {
			return err
		}
		if !o.Custom {
			return invalidf("%s is a built-in object; only custom objects can be changed", o.Name)
		}
		m := cloneObject(o)
		if in.Labels != nil {
			if l := strings.TrimSpace(in.Labels.Singular); l != "" {
				m.SingularLabel = l
			}
			if l := strings.TrimSpace(in.Labels.Plural); l != "" {
				m.PluralLabel = l
			}
		}
		if in.Description != nil {
			m.Description = *in.Description
		}
		if in.RequiredProperties != nil {
			m.RequiredProperties = dedupe(*in.RequiredProperties)
		}
		if in.SearchableProperties != nil {
			m.SearchableProperties = dedupe(*in.SearchableProperties)
		}
		if in.SecondaryDisplayProperties != nil {
			m.SecondaryDisplayProperties = dedupe(*in.SecondaryDisplayProperties)
		}
		if in.PrimaryDisplayProperty != nil {
			m.PrimaryDisplayProperty = strings.TrimSpace(*in.PrimaryDisplayProperty)
			if m.PrimaryDisplayProperty == "" {
				return invalidf("primaryDisplayProperty must not be empty")
			}
		}
		has := func(name string) bool { return c.property(o, name) != nil }
		if err := checkSchemaReferences(o.Name, has, m.RequiredProperties, m.SearchableProperties,
			m.SecondaryDisplayProperties, m.PrimaryDisplayProperty); err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE object_types SET singular_label = ?, plural_label = ?, description = ?,
			primary_display_property = ?, secondary_display_properties = ?, required_properties = ?,
			searchable_properties = ?, updated_at = ? WHERE oid = ?`,
			m.SingularLabel, m.PluralLabel, m.Description, m.PrimaryDisplayProperty, jsonText(m.SecondaryDisplayProperties),
			jsonText(m.RequiredProperties), jsonText(m.SearchableProperties), t.ms, o.oid); err != nil {
			return fmt.Errorf("update object %s: %w", o.Name, err)
		}
		t.catalogChanged()
		if c, err = t.catalog(); err != nil {
			return err
		}
		updated := cloneObject(c.byOID[o.oid])
		out = &updated
		return nil
	})
	return out, err
}

// ArchiveSchema archives a custom object. It is refused while the object
// has live records. The object's association types are archived with it;
// its name stays taken.
func (s *Store) ArchiveSchema(ctx context.Context, ref string) error {
	return s.update(ctx, func(t *tx) error {
		_, o, err := t.objectOf(ref)
		if err != nil {
			return err
		}
		if !o.Custom {
			return invalidf("%s is a built-in object and cannot be archived", o.Name)
		}
		var n int64
		if err := t.GetContext(t.ctx, &n, "SELECT COUNT(*) FROM records WHERE object_oid = ? AND archived_at IS NULL", o.oid); err != nil {
			return fmt.Errorf("count records of %s: %w", o.Name, err)
		}
		if n > 0 {
			return invalidf("cannot archive object %s: it has %d live records; archive or delete them first", o.Name, n)
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE object_types SET archived_at = ?, updated_at = ? WHERE oid = ?", t.ms, t.ms, o.oid); err != nil {
			return fmt.Errorf("archive object %s: %w", o.Name, err)
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE association_types SET archived_at = ? WHERE (from_oid = ? OR to_oid = ?) AND archived_at IS NULL",
			t.ms, o.oid, o.oid); err != nil {
			return fmt.Errorf("archive association types of %s: %w", o.Name, err)
		}
		t.catalogChanged()
		return nil
	})
}

// AddSchemaAssociation makes records of the custom object from associable
// with records of to: it creates the unlabeled USER_DEFINED association type
// from→to and its inverse unless they exist, and returns the from→to type id.
func (s *Store) AddSchemaAssociation(ctx context.Context, from, to string) (int64, error) {
	var id int64
	err := s.update(ctx, func(t *tx) error {
		c, fo, err := t.objectOf(from)
		if err != nil {
			return err
		}
		if !fo.Custom {
			return invalidf("%s is a built-in object; schema associations start from a custom object", fo.Name)
		}
		too, err := c.object(to)
		if err != nil {
			return err
		}
		id, err = t.createUnlabeledPair(fo, too)
		return err
	})
	return id, err
}

// createUnlabeledPair returns the live unlabeled USER_DEFINED association
// type from→to, creating it and its inverse (one symmetric type when the
// objects are the same) when there is none.
func (t *tx) createUnlabeledPair(from, to *ObjectType) (int64, error) {
	var existing []int64
	if err := t.SelectContext(t.ctx, &existing, `SELECT type_id FROM association_types
		WHERE from_oid = ? AND to_oid = ? AND category = 'USER_DEFINED' AND label IS NULL AND archived_at IS NULL
		ORDER BY type_id LIMIT 1`, from.oid, to.oid); err != nil {
		return 0, fmt.Errorf("find association type %s→%s: %w", from.Name, to.Name, err)
	}
	if len(existing) > 0 {
		return existing[0], nil
	}
	a, err := t.createTypePair(from, to,
		typeSide{name: singularName(from.Name) + "_to_" + singularName(to.Name)},
		typeSide{name: singularName(to.Name) + "_to_" + singularName(from.Name)})
	if a == nil {
		return 0, err
	}
	return a.TypeID, err
}
