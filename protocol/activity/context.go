package activity

import (
	"bytes"
	"encoding/json"
	"fmt"

	vocab "github.com/go-ap/activitypub"
)

// The IRIs of the JSON-LD contexts and namespaces the documents use.
const (
	// ASContext is the ActivityStreams 2.0 context.
	ASContext = string(vocab.ActivityBaseURI)
	// SecurityContext defines publicKey, owner and publicKeyPem.
	SecurityContext = "https://w3id.org/security/v1"
	// Namespace is the interlink vocabulary (shared with protocol/cpsv).
	Namespace = "https://w3id.org/interlink/ns#"
	// Public is the ActivityStreams Public collection, in the full form
	// this package writes and normalises to.
	Public = string(vocab.PublicNS)
)

// EntryProperty is the compact name of the extension property that carries
// {"meta": protocol.Meta, "body": entity JSON}; it expands to
// Namespace + "entry". Parsers also accept the prefixed and expanded forms.
const EntryProperty = "catalogueEntry"

// JWSProperty is the compact name of the extension property that carries
// the object's signed form (a JWS in the general JSON serialization, as a
// JSON object); it expands to Namespace + "jws".
const JWSProperty = "jws"

// jwsKeys returns the names the signed form may arrive under.
func jwsKeys() []string { return []string{JWSProperty, "interlink:jws", Namespace + "jws"} }

// entryKeys returns the names the extension property may arrive under.
func entryKeys() []string { return []string{EntryProperty, "interlink:entry", Namespace + "entry"} }

// isEntryKey reports whether k is one of entryKeys.
func isEntryKey(k string) bool {
	return k == EntryProperty || k == "interlink:entry" || k == Namespace+"entry"
}

// MaxDocumentBytes is the largest document the parsers accept (1 MiB).
const MaxDocumentBytes = 1 << 20

// termDef is an expanded JSON-LD term definition.
type termDef struct {
	ID   string `json:"@id"`
	Type string `json:"@type,omitempty"`
}

// inlineContext is this package's own context object (see the package
// documentation); the field order is the member order.
type inlineContext struct {
	Version          float64 `json:"@version"`
	Interlink        string  `json:"interlink"`
	ManuallyApproves string  `json:"manuallyApprovesFollowers"`
	Hashtag          string  `json:"Hashtag"`
	Entry            termDef `json:"catalogueEntry"`
	JWS              termDef `json:"jws"`
	OrgKind          string  `json:"orgKind"`
	Country          string  `json:"country"`
}

// contextValue returns the @context of a document; the actor's includes the
// security context.
func contextValue(security bool) []any {
	own := inlineContext{
		Version:          1.1,
		Interlink:        Namespace,
		ManuallyApproves: "as:manuallyApprovesFollowers",
		Hashtag:          "as:Hashtag",
		Entry:            termDef{ID: "interlink:entry", Type: "@json"},
		JWS:              termDef{ID: "interlink:jws", Type: "@json"},
		OrgKind:          "interlink:orgKind",
		Country:          "interlink:country",
	}
	if security {
		return []any{ASContext, SecurityContext, own}
	}
	return []any{ASContext, own}
}

// encode renders v as compact JSON without HTML escaping (content holds
// HTML on purpose; escaping it would only make it unreadable).
func encode(what string, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("activity: encode %s: %w", what, err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
