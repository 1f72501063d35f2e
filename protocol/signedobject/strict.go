package signedobject

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The strict decoder of this package. encoding/json lets through what a
// signed document must not carry: invalid UTF-8 (replaced by U+FFFD),
// duplicate keys (the last one wins, so two parsers can disagree on what was
// signed), unbounded nesting, and member names that differ from a field's
// only in case ("Alg" for "alg"). checkStrict refuses all of these in one
// pass over the bytes, allocating only for keys written with escapes and
// for objects with many members; decodeStrict then hands the document to a
// single json.Unmarshal. It checks what protocol.DecodeStrict checks for the
// shapes of this package, at a fraction of its cost on the verify path.

// maxDepth is how deeply objects and arrays may nest (as
// protocol.MaxJSONDepth).
const maxDepth = 64

// dupMapAt is the member count from which an object's duplicate-key check
// switches from a linear scan to a map (an object of n members costs O(n)
// rather than O(n²)).
const dupMapAt = 16

type valueKind uint8

const (
	kindAny    valueKind = iota // any JSON value (a json.RawMessage)
	kindString                  // a string
	kindNumber                  // a number (its range is json.Unmarshal's to check)
	kindArray                   // an array of elem
	kindStruct                  // an object whose members are exactly fields, each optional
	kindMap                     // an object with any member names and any values
)

// shape is what a position in a document may hold; null is allowed
// everywhere, as encoding/json leaves the field unset.
type shape struct {
	kind   valueKind
	elem   *shape       // kindArray
	fields []fieldShape // kindStruct
}

type fieldShape struct {
	name  string // matched exactly, not case-insensitively
	shape *shape
}

var (
	anyShape    = &shape{kind: kindAny}
	stringShape = &shape{kind: kindString}
	numberShape = &shape{kind: kindNumber}
	// headerShape is a JOSE header: map[string]json.RawMessage.
	headerShape = &shape{kind: kindMap}
	// envelopeShape is rawEnvelope.
	envelopeShape = &shape{kind: kindStruct, fields: []fieldShape{
		{"payload", stringShape},
		{"signatures", &shape{kind: kindArray, elem: &shape{kind: kindStruct, fields: []fieldShape{
			{"protected", stringShape},
			{"header", headerShape},
			{"signature", stringShape},
		}}}},
	}}
	// payloadShape is Payload.
	payloadShape = &shape{kind: kindStruct, fields: []fieldShape{
		{"iss", stringShape},
		{"sub", stringShape},
		{"iat", numberShape},
		{"exp", numberShape},
		{"jti", stringShape},
		{"ver", numberShape},
		{"prev", stringShape},
		{"type", stringShape},
		{"cosigners", &shape{kind: kindArray, elem: stringShape}},
		{"body", anyShape},
	}}
)

// decodeStrict checks data with checkStrict against s, then decodes it into
// v, which must be the Go type s describes.
func decodeStrict(data []byte, s *shape, v any) error {
	if err := checkStrict(data, s); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode JSON: %w", err)
	}
	return nil
}

// checkStrict reports whether data is exactly one JSON value (RFC 8259) of
// shape s, with valid UTF-8 in every string, no key repeated within an
// object (compared after unescaping), objects and arrays nested at most
// maxDepth deep, and no member a struct shape does not name exactly.
func checkStrict(data []byte, s *shape) error {
	sc := scanner{data: data}
	sc.skipSpace()
	return sc.finish(sc.value(s))
}

// scanner walks one document. keys holds the member names of every open
// object, innermost last (slices of data unless the name has escapes).
type scanner struct {
	data  []byte
	pos   int
	depth int
	keys  [][]byte
}

func (sc *scanner) fail(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", sc.pos, fmt.Sprintf(format, args...))
}

