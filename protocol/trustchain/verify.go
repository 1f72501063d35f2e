package trustchain

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/entity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// Received is a verified object version: the payload to act on and the
// verification record to store with it.
type Received struct {
	*signedobject.Verified
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
		return protocol.Object{}, nil, fmt.Errorf("trustchain: sub %q: %w", p.Sub, err)
	}
	origin := sub.Scheme + "://" + sub.Host
	id, ok := protocol.NewURIs(origin).ObjectID(p.Sub)
	if !ok {
		return protocol.Object{}, nil, fmt.Errorf("trustchain: sub %q is not an object IRI of %s", p.Sub, origin)
	}
	iat := time.Unix(p.Iat, 0).UTC()
	o := protocol.Object{Meta: protocol.Meta{IRI: p.Sub, ID: id, Version: p.Ver, Origin: origin, Created: iat, Updated: iat},
		JWS: jws, Verification: r.Verification}
	if p.Type == signedobject.TombstoneType {
		var tb signedobject.TombstoneBody
		if err := json.Unmarshal(p.Body, &tb); err != nil || !tb.Deleted || !slices.Contains(protocol.Kinds, tb.FormerType) {
			return protocol.Object{}, nil, fmt.Errorf("trustchain: %s: a tombstone's body must be {\"deleted\": true, \"former_type\": <kind>}", p.Sub)
		}
		o.Type, o.Deleted = tb.FormerType, true
		return o, nil, nil
	}
	kind := protocol.Kind(p.Type)
	if !slices.Contains(protocol.Kinds, kind) {
		return protocol.Object{}, nil, fmt.Errorf("trustchain: %s: type %q is not a catalogue kind", p.Sub, p.Type)
	}
	e, err := protocol.DecodeEntity(p.Body)
	if err != nil {
		return protocol.Object{}, nil, fmt.Errorf("trustchain: %s: body: %w", p.Sub, err)
	}
	if e.Kind() != kind {
		return protocol.Object{}, nil, fmt.Errorf("trustchain: %s: the body is a %s, the payload says %s", p.Sub, e.Kind(), kind)
	}
	o.Type, o.Body, o.Key = kind, p.Body, e.NaturalKey()
	return o, e, nil
}

// VerifyObject verifies jws against the chains resolver finds (the node's
// own resolver, or the one `interlink verify` builds from pinned anchors).
// Each signer's key comes from its trust chain; a signer without one is
// checked against its self-signed entity configuration, and the result is
// then unverified: chainErr says why (the first signer's reason). err is a
// refusal (bad structure, signature, key, expiry, revocation). seen is
// when the version was first seen (zero: unknown, so that revocations are
// judged at each signature's own iat, as an offline check must). opts
// carries the clock skew and, for a draft being co-signed, Partial.

func VerifyObject(ctx context.Context, resolver *Resolver, jws []byte, now, seen time.Time, opts signedobject.Options) (r *Received, chainErr, err error) {
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
					err = unknownAfterRefresh(err, ent, kid)
				}
			}
			if err != nil {
				return nil, &SignerError{Entity: ent, Err: err}
			}
			signers = append(signers, ch.Signer(kid))
			return key, nil
		}
		if chainErr == nil {
			chainErr = &SignerError{Entity: ent, Err: err}
		}
		ec, err2 := resolver.SelfSigned(ctx, ent)
		if err2 != nil {
			return nil, &SignerError{Entity: ent, Err: fmt.Errorf("no trust chain (%w) and no valid entity configuration: %w", err, err2)}
		}
		key, err2 := ContentKeyAt(ec, kid, at, seen)
		if errors.Is(err2, entity.ErrUnknownKey) && resolver.Refresh(ent) {
			if ec, err2 = resolver.SelfSigned(ctx, ent); err2 == nil {
				key, err2 = ContentKeyAt(ec, kid, at, seen)
				err2 = unknownAfterRefresh(err2, ent, kid)
			}
		}
		if err2 != nil {
			return nil, &SignerError{Entity: ent, Err: err2}
		}
		signers = append(signers, info)
		return key, nil
	}
	v, err := signedobject.Verify(jws, resolve, now, opts)
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
	ver := &protocol.Verification{Status: protocol.Verified, Cause: protocol.CauseVerified, Signers: ordered, Expires: time.Unix(v.Payload.Exp, 0).UTC(), Checked: now.UTC()}
	if chainErr != nil {
		ver.Status, ver.Reason, ver.Cause = protocol.Unverified, chainErr.Error(), CauseOf(chainErr)
	}
	return &Received{Verified: v, Verification: ver}, chainErr, nil
}

// Signer describes who signed with kid, as this chain vouches for it: the
// entity, its legal identity and the path up to the anchor.
func (c *Chain) Signer(kid string) protocol.SignerInfo {
	return protocol.SignerInfo{EntityID: c.EntityID, Kid: kid, Name: c.Identity.Name, Country: c.Identity.Country,
		OrgKind: c.Identity.OrgKind, Anchor: c.Anchor, Path: c.Path}
}

// unknownAfterRefresh: a content key that the signer's configuration, read
// again just now, still does not list is unknown for good (entity.ErrUnknownKey
// alone): only a key unknown to a configuration this node could not read
// again yet (Refresh allows once a minute) is ErrUnknownContentKey, which a
// sender may try again.
func unknownAfterRefresh(err error, ent, kid string) error {
	if errors.Is(err, ErrUnknownContentKey) {
		return fmt.Errorf("trustchain: %s: content key %q: %w (its configuration, read again just now, does not list it)", ent, kid, entity.ErrUnknownKey)
	}
	return err
}
