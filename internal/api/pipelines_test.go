package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

var pipelineKeys = []string{"id", "label", "displayOrder", "archived", "createdAt", "updatedAt", "stages"}

var stageKeys = []string{"id", "label", "displayOrder", "metadata", "archived", "createdAt", "updatedAt", "writePermissions"}

// pipelineStageIDs lists the ids of a pipeline's stages in order.
func pipelineStageIDs(p map[string]any) []string {
	var out []string
	for _, s := range p["stages"].([]any) {
		out = append(out, s.(map[string]any)["id"].(string))
	}
	return out
}

func TestPipelinesRead(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("GET", "/crm/v3/pipelines/deals/", nil), http.StatusOK)
	m := r.Map(t)
	checkFieldSet(t, "pipeline list", m, "results")
	def := resultWith(m["results"].([]any), "id", "default")
	if def == nil {
		t.Fatalf("pipelines = %s", r.Body)
	}
	checkFieldSet(t, "pipeline", def, pipelineKeys...)
	st := def["stages"].([]any)[0].(map[string]any)
	checkFieldSet(t, "stage", st, stageKeys...)
	md := st["metadata"].(map[string]any)
	if st["id"] != "appointmentscheduled" || st["writePermissions"] != "CRM_PERMISSIONS_ENFORCEMENT" ||
		md["probability"] != "0.2" || md["isClosed"] != "false" {
		t.Errorf("stage = %v", st)
	}

	g := a.expect(a.do("GET", "/crm/v3/pipelines/0-3/default", nil), http.StatusOK).Map(t)
	if g["label"] != "Sales Pipeline" || len(g["stages"].([]any)) != 7 {
		t.Errorf("default pipeline = %v", g)
	}
	tk := a.expect(a.do("GET", "/crm/v3/pipelines/tickets", nil), http.StatusOK).Map(t)
	if p := resultWith(tk["results"].([]any), "id", "0"); p == nil ||
		p["stages"].([]any)[0].(map[string]any)["metadata"].(map[string]any)["ticketState"] == nil {
		t.Errorf("ticket pipelines = %v", tk)
	}
	a.expect(a.do("GET", "/crm/v3/pipelines/deals/nope", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v3/pipelines/nothings", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v3/pipelines/contacts", nil), http.StatusBadRequest)
	// Date-versioned path.
	a.expect(a.do("GET", "/crm/pipelines/2026-03/deals/default", nil), http.StatusOK)
}

func TestPipelineLifecycle(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("POST", "/crm/v3/pipelines/deals", map[string]any{
		"label": "Renewals", "displayOrder": 2,
		"stages": []map[string]any{
			{"label": "Open", "displayOrder": 0, "metadata": map[string]any{"probability": 0.5}},
			{"label": "Won", "displayOrder": 1, "metadata": map[string]any{"probability": "1.0", "isClosed": true}},
		},
	}), http.StatusCreated)
	p := r.Map(t)
	checkFieldSet(t, "created pipeline", p, pipelineKeys...)
	pid := p["id"].(string)
	stages := p["stages"].([]any)
	if p["label"] != "Renewals" || p["displayOrder"] != float64(2) || len(stages) != 2 {
		t.Fatalf("created = %v", p)
	}
	if md := stages[0].(map[string]any)["metadata"].(map[string]any); md["probability"] != "0.5" || md["isClosed"] != "false" {
		t.Errorf("metadata = %v", md)
	}
	if md := stages[1].(map[string]any)["metadata"].(map[string]any); md["isClosed"] != "true" {
		t.Errorf("metadata = %v", md)
	}

	// Validation.
	v := a.expect(a.do("POST", "/crm/v3/pipelines/deals", map[string]any{"stages": []any{}}), http.StatusBadRequest).Map(t)
	if !strings.Contains(v["message"].(string), "label") {
		t.Errorf("no label = %v", v)
	}
	a.expect(a.do("POST", "/crm/v3/pipelines/deals", map[string]any{"label": "X"}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/pipelines/deals", map[string]any{"label": "X",
		"stages": []map[string]any{{"label": "S", "metadata": map[string]any{"probability": 2}}}}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/pipelines/deals", map[string]any{"label": "X",
		"stages": []map[string]any{{"label": "S", "metadata": map[string]any{"probability": []int{1}}}}}), http.StatusBadRequest)

	u := a.expect(a.do("PATCH", "/crm/v3/pipelines/deals/"+pid, map[string]any{"label": "Renewals 2", "displayOrder": 5}), http.StatusOK).Map(t)
	if u["label"] != "Renewals 2" || u["displayOrder"] != float64(5) || len(u["stages"].([]any)) != 2 {
		t.Errorf("patched = %v", u)
	}
	a.expect(a.do("PATCH", "/crm/v3/pipelines/deals/nope", map[string]any{"label": "x"}), http.StatusNotFound)

	expectEmpty204(t, a, a.do("DELETE", "/crm/v3/pipelines/deals/"+pid, nil))
	l := a.expect(a.do("GET", "/crm/v3/pipelines/deals", nil), http.StatusOK).Map(t)
	if resultWith(l["results"].([]any), "id", pid) != nil {
		t.Errorf("archived pipeline still listed: %v", l)
	}
	if g := a.expect(a.do("GET", "/crm/v3/pipelines/deals/"+pid, nil), http.StatusOK).Map(t); g["archived"] != true {
		t.Errorf("archived pipeline = %v", g)
	}
	a.expect(a.do("DELETE", "/crm/v3/pipelines/deals/nope", nil), http.StatusNotFound)
	// Restore with PATCH archived=false.
	if g := a.expect(a.do("PATCH", "/crm/v3/pipelines/deals/"+pid, map[string]any{"archived": false}), http.StatusOK).Map(t); g["archived"] != false {
		t.Errorf("restored pipeline = %v", g)
	}
}

