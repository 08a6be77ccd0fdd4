package crmstore

import "time"

// Property types (HubSpot's `type`): how a value is stored, validated and compared.
const (
	TypeString            = "string"
	TypeNumber            = "number"
	TypeDate              = "date"
	TypeDateTime          = "datetime"
	TypeBool              = "bool"
	TypeEnumeration       = "enumeration"
	TypePhoneNumber       = "phone_number"
	TypeObjectCoordinates = "object_coordinates"
	TypeJSON              = "json"
)

// validFieldTypes lists the fieldType values HubSpot accepts for each type.
var validFieldTypes = map[string][]string{
	TypeBool:              {"booleancheckbox", "calculation_equation"},
	TypeEnumeration:       {"booleancheckbox", "checkbox", "radio", "select", "calculation_equation"},
	TypeDate:              {"date"},
	TypeDateTime:          {"date"},
	TypeString:            {"file", "text", "textarea", "calculation_equation", "html", "phonenumber"},
	TypeNumber:            {"number", "calculation_equation"},
	TypePhoneNumber:       {"phonenumber"},
	TypeObjectCoordinates: {"text"},
	TypeJSON:              {"text"},
}

// ValidFieldType reports whether fieldType is allowed for the property type typ.
func ValidFieldType(typ, fieldType string) bool {
	for _, ft := range validFieldTypes[typ] {
		if ft == fieldType {
			return true
		}
	}
	return false
}

// ObjectType is an object of the CRM: a built-in one such as contacts (0-1) or
// a custom object defined by a schema (2-N).
type ObjectType struct {
	oid                        int64
	TypeID                     string    `json:"objectTypeId"`
	Name                       string    `json:"name"`
	SingularLabel              string    `json:"singularLabel"`
	PluralLabel                string    `json:"pluralLabel"`
	Description                string    `json:"description"`
	PrimaryDisplayProperty     string    `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties []string  `json:"secondaryDisplayProperties"`
	RequiredProperties         []string  `json:"requiredProperties"`
	SearchableProperties       []string  `json:"searchableProperties"`
	Custom                     bool      `json:"custom"`
	Archived                   bool      `json:"archived"`
	CreatedAt                  time.Time `json:"createdAt"`
	UpdatedAt                  time.Time `json:"updatedAt"`
}

// Option is one allowed value of an enumeration property.
type Option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// PropertyGroup organises the properties of one object.
type PropertyGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived"`
}

// Property is the definition of one typed field of an object.
type Property struct {
	id                   int64
	objectOID            int64
	Name                 string     `json:"name"`
	Label                string     `json:"label"`
	Description          string     `json:"description"`
	GroupName            string     `json:"groupName"`
	Type                 string     `json:"type"`
	FieldType            string     `json:"fieldType"`
	Options              []Option   `json:"options"`
	DisplayOrder         int        `json:"displayOrder"`
	Hidden               bool       `json:"hidden"`
	FormField            bool       `json:"formField"`
	HasUniqueValue       bool       `json:"hasUniqueValue"`
	HubspotDefined       bool       `json:"hubspotDefined"`
	Calculated           bool       `json:"calculated"`
	ReadOnlyValue        bool       `json:"readOnlyValue"`
	ReadOnlyDefinition   bool       `json:"readOnlyDefinition"`
	ExternalOptions      bool       `json:"externalOptions"`
	ReferencedObjectType string     `json:"referencedObjectType,omitempty"`
	CalculationFormula   string     `json:"calculationFormula,omitempty"`
	Archived             bool       `json:"archived"`
	ArchivedAt           *time.Time `json:"archivedAt,omitempty"`
	CreatedAt            time.Time  `json:"createdAt"`
	UpdatedAt            time.Time  `json:"updatedAt"`
}

// IsMultiValue reports whether the property holds a ;-joined set of options.
func (p *Property) IsMultiValue() bool {
	return p.Type == TypeEnumeration && p.FieldType == "checkbox"
}

// hasOption reports whether v is one of the property's option values.
func (p *Property) hasOption(v string) bool {
	for _, o := range p.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}
