package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

var searchISO = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// searchDigits matches an after that is an offset rather than a cursor.
var searchDigits = regexp.MustCompile(`^\d+$`)

// searchResults returns the results of a decoded search answer.
func searchResults(t *testing.T, m map[string]any) []map[string]any {
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

// searchProps returns the properties of a decoded record.
func searchProps(t *testing.T, rec map[string]any) map[string]any {
	t.Helper()
	p, ok := rec["properties"].(map[string]any)
	if !ok {
		t.Fatalf("record without properties: %v", rec)
	}
	return p
}

// searchSeed creates n contacts through the store: contact i has email
// c<i>@example.com (every third one at example.org), first name
// Name<i%3> and lifecycle stage lead or customer.
func searchSeed(t *testing.T, a *testAPI, n int) {
	t.Helper()
	var in []map[string]string
	for i := range n {
		domain := "example.com"
		if i%3 == 2 {
			domain = "example.org"
		}
		in = append(in, map[string]string{"email": fmt.Sprintf("c%d@%s", i, domain), "firstname": fmt.Sprintf("Name%d", i%3),
			"lifecyclestage": []string{"lead", "customer"}[i%2]})
	}
	res, err := a.store.CreateRecords(context.Background(), "contacts", in, crmstore.Source{Type: crmstore.SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
}

func TestSearchEndpoint(t *testing.T) {
	a := newTestAPI(t, Options{})
	searchSeed(t, a, 12)
	body := map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{
			map[string]any{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"}}}},
		"sorts":      []any{"email"},
		"properties": []string{"email", "firstname"},
		"limit":      5,
	}
	var emails []string
	pages := 0
	for {
		m := a.expect(a.do("POST", "/crm/v3/objects/contacts/search", body), http.StatusOK).Map(t)
		pages++
		if m["total"] != float64(8) {
			t.Fatalf("total = %v, want 8", m["total"])
		}
		for _, rec := range searchResults(t, m) {
			props := searchProps(t, rec)
			for _, p := range []string{"email", "firstname", "hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"} {
				if _, ok := props[p]; !ok {
					t.Errorf("property %s missing from %v", p, props)
				}
			}
			if _, ok := props["lifecyclestage"]; ok {
				t.Errorf("unrequested property in %v", props)
			}
			if id, _ := rec["id"].(string); id == "" || id != props["hs_object_id"] {
				t.Errorf("id %v, hs_object_id %v", rec["id"], props["hs_object_id"])
			}
			if !searchISO.MatchString(fmt.Sprint(rec["createdAt"])) || !searchISO.MatchString(fmt.Sprint(rec["updatedAt"])) || rec["archived"] != false {
				t.Errorf("record shape: %v", rec)
			}
			emails = append(emails, props["email"].(string))
		}
		pg, ok := m["paging"]
		if !ok {
			break
		}
		after := pg.(map[string]any)["next"].(map[string]any)["after"].(string)
		if after == "" {
			t.Fatalf("paging without after: %v", pg)
		}
		body["after"] = after
	}
	want := "c0@example.com c10@example.com c1@example.com c3@example.com c4@example.com c6@example.com c7@example.com c9@example.com"
	if strings.Join(emails, " ") != want || pages != 2 {
		t.Errorf("%d pages of %v, want 2 pages of %s", pages, emails, want)
	}

	// Sorts as objects, values as numbers, default properties, and the
	// date-versioned path.
	r := a.expect(a.do("POST", "/crm/objects/2026-03/0-1/search", `{
		"filterGroups": [{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}]},
		                 {"filters": [{"propertyName": "hs_object_id", "operator": "IN", "values": [1, 2]}]}],
		"sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
		"limit": 200}`), http.StatusOK)
	m := r.Map(t)
	results := searchResults(t, m)
	if m["total"] != float64(7) || len(results) != 7 {
		t.Fatalf("total %v, %d results", m["total"], len(results))
	}
	if _, ok := m["paging"]; ok {
		t.Errorf("paging on the last page: %v", m["paging"])
	}
	if got := searchProps(t, results[0]); got["email"] != "c10@example.com" || got["lastname"] != nil {
		t.Errorf("first result %v", got)
	}
	for _, p := range []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"} {
		if _, ok := searchProps(t, results[0])[p]; !ok {
			t.Errorf("default property %s missing", p)
		}
	}

	// Free-text query; no match is an empty page with total 0.
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/search", `{"query": "c1"}`), http.StatusOK).Map(t)
	if m["total"] != float64(3) { // c1, c10, c11
		t.Errorf("query total = %v", m["total"])
	}
	m = a.expect(a.do("POST", "/crm/v3/objects/contacts/search", `{"query": "nobody"}`), http.StatusOK).Map(t)
	if res, ok := m["results"].([]any); m["total"] != float64(0) || !ok || len(res) != 0 {
		t.Errorf("no match: %v", m)
	}

	// Search reads its own writes.
	objBody := `{"filterGroups":[{"filters":[{"propertyName":"firstname","operator":"EQ","value":"zed"}]}]}`
	if m := a.expect(a.do("POST", "/crm/v3/objects/contacts/search", objBody), http.StatusOK).Map(t); m["total"] != float64(0) {
		t.Fatalf("before create: %v", m)
	}
	if _, err := a.store.CreateRecord(context.Background(), "contacts", map[string]string{"email": "z@x.com", "firstname": "Zed"}, crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if m := a.expect(a.do("POST", "/crm/v3/objects/contacts/search", objBody), http.StatusOK).Map(t); m["total"] != float64(1) {
		t.Fatalf("after create: %v", m)
	}
}

// TestSearchEndpointOffset: after as an integer offset, the form HubSpot
// documents and its clients compute (after = page*limit).
func TestSearchEndpointOffset(t *testing.T) {
	a := newTestAPI(t, Options{})
	searchSeed(t, a, 6) // by firstname, then id: c0 c3 c1 c4 c2 c5
	search := func(body string) (emails []string, after string, m map[string]any) {
		t.Helper()
		m = a.expect(a.do("POST", "/crm/v3/objects/contacts/search", body), http.StatusOK).Map(t)
		if m["total"] != float64(6) {
			t.Errorf("total = %v, want 6", m["total"])
		}
		for _, rec := range searchResults(t, m) {
			e, _ := searchProps(t, rec)["email"].(string)
			emails = append(emails, strings.TrimSuffix(strings.TrimSuffix(e, "@example.com"), "@example.org"))
		}
		if pg, ok := m["paging"]; ok {
			after, _ = pg.(map[string]any)["next"].(map[string]any)["after"].(string)
			if after == "" || searchDigits.MatchString(after) {
				t.Errorf("paging.next.after = %q, want a cursor", after)
			}
		}
		return emails, after, m
	}
	const sorted = `"filterGroups":[],"sorts":[{"propertyName":"firstname","direction":"ASCENDING"}],"properties":["email"]`

	// The compatibility suite's request: the second page of 4.
	got, after, _ := search(`{` + sorted + `,"limit":4,"after":"4"}`)
	if strings.Join(got, " ") != "c2 c5" || after != "" {
		t.Errorf("after \"4\": %v, next %q; want [c2 c5] and no paging", got, after)
	}
	// An offset as a JSON number; its page's cursor goes on from there.
	got, after, _ = search(`{` + sorted + `,"limit":2,"after":2}`)
	if strings.Join(got, " ") != "c1 c4" || after == "" {
		t.Fatalf("after 2: %v, next %q", got, after)
	}
	got, after, _ = search(`{` + sorted + `,"limit":2,"after":"` + after + `"}`)
	if strings.Join(got, " ") != "c2 c5" || after != "" {
		t.Errorf("after the cursor: %v, next %q", got, after)
	}
	// "0" is the first page; an offset past the end is an empty last page.
	if got, after, _ = search(`{` + sorted + `,"limit":4,"after":"0"}`); strings.Join(got, " ") != "c0 c3 c1 c4" || after == "" {
		t.Errorf("after \"0\": %v, next %q", got, after)
	}
	for _, body := range []string{`{"limit":10,"after":"100"}`, `{` + sorted + `,"limit":4,"after":"6"}`} {
		got, _, m := search(body)
		if res, ok := m["results"].([]any); !ok || len(res) != 0 || len(got) != 0 {
			t.Errorf("%s: results %v", body, m["results"])
		}
		if _, ok := m["paging"]; ok {
			t.Errorf("%s: paging %v", body, m["paging"])
		}
	}
	// With a filter: the offset counts matches only.
	filtered := `{"filterGroups":[{"filters":[{"propertyName":"lifecyclestage","operator":"EQ","value":"lead"}]}],` +
		`"sorts":[{"propertyName":"email","direction":"DESCENDING"}],"properties":["email"],"limit":1,"after":"1"}`
	m := a.expect(a.do("POST", "/crm/v3/objects/contacts/search", filtered), http.StatusOK).Map(t)
	if res := searchResults(t, m); m["total"] != float64(3) || len(res) != 1 || searchProps(t, res[0])["email"] != "c2@example.org" {
		t.Errorf("filtered: %v", m) // leads c0 c2 c4, by email descending: c4 c2 c0
	}
}

func TestSearchEndpointErrors(t *testing.T) {
	a := newTestAPI(t, Options{})
	searchSeed(t, a, 3)
	filter := func(prop, op, value string) string {
		return fmt.Sprintf(`{"filterGroups":[{"filters":[{"propertyName":%q,"operator":%q,"value":%q}]}]}`, prop, op, value)
	}
	group := `{"filters":[{"propertyName":"email","operator":"HAS_PROPERTY"}]}`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"unknown property", filter("shoe_size", "EQ", "9"), `property \"shoe_size\" does not exist on contacts`},
		{"bad operator", filter("email", "STARTS_WITH", "a"), `operator \"STARTS_WITH\" is not one of`},
		{"not a number", filter("associatedcompanyid", "GT", "many"), `\"many\" is not a valid number for property \"associatedcompanyid\"`},
		{"not a date", filter("createdate", "GT", "soon"), `\"soon\" is not a valid date`},
		{"too many groups", `{"filterGroups":[` + strings.TrimSuffix(strings.Repeat(group+",", 6), ",") + `]}`, "too many filter groups"},
		{"unknown sort", `{"sorts":["shoe_size"]}`, `property \"shoe_size\" does not exist`},
		{"limit", `{"limit": 500}`, "limit must be between 1 and 200"},
		{"bad cursor", `{"after": "xyz"}`, `after \"xyz\" is not a paging cursor`},
		{"malformed JSON", "{\n\"limit\": 5,,\n}", "line 2"},
		{"empty body", "", "the request body is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.expect(a.do("POST", "/crm/v3/objects/contacts/search", tc.body), http.StatusBadRequest)
			m := r.Map(t)
			if m["status"] != "error" || m["category"] != "VALIDATION_ERROR" || m["correlationId"] == "" {
				t.Errorf("400 body = %s", r.Body)
			}
			if !strings.Contains(string(r.Body), tc.want) {
				t.Errorf("400 body = %s, want it to contain %s", r.Body, tc.want)
			}
		})
	}
	if m := a.expect(a.do("POST", "/crm/v3/objects/spaceships/search", `{}`), http.StatusNotFound).Map(t); m["category"] != "OBJECT_NOT_FOUND" {
		t.Errorf("unknown object: %v", m)
	}
}
