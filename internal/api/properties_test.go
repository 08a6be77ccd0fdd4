package api

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// checkFieldSet fails unless m has exactly the keys want.
func checkFieldSet(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want = slices.Clone(want)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s keys = %v, want %v", what, got, want)
	}
}

// expectEmpty204 checks a DELETE-style answer: 204 with no body.
func expectEmpty204(t *testing.T, a *testAPI, r response) {
	t.Helper()
	a.expect(r, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 body = %q, want empty", r.Body)
	}
}

var propertyKeys = []string{"name", "label", "type", "fieldType", "description", "groupName", "options", "displayOrder",
	"hidden", "formField", "hasUniqueValue", "calculated", "externalOptions", "hubspotDefined", "modificationMetadata",
	"createdAt", "updatedAt", "archived"}

func resultWith(results []any, key, value string) map[string]any {
	for _, r := range results {
		if m, ok := r.(map[string]any); ok && m[key] == value {
			return m
		}
	}
	return nil
}

var colorProperty = map[string]any{
	"name": "favorite_color", "label": "Favorite color", "type": "enumeration", "fieldType": "select",
	"groupName": "contactinformation", "description": "Which color",
	"options": []map[string]any{
		{"label": "Red", "value": "red", "displayOrder": 0, "hidden": false},
		{"label": "Blue", "value": "blue", "description": "the sky", "displayOrder": 1, "hidden": false},
	},
}

func TestPropertiesListAndGet(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("GET", "/crm/v3/properties/contacts", nil), http.StatusOK)
	m := r.Map(t)
	checkFieldSet(t, "list", m, "results")
	email := resultWith(m["results"].([]any), "name", "email")
	if email == nil {
		t.Fatalf("no email property in %s", r.Body)
	}
	checkFieldSet(t, "property", email, propertyKeys...)
	checkFieldSet(t, "modificationMetadata", email["modificationMetadata"].(map[string]any),
		"archivable", "readOnlyDefinition", "readOnlyOptions", "readOnlyValue")
	if email["hubspotDefined"] != true || email["modificationMetadata"].(map[string]any)["archivable"] != false {
		t.Errorf("email = %v", email)
	}
	if owner := resultWith(m["results"].([]any), "name", "hubspot_owner_id"); owner == nil || owner["referencedObjectType"] != "OWNER" {
		t.Errorf("hubspot_owner_id = %v", owner)
	}

	// Trailing slash, object type id and the date-versioned path.
	for _, p := range []string{"/crm/v3/properties/contacts/email/", "/crm/v3/properties/0-1/email", "/crm/properties/2026-03/contacts/email"} {
		g := a.expect(a.do("GET", p, nil), http.StatusOK).Map(t)
		if g["name"] != "email" || g["type"] != "string" {
			t.Errorf("GET %s = %v", p, g)
		}
	}
	a.expect(a.do("GET", "/crm/v3/properties/contacts/nope", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v3/properties/nothings", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v3/properties/contacts?archived=maybe", nil), http.StatusBadRequest)
}

func TestPropertyLifecycle(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("POST", "/crm/v3/properties/contacts/", colorProperty), http.StatusCreated)
	p := r.Map(t)
	checkFieldSet(t, "created", p, propertyKeys...)
	if p["displayOrder"] != float64(-1) || p["hubspotDefined"] != false || p["archived"] != false {
		t.Errorf("created = %v", p)
	}
	opts := p["options"].([]any)
	if len(opts) != 2 {
		t.Fatalf("options = %v", opts)
	}
	checkFieldSet(t, "option", opts[0].(map[string]any), "label", "value", "description", "displayOrder", "hidden")
	if opts[1].(map[string]any)["description"] != "the sky" {
		t.Errorf("option = %v", opts[1])
	}
	if mm := p["modificationMetadata"].(map[string]any); mm["archivable"] != true || mm["readOnlyDefinition"] != false {
		t.Errorf("modificationMetadata = %v", mm)
	}

	// Same name again: 409.
	c := a.expect(a.do("POST", "/crm/v3/properties/contacts", colorProperty), http.StatusConflict).Map(t)
	if c["category"] != "CONFLICT" {
		t.Errorf("conflict = %v", c)
	}

	u := a.expect(a.do("PATCH", "/crm/v3/properties/contacts/favorite_color", map[string]any{"label": "Colour", "displayOrder": 3}), http.StatusOK).Map(t)
	if u["label"] != "Colour" || u["displayOrder"] != float64(3) || u["type"] != "enumeration" {
		t.Errorf("updated = %v", u)
	}
	a.expect(a.do("PATCH", "/crm/v3/properties/contacts/nope", map[string]any{"label": "x"}), http.StatusNotFound)
	bad := a.expect(a.do("PATCH", "/crm/v3/properties/contacts/favorite_color", map[string]any{"fieldType": "number"}), http.StatusBadRequest).Map(t)
	if !strings.Contains(bad["message"].(string), "fieldType") {
		t.Errorf("bad update = %v", bad)
	}

	expectEmpty204(t, a, a.do("DELETE", "/crm/v3/properties/contacts/favorite_color", nil))
	a.expect(a.do("GET", "/crm/v3/properties/contacts/favorite_color", nil), http.StatusNotFound)
	a.expect(a.do("DELETE", "/crm/v3/properties/contacts/favorite_color", nil), http.StatusNotFound)
	g := a.expect(a.do("GET", "/crm/v3/properties/contacts/favorite_color?archived=true", nil), http.StatusOK).Map(t)
	if g["archived"] != true || g["archivedAt"] == nil {
		t.Errorf("archived property = %v", g)
	}
	l := a.expect(a.do("GET", "/crm/v3/properties/contacts?archived=true", nil), http.StatusOK).Map(t)
	if res := l["results"].([]any); len(res) != 1 || resultWith(res, "name", "favorite_color") == nil {
		t.Errorf("archived list = %v", l)
	}
	// A live property has no archivedAt.
	if e := a.expect(a.do("GET", "/crm/v3/properties/contacts/email", nil), http.StatusOK).Map(t); e["archivedAt"] != nil {
		t.Errorf("live property has archivedAt: %v", e)
	}

	// HubSpot-defined properties cannot be archived.
	a.expect(a.do("DELETE", "/crm/v3/properties/contacts/email", nil), http.StatusBadRequest)
}

