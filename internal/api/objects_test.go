package api

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// objCreate creates a record through the API and returns its id.
func objCreate(t *testing.T, a *testAPI, object string, body any) string {
	t.Helper()
	m := a.expect(a.do("POST", "/crm/v3/objects/"+object, body), http.StatusCreated).Map(t)
	id, _ := m["id"].(string)
	if id == "" {
		t.Fatalf("create %s: no id in %v", object, m)
	}
	return id
}

// objProps returns the properties of a decoded record.
func objProps(t *testing.T, rec map[string]any) map[string]any {
	t.Helper()
	p, ok := rec["properties"].(map[string]any)
	if !ok {
		t.Fatalf("record without properties: %v", rec)
	}
	return p
}

// objResults returns the results of a decoded list or batch answer.
func objResults(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["results"].([]any)
	if !ok {
		t.Fatalf("answer without results: %v", m)
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}

// objExpectNotFound checks HubSpot's 404 shape.
func objExpectNotFound(t *testing.T, a *testAPI, r response) map[string]any {
	t.Helper()
	m := a.expect(r, http.StatusNotFound).Map(t)
	if m["status"] != "error" || m["category"] != "OBJECT_NOT_FOUND" || m["correlationId"] == "" || m["message"] == "" {
		t.Errorf("404 body = %v", m)
	}
	return m
}

var isoMillis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

func TestObjectsCreateReadUpdateArchive(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("POST", "/crm/v3/objects/contacts", map[string]any{
		"properties": map[string]any{"email": "Ada@Example.com", "firstname": "Ada", "phone": "+44 20 7946 0000"},
	}), http.StatusCreated)
	created := r.Map(t)
	id := created["id"].(string)
	p := objProps(t, created)
	if p["firstname"] != "Ada" || p["hs_object_id"] != id || created["archived"] != false ||
		!isoMillis.MatchString(created["createdAt"].(string)) || !isoMillis.MatchString(created["updatedAt"].(string)) {
		t.Errorf("created = %v", created)
	}

	// Default properties: contacts' default set, nothing else.
	got := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+id, nil), http.StatusOK).Map(t)
	p = objProps(t, got)
	want := []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, want) || p["lastname"] != nil || p["firstname"] != "Ada" {
		t.Errorf("default properties = %v, want keys %v", p, want)
	}
	if _, ok := got["propertiesWithHistory"]; ok {
		t.Error("propertiesWithHistory present without being asked for")
	}

	// Named properties, comma-separated, repeated and mixed.
	for _, q := range []string{"properties=phone,firstname", "properties=phone&properties=firstname", "properties=phone,firstname&properties=phone"} {
		p := objProps(t, a.expect(a.do("GET", "/crm/v3/objects/contacts/"+id+"?"+q, nil), http.StatusOK).Map(t))
		if p["phone"] != "+44 20 7946 0000" || p["firstname"] != "Ada" || p["hs_object_id"] != id {
			t.Errorf("%s: properties = %v", q, p)
		}
		if _, ok := p["email"]; ok {
			t.Errorf("%s: email returned though not asked for: %v", q, p)
		}
	}

	// Update, by id and by idProperty.
	up := a.expect(a.do("PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]any{"lastname": "Lovelace"}}), http.StatusOK).Map(t)
	if objProps(t, up)["lastname"] != "Lovelace" || up["id"] != id {
		t.Errorf("update = %v", up)
	}
	up = a.expect(a.do("PATCH", "/crm/v3/objects/contacts/ada@example.com?idProperty=email",
		map[string]any{"properties": map[string]any{"firstname": "Augusta"}}), http.StatusOK).Map(t)
	if objProps(t, up)["firstname"] != "Augusta" || up["id"] != id {
		t.Errorf("update by email = %v", up)
	}
	byEmail := a.expect(a.do("GET", "/crm/v3/objects/contacts/ADA@example.com?idProperty=email", nil), http.StatusOK).Map(t)
	if byEmail["id"] != id {
		t.Errorf("read by email = %v", byEmail)
	}

	// Archive: 204 without a body; the record is then only found with archived=true.
	del := a.expect(a.do("DELETE", "/crm/v3/objects/contacts/"+id, nil), http.StatusNoContent)
	if len(del.Body) != 0 {
		t.Errorf("DELETE body = %q", del.Body)
	}
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/"+id, nil))
	arch := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil), http.StatusOK).Map(t)
	if arch["archived"] != true || !isoMillis.MatchString(fmt.Sprint(arch["archivedAt"])) {
		t.Errorf("archived read = %v", arch)
	}
	// Archiving again, or a record that never existed, is 204 as in HubSpot.
	a.expect(a.do("DELETE", "/crm/v3/objects/contacts/"+id, nil), http.StatusNoContent)
	a.expect(a.do("DELETE", "/crm/v3/objects/contacts/987654", nil), http.StatusNoContent)
	a.expect(a.do("GET", "/crm/v3/objects/contacts/"+id+"?archived=maybe", nil), http.StatusBadRequest)
}

