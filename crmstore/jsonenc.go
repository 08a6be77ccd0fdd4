package crmstore

import (
	"encoding/json"
	"iter"
	"strconv"
	"unicode/utf8"
)

// The store writes two JSON documents per record write (its props and its
// change-log row). encoding/json sorts map keys and reflects over every
// value, which dominated bulk writes; these encoders append directly.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript consumers.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendValueChanges appends {"name":{"old":..,"new":..},...}.
func appendValueChanges(b []byte, m map[string]ValueChange) []byte {
	b = append(b, '{')
	first := true
	for k, vc := range m {
		if !first {
			b = append(b, ',')
		}
		first = false
		// A nil side is left out rather than written as null: most
		// rows are creates, which have no old values.
		b = appendJSONString(b, k)
		b = append(b, ':', '{')
		if vc.Old != nil {
			b = append(b, `"old":`...)
			b = appendJSONString(b, *vc.Old)
		}
		if vc.New != nil {
			if vc.Old != nil {
				b = append(b, ',')
			}
			b = append(b, `"new":`...)
			b = appendJSONString(b, *vc.New)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// encodeChangeBody renders a change body; only record writes take the
// fast path.
func encodeChangeBody(c changeBody) string {
	b := make([]byte, 0, 64+len(c.Properties)*48)
	b = append(b, '{')
	sep := func() {
		if len(b) > 1 {
			b = append(b, ',')
		}
	}
	if len(c.Properties) > 0 {
		b = append(b, `"properties":`...)
		b = appendValueChanges(b, c.Properties)
	}
	if a := c.Association; a != nil {
		sep()
		b = append(b, `"association":{"toObjectTypeId":`...)
		b = appendJSONString(b, a.ToObjectTypeID)
		b = append(b, `,"toId":`...)
		b = strconv.AppendInt(b, a.ToID, 10)
		b = append(b, `,"typeId":`...)
		b = strconv.AppendInt(b, a.TypeID, 10)
		if a.Label != "" {
			b = append(b, `,"label":`...)
			b = appendJSONString(b, a.Label)
		}
		b = append(b, '}')
	}
	if c.MergedID != 0 {
		sep()
		b = append(b, `"mergedId":`...)
		b = strconv.AppendInt(b, c.MergedID, 10)
	}
	if c.PrimaryID != 0 {
		sep()
		b = append(b, `"primaryId":`...)
		b = strconv.AppendInt(b, c.PrimaryID, 10)
	}
	return string(append(b, '}'))
}

// encodeCreateBody renders the change body of a record create straight from
// the write's values (a map's or a slice's), without building the
// ValueChange map. scratch is reused as the encoding buffer and returned for
// the next call.
func encodeCreateBody(scratch []byte, values iter.Seq[preparedValue]) (string, []byte) {
	b := append(scratch[:0], `{"properties":{`...)
	first := true
	for v := range values {
		if v.clear {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, v.prop.Name)
		b = append(b, `:{"new":`...)
		b = appendJSONString(b, v.value)
		b = append(b, '}')
	}
	b = append(b, '}', '}')
	return string(b), b
}

// decodeStringMap parses a flat JSON object of string values, the shape of
// a record's props, into m. It is the read path of every record, so the
// common case (keys and values without escapes) is handled without
// encoding/json's reflection; anything else falls back to it.
func decodeStringMap(data string, m map[string]string) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return json.Unmarshal([]byte(data), &m)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for {
		k, next, ok := plainString(data, i)
		if !ok {
			return json.Unmarshal([]byte(data), &m)
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return json.Unmarshal([]byte(data), &m)
		}
		v, next, ok := plainString(data, skipSpace(data, i+1))
		if !ok {
			return json.Unmarshal([]byte(data), &m)
		}
		m[k] = v
		i = skipSpace(data, next)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
			continue
		}
		if i < len(data) && data[i] == '}' {
			return nil
		}
		return json.Unmarshal([]byte(data), &m)
	}
}

// stringPair is one member of a flat JSON object of strings.
type stringPair struct{ key, value string }

// appendStringPairs appends the members of data, a flat JSON object of
// string values, to pairs in their order: decodeStringMap's fast path
// without the map. ok is false when data is not such an object or a key
// or value has escapes; decodeStringMap then reads it. The strings share
// data's memory.
func appendStringPairs(pairs []stringPair, data string) (out []stringPair, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return pairs, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return pairs, true
	}
	for {
		k, next, ok := plainString(data, i)
		if !ok {
			return pairs, false
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return pairs, false
		}
		v, next, ok := plainString(data, skipSpace(data, i+1))
		if !ok {
			return pairs, false
		}
		pairs = append(pairs, stringPair{k, v})
		i = skipSpace(data, next)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
			continue
		}
		if i < len(data) && data[i] == '}' {
			return pairs, true // what follows is ignored, as decodeStringMap does
		}
		return pairs, false
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string at s[i] that has no escapes, returning
// it and the index after its closing quote; ok is false otherwise.
func plainString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return "", i, false
		}
	}
	return "", i, false
}
