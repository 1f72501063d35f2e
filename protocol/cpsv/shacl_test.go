package cpsv

import (
	"testing"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/rdf/shacltest"
)

const shapesFile = "standards/cpsv-ap/3.2.0/cpsv-ap-SHACL.ttl"

// TestExportsConformToSHACL validates the Turtle and RDF/XML exports
// against the official CPSV-AP 3.2.0 shapes with an independent validator:
// no violation but class constraints on code-list concepts named by IRI
// (EU authority tables, NUTS codes) that the export does not describe.
func TestExportsConformToSHACL(t *testing.T) {
	shapes := sharedData(t, shapesFile)
	minimal := &protocol.PublicService{Type: protocol.KindPublicService, IRI: "https://node.example/s/2", Identifier: "2",
		Title: protocol.Text{"lv": "Pakalpojums"}, Description: protocol.Text{"lv": "Apraksts"}, CompetentAuthority: "urn:lv:varam"}
	services := []*protocol.PublicService{fullService(), minimal}
	ttl, err := ExportAs(FormatTurtle, services, fullOrgs(), "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	xml, err := ExportAs(FormatRDFXML, services, fullOrgs(), "https://node.example")
	if err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string]string{"Turtle": shacltest.WriteTemp(t, "export.ttl", ttl), "RDF/XML": shacltest.WriteTemp(t, "export.rdf", xml)} {
		rep := shacltest.Validate(t, shapes, file)
		if rep.Triples < 50 {
			t.Errorf("%s: the validator read %d triples", name, rep.Triples)
		}
		for _, v := range rep.Violations() {
			t.Errorf("%s: %s", name, v)
		}
	}
}

// TestSHACLCheckSeesViolations keeps the check honest: the official example
// has its six undescribed concepts and nothing else, and a service without
// a title or competent authority is reported.
func TestSHACLCheckSeesViolations(t *testing.T) {
	shapes := sharedData(t, shapesFile)
	rep := shacltest.Validate(t, shapes, sharedData(t, "standards/cpsv-ap/3.2.0/example-rdf_public_service.ttl"))
	if len(rep.Results) != 6 || len(rep.Violations()) != 0 {
		t.Errorf("official example: %d results, violations %v", len(rep.Results), rep.Violations())
	}
	bad := []byte(`@prefix cpsv: <http://purl.org/vocab/cpsv#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://node.example/s/1> a cpsv:PublicService ; dct:identifier "1" ; dct:description "no title"@en .
`)
	rep = shacltest.Validate(t, shapes, shacltest.WriteTemp(t, "bad.ttl", bad))
	if len(rep.Violations()) < 2 {
		t.Errorf("a service without title and competent authority: %v", rep.Results)
	}
}
