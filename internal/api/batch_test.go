package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// batchInputs builds {"inputs": [...]} from n inputs made by f.
func batchInputs(n int, f func(i int) map[string]any) map[string]any {
	in := make([]any, n)
	for i := range in {
		in[i] = f(i)
	}
	return map[string]any{"inputs": in}
}

// batchErrors returns the errors of a 207 answer, checking the fields the
// SDK models require.
func batchErrors(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	raw, _ := m["errors"].([]any)
	if m["status"] != "COMPLETE" || fmt.Sprint(m["numErrors"]) != fmt.Sprint(len(raw)) || len(raw) == 0 {
		t.Fatalf("207 body = %v", m)
	}
	out := make([]map[string]any, len(raw))
	for i, e := range raw {
		em := e.(map[string]any)
		for _, k := range []string{"status", "category", "message", "context", "errors", "links"} {
			if _, ok := em[k]; !ok {
				t.Errorf("error without %s: %v", k, em)
			}
		}
		out[i] = em
	}
	return out
}

// batchCheckComplete checks the envelope of a batch answer.
func batchCheckComplete(t *testing.T, m map[string]any) {
	t.Helper()
	if m["status"] != "COMPLETE" || !isoMillis.MatchString(fmt.Sprint(m["startedAt"])) || !isoMillis.MatchString(fmt.Sprint(m["completedAt"])) {
		t.Errorf("batch envelope = %v", m)
	}
}

func ctxValue(e map[string]any, key string) string {
	ctx, _ := e["context"].(map[string]any)
	return fmt.Sprint(ctx[key])
}

func TestBatchCreate(t *testing.T) {
	a := newTestAPI(t, Options{})
	body := batchInputs(3, func(i int) map[string]any {
		return map[string]any{"properties": map[string]any{"email": fmt.Sprintf("b%d@x.com", i), "firstname": fmt.Sprintf("B%d", i)},
			"objectWriteTraceId": fmt.Sprintf("trace-%d", i)}
	})
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/create", body), http.StatusCreated).Map(t)
	batchCheckComplete(t, m)
	if _, ok := m["errors"]; ok {
		t.Errorf("errors on success: %v", m)
	}
	res := objResults(t, m)
	if len(res) != 3 {
		t.Fatalf("results = %v", res)
	}
	for i, r := range res {
		if objProps(t, r)["firstname"] != fmt.Sprintf("B%d", i) || r["objectWriteTraceId"] != fmt.Sprintf("trace-%d", i) {
			t.Errorf("result %d = %v", i, r)
		}
	}
	existing := res[1]["id"].(string)

	// Partial failure: 207; the good inputs are created, each failure
	// names its input by objectWriteTraceId.
	body = map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"email": "new1@x.com"}, "objectWriteTraceId": "ok-1"},
		map[string]any{"properties": map[string]any{"email": "B1@x.com"}, "objectWriteTraceId": "dup"},
		map[string]any{"properties": map[string]any{"email": "new2@x.com", "nosuch": "x"}, "objectWriteTraceId": "bad"},
		map[string]any{"properties": map[string]any{"email": "new3@x.com"}, "objectWriteTraceId": "ok-2"},
	}}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/create", body), http.StatusMultiStatus).Map(t)
	batchCheckComplete(t, m)
	var traces []string
	for _, r := range objResults(t, m) {
		traces = append(traces, r["objectWriteTraceId"].(string))
	}
	if !slices.Equal(traces, []string{"ok-1", "ok-2"}) {
		t.Errorf("results = %v", traces)
	}
	errs := batchErrors(t, m)
	if len(errs) != 2 {
		t.Fatalf("errors = %v", errs)
	}
	dup, bad := errs[0], errs[1]
	if dup["category"] != "CONFLICT" || ctxValue(dup, "objectWriteTraceId") != "[dup]" || ctxValue(dup, "id") != "["+existing+"]" ||
		!strings.Contains(dup["message"].(string), "Existing ID: "+existing) || dup["status"] != "error" {
		t.Errorf("conflict error = %v", dup)
	}
	if bad["category"] != "VALIDATION_ERROR" || ctxValue(bad, "objectWriteTraceId") != "[bad]" || !strings.Contains(bad["message"].(string), "nosuch") {
		t.Errorf("validation error = %v", bad)
	}
	if n := len(objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts?limit=100", nil), http.StatusOK).Map(t))); n != 5 {
		t.Errorf("%d contacts, want 5", n)
	}
}

