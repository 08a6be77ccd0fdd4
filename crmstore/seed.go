package crmstore

import (
	"encoding/json"
	"fmt"
)

// seedBuiltins inserts the HubSpot-defined catalogue: objects, groups,
// default properties, association types and, for an object seen for the
// first time, its default pipeline. It is idempotent, so a newer binary
// adds the defaults it knows to an older database.
func (t *tx) seedBuiltins() error {
	fresh := map[string]bool{}
	for _, bo := range builtinObjects {
		res, err := t.ExecContext(t.ctx, `INSERT OR IGNORE INTO object_types
			(type_id, name, singular_label, plural_label, primary_display_property, required_properties, searchable_properties, custom, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
			bo.TypeID, bo.Name, bo.Singular, bo.Plural, bo.PrimaryDisplay, jsonText(bo.Required), jsonText(bo.Searchable), t.ms, t.ms)
		if err != nil {
			return fmt.Errorf("seed object %s: %w", bo.Name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			fresh[bo.Name] = true
		}
	}
	t.catalogChanged()
	c, err := t.catalog()
	if err != nil {
		return err
	}
	for _, bo := range builtinObjects {
		o, err := c.object(bo.Name)
		if err != nil {
			return err
		}
		for _, g := range bo.Groups {
			if err := t.insertGroup(o, g, true); err != nil {
				return err
			}
		}
		for i := range bo.Properties {
			p := bo.Properties[i]
			p.HubspotDefined = true
			if err := t.insertProperty(o, &p, true); err != nil {
				return err
			}
		}
	}
	for _, at := range builtinAssociationTypes {
		from, err := c.object(at.From)
		if err != nil {
			return err
		}
		to, err := c.object(at.To)
		if err != nil {
			return err
		}
		var label any
		if at.Label != "" {
			label = at.Label
		}
		if _, err := t.ExecContext(t.ctx, `INSERT OR IGNORE INTO association_types
			(type_id, from_oid, to_oid, category, name, label, inverse_id, primary_flag, max_per_from, created_at)
			VALUES (?, ?, ?, 'HUBSPOT_DEFINED', ?, ?, ?, ?, ?, ?)`,
			at.TypeID, from.oid, to.oid, associationTypeName(at.From, at.To, at.Label), label, at.InverseID, at.Primary, at.MaxPerFrom, t.ms); err != nil {
			return fmt.Errorf("seed association type %d: %w", at.TypeID, err)
		}
	}
	for _, bp := range builtinPipelines {
		if !fresh[bp.Object] {
			continue
		}
		in := PipelineInput{ID: bp.ID, Label: bp.Label}
		for i, st := range bp.Stages {
			in.Stages = append(in.Stages, StageInput{ID: st.ID, Label: st.Label, DisplayOrder: i, Metadata: st.Metadata})
		}
		if _, err := t.createPipeline(bp.Object, in); err != nil {
			return fmt.Errorf("seed pipeline %s: %w", bp.ID, err)
		}
	}
	return nil
}

// associationTypeName is HubSpot's v3 name of a type, e.g. contact_to_company.
func associationTypeName(from, to, label string) string {
	name := singularName(from) + "_to_" + singularName(to)
	if label == "" {
		return name + "_unlabeled"
	}
	return name
}

func singularName(object string) string {
	switch object {
	case "companies":
		return "company"
	case "line_items":
		return "line_item"
	}
	if n := len(object); n > 1 && object[n-1] == 's' {
		return object[:n-1]
	}
	return object
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// insertGroup adds a property group; with ignoreExisting an existing group
// is left as it is.
func (t *tx) insertGroup(o *ObjectType, g PropertyGroup, ignoreExisting bool) error {
	verb := "INSERT"
	if ignoreExisting {
		verb = "INSERT OR IGNORE"
	}
	if _, err := t.ExecContext(t.ctx, verb+` INTO property_groups (object_oid, name, label, display_order) VALUES (?, ?, ?, ?)`,
		o.oid, g.Name, g.Label, g.DisplayOrder); err != nil {
		return fmt.Errorf("insert property group %s.%s: %w", o.Name, g.Name, err)
	}
	t.catalogChanged()
	return nil
}

// insertProperty adds a property definition; with ignoreExisting an existing
// property of that name is left as it is.
func (t *tx) insertProperty(o *ObjectType, p *Property, ignoreExisting bool) error {
	verb := "INSERT"
	if ignoreExisting {
		verb = "INSERT OR IGNORE"
	}
	opts := p.Options
	if opts == nil {
		opts = []Option{}
	}
	optJSON, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(t.ctx, verb+` INTO properties
		(object_oid, name, label, description, group_name, type, field_type, options, display_order, hidden, form_field,
		 has_unique_value, hubspot_defined, calculated, read_only_value, read_only_definition, external_options,
		 referenced_object_type, calculation_formula, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.oid, p.Name, p.Label, p.Description, p.GroupName, p.Type, p.FieldType, string(optJSON), p.DisplayOrder,
		p.Hidden, p.FormField, p.HasUniqueValue, p.HubspotDefined, p.Calculated, p.ReadOnlyValue, p.ReadOnlyDefinition,
		p.ExternalOptions, p.ReferencedObjectType, p.CalculationFormula, t.ms, t.ms); err != nil {
		return fmt.Errorf("insert property %s.%s: %w", o.Name, p.Name, err)
	}
	t.catalogChanged()
	return nil
}
