package rdf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"
)

// subjects groups a dataset's triples by subject, in the order subjects
// first appear, with the number of times each blank node is an object.
type subjects struct {
	order []string
	props map[string][]*ld.Quad
	refs  map[string]int
}

func group(ds *ld.RDFDataset, first []string) *subjects {
	s := &subjects{props: map[string][]*ld.Quad{}, refs: map[string]int{}}
	seen := map[*ld.Quad]bool{}
	for _, q := range Triples(ds) {
		key := nodeKey(q.Subject)
		if _, ok := s.props[key]; !ok {
			s.order = append(s.order, key)
		}
		// RDF has no duplicate triples: drop repeats.
		dup := false
		for _, o := range s.props[key] {
			if SameTerm(o.Predicate, q.Predicate) && SameTerm(o.Object, q.Object) {
				dup = true
				break
			}
		}
		if dup || seen[q] {
			continue
		}
		seen[q] = true
		s.props[key] = append(s.props[key], q)
		if ld.IsBlankNode(q.Object) {
			s.refs[nodeKey(q.Object)]++
		}
	}
	// The subjects of first in that order, then IRIs sorted, then blank
	// nodes in order of appearance.
	rank := make(map[string]int, len(first))
	for i, k := range first {
		if _, ok := rank[k]; !ok {
			rank[k] = i + 1
		}
	}
	slices.SortStableFunc(s.order, func(a, b string) int {
		ra, rb := rank[a], rank[b]
		ab, bb := strings.HasPrefix(a, "_:"), strings.HasPrefix(b, "_:")
		switch {
		case ra > 0 && rb > 0:
			return ra - rb
		case ra > 0:
			return -1
		case rb > 0:
			return 1
		case ab && bb:
			return 0
		case ab:
			return 1
		case bb:
			return -1
		}
		return strings.Compare(a, b)
	})
	for k, qs := range s.props {
		s.props[k] = sortProps(qs)
	}
	return s
}

// sortProps puts rdf:type first, then predicates by IRI, keeping the order
// of each predicate's objects.
func sortProps(qs []*ld.Quad) []*ld.Quad {
	out := slices.Clone(qs)
	slices.SortStableFunc(out, func(a, b *ld.Quad) int {
		pa, pb := a.Predicate.GetValue(), b.Predicate.GetValue()
		switch {
		case pa == pb:
			return 0
		case pa == RDFType:
			return -1
		case pb == RDFType:
			return 1
		}
		return strings.Compare(pa, pb)
	})
	return out
}

func nodeKey(n ld.Node) string {
	if ld.IsBlankNode(n) {
		v := n.GetValue()
		if !strings.HasPrefix(v, "_:") {
			v = "_:" + v
		}
		return v
	}
	return n.GetValue()
}

// turtleWriter renders terms with the prefixes it was given, noting which
// it used.
type turtleWriter struct {
	prefixes []Prefix
	used     map[string]bool
	s        *subjects
	inlined  map[string]bool
	buf      bytes.Buffer
}

// WriteTurtle writes the dataset as Turtle: the prefixes it uses, then one
// block per subject (those of first in that order, then IRIs sorted, then
// blank nodes), rdf:type first as "a".
// A blank node that is the object of exactly one triple is written inline
// as [ ... ]; others keep a label. Named graphs are merged into the default
// graph.
func WriteTurtle(w io.Writer, ds *ld.RDFDataset, prefixes []Prefix, first ...string) error {
	tw := &turtleWriter{prefixes: prefixes, used: map[string]bool{}, s: group(ds, first), inlined: map[string]bool{}}
	for _, subj := range tw.s.order {
		if !tw.inlinable(subj) {
			tw.subject(subj)
		}
	}
	// Blank nodes referenced once from within a cycle of such nodes: no
	// block wrote them inline.
	for _, subj := range tw.s.order {
		if !tw.inlined[subj] && tw.inlinable(subj) {
			tw.subject(subj)
		}
	}
	bw := bufio.NewWriter(w)
	for _, p := range prefixes {
		if tw.used[p.Name] {
			fmt.Fprintf(bw, "@prefix %s: <%s> .\n", p.Name, escapeIRI(p.IRI))
		}
	}
	if len(tw.used) > 0 {
		bw.WriteByte('\n')
	}
	if _, err := bw.Write(tw.buf.Bytes()); err != nil {
		return err
	}
	return bw.Flush()
}

// inlinable: a blank node referenced once, that is not its own ancestor.
func (tw *turtleWriter) inlinable(key string) bool {
	return strings.HasPrefix(key, "_:") && tw.s.refs[key] == 1
}