func TestObjectsPathSpellings(t *testing.T) {
	a := newTestAPI(t, Options{})
	id := objCreate(t, a, "contacts/", map[string]any{"properties": map[string]any{"email": "p@x.com"}})
	for _, path := range []string{
		"/crm/v3/objects/contacts/" + id,
		"/crm/v3/objects/contacts/" + id + "/",
		"/crm/v3/objects/0-1/" + id,
		"/crm/objects/2026-03/contacts/" + id,
		"/crm/objects/2026-09/0-1/" + id,
	} {
		m := a.expect(a.do("GET", path, nil), http.StatusOK).Map(t)
		if m["id"] != id {
			t.Errorf("GET %s = %v", path, m)
		}
	}
	for _, path := range []string{"/crm/v3/objects/contacts", "/crm/v3/objects/contacts/", "/crm/objects/2026-03/contacts", "/crm/objects/2026-03/contacts/"} {
		m := a.expect(a.do("GET", path, nil), http.StatusOK).Map(t)
		if res := objResults(t, m); len(res) != 1 || res[0]["id"] != id {
			t.Errorf("GET %s = %v", path, m)
		}
	}
	// Writes on the dated paths.
	dated := a.expect(a.do("POST", "/crm/objects/2026-03/contacts", map[string]any{"properties": map[string]any{"email": "d@x.com"}}), http.StatusCreated).Map(t)
	a.expect(a.do("PATCH", "/crm/objects/2026-03/contacts/"+dated["id"].(string)+"/", map[string]any{"properties": map[string]any{"firstname": "D"}}), http.StatusOK)
	a.expect(a.do("DELETE", "/crm/objects/2026-03/contacts/"+dated["id"].(string), nil), http.StatusNoContent)
}

