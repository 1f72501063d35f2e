package strictjson

import (
	"fmt"
	"io"
	"math"
	"strconv"
)

// dupMapAt is the member count from which an object's duplicate-key check
// switches from a linear scan of the names to a map (an object of n
// members costs O(n) rather than O(n²)). The members of a struct shape are
// checked with a bit per field instead, without allocating.
const dupMapAt = 16

// scanner walks one document once, checking every rule as it goes.
// Paths are built only for a failure.
type scanner struct {
	data     []byte
	pos      int
	depth    int
	maxDepth int
	keys     [][]byte // the names of the members of every open object, innermost last
	path     []pathStep
	onMember func(key []byte, start, end int)
	ignore   bool // Options.IgnoreUnknown
	blank    bool // record the names of the members ignored (Decode)
	blanks   [][2]int
	all      bool     // CheckAll: go on past the rules that leave the document readable
	found    []*Error // all: the byte rules broken, in document order
	shaped   []*Error // all: the shape rules broken
	badUTF8  map[string]bool
}

// pathStep is one open container: the member or element being read.
type pathStep struct {
	key   []byte
	index int
	obj   bool
}

func (sc *scanner) steps() []step {
	out := make([]step, len(sc.path))
	for i, p := range sc.path {
		out[i] = step{obj: p.obj, index: p.index}
		if p.obj {
			out[i].key = string(p.key) // unescaped, invalid UTF-8 replaced (see key)
		}
	}
	return out
}

// errAt makes the error of rule at offset, for the value being read.
func (sc *scanner) errAt(rule Rule, offset int, format string, args ...any) *Error {
	steps := sc.steps()
	return &Error{Rule: rule, Offset: offset, Path: pathOf(steps), Detail: fmt.Sprintf(format, args...), segs: steps}
}

// syntax is a Syntax error at sc.pos; at the end of the input it wraps
// io.ErrUnexpectedEOF.
func (sc *scanner) syntax(format string, args ...any) *Error {
	e := sc.errAt(Syntax, sc.pos, format, args...)
	if sc.pos >= len(sc.data) {
		e.err = io.ErrUnexpectedEOF
	}
	return e
}

// broken handles a rule the document breaks at offset: in all mode it is
// recorded (InvalidUTF8 once per path) and scanning goes on; otherwise it
// is the error.
func (sc *scanner) broken(rule Rule, offset int, format string, args ...any) *Error {
	return sc.record(sc.errAt(rule, offset, format, args...))
}

// record returns e, or records it (all mode) and returns nil.
func (sc *scanner) record(e *Error) *Error {
	if !sc.all {
		return e
	}
	switch {
	case e.Rule == InvalidUTF8:
		if sc.badUTF8 == nil {
			sc.badUTF8 = map[string]bool{}
		}
		if !sc.badUTF8[e.Path] {
			sc.badUTF8[e.Path] = true
			sc.found = append(sc.found, e)
		}
	case e.Rule.Byte():
		sc.found = append(sc.found, e)
	default:
		sc.shaped = append(sc.shaped, e)
	}
	return nil
}

