package trust

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/interlink-project/interlink-node/federation/trust/chain"
	"github.com/interlink-project/interlink-node/federation/trust/entity"
	"github.com/interlink-project/interlink-node/federation/trust/jwsobj"
	"github.com/interlink-project/interlink-node/protocol"
)

// TombstoneType is the payload type of a deleted object's last version; its
// body is {"deleted": true, "former_type": <kind>}.
const TombstoneType = "tombstone"

// ErrUnverified: every signature verified but a signer has no trust chain
// to a pinned anchor, and the policy refuses such objects. It wraps the
// chain error.
var ErrUnverified = errors.New("signer has no trust chain to a pinned anchor")

type tombstoneBody struct {
	Deleted    bool          `json:"deleted"`
	FormerType protocol.Kind `json:"former_type"`
}

// SignVersion signs a version this node makes: the payload carries the body
// (or a tombstone), links to the previous version's payload through prev,
// and lists cosigners (nil: this node alone). With other cosigners the
// result holds only this node's signature (a draft to countersign).
func (s *Service) SignVersion(obj protocol.Object, prevJWS []byte, cosigners []string) ([]byte, error) {
	jws, _, _, err := s.signVersion(obj, prevJWS, cosigners)
	return jws, err
}

// SignLocal signs a version this node makes alone and returns it with the
// verification record it is stored with (from the signing itself: the JWS
// is not parsed again).
func (s *Service) SignLocal(ctx context.Context, obj protocol.Object, prevJWS []byte) ([]byte, *protocol.Verification, error) {
	jws, exp, kid, err := s.signVersion(obj, prevJWS, nil)
	if err != nil {
		return nil, nil, err
	}
	return jws, s.localRecord(ctx, kid, exp), nil
}

// signVersion is SignVersion; it also returns the signature's expiry and
// the kid of the content key that made it.
func (s *Service) signVersion(obj protocol.Object, prevJWS []byte, cosigners []string) (jws []byte, exp time.Time, kid string, err error) {
	now := s.d.Now()
	p := jwsobj.Payload{
		Iss: s.d.Self, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(s.cfg.ObjectTTL).Unix(),
		Jti: s.d.IDs.New(now), Ver: obj.Version, Type: string(obj.Type), Body: obj.Body,
		Cosigners: cosigners,
	}
	if len(p.Cosigners) == 0 {
		p.Cosigners = []string{s.d.Self}
	}
	if obj.Deleted {
		body, err := json.Marshal(tombstoneBody{Deleted: true, FormerType: obj.Type})
		if err != nil {
			return nil, time.Time{}, "", err
		}
		p.Type, p.Body = TombstoneType, body
	}
	if len(prevJWS) > 0 {
		in, err := jwsobj.Inspect(prevJWS)
		if err != nil {
			return nil, time.Time{}, "", fmt.Errorf("trust: sign %s v%d: previous version's jws: %w", obj.IRI, obj.Version, err)
		}
		p.Prev = jwsobj.PayloadHash(in.Raw)
	}
	key, err := active(s.d.Keys().Content, "content")
	if err != nil {
		return nil, time.Time{}, "", err
	}
	out, err := jwsobj.Sign(p, jwsobj.Signer{EntityID: s.d.Self, Key: key.Private})
	if err != nil {
		return nil, time.Time{}, "", fmt.Errorf("trust: sign %s v%d: %w", obj.IRI, obj.Version, err)
	}
	return out, time.Unix(p.Exp, 0).UTC(), key.Kid, nil
}

// Countersign adds this node's signature to a draft another node asked it
// to co-sign, and returns the JWS holding only that signature.
func (s *Service) Countersign(jws []byte) ([]byte, error) {
	key, err := active(s.d.Keys().Content, "content")
	if err != nil {
		return nil, err
	}
	both, err := jwsobj.AddSignature(jws, jwsobj.Signer{EntityID: s.d.Self, Key: key.Private, At: s.d.Now()})
	if err != nil {
		return nil, fmt.Errorf("trust: countersign: %w", err)
	}
	return jwsobj.Signature(both, s.d.Self)
}

// Received is a verified object version: the payload to act on and the
// verification record to store with it.
type Received struct {
	*jwsobj.Verified
	Verification *protocol.Verification
}