func TestObjectsListPaging(t *testing.T) {
	a := newTestAPI(t, Options{})
	inputs := make([]map[string]string, 25)
	for i := range inputs {
		inputs[i] = map[string]string{"email": fmt.Sprintf("u%d@x.com", i), "firstname": fmt.Sprintf("U%d", i)}
	}
	if _, err := a.store.CreateRecords(t.Context(), "contacts", inputs, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	path := "/crm/v3/objects/contacts?limit=10&properties=firstname"
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		m := a.expect(a.do("GET", path, nil), http.StatusOK).Map(t)
		res := objResults(t, m)
		for _, r := range res {
			ids = append(ids, r["id"].(string))
			if _, ok := objProps(t, r)["email"]; ok {
				t.Errorf("email returned though not asked for: %v", r)
			}
		}
		pg, ok := m["paging"]
		if !ok {
			if len(res) != 5 {
				t.Errorf("last page has %d records, want 5", len(res))
			}
			break
		}
		if len(res) != 10 {
			t.Errorf("page %d has %d records", pages, len(res))
		}
		after := pg.(map[string]any)["next"].(map[string]any)["after"].(string)
		path = "/crm/v3/objects/contacts?limit=10&properties=firstname&after=" + after
	}
	if len(ids) != 25 || len(slices.Compact(slices.Clone(ids))) != 25 {
		t.Errorf("paged ids = %v", ids)
	}
	// The default page is 10; the largest 100; more is a 400 naming the limit.
	if res := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts", nil), http.StatusOK).Map(t)); len(res) != 10 {
		t.Errorf("default page = %d records", len(res))
	}
	m := a.expect(a.do("GET", "/crm/v3/objects/contacts?limit=100", nil), http.StatusOK).Map(t)
	if _, ok := m["paging"]; ok || len(objResults(t, m)) != 25 {
		t.Errorf("limit=100: %d results, paging %v", len(objResults(t, m)), m["paging"])
	}
	for _, q := range []string{"limit=101", "limit=0", "limit=x", "after=abc"} {
		r := a.expect(a.do("GET", "/crm/v3/objects/contacts?"+q, nil), http.StatusBadRequest)
		if q == "limit=101" && !strings.Contains(r.Map(t)["message"].(string), "100") {
			t.Errorf("limit=101 message = %s", r.Body)
		}
	}

	// archived=true lists only archived records.
	a.expect(a.do("DELETE", "/crm/v3/objects/contacts/"+ids[3], nil), http.StatusNoContent)
	arch := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts?archived=true", nil), http.StatusOK).Map(t))
	if len(arch) != 1 || arch[0]["id"] != ids[3] || arch[0]["archived"] != true {
		t.Errorf("archived list = %v", arch)
	}
	live := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts?limit=100", nil), http.StatusOK).Map(t))
	if len(live) != 24 {
		t.Errorf("live list has %d records", len(live))
	}
	// An empty object lists nothing, without paging.
	m = a.expect(a.do("GET", "/crm/v3/objects/deals", nil), http.StatusOK).Map(t)
	if _, ok := m["paging"]; ok || len(objResults(t, m)) != 0 || !strings.Contains(string(a.do("GET", "/crm/v3/objects/deals", nil).Body), `"results":[]`) {
		t.Errorf("empty list = %v", m)
	}
}