func TestBatchCreateAssociations(t *testing.T) {
	a := newTestAPI(t, Options{})
	co := objCreate(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Acme"}})
	assoc := func(to string) []any {
		return []any{map[string]any{"to": map[string]any{"id": to}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}}}
	}
	body := map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"firstname": "A"}, "associations": assoc(co), "objectWriteTraceId": "a"},
		map[string]any{"properties": map[string]any{"firstname": "B"}, "associations": assoc("999999"), "objectWriteTraceId": "b"},
		map[string]any{"properties": map[string]any{"firstname": "C"}, "objectWriteTraceId": "c"},
	}}
	m := a.expect(a.do("POST", "/crm/v3/objects/0-1/batch/create", body), http.StatusMultiStatus).Map(t)
	res := objResults(t, m)
	errs := batchErrors(t, m)
	if len(res) != 2 || res[0]["objectWriteTraceId"] != "a" || res[1]["objectWriteTraceId"] != "c" ||
		len(errs) != 1 || ctxValue(errs[0], "objectWriteTraceId") != "[b]" || !strings.Contains(errs[0]["message"].(string), "999999") {
		t.Fatalf("results %v errors %v", res, errs)
	}
	got := a.expect(a.do("GET", "/crm/v3/objects/companies/"+co+"?associations=contacts", nil), http.StatusOK).Map(t)
	as := got["associations"].(map[string]any)["contacts"].(map[string]any)["results"].([]any)
	if len(as) != 1 || as[0].(map[string]any)["id"] != res[0]["id"] || as[0].(map[string]any)["type"] != "company_to_contact_unlabeled" {
		t.Errorf("company's contacts = %v", as)
	}
}

