package rdf

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseTurtle feeds the Turtle reader arbitrary bytes. It must not
// panic; what it refuses must be a *SyntaxError; what it accepts must be
// written back by WriteTurtle (and WriteRDFXML, unless a predicate is no
// XML name) into a document it reads again to the same ground triples.
func FuzzParseTurtle(f *testing.F) {
	f.Add([]byte(sample))
	for _, s := range []string{"", "@prefix : <http://a/> . :a :b :c .", "<http://a> <http://b> ( ( ) [ ] ) .",
		"[] <http://a> \"\"\"x\"\"\"\"\" .", "BASE <http://a/> <b> <c> <d> .", "_:a <http://p> _:a .", "<http://a> <http://b> 1.5e-3, .5 ."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		ds, _, err := ParseTurtle(doc, "http://base.example/")
		if err != nil {
			if _, ok := errors.AsType[*SyntaxError](err); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		var ttl bytes.Buffer
		if err := WriteTurtle(&ttl, ds, []Prefix{{"ex", "http://a/"}}); err != nil {
			t.Fatal(err)
		}
		back, _, err := ParseTurtle(ttl.Bytes(), "")
		if err != nil {
			t.Fatalf("the written Turtle does not parse: %v\n%s", err, ttl.String())
		}
		sameGraph(t, "Turtle round trip", ds, back)
		var x bytes.Buffer
		if WriteRDFXML(&x, ds, nil) == nil {
			sameGraph(t, "RDF/XML", ds, readRDFXML(t, x.Bytes()))
		}
	})
}
