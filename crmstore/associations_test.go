package crmstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

// assocSeq numbers the test records so their unique values differ.
var assocSeq atomic.Int64

func assocContact(t *testing.T, s *Store) int64 {
	t.Helper()
	n := assocSeq.Add(1)
	r, err := s.CreateRecord(context.Background(), "contacts",
		map[string]string{"email": fmt.Sprintf("c%d@x.com", n)}, Source{Type: SourceAPI})
	if err != nil {
		t.Fatalf("create contact: %v", err)
	}
	return r.ID
}

func assocCompany(t *testing.T, s *Store) int64 {
	t.Helper()
	n := assocSeq.Add(1)
	r, err := s.CreateRecord(context.Background(), "companies",
		map[string]string{"name": fmt.Sprintf("Acme %d", n), "domain": fmt.Sprintf("acme%d.com", n)}, Source{Type: SourceAPI})
	if err != nil {
		t.Fatalf("create company: %v", err)
	}
	return r.ID
}

// assocView renders associations as "id:type/label,type/label ..." for comparison.
func assocView(rs []AssociatedRecord) string {
	var parts []string
	for _, r := range rs {
		var ts []string
		for _, ty := range r.Types {
			ts = append(ts, fmt.Sprintf("%d/%s", ty.TypeID, ty.Label))
		}
		parts = append(parts, fmt.Sprintf("%d:%s", r.ToObjectID, strings.Join(ts, ",")))
	}
	return strings.Join(parts, " ")
}

func assocRead(t *testing.T, s *Store, from string, id int64, to string) string {
	t.Helper()
	rs, next, err := s.Associations(context.Background(), from, id, to, 0, 500)
	if err != nil {
		t.Fatalf("associations of %s %d → %s: %v", from, id, to, err)
	}
	if next != 0 {
		t.Errorf("single page has next %d", next)
	}
	return assocView(rs)
}

