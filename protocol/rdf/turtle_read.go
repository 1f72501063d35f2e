package rdf

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"
)

// Limits of the Turtle reader.
const (
	MaxTurtleBytes   = 8 << 20 // a document
	maxTurtleDepth   = 64      // nesting of [ ] and ( )
	maxTurtleTriples = 500_000
)

// SyntaxError is a Turtle document the reader refuses, at a 1-based line
// and column.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("turtle: line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// ParseTurtle reads a Turtle 1.1 document into a dataset (the default
// graph) and returns the subjects in the order they first appear. base
// resolves relative IRIs (an @base / BASE in the document replaces it).
// Blank node labels of the document are kept as "_:" + label; anonymous
// nodes ([ ] and collections) are "_:anon" + n. Errors are *SyntaxError.
func ParseTurtle(doc []byte, base string) (*ld.RDFDataset, []string, error) {
	if len(doc) > MaxTurtleBytes {
		return nil, nil, &SyntaxError{Line: 1, Col: 1, Msg: fmt.Sprintf("the document is larger than %d bytes", MaxTurtleBytes)}
	}
	if !utf8.Valid(doc) {
		return nil, nil, &SyntaxError{Line: 1, Col: 1, Msg: "the document is not valid UTF-8"}
	}
	p := &turtleParser{src: string(doc), line: 1, col: 1, prefixes: map[string]string{}, seen: map[string]bool{}}
	if base != "" {
		if u, err := url.Parse(base); err == nil && u.IsAbs() {
			p.base = u
		}
	}
	ds := ld.NewRDFDataset()
	if err := p.document(); err != nil {
		return nil, nil, err
	}
	ds.Graphs[defaultGraph] = p.quads
	return ds, p.order, nil
}

type turtleParser struct {
	src       string
	pos       int
	line, col int
	base      *url.URL
	prefixes  map[string]string
	quads     []*ld.Quad
	order     []string
	seen      map[string]bool
	anon      int
	depth     int
}

// errorf makes a SyntaxError at the current position.
func (p *turtleParser) errorf(format string, args ...any) error {
	return &SyntaxError{Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *turtleParser) eof() bool { return p.pos >= len(p.src) }

func (p *turtleParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *turtleParser) advance(n int) {
	for i := 0; i < n && p.pos < len(p.src); i++ {
		if p.src[p.pos] == '\n' {
			p.line++
			p.col = 1
		} else if p.src[p.pos]&0xC0 != 0x80 {
			p.col++
		}
		p.pos++
	}
}

// ws skips white space and comments.
func (p *turtleParser) ws() {
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.advance(1)
		case c == '#':
			for !p.eof() && p.peek() != '\n' {
				p.advance(1)
			}
		default:
			return
		}
	}
}

func (p *turtleParser) expect(s string) error {
	p.ws()
	if !strings.HasPrefix(p.src[p.pos:], s) {
		return p.errorf("expected %q", s)
	}
	p.advance(len(s))
	return nil
}

// keyword reports whether a case-insensitive keyword (PREFIX, BASE) starts here.
func (p *turtleParser) keyword(kw string) bool {
	rest := p.src[p.pos:]
	if len(rest) < len(kw) || !strings.EqualFold(rest[:len(kw)], kw) {
		return false
	}
	return len(rest) == len(kw) || rest[len(kw)] == ' ' || rest[len(kw)] == '\t' || rest[len(kw)] == '\n' || rest[len(kw)] == '\r' || rest[len(kw)] == '<'
}

func (p *turtleParser) document() error {
	for {
		p.ws()
		if p.eof() {
			return nil
		}
		switch {
		case strings.HasPrefix(p.src[p.pos:], "@prefix"):
			p.advance(len("@prefix"))
			if err := p.prefixDecl(); err != nil {
				return err
			}
			if err := p.expect("."); err != nil {
				return err
			}
		case strings.HasPrefix(p.src[p.pos:], "@base"):
			p.advance(len("@base"))
			if err := p.baseDecl(); err != nil {
				return err
			}
			if err := p.expect("."); err != nil {
				return err
			}
		case p.keyword("PREFIX"):
			p.advance(len("PREFIX"))
			if err := p.prefixDecl(); err != nil {
				return err
			}
		case p.keyword("BASE"):
			p.advance(len("BASE"))
			if err := p.baseDecl(); err != nil {
				return err
			}
		default:
			if err := p.triples(); err != nil {
				return err
			}
			if err := p.expect("."); err != nil {
				return err
			}
		}
	}
}

func (p *turtleParser) prefixDecl() error {
	p.ws()
	start := p.pos
	for !p.eof() && p.peek() != ':' && !isSpace(p.peek()) {
		p.advance(1)
	}
	name := p.src[start:p.pos]
	if !validPrefixName(name) {
		return p.errorf("%q is not a prefix name", clip(name, 64))
	}
	if err := p.expect(":"); err != nil {
		return err
	}
	p.ws()
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	p.prefixes[name] = iri
	return nil
}

func (p *turtleParser) baseDecl() error {
	p.ws()
	iri, err := p.iriRef()
	if err != nil {
		return err
	}
	u, err := url.Parse(iri)
	if err != nil || !u.IsAbs() {
		return p.errorf("the base %q is not an absolute IRI", clip(iri, 100))
	}
	p.base = u
	return nil
}

// triples reads subject predicateObjectList, or [ ... ] predicateObjectList?.
func (p *turtleParser) triples() error {
	p.ws()
	if p.peek() == '[' {
		subj, err := p.blankNodePropertyList()
		if err != nil {
			return err
		}
		p.ws()
		if p.peek() == '.' {
			return nil
		}
		return p.predicateObjectList(subj)
	}
	subj, err := p.subject()
	if err != nil {
		return err
	}
	return p.predicateObjectList(subj)
}

