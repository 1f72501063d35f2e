package catalogue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/interlink-project/interlink-node/federation"
	"github.com/interlink-project/interlink-node/protocol"
)

// Re-signing: the origin re-signs its objects before their signatures
// expire, as a new version with the same body and a fresh JWS (receivers
// take it like any update); a co-produced object goes through its
// co-signers again, as a draft. Versions stored before the node signed
// objects are signed the same way, and so are those signed with a content
// key revoked since (a receiver that first sees them after the revocation
// refuses them whatever their iat: docs/trust.md).

// ResignDue re-signs every local live object whose signature expires before
// horizon, has none, or was made with one of the revoked kids. It returns
// how many it re-signed or offered again to their co-signers; an object it
// cannot re-sign is logged and skipped.
func (s *Service) ResignDue(ctx context.Context, horizon time.Time, revoked map[string]bool, log *slog.Logger) (int, error) {
	drafts, err := s.d.Store.Cosigning().Drafts(ctx)
	if err != nil {
		return 0, err
	}
	waiting := map[string]bool{} // objects whose co-signers are being asked already
	for _, d := range drafts {
		if d.Status == federation.DraftPending {
			waiting[d.Object.IRI] = true
		}
	}
	self := s.d.URIs.Base()
	var due []string
	err = s.d.Store.ForEach(ctx, func(o protocol.Object) error {
		if o.Origin != self || o.Deleted || waiting[o.IRI] {
			return nil
		}
		if len(o.JWS) == 0 || o.Verification == nil || o.Verification.Expires.IsZero() || o.Verification.Expires.Before(horizon) ||
			signedWithAny(o.Verification, self, revoked) {
			due = append(due, o.ID)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("find objects to re-sign: %w", err)
	}
	count := 0
	for _, id := range due {
		if err := ctx.Err(); err != nil {
			return count, err
		}
		cur, err := s.d.Store.GetByID(ctx, id)
		if err != nil {
			return count, err
		}
		e, err := protocol.DecodeEntity(cur.Body)
		if err != nil {
			log.Warn("cannot re-sign an object whose body does not decode", "iri", cur.IRI, "err", err)
			continue
		}
		_, err = s.update(ctx, id, e, cur.Version, true) // the same content, signed again
		var ds *DraftStarted
		switch {
		case err == nil, errors.As(err, &ds):
			count++
		default:
			log.Warn("re-sign failed", "iri", cur.IRI, "err", err)
		}
	}
	return count, nil
}

// signedWithAny reports whether self's signature on the version recorded
// by v was made with one of kids.
func signedWithAny(v *protocol.Verification, self string, kids map[string]bool) bool {
	for _, s := range v.Signers {
		if s.EntityID == self && kids[s.Kid] {
			return true
		}
	}
	return false
}

// Resigner is the re-signing job: a Pass runs ResignDue with the horizon
// Before from now; the node runs one every Every (the first First after it
// starts), and at once when kicked (a content key was revoked).
type Resigner struct {
	Every  time.Duration
	First  time.Duration
	Before time.Duration // trust.resign_before
	// Revoked returns the kids of this node's revoked content keys.
	Revoked func() map[string]bool
	Now     func() time.Time
	// Do runs fn with the node's current catalogue (a restore replaces it)
	// under the node's restore gate; it does not run fn once the node is
	// closing.
	Do  func(fn func(*Service))
	Log *slog.Logger

	kick chan struct{}
}

// NewResigner returns the job r describes, ready to run and to kick.
func NewResigner(r Resigner) *Resigner {
	r.kick = make(chan struct{}, 1)
	return &r
}

// Kicks delivers the passes asked for by Kick, for the loop that runs the
// job.
func (r *Resigner) Kicks() <-chan struct{} { return r.kick }

// Kick starts a pass now (after a key revocation); a pass already asked
// for is not asked twice.
func (r *Resigner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Pass runs one pass: objects whose signature expires within Before, has
// none, or was made with a content key revoked since are re-signed.
func (r *Resigner) Pass(ctx context.Context) (count int, err error) {
	r.Do(func(s *Service) { count, err = s.ResignDue(ctx, r.Now().Add(r.Before), r.Revoked(), r.Log) })
	return count, err
}
