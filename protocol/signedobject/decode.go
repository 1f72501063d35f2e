package signedobject

import (
	"encoding/json"
	"reflect"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// The JSON of a JWS is checked by the node's one strict decoder
// (protocol/strictjson) against the Go type it is read into: invalid UTF-8,
// duplicate keys (the last one would win, so two parsers could disagree on
// what was signed), nesting deeper than protocol.MaxJSONDepth, members a
// type does not name and names in another case ("Alg" for "alg") are all
// refused as ErrMalformed. The envelope and the headers are then read from
// the checked bytes (strictjson.Members): json.Unmarshal would walk the
// envelope, mostly one long base64url string, several more times.

var (
	// envelopeShape is rawEnvelope's: a flattened JWS's members, or a
	// name in another case, are unknown.
	envelopeShape = strictjson.ShapeOf(reflect.TypeFor[rawEnvelope]())
	// headerShape is a JOSE header's: any members.
	headerShape = strictjson.ShapeOf(reflect.TypeFor[map[string]json.RawMessage]())
)

// strictOptions are this package's limits: the size cap (0: none) and
// nesting at most protocol.MaxJSONDepth.
func strictOptions(maxBytes int) strictjson.Options {
	return strictjson.Options{MaxBytes: maxBytes, MaxDepth: protocol.MaxJSONDepth}
}

// decodeEnvelope checks a general-serialization JWS of at most maxBytes
// (envelopeShape) and decodes it into env as json.Unmarshal would.
func decodeEnvelope(data []byte, env *rawEnvelope, maxBytes int) error {
	if err := strictjson.Check(data, envelopeShape, strictOptions(maxBytes)); err != nil {
		return err
	}
	for key, v := range strictjson.Members(data) {
		if string(key) == "payload" {
			env.Payload = stringOrNil(v)
			continue
		}
		// "signatures", the only other member envelopeShape has.
		if strictjson.IsNull(v) {
			continue
		}
		env.Signatures = make([]rawSig, 0, 1)
		for sv := range strictjson.Elements(v) {
			var rs rawSig
			for key, v := range strictjson.Members(sv) {
				switch string(key) {
				case "protected":
					rs.Protected = stringOrNil(v)
				case "signature":
					rs.Signature = stringOrNil(v)
				default: // "header"
					// Its values outlive data: copy the header once.
					rs.Header = headerMembers(append([]byte(nil), v...))
				}
			}
			env.Signatures = append(env.Signatures, rs)
		}
	}
	return nil
}

// decodeHeader checks a JOSE header (an object, or null for a nil map) and
// decodes it; its values are slices of data.
func decodeHeader(data []byte) (map[string]json.RawMessage, error) {
	if err := strictjson.Check(data, headerShape, strictOptions(0)); err != nil {
		return nil, err
	}
	return headerMembers(data), nil
}

// headerMembers reads a checked header: nil for null.
func headerMembers(data []byte) map[string]json.RawMessage {
	if strictjson.IsNull(data) {
		return nil
	}
	hdr := make(map[string]json.RawMessage, 4)
	for key, v := range strictjson.Members(data) {
		hdr[string(key)] = v
	}
	return hdr
}

// stringOrNil reads a checked JSON string, or null as nil.
func stringOrNil(v []byte) *string {
	s, ok := strictjson.String(v)
	if !ok {
		return nil
	}
	return &s
}