func (tw *turtleWriter) subject(key string) {
	tw.inlined[key] = true // written: never inline it again
	tw.buf.WriteString(tw.term(subjectNode(key)))
	tw.predicates(key, 1, map[string]bool{key: true})
	tw.buf.WriteString(" .\n\n")
}

func subjectNode(key string) ld.Node {
	if strings.HasPrefix(key, "_:") {
		return ld.NewBlankNode(key)
	}
	return ld.NewIRI(key)
}

// predicates writes the predicate-object list of key.
func (tw *turtleWriter) predicates(key string, depth int, path map[string]bool) {
	qs := tw.s.props[key]
	indent := strings.Repeat("    ", depth)
	for i, q := range qs {
		if i > 0 && SameTerm(q.Predicate, qs[i-1].Predicate) {
			tw.buf.WriteString(" ,\n" + indent + "    ")
		} else {
			if i > 0 {
				tw.buf.WriteString(" ;")
			}
			tw.buf.WriteString("\n" + indent)
			if q.Predicate.GetValue() == RDFType {
				tw.buf.WriteString("a ")
			} else {
				tw.buf.WriteString(tw.term(q.Predicate) + " ")
			}
		}
		tw.object(q.Object, depth, path)
	}
}

func (tw *turtleWriter) object(o ld.Node, depth int, path map[string]bool) {
	key := nodeKey(o)
	if ld.IsBlankNode(o) && tw.inlinable(key) && !path[key] && !tw.inlined[key] {
		tw.inlined[key] = true
		if len(tw.s.props[key]) == 0 {
			tw.buf.WriteString("[]")
			return
		}
		path[key] = true
		tw.buf.WriteString("[")
		tw.predicates(key, depth+1, path)
		tw.buf.WriteString("\n" + strings.Repeat("    ", depth) + "]")
		delete(path, key)
		return
	}
	tw.buf.WriteString(tw.term(o))
}

// term writes an IRI (prefixed when it can), a blank node or a literal.
func (tw *turtleWriter) term(n ld.Node) string {
	switch v := n.(type) {
	case ld.Literal:
		s := `"` + escapeString(v.Value) + `"`
		switch {
		case v.Language != "":
			return s + "@" + v.Language
		case v.Datatype == "" || v.Datatype == XSDString:
			return s
		}
		return s + "^^" + tw.iri(v.Datatype)
	case ld.BlankNode:
		return "_:" + blankLabel(v.Attribute)
	case *ld.BlankNode:
		return "_:" + blankLabel(v.Attribute)
	}
	return tw.iri(n.GetValue())
}

func (tw *turtleWriter) iri(iri string) string {
	for _, p := range tw.prefixes {
		if local, ok := strings.CutPrefix(iri, p.IRI); ok && validLocal(local) {
			tw.used[p.Name] = true
			return p.Name + ":" + local
		}
	}
	return "<" + escapeIRI(iri) + ">"
}

// blankLabel makes a blank node label of letters, digits, '_' and '-'.
func blankLabel(attr string) string {
	attr = strings.TrimPrefix(attr, "_:")
	var b strings.Builder
	for i, c := range attr {
		if c < utf8.RuneSelf && (isAlnum(byte(c)) || c == '_' || (c == '-' && i > 0)) {
			b.WriteRune(c)
		} else {
			fmt.Fprintf(&b, "_%x_", c)
		}
	}
	if b.Len() == 0 {
		return "b"
	}
	return b.String()
}

// validLocal accepts the local names written unescaped: ASCII letters,
// digits, '_' and '-', not starting with '-' (a conservative PN_LOCAL).
func validLocal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && (c != '-' || i == 0) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// escapeIRI escapes what an IRIREF cannot hold as \uXXXX.
func escapeIRI(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", c) {
			fmt.Fprintf(&b, `\u%04X`, c)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// escapeString escapes a string for a "..." literal.
func escapeString(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, c)
				continue
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}

// SameTerm reports whether two RDF terms are equal (json-gold's Equal
// methods compare a value with a pointer and answer false).
func SameTerm(a, b ld.Node) bool {
	la, aLit := a.(ld.Literal)
	lb, bLit := b.(ld.Literal)
	switch {
	case aLit || bLit:
		return aLit && bLit && la.Value == lb.Value && la.Language == lb.Language && la.Datatype == lb.Datatype
	case ld.IsBlankNode(a) || ld.IsBlankNode(b):
		return ld.IsBlankNode(a) && ld.IsBlankNode(b) && nodeKey(a) == nodeKey(b)
	}
	return a.GetValue() == b.GetValue()
}
