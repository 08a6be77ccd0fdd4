package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/internal/benchdata"
)

// BenchmarkExportVsSQLite measures `tandem export contacts` of the
// benchdata contacts (1,000,000 unless TANDEM_BENCH_EXPORT_N says
// otherwise) against `sqlite3 -csv` of the same values from benchdata's
// baseline table, both run as subprocesses, and reports the ratio of their
// median wall times (issue 4's target: within 3x). It is gated by
// TANDEM_BENCH_EXPORT=1 because generating the data takes minutes the
// first time (benchdata caches it under the temp directory):
//
//	TANDEM_BENCH_EXPORT=1 go test -run '^$' -bench ExportVsSQLite -benchtime 1x ./cmd/tandem
//
// Each benchmark iteration runs both commands exportBenchRuns times,
// alternating, and reports the medians.
func BenchmarkExportVsSQLite(b *testing.B) {
	if os.Getenv("TANDEM_BENCH_EXPORT") != "1" {
		b.Skip("set TANDEM_BENCH_EXPORT=1 to run the export benchmark (it generates 1M contacts the first time)")
	}
	n := 1_000_000
	if s := os.Getenv("TANDEM_BENCH_EXPORT_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("TANDEM_BENCH_EXPORT_N=%q is not a positive number", s)
		}
	}
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("the sqlite3 command line shell is not installed")
	}
	set, err := benchdata.Ensure(context.Background(), n, b.Logf)
	if err != nil {
		b.Fatalf("benchmark data: %v", err)
	}
	work := b.TempDir()
	bin := filepath.Join(work, "tandem")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build tandem: %v\n%s", err, out)
	}
	cols := slices.Concat([]string{"hs_object_id"}, benchdata.Columns)
	tandemArgs := []string{"export", "contacts", "--data-dir", set.StoreDir, "--header", "names",
		"--properties", strings.Join(cols, ","), "-o", filepath.Join(work, "tandem.csv")}
	// The baseline selects the same values in the same order; its id
	// column is the record id.
	query := "SELECT id, " + strings.Join(benchdata.Columns, ", ") + " FROM contacts ORDER BY id"
	b.ResetTimer()
	for b.Loop() {
		var tandemTimes, sqliteTimes []time.Duration
		for range exportBenchRuns {
			d, err := timeCommand(exec.Command(bin, tandemArgs...), "")
			if err != nil {
				b.Fatalf("tandem export: %v", err)
			}
			tandemTimes = append(tandemTimes, d)
			d, err = timeCommand(exec.Command(sqlite3, "-csv", "-header", set.Baseline, query), filepath.Join(work, "sqlite.csv"))
			if err != nil {
				b.Fatalf("sqlite3 -csv: %v", err)
			}
			sqliteTimes = append(sqliteTimes, d)
		}
		for _, f := range []string{"tandem.csv", "sqlite.csv"} {
			if got, err := countLines(filepath.Join(work, f)); err != nil || got != n+1 {
				b.Fatalf("%s has %d lines (%v), want %d", f, got, err, n+1)
			}
		}
		tm, sm := medianDuration(tandemTimes), medianDuration(sqliteTimes)
		b.ReportMetric(tm.Seconds(), "tandem-s")
		b.ReportMetric(sm.Seconds(), "sqlite3-s")
		b.ReportMetric(tm.Seconds()/sm.Seconds(), "ratio")
		b.Logf("export of %d contacts: tandem %v %v, sqlite3 -csv %v %v", n, tm, tandemTimes, sm, sqliteTimes)
	}
}

// exportBenchRuns is how many times each command runs per iteration.
const exportBenchRuns = 3

// timeCommand runs cmd, its stdout going to the file stdout (or discarded
// when ""), and returns its wall time.
func timeCommand(cmd *exec.Cmd, stdout string) (time.Duration, error) {
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if stdout != "" {
		f, err := os.OpenFile(stdout, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%w\n%s", err, errOut.String())
	}
	return time.Since(start), nil
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// countLines counts the lines of a file; the benchmark data holds no line
// breaks inside values.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}
