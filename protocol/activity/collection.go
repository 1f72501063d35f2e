package activity

import (
	"encoding/json"
	"fmt"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

type collectionDoc struct {
	Context    []any  `json:"@context"`
	ID         string `json:"id"`
	Type       string `json:"type"`
	TotalItems int    `json:"totalItems"`
	First      string `json:"first,omitempty"`
}

type collectionPageDoc struct {
	Context      []any             `json:"@context"`
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	PartOf       string            `json:"partOf"`
	Next         string            `json:"next,omitempty"`
	Prev         string            `json:"prev,omitempty"`
	OrderedItems []json.RawMessage `json:"orderedItems"`
}

// OrderedCollection renders the head of a paged collection (outbox,
// followers, following): its id, totalItems and the IRI of the first page
// (omitted when first is "", for an empty collection).
func OrderedCollection(id string, total int, first string) ([]byte, error) {
	if !protocol.ValidHTTPURL(id) || (first != "" && !protocol.ValidHTTPURL(first)) || total < 0 {
		return nil, fmt.Errorf("activity: collection %q: needs http(s) id and first and a total ≥ 0 (first %q, total %d)",
			protocol.Clip(id, 96), protocol.Clip(first, 96), total)
	}
	return encode("collection", collectionDoc{
		Context:    []any{ASContext},
		ID:         id,
		Type:       string(vocab.OrderedCollectionType),
		TotalItems: total,
		First:      first,
	})
}

// OrderedCollectionPage renders one page of a collection: partOf, next and
// prev (either may be "" at an end) and the items in order, each a JSON
// value: an embedded activity or object (e.g. from Create), or an IRI
// string (see IRIItems). Items are written as given (compacted).
func OrderedCollectionPage(id, partOf, next, prev string, items []json.RawMessage) ([]byte, error) {
	for _, v := range []struct{ name, iri string }{{"id", id}, {"partOf", partOf}, {"next", next}, {"prev", prev}} {
		if (v.iri != "" || v.name == "id" || v.name == "partOf") && !protocol.ValidHTTPURL(v.iri) {
			return nil, fmt.Errorf("activity: collection page: %s %q is not an absolute http or https URL", v.name, protocol.Clip(v.iri, 96))
		}
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	// The encoder compacts every item and fails on one that is not JSON:
	// no separate validation pass over a page that may be ~1 MiB.
	ctx := contextValue(false)
	return encode("collection page", collectionPageDoc{
		Context:      ctx,
		ID:           id,
		Type:         string(vocab.OrderedCollectionPageType),
		PartOf:       partOf,
		Next:         next,
		Prev:         prev,
		OrderedItems: items,
	})
}

// IRIItems turns IRIs into collection items (JSON strings).
func IRIItems(iris ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(iris))
	for i, s := range iris {
		b, _ := json.Marshal(s) // a string always encodes
		out[i] = b
	}
	return out
}

// ItemID returns the IRI an item stands for: the item itself when it is a
// JSON string, its "id" when it is an object.
func ItemID(item json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(item, &s) == nil {
		return s, nil
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(item, &o); err != nil || o.ID == "" {
		return "", fmt.Errorf("activity: collection item is neither an IRI nor an object with an id")
	}
	return o.ID, nil
}

// collectionWire holds the members a collection or page may use.
type collectionWire struct {
	Items        json.RawMessage `json:"items"`
	OrderedItems json.RawMessage `json:"orderedItems"`
	First        json.RawMessage `json:"first"`
	Next         json.RawMessage `json:"next"`
}

// ParseCollectionPage reads a collection or one of its pages, as backfill
// pages a peer's outbox: a Collection or OrderedCollection (their inline
// items, else the embedded first page, else next = the first page's IRI
// and no items) or a CollectionPage or OrderedCollectionPage (its items and
// next). items or orderedItems may hold one value or an array. Each item
// comes back as its exact JSON (an IRI string or an embedded object; see
// ItemID). next is "" on the last page.
func ParseCollectionPage(raw []byte) (items []json.RawMessage, next string, err error) {
	const what = "collection"
	if items, next, ok, err := collectionPageFast(what, raw); ok {
		return items, next, err
	}
	return parseCollectionPage(what, raw)
}

// parseCollectionPage is ParseCollectionPage for every shape.
func parseCollectionPage(what string, raw []byte) (items []json.RawMessage, next string, err error) {
	tree, err := load(what, raw)
	if err != nil {
		return nil, "", err
	}
	return parseCollectionNode(what, "", tree, raw, true)
}

func parseCollectionNode(what, prefix string, node map[string]any, raw json.RawMessage, head bool) ([]json.RawMessage, string, error) {
	main, _ := typesOf(node)
	isPage := main == string(vocab.CollectionPageType) || main == string(vocab.OrderedCollectionPageType)
	isHead := main == string(vocab.CollectionType) || main == string(vocab.OrderedCollectionType)
	if !isPage && !(head && isHead) {
		return nil, "", fieldErr(what, path(prefix, "type"), "enum", "%q is not a collection or collection page", protocol.Clip(main, 64))
	}
	var w collectionWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, "", fieldErr(what, prefix, "type", "is not a collection: %v", err)
	}
	itemsRaw, itemsField := w.OrderedItems, "orderedItems"
	if itemsRaw == nil {
		itemsRaw, itemsField = w.Items, "items"
	}
	items, err := itemList(what, path(prefix, itemsField), itemsRaw)
	if err != nil {
		return nil, "", err
	}
	if isHead {
		if itemsRaw != nil || w.First == nil {
			return items, "", nil
		}
		if sub, ok := node["first"].(map[string]any); ok {
			return parseCollectionNode(what, path(prefix, "first"), sub, w.First, false)
		}
		first, err := iriOf(what, path(prefix, "first"), node["first"])
		return nil, first, err
	}
	nextIRI, err := iriOf(what, path(prefix, "next"), node["next"])
	return items, nextIRI, err
}

// itemList splits an items value (an array, one value, or null) into
// exact items.
func itemList(what, field string, raw json.RawMessage) ([]json.RawMessage, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		return list, nil
	}
	var one any
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, fieldErr(what, field, "type", "is not JSON: %v", err)
	}
	switch one.(type) {
	case string, map[string]any:
		return []json.RawMessage{raw}, nil
	}
	return nil, fieldErr(what, field, "type", "must be an array, an IRI or an object")
}

// iriOf reads a link given as an IRI or an object with an id; "" when
// absent.
func iriOf(what, field string, v any) (string, error) {
	var s string
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		s = t
	case map[string]any:
		s = str(t, "id")
	default:
		return "", fieldErr(what, field, "type", "must be an IRI or an object with an id")
	}
	if !protocol.ValidHTTPURL(s) {
		return "", fieldErr(what, field, "url", "%q is not an absolute http or https URL", protocol.Clip(s, 64))
	}
	return s, nil
}
