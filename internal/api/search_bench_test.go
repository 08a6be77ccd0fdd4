package api

// Search benchmarks over a million contacts (issue 3, "Performance").
//
// They are gated: they run only when TANDEM_BENCH_1M=1 is set and -bench
// selects them, so `go test ./...` (and CI) never generates the data:
//
//	TANDEM_BENCH_1M=1 go test ./internal/api -run '^$' -bench 'BenchmarkSearch1M' \
//	    -benchtime 100x -count 5 -timeout 3h
//
// TANDEM_BENCH_N overrides the number of contacts (e.g. 50000 for a quick
// run). The data set is generated once by internal/benchdata (1M contacts
// through crmstore.CreateRecords, 100 per batch, then the same data in a
// purpose-built table) and cached under os.TempDir() as
// tandem-bench-<benchdata.Version>-<n>; delete that directory to
// regenerate. The first run also creates the store's search indexes,
// which stay in the cached database.
//
// The store is served by a separate tandem-like process (this test binary
// re-run as TestSearchBenchServer: crmstore.Open plus api.New on a real
// listener at 127.0.0.1:0), so its resident memory can be read from
// /proc: idle after opening the store, and while the searches run. Each
// query is sent over loopback with a keep-alive client; the baseline runs
// the same query (count and page, with the same columns) through
// database/sql in this process on the purpose-built table. Every
// sub-benchmark reports the median latency of the API and of the
// baseline, and their ratio; it also checks both return the same total
// and the same records.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/benchdata"
)

const (
	sbGate   = "TANDEM_BENCH_1M"
	sbSize   = "TANDEM_BENCH_N"
	sbServe  = "TANDEM_BENCH_SERVE" // set in the server process: the store's data directory
	sbDeep   = 50000                // (d) reads the page after this many results (fewer below 500k contacts)
	sbPage   = 100
	sbPageAt = "TANDEM_BENCH_READY "
)

// sbProps are the properties each benchmark request asks for; the
// baseline reads the same columns.
var sbProps = []string{"email", "firstname", "lastname", "company", "lifecyclestage", benchdata.SignupDate}

// sbQuery is one benchmarked search: the API request and the baseline SQL.
type sbQuery struct {
	name   string
	body   map[string]any
	where  string // the baseline's condition on contacts
	args   []any
	keyset bool // the baseline page continues after (createdate, id) = sbEnvState.deepKey
	// walk makes the baseline read its page in createdate order from
	// contacts_created, checking the condition on each row: by hand, the
	// faster plan for these queries (SQLite's own choice sorts every match).
	walk      bool
	apiAfter  string
	totalWant int
}

type sbEnvState struct {
	set      *benchdata.Set
	server   *exec.Cmd
	stdin    io.WriteCloser
	addr     string
	token    string
	client   *http.Client
	base     *sql.DB
	queries  []*sbQuery
	idleRSS  int64 // kB, the server right after opening the store
	readyRSS int64 // kB, after the warm-up searches (indexes built)
	deepKey  [2]int64
	deep     int // the results (d) skips
}

var (
	sbOnce  sync.Once
	sbState *sbEnvState
	sbErr   error
)

// BenchmarkSearch1M runs the four searches of issue 3 through the API and
// as raw SQL on the baseline table, and reports the server's memory.
func BenchmarkSearch1M(b *testing.B) {
	if os.Getenv(sbGate) != "1" {
		b.Skipf("set %s=1 to run the search benchmarks over a million contacts", sbGate)
	}
	sbOnce.Do(func() { sbState, sbErr = sbSetup(b) })
	if sbErr != nil {
		b.Fatal(sbErr)
	}
	env := sbState
	var peak atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() { // the server's VmRSS while the searches run
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if rss, _ := sbMemory(env.server.Process.Pid); rss > peak.Load() {
					peak.Store(rss)
				}
			}
		}
	})
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", env.server.Process.Pid), []byte("5"), 0) // reset VmHWM
	for _, q := range env.queries {
		b.Run(q.name, func(b *testing.B) { sbRun(b, env, q) })
	}
	close(stop)
	sampler.Wait()
	b.Run("memory", func(b *testing.B) {
		_, hwm := sbMemory(env.server.Process.Pid)
		for b.Loop() {
		}
		b.ReportMetric(float64(env.idleRSS)/1024, "idle-RSS-MB")
		b.ReportMetric(float64(env.readyRSS)/1024, "warm-RSS-MB")
		b.ReportMetric(float64(peak.Load())/1024, "search-RSS-MB")
		b.ReportMetric(float64(hwm)/1024, "search-HWM-MB")
	})
}

