package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// assocRecord creates a record straight in the store and returns its id.
func assocRecord(t *testing.T, a *testAPI, object string, props map[string]string) int64 {
	t.Helper()
	rec, err := a.store.CreateRecord(t.Context(), object, props, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	return rec.ID
}

// assocDeal holds the properties a deal requires.
var assocDeal = map[string]string{"dealname": "Big", "pipeline": "default", "dealstage": "appointmentscheduled"}

// assocCanon re-encodes JSON with sorted keys, so two documents compare as text.
func assocCanon(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// assocSame fails unless body is the JSON document want.
func assocSame(t *testing.T, body []byte, want string) {
	t.Helper()
	if got, w := assocCanon(t, body), assocCanon(t, []byte(want)); got != w {
		t.Errorf("body\n got %s\nwant %s", got, w)
	}
}

// assocBatchBody decodes a batch answer, checks its timestamps and status,
// and returns it without the timestamps, to compare.
func assocBatchBody(t *testing.T, r response) []byte {
	t.Helper()
	m := r.Map(t)
	for _, k := range []string{"startedAt", "completedAt"} {
		if s, _ := m[k].(string); len(s) != len("2024-01-17T19:55:04.281Z") || !strings.HasSuffix(s, "Z") {
			t.Errorf("%s = %v", k, m[k])
		}
		delete(m, k)
	}
	if m["status"] != "COMPLETE" {
		t.Errorf("status = %v", m["status"])
	}
	out, _ := json.Marshal(m)
	return out
}

// assocList reads one page of associations through the v4 API.
func assocList(t *testing.T, a *testAPI, path string) []byte {
	t.Helper()
	return a.expect(a.do("GET", path, nil), http.StatusOK).Body
}

func TestAssociationsV4CreateReadDelete(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", map[string]string{"email": "ada@example.com"})
	co := assocRecord(t, a, "companies", map[string]string{"name": "Analytical"})
	co2 := assocRecord(t, a, "companies", map[string]string{"name": "Engines"})

	r := a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co),
		`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`), http.StatusCreated)
	assocSame(t, r.Body, fmt.Sprintf(`{"fromObjectTypeId":"0-1","fromObjectId":%d,"toObjectTypeId":"0-2","toObjectId":%d,"labels":["Primary"]}`, c, co))

	// Unlabeled only, with the type id as a string and object type ids in the path.
	r = a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/0-1/%d/associations/0-2/%d", c, co2),
		`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":"279"}]`), http.StatusCreated)
	assocSame(t, r.Body, fmt.Sprintf(`{"fromObjectTypeId":"0-1","fromObjectId":%d,"toObjectTypeId":"0-2","toObjectId":%d,"labels":[]}`, c, co2))

	// Both directions are visible; label is null for unlabeled types.
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"},{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]},
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}]}`, co, co2))
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":2,"label":"Primary"},{"category":"HUBSPOT_DEFINED","typeId":280,"label":null}]}]}`, c))
	// Singular names, as HubSpot's association docs write them.
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/company/%d/associations/contact", co2)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":280,"label":null}]}]}`, c))

	// DELETE removes every type between the two, both directions.
	r = a.expect(a.do("DELETE", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co), nil), http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), `{"results":[]}`)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}]}`, co2))

	// Errors.
	spec := `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]`
	r = a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co), spec), http.StatusBadRequest)
	if m := r.Map(t); m["category"] != "VALIDATION_ERROR" || !strings.Contains(m["message"].(string), "3") {
		t.Errorf("bad type: %v", m)
	}
	r = a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co),
		`[{"associationCategory":"USER_DEFINED","associationTypeId":279}]`), http.StatusBadRequest)
	if m := r.Map(t); !strings.Contains(m["message"].(string), "279") {
		t.Errorf("bad category: %v", m)
	}
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co), `{"associationTypeId":1}`), http.StatusBadRequest)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co), `[]`), http.StatusBadRequest)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/abc/associations/companies/%d", co), `[{"associationTypeId":279}]`), http.StatusNotFound)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/999999", c), `[{"associationTypeId":279}]`), http.StatusNotFound)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/widgets/%d", c, co), `[{"associationTypeId":279}]`), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v4/objects/widgets/1/associations/companies", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v4/objects/contacts/abc/associations/companies", nil), http.StatusNotFound)
	a.expect(a.do("DELETE", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/nope", c), nil), http.StatusNotFound)
	// An unknown but numeric record has no associations.
	assocSame(t, assocList(t, a, "/crm/v4/objects/contacts/999999/associations/companies"), `{"results":[]}`)
}

func TestAssociationsPrimaryCompanyIsReplaced(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	first := assocRecord(t, a, "companies", nil)
	second := assocRecord(t, a, "companies", nil)
	primary := `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, first), primary), http.StatusCreated)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, second), primary), http.StatusCreated)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]},
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"},{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}]}`,
		first, second))
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", first)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":280,"label":null}]}]}`, c))
}

func TestAssociationsDefault(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	co := assocRecord(t, a, "companies", nil)
	// The literal "default" segment reaches the default handler (200, not 201).
	r := a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/default/companies/%d", c, co), nil), http.StatusOK)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}},
		{"from":{"id":"%d"},"to":{"id":"%d"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}}]}`, c, co, co, c))
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}]}`, co))

	// A pair HubSpot defines no type for gets a USER_DEFINED unlabeled one.
	p := assocRecord(t, a, "products", map[string]string{"name": "Widget"})
	r = a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/default/products/%d", c, p), nil), http.StatusOK)
	var body struct {
		Results []struct {
			Spec assocSpecJSON `json:"associationSpec"`
		} `json:"results"`
	}
	r.JSON(t, &body)
	if len(body.Results) != 2 || body.Results[0].Spec.Category != "USER_DEFINED" || body.Results[0].Spec.TypeID < 1000 {
		t.Fatalf("default contact→product: %s", r.Body)
	}
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/products/%d/associations/contacts", p)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"USER_DEFINED","typeId":%d,"label":null}]}]}`, c, body.Results[1].Spec.TypeID))

	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/default/companies/999999", c), nil), http.StatusNotFound)
}

