//go:build linux

package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
	"github.com/tandem-crm/tandem/syncengine"
)

// Environment of the memory measurement: memoryEnv gates it (it syncs a million records, a few
// minutes), memoryRecordsEnv overrides the record count; the helper variables pass the remote
// and the data directory to the child process.
const (
	memoryEnv        = "TANDEM_E2E_MEMORY"
	memoryRecordsEnv = "TANDEM_E2E_MEMORY_RECORDS"
	helperEnv        = "TANDEM_E2E_HELPER"
	helperURLEnv     = "TANDEM_E2E_HELPER_URL"
	helperTokenEnv   = "TANDEM_E2E_HELPER_TOKEN"
	helperDirEnv     = "TANDEM_E2E_HELPER_DIR"
	// heapProfileEnv, when set, names a file the child writes its heap profile to after the
	// run (before closing the store), for finding what holds the memory.
	heapProfileEnv = "TANDEM_E2E_HEAPPROFILE"
	// reportPrefix marks the child's report line on its stdout.
	reportPrefix = "SYNC-REPORT "
	// peakPrefix marks the child's own peak resident memory (VmHWM, KB).
	peakPrefix = "SYNC-PEAK-KB "
	// maxResidentMB is the ceiling the issue sets for syncing a million records.
	maxResidentMB = 250
)

// TestSyncPeakMemory measures the peak resident memory of a process that syncs a million
// contacts (from a fake HubSpot served by this process) into an empty store: the child is this
// test binary re-run with only TestHelperSyncProcess, and the parent reads its ru_maxrss.
//
// Linux keeps ru_maxrss across execve, and Go starts children with vfork semantics (the child
// shares the parent's memory until exec), so a child forked while the parent holds the seeded
// fake would report the parent's size. The child is therefore started before seeding, while
// the parent is small, and waits on its stdin for the go; it also reports its own VmHWM (reset
// by execve), and the check takes the larger of the two. Run it without -race, whose shadow
// memory would count against the child.
func TestSyncPeakMemory(t *testing.T) {
	requireEnv(t, memoryEnv)
	n := 1_000_000
	if v := os.Getenv(memoryRecordsEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("%s=%q is not a positive number", memoryRecordsEnv, v)
		}
	}
	fake := hubspotfake.New(hubspotfake.Options{})
	defer fake.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperSyncProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1", helperURLEnv+"="+fake.URL, helperTokenEnv+"="+fake.Token(),
		helperDirEnv+"="+filepath.Join(t.TempDir(), "child"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	goSignal, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the child: %v", err)
	}

	if err := fake.PutMany("contacts", n, benchContact); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("the fake holds %d contacts in %d MB of heap (parent process)", n, ms.HeapAlloc>>20)
	start := time.Now()
	if _, err := fmt.Fprintln(goSignal, "go"); err != nil {
		t.Fatalf("signal the child: %v", err)
	}
	goSignal.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child sync: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	took := time.Since(start)
	rep, hwm, err := childReport(stdout.Bytes())
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s", err, stdout.String())
	}
	if rep.CreatedLocal != int64(n) || rep.Status != syncengine.RunSucceeded {
		t.Fatalf("child run = %+v, want %d contacts created", rep, n)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatalf("no resource usage for the child: %T", cmd.ProcessState.SysUsage())
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "child ") {
			t.Log(line)
		}
	}
	maxrssMB, hwmMB := float64(ru.Maxrss)/1024, float64(hwm)/1024 // both KB on Linux
	peakMB := max(maxrssMB, hwmMB)
	t.Logf("synced %d contacts in %v (%.0f records/s); child peak resident memory %.1f MB (ru_maxrss %.1f MB, VmHWM %.1f MB)",
		n, took.Round(time.Second), float64(n)/took.Seconds(), peakMB, maxrssMB, hwmMB)
	if peakMB >= maxResidentMB {
		t.Errorf("peak resident memory %.1f MB, want under %d MB", peakMB, maxResidentMB)
	}
}

// childReport finds the run report and the peak resident memory (KB) the child printed.
func childReport(out []byte) (syncengine.RunReport, int64, error) {
	var rep syncengine.RunReport
	found, hwm := false, int64(-1)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), reportPrefix); ok {
			if err := json.Unmarshal([]byte(line), &rep); err != nil {
				return rep, 0, fmt.Errorf("child report %q: %w", line, err)
			}
			found = true
		}
		if v, ok := strings.CutPrefix(sc.Text(), peakPrefix); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return rep, 0, fmt.Errorf("child peak memory %q: %w", v, err)
			}
			hwm = n
		}
	}
	if !found || hwm < 0 {
		return rep, 0, fmt.Errorf("the child printed no report or no peak memory")
	}
	return rep, hwm, nil
}

// TestHelperSyncProcess is the child of TestSyncPeakMemory: it runs one initial sync from the
// remote its environment names into a new store and prints the report. It does nothing when
// run on its own.
func TestHelperSyncProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("runs only as the child process of TestSyncPeakMemory")
	}
	ctx := context.Background()
	// The parent seeds the remote after starting this process (see TestSyncPeakMemory).
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatalf("wait for the parent's go: %v", err)
	}
	st := openStore(t, os.Getenv(helperDirEnv), nil)
	conn := connectTo(t, os.Getenv(helperURLEnv), os.Getenv(helperTokenEnv), 1000, nil)
	defer conn.Close()
	eng, err := syncengine.New(syncengine.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Add(contactsSpec(nil), conn); err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(ctx, peerName, syncengine.RunOptions{})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("child heap after the run: %d MB in use, %d MB from the OS, %d GC cycles\n", ms.HeapInuse>>20, ms.Sys>>20, ms.NumGC)
	printResident("after the run")
	if path := os.Getenv(heapProfileEnv); path != "" {
		writeHeapProfile(t, path)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("close the store: %v", err)
	}
	hwm, err := peakResidentKB()
	if err != nil {
		t.Fatal(err)
	}
	printResident("after closing the store")
	fmt.Printf("%s%d\n", peakPrefix, hwm)
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(reportPrefix + string(raw))
}

// writeHeapProfile writes the process's heap profile to path.
func writeHeapProfile(t *testing.T, path string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("heap profile: %v", err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatalf("write heap profile %s: %v", path, err)
	}
}

// printResident prints the child's resident memory (current and peak, anonymous and
// file-backed) from /proc, where the parent's log picks it up.
func printResident(when string) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	var parts []string
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM") || strings.HasPrefix(line, "VmRSS") || strings.HasPrefix(line, "RssAnon") || strings.HasPrefix(line, "RssFile") {
			parts = append(parts, strings.Join(strings.Fields(line), " "))
		}
	}
	fmt.Printf("child resident memory %s: %s\n", when, strings.Join(parts, ", "))
}

// peakResidentKB is the process's VmHWM from /proc/self/status, in KB.
func peakResidentKB() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read peak memory: %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no VmHWM line in /proc/self/status")
}
