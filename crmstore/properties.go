package crmstore

// Property and property-group definitions (HubSpot's properties API).
//
// Problems with the input itself (a bad name, a type × fieldType pair that
// does not exist, bad options, ...) are all reported together as a
// *ValidationError whose PropertyErrors name the offending input field.
// Problems that depend on the state of the store (the name is taken, the
// group does not exist, records still use a value, ...) are reported as an
// *InvalidError once the input itself is valid.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Codes of the PropertyErrors that refuse a property or schema definition.
const (
	// CodeInvalidPropertyDefinition is a definition that does not hold
	// together (e.g. hasUniqueValue on an enumeration).
	CodeInvalidPropertyDefinition = "INVALID_PROPERTY_DEFINITION"
	// CodeInvalidName is a name that is not lower-case letters, digits and
	// underscores starting with a letter, or is too long.
	CodeInvalidName = "INVALID_NAME"
	// CodeReservedName is a name HubSpot keeps for itself (hs_...).
	CodeReservedName = "RESERVED_NAME"
	// CodeMissingField is a required field left empty.
	CodeMissingField = "MISSING_REQUIRED_FIELD"
	// CodeInvalidType is an unknown or read-only property type.
	CodeInvalidType = "INVALID_PROPERTY_TYPE"
	// CodeInvalidFieldType is a fieldType the property type does not allow.
	CodeInvalidFieldType = "INVALID_FIELD_TYPE"
	// CodeInvalidOptions is a bad list of enumeration options.
	CodeInvalidOptions = "INVALID_OPTIONS"
	// CodeDuplicateName is a name used twice in one input (a schema).
	CodeDuplicateName = "DUPLICATE_NAME"
	// CodeGroupNotFound is a groupName that is not a group of the object.
	CodeGroupNotFound = "PROPERTY_GROUP_NOT_FOUND"
	// CodeTooManyUnique is one unique property too many for an object.
	CodeTooManyUnique = "TOO_MANY_UNIQUE_PROPERTIES"
)

// Limits of property definitions.
const (
	// MaxUniqueProperties is how many live properties with hasUniqueValue
	// one object may have, as in HubSpot.
	MaxUniqueProperties = 10
	// MaxPropertyOptions is how many options one enumeration may have.
	MaxPropertyOptions = 5000
	// maxDefinitionName is the longest property, group or object name.
	maxDefinitionName = 100
	// maxOptionText is the longest option value or label, in characters.
	maxOptionText = 3000
	// maxOptionErrors caps the option problems reported for one property.
	maxOptionErrors = 10
)

// definitionNamePattern is the syntax of property, group and object names.
var definitionNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// PropertyInput defines a new property (HubSpot's PropertyCreate).
type PropertyInput struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Description string `json:"description"`
	// GroupName is required by CreateProperty; schema properties default
	// to the object's "<name>_information" group.
	GroupName    string   `json:"groupName"`
	Type         string   `json:"type"`
	FieldType    string   `json:"fieldType"`
	Options      []Option `json:"options"`
	DisplayOrder int      `json:"displayOrder"`
	Hidden       bool     `json:"hidden"`
	FormField    bool     `json:"formField"`
	// HasUniqueValue makes the store keep the property's values unique
	// among live records. It can only be set at creation, only on string
	// and number properties.
	HasUniqueValue bool `json:"hasUniqueValue"`
	// CalculationFormula is required with fieldType calculation_equation.
	CalculationFormula   string `json:"calculationFormula"`
	ReferencedObjectType string `json:"referencedObjectType"`
	// ExternalOptions means the options come from elsewhere (e.g. owners);
	// such an enumeration may have no options of its own.
	ExternalOptions bool `json:"externalOptions"`
}

// PropertyUpdate changes a property (HubSpot's PropertyUpdate); nil fields
// are left alone.
type PropertyUpdate struct {
	Label              *string   `json:"label,omitempty"`
	Description        *string   `json:"description,omitempty"`
	GroupName          *string   `json:"groupName,omitempty"`
	Type               *string   `json:"type,omitempty"`
	FieldType          *string   `json:"fieldType,omitempty"`
	DisplayOrder       *int      `json:"displayOrder,omitempty"`
	Hidden             *bool     `json:"hidden,omitempty"`
	FormField          *bool     `json:"formField,omitempty"`
	CalculationFormula *string   `json:"calculationFormula,omitempty"`
	Options            *[]Option `json:"options,omitempty"`
	// HasUniqueValue is only accepted when it equals the current value:
	// uniqueness can only be set at creation.
	HasUniqueValue *bool `json:"hasUniqueValue,omitempty"`
}