func TestBatchRead(t *testing.T) {
	a := newTestAPI(t, Options{})
	var ids []string
	for i := range 3 {
		ids = append(ids, objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": fmt.Sprintf("r%d@x.com", i), "firstname": "R", "phone": "1"}}))
	}
	a.expect(a.do("PATCH", "/crm/v3/objects/contacts/"+ids[0], map[string]any{"properties": map[string]any{"firstname": "R2"}}), http.StatusOK)
	body := map[string]any{"properties": []string{"phone"}, "propertiesWithHistory": []string{"firstname"},
		"inputs": []any{map[string]any{"id": ids[2]}, map[string]any{"id": ids[0]}, map[string]any{"id": ids[2]}}}
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/read", body), http.StatusOK).Map(t)
	batchCheckComplete(t, m)
	res := objResults(t, m)
	if len(res) != 2 || res[0]["id"] != ids[2] || res[1]["id"] != ids[0] {
		t.Fatalf("results = %v", res)
	}
	p := objProps(t, res[1])
	if p["phone"] != "1" || p["hs_object_id"] != ids[0] {
		t.Errorf("properties = %v", p)
	}
	if _, ok := p["email"]; ok {
		t.Errorf("email returned though not asked for: %v", p)
	}
	h := res[1]["propertiesWithHistory"].(map[string]any)["firstname"].([]any)
	if len(h) != 2 || h[0].(map[string]any)["value"] != "R2" {
		t.Errorf("history = %v", h)
	}

	// Missing ids: 207 with one OBJECT_NOT_FOUND naming them.
	body = map[string]any{"inputs": []any{map[string]any{"id": ids[1]}, map[string]any{"id": "424242"}, map[string]any{"id": 434343}}}
	m = a.expect(a.do("POST", "/crm/objects/2026-03/contacts/batch/read/", body), http.StatusMultiStatus).Map(t)
	errs := batchErrors(t, m)
	if len(objResults(t, m)) != 1 || len(errs) != 1 || errs[0]["category"] != "OBJECT_NOT_FOUND" ||
		ctxValue(errs[0], "ids") != "[424242 434343]" || !strings.Contains(errs[0]["message"].(string), "CONTACT") {
		t.Errorf("207 = %v", m)
	}

	// By a unique property; archived=true reads only archived records.
	body = map[string]any{"idProperty": "email", "inputs": []any{map[string]any{"id": "R1@x.com"}}}
	res = objResults(t, a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/read", body), http.StatusOK).Map(t))
	if len(res) != 1 || res[0]["id"] != ids[1] {
		t.Errorf("by email = %v", res)
	}
	a.expect(a.do("DELETE", "/crm/v3/objects/contacts/"+ids[1], nil), http.StatusNoContent)
	body = map[string]any{"inputs": []any{map[string]any{"id": ids[1]}, map[string]any{"id": ids[0]}}}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/read?archived=true", body), http.StatusMultiStatus).Map(t)
	if res := objResults(t, m); len(res) != 1 || res[0]["id"] != ids[1] || res[0]["archived"] != true {
		t.Errorf("archived read = %v", m)
	}
}

func TestBatchUpdate(t *testing.T) {
	a := newTestAPI(t, Options{})
	x := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "x@x.com"}})
	y := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "y@x.com"}})
	body := map[string]any{"inputs": []any{
		map[string]any{"id": y, "properties": map[string]any{"firstname": "Y"}, "objectWriteTraceId": "ty"},
		map[string]any{"id": "x@x.com", "idProperty": "email", "properties": map[string]any{"firstname": "X"}},
	}}
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/update", body), http.StatusOK).Map(t)
	batchCheckComplete(t, m)
	res := objResults(t, m)
	if len(res) != 2 || res[0]["id"] != y || objProps(t, res[0])["firstname"] != "Y" || res[0]["objectWriteTraceId"] != "ty" ||
		res[1]["id"] != x || objProps(t, res[1])["firstname"] != "X" {
		t.Errorf("results = %v", res)
	}
	// A missing record and a bad value fail alone.
	body = map[string]any{"inputs": []any{
		map[string]any{"id": "99999", "properties": map[string]any{"firstname": "N"}, "objectWriteTraceId": "missing"},
		map[string]any{"id": x, "properties": map[string]any{"email": "y@x.com"}, "objectWriteTraceId": "dup"},
		map[string]any{"id": y, "properties": map[string]any{"lastname": "Why"}, "objectWriteTraceId": "fine"},
	}}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/update", body), http.StatusMultiStatus).Map(t)
	errs := batchErrors(t, m)
	if len(errs) != 2 || errs[0]["category"] != "OBJECT_NOT_FOUND" || ctxValue(errs[0], "ids") != "[99999]" || ctxValue(errs[0], "objectWriteTraceId") != "[missing]" ||
		errs[1]["category"] != "CONFLICT" || ctxValue(errs[1], "id") != "["+y+"]" || ctxValue(errs[1], "objectWriteTraceId") != "[dup]" {
		t.Errorf("errors = %v", errs)
	}
	if res := objResults(t, m); len(res) != 1 || objProps(t, res[0])["lastname"] != "Why" || res[0]["objectWriteTraceId"] != "fine" {
		t.Errorf("results = %v", res)
	}
	// A bad idProperty refuses the whole batch.
	body = map[string]any{"inputs": []any{map[string]any{"id": "X", "idProperty": "firstname", "properties": map[string]any{"lastname": "L"}}}}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/update", body), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "firstname") {
		t.Errorf("bad idProperty = %v", m)
	}
}

func TestBatchUpsert(t *testing.T) {
	a := newTestAPI(t, Options{})
	old := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "old@x.com", "firstname": "Old"}})
	body := map[string]any{"inputs": []any{
		map[string]any{"id": "new@x.com", "idProperty": "email", "properties": map[string]any{"firstname": "New"}, "objectWriteTraceId": "n"},
		map[string]any{"id": "OLD@x.com", "idProperty": "email", "properties": map[string]any{"lastname": "Updated"}, "objectWriteTraceId": "o"},
	}}
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/upsert", body), http.StatusOK).Map(t)
	batchCheckComplete(t, m)
	res := objResults(t, m)
	if len(res) != 2 || res[0]["new"] != true || objProps(t, res[0])["email"] != "new@x.com" || res[0]["objectWriteTraceId"] != "n" ||
		res[1]["new"] != false || res[1]["id"] != old || objProps(t, res[1])["lastname"] != "Updated" || objProps(t, res[1])["firstname"] != "Old" {
		t.Errorf("results = %v", res)
	}
	// Once more: nothing is new.
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/upsert", body), http.StatusOK).Map(t)
	for _, r := range objResults(t, m) {
		if r["new"] != false {
			t.Errorf("second upsert created %v", r)
		}
	}
	// A bad value fails its input only.
	body = map[string]any{"inputs": []any{
		map[string]any{"id": "z@x.com", "idProperty": "email", "properties": map[string]any{"nosuch": "1"}, "objectWriteTraceId": "z"},
		map[string]any{"id": "w@x.com", "idProperty": "email", "properties": map[string]any{"firstname": "W"}},
	}}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/upsert", body), http.StatusMultiStatus).Map(t)
	errs := batchErrors(t, m)
	if len(errs) != 1 || ctxValue(errs[0], "objectWriteTraceId") != "[z]" || len(objResults(t, m)) != 1 {
		t.Errorf("207 = %v", m)
	}
	// Inputs must share one idProperty, and there must be one.
	body = map[string]any{"inputs": []any{
		map[string]any{"id": "a@x.com", "idProperty": "email", "properties": map[string]any{}},
		map[string]any{"id": "1", "properties": map[string]any{}},
	}}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/upsert", body), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "idProperty") {
		t.Errorf("mixed idProperty = %v", m)
	}
	body = map[string]any{"inputs": []any{map[string]any{"id": "1", "properties": map[string]any{}}}}
	a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/upsert", body), http.StatusBadRequest)
}

