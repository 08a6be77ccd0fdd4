package crmstore

import (
	"database/sql"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"
)

// sqliteDriver is the database/sql driver the Store opens: mattn's SQLite
// with the search functions below registered on every connection. The
// search layer's generated columns and indexes call them, so every
// connection that writes records needs them; a plain sqlite3 shell can still
// read the records table by naming its real columns.
const sqliteDriver = "sqlite3_tandem"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: registerSearchFunctions})
}

// registerSearchFunctions adds the deterministic SQL functions of search:
//
//   - tandem_fold(x): x lower-cased with Unicode rules (strings.ToLower).
//     Generated columns call it only for values that are not plain ASCII;
//     SQLite's own lower() handles the rest, with the same result.
//   - tandem_reverse(x): x with its characters in reverse order, so that a
//     suffix pattern becomes a prefix range on an index.
//   - tandem_token(x, pattern): whether x contains pattern as a token
//     (CONTAINS_TOKEN; see tokenMatch).
func registerSearchFunctions(conn *sqlite3.SQLiteConn) error {
	funcs := []struct {
		name string
		impl any
	}{
		{"tandem_fold", sqlFold},
		{"tandem_reverse", sqlReverse},
		{"tandem_token", sqlToken},
	}
	for _, f := range funcs {
		if err := conn.RegisterFunc(f.name, f.impl, true); err != nil {
			return fmt.Errorf("register SQL function %s: %w", f.name, err)
		}
	}
	return nil
}

// sqlText reads a SQL function argument as text; ok is false for NULL.
func sqlText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		if x == nil {
			return "", false
		}
		return string(x), true
	case int64:
		return fmt.Sprint(x), true
	case float64:
		return fmt.Sprint(x), true
	}
	return "", false
}

func sqlFold(v any) any {
	s, ok := sqlText(v)
	if !ok {
		return nil
	}
	return foldCase(s)
}

func sqlReverse(v any) any {
	s, ok := sqlText(v)
	if !ok {
		return nil
	}
	return reverseRunes(s)
}

func sqlToken(v any, pattern string) bool {
	s, ok := sqlText(v)
	return ok && tokenMatch(s, pattern)
}

// foldCase is the case folding of case-insensitive search: the same as the
// fold columns hold (SQLite's lower() for ASCII text, strings.ToLower for
// the rest, which agree on ASCII).
func foldCase(s string) string { return strings.ToLower(s) }

// reverseRunes returns s with its characters in reverse order.
func reverseRunes(s string) string {
	if len(s) < 2 {
		return s
	}
	b := make([]byte, len(s))
	i := len(b)
	for _, r := range s {
		n := utf8.RuneLen(r)
		if n < 0 { // invalid UTF-8 byte: keep it as it is
			n = 1
		}
		i -= n
		utf8.EncodeRune(b[i:], r)
	}
	return string(b)
}

// Tokens. CONTAINS_TOKEN matches a pattern against the tokens of a value:
//
//   - the whole value,
//   - its chunks: the parts between white space and ";" (multi-select
//     options and ;-joined lists are chunks),
//   - its words: the maximal runs of letters and digits.
//
// A pattern without "*" is a token or phrase: its words must appear, in
// order and next to each other, among the words of the value ("ann"
// matches "Ann-Marie Lee", "example.com" matches "joe@example.com"). A
// pattern of no words at all must equal the value or one of its chunks.
// A pattern with "*" (any run of characters, possibly empty) must match a
// whole token: "*@example.com" matches the email joe@example.com,
// "ann*" the first name "Anna" and the company "Lee Annex".

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isChunkSeparator reports whether r separates chunks.
func isChunkSeparator(r rune) bool { return unicode.IsSpace(r) || r == ';' }

func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

func chunks(s string) []string { return strings.FieldsFunc(s, isChunkSeparator) }

// tokenMatch reports whether value holds pattern as a token (see above).
// Both are compared as given: the caller folds them for case-insensitive
// properties.
func tokenMatch(value, pattern string) bool {
	if strings.Contains(pattern, "*") {
		if globMatch(pattern, value) {
			return true
		}
		for _, c := range chunks(value) {
			if globMatch(pattern, c) {
				return true
			}
		}
		for _, w := range words(value) {
			if globMatch(pattern, w) {
				return true
			}
		}
		return false
	}
	pw := words(pattern)
	if len(pw) == 0 {
		if value == pattern {
			return true
		}
		for _, c := range chunks(value) {
			if c == pattern {
				return true
			}
		}
		return false
	}
	vw := words(value)
	for i := 0; i+len(pw) <= len(vw); i++ {
		match := true
		for j, w := range pw {
			if vw[i+j] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// globMatch reports whether s matches pattern, in which "*" stands for any
// run of characters and everything else for itself.
func globMatch(pattern, s string) bool {
	// Iterative matching with backtracking to the last star: linear in
	// practice, quadratic at worst, never exponential.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// likeContaining returns a LIKE pattern (escape character "\") that every
// value holding pieces in that order matches: a cheap filter SQLite runs
// before tandem_token.
func likeContaining(pieces []string) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, p := range pieces {
		if p == "" {
			continue
		}
		for _, r := range p {
			if r == '%' || r == '_' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('%')
	}
	return b.String()
}
