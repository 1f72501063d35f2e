package protocol

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxJSONDepth is how deeply objects and arrays may nest in a document the
// strict decoder accepts.
const MaxJSONDepth = 64

// RootField is the Field of a failure that concerns the whole document.
const RootField = "$"

// ErrMalformedJSON is wrapped by the errors DecodeStrict and DecodeEntity
// return for input that is not one JSON value (beside the underlying
// *json.SyntaxError or io.ErrUnexpectedEOF, when there is one).
var ErrMalformedJSON = errors.New("malformed JSON")

// DecodeStrict decodes the JSON document raw into v (a pointer) and refuses
// what encoding/json lets through. It returns:
//   - an error wrapping ErrMalformedJSON when raw is not one JSON value;
//   - a *ValidationError naming every failure with its JSON path: invalid
//     UTF-8 ("utf8"), a key repeated in one object ("duplicate_key"), objects
//     or arrays nested deeper than MaxJSONDepth ("depth"), a member the
//     target type does not have — names match exactly, not case-insensitively
//     ("unknown_field"), and a value of the wrong JSON type or out of range
//     for its field ("type");
//   - nil when v holds the document.
//
// null is accepted for any field and leaves it unset, as in encoding/json
// (a json.RawMessage field keeps the literal null). DecodeStrict does not
// validate the decoded value.
func DecodeStrict(raw []byte, v any) error {
	ve := &ValidationError{}
	doc, err := scanJSON(raw, ve)
	if err != nil {
		return err
	}
	if len(ve.Errors) > 0 {
		return ve
	}
	return decodeChecked(raw, doc, v, ve)
}

// decodeChecked finishes DecodeStrict once raw has been scanned into doc
// without failures.
func decodeChecked(raw []byte, doc, v any, ve *ValidationError) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("protocol: decode strict: target is %T, not a non-nil pointer", v)
	}
	sc := shapeChecker{ve: ve, fields: map[reflect.Type]map[string]reflect.Type{}}
	sc.walk(RootField, doc, rv.Type().Elem())
	if len(ve.Errors) > 0 {
		return ve
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// The checks above should have caught everything encoding/json
		// refuses; map what is left all the same.
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = RootField
			}
			ve.Add(field, "type", "must not be a JSON %s", te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			if uerr != nil {
				name = RootField
			}
			ve.Add(name, "unknown_field", "is not a field of this type")
		default:
			return fmt.Errorf("protocol: decode JSON: %w", err)
		}
		return ve
	}
	return nil
}

// scanJSON reads raw token by token and returns the document as generic
// values (numbers as json.Number). It records invalid UTF-8, duplicate keys
// and excessive depth in ve with their paths, and returns a wrapped
// *json.SyntaxError for input that is not one JSON value.
func scanJSON(raw []byte, ve *ValidationError) (any, error) {
	checkUTF8 := !utf8.Valid(raw)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()

	type frame struct {
		path    string
		object  bool
		keys    map[string]bool
		key     string // the member whose value comes next
		wantKey bool
		index   int
		obj     map[string]any
		arr     []any
	}
	var stack []*frame
	var root any
	done := false // the top-level value is complete
	badUTF8 := map[string]bool{}
	// place stores a finished value in its container.
	place := func(val any) {
		if len(stack) == 0 {
			root, done = val, true
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.obj[top.key] = val
			top.wantKey = true
		} else {
			top.arr = append(top.arr, val)
			top.index++
		}
	}
	valuePath := func() string {
		if len(stack) == 0 {
			return RootField
		}
		top := stack[len(stack)-1]
		if top.object {
			return memberPath(top.path, top.key)
		}
		return IndexField(top.path, top.index)
	}
	for !done {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return nil, fmt.Errorf("protocol: decode JSON: %w: %w", ErrMalformedJSON, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, fmt.Errorf("protocol: decode JSON: %w: %w", ErrMalformedJSON, err)
		}
		if checkUTF8 && !utf8.Valid(raw[start:dec.InputOffset()]) {
			p := valuePath()
			if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey {
				p = memberPath(stack[len(stack)-1].path, fmt.Sprint(tok))
			}
			if !badUTF8[p] {
				badUTF8[p] = true
				ve.Add(p, "utf8", "holds invalid UTF-8")
			}
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				place(top.obj)
				continue
			}
			key, _ := tok.(string)
			if top.keys[key] {
				ve.Add(memberPath(top.path, key), "duplicate_key", "appears more than once in the object")
			}
			top.keys[key] = true
			top.key = key
			top.wantKey = false
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				p := valuePath()
				if len(stack) >= MaxJSONDepth {
					ve.Add(p, "depth", "nests deeper than %d levels", MaxJSONDepth)
					return nil, nil
				}
				f := &frame{path: p, object: t == '{'}
				if f.object {
					f.keys = map[string]bool{}
					f.obj = map[string]any{}
					f.wantKey = true
				} else {
					f.arr = []any{}
				}
				stack = append(stack, f)
			case ']':
				stack = stack[:len(stack)-1]
				place(top.arr)
			}
		default:
			place(t)
		}
	}
	// One value only: anything after it is an error.
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the top-level value")
		}
		return nil, fmt.Errorf("protocol: decode JSON: %w: offset %d: %w", ErrMalformedJSON, dec.InputOffset(), err)
	}
	return root, nil
}

