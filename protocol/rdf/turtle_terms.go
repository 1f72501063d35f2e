package rdf

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"
)

// The terms of the Turtle reader: IRIs, prefixed names, literals, numbers.

// iriRef reads <...> and resolves it against the base.
func (p *turtleParser) iriRef() (string, error) {
	if p.peek() != '<' {
		return "", p.errorf("expected an IRI in < >")
	}
	p.advance(1)
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf("unclosed IRI")
		}
		c := p.peek()
		switch {
		case c == '>':
			p.advance(1)
			return p.resolve(b.String())
		case c == '\\':
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c <= 0x20 || strings.IndexByte("<\"{}|^`", c) >= 0:
			return "", p.errorf("the character %q is not allowed in an IRI", c)
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			b.WriteRune(r)
			p.advance(size)
		}
	}
}

func (p *turtleParser) resolve(iri string) (string, error) {
	u, err := url.Parse(iri)
	if err != nil {
		return "", p.errorf("%q is not an IRI: %v", clip(iri, 100), err)
	}
	if u.IsAbs() {
		return iri, nil
	}
	if p.base == nil {
		return "", p.errorf("the relative IRI %q has no base", clip(iri, 100))
	}
	return p.base.ResolveReference(u).String(), nil
}

// uchar reads \uXXXX or \UXXXXXXXX.
func (p *turtleParser) uchar() (rune, error) {
	rest := p.src[p.pos:]
	n := 0
	switch {
	case strings.HasPrefix(rest, `\u`):
		n = 4
	case strings.HasPrefix(rest, `\U`):
		n = 8
	default:
		return 0, p.errorf("bad escape")
	}
	if len(rest) < 2+n {
		return 0, p.errorf("short \\u escape")
	}
	v, err := strconv.ParseUint(rest[2:2+n], 16, 32)
	if err != nil || v > unicode.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, p.errorf("bad \\u escape %q", rest[:2+n])
	}
	p.advance(2 + n)
	return rune(v), nil
}

// prefixedName reads prefix:local and expands it.
func (p *turtleParser) prefixedName() (string, error) {
	start := p.pos
	for !p.eof() && p.peek() != ':' && (p.nameCharAt(p.pos) || p.peek() == '.' && p.nameCharAt(p.pos+1)) {
		p.advance(1)
	}
	prefix := p.src[start:p.pos]
	if p.peek() != ':' {
		if p.eof() {
			return "", p.errorf("unexpected end of the document")
		}
		return "", p.errorf("unexpected %q", clip(p.src[start:min(len(p.src), p.pos+1)], 32))
	}
	ns, ok := p.prefixes[prefix]
	if !ok {
		return "", p.errorf("the prefix %q is not declared", clip(prefix, 64))
	}
	p.advance(1)
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		switch {
		case c == '\\' && p.pos+1 < len(p.src) && strings.IndexByte("_~.-!$&'()*+,;=/?#@%", p.src[p.pos+1]) >= 0:
			b.WriteByte(p.src[p.pos+1])
			p.advance(2)
		case c == '%' && p.pos+2 < len(p.src) && isHex(p.src[p.pos+1]) && isHex(p.src[p.pos+2]):
			b.WriteString(p.src[p.pos : p.pos+3])
			p.advance(3)
		case c == '.' && p.nameCharAt(p.pos+1):
			b.WriteByte('.')
			p.advance(1)
		case p.nameCharAt(p.pos):
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if r >= 0x80 && !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != 0xB7 {
				return ns + b.String(), nil
			}
			b.WriteRune(r)
			p.advance(size)
		default:
			return ns + b.String(), nil
		}
	}
	return ns + b.String(), nil
}

func (p *turtleParser) literal() (ld.Node, error) {
	q := p.peek()
	long := strings.HasPrefix(p.src[p.pos:], strings.Repeat(string(q), 3))
	if long {
		p.advance(3)
	} else {
		p.advance(1)
	}
	var b strings.Builder
	for {
		if p.eof() {
			return nil, p.errorf("unclosed string")
		}
		c := p.peek()
		switch {
		case long && strings.HasPrefix(p.src[p.pos:], strings.Repeat(string(q), 3)):
			// A long string may end with up to two more quotes.
			for strings.HasPrefix(p.src[p.pos+1:], strings.Repeat(string(q), 3)) {
				b.WriteByte(q)
				p.advance(1)
			}
			p.advance(3)
			return p.literalSuffix(b.String())
		case !long && c == q:
			p.advance(1)
			return p.literalSuffix(b.String())
		case !long && (c == '\n' || c == '\r'):
			return nil, p.errorf("line break in a short string (use \"\"\" for long strings)")
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errorf("unfinished escape")
			}
			if e := p.src[p.pos+1]; e == 'u' || e == 'U' {
				r, err := p.uchar()
				if err != nil {
					return nil, err
				}
				b.WriteRune(r)
				continue
			}
			esc, ok := map[byte]string{'t': "\t", 'b': "\b", 'n': "\n", 'r': "\r", 'f': "\f", '"': "\"", '\'': "'", '\\': "\\"}[p.src[p.pos+1]]
			if !ok {
				return nil, p.errorf("bad escape \\%c", p.src[p.pos+1])
			}
			b.WriteString(esc)
			p.advance(2)
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			b.WriteRune(r)
			p.advance(size)
		}
	}
}

func (p *turtleParser) literalSuffix(v string) (ld.Node, error) {
	switch {
	case p.peek() == '@':
		p.advance(1)
		start := p.pos
		for !p.eof() && (isAlnum(p.peek()) || p.peek() == '-') {
			p.advance(1)
		}
		lang := p.src[start:p.pos]
		if lang == "" || !isLetterByte(lang[0]) {
			return nil, p.errorf("bad language tag %q", clip(lang, 32))
		}
		return ld.NewLiteral(v, RDFLangStr, lang), nil
	case strings.HasPrefix(p.src[p.pos:], "^^"):
		p.advance(2)
		var dt string
		var err error
		if p.peek() == '<' {
			dt, err = p.iriRef()
		} else {
			dt, err = p.prefixedName()
		}
		if err != nil {
			return nil, err
		}
		return ld.NewLiteral(v, dt, ""), nil
	}
	return ld.NewLiteral(v, XSDString, ""), nil
}

func (p *turtleParser) number() (ld.Node, error) {
	start := p.pos
	if c := p.peek(); c == '+' || c == '-' {
		p.advance(1)
	}
	digits := func() int {
		n := 0
		for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
			p.advance(1)
			n++
		}
		return n
	}
	intDigits := digits()
	dt := XSDInteger
	fracDigits := 0
	if p.peek() == '.' && p.pos+1 < len(p.src) && p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' {
		p.advance(1)
		fracDigits = digits()
		dt = XSDDecimal
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.advance(1)
		if c := p.peek(); c == '+' || c == '-' {
			p.advance(1)
		}
		if digits() == 0 {
			return nil, p.errorf("bad exponent")
		}
		dt = XSDDouble
	}
	if intDigits+fracDigits == 0 {
		return nil, p.errorf("bad number %q", clip(p.src[start:p.pos], 32))
	}
	return ld.NewLiteral(p.src[start:p.pos], dt, ""), nil
}

func isSpace(c byte) bool      { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isHex(c byte) bool        { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func validPrefixName(s string) bool {
	if s == "" {
		return true
	}
	if !isLetterByte(s[0]) && s[0] < 0x80 {
		return false
	}
	return !strings.HasSuffix(s, ".") && !strings.ContainsAny(s, " \t<>\"")
}