// ---------------------------------------------------------------------------
// Reads

// Properties lists the live properties of an object, or only its archived
// ones when archived is true (HubSpot semantics), sorted by group name,
// then display order (negative orders last), then name.
func (s *Store) Properties(ctx context.Context, object string, archived bool) ([]Property, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	out := make([]Property, 0, len(c.props[o.oid]))
	for _, p := range c.props[o.oid] {
		if p.Archived == archived {
			out = append(out, cloneProperty(p))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.GroupName != b.GroupName {
			return a.GroupName < b.GroupName
		}
		if ka, kb := displayKey(a.DisplayOrder), displayKey(b.DisplayOrder); ka != kb {
			return ka < kb
		}
		return a.Name < b.Name
	})
	return out, nil
}

// Property returns one property of an object. With archived false only a
// live property is found; with archived true the property is returned
// whether it is archived or not.
func (s *Store) Property(ctx context.Context, object, name string, archived bool) (*Property, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	p := c.props[o.oid][name]
	if p == nil || (p.Archived && !archived) {
		return nil, notFound("property", name)
	}
	out := cloneProperty(p)
	return &out, nil
}

// displayKey orders display orders so that negative ones (-1, "no
// particular place") come after every non-negative one.
func displayKey(order int) int64 {
	if order < 0 {
		return 1<<40 + int64(order)
	}
	return int64(order)
}

// cloneProperty copies a catalogue property so callers cannot change the
// shared snapshot.
func cloneProperty(p *Property) Property {
	out := *p
	out.Options = append([]Option{}, p.Options...)
	if p.ArchivedAt != nil {
		at := *p.ArchivedAt
		out.ArchivedAt = &at
	}
	return out
}

// readProperty reads a property row back inside the transaction.
func (t *tx) readProperty(o *ObjectType, name string) (*Property, error) {
	var r propertyRow
	if err := t.GetContext(t.ctx, &r, "SELECT * FROM properties WHERE object_oid = ? AND name = ?", o.oid, name); err != nil {
		return nil, fmt.Errorf("read back property %s.%s: %w", o.Name, name, err)
	}
	return r.property(), nil
}

// ---------------------------------------------------------------------------
// Validation

// definitionName checks the name of a property, group or object. field is
// the input field reported.
func definitionName(field, kind, name string) []PropertyError {
	switch {
	case name == "":
		return []PropertyError{{Property: field, Code: CodeMissingField, Message: kind + " name is required"}}
	case len(name) > maxDefinitionName:
		return []PropertyError{{Property: field, Code: CodeInvalidName,
			Message: fmt.Sprintf("%s name %q is longer than %d characters", kind, shown(name), maxDefinitionName)}}
	case !definitionNamePattern.MatchString(name):
		return []PropertyError{{Property: field, Code: CodeInvalidName,
			Message: fmt.Sprintf("%s name %q must start with a lower-case letter and hold only lower-case letters, digits and underscores", kind, shown(name))}}
	}
	return nil
}

// definitionTypes lists the property types a definition may use, for messages.
func definitionTypes() string {
	return strings.Join([]string{TypeString, TypeNumber, TypeDate, TypeDateTime, TypeBool, TypeEnumeration, TypePhoneNumber}, ", ")
}

// checkPropertyInput validates a property definition on its own, without
// looking at the store. defaultGroup is used when GroupName is empty; with
// defaultGroup empty, GroupName is required. It returns the property to
// insert (meaningful only when there are no errors).
func checkPropertyInput(in PropertyInput, defaultGroup string) (*Property, []PropertyError) {
	var errs []PropertyError
	errs = append(errs, definitionName("name", "property", in.Name)...)
	if strings.HasPrefix(in.Name, "hs_") {
		errs = append(errs, PropertyError{Property: "name", Code: CodeReservedName,
			Message: fmt.Sprintf("property name %q is reserved: names starting with hs_ belong to HubSpot", in.Name)})
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		errs = append(errs, PropertyError{Property: "label", Code: CodeMissingField, Message: "property label is required"})
	}
	group := strings.TrimSpace(in.GroupName)
	if group == "" {
		group = defaultGroup
	}
	if group == "" {
		errs = append(errs, PropertyError{Property: "groupName", Code: CodeMissingField, Message: "property groupName is required"})
	}
	p := &Property{
		Name: in.Name, Label: label, Description: in.Description, GroupName: group,
		Type: in.Type, FieldType: in.FieldType, Options: in.Options, DisplayOrder: in.DisplayOrder,
		Hidden: in.Hidden, FormField: in.FormField, HasUniqueValue: in.HasUniqueValue,
		ExternalOptions: in.ExternalOptions, ReferencedObjectType: strings.TrimSpace(in.ReferencedObjectType),
		CalculationFormula: strings.TrimSpace(in.CalculationFormula),
	}
	if p.Type == TypeBool && len(p.Options) == 0 {
		p.Options = defaultBoolOptions()
	}
	if p.FieldType == "calculation_equation" {
		p.Calculated, p.ReadOnlyValue = true, true
	}
	errs = append(errs, checkDefinition(p)...)
	return p, errs
}

