package crmstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestOwnerCreateGetUpdate(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	teams := []Team{{ID: "368389", Name: "Sales Team", Primary: true}, {ID: "2", Name: "EMEA"}}
	o, err := s.CreateOwner(ctx, OwnerInput{Email: "  Grace@Example.COM ", FirstName: "Grace", LastName: "Hopper", Teams: teams})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID < firstOwnerID || o.Email != "grace@example.com" || o.UserID != o.ID || o.Type != OwnerPerson ||
		o.FirstName != "Grace" || !reflect.DeepEqual(o.Teams, teams) || o.Archived || o.CreatedAt.IsZero() {
		t.Errorf("created owner: %+v", o)
	}
	got, err := s.GetOwner(ctx, o.ID, false)
	if err != nil || !reflect.DeepEqual(got, o) {
		t.Errorf("read back: %+v %v, want %+v", got, err, o)
	}
	q, err := s.CreateOwner(ctx, OwnerInput{Email: "queue@example.com", UserID: 77, Type: "queue"})
	if err != nil {
		t.Fatal(err)
	}
	if q.ID != o.ID+1 || q.UserID != 77 || q.Type != OwnerQueue || q.Teams == nil || len(q.Teams) != 0 {
		t.Errorf("queue owner: %+v", q)
	}
	if byUser, err := s.GetOwnerByUserID(ctx, 77, false); err != nil || byUser.ID != q.ID {
		t.Errorf("by user id: %+v %v", byUser, err)
	}

	// Validation.
	for _, in := range []OwnerInput{
		{},
		{Email: "not-an-email"},
		{Email: "Grace Hopper <g@example.com>"},
		{Email: "a@b@example.com"},
		{Email: "x@example.com", Type: "ROBOT"},
		{Email: "x@example.com", Teams: []Team{{Name: "no id"}}},
		{Email: "x@example.com", Teams: []Team{{ID: "1", Primary: true}, {ID: "2", Primary: true}}},
	} {
		var ie *InvalidError
		if _, err := s.CreateOwner(ctx, in); !errors.As(err, &ie) {
			t.Errorf("CreateOwner(%+v) = %v, want InvalidError", in, err)
		}
	}
	// Unique email (case-insensitive) and user id among live owners.
	var ce *ConflictError
	if _, err := s.CreateOwner(ctx, OwnerInput{Email: "GRACE@example.com"}); !errors.As(err, &ce) || ce.ExistingID != o.ID || ce.Property != "email" {
		t.Errorf("duplicate email: %v", err)
	}
	if _, err := s.CreateOwner(ctx, OwnerInput{Email: "other@example.com", UserID: 77}); !errors.As(err, &ce) || ce.ExistingID != q.ID {
		t.Errorf("duplicate user id: %v", err)
	}

	// Update.
	first, email := "Amazing Grace", "grace.hopper@example.com"
	clear := []Team{}
	u, err := s.UpdateOwner(ctx, o.ID, OwnerUpdate{FirstName: &first, Email: &email, Teams: &clear})
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != first || u.LastName != "Hopper" || u.Email != email || len(u.Teams) != 0 || u.UserID != o.UserID {
		t.Errorf("updated: %+v", u)
	}
	if got, _ := s.GetOwner(ctx, o.ID, false); !reflect.DeepEqual(got, u) {
		t.Errorf("update not stored: %+v", got)
	}
	dup := "queue@example.com"
	if _, err := s.UpdateOwner(ctx, o.ID, OwnerUpdate{Email: &dup}); !errors.As(err, &ce) || ce.ExistingID != q.ID {
		t.Errorf("update to a taken email: %v", err)
	}
	bad := "nope"
	var ie *InvalidError
	if _, err := s.UpdateOwner(ctx, o.ID, OwnerUpdate{Type: &bad}); !errors.As(err, &ie) {
		t.Errorf("update to a bad type: %v", err)
	}
	if _, err := s.UpdateOwner(ctx, 42, OwnerUpdate{FirstName: &first}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of unknown owner: %v", err)
	}
	if _, err := s.GetOwner(ctx, 42, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("get of unknown owner: %v", err)
	}
}

func TestOwnerArchive(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.CreateOwner(ctx, OwnerInput{Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "a@x.com", "hubspot_owner_id": fmt.Sprint(o.ID)}, Source{Type: SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveOwner(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveOwner(ctx, o.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("archive twice: %v", err)
	}
	if _, err := s.GetOwner(ctx, o.ID, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived owner read as live: %v", err)
	}
	a, err := s.GetOwner(ctx, o.ID, true)
	if err != nil || !a.Archived || a.Email != "ann@example.com" {
		t.Errorf("archived read: %+v %v", a, err)
	}
	if _, err := s.GetOwnerByUserID(ctx, o.UserID, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived owner by user id: %v", err)
	}
	if _, err := s.GetOwnerByUserID(ctx, o.UserID, true); err != nil {
		t.Errorf("archived owner by user id, archived: %v", err)
	}
	first := "X"
	if _, err := s.UpdateOwner(ctx, o.ID, OwnerUpdate{FirstName: &first}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of archived owner: %v", err)
	}
	// The email is free again; the record keeps its owner id.
	n, err := s.CreateOwner(ctx, OwnerInput{Email: "ann@example.com"})
	if err != nil || n.ID == o.ID {
		t.Errorf("reuse archived email: %+v %v", n, err)
	}
	got, err := s.GetRecord(ctx, "contacts", fmt.Sprint(rec.ID), GetOptions{})
	if err != nil || got.Properties["hubspot_owner_id"] != fmt.Sprint(o.ID) {
		t.Errorf("record after owner archive: %v %v", got, err)
	}
}

func TestOwnerListPaging(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []int64
	for i := 0; i < 5; i++ {
		o, err := s.CreateOwner(ctx, OwnerInput{Email: fmt.Sprintf("o%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if err := s.ArchiveOwner(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	var got []int64
	after, pages := int64(0), 0
	for {
		page, next, err := s.ListOwners(ctx, OwnerListOptions{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page {
			got = append(got, o.ID)
		}
		if next == 0 {
			break
		}
		after = next
	}
	if want := []int64{ids[0], ids[1], ids[3], ids[4]}; pages != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("live owners in %d pages: %v, want %v", pages, got, want)
	}
	all, next, err := s.ListOwners(ctx, OwnerListOptions{})
	if err != nil || len(all) != 4 || next != 0 {
		t.Errorf("default limit: %d owners, next %d, %v", len(all), next, err)
	}
	arch, _, err := s.ListOwners(ctx, OwnerListOptions{Archived: true})
	if err != nil || len(arch) != 1 || arch[0].ID != ids[2] || !arch[0].Archived {
		t.Errorf("archived list: %+v %v", arch, err)
	}
	byEmail, _, err := s.ListOwners(ctx, OwnerListOptions{Email: "O3@Example.com"})
	if err != nil || len(byEmail) != 1 || byEmail[0].ID != ids[3] {
		t.Errorf("by email: %+v %v", byEmail, err)
	}
	if none, _, err := s.ListOwners(ctx, OwnerListOptions{Email: "o2@example.com"}); err != nil || len(none) != 0 {
		t.Errorf("archived owner by email in live list: %+v %v", none, err)
	}
}
