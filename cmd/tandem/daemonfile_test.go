package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestDaemonFile_WriteReadRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // not there yet: write creates it
	started := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	want := daemonInfo{PID: os.Getpid(), Admin: "127.0.0.1:9191", StartedAt: started}
	if err := writeDaemonFile(dir, want); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(daemonFilePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("daemon.json mode %o, want 600", perm)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("data dir mode %o, want 700", perm)
	}
	raw, err := os.ReadFile(daemonFilePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"pid":` + strconv.Itoa(os.Getpid()) + `,"admin":"127.0.0.1:9191","startedAt":"2025-03-01T12:00:00Z"}` + "\n"; string(raw) != want {
		t.Errorf("daemon.json = %s, want %s", raw, want)
	}

	got, ok, err := readDaemonFile(dir)
	if err != nil || !ok || got != want {
		t.Fatalf("readDaemonFile = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	// Rewriting replaces the file whole, leaving no temporary files behind.
	want.Admin = "127.0.0.1:9292"
	if err := writeDaemonFile(dir, want); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data dir holds %d entries after two writes, want only daemon.json", len(entries))
	}

	removeDaemonFile(dir)
	if _, ok, err := readDaemonFile(dir); ok || err != nil {
		t.Errorf("after remove: ok %v, err %v; want neither", ok, err)
	}
	removeDaemonFile(dir) // a missing file is fine
}

func TestDaemonFile_DeadProcess(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	dir := t.TempDir()
	if err := writeDaemonFile(dir, daemonInfo{PID: cmd.Process.Pid, Admin: "127.0.0.1:9090", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := readDaemonFile(dir); ok || err != nil {
		t.Errorf("a killed daemon's file: ok %v, err %v; want not ok and no error", ok, err)
	}
	// Another process's file is not ours to remove, even when that process is gone.
	removeDaemonFile(dir)
	if _, err := os.Stat(daemonFilePath(dir)); err != nil {
		t.Errorf("removeDaemonFile removed another process's file: %v", err)
	}
}

func TestDaemonFile_Bad(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"not json", "pid=12"},
		{"no admin", `{"pid": 1}`},
		{"no pid", `{"admin": "127.0.0.1:9090"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(daemonFilePath(dir), []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := readDaemonFile(dir); ok || err == nil {
				t.Errorf("ok %v, err %v; want an error", ok, err)
			}
		})
	}
}
