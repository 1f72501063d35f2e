// Package cpsv reads and writes CPSV-AP 3.2.0 (the Core Public Service
// Vocabulary Application Profile of the European Commission's SEMIC):
// Export renders PublicService and Organisation entities as a CPSV-AP
// JSON-LD document any JSON-LD processor reads, ExportAs the same as Turtle
// or RDF/XML; Import (JSON-LD) and ImportTurtle read the documents
// publishers write (the official example included) back into entities.
//
// JSON-LD is processed by github.com/piprate/json-gold. Nothing is fetched
// from the network: the official context is rebuilt from the terms embedded
// in the binary (contextTerms) and served by a loader that refuses every
// other URL (graph.go). Turtle and RDF/XML go through protocol/rdf.
//
// The federation's own links, which CPSV-AP lacks, live in the namespace
// Namespace (prefix "ilk"): ilk:coproducedBy, ilk:usesInterlinker,
// ilk:isInstanceOf on a service, and the organisation kinds as dct:type
// values (ilk:public_administration, ilk:citizen_group, ilk:non_profit,
// ilk:for_profit).
package cpsv

// The classes and properties the codec reads and writes, as full IRIs
// (checked against the official vocabulary cpsv-ap.ttl and SHACL shapes).
const (
	iriPublicService      = "http://purl.org/vocab/cpsv#PublicService"
	iriPublicOrganisation = "http://data.europa.eu/m8g/PublicOrganisation"
	iriOrgOrganization    = "http://www.w3.org/ns/org#Organization"

	iriIdentifier          = "http://purl.org/dc/terms/identifier"
	iriTitle               = "http://purl.org/dc/terms/title"
	iriDescription         = "http://purl.org/dc/terms/description"
	iriType                = "http://purl.org/dc/terms/type"
	iriLanguage            = "http://purl.org/dc/terms/language"
	iriSpatial             = "http://purl.org/dc/terms/spatial"
	iriHasCompetentAuth    = "http://data.europa.eu/m8g/hasCompetentAuthority"
	iriKeyword             = "http://www.w3.org/ns/dcat#keyword"
	iriThematicArea        = "http://data.europa.eu/m8g/thematicArea"
	iriHasChannel          = "http://data.europa.eu/m8g/hasChannel"
	iriHasCost             = "http://data.europa.eu/m8g/hasCost"
	iriProduces            = "http://purl.org/vocab/cpsv#produces"
	iriHoldsRequirement    = "http://data.europa.eu/m8g/holdsRequirement"
	iriHasInput            = "http://purl.org/vocab/cpsv#hasInput"
	iriContactPoint        = "http://data.europa.eu/m8g/contactPoint"
	iriProcessingTime      = "http://data.europa.eu/m8g/processingTime"
	iriHasValue            = "http://data.europa.eu/m8g/hasValue"
	iriCurrency            = "http://data.europa.eu/m8g/currency"
	iriSupportingEvidence  = "http://data.europa.eu/m8g/hasSupportingEvidence"
	iriPage                = "http://xmlns.com/foaf/0.1/page"
	iriEmail               = "http://data.europa.eu/m8g/email"
	iriTelephone           = "http://data.europa.eu/m8g/telephone"
	iriContactPage         = "http://data.europa.eu/m8g/contactPage"
	iriOpeningHours        = "http://data.europa.eu/m8g/openingHours"
	iriSpecialOpeningHours = "http://data.europa.eu/m8g/specialOpeningHoursSpecification"
	iriPrefLabel           = "http://www.w3.org/2004/02/skos/core#prefLabel"
	iriHomepage            = "http://xmlns.com/foaf/0.1/homepage"
	iriMbox                = "http://xmlns.com/foaf/0.1/mbox"
	iriFoafName            = "http://xmlns.com/foaf/0.1/name"
	iriAddress             = "http://www.w3.org/ns/locn#address"
	iriAdminUnitL2         = "http://www.w3.org/ns/locn#adminUnitL2"
	iriPostName            = "http://www.w3.org/ns/locn#postName"

	iriCoproducedBy     = Namespace + "coproducedBy"
	iriUsesInterlinker  = Namespace + "usesInterlinker"
	iriIsInstanceOf     = Namespace + "isInstanceOf"
	iriRDFLangString    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
	iriXSDString        = "http://www.w3.org/2001/XMLSchema#string"
	undeterminedLangTag = "und"
)
