package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestSlogHandler_LevelsAndFields(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	log := NewSlog(zap.New(core, zap.AddCaller())).With("connector", "hubspot-main")

	log.Debug("page read", "n", 1) // below the core's level: dropped
	log.Info("sync run finished", "pulled", 42, "took", 3*time.Second, "ok", true, "ratio", 0.5,
		"err", errors.New("boom"), slog.Group("http", "status", 200, "path", "/crm"))
	log.Log(t.Context(), slog.LevelWarn+1, "between levels")
	log.Error("push failed")

	entries := logs.All()
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3: %v", len(entries), entries)
	}
	e := entries[0]
	if e.Message != "sync run finished" || e.Level != zapcore.InfoLevel {
		t.Errorf("entry = %v %q", e.Level, e.Message)
	}
	m := e.ContextMap()
	if m["connector"] != "hubspot-main" || m["pulled"] != int64(42) || m["took"] != 3*time.Second || m["ok"] != true ||
		m["ratio"] != 0.5 || m["err"] != "boom" {
		t.Errorf("fields = %v", m)
	}
	if http, _ := m["http"].(map[string]any); http["status"] != int64(200) || http["path"] != "/crm" {
		t.Errorf("group = %v", m["http"])
	}
	if entries[1].Level != zapcore.WarnLevel || entries[2].Level != zapcore.ErrorLevel {
		t.Errorf("levels = %v, %v", entries[1].Level, entries[2].Level)
	}
	if !strings.HasSuffix(e.Caller.File, "slog_test.go") {
		t.Errorf("caller = %s, want this test file", e.Caller.File)
	}
}

func TestSlogHandler_Groups(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	log := NewSlog(zap.New(core))

	log.WithGroup("empty").Info("no attrs") // an empty group vanishes
	log.WithGroup("req").With("id", "r1").Info("with attrs", "status", 201)
	log.WithGroup("a").WithGroup("b").Info("nested", "k", "v")

	all := logs.All()
	if len(all[0].Context) != 0 {
		t.Errorf("empty group logged fields %v", all[0].ContextMap())
	}
	if req, _ := all[1].ContextMap()["req"].(map[string]any); req["id"] != "r1" || req["status"] != int64(201) {
		t.Errorf("group with attrs = %v", all[1].ContextMap())
	}
	a, _ := all[2].ContextMap()["a"].(map[string]any)
	if b, _ := a["b"].(map[string]any); b["k"] != "v" {
		t.Errorf("nested groups = %v", all[2].ContextMap())
	}
}

// Secrets logged through slog are redacted like any other zap field.
func TestSlogHandler_Redacts(t *testing.T) {
	var buf bytes.Buffer
	zl, err := New("debug", FormatJSON, &buf)
	if err != nil {
		t.Fatal(err)
	}
	NewSlog(zl).Info("connector built", "token", secret, "name", "hubspot")
	_ = zl.Sync()
	if strings.Contains(buf.String(), secret) {
		t.Fatalf("secret leaked: %s", buf.String())
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil || m["name"] != "hubspot" {
		t.Errorf("line = %s (%v)", buf.String(), err)
	}
}

func TestSlogHandler_NilLoggerDiscards(t *testing.T) {
	log := NewSlog(nil)
	if log.Enabled(t.Context(), slog.LevelError) {
		t.Error("a nil zap logger should discard everything")
	}
	log.Info("dropped")
}
