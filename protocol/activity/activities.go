package activity

import (
	"fmt"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

// activityDoc is an activity; field order is member order. Object is an IRI
// string or an embedded *objectDoc / *activityDoc.
type activityDoc struct {
	Context   []any    `json:"@context,omitempty"`
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	Actor     string   `json:"actor"`
	Object    any      `json:"object"`
	Published string   `json:"published,omitempty"`
	To        []string `json:"to,omitempty"`
	CC        []string `json:"cc,omitempty"`
}

// FollowRef names a Follow activity that an Accept, Reject or Undo embeds:
// its id, its actor (the follower) and its object (the followed actor).
type FollowRef struct {
	ID     string // the Follow's id, as its sender minted it
	Actor  string // the follower
	Object string // the followed actor
}

// newActivity starts a public or addressed activity of this node.
func newActivity(u protocol.URIs, id string, typ vocab.ActivityVocabularyType, at time.Time) (*activityDoc, error) {
	if !protocol.ValidULID(id) {
		return nil, fmt.Errorf("activity: %s: id %q is not a ULID", typ, protocol.Clip(id, 64))
	}
	return &activityDoc{
		Context:   contextValue(false),
		ID:        u.Activity(id),
		Type:      string(typ),
		Actor:     u.Actor(),
		Published: timeString(at),
	}, nil
}

// catalogueActivity builds Create, Update or Delete of a stored object;
// published is the time of the object's version.
func catalogueActivity(u protocol.URIs, id string, typ vocab.ActivityVocabularyType, obj protocol.Object, opts []Option) ([]byte, error) {
	if wantDeleted := typ == vocab.DeleteType; obj.Deleted != wantDeleted {
		if wantDeleted {
			return nil, fmt.Errorf("activity: Delete of %s: the object is not a tombstone (meta.deleted is false)", protocol.Clip(obj.IRI, 96))
		}
		return nil, fmt.Errorf("activity: %s of %s: the object is a tombstone; send Delete", typ, protocol.Clip(obj.IRI, 96))
	}
	a, err := newActivity(u, id, typ, obj.Updated)
	if err != nil {
		return nil, err
	}
	doc, err := objectDocument(u, obj, opts)
	if err != nil {
		return nil, fmt.Errorf("activity: %s: %w", typ, err)
	}
	a.Object = doc
	a.To = []string{Public}
	a.CC = []string{u.Followers()}
	return encode(string(typ), a)
}

// Create announces a new catalogue object of this node to its followers:
// {id: u.Activity(id), actor, object: the Page of Object, published: the
// object's Updated, to: Public, cc: followers}. id is a ULID the caller
// mints. Adoptions and ratings travel this way too.
func Create(u protocol.URIs, id string, obj protocol.Object, opts ...Option) ([]byte, error) {
	return catalogueActivity(u, id, vocab.CreateType, obj, opts)
}

// Update announces a new version of a catalogue object; shaped as Create.
func Update(u protocol.URIs, id string, obj protocol.Object, opts ...Option) ([]byte, error) {
	return catalogueActivity(u, id, vocab.UpdateType, obj, opts)
}

// Delete announces the deletion of a catalogue object: obj is its tombstone
// (Meta.Deleted, no body), rendered as a Tombstone that keeps the
// catalogueEntry meta.
func Delete(u protocol.URIs, id string, obj protocol.Object) ([]byte, error) {
	return catalogueActivity(u, id, vocab.DeleteType, obj, nil)
}

// Follow asks the actor target to let this node follow it; to: target.
func Follow(u protocol.URIs, id, target string, at time.Time) ([]byte, error) {
	if !protocol.ValidHTTPURL(target) {
		return nil, fmt.Errorf("activity: Follow: target %q is not an absolute http or https URL", protocol.Clip(target, 96))
	}
	a, err := newActivity(u, id, vocab.FollowType, at)
	if err != nil {
		return nil, err
	}
	a.Object = target
	a.To = []string{target}
	return encode("Follow", a)
}

// embeddedFollow checks f and returns it as an embedded Follow, with
// defaultActor or defaultObject filling an empty Actor or Object.
func embeddedFollow(typ vocab.ActivityVocabularyType, f FollowRef, defaultActor, defaultObject string) (*activityDoc, error) {
	if f.Actor == "" {
		f.Actor = defaultActor
	}
	if f.Object == "" {
		f.Object = defaultObject
	}
	for _, v := range []struct{ name, iri string }{{"id", f.ID}, {"actor", f.Actor}, {"object", f.Object}} {
		if !protocol.ValidHTTPURL(v.iri) {
			return nil, fmt.Errorf("activity: %s: the Follow's %s %q is not an absolute http or https URL", typ, v.name, protocol.Clip(v.iri, 96))
		}
	}
	return &activityDoc{ID: f.ID, Type: string(vocab.FollowType), Actor: f.Actor, Object: f.Object}, nil
}

// answerFollow builds Accept or Reject of a peer's Follow of this node.
func answerFollow(u protocol.URIs, id string, typ vocab.ActivityVocabularyType, f FollowRef, at time.Time) ([]byte, error) {
	inner, err := embeddedFollow(typ, f, "", u.Actor())
	if err != nil {
		return nil, err
	}
	a, err := newActivity(u, id, typ, at)
	if err != nil {
		return nil, err
	}
	a.Object = inner
	a.To = []string{inner.Actor}
	return encode(string(typ), a)
}

// Accept accepts a peer's Follow of this node; the Follow is embedded
// (id, actor: the follower, object: this actor when f.Object is empty) so
// that servers which do not keep Follow ids recognise it; to: the follower.
func Accept(u protocol.URIs, id string, f FollowRef, at time.Time) ([]byte, error) {
	return answerFollow(u, id, vocab.AcceptType, f, at)
}

// Reject refuses a peer's Follow of this node; shaped as Accept.
func Reject(u protocol.URIs, id string, f FollowRef, at time.Time) ([]byte, error) {
	return answerFollow(u, id, vocab.RejectType, f, at)
}

// Undo withdraws this node's own Follow f (f.Actor defaults to this actor;
// f.Object is the followed actor); the Follow is embedded; to: the followed
// actor.
func Undo(u protocol.URIs, id string, f FollowRef, at time.Time) ([]byte, error) {
	inner, err := embeddedFollow(vocab.UndoType, f, u.Actor(), "")
	if err != nil {
		return nil, err
	}
	if inner.Actor != u.Actor() {
		return nil, fmt.Errorf("activity: Undo: the Follow's actor %q is not this node's actor", protocol.Clip(inner.Actor, 96))
	}
	a, err := newActivity(u, id, vocab.UndoType, at)
	if err != nil {
		return nil, err
	}
	a.Object = inner
	a.To = []string{inner.Object.(string)}
	return encode("Undo", a)
}

// Announce re-shares an object (usually a peer's) by IRI: to Public, cc
// the followers and the extra addressees (e.g. the object's owner).
func Announce(u protocol.URIs, id, objectIRI string, at time.Time, cc ...string) ([]byte, error) {
	if !protocol.ValidHTTPURL(objectIRI) {
		return nil, fmt.Errorf("activity: Announce: object %q is not an absolute http or https URL", protocol.Clip(objectIRI, 96))
	}
	a, err := newActivity(u, id, vocab.AnnounceType, at)
	if err != nil {
		return nil, err
	}
	a.Object = objectIRI
	a.To = []string{Public}
	a.CC = []string{u.Followers()}
	for _, c := range cc {
		if !protocol.ValidHTTPURL(c) {
			return nil, fmt.Errorf("activity: Announce: cc %q is not an absolute http or https URL", protocol.Clip(c, 96))
		}
		a.CC = append(a.CC, c)
	}
	return encode("Announce", a)
}