// memberPath names member key of the object at path.
func memberPath(path, key string) string {
	if path == RootField {
		f := MapField("", key)
		return strings.TrimPrefix(f, ".")
	}
	return MapField(path, key)
}

// shapeChecker compares a generic JSON document with a Go type the way
// encoding/json would decode it, recording every unknown member and every
// value of the wrong JSON type.
type shapeChecker struct {
	ve     *ValidationError
	fields map[reflect.Type]map[string]reflect.Type // per-call cache of struct fields by JSON name
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	rawMessageType      = reflect.TypeFor[json.RawMessage]()
)

func (c *shapeChecker) walk(path string, v any, t reflect.Type) {
	if v == nil || t == rawMessageType {
		return // null leaves a field unset; RawMessage takes anything
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return // the type decodes itself
	}
	if _, isStr := v.(string); isStr && (t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		c.walk(path, v, t.Elem())
	case reflect.Interface:
	case reflect.String:
		c.want(path, v, "string")
	case reflect.Bool:
		c.want(path, v, "boolean")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := c.want(path, v, "number").(json.Number); ok {
			if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
				c.ve.Add(path, "type", "must be an integer that fits %d bits", t.Bits())
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := c.want(path, v, "number").(json.Number); ok {
			if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
				c.ve.Add(path, "type", "must be a non-negative integer that fits %d bits", t.Bits())
			}
		}
	case reflect.Float32, reflect.Float64:
		if n, ok := c.want(path, v, "number").(json.Number); ok {
			if f, err := strconv.ParseFloat(string(n), t.Bits()); err != nil || math.IsInf(f, 0) {
				c.ve.Add(path, "type", "must be a number that fits %d bits", t.Bits())
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			c.want(path, v, "string") // []byte travels as base64
			return
		}
		if arr, ok := c.want(path, v, "array").([]any); ok {
			if t.Kind() == reflect.Array && len(arr) > t.Len() {
				c.ve.Add(path, "type", "must have at most %d items", t.Len())
			}
			for i, item := range arr {
				c.walk(IndexField(path, i), item, t.Elem())
			}
		}
	case reflect.Map:
		if obj, ok := c.want(path, v, "object").(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(obj)) {
				c.walk(memberPath(path, k), obj[k], t.Elem())
			}
		}
	case reflect.Struct:
		obj, ok := c.want(path, v, "object").(map[string]any)
		if !ok {
			return
		}
		fields := c.structFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, known := fields[k]
			if !known {
				c.ve.Add(memberPath(path, k), "unknown_field", "is not a field of this object")
				continue
			}
			c.walk(memberPath(path, k), obj[k], ft)
		}
	default:
		c.ve.Add(path, "type", "cannot be decoded into %s", t)
	}
}

// want records a "type" failure unless v is of the named JSON type, and
// returns v.
func (c *shapeChecker) want(path string, v any, jsonType string) any {
	got := jsonTypeOf(v)
	if got != jsonType {
		c.ve.Add(path, "type", "must be a JSON %s, not %s", jsonType, got)
		return nil
	}
	return v
}

func jsonTypeOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// structFields maps the JSON names of t's fields to their types, with the
// fields of embedded structs promoted as encoding/json promotes them.
func (c *shapeChecker) structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := c.fields[t]; ok {
		return f
	}
	out := map[string]reflect.Type{}
	c.fields[t] = out
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
				for k, v := range c.structFields(et) {
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
		if name == "" {
			name = sf.Name
		}
		out[name] = ft
	}
	return out
}
