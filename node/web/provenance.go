package web

import (
	"strings"

	"github.com/interlink-project/interlink-node/protocol"
)

// Cause is why an object's signature is trusted or not (protocol.Cause),
// with the two causes only a page can tell: no record at all, and no
// anchor pinned by this node.
type Cause = protocol.Cause

// The causes a page says, beyond those the verifier records.
const (
	CauseVerified            = protocol.CauseVerified
	CauseUnsigned      Cause = "unsigned"    // no verification record at all
	CauseNotChecked    Cause = "not_checked" // a record without a judgement yet
	CauseNoAnchor      Cause = "no_anchor"   // this node pins no trust anchor
	CauseNotAnchored         = protocol.CauseNotAnchored
	CauseSignerRevoked       = protocol.CauseSignerRevoked
	CauseKeyRetired          = protocol.CauseKeyRetired
	CauseSigExpired          = protocol.CauseSigExpired
	CauseStmtExpired         = protocol.CauseStmtExpired
	CauseNotYetValid         = protocol.CauseNotYetValid
	CauseBadSignature        = protocol.CauseBadSignature
	CauseUnreachable         = protocol.CauseUnreachable
	CauseOther               = protocol.CauseOther
)

// Classify reads a stored verification record into a Cause: the cause the
// verifier recorded, or, for a record made before causes were, its reason
// text. anchorsPinned says whether this
// node pins any trust anchor: without one no chain can ever end, and the
// page says so instead of blaming the signer. The reason texts matched are
// the messages of protocol/trustchain, protocol/entity, protocol/jose and
// protocol/signedobject (their sentinel errors' texts, wrapped); the most
// specific cause is tested first.
func Classify(v *protocol.Verification, anchorsPinned bool) Cause {
	if v == nil {
		return CauseUnsigned
	}
	if strings.EqualFold(v.Status, protocol.Verified) {
		return CauseVerified
	}
	if v.Cause != "" { // recorded by the verifier
		if v.Cause == CauseNotAnchored && !anchorsPinned {
			return CauseNoAnchor
		}
		return v.Cause
	}
	r := strings.ToLower(v.Reason)
	if r == "" {
		if v.Checked.IsZero() {
			return CauseNotChecked
		}
		if !anchorsPinned {
			return CauseNoAnchor
		}
		return CauseOther
	}
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(r, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("entity revoked by its superior"): // trustchain.ErrRevoked
		return CauseSignerRevoked
	case has("key revoked", "key retired"): // entity.ErrKeyRevoked, entity.ErrKeyRetired
		return CauseKeyRetired
	case has("trust chain link expired"): // trustchain.ErrExpired
		return CauseStmtExpired
	case has("jws expired"): // jose.ErrExpired: the object's own exp, or a statement's
		if strings.HasPrefix(r, "trustchain:") {
			return CauseStmtExpired
		}
		return CauseSigExpired
	case has("jws not yet valid"): // jose.ErrNotYetValid
		return CauseNotYetValid
	case has("trust chain does not end at a pinned anchor", "no trust path", // trustchain.ErrNotPinned, ErrNoPath
		"signer has no trust chain to a pinned anchor", // trust.ErrUnverified
		"jws signer key not trusted",                   // signedobject.ErrUntrustedKey
		"statement issuer is not an authority hint", "federation key not listed by the superior"):
		if !anchorsPinned {
			return CauseNoAnchor
		}
		return CauseNotAnchored
	case has("trust chain fetch failed", ": not found"): // trustchain.ErrFetch, ErrNotFound
		return CauseUnreachable
	case has("jws signature invalid", "malformed jws", "jws algorithm not allowed", "jws cosigner signature missing",
		"jws signer not listed in cosigners", "jws object origin forged"):
		return CauseBadSignature
	}
	return CauseOther
}

// provenanceSentences says cause in the reader's language: for a verified
// record one sentence per signer ("Signed by X (country), vouched for by
// Y, up to the anchor Z"), else the one sentence of the cause.
func provenanceSentences(loc *locale, cause Cause, v *protocol.Verification) []string {
	if cause != CauseVerified {
		return []string{loc.T("prov." + string(cause))}
	}
	if len(v.Signers) == 0 {
		return []string{loc.T("prov.verified_nosigner")}
	}
	out := make([]string, 0, len(v.Signers))
	for _, s := range v.Signers {
		who := s.Name
		if who == "" {
			who = s.EntityID
		}
		if s.Country != "" {
			who += " (" + loc.CountryName(s.Country) + ")"
		}
		anchor := s.Anchor
		var via []string
		if n := len(s.Path); n > 2 {
			via = s.Path[1 : n-1]
		}
		if anchor == "" && len(s.Path) > 0 {
			anchor = s.Path[len(s.Path)-1]
		}
		data := map[string]any{"Signer": who, "Anchor": anchor, "Via": strings.Join(via, ", ")}
		switch {
		case anchor == "" || anchor == s.EntityID:
			out = append(out, loc.Td("prov.verified_anchor", data))
		case len(via) == 0:
			out = append(out, loc.Td("prov.verified_direct", data))
		default:
			out = append(out, loc.Td("prov.verified", data))
		}
	}
	return out
}