// checkDefinition checks what makes a property definition consistent:
// type × fieldType, options, uniqueness, calculation and external options.
// It cleans up p.Options (labels default to values).
func checkDefinition(p *Property) []PropertyError {
	var errs []PropertyError
	typeOK := false
	switch {
	case p.Type == "":
		errs = append(errs, PropertyError{Property: "type", Code: CodeMissingField, Message: "property type is required"})
	case p.Type == TypeObjectCoordinates || p.Type == TypeJSON:
		errs = append(errs, PropertyError{Property: "type", Code: CodeInvalidType,
			Message: fmt.Sprintf("property type %q is read-only and cannot be used; use one of %s", p.Type, definitionTypes())})
	case validFieldTypes[p.Type] == nil:
		errs = append(errs, PropertyError{Property: "type", Code: CodeInvalidType,
			Message: fmt.Sprintf("property type %q is not valid; use one of %s", shown(p.Type), definitionTypes())})
	default:
		typeOK = true
	}
	switch {
	case p.FieldType == "":
		errs = append(errs, PropertyError{Property: "fieldType", Code: CodeMissingField, Message: "property fieldType is required"})
	case typeOK && !ValidFieldType(p.Type, p.FieldType):
		errs = append(errs, PropertyError{Property: "fieldType", Code: CodeInvalidFieldType,
			Message: fmt.Sprintf("fieldType %q is not valid for type %q; use one of %s",
				shown(p.FieldType), p.Type, strings.Join(validFieldTypes[p.Type], ", "))})
	}
	if typeOK {
		errs = append(errs, checkOptions(p)...)
	}
	if p.HasUniqueValue && typeOK && p.Type != TypeString && p.Type != TypeNumber {
		errs = append(errs, PropertyError{Property: "hasUniqueValue", Code: CodeInvalidPropertyDefinition,
			Message: fmt.Sprintf("hasUniqueValue is only allowed on string and number properties, not on %s", p.Type)})
	}
	if p.HasUniqueValue && p.FieldType == "calculation_equation" {
		errs = append(errs, PropertyError{Property: "hasUniqueValue", Code: CodeInvalidPropertyDefinition,
			Message: "hasUniqueValue is not allowed on a calculated property"})
	}
	if p.FieldType == "calculation_equation" {
		if p.CalculationFormula == "" {
			errs = append(errs, PropertyError{Property: "calculationFormula", Code: CodeMissingField,
				Message: "calculationFormula is required with fieldType calculation_equation"})
		}
	} else if p.CalculationFormula != "" {
		errs = append(errs, PropertyError{Property: "calculationFormula", Code: CodeInvalidPropertyDefinition,
			Message: "calculationFormula is only allowed with fieldType calculation_equation"})
	}
	if p.ExternalOptions && typeOK && p.Type != TypeEnumeration {
		errs = append(errs, PropertyError{Property: "externalOptions", Code: CodeInvalidPropertyDefinition,
			Message: "externalOptions is only allowed on enumeration properties"})
	}
	return errs
}

// defaultBoolOptions are the options of a bool property, as HubSpot shows them.
func defaultBoolOptions() []Option {
	return []Option{{Label: "Yes", Value: "true", DisplayOrder: 0}, {Label: "No", Value: "false", DisplayOrder: 1}}
}

