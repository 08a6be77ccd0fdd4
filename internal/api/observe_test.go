package api

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestObserver_RoutePatternStatusDuration(t *testing.T) {
	var (
		mu  sync.Mutex
		got []string
	)
	a := newTestAPI(t, Options{Observer: func(route string, status int, d time.Duration) {
		if d <= 0 {
			t.Errorf("%s: duration %v", route, d)
		}
		mu.Lock()
		got = append(got, fmt.Sprintf("%s %d", route, status))
		mu.Unlock()
	}})
	a.expect(a.do(http.MethodPost, "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"firstname": "Ada"}}), http.StatusCreated)
	a.expect(a.do(http.MethodGet, "/crm/v3/objects/contacts", nil), http.StatusOK)
	a.expect(a.do(http.MethodGet, "/crm/objects/2026-03/contacts/", nil), http.StatusOK)
	a.expect(a.do(http.MethodGet, "/crm/v3/objects/contacts/1", nil), http.StatusOK)
	a.expect(a.do(http.MethodGet, "/crm/v3/objects/contacts/424242", nil), http.StatusNotFound)
	a.expect(a.doToken("", http.MethodGet, "/crm/v3/objects/contacts", nil), http.StatusUnauthorized)

	want := []string{
		"POST /crm/v3/objects/{objectType} 201",
		"GET /crm/v3/objects/{objectType} 200",
		"GET /crm/v3/objects/{objectType} 200",
		"GET /crm/v3/objects/{objectType}/{objectId} 200",
		"GET /crm/v3/objects/{objectType}/{objectId} 404",
		RouteUnmatched + " 401",
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("observed\n%q\nwant\n%q", got, want)
	}
}