func TestPipelineReplace(t *testing.T) {
	a := newTestAPI(t, Options{})
	a.expect(a.do("POST", "/crm/v3/pipelines/deals", map[string]any{
		"id": "renewals", "label": "Renewals", "displayOrder": 1,
		"stages": []map[string]any{
			{"id": "r_open", "label": "Open", "metadata": map[string]any{"probability": "0.5"}},
			{"id": "r_hold", "label": "On hold", "metadata": map[string]any{"probability": "0.3"}},
			{"id": "r_won", "label": "Won", "metadata": map[string]any{"probability": "1.0"}},
		},
	}), http.StatusCreated)

	// r_open kept by id (relabelled), Won kept by label, r_hold archived, Lost created.
	r := a.expect(a.do("PUT", "/crm/v3/pipelines/deals/renewals", map[string]any{
		"label": "Renewals!", "displayOrder": 4,
		"stages": []map[string]any{
			{"id": "r_open", "label": "Open deals", "displayOrder": 0, "metadata": map[string]any{"probability": "0.6"}},
			{"label": "won", "displayOrder": 1, "metadata": map[string]any{"probability": "1.0"}},
			{"label": "Lost", "displayOrder": 2, "metadata": map[string]any{"probability": "0.0"}},
		},
	}), http.StatusOK)
	p := r.Map(t)
	checkFieldSet(t, "replaced", p, pipelineKeys...)
	ids := pipelineStageIDs(p)
	if p["label"] != "Renewals!" || p["displayOrder"] != float64(4) || len(ids) != 3 || ids[0] != "r_open" || ids[1] != "r_won" {
		t.Fatalf("replaced = %v", p)
	}
	first := p["stages"].([]any)[0].(map[string]any)
	if first["label"] != "Open deals" || first["metadata"].(map[string]any)["probability"] != "0.6" {
		t.Errorf("first stage = %v", first)
	}
	if g := a.expect(a.do("GET", "/crm/v3/pipelines/deals/renewals/stages/r_hold", nil), http.StatusOK).Map(t); g["archived"] != true {
		t.Errorf("left-out stage = %v", g)
	}

	// A stage still holding a deal cannot go; nothing changes.
	if _, err := a.store.CreateRecord(t.Context(), "deals", map[string]string{"dealname": "D", "pipeline": "renewals", "dealstage": "r_won"},
		crmstore.Source{Type: crmstore.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	a.expect(a.do("PUT", "/crm/v3/pipelines/deals/renewals", map[string]any{
		"label": "Changed", "displayOrder": 0,
		"stages": []map[string]any{{"id": "r_open", "label": "Changed too", "metadata": map[string]any{"probability": "0.1"}}},
	}), http.StatusBadRequest)
	after := a.expect(a.do("GET", "/crm/v3/pipelines/deals/renewals", nil), http.StatusOK).Map(t)
	if after["label"] != "Renewals!" || len(pipelineStageIDs(after)) != 3 ||
		after["stages"].([]any)[0].(map[string]any)["label"] != "Open deals" {
		t.Errorf("after refused PUT = %v", after)
	}
	// A bad stage undoes the archives made before it.
	a.expect(a.do("PUT", "/crm/v3/pipelines/deals/renewals", map[string]any{
		"label": "Changed", "displayOrder": 0,
		"stages": []map[string]any{
			{"id": "r_won", "label": "Won", "metadata": map[string]any{"probability": "1.0"}},
			{"label": "Bad", "metadata": map[string]any{"probability": "7"}},
		},
	}), http.StatusBadRequest)
	after = a.expect(a.do("GET", "/crm/v3/pipelines/deals/renewals", nil), http.StatusOK).Map(t)
	if after["label"] != "Renewals!" || len(pipelineStageIDs(after)) != 3 {
		t.Errorf("after failed PUT = %v", after)
	}

	a.expect(a.do("PUT", "/crm/v3/pipelines/deals/renewals", map[string]any{"label": "X"}), http.StatusBadRequest)
	a.expect(a.do("PUT", "/crm/v3/pipelines/deals/renewals", map[string]any{
		"stages": []map[string]any{{"label": "S", "metadata": map[string]any{"probability": "0.1"}}}}), http.StatusBadRequest)
	a.expect(a.do("PUT", "/crm/v3/pipelines/deals/nope", map[string]any{"label": "X",
		"stages": []map[string]any{{"label": "S", "metadata": map[string]any{"probability": "0.1"}}}}), http.StatusNotFound)
}

func TestPipelineStages(t *testing.T) {
	a := newTestAPI(t, Options{})
	base := "/crm/v3/pipelines/deals/default/stages"
	l := a.expect(a.do("GET", base+"/", nil), http.StatusOK).Map(t)
	checkFieldSet(t, "stage list", l, "results")
	if res := l["results"].([]any); len(res) != 7 {
		t.Errorf("stages = %v", res)
	}

	c := a.expect(a.do("POST", base, map[string]any{"label": "Negotiation", "metadata": map[string]any{"probability": 0.7}}), http.StatusCreated).Map(t)
	checkFieldSet(t, "created stage", c, stageKeys...)
	sid := c["id"].(string)
	if c["label"] != "Negotiation" || c["metadata"].(map[string]any)["probability"] != "0.7" || c["displayOrder"].(float64) < 7 {
		t.Errorf("created stage = %v", c)
	}
	v := a.expect(a.do("POST", base, map[string]any{"metadata": map[string]any{"probability": "0.7"}}), http.StatusBadRequest).Map(t)
	if !strings.Contains(v["message"].(string), "label") {
		t.Errorf("no label = %v", v)
	}
	a.expect(a.do("POST", base, map[string]any{"label": "No probability"}), http.StatusBadRequest)
	a.expect(a.do("POST", "/crm/v3/pipelines/deals/nope/stages", map[string]any{"label": "x", "metadata": map[string]any{"probability": "0.1"}}), http.StatusNotFound)

	g := a.expect(a.do("GET", base+"/"+sid, nil), http.StatusOK).Map(t)
	checkFieldSet(t, "stage", g, stageKeys...)
	a.expect(a.do("GET", base+"/nope", nil), http.StatusNotFound)

	// PATCH merges metadata.
	p := a.expect(a.do("PATCH", base+"/"+sid, map[string]any{"label": "Negotiating", "metadata": map[string]any{"isClosed": "false"}}), http.StatusOK).Map(t)
	if md := p["metadata"].(map[string]any); p["label"] != "Negotiating" || md["probability"] != "0.7" || md["isClosed"] != "false" {
		t.Errorf("patched stage = %v", p)
	}
	a.expect(a.do("PATCH", base+"/nope", map[string]any{"label": "x"}), http.StatusNotFound)

	// PUT sets everything.
	u := a.expect(a.do("PUT", base+"/"+sid, map[string]any{"label": "Final", "displayOrder": 9, "metadata": map[string]any{"probability": "0.9"}}), http.StatusOK).Map(t)
	if u["label"] != "Final" || u["displayOrder"] != float64(9) || u["metadata"].(map[string]any)["probability"] != "0.9" {
		t.Errorf("put stage = %v", u)
	}
	a.expect(a.do("PUT", base+"/"+sid, map[string]any{"label": "Final"}), http.StatusBadRequest)
	a.expect(a.do("PUT", base+"/"+sid, map[string]any{"label": "Final", "displayOrder": 9}), http.StatusBadRequest)

	expectEmpty204(t, a, a.do("DELETE", base+"/"+sid, nil))
	if g := a.expect(a.do("GET", base+"/"+sid, nil), http.StatusOK).Map(t); g["archived"] != true {
		t.Errorf("archived stage = %v", g)
	}
	if l := a.expect(a.do("GET", base, nil), http.StatusOK).Map(t); resultWith(l["results"].([]any), "id", sid) != nil {
		t.Errorf("archived stage still listed")
	}
	a.expect(a.do("DELETE", base+"/nope", nil), http.StatusNotFound)

	// Tickets default their ticketState; a bad one is refused.
	tc := a.expect(a.do("POST", "/crm/v3/pipelines/tickets/0/stages", map[string]any{"label": "Waiting"}), http.StatusCreated).Map(t)
	if tc["metadata"].(map[string]any)["ticketState"] != "OPEN" {
		t.Errorf("ticket stage = %v", tc)
	}
	a.expect(a.do("POST", "/crm/v3/pipelines/tickets/0/stages", map[string]any{"label": "Odd", "metadata": map[string]any{"ticketState": "MAYBE"}}), http.StatusBadRequest)
}
