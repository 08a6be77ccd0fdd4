package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Why a hand-written walk over yaml.Node instead of yaml.Decoder with
// KnownFields: yaml.v3 stops at the first unknown key, echoes offending
// values in its messages (which may be secrets), and cannot expand ${ENV}
// per scalar. Walking the node tree ourselves gives every problem with its
// path and line, and full control over what a message shows.

// nodeBudget bounds the work for documents that multiply through aliases.
// A large real configuration has a few tens of thousands of nodes.
const nodeBudget = 250_000

// maxMergeDepth bounds nested "<<" merge keys (and breaks merge cycles).
const maxMergeDepth = 16

// decoder walks a YAML node tree into a Config, collecting problems.
type decoder struct {
	errs   *Errors
	lookup func(string) (string, bool)

	// lines maps each path seen in the file to the line of its value.
	lines map[string]int
	// bad holds paths whose value could not be decoded; validation stays
	// quiet about them and everything below them.
	bad map[string]bool
	// hidden holds paths whose value must not be shown: values that came
	// from the environment and secret-looking connector options.
	hidden map[string]bool
	// expanded caches the expansion of each scalar node, so that a node
	// reached through several aliases is expanded (and reported) once.
	expanded map[*yaml.Node]expansion

	budget         int
	budgetReported bool
}

type expansion struct {
	value   string
	fromEnv bool
	ok      bool
}

func newDecoder(errs *Errors) *decoder {
	return &decoder{
		errs:     errs,
		lookup:   os.LookupEnv,
		lines:    map[string]int{},
		bad:      map[string]bool{},
		hidden:   map[string]bool{},
		expanded: map[*yaml.Node]expansion{},
		budget:   nodeBudget,
	}
}

// parse is Parse without the nil-on-error convention.
func parse(data []byte, source string) (*Config, *Errors) {
	errs := &Errors{Source: source}
	cfg := Default()

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, errs // empty file: defaults
		}
		addSyntaxError(errs, err)
		return cfg, errs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			addSyntaxError(errs, err)
		} else {
			errs.add("", extra.Line, "more than one YAML document; the file must hold exactly one")
		}
		return cfg, errs
	}

	root := &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return cfg, errs
		}
		root = doc.Content[0]
	}

	d := newDecoder(errs)
	d.decode(root, reflect.ValueOf(cfg).Elem(), "")
	for i := range cfg.Connectors {
		for j := range cfg.Connectors[i].Objects {
			cfg.Connectors[i].Objects[j].fillDerived()
		}
	}
	if !d.budgetReported {
		d.validate(cfg)
	}
	errs.sort()
	return cfg, errs
}

var syntaxLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// addSyntaxError turns a yaml.v3 parse error into a Problem with a line.
func addSyntaxError(errs *Errors, err error) {
	msg := err.Error()
	if m := syntaxLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		errs.add("", line, "invalid YAML: %s", m[2])
		return
	}
	errs.add("", 0, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// decode stores node n into v, which is addressable. path names v in
// messages. A null node leaves v unchanged, so it keeps its default.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if d.budget--; d.budget < 0 {
		if !d.budgetReported {
			d.budgetReported = true
			d.fail(path, n.Line, "document too large (too many nodes after alias expansion)")
		}
		return
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}

	t := v.Type()
	switch {
	case t == reflect.TypeFor[time.Duration]():
		s, ok := d.scalar(n, path, "a duration such as 20s")
		if !ok {
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			hint := ""
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				hint = " (a unit is required)"
			}
			d.fail(path, n.Line, "invalid duration %s: must be like 20s, 1m30s or 2h%s", d.q(path, s), hint)
			return
		}
		v.SetInt(int64(dur))

	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.fail(path, n.Line, "must be a mapping of keys to values, not %s", kindName(n))
			return
		}
		fields := structFields(t)
		for _, p := range d.pairs(n, path, 0) {
			kp := joinPath(path, p.key.Value)
			i, ok := fields[p.key.Value]
			if !ok {
				d.errs.add(kp, p.key.Line, "unknown key%s", suggest(p.key.Value, t))
				continue
			}
			d.decode(p.value, v.Field(i), kp)
		}

	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(path, n.Line, "must be a list, not %s", kindName(n))
			return
		}
		if len(n.Content) == 0 {
			v.SetZero() // an empty list is the same as none
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			e := s.Index(i)
			if df, ok := e.Addr().Interface().(interface{ setDefaults() }); ok {
				df.setDefaults()
			}
			d.decode(item, e, fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)

	case t.Kind() == reflect.Map: // map[string]string: connector options
		if n.Kind != yaml.MappingNode {
			d.fail(path, n.Line, "must be a mapping of keys to values, not %s", kindName(n))
			return
		}
		m := reflect.MakeMapWithSize(t, len(n.Content)/2)
		for _, p := range d.pairs(n, path, 0) {
			kp := mapKeyPath(path, p.key.Value)
			if isSecretKey(p.key.Value) {
				d.hidden[kp] = true
			}
			val := p.value
			d.lines[kp] = val.Line
			if val.Kind == yaml.AliasNode {
				val = val.Alias
			}
			s := ""
			if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!null" {
				var ok bool
				if s, ok = d.scalar(val, kp, "a single value"); !ok {
					continue
				}
			}
			m.SetMapIndex(reflect.ValueOf(p.key.Value), reflect.ValueOf(s).Convert(t.Elem()))
		}
		v.Set(m)

	case t.Kind() == reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			v.SetString(s)
		}

	case t.Kind() == reflect.Bool:
		s, ok := d.scalar(n, path, "true or false")
		if !ok {
			return
		}
		switch strings.ToLower(s) {
		case "true", "yes", "on":
			v.SetBool(true)
		case "false", "no", "off":
			v.SetBool(false)
		default:
			d.fail(path, n.Line, "must be true or false, got %s", d.q(path, s))
		}

	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		s, ok := d.scalar(n, path, "a whole number")
		if !ok {
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, t.Bits())
		if err != nil {
			d.fail(path, n.Line, "must be a whole number, got %s", d.q(path, s))
			return
		}
		v.SetInt(i)

	default:
		panic("config: no decoding for " + t.String())
	}
}

// scalar returns the ${ENV}-expanded value of scalar node n, or reports a
// problem naming what was expected.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(path, n.Line, "must be %s, not %s", want, kindName(n))
		return "", false
	}
	x, done := d.expanded[n]
	if !done {
		x.value, x.fromEnv, x.ok = d.expand(n, path)
		d.expanded[n] = x
	}
	if x.fromEnv {
		d.hidden[path] = true
	}
	if !x.ok {
		d.bad[path] = true
	}
	return x.value, x.ok
}

// expand applies ${ENV} expansion to a scalar's value and reports its
// problems. Messages name variables, never values.
func (d *decoder) expand(n *yaml.Node, path string) (string, bool, bool) {
	s, fromEnv, unset, err := expandEnv(n.Value, d.lookup)
	if err != nil {
		d.errs.add(path, n.Line, "%v", err)
		return "", false, false
	}
	for _, name := range unset {
		d.errs.add(path, n.Line, "environment variable %s is not set (use ${%s:-default} to make it optional)", name, name)
	}
	return s, fromEnv, len(unset) == 0
}

