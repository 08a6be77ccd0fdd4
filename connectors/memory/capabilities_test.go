package memory_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
)

func TestList_SkipsTombstonesAndSeesLateCreates(t *testing.T) {
	r := memory.New(memory.Options{PageSize: 2})
	c := r.Connector()
	var ids []string
	for i := range 5 {
		ids = append(ids, r.Put("contacts", map[string]string{"n": fmt.Sprint(i)}))
	}
	mustOK(t, r.Delete("contacts", ids[1]))
	mustOK(t, r.Delete("contacts", ids[2]))
	p, err := c.List(t.Context(), connectors.PullRequest{Object: "contacts"})
	mustOK(t, err)
	late := r.Put("contacts", map[string]string{"n": "late"})
	var got []string
	for _, rec := range p.Records {
		got = append(got, rec.ID)
	}
	for p.More {
		p, err = c.List(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: p.Cursor})
		mustOK(t, err)
		for _, rec := range p.Records {
			got = append(got, rec.ID)
		}
	}
	if want := []string{ids[0], ids[3], ids[4], late}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

func TestAssociations(t *testing.T) {
	r := memory.New(memory.Options{})
	c := r.Connector()
	alice := r.Put("contacts", map[string]string{"email": "alice@example.com"})
	bob := r.Put("contacts", map[string]string{"email": "bob@example.com"})
	acme := r.Put("companies", map[string]string{"domain": "acme.example"})
	gone := r.Put("companies", map[string]string{"domain": "gone.example"})
	mustOK(t, r.Link("contacts", bob, "companies", gone))
	mustOK(t, r.Delete("companies", gone))

	errs, err := c.Associate(t.Context(), "contacts", "companies", []connectors.Association{
		{FromID: alice, ToID: acme},
		{FromID: alice, ToID: "404"},
		{FromID: bob, ToID: acme},
		{FromID: alice, ToID: acme},
	})
	mustOK(t, err)
	for i, wantErr := range []bool{false, true, false, false} {
		if (errs[i] != nil) != wantErr || (wantErr && !connectors.IsPermanent(errs[i])) {
			t.Errorf("pair %d: %v, want error %v (permanent)", i, errs[i], wantErr)
		}
	}
	got, err := c.Associations(t.Context(), "companies", "contacts", []string{acme, gone, "404"})
	mustOK(t, err)
	if fmt.Sprint(got) != fmt.Sprint(map[string][]string{acme: {alice, bob}}) {
		t.Errorf("companies→contacts %v, want acme linked to alice and bob only", got)
	}
	if linked := r.Linked("contacts", bob, "companies"); fmt.Sprint(linked) != fmt.Sprint([]string{acme}) {
		t.Errorf("bob's companies %v, want only acme (gone was deleted)", linked)
	}
	if err := r.Link("contacts", alice, "companies", gone); err == nil || !strings.Contains(err.Error(), gone) {
		t.Errorf("Link to a deleted record: %v, want an error naming it", err)
	}
}

func TestFields(t *testing.T) {
	r := memory.New(memory.Options{Fields: map[string][]connectors.Field{
		"deals": {{Name: "amount", Type: "number"}, {Name: "dealname"}, {Name: "stage", Type: "enumeration", Options: []string{"open", "won"}}},
	}})
	r.Put("contacts", map[string]string{"email": "a@example.com", "city": "Oslo"})
	r.Put("contacts", map[string]string{"phone": "1"})
	c := r.Connector()
	for _, tc := range []struct {
		object string
		want   string
	}{
		{"deals", "amount:number dealname:string stage:enumeration[open won]"},
		{"contacts", "city:string email:string phone:string"},
		{"tickets", ""},
	} {
		fs, err := c.Fields(t.Context(), tc.object)
		mustOK(t, err)
		var parts []string
		for _, f := range fs {
			p := f.Name + ":" + f.Type
			if len(f.Options) > 0 {
				p += fmt.Sprint(f.Options)
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("fields of %s: %q, want %q", tc.object, got, tc.want)
		}
	}
}

func TestFactory(t *testing.T) {
	r := memory.New(memory.Options{})
	for range 5 {
		r.Put("contacts", map[string]string{"n": "x"})
	}
	f := memory.Factory(r)
	for _, tc := range []struct {
		name    string
		options map[string]string
		wantErr string
		pages   int
	}{
		{"defaults", nil, "", 1},
		{"page size", map[string]string{"page_size": "2"}, "", 3},
		{"zero page size", map[string]string{"page_size": "0"}, "option page_size", 0},
		{"text page size", map[string]string{"page_size": "many"}, "option page_size", 0},
		{"unknown option", map[string]string{"token": "x"}, `unknown option "token"`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := f(connectors.Config{Name: "mem", Options: tc.options})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "mem") {
					t.Fatalf("error %v, want one naming the connector and %q", err, tc.wantErr)
				}
				return
			}
			mustOK(t, err)
			pages := 0
			for p := (connectors.Page{More: true}); p.More; pages++ {
				p, err = c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: p.Cursor})
				mustOK(t, err)
			}
			if pages != tc.pages {
				t.Errorf("pulled 5 records in %d pages, want %d", pages, tc.pages)
			}
		})
	}
}
