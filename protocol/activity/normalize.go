package activity

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// ErrTooLarge is wrapped by the parsers' error for a document over
// MaxDocumentBytes.
var ErrTooLarge = errors.New("document larger than 1 MiB")

// strictOptions are the parsers' limits for the strict decoder.
var strictOptions = strictjson.Options{MaxBytes: MaxDocumentBytes, MaxDepth: protocol.MaxJSONDepth}

// checkJSON checks raw with strictjson under o: at most MaxDocumentBytes
// (ErrTooLarge), one JSON value (protocol.ErrMalformedJSON), and valid
// UTF-8, no duplicate keys, nesting at most protocol.MaxJSONDepth (a
// *protocol.ValidationError naming the field, with the rules "utf8",
// "duplicate_key" and "depth" as protocol.DecodeStrict names them).
func checkJSON(what string, raw []byte, o strictjson.Options) error {
	err := strictjson.Check(raw, strictjson.Any, o)
	if err == nil {
		return nil
	}
	if e, ok := err.(*strictjson.Error); ok && e.Rule == strictjson.TooLarge {
		return fmt.Errorf("activity: parse %s: %d bytes: %w", what, len(raw), ErrTooLarge)
	}
	return fmt.Errorf("activity: parse %s: %w", what, protocol.JSONError(err))
}

// load checks raw (checkJSON) and decodes it into a generic tree, which
// must be an object. The tree holds null for the values of the extension
// members (entryKeys), which are read from raw: the check notes where they
// lie in the same pass.
func load(what string, raw []byte) (map[string]any, error) {
	var opaque []span
	o := strictOptions
	o.OnMember = func(key []byte, start, end int) {
		if !isEntryKey(string(key)) {
			return
		}
		// Members are reported innermost first: an extension value
		// replaces those it holds.
		for len(opaque) > 0 && opaque[len(opaque)-1].start >= start {
			opaque = opaque[:len(opaque)-1]
		}
		opaque = append(opaque, span{start, end})
	}
	if err := checkJSON(what, raw, o); err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(withoutSpans(raw, opaque), &doc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) { // a number out of float64's range
			field := te.Field
			if field == "" {
				field = protocol.RootField
			}
			return nil, fieldErr(what, field, "type", "holds a JSON %s out of range", te.Value)
		}
		return nil, fmt.Errorf("activity: parse %s: %w: %w", what, protocol.ErrMalformedJSON, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fieldErr(what, protocol.RootField, "type", "must be a JSON object")
	}
	return m, nil
}

// span is a byte range [start, end) of a document.
type span struct{ start, end int }

// withoutSpans returns a copy of raw with the values in spans replaced by
// null (raw itself when there are none).
func withoutSpans(raw []byte, spans []span) []byte {
	if len(spans) == 0 {
		return raw
	}
	out := make([]byte, 0, len(raw))
	last := 0
	for _, sp := range spans {
		out = append(out, raw[last:sp.start]...)
		out = append(out, "null"...)
		last = sp.end
	}
	return append(out, raw[last:]...)
}

// members returns the exact bytes of the members of the JSON object raw
// (a part of a checked document) whose keys are among keys, compared
// exactly.
func members(raw []byte, keys ...string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range strictjson.Members(raw) {
		if slices.Contains(keys, string(k)) {
			if out == nil {
				out = make(map[string]json.RawMessage, len(keys))
			}
			out[string(k)] = v
		}
	}
	return out
}

// fieldErr is the error of a document whose field breaks a rule: a wrapped
// *protocol.ValidationError naming the field.
func fieldErr(what, field, rule, format string, args ...any) error {
	ve := &protocol.ValidationError{}
	ve.Add(field, rule, format, args...)
	return fmt.Errorf("activity: parse %s: %w", what, ve)
}

// path joins a field path ("object" + "id" → "object.id").
func path(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// canonicalType returns the ActivityStreams spelling of a type name given
// bare, prefixed ("as:Page") or expanded, and whether it is one.
func canonicalType(t string) (string, bool) {
	t = strings.TrimPrefix(t, "as:")
	t = strings.TrimPrefix(t, ASContext+"#")
	for _, set := range []vocab.ActivityVocabularyTypes{vocab.Types, vocab.GenericTypes, vocab.ActivityTypes,
		vocab.IntransitiveActivityTypes, vocab.ActorTypes} {
		for _, k := range set {
			if strings.EqualFold(string(k), t) {
				return string(k), true
			}
		}
	}
	return "", false
}

// typesOf returns the declared types of a node (a "type" string or array;
// non-strings skipped) and the main one: the first ActivityStreams type, or
// the first declared when none is.
func typesOf(node map[string]any) (main string, all []string) {
	switch t := node["type"].(type) {
	case string:
		all = []string{t}
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok && s != "" {
				all = append(all, s)
			}
		}
	}
	for _, t := range all {
		if c, ok := canonicalType(t); ok {
			return c, all
		}
	}
	if len(all) > 0 {
		return all[0], all
	}
	return "", nil
}

// isPublic reports whether s names the Public collection in one of the
// forms peers use.
func isPublic(s string) bool { return s == Public || s == "as:Public" || s == "Public" }

// audienceKeys are the members that hold addressees.
func isAudienceKey(k string) bool {
	switch k {
	case "to", "cc", "bto", "bcc", "audience":
		return true
	}
	return false
}

