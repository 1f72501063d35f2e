package signedobject

import (
	"encoding/json"
	"fmt"
)

// decodeEnvelope decodes a general-serialization JWS into env in the same
// single pass that checks it (checkStrict's rules, envelopeShape), leaving
// env as json.Unmarshal would. The envelope is mostly its payload string,
// which json.Unmarshal would walk four more times.
func decodeEnvelope(data []byte, env *rawEnvelope) error {
	sc := scanner{data: data}
	sc.skipSpace()
	if sc.pos >= len(data) || data[sc.pos] != '{' {
		return sc.finish(sc.value(envelopeShape)) // null, or the error
	}
	err := sc.members(envelopeShape, func(key []byte, member *shape) error {
		switch string(key) {
		case "payload":
			return sc.stringInto(&env.Payload)
		default: // "signatures", the only other member envelopeShape has
			if sc.peek() != '[' {
				return sc.value(member)
			}
			env.Signatures = make([]rawSig, 0, 1)
			return sc.elements(func() error {
				var rs rawSig
				if sc.peek() != '{' {
					if err := sc.value(member.elem); err != nil {
						return err
					}
					env.Signatures = append(env.Signatures, rs) // null
					return nil
				}
				err := sc.members(member.elem, func(key []byte, member *shape) error {
					switch string(key) {
					case "protected":
						return sc.stringInto(&rs.Protected)
					case "signature":
						return sc.stringInto(&rs.Signature)
					default: // "header"
						start := sc.pos
						if err := sc.value(member); err != nil {
							return err
						}
						if err := json.Unmarshal(sc.data[start:sc.pos], &rs.Header); err != nil {
							return fmt.Errorf("offset %d: decode header: %w", start, err)
						}
						return nil
					}
				})
				env.Signatures = append(env.Signatures, rs)
				return err
			})
		}
	})
	return sc.finish(err)
}

// decodeHeader decodes a JOSE header (an object, or null for a nil map) in
// the pass that checks it; its values are slices of data.
func decodeHeader(data []byte) (map[string]json.RawMessage, error) {
	sc := scanner{data: data}
	sc.skipSpace()
	if sc.pos >= len(data) || data[sc.pos] != '{' {
		return nil, sc.finish(sc.value(headerShape))
	}
	hdr := make(map[string]json.RawMessage, 4)
	err := sc.members(headerShape, func(key []byte, member *shape) error {
		start := sc.pos
		if err := sc.value(member); err != nil {
			return err
		}
		hdr[string(key)] = data[start:sc.pos:sc.pos]
		return nil
	})
	if err := sc.finish(err); err != nil {
		return nil, err
	}
	return hdr, nil
}

// finish returns err, or an error when anything but space follows the
// top-level value.
func (sc *scanner) finish(err error) error {
	if err != nil {
		return err
	}
	sc.skipSpace()
	if sc.pos != len(sc.data) {
		return sc.fail("data after the top-level value")
	}
	return nil
}

// stringInto scans a string or null at sc.pos into *dst (nil for null).
func (sc *scanner) stringInto(dst **string) error {
	if sc.peek() != '"' {
		return sc.value(stringShape) // null, or the error
	}
	start := sc.pos
	inner, escaped, err := sc.str()
	if err != nil {
		return err
	}
	var s string
	if !escaped {
		s = string(inner)
	} else if err := json.Unmarshal(sc.data[start:sc.pos], &s); err != nil {
		return fmt.Errorf("offset %d: decode string: %w", start, err)
	}
	*dst = &s
	return nil
}

// peek returns the byte at sc.pos, or 0 at the end of the input.
func (sc *scanner) peek() byte {
	if sc.pos < len(sc.data) {
		return sc.data[sc.pos]
	}
	return 0
}
