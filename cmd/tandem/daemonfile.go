package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// daemonFileName is the discovery file `tandem serve` keeps in its data directory while it
// runs, so that CLI commands on the same store ask the daemon (through its admin endpoint)
// instead of opening the store and running connectors themselves.
const daemonFileName = "daemon.json"

// daemonInfo is the content of the discovery file.
type daemonInfo struct {
	// PID is the daemon's process id.
	PID int `json:"pid"`
	// Admin is the host:port the admin listener actually bound (port 0 resolved).
	Admin string `json:"admin"`
	// StartedAt is when the daemon started.
	StartedAt time.Time `json:"startedAt"`
}

// daemonFilePath is where the discovery file of the daemon on dataDir lives.
func daemonFilePath(dataDir string) string { return filepath.Join(dataDir, daemonFileName) }

// writeDaemonFile writes the discovery file atomically (a temporary file in the same
// directory, then rename), so that a reader never sees half a file. The file is 0600: it
// names the admin address only, but the data directory is private to the daemon's user.
func writeDaemonFile(dataDir string, info daemonInfo) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w", dataDir, err)
	}
	body, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("encode %s: %w", daemonFileName, err)
	}
	f, err := os.CreateTemp(dataDir, "."+daemonFileName+".*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("create %s: %w", daemonFileName, err)
	}
	tmp := f.Name()
	if _, err := f.Write(append(body, '\n')); err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, daemonFilePath(dataDir)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("install %s: %w", daemonFilePath(dataDir), err)
	}
	return nil
}

// removeDaemonFile removes the discovery file at a clean shutdown. It removes the file only
// when it names this process, so that a daemon that failed to start (the store locked by
// another one) never deletes the running daemon's file. A missing file is not an error.
func removeDaemonFile(dataDir string) {
	info, found, err := readDaemonFileRaw(dataDir)
	if err != nil || !found || info.PID != os.Getpid() {
		return
	}
	_ = os.Remove(daemonFilePath(dataDir)) // best effort: readers check the pid anyway
}

// readDaemonFile reads the discovery file of the daemon running on dataDir. ok is false when
// there is no file or when the process it names is no longer alive (a daemon that was
// killed leaves its file behind). err reports a file that exists but cannot be read or
// parsed.
func readDaemonFile(dataDir string) (info daemonInfo, ok bool, err error) {
	info, found, err := readDaemonFileRaw(dataDir)
	if err != nil || !found {
		return daemonInfo{}, false, err
	}
	if !processAlive(info.PID) {
		return daemonInfo{}, false, nil
	}
	return info, true, nil
}

// readDaemonFileRaw reads and parses the discovery file without checking the process.
func readDaemonFileRaw(dataDir string) (daemonInfo, bool, error) {
	path := daemonFilePath(dataDir)
	body, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return daemonInfo{}, false, nil
	}
	if err != nil {
		return daemonInfo{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	var info daemonInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return daemonInfo{}, false, fmt.Errorf("parse %s: %w", path, err)
	}
	if info.PID <= 0 || info.Admin == "" {
		return daemonInfo{}, false, fmt.Errorf("parse %s: pid and admin are required", path)
	}
	return info, true, nil
}

// processAlive reports whether a process with this pid exists (kill -0). EPERM means it
// exists but belongs to another user, which still counts as alive.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