// expandEnv replaces each ${NAME} in s with the value of the environment
// variable NAME, and each ${NAME:-default} with that value or, when NAME is
// unset or empty, with default. "$${" stands for a literal "${"; any other
// "$" is kept as is. It reports whether any value came from the
// environment, and the names of unset variables that have no default.
func expandEnv(s string, lookup func(string) (string, bool)) (out string, fromEnv bool, unset []string, err error) {
	if !strings.Contains(s, "${") {
		return s, false, nil, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		b.WriteString(s[i:j])
		switch {
		case strings.HasPrefix(s[j:], "$${"):
			b.WriteString("${")
			i = j + 3
		case strings.HasPrefix(s[j:], "${"):
			end := strings.IndexByte(s[j+2:], '}')
			if end < 0 {
				return "", false, nil, errors.New(`unterminated "${" (write "$${" for a literal "${")`)
			}
			name, def, hasDef := strings.Cut(s[j+2:j+2+end], ":-")
			if !envNameRE.MatchString(name) {
				return "", false, nil, errors.New(`invalid "${...}" reference: the variable name must match [A-Za-z_][A-Za-z0-9_]* (write "$${" for a literal "${")`)
			}
			val, ok := lookup(name)
			switch {
			case ok && (val != "" || !hasDef):
				b.WriteString(val)
				fromEnv = true
			case hasDef:
				b.WriteString(def)
			default:
				unset = append(unset, name)
			}
			i = j + 2 + end + 1
		default:
			b.WriteByte('$')
			i = j + 1
		}
	}
	return b.String(), fromEnv, unset, nil
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

type pair struct{ key, value *yaml.Node }

// pairs returns the key/value pairs of mapping n with "<<" merge keys
// applied (explicit keys win over merged ones, earlier merges over later
// ones). It reports duplicate and non-string keys.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var out []pair
	var merges []*yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(path, k.Line, "keys must be strings, not %s", kindName(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errs.add(joinPath(path, k.Value), k.Line, "duplicate key (first defined at line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, v})
	}
	for _, m := range merges {
		if depth >= maxMergeDepth {
			d.fail(path, m.Line, "merge keys (<<) nested too deeply")
			break
		}
		var sources []*yaml.Node
		if r := resolve(m); r.Kind == yaml.SequenceNode {
			for _, s := range r.Content {
				sources = append(sources, resolve(s))
			}
		} else {
			sources = append(sources, r)
		}
		for _, src := range sources {
			if src.Kind != yaml.MappingNode {
				d.fail(path, m.Line, "a merge key (<<) must refer to a mapping or a list of mappings")
				continue
			}
			for _, p := range d.pairs(src, path, depth+1) {
				if _, dup := seen[p.key.Value]; !dup {
					seen[p.key.Value] = p.key
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

// fail reports a problem and marks path as undecodable.
func (d *decoder) fail(path string, line int, format string, args ...any) {
	d.bad[path] = true
	d.errs.add(path, line, format, args...)
}

// q quotes a value for a message, or says it is not shown when it came
// from the environment or is a secret.
func (d *decoder) q(path, s string) string {
	switch {
	case d.hidden[path] && !isSecretPath(path):
		return "(value from the environment not shown)"
	case d.hidden[path] || isSecretPath(path):
		return "(value not shown)"
	}
	return strconv.Quote(s)
}

// isSecretPath reports whether the value at path is a secret by its name.
func isSecretPath(path string) bool {
	return path == "admin.token"
}

// isSecretKey reports whether a connector option key names a secret.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"token", "secret", "password", "key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "an empty document"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// mapKeyPath is joinPath for free-form keys, quoting unusual ones.
func mapKeyPath(path, key string) string {
	if plainKeyRE.MatchString(key) {
		return joinPath(path, key)
	}
	return path + "[" + strconv.Quote(key) + "]"
}

var fieldCache sync.Map // reflect.Type -> map[string]int

// structFields maps the yaml key of each field of struct type t to the
// field's index. The result is shared and must not be modified.
func structFields(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldCache.Store(t, m)
	return m
}

// suggest returns a hint naming the closest valid key of struct type t, or
// listing the valid keys.
func suggest(key string, t reflect.Type) string {
	fields := structFields(t)
	names := make([]string, 0, len(fields))
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if _, ok := fields[name]; ok {
			names = append(names, name)
		}
	}
	best, bestDist := "", max(1, len(key)/3)+1
	for _, name := range names {
		if dist := editDistance(strings.ToLower(key), name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; valid keys are " + strings.Join(names, ", ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