// checkOptions checks the options of p for its type and fieldType.
func checkOptions(p *Property) []PropertyError {
	optErr := func(format string, args ...any) PropertyError {
		return PropertyError{Property: "options", Code: CodeInvalidOptions, Message: fmt.Sprintf(format, args...)}
	}
	opts := make([]Option, len(p.Options))
	copy(opts, p.Options)
	p.Options = opts
	var errs []PropertyError
	trueFalse := func() {
		vals := map[string]bool{}
		for _, o := range opts {
			vals[o.Value] = true
		}
		if len(opts) != 2 || !vals["true"] || !vals["false"] {
			errs = append(errs, optErr("a %s %s property needs exactly the options true and false", p.Type, p.FieldType))
		}
	}
	switch p.Type {
	case TypeEnumeration:
	case TypeBool:
		// HubSpot lists Yes/No options on bool properties; they are only labels.
		trueFalse()
		return errs
	default:
		if len(opts) > 0 {
			errs = append(errs, optErr("only enumeration properties have options; a %s property must have none", p.Type))
		}
		return errs
	}
	if len(opts) == 0 {
		if !p.ExternalOptions {
			errs = append(errs, optErr("an enumeration property needs at least one option"))
		}
		return errs
	}
	if len(opts) > MaxPropertyOptions {
		return append(errs, optErr("an enumeration property takes at most %d options, got %d", MaxPropertyOptions, len(opts)))
	}
	seen := map[string]int{}
	n := 0
	for i := range opts {
		o := &opts[i]
		var msg string
		switch {
		case strings.TrimSpace(o.Value) == "":
			msg = fmt.Sprintf("option %d has an empty value", i)
		case strings.Contains(o.Value, ";"):
			msg = fmt.Sprintf("option value %q must not contain ';', which separates the values of a multi-select", shown(o.Value))
		case utf8.RuneCountInString(o.Value) > maxOptionText || utf8.RuneCountInString(o.Label) > maxOptionText:
			msg = fmt.Sprintf("option %d is longer than %d characters", i, maxOptionText)
		}
		if prev, dup := seen[o.Value]; dup && msg == "" {
			msg = fmt.Sprintf("option value %q is used by options %d and %d", shown(o.Value), prev, i)
		}
		seen[o.Value] = i
		if strings.TrimSpace(o.Label) == "" {
			o.Label = o.Value
		}
		if msg != "" {
			if n < maxOptionErrors {
				errs = append(errs, optErr("%s", msg))
			}
			n++
		}
	}
	if n == 0 && p.FieldType == "booleancheckbox" {
		trueFalse()
	}
	return errs
}

// liveUniqueCount counts the live properties of o that have hasUniqueValue.
func liveUniqueCount(c *catalog, o *ObjectType) int {
	n := 0
	for _, p := range c.props[o.oid] {
		if !p.Archived && p.HasUniqueValue {
			n++
		}
	}
	return n
}

// groupOf returns the group of an object by name, archived or not.
func groupOf(c *catalog, o *ObjectType, name string) *PropertyGroup {
	for i, g := range c.groups[o.oid] {
		if g.Name == name {
			return &c.groups[o.oid][i]
		}
	}
	return nil
}

// liveGroup returns a live group of an object, or a NotFoundError.
func liveGroup(c *catalog, o *ObjectType, name string) (*PropertyGroup, error) {
	g := groupOf(c, o, name)
	if g == nil || g.Archived {
		return nil, notFound("property group", name)
	}
	return g, nil
}

