package api

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

var ownerKeys = []string{"id", "email", "type", "firstName", "lastName", "userId", "userIdIncludingInactive",
	"createdAt", "updatedAt", "archived", "teams"}

func TestOwners(t *testing.T) {
	a := newTestAPI(t, Options{})
	var owners []*crmstore.Owner
	for i := range 5 {
		o, err := a.store.CreateOwner(t.Context(), crmstore.OwnerInput{Email: fmt.Sprintf("o%d@x.com", i), FirstName: "Ada",
			LastName: fmt.Sprint(i), Teams: []crmstore.Team{{ID: "7", Name: "Sales", Primary: true}}})
		if err != nil {
			t.Fatal(err)
		}
		owners = append(owners, o)
	}

	// The SDK's trailing slash; shape of an owner.
	r := a.expect(a.do("GET", "/crm/v3/owners/", nil), http.StatusOK)
	m := r.Map(t)
	checkFieldSet(t, "owner list", m, "results")
	res := m["results"].([]any)
	if len(res) != 5 {
		t.Fatalf("owners = %v", res)
	}
	first := res[0].(map[string]any)
	checkFieldSet(t, "owner", first, ownerKeys...)
	if first["id"] != strconv.FormatInt(owners[0].ID, 10) || first["email"] != "o0@x.com" || first["type"] != "PERSON" ||
		first["userId"] != float64(owners[0].UserID) || first["userIdIncludingInactive"] != float64(owners[0].UserID) {
		t.Errorf("owner = %v", first)
	}
	team := first["teams"].([]any)[0].(map[string]any)
	checkFieldSet(t, "team", team, "id", "name", "primary")

	// Paging: paging.next.after until the last page, which has none.
	var seen []string
	after := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("paging does not end")
		}
		m := a.expect(a.do("GET", "/crm/v3/owners?limit=2&after="+after, nil), http.StatusOK).Map(t)
		for _, o := range m["results"].([]any) {
			seen = append(seen, o.(map[string]any)["email"].(string))
		}
		pg, ok := m["paging"].(map[string]any)
		if !ok {
			break
		}
		after = pg["next"].(map[string]any)["after"].(string)
	}
	if len(seen) != 5 || seen[4] != "o4@x.com" {
		t.Errorf("paged owners = %v", seen)
	}

	if m := a.expect(a.do("GET", "/crm/v3/owners?email=O3@x.com", nil), http.StatusOK).Map(t); len(m["results"].([]any)) != 1 {
		t.Errorf("by email = %v", m)
	}
	a.expect(a.do("GET", "/crm/v3/owners?limit=501", nil), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v3/owners?limit=0", nil), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v3/owners?after=abc", nil), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v3/owners?archived=x", nil), http.StatusBadRequest)

	// One owner by id or user id.
	id := strconv.FormatInt(owners[1].ID, 10)
	g := a.expect(a.do("GET", "/crm/v3/owners/"+id, nil), http.StatusOK).Map(t)
	checkFieldSet(t, "owner", g, ownerKeys...)
	if g["email"] != "o1@x.com" {
		t.Errorf("owner = %v", g)
	}
	uid := strconv.FormatInt(owners[1].UserID, 10)
	if g := a.expect(a.do("GET", "/crm/v3/owners/"+uid+"?idProperty=userId", nil), http.StatusOK).Map(t); g["id"] != id {
		t.Errorf("by user id = %v", g)
	}
	a.expect(a.do("GET", "/crm/v3/owners/"+id+"?idProperty=email", nil), http.StatusBadRequest)
	a.expect(a.do("GET", "/crm/v3/owners/999", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v3/owners/abc", nil), http.StatusNotFound)

	// Archived owners only with archived=true.
	if err := a.store.ArchiveOwner(t.Context(), owners[1].ID); err != nil {
		t.Fatal(err)
	}
	a.expect(a.do("GET", "/crm/v3/owners/"+id, nil), http.StatusNotFound)
	if g := a.expect(a.do("GET", "/crm/v3/owners/"+id+"?archived=true", nil), http.StatusOK).Map(t); g["archived"] != true {
		t.Errorf("archived owner = %v", g)
	}
	if m := a.expect(a.do("GET", "/crm/v3/owners?archived=true", nil), http.StatusOK).Map(t); len(m["results"].([]any)) != 1 {
		t.Errorf("archived owners = %v", m)
	}
	if m := a.expect(a.do("GET", "/crm/v3/owners", nil), http.StatusOK).Map(t); len(m["results"].([]any)) != 4 {
		t.Errorf("live owners = %v", m)
	}
	// There is no owner create API.
	a.expect(a.do("POST", "/crm/v3/owners", map[string]any{"email": "x@x.com"}), http.StatusNotFound)
}
