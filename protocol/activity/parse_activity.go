package activity

import (
	"encoding/json"
	"fmt"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

// Activity is an activity read from a peer.
type Activity struct {
	ID    string
	Type  string   // the main ActivityStreams type (the first known of Types); an unknown one is kept as sent
	Types []string // every declared type
	Actor string
	// ObjectIRI is the object when it was sent as a bare IRI (a Follow's
	// actor, a Delete's or Announce's object, an Undo of a Follow by id).
	ObjectIRI string
	// Object is the embedded object (with its catalogueEntry, if any) when
	// it is not an activity.
	Object *Parsed
	// Inner is the embedded activity of an Undo, Accept or Reject (the
	// Follow), or of any activity whose object is one.
	Inner     *Activity
	To, CC    []string // Public in its full form
	Published time.Time
	Raw       []byte // the document as received (not copied)
}

// ObjectID returns the IRI of the object however it was sent: ObjectIRI,
// or the id of the embedded object or activity.
func (a *Activity) ObjectID() string {
	switch {
	case a.ObjectIRI != "":
		return a.ObjectIRI
	case a.Object != nil:
		return a.Object.ID
	case a.Inner != nil:
		return a.Inner.ID
	}
	return ""
}

// IsPublic reports whether the activity is addressed to the Public
// collection (in to or cc).
func (a *Activity) IsPublic() bool {
	for _, l := range [][]string{a.To, a.CC} {
		for _, s := range l {
			if s == Public {
				return true
			}
		}
	}
	return false
}

// ParseActivity reads an activity a peer posted, after the checks and the
// normalisation of the package documentation: at most MaxDocumentBytes,
// nesting at most protocol.MaxJSONDepth, type arrays, single or array
// to/cc/tag, the three forms of Public, extra @context entries. The
// activity needs an id and one actor (absolute http(s) URLs); an embedded
// activity (the Follow inside an Accept) may lack an id. An object given
// as an array is refused. Errors name the field (a wrapped
// *protocol.ValidationError) or wrap ErrTooLarge or protocol.ErrMalformedJSON.
func ParseActivity(raw []byte) (*Activity, error) {
	const what = "activity"
	tree, it, err := loadItem(what, raw)
	if err != nil {
		return nil, err
	}
	a, err := parseActivityNode(what, "", it, tree, raw, true)
	if err != nil {
		return nil, err
	}
	a.Raw = raw
	return a, nil
}

// isActivityNode reports whether a node is an activity: its main type is
// one, or it is not an ActivityStreams type and the node has an actor.
func isActivityNode(node map[string]any) bool {
	main, _ := typesOf(node)
	t := vocab.ActivityVocabularyType(main)
	if vocab.ActivityTypes.Contains(t) || vocab.IntransitiveActivityTypes.Contains(t) || t == vocab.ActivityType ||
		t == vocab.IntransitiveActivityType {
		return true
	}
	if _, known := canonicalType(main); known {
		return false // an object, actor, link or collection type
	}
	_, hasActor := node["actor"]
	return hasActor
}

// needsObject reports whether an activity type is meaningless without an
// object.
func needsObject(t string) bool {
	switch vocab.ActivityVocabularyType(t) {
	case vocab.CreateType, vocab.UpdateType, vocab.DeleteType, vocab.FollowType, vocab.AcceptType,
		vocab.RejectType, vocab.UndoType, vocab.AnnounceType:
		return true
	}
	return false
}

// parseActivityNode reads one activity: it is go-ap's decoding of node, raw
// the node's exact bytes, prefix its field path; top says whether it is the
// document itself (which must have an id and an actor).
func parseActivityNode(what, prefix string, it vocab.Item, node map[string]any, raw json.RawMessage, top bool) (*Activity, error) {
	a := &Activity{}
	a.Type, a.Types = typesOf(node)
	if a.Type == "" {
		return nil, fieldErr(what, path(prefix, "type"), "required", "is required")
	}
	if !isActivityNode(node) {
		return nil, fieldErr(what, path(prefix, "type"), "enum", "%q is not an activity type", protocol.Clip(a.Type, 64))
	}
	ob := asObject(it)
	a.ID = string(ob.ID)
	a.To = collectionLinks(ob.To)
	a.CC = collectionLinks(ob.CC)
	a.Published = ob.Published

	// go-ap sets an activity's actor through an unsafe cast to
	// IntransitiveActivity, whose field has another interface type: the
	// value's itab is not Item's, so assert on the dynamic type (any).
	var actor, object vocab.Item
	switch v := any(it).(type) {
	case *vocab.Activity:
		actor, object = v.Actor, v.Object
	case *vocab.IntransitiveActivity:
		actor = v.Actor
	case *vocab.Question:
		actor = v.Actor
	}
	if col, ok := any(actor).(vocab.ItemCollection); ok && len(col) > 1 {
		return nil, fieldErr(what, path(prefix, "actor"), "single", "names %d actors; one is required", len(col))
	}
	a.Actor = link(actor)

	ve := &protocol.ValidationError{}
	checkURL(ve, path(prefix, "id"), a.ID, top)
	checkURL(ve, path(prefix, "actor"), a.Actor, top)
	if err := ve.Err(); err != nil {
		return nil, fmt.Errorf("activity: parse %s: %w", what, err)
	}

	objField := path(prefix, "object")
	switch v := node["object"].(type) {
	case nil:
		if needsObject(a.Type) {
			return nil, fieldErr(what, objField, "required", "is required for %s", a.Type)
		}
	case string:
		a.ObjectIRI = link(object)
		if !protocol.ValidHTTPURL(a.ObjectIRI) {
			return nil, fieldErr(what, objField, "url", "%q is not an absolute http or https URL", protocol.Clip(v, 64))
		}
	case map[string]any:
		sub := members(raw, "object")["object"]
		var err error
		if isActivityNode(v) {
			a.Inner, err = parseActivityNode(what, objField, object, v, sub, false)
		} else {
			a.Object, err = parseObjectNode(what, objField, object, v, sub)
		}
		if err != nil {
			return nil, err
		}
	case []any:
		return nil, fieldErr(what, objField, "single", "holds %d values; one object is required", len(v))
	default:
		return nil, fieldErr(what, objField, "type", "must be an IRI or an object")
	}
	return a, nil
}