// checkLiveGroup refuses a group that does not exist or is archived.
func checkLiveGroup(c *catalog, o *ObjectType, name string) error {
	g := groupOf(c, o, name)
	if g == nil {
		return invalidf("property group %q does not exist on %s", name, o.Name)
	}
	if g.Archived {
		return invalidf("property group %q of %s is archived", name, o.Name)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Writes

// CreateProperty defines a new property on an object. Problems with the
// input are reported together as a *ValidationError; a name already taken
// (by a live or an archived property), a missing or archived group or an
// eleventh unique property as an *InvalidError.
func (s *Store) CreateProperty(ctx context.Context, object string, in PropertyInput) (*Property, error) {
	return updateValue(ctx, s, func(t *tx) (*Property, error) { return t.createProperty(object, in) })
}

func (t *tx) createProperty(object string, in PropertyInput) (*Property, error) {
	c, o, err := t.objectOf(object)
	if err != nil {
		return nil, err
	}
	p, errs := checkPropertyInput(in, "")
	if len(errs) > 0 {
		return nil, &ValidationError{Errors: errs}
	}
	if old := c.props[o.oid][p.Name]; old != nil {
		if old.Archived {
			return nil, invalidf("property %q of %s exists but is archived; restore it instead of creating it again", p.Name, o.Name)
		}
		return nil, invalidf("property %q of %s already exists", p.Name, o.Name)
	}
	if err := checkLiveGroup(c, o, p.GroupName); err != nil {
		return nil, err
	}
	if p.HasUniqueValue && liveUniqueCount(c, o) >= MaxUniqueProperties {
		return nil, invalidf("%s can have at most %d unique properties; cannot make %q unique", o.Name, MaxUniqueProperties, p.Name)
	}
	if err := t.insertProperty(o, p, false); err != nil {
		return nil, err
	}
	t.catalogChanged()
	return t.readProperty(o, p.Name)
}

// UpdateProperty changes a property definition. A property with a
// read-only definition refuses every change. The type may only change while
// no record has a value for the property, and an option may only be removed
// while no record uses it.
func (s *Store) UpdateProperty(ctx context.Context, object, name string, in PropertyUpdate) (*Property, error) {
	var out *Property
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		p := c.property(o, name)
		if p == nil {
			return notFound("property", name)
		}
		if p.ReadOnlyDefinition {
			return invalidf("property %q of %s has a read-only definition and cannot be changed", name, o.Name)
		}
		merged, errs := mergePropertyUpdate(o, p, in)
		if len(errs) > 0 {
			return &ValidationError{Errors: errs}
		}
		if merged.GroupName != p.GroupName {
			if err := checkLiveGroup(c, o, merged.GroupName); err != nil {
				return err
			}
		}
		if err := t.checkValuesAllowChange(o, p, merged); err != nil {
			return err
		}
		opts, err := json.Marshal(merged.Options)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(t.ctx, `UPDATE properties SET label = ?, description = ?, group_name = ?, type = ?,
			field_type = ?, options = ?, display_order = ?, hidden = ?, form_field = ?, calculated = ?,
			read_only_value = ?, calculation_formula = ?, updated_at = ? WHERE id = ?`,
			merged.Label, merged.Description, merged.GroupName, merged.Type, merged.FieldType, string(opts),
			merged.DisplayOrder, merged.Hidden, merged.FormField, merged.Calculated, merged.ReadOnlyValue,
			merged.CalculationFormula, t.ms, p.id); err != nil {
			return fmt.Errorf("update property %s.%s: %w", o.Name, name, err)
		}
		t.catalogChanged()
		out, err = t.readProperty(o, name)
		return err
	})
	return out, err
}

// mergePropertyUpdate applies an update to a copy of p and checks the
// result as a definition.
func mergePropertyUpdate(o *ObjectType, p *Property, in PropertyUpdate) (*Property, []PropertyError) {
	m := cloneProperty(p)
	var errs []PropertyError
	if in.HasUniqueValue != nil && *in.HasUniqueValue != p.HasUniqueValue {
		errs = append(errs, PropertyError{Property: "hasUniqueValue", Code: CodeInvalidPropertyDefinition,
			Message: "hasUniqueValue can only be set at creation"})
	}
	if in.Label != nil {
		m.Label = strings.TrimSpace(*in.Label)
		if m.Label == "" {
			errs = append(errs, PropertyError{Property: "label", Code: CodeMissingField, Message: "property label must not be empty"})
		}
	}
	if in.Description != nil {
		m.Description = *in.Description
	}
	if in.GroupName != nil {
		m.GroupName = strings.TrimSpace(*in.GroupName)
		if m.GroupName == "" {
			errs = append(errs, PropertyError{Property: "groupName", Code: CodeMissingField, Message: "property groupName must not be empty"})
		}
	}
	if in.DisplayOrder != nil {
		m.DisplayOrder = *in.DisplayOrder
	}
	if in.Hidden != nil {
		m.Hidden = *in.Hidden
	}
	if in.FormField != nil {
		m.FormField = *in.FormField
	}
	if p.HubspotDefined {
		if in.Type != nil && *in.Type != p.Type {
			errs = append(errs, PropertyError{Property: "type", Code: CodeInvalidPropertyDefinition,
				Message: fmt.Sprintf("the type of HubSpot-defined property %q cannot change", p.Name)})
		}
		if in.FieldType != nil && *in.FieldType != p.FieldType {
			errs = append(errs, PropertyError{Property: "fieldType", Code: CodeInvalidPropertyDefinition,
				Message: fmt.Sprintf("the fieldType of HubSpot-defined property %q cannot change", p.Name)})
		}
		if pipe, stage := pipelineProperties(o.Name); in.Options != nil && (p.Name == pipe || p.Name == stage) {
			errs = append(errs, PropertyError{Property: "options", Code: CodeInvalidOptions,
				Message: fmt.Sprintf("the options of %q follow the pipelines of %s; change the pipelines instead", p.Name, o.Name)})
		}
	}
	if in.Type != nil {
		m.Type = *in.Type
	}
	if in.FieldType != nil {
		m.FieldType = *in.FieldType
	}
	if in.Options != nil {
		m.Options = *in.Options
	} else if m.Type != p.Type {
		// Options of the old type make no sense for the new one.
		m.Options = nil
	}
	if m.Type == TypeBool && len(m.Options) == 0 {
		m.Options = defaultBoolOptions()
	}
	if m.Options == nil {
		m.Options = []Option{}
	}
	if in.CalculationFormula != nil {
		m.CalculationFormula = strings.TrimSpace(*in.CalculationFormula)
	}
	wasCalc, isCalc := p.FieldType == "calculation_equation", m.FieldType == "calculation_equation"
	switch {
	case isCalc:
		m.Calculated, m.ReadOnlyValue = true, true
	case wasCalc:
		m.Calculated, m.ReadOnlyValue = false, false
		if in.CalculationFormula == nil {
			m.CalculationFormula = ""
		}
	}
	errs = append(errs, checkDefinition(&m)...)
	return &m, errs
}