func TestBatchArchive(t *testing.T) {
	a := newTestAPI(t, Options{})
	x := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "x@x.com"}})
	y := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "y@x.com"}})
	keep := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "k@x.com"}})
	body := map[string]any{"inputs": []any{map[string]any{"id": x}, map[string]any{"id": "99999"}, map[string]any{"id": "nope"}, map[string]any{"id": y}, map[string]any{"id": x}}}
	r := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/archive", body), http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("body = %q", r.Body)
	}
	res := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts", nil), http.StatusOK).Map(t))
	if len(res) != 1 || res[0]["id"] != keep {
		t.Errorf("live contacts = %v", res)
	}
	// Archiving them again is fine.
	a.expect(a.do("POST", "/crm/objects/2026-03/contacts/batch/archive", body), http.StatusNoContent)
}

func TestBatchLimits(t *testing.T) {
	a := newTestAPI(t, Options{})
	for _, action := range []string{"read", "create", "update", "upsert", "archive"} {
		path := "/crm/v3/objects/contacts/batch/" + action
		body := batchInputs(101, func(i int) map[string]any {
			return map[string]any{"id": fmt.Sprint(i + 1), "idProperty": "email", "properties": map[string]any{}}
		})
		m := a.expect(a.do("POST", path, body), http.StatusBadRequest).Map(t)
		if !strings.Contains(m["message"].(string), "100") || m["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s with 101 inputs: %v", action, m)
		}
		a.expect(a.do("POST", path, map[string]any{"inputs": []any{}}), http.StatusBadRequest)
		a.expect(a.do("POST", path, `{"inputs": [`), http.StatusBadRequest)
	}
	objExpectNotFound(t, a, a.do("POST", "/crm/v3/objects/nosuch/batch/read", map[string]any{"inputs": []any{map[string]any{"id": "1"}}}))
	// Exactly 100 is fine.
	body := batchInputs(100, func(i int) map[string]any {
		return map[string]any{"properties": map[string]any{"email": fmt.Sprintf("l%d@x.com", i)}}
	})
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/create", body), http.StatusCreated).Map(t)
	if len(objResults(t, m)) != 100 {
		t.Errorf("%d results", len(objResults(t, m)))
	}
}

func TestBatchCreateAtomicWithoutTraceIDs(t *testing.T) {
	a := newTestAPI(t, Options{})
	body := map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"email": "good@example.com"}},
		map[string]any{"properties": map[string]any{"email": "not-an-email"}},
	}}
	r := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/create", body), 400)
	if m := r.Map(t); m["category"] != "VALIDATION_ERROR" || !strings.Contains(m["message"].(string), "email") {
		t.Errorf("atomic refusal = %v", m)
	}
	list := a.expect(a.do("GET", "/crm/v3/objects/contacts", nil), 200).Map(t)
	if n := len(list["results"].([]any)); n != 0 {
		t.Errorf("a refused batch created %d records", n)
	}
	// With a unique objectWriteTraceId on every input, inputs fail one by one.
	body = map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"email": "good@example.com"}, "objectWriteTraceId": "t1"},
		map[string]any{"properties": map[string]any{"email": "not-an-email"}, "objectWriteTraceId": "t2"},
	}}
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/batch/create", body), 207).Map(t)
	if m["numErrors"] != float64(1) || len(m["results"].([]any)) != 1 {
		t.Errorf("partial batch = %v", m)
	}
}