// vocabKey reports whether this package reads member k through go-ap;
// vocabCopy leaves the others out, which keeps the re-encoding small
// (catalogueEntry, language maps and content are most of a document).
func vocabKey(k string) bool {
	switch k {
	case "id", "type", "actor", "object", "to", "cc", "bto", "bcc", "audience", "published", "updated",
		"deleted", "attributedTo", "url", "href", "inbox", "outbox", "followers", "following", "endpoints",
		"sharedInbox":
		return true
	}
	return false
}

// vocabCopy returns a copy of a tree, reduced to the members of vocabKey,
// that go-ap's decoder reads without loss of what this package takes from
// it: every "type" is one type go-ap
// knows (the main type; an unknown one becomes Activity when the node has an
// actor, Object otherwise), and the Public collection is in its full form.
func vocabCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			switch {
			case !vocabKey(k):
				continue // read from the tree, or not at all: no need to copy it
			case isAudienceKey(k):
				out[k] = publicFull(val)
			default:
				out[k] = vocabCopy(val)
			}
		}
		if _, has := t["type"]; has {
			main, _ := typesOf(t)
			if _, known := canonicalType(main); !known {
				main = string(vocab.ObjectType)
				if _, hasActor := t["actor"]; hasActor {
					main = string(vocab.ActivityType)
				}
			}
			out["type"] = main
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = vocabCopy(val)
		}
		return out
	}
	return v
}

// publicFull rewrites the Public forms in an audience value.
func publicFull(v any) any {
	switch t := v.(type) {
	case string:
		if isPublic(t) {
			return Public
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = publicFull(val)
		}
		return out
	}
	return vocabCopy(v)
}

// loadItem is load and then decodeVocab: the checked, normalised tree and
// the go-ap item decoded from it.
func loadItem(what string, raw []byte) (map[string]any, vocab.Item, error) {
	tree, err := load(what, raw)
	if err != nil {
		return nil, nil, err
	}
	it, err := decodeVocab(what, tree)
	if err != nil {
		return nil, nil, err
	}
	return tree, it, nil
}

// decodeVocab decodes the tree with go-ap after vocabCopy. Re-encoding also
// undoes escapes go-ap would keep ("https:\/\/host" as PHP servers write).
func decodeVocab(what string, tree map[string]any) (vocab.Item, error) {
	b, err := json.Marshal(vocabCopy(tree))
	if err != nil {
		return nil, fmt.Errorf("activity: parse %s: re-encode: %w", what, err)
	}
	it, err := vocab.UnmarshalJSON(b)
	if err != nil {
		return nil, fmt.Errorf("activity: parse %s: %w", what, err)
	}
	return it, nil
}

// asObject returns go-ap's object for an item, or an empty one when go-ap
// made nothing of it (a node with none of the members it reads).
func asObject(it vocab.Item) *vocab.Object {
	if vocab.IsNil(it) {
		return &vocab.Object{}
	}
	ob, err := vocab.ToObject(it)
	if err != nil || ob == nil {
		return &vocab.Object{}
	}
	return ob
}

// link returns the IRI of an item: an IRI, or an object's or link's id
// (a Link's href when it has no id), or the first of a collection's.
// Type assertions go through any: go-ap stores some items through unsafe
// casts between structs whose fields have different interface types, so an
// item's itab may not be Item's and a direct assertion would fail.
func link(it vocab.Item) string {
	if vocab.IsNil(it) {
		return ""
	}
	switch v := any(it).(type) {
	case *vocab.Link:
		if v.ID == "" {
			return string(v.Href)
		}
	case vocab.ItemCollection:
		if len(v) > 0 {
			return link(v[0])
		}
		return ""
	}
	return string(it.GetLink())
}

// links returns the IRIs of the items of a collection (or of one item).
func links(it vocab.Item) []string {
	if vocab.IsNil(it) {
		return nil
	}
	var out []string
	if col, ok := any(it).(vocab.ItemCollection); ok {
		for _, i := range col {
			if s := link(i); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	if s := link(it); s != "" {
		out = append(out, s)
	}
	return out
}

// collectionLinks is links for an ItemCollection field.
func collectionLinks(c vocab.ItemCollection) []string {
	if len(c) == 0 {
		return nil
	}
	return links(c)
}

// langValue returns a natural-language property: the plain value (or, when
// it is absent, the English or else first value of the map) and the map.
// Non-string values are ignored.
func langValue(node map[string]any, name string) (string, map[string]string) {
	var m map[string]string
	if raw, ok := node[name+"Map"].(map[string]any); ok {
		for l, v := range raw {
			if s, ok := v.(string); ok {
				if m == nil {
					m = map[string]string{}
				}
				m[l] = s
			}
		}
	}
	if s, ok := node[name].(string); ok {
		return s, m
	}
	t := protocol.Text(m)
	return t.Preferred(), m
}

// str returns node[key] when it is a string.
func str(node map[string]any, key string) string {
	s, _ := node[key].(string)
	return s
}

// checkURL records a failure unless s is an absolute http(s) URL; required
// says whether it may be empty.
func checkURL(ve *protocol.ValidationError, field, s string, required bool) {
	if s == "" {
		if required {
			ve.Add(field, "required", "is required")
		}
		return
	}
	if !protocol.ValidHTTPURL(s) {
		ve.Add(field, "url", "%q is not an absolute http or https URL", protocol.Clip(s, 64))
	}
}
