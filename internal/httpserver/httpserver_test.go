package httpserver

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLifecycle(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") })
	s := New(&http.Server{Handler: h}, Options{Name: "test", Listen: "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Errorf("body = %q", body)
	}
	// A second server on the same address fails at Start, naming the address.
	busy := New(&http.Server{Handler: h}, Options{Name: "busy", Listen: s.Addr()})
	if err := busy.Start(ctx); err == nil || !strings.Contains(err.Error(), s.Addr()) {
		t.Errorf("start on a busy port: %v", err)
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("wait after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("restart of a stopped server succeeded")
	}
	never := New(&http.Server{Handler: h}, Options{Name: "never", Listen: "127.0.0.1:0"})
	if err := never.Stop(context.Background()); err != nil || never.Wait() != nil {
		t.Errorf("stop before start: %v", err)
	}
}