func TestAssociationLabels(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	co := assocRecord(t, a, "companies", nil)

	r := a.expect(a.do("GET", "/crm/v4/associations/contacts/companies/labels", nil), http.StatusOK)
	assocSame(t, r.Body, `{"results":[{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"},{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}`)
	// The dated path serves the same.
	r2 := a.expect(a.do("GET", "/crm/associations/2026-09/contacts/companies/labels", nil), http.StatusOK)
	assocSame(t, r2.Body, string(r.Body))

	// A paired label: 200 (what the SDK expects), both directions.
	r = a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/labels",
		map[string]string{"label": "Employee", "name": "employee", "inverseLabel": "Employer"}), http.StatusOK)
	var created struct {
		Results []assocTypeJSON `json:"results"`
	}
	r.JSON(t, &created)
	if len(created.Results) != 2 {
		t.Fatalf("create label: %s", r.Body)
	}
	fwd, inv := created.Results[0].TypeID, created.Results[1].TypeID
	assocSame(t, r.Body, fmt.Sprintf(`{"results":[{"category":"USER_DEFINED","typeId":%d,"label":"Employee"},{"category":"USER_DEFINED","typeId":%d,"label":"Employer"}]}`, fwd, inv))
	r = a.expect(a.do("GET", "/crm/v4/associations/companies/contacts/labels", nil), http.StatusOK)
	if !strings.Contains(string(r.Body), fmt.Sprintf(`{"category":"USER_DEFINED","typeId":%d,"label":"Employer"}`, inv)) {
		t.Errorf("inverse label missing: %s", r.Body)
	}

	// Used from one side, read with the right label from each side.
	r = a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co),
		fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%d}]`, fwd)), http.StatusCreated)
	assocSame(t, r.Body, fmt.Sprintf(`{"fromObjectTypeId":"0-1","fromObjectId":%d,"toObjectTypeId":"0-2","toObjectId":%d,"labels":["Employee"]}`, c, co))
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null},{"category":"USER_DEFINED","typeId":%d,"label":"Employee"}]}]}`, co, fwd))
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":280,"label":null},{"category":"USER_DEFINED","typeId":%d,"label":"Employer"}]}]}`, c, inv))

	// Rename: 204, seen from both sides.
	r = a.expect(a.do("PUT", "/crm/v4/associations/contacts/companies/labels",
		map[string]any{"associationTypeId": fwd, "label": "Staff", "inverseLabel": "Workplace"}), http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	if b := assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)); !strings.Contains(string(b), `"label":"Staff"`) {
		t.Errorf("renamed label not read: %s", b)
	}
	if b := assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)); !strings.Contains(string(b), `"label":"Workplace"`) {
		t.Errorf("renamed inverse label not read: %s", b)
	}
	a.expect(a.do("PUT", "/crm/v4/associations/contacts/companies/labels", map[string]any{"label": "X"}), http.StatusBadRequest)
	a.expect(a.do("PUT", "/crm/v4/associations/contacts/companies/labels", map[string]any{"associationTypeId": 1, "label": "X"}), http.StatusBadRequest)

	// Errors on create.
	a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/labels", map[string]string{"label": "Staff", "name": "staff2"}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/labels", map[string]string{"name": "nolabel"}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v4/associations/contacts/widgets/labels", map[string]string{"label": "X"}), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v4/associations/widgets/companies/labels", nil), http.StatusNotFound)

	// Delete: 204; the labelled association goes, the unlabeled one stays.
	a.expect(a.do("DELETE", fmt.Sprintf("/crm/v4/associations/contacts/companies/labels/%d", fwd), nil), http.StatusNoContent)
	r = a.expect(a.do("GET", "/crm/v4/associations/contacts/companies/labels", nil), http.StatusOK)
	assocSame(t, r.Body, `{"results":[{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"},{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}`)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":280,"label":null}]}]}`, c))
	a.expect(a.do("DELETE", "/crm/v4/associations/contacts/companies/labels/abc", nil), http.StatusBadRequest)
	a.expect(a.do("DELETE", "/crm/v4/associations/contacts/companies/labels/1", nil), http.StatusBadRequest)

	// A single label reads the same from both sides.
	r = a.expect(a.do("POST", "/crm/v4/associations/deals/contacts/labels", map[string]string{"label": "Decision maker", "name": "decision_maker"}), http.StatusOK)
	r.JSON(t, &created)
	if len(created.Results) != 2 || *created.Results[0].Label != "Decision maker" || *created.Results[1].Label != "Decision maker" {
		t.Errorf("single label: %s", r.Body)
	}
}