func TestObjectsPropertiesWithHistory(t *testing.T) {
	a := newTestAPI(t, Options{})
	id := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"firstname": "A", "email": "h@x.com"}})
	for _, v := range []string{"B", "C"} {
		a.expect(a.do("PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]any{"firstname": v}}), http.StatusOK)
	}
	check := func(rec map[string]any) {
		t.Helper()
		h, ok := rec["propertiesWithHistory"].(map[string]any)
		if !ok {
			t.Fatalf("no propertiesWithHistory: %v", rec)
		}
		entries := h["firstname"].([]any)
		var vals []string
		for _, e := range entries {
			em := e.(map[string]any)
			vals = append(vals, em["value"].(string))
			if em["sourceType"] != "API" || !isoMillis.MatchString(em["timestamp"].(string)) {
				t.Errorf("history entry = %v", em)
			}
		}
		if !slices.Equal(vals, []string{"C", "B", "A"}) {
			t.Errorf("history = %v, want newest first", vals)
		}
		if _, ok := h["email"]; ok {
			t.Errorf("history of a property not asked for: %v", h)
		}
	}
	check(a.expect(a.do("GET", "/crm/v3/objects/contacts/"+id+"?propertiesWithHistory=firstname", nil), http.StatusOK).Map(t))
	res := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts?propertiesWithHistory=firstname", nil), http.StatusOK).Map(t))
	check(res[0])

	// With history a page holds at most 50 records.
	inputs := make([]map[string]string, 60)
	for i := range inputs {
		inputs[i] = map[string]string{"firstname": "x"}
	}
	if _, err := a.store.CreateRecords(t.Context(), "contacts", inputs, crmstore.Source{}); err != nil {
		t.Fatal(err)
	}
	m := a.expect(a.do("GET", "/crm/v3/objects/contacts?limit=100&propertiesWithHistory=firstname", nil), http.StatusOK).Map(t)
	if n := len(objResults(t, m)); n != 50 || m["paging"] == nil {
		t.Errorf("history page = %d records, paging %v", n, m["paging"])
	}
}

func TestObjectsEmbeddedAssociations(t *testing.T) {
	a := newTestAPI(t, Options{})
	co := objCreate(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Acme", "domain": "acme.com"}})
	other := objCreate(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Other"}})
	// Created with a Primary company association (type 1), which brings
	// the unlabeled one along, and an unlabeled one to another company.
	c := objCreate(t, a, "contacts", map[string]any{
		"properties": map[string]any{"email": "e@acme.com"},
		"associations": []any{
			map[string]any{"to": map[string]any{"id": co}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}},
			map[string]any{"to": map[string]any{"id": other}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}},
		},
	})
	plain := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "f@acme.com"}})

	type ref struct{ ID, Type string }
	refs := func(rec map[string]any, key string) []ref {
		t.Helper()
		as, ok := rec["associations"].(map[string]any)
		if !ok {
			return nil
		}
		page, ok := as[key].(map[string]any)
		if !ok {
			return nil
		}
		var out []ref
		for _, e := range page["results"].([]any) {
			em := e.(map[string]any)
			out = append(out, ref{em["id"].(string), em["type"].(string)})
		}
		return out
	}
	got := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+c+"?associations=companies", nil), http.StatusOK).Map(t)
	want := []ref{{co, "contact_to_company"}, {co, "contact_to_company_unlabeled"}, {other, "contact_to_company_unlabeled"}}
	if co > other {
		want = []ref{{other, "contact_to_company_unlabeled"}, {co, "contact_to_company"}, {co, "contact_to_company_unlabeled"}}
	}
	if g := refs(got, "companies"); !slices.Equal(g, want) {
		t.Errorf("contact associations = %v, want %v", g, want)
	}
	// The other direction, keyed by the name as requested.
	got = a.expect(a.do("GET", "/crm/v3/objects/companies/"+co+"?associations=0-1", nil), http.StatusOK).Map(t)
	if g := refs(got, "0-1"); !slices.Equal(g, []ref{{c, "company_to_contact"}, {c, "company_to_contact_unlabeled"}}) {
		t.Errorf("company associations = %v", got["associations"])
	}
	// In a list: one lookup per object for the page; records without
	// associations carry none; unknown objects are ignored.
	res := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts?associations=companies&associations=deals,nosuchobject", nil), http.StatusOK).Map(t))
	if len(res) != 2 {
		t.Fatalf("list = %v", res)
	}
	for _, r := range res {
		switch r["id"] {
		case c:
			if len(refs(r, "companies")) != 3 || refs(r, "deals") != nil {
				t.Errorf("listed contact associations = %v", r["associations"])
			}
		case plain:
			if _, ok := r["associations"]; ok {
				t.Errorf("contact without associations has %v", r["associations"])
			}
		}
	}
}

