package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
)

// newEntity returns an empty entity of the given kind.
func newEntity(kind Kind) (Entity, bool) {
	switch kind {
	case KindInterlinker:
		return &Interlinker{}, true
	case KindPublicService:
		return &PublicService{}, true
	case KindOrganisation:
		return &Organisation{}, true
	case KindProblemProfile:
		return &ProblemProfile{}, true
	case KindCoproductionSchema:
		return &CoproductionSchema{}, true
	case KindAdoption:
		return &Adoption{}, true
	case KindRating:
		return &Rating{}, true
	}
	return nil, false
}

// DecodeEntity decodes one entity from its JSON and validates it. The
// "type" member picks the kind. Decoding is strict (see DecodeStrict):
// invalid UTF-8, duplicate keys, nesting deeper than MaxJSONDepth, unknown
// members and values of the wrong JSON type are all refused.
//
// Errors: one wrapping ErrMalformedJSON when raw is not one JSON value;
// otherwise a *ValidationError — "type" with rule "required",
// "type" or "enum" when the kind is missing, not a string or unknown; the
// failures of DecodeStrict; or those of the entity's Validate.
func DecodeEntity(raw []byte) (Entity, error) {
	ve := &ValidationError{}
	doc, err := scanJSON(raw, ve)
	if err != nil {
		return nil, err
	}
	if len(ve.Errors) > 0 {
		return nil, ve
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		ve.Add(RootField, "type", "must be a JSON object, not %s", jsonTypeOf(doc))
		return nil, ve
	}
	var kind Kind
	switch t := obj["type"].(type) {
	case nil:
		ve.Add("type", "required", "is required")
		return nil, ve
	case string:
		kind = Kind(t)
	default:
		ve.Add("type", "type", "must be a JSON string, not %s", jsonTypeOf(t))
		return nil, ve
	}
	e, ok := newEntity(kind)
	if !ok {
		ve.Add("type", "enum", "%q is not a known type", Clip(string(kind), 64))
		return nil, ve
	}
	ve.Kind = kind
	if err := decodeChecked(raw, doc, e, ve); err != nil {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

// EncodeEntity returns the canonical JSON of an entity: encoding/json's
// rendering of the struct (fields in declaration order, map keys sorted,
// HTML characters escaped), the form that is stored and signed.
func EncodeEntity(e Entity) ([]byte, error) {
	if e == nil {
		return nil, errors.New("protocol: encode entity: nil entity")
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("protocol: encode %s: %w", e.Kind(), err)
	}
	if string(b) == "null" {
		return nil, fmt.Errorf("protocol: encode %s: nil entity", e.Kind())
	}
	return b, nil
}

// KeyField is the JSON field that holds an entity's natural key:
// identifier for a public service, key for every other kind.
func KeyField(k Kind) string {
	if k == KindPublicService {
		return "identifier"
	}
	return "key"
}
