package activity

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

// Option adjusts how catalogue objects are rendered.
type Option func(*options)

type options struct {
	label  func(iri string) string
	entity protocol.Entity
}

// WithEntity gives the renderer the object's body already decoded and
// validated (protocol.DecodeEntity) by the caller, so that it is not
// decoded again; it is used only when its kind is the object's type.
func WithEntity(e protocol.Entity) Option {
	return func(o *options) { o.entity = e }
}

// WithLabels gives the renderer a way to name the objects and
// organisations that adoptions and ratings point to by IRI: label returns
// a display name, or "" when it knows none (the IRI is shown then). Without
// it, an adoption reads "https://…/objects/01H… adopted https://…".
func WithLabels(label func(iri string) string) Option {
	return func(o *options) { o.label = label }
}

type linkDoc struct {
	Type     string `json:"type"`
	Href     string `json:"href"`
	Rel      string `json:"rel,omitempty"`
	HrefLang string `json:"hreflang,omitempty"`
}

type hashtagDoc struct {
	Type string `json:"type"`
	Href string `json:"href,omitempty"`
	Name string `json:"name"`
}

// entryDoc is the catalogueEntry extension.
type entryDoc struct {
	Meta protocol.Meta   `json:"meta"`
	Body json.RawMessage `json:"body,omitempty"`
}

// objectDoc is a catalogue object (Page) or its Tombstone; field order is
// member order.
type objectDoc struct {
	Context      []any             `json:"@context,omitempty"`
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	FormerType   string            `json:"formerType,omitempty"`
	Name         string            `json:"name,omitempty"`
	NameMap      map[string]string `json:"nameMap,omitempty"`
	Summary      string            `json:"summary,omitempty"`
	SummaryMap   map[string]string `json:"summaryMap,omitempty"`
	Content      string            `json:"content,omitempty"`
	ContentMap   langMap           `json:"contentMap,omitempty"`
	URL          any               `json:"url,omitempty"`
	AttributedTo string            `json:"attributedTo"`
	Published    string            `json:"published,omitempty"`
	Updated      string            `json:"updated,omitempty"`
	Deleted      string            `json:"deleted,omitempty"`
	To           []string          `json:"to,omitempty"`
	CC           []string          `json:"cc,omitempty"`
	Tag          []hashtagDoc      `json:"tag,omitempty"`
	Entry        *entryDoc         `json:"catalogueEntry,omitempty"`
	JWS          json.RawMessage   `json:"jws,omitempty"`
}

// timeString renders a time as xsd:dateTime in UTC to the second (the form
// Mastodon writes and every server reads); "" for the zero time.
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Object renders a stored object of this node as an ActivityStreams
// document with @context (what its IRI serves). See the package
// documentation for the shape. The object must be one this node minted:
// its IRI is u.Object(its id) and its origin u.Base(). A live object's body
// must be a valid entity of its type (protocol.DecodeEntity); a tombstone
// (Meta.Deleted) has no body and renders as a Tombstone.
func Object(u protocol.URIs, obj protocol.Object, opts ...Option) ([]byte, error) {
	doc, err := objectDocument(u, obj, opts)
	if err != nil {
		return nil, err
	}
	doc.Context = contextValue(false)
	return encode("object", doc)
}

// objectDocument builds the document of Object, without @context.
func objectDocument(u protocol.URIs, obj protocol.Object, opts []Option) (*objectDoc, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if err := checkOwnMeta(u, obj); err != nil {
		return nil, err
	}
	doc := &objectDoc{
		ID:           obj.IRI,
		AttributedTo: u.Actor(),
		Published:    timeString(obj.Created),
		Entry:        &entryDoc{Meta: obj.Meta, Body: obj.Body},
		JWS:          obj.JWS,
	}
	if obj.Updated.After(obj.Created) {
		doc.Updated = timeString(obj.Updated)
	}
	if obj.Deleted {
		doc.Type = string(vocab.TombstoneType)
		doc.FormerType = string(vocab.NoteType)
		doc.Deleted = timeString(obj.Updated)
		return doc, nil
	}
	e := o.entity
	if e == nil || e.Kind() != obj.Type {
		var err error
		if e, err = protocol.DecodeEntity(obj.Body); err != nil {
			return nil, fmt.Errorf("activity: object %s: body: %w", obj.IRI, err)
		}
	}
	if e.Kind() != obj.Type {
		return nil, fmt.Errorf("activity: object %s: body is a %s, meta says %s", obj.IRI, e.Kind(), obj.Type)
	}
	idx := e.Index()
	doc.Type = string(vocab.NoteType)
	name := idx.Name
	if n := generatedName(e, o.label); n != "" {
		name = protocol.Text{"en": n}
	}
	tags := hashtags(idx.Tags)
	for _, h := range tags {
		doc.Tag = append(doc.Tag, hashtagDoc{Type: "Hashtag", Href: tagURL(u, h), Name: "#" + h})
	}
	doc.Content, doc.ContentMap = noteContent(u, obj.IRI, name, idx.Description, tags)
	doc.URL = urlValue(obj.IRI, externalLinks(e))
	doc.To = []string{Public}
	doc.CC = []string{u.Followers()}
	return doc, nil
}

