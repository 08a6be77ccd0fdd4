package memory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/memory"
)

func TestPush_Rules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		change   func(existing string) connectors.Change
		wantCode string // "" for success
		wantText string
	}{
		{"create duplicate unique value, other case", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpCreate, Fields: map[string]string{"email": " TAKEN@example.com"}}
		}, "CONFLICT", "email"},
		{"update to a value another record holds", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpUpdate, ID: "2", Fields: map[string]string{"email": "taken@example.com"}}
		}, "CONFLICT", "id 1"},
		{"update keeping its own unique value", func(existing string) connectors.Change {
			return connectors.Change{Kind: connectors.OpUpdate, ID: existing, Fields: map[string]string{"email": "taken@example.com", "city": "Rome"}}
		}, "", ""},
		{"create with a rejected value", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpCreate, Fields: map[string]string{"phone": "bad-123"}}
		}, "VALIDATION_ERROR", "property phone"},
		{"rule scoped to another object", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpCreate, Fields: map[string]string{"domain": "bad.example"}}
		}, "", ""},
		{"create carrying an id", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpCreate, ID: "7"}
		}, "VALIDATION_ERROR", "remote id"},
		{"update of an unknown record", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpUpdate, ID: "404"}
		}, "NOT_FOUND", "404"},
		{"delete of an unknown record is idempotent", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpDelete, ID: "404"}
		}, "", ""},
		{"delete without id", func(string) connectors.Change {
			return connectors.Change{Kind: connectors.OpDelete}
		}, "VALIDATION_ERROR", "no remote id"},
		{"unknown kind", func(string) connectors.Change {
			return connectors.Change{Kind: 9}
		}, "VALIDATION_ERROR", "unknown kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := memory.New(memory.Options{
				Unique: map[string]string{"contacts": "email"},
				Reject: []memory.Rule{{Object: "companies", Field: "domain", Contains: "bad"}},
			})
			r.Reject(memory.Rule{Field: "phone", Contains: "bad"})
			existing := r.Put("contacts", map[string]string{"email": "taken@example.com"})
			r.Put("contacts", map[string]string{"email": "other@example.com"})
			ch := tc.change(existing)
			ch.Ref = "ref"
			res, err := r.Connector().Push(t.Context(), "contacts", []connectors.Change{ch})
			if len(res) != 1 || res[0].Ref != "ref" {
				t.Fatalf("results %v, want one echoing Ref", res)
			}
			if tc.wantCode == "" {
				if err != nil || res[0].Err != nil {
					t.Fatalf("Push: %v / %v, want success", err, res[0].Err)
				}
				return
			}
			var pe *connectors.PermanentError
			if !errors.As(res[0].Err, &pe) || pe.Code != tc.wantCode || !strings.Contains(pe.Reason, tc.wantText) {
				t.Errorf("result error %v, want %s naming %q", res[0].Err, tc.wantCode, tc.wantText)
			}
			var partial *connectors.PartialError
			if !errors.As(err, &partial) || partial.Failed != 1 || partial.Total != 1 {
				t.Errorf("batch error %v, want PartialError 1 of 1", err)
			}
		})
	}
}

func TestPush_UniqueValueFreedByDeleteAndUpdate(t *testing.T) {
	r := memory.New(memory.Options{Unique: map[string]string{"contacts": "email"}})
	c := r.Connector()
	a := r.Put("contacts", map[string]string{"email": "a@example.com"})
	b := r.Put("contacts", map[string]string{"email": "b@example.com"})
	mustOK(t, r.Delete("contacts", a))
	mustOK(t, r.Update("contacts", b, map[string]string{"email": "b2@example.com"}))
	res, err := c.Push(t.Context(), "contacts", []connectors.Change{
		{Kind: connectors.OpCreate, Ref: "1", Fields: map[string]string{"email": "a@example.com"}},
		{Kind: connectors.OpCreate, Ref: "2", Fields: map[string]string{"email": "b@example.com"}},
		{Kind: connectors.OpCreate, Ref: "3", Fields: map[string]string{"email": "B@example.com"}},
	})
	if res[0].Err != nil || res[1].Err != nil {
		t.Errorf("creates reusing freed values: %v, %v", res[0].Err, res[1].Err)
	}
	if !connectors.IsPermanent(res[2].Err) {
		t.Errorf("duplicate within one batch: %v, want a permanent conflict", res[2].Err)
	}
	var partial *connectors.PartialError
	if !errors.As(err, &partial) || partial.Failed != 1 {
		t.Errorf("batch error %v, want PartialError with 1 failed", err)
	}
}

func TestPush_NoOpUpdateRecordsNoChange(t *testing.T) {
	r := memory.New(memory.Options{})
	c := r.Connector()
	id := r.Put("contacts", map[string]string{"name": "same"})
	_, cursor := pullAll(t, c, "contacts", "")
	res, err := c.Push(t.Context(), "contacts", []connectors.Change{{Kind: connectors.OpUpdate, ID: id, Fields: map[string]string{"name": "same"}}})
	mustOK(t, err)
	if res[0].Version != "1" {
		t.Errorf("Version after a no-op update %q, want 1", res[0].Version)
	}
	if recs, _ := pullAll(t, c, "contacts", cursor); len(recs) != 0 {
		t.Errorf("a no-op push update shows in the change feed: %v", recs)
	}
}

func TestPush_BatchesAndFailureInALaterBatch(t *testing.T) {
	r := memory.New(memory.Options{BatchSize: 2})
	c := r.Connector()
	changes := make([]connectors.Change, 5)
	for i := range changes {
		changes[i] = connectors.Change{Kind: connectors.OpCreate, Ref: string(rune('a' + i)), Fields: map[string]string{"n": "x"}}
	}
	r.FailNext(memory.Fault{}, 1)
	r.FailNext(memory.Fault{Kind: memory.FaultServerError}, 1)
	res, err := c.Push(t.Context(), "contacts", changes)
	var partial *connectors.PartialError
	if !errors.As(err, &partial) || partial.Failed != 3 || partial.Total != 5 {
		t.Fatalf("error %v, want PartialError 3 of 5", err)
	}
	for i, rr := range res {
		applied := i < 2
		if applied != (rr.Err == nil) || (applied && rr.ID == "") || rr.Ref != changes[i].Ref {
			t.Errorf("result %d: %+v, applied %v", i, rr, applied)
		}
		if !applied && !errors.Is(rr.Err, memory.ErrServerError) {
			t.Errorf("result %d error %v, want the server error", i, rr.Err)
		}
	}
	if n := r.Count("contacts"); n != 2 {
		t.Errorf("remote holds %d records, want the 2 of the applied batch", n)
	}
	if calls := r.Calls().ByMethod["push"]; calls != 2 {
		t.Errorf("push calls %d, want 2 (the third batch is not sent)", calls)
	}

	r.FailNext(memory.Fault{Kind: memory.FaultServerError}, 1)
	res, err = c.Push(t.Context(), "contacts", changes)
	if res != nil || !errors.Is(err, memory.ErrServerError) {
		t.Errorf("first batch failing: results %v error %v, want no results and the server error", res, err)
	}
	if n := r.Count("contacts"); n != 2 {
		t.Errorf("remote holds %d records after a failed push, want 2", n)
	}
}
