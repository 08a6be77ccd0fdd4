package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

var carsSchema = map[string]any{
	"name":   "cars",
	"labels": map[string]string{"singular": "Car", "plural": "Cars"},
	"properties": []map[string]any{
		{"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
		{"name": "year", "label": "Year", "type": "number", "fieldType": "number"},
	},
	"requiredProperties":         []string{"model"},
	"searchableProperties":       []string{"model"},
	"primaryDisplayProperty":     "model",
	"secondaryDisplayProperties": []string{"year"},
	"associatedObjects":          []string{"CONTACT"},
}

var schemaKeys = []string{"id", "objectTypeId", "name", "fullyQualifiedName", "labels", "requiredProperties",
	"searchableProperties", "primaryDisplayProperty", "secondaryDisplayProperties", "properties", "associations",
	"createdAt", "updatedAt", "archived"}

func TestSchemaLifecycle(t *testing.T) {
	a := newTestAPI(t, Options{})
	egg := carsSchema
	r := a.expect(a.do("POST", "/crm-object-schemas/v3/schemas", egg), http.StatusCreated)
	s := r.Map(t)
	checkFieldSet(t, "schema", s, schemaKeys...)
	typeID := s["objectTypeId"].(string)
	if !strings.HasPrefix(typeID, "2-") || s["id"] != strings.TrimPrefix(typeID, "2-") || s["fullyQualifiedName"] != "p0_cars" ||
		s["name"] != "cars" || s["primaryDisplayProperty"] != "model" || s["archived"] != false {
		t.Errorf("schema = %v", s)
	}
	if l := s["labels"].(map[string]any); l["singular"] != "Car" || l["plural"] != "Cars" {
		t.Errorf("labels = %v", l)
	}
	props := s["properties"].([]any)
	model := resultWith(props, "name", "model")
	if model == nil || resultWith(props, "name", "hs_object_id") == nil {
		t.Fatalf("properties = %v", props)
	}
	checkFieldSet(t, "schema property", model, propertyKeys...)
	if model["modificationMetadata"].(map[string]any)["archivable"] != false { // it is the primary display property
		t.Errorf("model = %v", model)
	}
	assoc := resultWith(s["associations"].([]any), "toObjectTypeId", "0-1")
	if assoc == nil {
		t.Fatalf("associations = %v", s["associations"])
	}
	checkFieldSet(t, "association", assoc, "id", "fromObjectTypeId", "toObjectTypeId", "name")
	if assoc["fromObjectTypeId"] != typeID || assoc["name"] == "" {
		t.Errorf("association = %v", assoc)
	}

	// Both prefixes, trailing slashes and every way to name the object.
	for _, p := range []string{"/crm/v3/schemas/cars", "/crm-object-schemas/v3/schemas/" + typeID + "/",
		"/crm/v3/schemas/p0_cars", "/crm/v3/schemas/p_cars"} {
		g := a.expect(a.do("GET", p, nil), http.StatusOK).Map(t)
		if g["objectTypeId"] != typeID {
			t.Errorf("GET %s = %v", p, g)
		}
	}
	for _, p := range []string{"/crm/v3/schemas", "/crm-object-schemas/v3/schemas/"} {
		l := a.expect(a.do("GET", p, nil), http.StatusOK).Map(t)
		checkFieldSet(t, "schema list", l, "results")
		if res := l["results"].([]any); len(res) != 1 || res[0].(map[string]any)["name"] != "cars" {
			t.Errorf("GET %s = %v", p, l)
		}
	}
	a.expect(a.do("GET", "/crm/v3/schemas/boats", nil), http.StatusNotFound)

	// The fully qualified name works wherever an object is named.
	a.expect(a.do("GET", "/crm/v3/properties/p0_cars/model", nil), http.StatusOK)
	a.expect(a.do("GET", "/crm/v3/properties/p0_cars/groups/cars_information", nil), http.StatusOK)

	// PATCH answers the definition without properties and associations.
	u := a.expect(a.do("PATCH", "/crm/v3/schemas/p0_cars", map[string]any{
		"labels": map[string]string{"singular": "Auto", "plural": "Autos"}, "searchableProperties": []string{"model", "year"},
	}), http.StatusOK).Map(t)
	checkFieldSet(t, "patched", u, "id", "objectTypeId", "name", "fullyQualifiedName", "labels", "requiredProperties",
		"searchableProperties", "primaryDisplayProperty", "secondaryDisplayProperties", "createdAt", "updatedAt", "archived")
	if u["labels"].(map[string]any)["singular"] != "Auto" || len(u["searchableProperties"].([]any)) != 2 {
		t.Errorf("patched = %v", u)
	}
	a.expect(a.do("PATCH", "/crm/v3/schemas/cars", map[string]any{"requiredProperties": []string{"nope"}}), http.StatusBadRequest)
	a.expect(a.do("PATCH", "/crm/v3/schemas/boats", map[string]any{"description": "x"}), http.StatusNotFound)

	// Associations.
	as := a.expect(a.do("POST", "/crm-object-schemas/v3/schemas/cars/associations", map[string]any{
		"fromObjectTypeId": typeID, "toObjectTypeId": "COMPANY", "name": "car_to_company",
	}), http.StatusCreated).Map(t)
	checkFieldSet(t, "new association", as, "id", "fromObjectTypeId", "toObjectTypeId", "name")
	if as["fromObjectTypeId"] != typeID || as["toObjectTypeId"] != "0-2" || as["id"] == "" {
		t.Errorf("association = %v", as)
	}
	if g := a.expect(a.do("GET", "/crm/v3/schemas/cars", nil), http.StatusOK).Map(t); resultWith(g["associations"].([]any), "id", as["id"].(string)) == nil {
		t.Errorf("association %v not listed in %v", as["id"], g["associations"])
	}
	m := a.expect(a.do("POST", "/crm/v3/schemas/cars/associations", map[string]any{"fromObjectTypeId": typeID}), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "toObjectTypeId") {
		t.Errorf("missing toObjectTypeId = %v", m)
	}
	a.expect(a.do("POST", "/crm/v3/schemas/cars/associations", map[string]any{"fromObjectTypeId": "0-1", "toObjectTypeId": "0-2"}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/schemas/cars/associations", map[string]any{"toObjectTypeId": "nothings"}), http.StatusBadRequest)

	// Delete: refused with records, hard delete unsupported, then archived.
	rec, err := a.store.CreateRecord(t.Context(), "cars", map[string]string{"model": "T"}, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	d := a.expect(a.do("DELETE", "/crm/v3/schemas/cars", nil), http.StatusBadRequest).Map(t)
	if !strings.Contains(d["message"].(string), "records") {
		t.Errorf("delete with records = %v", d)
	}
	h := a.expect(a.do("DELETE", "/crm/v3/schemas/cars?archived=true", nil), http.StatusBadRequest).Map(t)
	if !strings.Contains(h["message"].(string), "not supported") {
		t.Errorf("hard delete = %v", h)
	}
	if err := a.store.ArchiveRecord(t.Context(), "cars", rec.ID, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	expectEmpty204(t, a, a.do("DELETE", "/crm-object-schemas/v3/schemas/p0_cars", nil))
	a.expect(a.do("GET", "/crm/v3/schemas/cars", nil), http.StatusNotFound)
	a.expect(a.do("DELETE", "/crm/v3/schemas/cars", nil), http.StatusNotFound)
	g := a.expect(a.do("GET", "/crm/v3/schemas/p0_cars?archived=true", nil), http.StatusOK).Map(t)
	if g["archived"] != true || g["objectTypeId"] != typeID {
		t.Errorf("archived schema = %v", g)
	}
	l := a.expect(a.do("GET", "/crm/v3/schemas?archived=true", nil), http.StatusOK).Map(t)
	if len(l["results"].([]any)) != 1 {
		t.Errorf("archived list = %v", l)
	}
	if l := a.expect(a.do("GET", "/crm/v3/schemas", nil), http.StatusOK).Map(t); len(l["results"].([]any)) != 0 {
		t.Errorf("live list = %v", l)
	}
	// The archived name stays taken.
	a.expect(a.do("POST", "/crm/v3/schemas", egg), http.StatusConflict)
}

func TestSchemaCreateValidation(t *testing.T) {
	a := newTestAPI(t, Options{})
	a.expect(a.do("POST", "/crm/v3/schemas", carsSchema), http.StatusCreated)
	c := a.expect(a.do("POST", "/crm/v3/schemas/", carsSchema), http.StatusConflict).Map(t)
	if c["category"] != "CONFLICT" {
		t.Errorf("conflict = %v", c)
	}
	r := a.expect(a.do("POST", "/crm/v3/schemas", map[string]any{
		"name": "boats", "labels": map[string]string{"plural": "Boats"},
		"properties": []map[string]any{{"name": "hull", "label": "Hull", "type": "string", "fieldType": "number"}},
	}), http.StatusBadRequest).Map(t)
	msg := r["message"].(string)
	if !strings.Contains(msg, "labels.singular") || !strings.Contains(msg, "properties[0].fieldType") {
		t.Errorf("validation = %v", r)
	}
	a.expect(a.do("POST", "/crm/v3/schemas", map[string]any{
		"name": "boats", "labels": map[string]string{"singular": "Boat", "plural": "Boats"}, "associatedObjects": []string{"nothings"},
	}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/schemas", `{"name": 5}`), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v3/schemas?archived=perhaps", nil), http.StatusBadRequest)
}