func assocChangesSince(t *testing.T, s *Store, after int64) []Change {
	t.Helper()
	cs, err := s.Changes(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func lastSeq(t *testing.T, s *Store) int64 {
	t.Helper()
	seq, err := s.LastChangeSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func wantInvalid(t *testing.T, err error, contains string) {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, contains) {
		t.Errorf("want InvalidError containing %q, got %v", contains, err)
	}
}

func TestAssociateDefaultBothSidesAndLogged(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, co := assocContact(t, s), assocCompany(t, s)
	before := lastSeq(t, s)
	if err := s.AssociateDefault(ctx, "contacts", c, "0-2", co, Source{Type: SourceCRMUI}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/", co); got != want {
		t.Errorf("from contact: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", co, "contacts"), fmt.Sprintf("%d:280/", c); got != want {
		t.Errorf("from company: %s, want %s", got, want)
	}
	rs, _, _ := s.Associations(ctx, "contacts", c, "companies", 0, 0)
	if len(rs) != 1 || rs[0].Types[0].Category != CategoryHubSpotDefined {
		t.Errorf("category: %+v", rs)
	}

	cs := assocChangesSince(t, s, before)
	if len(cs) != 2 {
		t.Fatalf("want 2 change rows, got %+v", cs)
	}
	byRecord := map[int64]Change{}
	for _, ch := range cs {
		byRecord[ch.RecordID] = ch
	}
	cc, cco := byRecord[c], byRecord[co]
	if cc.Op != OpAssociate || cc.Object != "contacts" || cc.Association == nil ||
		*cc.Association != (AssociationChange{ToObjectTypeID: "0-2", ToID: co, TypeID: 279}) || cc.Source.Type != SourceCRMUI {
		t.Errorf("contact-side change: %+v %+v", cc, cc.Association)
	}
	if cco.Op != OpAssociate || cco.Object != "companies" || cco.Association == nil ||
		*cco.Association != (AssociationChange{ToObjectTypeID: "0-1", ToID: c, TypeID: 280}) {
		t.Errorf("company-side change: %+v %+v", cco, cco.Association)
	}

	// Idempotent: nothing new is written or logged.
	seq := lastSeq(t, s)
	if err := s.AssociateDefault(ctx, "companies", co, "contacts", c, Source{}); err != nil {
		t.Fatal(err)
	}
	if got := lastSeq(t, s); got != seq {
		t.Errorf("repeat association logged %d rows", got-seq)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/", co); got != want {
		t.Errorf("after repeat: %s", got)
	}
}

func TestAssociateErrorsLogNothing(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, co := assocContact(t, s), assocCompany(t, s)
	before := lastSeq(t, s)

	_, err := s.Associate(ctx, "contacts", c, "companies", 999999, []AssociationSpec{{CategoryHubSpotDefined, 279}}, Source{})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "record" || !errors.Is(err, ErrNotFound) {
		t.Errorf("missing target: %v", err)
	}
	// A company id given as a contact is not found either.
	if err := s.AssociateDefault(ctx, "contacts", co, "companies", co, Source{}); !errors.As(err, &nf) {
		t.Errorf("wrong object: %v", err)
	}
	// Type 280 goes companies→contacts, not contacts→companies.
	_, err = s.Associate(ctx, "contacts", c, "companies", co, []AssociationSpec{{CategoryHubSpotDefined, 280}}, Source{})
	wantInvalid(t, err, "280")
	_, err = s.Associate(ctx, "contacts", c, "companies", co, []AssociationSpec{{CategoryUserDefined, 279}}, Source{})
	wantInvalid(t, err, "279")
	_, err = s.Associate(ctx, "contacts", c, "companies", co, nil, Source{})
	wantInvalid(t, err, "association type")
	if _, err := s.Associate(ctx, "nothings", c, "companies", co, []AssociationSpec{{TypeID: 279}}, Source{}); !errors.As(err, &nf) || nf.Kind != "object" {
		t.Errorf("unknown object: %v", err)
	}
	if got := lastSeq(t, s); got != before {
		t.Errorf("failed writes logged %d rows", got-before)
	}
	c2 := assocContact(t, s)
	if err := s.ArchiveRecord(ctx, "contacts", c2, Source{}); err != nil {
		t.Fatal(err)
	}
	before = lastSeq(t, s)
	if err := s.AssociateDefault(ctx, "contacts", c2, "companies", co, Source{}); !errors.As(err, &nf) {
		t.Errorf("archived record: %v", err)
	}
	if got := lastSeq(t, s); got != before {
		t.Errorf("failed writes logged %d rows", got-before)
	}
	if got := assocRead(t, s, "contacts", c, "companies"); got != "" {
		t.Errorf("failed writes associated: %s", got)
	}
}

func TestAssociationLabelsSingle(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, co := assocContact(t, s), assocCompany(t, s)

	at, err := s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "Billing contact"})
	if err != nil {
		t.Fatal(err)
	}
	if at.TypeID < 1000 || at.Category != CategoryUserDefined || at.Label != "Billing contact" || at.Name != "billing_contact" ||
		at.FromObjectTypeID != "0-1" || at.ToObjectTypeID != "0-2" || at.InverseLabel != "Billing contact" || at.InverseTypeID == at.TypeID {
		t.Errorf("created type: %+v", at)
	}
	back, err := s.AssociationTypes(ctx, "companies", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	var inv *AssociationType
	for i := range back {
		if back[i].TypeID == at.InverseTypeID {
			inv = &back[i]
		}
	}
	if inv == nil || inv.Label != "Billing contact" || inv.InverseTypeID != at.TypeID || inv.Category != CategoryUserDefined {
		t.Errorf("inverse type: %+v in %+v", inv, back)
	}
	fwd, _ := s.AssociationTypes(ctx, "0-1", "0-2")
	ids := map[int64]string{}
	for _, x := range fwd {
		ids[x.TypeID] = x.Label
	}
	if ids[1] != "Primary" || ids[279] != "" || ids[at.TypeID] != "Billing contact" || len(ids) != 3 {
		t.Errorf("contact→company types: %+v", fwd)
	}

	// Duplicates (any case) and empty labels are refused.
	_, err = s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "billing Contact"})
	wantInvalid(t, err, "billing Contact")
	_, err = s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "Primary"})
	wantInvalid(t, err, "Primary")
	_, err = s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "  "})
	wantInvalid(t, err, "empty")

	// The label is visible from both sides, with the unlabeled type.
	labels, err := s.Associate(ctx, "contacts", c, "companies", co, []AssociationSpec{{CategoryUserDefined, at.TypeID}}, Source{})
	if err != nil || !reflect.DeepEqual(labels, []string{"Billing contact"}) {
		t.Fatalf("associate: %v %v", labels, err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/,%d/Billing contact", co, at.TypeID); got != want {
		t.Errorf("from contact: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", co, "contacts"), fmt.Sprintf("%d:280/,%d/Billing contact", c, at.InverseTypeID); got != want {
		t.Errorf("from company: %s, want %s", got, want)
	}

	// Renaming a single label renames both directions.
	if err := s.UpdateAssociationLabel(ctx, "contacts", "companies", at.TypeID, "Invoice contact", ""); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "companies", co, "contacts"), fmt.Sprintf("%d:280/,%d/Invoice contact", c, at.InverseTypeID); got != want {
		t.Errorf("after rename: %s, want %s", got, want)
	}
	wantInvalid(t, s.UpdateAssociationLabel(ctx, "contacts", "companies", at.TypeID, "Primary", ""), "Primary")
	wantInvalid(t, s.UpdateAssociationLabel(ctx, "contacts", "companies", 1, "Main", ""), "1")
	wantInvalid(t, s.UpdateAssociationLabel(ctx, "companies", "contacts", at.TypeID, "X", ""), fmt.Sprint(at.TypeID))

	// Deleting the label removes its associations (logged on both sides)
	// and leaves the unlabeled one.
	seq := lastSeq(t, s)
	if err := s.DeleteAssociationLabel(ctx, "contacts", "companies", at.TypeID); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/", co); got != want {
		t.Errorf("after delete: %s, want %s", got, want)
	}
	cs := assocChangesSince(t, s, seq)
	if len(cs) != 2 || cs[0].Op != OpDissociate || cs[1].Op != OpDissociate || cs[0].RecordID == cs[1].RecordID {
		t.Errorf("delete label changes: %+v", cs)
	}
	types, _ := s.AssociationTypes(ctx, "companies", "contacts")
	for _, x := range types {
		if x.TypeID == at.InverseTypeID || x.TypeID == at.TypeID {
			t.Errorf("deleted type still listed: %+v", x)
		}
	}
	_, err = s.Associate(ctx, "contacts", c, "companies", co, []AssociationSpec{{CategoryUserDefined, at.TypeID}}, Source{})
	wantInvalid(t, err, fmt.Sprint(at.TypeID))
	wantInvalid(t, s.DeleteAssociationLabel(ctx, "contacts", "companies", 279), "279")
	// The label can be created again.
	if _, err := s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "Invoice contact"}); err != nil {
		t.Errorf("recreate deleted label: %v", err)
	}
}

