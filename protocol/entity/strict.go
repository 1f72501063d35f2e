package entity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// decodeObject decodes the JSON object data into v (a pointer to a struct)
// strictly: data must pass protocol.DecodeStrict as an object of any
// members (one value, valid UTF-8, no duplicate keys, nesting at most
// protocol.MaxJSONDepth), and members then fill fields whose JSON names
// they match exactly, at every depth. encoding/json alone would also fill a
// field from a member named in another case ("ISS" for "iss"), which would
// let two readers of the same bytes disagree. Members no field names are
// ignored (OpenID Federation lets statements carry claims and metadata a
// reader does not know).
func decodeObject(data []byte, v any) error {
	var top map[string]json.RawMessage
	if err := protocol.DecodeStrict(data, &top); err != nil {
		return err
	}
	if top == nil {
		return fmt.Errorf("claims are not a JSON object")
	}
	return fillStruct("", top, reflect.ValueOf(v).Elem())
}

// fill decodes raw into dst with exact member names.
func fill(path string, raw json.RawMessage, dst reflect.Value) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil // as encoding/json: null leaves the field unset
	}
	switch dst.Kind() {
	case reflect.Pointer:
		v := reflect.New(dst.Type().Elem())
		if err := fill(path, raw, v.Elem()); err != nil {
			return err
		}
		dst.Set(v)
		return nil
	case reflect.Struct:
		var members map[string]json.RawMessage
		if err := json.Unmarshal(raw, &members); err != nil {
			return fmt.Errorf("%s: must be a JSON object", pathName(path))
		}
		return fillStruct(path, members, dst)
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Struct {
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return fmt.Errorf("%s: must be a JSON array", pathName(path))
			}
			s := reflect.MakeSlice(dst.Type(), len(items), len(items))
			for i, it := range items {
				if err := fill(fmt.Sprintf("%s[%d]", path, i), it, s.Index(i)); err != nil {
					return err
				}
			}
			dst.Set(s)
			return nil
		}
	}
	if err := json.Unmarshal(raw, dst.Addr().Interface()); err != nil {
		return fmt.Errorf("%s: must be a JSON %s", pathName(path), jsonKind(dst.Type()))
	}
	return nil
}

// fillStruct fills the exported fields of dst from members by exact name.
func fillStruct(path string, members map[string]json.RawMessage, dst reflect.Value) error {
	t := dst.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		raw, ok := members[name]
		if !ok {
			continue
		}
		p := name
		if path != "" {
			p = path + "." + name
		}
		if err := fill(p, raw, dst.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func pathName(p string) string {
	if p == "" {
		return "claims"
	}
	return p
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer in range"
	case reflect.Slice:
		return "array of " + jsonKind(t.Elem()) + "s"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "value of type " + t.String()
}
