package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe_Subprocess builds tandem, runs "tandem serve" as a real process, waits for its
// admin endpoint to answer /healthz and /readyz, sends SIGTERM and expects a clean exit 0.
func TestServe_Subprocess(t *testing.T) {
	t.Parallel()
	bin := buildTandem(t)
	dir := t.TempDir()

	cfg := filepath.Join(dir, "tandem.yaml")
	writeFile(t, cfg, "data_dir: "+filepath.Join(dir, "data")+"\napi:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\nlog: {format: json}\nshutdown_timeout: 5s\n")
	tokOut, err := exec.CommandContext(t.Context(), bin, "tokens", "create", "--name", "test", "--config", cfg).Output()
	if err != nil {
		t.Fatalf("tokens create: %v", err)
	}
	token := strings.TrimSpace(string(tokOut))
	if strings.Count(token, "\n") != 0 || !strings.HasPrefix(token, "tdm-pat-") {
		t.Fatalf("tokens create printed %q, want only the token", tokOut)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--config", cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // no-op once it has exited

	// Read the JSON log lines; the "tandem started" entry holds the bound admin address.
	entries := make(chan map[string]any, 1000)
	var logText strings.Builder
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(entries)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logText.WriteString(sc.Text() + "\n")
			var e map[string]any
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				entries <- e
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	var addr, apiAddr string
	for addr == "" {
		select {
		case e, ok := <-entries:
			if !ok {
				<-readDone
				t.Fatalf("tandem serve exited before it started; log:\n%s", logText.String())
			}
			if e["msg"] == "tandem started" {
				addr, _ = e["admin_addr"].(string)
				apiAddr, _ = e["api_addr"].(string)
				if addr == "" || e["data_dir"] != filepath.Join(dir, "data") {
					t.Fatalf("tandem started entry: %v", e)
				}
			}
		case <-ctx.Done():
			t.Fatal("tandem serve did not log \"tandem started\" in time")
		}
	}

	client := &http.Client{Timeout: 2 * time.Second}
	for _, path := range []string{"/healthz", "/readyz"} {
		if err := pollOK(ctx, client, "http://"+addr+path); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}

	// The API answers with the token and refuses without it.
	for _, tc := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {token, http.StatusNotFound}} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+apiAddr+"/crm/v3/no-such-endpoint", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("api request: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("api with token %v: status %d, want %d", tc.token != "", resp.StatusCode, tc.want)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var stopped bool
	for e := range entries {
		if e["msg"] == "tandem stopped" {
			stopped = true
		}
	}
	<-readDone // logText is complete and no longer written
	if strings.Contains(logText.String(), token) {
		t.Error("the API token appears in the log")
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		t.Fatalf("tandem serve exited with %v after SIGTERM; log:\n%s", exitErr, logText.String())
	case err != nil:
		t.Fatalf("wait: %v", err)
	}
	if !stopped {
		t.Errorf("no \"tandem stopped\" log entry; log:\n%s", logText.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "tandem.db")); err != nil {
		t.Errorf("store not created in data_dir: %v", err)
	}
}

// pollOK requests url until it answers 200, with a short pause between attempts, until ctx
// ends.
func pollOK(ctx context.Context, client *http.Client, url string) error {
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = errors.New(resp.Status + ": " + string(body))
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
