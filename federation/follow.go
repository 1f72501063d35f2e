package federation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/interlink-project/interlink-node/protocol/activity"
	"github.com/interlink-project/interlink-node/storage"
)

// onFollow applies the follow policy to a peer's Follow of this node.
func (s *Service) onFollow(ctx context.Context, act *activity.Activity) error {
	if act.ObjectID() != s.uris.Actor() {
		return refuse(http.StatusUnprocessableEntity, "not-our-actor", nil, "the Follow's object %s is not this node's actor %s", act.ObjectID(), s.uris.Actor())
	}
	peer, err := s.Actor(ctx, act.Actor)
	if err != nil {
		return refuse(http.StatusBadGateway, "actor-unavailable", err, "the follower's actor could not be fetched: %v", err)
	}
	state := storage.FollowPending
	switch s.cfg.FollowPolicy {
	case PolicyOpen:
		state = storage.FollowAccepted
	case PolicyTrusted:
		state = storage.FollowRejected
		if s.trustedActor(ctx, peer) {
			state = storage.FollowAccepted
		}
	}
	now := s.now().UTC()
	f := storage.Follow{Actor: peer.ID, Inbox: peer.Inbox, SharedInbox: peer.SharedInbox, FollowIRI: act.ID, State: state, Since: now, Updated: now}
	if old, err := s.graph.Follower(ctx, peer.ID); err == nil {
		f.Since = old.Since
		if old.State == storage.FollowAccepted {
			f.State = storage.FollowAccepted // a repeated Follow of an accepted follower stays accepted
		}
	}
	if err := s.graph.PutFollower(ctx, f); err != nil {
		return err
	}
	if f.State != storage.FollowPending {
		if err := s.answerFollow(ctx, f, f.State == storage.FollowAccepted); err != nil {
			return err
		}
	}
	s.log.Info("follow received", "actor", peer.ID, "state", f.State, "policy", s.cfg.FollowPolicy)
	_, err = s.objects.ApplyInbound(ctx, act.ID)
	return err
}

// answerFollow enqueues Accept or Reject of follower f's Follow.
func (s *Service) answerFollow(ctx context.Context, f storage.Follow, accept bool) error {
	id := s.ids.New(s.now())
	ref := activity.FollowRef{ID: f.FollowIRI, Actor: f.Actor, Object: s.uris.Actor()}
	build, typ := activity.Accept, "Accept"
	if !accept {
		build, typ = activity.Reject, "Reject"
	}
	body, err := build(s.uris, id, ref, s.now())
	if err != nil {
		return fmt.Errorf("federation: %s the follow of %s: %w", typ, f.Actor, err)
	}
	a := storage.Activity{IRI: s.uris.Activity(id), Type: typ, Actor: s.uris.Actor(), ObjectIRI: f.FollowIRI, Published: s.now().UTC(), Body: body}
	if err := s.queue.Enqueue(ctx, a, []string{f.Inbox}); err != nil {
		return err
	}
	s.Kick()
	return nil
}

// onFollowAnswer records a peer's Accept or Reject of this node's Follow,
// and starts the backfill of an accepted one.
func (s *Service) onFollowAnswer(ctx context.Context, act *activity.Activity) error {
	f, err := s.graph.Following(ctx, act.Actor)
	if errors.Is(err, storage.ErrNotFound) {
		_, err := s.objects.ApplyInbound(ctx, act.ID) // an answer to nothing we asked
		return err
	}
	if err != nil {
		return err
	}
	if inner := act.ObjectID(); inner != "" && inner != f.FollowIRI {
		return refuse(http.StatusUnprocessableEntity, "unknown-follow", nil, "the %s answers %s, not this node's Follow %s", act.Type, inner, f.FollowIRI)
	}
	f.State = storage.FollowRejected
	if act.Type == "Accept" {
		f.State = storage.FollowAccepted
	}
	f.Updated = s.now().UTC()
	if err := s.graph.PutFollowing(ctx, f); err != nil {
		return err
	}
	if _, err := s.objects.ApplyInbound(ctx, act.ID); err != nil {
		return err
	}
	s.log.Info("follow answered", "actor", act.Actor, "state", f.State)
	if f.State == storage.FollowAccepted {
		s.catchUp.StartBackfill(act.Actor)
	}
	return nil
}

// onUndo removes a follower whose Follow is undone.
func (s *Service) onUndo(ctx context.Context, act *activity.Activity) error {
	if act.Inner != nil && act.Inner.Type != "" && act.Inner.Type != "Follow" {
		_, err := s.objects.ApplyInbound(ctx, act.ID) // Undo of a Like, Announce...: nothing kept
		return err
	}
	f, err := s.graph.Follower(ctx, act.Actor)
	if errors.Is(err, storage.ErrNotFound) {
		_, err := s.objects.ApplyInbound(ctx, act.ID)
		return err
	}
	if err != nil {
		return err
	}
	if id := act.ObjectID(); id != "" && id != f.FollowIRI && !sameOrigin(id, act.Actor) {
		return refuse(http.StatusForbidden, "foreign-origin", nil, "the undone Follow %s is not the sender's", id)
	}
	if err := s.graph.DeleteFollower(ctx, act.Actor); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	s.log.Info("unfollowed", "actor", act.Actor)
	_, err = s.objects.ApplyInbound(ctx, act.ID)
	return err
}

