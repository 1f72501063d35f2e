package cpsv

import (
	"strings"
	"sync"
)

// ContextURL is the official JSON-LD context of CPSV-AP 3.2.0.
const ContextURL = "https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld"

// IsContextURL reports whether s names the official CPSV-AP 3.2.0 context
// (https or http).
func IsContextURL(s string) bool {
	return s == ContextURL || s == "http"+strings.TrimPrefix(ContextURL, "https")
}

// The namespaces CPSV-AP 3.2.0 uses, and the prefixes Export declares.
var prefixes = [][2]string{
	{"cpsv", "http://purl.org/vocab/cpsv#"},
	{"cv", "http://data.europa.eu/m8g/"},
	{"dct", "http://purl.org/dc/terms/"},
	{"dcat", "http://www.w3.org/ns/dcat#"},
	{"skos", "http://www.w3.org/2004/02/skos/core#"},
	{"locn", "http://www.w3.org/ns/locn#"},
	{"org", "http://www.w3.org/ns/org#"},
	{"foaf", "http://xmlns.com/foaf/0.1/"},
	{"schema", "https://schema.org/"},
	{"time", "http://www.w3.org/2006/time#"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
	{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
	{"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
	{"adms", "http://www.w3.org/ns/adms#"},
	{"eli", "http://data.europa.eu/eli/ontology#"},
	{"a4g", "http://data.europa.eu/a4g/ontology#"},
	{"ilk", Namespace},
}

// Namespace is the namespace of the interlink federation's own terms
// (co-production, interlinkers used, adoption, organisation kind), which
// CPSV-AP does not have.
const Namespace = "https://w3id.org/interlink/ns#"

// expandPrefixed turns "cv:Channel" into the full IRI.
func expandPrefixed(s string) string {
	p, local, ok := strings.Cut(s, ":")
	if !ok {
		return s
	}
	for _, pair := range prefixes {
		if pair[0] == p {
			return pair[1] + local
		}
	}
	return s
}

// termDef is one term of the official context: its IRI and type coercion
// ("@id", a datatype IRI, or "" for none).
type termDef struct {
	IRI  string
	Type string
}

// officialTerms is the term table of the official context, built once.
var officialTerms = sync.OnceValue(func() map[string]*termDef {
	m := make(map[string]*termDef, len(contextTerms))
	for _, t := range contextTerms {
		def := &termDef{IRI: expandPrefixed(t.iri)}
		if t.typ != "" {
			def.Type = t.typ
			if t.typ != "@id" {
				def.Type = expandPrefixed(t.typ)
			}
		}
		m[t.term] = def
	}
	return m
})

// contextTerms are the term definitions of the official CPSV-AP 3.2.0
// JSON-LD context (ContextURL; © European Union, CC BY 4.0) that the
// importer needs: every class term, and the property terms of the classes it
// reads (PublicService, PublicOrganization, Channel, Cost, Output,
// Requirement, Evidence, EvidenceType, ContactPoint, TemporalEntity, Agent),
// each with its IRI and type coercion. The official context has no prefixes
// and no @vocab; its @container declarations (@set) change nothing in
// expansion and are left out. The test TestContextTermsMatchOfficial checks
// this table against the official file.
var contextTerms = []struct{ term, iri, typ string }{
	{"Address", "locn:Address", ""},
	{"Agent", "foaf:Agent", ""},
	{"Agent.address", "locn:address", "@id"},
	{"Agent.identifier", "dct:identifier", ""},
	{"Agent.name", "dct:title", "rdf:langString"},
	{"Agent.participates", "cv:participates", "@id"},
	{"BusinessEvent", "cv:BusinessEvent", ""},
	{"Channel", "cv:Channel", ""},
	{"Channel.availabilityRestriction", "cv:specialOpeningHoursSpecification", "@id"},
	{"Channel.description", "dct:description", "rdf:langString"},
	{"Channel.hasInput", "cpsv:hasInput", "@id"},
	{"Channel.identifier", "dct:identifier", ""},
	{"Channel.openingHours", "cv:openingHours", "@id"},
	{"Channel.ownedBy", "cv:ownedBy", "@id"},
	{"Channel.processingTime", "cv:processingTime", "xsd:duration"},
	{"Channel.type", "dct:type", "@id"},
	{"Code", "skos:Concept", ""},
	{"Collection", "skos:Collection", ""},
	{"Concept", "skos:Concept", ""},
	{"ConcessionContract", "a4g:ConcessionContract", ""},
	{"ContactPoint", "cv:ContactPoint", ""},
	{"ContactPoint.availabilityRestriction", "cv:specialOpeningHoursSpecification", "@id"},
	{"ContactPoint.contactPage", "cv:contactPage", "@id"},
	{"ContactPoint.hasEmail", "cv:email", ""},
	{"ContactPoint.hasTelephone", "cv:telephone", ""},
	{"ContactPoint.openingHours", "cv:openingHours", "@id"},
	{"Cost", "cv:Cost", ""},
	{"Cost.currency", "cv:currency", "@id"},
	{"Cost.description", "dct:description", "rdf:langString"},
	{"Cost.hasValue", "cv:hasValue", "xsd:double"},
	{"Cost.identifier", "dct:identifier", ""},
	{"Cost.ifAccessedThrough", "cv:ifAccessedThrough", "@id"},
	{"Cost.isDefinedBy", "cv:isDefinedBy", "@id"},
	{"Dataset", "dcat:Dataset", ""},
	{"Document", "foaf:Document", ""},
	{"Double", "xsd:double", ""},
	{"Duration", "xsd:duration", ""},
	{"Event", "cv:Event", ""},
	{"Evidence", "cv:Evidence", ""},
	{"Evidence.description", "dct:description", "rdf:langString"},
	{"Evidence.identifier", "dct:identifier", ""},
	{"Evidence.isConformantTo", "dct:conformsTo", "@id"},
	{"Evidence.isPartOf", "dct:isPartOf", "@id"},
	{"Evidence.language", "dct:language", "@id"},
	{"Evidence.name", "dct:title", "rdf:langString"},
	{"Evidence.relatedDocumentation", "foaf:page", "@id"},
	{"Evidence.supportsRequirement", "cv:supportsRequirement", "@id"},
	{"Evidence.type", "dct:type", "@id"},
	{"EvidenceType", "cv:EvidenceType", ""},
	{"EvidenceType.evidenceTypeClassification", "cv:evidenceTypeClassification", "@id"},
	{"EvidenceType.identifier", "dct:identifier", ""},
	{"LegalResource", "eli:LegalResource", ""},
	{"LifeEvent", "cv:LifeEvent", ""},
	{"LinguisticSystem", "dct:LinguisticSystem", ""},
	{"Literal", "rdfs:Literal", ""},
	{"Location", "dct:Location", ""},
	{"Organization", "org:Organization", ""},
	{"Output", "cv:Output", ""},
	{"Output.description", "dct:description", "rdf:langString"},
	{"Output.identifier", "dct:identifier", ""},
	{"Output.isPartOf", "dct:isPartOf", "@id"},
	{"Output.language", "dct:language", "@id"},
	{"Output.name", "dct:title", "rdf:langString"},
	{"Output.type", "dct:type", "@id"},
	{"Participation", "cv:Participation", ""},
	{"PublicOrganization", "cv:PublicOrganisation", ""},
	{"PublicOrganization.preferredLabel", "skos:prefLabel", "rdf:langString"},
	{"PublicOrganization.spatial", "dct:spatial", "@id"},
	{"PublicService", "cpsv:PublicService", ""},
	{"PublicService.addressee", "dct:audience", "@id"},
	{"PublicService.contactPoint", "cv:contactPoint", "@id"},
	{"PublicService.description", "dct:description", "rdf:langString"},
	{"PublicService.follows", "cpsv:follows", "@id"},
	{"PublicService.functionsOfGovernment", "dct:type", "@id"},
	{"PublicService.hasChannel", "cv:hasChannel", "@id"},
	{"PublicService.hasCompetentAuthority", "cv:hasCompetentAuthority", "@id"},
	{"PublicService.hasCost", "cv:hasCost", "@id"},
	{"PublicService.hasInput", "cpsv:hasInput", "@id"},
	{"PublicService.hasInputType", "cv:hasInputType", "@id"},
	{"PublicService.hasLegalResource", "cv:hasLegalResource", "@id"},
	{"PublicService.hasParticipation", "cv:hasParticipation", "@id"},
	{"PublicService.holdsRequirement", "cv:holdsRequirement", "@id"},
	{"PublicService.identifier", "dct:identifier", ""},
	{"PublicService.isClassifiedBy", "cv:isClassifiedBy", "@id"},
	{"PublicService.isGroupedBy", "cv:isGroupedBy", "@id"},
	{"PublicService.isPartOf", "dct:isPartOf", "@id"},
	{"PublicService.keyword", "dcat:keyword", "rdf:langString"},
	{"PublicService.language", "dct:language", "@id"},
	{"PublicService.name", "dct:title", "rdf:langString"},
	{"PublicService.processingTime", "cv:processingTime", "xsd:duration"},
	{"PublicService.produces", "cpsv:produces", "@id"},
	{"PublicService.relatedService", "cv:relatedService", "@id"},
	{"PublicService.requires", "dct:requires", "@id"},
	{"PublicService.sector", "cv:sector", "@id"},
	{"PublicService.spatial", "dct:spatial", "@id"},
	{"PublicService.status", "adms:status", "@id"},
	{"PublicService.thematicArea", "cv:thematicArea", "@id"},
	{"Requirement", "cv:Requirement", ""},
	{"Requirement.fulfils", "cv:fulfils", "@id"},
	{"Requirement.hasSupportingEvidence", "cv:hasSupportingEvidence", "@id"},
	{"Requirement.identifier", "dct:identifier", ""},
	{"Requirement.name", "dct:title", "rdf:langString"},
	{"Requirement.type", "dct:type", "@id"},
	{"Rule", "cpsv:Rule", ""},
	{"ServiceConcessionContract", "cv:ServiceConcessionContract", ""},
	{"TemporalEntity", "time:TemporalEntity", ""},
	{"TemporalEntity.description", "dct:description", "rdf:langString"},
	{"TemporalEntity.frequency", "cv:frequency", "@id"},
	{"Text", "rdf:langString", ""},
}
