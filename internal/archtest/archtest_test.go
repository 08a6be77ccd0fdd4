package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestImportDirection checks every package of the module against rules.
func TestImportDirection(t *testing.T) {
	module, pkgs := listPackages(t)
	if _, ok := pkgs[module+"/internal/archtest"]; !ok {
		t.Fatalf("go list did not report this package; listed %d packages of %s", len(pkgs), module)
	}
	for _, v := range violations(module, rules, pkgs) {
		t.Error(v)
	}
}

// listPackages runs `go list -e -json ./...` at the module root and returns the module path
// and each package's direct imports. Packages with errors (half-written code) are still
// checked as far as they parse; their errors are logged, not failed on: building them is the
// job of other tests.
func listPackages(t *testing.T) (string, map[string][]string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command not found: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), goTool, "list", "-e", "-json=ImportPath,Module,Imports,Error", "./...")
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}

	var module string
	pkgs := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Module     *struct{ Path string }
			Imports    []string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		if p.Error != nil {
			t.Logf("%s: %s (checked as far as it parses)", p.ImportPath, p.Error.Err)
		}
		if p.Module != nil && module == "" {
			module = p.Module.Path
		}
		pkgs[p.ImportPath] = p.Imports
	}
	if module == "" {
		t.Fatal("go list reported no module")
	}
	return module, pkgs
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

const fake = "example.com/m"

// graph builds a pkgs map for violations from module-relative package names. Names listed in
// stdlib and names whose first element has a dot ("go.uber.org/zap") are taken as they are.
func graph(edges map[string][]string) map[string][]string {
	abs := func(p string) string {
		first, _, _ := strings.Cut(p, "/")
		if stdlib[p] || strings.Contains(first, ".") {
			return p
		}
		return fake + "/" + p
	}
	g := map[string][]string{}
	for pkg, imports := range edges {
		var abss []string
		for _, imp := range imports {
			abss = append(abss, abs(imp))
		}
		g[abs(pkg)] = abss
	}
	return g
}

var stdlib = map[string]bool{
	"context": true, "database/sql": true, "embed": true, "encoding/csv": true, "errors": true,
	"fmt": true, "net/http": true, "testing": true, "time": true,
}

func TestViolations_AcceptsTheDesignedGraph(t *testing.T) {
	g := graph(map[string][]string{
		"cmd/tandem":               {"config", "crmstore", "syncengine", "connectors/all", "internal/admin", "internal/logging", "internal/api"},
		"config":                   {"fmt", "go.yaml.in/yaml/v3"},
		"crmstore":                 {"context", "database/sql", "github.com/jmoiron/sqlx", "go.uber.org/zap", "crmstore/migrations"},
		"crmstore/migrations":      {"embed"},
		"crmstore/crmstoretest":    {"testing", "crmstore"},
		"connectors":               {"context", "errors", "time"},
		"connectors/connectortest": {"testing", "connectors"},
		"connectors/all":           {"connectors/hubspot", "connectors/csv"},
		"connectors/hubspot":       {"connectors", "internal/httpclient", "go.uber.org/zap"},
		"connectors/csv":           {"connectors", "encoding/csv"},
		"syncengine":               {"crmstore", "connectors", "syncengine/mapping", "go.uber.org/zap"},
		"syncengine/mapping":       {"connectors"},
		"internal/httpclient":      {"net/http", "github.com/hashicorp/go-retryablehttp"},
		"internal/api":             {"crmstore", "net/http"},
		"internal/admin":           {"net/http", "go.uber.org/zap"},
		"internal/logging":         {"go.uber.org/zap"},
	})
	if v := violations(fake, rules, g); len(v) != 0 {
		t.Errorf("violations in a graph that follows the design:\n%s", strings.Join(v, "\n"))
	}
	if v := violations(fake, rules, nil); len(v) != 0 {
		t.Errorf("violations in an empty graph: %v", v)
	}
}

