package cpsv

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/piprate/json-gold/ld"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/rdf"
)

// Format is a serialization of the CPSV-AP export.
type Format string

// The formats ExportAs writes, and their media types.
const (
	FormatJSONLD Format = "jsonld"
	FormatTurtle Format = "turtle"
	FormatRDFXML Format = "rdfxml"
)

// MediaType is the media type of a format.
func (f Format) MediaType() string {
	switch f {
	case FormatTurtle:
		return "text/turtle"
	case FormatRDFXML:
		return "application/rdf+xml"
	}
	return "application/ld+json"
}

// FormatFor picks the format of a media type ("" when none fits).
func FormatFor(mediaType string) Format {
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case "application/ld+json", "application/json":
		return FormatJSONLD
	case "text/turtle", "application/x-turtle":
		return FormatTurtle
	case "application/rdf+xml":
		return FormatRDFXML
	}
	return ""
}

// Prefixes are the namespace prefixes the exports declare.
func Prefixes() []rdf.Prefix {
	out := make([]rdf.Prefix, len(prefixes))
	for i, p := range prefixes {
		out[i] = rdf.Prefix{Name: p[0], IRI: p[1]}
	}
	return out
}

// ExportAs renders services and organisations (as Export does) in format:
// the JSON-LD itself, or its RDF (json-gold, with the embedded context)
// written as Turtle or RDF/XML.
func ExportAs(format Format, services []*protocol.PublicService, orgs []*protocol.Organisation, base string) ([]byte, error) {
	doc, err := Export(services, orgs, base)
	if err != nil || format == FormatJSONLD || format == "" {
		return doc, err
	}
	ds, err := Dataset(doc)
	if err != nil {
		return nil, err
	}
	// The subjects in the JSON-LD's order: services, then organisations.
	var order []string
	for _, s := range services {
		order = append(order, s.IRI)
	}
	for _, o := range orgs {
		order = append(order, o.IRI)
	}
	return Serialize(format, ds, Prefixes(), order...)
}

// Dataset converts a JSON-LD document whose contexts are the official
// CPSV-AP context and inline objects to RDF.
func Dataset(doc []byte) (*ld.RDFDataset, error) {
	input, err := ld.DocumentFromReader(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("cpsv: read the JSON-LD: %w", err)
	}
	ds, err := rdf.FromJSONLD(input, loader().Options())
	if err != nil {
		return nil, fmt.Errorf("cpsv: convert the JSON-LD to RDF: %w", err)
	}
	return ds, nil
}

// Serialize writes a dataset as Turtle or RDF/XML, the subjects of first
// before the others.
func Serialize(format Format, ds *ld.RDFDataset, prefixes []rdf.Prefix, first ...string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch format {
	case FormatTurtle:
		err = rdf.WriteTurtle(&buf, ds, prefixes, first...)
	case FormatRDFXML:
		err = rdf.WriteRDFXML(&buf, ds, prefixes, first...)
	default:
		return nil, fmt.Errorf("cpsv: no RDF serialization %q", format)
	}
	if err != nil {
		return nil, fmt.Errorf("cpsv: write %s: %w", format, err)
	}
	return buf.Bytes(), nil
}
