package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

const secret = "s3cr3t-VALUE-that-must-not-leak"

func TestNew_RedactsSensitiveFields(t *testing.T) {
	for _, format := range []string{FormatJSON, FormatConsole} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := New("debug", format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			log = log.With(zap.String("api_token", secret), zap.String("connector", "hubspot"))
			log.Info("request sent",
				zap.String("Authorization", "Bearer "+secret),
				zap.String("password", secret),
				zap.ByteString("client_secret", []byte(secret)),
				zap.Stringer("X-Api-Key", stringer(secret)),
				zap.Any("refreshToken", map[string]string{"v": secret}),
				zap.Int("status", 200),
			)
			log.Named("sub").With(zap.String("accessToken", secret)).Debug("nested")
			if err := log.Sync(); err != nil {
				t.Fatal(err)
			}

			out := buf.String()
			if strings.Contains(out, secret) {
				t.Fatalf("secret leaked into log output:\n%s", out)
			}
			for _, want := range []string{Redacted, "hubspot", "200", "request sent", "nested"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestNew_AutoFormatIsJSONWhenNotATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer

	for name, w := range map[string]interface {
		Write([]byte) (int, error)
	}{"buffer": &buf, "file": f} {
		log, err := New("info", FormatAuto, w)
		if err != nil {
			t.Fatal(err)
		}
		log.Info("hello", zap.String("who", name))
	}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{"buffer": buf.Bytes(), "file": data} {
		var entry struct {
			TS    string `json:"ts"`
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Who   string `json:"who"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(out), &entry); err != nil {
			t.Fatalf("%s: auto format did not write JSON: %v\n%s", name, err, out)
		}
		if entry.Level != "info" || entry.Msg != "hello" || entry.Who != name {
			t.Errorf("%s: unexpected entry %+v", name, entry)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z0700", entry.TS); err != nil {
			t.Errorf("%s: timestamp %q is not ISO8601: %v", name, entry.TS, err)
		}
	}
}

func TestNew_ConsoleFormat(t *testing.T) {
	t.Run("forced", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := New("info", FormatConsole, &buf)
		if err != nil {
			t.Fatal(err)
		}
		log.Info("hello", zap.String("who", "ops"))
		assertConsoleLine(t, buf.String(), "INFO")
	})
	t.Run("auto on a terminal", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := build(zapcore.InfoLevel, FormatAuto, &buf, true)
		if err != nil {
			t.Fatal(err)
		}
		log.Warn("hello", zap.String("who", "ops"))
		out := buf.String()
		assertConsoleLine(t, out, "WARN")
		if !strings.Contains(out, "\x1b[") {
			t.Errorf("terminal output has no colour codes: %q", out)
		}
	})
	t.Run("json forced on a terminal", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := build(zapcore.InfoLevel, FormatJSON, &buf, true)
		if err != nil {
			t.Fatal(err)
		}
		log.Info("hello")
		if !json.Valid(bytes.TrimSpace(buf.Bytes())) {
			t.Errorf("forced json is not JSON: %q", buf.String())
		}
	})
}

func assertConsoleLine(t *testing.T, out, level string) {
	t.Helper()
	if json.Valid([]byte(strings.TrimSpace(out))) {
		t.Fatalf("console format wrote JSON: %q", out)
	}
	cols := strings.Split(strings.TrimSpace(out), "\t")
	if len(cols) < 4 {
		t.Fatalf("console line has %d tab-separated columns, want >= 4: %q", len(cols), out)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z0700", cols[0]); err != nil {
		t.Errorf("timestamp %q is not ISO8601: %v", cols[0], err)
	}
	if !strings.Contains(cols[1], level) {
		t.Errorf("level column %q lacks %s", cols[1], level)
	}
	if !strings.Contains(out, `"who": "ops"`) {
		t.Errorf("fields missing: %q", out)
	}
}

func TestIsTerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	if isTerminal((*os.File)(nil)) {
		t.Error("a nil file is not a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is not a terminal")
	}

}

func TestNew_Level(t *testing.T) {
	var buf bytes.Buffer
	log, err := New("WARN", FormatJSON, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("dropped")
	log.Warn("kept")
	if out := buf.String(); strings.Contains(out, "dropped") || !strings.Contains(out, "kept") {
		t.Errorf("level warn: got %q", out)
	}
}

func TestNew_RejectsUnknownLevelAndFormat(t *testing.T) {
	if _, err := New("verbose", FormatJSON, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "verbose") {
		t.Errorf("unknown level: err = %v", err)
	}
	if _, err := New("info", "xml", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "xml") {
		t.Errorf("unknown format: err = %v", err)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]zapcore.Level{
		"": zapcore.InfoLevel, "debug": zapcore.DebugLevel, "Info": zapcore.InfoLevel,
		"warn": zapcore.WarnLevel, " error ": zapcore.ErrorLevel,
	} {
		got, err := ParseLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"trace", "fatal", "warning", "1"} {
		if _, err := ParseLevel(in); err == nil {
			t.Errorf("ParseLevel(%q) accepted", in)
		}
	}
}

func TestResolveFormat(t *testing.T) {
	for _, tc := range []struct {
		format string
		tty    bool
		want   string
	}{
		{"", false, FormatJSON},
		{"auto", false, FormatJSON},
		{"auto", true, FormatConsole},
		{"", true, FormatConsole},
		{"json", true, FormatJSON},
		{"JSON", false, FormatJSON},
		{"console", false, FormatConsole},
	} {
		got, err := resolveFormat(tc.format, tc.tty)
		if err != nil || got != tc.want {
			t.Errorf("resolveFormat(%q, %v) = %q, %v; want %q", tc.format, tc.tty, got, err, tc.want)
		}
	}
}

func TestIsSensitiveKey(t *testing.T) {
	for _, key := range []string{
		"token", "api_token", "accessToken", "REFRESH_TOKEN", "password", "db.password",
		"client_secret", "Authorization", "proxy-authorization", "apikey", "api_key",
		"X-Api-Key", "hubspot.apiKey",
	} {
		if !IsSensitiveKey(key) {
			t.Errorf("IsSensitiveKey(%q) = false", key)
		}
	}
	for _, key := range []string{"", "connector", "status", "error", "key", "api", "auth", "pass"} {
		if IsSensitiveKey(key) {
			t.Errorf("IsSensitiveKey(%q) = true", key)
		}
	}
	if n := testing.AllocsPerRun(100, func() { IsSensitiveKey("Some_Long-Key.Name") }); n != 0 {
		t.Errorf("IsSensitiveKey allocates %v times per call", n)
	}
}

func TestRedact_KeepsOtherFieldsAndNamespaces(t *testing.T) {
	obs, logs := observer.New(zapcore.DebugLevel)
	log := zap.New(Redact(Redact(obs))) // wrapping twice is harmless
	log.Info("m",
		zap.Int("count", 3),
		zap.Namespace("secrets"),
		zap.String("password", secret),
		zap.Error(errors.New("boom")),
	)
	entries := logs.All()
	if len(entries) != 1 {
		t.Fatalf("got %d entries, want 1", len(entries))
	}
	got := entries[0].ContextMap()
	if got["count"] != int64(3) {
		t.Errorf("count = %#v", got["count"])
	}
	ns, ok := got["secrets"].(map[string]any)
	if !ok {
		t.Fatalf("namespace lost: %#v", got)
	}
	if ns["password"] != Redacted || ns["error"] != "boom" {
		t.Errorf("namespace contents = %#v", ns)
	}

	fields := []zapcore.Field{zap.Int("a", 1), zap.String("b", "x")}
	if out := redactFields(fields); &out[0] != &fields[0] {
		t.Error("redactFields copied fields that need no change")
	}
	sensitive := []zapcore.Field{zap.String("token", secret)}
	redactFields(sensitive)
	if sensitive[0].String != secret {
		t.Error("redactFields modified the caller's slice")
	}
}
