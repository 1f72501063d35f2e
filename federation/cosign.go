package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/protocol/signedobject"
	"github.com/interlink-project/interlink-node/storage"
)

// Co-production (DESIGN.md §4, docs/trust.md): a version whose cosigners
// include other nodes is kept as a draft, signed by this node, and offered
// to each co-signer (Offer); each co-signer's editor approves it and its
// node answers with its signature over the same payload bytes (Accept with
// the signature as result) or refuses (Reject). The version is stored and
// published only when every co-signer has signed.

// Draft and co-sign request states.
const (
	DraftPending   = "pending"
	DraftPublished = "published"
	DraftRejected  = "rejected"
	DraftFailed    = "failed"
	CosignApproved = "approved"
	CosignRejected = "rejected"
)

var (
	// ErrCosign: a co-sign operation is not possible (the message says why).
	ErrCosign = errors.New("co-sign refused")
)

// Coproduction is the co-production part of the federation agent: the
// drafts this node offers to its co-signers and their answers, the co-sign
// requests it receives and answers, and their expiry. It shares the
// agent's store, trust layer, identity and delivery queue.
type Coproduction struct{ s *Service }

// Cosign is the agent's co-production part.
func (s *Service) Cosign() *Coproduction { return s.cosign }

// Cosigners returns the entity ids that must sign a version of e made by
// self: self, then the origin of every organisation e names as co-producer
// (a public service's coproduced_by, a story's participants).
func Cosigners(self string, e protocol.Entity) []string {
	out := []string{self}
	c, ok := e.(protocol.Coproduced)
	if !ok {
		return out
	}
	for _, iri := range c.Coproducers() {
		if o := originOf(iri); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// StartCosign keeps obj (a new version of a local object, following
// expect) as a draft signed by this node and offers it to every other
// co-signer. prevJWS is the previous version's JWS (nil for version 1).
func (cp *Coproduction) StartCosign(ctx context.Context, obj protocol.Object, expect uint64, prevJWS []byte, cosigners []string) (storage.Draft, error) {
	s := cp.s
	self := s.uris.Base()
	type peerInbox struct{ entity, actor, inbox string }
	var peers []peerInbox
	for _, c := range cosigners {
		if c == self {
			continue
		}
		if err := s.checkRemote(c); err != nil {
			return storage.Draft{}, fmt.Errorf("%w: co-signer %s: %w", ErrCosign, c, err)
		}
		actorIRI, err := cp.actorOfEntity(ctx, c)
		if err != nil {
			return storage.Draft{}, fmt.Errorf("%w: co-signer %s: find its actor: %w", ErrCosign, c, err)
		}
		peer, err := s.Actor(ctx, actorIRI)
		if err != nil {
			return storage.Draft{}, fmt.Errorf("%w: co-signer %s: %w", ErrCosign, c, err)
		}
		if originOf(peer.ID) != c {
			return storage.Draft{}, fmt.Errorf("%w: co-signer %s: its actor %s is on another origin", ErrCosign, c, peer.ID)
		}
		peers = append(peers, peerInbox{entity: c, actor: peer.ID, inbox: peer.Inbox})
	}
	jws, err := s.trust.SignVersion(obj, prevJWS, cosigners)
	if err != nil {
		return storage.Draft{}, err
	}
	now := s.now().UTC()
	obj.JWS, obj.Verification = nil, nil
	d := storage.Draft{ID: s.ids.New(now), JWS: jws,
		Cosigners: cosigners, Signed: []string{self}, Status: DraftPending, Created: now, Updated: now,
		Object: obj, ExpectVersion: expect, Offers: map[string]string{}}
	offered := obj
	offered.JWS = jws
	var acts []storage.Activity
	var inboxes [][]string
	for _, p := range peers {
		id := s.ids.New(now)
		body, err := activity.Offer(s.uris, id, offered, p.actor, now)
		if err != nil {
			return storage.Draft{}, err
		}
		d.Offers[p.entity] = s.uris.Activity(id)
		acts = append(acts, storage.Activity{IRI: s.uris.Activity(id), Type: "Offer", Actor: s.uris.Actor(), ObjectIRI: obj.IRI, Published: now, Body: body})
		inboxes = append(inboxes, []string{p.inbox})
	}
	if err := s.cosigning.PutDraft(ctx, d); err != nil {
		return storage.Draft{}, err
	}
	for i := range acts {
		if err := s.queue.Enqueue(ctx, acts[i], inboxes[i]); err != nil {
			return storage.Draft{}, err
		}
	}
	s.Kick()
	return d, nil
}

// actorOfEntity finds the ActivityPub actor of a node from its entity
// configuration (metadata interlink_node.actor).
func (cp *Coproduction) actorOfEntity(ctx context.Context, entity string) (string, error) {
	s := cp.s
	ec, err := s.trust.Resolver().SelfSigned(ctx, entity)
	if err != nil {
		return "", err
	}
	in := ec.Statement.InterlinkNode()
	if in == nil || in.Actor == "" {
		return "", fmt.Errorf("its entity configuration names no interlink_node actor")
	}
	return in.Actor, nil
}

// Limits on received co-sign requests (trust-threats §5: an Offer costs the
// receiver storage and an editor's attention).
const (
	// MaxOfferJWS bounds the draft an Offer carries.
	MaxOfferJWS = 256 << 10
	// CosignQuota is how many requests one origin may have pending here.
	CosignQuota = 50
	// CosignRequestTTL is how long a request waits for a decision before
	// it expires.
	CosignRequestTTL = 30 * 24 * time.Hour
)

// onOffer records a co-sign request from another node: the draft must be
// small enough, signed by its sender's node, verify as far as it is signed,
// list this node among its cosigners, and come from a node this node's
// policy trusts (a chain to a pinned anchor) or that it follows; each
// origin has at most CosignQuota requests pending.
func (cp *Coproduction) onOffer(ctx context.Context, act *activity.Activity) error {
	s := cp.s
	if act.Object == nil || act.Object.JWS == nil {
		_, err := s.objects.ApplyInbound(ctx, act.ID) // not a co-sign request: ignored
		return err
	}
	if n := len(act.Object.JWS); n > MaxOfferJWS {
		return refuse(http.StatusRequestEntityTooLarge, "offer-too-large", nil, "the draft is %d bytes; a co-sign request carries at most %d", n, MaxOfferJWS)
	}
	r, err := s.trust.VerifyDraft(ctx, act.Object.JWS)
	if err != nil {
		return trustProblem(err)
	}
	p := r.Payload
	if p.Iss != originOf(act.Actor) {
		return refuse(http.StatusForbidden, "foreign-origin", nil, "the draft is issued by %s, not by the sender %s", p.Iss, act.Actor)
	}
	if !slices.Contains(p.Cosigners, s.uris.Base()) {
		return refuse(http.StatusUnprocessableEntity, "not-a-cosigner", nil, "the draft does not list this node (%s) among its cosigners", s.uris.Base())
	}
	if r.Verification.Status != protocol.Verified {
		f, err := s.graph.Following(ctx, act.Actor)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err != nil || f.State != storage.FollowAccepted {
			return refuse(http.StatusForbidden, "cosign-untrusted", nil,
				"%s has no trust chain to an anchor this node pins (%s) and this node does not follow it: its co-sign requests are not taken", p.Iss, r.Verification.Reason)
		}
	}
	title := ""
	if e, err := protocol.DecodeEntity(p.Body); err == nil {
		title = e.Index().Name.Preferred()
	}
	now := s.now().UTC()
	q := storage.CosignRequest{ID: s.ids.New(now), Activity: act.ID, Actor: act.Actor, Origin: p.Iss, IRI: p.Sub, Title: title,
		JWS: act.Object.JWS, Status: DraftPending, Received: now}
	_, added, err := s.cosigning.AddCosignRequest(ctx, q, CosignQuota)
	if errors.Is(err, storage.ErrQuota) {
		ie := refuse(http.StatusTooManyRequests, "cosign-quota", err,
			"%s already has %d co-sign requests waiting for a decision here: retry when some are decided", p.Iss, CosignQuota)
		ie.RetryAfter = time.Hour
		return ie
	}
	if err != nil {
		return err
	}
	if added {
		s.log.Info("co-sign request received", "from", p.Iss, "object", p.Sub, "request", q.ID)
	}
	_, err = s.objects.ApplyInbound(ctx, act.ID)
	return err
}

// ExpireCosignRequests expires the requests nobody decided on within
// CosignRequestTTL, freeing their origins' quota.
func (cp *Coproduction) ExpireCosignRequests(ctx context.Context) (int, error) {
	s := cp.s
	return s.cosigning.ExpirePendingCosign(ctx, s.now().Add(-CosignRequestTTL), fmt.Sprintf("no decision within %s", CosignRequestTTL))
}

// AnswerCosign approves (signs the draft, answers Accept with the
// signature) or rejects (answers Reject) a received co-sign request.
func (cp *Coproduction) AnswerCosign(ctx context.Context, id string, approve bool, reason string) (storage.CosignRequest, error) {
	s := cp.s
	q, err := s.cosigning.CosignRequest(ctx, id)
	if err != nil {
		return storage.CosignRequest{}, err
	}
	if q.Status != DraftPending {
		return storage.CosignRequest{}, fmt.Errorf("%w: request %s is already %s", ErrCosign, id, q.Status)
	}
	peer, err := s.Actor(ctx, q.Actor)
	if err != nil {
		return storage.CosignRequest{}, fmt.Errorf("%w: find %s: %w", ErrCosign, q.Actor, err)
	}
	var result []byte
	if approve {
		// The draft is checked again: keys may have been revoked meanwhile.
		if _, err := s.trust.VerifyDraft(ctx, q.JWS); err != nil {
			return storage.CosignRequest{}, fmt.Errorf("%w: the draft no longer verifies: %w", ErrCosign, err)
		}
		if result, err = s.trust.Countersign(q.JWS); err != nil {
			return storage.CosignRequest{}, err
		}
	}
	now := s.now().UTC()
	aid := s.ids.New(now)
	body, err := activity.AnswerOffer(s.uris, aid, approve, q.Activity, q.Actor, result, reason, now)
	if err != nil {
		return storage.CosignRequest{}, err
	}
	typ := "Reject"
	q.Status = CosignRejected
	if approve {
		typ, q.Status = "Accept", CosignApproved
	}
	q.Reason, q.Decided = reason, now
	if err := s.cosigning.PutCosignRequest(ctx, q); err != nil {
		return storage.CosignRequest{}, err
	}
	a := storage.Activity{IRI: s.uris.Activity(aid), Type: typ, Actor: s.uris.Actor(), ObjectIRI: q.Activity, Published: now, Body: body}
	if err := s.queue.Enqueue(ctx, a, []string{peer.Inbox}); err != nil {
		return storage.CosignRequest{}, err
	}
	s.Kick()
	return q, nil
}

// DraftBody is the entity a received draft (a co-sign request's JWS)
// carries, exactly as it will be published, when the draft verifies as far
// as it is signed; nil otherwise.
func (cp *Coproduction) DraftBody(ctx context.Context, jws []byte) json.RawMessage {
	r, err := cp.s.trust.VerifyDraft(ctx, jws)
	if err != nil {
		return nil
	}
	return r.Payload.Body
}

// onOfferAnswer applies a co-signer's Accept or Reject of one of this
// node's Offers; handled is false when act answers something else (a
// Follow).
func (cp *Coproduction) onOfferAnswer(ctx context.Context, act *activity.Activity) (handled bool, err error) {
	s := cp.s
	offer := act.ObjectID()
	if offer == "" || !sameOrigin(offer, s.uris.Base()) {
		return false, nil
	}
	drafts, err := s.cosigning.Drafts(ctx)
	if err != nil {
		return true, err
	}
	for _, d := range drafts {
		for cosigner, iri := range d.Offers {
			if iri == offer {
				return true, cp.answered(ctx, act, d, cosigner)
			}
		}
	}
	return false, nil
}

func (cp *Coproduction) answered(ctx context.Context, act *activity.Activity, d storage.Draft, cosigner string) error {
	s := cp.s
	if originOf(act.Actor) != cosigner {
		return refuse(http.StatusForbidden, "foreign-origin", nil, "the Offer was made to %s, not to %s", cosigner, act.Actor)
	}
	if d.Status != DraftPending || slices.Contains(d.Signed, cosigner) {
		_, err := s.objects.ApplyInbound(ctx, act.ID) // late or repeated: nothing changes
		return err
	}
	result, summary, err := activity.OfferAnswer(act.Raw)
	if err != nil {
		return refuse(http.StatusBadRequest, "malformed-activity", err, "%v", err)
	}
	now := s.now().UTC()
	d.Updated = now
	if act.Type == "Reject" {
		d.Status, d.Reason = DraftRejected, strings.TrimSpace(cosigner+" refused to co-sign: "+summary)
		s.log.Info("co-sign refused", "draft", d.ID, "by", cosigner, "reason", summary)
		return cp.saveAnswered(ctx, act, d)
	}
	merged, err := signedobject.Merge(d.JWS, result)
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "jws-malformed", err, "the co-signature cannot join the draft: %v", err)
	}
	in, err := signedobject.Inspect(merged)
	if err != nil || !slices.ContainsFunc(in.Sigs, func(h signedobject.SigHeader) bool { return h.Signer == cosigner }) {
		return refuse(http.StatusUnprocessableEntity, "jws-missing-cosigner", err, "the answer carries no signature by %s", cosigner)
	}
	if _, err := s.trust.VerifyDraft(ctx, merged); err != nil {
		return trustProblem(err)
	}
	d.JWS, d.Signed = merged, append(d.Signed, cosigner)
	if len(d.Signed) == len(d.Cosigners) {
		if err := cp.publishDraft(ctx, &d); err != nil {
			d.Status, d.Reason = DraftFailed, err.Error()
			s.log.Warn("a co-signed draft could not be published", "draft", d.ID, "err", err)
		}
	}
	return cp.saveAnswered(ctx, act, d)
}