func TestAssociationLabelsPairedAndSameObject(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	boss, worker := assocContact(t, s), assocContact(t, s)

	at, err := s.CreateAssociationLabel(ctx, "contacts", "contacts", LabelInput{Label: "Manager", InverseLabel: "Employee"})
	if err != nil {
		t.Fatal(err)
	}
	if at.Label != "Manager" || at.InverseLabel != "Employee" || at.InverseTypeID == at.TypeID {
		t.Errorf("paired type: %+v", at)
	}
	labels, err := s.Associate(ctx, "contacts", boss, "contacts", worker, []AssociationSpec{{CategoryUserDefined, at.TypeID}}, Source{})
	if err != nil || !reflect.DeepEqual(labels, []string{"Manager"}) {
		t.Fatalf("associate: %v %v", labels, err)
	}
	if got, want := assocRead(t, s, "contacts", boss, "contacts"), fmt.Sprintf("%d:449/,%d/Manager", worker, at.TypeID); got != want {
		t.Errorf("from manager: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "contacts", worker, "contacts"), fmt.Sprintf("%d:449/,%d/Employee", boss, at.InverseTypeID); got != want {
		t.Errorf("from employee: %s, want %s", got, want)
	}
	_, err = s.CreateAssociationLabel(ctx, "contacts", "contacts", LabelInput{Label: "Employee"})
	wantInvalid(t, err, "Employee")

	// Paired labels between two objects: each side sees its own label.
	c, co := assocContact(t, s), assocCompany(t, s)
	pair, err := s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "Founder", InverseLabel: "Founded company", Name: "founder"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Associate(ctx, "companies", co, "contacts", c, []AssociationSpec{{CategoryUserDefined, pair.InverseTypeID}}, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/,%d/Founder", co, pair.TypeID); got != want {
		t.Errorf("from contact: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", co, "contacts"), fmt.Sprintf("%d:280/,%d/Founded company", c, pair.InverseTypeID); got != want {
		t.Errorf("from company: %s, want %s", got, want)
	}
	if err := s.UpdateAssociationLabel(ctx, "contacts", "companies", pair.TypeID, "Co-founder", "Co-founded company"); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "companies", co, "contacts"), fmt.Sprintf("%d:280/,%d/Co-founded company", c, pair.InverseTypeID); got != want {
		t.Errorf("after rename: %s, want %s", got, want)
	}

	// A single label between records of one object is one symmetric type.
	sym, err := s.CreateAssociationLabel(ctx, "companies", "companies", LabelInput{Label: "Partner"})
	if err != nil {
		t.Fatal(err)
	}
	if sym.InverseTypeID != sym.TypeID || sym.InverseLabel != "Partner" {
		t.Errorf("symmetric type: %+v", sym)
	}
	a, b := assocCompany(t, s), assocCompany(t, s)
	if _, err := s.Associate(ctx, "companies", a, "companies", b, []AssociationSpec{{CategoryUserDefined, sym.TypeID}}, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "companies", b, "companies"), fmt.Sprintf("%d:450/,%d/Partner", a, sym.TypeID); got != want {
		t.Errorf("symmetric from b: %s, want %s", got, want)
	}
	_, err = s.Associate(ctx, "companies", a, "companies", a, []AssociationSpec{{CategoryUserDefined, sym.TypeID}}, Source{})
	wantInvalid(t, err, "itself")
}

func TestAssociationLabelCountLimit(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	for i := 0; i < MaxAssociationLabels; i++ {
		if _, err := s.CreateAssociationLabel(ctx, "deals", "tickets", LabelInput{Label: fmt.Sprintf("L%d", i)}); err != nil {
			t.Fatalf("label %d: %v", i, err)
		}
	}
	_, err := s.CreateAssociationLabel(ctx, "deals", "tickets", LabelInput{Label: "One too many"})
	wantInvalid(t, err, "One too many")
}

func TestAssocPrimaryCompanyReplaced(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, a, b := assocContact(t, s), assocCompany(t, s), assocCompany(t, s)

	labels, err := s.Associate(ctx, "contacts", c, "companies", a, []AssociationSpec{{CategoryHubSpotDefined, 1}}, Source{})
	if err != nil || !reflect.DeepEqual(labels, []string{"Primary"}) {
		t.Fatalf("first primary: %v %v", labels, err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:1/Primary,279/", a); got != want {
		t.Errorf("first primary: %s, want %s", got, want)
	}
	seq := lastSeq(t, s)
	if _, err := s.Associate(ctx, "contacts", c, "companies", b, []AssociationSpec{{CategoryHubSpotDefined, 1}}, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/ %d:1/Primary,279/", a, b); got != want {
		t.Errorf("after replacement: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", a, "contacts"), fmt.Sprintf("%d:280/", c); got != want {
		t.Errorf("old primary's side: %s, want %s", got, want)
	}
	var ops []string
	for _, ch := range assocChangesSince(t, s, seq) {
		ops = append(ops, fmt.Sprintf("%s:%d:%d", ch.Op, ch.RecordID, ch.Association.TypeID))
	}
	wantOps := []string{
		fmt.Sprintf("dissociate:%d:1", c), fmt.Sprintf("dissociate:%d:2", a),
		fmt.Sprintf("associate:%d:1", c), fmt.Sprintf("associate:%d:2", b),
		fmt.Sprintf("associate:%d:279", c), fmt.Sprintf("associate:%d:280", b),
	}
	if !reflect.DeepEqual(ops, wantOps) {
		t.Errorf("changes: %v, want %v", ops, wantOps)
	}

	// From the company side (type 2), the contact's primary moves too.
	d := assocCompany(t, s)
	if _, err := s.Associate(ctx, "companies", d, "contacts", c, []AssociationSpec{{CategoryHubSpotDefined, 2}}, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/ %d:279/ %d:1/Primary,279/", a, b, d); got != want {
		t.Errorf("primary from company side: %s, want %s", got, want)
	}
	// The limit of HubSpot's labelled types is fixed.
	wantInvalid(t, s.SetAssociationLimit(ctx, "contacts", "companies", 1, 3), "1")
}

func TestAssocUserLabelLimit(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, a, b := assocContact(t, s), assocCompany(t, s), assocCompany(t, s)
	at, err := s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "Decision maker", Limit: 1, InverseLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if at.Limit != 1 {
		t.Errorf("limit: %+v", at)
	}
	spec := []AssociationSpec{{CategoryUserDefined, at.TypeID}}
	if _, err := s.Associate(ctx, "contacts", c, "companies", a, spec, Source{}); err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, s)
	_, err = s.Associate(ctx, "contacts", c, "companies", b, spec, Source{})
	wantInvalid(t, err, "limit of 1")
	if got := lastSeq(t, s); got != seq {
		t.Errorf("refused association logged %d rows", got-seq)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/,%d/Decision maker", a, at.TypeID); got != want {
		t.Errorf("after refusal: %s, want %s", got, want)
	}
	// Re-asserting the existing association is fine.
	if _, err := s.Associate(ctx, "contacts", c, "companies", a, spec, Source{}); err != nil {
		t.Errorf("repeat within limit: %v", err)
	}
	// The inverse limit (2 contacts per company) is enforced from either side.
	c2, c3 := assocContact(t, s), assocContact(t, s)
	if _, err := s.Associate(ctx, "companies", a, "contacts", c2, []AssociationSpec{{CategoryUserDefined, at.InverseTypeID}}, Source{}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Associate(ctx, "contacts", c3, "companies", a, spec, Source{})
	wantInvalid(t, err, "limit of 2")

	// Raising the limit lets the association through.
	if err := s.SetAssociationLimit(ctx, "contacts", "companies", at.TypeID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Associate(ctx, "contacts", c, "companies", b, spec, Source{}); err != nil {
		t.Errorf("after raising the limit: %v", err)
	}
	types, _ := s.AssociationTypes(ctx, "contacts", "companies")
	for _, x := range types {
		if x.TypeID == at.TypeID && x.Limit != 2 {
			t.Errorf("limit not stored: %+v", x)
		}
	}
	// Archived targets do not count against the limit.
	if err := s.SetAssociationLimit(ctx, "contacts", "companies", at.TypeID, 1); err != nil {
		t.Fatal(err)
	}
	x := assocCompany(t, s)
	c4 := assocContact(t, s)
	if _, err := s.Associate(ctx, "contacts", c4, "companies", x, spec, Source{}); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveRecord(ctx, "companies", x, Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Associate(ctx, "contacts", c4, "companies", b, spec, Source{}); err != nil {
		t.Errorf("archived target counted against the limit: %v", err)
	}
	wantInvalid(t, s.SetAssociationLimit(ctx, "contacts", "companies", at.TypeID, -1), "negative")

	// A limit set on HubSpot's unlabeled type refuses too; it never
	// replaces.
	if err := s.SetAssociationLimit(ctx, "deals", "contacts", 3, 1); err != nil {
		t.Fatal(err)
	}
	deal, err := s.CreateRecord(ctx, "deals", map[string]string{"dealname": "D", "pipeline": "default", "dealstage": "closedwon"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AssociateDefault(ctx, "deals", deal.ID, "contacts", c, Source{}); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, s.AssociateDefault(ctx, "deals", deal.ID, "contacts", c2, Source{}), "limit of 1")
	if got, want := assocRead(t, s, "deals", deal.ID, "contacts"), fmt.Sprintf("%d:3/", c); got != want {
		t.Errorf("deal contacts: %s, want %s", got, want)
	}
}

func TestAssocDissociate(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, co := assocContact(t, s), assocCompany(t, s)
	at, err := s.CreateAssociationLabel(ctx, "contacts", "companies", LabelInput{Label: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	assoc := func() {
		t.Helper()
		if _, err := s.Associate(ctx, "contacts", c, "companies", co, []AssociationSpec{{CategoryUserDefined, at.TypeID}, {CategoryHubSpotDefined, 1}}, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	assoc()

	// Removing a label keeps the rest, in both directions.
	seq := lastSeq(t, s)
	if err := s.Dissociate(ctx, "contacts", c, "companies", co, []int64{at.TypeID}, Source{Type: SourceCRMUI}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:1/Primary,279/", co); got != want {
		t.Errorf("after label removal: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", co, "contacts"), fmt.Sprintf("%d:2/Primary,280/", c); got != want {
		t.Errorf("after label removal, company side: %s, want %s", got, want)
	}
	cs := assocChangesSince(t, s, seq)
	if len(cs) != 2 || cs[0].Op != OpDissociate || cs[0].RecordID != c || cs[0].Association.TypeID != at.TypeID ||
		cs[0].Association.Label != "Billing" || cs[1].RecordID != co || cs[1].Association.TypeID != at.InverseTypeID ||
		cs[0].Source.Type != SourceCRMUI {
		t.Errorf("dissociate changes: %+v", cs)
	}

	// Removing the unlabeled type removes everything.
	assoc()
	if err := s.Dissociate(ctx, "contacts", c, "companies", co, []int64{279}, Source{}); err != nil {
		t.Fatal(err)
	}
	if got := assocRead(t, s, "contacts", c, "companies") + assocRead(t, s, "companies", co, "contacts"); got != "" {
		t.Errorf("after unlabeled removal: %s", got)
	}

	// nil removes every type; from the other side too.
	assoc()
	seq = lastSeq(t, s)
	if err := s.Dissociate(ctx, "companies", co, "contacts", c, nil, Source{}); err != nil {
		t.Fatal(err)
	}
	if got := assocRead(t, s, "contacts", c, "companies") + assocRead(t, s, "companies", co, "contacts"); got != "" {
		t.Errorf("after removing all: %s", got)
	}
	if cs := assocChangesSince(t, s, seq); len(cs) != 6 {
		t.Errorf("want 6 dissociate rows (3 types × 2 sides), got %d", len(cs))
	}
	// Nothing left: not an error, nothing logged.
	seq = lastSeq(t, s)
	if err := s.Dissociate(ctx, "companies", co, "contacts", c, nil, Source{}); err != nil {
		t.Errorf("dissociating nothing: %v", err)
	}
	if lastSeq(t, s) != seq {
		t.Error("dissociating nothing was logged")
	}
	wantInvalid(t, s.Dissociate(ctx, "contacts", c, "companies", co, []int64{280}, Source{}), "280")
}

func TestArchivedRecordAssociationsHidden(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c, a, b := assocContact(t, s), assocCompany(t, s), assocCompany(t, s)
	for _, co := range []int64{a, b} {
		if err := s.AssociateDefault(ctx, "contacts", c, "companies", co, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ArchiveRecord(ctx, "companies", a, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/", b); got != want {
		t.Errorf("archived target shown: %s, want %s", got, want)
	}
	if got := assocRead(t, s, "companies", a, "contacts"); got != "" {
		t.Errorf("archived source shown: %s", got)
	}
	batch, err := s.AssociationsBatch(ctx, "companies", []int64{a, b}, "contacts")
	if err != nil || len(batch) != 1 || assocView(batch[b]) != fmt.Sprintf("%d:280/", c) {
		t.Errorf("batch with archived: %+v %v", batch, err)
	}
	if err := s.RestoreRecord(ctx, "companies", a, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c, "companies"), fmt.Sprintf("%d:279/ %d:279/", a, b); got != want {
		t.Errorf("after restore: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", a, "contacts"), fmt.Sprintf("%d:280/", c); got != want {
		t.Errorf("after restore, restored side: %s, want %s", got, want)
	}
	// Archiving the source hides its whole list.
	if err := s.ArchiveRecord(ctx, "contacts", c, Source{}); err != nil {
		t.Fatal(err)
	}
	if got := assocRead(t, s, "contacts", c, "companies") + assocRead(t, s, "companies", b, "contacts"); got != "" {
		t.Errorf("archived contact's associations shown: %s", got)
	}
	if err := s.RestoreRecord(ctx, "contacts", c, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "companies", b, "contacts"), fmt.Sprintf("%d:280/", c); got != want {
		t.Errorf("after contact restore: %s, want %s", got, want)
	}
}

func TestAssociationsPagingAndBatch(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c := assocContact(t, s)
	var cos []int64
	for i := 0; i < 7; i++ {
		co := assocCompany(t, s)
		cos = append(cos, co)
		specs := []AssociationSpec{{CategoryHubSpotDefined, 279}}
		if i == 3 {
			specs = append(specs, AssociationSpec{CategoryHubSpotDefined, 1})
		}
		if _, err := s.Associate(ctx, "contacts", c, "companies", co, specs, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	// Associations of another object are not mixed in.
	other := assocContact(t, s)
	if err := s.AssociateDefault(ctx, "contacts", c, "contacts", other, Source{}); err != nil {
		t.Fatal(err)
	}
	var got []int64
	after, pages := int64(0), 0
	for {
		rs, next, err := s.Associations(ctx, "contacts", c, "companies", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(rs) > 3 {
			t.Fatalf("page of %d", len(rs))
		}
		for _, r := range rs {
			got = append(got, r.ToObjectID)
			if r.ToObjectID == cos[3] && len(r.Types) != 2 {
				t.Errorf("types split across rows: %+v", r)
			}
		}
		if next == 0 {
			break
		}
		if next != rs[len(rs)-1].ToObjectID {
			t.Errorf("next %d is not the last id of the page", next)
		}
		after = next
	}
	if pages != 3 || !reflect.DeepEqual(got, cos) {
		t.Errorf("paged %d pages: %v, want %v", pages, got, cos)
	}
	// A page that ends exactly at the end has no next.
	if rs, next, err := s.Associations(ctx, "contacts", c, "companies", cos[3], 3); err != nil || len(rs) != 3 || next != 0 {
		t.Errorf("exact last page: %d rows, next %d, %v", len(rs), next, err)
	}
	// Default limit.
	if rs, next, err := s.Associations(ctx, "contacts", c, "companies", 0, 0); err != nil || len(rs) != 7 || next != 0 {
		t.Errorf("default limit: %d rows, next %d, %v", len(rs), next, err)
	}
	if rs, _, err := s.Associations(ctx, "contacts", 424242, "companies", 0, 0); err != nil || len(rs) != 0 {
		t.Errorf("unknown record: %v %v", rs, err)
	}

	c2 := assocContact(t, s)
	if err := s.AssociateDefault(ctx, "companies", cos[0], "contacts", c2, Source{}); err != nil {
		t.Fatal(err)
	}
	batch, err := s.AssociationsBatch(ctx, "contacts", []int64{c2, c, 999999}, "companies")
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 2 || len(batch[c]) != 7 || assocView(batch[c2]) != fmt.Sprintf("%d:279/", cos[0]) {
		t.Errorf("batch: %+v", batch)
	}
	if assocView(batch[c][3:4]) != fmt.Sprintf("%d:1/Primary,279/", cos[3]) {
		t.Errorf("batch types: %s", assocView(batch[c][3:4]))
	}
}

func TestAssociateDefaultCreatesUserType(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	c := assocContact(t, s)
	p, err := s.CreateRecord(ctx, "products", map[string]string{"name": "Widget"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if types, _ := s.AssociationTypes(ctx, "products", "contacts"); len(types) != 0 {
		t.Fatalf("products→contacts has built-in types: %+v", types)
	}
	if err := s.AssociateDefault(ctx, "products", p.ID, "contacts", c, Source{}); err != nil {
		t.Fatal(err)
	}
	fwd, _ := s.AssociationTypes(ctx, "products", "contacts")
	back, _ := s.AssociationTypes(ctx, "contacts", "products")
	if len(fwd) != 1 || len(back) != 1 || fwd[0].Category != CategoryUserDefined || fwd[0].Label != "" ||
		fwd[0].TypeID < 1000 || fwd[0].InverseTypeID != back[0].TypeID || back[0].InverseTypeID != fwd[0].TypeID {
		t.Fatalf("created types: %+v / %+v", fwd, back)
	}
	// Used again from either side, not created twice.
	c2 := assocContact(t, s)
	if err := s.AssociateDefault(ctx, "contacts", c2, "products", p.ID, Source{}); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.AssociationTypes(ctx, "products", "contacts"); len(again) != 1 {
		t.Errorf("type created twice: %+v", again)
	}
	if got, want := assocRead(t, s, "products", p.ID, "contacts"), fmt.Sprintf("%d:%d/ %d:%d/", c, fwd[0].TypeID, c2, fwd[0].TypeID); got != want {
		t.Errorf("product side: %s, want %s", got, want)
	}
	// A label on such a pair brings the unlabeled type along.
	at, err := s.CreateAssociationLabel(ctx, "contacts", "products", LabelInput{Label: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	c3 := assocContact(t, s)
	if _, err := s.Associate(ctx, "contacts", c3, "products", p.ID, []AssociationSpec{{CategoryUserDefined, at.TypeID}}, Source{}); err != nil {
		t.Fatal(err)
	}
	if got, want := assocRead(t, s, "contacts", c3, "products"), fmt.Sprintf("%d:%d/,%d/Owner", p.ID, back[0].TypeID, at.TypeID); got != want {
		t.Errorf("labelled: %s, want %s", got, want)
	}
}

func TestMoveAssociations(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	into, from := assocContact(t, s), assocContact(t, s)
	a, b, c := assocCompany(t, s), assocCompany(t, s), assocCompany(t, s)
	primary := []AssociationSpec{{CategoryHubSpotDefined, 1}}
	for _, x := range []struct {
		id, co int64
		specs  []AssociationSpec
	}{{into, a, primary}, {from, b, primary}, {from, c, nil}, {from, a, nil}} {
		if x.specs == nil {
			x.specs = []AssociationSpec{{CategoryHubSpotDefined, 279}}
		}
		if _, err := s.Associate(ctx, "contacts", x.id, "companies", x.co, x.specs, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AssociateDefault(ctx, "contacts", from, "contacts", into, Source{}); err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, s)
	if err := s.update(ctx, func(tx *tx) error { return tx.moveAssociations(from, into) }); err != nil {
		t.Fatal(err)
	}
	// into keeps its primary (a); b's primary is not moved, its unlabeled is.
	if got, want := assocRead(t, s, "contacts", into, "companies"), fmt.Sprintf("%d:1/Primary,279/ %d:279/ %d:279/", a, b, c); got != want {
		t.Errorf("into after move: %s, want %s", got, want)
	}
	if got, want := assocRead(t, s, "companies", b, "contacts"), fmt.Sprintf("%d:280/", into); got != want {
		t.Errorf("b after move: %s, want %s", got, want)
	}
	if got := assocRead(t, s, "contacts", into, "contacts"); got != "" {
		t.Errorf("self-association created: %s", got)
	}
	var left int
	if err := s.r.GetContext(ctx, &left, "SELECT COUNT(*) FROM associations WHERE from_id = ? OR to_id = ?", from, from); err != nil || left != 0 {
		t.Errorf("rows of the merged record left: %d %v", left, err)
	}
	if lastSeq(t, s) != seq {
		t.Error("moveAssociations logged changes")
	}
}
