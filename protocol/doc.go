// Package protocol is the language interlink nodes speak: the domain model
// (Interlinker, PublicService, Organisation, ProblemProfile,
// CoproductionSchema, Adoption, Rating), its validation, and the codecs of
// the standards it exchanges (INTERLINK metadata.json, CPSV-AP 3.2.0 JSON-LD,
// publiccode.yml). It is pure code: no network, no disk, no clock except the
// one a caller passes in.
package protocol
