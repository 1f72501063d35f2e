package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/httpsig"
	"github.com/interlink-project/interlink-node/storage"
)

// InboxError is a refused inbound activity: its HTTP status and the name of
// its problem type, one per reason, so that a peer's operator can tell why.
type InboxError struct {
	Status  int
	Problem string // e.g. "unsigned", "digest-mismatch", "foreign-origin"
	Detail  string
	Err     error
	// RetryAfter, when set (with a 503), asks the sender to try again
	// later: the refusal may not last (a signer about to be enrolled).
	RetryAfter time.Duration
}

func (e *InboxError) Error() string { return e.Problem + ": " + e.Detail }
func (e *InboxError) Unwrap() error { return e.Err }

func refuse(status int, problem string, err error, format string, args ...any) *InboxError {
	return &InboxError{Status: status, Problem: problem, Detail: fmt.Sprintf(format, args...), Err: err}
}

// sigProblem maps a signature failure to its problem.
func sigProblem(err error) *InboxError {
	switch {
	case errors.Is(err, ErrBlocked):
		// The signer's key lives on a blocked host: refused before anything is fetched from it.
		return refuse(http.StatusForbidden, "blocked", err, "%v", err)
	case errors.Is(err, httpsig.ErrUnsigned):
		return refuse(http.StatusUnauthorized, "unsigned", err, "the request carries no HTTP signature: sign it (draft-cavage, rsa-sha256)")
	case errors.Is(err, httpsig.ErrDigestMismatch):
		return refuse(http.StatusUnauthorized, "digest-mismatch", err, "the Digest header does not match the body")
	case errors.Is(err, httpsig.ErrDigestNotSigned):
		return refuse(http.StatusUnauthorized, "digest-not-signed", err, "the Digest header is not among the signed headers")
	case errors.Is(err, httpsig.ErrDateWindow):
		return refuse(http.StatusUnauthorized, "stale-date", err, "the Date is outside the accepted window: %v", err)
	case errors.Is(err, httpsig.ErrMissingHeaders):
		return refuse(http.StatusUnauthorized, "missing-signed-headers", err, "%v", err)
	case errors.Is(err, httpsig.ErrKeyFetch):
		return refuse(http.StatusUnauthorized, "key-unavailable", err, "the signing key could not be fetched: %v", err)
	case errors.Is(err, httpsig.ErrKeyOwner):
		return refuse(http.StatusUnauthorized, "key-owner", err, "the key's owner is on another origin than the key, or does not list the key: %v", err)
	case errors.Is(err, httpsig.ErrWrongHost):
		return refuse(http.StatusUnauthorized, "wrong-host", err, "the request is signed for another host than this node: %v", err)
	case errors.Is(err, httpsig.ErrBodyTooLarge):
		return refuse(http.StatusRequestEntityTooLarge, "body-too-large", err, "the body is too large")
	}
	return refuse(http.StatusUnauthorized, "bad-signature", err, "the HTTP signature does not verify: %v", err)
}

// parseActivity reads an inbound activity: signed catalogue versions by the
// fast path (the wrapper is a rendering; the JWS is what counts), anything
// else by the general ActivityStreams parser.
func parseActivity(raw []byte) (*activity.Activity, error) {
	if act, ok, err := activity.ParseSigned(raw); ok {
		return act, err
	}
	return activity.ParseActivity(raw)
}

// HandleInbox verifies and applies one POST to the shared or the actor's
// inbox. It returns nil only once the activity's effects are durable (the
// caller answers 202), or when the activity is a repeat or harmlessly
// ignored.
func (s *Service) HandleInbox(ctx context.Context, r *http.Request, body []byte) error {
	v, err := s.verify.Verify(ctx, r, body)
	if err != nil {
		return sigProblem(err)
	}
	act, err := parseActivity(body)
	if err != nil {
		return refuse(http.StatusBadRequest, "malformed-activity", err, "%v", err)
	}
	if act.Actor != v.Owner {
		return refuse(http.StatusUnauthorized, "key-not-actor", nil,
			"the request is signed with a key of %s, but the activity's actor is %s", v.Owner, act.Actor)
	}
	if err := s.checkRemote(act.Actor); err != nil {
		return refuse(http.StatusForbidden, "blocked", err, "%v", err)
	}
	if !sameOrigin(act.ID, act.Actor) {
		return refuse(http.StatusForbidden, "foreign-origin", nil, "the activity id %s is not on the actor's origin %s", act.ID, originOf(act.Actor))
	}
	if seen, err := s.objects.SeenActivity(ctx, act.ID); err != nil {
		return err
	} else if seen {
		return nil // a repeat: acknowledged, applied once
	}
	switch act.Type {
	case "Follow":
		return s.onFollow(ctx, act)
	case "Accept", "Reject":
		if handled, err := s.cosign.onOfferAnswer(ctx, act); handled {
			return err
		}
		return s.onFollowAnswer(ctx, act)
	case "Offer":
		return s.cosign.onOffer(ctx, act)
	case "Undo":
		return s.onUndo(ctx, act)
	case "Create", "Update":
		return s.onUpsert(ctx, act)
	case "Delete":
		return s.onDelete(ctx, act)
	default:
		// Announce, Like and others: acknowledged and recorded, no effect.
		_, err := s.objects.ApplyInbound(ctx, act.ID)
		return err
	}
}

// onUpsert stores the version a Create or Update carries, judged by its
// JWS alone (a relay may deliver it) and taken from its verified payload,
// once it follows the history this node holds (history.go).
func (s *Service) onUpsert(ctx context.Context, act *activity.Activity) error {
	rv, err := s.signedObject(ctx, act)
	if err != nil {
		return err
	}
	h, err := s.checkHistory(ctx, &rv.obj, rv.Payload, rv.Raw)
	if err != nil {
		return err
	}
	if len(h.fill) > 0 {
		// The versions that fill the gap first: each one verified and
		// linked, they are history whatever happens to the later one.
		if _, err := s.objects.Apply(ctx, h.fill...); err != nil && !errors.Is(err, storage.ErrStale) {
			return s.inboundResult(err, act)
		}
	}
	_, err = s.objects.ApplyInbound(ctx, act.ID, rv.writeOp())
	return s.inboundResult(err, act)
}

// onDelete stores the signed tombstone a Delete carries. A Delete by
// reference (as other fediverse software sends) changes nothing: only a
// signed tombstone removes a catalogue object.
func (s *Service) onDelete(ctx context.Context, act *activity.Activity) error {
	if act.Object == nil || act.Object.JWS == nil {
		_, err := s.objects.ApplyInbound(ctx, act.ID)
		return err
	}
	return s.onUpsert(ctx, act)
}

// inboundResult maps storage outcomes: a version that lost a race with
// another delivery of the same object is stale (checkHistory refuses the
// others before storage sees them); an invalid object is the sender's
// fault.
func (s *Service) inboundResult(err error, act *activity.Activity) error {
	var se *storage.StaleError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return refuse(http.StatusConflict, "stale-version", err, "%s version %d is not newer than the version %d this node holds: nothing was applied", se.IRI, se.Got, se.Have)
	case errors.Is(err, storage.ErrGone):
		return refuse(http.StatusConflict, "object-gone", err, "the object was deleted by its origin: the %s changes nothing", act.Type)
	case errors.Is(err, storage.ErrJtiReused):
		return refuse(http.StatusConflict, "jws-replayed-jti", err, "%v", err)
	case errors.Is(err, storage.ErrInvalidObject):
		return refuse(http.StatusUnprocessableEntity, "invalid-object", err, "the %s's object is invalid: %v", act.Type, err)
	}
	return err
}