// checkValuesAllowChange refuses a change that existing record values
// contradict: a new type, a multi-select becoming single-valued while
// records hold several options, a removed option still in use.
func (t *tx) checkValuesAllowChange(o *ObjectType, old, m *Property) error {
	if m.Type != old.Type {
		n, err := t.countValues(o, old, "IS NOT NULL")
		if err != nil {
			return err
		}
		if n > 0 {
			return invalidf("cannot change the type of property %q of %s: %d records have a value for it", old.Name, o.Name, n)
		}
		return nil
	}
	if old.IsMultiValue() && !m.IsMultiValue() {
		n, err := t.countValues(o, old, "LIKE '%;%'")
		if err != nil {
			return err
		}
		if n > 0 {
			return invalidf("cannot change fieldType of property %q of %s to %s: %d records hold several options", old.Name, o.Name, m.FieldType, n)
		}
	}
	if old.Type != TypeEnumeration || old.ExternalOptions {
		return nil
	}
	var inUse []string
	for _, opt := range old.Options {
		if m.hasOption(opt.Value) {
			continue
		}
		// instr is exact and case-sensitive, unlike LIKE, and needs no
		// escaping of % and _ in option values.
		cond, args := "= ?", []any{opt.Value}
		if old.IsMultiValue() {
			cond, args = "IS NOT NULL AND instr(';' || (props ->> ?) || ';', ?) > 0", []any{jsonPath(old.Name), ";" + opt.Value + ";"}
		}
		n, err := t.countValues(o, old, cond, args...)
		if err != nil {
			return err
		}
		if n > 0 {
			inUse = append(inUse, fmt.Sprintf("%q (%d records)", opt.Value, n))
		}
	}
	if len(inUse) > 0 {
		return invalidf("cannot remove options of property %q of %s that records still use: %s", old.Name, o.Name, strings.Join(inUse, ", "))
	}
	return nil
}

// countValues counts the records of o, live or archived, whose value of p
// satisfies cond, an SQL condition (a constant of this file) that follows
// the value and binds args.
func (t *tx) countValues(o *ObjectType, p *Property, cond string, args ...any) (int64, error) {
	var n int64
	q := "SELECT COUNT(*) FROM records WHERE object_oid = ? AND (props ->> ?) " + cond
	if err := t.GetContext(t.ctx, &n, q, append([]any{o.oid, jsonPath(p.Name)}, args...)...); err != nil {
		return 0, fmt.Errorf("count property values: %w", err)
	}
	return n, nil
}

