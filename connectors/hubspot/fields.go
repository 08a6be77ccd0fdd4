package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tandem-crm/tandem/connectors"
)

type apiProperty struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	FieldType  string `json:"fieldType"`
	Calculated bool   `json:"calculated"`
	Options    []struct {
		Value string `json:"value"`
	} `json:"options"`
	ModificationMetadata *struct {
		ReadOnlyValue bool `json:"readOnlyValue"`
	} `json:"modificationMetadata"`
}

// Fields lists the object's properties with the contract's types.
func (c *Connector) Fields(ctx context.Context, object string) ([]connectors.Field, error) {
	if object == "" {
		return nil, errors.New("fields: object is required")
	}
	var out struct {
		Results []apiProperty `json:"results"`
	}
	if _, err := c.api.call(ctx, http.MethodGet, "/crm/v3/properties/"+url.PathEscape(object), nil, nil, &out); err != nil {
		return nil, fmt.Errorf("read %s properties: %w", object, err)
	}
	fields := make([]connectors.Field, 0, len(out.Results))
	for _, p := range out.Results {
		f := connectors.Field{Name: p.Name, Type: fieldType(p.Type)}
		if f.Type == "enumeration" {
			for _, o := range p.Options {
				f.Options = append(f.Options, o.Value)
			}
		}
		// Calculated values and HubSpot's internal types (json, coordinates) cannot be written.
		f.ReadOnly = p.Calculated || p.FieldType == "calculation_equation" ||
			(p.ModificationMetadata != nil && p.ModificationMetadata.ReadOnlyValue) ||
			p.Type == "json" || p.Type == "object_coordinates"
		fields = append(fields, f)
	}
	return fields, nil
}

// fieldType maps HubSpot's property type to the contract's; unknown types are read as text.
func fieldType(t string) string {
	switch t {
	case "number", "bool", "date", "datetime", "enumeration":
		return t
	case "dateTime":
		return "datetime"
	}
	return "string"
}