func TestPropertyCreateValidation(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("POST", "/crm/v3/properties/contacts", map[string]any{
		"name": "shoe_size", "type": "number", "fieldType": "select", "groupName": "contactinformation",
	}), http.StatusBadRequest)
	m := r.Map(t)
	msg := m["message"].(string)
	if m["category"] != "VALIDATION_ERROR" || !strings.Contains(msg, "label") || !strings.Contains(msg, "fieldType") {
		t.Errorf("validation error = %v", m)
	}
	var fields []string
	for _, e := range m["errors"].([]any) {
		fields = append(fields, e.(map[string]any)["in"].(string))
	}
	if !slices.Contains(fields, "label") || !slices.Contains(fields, "fieldType") {
		t.Errorf("errors[].in = %v", fields)
	}
	// Unknown group, malformed JSON, empty body, unknown object.
	a.expect(a.do("POST", "/crm/v3/properties/contacts", map[string]any{
		"name": "shoe_size", "label": "Shoe", "type": "number", "fieldType": "number", "groupName": "nope",
	}), http.StatusBadRequest)
	j := a.expect(a.do("POST", "/crm/v3/properties/contacts", "{\"name\": \"x\",\n\"label\": }"), http.StatusBadRequest).Map(t)
	if !strings.Contains(j["message"].(string), "line 2") {
		t.Errorf("malformed JSON = %v", j)
	}
	a.expect(a.do("POST", "/crm/v3/properties/contacts", ""), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/properties/nothings", colorProperty), http.StatusNotFound)
}

func TestPropertyBatch(t *testing.T) {
	a := newTestAPI(t, Options{})
	// batch/read: all found is 200, some missing is 207.
	r := a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/read", map[string]any{
		"archived": false, "inputs": []map[string]string{{"name": "email"}, {"name": "firstname"}},
	}), http.StatusOK)
	m := r.Map(t)
	checkFieldSet(t, "batch read", m, "status", "results", "startedAt", "completedAt")
	if m["status"] != "COMPLETE" || len(m["results"].([]any)) != 2 {
		t.Errorf("batch read = %v", m)
	}
	r = a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/read", map[string]any{
		"inputs": []map[string]string{{"name": "email"}, {"name": "nope"}},
	}), http.StatusMultiStatus)
	m = r.Map(t)
	checkFieldSet(t, "batch read 207", m, "status", "results", "numErrors", "errors", "startedAt", "completedAt")
	if m["numErrors"] != float64(1) || len(m["results"].([]any)) != 1 {
		t.Errorf("batch read 207 = %v", m)
	}
	e := m["errors"].([]any)[0].(map[string]any)
	checkFieldSet(t, "batch error", e, "status", "category", "message", "errors", "context", "links")
	if e["category"] != "OBJECT_NOT_FOUND" || e["context"].(map[string]any)["name"].([]any)[0] != "nope" {
		t.Errorf("batch error = %v", e)
	}

	// batch/create: all good is 201, a bad input is 207 with the good ones made.
	good := func(name string) map[string]any {
		return map[string]any{"name": name, "label": name, "type": "string", "fieldType": "text", "groupName": "contactinformation"}
	}
	r = a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/create", map[string]any{
		"inputs": []map[string]any{good("p_one"), good("p_two")},
	}), http.StatusCreated)
	if m = r.Map(t); len(m["results"].([]any)) != 2 || m["errors"] != nil {
		t.Errorf("batch create = %v", m)
	}
	r = a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/create", map[string]any{
		"inputs": []map[string]any{good("p_three"), {"name": "p_four", "label": "Four", "groupName": "contactinformation"}, good("p_one")},
	}), http.StatusMultiStatus)
	m = r.Map(t)
	if m["numErrors"] != float64(2) || len(m["results"].([]any)) != 1 {
		t.Fatalf("batch create 207 = %v", m)
	}
	errs := m["errors"].([]any)
	if e := errs[0].(map[string]any); e["category"] != "VALIDATION_ERROR" || !strings.Contains(e["message"].(string), "type") ||
		e["context"].(map[string]any)["name"].([]any)[0] != "p_four" {
		t.Errorf("batch create error = %v", e)
	}
	if e := errs[1].(map[string]any); e["category"] != "CONFLICT" {
		t.Errorf("batch create conflict = %v", e)
	}
	a.expect(a.do("GET", "/crm/v3/properties/contacts/p_three", nil), http.StatusOK)

	// batch/archive: 204, unknown names skipped, HubSpot-defined refused.
	expectEmpty204(t, a, a.do("POST", "/crm/v3/properties/contacts/batch/archive", map[string]any{
		"inputs": []map[string]string{{"name": "p_one"}, {"name": "p_two"}, {"name": "nope"}},
	}))
	a.expect(a.do("GET", "/crm/v3/properties/contacts/p_one", nil), http.StatusNotFound)
	a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/archive", map[string]any{
		"inputs": []map[string]string{{"name": "p_three"}, {"name": "email"}},
	}), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v3/properties/contacts/p_three", nil), http.StatusOK)

	// Empty and oversized batches.
	a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/read", map[string]any{"inputs": []any{}}), http.StatusBadRequest)
	many := make([]map[string]string, 101)
	for i := range many {
		many[i] = map[string]string{"name": "email"}
	}
	a.expect(a.do("POST", "/crm/v3/properties/contacts/batch/read", map[string]any{"inputs": many}), http.StatusBadRequest)
}

