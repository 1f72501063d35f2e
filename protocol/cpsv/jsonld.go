package cpsv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// This file is a small JSON-LD 1.1 expansion and flattening, enough for the
// CPSV-AP documents publishers write: contexts given as the URL of the
// official CPSV-AP context (resolved from the embedded term table, never
// fetched), inline objects, or arrays of both, at the top or on any node;
// prefixes and compact IRIs; terms with @id, @type coercion (@id, @vocab, a
// datatype), @language and @container (@set, @list, @language, @index) and
// property-scoped @context; @vocab, @base (no resolution of relative IRIs:
// they are kept as written), @language; @id, @type, @graph, @included,
// @value, @language, @list, @set. It refuses other remote contexts,
// @reverse, @nest, @json literals and the @id/@type/@graph containers with
// an error that names them.

// Limits that keep hostile input cheap.
const (
	maxDepth      = 64      // nesting of objects and arrays
	maxNodes      = 100_000 // node objects in one document
	maxTerms      = 10_000  // term definitions in all contexts of one document
	maxContextLen = 64      // contexts in one context array, nested arrays included
	maxTypes      = 256     // types of one node
)

// literal is an expanded value object.
type literal struct {
	Value    string // the lexical form; numbers and booleans as JSON writes them
	Lang     string // @language, "" when none
	Datatype string // @type, "" when none
}

// value is one expanded property value: a reference to a node (Ref, the
// node's id in the flattened graph), a literal, or a list.
type value struct {
	Ref     string
	Lit     *literal
	List    []value
	IsList  bool
	IsBlank bool // Ref is a blank node identifier
}

// node is a flattened node object.
type node struct {
	ID    string
	Types []string
	Props map[string][]value // property IRI → values, in document order
	seen  map[string]bool    // property and value already recorded: RDF has no duplicate triples
}

// add records values of prop, dropping those the node already has (a node
// described in two places of a document merges into one).
func (n *node) add(prop string, vals []value) {
	for _, v := range vals {
		if !v.IsList {
			key := prop + "\x00" + v.key()
			if n.seen[key] {
				continue
			}
			if n.seen == nil {
				n.seen = map[string]bool{}
			}
			n.seen[key] = true
		}
		n.Props[prop] = append(n.Props[prop], v)
	}
}

// key identifies a value that is not a list.
func (v value) key() string {
	if v.Lit != nil {
		return "l\x00" + v.Lit.Value + "\x00" + v.Lit.Lang + "\x00" + v.Lit.Datatype
	}
	return "r\x00" + v.Ref
}

// graph is a flattened JSON-LD document: every node by id, and the ids in
// the order they first appear.
type graph struct {
	Nodes map[string]*node
	Order []string
}

// termDef is one term definition of an active context.
type termDef struct {
	IRI       string
	Type      string  // "@id", "@vocab" or a datatype IRI; "" when none
	Lang      *string // term-level @language; nil when the term sets none
	Container string  // "@set", "@list", "@language", "@index" or ""
	Context   any     // a property-scoped context, nil when none
	Null      bool    // the term is explicitly mapped to null: drop it
	Prefix    bool    // usable as the prefix of a compact IRI
}

// context is an active context. It is copied on write.
type context struct {
	Terms map[string]*termDef
	Vocab string
	Base  string
	Lang  string
}

// expander holds the state of one expansion.
type expander struct {
	g        *graph
	blank    int // counter for generated blank node ids
	nodes    int
	terms    int
	contexts int
}

// errUnsupported marks a JSON-LD feature this expander refuses.
var errUnsupported = errors.New("unsupported JSON-LD feature")

// ldError is an expansion failure at a place in the document: a path of
// keys and array indexes from the top ("@graph[2].dct:title[0]", "$" for the
// whole document).
type ldError struct {
	Path string
	Err  error
}

func (e *ldError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *ldError) Unwrap() error { return e.Err }

// fail makes an ldError.
func fail(path, format string, args ...any) error {
	return &ldError{Path: path, Err: fmt.Errorf(format, args...)}
}

// at places err at path unless it is already placed deeper.
func at(path string, err error) error {
	if _, ok := errors.AsType[*ldError](err); ok {
		return err
	}
	return &ldError{Path: path, Err: err}
}

