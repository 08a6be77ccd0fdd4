// Package logging builds the one zap logger that cmd/tandem creates at start-up and passes down.
//
// The output format follows where the logs go: JSON when the writer is not a terminal (systemd,
// journald, files, pipes), the human-readable console encoder when it is. Timestamps are ISO8601.
// Every logger built here redacts credentials: see [Redact].
//
// Libraries never build their own logger and never use zap's globals; they receive a
// *zap.Logger and call Named on it.
package logging

import (
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"
)

// Output formats accepted by [New].
const (
	// FormatAuto picks FormatConsole when the writer is a terminal and FormatJSON otherwise.
	FormatAuto = "auto"
	// FormatJSON writes one JSON object per line.
	FormatJSON = "json"
	// FormatConsole writes tab-separated, human-readable lines (coloured levels on a terminal).
	FormatConsole = "console"
)

// New returns a logger that writes entries at level or above to w in format.
//
// level is one of debug, info, warn or error (case-insensitive); "" means info. format is one of
// [FormatAuto], [FormatJSON] or [FormatConsole]; "" means [FormatAuto]. A nil w means os.Stderr.
// The logger adds the caller to each entry, stack traces only from DPanic up, and its core is
// wrapped in [Redact].
func New(level, format string, w io.Writer) (*zap.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	if w == nil {
		w = os.Stderr
	}
	return build(lvl, format, w, isTerminal(w))
}

// build is New with the terminal check already made, so tests can exercise both outcomes.
func build(lvl zapcore.Level, format string, w io.Writer, tty bool) (*zap.Logger, error) {
	format, err := resolveFormat(format, tty)
	if err != nil {
		return nil, err
	}

	var enc zapcore.Encoder
	if format == FormatJSON {
		cfg := zap.NewProductionEncoderConfig()
		cfg.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(cfg)
	} else {
		cfg := zap.NewDevelopmentEncoderConfig()
		cfg.EncodeTime = zapcore.ISO8601TimeEncoder
		if tty {
			cfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		}
		enc = zapcore.NewConsoleEncoder(cfg)
	}

	ws := zapcore.AddSync(w)
	core := Redact(zapcore.NewCore(enc, ws, lvl))
	return zap.New(core,
		zap.AddCaller(),
		zap.AddStacktrace(zapcore.DPanicLevel),
		zap.ErrorOutput(ws),
	), nil
}

// ParseLevel parses debug, info, warn or error (case-insensitive); "" means info.
func ParseLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return zapcore.DebugLevel, nil
	case "", "info":
		return zapcore.InfoLevel, nil
	case "warn":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return zapcore.InfoLevel, fmt.Errorf("logging: unknown level %q (want debug, info, warn or error)", s)
}

// resolveFormat turns a configured format into FormatJSON or FormatConsole.
func resolveFormat(format string, tty bool) (string, error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", FormatAuto:
		if tty {
			return FormatConsole, nil
		}
		return FormatJSON, nil
	case FormatJSON:
		return FormatJSON, nil
	case FormatConsole:
		return FormatConsole, nil
	}
	return "", fmt.Errorf("logging: unknown format %q (want auto, json or console)", format)
}

// isTerminal reports whether w is an *os.File attached to a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
