package strictjson

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Decoding a checked document. The checks leave nothing for encoding/json
// to refuse in the plain kinds (strings, booleans, numbers in range,
// slices, arrays, pointers, maps with string keys, structs without
// embedded fields or ",string" options), so those are set here from the bytes in
// one walk; json.RawMessage takes its bytes; every other type (a
// json.Unmarshaler or encoding.TextUnmarshaler, an interface, []byte,
// embedded structs, ...) gets its value's bytes from json.Unmarshal, which
// decodes it there as it would in the whole document.

// plan is how the values of one Go type are decoded.
type plan struct {
	op     op
	elem   *plan         // opSlice, opArray, opPointer, opMap
	fields map[string]fp // opStruct: by exact JSON name
	list   []fp          // opStruct, when few
	typ    reflect.Type  // opPointer: the element type; opMap: the map type
}

type fp struct {
	name  string
	index int
	plan  *plan
}

type op uint8

const (
	opUnmarshal op = iota // json.Unmarshal into the value's address
	opRaw                 // json.RawMessage: a copy of the bytes
	opString
	opBool
	opInt
	opUint
	opFloat
	opSlice
	opArray
	opPointer
	opMap
	opStruct
)

var (
	plans   sync.Map // reflect.Type → *plan
	plansMu sync.Mutex
)

// planOf returns the plan of t, made once.
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	building := map[reflect.Type]*plan{}
	p := makePlan(t, building)
	for bt, bp := range building {
		plans.LoadOrStore(bt, bp)
	}
	return p
}

// delegate is the plan of the types left to encoding/json.
var delegate = &plan{op: opUnmarshal}

func makePlan(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	if t == rawMessageType {
		return &plan{op: opRaw}
	}
	pt := reflect.PointerTo(t)
	if t.Implements(unmarshalerType) || pt.Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType) {
		return delegate
	}
	p := &plan{}
	building[t] = p
	switch t.Kind() {
	case reflect.String:
		p.op = opString
	case reflect.Bool:
		p.op = opBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.op = opInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.op = opUint
	case reflect.Float32, reflect.Float64:
		p.op = opFloat
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p.op = opUnmarshal // base64
			break
		}
		p.op, p.elem = opSlice, makePlan(t.Elem(), building)
	case reflect.Array:
		p.op, p.elem = opArray, makePlan(t.Elem(), building)
	case reflect.Pointer:
		if t.NumMethod() > 0 || t.Name() != "" {
			p.op = opUnmarshal
			break
		}
		p.op, p.typ, p.elem = opPointer, t.Elem(), makePlan(t.Elem(), building)
	case reflect.Map:
		kt := t.Key()
		if kt.Kind() != reflect.String || kt.Implements(textUnmarshalerType) || reflect.PointerTo(kt).Implements(textUnmarshalerType) {
			p.op = opUnmarshal
			break
		}
		p.op, p.typ, p.elem = opMap, t, makePlan(t.Elem(), building)
	case reflect.Struct:
		fields, ok := plainFields(t)
		if !ok {
			p.op = opUnmarshal
			break
		}
		p.op = opStruct
		for _, f := range fields {
			p.list = append(p.list, fp{name: f.name, index: f.index, plan: makePlan(t.Field(f.index).Type, building)})
		}
		if len(p.list) > 8 {
			p.fields = make(map[string]fp, len(p.list))
			for _, f := range p.list {
				p.fields[f.name] = f
			}
		}
	default: // interfaces, and what nothing but null fits
		p.op = opUnmarshal
	}
	return p
}

// plainFields lists the fields of t that encoding/json fills, when it fills
// each from the member of its exact name and nothing else: no embedded
// field, no ",string" option, no name given twice.
func plainFields(t reflect.Type) ([]fp, bool) {
	var out []fp
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, false
		}
		tag := sf.Tag.Get("json")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		for o := range strings.SplitSeq(opts, ",") {
			if o == "string" {
				return nil, false
			}
		}
		if !validTag(name) {
			name = sf.Name
		}
		if seen[name] {
			return nil, false
		}
		seen[name] = true
		out = append(out, fp{name: name, index: i})
	}
	return out, true
}