func (cp *Coproduction) saveAnswered(ctx context.Context, act *activity.Activity, d storage.Draft) error {
	s := cp.s
	if err := s.cosigning.PutDraft(ctx, d); err != nil {
		return err
	}
	_, err := s.objects.ApplyInbound(ctx, act.ID)
	return err
}

// publishDraft stores the completed version and announces it.
func (cp *Coproduction) publishDraft(ctx context.Context, d *storage.Draft) error {
	s := cp.s
	r, err := s.trust.Judge(ctx, d.JWS, time.Time{})
	if err != nil {
		return fmt.Errorf("the complete document does not verify: %w", err)
	}
	obj := d.Object
	obj.JWS, obj.Verification = d.JWS, r.Verification
	e, err := protocol.DecodeEntity(obj.Body)
	if err != nil {
		return err
	}
	act, err := Publication(s.uris, &s.ids, obj, e, s.now())
	if err != nil {
		return err
	}
	if _, err := s.objects.Apply(ctx, storage.WriteOp{Object: obj, ExpectVersion: d.ExpectVersion, Entity: e, Publish: act}); err != nil {
		return err
	}
	d.Status, d.Reason = DraftPublished, ""
	s.log.Info("co-produced version published", "object", d.Object.IRI, "version", d.Object.Version, "cosigners", len(d.Cosigners))
	s.Kick()
	return nil
}

// CheckCoproducers refuses a verified public service or story whose
// co-producers did not all sign it.
func CheckCoproducers(cosigners []string, e protocol.Entity) error {
	c, ok := e.(protocol.Coproduced)
	if !ok {
		return nil
	}
	what := "coproduced_by"
	if _, story := e.(*protocol.Story); story {
		what = "participants"
	}
	for _, iri := range c.Coproducers() {
		if o := originOf(iri); o != "" && !slices.Contains(cosigners, o) {
			return fmt.Errorf("%s names %s, whose node %s did not sign", what, iri, o)
		}
	}
	return nil
}

// CosignExpiry is the job that expires the co-sign requests nobody decided
// on within CosignRequestTTL, freeing their senders' quota; the node runs a
// Pass periodically.
type CosignExpiry struct {
	// Do runs fn with the node's current co-production part (a restore
	// replaces the agent) under the node's restore gate; it does not run
	// fn once the node is closing.
	Do func(fn func(*Coproduction))
}

// Pass expires the requests due now and returns how many it expired.
func (j CosignExpiry) Pass(ctx context.Context) (count int, err error) {
	j.Do(func(c *Coproduction) { count, err = c.ExpireCosignRequests(ctx) })
	return count, err
}
