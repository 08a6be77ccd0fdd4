package hubspotfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, s *Server, token, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, resp.Header, m
}

func TestAuthAndRateLimit(t *testing.T) {
	s := New(Options{RequestsPer10s: 3})
	defer s.Close()
	if code, _, body := do(t, s, "wrong", "GET", "/crm/v3/objects/contacts", ""); code != 401 || body["category"] != "INVALID_AUTHENTICATION" {
		t.Errorf("wrong token: %d %v", code, body)
	}
	for i := range 3 {
		if code, _, _ := do(t, s, s.Token(), "GET", "/crm/v3/objects/contacts", ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	code, h, body := do(t, s, s.Token(), "GET", "/crm/v3/objects/contacts", "")
	if code != 429 || body["policyName"] != "TEN_SECONDLY_ROLLING" || body["errorType"] != "RATE_LIMIT" {
		t.Errorf("over the limit: %d %v", code, body)
	}
	if ra := h.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if s.RateLimited() != 1 || s.Requests() != 5 {
		t.Errorf("counters: %d limited of %d", s.RateLimited(), s.Requests())
	}
}

func TestRollingWindow(t *testing.T) {
	w := rollingWindow{span: 10 * time.Second, max: 2}
	t0 := time.Unix(0, 0)
	for i, tc := range []struct {
		at   time.Duration
		ok   bool
		wait time.Duration
	}{{0, true, 0}, {time.Second, true, 0}, {2 * time.Second, false, 8 * time.Second}, {10 * time.Second, true, 0}, {10500 * time.Millisecond, false, 500 * time.Millisecond}} {
		wait, ok := w.admit(t0.Add(tc.at))
		if ok != tc.ok || wait != tc.wait {
			t.Errorf("event %d at %s: ok=%v wait=%s; want %v %s", i, tc.at, ok, wait, tc.ok, tc.wait)
		}
	}
}

func TestFaults(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.FailNext(Fault{Kind: FaultServerError}, 2)
	for range 2 {
		if code, _, _ := do(t, s, s.Token(), "GET", "/crm/v3/objects/contacts", ""); code != 503 {
			t.Errorf("injected 5xx: %d", code)
		}
	}
	if code, _, _ := do(t, s, s.Token(), "GET", "/crm/v3/objects/contacts", ""); code != 200 {
		t.Errorf("after the faults: %d", code)
	}
	s.FailNext(Fault{Kind: FaultDrop}, 1)
	req, _ := http.NewRequest("GET", s.URL+"/crm/v3/objects/contacts", nil)
	// A fresh connection: Go retries a GET by itself when a reused one is closed.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	if resp, err := tr.RoundTrip(req); err == nil {
		resp.Body.Close()
		t.Error("dropped connection answered")
	}
	s.FailNext(Fault{Kind: FaultMalformed}, 1)
	resp, err := s.Client().Get(s.URL + "/crm/v3/objects/contacts")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if json.Valid(raw) {
		t.Errorf("malformed body is valid JSON: %s", raw)
	}
	if s.Injected() != 4 {
		t.Errorf("injected = %d", s.Injected())
	}
}

func TestRandomFailuresAreSeeded(t *testing.T) {
	run := func() []int {
		s := New(Options{FailureRate: 0.3, Seed: 7, RandomFaults: []FaultKind{FaultServerError}})
		defer s.Close()
		var codes []int
		for range 30 {
			code, _, _ := do(t, s, s.Token(), "GET", "/crm/v3/objects/contacts", "")
			codes = append(codes, code)
		}
		return codes
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if n := strings.Count(fmt.Sprint(a), "503"); n == 0 || n == 30 {
		t.Errorf("%d of 30 failed at rate 0.3", n)
	}
}

func TestSearch(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	for i, e := range []string{"ann@x.com", "bob@x.com", "cy@y.com"} {
		if _, err := s.Put("contacts", map[string]string{"email": e, "firstname": fmt.Sprint("N", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		filters string
		want    float64
	}{
		{`{"propertyName":"email","operator":"EQ","value":"ANN@x.com"}`, 1},
		{`{"propertyName":"hs_object_id","operator":"GT","value":"1"}`, 2},
		{`{"propertyName":"email","operator":"IN","values":["ann@x.com","cy@y.com"]}`, 2},
		{`{"propertyName":"firstname","operator":"NEQ","value":"N0"}`, 2},
		{`{"propertyName":"lastname","operator":"NOT_HAS_PROPERTY"}`, 3},
		{`{"propertyName":"createdate","operator":"GTE","value":"0"}`, 3},
		{`{"propertyName":"createdate","operator":"LT","value":"0"}`, 0},
	} {
		code, _, body := do(t, s, s.Token(), "POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[`+tc.filters+`]}]}`)
		if code != 200 || body["total"] != tc.want {
			t.Errorf("%s: %d total=%v, want %v", tc.filters, code, body["total"], tc.want)
		}
	}
	code, _, body := do(t, s, s.Token(), "POST", "/crm/v3/objects/contacts/search", `{"sorts":[{"propertyName":"email","direction":"DESCENDING"}],"limit":2}`)
	results, _ := body["results"].([]any)
	first, _ := results[0].(map[string]any)["properties"].(map[string]any)
	if code != 200 || len(results) != 2 || first["email"] != "cy@y.com" || body["paging"] == nil {
		t.Errorf("sorted search: %d %v", code, body)
	}
	if code, _, _ := do(t, s, s.Token(), "POST", "/crm/v3/objects/contacts/search", `{"limit":200,"after":"9801"}`); code != 400 {
		t.Errorf("past the 10,000 cap: %d, want 400", code)
	}
}
