// Package strictjson is the node's one strict JSON decoder: every parser
// of input from outside (protocol.DecodeStrict and DecodeEntity, the
// INTERLINK importers, the ActivityPub parsers, signed objects and their
// headers, entity statements) checks its bytes here, in one pass, before
// anything is decoded.
//
// encoding/json lets through what a document that may be signed, stored
// and read again by other software must not carry: invalid UTF-8
// (replaced by U+FFFD), duplicate member names (the last one wins, so two
// parsers can disagree on what was said or signed), unbounded nesting,
// member names that differ from a field's only in case ("ISS" for "iss"),
// and members no field takes (dropped). The rules, each a Rule of the one
// Error type with the JSON path and byte offset of the failure: Syntax
// (RFC 8259, strictly), TrailingData, DuplicateKey (names compared after
// unescaping), InvalidUTF8, TooDeep and TooLarge (per caller: Options),
// UnknownMember (exact names; Options.IgnoreUnknown skips them instead)
// and WrongType (the JSON type and Go range of each field), judged against
// the Shape of the target Go type.
//
// Check and CheckAll only check; Decode and DecodeAll check and then
// decode as encoding/json would, in one more walk over the checked bytes
// (decode.go); Members, Elements and String read parts of a checked
// document without decoding the rest (the verify path reads a JWS
// envelope that way, mostly one long base64url string). The scan reads
// strings eight bytes at a time and allocates only for member names with
// escapes and for objects of many members: it is on the path of every
// object a node receives.
//
// The package stands under protocol/ but apart from its root and from
// protocol/jose: protocol imports it, and its rules are not JOSE's (the
// catalogue and ActivityPub parsers use them too). It imports nothing of
// the node.
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// DefaultMaxDepth is how deeply objects and arrays may nest when
// Options.MaxDepth is zero.
const DefaultMaxDepth = 64

// Options are a caller's limits and choices; the zero value applies the
// defaults (no size cap, DefaultMaxDepth, unknown members refused).
type Options struct {
	// MaxBytes caps the document's length (TooLarge); 0: no cap.
	MaxBytes int
	// MaxDepth is how deeply objects and arrays may nest (TooDeep); 0:
	// DefaultMaxDepth.
	MaxDepth int
	// IgnoreUnknown skips the members a struct does not name instead of
	// refusing them (their bytes are still checked); Decode then leaves
	// them out, so that none fills a field whose name it matches only
	// case-insensitively.
	IgnoreUnknown bool
	// OnMember, when set, is called with the name (unescaped) of every
	// member at every depth and where its value lies, data[start:end],
	// once the value has been checked (for a caller that wants some
	// members' values without another pass). An object's members are
	// reported before the member that holds it.
	OnMember func(key []byte, start, end int)
}

func (o *Options) scanner(data []byte) scanner {
	sc := scanner{data: data, maxDepth: o.MaxDepth, ignore: o.IgnoreUnknown, onMember: o.OnMember}
	if sc.maxDepth <= 0 {
		sc.maxDepth = DefaultMaxDepth
	}
	return sc
}

func (o *Options) tooLarge(data []byte) *Error {
	if o.MaxBytes > 0 && len(data) > o.MaxBytes {
		return &Error{Rule: TooLarge, Offset: o.MaxBytes, Path: Root,
			Detail: fmt.Sprintf("the document has %d bytes, more than %d", len(data), o.MaxBytes)}
	}
	return nil
}

// Check reports whether data is exactly one JSON value of shape s within
// the limits of o: nil, or the *Error of the first rule broken.
func Check(data []byte, s *Shape, o Options) error {
	if e := o.tooLarge(data); e != nil {
		return e
	}
	sc := o.scanner(data)
	if e := sc.run(s); e != nil {
		return e
	}
	return nil
}

