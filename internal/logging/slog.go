package logging

import (
	"context"
	"log/slog"
	"slices"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewSlog returns a *slog.Logger whose records go to l, for code that takes a standard-library
// logger (connectors: their contract is stdlib only) while the daemon logs through zap. A nil
// l gives a logger that discards everything.
func NewSlog(l *zap.Logger) *slog.Logger {
	return slog.New(NewSlogHandler(l))
}

// NewSlogHandler returns a slog.Handler writing to l. Levels map to zap's (slog's levels
// between the named ones round down); attributes become zap fields, groups become nested
// namespaces. The record's time is not passed on: zap stamps its own entries, and both clocks
// agree to well within a log line.
func NewSlogHandler(l *zap.Logger) slog.Handler {
	if l == nil {
		l = zap.NewNop()
	}
	return &slogHandler{l: l.WithOptions(zap.AddCallerSkip(3))}
}

type slogHandler struct {
	l *zap.Logger
	// groups are the open WithGroup names not yet turned into a namespace, because slog drops
	// a group that ends up holding no attributes.
	groups []string
}

// zapLevel maps a slog level onto zap's.
func zapLevel(l slog.Level) zapcore.Level {
	switch {
	case l >= slog.LevelError:
		return zapcore.ErrorLevel
	case l >= slog.LevelWarn:
		return zapcore.WarnLevel
	case l >= slog.LevelInfo:
		return zapcore.InfoLevel
	default:
		return zapcore.DebugLevel
	}
}

func (h *slogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.l.Core().Enabled(zapLevel(l))
}

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	ce := h.l.Check(zapLevel(r.Level), r.Message)
	if ce == nil {
		return nil
	}
	fields := make([]zap.Field, 0, r.NumAttrs()+len(h.groups))
	r.Attrs(func(a slog.Attr) bool {
		fields = appendAttr(fields, a)
		return true
	})
	ce.Write(h.wrapGroups(fields)...)
	return nil
}

// wrapGroups nests fields inside the pending groups, innermost last; no fields, no groups.
func (h *slogHandler) wrapGroups(fields []zap.Field) []zap.Field {
	if len(fields) == 0 {
		return nil
	}
	for i := len(h.groups) - 1; i >= 0; i-- {
		fields = []zap.Field{zap.Object(h.groups[i], fieldList(fields))}
	}
	return fields
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var fields []zap.Field
	for _, a := range attrs {
		fields = appendAttr(fields, a)
	}
	if len(fields) == 0 {
		return h
	}
	if len(h.groups) == 0 {
		return &slogHandler{l: h.l.With(fields...)}
	}
	// Attributes inside open groups: open those groups as namespaces for good, so later
	// attributes of the record land beside these ones.
	l := h.l
	for _, g := range h.groups {
		l = l.With(zap.Namespace(g))
	}
	return &slogHandler{l: l.With(fields...)}
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &slogHandler{l: h.l, groups: append(slices.Clip(h.groups), name)}
}

// appendAttr turns one slog attribute into zap fields, following slog's rules: empty
// attributes are dropped, groups with an empty key are inlined, LogValuers are resolved.
func appendAttr(fields []zap.Field, a slog.Attr) []zap.Field {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return fields
	}
	switch a.Value.Kind() {
	case slog.KindGroup:
		var sub []zap.Field
		for _, ga := range a.Value.Group() {
			sub = appendAttr(sub, ga)
		}
		if len(sub) == 0 {
			return fields
		}
		if a.Key == "" {
			return append(fields, sub...)
		}
		return append(fields, zap.Object(a.Key, fieldList(sub)))
	case slog.KindString:
		return append(fields, zap.String(a.Key, a.Value.String()))
	case slog.KindInt64:
		return append(fields, zap.Int64(a.Key, a.Value.Int64()))
	case slog.KindUint64:
		return append(fields, zap.Uint64(a.Key, a.Value.Uint64()))
	case slog.KindFloat64:
		return append(fields, zap.Float64(a.Key, a.Value.Float64()))
	case slog.KindBool:
		return append(fields, zap.Bool(a.Key, a.Value.Bool()))
	case slog.KindDuration:
		return append(fields, zap.Duration(a.Key, a.Value.Duration()))
	case slog.KindTime:
		return append(fields, zap.Time(a.Key, a.Value.Time()))
	default:
		if err, ok := a.Value.Any().(error); ok {
			return append(fields, zap.NamedError(a.Key, err))
		}
		return append(fields, zap.Any(a.Key, a.Value.Any()))
	}
}

// fieldList marshals a list of zap fields as one nested object.
type fieldList []zap.Field

func (fl fieldList) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, f := range fl {
		f.AddTo(enc)
	}
	return nil
}
