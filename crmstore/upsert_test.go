package crmstore

import (
	"context"
	"errors"
	"testing"
)

func TestUpsertByUniqueProperty(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	ann := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	res, err := s.UpsertRecords(ctx, "contacts", []RecordUpdate{
		{ID: "ANN@example.com", Properties: map[string]string{"lastname": "Lee"}},
		{ID: "bob@example.com", Properties: map[string]string{"firstname": "Bob"}},
		{ID: "bob@example.com", Properties: map[string]string{"firstname": "Robert"}},
		{ID: "cy@example.com", Properties: map[string]string{"lifecyclestage": "nope"}},
	}, "email", Source{Type: SourceImport})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Created || res[0].Record.ID != ann.ID || res[0].Record.Properties["lastname"] != "Lee" {
		t.Errorf("existing: %+v", res[0])
	}
	if res[1].Err != nil || !res[1].Created || res[1].Record.Properties["email"] != "bob@example.com" {
		t.Errorf("new: %+v", res[1])
	}
	var ce *ConflictError
	if !errors.As(res[2].Err, &ce) {
		t.Errorf("same key twice in a batch: %v", res[2].Err)
	}
	if propertyErrors(t, res[3].Err)["lifecyclestage"] != CodeInvalidOption {
		t.Errorf("bad value: %v", res[3].Err)
	}
	page, _ := s.ListRecords(ctx, "contacts", ListOptions{Limit: 100})
	if len(page.Records) != 2 {
		t.Errorf("records after upsert = %d, want 2", len(page.Records))
	}
	// Running the same upsert again creates nothing.
	again, err := s.UpsertRecords(ctx, "contacts", []RecordUpdate{{ID: "bob@example.com", Properties: map[string]string{"firstname": "Bob"}}}, "email", Source{})
	if err != nil || again[0].Created || again[0].Err != nil {
		t.Errorf("rerun: %+v %v", again, err)
	}
	if _, err := s.UpsertRecords(ctx, "contacts", []RecordUpdate{{ID: "1"}}, "", Source{}); err == nil {
		t.Error("upsert without idProperty accepted")
	}
}
