package deployments

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tandem-crm/tandem/config"
)

const (
	unitFile     = "systemd/tandem.service"
	sysusersFile = "systemd/tandem.sysusers"
	exampleFile  = "tandem.example.yaml"
	// maxExposure is the highest `systemd-analyze security` exposure the unit may have.
	maxExposure = 1.5
)

// exampleEnv is the environment the example configuration references.
var exampleEnv = []string{"TANDEM_ADMIN_TOKEN=example-admin-token", "HUBSPOT_TOKEN=example-hubspot-token"}

func TestUnitSecurityExposure(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	out, err := exec.Command(tool, "security", "--offline=true", unitFile).CombinedOutput()
	if err != nil && strings.Contains(string(out), "offline") {
		t.Skipf("this systemd-analyze has no --offline: %s", out)
	}
	m := regexp.MustCompile(`Overall exposure level for tandem\.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security: %v; no exposure level in:\n%s", err, out)
	}
	exposure, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("exposure level %.1f", exposure)
	if exposure > maxExposure {
		t.Errorf("exposure level %.1f, want at most %.1f:\n%s", exposure, maxExposure, out)
	}
}

// unitSettings reads the unit's Key=Value lines; repeated keys keep every value.
func unitSettings(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	settings := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: not a setting: %q", unitFile, line)
			continue
		}
		settings[k] = append(settings[k], v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return settings
}

func TestUnitSettings(t *testing.T) {
	t.Parallel()
	s := unitSettings(t)
	want := map[string]string{
		"Type":                    "notify",
		"NotifyAccess":            "main",
		"User":                    "tandem",
		"Group":                   "tandem",
		"StateDirectory":          "tandem",
		"ConfigurationDirectory":  "tandem",
		"EnvironmentFile":         "-/etc/tandem/env",
		"ExecStartPre":            "/usr/bin/tandem check-config /etc/tandem/tandem.yaml",
		"ExecStart":               "/usr/bin/tandem serve --config /etc/tandem/tandem.yaml",
		"ExecReload":              "/bin/kill -HUP $MAINPID",
		"Restart":                 "on-failure",
		"WatchdogSec":             "30s",
		"ProtectSystem":           "strict",
		"MemoryDenyWriteExecute":  "true",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"UMask":                   "0077",
	}
	for k, v := range want {
		if got := s[k]; !slices.Contains(got, v) {
			t.Errorf("%s=%q, want %s=%s", k, got, k, v)
		}
	}
	// Connectors reach remote APIs: no IP allow list may block outbound traffic.
	for _, k := range []string{"IPAddressDeny", "PrivateNetwork"} {
		if len(s[k]) > 0 {
			t.Errorf("%s=%q would cut connectors off from their remote APIs", k, s[k])
		}
	}

	// TimeoutStopSec leaves the default shutdown budget a margin to close the store.
	stop, err := time.ParseDuration(strings.Join(s["TimeoutStopSec"], ""))
	if err != nil {
		t.Fatalf("TimeoutStopSec=%q: %v", s["TimeoutStopSec"], err)
	}
	if stop < config.DefaultShutdownTimeout+5*time.Second || stop > config.DefaultShutdownTimeout+30*time.Second {
		t.Errorf("TimeoutStopSec=%s, want shutdown_timeout (%s) plus a margin of 5 to 30s", stop, config.DefaultShutdownTimeout)
	}
}

func TestSysusers(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(sysusersFile)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		if len(fields) >= 2 && fields[0] == "u" && fields[1] == "tandem" {
			found = true
		}
	}
	if !found {
		t.Errorf("%s does not create the system user tandem:\n%s", sysusersFile, data)
	}
}

// TestExampleConfigChecks runs `tandem check-config` on the example, as ExecStartPre= does.
func TestExampleConfigChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "tandem")
	if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/tandem-crm/tandem/cmd/tandem").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	check := func(env []string) (string, error) {
		cmd := exec.Command(bin, "check-config", exampleFile)
		cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
			return strings.HasPrefix(kv, "TANDEM_ADMIN_TOKEN=") || strings.HasPrefix(kv, "HUBSPOT_TOKEN=")
		})
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := check(exampleEnv)
	if err != nil || out != exampleFile+": ok\n" {
		t.Errorf("tandem check-config %s: %v\n%s", exampleFile, err, out)
	}
	// The secrets come from the environment: without it, the check names each variable.
	out, err = check(nil)
	if err == nil || !strings.Contains(out, "TANDEM_ADMIN_TOKEN is not set") || !strings.Contains(out, "HUBSPOT_TOKEN is not set") {
		t.Errorf("check-config without the environment: %v\n%s", err, out)
	}
}

// TestExampleConfigCoversEveryKey fails when the config package gains a key that the
// example does not show, and checks the values that the unit depends on.
func TestExampleConfigCoversEveryKey(t *testing.T) {
	for _, kv := range exampleEnv {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := config.Load(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/tandem" {
		t.Errorf("data_dir %q, want /var/lib/tandem (StateDirectory=tandem)", cfg.DataDir)
	}
	if cfg.ShutdownTimeout != config.DefaultShutdownTimeout {
		t.Errorf("shutdown_timeout %s, want the default %s, which TimeoutStopSec= is set for", cfg.ShutdownTimeout, config.DefaultShutdownTimeout)
	}

	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	collectKeys(&doc, "", have)
	var want []string
	structKeys(reflect.TypeFor[config.Config](), "", &want)
	for _, k := range want {
		if !have[k] {
			t.Errorf("%s does not show the key %s", exampleFile, k)
		}
	}
	if len(want) < 25 {
		t.Errorf("only %d keys found in config.Config: %v", len(want), want)
	}
}

// structKeys lists the YAML key paths of t: "api.rate_limit.enabled",
// "connectors[].objects[].fields[].local", ...
func structKeys(t reflect.Type, prefix string, out *[]string) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := prefix + name
		*out = append(*out, path)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
			path += "[]"
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Duration]() {
			structKeys(ft, path+".", out)
		}
	}
}

// collectKeys records the key paths of a YAML node tree in the form structKeys makes.
func collectKeys(n *yaml.Node, prefix string, have map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.AliasNode:
		for _, c := range n.Content {
			collectKeys(c, prefix, have)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			collectKeys(c, prefix+"[]", have)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			have[path] = true
			collectKeys(n.Content[i+1], path, have)
		}
	}
}
