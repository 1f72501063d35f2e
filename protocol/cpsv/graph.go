package cpsv

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"

	"github.com/interlink-project/interlink-node/protocol/rdf"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// This file turns documents into the graph the importer reads: JSON-LD
// through json-gold (github.com/piprate/json-gold) with the official
// context served from the binary (contextDocument; nothing is fetched),
// Turtle through protocol/rdf; both become an RDF dataset, then a graph of
// nodes by subject.

// Limits that keep hostile input cheap (the HTTP body limit comes first).
const (
	maxDepth   = 64      // nesting of JSON objects and arrays
	maxTriples = 200_000 // triples of one document
	maxList    = 10_000  // members of one RDF list
)

// literal is an RDF literal.
type literal struct {
	Value    string // the lexical form
	Lang     string // the language tag, "" when none
	Datatype string // the datatype IRI; "" for xsd:string and language-tagged strings
}

// value is one property value: a reference to a node (Ref, an IRI or a
// blank node label), a literal, or a list.
type value struct {
	Ref     string
	Lit     *literal
	List    []value
	IsList  bool
	IsBlank bool // Ref is a blank node label
}

// node is the description of one subject.
type node struct {
	ID    string
	Types []string
	Props map[string][]value // property IRI → values, in document order
	seen  map[string]bool    // property and value already recorded: RDF has no duplicate triples
}

// add records values of prop, dropping those the node already has.
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

// graph is every described subject by id, and the ids in document order.
type graph struct {
	Nodes map[string]*node
	Order []string
}

// errUnsupported marks what the reader refuses (remote contexts).
var errUnsupported = errors.New("unsupported JSON-LD feature")

// ldError is a failure to read a document, at a place in it ("$" for the
// whole document, "@context", "turtle line 3").
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

// contextDocument is the official CPSV-AP 3.2.0 context, rebuilt from the
// embedded term table (contextTerms) as json-gold reads it.
func contextDocument() map[string]any {
	terms := make(map[string]any, len(officialTerms()))
	for term, def := range officialTerms() {
		if def.Type == "" {
			terms[term] = def.IRI
			continue
		}
		terms[term] = map[string]any{"@id": def.IRI, "@type": def.Type}
	}
	return map[string]any{"@context": terms}
}

// loader serves the official context (https and http) and nothing else.
func loader() rdf.Loader {
	ctx := contextDocument()
	return rdf.Loader{ContextURL: ctx, "http" + strings.TrimPrefix(ContextURL, "https"): ctx}
}

// parseJSONLD checks doc strictly (duplicate keys, depth, UTF-8) and
// converts it to an RDF dataset with json-gold; it also returns the node
// ids in the order expansion meets them.
func parseJSONLD(doc []byte) (*ld.RDFDataset, []string, error) {
	if err := strictjson.Check(doc, strictjson.Any, strictjson.Options{MaxDepth: maxDepth}); err != nil {
		var e *strictjson.Error
		if errors.As(err, &e) && !e.Rule.Fatal() {
			return nil, nil, fail(e.Path, "%s (%s)", e.Detail, e.Rule)
		}
		return nil, nil, fmt.Errorf("cpsv: the document is not JSON: %w", err)
	}
	input, err := ld.DocumentFromReader(bytes.NewReader(doc))
	if err != nil {
		return nil, nil, fmt.Errorf("cpsv: the document is not JSON: %w", err)
	}
	switch input.(type) {
	case map[string]any, []any:
	default:
		return nil, nil, fail("$", "is not a JSON-LD object or array")
	}
	// Node ids in document order: json-gold reports each node object it
	// expands with its JSON pointer; pointers sorted as paths give the
	// order in which the document shows the nodes.
	type seenNode struct {
		at []string
		id string
	}
	var nodes []seenNode
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader()
	opts.ExpandedElementHandler = func(pointer string, expanded any) {
		if m, ok := expanded.(map[string]any); ok {
			if id, ok := m["@id"].(string); ok && !strings.HasPrefix(id, "_:") {
				nodes = append(nodes, seenNode{at: strings.Split(pointer, "/"), id: id})
			}
		}
	}
	ds, err := rdf.FromJSONLD(input, opts)
	if err != nil {
		return nil, nil, jsonldError(err)
	}
	slices.SortStableFunc(nodes, func(a, b seenNode) int { return comparePointers(a.at, b.at) })
	order := make([]string, 0, len(nodes))
	for _, n := range nodes {
		order = append(order, n.id)
	}
	return ds, order, nil
}

// comparePointers orders JSON pointers as a document shows what they
// point to: a parent before its members, array indexes as numbers.
func comparePointers(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		ai, aerr := strconv.Atoi(a[i])
		bi, berr := strconv.Atoi(b[i])
		if aerr == nil && berr == nil {
			return ai - bi
		}
		return strings.Compare(a[i], b[i])
	}
	return len(a) - len(b)
}

// jsonldError names what json-gold refused.
func jsonldError(err error) error {
	if errors.Is(err, rdf.ErrRemoteDocument) {
		return &ldError{Path: "@context", Err: fmt.Errorf("%w: a remote context other than CPSV-AP 3.2.0's (%v); nothing is fetched", errUnsupported, err)}
	}
	var je *ld.JsonLdError
	if errors.As(err, &je) {
		return fail("$", "%s", clipErr(je.Error()))
	}
	return fail("$", "%s", clipErr(err.Error()))
}

