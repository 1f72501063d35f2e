package strictjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode"
)

// A Shape is what a document, or a place in one, may hold: the JSON view
// of a Go type as encoding/json decodes into it. null fits every shape (it
// leaves a field unset).
type Shape struct {
	kind   kind
	text   bool   // a string fits too (an encoding.TextUnmarshaler)
	bits   int    // kindInt, kindUint, kindFloat
	length int    // kindArray: the most elements (a Go array), or -1
	elem   *Shape // kindArray, kindMap
	fields []field
	index  map[string]int // fields by name, for structs of many fields
	goType string         // kindInvalid: the Go type, for the message
}

type field struct {
	name  string // the JSON name, matched exactly
	shape *Shape
}

type kind uint8

const (
	kindAny     kind = iota // any JSON value: json.RawMessage, interfaces, json.Unmarshaler
	kindString              // a string (also []byte, as base64)
	kindBool                // true or false
	kindInt                 // an integer that fits bits
	kindUint                // a non-negative integer that fits bits
	kindFloat               // a number that fits bits
	kindArray               // an array of elem
	kindMap                 // an object of any members whose values are elem
	kindStruct              // an object whose members are fields
	kindInvalid             // nothing but null (a channel, a function, ...)
)

// Any takes any JSON value.
var Any = &Shape{kind: kindAny}

// want says what a place of shape s takes, for messages and Error.Want:
// "string", "integer in range", "array of strings", "object", ...
func (s *Shape) want() string {
	switch s.kind {
	case kindString:
		return "string"
	case kindBool:
		return "boolean"
	case kindInt:
		return "integer in range"
	case kindUint:
		return "non-negative integer in range"
	case kindFloat:
		return "number in range"
	case kindArray:
		return "array of " + s.elem.plural()
	case kindMap, kindStruct:
		return "object"
	case kindInvalid:
		return "null (" + s.goType + ")"
	}
	return "value"
}

// plural names the values of shape s, for the array that holds them.
func (s *Shape) plural() string {
	switch s.kind {
	case kindString:
		return "strings"
	case kindBool:
		return "booleans"
	case kindInt, kindUint:
		return "integers"
	case kindFloat:
		return "numbers"
	case kindArray:
		return "arrays"
	case kindMap, kindStruct:
		return "objects"
	}
	return "values"
}

// field returns the index of the field named key, or -1.
func (s *Shape) field(key []byte) int {
	if s.index != nil {
		if i, ok := s.index[string(key)]; ok {
			return i
		}
		return -1
	}
	for i := range s.fields {
		if s.fields[i].name == string(key) {
			return i
		}
	}
	return -1
}

var (
	shapes   sync.Map // reflect.Type → *Shape
	shapesMu sync.Mutex

	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	rawMessageType      = reflect.TypeFor[json.RawMessage]()
)

// ShapeOf returns the shape of t as encoding/json decodes into it: a
// struct takes the members its exported fields name (tag names, else Go
// names; embedded structs' fields promoted; "-" skipped), matched exactly;
// a map any members; a slice or array its elements ([]byte a base64
// string); numbers their Go range; json.RawMessage, interfaces and
// json.Unmarshaler implementations anything; an encoding.TextUnmarshaler
// a string as well. Shapes are made once per type.
func ShapeOf(t reflect.Type) *Shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*Shape)
	}
	shapesMu.Lock()
	defer shapesMu.Unlock()
	building := map[reflect.Type]*Shape{}
	s := build(t, building)
	for bt, bs := range building {
		shapes.LoadOrStore(bt, bs)
	}
	return s
}

// build makes the shape of t; building holds the shapes begun in this call
// (a recursive type meets its own shape there).
func build(t reflect.Type, building map[reflect.Type]*Shape) *Shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*Shape)
	}
	if s, ok := building[t]; ok {
		return s
	}
	if t == rawMessageType || t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return Any // the type decodes itself
	}
	if t.Kind() == reflect.Pointer {
		return build(t.Elem(), building) // a pointer holds what its element does
	}
	s := &Shape{length: -1}
	building[t] = s
	s.text = t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)
	switch t.Kind() {
	case reflect.Interface:
		s.kind = kindAny
	case reflect.String:
		s.kind = kindString
	case reflect.Bool:
		s.kind = kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.kind, s.bits = kindInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s.kind, s.bits = kindUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		s.kind, s.bits = kindFloat, t.Bits()
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s.kind = kindString // []byte travels as base64
			break
		}
		s.kind, s.elem = kindArray, build(t.Elem(), building)
	case reflect.Array:
		s.kind, s.length, s.elem = kindArray, t.Len(), build(t.Elem(), building)
	case reflect.Map:
		s.kind, s.elem = kindMap, build(t.Elem(), building)
	case reflect.Struct:
		s.kind = kindStruct
		for name, ft := range structFields(t) {
			s.fields = append(s.fields, field{name: name, shape: build(ft, building)})
		}
		if len(s.fields) > 8 {
			s.index = make(map[string]int, len(s.fields))
			for i, f := range s.fields {
				s.index[f.name] = i
			}
		}
	default:
		s.kind, s.goType = kindInvalid, t.String()
	}
	return s
}

// structFields maps the JSON names of t's fields to their types, with the
// fields of embedded structs promoted (a name already taken is not).
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range structFields(et) {
					if _, taken := out[k]; !taken {
						out[k] = v
					}
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if !validTag(name) {
			name = sf.Name
		}
		out[name] = ft
	}
	return out
}

// validTag reports whether encoding/json takes a tag's name as the field's
// JSON name (else it takes the Go name).
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}
