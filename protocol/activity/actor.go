package activity

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"

	vocab "github.com/go-ap/activitypub"
	"github.com/interlink-project/interlink-node/protocol"
)

// ActorParams describes the node's actor.
type ActorParams struct {
	// PreferredUsername is the WebFinger user name: letters, digits and
	// '_', optionally '.' or '-' inside (Mastodon's rule). Required.
	PreferredUsername string
	Name              string // the organisation's display name (plain text)
	Summary           string // a description (plain text or simple HTML; rendered as HTML paragraphs)
	// OrgKind is the organisation's kind (protocol.OrganisationKinds):
	// every kind is an ActivityStreams Organization; the kind travels in
	// the orgKind extension. Required.
	OrgKind string
	// PublicKeyPEM is the actor's HTTP-signature key, a PEM "PUBLIC KEY"
	// block (PKIX). Required.
	PublicKeyPEM              string
	ManuallyApprovesFollowers bool   // written explicitly, even when false
	Country                   string // ISO 3166-1 alpha-2, upper case; optional
}

type endpointsDoc struct {
	SharedInbox string `json:"sharedInbox"`
}

type publicKeyDoc struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// actorDoc is the actor document; field order is member order.
type actorDoc struct {
	Context                   []any        `json:"@context"`
	ID                        string       `json:"id"`
	Type                      string       `json:"type"`
	PreferredUsername         string       `json:"preferredUsername"`
	Name                      string       `json:"name,omitempty"`
	Summary                   string       `json:"summary,omitempty"`
	URL                       string       `json:"url"`
	Inbox                     string       `json:"inbox"`
	Outbox                    string       `json:"outbox"`
	Followers                 string       `json:"followers"`
	Following                 string       `json:"following"`
	Endpoints                 endpointsDoc `json:"endpoints"`
	PublicKey                 publicKeyDoc `json:"publicKey"`
	ManuallyApprovesFollowers bool         `json:"manuallyApprovesFollowers"`
	OrgKind                   string       `json:"orgKind"`
	Country                   string       `json:"country,omitempty"`
}

// validUsername reports whether s is a user name Mastodon accepts:
// [A-Za-z0-9_], with '.' and '-' allowed between such characters.
func validUsername(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		word := isASCIILetter(c) || (c >= '0' && c <= '9') || c == '_'
		inner := (c == '.' || c == '-') && i > 0 && i < len(s)-1
		if !word && !inner {
			return false
		}
	}
	return true
}

// Actor renders the node's actor: an Organization with preferredUsername,
// name, summary (HTML paragraphs), url (the node's home page), inbox
// ({actor}/inbox), outbox, followers, following, endpoints.sharedInbox,
// publicKey {id: {actor}#main-key, owner, publicKeyPem}, an explicit
// manuallyApprovesFollowers, and the orgKind and country extensions. Every
// parameter is checked; the error names each that fails.
func Actor(u protocol.URIs, p ActorParams) ([]byte, error) {
	ve := &protocol.ValidationError{}
	if !validUsername(p.PreferredUsername) {
		ve.Add("preferredUsername", "format", "%q is not a user name (letters, digits, '_', and '.' or '-' inside)", protocol.Clip(p.PreferredUsername, 64))
	}
	if !slices.Contains(protocol.OrganisationKinds(), protocol.OrganisationKind(p.OrgKind)) {
		ve.Add("orgKind", "enum", "%q is not one of %v", protocol.Clip(p.OrgKind, 64), protocol.OrganisationKinds())
	}
	if p.Country != "" && !protocol.ValidCountryCode(p.Country) {
		ve.Add("country", "iso3166", "%q is not an ISO 3166-1 alpha-2 code in upper case", protocol.Clip(p.Country, 16))
	}
	if err := checkPublicKeyPEM(p.PublicKeyPEM); err != nil {
		ve.Add("publicKeyPem", "format", "%v", err)
	}
	if !protocol.ValidHTTPURL(u.Actor()) {
		ve.Add("id", "url", "%q is not an absolute http or https URL", protocol.Clip(u.Actor(), 64))
	}
	if err := ve.Err(); err != nil {
		return nil, fmt.Errorf("activity: actor: %w", err)
	}
	return encode("actor", actorDoc{
		Context:                   contextValue(true),
		ID:                        u.Actor(),
		Type:                      string(vocab.OrganizationType),
		PreferredUsername:         p.PreferredUsername,
		Name:                      collapseSpaces(p.Name),
		Summary:                   paragraphs(p.Summary),
		URL:                       u.Base(),
		Inbox:                     u.Inbox(),
		Outbox:                    u.Outbox(),
		Followers:                 u.Followers(),
		Following:                 u.Following(),
		Endpoints:                 endpointsDoc{SharedInbox: u.SharedInbox()},
		PublicKey:                 publicKeyDoc{ID: u.KeyID(), Owner: u.Actor(), PublicKeyPem: p.PublicKeyPEM},
		ManuallyApprovesFollowers: p.ManuallyApprovesFollowers,
		OrgKind:                   p.OrgKind,
		Country:                   p.Country,
	})
}

