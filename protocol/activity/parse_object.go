package activity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

// Parsed is an ActivityStreams object read from a peer: the fields other
// fediverse software reads, and, when the object comes from an interlink
// node, the domain object its catalogueEntry carries.
type Parsed struct {
	ID           string
	Type         string   // the main ActivityStreams type (the first known of Types)
	Types        []string // every declared type
	Name         string   // name, else the English or first nameMap value
	NameMap      map[string]string
	Summary      string
	SummaryMap   map[string]string
	Content      string
	ContentMap   map[string]string
	URLs         []string // url: IRIs and Link hrefs, in order
	AttributedTo string   // the first attributedTo
	Published    time.Time
	Updated      time.Time
	Deleted      time.Time // a Tombstone's deleted
	FormerType   string    // a Tombstone's formerType
	To, CC       []string  // Public in its full form
	Tags         []string  // hashtag names without '#'
	// Entry is the domain object of the catalogueEntry extension, meta and
	// body exactly as sent; nil when the object has none. Its meta is
	// consistent with the document (iri = ID, iri on meta.origin with
	// meta.id, deleted exactly for a Tombstone, a body of meta.type
	// otherwise); the entity itself is not validated here: run
	// protocol.DecodeEntity on Body before acting on it.
	Entry *protocol.Object
	// JWS is the object's signed form exactly as sent (the jws extension),
	// nil when absent. Nothing here checks it: the trust layer verifies it
	// and a receiver acts only on its verified payload.
	JWS json.RawMessage
}

// ParseObject reads an ActivityStreams object (a catalogue Page, its
// Tombstone, or any object a peer serves), after the checks and
// normalisation of the package documentation. Errors name the field that
// fails (a wrapped *protocol.ValidationError) or wrap ErrTooLarge or
// protocol.ErrMalformedJSON.
func ParseObject(raw []byte) (*Parsed, error) {
	const what = "object"
	tree, it, err := loadItem(what, raw)
	if err != nil {
		return nil, err
	}
	return parseObjectNode(what, "", it, tree, raw)
}

// parseObjectNode reads one object: it is go-ap's decoding of node, raw
// the node's exact bytes, prefix the node's field path.
func parseObjectNode(what, prefix string, it vocab.Item, node map[string]any, raw json.RawMessage) (*Parsed, error) {
	ob := asObject(it)
	p := &Parsed{
		ID:           string(ob.ID),
		URLs:         links(ob.URL),
		AttributedTo: link(ob.AttributedTo),
		Published:    ob.Published,
		Updated:      ob.Updated,
		To:           collectionLinks(ob.To),
		CC:           collectionLinks(ob.CC),
		Tags:         hashtagNames(node["tag"]),
	}
	p.Type, p.Types = typesOf(node)
	if p.Type == "" {
		return nil, fieldErr(what, path(prefix, "type"), "required", "is required")
	}
	p.Name, p.NameMap = langValue(node, "name")
	p.Summary, p.SummaryMap = langValue(node, "summary")
	p.Content, p.ContentMap = langValue(node, "content")
	if t, ok := any(it).(*vocab.Tombstone); ok {
		p.Deleted = t.Deleted
	}
	switch ft := node["formerType"].(type) {
	case string:
		p.FormerType = ft
	case []any:
		if len(ft) > 0 {
			p.FormerType, _ = ft[0].(string)
		}
	}
	ve := &protocol.ValidationError{}
	checkURL(ve, path(prefix, "id"), p.ID, false)
	checkURL(ve, path(prefix, "attributedTo"), p.AttributedTo, false)
	if err := ve.Err(); err != nil {
		return nil, fmt.Errorf("activity: parse %s: %w", what, err)
	}
	if err := parseEntry(what, prefix, raw, p); err != nil {
		return nil, err
	}
	if err := parseJWS(what, prefix, raw, p); err != nil {
		return nil, err
	}
	return p, nil
}

// hashtagNames reads the names of the Hashtag (or untyped) tags, without
// '#'; Mentions and other typed tags are skipped.
func hashtagNames(v any) []string {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	case map[string]any:
		items = []any{t}
	}
	var out []string
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if typ, _ := typesOf(m); typ != "" && typ != "Hashtag" && typ != "as:Hashtag" {
			continue
		}
		if name := strings.TrimPrefix(str(m, "name"), "#"); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// entryWire is catalogueEntry as it is read: unknown members are ignored
