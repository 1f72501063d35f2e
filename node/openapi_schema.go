package node

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// schemaGen derives JSON Schemas (2020-12, as OpenAPI 3.1 uses them) from
// the Go types the handlers encode, so that the description of /api/v1
// follows the code: a named struct becomes a component, its fields
// properties under their json names; a field without omitempty/omitzero is
// required; slices, maps and pointers may be null.
type schemaGen struct {
	comps map[string]any // components.schemas
}

type schema = map[string]any

var (
	typeTime          = reflect.TypeFor[time.Time]()
	typeRaw           = reflect.TypeFor[json.RawMessage]()
	typeJSONMarshaler = reflect.TypeFor[json.Marshaler]()
	typeTextMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// of returns the schema of t (a $ref for a named struct).
func (g *schemaGen) of(t reflect.Type) schema {
	switch {
	case t == typeTime:
		return schema{"type": "string", "format": "date-time"}
	case t == typeRaw:
		return schema{"description": "any JSON value"}
	case t.Kind() == reflect.Pointer:
		return schema{"anyOf": []any{g.of(t.Elem()), schema{"type": "null"}}}
	case t.Implements(typeJSONMarshaler) || reflect.PointerTo(t).Implements(typeJSONMarshaler):
		return schema{"description": "any JSON value (" + t.String() + ")"}
	case t.Implements(typeTextMarshaler) || reflect.PointerTo(t).Implements(typeTextMarshaler):
		return schema{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return schema{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return schema{"type": []any{"string", "null"}, "contentEncoding": "base64"}
		}
		return schema{"type": []any{"array", "null"}, "items": g.of(t.Elem())}
	case reflect.Map:
		return schema{"type": []any{"object", "null"}, "additionalProperties": g.of(t.Elem())}
	case reflect.Interface:
		return schema{"description": "any JSON value"}
	case reflect.Struct:
		name := componentName(t)
		if name == "" {
			return g.structSchema(t)
		}
		if _, ok := g.comps[name]; !ok {
			g.comps[name] = schema{} // recursion guard
			g.comps[name] = g.structSchema(t)
		}
		return schema{"$ref": "#/components/schemas/" + name}
	}
	return schema{}
}

// componentName names a struct's component ("api.Token"); "" for an
// anonymous or generic type, which is inlined.
func componentName(t reflect.Type) string {
	if t.Name() == "" || strings.ContainsAny(t.Name(), "[]") {
		return ""
	}
	pkg := t.PkgPath()
	return pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name()
}

// structSchema is the object schema of a struct's exported fields.
func (g *schemaGen) structSchema(t reflect.Type) schema {
	props := schema{}
	var required []string
	g.fields(t, props, &required)
	out := schema{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func (g *schemaGen) fields(t reflect.Type, props schema, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.of(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}
