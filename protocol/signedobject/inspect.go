package signedobject

import (
	"encoding/json"
	"fmt"
)

// Inspected is a JWS read without verifying any signature: what it claims.
// Never act on it; use it to pick keys, to report, or to link a new version
// to its predecessor (PayloadHash of Raw).
type Inspected struct {
	Payload Payload
	Raw     []byte      // the payload bytes
	Sigs    []SigHeader // one per signature, in order
}

// SigHeader is what one signature's protected header says.
type SigHeader struct {
	Signer string // the iss header: the signer's entity id
	Kid    string
}

// Inspect parses jws with every structural and header rule Verify applies
// (size cap, strict JSON, headers, payload shape) but checks no signature,
// key or time.
func Inspect(jws []byte) (*Inspected, error) {
	msg, err := parseMessage(jws, DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	p, err := decodePayload(msg.payload)
	if err != nil {
		return nil, err
	}
	in := &Inspected{Payload: p, Raw: msg.payload}
	for _, s := range msg.sigs {
		in.Sigs = append(in.Sigs, SigHeader{Signer: s.signer, Kid: s.kid})
	}
	return in, nil
}

// Signature returns the JWS that holds only signer's signature from jws,
// over the same payload bytes: what a co-signer sends back to the origin.
func Signature(jws []byte, signer string) ([]byte, error) {
	msg, err := parseMessage(jws, DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	s := msg.signature(signer)
	if s == nil {
		return nil, fmt.Errorf("signedobject: %w: %q did not sign", ErrMissingCosigner, signer)
	}
	return encodeEnvelope(msg.payloadB64, []signature{{Protected: s.protectedB64, Header: s.header, Signature: s.signatureB64}})
}

// Merge adds the signatures of other (same payload bytes) that jws lacks,
// keeping jws's own unchanged. Neither is verified here.
func Merge(jws, other []byte) ([]byte, error) {
	a, err := parseMessage(jws, DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	b, err := parseMessage(other, DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	if a.payloadB64 != b.payloadB64 {
		return nil, fmt.Errorf("signedobject: merge: %w: the two documents sign different payloads", ErrMalformed)
	}
	sigs := make([]signature, 0, len(a.sigs)+len(b.sigs))
	for _, s := range a.sigs {
		sigs = append(sigs, signature{Protected: s.protectedB64, Header: s.header, Signature: s.signatureB64})
	}
	for _, s := range b.sigs {
		if a.signature(s.signer) == nil {
			sigs = append(sigs, signature{Protected: s.protectedB64, Header: s.header, Signature: s.signatureB64})
		}
	}
	if len(sigs) > MaxSignatures {
		return nil, fmt.Errorf("signedobject: merge: %w: %d signatures", ErrTooManySignatures, len(sigs))
	}
	return encodeEnvelope(a.payloadB64, sigs)
}

func encodeEnvelope(payloadB64 string, sigs []signature) ([]byte, error) {
	out, err := json.Marshal(envelope{Payload: payloadB64, Signatures: sigs})
	if err != nil {
		return nil, fmt.Errorf("signedobject: encode jws: %w", err)
	}
	return out, nil
}