func TestAssociationsBatchRead(t *testing.T) {
	a := newTestAPI(t, Options{})
	c1 := assocRecord(t, a, "contacts", nil)
	c2 := assocRecord(t, a, "contacts", nil)
	co1 := assocRecord(t, a, "companies", nil)
	co2 := assocRecord(t, a, "companies", nil)
	for _, co := range []int64{co1, co2} {
		a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/default/companies/%d", c1, co), nil), http.StatusOK)
	}
	unlabeled := `[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]`

	// c2 has none: 207 with HubSpot's error; ids may be numbers.
	r := a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/batch/read",
		fmt.Sprintf(`{"inputs":[{"id":"%d"},{"id":%d}]}`, c1, c2)), http.StatusMultiStatus)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[
		{"from":{"id":"%d"},"to":[{"toObjectId":%d,"associationTypes":%s},{"toObjectId":%d,"associationTypes":%s}]}],
		"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","subCategory":"crm.associations.NO_ASSOCIATIONS_FOUND",
		"message":"No company is associated with contact %d.","context":{"fromObjectId":["%d"]},"links":{},"errors":[]}]}`,
		c1, co1, unlabeled, co2, unlabeled, c2, c2))

	// All found: 200 without errors; after pages within one record.
	r = a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/batch/read",
		fmt.Sprintf(`{"inputs":[{"id":"%d","after":"%d"}]}`, c1, co1)), http.StatusOK)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[
		{"from":{"id":"%d"},"to":[{"toObjectId":%d,"associationTypes":%s}]}]}`, c1, co2, unlabeled))
	r = a.expect(a.do("POST", "/crm/v4/associations/companies/contacts/batch/read",
		fmt.Sprintf(`{"inputs":[{"id":"%d"},{"id":"%d"}]}`, co1, co2)), http.StatusOK)
	if m := r.Map(t); len(m["results"].([]any)) != 2 {
		t.Errorf("reverse batch read: %s", r.Body)
	}

	inputs := make([]map[string]string, 1001)
	for i := range inputs {
		inputs[i] = map[string]string{"id": strconv.Itoa(i + 1)}
	}
	a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": inputs}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v4/associations/contacts/widgets/batch/read", `{"inputs":[]}`), http.StatusNotFound)
	a.expect(a.do("POST", "/crm/v4/associations/contacts/companies/batch/read", `{"inputs":[{"id":"1","after":"x"}]}`), http.StatusBadRequest)
}