func TestPropertyGroups(t *testing.T) {
	a := newTestAPI(t, Options{})
	// "groups" is the group list, not a property named groups.
	r := a.expect(a.do("GET", "/crm/v3/properties/contacts/groups", nil), http.StatusOK)
	m := r.Map(t)
	g := resultWith(m["results"].([]any), "name", "contactinformation")
	if g == nil {
		t.Fatalf("groups = %s", r.Body)
	}
	checkFieldSet(t, "group", g, "name", "label", "displayOrder", "archived")

	r = a.expect(a.do("GET", "/crm/v3/properties/contacts/groups/contactinformation/", nil), http.StatusOK)
	checkFieldSet(t, "group", r.Map(t), "name", "label", "displayOrder", "archived")
	a.expect(a.do("GET", "/crm/v3/properties/contacts/groups/nope", nil), http.StatusNotFound)

	c := a.expect(a.do("POST", "/crm/v3/properties/contacts/groups", map[string]any{"name": "extras", "label": "Extras"}), http.StatusCreated).Map(t)
	if c["name"] != "extras" || c["label"] != "Extras" || c["displayOrder"] != float64(-1) || c["archived"] != false {
		t.Errorf("created group = %v", c)
	}
	a.expect(a.do("POST", "/crm/v3/properties/contacts/groups", map[string]any{"name": "extras", "label": "Extras"}), http.StatusConflict)
	v := a.expect(a.do("POST", "/crm/v3/properties/contacts/groups", map[string]any{"name": "more"}), http.StatusBadRequest).Map(t)
	if !strings.Contains(v["message"].(string), "label") {
		t.Errorf("group validation = %v", v)
	}

	u := a.expect(a.do("PATCH", "/crm/v3/properties/contacts/groups/extras", map[string]any{"label": "More extras", "displayOrder": 7}), http.StatusOK).Map(t)
	if u["label"] != "More extras" || u["displayOrder"] != float64(7) {
		t.Errorf("updated group = %v", u)
	}
	a.expect(a.do("PATCH", "/crm/v3/properties/contacts/groups/nope", map[string]any{"label": "x"}), http.StatusNotFound)

	// A group holding live properties cannot be archived.
	p := map[string]any{"name": "in_extras", "label": "In extras", "type": "string", "fieldType": "text", "groupName": "extras"}
	a.expect(a.do("POST", "/crm/v3/properties/contacts", p), http.StatusCreated)
	a.expect(a.do("DELETE", "/crm/v3/properties/contacts/groups/extras", nil), http.StatusBadRequest)
	expectEmpty204(t, a, a.do("DELETE", "/crm/v3/properties/contacts/in_extras", nil))
	expectEmpty204(t, a, a.do("DELETE", "/crm/v3/properties/contacts/groups/extras", nil))
	a.expect(a.do("GET", "/crm/v3/properties/contacts/groups/extras", nil), http.StatusNotFound)
	l := a.expect(a.do("GET", "/crm/v3/properties/contacts/groups?archived=true", nil), http.StatusOK).Map(t)
	if resultWith(l["results"].([]any), "name", "extras") == nil {
		t.Errorf("archived groups = %v", l)
	}
}