func TestViolations_ReportsEachBrokenRule(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edges map[string][]string
		want  string // package and import, as reported
	}{
		{"store imports engine", map[string][]string{"crmstore": {"syncengine"}, "syncengine": {}},
			"crmstore imports syncengine"},
		{"store subpackage imports a helper", map[string][]string{"crmstore/sqlite": {"internal/logging"}},
			"crmstore/sqlite imports internal/logging"},
		{"contract imports the store", map[string][]string{"connectors": {"crmstore"}},
			"connectors imports crmstore"},
		{"contract imports a library", map[string][]string{"connectors": {"context", "go.uber.org/zap"}},
			"connectors imports go.uber.org/zap, which is not standard library"},
		{"connector imports the store", map[string][]string{"connectors/hubspot": {"connectors", "crmstore"}},
			"connectors/hubspot imports crmstore"},
		{"connector imports an engine subpackage", map[string][]string{"connectors/csv": {"syncengine/mapping"}},
			"connectors/csv imports syncengine/mapping"},
		{"connector imports config", map[string][]string{"connectors/csv": {"config"}},
			"connectors/csv imports config"},
		{"connector reaches the store through a helper", map[string][]string{
			"connectors/hubspot":  {"connectors", "internal/httpclient"},
			"internal/httpclient": {"internal/cache"},
			"internal/cache":      {"crmstore"},
		}, "connectors/hubspot imports internal/httpclient, which depends on crmstore"},
		{"engine imports a helper", map[string][]string{"syncengine": {"crmstore", "internal/logging"}},
			"syncengine imports internal/logging"},
		{"engine imports config", map[string][]string{"syncengine/plan": {"config"}},
			"syncengine/plan imports config"},
		{"config imports a helper", map[string][]string{"config": {"internal/duration"}},
			"config imports internal/duration"},
		{"internal imports cmd", map[string][]string{"internal/admin": {"cmd/tandem/version"}},
			"internal/admin imports cmd/tandem/version"},
		{"package at the root imports cmd", map[string][]string{"deployments": {"cmd"}},
			"deployments imports cmd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(fake, rules, graph(tc.edges))
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want+" (rule ") {
				t.Errorf("violations = %q\nwant one starting %q", got, tc.want)
			}
		})
	}
}

func TestViolations_ReportsEveryViolationInOrder(t *testing.T) {
	g := graph(map[string][]string{
		"crmstore":           {"syncengine", "connectors"},
		"connectors/hubspot": {"crmstore", "cmd/tandem"},
		"config":             {"crmstore"},
	})
	got := violations(fake, rules, g)
	var heads []string
	for _, v := range got {
		head, _, _ := strings.Cut(v, " (rule ")
		heads = append(heads, head)
	}
	want := []string{
		"config imports crmstore",
		"connectors/hubspot imports cmd/tandem",
		"connectors/hubspot imports crmstore",
		"crmstore imports connectors",
		"crmstore imports syncengine",
	}
	if !slices.Equal(heads, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(heads, "\n"), strings.Join(want, "\n"))
	}
}

func TestViolations_SyntheticRules(t *testing.T) {
	// The first matching rule wins, and deny applies through intermediate packages.
	table := []rule{
		{pkg: "a", allow: []string{"..."}, why: "a may import anything"},
		{pkg: "a/...", allow: []string{"b/..."}, deny: []string{"c"}, why: "a/x: b only, never c"},
	}
	g := graph(map[string][]string{
		"a":     {"c", "d"},
		"a/x":   {"b/y", "d"},
		"b/y":   {"b/z"},
		"b/z":   {"c"},
		"other": {"c"},
	})
	got := violations(fake, table, g)
	want := []string{
		`a/x imports b/y, which depends on c (rule "a/...": a/x: b only, never c)`,
		`a/x imports d (rule "a/...": a/x: b only, never c)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, rel string
		want         bool
	}{
		{"...", "anything/at/all", true},
		{"...", "", true},
		{"crmstore/...", "crmstore", true},
		{"crmstore/...", "crmstore/sqlite", true},
		{"crmstore/...", "crmstoretest", false},
		{"connectors", "connectors", true},
		{"connectors", "connectors/hubspot", false},
		{"cmd/...", "internal/cmd", false},
	} {
		if got := match(tc.pattern, tc.rel); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.rel, got, tc.want)
		}
	}
}
