// Package rdf writes RDF datasets as Turtle and RDF/XML and reads Turtle,
// over the dataset type of github.com/piprate/json-gold (ld.RDFDataset), the
// JSON-LD processor that turns the node's JSON-LD into RDF. It also holds
// the offline document loader every JSON-LD processing of the node uses:
// contexts come from the binary, nothing is fetched.
//
// Why not a library: no maintained Go RDF library is served by the module
// proxy this project builds from (knakk/rdf is archived; goRDFlib and
// rdfgo are not served; the others handle Turtle only partly and no
// RDF/XML). Only the default graph is written; the Turtle reader is fuzzed.
package rdf

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/piprate/json-gold/ld"
)

// Well-known IRIs.
const (
	RDFNS        = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	RDFType      = RDFNS + "type"
	RDFFirst     = RDFNS + "first"
	RDFRest      = RDFNS + "rest"
	RDFNil       = RDFNS + "nil"
	RDFLangStr   = RDFNS + "langString"
	XSDNS        = "http://www.w3.org/2001/XMLSchema#"
	XSDString    = XSDNS + "string"
	XSDInteger   = XSDNS + "integer"
	XSDDecimal   = XSDNS + "decimal"
	XSDDouble    = XSDNS + "double"
	XSDBoolean   = XSDNS + "boolean"
	defaultGraph = "@default"
)

// Prefix is a namespace prefix for the writers ("dct",
// "http://purl.org/dc/terms/").
type Prefix struct{ Name, IRI string }

// ErrRemoteDocument is what Loader answers for a URL it does not hold.
var ErrRemoteDocument = errors.New("rdf: remote JSON-LD documents are never fetched")

// Loader is a JSON-LD document loader that serves documents held in memory
// (parsed JSON, by URL) and refuses every other URL with ErrRemoteDocument.
type Loader map[string]any

// Options are json-gold's options with l as the document loader.
func (l Loader) Options() *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = l
	return opts
}

// LoadDocument implements ld.DocumentLoader.
func (l Loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if doc, ok := l[u]; ok {
		return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrRemoteDocument, clip(u, 200))
}

// FromJSONLD converts a parsed JSON-LD document to an RDF dataset with
// json-gold. opts must carry a DocumentLoader (a Loader: nothing is
// fetched); a nil opts has none and is refused.
func FromJSONLD(doc any, opts *ld.JsonLdOptions) (*ld.RDFDataset, error) {
	if opts == nil || opts.DocumentLoader == nil {
		return nil, errors.New("rdf: FromJSONLD needs options with an offline document loader")
	}
	opts.Format = ""
	out, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		return nil, err
	}
	ds, ok := out.(*ld.RDFDataset)
	if !ok {
		return nil, fmt.Errorf("rdf: json-gold returned %T, not a dataset", out)
	}
	return ds, nil
}

// Triples returns the default graph's quads, and those of named graphs
// after them (the writers flatten named graphs into the default one).
func Triples(ds *ld.RDFDataset) []*ld.Quad {
	if ds == nil {
		return nil
	}
	out := append([]*ld.Quad(nil), ds.Graphs[defaultGraph]...)
	for _, name := range slices.Sorted(maps.Keys(ds.Graphs)) {
		if name != defaultGraph {
			out = append(out, ds.Graphs[name]...)
		}
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