// sbRun times q through the API, then the same number of baseline runs.
func sbRun(b *testing.B, env *sbEnvState, q *sbQuery) {
	body := sbBody(q)
	var api []time.Duration
	for b.Loop() {
		start := time.Now()
		raw := sbPost(b, env, body)
		api = append(api, time.Since(start))
		if len(raw) == 0 {
			b.Fatal("empty answer")
		}
	}
	b.StopTimer()
	base := make([]time.Duration, 0, len(api))
	for range max(len(api), 20) {
		start := time.Now()
		if _, _, err := sbBaseline(env, q); err != nil {
			b.Fatal(err)
		}
		base = append(base, time.Since(start))
	}
	am, bm := sbMedian(api), sbMedian(base)
	b.ReportMetric(float64(am.Microseconds())/1000, "api-ms")
	b.ReportMetric(float64(bm.Microseconds())/1000, "sql-ms")
	b.ReportMetric(float64(am)/float64(bm), "x-sql")
}

func sbMedian(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func sbBody(q *sbQuery) []byte {
	m := map[string]any{}
	for k, v := range q.body {
		m[k] = v
	}
	m["limit"], m["properties"] = sbPage, sbProps
	if q.apiAfter != "" {
		m["after"] = q.apiAfter
	}
	raw, _ := json.Marshal(m)
	return raw
}

func sbPost(b testing.TB, env *sbEnvState, body []byte) []byte {
	req, err := http.NewRequest("POST", "http://"+env.addr+"/crm/v3/objects/contacts/search", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("search: %d %v %s", resp.StatusCode, err, raw)
	}
	return raw
}

// sbBaseline runs q's count and page on the baseline table and returns
// the total and the ids of the page.
func sbBaseline(env *sbEnvState, q *sbQuery) (int, []int64, error) {
	var total int
	if err := env.base.QueryRow("SELECT COUNT(*) FROM contacts WHERE "+q.where, q.args...).Scan(&total); err != nil {
		return 0, nil, err
	}
	where, args := q.where, q.args
	if q.keyset {
		where += " AND (createdate, id) > (?, ?)"
		args = append(slices.Clone(args), env.deepKey[0], env.deepKey[1])
	}
	from := "contacts"
	if q.walk {
		from = "contacts INDEXED BY contacts_created"
	}
	rows, err := env.base.Query("SELECT id, createdate, "+strings.Join(sbProps, ", ")+" FROM "+from+" WHERE "+where+
		" ORDER BY createdate, id LIMIT "+strconv.Itoa(sbPage), args...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id, created int64
		vals := make([]sql.NullString, len(sbProps))
		dest := []any{&id, &created}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return 0, nil, err
		}
		ids = append(ids, id)
	}
	return total, ids, rows.Err()
}