func TestAssociationsBatchWrites(t *testing.T) {
	a := newTestAPI(t, Options{})
	c1 := assocRecord(t, a, "contacts", nil)
	c2 := assocRecord(t, a, "contacts", nil)
	co1 := assocRecord(t, a, "companies", nil)
	co2 := assocRecord(t, a, "companies", nil)
	const base = "/crm/v4/associations/contacts/companies/batch/"

	// create: 201, or 207 with the failed input's error.
	r := a.expect(a.do("POST", base+"create", fmt.Sprintf(`{"inputs":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]}]}`, c1, co1)), http.StatusCreated)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[
		{"fromObjectTypeId":"0-1","fromObjectId":%d,"toObjectTypeId":"0-2","toObjectId":%d,"labels":["Primary"]}]}`, c1, co1))
	r = a.expect(a.do("POST", base+"create", fmt.Sprintf(`{"inputs":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]},
		{"from":{"id":"%d"},"to":{"id":"999999"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]}]}`, c2, co2, c2)),
		http.StatusMultiStatus)
	m := r.Map(t)
	errs, _ := m["errors"].([]any)
	if m["numErrors"] != 1.0 || len(m["results"].([]any)) != 1 || len(errs) != 1 {
		t.Fatalf("partial create: %s", r.Body)
	}
	if e := errs[0].(map[string]any); e["category"] != "OBJECT_NOT_FOUND" || e["status"] != "error" || e["context"].(map[string]any)["toObjectId"].([]any)[0] != "999999" {
		t.Errorf("error entry: %v", e)
	}
	// A type that is not one of the pair fails the whole call.
	r = a.expect(a.do("POST", base+"create", fmt.Sprintf(`{"inputs":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":4}]}]}`, c2, co1)), http.StatusBadRequest)
	if !strings.Contains(r.Map(t)["message"].(string), "4") {
		t.Errorf("bad type message: %s", r.Body)
	}

	// associate/default: 200.
	r = a.expect(a.do("POST", base+"associate/default", fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":%d}}]}`, c2, co1)), http.StatusOK)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}},
		{"from":{"id":"%d"},"to":{"id":"%d"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}}]}`, c2, co1, co1, c2))

	// labels/archive: only the named label goes.
	a.expect(a.do("POST", base+"labels/archive", fmt.Sprintf(`{"inputs":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]}]}`, c1, co1)), http.StatusNoContent)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c1)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}]}`, co1))
	a.expect(a.do("POST", base+"labels/archive", fmt.Sprintf(`{"inputs":[
		{"from":{"id":"%d"},"to":{"id":"%d"},"types":[{"associationTypeId":2}]}]}`, c1, co1)), http.StatusBadRequest)

	// archive: everything between each pair; unknown records are no error.
	r = a.expect(a.do("POST", base+"archive", fmt.Sprintf(`{"inputs":[
		{"from":{"id":"%d"},"to":[{"id":"%d"},{"id":"999999"},{"id":"x"}]},{"from":{"id":"%d"},"to":[{"id":"%d"},{"id":"%d"}]}]}`, c1, co1, c2, co1, co2)),
		http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	for _, c := range []int64{c1, c2} {
		assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), `{"results":[]}`)
	}
	for _, co := range []int64{co1, co2} {
		assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), `{"results":[]}`)
	}
}

