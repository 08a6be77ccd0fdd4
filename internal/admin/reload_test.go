package admin

import (
	"net/http"
	"sync"
	"testing"
)

func TestSetToken(t *testing.T) {
	s, base := start(t, Options{Token: "old-token"})
	s.Handle("GET /status", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, statusBody{Status: "ok"})
	}))
	status := func(auth string) int {
		t.Helper()
		code, _, _ := get(t, http.MethodGet, base+"/status", auth)
		return code
	}
	if got := status("Bearer old-token"); got != http.StatusOK {
		t.Fatalf("old token before SetToken: %d", got)
	}

	// Requests racing with SetToken (run with -race).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _, _, _ = get(t, http.MethodGet, base+"/status", "Bearer old-token") })
	}
	s.SetToken("new-token")
	wg.Wait()

	if got := status("Bearer old-token"); got != http.StatusUnauthorized {
		t.Errorf("old token after SetToken: %d, want 401", got)
	}
	if got := status("Bearer new-token"); got != http.StatusOK {
		t.Errorf("new token: %d, want 200", got)
	}
	s.SetToken("")
	if got := status("Bearer new-token"); got != http.StatusServiceUnavailable {
		t.Errorf("after SetToken(\"\"): %d, want 503", got)
	}
	if code, _, _ := get(t, http.MethodGet, base+"/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz after SetToken(\"\"): %d", code)
	}
}
