package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthenticationRequired(t *testing.T) {
	a := newTestAPI(t, Options{})
	for _, tok := range []string{"", "tdm-pat-wrong"} {
		r := a.expect(a.doToken(tok, "GET", "/crm/v3/objects/contacts", nil), http.StatusUnauthorized)
		m := r.Map(t)
		if m["category"] != "INVALID_AUTHENTICATION" || m["status"] != "error" || m["correlationId"] == "" || m["message"] == "" {
			t.Errorf("401 body = %v", m)
		}
	}
	// A revoked token stops working once its cache entry ages out.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newTestAPI(t, Options{Now: func() time.Time { return now }})
	b.expect(b.do("GET", "/crm/v3/nothing", nil), http.StatusNotFound)
	if _, err := b.store.RevokeToken(t.Context(), "test"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(tokenTTL + time.Second)
	b.expect(b.do("GET", "/crm/v3/nothing", nil), http.StatusUnauthorized)
}

func TestUnknownEndpointAndCorrelationID(t *testing.T) {
	a := newTestAPI(t, Options{})
	r := a.expect(a.do("GET", "/crm/v3/nothing-here", nil), http.StatusNotFound)
	m := r.Map(t)
	if m["correlationId"] != r.Header.Get("X-HubSpot-Correlation-Id") || len(m["correlationId"].(string)) != 36 {
		t.Errorf("correlation id body %v header %q", m["correlationId"], r.Header.Get("X-HubSpot-Correlation-Id"))
	}
}

func TestCanonicalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/crm/v3/owners/":                                        "/crm/v3/owners",
		"/crm/objects/2026-03/contacts":                          "/crm/v3/objects/contacts",
		"/crm/objects/2026-09/0-1/search":                        "/crm/v3/objects/0-1/search",
		"/crm/objects/2026-09/contacts/5/associations/companies": "/crm/v4/objects/contacts/5/associations/companies",
		"/crm/associations/2026-09/contacts/companies/labels":    "/crm/v4/associations/contacts/companies/labels",
		"/crm/properties/2026-03/contacts":                       "/crm/v3/properties/contacts",
		"/crm/v3/objects/contacts":                               "/crm/v3/objects/contacts",
	} {
		if got := canonicalPath(in); got != want {
			t.Errorf("canonicalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := newTestAPI(t, Options{RequestsPer10s: 3, Now: func() time.Time { return now }})
	for i := 0; i < 3; i++ {
		r := a.do("GET", "/crm/v3/nothing", nil)
		if r.Header.Get("X-HubSpot-RateLimit-Max") != "3" || r.Header.Get("X-HubSpot-RateLimit-Remaining") != []string{"2", "1", "0"}[i] {
			t.Fatalf("request %d headers: %v", i, r.Header)
		}
	}
	r := a.expect(a.do("GET", "/crm/v3/nothing", nil), http.StatusTooManyRequests)
	m := r.Map(t)
	if m["policyName"] != "TEN_SECONDLY_ROLLING" || r.Header.Get("Retry-After") != "10" {
		t.Errorf("429: %v retry-after %q", m, r.Header.Get("Retry-After"))
	}
	now = now.Add(10 * time.Second)
	if r := a.do("GET", "/crm/v3/nothing", nil); r.Status == http.StatusTooManyRequests {
		t.Error("still limited after the window passed")
	}
	// A reload changes the limit while serving; 0 turns it off.
	a.srv.SetRateLimit(1)
	now = now.Add(10 * time.Second)
	a.do("GET", "/crm/v3/nothing", nil)
	a.expect(a.do("GET", "/crm/v3/nothing", nil), http.StatusTooManyRequests)
	a.srv.SetRateLimit(0)
	if r := a.do("GET", "/crm/v3/nothing", nil); r.Status == http.StatusTooManyRequests || r.Header.Get("X-HubSpot-RateLimit-Max") != "" {
		t.Errorf("limit still applied after it was turned off: %d %v", r.Status, r.Header)
	}
}

func TestMalformedJSONSaysWhere(t *testing.T) {
	r := decodeJSON(httpRequest("{\n  \"properties\": {\"email\": \"a@b.c\",}\n}"), &struct{}{})
	if r == nil || !strings.Contains(r.Error(), "line 2, column") {
		t.Errorf("error = %v", r)
	}
	var body struct {
		Properties propertyValues `json:"properties"`
	}
	if err := decodeJSON(httpRequest(`{"properties": {"amount": 12.5, "ok": true, "gone": null, "s": "x"}}`), &body); err != nil {
		t.Fatal(err)
	}
	if body.Properties["amount"] != "12.5" || body.Properties["ok"] != "true" || body.Properties["gone"] != "" || body.Properties["s"] != "x" {
		t.Errorf("properties = %v", body.Properties)
	}
	if err := decodeJSON(httpRequest(`{"properties": []}`), &body); err == nil {
		t.Error("array properties accepted")
	}
}

func httpRequest(body string) *http.Request {
	r, _ := http.NewRequest("POST", "/", strings.NewReader(body))
	return r
}