func TestObjectsCreateAssociationRefused(t *testing.T) {
	a := newTestAPI(t, Options{})
	co := objCreate(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Acme"}})
	assoc := func(id any, typeID int, category string) map[string]any {
		return map[string]any{"properties": map[string]any{"firstname": "X"}, "associations": []any{
			map[string]any{"to": map[string]any{"id": id}, "types": []any{map[string]any{"associationCategory": category, "associationTypeId": typeID}}},
		}}
	}
	for name, tc := range map[string]struct {
		body any
		msg  string
	}{
		"missing target":  {assoc("999999", 279, "HUBSPOT_DEFINED"), "999999"},
		"bad id":          {assoc("abc", 279, "HUBSPOT_DEFINED"), "abc"},
		"unknown type":    {assoc(co, 4242, "HUBSPOT_DEFINED"), "4242"},
		"type of a deal":  {assoc(co, 3, "HUBSPOT_DEFINED"), "type 3"},
		"wrong category":  {assoc(co, 279, "USER_DEFINED"), "USER_DEFINED"},
		"no types":        {map[string]any{"associations": []any{map[string]any{"to": map[string]any{"id": co}, "types": []any{}}}}, "types"},
		"archived target": {nil, "does not exist"},
	} {
		if name == "archived target" {
			gone := objCreate(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Gone"}})
			a.expect(a.do("DELETE", "/crm/v3/objects/companies/"+gone, nil), http.StatusNoContent)
			tc.body = assoc(gone, 279, "")
		}
		m := a.expect(a.do("POST", "/crm/v3/objects/contacts", tc.body), http.StatusBadRequest).Map(t)
		if !strings.Contains(m["message"].(string), tc.msg) || m["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s: %v", name, m)
		}
	}
	// Nothing was created by the refused requests.
	if res := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts", nil), http.StatusOK).Map(t)); len(res) != 0 {
		t.Errorf("refused creates left %d contacts", len(res))
	}
	// A numeric id and an absent category are accepted.
	var n int
	fmt.Sscan(co, &n)
	c := objCreate(t, a, "contacts", assoc(n, 279, ""))
	got := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+c+"?associations=companies", nil), http.StatusOK).Map(t)
	if got["associations"] == nil {
		t.Errorf("numeric id association missing: %v", got)
	}

	// A user-defined label limited to one company per contact, and one
	// contact per company: both sides are checked before the record exists.
	at, err := a.store.CreateAssociationLabel(t.Context(), "contacts", "companies", crmstore.LabelInput{Label: "Billing", Name: "billing", Limit: 1, InverseLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	co2 := objCreate(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Two"}})
	billing := func(ids ...string) map[string]any {
		var as []any
		for _, id := range ids {
			as = append(as, map[string]any{"to": map[string]any{"id": id}, "types": []any{map[string]any{"associationCategory": "USER_DEFINED", "associationTypeId": at.TypeID}}})
		}
		return map[string]any{"properties": map[string]any{"firstname": "B"}, "associations": as}
	}
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts", billing(co, co2)), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "at most 1") {
		t.Errorf("over the label limit: %v", m)
	}
	objCreate(t, a, "contacts", billing(co))
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts", billing(co)), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "companies record "+co) {
		t.Errorf("company's inverse limit: %v", m)
	}
	if res := objResults(t, a.expect(a.do("GET", "/crm/v3/objects/contacts", nil), http.StatusOK).Map(t)); len(res) != 2 {
		t.Errorf("%d contacts after refused creates, want 2", len(res))
	}
}

func TestObjectsValidationAndConflict(t *testing.T) {
	a := newTestAPI(t, Options{})
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"nosuchprop": "x", "email": "a@b.c"}}), http.StatusBadRequest).Map(t)
	if m["category"] != "VALIDATION_ERROR" || !strings.Contains(m["message"].(string), "nosuchprop") {
		t.Errorf("unknown property: %v", m)
	}
	errs := m["errors"].([]any)
	ctx := errs[0].(map[string]any)["context"].(map[string]any)
	if fmt.Sprint(ctx["propertyName"]) != "[nosuchprop]" {
		t.Errorf("errors = %v", errs)
	}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "not-an-email"}}), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "email") {
		t.Errorf("bad email: %v", m)
	}
	// Malformed JSON says where.
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts", "{\n \"properties\": {\"email\": }\n}"), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "line 2") {
		t.Errorf("malformed JSON: %v", m)
	}
	a.expect(a.do("POST", "/crm/v3/objects/contacts", ""), http.StatusBadRequest)

	id := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "dup@x.com"}})
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "DUP@x.com"}}), http.StatusConflict).Map(t)
	if m["category"] != "CONFLICT" || !strings.Contains(m["message"].(string), "Existing ID: "+id) ||
		fmt.Sprint(m["context"].(map[string]any)["id"]) != "["+id+"]" {
		t.Errorf("409 = %v", m)
	}
	other := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "other@x.com"}})
	m = a.expect(a.do("PATCH", "/crm/v3/objects/contacts/"+other, map[string]any{"properties": map[string]any{"email": "dup@x.com"}}), http.StatusConflict).Map(t)
	if !strings.Contains(m["message"].(string), id) {
		t.Errorf("409 on update = %v", m)
	}
	m = a.expect(a.do("PATCH", "/crm/v3/objects/contacts/"+other, map[string]any{"properties": map[string]any{"hs_object_id": "5"}}), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "hs_object_id") {
		t.Errorf("read-only property = %v", m)
	}
	// idProperty that is not unique.
	a.expect(a.do("GET", "/crm/v3/objects/contacts/x?idProperty=firstname", nil), http.StatusBadRequest)
}

