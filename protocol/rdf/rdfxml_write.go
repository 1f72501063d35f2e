package rdf

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/piprate/json-gold/ld"
)

// WriteRDFXML writes the dataset as RDF/XML: one rdf:Description per
// subject (in the order of WriteTurtle) (rdf:about, or rdf:nodeID for a blank node), each property an
// element of its namespace (the given prefixes, else ns1, ns2, ... cut at
// the IRI's last '#' or '/'), objects as rdf:resource, rdf:nodeID or text
// with xml:lang or rdf:datatype. A predicate that cannot be written as an
// XML name is an error.
func WriteRDFXML(w io.Writer, ds *ld.RDFDataset, prefixes []Prefix, first ...string) error {
	s := group(ds, first)
	ns := &namespaces{byIRI: map[string]string{}, names: map[string]bool{"rdf": true, "xml": true}}
	for _, p := range prefixes {
		if p.Name != "rdf" && p.Name != "xml" && !ns.names[p.Name] && p.Name != "" {
			ns.known = append(ns.known, p)
			ns.names[p.Name] = true
		}
	}
	var body strings.Builder
	for _, subj := range s.order {
		if strings.HasPrefix(subj, "_:") {
			fmt.Fprintf(&body, "  <rdf:Description rdf:nodeID=\"%s\">\n", blankLabel(subj))
		} else {
			fmt.Fprintf(&body, "  <rdf:Description rdf:about=\"%s\">\n", attr(subj))
		}
		for _, q := range s.props[subj] {
			name, err := ns.qname(q.Predicate.GetValue())
			if err != nil {
				return err
			}
			switch o := q.Object.(type) {
			case ld.Literal:
				switch {
				case o.Language != "":
					fmt.Fprintf(&body, "    <%s xml:lang=\"%s\">%s</%s>\n", name, attr(o.Language), text(o.Value), name)
				case o.Datatype == "" || o.Datatype == XSDString:
					fmt.Fprintf(&body, "    <%s>%s</%s>\n", name, text(o.Value), name)
				default:
					fmt.Fprintf(&body, "    <%s rdf:datatype=\"%s\">%s</%s>\n", name, attr(o.Datatype), text(o.Value), name)
				}
			default:
				if ld.IsBlankNode(q.Object) {
					fmt.Fprintf(&body, "    <%s rdf:nodeID=\"%s\"/>\n", name, blankLabel(nodeKey(q.Object)))
				} else {
					fmt.Fprintf(&body, "    <%s rdf:resource=\"%s\"/>\n", name, attr(q.Object.GetValue()))
				}
			}
		}
		body.WriteString("  </rdf:Description>\n")
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF xmlns:rdf=\"" + RDFNS + "\"")
	for _, p := range ns.used {
		fmt.Fprintf(bw, "\n    xmlns:%s=\"%s\"", p.Name, attr(p.IRI))
	}
	bw.WriteString(">\n")
	bw.WriteString(body.String())
	bw.WriteString("</rdf:RDF>\n")
	return bw.Flush()
}

// namespaces hands out the XML prefixes of predicate namespaces.
type namespaces struct {
	known []Prefix
	used  []Prefix
	byIRI map[string]string
	names map[string]bool
}

// qname splits a predicate IRI into prefix:local.
func (n *namespaces) qname(iri string) (string, error) {
	if local, ok := strings.CutPrefix(iri, RDFNS); ok && ncName(local) {
		return "rdf:" + local, nil
	}
	for _, p := range n.known {
		if local, ok := strings.CutPrefix(iri, p.IRI); ok && ncName(local) {
			n.use(p)
			return p.Name + ":" + local, nil
		}
	}
	cut := strings.LastIndexAny(iri, "#/")
	if cut < 0 || !ncName(iri[cut+1:]) {
		// The local name may start after a run of name characters.
		cut = len(iri)
		for cut > 0 && ncChar(rune(iri[cut-1])) {
			cut--
		}
		for cut < len(iri) && !ncStart(rune(iri[cut])) {
			cut++
		}
		if cut == 0 || cut >= len(iri) {
			return "", fmt.Errorf("rdf: the predicate <%s> cannot be written as an XML name", clip(iri, 200))
		}
		cut-- // keep the index of the last namespace character
	}
	nsIRI, local := iri[:cut+1], iri[cut+1:]
	name, ok := n.byIRI[nsIRI]
	if !ok {
		for i := len(n.used) + 1; ; i++ {
			name = fmt.Sprintf("ns%d", i)
			if !n.names[name] {
				break
			}
		}
		n.names[name] = true
	}
	n.use(Prefix{Name: name, IRI: nsIRI})
	return name + ":" + local, nil
}

func (n *namespaces) use(p Prefix) {
	if _, ok := n.byIRI[p.IRI]; ok {
		return
	}
	n.byIRI[p.IRI] = p.Name
	n.used = append(n.used, p)
}

// ncName accepts XML NCNames of ASCII and letters (no ':').
func ncName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if i == 0 && !ncStart(c) || !ncChar(c) {
			return false
		}
	}
	return true
}

func ncStart(c rune) bool { return c == '_' || unicode.IsLetter(c) }

func ncChar(c rune) bool {
	return ncStart(c) || c == '-' || c == '.' || unicode.IsDigit(c)
}

func attr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func text(s string) string { return attr(s) }
