package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
	"github.com/interlink-project/interlink-node/storage"
)

// An object's history, as a receiver holds it: a version is accepted only
// when it follows the one held (its prev is the hash of the held version's
// payload). A gap (version held + 2 or more) is filled from the origin, each
// missing version verified and linked, before the later one is accepted: a
// forged version numbered past the origin's history can neither freeze the
// object nor replace it. A version at or below the held one is refused as
// stale (never acknowledged as applied); one that differs from the version
// held with its number, signed by the same signer, is an equivocation: both
// documents are kept as evidence.

// MaxGapFill bounds the versions fetched to fill one gap.
const MaxGapFill = 128

// ErrPrevMismatch: a version's prev is not the hash of the version before it.
var ErrPrevMismatch = errors.New("prev does not match the previous version")

// ErrEquivocation: a signer signed two different versions with one number
// of one object (the pair is kept as evidence).
var ErrEquivocation = errors.New("two versions with one number")

// history is what checkHistory found: the versions fetched to fill a gap
// (oldest first), to store with the one received.
type history struct {
	fill []storage.WriteOp
}

// checkHistory judges obj (verified; p its payload, raw the payload's bytes)
// against the version this node holds. It sets obj.Created from what is
// held (or from the signed iat), never from the unsigned wrapper.
func (s *Service) checkHistory(ctx context.Context, obj *protocol.Object, p signedobject.Payload, raw []byte) (*history, error) {
	cur, err := s.objects.Get(ctx, obj.IRI)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return &history{}, nil // the first version this node sees
	case err != nil:
		return nil, err
	}
	return s.follows(ctx, cur, obj, p, raw)
}

// follows is checkHistory against cur, the version this node holds.
func (s *Service) follows(ctx context.Context, cur protocol.Object, obj *protocol.Object, p signedobject.Payload, raw []byte) (*history, error) {
	if !cur.Created.IsZero() {
		obj.Created = cur.Created
	}
	if obj.Version <= cur.Version {
		return nil, s.stale(ctx, cur, *obj, p, raw)
	}
	if cur.Deleted {
		return nil, refuse(http.StatusConflict, "object-gone", storage.ErrGone, "%s was deleted by its origin; version %d changes nothing", obj.IRI, obj.Version)
	}
	prevRaw, prevP, err := heldPayload(cur)
	if err != nil {
		return &history{}, nil // an unsigned legacy version: nothing to link to
	}
	h := &history{}
	if gap := obj.Version - cur.Version - 1; gap > 0 {
		if gap > MaxGapFill {
			return nil, refuse(http.StatusConflict, "version-gap", nil,
				"%s: version %d follows the held version %d by more than %d versions: the gap cannot be filled from the origin", obj.IRI, obj.Version, cur.Version, MaxGapFill)
		}
		for v := cur.Version + 1; v < obj.Version; v++ {
			op, r, err := s.fetchVersion(ctx, obj.IRI, v)
			if err != nil {
				return nil, err
			}
			if err := linkVersions(prevRaw, prevP, r.Payload); err != nil {
				return nil, err
			}
			op.Object.Created = obj.Created
			h.fill = append(h.fill, op)
			prevRaw, prevP = r.Raw, r.Payload
		}
	}
	if err := linkVersions(prevRaw, prevP, p); err != nil {
		return nil, err
	}
	return h, nil
}

// linkVersions checks that next follows prev (whose payload bytes are
// prevRaw): the same object and issuer, and prev the hash of prevRaw.
func linkVersions(prevRaw []byte, prev, next signedobject.Payload) error {
	if next.Prev != signedobject.PayloadHash(prevRaw) && next.Sub == prev.Sub && next.Iss == prev.Iss && next.Ver > prev.Ver {
		err := fmt.Errorf("%w: %s version %d names prev %q, but version %d hashes to %q", ErrPrevMismatch, next.Sub, next.Ver, next.Prev, prev.Ver, signedobject.PayloadHash(prevRaw))
		return refuse(http.StatusConflict, "jws-prev-mismatch", err, "%v", err)
	}
	if err := signedobject.CheckSuccessor(prevRaw, prev, next); err != nil {
		return trustProblem(err)
	}
	return nil
}

// heldPayload reads the payload of a held version.
func heldPayload(o protocol.Object) ([]byte, signedobject.Payload, error) {
	if len(o.JWS) == 0 {
		return nil, signedobject.Payload{}, errors.New("unsigned")
	}
	in, err := signedobject.Inspect(o.JWS)
	if err != nil {
		return nil, signedobject.Payload{}, err
	}
	return in.Raw, in.Payload, nil
}