func TestObjectsNotFound(t *testing.T) {
	a := newTestAPI(t, Options{})
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/nosuchobject", nil))
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/nosuchobject/1", nil))
	objExpectNotFound(t, a, a.do("POST", "/crm/v3/objects/nosuchobject", map[string]any{"properties": map[string]any{}}))
	objExpectNotFound(t, a, a.do("DELETE", "/crm/v3/objects/2-999/1", nil))
	m := objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/123456", nil))
	if !strings.Contains(m["message"].(string), "resource not found") {
		t.Errorf("message = %v", m["message"])
	}
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/nobody@x.com?idProperty=email", nil))
	objExpectNotFound(t, a, a.do("PATCH", "/crm/v3/objects/contacts/123456", map[string]any{"properties": map[string]any{"firstname": "x"}}))
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/not-a-number", nil))
	// A method the path does not serve is a JSON 404, not Go's 405 text.
	objExpectNotFound(t, a, a.do("POST", "/crm/v3/objects/contacts/1", map[string]any{}))
}

func TestObjectsMerge(t *testing.T) {
	a := newTestAPI(t, Options{})
	p := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "p@x.com", "firstname": "Primary"}})
	m := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "m@x.com", "lastname": "Merged"}})
	got := a.expect(a.do("POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": p, "objectIdToMerge": m}), http.StatusOK).Map(t)
	props := objProps(t, got)
	if got["id"] != p || props["firstname"] != "Primary" || props["lastname"] != "Merged" {
		t.Errorf("merge = %v", got)
	}
	// Reading the merged id answers with the primary.
	if r := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+m, nil), http.StatusOK).Map(t); r["id"] != p {
		t.Errorf("read of merged id = %v", r)
	}
	a.expect(a.do("POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": p, "objectIdToMerge": "x"}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": p, "objectIdToMerge": p}), http.StatusBadRequest)
	objExpectNotFound(t, a, a.do("POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": p, "objectIdToMerge": "99999"}))
}

