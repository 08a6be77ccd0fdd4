package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

const token = "admin-test-token"

var client = &http.Client{Timeout: 5 * time.Second}

// start runs a server on a free loopback port and stops it when the test ends.
func start(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	opts.Listen = "127.0.0.1:0"
	if opts.Logger == nil {
		opts.Logger = zaptest.NewLogger(t)
	}
	s := New(opts)
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s, "http://" + s.Addr()
}

// get sends a request with the given Authorization header ("" for none) and returns the
// status code and body.
func get(t *testing.T, method, url, auth string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func decode(t *testing.T, body string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q is not a JSON object of strings: %v", body, err)
	}
	return m
}

func TestHealthz(t *testing.T) {
	_, base := start(t, Options{Token: token, Ready: func(context.Context) error { return errors.New("down") }})

	for _, auth := range []string{"", "Bearer wrong"} {
		code, body, hdr := get(t, http.MethodGet, base+"/healthz", auth)
		if code != http.StatusOK || decode(t, body)["status"] != "ok" {
			t.Errorf("auth %q: GET /healthz = %d %q", auth, code, body)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	if code, _, _ := get(t, http.MethodPost, base+"/healthz", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", code)
	}
}

func TestReadyz(t *testing.T) {
	t.Run("ready", func(t *testing.T) {
		var hadDeadline bool
		_, base := start(t, Options{Ready: func(ctx context.Context) error {
			_, hadDeadline = ctx.Deadline()
			return nil
		}})
		code, body, _ := get(t, http.MethodGet, base+"/readyz", "")
		if code != http.StatusOK || decode(t, body)["status"] != "ok" {
			t.Errorf("GET /readyz = %d %q", code, body)
		}
		if !hadDeadline {
			t.Error("Ready was called without a deadline")
		}
	})
	t.Run("nil probe", func(t *testing.T) {
		_, base := start(t, Options{})
		if code, body, _ := get(t, http.MethodGet, base+"/readyz", ""); code != http.StatusOK {
			t.Errorf("GET /readyz = %d %q", code, body)
		}
	})
	t.Run("not ready", func(t *testing.T) {
		_, base := start(t, Options{Token: token, Ready: func(context.Context) error {
			return errors.New("store: database is locked")
		}})
		code, body, _ := get(t, http.MethodGet, base+"/readyz", "")
		m := decode(t, body)
		if code != http.StatusServiceUnavailable || m["status"] != "unavailable" || m["error"] != "store: database is locked" {
			t.Errorf("GET /readyz = %d %q", code, body)
		}
	})
}

func TestAuth(t *testing.T) {
	s, base := start(t, Options{Token: token})
	s.Handle("GET /status", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secret status")
	}))

	for _, tc := range []struct {
		name, path, auth string
		want             int
	}{
		{"no header", "/status", "", http.StatusUnauthorized},
		{"wrong token", "/status", "Bearer not-the-token", http.StatusUnauthorized},
		{"token prefix", "/status", "Bearer " + token[:len(token)-1], http.StatusUnauthorized},
		{"token with suffix", "/status", "Bearer " + token + "x", http.StatusUnauthorized},
		{"wrong scheme", "/status", "Basic " + token, http.StatusUnauthorized},
		{"no scheme", "/status", token, http.StatusUnauthorized},
		{"right token", "/status", "Bearer " + token, http.StatusOK},
		{"scheme is case-insensitive", "/status", "bearer " + token, http.StatusOK},
		{"unknown path without token", "/nope", "", http.StatusUnauthorized},
		{"unknown path with token", "/nope", "Bearer " + token, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := get(t, http.MethodGet, base+tc.path, tc.auth)
			if code != tc.want {
				t.Fatalf("GET %s = %d %q, want %d", tc.path, code, body, tc.want)
			}
			switch code {
			case http.StatusOK:
				if body != "secret status" {
					t.Errorf("body = %q", body)
				}
			case http.StatusUnauthorized:
				if strings.Contains(body, "secret status") {
					t.Error("handler ran without auth")
				}
				if decode(t, body)["error"] == "" {
					t.Errorf("401 body %q has no error", body)
				}
				if !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", hdr.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestAuth_NoTokenConfiguredIsNeverOpen(t *testing.T) {
	s, base := start(t, Options{})
	s.Handle("/status", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("handler ran although no token is configured")
	}))
	for _, auth := range []string{"", "Bearer ", "Bearer", "Bearer x"} {
		if code, body, _ := get(t, http.MethodGet, base+"/status", auth); code != http.StatusServiceUnavailable {
			t.Errorf("auth %q: GET /status = %d %q, want 503", auth, code, body)
		}
	}
	if code, _, _ := get(t, http.MethodGet, base+"/healthz", ""); code != http.StatusOK {
		t.Errorf("GET /healthz = %d", code)
	}
}

func TestHandle_RefusesPublicPaths(t *testing.T) {
	s := New(Options{})
	for _, pattern := range []string{"/healthz", "GET /readyz", "POST  /healthz"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Handle(%q) did not panic", pattern)
				}
			}()
			s.Handle(pattern, http.NotFoundHandler())
		}()
	}
}