func sbSetup(b *testing.B) (*sbEnvState, error) {
	n := 1000000
	if v := os.Getenv(sbSize); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			return nil, fmt.Errorf("%s=%q: want a number of contacts of at least 1000", sbSize, v)
		}
	}
	ctx := context.Background()
	set, err := benchdata.Ensure(ctx, n, func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) })
	if err != nil {
		return nil, err
	}
	env := &sbEnvState{set: set, deep: min(sbDeep, n/10/sbPage*sbPage), client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	if env.base, err = sql.Open("sqlite3", "file:"+set.Baseline+"?mode=ro&_query_only=true"); err != nil {
		return nil, err
	}
	if err := sbStartServer(env); err != nil {
		return nil, err
	}
	time.Sleep(time.Second)
	env.idleRSS, _ = sbMemory(env.server.Process.Pid)

	day := func(s string) string {
		t, _ := time.Parse("2006-01-02", s)
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	filter := func(fs ...map[string]any) []any {
		out := make([]any, len(fs))
		for i, f := range fs {
			out[i] = f
		}
		return []any{map[string]any{"filters": out}}
	}
	env.queries = []*sbQuery{
		{name: "a-eq-and-date-range", body: map[string]any{
			"filterGroups": filter(
				map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"},
				map[string]any{"propertyName": benchdata.SignupDate, "operator": "BETWEEN", "value": day("2023-01-01"), "highValue": day("2023-03-31")}),
			"sorts": []any{map[string]any{"propertyName": "createdate", "direction": "ASCENDING"}}},
			where: "lifecyclestage = ? AND signup_date BETWEEN ? AND ?", args: []any{"lead", "2023-01-01", "2023-03-31"}, walk: true},
		{name: "b-email-suffix", body: map[string]any{"filterGroups": filter(
			map[string]any{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"})},
			where: "email_rev >= ? AND email_rev < ?", args: []any{benchdata.Reverse("@example.com"), benchdata.Reverse("@example.com") + "\xff"}, walk: true},
		{name: "c-query", body: map[string]any{"query": "mar"}, where: sbQueryWhere(), walk: true},
		{name: "d-page-after-50000", body: map[string]any{"filterGroups": filter(
			map[string]any{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}),
			"sorts": []any{"createdate"}},
			where: "lifecyclestage = ?", args: []any{"lead"}, keyset: true},
	}
	for _, q := range env.queries {
		if q.name[0] == 'c' {
			q.args = []any{"mar", "mar\xff"}
		}
	}
	// Warm up (the first searches build the store's indexes), follow (d)
	// to its 50,000th result, and check the API against the baseline.
	began := time.Now()
	for _, q := range env.queries {
		if q.keyset {
			if err := sbFollow(b, env, q); err != nil {
				return nil, err
			}
		}
		var got struct {
			Total   int `json:"total"`
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		}
		if err := json.Unmarshal(sbPost(b, env, sbBody(q)), &got); err != nil {
			return nil, err
		}
		total, ids, err := sbBaseline(env, q)
		if err != nil {
			return nil, fmt.Errorf("baseline %s: %w", q.name, err)
		}
		var apiIDs []int64
		for _, r := range got.Results {
			id, _ := strconv.ParseInt(r.ID, 10, 64)
			apiIDs = append(apiIDs, id)
		}
		if got.Total != total || !slices.Equal(apiIDs, ids) {
			return nil, fmt.Errorf("%s: the API found %d (%v...), the baseline %d (%v...)", q.name, got.Total, apiIDs[:min(3, len(apiIDs))], total, ids[:min(3, len(ids))])
		}
		q.totalWant = total
		fmt.Fprintf(os.Stderr, "search bench: %s matches %d contacts\n", q.name, total)
	}
	fmt.Fprintf(os.Stderr, "search bench: warm-up and checks took %s\n", time.Since(began).Round(time.Millisecond))
	env.readyRSS, _ = sbMemory(env.server.Process.Pid)
	return env, nil
}

// sbQueryWhere is the baseline of the free-text query: a prefix range per
// searchable property on its lower-cased expression index.
func sbQueryWhere() string {
	var alts []string
	for _, c := range []string{"email", "firstname", "lastname", "phone", "company"} {
		alts = append(alts, "(lower("+c+") >= ?1 AND lower("+c+") < ?2)")
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// sbFollow pages q through the API to its env.deep-th result, keeping the
// cursor of the next page, and finds the same place in the baseline.
func sbFollow(b *testing.B, env *sbEnvState, q *sbQuery) error {
	for seen := 0; seen < env.deep; seen += sbPage {
		var page struct {
			Paging *struct {
				Next struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if err := json.Unmarshal(sbPost(b, env, sbBody(q)), &page); err != nil {
			return err
		}
		if page.Paging == nil {
			return fmt.Errorf("%s: fewer than %d results", q.name, env.deep)
		}
		q.apiAfter = page.Paging.Next.After
	}
	return env.base.QueryRow("SELECT createdate, id FROM contacts WHERE "+q.where+
		" ORDER BY createdate, id LIMIT 1 OFFSET "+strconv.Itoa(env.deep-1), q.args...).Scan(&env.deepKey[0], &env.deepKey[1])
}

// sbStartServer starts the server process and reads its address and token.
func sbStartServer(env *sbEnvState) error {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSearchBenchServer$", "-test.bench=^$", "-test.count=1", "-test.timeout=0")
	cmd.Env = append(os.Environ(), sbServe+"="+env.set.StoreDir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if env.stdin, err = cmd.StdinPipe(); err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	env.server = cmd
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), sbPageAt); ok {
			env.addr, env.token, _ = strings.Cut(rest, " ")
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return nil
		}
	}
	return fmt.Errorf("the search bench server exited: %v", cmd.Wait())
}

// sbMemory returns VmRSS and VmHWM of a process, in kB.
func sbMemory(pid int) (rss, hwm int64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

// TestSearchBenchServer is the server process of BenchmarkSearch1M; it is
// skipped unless that benchmark starts it. It serves the store like
// `tandem serve` does until its standard input closes.
func TestSearchBenchServer(t *testing.T) {
	dir := os.Getenv(sbServe)
	if dir == "" {
		t.Skip("the server process of BenchmarkSearch1M")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := crmstore.Open(ctx, dir, crmstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	token, _, err := st.CreateToken(ctx, fmt.Sprintf("bench-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	srv := New(st, Options{Listen: "127.0.0.1:0"})
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s %s\n", sbPageAt, srv.Addr(), token)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark process goes away
	_ = srv.Stop(context.Background())
}
