package activity

import (
	"encoding/json"
	"strings"

	vocab "github.com/go-ap/activitypub"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// collectionPageFast reads the common shape of an outbox page without
// decoding its items: a CollectionPage or OrderedCollectionPage whose type
// is one string, whose items (or orderedItems) are an array and whose next
// is absent, null or an IRI. Backfill reads pages of a hundred signed
// activities; decoding each into a generic tree, as the full parser does,
// cost as much as verifying their signatures. ok is false for any other
// shape, which the full parser then reads; for the shapes it takes, it
// answers as the full parser does (FuzzCollectionPageFast).
func collectionPageFast(what string, raw []byte) (items []json.RawMessage, next string, ok bool, err error) {
	if err := checkJSON(what, raw, strictOptions); err != nil {
		return nil, "", true, err
	}
	var typ, nextRaw, itemsRaw, orderedRaw []byte
	fast := true
	for key, value := range strictjson.Members(raw) {
		k := string(key)
		switch k {
		case "type":
			typ = value
		case "next":
			nextRaw = value
		case "items":
			itemsRaw = value
		case "orderedItems":
			orderedRaw = value
		default:
			// encoding/json matches member names without regard to case:
			// leave such documents to the full parser.
			for _, name := range []string{"type", "next", "items", "orderedItems", "first"} {
				if strings.EqualFold(k, name) {
					fast = false
				}
			}
		}
	}
	if !fast || len(typ) == 0 || typ[0] != '"' {
		return nil, "", false, nil
	}
	var t string
	if json.Unmarshal(typ, &t) != nil {
		return nil, "", false, nil
	}
	main, known := canonicalType(t)
	if !known || (main != string(vocab.CollectionPageType) && main != string(vocab.OrderedCollectionPageType)) {
		return nil, "", false, nil
	}
	list := orderedRaw
	if list == nil {
		list = itemsRaw
	}
	if len(list) > 0 && list[0] != '[' {
		return nil, "", false, nil
	}
	for e := range strictjson.Elements(list) {
		items = append(items, json.RawMessage(e))
	}
	switch {
	case nextRaw == nil || string(nextRaw) == "null":
	case nextRaw[0] == '"':
		var s string
		if json.Unmarshal(nextRaw, &s) != nil {
			return nil, "", false, nil
		}
		if next, err = iriOf(what, "next", s); err != nil {
			return nil, "", true, err
		}
	default:
		return nil, "", false, nil
	}
	return items, next, true, nil
}