func (sc *scanner) skipSpace() {
	for sc.pos < len(sc.data) {
		switch sc.data[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

// value scans one value of shape s starting at sc.pos (no leading space).
func (sc *scanner) value(s *shape) error {
	if sc.pos >= len(sc.data) {
		return sc.fail("unexpected end of JSON input")
	}
	c := sc.data[sc.pos]
	if c == 'n' {
		return sc.literal("null")
	}
	want := func(ok bool, got string) error {
		if ok {
			return nil
		}
		return sc.fail("a JSON %s where %s is expected", got, s.kind)
	}
	switch {
	case c == '{':
		if err := want(s.kind == kindAny || s.kind == kindStruct || s.kind == kindMap, "object"); err != nil {
			return err
		}
		return sc.object(s)
	case c == '[':
		if err := want(s.kind == kindAny || s.kind == kindArray, "array"); err != nil {
			return err
		}
		elem := anyShape
		if s.kind == kindArray {
			elem = s.elem
		}
		return sc.array(elem)
	case c == '"':
		if err := want(s.kind == kindAny || s.kind == kindString, "string"); err != nil {
			return err
		}
		_, _, err := sc.str()
		return err
	case c == 't' || c == 'f':
		if err := want(s.kind == kindAny, "boolean"); err != nil {
			return err
		}
		if c == 't' {
			return sc.literal("true")
		}
		return sc.literal("false")
	case c == '-' || c >= '0' && c <= '9':
		if err := want(s.kind == kindAny || s.kind == kindNumber, "number"); err != nil {
			return err
		}
		return sc.number()
	}
	return sc.fail("invalid character %q looking for a value", c)
}

func (k valueKind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindArray:
		return "an array"
	case kindStruct, kindMap:
		return "an object"
	}
	return "a value"
}

func (sc *scanner) literal(lit string) error {
	if len(sc.data)-sc.pos < len(lit) || string(sc.data[sc.pos:sc.pos+len(lit)]) != lit {
		return sc.fail("invalid literal, want %s", lit)
	}
	sc.pos += len(lit)
	return nil
}

// enter opens an object or array, refusing one nested too deeply.
func (sc *scanner) enter() error {
	if sc.depth >= maxDepth {
		return sc.fail("objects and arrays nest deeper than %d levels", maxDepth)
	}
	sc.depth++
	sc.pos++ // the '{' or '['
	sc.skipSpace()
	return nil
}

func (sc *scanner) array(elem *shape) error {
	return sc.elements(func() error { return sc.value(elem) })
}

// elements scans an array starting at its '['; each must scan one element
// from sc.pos.
func (sc *scanner) elements(each func() error) error {
	if err := sc.enter(); err != nil {
		return err
	}
	if sc.pos < len(sc.data) && sc.data[sc.pos] == ']' {
		sc.pos++
		sc.depth--
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		sc.skipSpace()
		if sc.pos >= len(sc.data) {
			return sc.fail("unexpected end of JSON input in an array")
		}
		switch sc.data[sc.pos] {
		case ',':
			sc.pos++
			sc.skipSpace()
		case ']':
			sc.pos++
			sc.depth--
			return nil
		default:
			return sc.fail("invalid character %q after an array element", sc.data[sc.pos])
		}
	}
}

func (sc *scanner) object(s *shape) error {
	return sc.members(s, func(_ []byte, member *shape) error { return sc.value(member) })
}

// members scans an object of shape s (kindAny, kindStruct or kindMap)
// starting at its '{'. It checks each member name (no duplicates; for a
// struct, one of its fields exactly) and calls each for the member's value,
// which each must scan from sc.pos, of shape member.
func (sc *scanner) members(s *shape, each func(key []byte, member *shape) error) error {
	if err := sc.enter(); err != nil {
		return err
	}
	if sc.pos < len(sc.data) && sc.data[sc.pos] == '}' {
		sc.pos++
		sc.depth--
		return nil
	}
	base := len(sc.keys)
	var seen map[string]struct{} // from dupMapAt members on
	for {
		if sc.pos >= len(sc.data) || sc.data[sc.pos] != '"' {
			return sc.fail("expected a member name")
		}
		keyAt := sc.pos
		key, err := sc.key()
		if err != nil {
			return err
		}
		open := sc.keys[base:]
		if seen == nil {
			for _, k := range open {
				if string(k) == string(key) {
					sc.pos = keyAt
					return sc.fail("duplicate key %q", key)
				}
			}
			if len(open)+1 >= dupMapAt {
				seen = make(map[string]struct{}, 2*dupMapAt)
				for _, k := range open {
					seen[string(k)] = struct{}{}
				}
				seen[string(key)] = struct{}{}
			}
		} else {
			if _, dup := seen[string(key)]; dup {
				sc.pos = keyAt
				return sc.fail("duplicate key %q", key)
			}
			seen[string(key)] = struct{}{}
		}
		sc.keys = append(sc.keys, key)
		member := anyShape
		if s.kind == kindStruct {
			member = nil
			for i := range s.fields {
				if s.fields[i].name == string(key) {
					member = s.fields[i].shape
					break
				}
			}
			if member == nil {
				sc.pos = keyAt
				return sc.fail("unknown member %q (names match exactly)", key)
			}
		}
		sc.skipSpace()
		if sc.pos >= len(sc.data) || sc.data[sc.pos] != ':' {
			return sc.fail("expected ':' after a member name")
		}
		sc.pos++
		sc.skipSpace()
		if err := each(key, member); err != nil {
			return err
		}
		sc.skipSpace()
		if sc.pos >= len(sc.data) {
			return sc.fail("unexpected end of JSON input in an object")
		}
		switch sc.data[sc.pos] {
		case ',':
			sc.pos++
			sc.skipSpace()
		case '}':
			sc.pos++
			sc.depth--
			sc.keys = sc.keys[:base]
			return nil
		default:
			return sc.fail("invalid character %q after an object member", sc.data[sc.pos])
		}
	}
}

// key scans a member name and returns it unescaped: a slice of data when it
// has no escapes, else decoded by encoding/json itself, so that two names
// are the same here exactly when they are the same to json.Unmarshal.
func (sc *scanner) key() ([]byte, error) {
	start := sc.pos
	inner, escaped, err := sc.str()
	if err != nil {
		return nil, err
	}
	if !escaped {
		return inner, nil
	}
	var s string
	if err := json.Unmarshal(sc.data[start:sc.pos], &s); err != nil {
		sc.pos = start
		return nil, sc.fail("member name: %v", err)
	}
	return []byte(s), nil
}

// str scans a string starting at its opening quote and returns the bytes
// between the quotes and whether any escape occurs there.
func (sc *scanner) str() (inner []byte, escaped bool, err error) {
	d := sc.data
	start := sc.pos + 1
	i := start
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			sc.pos = i + 1
			return d[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				i++
				continue
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					sc.pos = i
					return nil, false, sc.fail("invalid \\u escape in a string")
				}
				i += 6
			default:
				sc.pos = i
				return nil, false, sc.fail("invalid escape %q in a string", d[i+1])
			}
		case c < 0x20:
			sc.pos = i
			return nil, false, sc.fail("control character %#x in a string", c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n == 1 {
				sc.pos = i
				return nil, false, sc.fail("invalid UTF-8 in a string")
			}
			i += n
		}
	}
	sc.pos = len(d)
	return nil, false, sc.fail("unexpected end of JSON input in a string")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (sc *scanner) number() error {
	d := sc.data
	i := sc.pos
	if d[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		sc.pos = i
		return sc.fail("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			sc.pos = i
			return sc.fail("invalid number: no digit after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			sc.pos = i
			return sc.fail("invalid number: no digit in the exponent")
		}
	}
	sc.pos = i
	return nil
}