func TestStart_PortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	s := New(Options{Listen: ln.Addr().String()})
	err = s.Start(t.Context())
	if err == nil {
		s.Stop(t.Context())
		t.Fatal("Start on a port in use succeeded")
	}
	if !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("error %q does not name the address", err)
	}
	if s.Addr() != "" {
		t.Errorf("Addr() = %q after a failed Start", s.Addr())
	}
}

func TestStart_Misuse(t *testing.T) {
	if err := New(Options{}).Start(t.Context()); err == nil {
		t.Error("Start without a listen address succeeded")
	}

	s, _ := start(t, Options{})
	if err := s.Start(t.Context()); err == nil {
		t.Error("second Start succeeded")
	}

	stopped := New(Options{Listen: "127.0.0.1:0"})
	if err := stopped.Stop(t.Context()); err != nil {
		t.Errorf("Stop before Start: %v", err)
	}
	if err := stopped.Wait(); err != nil {
		t.Errorf("Wait after Stop before Start: %v", err)
	}
	if err := stopped.Start(t.Context()); err == nil {
		t.Error("Start after Stop succeeded")
	}
}

func TestServe_GracefulShutdownOnCancel(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	s := New(Options{Listen: "127.0.0.1:0", Token: token, Logger: zaptest.NewLogger(t)})
	s.Handle("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "finished")
	}))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	addr := waitAddr(t, s)

	type result struct {
		code int
		body string
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/slow", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		inflight <- result{resp.StatusCode, string(b), err}
	}()
	<-entered
	cancel()

	// The listener closes at once; the in-flight request keeps running.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepts connections after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) before the in-flight request finished", err)
	case <-time.After(50 * time.Millisecond):
	}

	close(release)
	if r := <-inflight; r.err != nil || r.code != http.StatusOK || r.body != "finished" {
		t.Errorf("in-flight request = %d %q %v, want 200 finished", r.code, r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Errorf("Stop after shutdown: %v", err)
	}
}

func TestShutdownTimeoutClosesConnections(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	s := New(Options{Listen: "127.0.0.1:0", Token: token, ShutdownTimeout: 100 * time.Millisecond, Logger: zaptest.NewLogger(t)})
	s.Handle("GET /stuck", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}))
	ctx, cancel := context.WithCancel(t.Context())
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	clientErr := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.Addr()+"/stuck", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		clientErr <- err
	}()
	<-entered
	cancel()

	if err := s.Wait(); err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want a shutdown deadline error", err)
	}
	if err := <-clientErr; err == nil {
		t.Error("the stuck request completed; its connection should have been closed")
	}
}

func TestStop(t *testing.T) {
	s := New(Options{Listen: "127.0.0.1:0", Logger: zaptest.NewLogger(t)})
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()
	if code, _, _ := get(t, http.MethodGet, "http://"+addr+"/healthz", ""); code != http.StatusOK {
		t.Fatalf("GET /healthz = %d", code)
	}
	for range 2 {
		if err := s.Stop(t.Context()); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("server still accepts connections after Stop")
	}
}

// waitAddr waits until Serve has bound the listener.
func waitAddr(t *testing.T, s *Server) string {
	t.Helper()
	for range 500 {
		if a := s.Addr(); a != "" {
			return a
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("server did not bind")
	return ""
}