// Object converts the payload into the stored form of the version (the
// caller adds provenance) and its decoded, validated entity (nil for a
// tombstone). Everything comes from the signed payload: created is its iat
// (the caller replaces it by the creation time of the history it holds);
// the unsigned wrapper's dates are a rendering.
func (r *Received) Object(jws []byte) (protocol.Object, protocol.Entity, error) {
	p := r.Payload
	sub, err := url.Parse(p.Sub)
	if err != nil {
		return protocol.Object{}, nil, fmt.Errorf("trust: sub %q: %w", p.Sub, err)
	}
	origin := sub.Scheme + "://" + sub.Host
	id, ok := protocol.NewURIs(origin).ObjectID(p.Sub)
	if !ok {
		return protocol.Object{}, nil, fmt.Errorf("trust: sub %q is not an object IRI of %s", p.Sub, origin)
	}
	iat := time.Unix(p.Iat, 0).UTC()
	o := protocol.Object{Meta: protocol.Meta{IRI: p.Sub, ID: id, Version: p.Ver, Origin: origin, Created: iat, Updated: iat},
		JWS: jws, Verification: r.Verification}
	if p.Type == TombstoneType {
		var tb tombstoneBody
		if err := json.Unmarshal(p.Body, &tb); err != nil || !tb.Deleted || !slices.Contains(protocol.Kinds, tb.FormerType) {
			return protocol.Object{}, nil, fmt.Errorf("trust: %s: a tombstone's body must be {\"deleted\": true, \"former_type\": <kind>}", p.Sub)
		}
		o.Type, o.Deleted = tb.FormerType, true
		return o, nil, nil
	}
	kind := protocol.Kind(p.Type)
	if !slices.Contains(protocol.Kinds, kind) {
		return protocol.Object{}, nil, fmt.Errorf("trust: %s: type %q is not a catalogue kind", p.Sub, p.Type)
	}
	e, err := protocol.DecodeEntity(p.Body)
	if err != nil {
		return protocol.Object{}, nil, fmt.Errorf("trust: %s: body: %w", p.Sub, err)
	}
	if e.Kind() != kind {
		return protocol.Object{}, nil, fmt.Errorf("trust: %s: the body is a %s, the payload says %s", p.Sub, e.Kind(), kind)
	}
	o.Type, o.Body, o.Key = kind, p.Body, e.NaturalKey()
	return o, e, nil
}

// VerifyObject verifies a received JWS, cheapest first (size, parse,
// headers, payload shape, cosigners, then each signer's key from its trust
// chain, signatures, expiry), and judges the signers' chains. The error
// wraps the jwsobj, chain or entity sentinel of the first failure, or
// ErrUnverified under a policy that refuses objects without chains.
// The version is seen now: a revocation is judged at the later of each
// signature's iat and now (see chain.Chain.ContentKeyAt).
func (s *Service) VerifyObject(ctx context.Context, jws []byte) (*Received, error) {
	now := s.d.Now()
	return s.verifyObject(ctx, jws, now, s.refusesUnverified())
}

// Judge verifies jws like VerifyObject but never refuses an object for
// lacking a chain: the record says unverified and why (for the node's own
// versions, and for auditors). seen is when this node first saw the version
// (its stored Received time; zero: now).
func (s *Service) Judge(ctx context.Context, jws []byte, seen time.Time) (*Received, error) {
	if seen.IsZero() {
		seen = s.d.Now()
	}
	return s.verifyObject(ctx, jws, seen, false)
}

func (s *Service) verifyObject(ctx context.Context, jws []byte, seen time.Time, refuseUnverified bool) (*Received, error) {
	r, chainErr, err := verifyWith(ctx, s.resolver, jws, s.d.Now(), seen, jwsobj.Options{Skew: s.cfg.ClockSkew})
	if err != nil {
		return nil, err
	}
	if chainErr != nil && refuseUnverified {
		return nil, fmt.Errorf("trust: %s: %w: %w", r.Payload.Sub, ErrUnverified, chainErr)
	}
	return r, nil
}

// VerifyWith verifies jws against the chains resolver finds (the node's
// own resolver, or the one `interlink verify` builds from a configuration).
// Each signer's key comes from its trust chain; a signer without one is
// checked against its self-signed entity configuration, and the result is
// then unverified: chainErr says why (the first signer's reason). err is a
// refusal (bad structure, signature, key, expiry, revocation). seen is
// when the version was first seen (zero: unknown, so that revocations are
// judged at each signature's own iat, as an offline check must).
func VerifyWith(ctx context.Context, resolver *chain.Resolver, jws []byte, now, seen time.Time, skew time.Duration) (r *Received, chainErr, err error) {
	return verifyWith(ctx, resolver, jws, now, seen, jwsobj.Options{Skew: skew})
}

// VerifyDraft checks a draft being co-signed: every signature present must
// verify (with the keys the signers' chains give, as VerifyWith) and the
// issuer must have signed; missing co-signers are tolerated.
func (s *Service) VerifyDraft(ctx context.Context, jws []byte) (*Received, error) {
	now := s.d.Now()
	r, chainErr, err := verifyWith(ctx, s.resolver, jws, now, now, jwsobj.Options{Skew: s.cfg.ClockSkew, Partial: true})
	if err != nil {
		return nil, err
	}
	if chainErr != nil && s.refusesUnverified() {
		return nil, fmt.Errorf("trust: %s: %w: %w", r.Payload.Sub, ErrUnverified, chainErr)
	}
	return r, nil
}