func clipErr(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// expandDocument reads a JSON-LD document into a graph.
func expandDocument(doc []byte) (*graph, error) {
	ds, order, err := parseJSONLD(doc)
	if err != nil {
		return nil, err
	}
	return fromDataset(ds, order, false) // json-gold has checked the terms
}

// readTurtle reads a Turtle document into a graph.
func readTurtle(doc []byte) (*graph, error) {
	ds, order, err := rdf.ParseTurtle(doc, "")
	if err != nil {
		var se *rdf.SyntaxError
		if errors.As(err, &se) {
			return nil, fail(fmt.Sprintf("turtle (line %d, column %d)", se.Line, se.Col), "%s", se.Msg)
		}
		return nil, err
	}
	return fromDataset(ds, order, true)
}

// fromDataset groups the triples by subject (with checkTerms, dropping
// the triples json-gold would have dropped from JSON-LD): rdf:type values become the
// node's types, RDF lists (rdf:first/rdf:rest chains of blank nodes) become
// list values. order gives the subjects met first; the others follow in the
// order of the triples.
func fromDataset(ds *ld.RDFDataset, order []string, checkTerms bool) (*graph, error) {
	quads := rdf.Triples(ds)
	if len(quads) > maxTriples {
		return nil, fail("$", "holds more than %d triples", maxTriples)
	}
	g := &graph{Nodes: map[string]*node{}}
	var appearance []string
	get := func(id string) *node {
		n, ok := g.Nodes[id]
		if !ok {
			n = &node{ID: id, Props: map[string][]value{}}
			g.Nodes[id] = n
			appearance = append(appearance, id)
		}
		return n
	}
	valid := map[ld.Node]bool{} // json-gold's IRI check is a regular expression: once per term
	for _, q := range quads {
		if checkTerms && !validTerms(valid, q) {
			continue // what json-gold drops from JSON-LD (malformed http IRIs, language tags): Turtle alike
		}
		n := get(termID(q.Subject))
		pred := q.Predicate.GetValue()
		if pred == rdf.RDFType && !isLiteral(q.Object) {
			if t := q.Object.GetValue(); !slices.Contains(n.Types, t) {
				n.Types = append(n.Types, t)
			}
			continue
		}
		n.add(pred, []value{toValue(q.Object)})
	}
	// RDF lists: a blank node with rdf:first and rdf:rest is a list cell.
	consumed := map[string]bool{}
	for _, n := range g.Nodes {
		for prop, vals := range n.Props {
			for i, v := range vals {
				if list, ok := g.list(v, consumed); ok {
					vals[i] = list
				}
			}
			n.Props[prop] = vals
		}
	}
	for id := range consumed {
		delete(g.Nodes, id)
	}
	seen := map[string]bool{}
	for _, id := range append(order, appearance...) {
		if g.Nodes[id] != nil && !seen[id] {
			seen[id] = true
			g.Order = append(g.Order, id)
		}
	}
	return g, nil
}

// validTerms is ld.Quad.Valid with each term's answer remembered.
func validTerms(valid map[ld.Node]bool, q *ld.Quad) bool {
	for _, n := range []ld.Node{q.Subject, q.Predicate, q.Object} {
		ok, seen := valid[n]
		if !seen {
			ok = !ld.InvalidNode(n)
			valid[n] = ok
		}
		if !ok {
			return false
		}
	}
	return true
}

// list turns a reference to the head of an RDF list into a list value.
func (g *graph) list(v value, consumed map[string]bool) (value, bool) {
	if v.Ref == "" || !v.IsBlank {
		return v, false // an empty list stays a reference to rdf:nil
	}
	var items []value
	cells := map[string]bool{}
	for cur := v.Ref; cur != rdf.RDFNil; {
		c := g.Nodes[cur]
		if c == nil || cells[cur] || len(items) >= maxList || !isListCell(c) {
			return v, false
		}
		cells[cur] = true
		items = append(items, c.Props[rdf.RDFFirst][0])
		cur = c.Props[rdf.RDFRest][0].Ref
	}
	for id := range cells {
		consumed[id] = true
	}
	return value{IsList: true, List: items}, true
}

// isListCell: exactly one rdf:first, one rdf:rest that is a node, nothing else.
func isListCell(n *node) bool {
	return len(n.Types) == 0 && len(n.Props) == 2 && len(n.Props[rdf.RDFFirst]) == 1 &&
		len(n.Props[rdf.RDFRest]) == 1 && n.Props[rdf.RDFRest][0].Ref != ""
}

func termID(n ld.Node) string {
	v := n.GetValue()
	if ld.IsBlankNode(n) && !strings.HasPrefix(v, "_:") {
		return "_:" + v
	}
	return v
}

func isLiteral(n ld.Node) bool {
	_, ok := n.(ld.Literal)
	return ok
}

func toValue(n ld.Node) value {
	if l, ok := n.(ld.Literal); ok {
		lit := &literal{Value: l.Value, Lang: l.Language, Datatype: l.Datatype}
		if lit.Datatype == rdf.XSDString || lit.Datatype == rdf.RDFLangStr {
			lit.Datatype = ""
		}
		return value{Lit: lit}
	}
	return value{Ref: termID(n), IsBlank: ld.IsBlankNode(n)}
}
