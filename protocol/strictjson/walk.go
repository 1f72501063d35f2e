package strictjson

import (
	"bytes"
	"encoding/json"
	"iter"
)

// Members yields the members of the JSON object data, in document order:
// each name (unescaped) and the exact bytes of its value. data should
// have passed Check: on anything else Members yields nothing, or stops
// where the bytes stop making sense, without panicking.
func Members(data []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(key, value []byte) bool) {
		i := skipSpace(data, 0)
		if i >= len(data) || data[i] != '{' {
			return
		}
		i = skipSpace(data, i+1)
		for i < len(data) && data[i] == '"' {
			end, escaped := stringEnd(data, i)
			if end < 0 {
				return
			}
			key := data[i+1 : end]
			if escaped {
				var k string
				if json.Unmarshal(data[i:end+1], &k) != nil {
					return
				}
				key = []byte(k)
			}
			i = skipSpace(data, end+1)
			if i >= len(data) || data[i] != ':' {
				return
			}
			i = skipSpace(data, i+1)
			vend := valueEnd(data, i)
			if vend < 0 || !yield(key, data[i:vend:vend]) {
				return
			}
			i = skipSpace(data, vend)
			if i >= len(data) || data[i] != ',' {
				return
			}
			i = skipSpace(data, i+1)
		}
	}
}

// Elements yields the exact bytes of each element of the JSON array data,
// in order; as Members, for a checked document.
func Elements(data []byte) iter.Seq[[]byte] {
	return func(yield func(value []byte) bool) {
		i := skipSpace(data, 0)
		if i >= len(data) || data[i] != '[' {
			return
		}
		i = skipSpace(data, i+1)
		for i < len(data) && data[i] != ']' {
			vend := valueEnd(data, i)
			if vend < 0 || !yield(data[i:vend:vend]) {
				return
			}
			i = skipSpace(data, vend)
			if i >= len(data) || data[i] != ',' {
				return
			}
			i = skipSpace(data, i+1)
		}
	}
}

// String returns the value of the JSON string v (a checked one), and false
// for any other value.
func String(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// IsNull reports whether v is the JSON literal null (around white space).
func IsNull(v []byte) bool {
	i := skipSpace(v, 0)
	return len(v)-i >= 4 && string(v[i:i+4]) == "null" && skipSpace(v, i+4) == len(v)
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote that closes the string opening
// at d[start], and whether an escape occurs in it; -1 when none does.
func stringEnd(d []byte, start int) (int, bool) {
	escaped := false
	i := start + 1
	for {
		q := bytes.IndexByte(d[i:], '"')
		if q < 0 {
			return -1, escaped
		}
		j := i + q
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for k := j - 1; k > start && d[k] == '\\'; k-- {
			n++
		}
		if !escaped && bytes.IndexByte(d[i:j], '\\') >= 0 {
			escaped = true
		}
		if n%2 == 0 {
			return j, escaped
		}
		i = j + 1
	}
}

// valueEnd returns the index just after the value that starts at d[i], or
// -1 when it does not end.
func valueEnd(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		end, _ := stringEnd(d, i)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				end, _ := stringEnd(d, j)
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
	for j < len(d) && d[j] != ',' && d[j] != '}' && d[j] != ']' && d[j] != ' ' &&
		d[j] != '\t' && d[j] != '\n' && d[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