func TestAssociationsV3(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	lonely := assocRecord(t, a, "contacts", nil)
	co := assocRecord(t, a, "companies", nil)
	d := assocRecord(t, a, "deals", assocDeal)

	r := a.expect(a.do("GET", "/crm/v3/associations/contacts/companies/types", nil), http.StatusOK)
	assocSame(t, r.Body, `{"results":[{"id":"1","name":"contact_to_company"},{"id":"279","name":"contact_to_company_unlabeled"}]}`)
	r = a.expect(a.do("GET", "/crm/v3/associations/deals/contacts/types", nil), http.StatusOK)
	assocSame(t, r.Body, `{"results":[{"id":"3","name":"deal_to_contact"}]}`)
	r = a.expect(a.do("GET", "/crm/v3/associations/companies/companies/types", nil), http.StatusOK)
	if !strings.Contains(string(r.Body), `{"id":"13","name":"parent_to_child_company"}`) {
		t.Errorf("company hierarchy names: %s", r.Body)
	}

	// create by v3 name and by numeric id: 201.
	r = a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/create",
		fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":"%d"},"type":"contact_to_company"}]}`, c, co)), http.StatusCreated)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[{"from":{"id":"%d"},"to":{"id":"%d"},"type":"contact_to_company"}]}`, c, co))
	r = a.expect(a.do("POST", "/crm/v3/associations/deals/contacts/batch/create",
		fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":"%d"},"type":"3"},{"from":{"id":"%d"},"to":{"id":"999999"},"type":"deal_to_contact"}]}`, d, c, d)),
		http.StatusMultiStatus)
	if m := r.Map(t); m["numErrors"] != 1.0 || len(m["results"].([]any)) != 1 {
		t.Errorf("partial v3 create: %s", r.Body)
	}
	a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/create",
		fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":"%d"},"type":"deal_to_contact"}]}`, c, co)), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/create",
		fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":"%d"}}]}`, c, co)), http.StatusBadRequest)

	// read: one entry per type; 207 for a record without associations.
	r = a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/read", fmt.Sprintf(`{"inputs":[{"id":"%d"}]}`, c)), http.StatusOK)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[{"from":{"id":"%d"},"to":[
		{"id":"%d","type":"contact_to_company"},{"id":"%d","type":"contact_to_company_unlabeled"}]}]}`, c, co, co))
	r = a.expect(a.do("POST", "/crm/v3/associations/companies/contacts/batch/read",
		fmt.Sprintf(`{"inputs":[{"id":"%d"}]}`, co)), http.StatusOK)
	assocSame(t, assocBatchBody(t, r), fmt.Sprintf(`{"status":"COMPLETE","results":[{"from":{"id":"%d"},"to":[
		{"id":"%d","type":"company_to_contact"},{"id":"%d","type":"company_to_contact_unlabeled"}]}]}`, co, c, c))
	r = a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/read",
		fmt.Sprintf(`{"inputs":[{"id":"%d"},{"id":"%d"}]}`, c, lonely)), http.StatusMultiStatus)
	if m := r.Map(t); m["numErrors"] != 1.0 || !strings.Contains(string(r.Body), fmt.Sprintf("No company is associated with contact %d.", lonely)) {
		t.Errorf("v3 read 207: %s", r.Body)
	}

	// archive the primary label, then the rest: 204.
	a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/archive",
		fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":"%d"},"type":"contact_to_company"}]}`, c, co)), http.StatusNoContent)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}]}`, co))
	a.expect(a.do("POST", "/crm/v3/associations/contacts/companies/batch/archive",
		fmt.Sprintf(`{"inputs":[{"from":{"id":"%d"},"to":{"id":"%d"},"type":"contact_to_company_unlabeled"}]}`, c, co)), http.StatusNoContent)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), `{"results":[]}`)
	a.expect(a.do("GET", "/crm/v3/associations/contacts/widgets/types", nil), http.StatusNotFound)
}

func TestAssociationsPagingAndDatedPaths(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	var want []int64
	for i := 0; i < 5; i++ {
		co := assocRecord(t, a, "companies", nil)
		want = append(want, co)
		a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/default/companies/%d", c, co), nil), http.StatusOK)
	}
	var got []int64
	path := fmt.Sprintf("/crm/objects/2026-09/contacts/%d/associations/companies?limit=2", c)
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		var page struct {
			Results []struct {
				ToObjectID json.Number `json:"toObjectId"`
			} `json:"results"`
			Paging *struct {
				Next struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		r := a.expect(a.do("GET", path, nil), http.StatusOK)
		r.JSON(t, &page)
		if len(page.Results) > 2 {
			t.Fatalf("page of %d > limit 2", len(page.Results))
		}
		for _, res := range page.Results {
			id, err := res.ToObjectID.Int64()
			if err != nil {
				t.Fatalf("toObjectId %q is not a number", res.ToObjectID)
			}
			got = append(got, id)
		}
		if page.Paging == nil {
			break
		}
		path = fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies?limit=2&after=%s", c, page.Paging.Next.After)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paged ids %v, want %v", got, want)
	}
	for _, q := range []string{"limit=0", "limit=501", "after=abc"} {
		a.expect(a.do("GET", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies?%s", c, q), nil), http.StatusBadRequest)
	}
	// Dated association paths, with and without a trailing slash.
	r := a.expect(a.do("POST", "/crm/associations/2026-09/contacts/companies/batch/read/", fmt.Sprintf(`{"inputs":[{"id":"%d"}]}`, c)), http.StatusOK)
	if m := r.Map(t); len(m["results"].([]any)[0].(map[string]any)["to"].([]any)) != 5 {
		t.Errorf("dated batch read: %s", r.Body)
	}
}

func TestAssociationsOfArchivedRecordsAreHidden(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	co := assocRecord(t, a, "companies", nil)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/default/companies/%d", c, co), nil), http.StatusOK)
	if err := a.store.ArchiveRecord(t.Context(), "contacts", c, crmstore.Source{}); err != nil {
		t.Fatal(err)
	}
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), `{"results":[]}`)
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies", c)), `{"results":[]}`)
	a.expect(a.do("POST", "/crm/v4/associations/companies/contacts/batch/read", fmt.Sprintf(`{"inputs":[{"id":"%d"}]}`, co)), http.StatusMultiStatus)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/companies/%d", c, co), `[{"associationTypeId":1}]`), http.StatusNotFound)
	if err := a.store.RestoreRecord(t.Context(), "contacts", c, crmstore.Source{}); err != nil {
		t.Fatal(err)
	}
	assocSame(t, assocList(t, a, fmt.Sprintf("/crm/v4/objects/companies/%d/associations/contacts", co)), fmt.Sprintf(`{"results":[
		{"toObjectId":%d,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":280,"label":null}]}]}`, c))
}

func TestAssociationLimits(t *testing.T) {
	a := newTestAPI(t, Options{})
	c := assocRecord(t, a, "contacts", nil)
	d1 := assocRecord(t, a, "deals", assocDeal)
	d2 := assocRecord(t, a, "deals", assocDeal)
	const base = "/crm/v4/associations/definitions/configurations/contacts/deals"

	assocSame(t, a.expect(a.do("GET", base, nil), http.StatusOK).Body, `{"results":[]}`)
	r := a.expect(a.do("POST", base+"/batch/create", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":4,"maxToObjectIds":1}]}`), http.StatusCreated)
	assocSame(t, assocBatchBody(t, r), `{"status":"COMPLETE","results":[{"category":"HUBSPOT_DEFINED","typeId":4,"userEnforcedMaxToObjectIds":1}]}`)
	assocSame(t, a.expect(a.do("GET", base, nil), http.StatusOK).Body, `{"results":[{"category":"HUBSPOT_DEFINED","typeId":4,"userEnforcedMaxToObjectIds":1}]}`)

	spec := `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":4}]`
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/deals/%d", c, d1), spec), http.StatusCreated)
	r = a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/deals/%d", c, d2), spec), http.StatusBadRequest)
	if !strings.Contains(r.Map(t)["message"].(string), "limit") {
		t.Errorf("limit message: %s", r.Body)
	}

	r = a.expect(a.do("POST", base+"/batch/update", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":4,"maxToObjectIds":2}]}`), http.StatusOK)
	assocSame(t, assocBatchBody(t, r), `{"status":"COMPLETE","results":[{"category":"HUBSPOT_DEFINED","typeId":4,"userEnforcedMaxToObjectIds":2}]}`)
	a.expect(a.do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%d/associations/deals/%d", c, d2), spec), http.StatusCreated)

	// Bad inputs fail on their own.
	r = a.expect(a.do("POST", "/crm/v4/associations/definitions/configurations/contacts/companies/batch/create",
		`{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":1,"maxToObjectIds":3},{"category":"HUBSPOT_DEFINED","typeId":279,"maxToObjectIds":3},{"typeId":4,"maxToObjectIds":3}]}`),
		http.StatusMultiStatus)
	if m := r.Map(t); m["numErrors"] != 2.0 || len(m["results"].([]any)) != 1 {
		t.Errorf("partial limits: %s", r.Body)
	}

	a.expect(a.do("POST", base+"/batch/purge", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":4}]}`), http.StatusNoContent)
	assocSame(t, a.expect(a.do("GET", base, nil), http.StatusOK).Body, `{"results":[]}`)
	a.expect(a.do("POST", base+"/batch/purge", `{"inputs":[{"typeId":999}]}`), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v4/associations/definitions/configurations/contacts/widgets", nil), http.StatusNotFound)
}