// expandDocument parses doc as JSON, expands it and flattens the result.
func expandDocument(doc []byte) (*graph, error) {
	if err := strictjson.Check(doc, strictjson.Any, strictjson.Options{MaxDepth: maxDepth}); err != nil {
		var e *strictjson.Error
		if errors.As(err, &e) && !e.Rule.Fatal() {
			return nil, fail(e.Path, "%s (%s)", e.Detail, e.Rule)
		}
		return nil, fmt.Errorf("cpsv: the document is not JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil { // checked above: cannot fail
		return nil, fmt.Errorf("cpsv: the document is not JSON: %w", err)
	}
	x := &expander{g: &graph{Nodes: map[string]*node{}}}
	ctx := &context{Terms: map[string]*termDef{}}
	switch r := root.(type) {
	case map[string]any:
		if err := x.topObject(ctx, r); err != nil {
			return nil, err
		}
	case []any:
		for i, item := range r {
			obj, ok := item.(map[string]any)
			if !ok {
				return nil, fail(fmt.Sprintf("[%d]", i), "is %s, not a node object", jsonType(item))
			}
			if _, err := x.nodeObject(ctx, obj, "$["+fmt.Sprint(i)+"]"); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fail("$", "is %s, not a JSON-LD object or array", jsonType(root))
	}
	return x.g, nil
}

// topObject expands the top-level object: a node, or a wrapper of @graph.
func (x *expander) topObject(ctx *context, obj map[string]any) error {
	if lc, ok := obj["@context"]; ok {
		var err error
		if ctx, err = x.processContext(ctx, lc, 0); err != nil {
			return at("@context", err)
		}
	}
	g, hasGraph := obj["@graph"]
	wrapper := hasGraph
	for k := range obj {
		if k != "@context" && k != "@graph" {
			wrapper = false
		}
	}
	if !wrapper {
		inner := maps.Clone(obj)
		delete(inner, "@context")
		_, err := x.nodeObject(ctx, inner, "$")
		return err
	}
	return x.graphMembers(ctx, g, "@graph")
}

// graphMembers adds the node objects of a @graph or @included value.
func (x *expander) graphMembers(ctx *context, v any, path string) error {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		_, err := x.nodeObject(ctx, t, path)
		return err
	case []any:
		for i, item := range t {
			obj, ok := item.(map[string]any)
			if !ok {
				return fail(fmt.Sprintf("%s[%d]", path, i), "is %s, not a node object", jsonType(item))
			}
			if _, err := x.nodeObject(ctx, obj, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return fail(path, "is %s, not an array of node objects", jsonType(v))
}

// nodeObject expands a node object, adds it (merged by id) to the graph and
// returns its id.
func (x *expander) nodeObject(ctx *context, obj map[string]any, path string) (string, error) {
	x.nodes++
	if x.nodes > maxNodes {
		return "", fail(path, "the document has more than %d node objects", maxNodes)
	}
	if lc, ok := obj["@context"]; ok {
		var err error
		if ctx, err = x.processContext(ctx, lc, 0); err != nil {
			return "", at(path+".@context", err)
		}
	}
	obj = dealias(ctx, obj)
	id := ""
	if raw, ok := obj["@id"]; ok {
		s, ok := raw.(string)
		if !ok {
			return "", fail(path+".@id", "is %s, not a string", jsonType(raw))
		}
		id = x.expandIRI(ctx, s, false)
	}
	if id == "" {
		x.blank++
		id = fmt.Sprintf("_:x%d", x.blank)
	}
	n := x.g.Nodes[id]
	if n == nil {
		n = &node{ID: id, Props: map[string][]value{}}
		x.g.Nodes[id] = n
		x.g.Order = append(x.g.Order, id)
	}
	if raw, ok := obj["@type"]; ok {
		types, err := stringOrStrings(raw)
		if err != nil {
			return "", at(path+".@type", err)
		}
		if len(types)+len(n.Types) > maxTypes {
			return "", fail(path+".@type", "a node has more than %d types", maxTypes)
		}
		for _, t := range types {
			if iri := x.expandIRI(ctx, t, true); iri != "" && !slices.Contains(n.Types, iri) {
				n.Types = append(n.Types, iri)
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		v := obj[key]
		p := path + "." + key
		switch key {
		case "@context", "@id", "@type", "@index":
			continue
		case "@graph", "@included":
			// Named graphs are merged into the default graph.
			if err := x.graphMembers(ctx, v, p); err != nil {
				return "", err
			}
			continue
		case "@reverse", "@nest":
			return "", at(p, fmt.Errorf("%w %s", errUnsupported, key))
		case "@value", "@list", "@set", "@language":
			return "", fail(p, "%s is not allowed in a node object", key)
		}
		td := ctx.Terms[key]
		if td != nil && td.Null {
			continue
		}
		prop := x.expandIRI(ctx, key, true)
		if strings.HasPrefix(prop, "@") || !strings.Contains(prop, ":") {
			continue // not an IRI: dropped, as JSON-LD does
		}
		vals, err := x.propertyValues(ctx, td, v, p)
		if err != nil {
			return "", err
		}
		n.add(prop, vals)
	}
	return id, nil
}

// propertyValues expands the value of one property.
func (x *expander) propertyValues(ctx *context, td *termDef, v any, path string) ([]value, error) {
	if td != nil && td.Context != nil {
		var err error
		if ctx, err = x.processContext(ctx, td.Context, 0); err != nil {
			return nil, at(path+" (scoped @context)", err)
		}
	}
	container := ""
	if td != nil {
		container = td.Container
	}
	if obj, ok := v.(map[string]any); ok && (container == "@language" || container == "@index") && !isValueOrNode(obj) {
		var out []value
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			item := obj[k]
			if container == "@language" {
				strs, err := stringOrStrings(item)
				if err != nil {
					return nil, at(path+"."+k, err)
				}
				for _, s := range strs {
					lang := k
					if lang == "@none" {
						lang = ""
					}
					out = append(out, value{Lit: &literal{Value: s, Lang: lang}})
				}
				continue
			}
			vals, err := x.values(ctx, td, item, path+"."+k)
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
		return out, nil
	}
	vals, err := x.values(ctx, td, v, path)
	if err != nil {
		return nil, err
	}
	if container == "@list" {
		if len(vals) == 1 && vals[0].IsList {
			return vals, nil
		}
		return []value{{List: vals, IsList: true}}, nil
	}
	return vals, nil
}

func isValueOrNode(obj map[string]any) bool {
	for k := range obj {
		if strings.HasPrefix(k, "@") {
			return true
		}
	}
	return false
}

// values expands one value or an array of values (arrays are flattened).
func (x *expander) values(ctx *context, td *termDef, v any, path string) ([]value, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		var out []value
		for i, item := range t {
			vals, err := x.values(ctx, td, item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
		return out, nil
	case map[string]any:
		if _, ok := t["@value"]; ok {
			lit, err := x.valueObject(ctx, t, path)
			if err != nil || lit == nil {
				return nil, err
			}
			return []value{{Lit: lit}}, nil
		}
		if l, ok := t["@list"]; ok {
			items, err := x.values(ctx, td, l, path+".@list")
			if err != nil {
				return nil, err
			}
			return []value{{List: items, IsList: true}}, nil
		}
		if s, ok := t["@set"]; ok {
			return x.values(ctx, td, s, path+".@set")
		}
		id, err := x.nodeObject(ctx, t, path)
		if err != nil {
			return nil, err
		}
		return []value{{Ref: id, IsBlank: strings.HasPrefix(id, "_:")}}, nil
	}
	// A scalar.
	typ := ""
	if td != nil {
		typ = td.Type
	}
	s, isString := v.(string)
	if isString && (typ == "@id" || typ == "@vocab") {
		id := x.expandIRI(ctx, s, typ == "@vocab")
		if id == "" {
			return nil, nil
		}
		return []value{{Ref: id, IsBlank: strings.HasPrefix(id, "_:")}}, nil
	}
	lex, err := lexical(v)
	if err != nil {
		return nil, at(path, err)
	}
	lit := &literal{Value: lex}
	switch {
	case typ != "" && typ != "@id" && typ != "@vocab":
		lit.Datatype = typ
	case isString && td != nil && td.Lang != nil:
		lit.Lang = *td.Lang
	case isString:
		lit.Lang = ctx.Lang
	default:
		lit.Datatype = nativeType(v)
	}
	return []value{{Lit: lit}}, nil
}

// valueObject expands {"@value": ..., "@language"|"@type": ...}.
func (x *expander) valueObject(ctx *context, obj map[string]any, path string) (*literal, error) {
	for k := range obj {
		switch k {
		case "@value", "@language", "@type", "@index", "@direction", "@context":
		default:
			return nil, fail(path, "%q is not allowed in a value object", k)
		}
	}
	if obj["@value"] == nil {
		return nil, nil
	}
	lex, err := lexical(obj["@value"])
	if err != nil {
		return nil, at(path+".@value", err)
	}
	lit := &literal{Value: lex}
	if l, ok := obj["@language"]; ok {
		s, ok := l.(string)
		if !ok {
			return nil, fail(path+".@language", "is %s, not a string", jsonType(l))
		}
		lit.Lang = s
	}
	if t, ok := obj["@type"]; ok && t != nil {
		s, ok := t.(string)
		if !ok {
			return nil, fail(path+".@type", "is %s, not a string", jsonType(t))
		}
		if s == "@json" {
			return nil, at(path, fmt.Errorf("%w @json", errUnsupported))
		}
		lit.Datatype = x.expandIRI(ctx, s, true)
	}
	if lit.Lang != "" && lit.Datatype != "" {
		return nil, fail(path, "a value object has both @language and @type")
	}
	if lit.Datatype == "" {
		lit.Datatype = nativeType(obj["@value"])
	}
	return lit, nil
}

// lexical renders a JSON scalar as an RDF lexical form.
func lexical(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		if t {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("%s is not a JSON-LD literal", jsonType(v))
}

// nativeType is the datatype JSON-LD gives a JSON number or boolean.
func nativeType(v any) string {
	switch t := v.(type) {
	case bool:
		return "http://www.w3.org/2001/XMLSchema#boolean"
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			return "http://www.w3.org/2001/XMLSchema#double"
		}
		return "http://www.w3.org/2001/XMLSchema#integer"
	}
	return ""
}

// dealias renames the keys of obj that are aliases of @id or @type.
func dealias(ctx *context, obj map[string]any) map[string]any {
	var out map[string]any
	for k, v := range obj {
		td, ok := ctx.Terms[k]
		if !ok || td.Null || (td.IRI != "@id" && td.IRI != "@type") {
			continue
		}
		if out == nil {
			out = maps.Clone(obj)
		}
		delete(out, k)
		if _, dup := out[td.IRI]; !dup {
			out[td.IRI] = v
		}
	}
	if out == nil {
		return obj
	}
	return out
}
