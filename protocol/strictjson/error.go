package strictjson

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule names what a refused document breaks.
type Rule uint8

const (
	// Syntax: not JSON (RFC 8259): a bad token, a missing comma or colon,
	// input that ends inside a value, ...
	Syntax Rule = iota + 1
	// TrailingData: anything but white space after the top-level value.
	TrailingData
	// DuplicateKey: a member name repeated in one object, compared after
	// unescaping (so that no two readers can take different values).
	DuplicateKey
	// InvalidUTF8: a string (a member name or a value) that is not UTF-8
	// (encoding/json would silently replace it with U+FFFD).
	InvalidUTF8
	// TooDeep: objects and arrays nested deeper than Options.MaxDepth.
	TooDeep
	// TooLarge: a document longer than Options.MaxBytes.
	TooLarge
	// UnknownMember: a member the struct at its place does not name,
	// exactly (encoding/json would match "ISS" to the field "iss").
	UnknownMember
	// WrongType: a value of another JSON type than its place takes, or a
	// number out of its field's range.
	WrongType
)

var ruleNames = [...]string{
	Syntax: "syntax", TrailingData: "trailing-data", DuplicateKey: "duplicate-key", InvalidUTF8: "invalid-utf8",
	TooDeep: "too-deep", TooLarge: "too-large", UnknownMember: "unknown-member", WrongType: "wrong-type",
}

func (r Rule) String() string {
	if int(r) < len(ruleNames) && ruleNames[r] != "" {
		return ruleNames[r]
	}
	return "rule(" + strconv.Itoa(int(r)) + ")"
}

// Byte reports whether r is a rule of the bytes (InvalidUTF8,
// DuplicateKey, TooDeep), which hold whatever the target type: the
// document cannot be read the same way by every reader.
func (r Rule) Byte() bool { return r == InvalidUTF8 || r == DuplicateKey || r == TooDeep }

// Fatal reports whether r leaves nothing to read: Syntax, TrailingData and
// TooLarge.
func (r Rule) Fatal() bool { return r == Syntax || r == TrailingData || r == TooLarge }

// Error is the one error of the decoder: the rule broken, where, and what
// is wrong. Callers wrap it with their own sentinel (signedobject.ErrMalformed,
// entity.ErrMalformed, protocol.ErrMalformedJSON, ...) or turn it into a
// field failure (protocol.JSONError).
type Error struct {
	Rule Rule
	// Offset is the byte offset in the document where the rule broke.
	Offset int
	// Path is the JSON path of the value concerned, as protocol names
	// fields: "$" for the document itself, then "title", "name.en",
	// "phases[1].objectives[0]", `tags["not a name"]`.
	Path string
	// Detail says what is wrong, for people ("appears more than once in the
	// object", "invalid escape 'x' in a string").
	Detail string
	// Want says, for a WrongType, what the place takes: "string",
	// "integer in range", "array of strings", "object", ...
	Want string

	err  error  // io.ErrUnexpectedEOF, or what encoding/json refused
	segs []step // Path's parts, to sort CheckAll's findings
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%s, offset %d)", e.Path, e.Detail, e.Rule, e.Offset)
}

// Unwrap returns io.ErrUnexpectedEOF for a document that ends inside a
// value, or the error of a decoding method (json.Unmarshaler, ...) that
// Decode met, or nil.
func (e *Error) Unwrap() error { return e.err }

// Root is the Path of a failure that concerns the whole document.
const Root = "$"

// step is one part of a path: a member name (in an object) or an index
// (in an array).
type step struct {
	key   string
	index int
	obj   bool
}

// pathOf renders steps as protocol's field paths.
func pathOf(steps []step) string {
	if len(steps) == 0 {
		return Root
	}
	var b strings.Builder
	b.WriteString(Root)
	for _, s := range steps {
		if !s.obj {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		plain := s.key != ""
		for i := 0; i < len(s.key) && plain; i++ {
			c := s.key[i]
			plain = c >= '0' && c <= '9' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c == '_' || c == '-'
		}
		if plain {
			b.WriteByte('.')
			b.WriteString(s.key)
		} else {
			b.WriteByte('[')
			b.WriteString(strconv.Quote(s.key))
			b.WriteByte(']')
		}
	}
	p := b.String()
	// A member of the document is named without the root: "title", not
	// "$.title" (an element keeps it: "$[2]").
	if strings.HasPrefix(p, "$.") {
		return p[2:]
	}
	if strings.HasPrefix(p, `$["`) {
		return p[1:]
	}
	return p
}

// less orders two findings as a walk that visits members in name order
// and elements in index order, a container before what it holds.
func less(a, b *Error) int {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		x, y := a.segs[i], b.segs[i]
		if x.obj && y.obj {
			if c := strings.Compare(x.key, y.key); c != 0 {
				return c
			}
		} else if x.index != y.index {
			if x.index < y.index {
				return -1
			}
			return 1
		}
	}
	return len(a.segs) - len(b.segs)
}
