package logging

import (
	"bytes"

	"go.uber.org/zap/zapcore"
)

// Redacted replaces the value of every field whose key [IsSensitiveKey] matches.
const Redacted = "[REDACTED]"

// sensitiveWords are matched against keys lower-cased and stripped of '_', '-', '.' and ' ', so
// "api_key", "X-Api-Key" and "apiKey" all contain "apikey".
var sensitiveWords = [][]byte{
	[]byte("token"),
	[]byte("password"),
	[]byte("secret"),
	[]byte("authorization"),
	[]byte("apikey"),
}

// IsSensitiveKey reports whether a field named key holds a credential: its key, ignoring case
// and the separators '_', '-', '.' and ' ', contains token, password, secret, authorization or
// apikey. It does not allocate for keys up to 64 bytes.
func IsSensitiveKey(key string) bool {
	var buf [64]byte
	norm := buf[:0]
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		}
		norm = append(norm, c)
	}
	for _, w := range sensitiveWords {
		if bytes.Contains(norm, w) {
			return true
		}
	}
	return false
}

// Redact wraps core so that fields with a sensitive key (see [IsSensitiveKey]) are written as
// [Redacted], whether they are passed to a log call or attached with With.
//
// Only top-level field keys are inspected: a secret nested inside a zap.Object, zap.Any(map...)
// or struct field is not seen, and neither is a secret inside an error message or log message.
// Do not log whole configuration structs, HTTP headers or URLs with credentials in them.
func Redact(core zapcore.Core) zapcore.Core {
	if _, ok := core.(redactCore); ok {
		return core
	}
	return redactCore{core}
}

type redactCore struct {
	zapcore.Core
}

func (c redactCore) With(fields []zapcore.Field) zapcore.Core {
	return redactCore{c.Core.With(redactFields(fields))}
}

// Check registers c (not the wrapped core) so that Write below sees the fields.
func (c redactCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c redactCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	return c.Core.Write(e, redactFields(fields))
}

// redactFields returns fields with sensitive values replaced. It copies only when a field
// must change, so the common case costs no allocation.
func redactFields(fields []zapcore.Field) []zapcore.Field {
	var out []zapcore.Field
	for i, f := range fields {
		// A namespace or skip field carries no value; rewriting a namespace would also
		// un-nest the fields after it.
		if f.Type == zapcore.NamespaceType || f.Type == zapcore.SkipType || !IsSensitiveKey(f.Key) {
			continue
		}
		if out == nil {
			out = make([]zapcore.Field, len(fields))
			copy(out, fields)
		}
		out[i] = zapcore.Field{Key: f.Key, Type: zapcore.StringType, String: Redacted}
	}
	if out == nil {
		return fields
	}
	return out
}