// fill decodes the checked value data into v (settable) as encoding/json
// does.
func fill(data []byte, v reflect.Value, p *plan) error {
	if p.op == opUnmarshal {
		return json.Unmarshal(data, v.Addr().Interface())
	}
	if data[0] == 'n' { // null
		switch p.op {
		case opRaw:
			v.SetBytes(append(v.Bytes()[:0], data...))
		case opSlice, opPointer, opMap:
			v.SetZero()
		}
		return nil
	}
	switch p.op {
	case opRaw:
		v.SetBytes(append(v.Bytes()[:0], data...))
	case opString:
		s, _ := String(data)
		v.SetString(s)
	case opBool:
		v.SetBool(data[0] == 't')
	case opInt:
		n, err := strconv.ParseInt(string(data), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return &json.UnmarshalTypeError{Value: "number " + string(data), Type: v.Type()}
		}
		v.SetInt(n)
	case opUint:
		n, err := strconv.ParseUint(string(data), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return &json.UnmarshalTypeError{Value: "number " + string(data), Type: v.Type()}
		}
		v.SetUint(n)
	case opFloat:
		n, err := strconv.ParseFloat(string(data), v.Type().Bits())
		if err != nil || v.OverflowFloat(n) {
			return &json.UnmarshalTypeError{Value: "number " + string(data), Type: v.Type()}
		}
		v.SetFloat(n)
	case opPointer:
		if v.IsNil() {
			v.Set(reflect.New(p.typ))
		}
		return fill(data, v.Elem(), p.elem)
	case opSlice:
		i := 0
		for item := range Elements(data) {
			if i >= v.Cap() {
				v.Grow(1)
			}
			if i >= v.Len() {
				v.SetLen(i + 1)
			}
			if err := fill(item, v.Index(i), p.elem); err != nil {
				return within(err, step{index: i})
			}
			i++
		}
		if i < v.Len() {
			v.SetLen(i)
		}
		if i == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
	case opArray:
		i := 0
		for item := range Elements(data) {
			if i < v.Len() {
				if err := fill(item, v.Index(i), p.elem); err != nil {
					return within(err, step{index: i})
				}
			}
			i++
		}
		for ; i < v.Len(); i++ {
			v.Index(i).SetZero()
		}
	case opMap:
		if v.IsNil() {
			v.Set(reflect.MakeMap(p.typ))
		}
		elem := reflect.New(p.typ.Elem()).Elem()
		kt := p.typ.Key()
		for key, item := range Members(data) {
			elem.SetZero()
			if err := fill(item, elem, p.elem); err != nil {
				return within(err, step{key: string(key), obj: true})
			}
			k := reflect.ValueOf(string(key))
			if kt != k.Type() {
				k = k.Convert(kt)
			}
			v.SetMapIndex(k, elem)
		}
	case opStruct:
		for key, item := range Members(data) {
			f, ok := p.field(key)
			if !ok {
				continue // ignored (Options.IgnoreUnknown)
			}
			if err := fill(item, v.Field(f.index), f.plan); err != nil {
				return within(err, step{key: f.name, obj: true})
			}
		}
	}
	return nil
}

func (p *plan) field(key []byte) (fp, bool) {
	if p.fields != nil {
		f, ok := p.fields[string(key)]
		return f, ok
	}
	for _, f := range p.list {
		if f.name == string(key) {
			return f, true
		}
	}
	return fp{}, false
}

// fillError is an error of a value inside the document, with the path to
// it (innermost step first, as the error unwinds).
type fillError struct {
	rev []step
	err error
}

func (e *fillError) Error() string { return e.err.Error() }
func (e *fillError) Unwrap() error { return e.err }

// within adds the step to the path of err.
func within(err error, s step) error {
	fe, ok := err.(*fillError)
	if !ok {
		fe = &fillError{err: err}
	}
	fe.rev = append(fe.rev, s)
	return fe
}