func verifyWith(ctx context.Context, resolver *chain.Resolver, jws []byte, now, seen time.Time, opts jwsobj.Options) (r *Received, chainErr, err error) {
	var signers []protocol.SignerInfo
	resolve := func(ent, kid string, at time.Time) (ed25519.PublicKey, error) {
		info := protocol.SignerInfo{EntityID: ent, Kid: kid}
		ch, err := resolver.Resolve(ctx, ent)
		if err == nil {
			key, err := ch.ContentKeyAt(kid, at, seen)
			if errors.Is(err, entity.ErrUnknownKey) && resolver.Refresh(ent) {
				// A key the cached configuration does not list: the signer
				// may have rotated since; look again (at most once a minute).
				if ch, err = resolver.Resolve(ctx, ent); err == nil {
					key, err = ch.ContentKeyAt(kid, at, seen)
				}
			}
			if err != nil {
				return nil, err
			}
			info.Name, info.Country, info.OrgKind, info.Anchor, info.Path = ch.Identity.Name, ch.Identity.Country, ch.Identity.OrgKind, ch.Anchor, ch.Path
			signers = append(signers, info)
			return key, nil
		}
		if chainErr == nil {
			chainErr = err
		}
		ec, err2 := resolver.SelfSigned(ctx, ent)
		if err2 != nil {
			return nil, fmt.Errorf("no trust chain (%w) and no valid entity configuration: %w", err, err2)
		}
		key, err2 := chain.ContentKeyAt(ec, kid, at, seen)
		if errors.Is(err2, entity.ErrUnknownKey) && resolver.Refresh(ent) {
			if ec, err2 = resolver.SelfSigned(ctx, ent); err2 == nil {
				key, err2 = chain.ContentKeyAt(ec, kid, at, seen)
			}
		}
		if err2 != nil {
			return nil, err2
		}
		signers = append(signers, info)
		return key, nil
	}
	v, err := jwsobj.Verify(jws, resolve, now, opts)
	if err != nil {
		return nil, nil, err
	}
	// Signers were resolved in signature order: report them in cosigners order.
	ordered := make([]protocol.SignerInfo, 0, len(signers))
	for _, c := range v.Payload.Cosigners {
		for _, info := range signers {
			if info.EntityID == c {
				ordered = append(ordered, info)
				break
			}
		}
	}
	ver := &protocol.Verification{Status: protocol.Verified, Signers: ordered, Expires: time.Unix(v.Payload.Exp, 0).UTC(), Checked: now.UTC()}
	if chainErr != nil {
		ver.Status, ver.Reason = protocol.Unverified, chainErr.Error()
	}
	return &Received{Verified: v, Verification: ver}, chainErr, nil
}

// refusesUnverified applies the Unverified policy.
func (s *Service) refusesUnverified() bool {
	switch s.cfg.Unverified {
	case UnverifiedRefuse:
		return true
	case UnverifiedAccept:
		return false
	}
	return len(s.cfg.Anchors) > 0
}

// localVerification is the verification record of a version this node
// signed alone, read from its JWS (SignLocal makes it without parsing).
func (s *Service) localVerification(ctx context.Context, jws []byte) *protocol.Verification {
	in, err := jwsobj.Inspect(jws)
	if err != nil {
		return &protocol.Verification{Status: protocol.Unverified, Checked: s.d.Now().UTC(), Reason: err.Error()}
	}
	kid := ""
	if len(in.Sigs) > 0 {
		kid = in.Sigs[0].Kid
	}
	return s.localRecord(ctx, kid, time.Unix(in.Payload.Exp, 0).UTC())
}

// localRecord is the node's own chain's judgement of a signature it made
// with kid, valid until exp (the chain is cached).
func (s *Service) localRecord(ctx context.Context, kid string, exp time.Time) *protocol.Verification {
	v := &protocol.Verification{Status: protocol.Unverified, Checked: s.d.Now().UTC(), Expires: exp}
	info := protocol.SignerInfo{EntityID: s.d.Self, Kid: kid}
	ch, err := s.resolver.Resolve(ctx, s.d.Self)
	if err != nil {
		v.Reason = err.Error()
	} else {
		v.Status = protocol.Verified
		info.Name, info.Country, info.OrgKind, info.Anchor, info.Path = ch.Identity.Name, ch.Identity.Country, ch.Identity.OrgKind, ch.Anchor, ch.Path
	}
	v.Signers = []protocol.SignerInfo{info}
	return v
}
