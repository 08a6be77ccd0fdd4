package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeConfig writes content to tandem.yaml in a fresh temporary directory
// and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tandem.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustLoad loads content from a file and fails the test on any error.
func mustLoad(t *testing.T, content string) *Config {
	t.Helper()
	cfg, err := Load(writeConfig(t, content))
	if err != nil {
		t.Fatalf("Load: unexpected error:\n%v", err)
	}
	return cfg
}

// loadErrors loads content from a file and returns the *Errors it must fail
// with.
func loadErrors(t *testing.T, content string) *Errors {
	t.Helper()
	cfg, err := Load(writeConfig(t, content))
	if err == nil {
		t.Fatalf("Load: no error, got config %+v", cfg)
	}
	if cfg != nil {
		t.Errorf("Load returned a config together with an error")
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load: error is %T, want *Errors: %v", err, err)
	}
	return errs
}

// connHead is a valid connector; cases append keys to it. Line 8 onwards
// continues the object mapping (8 spaces) or, with 4 spaces, the connector.
const connHead = `connectors:
  - name: crm
    type: hubspot
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
`

// want is one expected problem: exact path and line, and a part of the
// message.
type want struct {
	path string
	line int
	msg  string
}

func TestErrors(t *testing.T) {
	const obj = "connectors[0].objects[0]"
	tests := []struct {
		name string
		yaml string
		want []want
	}{
		// Syntax and document shape.
		{"syntax error", "api:\n  listen: [\n", []want{{"", 2, "invalid YAML: did not find expected node content"}}},
		{"two documents", "data_dir: a\n---\ndata_dir: b\n", []want{{"", 2, "more than one YAML document"}}},
		{"top level is a list", "- data_dir\n", []want{{"", 1, "must be a mapping of keys to values, not a list"}}},
		{"top level is a scalar", "hello\n", []want{{"", 1, "must be a mapping of keys to values, not a single value"}}},
		{"non-string key", "? [a]\n: b\n", []want{{"", 1, "keys must be strings, not a list"}}},

		// Unknown and duplicate keys.
		{"unknown top-level key", "data_dir: x\ndta_dir: y\n", []want{{"dta_dir", 2, `unknown key; did you mean "data_dir"?`}}},
		{"unknown top-level key far from any", "frobnicate: 1\n", []want{{"frobnicate", 1, "unknown key; valid keys are data_dir, api, admin, log, shutdown_timeout, connectors"}}},
		{"unknown nested key", "api:\n  listen: 127.0.0.1:1\n  rate_limit:\n    enabeld: true\n", []want{{"api.rate_limit.enabeld", 4, `did you mean "enabled"?`}}},
		{"unknown connector key", connHead + "    shedule: '@hourly'\n", []want{{"connectors[0].shedule", 8, `did you mean "schedule"?`}}},
		{"unknown field key", connHead + "          - {local: phone, remote: phone, transfrom: e164}\n", []want{{obj + ".fields[1].transfrom", 8, `did you mean "transform"?`}}},
		{"duplicate key", "log:\n  level: info\n  level: debug\n", []want{{"log.level", 3, "duplicate key (first defined at line 2)"}}},
		{"several unknown keys all reported", "a1: 1\napi:\n  b2: 2\nlog:\n  c3: 3\n", []want{
			{"a1", 1, "unknown key"}, {"api.b2", 3, "unknown key"}, {"log.c3", 5, "unknown key"}}},

		// Types.
		{"string given a list", "data_dir: [a, b]\n", []want{{"data_dir", 1, "must be a string, not a list"}}},
		{"mapping given a scalar", "api: yes\n", []want{{"api", 1, "must be a mapping of keys to values, not a single value"}}},
		{"list given a mapping", "connectors: {name: x}\n", []want{{"connectors", 1, "must be a list, not a mapping"}}},
		{"bool", "api:\n  rate_limit:\n    enabled: maybe\n", []want{{"api.rate_limit.enabled", 3, `must be true or false, got "maybe"`}}},
		{"integer", "api:\n  max_body_bytes: 10MB\n", []want{{"api.max_body_bytes", 2, `must be a whole number, got "10MB"`}}},
		{"integer given a mapping", "api:\n  max_body_bytes: {a: 1}\n", []want{{"api.max_body_bytes", 2, "must be a whole number, not a mapping"}}},
		{"duration", "shutdown_timeout: soon\n", []want{{"shutdown_timeout", 1, `invalid duration "soon": must be like 20s, 1m30s or 2h`}}},
		{"duration without unit", "shutdown_timeout: 20\n", []want{{"shutdown_timeout", 1, "(a unit is required)"}}},
		{"option not a scalar", connHead + "    options:\n      base_url: [a]\n", []want{{"connectors[0].options.base_url", 9, "must be a single value, not a list"}}},
		{"options not a mapping", connHead + "    options: [a]\n", []want{{"connectors[0].options", 8, "must be a mapping"}}},
		{"merge of a scalar", "api: {<<: 3}\n", []want{{"api", 1, "a merge key (<<) must refer to a mapping"}}},
		{"merge cycle", "api: &x {<<: *x}\n", []want{{"api", 1, "merge keys (<<) nested too deeply"}}},

		// Environment.
		{"unset variable", "admin:\n  token: ${TANDEM_TEST_UNSET}\n", []want{{"admin.token", 2, "environment variable TANDEM_TEST_UNSET is not set"}}},
		{"two unset variables", "data_dir: ${TANDEM_TEST_UNSET}/${TANDEM_TEST_UNSET2}\n", []want{
			{"data_dir", 1, "environment variable TANDEM_TEST_UNSET is not set"},
			{"data_dir", 1, "environment variable TANDEM_TEST_UNSET2 is not set"}}},
		{"unterminated reference", "data_dir: ${HOME\n", []want{{"data_dir", 1, `unterminated "${"`}}},
		{"invalid variable name", "data_dir: ${1X}\n", []want{{"data_dir", 1, `invalid "${...}" reference`}}},

		// Top-level values.
		{"empty data_dir", "data_dir: ''\n", []want{{"data_dir", 1, "must not be empty"}}},
		{"listen without port", "api:\n  listen: localhost\n", []want{{"api.listen", 2, `invalid address "localhost": must be host:port`}}},
		{"listen port out of range", "admin:\n  listen: 127.0.0.1:99999\n", []want{{"admin.listen", 2, "the port must be a number from 0 to 65535"}}},
		{"listen port not a number", "admin:\n  listen: 127.0.0.1:http\n", []want{{"admin.listen", 2, "the port must be a number"}}},
		{"empty listen", "api:\n  listen: ''\n", []want{{"api.listen", 2, "must not be empty"}}},
		{"admin same as api", "api: {listen: '127.0.0.1:7000'}\nadmin: {listen: '127.0.0.1:7000'}\n", []want{{"admin.listen", 2, "must differ from api.listen"}}},
		{"admin exposed without token", "admin:\n  listen: 0.0.0.0:9090\n", []want{{"admin.token", 2, "is required when admin.listen is not a loopback address"}}},
		{"max_body_bytes zero", "api:\n  max_body_bytes: 0\n", []want{{"api.max_body_bytes", 2, "must be greater than 0"}}},
		{"max_import_bytes negative", "api:\n  max_import_bytes: -1\n", []want{{"api.max_import_bytes", 2, "must be greater than 0"}}},
		{"requests_per_10s negative", "api:\n  rate_limit: {enabled: true, requests_per_10s: -1}\n", []want{{"api.rate_limit.requests_per_10s", 2, "must be greater than 0"}}},
		{"log level", "log:\n  level: verbose\n", []want{{"log.level", 2, `invalid value "verbose": must be one of debug, info, warn, error`}}},
		{"log format", "log:\n  format: xml\n", []want{{"log.format", 2, `invalid value "xml": must be one of auto, json, console`}}},
		{"shutdown_timeout zero", "shutdown_timeout: 0s\n", []want{{"shutdown_timeout", 1, "must be greater than 0"}}},
		{"shutdown_timeout negative", "shutdown_timeout: -5s\n", []want{{"shutdown_timeout", 1, "must be greater than 0"}}},

		// Connectors.
		{"connector without name", "connectors:\n  - type: hubspot\n    objects: [{object: a, fields: [{local: a, remote: a}]}]\n",
			[]want{{"connectors[0].name", 2, "is required"}}},
		{"connector name invalid", strings.Replace(connHead, "name: crm", "name: CRM main", 1), []want{{"connectors[0].name", 2, `invalid name "CRM main": must match [a-z0-9][a-z0-9_-]*`}}},
		{"connector names duplicate", connHead + strings.TrimPrefix(connHead, "connectors:\n"), []want{{"connectors[1].name", 8, `duplicate connector name "crm" (also used by connectors[0] at line 2)`}}},
		{"connector without type", strings.Replace(connHead, "    type: hubspot\n", "", 1), []want{{"connectors[0].type", 2, "is required"}}},
		{"connector empty type", strings.Replace(connHead, "type: hubspot", "type: ''", 1), []want{{"connectors[0].type", 3, "must not be empty"}}},
		{"schedule invalid", connHead + "    schedule: '*/5 * *'\n", []want{{"connectors[0].schedule", 8, `invalid cron expression "*/5 * *": expected exactly 5 fields`}}},
		{"schedule bad descriptor", connHead + "    schedule: '@sometimes'\n", []want{{"connectors[0].schedule", 8, `invalid cron expression "@sometimes"`}}},
		{"reconcile invalid", connHead + "    reconcile: 'nightly'\n", []want{{"connectors[0].reconcile", 8, `invalid cron expression "nightly"`}}},
		{"connector without objects", "connectors:\n  - name: crm\n    type: hubspot\n", []want{{"connectors[0].objects", 2, "at least one object mapping is required"}}},
		{"connector with empty objects", "connectors:\n  - name: crm\n    type: hubspot\n    objects: []\n", []want{{"connectors[0].objects", 4, "at least one object mapping is required"}}},
		{"null connector entry", "connectors:\n  - ~\n", []want{
			{"connectors[0].name", 2, "is required"}, {"connectors[0].type", 2, "is required"}, {"connectors[0].objects", 2, "at least one object"}}},

		// Objects.
		{"object missing", connHead + "      - fields: [{local: a, remote: a}]\n", []want{{"connectors[0].objects[1].object", 8, "is required"}}},
		{"object duplicate", connHead + "      - object: contacts\n        fields: [{local: a, remote: a}]\n",
			[]want{{"connectors[0].objects[1].object", 8, `duplicate object "contacts" (also mapped by connectors[0].objects[0] at line 5)`}}},
		{"direction", connHead + "        direction: sideways\n", []want{{obj + ".direction", 8, `invalid value "sideways": must be one of both, pull, push`}}},
		{"create", connHead + "        create: all\n", []want{{obj + ".create", 8, `invalid value "all": must be one of both, pull, push, none`}}},
		{"create exceeds direction", connHead + "        direction: pull\n        create: push\n", []want{{obj + ".create", 9, `create "push" is not allowed with direction "pull"`}}},
		{"create both exceeds direction", connHead + "        direction: push\n        create: both\n", []want{{obj + ".create", 9, `create "both" is not allowed with direction "push"`}}},
		{"conflict", connHead + "        conflict: coin_toss\n", []want{{obj + ".conflict", 8, `invalid value "coin_toss": must be one of prefer_local, prefer_remote, most_recent, manual`}}},
		{"deletes", connHead + "        deletes: shred\n", []want{{obj + ".deletes", 8, `invalid value "shred": must be one of ignore, archive, propagate`}}},
		{"max_delete_percent above 100", connHead + "        max_delete_percent: 101\n", []want{{obj + ".max_delete_percent", 8, `must be between 0 and 100, got "101"`}}},
		{"max_delete_percent negative", connHead + "        max_delete_percent: -1\n", []want{{obj + ".max_delete_percent", 8, "must be between 0 and 100"}}},
		{"object without fields", "connectors:\n  - name: crm\n    type: hubspot\n    objects:\n      - object: contacts\n", []want{{obj + ".fields", 5, "at least one field mapping is required"}}},
		{"match not mapped", connHead + "        match: [email, phone]\n", []want{{obj + ".match[1]", 8, `"phone" is not the local side of any field in this object`}}},
		{"match empty", connHead + "        match: ['']\n", []want{{obj + ".match[0]", 8, "must not be empty"}}},
		{"match not a list", connHead + "        match: email\n", []want{{obj + ".match", 8, "must be a list, not a single value"}}},

		// Fields.
		{"field without local", connHead + "          - {remote: phone}\n", []want{{obj + ".fields[1].local", 8, "is required"}}},
		{"field empty remote", connHead + "          - local: phone\n            remote: ''\n", []want{{obj + ".fields[1].remote", 9, "must not be empty"}}},
		{"field duplicate local", connHead + "          - {local: email, remote: work_email}\n", []want{{obj + ".fields[1].local", 8, `duplicate local field "email" (also mapped by fields[0] at line 7)`}}},
		{"field value map empty entry", connHead + "          - {local: lifecyclestage, remote: stage, values: {Lead: ''}}\n", []want{{obj + ".fields[1].values", 8, `value map entries must not be empty (got "Lead": "")`}}},
		{"field direction", connHead + "          - {local: phone, remote: phone, direction: up}\n", []want{{obj + ".fields[1].direction", 8, `invalid value "up": must be one of both, pull, push`}}},
		{"field direction exceeds object", connHead + "          - {local: phone, remote: phone, direction: push}\n        direction: pull\n",
			[]want{{obj + ".fields[1].direction", 8, `"push" is not allowed in an object with direction "pull"`}}},
		{"field none", connHead + "          - {local: phone, remote: phone, direction: none}\n", []want{{obj + ".fields[1].direction", 8, "must be one of both, pull, push"}}},

		// Problems everywhere at once, ordered by line.
		{"all problems collected", `data_dir: ""
api: {listen: nowhere}
log: {level: loud, format: xml}
shutdown_timeout: 0s
connectors:
  - name: a
    type: hubspot
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
  - name: a
    type: hubspot
    schedule: "*/5 * *"
    objects: [{object: contacts, direction: up, fields: []}]
`, []want{
			{"data_dir", 1, "must not be empty"},
			{"api.listen", 2, "invalid address"},
			{"log.level", 3, "invalid value"},
			{"log.format", 3, "invalid value"},
			{"shutdown_timeout", 4, "must be greater than 0"},
			{"connectors[1].name", 9, "duplicate connector name"},
			{"connectors[1].schedule", 11, "invalid cron expression"},
			{"connectors[1].objects[0].direction", 12, "invalid value"},
			{"connectors[1].objects[0].fields", 12, "at least one field mapping is required"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := loadErrors(t, tt.yaml)
			got := errs.Problems
			for i := 0; i < max(len(got), len(tt.want)); i++ {
				switch {
				case i >= len(got):
					t.Errorf("missing problem %d: %s line %d: %s", i, tt.want[i].path, tt.want[i].line, tt.want[i].msg)
				case i >= len(tt.want):
					t.Errorf("unexpected problem %d: %s", i, got[i])
				default:
					w, g := tt.want[i], got[i]
					if g.Path != w.path || g.Line != w.line || !strings.Contains(g.Message, w.msg) {
						t.Errorf("problem %d:\n got  path %q line %d: %s\n want path %q line %d: ...%s...", i, g.Path, g.Line, g.Message, w.path, w.line, w.msg)
					}
				}
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	content := `connectors:
  - name: hubspot-main
    type: hubspot
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
  - name: other
    type: hubspot
    schedule: "*/5 * *"
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
log: {level: loud}
`
	path := writeConfig(t, content)
	_, err := Load(path)
	if err == nil {
		t.Fatal("no error")
	}
	want := path + `:7: connectors[1].schedule: invalid cron expression "*/5 * *": expected exactly 5 fields, found 3: [*/5 * *]` + "\n" +
		path + `:9: log.level: invalid value "loud": must be one of debug, info, warn, error`
	if err.Error() != want {
		t.Errorf("Error():\n got  %s\n want %s", err, want)
	}

	// Parse names the source it is given.
	_, err = Parse([]byte("shutdown_timeout: 0s\n"), "inline")
	if got, want := err.Error(), "inline:1: shutdown_timeout: must be greater than 0"; got != want {
		t.Errorf("Parse error %q, want %q", got, want)
	}

	// Problems without a line or path, and without a source.
	e := &Errors{Problems: []Problem{{Message: "whole file"}, {Path: "a", Line: 3, Message: "m"}}}
	if got, want := e.Error(), "whole file\n3: a: m"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Source = "f.yaml"
	if got, want := e.Error(), "f.yaml: whole file\nf.yaml:3: a: m"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (Problem{Path: "p", Line: 2, Message: "m"}).String(), "2: p: m"; got != want {
		t.Errorf("Problem.String() = %q, want %q", got, want)
	}

	// A long list is cut short in Error() but kept whole in Problems.
	many := &Errors{Source: "f"}
	for range 150 {
		many.add("x", 1, "m")
	}
	lines := strings.Split(many.Error(), "\n")
	if len(lines) != maxShown+1 || lines[maxShown] != "... and 50 more problems" {
		t.Errorf("Error() of 150 problems has %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
	var errs *Errors
	if errors.As(err, &errs) {
		t.Errorf("a read error must not be an *Errors")
	}
}

func TestDefaults(t *testing.T) {
	want := &Config{
		DataDir: "./tandem-data",
		API: APIConfig{
			Listen:         "127.0.0.1:8080",
			MaxBodyBytes:   10485760,
			MaxImportBytes: 536870912,
			RateLimit:      RateLimitConfig{Enabled: false, RequestsPer10s: 100},
		},
		Admin:           AdminConfig{Listen: "127.0.0.1:9090"},
		Log:             LogConfig{Level: "info", Format: "auto"},
		ShutdownTimeout: 20 * time.Second,
	}
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Default() = %+v, want %+v", got, want)
	}
	if a, b := Default(), Default(); a == b {
		t.Error("Default() returns a shared value")
	}
	for _, content := range []string{"", "{}", "{}\n", "# only a comment\n", "---\n", "~\n", "\n\n  \n", "api:\nadmin: {}\nconnectors: []\n"} {
		if got := mustLoad(t, content); !reflect.DeepEqual(got, want) {
			t.Errorf("Load(%q) = %+v, want defaults", content, got)
		}
	}

	// Omitted keys of a partly given section keep their defaults.
	cfg := mustLoad(t, "api:\n  listen: 0.0.0.0:8000\nlog:\n  format: json\n")
	if cfg.API.Listen != "0.0.0.0:8000" || cfg.API.MaxBodyBytes != 10485760 || cfg.API.RateLimit.RequestsPer10s != 100 {
		t.Errorf("api = %+v", cfg.API)
	}
	if cfg.Log != (LogConfig{Level: "info", Format: "json"}) {
		t.Errorf("log = %+v", cfg.Log)
	}
}

func TestObjectDefaults(t *testing.T) {
	cfg := mustLoad(t, `connectors:
  - name: crm
    type: hubspot
    objects:
      - object: contacts
        fields:
          - {local: email, remote: email}
          - {local: phone, remote: mobile, direction: pull}
      - object: companies
        remote: accounts
        direction: pull
        max_delete_percent: 0
        fields:
          - {local: domain, remote: website}
`)
	c := cfg.Connector("crm")
	if c == nil {
		t.Fatal("connector crm not found")
	}
	if cfg.Connector("other") != nil {
		t.Error("Connector(other) found something")
	}
	if c.Schedule != "" || c.PushOnChange || c.Options != nil {
		t.Errorf("connector defaults: %+v", c)
	}
	want := []ObjectMapping{
		{
			Object: "contacts", Remote: "contacts", Direction: DirectionBoth, Create: DirectionBoth,
			Conflict: ConflictMostRecent, Deletes: DeletesIgnore, MaxDeletePercent: 10,
			Fields: []FieldMapping{
				{Local: "email", Remote: "email", Direction: DirectionBoth},
				{Local: "phone", Remote: "mobile", Direction: DirectionPull},
			},
		},
		{
			Object: "companies", Remote: "accounts", Direction: DirectionPull, Create: DirectionPull,
			Conflict: ConflictMostRecent, Deletes: DeletesIgnore, MaxDeletePercent: 0,
			Fields: []FieldMapping{{Local: "domain", Remote: "website", Direction: DirectionPull}},
		},
	}
	if !reflect.DeepEqual(c.Objects, want) {
		t.Errorf("objects:\n got  %+v\n want %+v", c.Objects, want)
	}
}

func TestFullFile(t *testing.T) {
	t.Setenv("TANDEM_ADMIN_TOKEN", "admin-secret")
	t.Setenv("HUBSPOT_TOKEN", "pat-na1-123")
	cfg := mustLoad(t, `# Tandem configuration
data_dir: /var/lib/tandem
api:   {listen: 127.0.0.1:8080, max_body_bytes: 10485760, max_import_bytes: 1048576, rate_limit: {enabled: true, requests_per_10s: 50}}
admin: {listen: "[::1]:9090", token: "${TANDEM_ADMIN_TOKEN}"}
log:   {level: debug, format: json}
shutdown_timeout: 1m30s
connectors:
  - name: hubspot-main
    type: hubspot
    schedule: "*/5 * * * *"
    push_on_change: true
    options: {base_url: "https://api.hubapi.com", token: "${HUBSPOT_TOKEN}", requests_per_10s: 100, verbose: true, empty: }
    objects:
      - object: contacts
        remote: contacts
        direction: both
        create: push
        match: [email]
        conflict: prefer_local
        deletes: archive
        max_delete_percent: 5
        fields:
          - {local: email, remote: email}
          - {local: phone, remote: phone, transform: e164, direction: push}
  - name: carddav_2
    type: carddav
    schedule: "@every 5m"
    objects:
      - object: contacts
        direction: pull
        create: none
        conflict: manual
        deletes: propagate
        fields: [{local: firstname, remote: given_name}]
  - name: csv
    type: csv
    schedule: "@hourly"
    reconcile: "0 3 * * *"
    objects:
      - object: deals
        conflict: prefer_remote
        fields:
          - {local: amount, remote: Amount}
          - {local: dealstage, remote: Stage, values: {Won: closedwon, Lost: closedlost}, overwrite_with_empty: true}
`)
	want := &Config{
		DataDir: "/var/lib/tandem",
		API: APIConfig{
			Listen:         "127.0.0.1:8080",
			MaxBodyBytes:   10485760,
			MaxImportBytes: 1048576,
			RateLimit:      RateLimitConfig{Enabled: true, RequestsPer10s: 50},
		},
		Admin:           AdminConfig{Listen: "[::1]:9090", Token: "admin-secret"},
		Log:             LogConfig{Level: "debug", Format: "json"},
		ShutdownTimeout: 90 * time.Second,
		Connectors: []Connector{
			{
				Name: "hubspot-main", Type: "hubspot", Schedule: "*/5 * * * *", PushOnChange: true, Reconcile: "@daily",
				Options: map[string]string{
					"base_url": "https://api.hubapi.com", "token": "pat-na1-123",
					"requests_per_10s": "100", "verbose": "true", "empty": "",
				},
				Objects: []ObjectMapping{{
					Object: "contacts", Remote: "contacts", Direction: DirectionBoth, Create: DirectionPush,
					Match: []string{"email"}, Conflict: ConflictPreferLocal, Deletes: DeletesArchive, MaxDeletePercent: 5,
					Fields: []FieldMapping{
						{Local: "email", Remote: "email", Direction: DirectionBoth},
						{Local: "phone", Remote: "phone", Transform: "e164", Direction: DirectionPush},
					},
				}},
			},
			{
				Name: "carddav_2", Type: "carddav", Schedule: "@every 5m", Reconcile: "@daily",
				Objects: []ObjectMapping{{
					Object: "contacts", Remote: "contacts", Direction: DirectionPull, Create: DirectionNone,
					Conflict: ConflictManual, Deletes: DeletesPropagate, MaxDeletePercent: 10,
					Fields: []FieldMapping{{Local: "firstname", Remote: "given_name", Direction: DirectionPull}},
				}},
			},
			{
				Name: "csv", Type: "csv", Schedule: "@hourly", Reconcile: "0 3 * * *",
				Objects: []ObjectMapping{{
					Object: "deals", Remote: "deals", Direction: DirectionBoth, Create: DirectionBoth,
					Conflict: ConflictPreferRemote, Deletes: DeletesIgnore, MaxDeletePercent: 10,
					Fields: []FieldMapping{
						{Local: "amount", Remote: "Amount", Direction: DirectionBoth},
						{
							Local: "dealstage", Remote: "Stage", Direction: DirectionBoth,
							Values:             map[string]string{"Won": "closedwon", "Lost": "closedlost"},
							OverwriteWithEmpty: true,
						},
					},
				}},
			},
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config:\n got  %+v\n want %+v", cfg, want)
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	cfg := mustLoad(t, `connectors:
  - name: one
    type: hubspot
    objects:
      - &contacts
        object: contacts
        conflict: prefer_remote
        fields: &fields
          - {local: email, remote: email}
  - name: two
    type: hubspot
    objects:
      - <<: *contacts
        conflict: manual
      - object: leads
        fields: *fields
`)
	two := cfg.Connector("two")
	if two == nil || len(two.Objects) != 2 {
		t.Fatalf("connector two: %+v", two)
	}
	if o := two.Objects[0]; o.Object != "contacts" || o.Conflict != ConflictManual || len(o.Fields) != 1 || o.Fields[0].Local != "email" {
		t.Errorf("merged object: %+v", o)
	}
	if o := two.Objects[1]; len(o.Fields) != 1 || o.Fields[0].Remote != "email" {
		t.Errorf("aliased fields: %+v", o)
	}
	if o := cfg.Connector("one").Objects[0]; o.Conflict != ConflictPreferRemote {
		t.Errorf("anchor source changed: %+v", o)
	}
}

func TestAliasBomb(t *testing.T) {
	// Aliases nested through connectors, objects and fields multiply to
	// 150^3 fields; the document must be refused, not decoded.
	const n = 150
	content := "connectors: [&c {name: a, type: t, objects: [&o {object: o, fields: [&f {local: a, remote: b}" +
		strings.Repeat(", *f", n) + "]}" + strings.Repeat(", *o", n) + "]}" + strings.Repeat(", *c", n) + "]\n"
	start := time.Now()
	errs := loadErrors(t, content)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if len(errs.Problems) > maxKept {
		t.Errorf("%d problems kept, want at most %d", len(errs.Problems), maxKept)
	}
	if !strings.Contains(errs.Error(), "document too large") {
		t.Errorf("no 'document too large' problem in:\n%.2000s", errs.Error())
	}
}

func TestEnvExpansion(t *testing.T) {
	// A value with YAML syntax in it stays a plain string.
	const tricky = "s3cret: {injected: [1, 2]}\nlog: {level: debug}\n# ${TANDEM_TEST_OTHER}"
	t.Setenv("TANDEM_TEST_TRICKY", tricky)
	t.Setenv("TANDEM_TEST_OTHER", "other")
	t.Setenv("TANDEM_TEST_EMPTY", "")
	t.Setenv("TANDEM_TEST_BODY", "42")
	t.Setenv("TANDEM_TEST_TIMEOUT", "3s")
	t.Setenv("TANDEM_TEST_HOST", "127.0.0.2")
	t.Setenv("TANDEM_TEST_ON", "true")
	t.Setenv("TANDEM_TEST_DIR", "/srv/tandem")

	cfg := mustLoad(t, `data_dir: ${TANDEM_TEST_DIR}/data
api:
  listen: ${TANDEM_TEST_HOST}:${TANDEM_TEST_PORT:-8081}
  max_body_bytes: ${TANDEM_TEST_BODY}
  rate_limit: {enabled: "${TANDEM_TEST_ON}"}
admin:
  token: ${TANDEM_TEST_TRICKY}
log:
  level: ${TANDEM_TEST_EMPTY:-warn}
shutdown_timeout: ${TANDEM_TEST_TIMEOUT}
connectors:
  - name: crm
    type: hubspot
    options:
      token: "${TANDEM_TEST_TRICKY}"
      literal: "$${NOT_EXPANDED} costs $5"
      empty: "${TANDEM_TEST_EMPTY}"
      unset_default: ${TANDEM_TEST_UNSET:-}
      both: ${TANDEM_TEST_OTHER}-${TANDEM_TEST_OTHER}
    objects: [{object: contacts, fields: [{local: email, remote: email}]}]
`)
	if cfg.DataDir != "/srv/tandem/data" {
		t.Errorf("data_dir = %q", cfg.DataDir)
	}
	if cfg.API.Listen != "127.0.0.2:8081" || cfg.API.MaxBodyBytes != 42 || !cfg.API.RateLimit.Enabled {
		t.Errorf("api = %+v", cfg.API)
	}
	if cfg.Admin.Token != tricky {
		t.Errorf("admin.token = %q, want the variable's value verbatim", cfg.Admin.Token)
	}
	if cfg.Log.Level != "warn" {
		t.Errorf("log.level = %q, want the default for an empty variable", cfg.Log.Level)
	}
	if cfg.ShutdownTimeout != 3*time.Second {
		t.Errorf("shutdown_timeout = %v", cfg.ShutdownTimeout)
	}
	wantOpts := map[string]string{
		"token":         tricky,
		"literal":       "${NOT_EXPANDED} costs $5",
		"empty":         "",
		"unset_default": "",
		"both":          "other-other",
	}
	if got := cfg.Connectors[0].Options; !reflect.DeepEqual(got, wantOpts) {
		t.Errorf("options = %q, want %q", got, wantOpts)
	}
}

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"A": "x", "EMPTY": "", "REF": "${A}"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		in, out string
		fromEnv bool
		unset   []string
		err     bool
	}{
		{in: "plain", out: "plain"},
		{in: "$5 and $ and $A", out: "$5 and $ and $A"},
		{in: "${A}", out: "x", fromEnv: true},
		{in: "<${A}${A}>", out: "<xx>", fromEnv: true},
		{in: "${REF}", out: "${A}", fromEnv: true}, // not expanded twice
		{in: "${EMPTY}", out: "", fromEnv: true},
		{in: "${EMPTY:-d}", out: "d"},
		{in: "${MISSING:-d e f}", out: "d e f"},
		{in: "${MISSING:-}", out: ""},
		{in: "${A:-d}", out: "x", fromEnv: true},
		{in: "$${A}", out: "${A}"},
		{in: "$$${A}", out: "$${A}"}, // "$" then the escape "$${"
		{in: "${MISSING}/${OTHER}", unset: []string{"MISSING", "OTHER"}},
		{in: "${A", err: true},
		{in: "${}", err: true},
		{in: "${A B}", err: true},
		{in: "${A-x}", err: true},
	}
	for _, tt := range tests {
		out, fromEnv, unset, err := expandEnv(tt.in, lookup)
		if (err != nil) != tt.err {
			t.Errorf("expandEnv(%q) error %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if tt.err {
			continue
		}
		if len(tt.unset) > 0 {
			if !reflect.DeepEqual(unset, tt.unset) {
				t.Errorf("expandEnv(%q) unset %v, want %v", tt.in, unset, tt.unset)
			}
			continue
		}
		if out != tt.out || fromEnv != tt.fromEnv || unset != nil {
			t.Errorf("expandEnv(%q) = %q, %v, %v; want %q, %v", tt.in, out, fromEnv, unset, tt.out, tt.fromEnv)
		}
	}
}

// TestSecretsNeverShown puts secrets (from the environment and written
// literally) where they cause problems and checks that no message shows
// them.
func TestSecretsNeverShown(t *testing.T) {
	secrets := []string{"hunter2-env-secret", "literal-admin-token", "literal-api-key", "literal-password", "literal-client-secret"}
	t.Setenv("TANDEM_TEST_SECRET", secrets[0])
	content := `api:
  listen: ${TANDEM_TEST_SECRET}
  max_body_bytes: ${TANDEM_TEST_SECRET}
  rate_limit: {enabled: "${TANDEM_TEST_SECRET}"}
admin:
  listen: ${TANDEM_TEST_SECRET}
  token: literal-admin-token
log: {level: "${TANDEM_TEST_SECRET}", format: "x${TANDEM_TEST_SECRET}"}
shutdown_timeout: ${TANDEM_TEST_SECRET}
connectors:
  - name: ${TANDEM_TEST_SECRET}
    type: hubspot
    schedule: ${TANDEM_TEST_SECRET}
    options:
      api_key: [literal-api-key]
      Password: {p: literal-password}
      client_secret: ${TANDEM_TEST_UNSET_SECRET}
      other: ${TANDEM_TEST_SECRET}
    objects:
      - object: ${TANDEM_TEST_SECRET}
        direction: ${TANDEM_TEST_SECRET}
        max_delete_percent: ${TANDEM_TEST_SECRET}
        match: ["${TANDEM_TEST_SECRET}"]
        fields:
          - {local: "${TANDEM_TEST_SECRET}", remote: x, direction: "${TANDEM_TEST_SECRET}"}
          - {local: "${TANDEM_TEST_SECRET}", remote: y}
  - name: two
    type: hubspot
    objects: [{object: literal-client-secret, fields: [{local: a, remote: b}]}]
    options: {secret: "${TANDEM_TEST_SECRET", token: "${1bad-literal-client-secret}"}
`
	errs := loadErrors(t, content)
	msg := errs.Error()
	for _, s := range secrets[:4] {
		if strings.Contains(msg, s) {
			t.Errorf("error message contains secret %q:\n%s", s, msg)
		}
	}
	// Every line with an env-derived value says it is not shown rather
	// than printing it; check a few and that problems were found at all.
	for _, part := range []string{
		"api.listen: invalid address (value from the environment not shown)",
		"api.max_body_bytes: must be a whole number, got (value from the environment not shown)",
		"connectors[0].schedule: invalid cron expression (value from the environment not shown)",
		"connectors[0].options.api_key: must be a single value, not a list",
		"connectors[0].options.Password: must be a single value, not a mapping",
		"connectors[0].options.client_secret: environment variable TANDEM_TEST_UNSET_SECRET is not set",
		"connectors[0].objects[0].fields[1].local: duplicate local field (value from the environment not shown)",
		"connectors[1].options.secret: unterminated",
		`connectors[1].options.token: invalid "${...}" reference`,
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("error message lacks %q:\n%s", part, msg)
		}
	}
	if strings.Contains(msg, "1bad") {
		t.Errorf("an invalid reference is echoed:\n%s", msg)
	}
}

func TestDirectionAllows(t *testing.T) {
	tests := []struct {
		d, other Direction
		want     bool
	}{
		{DirectionBoth, DirectionPull, true},
		{DirectionBoth, DirectionPush, true},
		{DirectionBoth, DirectionBoth, true},
		{DirectionPull, DirectionPull, true},
		{DirectionPull, DirectionPush, false},
		{DirectionPull, DirectionBoth, false},
		{DirectionPush, DirectionNone, true},
	}
	for _, tt := range tests {
		if got := tt.d.Allows(tt.other); got != tt.want {
			t.Errorf("%s.Allows(%s) = %v, want %v", tt.d, tt.other, got, tt.want)
		}
	}
}