// CheckAll checks data as Check does but goes on past the rules that
// leave the document readable, and returns every failure (nil when there
// is none), for error messages that name each field at once:
//   - a Syntax, TrailingData or TooLarge error alone: nothing else is
//     judged on bytes that are not one JSON value;
//   - else the byte rules broken (InvalidUTF8 once per path, DuplicateKey,
//     and TooDeep last: nothing deeper is read), in document order;
//   - else the shape rules broken (UnknownMember, WrongType), in the order
//     of a walk that takes members by name and elements by index, so that
//     the list does not depend on how the sender ordered its members.
func CheckAll(data []byte, s *Shape, o Options) []*Error {
	if e := o.tooLarge(data); e != nil {
		return []*Error{e}
	}
	sc := o.scanner(data)
	sc.all = true
	if e := sc.run(s); e != nil && e.Rule.Fatal() {
		return []*Error{e}
	}
	if len(sc.found) > 0 {
		return sc.found
	}
	slices.SortStableFunc(sc.shaped, less)
	return sc.shaped
}

// Decode checks data against the shape of v's type (ShapeOf) within the
// limits of o, then decodes it into v, a non-nil pointer, as encoding/json
// would. A null document leaves v as it is. Its errors are *Error; a value
// that encoding/json or a type's own decoding method still refuses (a bad
// base64 []byte, a json.Unmarshaler's error) is a WrongType that wraps
// that error.
func Decode(data []byte, v any, o Options) error {
	if errs := decode(data, v, o, false); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// DecodeAll is Decode that reports every failure, as CheckAll does; v is
// decoded only when there is none.
func DecodeAll(data []byte, v any, o Options) []*Error {
	return decode(data, v, o, true)
}

func decode(data []byte, v any, o Options, all bool) []*Error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return []*Error{{Rule: WrongType, Path: Root, Detail: fmt.Sprintf("the target is %T, not a non-nil pointer", v)}}
	}
	if e := o.tooLarge(data); e != nil {
		return []*Error{e}
	}
	sc := o.scanner(data)
	sc.blank = o.IgnoreUnknown
	sc.all = all
	t := rv.Type().Elem()
	if e := sc.run(ShapeOf(t)); e != nil && (!all || e.Rule.Fatal()) {
		return []*Error{e}
	}
	if len(sc.found) > 0 {
		return sc.found
	}
	if len(sc.shaped) > 0 {
		slices.SortStableFunc(sc.shaped, less)
		return sc.shaped
	}
	if len(sc.blanks) > 0 {
		data = blankNames(data, sc.blanks)
	}
	start, end := skipSpace(data, 0), len(data)
	for end > start && (data[end-1] == ' ' || data[end-1] == '\t' || data[end-1] == '\n' || data[end-1] == '\r') {
		end--
	}
	if err := fill(data[start:end], rv.Elem(), planOf(t)); err != nil {
		return []*Error{unmarshalError(err)}
	}
	return nil
}

// blankNames returns a copy of data with the member names at spans
// replaced by "": no field has the empty name, so encoding/json skips
// those members, whatever their names' case.
func blankNames(data []byte, spans [][2]int) []byte {
	out := make([]byte, 0, len(data))
	last := 0
	for _, sp := range spans {
		out = append(out, data[last:sp[0]]...)
		out = append(out, `""`...)
		last = sp[1]
	}
	return append(out, data[last:]...)
}

// unmarshalError is the *Error of what a value's own decoding (by
// encoding/json, a json.Unmarshaler, ...) refused in a checked document.
func unmarshalError(err error) *Error {
	e := &Error{Rule: WrongType, Path: Root, Detail: err.Error(), err: err}
	if fe, ok := err.(*fillError); ok {
		e.err = fe.err
		for i := len(fe.rev) - 1; i >= 0; i-- {
			e.segs = append(e.segs, fe.rev[i])
		}
		e.Path = pathOf(e.segs)
	}
	var te *json.UnmarshalTypeError
	if errors.As(e.err, &te) {
		e.Offset = int(te.Offset)
		e.Detail = "must not be a JSON " + te.Value
		if te.Field != "" {
			if e.Path == Root {
				e.Path = te.Field
			} else {
				e.Path += "." + te.Field
			}
		}
	}
	return e
}