// Follow makes this node follow target: an actor IRI, or acct:name@host
// (resolved by WebFinger). It records the follow as pending and enqueues
// the Follow activity; the peer's Accept completes it and starts the backfill.
func (s *Service) Follow(ctx context.Context, target string) (storage.Follow, error) {
	actorIRI, err := s.resolveTarget(ctx, target)
	if err != nil {
		return storage.Follow{}, err
	}
	peer, err := s.Actor(ctx, actorIRI)
	if err != nil {
		return storage.Follow{}, fmt.Errorf("federation: follow %s: %w", target, err)
	}
	if old, err := s.graph.Following(ctx, peer.ID); err == nil && old.State == storage.FollowAccepted {
		s.catchUp.StartBackfill(peer.ID) // catch up anyway
		return old, nil
	}
	id := s.ids.New(s.now())
	body, err := activity.Follow(s.uris, id, peer.ID, s.now())
	if err != nil {
		return storage.Follow{}, fmt.Errorf("federation: follow %s: %w", peer.ID, err)
	}
	now := s.now().UTC()
	f := storage.Follow{Actor: peer.ID, Inbox: peer.Inbox, SharedInbox: peer.SharedInbox, FollowIRI: s.uris.Activity(id),
		State: storage.FollowPending, Since: now, Updated: now}
	if err := s.graph.PutFollowing(ctx, f); err != nil {
		return storage.Follow{}, err
	}
	a := storage.Activity{IRI: f.FollowIRI, Type: "Follow", Actor: s.uris.Actor(), ObjectIRI: peer.ID, Published: now, Body: body}
	if err := s.queue.Enqueue(ctx, a, []string{peer.Inbox}); err != nil {
		return storage.Follow{}, err
	}
	s.Kick()
	return f, nil
}

// FollowOnce follows actor (an actor IRI) unless a follow of it is
// recorded already, in any state; existed says it was (gossip discovery
// follows each verified member once).
func (s *Service) FollowOnce(ctx context.Context, actor string) (f storage.Follow, existed bool, err error) {
	if old, err := s.graph.Following(ctx, actor); err == nil {
		return old, true, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return storage.Follow{}, false, err
	}
	f, err = s.Follow(ctx, actor)
	return f, false, err
}

// Unfollow withdraws this node's Follow of actor (Undo) and forgets it.
func (s *Service) Unfollow(ctx context.Context, actor string) error {
	f, err := s.graph.Following(ctx, actor)
	if err != nil {
		return err
	}
	id := s.ids.New(s.now())
	body, err := activity.Undo(s.uris, id, activity.FollowRef{ID: f.FollowIRI, Actor: s.uris.Actor(), Object: f.Actor}, s.now())
	if err != nil {
		return err
	}
	a := storage.Activity{IRI: s.uris.Activity(id), Type: "Undo", Actor: s.uris.Actor(), ObjectIRI: f.FollowIRI, Published: s.now().UTC(), Body: body}
	if err := s.queue.Enqueue(ctx, a, []string{f.Inbox}); err != nil {
		return err
	}
	s.Kick()
	return s.graph.DeleteFollowing(ctx, actor)
}

// Decide approves or rejects a pending follower (manual policy).
func (s *Service) Decide(ctx context.Context, actor string, approve bool) (storage.Follow, error) {
	f, err := s.graph.Follower(ctx, actor)
	if err != nil {
		return storage.Follow{}, err
	}
	f.State = storage.FollowRejected
	if approve {
		f.State = storage.FollowAccepted
	}
	f.Updated = s.now().UTC()
	if err := s.graph.PutFollower(ctx, f); err != nil {
		return storage.Follow{}, err
	}
	return f, s.answerFollow(ctx, f, approve)
}

// resolveTarget turns acct:name@host or an actor IRI into an actor IRI.
func (s *Service) resolveTarget(ctx context.Context, target string) (string, error) {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		return target, s.checkRemote(target)
	}
	name, host, err := activity.ParseAcct(target)
	if err != nil {
		return "", fmt.Errorf("federation: %q is neither an actor URL nor acct:name@host: %w", target, err)
	}
	// WebFinger is served over https; a test federation on loopback
	// (allow_private_networks) serves plain http, tried second.
	schemes := []string{"https"}
	if s.cfg.AllowPrivateNetworks {
		schemes = append(schemes, "http")
	}
	var lastErr error
	for _, scheme := range schemes {
		u := scheme + "://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+name+"@"+host)
		if err := s.checkRemote(u); err != nil {
			return "", err
		}
		raw, err := s.get(ctx, u, activity.JRDContentType+", application/json;q=0.9", false)
		if err != nil {
			lastErr = err
			continue
		}
		actor, err := activity.ParseWebFinger(raw)
		if err != nil {
			return "", fmt.Errorf("federation: WebFinger of %s: %w", target, err)
		}
		return actor, s.checkRemote(actor)
	}
	return "", fmt.Errorf("federation: WebFinger of %s: %w", target, lastErr)
}

// trustedActor is the follow policy "trusted": the actor's node must have a
// trust chain to a pinned anchor, and must not be revoked.
func (s *Service) trustedActor(ctx context.Context, actor *activity.RemoteActor) bool {
	if actor == nil {
		return false
	}
	ch, err := s.trust.Resolver().Resolve(ctx, originOf(actor.ID))
	if err != nil {
		s.log.Info("follow from an actor without a trust chain", "actor", actor.ID, "err", err)
		return false
	}
	return ch.RevokedAt.IsZero()
}