// checkOwnMeta checks that obj is an object of the node u describes, with a
// known type, a version, and a body exactly when it is not deleted.
func checkOwnMeta(u protocol.URIs, obj protocol.Object) error {
	ve := &protocol.ValidationError{}
	if id, ok := u.ObjectID(obj.IRI); !ok || id != obj.ID {
		ve.Add("meta.iri", "origin", "%q is not %s", protocol.Clip(obj.IRI, 96), u.Object(obj.ID))
	}
	if !sameOrigin(obj.Origin, u.Base()) {
		ve.Add("meta.origin", "origin", "%q is not this node (%s)", protocol.Clip(obj.Origin, 96), u.Base())
	}
	if !slices.Contains(protocol.Kinds, obj.Type) {
		ve.Add("meta.type", "enum", "%q is not a known type", protocol.Clip(string(obj.Type), 64))
	}
	if obj.Version == 0 {
		ve.Add("meta.version", "range", "must be at least 1")
	}
	if obj.Deleted && len(obj.Body) > 0 {
		ve.Add("body", "tombstone", "a deleted object has no body")
	}
	if !obj.Deleted && len(obj.Body) == 0 {
		ve.Add("body", "required", "is required")
	}
	if err := ve.Err(); err != nil {
		return fmt.Errorf("activity: object %s: %w", protocol.Clip(obj.IRI, 96), err)
	}
	return nil
}

// sameOrigin compares two URLs on parsed scheme, host and port.
func sameOrigin(a, b string) bool { return protocol.SameOriginURL(a, b) }

// generatedName is the readable name of an adoption or a rating ("" for
// other kinds): "<organisation> adopted <object>", "<organisation> rated
// <object> 4/5".
func generatedName(e protocol.Entity, label func(string) string) string {
	name := func(ref string) string {
		if label != nil {
			if l := collapseSpaces(label(ref)); l != "" {
				return l
			}
		}
		return ref
	}
	switch v := e.(type) {
	case *protocol.Adoption:
		return fmt.Sprintf("%s adopted %s", name(v.Organisation), name(v.Object))
	case *protocol.Rating:
		return fmt.Sprintf("%s rated %s %d/%d", name(v.Organisation), name(v.Object), v.Value, protocol.MaxRating)
	}
	return ""
}

// externalLinks are the Links beside the object IRI: an interlinker's
// external URIs (per language), a service's CPSV-AP IRI, an organisation's
// homepage, an adoption's instance and target, a rating's target, a
// story's process, service (when an IRI) and materials.
func externalLinks(e protocol.Entity) []linkDoc {
	var out []linkDoc
	add := func(href, rel, lang string) {
		if !protocol.ValidHTTPURL(href) {
			return
		}
		for _, l := range out {
			if l.Href == href {
				return
			}
		}
		out = append(out, linkDoc{Type: string(vocab.LinkType), Href: href, Rel: rel, HrefLang: lang})
	}
	switch v := e.(type) {
	case *protocol.Interlinker:
		for _, l := range v.URI.Languages() {
			lang := l
			if lang == "und" {
				lang = ""
			}
			add(strings.TrimSpace(v.URI[l]), "related", lang)
		}
	case *protocol.PublicService:
		add(v.IRI, "canonical", "")
	case *protocol.Organisation:
		add(v.Homepage, "related", "")
	case *protocol.Adoption:
		add(v.Instance, "related", "")
		add(v.Object, "related", "")
	case *protocol.Rating:
		add(v.Object, "related", "")
	case *protocol.Story:
		add(v.Process, "related", "")
		if protocol.ValidHTTPURL(v.Service) {
			add(v.Service, "related", "")
		}
		for _, m := range v.Materials {
			add(m, "attachment", "")
		}
	}
	return out
}

// urlValue is the url member: the object IRI alone, or first in an array
// followed by the Links (Mastodon links the first string).
func urlValue(iri string, extra []linkDoc) any {
	if len(extra) == 0 {
		return iri
	}
	out := []any{iri}
	for _, l := range extra {
		out = append(out, l)
	}
	return out
}