// ArchiveProperty moves a property to the recycling bin. Record values are
// kept, so RestoreProperty brings them back; a unique property gives up its
// reserved values until it is restored. HubSpot-defined properties and
// properties the object's schema refers to cannot be archived.
func (s *Store) ArchiveProperty(ctx context.Context, object, name string) error {
	return s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		p := c.property(o, name)
		if p == nil {
			return notFound("property", name)
		}
		if p.HubspotDefined {
			return invalidf("property %q of %s is HubSpot-defined and cannot be archived", name, o.Name)
		}
		for _, ref := range []struct {
			field string
			names []string
		}{
			{"requiredProperties", o.RequiredProperties},
			{"searchableProperties", o.SearchableProperties},
			{"secondaryDisplayProperties", o.SecondaryDisplayProperties},
			{"primaryDisplayProperty", []string{o.PrimaryDisplayProperty}},
		} {
			if slices.Contains(ref.names, name) {
				return invalidf("property %q is in the %s of %s; change the schema first", name, ref.field, o.Name)
			}
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE properties SET archived_at = ?, updated_at = ? WHERE id = ?", t.ms, t.ms, p.id); err != nil {
			return fmt.Errorf("archive property %s.%s: %w", o.Name, name, err)
		}
		if _, err := t.ExecContext(t.ctx, "DELETE FROM unique_values WHERE property_id = ?", p.id); err != nil {
			return fmt.Errorf("archive property %s.%s: %w", o.Name, name, err)
		}
		t.catalogChanged()
		return nil
	})
}

// RestoreProperty brings an archived property back with its values. A
// unique property is refused when live records now share a value, or when
// the object already has MaxUniqueProperties unique properties. An archived
// group of the property is restored with it. Restoring a live property
// returns it unchanged.
func (s *Store) RestoreProperty(ctx context.Context, object, name string) (*Property, error) {
	var out *Property
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		p := c.props[o.oid][name]
		if p == nil {
			return notFound("property", name)
		}
		if !p.Archived {
			o := cloneProperty(p)
			out = &o
			return nil
		}
		if p.HasUniqueValue {
			if liveUniqueCount(c, o) >= MaxUniqueProperties {
				return invalidf("%s can have at most %d unique properties; cannot restore %q", o.Name, MaxUniqueProperties, name)
			}
			if err := t.reserveUniqueValues(o, p); err != nil {
				return err
			}
		}
		if g := groupOf(c, o, p.GroupName); g != nil && g.Archived {
			if _, err := t.ExecContext(t.ctx, "UPDATE property_groups SET archived_at = NULL WHERE object_oid = ? AND name = ?", o.oid, g.Name); err != nil {
				return fmt.Errorf("restore property group %s.%s: %w", o.Name, g.Name, err)
			}
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE properties SET archived_at = NULL, updated_at = ? WHERE id = ?", t.ms, p.id); err != nil {
			return fmt.Errorf("restore property %s.%s: %w", o.Name, name, err)
		}
		t.catalogChanged()
		out, err = t.readProperty(o, name)
		return err
	})
	return out, err
}

// reserveUniqueValues fills unique_values for p from the values of live
// records, refusing when two of them share a value.
func (t *tx) reserveUniqueValues(o *ObjectType, p *Property) error {
	var rows []struct {
		RecordID int64  `db:"record_id"`
		Value    string `db:"value"`
	}
	if err := t.SelectContext(t.ctx, &rows, `SELECT id AS record_id, props ->> ? AS value FROM records
		WHERE object_oid = ? AND archived_at IS NULL AND (props ->> ?) IS NOT NULL ORDER BY id`,
		jsonPath(p.Name), o.oid, jsonPath(p.Name)); err != nil {
		return fmt.Errorf("read values of %s.%s: %w", o.Name, p.Name, err)
	}
	held := make(map[string]int64, len(rows))
	ins := make([][]any, 0, len(rows))
	for _, r := range rows {
		k := uniqueKey(p, r.Value)
		if k == "" {
			continue
		}
		if prev, dup := held[k]; dup {
			return invalidf("cannot restore unique property %q of %s: records %d and %d share the value %q",
				p.Name, o.Name, prev, r.RecordID, shown(r.Value))
		}
		held[k] = r.RecordID
		ins = append(ins, []any{p.id, k, r.RecordID})
	}
	if _, err := t.ExecContext(t.ctx, "DELETE FROM unique_values WHERE property_id = ?", p.id); err != nil {
		return fmt.Errorf("reset unique values of %s.%s: %w", o.Name, p.Name, err)
	}
	if len(ins) == 0 {
		return nil
	}
	return t.insertRows("unique_values", []string{"property_id", "value", "record_id"}, ins, "")
}

