package trust

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/trustchain"
)

// ErrUnverified: every signature verified but a signer has no trust chain
// to a pinned anchor, and the policy refuses such objects. It wraps the
// chain error.
var ErrUnverified = errors.New("signer has no trust chain to a pinned anchor")

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
	p := signedobject.Payload{
		Iss: s.d.Self, Sub: obj.IRI, Iat: now.Unix(), Exp: now.Add(s.cfg.ObjectTTL).Unix(),
		Jti: s.d.IDs.New(now), Ver: obj.Version, Type: string(obj.Type), Body: obj.Body,
		Cosigners: cosigners,
	}
	if len(p.Cosigners) == 0 {
		p.Cosigners = []string{s.d.Self}
	}
	if obj.Deleted {
		body, err := json.Marshal(signedobject.TombstoneBody{Deleted: true, FormerType: obj.Type})
		if err != nil {
			return nil, time.Time{}, "", err
		}
		p.Type, p.Body = signedobject.TombstoneType, body
	}
	if len(prevJWS) > 0 {
		in, err := signedobject.Inspect(prevJWS)
		if err != nil {
			return nil, time.Time{}, "", fmt.Errorf("trust: sign %s v%d: previous version's jws: %w", obj.IRI, obj.Version, err)
		}
		p.Prev = signedobject.PayloadHash(in.Raw)
	}
	key, err := active(s.d.Keys().Content, "content")
	if err != nil {
		return nil, time.Time{}, "", err
	}
	out, err := signedobject.Sign(p, signedobject.Signer{EntityID: s.d.Self, Key: key.Private})
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
	both, err := signedobject.AddSignature(jws, signedobject.Signer{EntityID: s.d.Self, Key: key.Private, At: s.d.Now()})
	if err != nil {
		return nil, fmt.Errorf("trust: countersign: %w", err)
	}
	return signedobject.Signature(both, s.d.Self)
}

// VerifyObject verifies a received JWS, cheapest first (size, parse,
// headers, payload shape, cosigners, then each signer's key from its trust
// chain, signatures, expiry), and judges the signers' chains. The error
// wraps the signedobject, trustchain or entity sentinel of the first failure, or
// ErrUnverified under a policy that refuses objects without chains.
// The version is seen now: a revocation is judged at the later of each
// signature's iat and now (see trustchain.Chain.ContentKeyAt).
func (s *Service) VerifyObject(ctx context.Context, jws []byte) (*trustchain.Received, error) {
	now := s.d.Now()
	return s.verifyObject(ctx, jws, now, s.refusesUnverified())
}

// Judge verifies jws like VerifyObject but never refuses an object for
// lacking a chain: the record says unverified and why (for the node's own
// versions, and for auditors). seen is when this node first saw the version
// (its stored Received time; zero: now).
func (s *Service) Judge(ctx context.Context, jws []byte, seen time.Time) (*trustchain.Received, error) {
	if seen.IsZero() {
		seen = s.d.Now()
	}
	return s.verifyObject(ctx, jws, seen, false)
}

func (s *Service) verifyObject(ctx context.Context, jws []byte, seen time.Time, refuseUnverified bool) (*trustchain.Received, error) {
	r, chainErr, err := trustchain.VerifyObject(ctx, s.resolver, jws, s.d.Now(), seen, signedobject.Options{Skew: s.cfg.ClockSkew})
	if err != nil {
		return nil, err
	}
	if chainErr != nil && refuseUnverified {
		return nil, fmt.Errorf("trust: %s: %w: %w", r.Payload.Sub, ErrUnverified, chainErr)
	}
	return r, nil
}

// VerifyDraft checks a draft being co-signed: every signature present must
// verify (with the keys the signers' chains give, as trustchain.VerifyObject) and the
// issuer must have signed; missing co-signers are tolerated.
func (s *Service) VerifyDraft(ctx context.Context, jws []byte) (*trustchain.Received, error) {
	now := s.d.Now()
	r, chainErr, err := trustchain.VerifyObject(ctx, s.resolver, jws, now, now, signedobject.Options{Skew: s.cfg.ClockSkew, Partial: true})
	if err != nil {
		return nil, err
	}
	if chainErr != nil && s.refusesUnverified() {
		return nil, fmt.Errorf("trust: %s: %w: %w", r.Payload.Sub, ErrUnverified, chainErr)
	}
	return r, nil
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
	in, err := signedobject.Inspect(jws)
	if err != nil {
		return &protocol.Verification{Status: protocol.Unverified, Checked: s.d.Now().UTC(), Reason: err.Error(), Cause: trustchain.CauseOf(err)}
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
	ch, err := s.resolver.Resolve(ctx, s.d.Self)
	if err != nil {
		// This node's own chain: a statement's expiry is a chain's.
		v.Reason, v.Cause = err.Error(), trustchain.CauseOf(&trustchain.SignerError{Entity: s.d.Self, Err: err})
		v.Signers = []protocol.SignerInfo{{EntityID: s.d.Self, Kid: kid}}
		return v
	}
	v.Status, v.Cause, v.Signers = protocol.Verified, protocol.CauseVerified, []protocol.SignerInfo{ch.Signer(kid)}
	return v
}
