package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// testAPI is a real API server on loopback over a store in a temp dir.
type testAPI struct {
	t     testing.TB
	store *crmstore.Store
	srv   *Server
	http  *httptest.Server
	token string
}

func newTestAPI(t testing.TB, opts Options) *testAPI {
	t.Helper()
	st, err := crmstore.Open(context.Background(), filepath.Join(t.TempDir(), "data"), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	token, _, err := st.CreateToken(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(st, opts)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testAPI{t: t, store: st, srv: srv, http: hs, token: token}
}

// response is a decoded API answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// do sends a request with the test token; body is marshalled unless it is
// a string (sent as is) or nil.
func (a *testAPI) do(method, path string, body any) response {
	a.t.Helper()
	return a.doToken(a.token, method, path, body)
}

func (a *testAPI) doToken(token, method, path string, body any) response {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.http.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// expect fails the test unless the response has the given status; JSON
// answers must carry Content-Type application/json.
func (a *testAPI) expect(r response, status int) response {
	a.t.Helper()
	if r.Status != status {
		a.t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if len(r.Body) > 0 {
		if ct := r.Header.Get("Content-Type"); len(ct) < 16 || ct[:16] != "application/json" {
			a.t.Fatalf("Content-Type = %q for a body", ct)
		}
	}
	return r
}
