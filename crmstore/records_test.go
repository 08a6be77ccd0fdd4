package crmstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"
)

func mustCreate(t *testing.T, s *Store, object string, props map[string]string) *Record {
	t.Helper()
	r, err := s.CreateRecord(context.Background(), object, props, Source{Type: SourceAPI})
	if err != nil {
		t.Fatalf("create %s %v: %v", object, props, err)
	}
	return r
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func propertyErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *ValidationError", err, err)
	}
	out := map[string]string{}
	for _, pe := range ve.Errors {
		out[pe.Property] = pe.Code
	}
	return out
}

func TestCreateNormalisesAndFillsSystemProperties(t *testing.T) {
	s, _ := openTestStore(t)
	r := mustCreate(t, s, "contacts", map[string]string{
		"email": "  Ann@Example.COM ", "firstname": "Ann", "hs_email_optout": "yes", "lifecyclestage": "Lead",
	})
	want := map[string]string{
		"email": "ann@example.com", "firstname": "Ann", "hs_email_optout": "true", "lifecyclestage": "lead",
		"hs_object_id": idStr(r.ID), "createdate": "2026-03-01T12:00:00.000Z", "lastmodifieddate": "2026-03-01T12:00:00.000Z",
		"hs_object_source_label": "API",
	}
	for k, v := range want {
		if r.Properties[k] != v {
			t.Errorf("created %s = %q, want %q", k, r.Properties[k], v)
		}
	}
	got, err := s.GetRecord(context.Background(), "0-1", idStr(r.ID), GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got.Properties[k] != v {
			t.Errorf("read %s = %q, want %q", k, got.Properties[k], v)
		}
	}
	only, err := s.GetRecord(context.Background(), "contacts", idStr(r.ID), GetOptions{Properties: []string{"email"}})
	if err != nil || len(only.Properties) != 1 || only.Properties["email"] != "ann@example.com" {
		t.Errorf("read with properties=email: %v %v", only, err)
	}
}

func TestCreateReportsEveryBadValue(t *testing.T) {
	s, _ := openTestStore(t)
	_, err := s.CreateRecord(context.Background(), "contacts", map[string]string{
		"email": "not-an-email", "lifecyclestage": "sleeping", "associatedcompanyid": "12x",
		"hs_object_id": "5", "favourite_colour": "blue", "firstname": "fine",
	}, Source{})
	got := propertyErrors(t, err)
	want := map[string]string{
		"email": CodeInvalidEmail, "lifecyclestage": CodeInvalidOption, "associatedcompanyid": CodeInvalidInteger,
		"hs_object_id": CodeReadOnlyValue, "favourite_colour": CodePropertyDoesntExist,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("errors = %v, want %v", got, want)
	}
	if n, _ := s.LastChangeSeq(context.Background()); n != 0 {
		t.Errorf("a refused write logged changes up to seq %d", n)
	}
}

func TestRequiredProperties(t *testing.T) {
	s, _ := openTestStore(t)
	_, err := s.CreateRecord(context.Background(), "deals", map[string]string{"amount": "10"}, Source{})
	got := propertyErrors(t, err)
	for _, p := range []string{"dealname", "pipeline", "dealstage"} {
		if got[p] != CodeRequired {
			t.Errorf("missing %s: code %q, want %s (all: %v)", p, got[p], CodeRequired, got)
		}
	}
	_, err = s.CreateRecord(context.Background(), "notes", map[string]string{"hs_note_body": "hi"}, Source{})
	if propertyErrors(t, err)["hs_timestamp"] != CodeRequired {
		t.Errorf("note without hs_timestamp: %v", err)
	}
}

