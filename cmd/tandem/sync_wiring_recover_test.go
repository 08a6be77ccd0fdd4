package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
)

// deadPID is the pid of a process that has exited: the test binary run with no tests.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run a short-lived process: %v\n%s", err, out)
	}
	if processAlive(cmd.Process.Pid) {
		t.Skipf("pid %d was reused already", cmd.Process.Pid)
	}
	return cmd.Process.Pid
}

func TestDeadLocalHolder(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no hostname: %v", err)
	}
	dead := deadPID(t)
	for _, tc := range []struct {
		name   string
		holder string
		want   bool
	}{
		{"dead process of this host", fmt.Sprintf("%s:%d", host, dead), true},
		{"live process of this host", fmt.Sprintf("%s:%d", host, os.Getppid()), false},
		{"this process", fmt.Sprintf("%s:%d", host, os.Getpid()), false},
		{"another host", fmt.Sprintf("other-%s:%d", host, dead), false},
		{"no pid", host, false},
		{"pid not a number", host + ":abc", false},
		{"pid zero", host + ":0", false},
		{"negative pid", host + ":-1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := deadLocalHolder(tc.holder, host); got != tc.want {
				t.Errorf("deadLocalHolder(%q) = %v, want %v", tc.holder, got, tc.want)
			}
		})
	}
}

// TestRecoverInterruptedRuns: a lease left by a dead process of this host is released and its
// open run closed as interrupted; a live process keeps its lease and run.
func TestRecoverInterruptedRuns(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skipf("no hostname: %v", err)
	}
	ctx := context.Background()
	st, err := crmstore.Open(ctx, filepath.Join(t.TempDir(), "data"), crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before := time.Now().Add(-time.Minute)
	holders := map[string]string{
		"crashed": fmt.Sprintf("%s:%d", host, deadPID(t)),
		"running": fmt.Sprintf("%s:%d", host, os.Getppid()),
	}
	runs := map[string]int64{}
	for name, holder := range holders {
		if ok, err := st.AcquireSyncLease(ctx, name, holder, before, time.Hour); err != nil || !ok {
			t.Fatalf("lease %s for %s: %v, %v", name, holder, ok, err)
		}
		if runs[name], err = st.StartSyncRun(ctx, name, "manual", false, before); err != nil {
			t.Fatal(err)
		}
	}

	recoverInterruptedRuns(ctx, st, []string{"crashed", "running", "never-run"}, zap.NewNop())

	for name, wantHolder := range map[string]string{"crashed": "", "running": holders["running"], "never-run": ""} {
		state, err := st.GetSyncConnectorState(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if state.LeaseHolder != wantHolder {
			t.Errorf("%s: lease holder %q, want %q", name, state.LeaseHolder, wantHolder)
		}
	}
	for name, want := range map[string]struct{ status, err string }{
		"crashed": {crmstore.SyncRunFailed, interruptedRunError},
		"running": {crmstore.SyncRunRunning, ""},
	} {
		got, err := st.SyncRuns(ctx, name, 1)
		if err != nil || len(got) != 1 || got[0].ID != runs[name] {
			t.Fatalf("%s: runs %+v, %v", name, got, err)
		}
		if got[0].Status != want.status || got[0].Error != want.err {
			t.Errorf("%s: run %s %q, want %s %q", name, got[0].Status, got[0].Error, want.status, want.err)
		}
	}
	// The released lease is free for this process at once.
	if ok, err := st.AcquireSyncLease(ctx, "crashed", fmt.Sprintf("%s:%d", host, os.Getpid()), time.Now(), time.Minute); err != nil || !ok {
		t.Errorf("take the recovered lease: %v, %v", ok, err)
	}
}
