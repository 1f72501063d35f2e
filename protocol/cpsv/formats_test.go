package cpsv

import (
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
)

// TestTurtleRoundTrip exports as Turtle and imports the Turtle: the same
// entities come back as through JSON-LD.
func TestTurtleRoundTrip(t *testing.T) {
	minimal := &protocol.PublicService{Type: protocol.KindPublicService, IRI: "https://node.example/s/2", Identifier: "2",
		Title: protocol.Text{"lv": "Pakalpojums"}, Description: protocol.Text{"lv": "Apraksts \"quoted\"\nline"}, CompetentAuthority: "urn:lv:varam"}
	cases := map[string]struct {
		services []*protocol.PublicService
		orgs     []*protocol.Organisation
	}{
		"every field":        {[]*protocol.PublicService{fullService()}, fullOrgs()},
		"mandatory fields":   {[]*protocol.PublicService{minimal}, nil},
		"several services":   {[]*protocol.PublicService{fullService(), minimal}, fullOrgs()[:1]},
		"organisations only": {nil, fullOrgs()},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ttl, err := ExportAs(FormatTurtle, c.services, c.orgs, "https://node.example")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(ttl), "@prefix ") {
				t.Errorf("the Turtle starts with %q", string(ttl[:min(len(ttl), 40)]))
			}
			services, orgs, err := ImportTurtle(ttl)
			if err != nil {
				t.Fatalf("ImportTurtle: %v\n%s", err, ttl)
			}
			want, wantOrgs, err := Import(mustExport(t, c.services, c.orgs))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(services, want) || !reflect.DeepEqual(orgs, wantOrgs) {
				t.Errorf("Turtle and JSON-LD import differ:\n got %s %s\nwant %s %s\n%s", mustJSON(t, services), mustJSON(t, orgs),
					mustJSON(t, want), mustJSON(t, wantOrgs), ttl)
			}

			x, err := ExportAs(FormatRDFXML, c.services, c.orgs, "https://node.example")
			if err != nil {
				t.Fatal(err)
			}
			dec := xml.NewDecoder(strings.NewReader(string(x)))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("the RDF/XML is not XML: %v\n%s", err, x)
				}
			}
			if !strings.Contains(string(x), "<rdf:RDF xmlns:rdf=") || (len(c.services) > 0 && !strings.Contains(string(x), "http://purl.org/vocab/cpsv#PublicService")) {
				t.Errorf("RDF/XML:\n%s", x)
			}
		})
	}
}

func mustExport(t *testing.T, s []*protocol.PublicService, o []*protocol.Organisation) []byte {
	t.Helper()
	doc, err := Export(s, o, "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestImportOfficialTurtle reads the official example's Turtle form into the
// same entities as its JSON-LD form.
func TestImportOfficialTurtle(t *testing.T) {
	fromTTL, orgsTTL, err := ImportTurtle(readShared(t, "standards/cpsv-ap/3.2.0/example-rdf_public_service.ttl"))
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, orgsJSON, err := Import(readShared(t, exampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(fromTTL) != 1 || !reflect.DeepEqual(fromTTL, fromJSON) || !reflect.DeepEqual(orgsTTL, orgsJSON) {
		t.Errorf("Turtle:\n%s %s\nJSON-LD:\n%s %s", mustJSON(t, fromTTL), mustJSON(t, orgsTTL), mustJSON(t, fromJSON), mustJSON(t, orgsJSON))
	}
}

func TestImportTurtleSyntaxError(t *testing.T) {
	_, _, err := ImportTurtle([]byte("@prefix ex: <http://e/> .\nex:a ex:b"))
	ve, ok := errors.AsType[*protocol.ValidationError](err)
	if !ok || len(ve.Errors) != 1 || ve.Errors[0].Rule != "syntax" || !strings.Contains(ve.Errors[0].Field, "line 2") {
		t.Errorf("err = %v", err)
	}
}

func TestFormatFor(t *testing.T) {
	for mt, want := range map[string]Format{"text/turtle": FormatTurtle, "application/rdf+xml": FormatRDFXML,
		"application/ld+json": FormatJSONLD, "text/html": ""} {
		if got := FormatFor(mt); got != want {
			t.Errorf("FormatFor(%q) = %q", mt, got)
		}
		if want != "" && FormatFor(want.MediaType()) != want {
			t.Errorf("%s: media type %s does not map back", want, want.MediaType())
		}
	}
}
