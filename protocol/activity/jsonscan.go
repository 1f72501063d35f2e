package activity

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/interlink-project/interlink-node/protocol"
)

// This file holds two byte-level helpers that keep the inbox's parsing in
// a few passes over the document: checkJSON (what protocol.DecodeStrict
// checks beside syntax, without its token-by-token decoding) and members
// (the exact bytes of chosen members of an object, without decoding the
// rest).

// scanFrame is an open object or array while checkJSON walks a document.
// Paths are only built when a check fails.
type scanFrame struct {
	object bool
	keys   [][]byte            // the keys seen so far, while few
	keySet map[string]struct{} // the keys seen so far, once many
	key    []byte              // the member being read (objects)
	index  int                 // the element being read (arrays)
}

// addKey records key and reports whether the object already had it.
func (f *scanFrame) addKey(key []byte) (dup bool) {
	if f.keySet == nil {
		for _, k := range f.keys {
			if bytes.Equal(k, key) {
				return true
			}
		}
		if len(f.keys) < 16 {
			f.keys = append(f.keys, key)
			return false
		}
		f.keySet = make(map[string]struct{}, 32)
		for _, k := range f.keys {
			f.keySet[string(k)] = struct{}{}
		}
	}
	if _, ok := f.keySet[string(key)]; ok {
		return true
	}
	f.keySet[string(key)] = struct{}{}
	return false
}

// span is a byte range [start, end) of a document.
type span struct{ start, end int }

// scanPath is the JSON path of the value being read, in protocol's form.
func scanPath(stack []scanFrame) string {
	p := protocol.RootField
	for _, f := range stack {
		if f.object {
			p = memberPath(p, string(f.key))
		} else {
			p = protocol.IndexField(p, f.index)
		}
	}
	return p
}

// checkJSON reports invalid UTF-8, a key repeated in one object, and
// nesting deeper than protocol.MaxJSONDepth, as a *protocol.ValidationError
// naming the JSON path (the rules "utf8", "duplicate_key" and "depth", as
// protocol.DecodeStrict names them). Syntax is not checked: encoding/json
// decodes the document afterwards and refuses what is not JSON; input that
// is not JSON stops the scan without a finding. It also returns the byte
// ranges of the values of extension members (entryKeys), which the generic
// tree does not need.
func checkJSON(raw []byte) ([]span, *protocol.ValidationError) {
	var opaque []span
	checkUTF8 := !utf8.Valid(raw)
	stack := make([]scanFrame, 0, 16)
	wantKey := false
	fail := func(field, rule, format string, args ...any) ([]span, *protocol.ValidationError) {
		ve := &protocol.ValidationError{}
		ve.Add(field, rule, format, args...)
		return nil, ve
	}
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '{', '[':
			if len(stack) >= protocol.MaxJSONDepth {
				return fail(scanPath(stack), "depth", "nests deeper than %d levels", protocol.MaxJSONDepth)
			}
			stack = append(stack, scanFrame{object: raw[i] == '{'})
			wantKey = raw[i] == '{'
		case '}', ']':
			if len(stack) == 0 {
				return nil, nil
			}
			stack = stack[:len(stack)-1]
			wantKey = false
		case ',':
			if len(stack) == 0 {
				return nil, nil
			}
			if top := &stack[len(stack)-1]; top.object {
				wantKey = true
			} else {
				top.index++
			}
		case '"':
			end, escaped := stringEnd(raw, i)
			if end < 0 {
				return nil, nil
			}
			s := raw[i+1 : end]
			if wantKey && len(stack) > 0 {
				key := s
				if escaped {
					var k string
					if err := json.Unmarshal(raw[i:end+1], &k); err != nil {
						return nil, nil
					}
					key = []byte(k)
				}
				top := &stack[len(stack)-1]
				top.key = key
				if top.addKey(key) {
					return fail(scanPath(stack), "duplicate_key", "appears more than once in the object")
				}
				wantKey = false
				if isEntryKey(string(key)) {
					if v := skipSpace(raw, end+1); v < len(raw) && raw[v] == ':' {
						start := skipSpace(raw, v+1)
						if stop := valueEnd(raw, start); stop > start && (len(opaque) == 0 || start >= opaque[len(opaque)-1].end) {
							opaque = append(opaque, span{start, stop})
						}
					}
				}
			}
			if checkUTF8 && !utf8.Valid(s) {
				return fail(scanPath(stack), "utf8", "holds invalid UTF-8")
			}
			i = end
		}
	}
	if checkUTF8 {
		return fail(protocol.RootField, "utf8", "holds invalid UTF-8")
	}
	return opaque, nil
}

// withoutSpans returns a copy of raw with the values in spans replaced by
// null (raw itself when there are none).
func withoutSpans(raw []byte, spans []span) []byte {
	if len(spans) == 0 {
		return raw
	}
	out := make([]byte, 0, len(raw))
	last := 0
	for _, sp := range spans {
		out = append(out, raw[last:sp.start]...)
		out = append(out, "null"...)
		last = sp.end
	}
	return append(out, raw[last:]...)
}

// memberPath names member key of the object at path, as protocol does.
func memberPath(path, key string) string {
	if path == protocol.RootField {
		return protocol.MapField("", key)[1:]
	}
	return protocol.MapField(path, key)
}

// stringEnd returns the index of the quote closing the string that opens
// at raw[start], and whether it holds escapes; -1 when it is unterminated.
func stringEnd(raw []byte, start int) (int, bool) {
	escaped := false
	for j := start + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j, escaped
		}
	}
	return -1, escaped
}

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just after the JSON value starting at
// raw[i] (raw is known to be valid JSON), or -1.
func valueEnd(raw []byte, i int) int {
	if i >= len(raw) {
		return -1
	}
	switch raw[i] {
	case '"':
		end, _ := stringEnd(raw, i)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(raw); j++ {
			switch raw[j] {
			case '"':
				end, _ := stringEnd(raw, j)
				if end < 0 {
					return -1
				}
				j = end
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(raw) && raw[j] != ',' && raw[j] != '}' && raw[j] != ']' && raw[j] != ' ' &&
		raw[j] != '\t' && raw[j] != '\n' && raw[j] != '\r' {
		j++
	}
	return j
}

// members returns the exact bytes of the members of the JSON object raw
// (valid JSON, keys unique) whose keys are among keys, compared exactly.
func members(raw []byte, keys ...string) map[string]json.RawMessage {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil
	}
	var out map[string]json.RawMessage
	i++
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] != '"' {
			return out // '}' or malformed
		}
		end, escaped := stringEnd(raw, i)
		if end < 0 {
			return out
		}
		key := raw[i+1 : end]
		if escaped {
			var k string
			if json.Unmarshal(raw[i:end+1], &k) != nil {
				return out
			}
			key = []byte(k)
		}
		i = skipSpace(raw, end+1)
		if i >= len(raw) || raw[i] != ':' {
			return out
		}
		i = skipSpace(raw, i+1)
		vend := valueEnd(raw, i)
		if vend < 0 {
			return out
		}
		for _, k := range keys {
			if k == string(key) {
				if out == nil {
					out = map[string]json.RawMessage{}
				}
				out[k] = raw[i:vend]
			}
		}
		i = skipSpace(raw, vend)
		if i >= len(raw) || raw[i] != ',' {
			return out
		}
		i++
	}
}
