package archtest

import (
	"fmt"
	"sort"
	"strings"
)

// rule constrains the imports of every project package that matches pkg.
//
// Patterns are paths relative to the module root: "x" is exactly package x, "x/..." is x and
// every package below it, and "..." is every package.
type rule struct {
	pkg string
	// allow lists the project packages that a matching package may import directly; "..."
	// allows all. Empty means none.
	allow []string
	// deny lists project packages that a matching package may not depend on at all, directly
	// or through other project packages.
	deny []string
	// stdlibOnly forbids imports from outside the project that are not standard library.
	stdlibOnly bool
	why        string
}

// rules is DESIGN.md's dependency direction. The first rule whose pkg matches applies, so
// exact and specific patterns come before the wider ones. Packages that do not exist yet
// simply match nothing.
var rules = []rule{
	{
		pkg:   "crmstore/...",
		allow: []string{"crmstore/..."},
		why:   "the store imports nothing else of the project",
	},
	{
		pkg:        "connectors",
		stdlibOnly: true,
		why:        "the connector contract is a leaf: standard library only",
	},
	{
		pkg:   "connectors/...",
		allow: []string{"connectors/...", "internal/..."},
		deny:  []string{"crmstore/...", "syncengine/..."},
		why:   "a connector imports only the contract and small internal helpers, never the store or the engine",
	},
	{
		pkg:   "syncengine/...",
		allow: []string{"syncengine/...", "crmstore/...", "connectors/..."},
		why:   "the sync engine imports only crmstore and connectors",
	},
	{
		pkg:   "config/...",
		allow: []string{"config/..."},
		why:   "config imports nothing of the project; cmd/tandem turns it into each package's options",
	},
	{
		pkg:   "cmd/...",
		allow: []string{"..."},
		why:   "cmd/tandem is the only package that sees everything",
	},
	{
		pkg:   "...",
		allow: []string{"..."},
		deny:  []string{"cmd/..."},
		why:   "nothing imports cmd",
	},
}

// match reports whether the module-relative package path rel matches pattern.
func match(pattern, rel string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

func matchAny(patterns []string, rel string) bool {
	for _, p := range patterns {
		if match(p, rel) {
			return true
		}
	}
	return false
}

// violations checks pkgs, a map from each project package's import path to its direct
// imports (as `go list` reports them), against rules, and returns one line per violation,
// naming the package and the import, in a stable order.
func violations(module string, rules []rule, pkgs map[string][]string) []string {
	rel := func(path string) (string, bool) {
		if path == module {
			return "", true
		}
		r, ok := strings.CutPrefix(path, module+"/")
		return r, ok
	}

	// deps returns the project packages that path depends on, directly or not.
	memo := map[string]map[string]bool{}
	var deps func(path string) map[string]bool
	deps = func(path string) map[string]bool {
		if d, ok := memo[path]; ok {
			return d
		}
		d := map[string]bool{}
		memo[path] = d // a cycle cannot compile; this only stops the recursion
		for _, imp := range pkgs[path] {
			if _, ok := rel(imp); !ok {
				continue
			}
			d[imp] = true
			for dd := range deps(imp) {
				d[dd] = true
			}
		}
		return d
	}

	var out []string
	for path, imports := range pkgs {
		p, ok := rel(path)
		if !ok {
			continue
		}
		var r *rule
		for i := range rules {
			if match(rules[i].pkg, p) {
				r = &rules[i]
				break
			}
		}
		if r == nil {
			continue
		}
		report := func(format string, args ...any) {
			out = append(out, fmt.Sprintf("%s %s (rule %q: %s)", p, fmt.Sprintf(format, args...), r.pkg, r.why))
		}
		for _, imp := range imports {
			ip, inProject := rel(imp)
			if !inProject {
				if r.stdlibOnly && !isStdlib(imp) {
					report("imports %s, which is not standard library", imp)
				}
				continue
			}
			if !matchAny(r.allow, ip) || matchAny(r.deny, ip) {
				report("imports %s", ip)
				continue
			}
			var via []string
			for d := range deps(imp) {
				if dp, _ := rel(d); matchAny(r.deny, dp) {
					via = append(via, dp)
				}
			}
			if len(via) > 0 {
				sort.Strings(via)
				report("imports %s, which depends on %s", ip, strings.Join(via, ", "))
			}
		}
	}
	sort.Strings(out)
	return out
}

// isStdlib reports whether an import path belongs to the standard library: its first
// element has no dot.
func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
