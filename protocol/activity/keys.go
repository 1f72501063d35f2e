package activity

import (
	"fmt"

	"github.com/interlink-project/interlink-node/protocol"
)

// MaxKeys bounds the keys read from one document.
const MaxKeys = 32

// PublicKey is one signing key a document publishes, in one of the forms
// deployed servers use: a security-v1 publicKey (Mastodon, GoToSocial,
// Akkoma, Misskey: id, owner, publicKeyPem) or an FEP-521a Multikey
// (assertionMethod: id, controller, publicKeyMultibase).
type PublicKey struct {
	ID        string // the key id: a signature's keyId names it
	Owner     string // publicKey.owner, or the Multikey's controller; "" when absent
	PEM       string // publicKeyPem; "" for a Multikey
	Multibase string // publicKeyMultibase; "" for a publicKey
}

// KeyDocument is what a signature's keyId dereferences to: an actor that
// embeds its keys (Mastodon's "{actor}#main-key"), a stub that carries a
// key and names its owner (GoToSocial's "{actor}/main-key", which answers
// with the actor's id, a publicKey and no inbox), or a key document of its
// own (id, owner or controller, key material).
type KeyDocument struct {
	ID   string      // the document's id
	Keys []PublicKey // the keys it carries, in document order
	Refs []string    // keys it names by IRI only (an actor listing its keys)
	// Actor is the document read as an actor, when it is one (an actor
	// type and an inbox); nil for a stub or a key document.
	Actor *RemoteActor
}

// Key returns the key with the given id.
func (d *KeyDocument) Key(id string) (PublicKey, bool) { return FindKey(d.Keys, id) }

// FindKey returns the key with the given id among keys.
func FindKey(keys []PublicKey, id string) (PublicKey, bool) { return findKey(keys, id) }

// Names reports whether the document lists the key id, embedded or by
// reference: what an owner must do for a key document to speak for it.
func (d *KeyDocument) Names(id string) bool {
	if _, ok := d.Key(id); ok {
		return true
	}
	for _, r := range d.Refs {
		if r == id {
			return true
		}
	}
	return false
}

func findKey(keys []PublicKey, id string) (PublicKey, bool) {
	for _, k := range keys {
		if k.ID == id {
			return k, true
		}
	}
	return PublicKey{}, false
}

// ParseKeyDocument reads the document a keyId dereferences to (after the
// strict checks of the package documentation). Keys are read from
// publicKey (an object, or an array of objects and IRIs), assertionMethod
// (Multikeys, or IRIs) and, for a key document, the top level. A document
// with an inbox must be a valid actor (ParseActor). It does not decide
// which key counts: the caller picks the keyId's key, checks that its
// owner is on the key's origin and that the owner, fetched as an actor,
// names the key.
func ParseKeyDocument(raw []byte) (*KeyDocument, error) {
	const what = "key document"
	tree, err := load(what, raw)
	if err != nil {
		return nil, err
	}
	d := &KeyDocument{ID: str(tree, "id")}
	d.Keys, d.Refs = keysOf(tree)
	if _, ok := tree["inbox"]; ok {
		if d.Actor, err = ParseActor(raw); err != nil {
			return nil, err
		}
	}
	ve := &protocol.ValidationError{}
	checkURL(ve, "id", d.ID, true)
	if len(d.Keys) == 0 && len(d.Refs) == 0 {
		ve.Add("publicKey", "required", "the document carries no key (publicKey, assertionMethod, or publicKeyPem/publicKeyMultibase)")
	}
	if err := ve.Err(); err != nil {
		return nil, fmt.Errorf("activity: parse %s: %w", what, err)
	}
	return d, nil
}

// keysOf gathers a document's keys: the top level when it is a key itself,
// publicKey and assertionMethod. Entries without an http(s) id or without
// key material are skipped; at most MaxKeys are kept.
func keysOf(tree map[string]any) (keys []PublicKey, refs []string) {
	add := func(m map[string]any) {
		k := PublicKey{ID: str(m, "id"), Owner: str(m, "owner"), PEM: str(m, "publicKeyPem"), Multibase: str(m, "publicKeyMultibase")}
		if k.Owner == "" {
			k.Owner = str(m, "controller")
		}
		if (k.PEM == "" && k.Multibase == "") || !protocol.ValidHTTPURL(k.ID) || (k.Owner != "" && !protocol.ValidHTTPURL(k.Owner)) {
			return
		}
		if _, dup := findKey(keys, k.ID); !dup && len(keys) < MaxKeys {
			keys = append(keys, k)
		}
	}
	if _, ok := tree["publicKeyPem"]; ok {
		add(tree)
	} else if _, ok := tree["publicKeyMultibase"]; ok {
		add(tree)
	}
	for _, member := range []string{"publicKey", "assertionMethod"} {
		var items []any
		switch v := tree[member].(type) {
		case map[string]any, string:
			items = []any{v}
		case []any:
			items = v
		}
		for _, it := range items {
			switch v := it.(type) {
			case map[string]any:
				add(v)
			case string:
				if protocol.ValidHTTPURL(v) && len(refs) < MaxKeys {
					refs = append(refs, v)
				}
			}
		}
	}
	return keys, refs
}

// NamesKey reports whether the actor lists the key id, embedded (publicKey
// or assertionMethod) or by reference.
func (a *RemoteActor) NamesKey(id string) bool {
	if _, ok := findKey(a.Keys, id); ok {
		return true
	}
	for _, r := range a.KeyRefs {
		if r == id {
			return true
		}
	}
	return false
}