// stale refuses a version at or below the held one. When this node holds
// that version number with another payload signed by the same signer, the
// pair is kept as evidence of equivocation.
func (s *Service) stale(ctx context.Context, cur, obj protocol.Object, p signedobject.Payload, raw []byte) error {
	held := cur
	if obj.Version < cur.Version {
		var err error
		if held, err = s.objects.GetVersion(ctx, obj.IRI, obj.Version); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	if held.Version == obj.Version {
		if heldRaw, heldP, err := heldPayload(held); err == nil && !bytes.Equal(heldRaw, raw) && heldP.Iss == p.Iss {
			kid := ""
			if in, err := signedobject.Inspect(obj.JWS); err == nil && len(in.Sigs) > 0 {
				kid = in.Sigs[0].Kid
			}
			fresh, err := s.objects.PutEquivocation(ctx, storage.Equivocation{IRI: obj.IRI, Version: obj.Version, Signer: p.Iss, Kid: kid,
				Held: json.RawMessage(held.JWS), Other: json.RawMessage(obj.JWS), Actor: obj.Actor, Detected: s.now().UTC()})
			if err != nil {
				return err
			}
			if fresh {
				s.log.Warn("equivocation: a signer signed two versions with one number", "iri", obj.IRI, "version", obj.Version, "signer", p.Iss, "delivered_by", obj.Actor)
				if s.onEquivocation != nil {
					s.onEquivocation()
				}
			}
			return refuse(http.StatusConflict, "jws-equivocation", ErrEquivocation,
				"%s version %d differs from the version %d this node holds, both signed by %s: kept as evidence", obj.IRI, obj.Version, held.Version, p.Iss)
		}
	}
	return refuse(http.StatusConflict, "stale-version", &storage.StaleError{IRI: obj.IRI, Got: obj.Version, Have: cur.Version},
		"%s version %d is not newer than the version %d this node holds: nothing was applied", obj.IRI, obj.Version, cur.Version)
}

// fetchVersion fetches version v of iri from its origin and verifies it.
func (s *Service) fetchVersion(ctx context.Context, iri string, v uint64) (storage.WriteOp, *receivedVersion, error) {
	if err := s.checkRemote(iri); err != nil {
		return storage.WriteOp{}, nil, refuse(http.StatusForbidden, "blocked", err, "%v", err)
	}
	u := iri + "?version=" + strconv.FormatUint(v, 10)
	raw, err := s.fetch(ctx, u)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) && se.Status < 500 {
			return storage.WriteOp{}, nil, refuse(http.StatusConflict, "version-gap", err,
				"the origin does not serve version %d of %s, which the received version needs to follow: %v", v, iri, err)
		}
		ie := refuse(http.StatusServiceUnavailable, "version-gap-unavailable", err, "version %d of %s could not be fetched from its origin: %v", v, iri, err)
		ie.RetryAfter = unverifiedRetryAfter
		return storage.WriteOp{}, nil, ie
	}
	var doc struct {
		JWS json.RawMessage `json:"jws"`
	}
	if err := strictjson.Decode(raw, &doc, strictjson.Options{IgnoreUnknown: true, MaxBytes: activity.MaxDocumentBytes}); err != nil || len(doc.JWS) == 0 {
		return storage.WriteOp{}, nil, refuse(http.StatusConflict, "version-gap", err, "version %d of %s as its origin serves it carries no jws", v, iri)
	}
	rv, err := s.verifyVersion(ctx, doc.JWS)
	if err != nil {
		return storage.WriteOp{}, nil, err
	}
	if rv.Payload.Sub != iri || rv.Payload.Ver != v {
		return storage.WriteOp{}, nil, refuse(http.StatusConflict, "version-gap", nil,
			"the origin served %s version %d when asked for %s version %d", rv.Payload.Sub, rv.Payload.Ver, iri, v)
	}
	rv.obj.Actor, rv.obj.Received = protocol.NewURIs(originOf(iri)).Actor(), s.now().UTC()
	return rv.writeOp(), rv, nil
}

// receivedVersion is a verified version ready to store.
type receivedVersion struct {
	obj     protocol.Object
	ent     protocol.Entity
	Payload signedobject.Payload
	Raw     []byte
}

func (rv *receivedVersion) writeOp() storage.WriteOp {
	p := rv.Payload
	return storage.WriteOp{Object: rv.obj, Remote: true, Entity: rv.ent,
		Jti: &storage.Jti{Iss: p.Iss, ID: p.Jti, Exp: time.Unix(p.Exp, 0).UTC()}}
}
