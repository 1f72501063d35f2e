package publiccode

import (
	"errors"
	"strings"
)

// INTERLINK licence categories, from the most open to the most restrictive.
var categoryRank = map[string]int{"public_domain": 0, "permissive": 1, "copyleft": 2, "non_commercial": 3}

var rankCategory = []string{"public_domain", "permissive", "copyleft", "non_commercial"}

// LicenceCategory derives INTERLINK's coarse licence category from an SPDX
// licence expression: "copyleft" for the GPL, AGPL, LGPL, MPL, EUPL, EPL,
// CDDL, OSL, CeCILL (but CeCILL-B) and CC BY-SA families; "permissive" for
// MIT, Apache, BSD, ISC, Zlib, BSL, CC BY and the like; "public_domain" for
// CC0 and the Unlicense; "non_commercial" for the CC BY-NC family. In an
// expression, OR takes the most open choice (the licensee picks) and AND the
// most restrictive; WITH exceptions and "+" keep the licence's category. It
// returns "" for an expression with an unknown licence (LicenseRef-..., a
// proprietary licence) where that licence decides, and an error when the
// expression is malformed.
func LicenceCategory(expr string) (string, error) {
	p := &spdxParser{tokens: spdxTokens(expr)}
	if len(p.tokens) == 0 {
		return "", errors.New("the licence expression is empty")
	}
	rank, err := p.or(0)
	if err != nil {
		return "", err
	}
	if p.pos != len(p.tokens) {
		return "", errors.New("unexpected " + p.tokens[p.pos] + " in the licence expression")
	}
	if rank < 0 {
		return "", nil
	}
	return rankCategory[rank], nil
}

func spdxTokens(expr string) []string {
	expr = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(expr)
	return strings.Fields(expr)
}

type spdxParser struct {
	tokens []string
	pos    int
}

const maxSPDXDepth = 32

func (p *spdxParser) peek() string {
	if p.pos < len(p.tokens) {
		return p.tokens[p.pos]
	}
	return ""
}

// or parses term (OR term)*: the lowest known rank; unknown (-1) only when
// every alternative is unknown.
func (p *spdxParser) or(depth int) (int, error) {
	best, err := p.and(depth)
	if err != nil {
		return 0, err
	}
	for strings.EqualFold(p.peek(), "OR") {
		p.pos++
		r, err := p.and(depth)
		if err != nil {
			return 0, err
		}
		if best < 0 || (r >= 0 && r < best) {
			best = r
		}
	}
	return best, nil
}

// and parses factor (AND factor)*: the highest rank; unknown when any is.
func (p *spdxParser) and(depth int) (int, error) {
	worst, err := p.factor(depth)
	if err != nil {
		return 0, err
	}
	for strings.EqualFold(p.peek(), "AND") {
		p.pos++
		r, err := p.factor(depth)
		if err != nil {
			return 0, err
		}
		if worst >= 0 && (r < 0 || r > worst) {
			worst = r
		}
	}
	return worst, nil
}

func (p *spdxParser) factor(depth int) (int, error) {
	if depth > maxSPDXDepth {
		return 0, errors.New("the licence expression nests too deeply")
	}
	tok := p.peek()
	switch {
	case tok == "":
		return 0, errors.New("the licence expression ends where a licence is expected")
	case tok == "(":
		p.pos++
		r, err := p.or(depth + 1)
		if err != nil {
			return 0, err
		}
		if p.peek() != ")" {
			return 0, errors.New("a parenthesis of the licence expression is not closed")
		}
		p.pos++
		return r, nil
	case tok == ")" || isOperator(tok):
		return 0, errors.New("unexpected " + tok + " in the licence expression")
	}
	p.pos++
	r := licenceRank(tok)
	if strings.EqualFold(p.peek(), "WITH") {
		p.pos++
		if exc := p.peek(); exc == "" || exc == "(" || exc == ")" || isOperator(exc) {
			return 0, errors.New("WITH must be followed by an exception id")
		}
		p.pos++
	}
	return r, nil
}

func isOperator(tok string) bool {
	return strings.EqualFold(tok, "AND") || strings.EqualFold(tok, "OR") || strings.EqualFold(tok, "WITH")
}

// licenceRank classifies one SPDX licence id; -1 when unknown.
func licenceRank(id string) int {
	id = strings.ToUpper(strings.TrimSuffix(id, "+"))
	switch {
	case id == "CC0-1.0" || id == "UNLICENSE" || id == "PDDL-1.0":
		return categoryRank["public_domain"]
	case strings.HasPrefix(id, "CC-BY-NC"):
		return categoryRank["non_commercial"]
	case strings.HasPrefix(id, "CC-BY-ND"):
		return -1
	case strings.HasPrefix(id, "CC-BY-SA-"):
		return categoryRank["copyleft"]
	case id == "CECILL-B":
		return categoryRank["permissive"]
	}
	for _, prefix := range []string{"GPL-", "AGPL-", "LGPL-", "MPL-", "EUPL-", "EPL-", "CDDL-", "OSL-", "CECILL-", "ODBL-"} {
		if strings.HasPrefix(id, prefix) {
			return categoryRank["copyleft"]
		}
	}
	switch id {
	case "MIT", "MIT-0", "ISC", "ZLIB", "BSL-1.0", "X11", "POSTGRESQL", "PYTHON-2.0", "ARTISTIC-2.0", "UPL-1.0",
		"NCSA", "0BSD", "WTFPL", "UNICODE-DFS-2016", "BLUEOAK-1.0.0", "AFL-3.0":
		return categoryRank["permissive"]
	}
	for _, prefix := range []string{"APACHE-", "BSD-", "CC-BY-"} {
		if strings.HasPrefix(id, prefix) {
			return categoryRank["permissive"]
		}
	}
	return -1
}
