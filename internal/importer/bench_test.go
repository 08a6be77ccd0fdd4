package importer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
)

// benchHeader is the generated file's header: HubSpot-style labels, so the
// automatic mapping is part of what is measured.
var benchHeader = []string{"Email", "First Name", "Last Name", "Company Name", "Job Title", "Phone Number", "City", "Country/Region", "Lifecycle Stage", "Website URL"}

// writeBenchCSV writes n contact rows: about 2% repeat an earlier row's
// email (half within the same batch, half far back), and one row in 3,000
// has an invalid email. It returns how many rows are bad.
func writeBenchCSV(path string, n int) (bad int, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cities := []string{"Oslo", "Lyon", "Austin", "Kyoto", "Porto"}
	stages := []string{"subscriber", "lead", "marketingqualifiedlead", "customer"}
	fmt.Fprintln(w, strings.Join(benchHeader, ","))
	for i := 1; i <= n; i++ {
		e := i
		switch {
		case i%100 == 0 && i > 10:
			e = i - 7
		case i%100 == 50 && i > 5000:
			e = i - 5000
		}
		email := fmt.Sprintf("user%d@example%d.com", e, e%97)
		if i%3000 == 1500 {
			email = fmt.Sprintf("user%d-at-example.com", i)
			bad++
		}
		fmt.Fprintf(w, "%s,First%d,Last%d,\"Company %d, Inc.\",Engineer,+1555%07d,%s,Norway,%s,https://example%d.com\n",
			email, e, e%1000, e%5000, e, cities[e%len(cities)], stages[e%len(stages)], e%97)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return bad, f.Close()
}

// timed runs cmd and returns its wall time and peak resident memory in MB.
func timed(cmd *exec.Cmd) (time.Duration, float64, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var rss float64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = float64(ru.Maxrss) / 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		return wall, rss, fmt.Errorf("%s: %w\n%s", cmd.Path, err, stderr.String())
	}
	return wall, rss, nil
}

// BenchmarkImportMillionContacts runs the import benchmark with the
// real binary: a generated CSV of TANDEM_BENCH_IMPORT_ROWS rows (default
// 1,000,000) imported into an empty store, against sqlite3 ".import" of
// the same file, then imported again with every row unchanged. It needs
// TANDEM_BENCH_IMPORT=1 and sqlite3 on PATH. Metrics: import_s, sqlite_s,
// ratio (import/sqlite, target ≤5), rss_MB (target <200), rerun_ratio
// (rerun/import, target <0.5).
func BenchmarkImportMillionContacts(b *testing.B) {
	if os.Getenv("TANDEM_BENCH_IMPORT") != "1" {
		b.Skip("set TANDEM_BENCH_IMPORT=1 to run the import benchmark")
	}
	sqlite, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 is not on PATH")
	}
	n := 1_000_000
	if s := os.Getenv("TANDEM_BENCH_IMPORT_ROWS"); s != "" {
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("TANDEM_BENCH_IMPORT_ROWS: %v", err)
		}
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "tandem")
	build := exec.Command("go", "build", "-o", bin, "github.com/tandem-crm/tandem/cmd/tandem")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build tandem: %v\n%s", err, out)
	}
	csvPath := filepath.Join(dir, "contacts.csv")
	bad, err := writeBenchCSV(csvPath, n)
	if err != nil {
		b.Fatal(err)
	}
	var imp, base, rerun time.Duration
	var rss float64
	b.ResetTimer()
	for i := range b.N {
		data := filepath.Join(dir, fmt.Sprintf("data%d", i))
		s, _, err := timed(exec.Command(sqlite, filepath.Join(dir, fmt.Sprintf("baseline%d.db", i)), ".import --csv "+csvPath+" t"))
		if err != nil {
			b.Fatal(err)
		}
		// Rows failed make tandem exit 1 by design; the summary says how many.
		run := func() (time.Duration, float64, string) {
			cmd := exec.Command(bin, "import", "contacts", csvPath, "--match", "email", "--data-dir", data)
			var out bytes.Buffer
			cmd.Stdout = &out
			d, m, err := timed(cmd)
			if err != nil && !strings.Contains(out.String(), fmt.Sprintf("failed %d", bad)) {
				b.Fatalf("import: %v\n%s", err, out.String())
			}
			return d, m, out.String()
		}
		d, m, out := run()
		if !strings.Contains(out, fmt.Sprintf("failed %d", bad)) {
			b.Fatalf("want %d failed rows:\n%s", bad, out)
		}
		d2, _, out2 := run()
		if !strings.Contains(out2, "created 0, updated 0") {
			b.Fatalf("rerun changed records:\n%s", out2)
		}
		base, imp, rerun, rss = base+s, imp+d, rerun+d2, max(rss, m)
	}
	b.StopTimer()
	nb := float64(b.N)
	b.ReportMetric(imp.Seconds()/nb, "import_s")
	b.ReportMetric(base.Seconds()/nb, "sqlite_s")
	b.ReportMetric(imp.Seconds()/base.Seconds(), "ratio")
	b.ReportMetric(rss, "rss_MB")
	b.ReportMetric(rerun.Seconds()/imp.Seconds(), "rerun_ratio")
	b.ReportMetric(float64(n)/(imp.Seconds()/nb), "rows/s")
}

// BenchmarkImportInProcess imports 100,000 (TANDEM_BENCH_IMPORT_ROWS) generated contact rows into an
// empty store through the Importer, then again unchanged: the engine
// without process start-up, for profiling (-cpuprofile).
func BenchmarkImportInProcess(b *testing.B) {
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "contacts.csv")
	n := 100_000
	if s := os.Getenv("TANDEM_BENCH_IMPORT_ROWS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("TANDEM_BENCH_IMPORT_ROWS: %v", err)
		}
	}
	if _, err := writeBenchCSV(csvPath, n); err != nil {
		b.Fatal(err)
	}
	var first, second time.Duration
	for i := range b.N {
		st, err := crmstore.Open(context.Background(), filepath.Join(dir, fmt.Sprintf("data%d", i)), crmstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		im := New(st, filepath.Join(dir, "imports"), nil)
		spec := Spec{Files: []FileSpec{{Name: "contacts.csv", Path: csvPath, Object: "contacts"}}}
		start := time.Now()
		if _, err := im.Run(context.Background(), spec, nil); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		start = time.Now()
		sum, err := im.Run(context.Background(), spec, nil)
		if err != nil {
			b.Fatal(err)
		}
		second += time.Since(start)
		if c := sum.Import.Counters; c.Created != 0 || c.Updated != 0 {
			b.Fatalf("rerun wrote: %+v", c)
		}
		st.Close()
	}
	b.ReportMetric(float64(n*b.N)/first.Seconds(), "rows/s")
	b.ReportMetric(second.Seconds()/first.Seconds(), "rerun_ratio")
}