// checkPublicKeyPEM checks that s is one PEM "PUBLIC KEY" block holding a
// PKIX public key.
func checkPublicKeyPEM(s string) error {
	block, rest := pem.Decode([]byte(s))
	if block == nil {
		return fmt.Errorf("is not a PEM block")
	}
	if block.Type != "PUBLIC KEY" {
		return fmt.Errorf("is a PEM %q block, not PUBLIC KEY", protocol.Clip(block.Type, 32))
	}
	if strings.TrimSpace(string(rest)) != "" {
		return fmt.Errorf("has data after the PEM block")
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		return fmt.Errorf("does not hold a PKIX public key: %v", err)
	}
	return nil
}

// RemoteActor is what a node needs of a peer's actor.
type RemoteActor struct {
	ID                string
	Type              string   // the main ActivityStreams type: Organization, Service, Application, Group or Person
	Types             []string // every declared type
	PreferredUsername string
	Name              string // name, else the English or first nameMap value
	Summary           string // summary (HTML, as sent), else the English or first summaryMap value
	URL               string // the profile page, when given
	Inbox             string
	SharedInbox       string // endpoints.sharedInbox; "" when the actor has none
	Outbox            string
	Followers         string
	Following         string
	KeyID             string // publicKey.id
	KeyOwner          string // publicKey.owner: check it equals ID before trusting the key
	PublicKeyPEM      string
	// Keys are every key the actor embeds (publicKey and FEP-521a
	// assertionMethod), Refs the key ids it names by IRI only: an actor
	// names a key that a separate key document carries this way.
	Keys             []PublicKey
	KeyRefs          []string
	ManuallyApproves bool
	OrgKind          string // the orgKind extension of an interlink node; "" for other software
	Country          string // the country extension of an interlink node
}

// ParseActor reads a peer's actor document, tolerant of the shapes real
// servers send (Mastodon, GoToSocial, FedBOX): a type array, any actor
// type, publicKey as an object or an array (the key owned by the actor is
// taken, else the first), endpoints missing, manuallyApprovesFollowers as a
// boolean or the strings "true"/"false", name as a nameMap. It requires an
// id and an inbox (absolute http(s) URLs) and checks that every other URL
// it returns is one. It does not decide whether the actor is trusted: the
// caller compares KeyOwner with ID and the origins of the URLs.
func ParseActor(raw []byte) (*RemoteActor, error) {
	const what = "actor"
	tree, err := load(what, raw)
	if err != nil {
		return nil, err
	}
	main, all := typesOf(tree)
	if !vocab.ActorTypes.Contains(vocab.ActivityVocabularyType(main)) {
		return nil, fieldErr(what, "type", "enum", "%q is not an actor type (%v)", protocol.Clip(main, 64), vocab.ActorTypes)
	}
	it, err := decodeVocab(what, tree)
	if err != nil {
		return nil, err
	}
	a := &vocab.Actor{}
	if !vocab.IsNil(it) {
		if a, err = vocab.ToActor(it); err != nil {
			return nil, fmt.Errorf("activity: parse actor: %w", err)
		}
	}
	ra := &RemoteActor{
		ID:                string(a.ID),
		Type:              main,
		Types:             all,
		PreferredUsername: str(tree, "preferredUsername"),
		URL:               link(a.URL),
		Inbox:             link(a.Inbox),
		Outbox:            link(a.Outbox),
		Followers:         link(a.Followers),
		Following:         link(a.Following),
		OrgKind:           str(tree, "orgKind"),
		Country:           str(tree, "country"),
	}
	ra.Name, _ = langValue(tree, "name")
	ra.Summary, _ = langValue(tree, "summary")
	if a.Endpoints != nil {
		ra.SharedInbox = link(a.Endpoints.SharedInbox)
	}
	switch v := tree["manuallyApprovesFollowers"].(type) {
	case bool:
		ra.ManuallyApproves = v
	case string:
		ra.ManuallyApproves = strings.EqualFold(v, "true")
	}
	ra.KeyID, ra.KeyOwner, ra.PublicKeyPEM = publicKeyOf(tree, ra.ID)
	ra.Keys, ra.KeyRefs = keysOf(tree)

	ve := &protocol.ValidationError{}
	checkURL(ve, "id", ra.ID, true)
	checkURL(ve, "inbox", ra.Inbox, true)
	checkURL(ve, "endpoints.sharedInbox", ra.SharedInbox, false)
	checkURL(ve, "outbox", ra.Outbox, false)
	checkURL(ve, "followers", ra.Followers, false)
	checkURL(ve, "following", ra.Following, false)
	checkURL(ve, "url", ra.URL, false)
	checkURL(ve, "publicKey.id", ra.KeyID, ra.PublicKeyPEM != "")
	checkURL(ve, "publicKey.owner", ra.KeyOwner, false)
	if err := ve.Err(); err != nil {
		return nil, fmt.Errorf("activity: parse actor: %w", err)
	}
	return ra, nil
}

// publicKeyOf reads publicKey given as an object or an array of objects or
// IRIs: the key whose owner is the actor, else the first object.
func publicKeyOf(tree map[string]any, actorID string) (id, owner, pemText string) {
	var keys []map[string]any
	switch v := tree["publicKey"].(type) {
	case map[string]any:
		keys = append(keys, v)
	case []any:
		for _, k := range v {
			if m, ok := k.(map[string]any); ok {
				keys = append(keys, m)
			}
		}
	}
	if len(keys) == 0 {
		return "", "", ""
	}
	pick := keys[0]
	for _, k := range keys {
		if str(k, "owner") == actorID {
			pick = k
			break
		}
	}
	return str(pick, "id"), str(pick, "owner"), str(pick, "publicKeyPem")
}
