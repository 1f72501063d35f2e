package activity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// ParseSigned reads, without the general ActivityStreams decoding, the
// activities interlink nodes send for catalogue objects: a Create, Update
// or Delete whose embedded Note (Page, as nodes sent before) or Tombstone
// carries its signed form (jws).
// Only what a receiver acts on is read: the activity's id, type and actor,
// the object's id and jws, and the unsigned catalogueEntry meta as a hint
// (iri, version, created; dropped unless its iri is the object's and its
// version positive). The trust layer verifies the jws; the rest of the
// document, the entry included, is a rendering for other software, so an
// entry ParseActivity would refuse does not make the fast path refuse.
//
// ok is false for any other document (another type, an object without a
// jws, a type given as an array, ...): the caller parses it with
// ParseActivity. The size cap and the strict JSON rules of ParseActivity
// apply either way.
func ParseSigned(raw []byte) (a *Activity, ok bool, err error) {
	const what = "activity"
	if err := checkJSON(what, raw, strictOptions); err != nil {
		if errors.Is(err, protocol.ErrMalformedJSON) {
			return nil, false, nil // ParseActivity names the syntax error
		}
		return nil, true, err
	}
	// Members are looked up by their exact names (encoding/json would
	// match "tYpe" to type, which ParseActivity does not).
	top := members(raw, "id", "type", "actor", "object")
	id, ok0 := jsonString(top["id"])
	typ, ok1 := jsonString(top["type"])
	actor, ok2 := jsonString(top["actor"])
	objRaw := bytes.TrimSpace(top["object"])
	if !ok0 || !ok1 || !ok2 || (typ != "Create" && typ != "Update" && typ != "Delete") || len(objRaw) == 0 || objRaw[0] != '{' {
		return nil, false, nil
	}
	om := members(objRaw, "id", "type", "jws", EntryProperty)
	oid, ok3 := jsonString(om["id"])
	otyp, ok4 := jsonString(om["type"])
	jws := bytes.TrimSpace(om["jws"])
	if !ok3 || !ok4 || (otyp != "Note" && otyp != "Page" && otyp != "Tombstone") || len(jws) == 0 || jws[0] != '{' {
		return nil, false, nil
	}
	var entry *struct {
		Meta struct {
			IRI     string    `json:"iri"`
			Version uint64    `json:"version"`
			Created time.Time `json:"created"`
		} `json:"meta"`
	}
	if e := om[EntryProperty]; e != nil && json.Unmarshal(e, &entry) != nil {
		return nil, false, nil // ParseActivity names what is wrong with it
	}
	if id == "" || actor == "" || oid == "" || fragmentOnly(id) || fragmentOnly(actor) || fragmentOnly(oid) {
		return nil, false, nil
	}
	ve := &protocol.ValidationError{}
	checkURL(ve, "id", id, true)
	checkURL(ve, "actor", actor, true)
	checkURL(ve, "object.id", oid, true)
	if err := ve.Err(); err != nil {
		return nil, true, fmt.Errorf("activity: parse %s: %w", what, err)
	}
	p := &Parsed{ID: oid, Type: otyp, Types: []string{otyp}, JWS: append(json.RawMessage(nil), jws...)}
	if e := entry; e != nil && e.Meta.IRI == oid && e.Meta.Version > 0 {
		p.Entry = &protocol.Object{Meta: protocol.Meta{IRI: e.Meta.IRI, Version: e.Meta.Version, Created: e.Meta.Created}}
	}
	return &Activity{ID: id, Type: typ, Types: []string{typ}, Actor: actor, Object: p, Raw: raw}, true, nil
}

// jsonString decodes a JSON string value.
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// fragmentOnly reports an IRI with a fragment right after its authority
// ("https://a.example#x": no path, no query), which go-ap's decoder drops:
// the fast path leaves such documents to ParseActivity, so that both refuse
// them alike (found by FuzzParseSigned).
func fragmentOnly(iri string) bool {
	u, err := url.Parse(iri)
	return err == nil && u.Path == "" && u.RawQuery == "" && !u.ForceQuery && strings.Contains(iri, "#")
}
