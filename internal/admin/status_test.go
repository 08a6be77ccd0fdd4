package admin

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	s, base := start(t, Options{Token: token})
	s.Handle("GET /admin/status", s.JSON(func(r *http.Request) (any, error) {
		return map[string]any{"version": "v1", "uptimeSeconds": 3}, nil
	}))
	s.Handle("GET /admin/broken", s.JSON(func(r *http.Request) (any, error) {
		return nil, errors.New("store closed")
	}))

	code, body, hdr := get(t, http.MethodGet, base+"/admin/status", "Bearer "+token)
	if code != http.StatusOK || strings.TrimSpace(body) != `{"uptimeSeconds":3,"version":"v1"}` {
		t.Errorf("GET /admin/status = %d %s", code, body)
	}
	if hdr.Get("Content-Type") != "application/json" || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", hdr)
	}
	if code, body, _ := get(t, http.MethodGet, base+"/admin/status", ""); code != http.StatusUnauthorized || strings.Contains(body, "v1") {
		t.Errorf("without a token: %d %s", code, body)
	}
	if code, body, _ := get(t, http.MethodGet, base+"/admin/broken", "Bearer "+token); code != http.StatusInternalServerError || decode(t, body)["error"] != "store closed" {
		t.Errorf("failing handler: %d %s", code, body)
	}
}