// subject reads an IRI, a blank node label or a collection: the nodes a
// subject and an object share (object adds literals and property lists).
func (p *turtleParser) subject() (ld.Node, error) {
	p.ws()
	switch c := p.peek(); {
	case c == '<':
		iri, err := p.iriRef()
		if err != nil {
			return nil, err
		}
		return ld.NewIRI(iri), nil
	case c == '_':
		return p.blankLabel()
	case c == '(':
		return p.collection()
	default:
		iri, err := p.prefixedName()
		if err != nil {
			return nil, err
		}
		return ld.NewIRI(iri), nil
	}
}

func (p *turtleParser) predicateObjectList(subj ld.Node) error {
	for {
		p.ws()
		var pred string
		if p.peek() == 'a' && p.pos+1 < len(p.src) && (isSpace(p.src[p.pos+1]) || strings.ContainsRune("<[\"'(_", rune(p.src[p.pos+1]))) {
			p.advance(1)
			pred = RDFType
		} else if p.peek() == '<' {
			iri, err := p.iriRef()
			if err != nil {
				return err
			}
			pred = iri
		} else {
			iri, err := p.prefixedName()
			if err != nil {
				return err
			}
			pred = iri
		}
		for {
			obj, err := p.object()
			if err != nil {
				return err
			}
			if err := p.emit(subj, ld.NewIRI(pred), obj); err != nil {
				return err
			}
			p.ws()
			if p.peek() != ',' {
				break
			}
			p.advance(1)
		}
		p.ws()
		if p.peek() != ';' {
			return nil
		}
		for p.peek() == ';' { // repeated semicolons are allowed
			p.advance(1)
			p.ws()
		}
		if c := p.peek(); c == '.' || c == ']' || c == 0 {
			return nil
		}
	}
}

func (p *turtleParser) emit(s, pr, o ld.Node) error {
	if len(p.quads) >= maxTurtleTriples {
		return p.errorf("more than %d triples", maxTurtleTriples)
	}
	key := nodeKey(s)
	if !p.seen[key] {
		p.seen[key] = true
		p.order = append(p.order, key)
	}
	p.quads = append(p.quads, ld.NewQuad(s, pr, o, ""))
	return nil
}

func (p *turtleParser) object() (ld.Node, error) {
	p.ws()
	switch c := p.peek(); {
	case c == '[':
		return p.blankNodePropertyList()
	case c == '"' || c == '\'':
		return p.literal()
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.src[p.pos:], "true") && !p.nameCharAt(p.pos+4):
		p.advance(4)
		return ld.NewLiteral("true", XSDBoolean, ""), nil
	case strings.HasPrefix(p.src[p.pos:], "false") && !p.nameCharAt(p.pos+5):
		p.advance(5)
		return ld.NewLiteral("false", XSDBoolean, ""), nil
	case c == 0:
		return nil, p.errorf("unexpected end of the document")
	}
	return p.subject()
}

func (p *turtleParser) nameCharAt(i int) bool {
	if i >= len(p.src) {
		return false
	}
	c := p.src[i]
	return isAlnum(c) || c == '_' || c == '-' || c == ':' || c >= 0x80
}

func (p *turtleParser) nest() error {
	p.depth++
	if p.depth > maxTurtleDepth {
		return p.errorf("nested deeper than %d levels", maxTurtleDepth)
	}
	return nil
}

func (p *turtleParser) newAnon() ld.Node {
	p.anon++
	return ld.NewBlankNode("_:anon" + strconv.Itoa(p.anon))
}

func (p *turtleParser) blankNodePropertyList() (ld.Node, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.advance(1) // [
	node := p.newAnon()
	p.ws()
	if p.peek() == ']' {
		p.advance(1)
		return node, nil
	}
	if err := p.predicateObjectList(node); err != nil {
		return nil, err
	}
	if err := p.expect("]"); err != nil {
		return nil, err
	}
	return node, nil
}

func (p *turtleParser) collection() (ld.Node, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.advance(1) // (
	var items []ld.Node
	for {
		p.ws()
		if p.peek() == ')' {
			p.advance(1)
			break
		}
		if p.eof() {
			return nil, p.errorf("unclosed collection")
		}
		o, err := p.object()
		if err != nil {
			return nil, err
		}
		items = append(items, o)
	}
	if len(items) == 0 {
		return ld.NewIRI(RDFNil), nil
	}
	head := p.newAnon()
	cur := head
	for i, it := range items {
		if err := p.emit(cur, ld.NewIRI(RDFFirst), it); err != nil {
			return nil, err
		}
		next := ld.Node(ld.NewIRI(RDFNil))
		if i < len(items)-1 {
			next = p.newAnon()
		}
		if err := p.emit(cur, ld.NewIRI(RDFRest), next); err != nil {
			return nil, err
		}
		cur = next
	}
	return head, nil
}

func (p *turtleParser) blankLabel() (ld.Node, error) {
	if !strings.HasPrefix(p.src[p.pos:], "_:") {
		return nil, p.errorf("expected a blank node label (_:name)")
	}
	p.advance(2)
	start := p.pos
	for !p.eof() && (p.nameCharAt(p.pos) && p.peek() != ':' || p.peek() == '.' && p.nameCharAt(p.pos+1) && p.src[p.pos+1] != ':') {
		p.advance(1)
	}
	label := p.src[start:p.pos]
	if label == "" {
		return nil, p.errorf("empty blank node label")
	}
	return ld.NewBlankNode("_:l" + label), nil
}