// ---------------------------------------------------------------------------
// Groups

// PropertyGroups lists the live property groups of an object, or only the
// archived ones when archived is true, in display order (negative orders
// last), then by name.
func (s *Store) PropertyGroups(ctx context.Context, object string, archived bool) ([]PropertyGroup, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	out := []PropertyGroup{}
	for _, g := range c.groups[o.oid] {
		if g.Archived == archived {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if ki, kj := displayKey(out[i].DisplayOrder), displayKey(out[j].DisplayOrder); ki != kj {
			return ki < kj
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// PropertyGroup returns one live property group of an object.
func (s *Store) PropertyGroup(ctx context.Context, object, name string) (*PropertyGroup, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return nil, err
	}
	g, err := liveGroup(c, o, name)
	if err != nil {
		return nil, err
	}
	out := *g
	return &out, nil
}

// CreatePropertyGroup adds a property group to an object. A bad name or
// label is a *ValidationError; a name a live group already has is an
// *InvalidError. Creating a group that is archived restores it with the new
// label and display order.
func (s *Store) CreatePropertyGroup(ctx context.Context, object string, g PropertyGroup) (*PropertyGroup, error) {
	var out *PropertyGroup
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		errs := definitionName("name", "property group", g.Name)
		g.Label = strings.TrimSpace(g.Label)
		if g.Label == "" {
			errs = append(errs, PropertyError{Property: "label", Code: CodeMissingField, Message: "property group label is required"})
		}
		if len(errs) > 0 {
			return &ValidationError{Errors: errs}
		}
		switch old := groupOf(c, o, g.Name); {
		case old == nil:
			if err := t.insertGroup(o, g, false); err != nil {
				return err
			}
		case !old.Archived:
			return invalidf("property group %q of %s already exists", g.Name, o.Name)
		default:
			if _, err := t.ExecContext(t.ctx, "UPDATE property_groups SET label = ?, display_order = ?, archived_at = NULL WHERE object_oid = ? AND name = ?",
				g.Label, g.DisplayOrder, o.oid, g.Name); err != nil {
				return fmt.Errorf("restore property group %s.%s: %w", o.Name, g.Name, err)
			}
		}
		t.catalogChanged()
		out = &PropertyGroup{Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder}
		return nil
	})
	return out, err
}

// UpdatePropertyGroup changes the label and/or display order of a live
// property group; nil arguments are left alone.
func (s *Store) UpdatePropertyGroup(ctx context.Context, object, name string, label *string, displayOrder *int) (*PropertyGroup, error) {
	var out *PropertyGroup
	err := s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		old, err := liveGroup(c, o, name)
		if err != nil {
			return err
		}
		g := *old
		if label != nil {
			g.Label = strings.TrimSpace(*label)
			if g.Label == "" {
				return &ValidationError{Errors: []PropertyError{{Property: "label", Code: CodeMissingField,
					Message: "property group label must not be empty"}}}
			}
		}
		if displayOrder != nil {
			g.DisplayOrder = *displayOrder
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE property_groups SET label = ?, display_order = ? WHERE object_oid = ? AND name = ?",
			g.Label, g.DisplayOrder, o.oid, name); err != nil {
			return fmt.Errorf("update property group %s.%s: %w", o.Name, name, err)
		}
		t.catalogChanged()
		out = &g
		return nil
	})
	return out, err
}

// ArchivePropertyGroup archives a property group; it is refused while live
// properties are in the group.
func (s *Store) ArchivePropertyGroup(ctx context.Context, object, name string) error {
	return s.update(ctx, func(t *tx) error {
		c, o, err := t.objectOf(object)
		if err != nil {
			return err
		}
		if _, err := liveGroup(c, o, name); err != nil {
			return err
		}
		var live []string
		for _, p := range c.props[o.oid] {
			if !p.Archived && p.GroupName == name {
				live = append(live, p.Name)
			}
		}
		if len(live) > 0 {
			sort.Strings(live)
			return invalidf("property group %q of %s still holds %d live properties (%s); move or archive them first",
				name, o.Name, len(live), strings.Join(live[:min(len(live), 5)], ", "))
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE property_groups SET archived_at = ? WHERE object_oid = ? AND name = ?", t.ms, o.oid, name); err != nil {
			return fmt.Errorf("archive property group %s.%s: %w", o.Name, name, err)
		}
		t.catalogChanged()
		return nil
	})
}
