package protocol

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Kind names an entity type. It is the "type" member of every entity's JSON.
type Kind string

// The entity kinds a node keeps.
const (
	KindInterlinker        Kind = "Interlinker"
	KindPublicService      Kind = "PublicService"
	KindOrganisation       Kind = "Organisation"
	KindProblemProfile     Kind = "ProblemProfile"
	KindCoproductionSchema Kind = "CoproductionSchema"
	KindAdoption           Kind = "Adoption"
	KindRating             Kind = "Rating"
	KindStory              Kind = "Story"
)

// Kinds lists every kind in a stable order (used for counts and docs).
var Kinds = []Kind{KindInterlinker, KindPublicService, KindOrganisation, KindProblemProfile,
	KindCoproductionSchema, KindAdoption, KindRating, KindStory}

// Text is multilingual text: a map from a BCP 47 language tag to the text in
// that language.
type Text map[string]string

// TextList is a multilingual list (tags, keywords): BCP 47 tag to values.
type TextList map[string][]string

// Entity is implemented by every domain entity.
type Entity interface {
	// Kind reports the entity's type.
	Kind() Kind
	// NaturalKey is the identifier the entity carries in its source format
	// (an INTERLINK id such as "business_model_canvas", a CPSV-AP
	// dct:identifier); empty when it has none. An origin node keeps at most
	// one live object per (kind, natural key).
	NaturalKey() string
	// Validate checks every field and returns a *ValidationError naming
	// each field and rule that fails, or nil.
	Validate() error
	// Index projects the entity onto the fields search and filters use.
	Index() IndexDoc
}

// IndexDoc is what search and the secondary indexes see of an entity.
type IndexDoc struct {
	Name            Text     // titles, per language
	Description     Text     // descriptions, per language
	Tags            TextList // tags and keywords, per language
	Nature          string   // interlinker nature; empty for other kinds
	Languages       []string // languages the object is available in
	ProblemProfiles []string // problem-profile keys the object addresses
	LicenceCategory string   // INTERLINK licence category
	Scopes          []string // administrative scopes
	Country         string   // ISO 3166-1 alpha-2 of the object's organisation, when known
	Target          string   // for adoptions and ratings: the IRI of the object adopted or rated
}

// Meta is the envelope every stored object carries beside its entity body.
type Meta struct {
	IRI     string    `json:"iri"`               // global id on the origin node: {public-url}/objects/{id}
	ID      string    `json:"id"`                // ULID, the last path segment of IRI
	Type    Kind      `json:"type"`              // the entity kind
	Version uint64    `json:"version"`           // 1, 2, ...; every update makes the next version
	Origin  string    `json:"origin"`            // public URL of the node that owns the object
	Key     string    `json:"key,omitempty"`     // the entity's natural key
	Created time.Time `json:"created"`           // when version 1 was made
	Updated time.Time `json:"updated"`           // when this version was made
	Deleted bool      `json:"deleted,omitempty"` // a tombstone: the last version of a deleted object
	// Provenance of a federated (remote) object version: the actor that
	// delivered it and when this node received it. Both are empty for
	// objects this node made itself.
	Actor    string    `json:"actor,omitempty"`
	Received time.Time `json:"received,omitzero"`
}

// Object is one immutable version of a stored object: the envelope and the
// entity's canonical JSON (nil for a tombstone).
type Object struct {
	Meta
	Body json.RawMessage `json:"body,omitempty"`
	// JWS is this version's signed form (general JSON serialization), byte
	// for byte as its origin signed it: the payload carries the body, so a
	// receiver acts on the verified payload, never on the unsigned wrapper.
	// Empty for versions stored before objects were signed.
	JWS json.RawMessage `json:"jws,omitempty"`
	// Verification is what this node established about JWS when it stored
	// the version (a receiver's judgement: it never travels).
	Verification *Verification `json:"verification,omitempty"`
}

// Languages returns the languages of t that hold text, English first, then
// the others in tag order.
func (t Text) Languages() []string {
	out := make([]string, 0, len(t))
	for l, v := range t {
		if strings.TrimSpace(v) != "" {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "en":
			return -1
		case b == "en":
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// Preferred returns the English text of t, else the text of its first
// language (see Languages), else "".
func (t Text) Preferred() string {
	if ls := t.Languages(); len(ls) > 0 {
		return t[ls[0]]
	}
	return ""
}