// (a later version may add some), the body is kept byte for byte.
type entryWire struct {
	Meta *protocol.Meta  `json:"meta"`
	Body json.RawMessage `json:"body"`
}

// parseEntry reads the catalogueEntry extension from the node's exact bytes
// into p.Entry and checks it against the document.
func parseEntry(what, prefix string, raw json.RawMessage, p *Parsed) error {
	found := members(raw, entryKeys()...)
	var entryRaw json.RawMessage
	field := ""
	for _, k := range entryKeys() {
		if v, ok := found[k]; ok {
			if entryRaw != nil {
				return fieldErr(what, path(prefix, k), "duplicate_key", "repeats %s", field)
			}
			entryRaw, field = v, path(prefix, k)
		}
	}
	if entryRaw == nil {
		return nil
	}
	var w entryWire
	if err := json.Unmarshal(entryRaw, &w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fieldErr(what, path(field, te.Field), "type", "must not be a JSON %s", te.Value)
		}
		return fieldErr(what, field, "type", "must be an object {meta, body}: %v", err)
	}
	if w.Meta == nil {
		return fieldErr(what, path(field, "meta"), "required", "is required")
	}
	m := *w.Meta
	body := w.Body
	if string(body) == "null" {
		body = nil
	}
	ve := &protocol.ValidationError{}
	mf := func(name string) string { return path(field, "meta."+name) }
	if m.IRI != p.ID {
		ve.Add(mf("iri"), "mismatch", "%q is not the object's id %q", protocol.Clip(m.IRI, 96), protocol.Clip(p.ID, 96))
	}
	if !slices.Contains(protocol.Kinds, m.Type) {
		ve.Add(mf("type"), "enum", "%q is not a known type", protocol.Clip(string(m.Type), 64))
	}
	checkURL(ve, mf("origin"), m.Origin, true)
	if !protocol.ValidULID(m.ID) {
		ve.Add(mf("id"), "ulid", "%q is not a ULID", protocol.Clip(m.ID, 64))
	} else if id, ok := protocol.NewURIs(m.Origin).ObjectID(m.IRI); !ok || id != m.ID {
		ve.Add(mf("iri"), "origin", "%q is not the IRI of object %s on %s", protocol.Clip(m.IRI, 96), m.ID, protocol.Clip(m.Origin, 96))
	}
	if m.Version == 0 {
		ve.Add(mf("version"), "range", "must be at least 1")
	}
	tomb := p.Type == string(vocab.TombstoneType)
	switch {
	case m.Deleted && !tomb:
		ve.Add(mf("deleted"), "mismatch", "a deleted object must be a Tombstone, not %q", protocol.Clip(p.Type, 64))
	case !m.Deleted && tomb:
		ve.Add(mf("deleted"), "mismatch", "a Tombstone's meta must say deleted")
	case m.Deleted && body != nil:
		ve.Add(path(field, "body"), "tombstone", "a deleted object has no body")
	case !m.Deleted:
		var typ string
		switch {
		case body == nil:
			ve.Add(path(field, "body"), "required", "is required")
		case body[0] != '{':
			ve.Add(path(field, "body"), "type", "must be a JSON object")
		case json.Unmarshal(members(body, "type")["type"], &typ) != nil || typ != string(m.Type):
			ve.Add(path(field, "body.type"), "mismatch", "%q is not meta.type %q", protocol.Clip(string(members(body, "type")["type"]), 64), m.Type)
		}
	}
	if err := ve.Err(); err != nil {
		return fmt.Errorf("activity: parse %s: %w", what, err)
	}
	p.Entry = &protocol.Object{Meta: m, Body: body}
	return nil
}

// parseJWS keeps the jws extension's bytes: it must be a JSON object (the
// general serialization); its content is the trust layer's to check.
func parseJWS(what, prefix string, raw json.RawMessage, p *Parsed) error {
	found := members(raw, jwsKeys()...)
	for _, k := range jwsKeys() {
		v, ok := found[k]
		if !ok {
			continue
		}
		if p.JWS != nil {
			return fieldErr(what, path(prefix, k), "duplicate_key", "repeats the jws extension")
		}
		v = bytes.TrimSpace(v)
		if len(v) == 0 || v[0] != '{' {
			return fieldErr(what, path(prefix, k), "type", "must be a JWS in the general JSON serialization (an object)")
		}
		p.JWS = append(json.RawMessage(nil), v...)
	}
	return nil
}