func TestObjectsGDPRDelete(t *testing.T) {
	a := newTestAPI(t, Options{})
	id := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "gdpr@x.com"}})
	r := a.expect(a.do("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]any{"objectId": id}), http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("body = %q", r.Body)
	}
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil))
	// By email, and for an archived contact.
	id = objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "gdpr2@x.com"}})
	a.expect(a.do("POST", "/crm/objects/2026-03/contacts/gdpr-delete", map[string]any{"objectId": "GDPR2@x.com", "idProperty": "email"}), http.StatusNoContent)
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil))
	id = objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "gdpr3@x.com"}})
	a.expect(a.do("DELETE", "/crm/v3/objects/contacts/"+id, nil), http.StatusNoContent)
	a.expect(a.do("POST", "/crm/v3/objects/0-1/gdpr-delete", map[string]any{"objectId": id}), http.StatusNoContent)
	objExpectNotFound(t, a, a.do("GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil))
	// The email is free again.
	objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "gdpr3@x.com"}})
	// Unknown contacts: 204, as HubSpot answers.
	a.expect(a.do("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]any{"objectId": "nobody@x.com", "idProperty": "email"}), http.StatusNoContent)
	a.expect(a.do("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]any{}), http.StatusBadRequest)
	objExpectNotFound(t, a, a.do("POST", "/crm/v3/objects/companies/gdpr-delete", map[string]any{"objectId": "1"}))
}

func TestObjectsCustomObject(t *testing.T) {
	a := newTestAPI(t, Options{})
	obj, err := a.store.CreateSchema(t.Context(), crmstore.SchemaInput{
		Name:   "cars",
		Labels: crmstore.SchemaLabels{Singular: "Car", Plural: "Cars"},
		Properties: []crmstore.PropertyInput{
			{Name: "model", Label: "Model", Type: crmstore.TypeString, FieldType: "text"},
			{Name: "vin", Label: "VIN", Type: crmstore.TypeString, FieldType: "text", HasUniqueValue: true},
		},
		RequiredProperties: []string{"model"},
		AssociatedObjects:  []string{"contacts"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(obj.TypeID, "2-") {
		t.Fatalf("type id %q", obj.TypeID)
	}
	id := objCreate(t, a, obj.TypeID, map[string]any{"properties": map[string]any{"model": "T", "vin": "V1"}})
	id2 := objCreate(t, a, "p_cars", map[string]any{"properties": map[string]any{"model": "A", "vin": "V2"}})
	for _, ref := range []string{"cars", "p_cars", obj.TypeID} {
		got := a.expect(a.do("GET", "/crm/v3/objects/"+ref+"/"+id+"?properties=model", nil), http.StatusOK).Map(t)
		if objProps(t, got)["model"] != "T" {
			t.Errorf("GET via %s = %v", ref, got)
		}
		res := objResults(t, a.expect(a.do("GET", "/crm/objects/2026-03/"+ref, nil), http.StatusOK).Map(t))
		if len(res) != 2 {
			t.Errorf("list via %s = %v", ref, res)
		}
	}
	// Default properties of a custom object.
	p := objProps(t, a.expect(a.do("GET", "/crm/v3/objects/p_cars/"+id2, nil), http.StatusOK).Map(t))
	if p["hs_object_id"] != id2 || p["createdate"] == nil {
		t.Errorf("default custom properties = %v", p)
	}
	// Required property, unique property, lookup by it.
	m := a.expect(a.do("POST", "/crm/v3/objects/p_cars", map[string]any{"properties": map[string]any{"vin": "V3"}}), http.StatusBadRequest).Map(t)
	if !strings.Contains(m["message"].(string), "model") {
		t.Errorf("required: %v", m)
	}
	m = a.expect(a.do("POST", "/crm/v3/objects/cars", map[string]any{"properties": map[string]any{"model": "B", "vin": "V1"}}), http.StatusConflict).Map(t)
	if !strings.Contains(m["message"].(string), id) {
		t.Errorf("409: %v", m)
	}
	if got := a.expect(a.do("GET", "/crm/v3/objects/cars/V2?idProperty=vin", nil), http.StatusOK).Map(t); got["id"] != id2 {
		t.Errorf("by vin = %v", got)
	}
	// Associations with a custom object, created with the type the schema made.
	types, err := a.store.AssociationTypes(t.Context(), "cars", "contacts")
	if err != nil || len(types) == 0 {
		t.Fatalf("types %v %v", types, err)
	}
	c := objCreate(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "car@x.com"}})
	car := objCreate(t, a, "cars", map[string]any{"properties": map[string]any{"model": "C"}, "associations": []any{
		map[string]any{"to": map[string]any{"id": c}, "types": []any{map[string]any{"associationCategory": types[0].Category, "associationTypeId": types[0].TypeID}}},
	}})
	got := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+c+"?associations=p_cars", nil), http.StatusOK).Map(t)
	as := got["associations"].(map[string]any)["p_cars"].(map[string]any)["results"].([]any)
	if len(as) != 1 || as[0].(map[string]any)["id"] != car {
		t.Errorf("contact's cars = %v", as)
	}
}