func TestUniqueValues(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com"})
	_, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": " ANN@example.com"}, Source{})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.ExistingID != a.ID || ce.Property != "email" {
		t.Fatalf("duplicate email: err = %v, want conflict with %d", err, a.ID)
	}
	co := mustCreate(t, s, "companies", map[string]string{"name": "Acme", "domain": "acme.com"})
	_, err = s.CreateRecord(ctx, "companies", map[string]string{"name": "Acme 2", "domain": "https://www.ACME.com/about"}, Source{})
	if !errors.As(err, &ce) || ce.ExistingID != co.ID {
		t.Fatalf("duplicate normalised domain: err = %v, want conflict with %d", err, co.ID)
	}
	// Within one batch the second of two equal emails is refused, the rest created.
	res, err := s.CreateRecords(ctx, "contacts", []map[string]string{
		{"email": "bob@example.com"}, {"email": "BOB@example.com"}, {"email": "cy@example.com"},
	}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[2].Err != nil || !errors.As(res[1].Err, &ce) {
		t.Fatalf("batch results: %v / %v / %v", res[0].Err, res[1].Err, res[2].Err)
	}
	// Archiving releases the email; restoring while it is taken is refused.
	if err := s.ArchiveRecord(ctx, "contacts", a.ID, Source{}); err != nil {
		t.Fatal(err)
	}
	b := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com"})
	if err := s.RestoreRecord(ctx, "contacts", a.ID, Source{}); !errors.As(err, &ce) || ce.ExistingID != b.ID {
		t.Fatalf("restore over a taken email: err = %v", err)
	}
	// Changing an email to one that is taken is refused; changing it to a free one frees the old.
	if _, err := s.UpdateRecord(ctx, "contacts", idStr(b.ID), map[string]string{"email": "cy@example.com"}, "", Source{}); !errors.As(err, &ce) {
		t.Fatalf("update to taken email: %v", err)
	}
	if _, err := s.UpdateRecord(ctx, "contacts", idStr(b.ID), map[string]string{"email": "dee@example.com"}, "", Source{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RestoreRecord(ctx, "contacts", a.ID, Source{}); err != nil {
		t.Fatalf("restore after the email was freed: %v", err)
	}
}

func TestReadByUniquePropertyAndArchivedSemantics(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com"})
	r, err := s.GetRecord(ctx, "contacts", "ANN@example.com", GetOptions{IDProperty: "email"})
	if err != nil || r.ID != a.ID {
		t.Fatalf("get by email: %v, %v", r, err)
	}
	if _, err := s.GetRecord(ctx, "contacts", "x", GetOptions{IDProperty: "firstname"}); err == nil {
		t.Error("idProperty that is not unique accepted")
	}
	if err := s.ArchiveRecord(ctx, "contacts", a.ID, Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "contacts", idStr(a.ID), GetOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived record read without archived=true: %v", err)
	}
	got, err := s.GetRecord(ctx, "contacts", idStr(a.ID), GetOptions{Archived: true})
	if err != nil || !got.Archived || got.ArchivedAt == nil {
		t.Errorf("archived read: %+v %v", got, err)
	}
	if err := s.ArchiveRecord(ctx, "contacts", a.ID, Source{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("archiving twice: %v, want not found", err)
	}
}

func TestUpdateClearsAndSkipsNoOps(t *testing.T) {
	ctx := context.Background()
	s, clock := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com", "firstname": "Ann", "city": "Oslo"})
	before, _ := s.LastChangeSeq(ctx)
	clock.Advance(time.Minute)
	r, err := s.UpdateRecord(ctx, "contacts", idStr(a.ID), map[string]string{"firstname": "Ann", "email": "ANN@example.com"}, "", Source{})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := s.LastChangeSeq(ctx); after != before {
		t.Errorf("a no-op update logged %d changes", after-before)
	}
	if r.Properties["hs_lastmodifieddate"] != "2026-03-01T12:00:00.000Z" {
		t.Errorf("no-op update moved lastmodified to %s", r.Properties["hs_lastmodifieddate"])
	}
	r, err = s.UpdateRecord(ctx, "contacts", "ann@example.com", map[string]string{"city": "", "lastname": "Lee"}, "email", Source{Type: SourceImport, ID: "import-7"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Properties["city"]; ok || r.Properties["lastname"] != "Lee" {
		t.Errorf("after update: %v", r.Properties)
	}
	if r.Properties["hs_lastmodifieddate"] != "2026-03-01T12:01:00.000Z" {
		t.Errorf("lastmodified = %s", r.Properties["hs_lastmodifieddate"])
	}
	got, _ := s.GetRecord(ctx, "contacts", idStr(a.ID), GetOptions{})
	if _, ok := got.Properties["city"]; ok {
		t.Errorf("cleared city still stored: %q", got.Properties["city"])
	}
	changes, err := s.Changes(ctx, before, 100)
	if err != nil || len(changes) != 1 {
		t.Fatalf("changes after update: %v %v", changes, err)
	}
	ch := changes[0]
	if ch.Op != OpUpdate || ch.RecordID != a.ID || ch.Source.Type != SourceImport || ch.Source.ID != "import-7" || ch.Object != "contacts" {
		t.Errorf("change = %+v", ch)
	}
	city := ch.Properties["city"]
	if city.Old == nil || *city.Old != "Oslo" || city.New != nil {
		t.Errorf("city change = %+v, want Oslo -> nil", city)
	}
	ln := ch.Properties["lastname"]
	if ln.Old != nil || ln.New == nil || *ln.New != "Lee" {
		t.Errorf("lastname change = %+v", ln)
	}
	if len(ch.Properties) != 2 {
		t.Errorf("unchanged properties logged: %v", ch.Properties)
	}
}

func TestPropertyHistoryNewestFirst(t *testing.T) {
	ctx := context.Background()
	s, clock := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	clock.Advance(time.Second)
	if _, err := s.UpdateRecord(ctx, "contacts", idStr(a.ID), map[string]string{"firstname": "Anne"}, "", Source{Type: SourceCRMUI, UserID: "42"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if _, err := s.UpdateRecord(ctx, "contacts", idStr(a.ID), map[string]string{"firstname": ""}, "", Source{Type: SourceIntegration, ID: "hubspot-main"}); err != nil {
		t.Fatal(err)
	}
	h, err := s.PropertyHistory(ctx, "contacts", a.ID, []string{"firstname"})
	if err != nil {
		t.Fatal(err)
	}
	got := h["firstname"]
	if len(got) != 3 {
		t.Fatalf("history = %+v, want 3 entries", got)
	}
	want := []HistoryEntry{
		{Value: "", Timestamp: "2026-03-01T12:00:02.000Z", Source: Source{Type: SourceIntegration, ID: "hubspot-main"}},
		{Value: "Anne", Timestamp: "2026-03-01T12:00:01.000Z", Source: Source{Type: SourceCRMUI, UserID: "42"}},
		{Value: "Ann", Timestamp: "2026-03-01T12:00:00.000Z", Source: Source{Type: SourceAPI}},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("history[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, ok := h["email"]; ok {
		t.Error("history returned a property that was not asked for")
	}
}

func TestBatchLimitsAndPartialFailure(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	in := make([]map[string]string, MaxBatch+1)
	for i := range in {
		in[i] = map[string]string{"email": fmt.Sprintf("u%d@example.com", i)}
	}
	if _, err := s.CreateRecords(ctx, "contacts", in, Source{}); err == nil {
		t.Fatal("101 inputs accepted")
	}
	in = in[:MaxBatch]
	in[7] = map[string]string{"email": "broken"}
	res, err := s.CreateRecords(ctx, "contacts", in, Source{Type: SourceBatchUpdate})
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i, r := range res {
		if i == 7 {
			if propertyErrors(t, r.Err)["email"] != CodeInvalidEmail {
				t.Errorf("input 7: %v", r.Err)
			}
			continue
		}
		if r.Err != nil || r.Record == nil {
			t.Errorf("input %d: %v", i, r.Err)
			continue
		}
		ok++
	}
	page, err := s.ListRecords(ctx, "contacts", ListOptions{Limit: 100})
	if err != nil || len(page.Records) != ok || ok != 99 {
		t.Errorf("stored %d records (%v), want 99", len(page.Records), err)
	}
	changes, _ := s.Changes(ctx, 0, 1000)
	if len(changes) != 99 {
		t.Errorf("change log rows = %d, want one per created record (99)", len(changes))
	}
	ids := make([]int64, 0, len(res))
	for _, r := range res {
		if r.Record != nil {
			ids = append(ids, r.Record.ID)
		}
	}
	ar, err := s.ArchiveRecords(ctx, "contacts", append(ids[:3:3], 999999), Source{})
	if err != nil || ar[0].Err != nil || !errors.Is(ar[3].Err, ErrNotFound) {
		t.Errorf("archive batch: %v %+v", err, ar)
	}
}

func TestListPaging(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	var want []int64
	for i := 0; i < 25; i++ {
		want = append(want, mustCreate(t, s, "companies", map[string]string{"name": fmt.Sprintf("Co %d", i)}).ID)
	}
	var got []int64
	var after int64
	pages := 0
	for {
		page, err := s.ListRecords(ctx, "companies", ListOptions{Limit: 10, After: after, Properties: []string{"name"}})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Records {
			got = append(got, r.ID)
		}
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if pages != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paged %d pages: %v, want %v", pages, got, want)
	}
}

func TestDealStagesBelongToPipelines(t *testing.T) {
	ctx := context.Background()
	s, clock := openTestStore(t)
	if _, err := s.CreatePipeline(ctx, "deals", PipelineInput{ID: "renewals", Label: "Renewals", Stages: []StageInput{
		{ID: "up_for_renewal", Label: "Up for renewal", Metadata: map[string]string{"probability": "0.5"}},
		{ID: "renewed", Label: "Renewed", Metadata: map[string]string{"probability": "1.0", "isClosed": "true"}},
	}}); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateRecord(ctx, "deals", map[string]string{"dealname": "D", "pipeline": "default", "dealstage": "renewed"}, Source{})
	if propertyErrors(t, err)["dealstage"] != CodeInvalidStage {
		t.Errorf("stage of another pipeline: %v", err)
	}
	d, err := s.CreateRecord(ctx, "deals", map[string]string{"dealname": "D", "pipeline": "default", "dealstage": "appointmentscheduled"}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Properties["hs_date_entered_appointmentscheduled"] != "2026-03-01T12:00:00.000Z" || d.Properties["hs_deal_stage_probability"] != "0.2" {
		t.Errorf("stage side effects on create: %v", d.Properties)
	}
	clock.Advance(time.Hour)
	d, err = s.UpdateRecord(ctx, "deals", idStr(d.ID), map[string]string{"pipeline": "renewals", "dealstage": "renewed"}, "", Source{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Properties["hs_date_entered_renewed"] != "2026-03-01T13:00:00.000Z" || d.Properties["hs_is_closed_won"] != "true" ||
		d.Properties["hs_date_entered_appointmentscheduled"] != "2026-03-01T12:00:00.000Z" {
		t.Errorf("stage side effects on move: %v", d.Properties)
	}
	// Moving to a stage of the record's current pipeline without naming the pipeline works.
	if _, err := s.UpdateRecord(ctx, "deals", idStr(d.ID), map[string]string{"dealstage": "up_for_renewal"}, "", Source{}); err != nil {
		t.Errorf("stage of the current pipeline: %v", err)
	}
	if _, err := s.UpdateRecord(ctx, "deals", idStr(d.ID), map[string]string{"dealstage": "closedwon"}, "", Source{}); err == nil {
		t.Error("stage of another pipeline accepted on update")
	}
	if err := s.ArchivePipeline(ctx, "deals", "renewals"); err == nil {
		t.Error("archived a pipeline with a deal in it")
	}
	tk, err := s.CreateRecord(ctx, "tickets", map[string]string{"subject": "Help", "hs_pipeline_stage": "1"}, Source{})
	if err != nil || tk.Properties["hs_pipeline"] != "0" {
		t.Errorf("ticket stage without pipeline: %v %v", tk, err)
	}
}

func TestPipelinesCRUD(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	ps, err := s.Pipelines(ctx, "deals", false)
	if err != nil || len(ps) != 1 || ps[0].ID != "default" || len(ps[0].Stages) != 7 {
		t.Fatalf("default deal pipelines: %+v %v", ps, err)
	}
	tp, err := s.Pipelines(ctx, "tickets", false)
	if err != nil || len(tp) != 1 || tp[0].ID != "0" || tp[0].Stages[3].Metadata["ticketState"] != "CLOSED" {
		t.Fatalf("default ticket pipelines: %+v %v", tp, err)
	}
	if _, err := s.CreatePipeline(ctx, "deals", PipelineInput{Label: "Bad", Stages: []StageInput{{Label: "x", Metadata: map[string]string{"probability": "7"}}}}); err == nil {
		t.Error("probability 7 accepted")
	}
	if _, err := s.Pipelines(ctx, "contacts", false); err == nil {
		t.Error("contacts have pipelines")
	}
	p, err := s.CreatePipeline(ctx, "tickets", PipelineInput{Label: "Escalations", Stages: []StageInput{{ID: "e1", Label: "Open"}, {ID: "e2", Label: "Done", Metadata: map[string]string{"ticketState": "CLOSED"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateStage(ctx, "tickets", p.ID, StageInput{ID: "e0", Label: "Triage"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReorderStages(ctx, "tickets", p.ID, []string{"e0", "e1", "e2"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Pipeline(ctx, "tickets", p.ID)
	if err != nil || got.Stages[0].ID != "e0" || got.Stages[2].ID != "e2" {
		t.Fatalf("after reorder: %+v %v", got, err)
	}
	if err := s.ReorderStages(ctx, "tickets", p.ID, []string{"e0", "e1"}); err == nil {
		t.Error("reorder with a stage missing accepted")
	}
	label := "Escalated"
	if _, err := s.UpdateStage(ctx, "tickets", p.ID, "e1", StageUpdate{Label: &label}); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveStage(ctx, "tickets", p.ID, "e0"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRecord(ctx, "tickets", map[string]string{"subject": "x", "hs_pipeline": p.ID, "hs_pipeline_stage": "e0"}, Source{}); err == nil {
		t.Error("archived stage accepted")
	}
	tk, err := s.CreateRecord(ctx, "tickets", map[string]string{"subject": "x", "hs_pipeline": p.ID, "hs_pipeline_stage": "e1"}, Source{})
	if err != nil || tk.Properties["hs_date_entered_e1"] == "" {
		t.Errorf("ticket in new pipeline: %v %v", tk, err)
	}
}

func TestOwnerMustExist(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	_, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "a@x.com", "hubspot_owner_id": "12345"}, Source{})
	if propertyErrors(t, err)["hubspot_owner_id"] != CodeInvalidOwner {
		t.Errorf("unknown owner: %v", err)
	}
	o, err := s.CreateOwner(ctx, OwnerInput{Email: "grace@example.com", FirstName: "Grace"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "a@x.com", "hubspot_owner_id": idStr(o.ID)}, Source{}); err != nil {
		t.Errorf("existing owner refused: %v", err)
	}
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	s, clock := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "ann@example.com", "firstname": "Ann"})
	clock.Advance(time.Second)
	b := mustCreate(t, s, "contacts", map[string]string{"email": "ann.lee@example.com", "firstname": "Annie", "lastname": "Lee"})
	co := mustCreate(t, s, "companies", map[string]string{"name": "Acme", "domain": "acme.com"})
	if err := s.AssociateDefault(ctx, "contacts", b.ID, "companies", co.ID, Source{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	m, err := s.MergeRecords(ctx, "contacts", a.ID, b.ID, Source{Type: SourceCRMUI})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != a.ID || m.Properties["firstname"] != "Ann" || m.Properties["lastname"] != "Lee" || m.Properties["hs_merged_object_ids"] != idStr(b.ID) {
		t.Errorf("merged record: %v", m.Properties)
	}
	viaOld, err := s.GetRecord(ctx, "contacts", idStr(b.ID), GetOptions{})
	if err != nil || viaOld.ID != a.ID {
		t.Errorf("read by merged id: %v %v", viaOld, err)
	}
	assocs, _, err := s.Associations(ctx, "contacts", a.ID, "companies", 0, 100)
	if err != nil || len(assocs) != 1 || assocs[0].ToObjectID != co.ID {
		t.Errorf("associations after merge: %+v %v", assocs, err)
	}
	h, _ := s.PropertyHistory(ctx, "contacts", a.ID, []string{"lastname", "firstname"})
	if len(h["lastname"]) == 0 || h["lastname"][0].Value != "Lee" {
		t.Errorf("lastname history: %+v", h["lastname"])
	}
	if len(h["firstname"]) != 2 {
		t.Errorf("firstname history should hold both records' values: %+v", h["firstname"])
	}
	// The merged email is free for the primary's use but not for a new record's duplicate of the primary.
	if _, err := s.CreateRecord(ctx, "contacts", map[string]string{"email": "ann@example.com"}, Source{}); err == nil {
		t.Error("duplicate of primary's email accepted after merge")
	}
	if _, err := s.MergeRecords(ctx, "contacts", a.ID, a.ID, Source{}); err == nil {
		t.Error("merge into itself accepted")
	}
}

func TestDeleteErasesValues(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	a := mustCreate(t, s, "contacts", map[string]string{"email": "gdpr@example.com", "firstname": "Private"})
	if err := s.DeleteRecord(ctx, "contacts", a.ID, Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "contacts", idStr(a.ID), GetOptions{Archived: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted record still readable: %v", err)
	}
	changes, _ := s.Changes(ctx, 0, 100)
	if len(changes) != 2 || changes[1].Op != OpDelete {
		t.Fatalf("changes = %+v", changes)
	}
	if len(changes[0].Properties) != 0 {
		t.Errorf("create row still holds values after GDPR delete: %v", changes[0].Properties)
	}
	b := mustCreate(t, s, "contacts", map[string]string{"email": "gdpr@example.com"})
	if b.ID == a.ID {
		t.Error("record id reused after delete")
	}
}

func TestCreateRecordsAtomic(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	res, err := s.CreateRecordsAtomic(ctx, "contacts", []map[string]string{{"email": "good@example.com"}, {"email": "bad"}}, Source{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Record != nil || propertyErrors(t, res[1].Err)["email"] != CodeInvalidEmail {
		t.Errorf("results = %+v", res)
	}
	if page, _ := s.ListRecords(ctx, "contacts", ListOptions{}); len(page.Records) != 0 {
		t.Errorf("a refused atomic batch created %d records", len(page.Records))
	}
	if n, _ := s.LastChangeSeq(ctx); n != 0 {
		t.Errorf("a refused atomic batch logged changes")
	}
	res, err = s.CreateRecordsAtomic(ctx, "contacts", []map[string]string{{"email": "a@example.com"}, {"email": "b@example.com"}}, Source{})
	if err != nil || res[0].Record == nil || res[1].Record == nil {
		t.Errorf("valid atomic batch: %+v %v", res, err)
	}
}

// A restore refused on one unique value must not keep the others reserved
// for the record that stays archived. Both orders of the conflicting
// property are tried so the test does not depend on which is checked first.
func TestRestoreConflictReservesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	for _, name := range []string{"code_a", "code_b"} {
		if _, err := s.CreateProperty(ctx, "contacts", PropertyInput{Name: name, Label: name, GroupName: "contactinformation",
			Type: TypeString, FieldType: "text", HasUniqueValue: true}); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range []struct{ taken, free string }{{"code_a", "code_b"}, {"code_b", "code_a"}} {
		v := "v" + strconv.Itoa(i)
		a := mustCreate(t, s, "contacts", map[string]string{tc.taken: v, tc.free: v})
		if err := s.ArchiveRecord(ctx, "contacts", a.ID, Source{}); err != nil {
			t.Fatal(err)
		}
		b := mustCreate(t, s, "contacts", map[string]string{tc.taken: v})
		var ce *ConflictError
		if err := s.RestoreRecord(ctx, "contacts", a.ID, Source{}); !errors.As(err, &ce) || ce.ExistingID != b.ID || ce.Property != tc.taken {
			t.Fatalf("restore over a taken %s: err = %v", tc.taken, err)
		}
		if _, err := s.CreateRecord(ctx, "contacts", map[string]string{tc.free: v}, Source{}); err != nil {
			t.Errorf("%s of a refused restore is still reserved: %v", tc.free, err)
		}
	}
}