// typeError handles a WrongType failure at offset of a place of shape s.
func (sc *scanner) typeError(s *Shape, offset int, format string, args ...any) *Error {
	e := sc.errAt(WrongType, offset, format, args...)
	e.Want = s.want()
	return sc.record(e)
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

// run scans the whole document as one value of shape s.
func (sc *scanner) run(s *Shape) *Error {
	sc.skipSpace()
	if err := sc.value(s); err != nil {
		return err
	}
	sc.skipSpace()
	if sc.pos != len(sc.data) {
		return sc.errAt(TrailingData, sc.pos, "data after the top-level value")
	}
	return nil
}

// value scans one value of shape s starting at sc.pos (no leading space).
func (sc *scanner) value(s *Shape) *Error {
	if sc.pos >= len(sc.data) {
		return sc.syntax("unexpected end of JSON input")
	}
	c := sc.data[sc.pos]
	switch {
	case c == '"':
		if s.kind != kindAny && s.kind != kindString && !s.text {
			if err := sc.wrongType(s, "string"); err != nil {
				return err
			}
		}
		return sc.stringValue()
	case c == '{':
		switch s.kind {
		case kindAny, kindMap, kindStruct:
			return sc.object(s)
		}
		if err := sc.wrongType(s, "object"); err != nil {
			return err
		}
		return sc.object(Any)
	case c == '[':
		if s.kind == kindAny {
			return sc.array(Any)
		}
		if s.kind == kindArray {
			return sc.array(s)
		}
		if err := sc.wrongType(s, "array"); err != nil {
			return err
		}
		return sc.array(Any)
	case c == 't' || c == 'f':
		if s.kind != kindAny && s.kind != kindBool {
			if err := sc.wrongType(s, "boolean"); err != nil {
				return err
			}
		}
		if c == 't' {
			return sc.literal("true")
		}
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		start := sc.pos
		if err := sc.number(); err != nil {
			return err
		}
		switch s.kind {
		case kindAny:
			return nil
		case kindInt, kindUint, kindFloat:
			return sc.numberFits(s, sc.data[start:sc.pos], start)
		}
		sc.pos = start
		if err := sc.wrongType(s, "number"); err != nil {
			return err
		}
		return sc.number()
	}
	return sc.syntax("invalid character %q looking for a value", c)
}

// wrongType is the WrongType failure of a value of JSON type got where s
// is expected (nil in all mode: recorded).
func (sc *scanner) wrongType(s *Shape, got string) *Error {
	if s.kind == kindInvalid {
		return sc.typeError(s, sc.pos, "cannot be decoded into %s", s.goType)
	}
	return sc.typeError(s, sc.pos, "must be a JSON %s, not %s", s.want(), got)
}

// numberFits checks a number token against the range of s.
func (sc *scanner) numberFits(s *Shape, tok []byte, at int) *Error {
	switch s.kind {
	case kindInt, kindUint:
		if !fitsInt(tok, s.bits, s.kind == kindInt) {
			return sc.typeError(s, at, "must be a JSON %s (%d bits)", s.want(), s.bits)
		}
	case kindFloat:
		if f, err := strconv.ParseFloat(string(tok), s.bits); err != nil || math.IsInf(f, 0) {
			return sc.typeError(s, at, "must be a JSON %s (%d bits)", s.want(), s.bits)
		}
	}
	return nil
}

// fitsInt reports whether the JSON number tok is an integer (no fraction,
// no exponent) of the range of a signed or unsigned integer of bits bits,
// as strconv.ParseInt and ParseUint judge it.
func fitsInt(tok []byte, bits int, signed bool) bool {
	neg := tok[0] == '-'
	if neg {
		if !signed {
			return false
		}
		tok = tok[1:]
	}
	if len(tok) > 20 {
		return false
	}
	var n uint64
	for _, c := range tok {
		if c < '0' || c > '9' {
			return false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return false
		}
		n = n*10 + d
	}
	if !signed {
		return bits == 64 || n < 1<<bits
	}
	limit := uint64(1) << (bits - 1)
	if neg {
		return n <= limit
	}
	return n < limit
}

func (sc *scanner) literal(lit string) *Error {
	if len(sc.data)-sc.pos < len(lit) || string(sc.data[sc.pos:sc.pos+len(lit)]) != lit {
		return sc.syntax("invalid literal, want %s", lit)
	}
	sc.pos += len(lit)
	return nil
}

// enter opens an object or array, refusing one nested too deeply.
func (sc *scanner) enter(obj bool) *Error {
	if sc.depth >= sc.maxDepth {
		e := sc.errAt(TooDeep, sc.pos, "nests deeper than %d levels", sc.maxDepth)
		if sc.all {
			sc.found = append(sc.found, e)
		}
		return e // the scan stops: nothing deeper is read
	}
	sc.depth++
	sc.path = append(sc.path, pathStep{obj: obj})
	sc.pos++ // the '{' or '['
	sc.skipSpace()
	return nil
}

func (sc *scanner) leave() {
	sc.depth--
	sc.path = sc.path[:len(sc.path)-1]
}

// array scans an array starting at its '['; s is kindArray or Any.
func (sc *scanner) array(s *Shape) *Error {
	if err := sc.enter(false); err != nil {
		return err
	}
	elem := Any
	if s.kind == kindArray {
		elem = s.elem
	}
	top := len(sc.path) - 1
	if sc.pos < len(sc.data) && sc.data[sc.pos] == ']' {
		sc.pos++
		sc.leave()
		return nil
	}
	for i := 0; ; i++ {
		sc.path[top].index = i
		if i == s.length && s.kind == kindArray {
			sc.path = sc.path[:top]
			err := sc.typeError(s, sc.pos, "must be a JSON %s of at most %d items", s.want(), s.length)
			sc.path = sc.path[:top+1]
			if err != nil {
				return err
			}
		}
		if err := sc.value(elem); err != nil {
			return err
		}
		sc.skipSpace()
		if sc.pos >= len(sc.data) {
			return sc.syntax("unexpected end of JSON input in an array")
		}
		switch sc.data[sc.pos] {
		case ',':
			sc.pos++
			sc.skipSpace()
		case ']':
			sc.pos++
			sc.leave()
			return nil
		default:
			return sc.syntax("invalid character %q after an array element", sc.data[sc.pos])
		}
	}
}

// object scans an object starting at its '{'; s is kindStruct, kindMap or
// Any. Each member name is checked (no duplicates; for a struct, one of
// its fields exactly, unless unknown members are ignored), then its value
// against the field's or the map's shape.
func (sc *scanner) object(s *Shape) *Error {
	if err := sc.enter(true); err != nil {
		return err
	}
	if sc.pos < len(sc.data) && sc.data[sc.pos] == '}' {
		sc.pos++
		sc.leave()
		return nil
	}
	top := len(sc.path) - 1
	base := len(sc.keys)
	var seen map[string]struct{} // from dupMapAt names on
	var fieldSeen uint64         // struct fields, for structs of at most 64
	var fieldSeenMore []uint64   // for larger ones
	if s.kind == kindStruct && len(s.fields) > 64 {
		fieldSeenMore = make([]uint64, (len(s.fields)+63)/64)
	}
	for {
		if sc.pos >= len(sc.data) || sc.data[sc.pos] != '"' {
			return sc.syntax("expected a member name")
		}
		keyAt := sc.pos
		key, err := sc.key()
		if err != nil {
			return err
		}
		sc.path[top].key = key
		member := Any
		byName := true // checked for duplicates by name (else by field)
		if s.kind == kindStruct {
			if i := s.field(key); i >= 0 {
				member, byName = s.fields[i].shape, false
				dup := false
				if fieldSeenMore == nil {
					dup = fieldSeen&(1<<i) != 0
					fieldSeen |= 1 << i
				} else {
					dup = fieldSeenMore[i/64]&(1<<(i%64)) != 0
					fieldSeenMore[i/64] |= 1 << (i % 64)
				}
				if dup {
					if err := sc.broken(DuplicateKey, keyAt, "appears more than once in the object"); err != nil {
						return err
					}
				}
			} else if sc.ignore {
				if sc.blank {
					sc.blanks = append(sc.blanks, [2]int{keyAt, sc.pos})
				}
			} else if err := sc.broken(UnknownMember, keyAt, "is not a field of this object"); err != nil {
				return err
			}
		} else if s.kind == kindMap {
			member = s.elem
		}
		if byName {
			open := sc.keys[base:]
			dup := false
			if seen == nil {
				for _, k := range open {
					if string(k) == string(key) {
						dup = true
						break
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
				_, dup = seen[string(key)]
				seen[string(key)] = struct{}{}
			}
			if dup {
				if err := sc.broken(DuplicateKey, keyAt, "appears more than once in the object"); err != nil {
					return err
				}
			}
			sc.keys = append(sc.keys, key)
		}
		sc.skipSpace()
		if sc.pos >= len(sc.data) || sc.data[sc.pos] != ':' {
			return sc.syntax("expected ':' after a member name")
		}
		sc.pos++
		sc.skipSpace()
		valueAt := sc.pos
		if err := sc.value(member); err != nil {
			return err
		}
		if sc.onMember != nil {
			sc.onMember(key, valueAt, sc.pos)
		}
		sc.skipSpace()
		if sc.pos >= len(sc.data) {
			return sc.syntax("unexpected end of JSON input in an object")
		}
		switch sc.data[sc.pos] {
		case ',':
			sc.pos++
			sc.skipSpace()
		case '}':
			sc.pos++
			sc.keys = sc.keys[:base]
			sc.leave()
			return nil
		default:
			return sc.syntax("invalid character %q after an object member", sc.data[sc.pos])
		}
	}
}
