package protocol

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
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
	case KindStory:
		return &Story{}, true
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
	// The kind picks the shape the bytes are checked against: read it
	// first (from bytes not yet checked: if they are not JSON, or break a
	// rule of the bytes, that is what the checks report).
	var kindRaw []byte
	for k, v := range strictjson.Members(raw) {
		if string(k) == "type" {
			kindRaw = v
			break
		}
	}
	kind, kindOK := strictjson.String(kindRaw)
	e, known := newEntity(Kind(kind))
	known = known && kindOK
	var errs []*strictjson.Error
	if known {
		errs = strictjson.DecodeAll(raw, e, strictOptions) // e is decoded when there is no failure
	} else {
		errs = strictjson.CheckAll(raw, strictjson.Any, strictOptions)
	}
	ve := &ValidationError{}
	if len(errs) > 0 && (errs[0].Rule.Fatal() || errs[0].Rule.Byte()) {
		return nil, addJSONErrors(ve, errs)
	}
	if i := skipSpace(raw); raw[i] != '{' {
		ve.Add(RootField, "type", "must be a JSON object, not %s", jsonTypeAt(raw[i]))
		return nil, ve
	}
	switch {
	case kindRaw == nil || strictjson.IsNull(kindRaw):
		ve.Add("type", "required", "is required")
		return nil, ve
	case !kindOK:
		ve.Add("type", "type", "must be a JSON string, not %s", jsonTypeAt(kindRaw[0]))
		return nil, ve
	case !known:
		ve.Add("type", "enum", "%q is not a known type", Clip(kind, 64))
		return nil, ve
	}
	ve.Kind = Kind(kind)
	if len(errs) > 0 {
		return nil, addJSONErrors(ve, errs)
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

// skipSpace returns the index of the first byte of raw that is not JSON
// white space.
func skipSpace(raw []byte) int {
	i := 0
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
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
