// Package e2e_test runs connectors against a real Tandem: the HubSpot-compatible API of
// internal/api over a crmstore on a temporary SQLite file. It lives outside connectors/ because
// a connector package must never depend on the store, not even in its tests.
package e2e_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot"
	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/api"
)

// tandem starts a Tandem API on loopback and returns a HubSpot connector pointed at it.
func tandem(t *testing.T) (*hubspot.Connector, *crmstore.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := crmstore.Open(ctx, filepath.Join(t.TempDir(), "data"), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	token, _, err := st.CreateToken(ctx, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(api.New(st, api.Options{}).Handler())
	t.Cleanup(hs.Close)
	c, err := hubspot.New(connectors.Config{Name: "tandem-peer", Options: map[string]string{
		"base_url": hs.URL, "token": token, "requests_per_10s": "1000", "search_per_second": "50"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, st
}

func TestHubSpotConnectorAgainstTandem(t *testing.T) {
	c, _ := tandem(t)
	ctx := t.Context()
	if err := c.Test(ctx); err != nil {
		t.Fatalf("test connection: %v", err)
	}

	// Push: 130 creates (two batches), one of them refused.
	changes := make([]connectors.Change, 130)
	for i := range changes {
		changes[i] = connectors.Change{Kind: connectors.OpCreate, Ref: fmt.Sprint(i),
			Fields: map[string]string{"email": fmt.Sprintf("t%d@example.com", i), "firstname": fmt.Sprintf("T%d", i)}}
	}
	changes[64].Fields = map[string]string{"email": "t1@example.com"} // duplicate email
	res, err := c.Push(ctx, "contacts", changes)
	if pe, ok := err.(*connectors.PartialError); !ok || pe.Failed != 1 {
		t.Fatalf("push creates: %v", err)
	}
	if !connectors.IsPermanent(res[64].Err) {
		t.Errorf("duplicate create: %v", res[64].Err)
	}
	ids := make([]string, 0, 129)
	for i, r := range res {
		if i != 64 {
			if r.Err != nil || r.ID == "" || r.Version == "" {
				t.Fatalf("result %d = %+v", i, r)
			}
			ids = append(ids, r.ID)
		}
	}

	// First pull: every record once (listing, then search from the mark).
	recs, cursor := pullAll(t, c, "", []string{"email", "firstname"})
	seen := map[string]connectors.Record{}
	for _, r := range recs {
		seen[r.ID] = r
	}
	if len(seen) != 129 || seen[ids[5]].Fields["firstname"] != "T5" || seen[ids[5]].ModifiedAt.IsZero() {
		t.Fatalf("first pull: %d records; %+v", len(seen), seen[ids[5]])
	}

	// Nothing changed: one call, nothing new.
	again, cursor := pullAll(t, c, cursor, []string{"email"})
	for _, r := range again {
		if r.ModifiedAt.After(seen[r.ID].ModifiedAt) {
			t.Errorf("idle pull returned a change to %s", r.ID)
		}
	}

	// Update and delete through the connector; the pull sees the update.
	res, err = c.Push(ctx, "contacts", []connectors.Change{
		{Kind: connectors.OpUpdate, Ref: "u", ID: ids[10], Fields: map[string]string{"firstname": "Updated"}},
		{Kind: connectors.OpDelete, Ref: "d", ID: ids[11]},
	})
	if err != nil {
		t.Fatalf("push update/delete: %v (%+v)", err, res)
	}
	changed, _ := pullAll(t, c, cursor, []string{"firstname"})
	found := false
	for _, r := range changed {
		if r.ID == ids[10] && r.Fields["firstname"] == "Updated" {
			found = true
		}
	}
	if !found {
		t.Errorf("incremental pull missed the update: %+v", changed)
	}

	// Listing covers the 128 live records; fetch skips the archived one.
	listed := 0
	for cur := ""; ; {
		p, err := c.List(ctx, connectors.PullRequest{Object: "contacts", Cursor: cur, PageSize: 50})
		if err != nil {
			t.Fatal(err)
		}
		listed += len(p.Records)
		if cur = p.Cursor; !p.More {
			break
		}
	}
	if listed != 128 {
		t.Errorf("listed %d, want 128", listed)
	}
	got, err := c.Fetch(ctx, "contacts", []string{ids[10], ids[11]}, []string{"firstname"})
	if err != nil || len(got) != 1 || got[0].Fields["firstname"] != "Updated" {
		t.Errorf("fetch = %+v, %v", got, err)
	}

	// Field definitions and associations.
	fields, err := c.Fields(ctx, "contacts")
	if err != nil || len(fields) == 0 {
		t.Fatalf("fields: %d, %v", len(fields), err)
	}
	comp, err := c.Push(ctx, "companies", []connectors.Change{{Kind: connectors.OpCreate, Ref: "c", Fields: map[string]string{"name": "Acme", "domain": "acme.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := c.Associate(ctx, "contacts", "companies", []connectors.Association{{FromID: ids[0], ToID: comp[0].ID}})
	if err != nil || errs[0] != nil {
		t.Fatalf("associate: %v %v", err, errs)
	}
	links, err := c.Associations(ctx, "companies", "contacts", []string{comp[0].ID})
	if err != nil || len(links[comp[0].ID]) != 1 || links[comp[0].ID][0] != ids[0] {
		t.Errorf("associations = %v, %v", links, err)
	}
}

func pullAll(t *testing.T, c *hubspot.Connector, cursor string, fields []string) ([]connectors.Record, string) {
	t.Helper()
	var out []connectors.Record
	for range 1000 {
		p, err := c.Pull(t.Context(), connectors.PullRequest{Object: "contacts", Cursor: cursor, Fields: fields, PageSize: 40})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Records...)
		cursor = p.Cursor
		if !p.More {
			return out, cursor
		}
	}
	t.Fatal("pull does not end")
	return nil, ""
}
